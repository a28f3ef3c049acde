/* Docker's mounts and the volume store: see volumes.h. The messages follow
 * Docker's where it has one. */
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

static const char *const propagations[]
    = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };

static bool
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

static dxc_mount_req *
req_add (dxc_mount_reqs *reqs)
{
  dxc_mount_req *v = realloc (reqs->v, (reqs->n + 1) * sizeof (*v));
  if (v == NULL)
    return NULL;
  reqs->v = v;
  v[reqs->n] = (dxc_mount_req){ 0 };
  return &v[reqs->n++];
}

static void
req_clear (dxc_mount_req *r)
{
  free (r->source);
  free (r->target);
  free (r->propagation);
  free (r->tmpfs_data);
  free (r->host_path);
}

void
dxc_mount_reqs_clear (dxc_mount_reqs *reqs)
{
  for (size_t i = 0; i < reqs->n; i++)
    req_clear (&reqs->v[i]);
  free (reqs->v);
  *reqs = (dxc_mount_reqs){ 0 };
}

/* The target, checked and cleaned: absolute, and not where it would hide
   what the runtime mounts for the container itself. */
static int
set_target (dxc_mount_req *r, const char *target, const char *arg,
            dxc_error **err)
{
  static const char *const reserved[] = { "/proc", "/sys", "/dev/pts", NULL };
  if (target == NULL || *target == '\0')
    return dxc_error_new (err, "invalid mount config: %s: the target (the "
                          "path in the container) must not be empty", arg);
  if (target[0] != '/')
    return dxc_error_new (err, "invalid mount config: %s: invalid mount path: "
                          "'%s' mount path must be absolute", arg, target);
  r->target = dxc_path_clean (target);
  if (r->target == NULL)
    return dxc_error_errno (err, ENOMEM, "mount");
  if (strcmp (r->target, "/") == 0)
    return dxc_error_new (err, "invalid mount config: %s: destination can't "
                          "be '/'", arg);
  if (strcmp (r->target, "/dev") == 0)
    return dxc_error_new (err, "invalid mount config: %s: /dev would hide the "
                          "container's device nodes", arg);
  for (int i = 0; reserved[i]; i++)
    if (dxc_path_is_under (r->target, reserved[i]))
      return dxc_error_new (err, "invalid mount config: %s: %s would hide "
                            "or change the runtime's own %s", arg, r->target,
                            reserved[i]);
  return 0;
}

static bool
flag_value (const char *v, bool *ret)
{
  if (v == NULL || strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *ret = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *ret = false;
  else
    return false;
  return true;
}

/* "ro", "rw,z", "nocopy": the last part of -v DST:MODE. */
static bool
is_mode_list (const char *s)
{
  static const char *const modes[]
      = { "ro",      "rw",     "z",        "Z",         "nocopy",
          "private", "rprivate", "shared", "rshared",   "slave",
          "rslave",  "consistent", "cached", "delegated", NULL };
  cleanup_free char *copy = strdup (s);
  for (char *c = copy, *m; c && (m = strsep (&c, ","));)
    if (!in_list (modes, m))
      return false;
  return copy != NULL;
}

int
dxc_mount_parse_volume (const char *arg, dxc_mount_reqs *reqs,
                        dxc_error **err)
{
  cleanup_free char *copy = strdup (arg);
  char *parts[4] = { 0 }, *s = copy, *src = NULL, *dst, *mode = NULL;
  int n = 0;
  dxc_mount_req *r;

  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "-v");
  while (n < 4 && (parts[n] = strsep (&s, ":")))
    n++;
  if (n == 4 || (n >= 1 && *parts[0] == '\0'))
    return dxc_error_new (err, "invalid volume specification: '%s'", arg);
  if (n == 1)
    dst = parts[0];
  else if (n == 2 && parts[1][0] != '/' && is_mode_list (parts[1]))
    dst = parts[0], mode = parts[1];
  else
    src = parts[0], dst = parts[1], mode = n == 3 ? parts[2] : NULL;

  r = req_add (reqs);
  if (r == NULL)
    return dxc_error_errno (err, ENOMEM, "-v");
  r->type = src && src[0] == '/' ? DXC_MOUNT_BIND : DXC_MOUNT_VOLUME;
  if (src && r->type == DXC_MOUNT_VOLUME && !dxc_volume_name_is_valid (src))
    return dxc_error_new (err, "invalid volume specification: '%s': \"%s\" "
                          "includes invalid characters for a local volume "
                          "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                          "allowed; a host directory must be an absolute "
                          "path", arg, src);
  if (src)
    r->source = r->type == DXC_MOUNT_BIND ? dxc_path_clean (src) : strdup (src);
  r->create_source = true;
  if (set_target (r, dst, arg, err) < 0)
    return -1;
  for (char *m = mode, *opt; m && (opt = strsep (&m, ","));)
    {
      if (strcmp (opt, "ro") == 0 || strcmp (opt, "rw") == 0)
        r->readonly = opt[1] == 'o';
      else if (strcmp (opt, "z") == 0 || strcmp (opt, "Z") == 0
               || strcmp (opt, "consistent") == 0
               || strcmp (opt, "cached") == 0
               || strcmp (opt, "delegated") == 0)
        ; /* SELinux labels and macOS hints: nothing to do here */
      else if (in_list (propagations, opt) && r->type == DXC_MOUNT_BIND)
        {
          free (r->propagation);
          r->propagation = strdup (opt);
        }
      else if (strcmp (opt, "nocopy") == 0 && r->type == DXC_MOUNT_VOLUME)
        r->nocopy = true;
      else
        return dxc_error_new (err, "invalid mode: %s (in -v %s)", opt, arg);
    }
  return 0;
}

