/* A run's mount requests as the OCI spec's mounts (ordered by depth, the
 * runtime's copyup option for volumes) and as the record's Mounts, as
 * Docker shows them. See volumes.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/containers.h"
#include "engine/limits.h"
#include "engine/volumes.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

#define ANON_LABEL "com.docker.volume.anonymous"

static int
depth (const char *path)
{
  int d = 0;
  for (; *path; path++)
    d += *path == '/';
  return d;
}

static int
by_depth (const void *a, const void *b)
{
  const dxc_mount_req *const *x = a, *const *y = b;
  return depth ((*x)->target) - depth ((*y)->target);
}

void
dxc_mounts_to_spec (const dxc_mount_reqs *reqs, json_t *spec)
{
  json_t *mounts = json_object_get (spec, "mounts");
  const dxc_mount_req **sorted = calloc (reqs->n + 1, sizeof (*sorted));

  if (sorted == NULL)
    return;
  for (size_t i = 0; i < reqs->n; i++)
    sorted[i] = &reqs->v[i];
  /* Parents before children, whatever the order of the options (Docker
     sorts them the same way); stable for equal depths. */
  for (size_t i = 1; i < reqs->n; i++)
    for (size_t j = i; j > 0 && by_depth (&sorted[j - 1], &sorted[j]) > 0; j--)
      {
        const dxc_mount_req *t = sorted[j];
        sorted[j] = sorted[j - 1];
        sorted[j - 1] = t;
      }
  for (size_t i = 0; i < reqs->n; i++)
    {
      const dxc_mount_req *r = sorted[i];
      json_t *opts = json_array ();
      json_t *m;
      if (r->type == DXC_MOUNT_TMPFS)
        {
          json_array_append_new (opts, json_string ("nosuid"));
          json_array_append_new (opts, json_string ("nodev"));
          json_array_append_new (opts, json_string ("noexec"));
          if (r->tmpfs_data)
            {
              cleanup_free char *d = strdup (r->tmpfs_data);
              for (char *s = d, *o; d && (o = strsep (&s, ","));)
                json_array_append_new (opts, json_string (o));
            }
          if (r->readonly)
            json_array_append_new (opts, json_string ("ro"));
          m = json_pack ("{s:s, s:s, s:s, s:o}", "destination", r->target,
                         "type", "tmpfs", "source", "tmpfs", "options", opts);
        }
      else
        {
          json_array_append_new (opts, json_string ("rbind"));
          json_array_append_new (opts, json_string (r->propagation
                                                        ? r->propagation
                                                        : "rprivate"));
          if (r->readonly)
            {
              /* read-only below the mount point too */
              json_array_append_new (opts, json_string ("ro"));
              json_array_append_new (opts, json_string ("rro"));
            }
          /* As Docker: a volume is filled from the image whenever it is
             empty when mounted (the runtime checks under the volume's
             lock: rootfs.c). */
          if (r->type == DXC_MOUNT_VOLUME && !r->nocopy)
            json_array_append_new (opts, json_string ("copyup"));
          m = json_pack ("{s:s, s:s, s:s, s:o}", "destination", r->target,
                         "type", "bind", "source", r->host_path, "options",
                         opts);
        }
      json_array_append_new (mounts, m);
    }
  free (sorted);
}

json_t *
dxc_mounts_record (const dxc_mount_reqs *reqs)
{
  static const char *const types[] = { "bind", "volume", "tmpfs" };
  json_t *out = json_array ();
  for (size_t i = 0; i < reqs->n; i++)
    {
      const dxc_mount_req *r = &reqs->v[i];
      json_t *m = json_pack ("{s:s, s:s, s:b}", "Type", types[r->type],
                             "Destination", r->target, "RW", !r->readonly);
      if (r->type == DXC_MOUNT_VOLUME)
        json_object_set_new (m, "Name", json_string (r->source));
      if (r->host_path)
        json_object_set_new (m, "Source", json_string (r->host_path));
      if (r->type == DXC_MOUNT_BIND)
        json_object_set_new (m, "Propagation",
                             json_string (r->propagation ? r->propagation
                                                         : "rprivate"));
      json_array_append_new (out, m);
    }
  return out;
}
