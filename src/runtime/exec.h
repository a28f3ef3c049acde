/* The container's program: found along the container's PATH and executed
 * through the sealed exec stub (stub/exec-stub.c), so that no program of the
 * container ever runs while /proc/self/exe is the host's runtime binary. */
#ifndef DXC_EXEC_H
#define DXC_EXEC_H

#include "spec.h"
#include "util/error.h"

/* A sealed, executable memfd holding the exec stub (close-on-exec). */
int dxc_exec_stub_fd (dxc_error **err);

/* Child side, last step: execute p->args with p->env (HOME added from the
 * container's passwd when missing), searching the container's PATH as
 * execvp does, through the exec stub in stub_fd (dxc_exec_stub_fd, made
 * before seccomp is loaded). sync_fd goes to the stub, which reports a failed execve over
 * it. Returns only on failure, with Docker's exit codes (127 not found, 126
 * cannot execute). */
int dxc_exec_program (const dxc_process *p, int stub_fd, int sync_fd,
                      dxc_error **err);

/* The program can be found (create checks it before it waits for start,
 * as runc does): 0, or the error the exec would give. */
int dxc_exec_lookup (const dxc_process *p, dxc_error **err);

/* The error of a failed execve of file with errno e, as the child reports
   it (also used by the parent for the stub's DXC_SYNC_EXEC_FAILED). */
int dxc_exec_error (const char *file, int e, bool searched, dxc_error **err);

#endif
