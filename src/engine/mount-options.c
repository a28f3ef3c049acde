/* -v, --mount and --tmpfs: Docker's mount options parsed and checked into
 * mount requests (volumes.h), before anything is made. */
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

dxc_mount_req *
dxc_mount_req_add (dxc_mount_reqs *reqs)
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

  r = dxc_mount_req_add (reqs);
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

  r = dxc_mount_req_add (reqs);
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
  r = dxc_mount_req_add (reqs);
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

