/* Processes by PID and start time: see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "proc.h"

uint64_t
dxc_proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;
  unsigned long long t;
  char state;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* The command name (field 2) may hold spaces and parentheses: count the
     fields from the last ')'. */
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  /* After ") ": field 3 (state) ... field 22 (starttime). */
  if (sscanf (p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
                     "%*d %*d %*d %*d %*d %*d %llu", &state, &t)
      != 2)
    return 0;
  /* A zombie has exited: only its parent's wait is missing (and after a
     runtime's death, that parent is whoever adopted it). */
  if (state == 'Z' || state == 'X')
    return 0;
  return t;
}

bool
dxc_proc_alive (pid_t pid, uint64_t start_time)
{
  uint64_t t;
  if (pid <= 0 || start_time == 0)
    return false;
  t = dxc_proc_start_time (pid);
  return t != 0 && t == start_time;
}

int
dxc_proc_signal (pid_t pid, uint64_t start_time, int sig)
{
  cleanup_close int pidfd = -1;

  if (pid <= 0)
    return -ESRCH;
  /* The pidfd pins the process: checked after it is open, the start time
     says whether it is the recorded one, and the signal goes to it even if
     it exits and its PID is reused in between. */
  pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      if (errno != ENOSYS)
        return -errno;
      /* Before Linux 5.3: the check and kill() race, narrowly. */
      if (!dxc_proc_alive (pid, start_time))
        return -ESRCH;
      return kill (pid, sig) < 0 ? -errno : 0;
    }
  if (!dxc_proc_alive (pid, start_time))
    return -ESRCH;
  if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return -errno;
  return 0;
}
