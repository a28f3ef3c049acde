/* The engine: images and options in, containers out. It prepares the root
 * file system (an overlay of the image's layers, or a copy), builds the OCI
 * spec and runs it in-process through the runtime library. */
#ifndef DXC_ENGINE_H
#define DXC_ENGINE_H

#include <stdbool.h>

#include "engine/specgen.h"
#include "engine/storage-driver.h"
#include "image/pull.h"
#include "image/store.h"

typedef struct dxc_engine
{
  dxc_store *store;
  char *runroot;
  dxc_driver driver; /* engine/storage-driver.h */
  bool copy_rootfs;  /* the "copy" storage driver */
  char *storage_note; /* the driver chosen on this first use, and why */
  /* Messages for the user (an image imported, ...); NULL for none. */
  void (*notify) (const char *msg);
  /* How run pulls a missing image; never with no_pull. */
  dxc_pull_opts pull;
  bool no_pull;
  char *auth_file; /* <store>/auth.json: what login saved */
} dxc_engine;

/* driver: --storage-driver, "overlay", "copy", or NULL (the store's own:
 * engine/storage-driver.h). */
int dxc_engine_open (const char *root, const char *runroot, const char *driver,
                     dxc_engine **ret, dxc_error **err);
void dxc_engine_free (dxc_engine *e);

/* An image by reference or ID; a missing one is pulled ("busybox" falls
 * back to the embedded demo image when the registry cannot be reached). */
int dxc_engine_image (dxc_engine *e, const char *ref, dxc_image **ret,
                      dxc_error **err);
/* Import the embedded demo image as busybox:latest. */
int dxc_engine_import_demo (dxc_engine *e, dxc_error **err);
int dxc_engine_pull (dxc_engine *e, const char *ref, dxc_error **err);

int dxc_engine_run (dxc_engine *e, const dxc_run_options *o, int *ret_status,
                    dxc_error **err);
enum
{
  DXC_RM_FORCE = 1 << 0,   /* a running container is killed first */
  DXC_RM_VOLUMES = 1 << 1, /* its anonymous volumes go too (rm -v) */
};
int dxc_engine_rm (dxc_engine *e, const char *what, unsigned flags,
                   dxc_error **err);
int dxc_engine_rmi (dxc_engine *e, const char *ref, bool force,
                    dxc_error **err);
/* Docker's image inspect document for one image. */
int dxc_engine_image_inspect (dxc_engine *e, const char *ref, json_t **ret,
                              dxc_error **err);
int dxc_engine_tag (dxc_engine *e, const char *source, const char *target,
                    dxc_error **err);
/* Remove unreferenced blobs and layers; with all, also the images no
 * container uses. *ret_removed counts the images removed. */
int dxc_engine_image_prune (dxc_engine *e, bool all, int *ret_removed,
                            dxc_error **err);
/* Is the container's process alive? (record's State.Pid) */
bool dxc_engine_record_running (json_t *rec);
/* A record that says "running" for a process that is gone (its engine was
 * killed): made "exited" (code 255) and written back, with its cgroups and
 * live state removed; one that says "created" for an engine that is gone
 * (killed during setup): made "dead". True if it changed. */
bool dxc_engine_record_settle (dxc_engine *e, json_t *rec);

#endif
