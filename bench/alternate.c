/* Runs commands in turn, N rounds (one run of each per round, in a new
 * order each round), and prints each one's median and quartiles in
 * milliseconds: on a shared, noisy machine a slow minute then slows every
 * command alike, where hyperfine runs all of one before the next.
 *   alternate N WARMUP 'COMMAND' ... (each run by /bin/sh -c; a command
 *   that fails stops the benchmark) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

static double
run (const char *cmd)
{
  double t0 = now_us ();
  int status;
  pid_t pid = fork ();
  if (pid == 0)
    {
      execl ("/bin/sh", "sh", "-c", cmd, (char *) NULL);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "alternate: failed: %s\n", cmd);
      exit (1);
    }
  return (now_us () - t0) / 1e3;
}

int
main (int argc, char **argv)
{
  int n = argc > 3 ? atoi (argv[1]) : 0, warm = argc > 3 ? atoi (argv[2]) : 0;
  int m = argc - 3;
  double *t;

  if (n <= 0 || warm < 0)
    {
      fprintf (stderr, "usage: alternate N WARMUP COMMAND...\n");
      return 2;
    }
  t = calloc ((size_t) n * m, sizeof *t);
  for (int w = 0; w < warm; w++)
    for (int c = 0; c < m; c++)
      run (argv[3 + c]);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < m; k++)
      {
        int c = (k + i) % m;
        t[c * n + i] = run (argv[3 + c]);
      }
  for (int c = 0; c < m; c++)
    {
      double *s = t + (size_t) c * n;
      qsort (s, n, sizeof *s, cmp_double);
      printf ("%.3f %.3f %.3f\t%s\n", s[n / 2], s[n / 4], s[3 * n / 4],
              argv[3 + c]);
    }
  return 0;
}
