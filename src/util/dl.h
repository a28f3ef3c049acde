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

/* A library's function table: one pointer per symbol of SYMBOLS (an
 * X-macro listing them), each typed from the library's own header:
 *   static DXC_DL_TABLE (CRYPTO_SYMBOLS) crypto;
 * and its loader, an expression that is dxc_dl_load's result:
 *   return DXC_DL_LOAD (crypto, CRYPTO_SYMBOLS, err, "libcrypto.so.3",
 *                       "libcrypto.so");
 * The names and the table cannot disagree: both come from SYMBOLS. */
#define DXC_DL_FIELD_(n) __typeof__ (n) *n;
#define DXC_DL_NAME_(n) #n,
#define DXC_DL_TABLE(SYMBOLS) struct { SYMBOLS (DXC_DL_FIELD_) }
#define DXC_DL_LOAD(table, SYMBOLS, err, ...)                                  \
  __extension__ ({                                                             \
    static const char *const dl_sonames_[] = { __VA_ARGS__, NULL };            \
    static const char *const dl_names_[] = { SYMBOLS (DXC_DL_NAME_) };         \
    static int dl_loaded_;                                                     \
    _Static_assert (sizeof (table) == sizeof dl_names_,                        \
                    "one pointer per name");                                   \
    dxc_dl_load (dl_sonames_, dl_names_, (void **) &(table),                   \
                 sizeof dl_names_ / sizeof dl_names_[0], &dl_loaded_, err);    \
  })

#endif
