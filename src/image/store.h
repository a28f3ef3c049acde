/* The image store under the store root (default /var/lib/devoxx-container):
 *   blobs/sha256/<hex>   content-addressed blobs (manifests, configs, layers)
 *   layers/<hex>/        unpacked layers, keyed by diff ID, shared by images
 *   images.json          the image index: canonical name -> manifest digest
 *   tmp/                 staging; everything reaches its final name by rename
 * Writes that matter are atomic; the index is changed under a lock. */
#ifndef DXC_STORE_H
#define DXC_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef struct dxc_store
{
  char *root;
  /* Layers keep their whiteouts as ".wh." files (a store of the copy
     storage driver: engine/storage-driver.h). */
  bool whiteout_files;
} dxc_store;

int dxc_store_open (const char *root, dxc_store **ret, dxc_error **err);
void dxc_store_free (dxc_store *s);
/* The flags of dxc_unpack_layer for this store's layers. */
unsigned dxc_store_unpack_flags (const dxc_store *s);

char *dxc_store_blob_path (const dxc_store *s, const char *digest);
char *dxc_store_layer_path (const dxc_store *s, const char *diff_id);
/* Remove what processes that died (kill -9, a crash) left under tmp/:
 * every staging name carries its owner's PID. */
void dxc_store_clean_tmp (const dxc_store *s);
/* A fresh path under tmp/ for staging. */
char *dxc_store_tmp_path (const dxc_store *s, const char *what);

int dxc_store_put_blob (const dxc_store *s, const void *data, size_t len,
                        char ret_digest[72], dxc_error **err);
/* Move a finished temporary file into place as blobs/sha256/<hex>. */
int dxc_store_commit_blob (const dxc_store *s, const char *tmp,
                           const char *digest, dxc_error **err);
int dxc_store_get_json (const dxc_store *s, const char *digest, json_t **ret,
                        dxc_error **err);
/* Unpack the uncompressed tar blob of a layer, unless already there. */
int dxc_store_unpack_layer (const dxc_store *s, const char *diff_id,
                            const char *tar_path, dxc_error **err);

/* The index. ret is an object name -> digest. */
int dxc_store_index_load (const dxc_store *s, json_t **ret, dxc_error **err);
/* Set (digest) or remove (digest NULL) a name, under the index lock. */
int dxc_store_index_set (const dxc_store *s, const char *name,
                         const char *digest, dxc_error **err);

/* A resolved image. */
typedef struct dxc_image
{
  char *name;            /* canonical name, or NULL when found by ID */
  char *manifest_digest;
  char *config_digest;   /* the image ID */
  json_t *config;        /* the image config blob */
  char **layers;         /* diff IDs, bottom first, NULL-terminated */
  size_t n_layers;
} dxc_image;

/* By reference ("busybox", "busybox:1", "docker.io/library/busybox") or by
 * image ID (a prefix of at least 4 hex digits). ENOENT when absent. */
int dxc_image_lookup (const dxc_store *s, const char *ref, dxc_image **ret,
                      dxc_error **err);
int dxc_image_from_manifest (const dxc_store *s, const char *manifest_digest,
                             dxc_image **ret, dxc_error **err);
void dxc_image_free (dxc_image *img);

/* The store's lease (flock on <root>/gc.lock): every writer (pull, load,
 * import, a run until its record names its layers) holds it shared from
 * its first blob or layer to the name that makes them reachable; the
 * collection holds it exclusively, so it never sees a writer's work half
 * done. Returns the fd (close it to release). */
int dxc_store_lease (const dxc_store *s, bool exclusive, dxc_error **err);

/* Remove the blobs and layers that no image in the index and no container
 * (their diff IDs in keep_layers) uses, and the per-layer lock files of the
 * pulls (no writer holds one under the exclusive lease). A layer is moved
 * out of layers/ before it is deleted: a collection killed half-way leaves
 * no half layer under a name that a pull would take as complete. */
int dxc_store_gc (const dxc_store *s, json_t *keep_layers, dxc_error **err);

static inline void
dxc_image_freep (dxc_image **p)
{
  if (*p)
    dxc_image_free (*p);
}
#define cleanup_image _cleanup_ (dxc_image_freep)

#endif
