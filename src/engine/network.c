/* Container networking: see network.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/containers.h"
#include "engine/network.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "net/ports.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"
#include "net/dnsfiles.h"
#include "net/ipam.h"

#define DEFAULT_NETWORK "bridge"
#define DEFAULT_BRIDGE "devoxx0"

/* ---- options --------------------------------------------------------------- */

int
dxc_port_parse (const char *arg, dxc_net_opts *o, dxc_error **err)
{
  dxc_port p, *v;
  if (dxc_port_parse_one (arg, &p, err) < 0)
    return -1;
  v = realloc (o->ports, (o->n_ports + 1) * sizeof (*v));
  if (v == NULL)
    dxc_oom ();
  o->ports = v;
  o->ports[o->n_ports++] = p;
  return 0;
}

int
dxc_add_host_check (const char *arg, dxc_error **err)
{
  const char *colon = strchr (arg, ':');
  struct in_addr a;
  if (colon == NULL || colon == arg || inet_pton (AF_INET, colon + 1, &a) != 1)
    return dxc_error_new (err, "invalid argument \"%s\" for \"--add-host\" "
                          "flag: NAME:IP with an IPv4 address", arg);
  return 0;
}

static bool
is_builtin_mode (const char *n)
{
  return strcmp (n, "none") == 0 || strcmp (n, "host") == 0;
}

int
dxc_net_check (const dxc_net_opts *o, dxc_error **err)
{
  const char *n = o->network ? o->network : DEFAULT_NETWORK;
  if (!is_builtin_mode (n) && !dxc_container_name_is_valid (n))
    return dxc_error_new (err, "invalid network name: %s", n);
  if (o->n_ports && is_builtin_mode (n))
    return dxc_error_new (err, "published ports (-p) need a bridge network, "
                          "not --network %s", n);
  for (size_t i = 0; i < o->n_dns; i++)
    {
      struct in_addr a;
      if (inet_pton (AF_INET, o->dns[i], &a) != 1)
        return dxc_error_new (err, "invalid argument \"%s\" for \"--dns\" "
                              "flag: not an IPv4 address", o->dns[i]);
    }
  for (size_t i = 0; i < o->n_add_hosts; i++)
    if (dxc_add_host_check (o->add_hosts[i], err) < 0)
      return -1;
  for (size_t i = 0; i < o->n_ports; i++)
    for (size_t j = 0; j < i; j++)
      if (o->ports[i].host_port && o->ports[i].host_port == o->ports[j].host_port
          && strcmp (o->ports[i].proto, o->ports[j].proto) == 0)
        return dxc_error_new (err, "host port %d/%s is published twice",
                              o->ports[i].host_port, o->ports[i].proto);
  return 0;
}

/* ---- the network store ----------------------------------------------------- */

static char *
net_path (const dxc_store *s, const char *name, const char *suffix)
{
  char *p = NULL;
  if (asprintf (&p, "%s/networks/%s%s", s->root, name ? name : "",
                suffix ? suffix : "")
      < 0)
    return NULL;
  return p;
}

/* Serialises create, remove and the default network's first creation. */
static int
lock_networks (const dxc_store *s, dxc_error **err)
{
  cleanup_free char *dir = net_path (s, NULL, NULL);
  cleanup_free char *lock = net_path (s, ".lock", NULL);
  int fd;
  if (dxc_mkdir_p (dir, 0700, err) < 0)
    return -1;
  fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return dxc_error_errno (err, e, "lock %s", lock);
    }
  return fd;
}

static json_t *
load_network (const dxc_store *s, const char *name)
{
  cleanup_free char *p = net_path (s, name, ".json");
  return p ? json_load_file (p, 0, NULL) : NULL;
}

/* A subnet: from the network's JSON. */
static int
network_subnet (json_t *net, struct in_addr *addr, int *prefix,
                struct in_addr *gw)
{
  const char *sub = json_string_value (json_object_get (net, "Subnet"));
  const char *g = json_string_value (json_object_get (net, "Gateway"));
  if (sub == NULL || dxc_cidr_parse (sub, addr, prefix) < 0 || g == NULL
      || inet_pton (AF_INET, g, gw) != 1)
    return -1;
  return 0;
}

