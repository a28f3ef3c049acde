/* Libraries loaded on first use (dlopen), so that commands which do not
 * need them (run, ps, rm) do not pay for loading them: libarchive brings
 * libxml2, ICU and libstdc++ along, about 3 ms of every start here, and
 * libcrypto about 2 ms. */
#ifndef DXC_DL_H
#define DXC_DL_H

#include <stddef.h>

#include "util/error.h"

/* Load soname (the first of a NULL-terminated list that loads) and resolve
 * n symbols into ptrs. Idempotent through *loaded. */
int dxc_dl_load (const char *const *sonames, const char *const *names,
                 void **ptrs, size_t n, int *loaded, dxc_error **err);

#endif
