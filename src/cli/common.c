/* What both command lines share: see common.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"
#include "util/log.h"

int
dxc_cli_fail (dxc_error *err)
{
  int code = err ? err->exit_code : DXC_EXIT_ENGINE;
  fprintf (stderr, "%s: %s\n", program_invocation_short_name,
           err && err->msg ? err->msg : "unknown error");
  dxc_error_free (err);
  return code;
}

int
dxc_cli_usage_error (const char *fmt, ...)
{
  va_list ap;
  fprintf (stderr, "%s: ", program_invocation_short_name);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return DXC_EXIT_ENGINE;
}

int
dxc_cli_require_root (void)
{
  if (geteuid () == 0)
    return 0;
  return dxc_cli_usage_error ("this command needs root privileges for "
                              "namespaces and mounts (run with sudo)");
}

void
dxc_cli_enable_explain (void)
{
  dxc_explain_fd = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
}
