/* Container networking, Docker's way: a bridge per network, a veth pair per
 * container with eth0 inside, an address from the network's subnet, NAT to
 * the outside, published ports, /etc/resolv.conf, /etc/hosts and
 * /etc/hostname. The kernel work is in src/net/ (netlink, nftables); this
 * file keeps the networks and the leases in the store.
 *
 *   networks/<name>.json        a network: subnet, gateway, bridge device
 *                               (the default network "bridge": devoxx0 for
 *                               the default store, dx<hash> for another)
 *   networks/<name>.leases/<ip> a container's address: its owner (engine
 *                               PID and start time, container ID) and its
 *                               published ports, so that what a killed
 *                               engine left is reclaimed by the next one */
#ifndef DXC_NETWORK_H
#define DXC_NETWORK_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#include "image/store.h"
#include "net/ipam.h"
#include "net/ports.h"
#include "util/cleanup.h"
#include "util/error.h"

typedef struct dxc_net_opts
{
  const char *network; /* bridge (default), none, host, or a network name */
  char **dns;          /* --dns */
  size_t n_dns;
  char **add_hosts; /* --add-host NAME:IP */
  size_t n_add_hosts;
  dxc_port *ports; /* -p */
  size_t n_ports;
} dxc_net_opts;

/* What a container got: kept from attach to detach. */
typedef struct dxc_net_attachment
{
  char network[128];
  char bridge[16];
  char veth[16];
  struct in_addr ip, gateway;
  int prefix;
  char lease[4096]; /* the lease file */
  dxc_port *ports;
  size_t n_ports;
} dxc_net_attachment;

/* -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], added to o->ports. */
int dxc_port_parse (const char *arg, dxc_net_opts *o, dxc_error **err);
int dxc_add_host_check (const char *arg, dxc_error **err);
/* Checks of the options alone: nothing made. */
int dxc_net_check (const dxc_net_opts *o, dxc_error **err);

/* Before the container exists: the network (the default one made on first
 * use), the bridge, NAT, an address, the ports checked free, and the files
 * resolv.conf, hosts and hostname written into dir. */
int dxc_net_attach (const dxc_store *s, const dxc_net_opts *o, const char *id,
                    const char *hostname, const char *name, const char *dir,
                    dxc_net_attachment **ret, dxc_error **err);
/* The spec: the network namespace (none for --network host) and the bind
 * mounts of the three files. */
void dxc_net_to_spec (const dxc_net_opts *o, const char *dir, json_t *spec);
/* Once the container process exists (before it runs anything): the veth
 * pair, eth0's address and route, the published ports. */
int dxc_net_connect (dxc_net_attachment *a, pid_t pid, dxc_error **err);
/* After the container: ports and lease released. Safe with NULL. */
void dxc_net_detach (dxc_net_attachment *a);
static inline void
dxc_net_detachp (dxc_net_attachment **a)
{
  dxc_net_detach (*a);
}
#define cleanup_net_attachment _cleanup_ (dxc_net_detachp)
/* NetworkSettings for the container's record. */
json_t *dxc_net_record (const dxc_net_attachment *a, const dxc_net_opts *o);

/* network create/ls/inspect/rm */
int dxc_network_create (const dxc_store *s, const char *name,
                        const char *subnet, const char *gateway,
                        json_t **ret, dxc_error **err);
json_t *dxc_networks_list (const dxc_store *s);
int dxc_network_inspect (const dxc_store *s, const char *name, json_t **ret,
                         dxc_error **err);
int dxc_network_remove (const dxc_store *s, const char *name,
                        dxc_error **err);

/* Exposed for the unit tests. */

#endif