int
dxc_mount_parse_mount (const char *arg, dxc_mount_reqs *reqs,
                       dxc_error **err)
{
  cleanup_free char *copy = strdup (arg);
  const char *type = "volume", *src = NULL, *dst = NULL;
  char *s = copy, *field;
  int64_t size = -1;
  long mode = -1;
  bool ro = false, nocopy = false;
  char *prop = NULL;
  dxc_mount_req *r;

  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "--mount");
  while ((field = strsep (&s, ",")))
    {
      char *val = strchr (field, '=');
      if (val)
        *val++ = '\0';
      if (*field == '\0')
        return dxc_error_new (err, "invalid argument \"%s\" for \"--mount\" "
                              "flag: empty field", arg);
      if (strcmp (field, "type") == 0 && val)
        type = val;
      else if ((strcmp (field, "source") == 0 || strcmp (field, "src") == 0)
               && val)
        src = val;
      else if ((strcmp (field, "target") == 0
                || strcmp (field, "destination") == 0
                || strcmp (field, "dst") == 0)
               && val)
        dst = val;
      else if (strcmp (field, "readonly") == 0 || strcmp (field, "ro") == 0)
        {
          if (!flag_value (val, &ro))
            return dxc_error_new (err, "invalid argument \"%s\" for "
                                  "\"--mount\" flag: invalid value for %s: %s",
                                  arg, field, val);
        }
      else if (strcmp (field, "bind-propagation") == 0 && val)
        {
          if (!in_list (propagations, val))
            return dxc_error_new (err, "invalid argument \"%s\" for "
                                  "\"--mount\" flag: invalid propagation "
                                  "mode: %s", arg, val);
          prop = val;
        }
      else if (strcmp (field, "volume-nocopy") == 0)
        {
          if (!flag_value (val, &nocopy))
            return dxc_error_new (err, "invalid argument \"%s\" for "
                                  "\"--mount\" flag: invalid value for "
                                  "volume-nocopy: %s", arg, val);
        }
      else if (strcmp (field, "volume-driver") == 0 && val)
        {
          if (strcmp (val, "local") != 0)
            return dxc_error_new (err, "--mount %s: volume driver %s: only "
                                  "the local driver exists here", arg, val);
        }
      else if (strcmp (field, "tmpfs-size") == 0 && val)
        {
          if (dxc_parse_size (val, &size) < 0 || size == 0)
            return dxc_error_new (err, "invalid argument \"%s\" for "
                                  "\"--mount\" flag: invalid tmpfs-size: %s",
                                  arg, val);
        }
      else if (strcmp (field, "tmpfs-mode") == 0 && val)
        {
          char *end;
          mode = strtol (val, &end, 8);
          if (*val == '\0' || *end || mode < 0 || mode > 07777)
            return dxc_error_new (err, "invalid argument \"%s\" for "
                                  "\"--mount\" flag: invalid tmpfs-mode: %s "
                                  "(octal)", arg, val);
        }
      else if (strcmp (field, "consistency") == 0 && val)
        ;
      else
        return dxc_error_new (err, "invalid argument \"%s\" for \"--mount\" "
                              "flag: unexpected key '%s'", arg, field);
    }

  r = req_add (reqs);
  if (r == NULL)
    return dxc_error_errno (err, ENOMEM, "--mount");
  if (strcmp (type, "bind") == 0)
    r->type = DXC_MOUNT_BIND;
  else if (strcmp (type, "volume") == 0)
    r->type = DXC_MOUNT_VOLUME;
  else if (strcmp (type, "tmpfs") == 0)
    r->type = DXC_MOUNT_TMPFS;
  else
    return dxc_error_new (err, "invalid argument \"%s\" for \"--mount\" flag: "
                          "invalid mount type: %s (bind, volume or tmpfs)",
                          arg, type);
  if (set_target (r, dst, arg, err) < 0)
    return -1;
  r->readonly = ro;
  r->nocopy = nocopy;
  if (prop && r->type != DXC_MOUNT_BIND)
    return dxc_error_new (err, "invalid mount config for type \"%s\": "
                          "bind-propagation is for bind mounts", type);
  if ((size >= 0 || mode >= 0) && r->type != DXC_MOUNT_TMPFS)
    return dxc_error_new (err, "invalid mount config for type \"%s\": "
                          "tmpfs options are for tmpfs mounts", type);
  switch (r->type)
    {
    case DXC_MOUNT_BIND:
      if (src == NULL || *src == '\0')
        return dxc_error_new (err, "invalid mount config for type \"bind\": "
                              "field Source must not be empty");
      if (src[0] != '/')
        return dxc_error_new (err, "invalid mount config for type \"bind\": "
                              "invalid mount path: '%s' mount path must be "
                              "absolute", src);
      r->source = dxc_path_clean (src);
      r->propagation = prop ? strdup (prop) : NULL;
      break;
    case DXC_MOUNT_VOLUME:
      if (src && *src && !dxc_volume_name_is_valid (src))
        return dxc_error_new (err, "invalid mount config for type \"volume\": "
                              "\"%s\" includes invalid characters for a local "
                              "volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" "
                              "are allowed", src);
      r->source = src && *src ? strdup (src) : NULL;
      break;
    case DXC_MOUNT_TMPFS:
      if (src && *src)
        return dxc_error_new (err, "invalid mount config for type \"tmpfs\": "
                              "field Source must not be specified");
      {
        char data[64] = "";
        if (size >= 0)
          snprintf (data, sizeof data, "size=%lld", (long long) size);
        if (mode >= 0)
          snprintf (data + strlen (data), sizeof data - strlen (data),
                    "%smode=%lo", *data ? "," : "", mode);
        r->tmpfs_data = *data ? strdup (data) : NULL;
      }
      break;
    }
  return 0;
}

