/* Allocation failure: see alloc.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

void
dxc_oom (void)
{
  static const char msg[] = "devoxx: out of memory\n";
  /* No stdio: it may allocate. */
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    {
    }
  _exit (125);
}

void *
dxc_xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    dxc_oom ();
  return p;
}

void *
dxc_xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    dxc_oom ();
  return p;
}

char *
dxc_xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    dxc_oom ();
  return p;
}

char *
dxc_xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *p;
  int r;
  va_start (ap, fmt);
  r = vasprintf (&p, fmt, ap);
  va_end (ap);
  if (r < 0)
    dxc_oom ();
  return p;
}

char **
dxc_xrealloc_strv (char **v, size_t n)
{
  char **p = realloc (v, (n + 1) * sizeof *p);
  if (p == NULL)
    dxc_oom ();
  p[n] = NULL;
  return p;
}
