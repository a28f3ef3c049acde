/* The exec stub: the last program the container process runs before its
 * own. The runtime's child cannot exec the container's program directly: up
 * to that execve its /proc/self/exe is the host's runtime binary, and a
 * program (or ELF interpreter) from the image that reaches it through
 * /proc/self/exe could keep a handle on it and rewrite it once the runtime
 * has exited (CVE-2019-5736). So the child execs this stub from a sealed
 * memfd (see exec.c), and the stub execs the program: from then on
 * /proc/self/exe is the sealed copy of this stub, which nobody can write.
 *
 * Freestanding (no libc, a few hundred bytes) so that its exec costs little.
 *
 * argv[0] is the sync socket's fd number, argv[1] the program's path,
 * argv[2..] the program's argv. The socket is made close-on-exec, so the
 * runtime reads end-of-file once the program runs; if execve fails its errno
 * goes back over the socket as a DXC_SYNC_EXEC_FAILED message. Run by hand
 * (or by a program in the container), it does nothing more than execve. */
#include <stdint.h>

#include "freestanding.h"

#define F_SETFD_ 2
#define FD_CLOEXEC_ 1
#define DXC_SYNC_EXEC_FAILED_ 4

DXC_START (stub_main);

void stub_main (long *sp) __attribute__ ((noreturn, used));

void
stub_main (long *sp)
{
  long argc = sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  long fd = -1;
  long r;

  if (argc >= 3)
    {
      const char *s = argv[0];
      fd = 0;
      for (; *s >= '0' && *s <= '9' && fd < 1000000; s++)
        fd = fd * 10 + (*s - '0');
      if (*s || s == argv[0])
        fd = -1;
      if (fd >= 0)
        sys3 (SYS_fcntl, fd, F_SETFD_, FD_CLOEXEC_);
      r = sys3 (SYS_execve, (long) argv[1], (long) (argv + 2), (long) envp);
      if (fd >= 0)
        {
          int32_t msg[3] = { DXC_SYNC_EXEC_FAILED_, 0, (int32_t) -r };
          sys3 (SYS_write, fd, (long) msg, sizeof msg);
        }
    }
  for (;;)
    sys3 (SYS_exit_group, 127, 0, 0);
}
