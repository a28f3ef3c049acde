/* Small string helpers: see strings.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/strings.h"

char *
dxc_now_rfc3339 (void)
{
  char buf[64];
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + strlen (buf), sizeof buf - strlen (buf), ".%09ldZ",
            ts.tv_nsec);
  return strdup (buf);
}

void
dxc_flags_string (const dxc_flag_name *table, size_t n, unsigned long flags,
                  char *buf, size_t len)
{
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    if (flags & table[i].flag)
      off += snprintf (buf + off, off < len ? len - off : 0, "%s%s",
                       off ? "|" : "", table[i].name);
  if (off == 0)
    snprintf (buf, len, "0");
}

/* An absolute path without "//", "/./", "/../" or a trailing slash. */
char *
dxc_path_clean (const char *p)
{
  char *out = malloc (strlen (p) + 2), *o = out;
  if (out == NULL)
    return NULL;
  while (*p)
    {
      const char *end;
      size_t len;
      while (*p == '/')
        p++;
      end = strchrnul (p, '/');
      len = end - p;
      if (len == 0 || (len == 1 && p[0] == '.'))
        ;
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          while (o > out && *--o != '/')
            ;
        }
      else
        {
          *o++ = '/';
          memcpy (o, p, len);
          o += len;
        }
      p = end;
    }
  if (o == out)
    *o++ = '/';
  *o = '\0';
  return out;
}

bool
dxc_path_is_under (const char *path, const char *top)
{
  size_t n = strlen (top);
  return strncmp (path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