/* Is net/prefix the subnet of one of our networks (but self)? Its bridge's
   route is then ours, no collision with the host. */
static json_t *
network_with_subnet (json_t *all, struct in_addr net, int prefix,
                     const char *self, bool overlap)
{
  json_t *v;
  size_t i;
  json_array_foreach (all, i, v)
  {
    struct in_addr on, og;
    int op;
    const char *name = json_string_value (json_object_get (v, "Name"));
    if (self && name && strcmp (name, self) == 0)
      continue;
    if (network_subnet (v, &on, &op, &og) < 0)
      continue;
    if (overlap ? dxc_cidr_overlap (net, prefix, on, op)
                : on.s_addr == net.s_addr && op == prefix)
      return v;
  }
  return NULL;
}

/* Does the subnet collide with another network, or with a route of the
   host that is not one of our bridges'? */
static int
check_overlap (const dxc_store *s, struct in_addr net, int prefix,
               const char *self, dxc_error **err)
{
  dxc_nl *nl = NULL;
  struct in_addr *nets = NULL;
  int *prefixes = NULL;
  size_t n = 0;
  json_t *all = dxc_networks_list (s), *other;
  char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
  int r = 0;

  dxc_ip_text (net, a);
  other = network_with_subnet (all, net, prefix, self, true);
  if (other)
    {
      r = dxc_error_new (err, "subnet %s/%d overlaps with network %s (%s)", a,
                         prefix,
                         json_string_value (json_object_get (other, "Name")),
                         json_string_value (json_object_get (other, "Subnet")));
      json_decref (all);
      return r;
    }
  if (dxc_nl_open (0, &nl, err) < 0
      || dxc_nl_routes (nl, &nets, &prefixes, &n, err) < 0)
    {
      dxc_nl_close (nl);
      json_decref (all);
      return -1;
    }
  dxc_nl_close (nl);
  for (size_t i = 0; i < n && r == 0; i++)
    if (dxc_cidr_overlap (net, prefix, nets[i], prefixes[i])
        && !network_with_subnet (all, nets[i], prefixes[i], NULL, false))
      {
        dxc_ip_text (nets[i], b);
        r = dxc_error_new (err, "subnet %s/%d overlaps with the host's route "
                           "to %s/%d", a, prefix, b, prefixes[i]);
      }
  free (nets);
  free (prefixes);
  json_decref (all);
  return r;
}

static int
save_network (const dxc_store *s, const char *name, const char *bridge,
              struct in_addr net, int prefix, struct in_addr gw, json_t **ret,
              dxc_error **err)
{
  cleanup_free char *p = net_path (s, name, ".json");
  cleanup_free char *now = dxc_now_rfc3339 ();
  cleanup_free char *text = NULL;
  char id[65], sub[INET_ADDRSTRLEN + 4], a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
  json_t *doc;

  dxc_container_new_id (id);
  dxc_ip_text (net, a);
  dxc_ip_text (gw, g);
  snprintf (sub, sizeof sub, "%s/%d", a, prefix);
  doc = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Name", name,
                   "Id", id, "Created", now, "Driver", "bridge", "Scope",
                   "local", "Subnet", sub, "Gateway", g, "Bridge", bridge);
  text = json_dumps (doc, JSON_INDENT (4));
  if (dxc_write_file_atomic (p, text, strlen (text), 0600, DXC_WRITE_SYNC, err)
      < 0)
    {
      json_decref (doc);
      return -1;
    }
  if (ret)
    *ret = doc;
  else
    json_decref (doc);
  return 0;
}

/* The default network's bridge: devoxx0 for the default store; another
   store (--root) gets its own bridge, subnet and leases, named after a hash
   of its path, so that two stores never hand out the same address. */
static void
default_bridge_name (const dxc_store *s, char name[16])
{
  uint32_t h = 2166136261u; /* FNV-1a */
  if (strcmp (s->root, "/var/lib/devoxx-container") == 0)
    {
      snprintf (name, 16, "%s", DEFAULT_BRIDGE);
      return;
    }
  for (const char *c = s->root; *c; c++)
    h = (h ^ (unsigned char) *c) * 16777619u;
  snprintf (name, 16, "dx%08x", h);
}

/* The default network: the first 10.x /16 from 10.88 on that collides with
   nothing (podman's default is 10.88.0.0/16). */
