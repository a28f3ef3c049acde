/* What both command lines share: reporting an error once, the root check,
 * default directories. */
#ifndef DXC_CLI_COMMON_H
#define DXC_CLI_COMMON_H

#include "util/error.h"

#define DXC_VERSION "0.1.0"

/* Print "PROG: message" on stderr and return the error's exit code. */
int dxc_cli_fail (dxc_error *err);
/* Print "PROG: formatted" and return 125. */
int dxc_cli_usage_error (const char *fmt, ...)
    __attribute__ ((format (printf, 1, 2)));
/* Refuse to go on without root: the kernel calls need it. */
int dxc_cli_require_root (void);
/* Point the --explain narration at stderr. */
void dxc_cli_enable_explain (void);

#endif