int
dxc_mount_parse_tmpfs (const char *arg, dxc_mount_reqs *reqs,
                       dxc_error **err)
{
  /* tmpfs(5) options, and the mount flags a tmpfs may take. */
  static const char *const known[]
      = { "size",  "nr_blocks", "nr_inodes", "mode",  "uid",    "gid",
          "huge",  "mpol",      "ro",        "rw",    "exec",   "noexec",
          "suid",  "nosuid",    "dev",       "nodev", "atime",  "noatime",
          "relatime", "strictatime", "diratime", "nodiratime", NULL };
  cleanup_free char *copy = strdup (arg);
  char *colon, *opts;
  dxc_mount_req *r;

  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "--tmpfs");
  colon = strchr (copy, ':');
  opts = colon ? colon + 1 : NULL;
  if (colon)
    *colon = '\0';
  r = req_add (reqs);
  if (r == NULL)
    return dxc_error_errno (err, ENOMEM, "--tmpfs");
  r->type = DXC_MOUNT_TMPFS;
  if (set_target (r, copy, arg, err) < 0)
    return -1;
  if (opts && *opts)
    {
      cleanup_free char *check = strdup (opts);
      for (char *s = check, *o; (o = strsep (&s, ","));)
        {
          size_t klen = strcspn (o, "=");
          char key[32];
          snprintf (key, sizeof key, "%.*s", (int) klen, o);
          if (!in_list (known, key))
            return dxc_error_new (err, "invalid --tmpfs %s: unknown option %s",
                                  arg, o);
          if (strcmp (key, "ro") == 0)
            r->readonly = true;
        }
      r->tmpfs_data = strdup (opts);
    }
  return 0;
}

int
dxc_mounts_check (const dxc_mount_reqs *reqs, dxc_error **err)
{
  for (size_t i = 0; i < reqs->n; i++)
    {
      const dxc_mount_req *r = &reqs->v[i];
      struct stat st;
      for (size_t j = 0; j < i; j++)
        if (strcmp (reqs->v[j].target, r->target) == 0)
          return dxc_error_new (err, "Duplicate mount point: %s", r->target);
      if (r->type != DXC_MOUNT_BIND)
        continue;
      if (stat (r->source, &st) < 0)
        {
          if (errno == ENOENT && r->create_source)
            continue;
          if (errno == ENOENT)
            return dxc_error_new (err, "invalid mount config for type "
                                  "\"bind\": bind source path does not "
                                  "exist: %s", r->source);
          return dxc_error_errno (err, errno, "bind source %s", r->source);
        }
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        return dxc_error_new (err, "invalid mount config for type \"bind\": "
                              "%s is a device node: device nodes are not "
                              "bind mounted", r->source);
    }
  return 0;
}

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
    if (covered || (r = req_add (reqs)) == NULL)
      continue;
    r->type = DXC_MOUNT_VOLUME;
    r->target = take_ptr (clean);
  }
  for (size_t i = 0; i < reqs->n; i++)
    {
      dxc_mount_req *r = &reqs->v[i];
      if (r->type == DXC_MOUNT_VOLUME)
        {
          bool anonymous = r->source == NULL;
          if (anonymous)
            {
              char id[65];
              dxc_container_new_id (id);
              r->source = strdup (id);
            }
          if (r->source == NULL
              || dxc_volume_create (s, r->source, anonymous, &r->created, err)
                     < 0)
            goto fail;
          r->host_path = volume_path (s, r->source, "_data");
        }
      else if (r->type == DXC_MOUNT_BIND)
        {
          if (r->create_source && !dxc_path_exists (r->source)
              && dxc_mkdir_p (r->source, 0755, err) < 0)
            goto fail;
          r->host_path = strdup (r->source);
        }
    }
  return 0;

fail:
  dxc_volumes_release (s, reqs, true);
  return -1;
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
