/* The kernel's part of a seccomp filter: fork, install the filter of a
 * seccomp cache entry (runtime/seccomp.c's format) as the runtime's child
 * does, exec a program, exit; against the same without the filter,
 * alternately, N times each. Prints "MEDIAN_NONE MEDIAN_FILTER INSNS"
 * (microseconds).
 *   filter-cost N ENTRY */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

static double
one (const struct sock_fprog *prog)
{
  double t0 = now_us ();
  int status;
  pid_t pid = fork ();
  if (pid == 0)
    {
      char *argv[] = { (char *) "true", NULL };
      if (prog
          && (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
              || syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0))
        _exit (125);
      execv ("/bin/true", argv);
      _exit (126);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "filter-cost: the child failed\n");
      exit (1);
    }
  return now_us () - t0;
}

int
main (int argc, char **argv)
{
  static char data[1 << 20];
  int n = argc == 3 ? atoi (argv[1]) : 0, fd;
  ssize_t len;
  size_t ks;
  uint32_t hdr[6];
  struct sock_fprog prog;
  double *a, *b;

  if (n <= 0)
    {
      fprintf (stderr, "usage: filter-cost N ENTRY\n");
      return 2;
    }
  fd = open (argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (len = read (fd, data, sizeof data - 1)) <= 0)
    {
      perror ("filter-cost: the entry");
      return 1;
    }
  /* "KEY\0" padded to 8 bytes, then flags, len, ... */
  ks = (strlen (data) + 1 + 7) & ~(size_t) 7;
  memcpy (hdr, data + ks, sizeof hdr);
  prog.len = (unsigned short) hdr[1];
  prog.filter = (struct sock_filter *) (data + ks + sizeof hdr);
  if (hdr[1] == 0 || ks + sizeof hdr + hdr[1] * 8 > (size_t) len)
    {
      fprintf (stderr, "filter-cost: not a cache entry\n");
      return 1;
    }
  a = calloc (n, sizeof *a);
  b = calloc (n, sizeof *b);
  for (int i = 0; i < n; i++)
    {
      a[i] = one (NULL);
      b[i] = one (&prog);
    }
  printf ("%.0f ", median (a, n));
  printf ("%.0f %u\n", median (b, n), hdr[1]);
  return 0;
}
