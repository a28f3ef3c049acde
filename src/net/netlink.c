/* rtnetlink through libmnl: see netlink.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/netlink.h"
#include "util/log.h"

struct dxc_nl
{
  struct mnl_socket *sock;
  unsigned int portid;
  unsigned int seq;
};

int
dxc_nl_open (pid_t netns_pid, dxc_nl **ret, dxc_error **err)
{
  dxc_nl *nl = calloc (1, sizeof (*nl));
  cleanup_close int own = -1, target = -1;

  if (nl == NULL)
    return dxc_error_errno (err, ENOMEM, "netlink");
  if (netns_pid > 0)
    {
      /* A netlink socket stays in the namespace it was made in: enter
         the container's for the socket() call only. */
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/net", (int) netns_pid);
      own = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      target = open (path, O_RDONLY | O_CLOEXEC);
      if (own < 0 || target < 0 || setns (target, CLONE_NEWNET) < 0)
        {
          free (nl);
          return dxc_error_errno (err, errno, "enter the network namespace "
                                  "of process %d", (int) netns_pid);
        }
    }
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (netns_pid > 0 && setns (own, CLONE_NEWNET) < 0)
    abort (); /* never go on in the wrong namespace */
  if (nl->sock == NULL || mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int e = errno;
      if (nl->sock)
        mnl_socket_close (nl->sock);
      free (nl);
      return dxc_error_errno (err, e, "netlink socket");
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = time (NULL);
  *ret = nl;
  return 0;
}

void
dxc_nl_close (dxc_nl *nl)
{
  if (nl == NULL)
    return;
  mnl_socket_close (nl->sock);
  free (nl);
}

/* Send one request and read the answers until the ACK (or DONE for a
   dump), calling cb on each data message. Returns the kernel's errno as a
   negative number, or 0. */
static int
talk (dxc_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  unsigned int seq = ++nl->seq;
  ssize_t n;
  int r;

  nlh->nlmsg_seq = seq;
  /* NLM_F_DUMP is two bits, one of which is NLM_F_EXCL for a NEW request */
  if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
    nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  for (;;)
    {
      n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
      if (n < 0)
        return -errno;
      r = mnl_cb_run (buf, n, seq, nl->portid, cb, data);
      if (r < 0)
        return -errno;
      if (r == MNL_CB_STOP)
        return 0;
    }
}

static struct nlmsghdr *
link_msg (char *buf, int type, int flags, int index)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifinfomsg *ifm;
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  return nlh;
}

int
dxc_nl_link_index (dxc_nl *nl, const char *name, int *ret_index,
                   dxc_error **err)
{
  unsigned flags;
  return dxc_nl_link_get (nl, name, ret_index, &flags, NULL, 0, err);
}

int
dxc_nl_link_get (dxc_nl *nl, const char *name, int *ret_index,
                 unsigned *ret_flags, char *ret_alias, size_t alias_len,
                 dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_GETLINK, 0, 0);
  struct
  {
    int index;
  } found = { 0 };
  int r;

  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  nlh->nlmsg_seq = ++nl->seq;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return dxc_error_errno (err, errno, "netlink: get link %s", name);
  r = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
  if (r < 0)
    return dxc_error_errno (err, errno, "netlink: get link %s", name);
  nlh = (struct nlmsghdr *) buf;
  if (nlh->nlmsg_type == NLMSG_ERROR)
    {
      struct nlmsgerr *e = mnl_nlmsg_get_payload (nlh);
      if (e->error == -ENODEV)
        {
          *ret_index = 0;
          *ret_flags = 0;
          if (ret_alias && alias_len)
            *ret_alias = '\0';
          return 0;
        }
      return dxc_error_errno (err, -e->error, "netlink: get link %s", name);
    }
  found.index = ((struct ifinfomsg *) mnl_nlmsg_get_payload (nlh))->ifi_index;
  *ret_index = found.index;
  *ret_flags = ((struct ifinfomsg *) mnl_nlmsg_get_payload (nlh))->ifi_flags;
  if (ret_alias && alias_len)
    {
      struct nlattr *a;
      *ret_alias = '\0';
      mnl_attr_for_each (a, nlh, sizeof (struct ifinfomsg))
        if (mnl_attr_get_type (a) == IFLA_IFALIAS
            && mnl_attr_validate (a, MNL_TYPE_STRING) >= 0)
          snprintf (ret_alias, alias_len, "%s", mnl_attr_get_str (a));
    }
  return 0;
}

