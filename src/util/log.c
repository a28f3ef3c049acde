/* The --explain narration and warnings: see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int dxc_explain_fd = -1;

void
dxc_explain_ (const char *fmt, ...)
{
  char buf[4096];
  int n;
  va_list ap;

  n = snprintf (buf, sizeof (buf), "[explain %d] ", (int) getpid ());
  va_start (ap, fmt);
  n += vsnprintf (buf + n, sizeof (buf) - n - 1, fmt, ap);
  va_end (ap);
  if (n > (int) sizeof (buf) - 2)
    n = sizeof (buf) - 2;
  buf[n++] = '\n';
  /* One write per line so that parent and child lines never interleave. */
  if (write (dxc_explain_fd, buf, n) < 0)
    return;
}

void
dxc_warn (const char *fmt, ...)
{
  char buf[2048];
  int n;
  va_list ap;

  n = snprintf (buf, sizeof (buf), "%s: warning: ", program_invocation_short_name);
  va_start (ap, fmt);
  n += vsnprintf (buf + n, sizeof (buf) - n - 1, fmt, ap);
  va_end (ap);
  if (n > (int) sizeof (buf) - 2)
    n = sizeof (buf) - 2;
  buf[n++] = '\n';
  if (write (STDERR_FILENO, buf, n) < 0)
    return;
}
