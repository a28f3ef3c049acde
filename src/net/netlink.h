/* rtnetlink through libmnl: the links, addresses and routes a bridge
 * network needs, in the caller's network namespace or in a container's.
 * No `ip` subprocess. */
#ifndef DXC_NETLINK_H
#define DXC_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/cleanup.h"
#include "util/error.h"

typedef struct dxc_nl dxc_nl;

/* A route socket in this network namespace, or (netns_pid > 0) in the
 * network namespace of that process. */
int dxc_nl_open (pid_t netns_pid, dxc_nl **ret, dxc_error **err);
void dxc_nl_close (dxc_nl *nl);
static inline void
dxc_nl_closep (dxc_nl **nl)
{
  dxc_nl_close (*nl);
}
#define cleanup_nl _cleanup_ (dxc_nl_closep)

/* The index of a link, 0 when there is none; its IFF_* flags if asked. */
int dxc_nl_link_index (dxc_nl *nl, const char *name, int *ret_index,
                       dxc_error **err);
/* The link's index and flags (0 and 0 when there is none) and, when
 * ret_alias is given, its alias (IFLA_IFALIAS, "" if none). */
int dxc_nl_link_get (dxc_nl *nl, const char *name, int *ret_index,
                     unsigned *ret_flags, char *ret_alias, size_t alias_len,
                     dxc_error **err);
int dxc_nl_link_set_alias (dxc_nl *nl, int index, const char *alias,
                           dxc_error **err);
/* Remove every IPv4 address of the link. */
int dxc_nl_addr_flush (dxc_nl *nl, int index, dxc_error **err);
int dxc_nl_bridge_add (dxc_nl *nl, const char *name, dxc_error **err);
/* A veth pair: host_name here, attached to master (an ifindex, 0 for
 * none); peer_name made directly in the network namespace of peer_pid. */
int dxc_nl_veth_add (dxc_nl *nl, const char *host_name, int master,
                     const char *peer_name, pid_t peer_pid, dxc_error **err);
int dxc_nl_link_up (dxc_nl *nl, int index, dxc_error **err);
int dxc_nl_link_del (dxc_nl *nl, int index, dxc_error **err);
/* addr/prefix on a link; an address already there is no error. */
int dxc_nl_addr_add (dxc_nl *nl, int index, struct in_addr addr, int prefix,
                     dxc_error **err);
int dxc_nl_route_default (dxc_nl *nl, struct in_addr gateway,
                          dxc_error **err);
/* Every IPv4 route of the main table, as network/prefix pairs. */
int dxc_nl_routes (dxc_nl *nl, struct in_addr **ret_nets, int **ret_prefixes,
                   size_t *ret_n, dxc_error **err);

#endif