int
dxc_nl_link_set_alias (dxc_nl *nl, int index, const char *alias,
                       dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, 0, index);
  int r;
  mnl_attr_put_strz (nlh, IFLA_IFALIAS, alias);
  r = talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return dxc_error_errno (err, -r, "netlink: set the alias of link %d",
                            index);
  return 0;
}

typedef struct addr_list
{
  int index;
  struct ifaddrmsg msgs[64];
  uint32_t addrs[64];
  size_t n;
} addr_list;

static int
addr_cb (const struct nlmsghdr *nlh, void *data)
{
  addr_list *l = data;
  struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  struct nlattr *a;
  if ((int) ifa->ifa_index != l->index || ifa->ifa_family != AF_INET
      || l->n >= 64)
    return MNL_CB_OK;
  mnl_attr_for_each (a, nlh, sizeof (*ifa))
    if (mnl_attr_get_type (a) == IFA_LOCAL
        && mnl_attr_validate (a, MNL_TYPE_U32) >= 0)
      {
        l->msgs[l->n] = *ifa;
        l->addrs[l->n++] = mnl_attr_get_u32 (a);
      }
  return MNL_CB_OK;
}

int
dxc_nl_addr_flush (dxc_nl *nl, int index, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  addr_list l = { .index = index };
  int r;

  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifa));
  ifa->ifa_family = AF_INET;
  r = talk (nl, nlh, addr_cb, &l);
  if (r < 0)
    return dxc_error_errno (err, -r, "netlink: list addresses");
  for (size_t i = 0; i < l.n; i++)
    {
      nlh = mnl_nlmsg_put_header (buf);
      nlh->nlmsg_type = RTM_DELADDR;
      nlh->nlmsg_flags = NLM_F_REQUEST;
      ifa = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifa));
      *ifa = l.msgs[i];
      mnl_attr_put_u32 (nlh, IFA_LOCAL, l.addrs[i]);
      r = talk (nl, nlh, NULL, NULL);
      if (r < 0 && r != -EADDRNOTAVAIL)
        return dxc_error_errno (err, -r, "netlink: delete an address of "
                                "link %d", index);
    }
  return 0;
}

int
dxc_nl_bridge_add (dxc_nl *nl, const char *name, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info;
  int r;

  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, info);
  r = talk (nl, nlh, NULL, NULL);
  if (r < 0 && r != -EEXIST)
    return dxc_error_errno (err, -r, "netlink: create bridge %s", name);
  dxc_explain ("RTM_NEWLINK bridge %s", name);
  return 0;
}

int
dxc_nl_veth_add (dxc_nl *nl, const char *host_name, int master,
                 const char *peer_name, pid_t peer_pid, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info, *data, *peer;
  struct ifinfomsg *pifm;
  int r;

  mnl_attr_put_strz (nlh, IFLA_IFNAME, host_name);
  if (master > 0)
    mnl_attr_put_u32 (nlh, IFLA_MASTER, master);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  peer = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  /* The peer's own ifinfomsg, then its attributes: its name, made in the
     container's namespace directly (no rename, no move). */
  pifm = mnl_nlmsg_get_payload_tail (nlh);
  memset (pifm, 0, sizeof (*pifm));
  pifm->ifi_family = AF_UNSPEC;
  nlh->nlmsg_len += MNL_ALIGN (sizeof (*pifm));
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer_name);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, peer_pid);
  mnl_attr_nest_end (nlh, peer);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  r = talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return dxc_error_errno (err, -r, "netlink: create veth %s", host_name);
  dxc_explain ("RTM_NEWLINK veth %s <-> %s (in the namespace of PID %d)",
               host_name, peer_name, (int) peer_pid);
  return 0;
}

