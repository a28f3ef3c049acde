/* Allocation failure: the policy of crun and bubblewrap. A small
 * allocation that fails leaves nothing sensible to do (an error path would
 * allocate too): the process prints one line and exits 125, Docker's code
 * for an engine error. Sizes that come from input (an image, a registry, a
 * bundle) are checked against their limits before they are allocated, and
 * their failure is an error like any other; jansson and libarchive return
 * NULL and are checked where they are called. */
#ifndef DXC_ALLOC_H
#define DXC_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

__attribute__ ((noreturn)) void dxc_oom (void);
void *dxc_xmalloc (size_t n);
void *dxc_xcalloc (size_t n, size_t size);
char *dxc_xstrdup (const char *s);
/* v grown to hold n strings and a NULL after them (the strings are not
   copied). */
char **dxc_xrealloc_strv (char **v, size_t n);
char *dxc_xasprintf (const char *fmt, ...)
    __attribute__ ((format (printf, 1, 2)));

#endif
