/* The --explain narration: each isolation step printed as it happens, with
 * the kernel call behind it. Library code never prints otherwise. */
#ifndef DXC_LOG_H
#define DXC_LOG_H

#include <stdbool.h>

/* -1 when --explain is off. */
extern int dxc_explain_fd;

static inline bool
dxc_explaining (void)
{
  return dxc_explain_fd >= 0;
}

void dxc_explain_ (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
#define dxc_explain(...)                                                       \
  do                                                                           \
    {                                                                          \
      if (dxc_explain_fd >= 0)                                                 \
        dxc_explain_ (__VA_ARGS__);                                            \
    }                                                                          \
  while (0)

/* Warnings the user should see (a limit not applied, ...): one line on
 * stderr, prefixed by the program name. */
void dxc_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
