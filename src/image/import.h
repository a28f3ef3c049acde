/* Import: a root file system (a tar file, compressed or not, a directory,
 * or bytes in memory) made into a local one-layer image. The layer is
 * normalised to an uncompressed tar blob (its digest is the diff ID) and
 * unpacked from that blob by the same code that unpacks pulled layers. */
#ifndef DXC_IMPORT_H
#define DXC_IMPORT_H

#include <jansson.h>

#include "image/store.h"

typedef struct dxc_import_opts
{
  const char *name;  /* a reference to tag the image with, or NULL */
  json_t *config;    /* the image config's "config" (Cmd, Env, ...) or NULL */
} dxc_import_opts;

/* path: a tar file or a directory. ret_id: the image ID (config digest). */
int dxc_image_import_path (const dxc_store *s, const char *path,
                           const dxc_import_opts *opts, char ret_id[72],
                           dxc_error **err);
int dxc_image_import_memory (const dxc_store *s, const void *data, size_t len,
                             const dxc_import_opts *opts, char ret_id[72],
                             dxc_error **err);

/* The architecture name of this machine in OCI terms (amd64, arm64...). */
const char *dxc_oci_arch (void);

#endif
