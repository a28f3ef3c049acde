/* What both command lines share: see common.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
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

int
dxc_cli_dispatch (const dxc_cli_command *commands, int argc, char **argv)
{
  if (argc < 1)
    return dxc_cli_usage_error ("a command is needed (see '%s --help')",
                                program_invocation_short_name);
  optind = 1;
  for (const dxc_cli_command *c = commands; c->name; c++)
    if (strcmp (c->name, argv[0]) == 0)
      return c->run (argc, argv);
  return dxc_cli_usage_error ("unknown command %s (see '%s --help')", argv[0],
                              program_invocation_short_name);
}
