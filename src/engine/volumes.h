/* Docker's mounts: -v/--volume, --mount and --tmpfs parsed and checked as
 * Docker does, named and anonymous volumes in the store
 * (volumes/<name>/_data, described by volumes/<name>/volume.json), and the
 * OCI spec mounts they become. */
#ifndef DXC_VOLUMES_H
#define DXC_VOLUMES_H

#include <jansson.h>
#include <stdbool.h>

#include "image/store.h"
#include "util/error.h"

enum dxc_mount_type
{
  DXC_MOUNT_BIND,
  DXC_MOUNT_VOLUME,
  DXC_MOUNT_TMPFS,
};

typedef struct dxc_mount_req
{
  enum dxc_mount_type type;
  char *source;      /* bind: host path; volume: name (NULL: anonymous) */
  char *target;      /* absolute path in the container */
  bool readonly;
  char *propagation; /* bind: rprivate (default), rshared, ... */
  bool create_source; /* -v: a missing host directory is made (Docker) */
  bool nocopy;       /* volume: no copy-up of the image's content */
  char *tmpfs_data;  /* tmpfs: size=..., mode=... */
  /* Filled by dxc_volumes_prepare: */
  char *host_path;   /* what is bind mounted */
  bool created;      /* a volume this run made (copy-up; removal on error) */
} dxc_mount_req;

typedef struct dxc_mount_reqs
{
  dxc_mount_req *v;
  size_t n;
} dxc_mount_reqs;

/* One option of the command line, appended to reqs. */
int dxc_mount_parse_volume (const char *arg, dxc_mount_reqs *reqs,
                            dxc_error **err);
int dxc_mount_parse_mount (const char *arg, dxc_mount_reqs *reqs,
                           dxc_error **err);
int dxc_mount_parse_tmpfs (const char *arg, dxc_mount_reqs *reqs,
                           dxc_error **err);
/* Checks across the list: duplicate targets, sources that cannot be
   mounted. Nothing is created. */
int dxc_mounts_check (const dxc_mount_reqs *reqs, dxc_error **err);
/* A new empty request at the end of reqs (NULL when out of memory). */
dxc_mount_req *dxc_mount_req_add (dxc_mount_reqs *reqs);
void dxc_mount_reqs_clear (dxc_mount_reqs *reqs);

/* Add an anonymous volume for each of the image's Volumes not already a
   target; then make the volumes and the missing -v directories. On
   failure, the volumes made here are removed again. */
int dxc_volumes_prepare (const dxc_store *s, dxc_mount_reqs *reqs,
                         json_t *image_volumes, dxc_error **err);
/* With created_only, remove the volumes dxc_volumes_prepare made (a run
   that failed); otherwise the anonymous ones (run --rm). */
void dxc_volumes_release (const dxc_store *s, const dxc_mount_reqs *reqs,
                          bool created_only);
/* The spec's mounts, parents before children; and the record's. */
void dxc_mounts_to_spec (const dxc_mount_reqs *reqs, json_t *spec);
json_t *dxc_mounts_record (const dxc_mount_reqs *reqs);

/* volume create/ls/inspect/rm/prune */
bool dxc_volume_name_is_valid (const char *name);
int dxc_volume_create (const dxc_store *s, const char *name, bool anonymous,
                       bool *ret_created, dxc_error **err);
json_t *dxc_volume_inspect (const dxc_store *s, const char *name);
json_t *dxc_volumes_list (const dxc_store *s);
/* Refused while a container (running or not) uses it. */
int dxc_volume_remove (const dxc_store *s, const char *name, bool force,
                       dxc_error **err);
/* Unused volumes: the anonymous ones, or with all every one. */
int dxc_volumes_prune (const dxc_store *s, bool all, json_t **ret_removed,
                       dxc_error **err);
/* Remove the anonymous volumes of a container record (rm -v). */
void dxc_volumes_remove_anonymous (const dxc_store *s, json_t *rec);

#endif
