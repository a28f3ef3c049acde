/* The error object: see error.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int
set_error (dxc_error **err, int errnum, const char *fmt, va_list ap)
{
  char *msg = NULL;
  dxc_error *e;

  if (err == NULL)
    return -1;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  if (msg && errnum)
    {
      char *full = NULL;
      if (asprintf (&full, "%s: %s", msg, strerror (errnum)) >= 0)
        {
          free (msg);
          msg = full;
        }
    }
  e = calloc (1, sizeof (*e));
  if (e == NULL)
    {
      free (msg);
      abort ();
    }
  e->errnum = errnum;
  e->exit_code = DXC_EXIT_ENGINE;
  e->msg = msg ? msg : strdup ("out of memory");
  if (*err)
    dxc_error_free (*err);
  *err = e;
  return -1;
}

int
dxc_error_new (dxc_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  set_error (err, 0, fmt, ap);
  va_end (ap);
  return -1;
}

int
dxc_error_errno (dxc_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  set_error (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
dxc_error_prefix (dxc_error **err, const char *fmt, ...)
{
  va_list ap;
  char *prefix = NULL, *full = NULL;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix && asprintf (&full, "%s: %s", prefix, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (prefix);
  return -1;
}

int
dxc_error_exit (dxc_error **err, int exit_code)
{
  if (err && *err)
    (*err)->exit_code = exit_code;
  return -1;
}

int
dxc_error_set_errnum (dxc_error **err, int errnum)
{
  if (err && *err)
    (*err)->errnum = errnum;
  return -1;
}

void
dxc_error_free (dxc_error *e)
{
  if (e == NULL)
    return;
  free (e->msg);
  free (e);
}
