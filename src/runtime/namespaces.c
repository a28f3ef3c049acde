/* Namespaces: see namespaces.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "namespaces.h"
#include "util/log.h"
#include "util/strings.h"

static const dxc_flag_name clone_names[] = {
  { CLONE_NEWNS, "CLONE_NEWNS" },       { CLONE_NEWPID, "CLONE_NEWPID" },
  { CLONE_NEWUTS, "CLONE_NEWUTS" },     { CLONE_NEWIPC, "CLONE_NEWIPC" },
  { CLONE_NEWNET, "CLONE_NEWNET" },     { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
  { CLONE_NEWUSER, "CLONE_NEWUSER" },
};

void
dxc_ns_flags_string (int flags, char *buf, size_t len)
{
  dxc_flags_string (clone_names, sizeof clone_names / sizeof clone_names[0],
                    flags, buf, len);
}

static int
join_one (const dxc_namespace *ns, dxc_error **err)
{
  cleanup_close int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s namespace %s",
                            dxc_ns_name (ns->flag), ns->path);
  if (setns (fd, ns->flag) < 0)
    return dxc_error_errno (err, errno, "setns %s namespace %s",
                            dxc_ns_name (ns->flag), ns->path);
  dxc_explain ("setns(\"%s\", CLONE_NEW%s): joined an existing %s namespace",
               ns->path, ns->flag == CLONE_NEWNS ? "NS" : "*",
               dxc_ns_name (ns->flag));
  return 0;
}

int
dxc_ns_enter_pid_for_children (const dxc_spec *spec, int *ret_own_fd,
                               dxc_error **err)
{
  *ret_own_fd = -1;
  for (size_t i = 0; i < spec->n_namespaces; i++)
    {
      const dxc_namespace *ns = &spec->namespaces[i];
      cleanup_close int own = -1;
      if (ns->flag != CLONE_NEWPID || ns->path == NULL)
        continue;
      own = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own < 0)
        return dxc_error_errno (err, errno, "open /proc/self/ns/pid");
      if (join_one (ns, err) < 0)
        return -1;
      *ret_own_fd = take_fd (own);
    }
  return 0;
}

int
dxc_ns_leave_pid_for_children (int own_fd, dxc_error **err)
{
  if (own_fd < 0)
    return 0;
  if (setns (own_fd, CLONE_NEWPID) < 0)
    return dxc_error_errno (err, errno, "setns back to the runtime's own PID "
                            "namespace");
  return 0;
}

int
dxc_ns_join_paths (const dxc_spec *spec, dxc_error **err)
{
  /* The network and IPC namespaces first: joining a mount namespace may make
     the other paths unreachable. */
  static const int order[]
      = { CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
          CLONE_NEWNS };
  for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
    for (size_t i = 0; i < spec->n_namespaces; i++)
      {
        const dxc_namespace *ns = &spec->namespaces[i];
        if (ns->flag == order[o] && ns->path && join_one (ns, err) < 0)
          return -1;
      }
  return 0;
}

int
dxc_ns_unshare_cgroup (const dxc_spec *spec, dxc_error **err)
{
  if (!(spec->new_ns_flags & CLONE_NEWCGROUP))
    return 0;
  if (unshare (CLONE_NEWCGROUP) < 0)
    return dxc_error_errno (err, errno, "unshare(CLONE_NEWCGROUP)");
  dxc_explain ("unshare(CLONE_NEWCGROUP): the container's cgroup is the root "
               "of what it sees");
  return 0;
}

int
dxc_ns_loopback_up (dxc_error **err)
{
  cleanup_close int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;

  if (s < 0)
    return dxc_error_errno (err, errno, "loopback: socket");
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    return dxc_error_errno (err, errno, "loopback: get flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    return dxc_error_errno (err, errno, "loopback: set lo up");
  dxc_explain ("ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP): loopback up in the new "
               "network namespace");
  return 0;
}

int
dxc_ns_set_hostname (const dxc_spec *spec, dxc_error **err)
{
  if (spec->hostname && *spec->hostname)
    {
      if (sethostname (spec->hostname, strlen (spec->hostname)) < 0)
        return dxc_error_errno (err, errno, "sethostname %s", spec->hostname);
      dxc_explain ("sethostname(\"%s\"): the container's own name, in its own "
                   "UTS namespace (the host keeps its name)", spec->hostname);
    }
  if (spec->domainname && *spec->domainname)
    {
      if (setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
        return dxc_error_errno (err, errno, "setdomainname %s",
                                spec->domainname);
    }
  return 0;
}
