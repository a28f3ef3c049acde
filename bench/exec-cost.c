/* What the exec stub adds to a container's start: fork and execve a
 * program directly, and the same through the stub executed from a sealed
 * memfd as the runtime's child does (exec.c), alternately, N times each.
 * Prints the two medians in microseconds: "direct STUB".
 *   exec-cost N STUB PROGRAM */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

static double
one (int memfd, const char *prog)
{
  double t0 = now_us ();
  int status;
  pid_t pid = fork ();
  if (pid == 0)
    {
      char *env[] = { NULL };
      if (memfd < 0)
        {
          char *argv[] = { (char *) "true", NULL };
          execve (prog, argv, env);
        }
      else
        {
          /* argv[0] is the sync fd for the stub: none here. */
          char *argv[] = { (char *) "-", (char *) prog, (char *) "true", NULL };
          syscall (SYS_execveat, memfd, "", argv, env, AT_EMPTY_PATH);
        }
      _exit (126);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "exec-cost: %s did not run\n", prog);
      exit (1);
    }
  return now_us () - t0;
}

int
main (int argc, char **argv)
{
  int n = argc == 4 ? atoi (argv[1]) : 0, in, memfd;
  static char buf[1 << 20];
  ssize_t len;
  double *d, *s;

  if (n <= 0)
    {
      fprintf (stderr, "usage: exec-cost N STUB PROGRAM\n");
      return 2;
    }
  in = open (argv[2], O_RDONLY | O_CLOEXEC);
  memfd = memfd_create ("exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x10);
  if (memfd < 0)
    memfd = memfd_create ("exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (in < 0 || memfd < 0 || (len = read (in, buf, sizeof buf)) <= 0
      || write (memfd, buf, len) != len
      || fcntl (memfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW
                                        | F_SEAL_WRITE) < 0)
    {
      perror ("exec-cost: the stub");
      return 1;
    }
  d = calloc (n, sizeof *d);
  s = calloc (n, sizeof *s);
  for (int i = 0; i < n; i++)
    {
      d[i] = one (-1, argv[3]);
      s[i] = one (memfd, argv[3]);
    }
  printf ("%.0f ", median (d, n));
  printf ("%.0f\n", median (s, n));
  return 0;
}