int
dxc_nl_link_up (dxc_nl *nl, int index, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, 0, index);
  struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  int r;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  r = talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return dxc_error_errno (err, -r, "netlink: set link %d up", index);
  return 0;
}

int
dxc_nl_link_del (dxc_nl *nl, int index, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_DELLINK, 0, index);
  int r = talk (nl, nlh, NULL, NULL);
  if (r < 0 && r != -ENODEV)
    return dxc_error_errno (err, -r, "netlink: delete link %d", index);
  return 0;
}

int
dxc_nl_addr_add (dxc_nl *nl, int index, struct in_addr addr, int prefix,
                 dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  char text[INET_ADDRSTRLEN];
  int r;

  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifa));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = index;
  mnl_attr_put_u32 (nlh, IFA_LOCAL, addr.s_addr);
  mnl_attr_put_u32 (nlh, IFA_ADDRESS, addr.s_addr);
  r = talk (nl, nlh, NULL, NULL);
  inet_ntop (AF_INET, &addr, text, sizeof text);
  if (r < 0 && r != -EEXIST)
    return dxc_error_errno (err, -r, "netlink: add address %s/%d", text,
                            prefix);
  dxc_explain ("RTM_NEWADDR %s/%d on link %d", text, prefix, index);
  return 0;
}

int
dxc_nl_route_default (dxc_nl *nl, struct in_addr gateway, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct rtmsg *rtm;
  char text[INET_ADDRSTRLEN];
  int r;

  nlh->nlmsg_type = RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  rtm = mnl_nlmsg_put_extra_header (nlh, sizeof (*rtm));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32 (nlh, RTA_GATEWAY, gateway.s_addr);
  r = talk (nl, nlh, NULL, NULL);
  inet_ntop (AF_INET, &gateway, text, sizeof text);
  if (r < 0)
    return dxc_error_errno (err, -r, "netlink: default route via %s", text);
  dxc_explain ("RTM_NEWROUTE default via %s", text);
  return 0;
}

typedef struct route_list
{
  struct in_addr *nets;
  int *prefixes;
  size_t n;
} route_list;

static int
route_cb (const struct nlmsghdr *nlh, void *data)
{
  route_list *l = data;
  struct rtmsg *rtm = mnl_nlmsg_get_payload (nlh);
  struct nlattr *a;
  struct in_addr dst = { 0 };

  if (rtm->rtm_family != AF_INET || rtm->rtm_table != RT_TABLE_MAIN
      || rtm->rtm_dst_len == 0)
    return MNL_CB_OK;
  mnl_attr_for_each (a, nlh, sizeof (*rtm))
  if (mnl_attr_get_type (a) == RTA_DST)
    dst.s_addr = mnl_attr_get_u32 (a);
  l->nets = realloc (l->nets, (l->n + 1) * sizeof (*l->nets));
  l->prefixes = realloc (l->prefixes, (l->n + 1) * sizeof (int));
  if (l->nets == NULL || l->prefixes == NULL)
    return MNL_CB_ERROR;
  l->nets[l->n] = dst;
  l->prefixes[l->n] = rtm->rtm_dst_len;
  l->n++;
  return MNL_CB_OK;
}

int
dxc_nl_routes (dxc_nl *nl, struct in_addr **ret_nets, int **ret_prefixes,
               size_t *ret_n, dxc_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct rtmsg *rtm;
  route_list l = { 0 };
  int r;

  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  rtm = mnl_nlmsg_put_extra_header (nlh, sizeof (*rtm));
  rtm->rtm_family = AF_INET;
  r = talk (nl, nlh, route_cb, &l);
  if (r < 0)
    {
      free (l.nets);
      free (l.prefixes);
      return dxc_error_errno (err, -r, "netlink: list routes");
    }
  *ret_nets = l.nets;
  *ret_prefixes = l.prefixes;
  *ret_n = l.n;
  return 0;
}