static int
create_default (const dxc_store *s, json_t **ret, dxc_error **err)
{
  char bridge[16];
  default_bridge_name (s, bridge);
  for (int second = 88; second < 128; second++)
    {
      struct in_addr net = { htonl ((10u << 24) | ((unsigned) second << 16)) };
      struct in_addr gw = dxc_ipam_nth_host (net, 1);
      if (check_overlap (s, net, 16, NULL, NULL) == 0)
        return save_network (s, DEFAULT_NETWORK, bridge, net, 16, gw,
                             ret, err);
    }
  return dxc_error_new (err, "no free 10.x.0.0/16 subnet for the default "
                        "network: every one from 10.88 to 10.127 collides "
                        "with a route");
}

static int
get_network (const dxc_store *s, const char *name, json_t **ret,
             dxc_error **err)
{
  json_t *net = load_network (s, name);
  if (net == NULL && strcmp (name, DEFAULT_NETWORK) == 0)
    {
      int lock = lock_networks (s, err);
      if (lock < 0)
        return -1;
      net = load_network (s, name);
      if (net == NULL && create_default (s, &net, err) < 0)
        {
          close (lock);
          return -1;
        }
      close (lock);
    }
  if (net == NULL)
    return dxc_error_new (err, "network %s not found", name);
  *ret = net;
  return 0;
}

static int
write_sysctl (const char *path, const char *value, dxc_error **err)
{
  cleanup_free char *cur = NULL;
  size_t len;
  if (dxc_read_file (path, &cur, &len, NULL) == 0 && cur[0] == value[0])
    return 0;
  if (dxc_write_file (path, value, err) < 0)
    return dxc_error_prefix (err, "sysctl");
  return 0;
}

/* The bridge, up with the gateway address, forwarding on, NAT in place.
   A bridge that is up with its alias naming this network's address means
   all of it was done before: one netlink request on the common path. A
   bridge with another alias (a store removed and made again, whose
   network got another subnet) has its addresses replaced. */
static int
ensure_bridge (json_t *net, dxc_error **err)
{
  const char *br = json_string_value (json_object_get (net, "Bridge"));
  struct in_addr sub, gw;
  int prefix, index;
  unsigned flags;
  cleanup_nl dxc_nl *nl = NULL;
  char path[128], alias[128], want[128], gwt[INET_ADDRSTRLEN];

  if (br == NULL || network_subnet (net, &sub, &prefix, &gw) < 0)
    return dxc_error_new (err, "network %s: invalid description",
                          json_string_value (json_object_get (net, "Name")));
  inet_ntop (AF_INET, &gw, gwt, sizeof gwt);
  snprintf (want, sizeof want, "devoxx %s/%d", gwt, prefix);
  if (dxc_nl_open (0, &nl, err) < 0
      || dxc_nl_link_get (nl, br, &index, &flags, alias, sizeof alias, err)
             < 0)
    return -1;
  if (index > 0 && (flags & IFF_UP) && strcmp (alias, want) == 0)
    return 0;
  if (dxc_nat_ensure (err) < 0
      || dxc_nat_masquerade (sub, prefix, true, err) < 0
      || write_sysctl ("/proc/sys/net/ipv4/ip_forward", "1", err) < 0)
    return -1;
  if (index == 0
      && (dxc_nl_bridge_add (nl, br, err) < 0
          || dxc_nl_link_index (nl, br, &index, err) < 0))
    return -1;
  /* Published ports answer on 127.0.0.1: DNATed packets from a loopback
     source may then leave through the bridge. */
  snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", br);
  if (write_sysctl (path, "1", err) < 0)
    return -1;
  /* An address of another subnet (the network made again) would not route
     the containers' addresses. */
  if (strcmp (alias, want) != 0 && dxc_nl_addr_flush (nl, index, err) < 0)
    return -1;
  if (dxc_nl_addr_add (nl, index, gw, prefix, err) < 0
      || dxc_nl_link_set_alias (nl, index, want, err) < 0
      || dxc_nl_link_up (nl, index, err) < 0)
    return -1;
  return 0;
}

/* ---- leases ---------------------------------------------------------------- */

