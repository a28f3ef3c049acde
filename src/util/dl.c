/* Libraries loaded on first use: see dl.h. */
#include <dlfcn.h>
#include <pthread.h>

#include "util/dl.h"

static int load_locked (const char *const *sonames, const char *const *names,
                        void **ptrs, size_t n, int *loaded, dxc_error **err);

int
dxc_dl_load (const char *const *sonames, const char *const *names,
             void **ptrs, size_t n, int *loaded, dxc_error **err)
{
  /* A pull's worker threads may all come here first at once: one of them
     loads, the others wait, and none reads a pointer before it is set. */
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  int r = 0;

  if (__atomic_load_n (loaded, __ATOMIC_ACQUIRE))
    return 0;
  pthread_mutex_lock (&lock);
  if (!*loaded)
    r = load_locked (sonames, names, ptrs, n, loaded, err);
  pthread_mutex_unlock (&lock);
  return r;
}

static int
load_locked (const char *const *sonames, const char *const *names,
             void **ptrs, size_t n, int *loaded, dxc_error **err)
{
  void *h = NULL;

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
  __atomic_store_n (loaded, 1, __ATOMIC_RELEASE);
  return 0;
}
