/* The parent/child protocol over one SOCK_SEQPACKET socketpair.
 *
 * Messages (one datagram each):
 *   DXC_SYNC_GO     parent -> child   the container process is in its cgroup:
 *                                     setup may begin (the child waits for it
 *                                     before anything else)
 *   DXC_SYNC_PTY    child -> parent   the pty master fd (SCM_RIGHTS), sent
 *                                     after the child made its terminal
 *   DXC_SYNC_ERROR  child -> parent   exit code, errno and the message of a
 *                                     failed setup step; the child then exits
 *   DXC_SYNC_SECCOMP_FD  child -> parent  the listener fd of a seccomp filter
 *                                     with SCMP_ACT_NOTIFY (SCM_RIGHTS), for
 *                                     the seccomp agent at listenerPath
 *   DXC_SYNC_EXEC_FAILED  stub -> parent  the errno of the exec stub's failed
 *                                     execve of the program (stub/exec-stub.c
 *                                     writes this header by hand)
 *   DXC_SYNC_CREATED  child -> parent  (create) set up, waiting for start on
 *                                     the exec fifo: the parent may leave
 * The child's end is close-on-exec (the exec stub makes it so before it
 * executes the program): the parent reading end-of-file means the container
 * process has executed its program. */
#ifndef DXC_SYNC_H
#define DXC_SYNC_H

#include <stdint.h>

#include <stddef.h>

#include "util/error.h"

enum dxc_sync_type
{
  DXC_SYNC_ERROR = 1,
  DXC_SYNC_PTY = 2,
  DXC_SYNC_GO = 3,
  DXC_SYNC_EXEC_FAILED = 4,
  DXC_SYNC_SECCOMP_FD = 5,
  DXC_SYNC_CREATED = 6,
};

/* Parent side: let the child go on. */
int dxc_sync_send_go (int sock, dxc_error **err);
/* Child side: wait for DXC_SYNC_GO; fails if the parent closed its end. */
int dxc_sync_wait_go (int sock, dxc_error **err);

/* One message of len bytes with fd in SCM_RIGHTS (none when fd < 0):
 * 0, or -1 with errno. */
int dxc_send_with_fd (int sock, const void *data, size_t len, int fd);

/* Child side. */
void dxc_sync_send_error (int sock, const dxc_error *e);
int dxc_sync_send_fd (int sock, enum dxc_sync_type type, int fd,
                      dxc_error **err);

/* Parent side: waits for the next message. Returns 0 on end-of-file (the
 * child executed its program), 1 when a message arrived: *ret_type is set,
 * *ret_fd too for a fd-carrying message, and for DXC_SYNC_ERROR *err holds
 * the child's error. */
int dxc_sync_recv (int sock, enum dxc_sync_type *ret_type, int *ret_fd,
                   dxc_error **err);

#endif
