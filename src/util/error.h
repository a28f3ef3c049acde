/* One error object, made where the failure happens, wrapped with context on
 * the way up and printed once by the command line. It keeps errno (so callers
 * can branch on it) and the exit code Docker would use for it. */
#ifndef DXC_ERROR_H
#define DXC_ERROR_H

#include "cleanup.h"

/* Docker's exit codes. */
enum
{
  DXC_EXIT_ENGINE = 125,
  DXC_EXIT_CANNOT_EXEC = 126,
  DXC_EXIT_NOT_FOUND = 127,
};

typedef struct dxc_error
{
  int errnum;    /* errno of the root cause, 0 if none */
  int exit_code; /* exit code a command line should use */
  char *msg;
} dxc_error;

/* Each returns -1 so that a call site is one line:
 *   if (fd < 0) return dxc_error_errno (err, errno, "open %s", path); */
int dxc_error_new (dxc_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
int dxc_error_errno (dxc_error **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Prefix context onto an existing error: "run: " + "rootfs: ..." */
int dxc_error_prefix (dxc_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Set the exit code of an existing error; returns -1. */
int dxc_error_exit (dxc_error **err, int exit_code);
/* Record errno on an existing error without changing its text. */
int dxc_error_set_errnum (dxc_error **err, int errnum);
void dxc_error_free (dxc_error *e);

static inline void
dxc_error_freep (dxc_error **e)
{
  if (*e)
    dxc_error_free (*e);
}
#define cleanup_error _cleanup_ (dxc_error_freep)

#endif
