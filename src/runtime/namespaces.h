/* Namespaces: the clone flags of the new ones, joining existing ones by
 * path (setns), and the loopback of a new network namespace. */
#ifndef DXC_NAMESPACES_H
#define DXC_NAMESPACES_H

#include "spec.h"

/* Parent side, around clone(): a PID namespace can only be joined for the
 * children of the caller (setns changes pid_for_children), so the parent
 * joins it just before clone and returns to its own just after. */
int dxc_ns_enter_pid_for_children (const dxc_spec *spec, int *ret_own_fd,
                                   dxc_error **err);
int dxc_ns_leave_pid_for_children (int own_fd, dxc_error **err);

/* Child side: join every namespace given by path (but PID). */
/* Made in the child once it is in its cgroup, not at clone time: a cgroup
 * namespace's root is the cgroup its creator is in. */
int dxc_ns_unshare_cgroup (const dxc_spec *spec, dxc_error **err);
int dxc_ns_join_paths (const dxc_spec *spec, dxc_error **err);
/* Child side: set lo up in a new network namespace. */
int dxc_ns_loopback_up (dxc_error **err);
/* Child side: hostname and domainname in the new UTS namespace. */
int dxc_ns_set_hostname (const dxc_spec *spec, dxc_error **err);

/* Explain text of a set of CLONE_NEW* flags: "CLONE_NEWNS|CLONE_NEWPID". */
void dxc_ns_flags_string (int flags, char *buf, size_t len);

#endif