static unsigned long long
process_start (pid_t pid)
{
  char path[64];
  cleanup_free char *stat = NULL;
  size_t len;
  const char *p;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (dxc_read_file (path, &stat, &len, NULL) < 0)
    return 0;
  /* field 22, counted after the command's closing parenthesis */
  p = strrchr (stat, ')');
  for (int field = 2; p && field < 22; field++)
    p = strchr (p + 1, ' ');
  return p ? strtoull (p + 1, NULL, 10) : 0;
}

/* The lease's owner is gone: its engine died (kill -9) before releasing. */
static bool
lease_is_stale (json_t *lease)
{
  json_int_t pid = json_integer_value (json_object_get (lease, "Pid"));
  json_int_t start = json_integer_value (json_object_get (lease, "Start"));
  return pid <= 0 || process_start (pid) != (unsigned long long) start;
}

static void
release_ports (json_t *ports)
{
  json_t *p;
  size_t i;
  json_array_foreach (ports, i, p)
  {
    const char *ip = json_string_value (json_object_get (p, "HostIp"));
    struct in_addr none = { 0 };
    dxc_nat_port (json_string_value (json_object_get (p, "Proto")),
                  ip && *ip ? ip : NULL,
                  json_integer_value (json_object_get (p, "HostPort")), none,
                  0, false, NULL, NULL);
  }
}

static json_t *
ports_json (const dxc_net_attachment *a)
{
  json_t *out = json_array ();
  for (size_t i = 0; i < a->n_ports; i++)
    json_array_append_new (out, json_pack ("{s:s, s:s, s:i, s:i}", "Proto",
                                           a->ports[i].proto, "HostIp",
                                           a->ports[i].host_ip, "HostPort",
                                           a->ports[i].host_port,
                                           "ContainerPort",
                                           a->ports[i].container_port));
  return out;
}

static int
write_lease (const dxc_net_attachment *a, const char *id, int fd,
             dxc_error **err)
{
  json_t *doc = json_pack ("{s:s, s:I, s:I, s:o}", "Container", id, "Pid",
                           (json_int_t) getpid (), "Start",
                           (json_int_t) process_start (getpid ()), "Ports",
                           ports_json (a));
  cleanup_free char *text = json_dumps (doc, JSON_COMPACT);
  json_decref (doc);
  if (fd >= 0)
    {
      if (dxc_write_all (fd, text, strlen (text)) < 0)
        return dxc_error_errno (err, errno, "write lease %s", a->lease);
      return 0;
    }
  return dxc_write_file_atomic (a->lease, text, strlen (text), 0600, 0, err);
}

/* The first free address of the subnet, the lease made with O_EXCL under
   the leases' lock: no two containers get one address, whatever runs at
   the same time. Stale leases are reclaimed on the way. */
