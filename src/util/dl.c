/* Libraries loaded on first use: see dl.h. */
#include <dlfcn.h>

#include "util/dl.h"

int
dxc_dl_load (const char *const *sonames, const char *const *names,
             void **ptrs, size_t n, int *loaded, dxc_error **err)
{
  void *h = NULL;

  if (*loaded)
    return 0;
  for (const char *const *s = sonames; *s && h == NULL; s++)
    h = dlopen (*s, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return dxc_error_new (err, "cannot load %s: %s (install it with the "
                          "distribution's package manager)",
                          sonames[0], dlerror ());
  for (size_t i = 0; i < n; i++)
    {
      ptrs[i] = dlsym (h, names[i]);
      if (ptrs[i] == NULL)
        return dxc_error_new (err, "%s has no symbol %s", sonames[0],
                              names[i]);
    }
  *loaded = 1;
  return 0;
}
