/* The --explain narration and warnings: see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int dxc_explain_fd = -1;

/* One write per line, so that parent and child lines never interleave. */
static void
write_line (int fd, const char *prefix, const char *fmt, va_list ap)
{
  char buf[4096];
  int n = snprintf (buf, sizeof (buf), "%s", prefix);
  n += vsnprintf (buf + n, sizeof (buf) - n - 1, fmt, ap);
  if (n > (int) sizeof (buf) - 2)
    n = sizeof (buf) - 2;
  buf[n++] = '\n';
  if (write (fd, buf, n) < 0)
    return;
}

void
dxc_explain_ (const char *fmt, ...)
{
  char prefix[32];
  va_list ap;
  snprintf (prefix, sizeof prefix, "[explain %d] ", (int) getpid ());
  va_start (ap, fmt);
  write_line (dxc_explain_fd, prefix, fmt, ap);
  va_end (ap);
}

void
dxc_warn (const char *fmt, ...)
{
  char prefix[128];
  va_list ap;
  snprintf (prefix, sizeof prefix, "%s: warning: ",
            program_invocation_short_name);
  va_start (ap, fmt);
  write_line (STDERR_FILENO, prefix, fmt, ap);
  va_end (ap);
}
