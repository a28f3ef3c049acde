/* Scope-bound cleanup helpers: every resource type gets a cleanup_* attribute
 * beside it, and ownership leaves a scope through take_ptr()/take_fd(). */
#ifndef DXC_CLEANUP_H
#define DXC_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>
#include <jansson.h>

#define _cleanup_(f) __attribute__ ((cleanup (f)))

static inline void
dxc_freep (void *p)
{
  free (*(void **) p);
}

static inline void
dxc_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

static inline void
dxc_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void
dxc_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

static inline void
dxc_strvfreep (char ***v)
{
  if (*v)
    {
      for (char **p = *v; *p; p++)
        free (*p);
      free (*v);
    }
}

/* json_decref takes NULL. */
static inline void
dxc_json_decrefp (json_t **j)
{
  json_decref (*j);
}

#define cleanup_free _cleanup_ (dxc_freep)
#define cleanup_json _cleanup_ (dxc_json_decrefp)
#define cleanup_close _cleanup_ (dxc_closep)
#define cleanup_fclose _cleanup_ (dxc_fclosep)
#define cleanup_dir _cleanup_ (dxc_closedirp)
#define cleanup_strv _cleanup_ (dxc_strvfreep)

#define take_ptr(p)                                                            \
  ({                                                                           \
    __typeof__ (p) _tp = (p);                                                  \
    (p) = NULL;                                                                \
    _tp;                                                                       \
  })

#define take_fd(fd)                                                            \
  ({                                                                           \
    int _tf = (fd);                                                            \
    (fd) = -1;                                                                 \
    _tf;                                                                       \
  })

#endif
