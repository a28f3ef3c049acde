/* Small string helpers shared across modules. */
#ifndef DXC_STRINGS_H
#define DXC_STRINGS_H

#include <stdbool.h>
#include <stddef.h>

/* The current time as RFC 3339 with nanoseconds, UTC: a new string. */
char *dxc_now_rfc3339 (void);

typedef struct dxc_flag_name
{
  unsigned long flag;
  const char *name;
} dxc_flag_name;

/* "A|B|C" for the flags of table set in flags ("0" if none). */
void dxc_flags_string (const dxc_flag_name *table, size_t n,
                       unsigned long flags, char *buf, size_t len);

/* An absolute path without "//", "/./", "/../" (resolved lexically) or a
 * trailing slash: a new string. */
char *dxc_path_clean (const char *path);
/* path is top or below it ("/proc/sys" is under "/proc", "/procx" is not). */
bool dxc_path_is_under (const char *path, const char *top);

#endif
