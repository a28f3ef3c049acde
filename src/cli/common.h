/* What both command lines share: reporting an error once, the root check,
 * default directories. */
#ifndef DXC_CLI_COMMON_H
#define DXC_CLI_COMMON_H

#include <stdbool.h>

#include "util/error.h"

#define DXC_VERSION "0.1.0"

/* --log FILE [--log-format json]: every error also goes there, as runc's
   records (what containerd's shim and conmon read). */
void dxc_cli_set_log (const char *path, bool json);
/* Print "PROG: message" on stderr and return the error's exit code. */
int dxc_cli_fail (dxc_error *err);
/* Print "PROG: formatted" and return 125. */
int dxc_cli_usage_error (const char *fmt, ...)
    __attribute__ ((format (printf, 1, 2)));
/* Refuse to go on without root: the kernel calls need it. */
int dxc_cli_require_root (void);
/* Point the --explain narration at stderr. */
void dxc_cli_enable_explain (void);

typedef struct dxc_cli_command
{
  const char *name;
  int (*run) (int argc, char **argv); /* argv[0] is the command's name */
} dxc_cli_command;

/* Run the command argv[0] of a NULL-terminated table; the usage on stderr
 * and 125 when argc is 0, an error line for an unknown command. */
int dxc_cli_dispatch (const dxc_cli_command *commands, int argc, char **argv);

#endif