static int
allocate (const dxc_store *s, json_t *net, dxc_net_attachment *a,
          const char *id, dxc_error **err)
{
  const char *name = json_string_value (json_object_get (net, "Name"));
  cleanup_free char *dir = net_path (s, name, ".leases");
  char lockp[4096];
  cleanup_close int lock = -1;
  struct in_addr sub;
  uint32_t hosts;

  network_subnet (net, &sub, &a->prefix, &a->gateway);
  if (dir == NULL || dxc_mkdir_p (dir, 0700, err) < 0)
    return -1;
  snprintf (lockp, sizeof lockp, "%s/.lock", dir);
  lock = open (lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return dxc_error_errno (err, errno, "lock %s", lockp);
  hosts = (1u << (32 - a->prefix)) - 1; /* the last is the broadcast */
  for (uint32_t n = 2; n < hosts; n++)
    {
      char ip[INET_ADDRSTRLEN];
      int fd;
      struct in_addr cand = dxc_ipam_nth_host (sub, n);
      if (cand.s_addr == a->gateway.s_addr)
        continue;
      dxc_ip_text (cand, ip);
      snprintf (a->lease, sizeof a->lease, "%s/%s", dir, ip);
      fd = open (a->lease, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST)
        {
          json_t *old = json_load_file (a->lease, 0, NULL);
          bool stale = old == NULL || lease_is_stale (old);
          if (stale)
            {
              dxc_explain ("lease %s: its owner is gone, reclaimed", ip);
              release_ports (json_object_get (old, "Ports"));
              unlink (a->lease);
              fd = open (a->lease, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                         0600);
            }
          json_decref (old);
          if (!stale)
            continue; /* a live container's address */
        }
      if (fd < 0)
        return dxc_error_errno (err, errno, "lease %s", a->lease);
      a->ip = cand;
      if (write_lease (a, id, fd, err) < 0)
        {
          close (fd);
          unlink (a->lease);
          a->lease[0] = '\0';
          return -1;
        }
      close (fd);
      return 0;
    }
  a->lease[0] = '\0';
  return dxc_error_new (err, "no available IPv4 addresses on network %s "
                        "(subnet %s)", name,
                        json_string_value (json_object_get (net, "Subnet")));
}

/* Leases whose engine died (kill -9): their ports and addresses are freed
   before this container asks for its own, under the leases' lock. */
static void
reclaim_stale (const dxc_store *s, const char *network)
{
  cleanup_free char *dir = net_path (s, network, ".leases");
  char path[4096];
  cleanup_close int lock = -1;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (dir == NULL)
    return;
  snprintf (path, sizeof path, "%s/.lock", dir);
  lock = open (path, O_RDWR | O_CLOEXEC);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return;
  d = opendir (dir);
  while (d && (de = readdir (d)))
    {
      json_t *lease;
      if (de->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
      lease = json_load_file (path, 0, NULL);
      if (lease && lease_is_stale (lease))
        {
          dxc_explain ("lease %s: its owner is gone, reclaimed", de->d_name);
          release_ports (json_object_get (lease, "Ports"));
          unlink (path);
        }
      json_decref (lease);
    }
}

/* ---- ports (net/ports.c) ---------------------------------------------------- */

/* Is the owner of a published port gone? Its lease file is, or names a
   process that is gone: its engine was killed after its store was removed,
   or the lease was reclaimed, and nothing of it is left to release the
   element. */
static bool
port_owner_gone (const char *lease_path)
{
  cleanup_free char *text = NULL;
  cleanup_json json_t *lease = NULL;
  size_t len;

  if (dxc_read_file (lease_path, &text, &len, NULL) < 0)
    return errno == ENOENT;
  lease = json_loadb (text, len, 0, NULL);
  return lease == NULL || lease_is_stale (lease);
}

/* ---- the files (their text: net/dnsfiles.c) -------------------------------- */

static int
write_files (const dxc_net_opts *o, const dxc_net_attachment *a,
             const char *hostname, const char *name, const char *dir,
             dxc_error **err)
{
  char path[4096], ip[INET_ADDRSTRLEN];
  cleanup_free char *resolv = NULL;
  char *hosts = NULL;
  size_t len;
  int r;

  snprintf (path, sizeof path, "%s/hostname", dir);
  {
    cleanup_free char *line = NULL;
    if (asprintf (&line, "%s\n", hostname) < 0
        || dxc_write_file_atomic (path, line, strlen (line), 0644, 0, err) < 0)
      return -1;
  }
  if (a)
    dxc_ip_text (a->ip, ip);
  hosts = dxc_hosts_file (a ? ip : NULL, hostname, name, o->add_hosts,
                          o->n_add_hosts);
  if (hosts == NULL)
    return dxc_error_errno (err, ENOMEM, "hosts");
  snprintf (path, sizeof path, "%s/hosts", dir);
  r = dxc_write_file_atomic (path, hosts, strlen (hosts), 0644, 0, err);
  free (hosts);
  if (r < 0)
    return -1;
  {
    cleanup_free char *host = NULL, *upstream = NULL;
    if (dxc_read_file ("/etc/resolv.conf", &host, &len, NULL) < 0)
      host = NULL;
    if (dxc_read_file ("/run/systemd/resolve/resolv.conf", &upstream, &len,
                       NULL)
        < 0)
      upstream = NULL;
    resolv = dxc_resolv_conf (host, upstream, o->dns, o->n_dns);
  }
  snprintf (path, sizeof path, "%s/resolv.conf", dir);
  if (resolv == NULL
      || dxc_write_file_atomic (path, resolv, strlen (resolv), 0644, 0, err)
             < 0)
    return -1;
  return 0;
}

/* ---- attach, connect, detach ------------------------------------------------ */

int
dxc_net_attach (const dxc_store *s, const dxc_net_opts *o, const char *id,
                const char *hostname, const char *name, const char *dir,
                dxc_net_attachment **ret, dxc_error **err)
{
  const char *mode = o->network ? o->network : DEFAULT_NETWORK;
  cleanup_net_attachment dxc_net_attachment *a = NULL;
  cleanup_json json_t *net = NULL;

  *ret = NULL;
  if (is_builtin_mode (mode))
    return write_files (o, NULL, hostname, name, dir, err);
  a = dxc_xcalloc (1, sizeof (*a));
  snprintf (a->network, sizeof a->network, "%s", mode);
  snprintf (a->veth, sizeof a->veth, "vx%.10s", id);
  if (get_network (s, mode, &net, err) < 0 || ensure_bridge (net, err) < 0)
    return -1;
  snprintf (a->bridge, sizeof a->bridge, "%s",
            json_string_value (json_object_get (net, "Bridge")));
  reclaim_stale (s, mode);
  if (o->n_ports)
    {
      a->ports = dxc_xcalloc (o->n_ports, sizeof (*a->ports));
      a->n_ports = o->n_ports;
      memcpy (a->ports, o->ports, o->n_ports * sizeof (*a->ports));
      for (size_t i = 0; i < a->n_ports; i++)
        if (dxc_port_reserve (&a->ports[i], port_owner_gone, err) < 0)
          return -1;
    }
  if (allocate (s, net, a, id, err) < 0
      || write_files (o, a, hostname, name, dir, err) < 0)
    return -1;
  *ret = take_ptr (a);
  return 0;
}

void
dxc_net_to_spec (const dxc_net_opts *o, const char *dir, json_t *spec)
{
  static const char *const files[] = { "resolv.conf", "hosts", "hostname" };
  const char *mode = o->network ? o->network : DEFAULT_NETWORK;
  json_t *mounts = json_object_get (spec, "mounts");

  if (strcmp (mode, "host") == 0)
    {
      /* The host's network stack: no namespace of its own. */
      json_t *ns = json_object_get (json_object_get (spec, "linux"),
                                    "namespaces"), *v;
      size_t i;
      json_array_foreach (ns, i, v)
      {
        const char *t = json_string_value (json_object_get (v, "type"));
        if (t && strcmp (t, "network") == 0)
          {
            json_array_remove (ns, i);
            break;
          }
      }
    }
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    {
      char src[4096], dst[64];
      snprintf (src, sizeof src, "%s/%s", dir, files[i]);
      snprintf (dst, sizeof dst, "/etc/%s", files[i]);
      json_array_append_new (mounts,
                             json_pack ("{s:s, s:s, s:s, s:[s, s]}",
                                        "destination", dst, "type", "bind",
                                        "source", src, "options", "rbind",
                                        "rprivate"));
    }
}

int
dxc_net_connect (dxc_net_attachment *a, pid_t pid, dxc_error **err)
{
  cleanup_nl dxc_nl *host = NULL, *inside = NULL;
  int bridge, veth, eth0;

  if (a == NULL)
    return 0;
  if (dxc_nl_open (0, &host, err) < 0
      || dxc_nl_link_index (host, a->bridge, &bridge, err) < 0)
    return -1;
  if (bridge == 0)
    return dxc_error_new (err, "network %s: bridge %s is gone", a->network,
                          a->bridge);
  if (dxc_nl_veth_add (host, a->veth, bridge, "eth0", pid, err) < 0
      || dxc_nl_link_index (host, a->veth, &veth, err) < 0
      || dxc_nl_link_up (host, veth, err) < 0)
    return -1;
  if (dxc_nl_open (pid, &inside, err) < 0
      || dxc_nl_link_index (inside, "eth0", &eth0, err) < 0
      || dxc_nl_addr_add (inside, eth0, a->ip, a->prefix, err) < 0
      || dxc_nl_link_up (inside, eth0, err) < 0
      || dxc_nl_route_default (inside, a->gateway, err) < 0)
    return -1;
  for (size_t i = 0; i < a->n_ports; i++)
    if (dxc_nat_port (a->ports[i].proto,
                      *a->ports[i].host_ip ? a->ports[i].host_ip : NULL,
                      a->ports[i].host_port, a->ip,
                      a->ports[i].container_port, true, a->lease, err)
        < 0)
      return -1;
  return 0;
}

void
dxc_net_detach (dxc_net_attachment *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n_ports; i++)
    {
      struct in_addr none = { 0 };
      if (a->ports[i].host_port && a->lease[0])
        dxc_nat_port (a->ports[i].proto,
                      *a->ports[i].host_ip ? a->ports[i].host_ip : NULL,
                      a->ports[i].host_port, none, 0, false, NULL, NULL);
    }
  /* The veth pair goes with the container's network namespace, which the
     kernel tears down (asynchronously) once its last process is gone: an
     explicit RTM_DELLINK here would wait for that teardown (15 ms here). */
  if (a->lease[0])
    unlink (a->lease);
  free (a->ports);
  free (a);
}

json_t *
dxc_net_record (const dxc_net_attachment *a, const dxc_net_opts *o)
{
  json_t *ports = json_object ();
  char ip[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";
  const char *mode = o->network ? o->network : DEFAULT_NETWORK;

  if (a)
    {
      dxc_ip_text (a->ip, ip);
      dxc_ip_text (a->gateway, gw);
      for (size_t i = 0; i < a->n_ports; i++)
        {
          char key[32], hp[16];
          json_t *list;
          snprintf (key, sizeof key, "%d/%s", a->ports[i].container_port,
                    a->ports[i].proto);
          snprintf (hp, sizeof hp, "%d", a->ports[i].host_port);
          list = json_object_get (ports, key);
          if (list == NULL)
            {
              list = json_array ();
              json_object_set_new (ports, key, list);
            }
          json_array_append_new (list, json_pack ("{s:s, s:s}", "HostIp",
                                                  *a->ports[i].host_ip
                                                      ? a->ports[i].host_ip
                                                      : "0.0.0.0",
                                                  "HostPort", hp));
        }
    }
  return json_pack ("{s:s, s:s, s:s, s:i, s:o, s:{s:{s:s, s:s, s:i}}}",
                    "NetworkMode", mode, "IPAddress", ip, "Gateway", gw,
                    "IPPrefixLen", a ? a->prefix : 0, "Ports", ports,
                    "Networks", mode, "IPAddress", ip, "Gateway", gw,
                    "IPPrefixLen", a ? a->prefix : 0);
}

/* ---- network create/ls/inspect/rm --------------------------------------------- */

int
dxc_network_create (const dxc_store *s, const char *name, const char *subnet,
                    const char *gateway, json_t **ret, dxc_error **err)
{
  struct in_addr net, gw;
  int prefix, lock, r;
  char bridge[16];
  json_t *doc = NULL;

  if (!dxc_container_name_is_valid (name) || is_builtin_mode (name))
    return dxc_error_new (err, "invalid network name: %s", name);
  if (subnet && dxc_cidr_parse (subnet, &net, &prefix) < 0)
    return dxc_error_new (err, "invalid subnet %s: a network like "
                          "10.90.0.0/24 (prefix from 8 to 30)", subnet);
  if (gateway && (inet_pton (AF_INET, gateway, &gw) != 1
                  || (subnet && !dxc_cidr_overlap (gw, 32, net, prefix))))
    return dxc_error_new (err, "invalid gateway %s: an address of the subnet",
                          gateway);
  lock = lock_networks (s, err);
  if (lock < 0)
    return -1;
  if ((doc = load_network (s, name)) != NULL)
    {
      json_decref (doc);
      close (lock);
      return dxc_error_new (err, "network with name %s already exists", name);
    }
  if (subnet == NULL)
    {
      /* the first free 10.x.y.0/24 from 10.90.0.0 on */
      bool found = false;
      for (uint32_t k = 0; k < 65536 && !found; k++)
        {
          net.s_addr = htonl ((10u << 24) | ((90u << 16) + (k << 8)));
          prefix = 24;
          if (ntohl (net.s_addr) >> 24 != 10)
            break;
          found = check_overlap (s, net, prefix, NULL, NULL) == 0;
        }
      if (!found)
        {
          close (lock);
          return dxc_error_new (err, "no free subnet for network %s", name);
        }
    }
  else if (check_overlap (s, net, prefix, NULL, err) < 0)
    {
      close (lock);
      return -1;
    }
  if (gateway == NULL)
    gw = dxc_ipam_nth_host (net, 1);
  {
    char id[65];
    dxc_container_new_id (id);
    snprintf (bridge, sizeof bridge, "dxbr%.10s", id);
  }
  r = save_network (s, name, bridge, net, prefix, gw, &doc, err);
  close (lock);
  if (r < 0)
    return -1;
  if (ensure_bridge (doc, err) < 0)
    {
      dxc_network_remove (s, name, NULL);
      json_decref (doc);
      return -1;
    }
  *ret = doc;
  return 0;
}

json_t *
dxc_networks_list (const dxc_store *s)
{
  cleanup_free char *dir = net_path (s, NULL, NULL);
  cleanup_dir DIR *d = dir ? opendir (dir) : NULL;
  struct dirent *de;
  json_t *out = json_array ();
  while (d && (de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      char name[256];
      json_t *v;
      if (de->d_name[0] == '.' || n < 6 || n > 250
          || strcmp (de->d_name + n - 5, ".json") != 0)
        continue;
      snprintf (name, sizeof name, "%.*s", (int) (n - 5), de->d_name);
      if ((v = load_network (s, name)))
        json_array_append_new (out, v);
    }
  return out;
}

/* Live containers on the network (leases whose owner is alive). */
static json_t *
network_users (const dxc_store *s, const char *name)
{
  cleanup_free char *dir = net_path (s, name, ".leases");
  cleanup_dir DIR *d = dir ? opendir (dir) : NULL;
  struct dirent *de;
  json_t *users = json_array ();
  while (d && (de = readdir (d)))
    {
      char p[4096];
      json_t *lease;
      if (de->d_name[0] == '.')
        continue;
      snprintf (p, sizeof p, "%s/%s", dir, de->d_name);
      lease = json_load_file (p, 0, NULL);
      if (lease && !lease_is_stale (lease))
        json_array_append (users, json_object_get (lease, "Container"));
      json_decref (lease);
    }
  return users;
}

int
dxc_network_inspect (const dxc_store *s, const char *name, json_t **ret,
                     dxc_error **err)
{
  json_t *net = NULL;
  if (strcmp (name, DEFAULT_NETWORK) == 0)
    {
      if (get_network (s, name, &net, err) < 0)
        return -1;
    }
  else if ((net = load_network (s, name)) == NULL)
    return dxc_error_new (err, "network %s not found", name);
  json_object_set_new (net, "Containers", network_users (s, name));
  *ret = net;
  return 0;
}

int
dxc_network_remove (const dxc_store *s, const char *name, dxc_error **err)
{
  json_t *net, *users;
  cleanup_free char *p = net_path (s, name, ".json");
  cleanup_free char *leases = net_path (s, name, ".leases");
  struct in_addr sub, gw;
  int prefix, lock;

  if (strcmp (name, DEFAULT_NETWORK) == 0)
    return dxc_error_new (err, "%s is a pre-defined network and cannot be "
                          "removed", name);
  lock = lock_networks (s, err);
  if (lock < 0)
    return -1;
  net = load_network (s, name);
  if (net == NULL)
    {
      close (lock);
      return dxc_error_new (err, "network %s not found", name);
    }
  users = network_users (s, name);
  if (json_array_size (users) > 0)
    {
      cleanup_free char *list = json_dumps (users, JSON_COMPACT);
      json_decref (users);
      json_decref (net);
      close (lock);
      return dxc_error_new (err, "error while removing network: network %s "
                            "has active endpoints %s", name, list);
    }
  json_decref (users);
  {
    dxc_nl *nl = NULL;
    int index = 0;
    const char *br = json_string_value (json_object_get (net, "Bridge"));
    if (br && dxc_nl_open (0, &nl, NULL) == 0
        && dxc_nl_link_index (nl, br, &index, NULL) == 0 && index > 0)
      dxc_nl_link_del (nl, index, NULL);
    dxc_nl_close (nl);
  }
  if (network_subnet (net, &sub, &prefix, &gw) == 0)
    dxc_nat_masquerade (sub, prefix, false, NULL);
  json_decref (net);
  dxc_rm_rf (leases, NULL);
  unlink (p);
  close (lock);
  return 0;
}
