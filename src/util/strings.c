/* Small string helpers: see strings.h. */
#include <stdio.h>
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
