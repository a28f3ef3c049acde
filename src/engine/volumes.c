/* The volume store (<store>/volumes/<name>/_data and volume.json): create,
 * inspect, list, remove, prune; and a run's volumes, made (prepare) and
 * taken back (release). See volumes.h. */
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
#include "util/alloc.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

#define ANON_LABEL "com.docker.volume.anonymous"

/* ---- the volume store ---------------------------------------------------- */

/* Docker's rule for volume names is its rule for container names. */
bool
dxc_volume_name_is_valid (const char *name)
{
  return dxc_container_name_is_valid (name);
}

static char *
volume_path (const dxc_store *s, const char *name, const char *leaf)
{
  char *p = NULL;
  if (asprintf (&p, "%s/volumes/%s%s%s", s->root, name, leaf ? "/" : "",
                leaf ? leaf : "")
      < 0)
    return NULL;
  return p;
}

int
dxc_volume_create (const dxc_store *s, const char *name, bool anonymous,
                   bool *ret_created, dxc_error **err)
{
  cleanup_free char *dir = volume_path (s, name, NULL);
  cleanup_free char *data = volume_path (s, name, "_data");
  cleanup_free char *meta = volume_path (s, name, "volume.json");
  cleanup_free char *top = NULL;
  cleanup_free char *now = dxc_now_rfc3339 ();
  cleanup_free char *text = NULL;
  json_t *doc;

  if (!dxc_volume_name_is_valid (name))
    return dxc_error_new (err, "volume name \"%s\" includes invalid "
                          "characters: only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                          "allowed", name);
  if (asprintf (&top, "%s/volumes", s->root) < 0 || dir == NULL
      || data == NULL || meta == NULL)
    return dxc_error_errno (err, ENOMEM, "volume");
  if (dxc_mkdir_p (top, 0700, err) < 0)
    return -1;
  *ret_created = false;
  /* mkdir is the lock: the first to make the directory creates the
     volume; the others use it. */
  if (mkdir (dir, 0700) < 0)
    {
      if (errno == EEXIST)
        return 0;
      return dxc_error_errno (err, errno, "create volume %s", name);
    }
  if (mkdir (data, 0755) < 0)
    {
      int e = errno;
      rmdir (dir);
      return dxc_error_errno (err, e, "create volume %s", name);
    }
  doc = json_pack ("{s:s, s:s, s:s, s:s, s:{}, s:s, s:{}}", "Name", name,
                   "Driver", "local", "Mountpoint", data, "CreatedAt", now,
                   "Labels", "Scope", "local", "Options");
  if (anonymous)
    json_object_set_new (json_object_get (doc, "Labels"), ANON_LABEL,
                         json_string (""));
  text = json_dumps (doc, JSON_INDENT (4));
  json_decref (doc);
  if (dxc_write_file_atomic (meta, text, strlen (text), 0600, DXC_WRITE_SYNC,
                             err)
      < 0)
    {
      dxc_rm_rf (dir, NULL);
      return -1;
    }
  *ret_created = true;
  dxc_explain ("volume %s created: %s", name, data);
  return 0;
}

json_t *
dxc_volume_inspect (const dxc_store *s, const char *name)
{
  cleanup_free char *meta = volume_path (s, name, "volume.json");
  cleanup_free char *data = volume_path (s, name, "_data");
  json_t *doc;
  if (!dxc_volume_name_is_valid (name) || !dxc_path_exists (data))
    return NULL;
  doc = json_load_file (meta, 0, NULL);
  /* A volume whose description was lost in a crash is still a volume. */
  if (doc == NULL)
    doc = json_pack ("{s:s, s:s, s:s, s:{}, s:s, s:{}}", "Name", name,
                     "Driver", "local", "Mountpoint", data, "Labels", "Scope",
                     "local", "Options");
  return doc;
}

json_t *
dxc_volumes_list (const dxc_store *s)
{
  char path[4096];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  json_t *out = json_array ();

  snprintf (path, sizeof path, "%s/volumes", s->root);
  d = opendir (path);
  while (d && (de = readdir (d)))
    {
      json_t *v;
      if (de->d_name[0] == '.')
        continue;
      v = dxc_volume_inspect (s, de->d_name);
      if (v)
        json_array_append_new (out, v);
    }
  return out;
}

static bool
is_anonymous (json_t *vol)
{
  return json_object_get (json_object_get (vol, "Labels"), ANON_LABEL) != NULL;
}

/* The IDs of the containers whose record mounts the volume. */
static json_t *
volume_users (const dxc_store *s, const char *name)
{
  json_t *recs = dxc_records_list (s), *rec, *users = json_array ();
  size_t i, j;
  json_array_foreach (recs, i, rec)
  {
    json_t *m;
    json_array_foreach (json_object_get (rec, "Mounts"), j, m)
    {
      const char *n = json_string_value (json_object_get (m, "Name"));
      if (n && strcmp (n, name) == 0)
        {
          json_array_append (users, json_object_get (rec, "Id"));
          break;
        }
    }
  }
  json_decref (recs);
  return users;
}

int
dxc_volume_remove (const dxc_store *s, const char *name, bool force,
                   dxc_error **err)
{
  cleanup_free char *dir = volume_path (s, name, NULL);
  json_t *vol = dxc_volume_inspect (s, name), *users;

  if (vol == NULL)
    {
      if (force)
        return 0;
      return dxc_error_new (err, "get %s: no such volume", name);
    }
  json_decref (vol);
  users = volume_users (s, name);
  if (json_array_size (users) > 0)
    {
      cleanup_free char *list = json_dumps (users, JSON_COMPACT);
      json_decref (users);
      return dxc_error_new (err, "remove %s: volume is in use - %s", name,
                            list);
    }
  json_decref (users);
  if (dxc_rm_rf (dir, err) < 0)
    return dxc_error_prefix (err, "remove volume %s", name);
  return 0;
}

int
dxc_volumes_prune (const dxc_store *s, bool all, json_t **ret_removed,
                   dxc_error **err)
{
  json_t *vols = dxc_volumes_list (s), *v;
  json_t *removed = json_array ();
  size_t i;
  json_array_foreach (vols, i, v)
  {
    const char *name = json_string_value (json_object_get (v, "Name"));
    json_t *users;
    if (!all && !is_anonymous (v))
      continue;
    users = volume_users (s, name);
    if (json_array_size (users) == 0
        && dxc_volume_remove (s, name, false, err) == 0)
      json_array_append_new (removed, json_string (name));
    json_decref (users);
  }
  json_decref (vols);
  *ret_removed = removed;
  return 0;
}

void
dxc_volumes_remove_anonymous (const dxc_store *s, json_t *rec)
{
  json_t *m;
  size_t i;
  json_array_foreach (json_object_get (rec, "Mounts"), i, m)
  {
    const char *name = json_string_value (json_object_get (m, "Name"));
    json_t *vol;
    if (name == NULL || (vol = dxc_volume_inspect (s, name)) == NULL)
      continue;
    if (is_anonymous (vol))
      {
        cleanup_free char *dir = volume_path (s, name, NULL);
        dxc_rm_rf (dir, NULL);
      }
    json_decref (vol);
  }
}

/* ---- from requests to mounts --------------------------------------------- */

/* A named or anonymous volume made if missing; a -v directory made if
   missing. */
static int
prepare_one (const dxc_store *s, dxc_mount_req *r, dxc_error **err)
{
  if (r->type == DXC_MOUNT_VOLUME)
    {
      bool anonymous = r->source == NULL;
      if (anonymous)
        {
          char id[65];
          dxc_container_new_id (id);
          r->source = dxc_xstrdup (id);
        }
      if (dxc_volume_create (s, r->source, anonymous, &r->created, err) < 0)
        return -1;
      r->host_path = volume_path (s, r->source, "_data");
    }
  else if (r->type == DXC_MOUNT_BIND)
    {
      if (r->create_source && !dxc_path_exists (r->source)
          && dxc_mkdir_p (r->source, 0755, err) < 0)
        return -1;
      r->host_path = dxc_xstrdup (r->source);
    }
  return 0;
}

int
dxc_volumes_prepare (const dxc_store *s, dxc_mount_reqs *reqs,
                     json_t *image_volumes, dxc_error **err)
{
  const char *path;
  json_t *v;

  /* The image's VOLUMEs that no option covers become anonymous volumes. */
  json_object_foreach (image_volumes, path, v)
  {
    cleanup_free char *clean = path[0] == '/' ? dxc_path_clean (path) : NULL;
    bool covered = false;
    dxc_mount_req *r;
    if (clean == NULL || strcmp (clean, "/") == 0)
      continue;
    for (size_t i = 0; i < reqs->n; i++)
      if (strcmp (reqs->v[i].target, clean) == 0)
        covered = true;
    if (covered || (r = dxc_mount_req_add (reqs)) == NULL)
      continue;
    r->type = DXC_MOUNT_VOLUME;
    r->target = take_ptr (clean);
  }
  for (size_t i = 0; i < reqs->n; i++)
    if (prepare_one (s, &reqs->v[i], err) < 0)
      {
        /* What this call made goes again. */
        dxc_volumes_release (s, reqs, true);
        return -1;
      }
  return 0;
}

void
dxc_volumes_release (const dxc_store *s, const dxc_mount_reqs *reqs,
                     bool created_only)
{
  for (size_t i = 0; i < reqs->n; i++)
    {
      const dxc_mount_req *r = &reqs->v[i];
      json_t *vol;
      bool remove;
      if (r->type != DXC_MOUNT_VOLUME || r->source == NULL)
        continue;
      vol = dxc_volume_inspect (s, r->source);
      if (vol == NULL)
        continue;
      remove = created_only ? r->created : is_anonymous (vol);
      json_decref (vol);
      if (remove)
        {
          cleanup_free char *dir = volume_path (s, r->source, NULL);
          dxc_rm_rf (dir, NULL);
        }
    }
}

