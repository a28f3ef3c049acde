/* What both command lines share: see common.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strings.h"

static const char *log_path;
static bool log_json;

void
dxc_cli_set_log (const char *path, bool json)
{
  log_path = path;
  log_json = json;
}

/* One error record in the --log file, as runc writes them (the shims and
   conmon read the last one for their error message). */
static void
log_error (const char *msg)
{
  cleanup_free char *now = NULL;
  FILE *f;
  if (log_path == NULL)
    return;
  f = fopen (log_path, "ae");
  if (f == NULL)
    return;
  now = dxc_now_rfc3339 ();
  if (log_json)
    {
      json_t *rec = json_pack ("{s:s, s:s, s:s}", "level", "error", "msg",
                               msg, "time", now ? now : "");
      if (rec)
        json_dumpf (rec, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
      json_decref (rec);
      fputc ('\n', f);
    }
  else
    fprintf (f, "time=\"%s\" level=error msg=\"%s\"\n", now ? now : "", msg);
  fclose (f);
}

int
dxc_cli_fail (dxc_error *err)
{
  int code = err ? err->exit_code : DXC_EXIT_ENGINE;
  const char *msg = err && err->msg ? err->msg : "unknown error";
  fprintf (stderr, "%s: %s\n", program_invocation_short_name, msg);
  log_error (msg);
  dxc_error_free (err);
  return code;
}

int
dxc_cli_usage_error (const char *fmt, ...)
{
  va_list ap;
  char msg[4096];
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  fprintf (stderr, "%s: %s\n", program_invocation_short_name, msg);
  log_error (msg);
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
