/* Pull: an image from a registry into the store. Every layer is streamed
 * once: downloaded, its digest and size checked as it arrives, kept as a
 * blob, decompressed and extracted in the same pass, its diff ID checked
 * against the config; up to three layers at a time. Nothing reaches its
 * final name before it is verified, so an interrupted pull leaves no half
 * blob or layer, and the next one completes. */
#ifndef DXC_PULL_H
#define DXC_PULL_H

#include <stdbool.h>

#include "image/registry.h"
#include "image/store.h"

typedef struct dxc_pull_opts
{
  const char *platform; /* os/arch[/variant]; NULL: this machine's */
  dxc_registry_opts registry;
  /* Progress of each layer, from the download threads: status is
   * "Downloading" (done of total bytes; total -1 if unknown), "Pull complete"
   * or "Already exists". NULL for none. */
  void (*progress) (const char *digest, const char *status, long long done,
                    long long total, void *data);
  void *data;
} dxc_pull_opts;

/* ret_name: the canonical name it was stored under. */
int dxc_image_pull (const dxc_store *s, const char *ref,
                    const dxc_pull_opts *opts, char **ret_name,
                    dxc_error **err);

/* Store an image from local files (load): the config's bytes and its layer
 * files (tar, gzip or zstd, told by their first bytes), each streamed
 * through the same checks, decompression and extraction as a pulled layer;
 * the image is named by each of names (NULL-terminated, may be empty).
 * ret_id: the image ID. */
int dxc_image_store_files (const dxc_store *s, const char *cfg_body,
                           size_t cfg_len, char *const *layer_files,
                           size_t n_layers, char *const *names,
                           char ret_id[72], dxc_error **err);

/* Pick the manifest of a platform from an OCI index or Docker manifest
 * list; exposed for the unit tests. */
int dxc_pull_pick_platform (json_t *index, const char *platform,
                            const char **ret_digest, dxc_error **err);

#endif
