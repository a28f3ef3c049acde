/* Finding the machine's cgroup hierarchies: from /proc/self/mountinfo (v1
 * and hybrid: every cgroup and cgroup2 mount) or the cgroup2 root, and the
 * runtime's own cgroup in each from /proc/self/cgroup. The parsing works on
 * the texts (dxc_cg_discover_from), so the unit tests feed it fixtures of
 * every layout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util/fs.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

void
dxc_cg_hier_clear (dxc_cg_hier *h)
{
  free (h->mount);
  free (h->options);
  free (h->name);
  free (h->own);
  free (h->path);
  if (h->dirfd >= 0)
    close (h->dirfd);
}

/* The runtime's own cgroup in the hierarchy whose /proc/self/cgroup entry
   is key ("" for cgroup2, "memory", "cpu,cpuacct", "name=systemd"). */
static char *
own_cgroup (const char *proc_cgroup, const char *key)
{
  size_t klen = strlen (key);
  for (const char *line = proc_cgroup; line && *line;)
    {
      const char *c1 = strchr (line, ':'), *c2, *end;
      if (c1 == NULL)
        break;
      c2 = strchr (c1 + 1, ':');
      end = strchrnul (line, '\n');
      if (c2 && c2 < end && (size_t) (c2 - c1 - 1) == klen
          && strncmp (c1 + 1, key, klen) == 0)
        return strndup (c2 + 1, end - c2 - 1);
      line = *end ? end + 1 : end;
    }
  return NULL;
}

/* Take away the mount's root (a cgroup mounted from a subtree, as in a
   container): own is then relative to the mount. */
static char *
strip_root (char *own, const char *root)
{
  size_t rl = strlen (root);
  if (own && strcmp (root, "/") != 0 && strncmp (own, root, rl) == 0
      && (own[rl] == '/' || own[rl] == '\0'))
    {
      char *s = strdup (own[rl] ? own + rl : "/");
      free (own);
      return s;
    }
  return own;
}

static int
v2_controllers (const char *mount, const char *own)
{
  char path[PATH_MAX];
  cleanup_free char *line = NULL;
  cleanup_close int fd = -1;

  snprintf (path, sizeof path, "%s%s", mount, strcmp (own, "/") ? own : "");
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    fd = open (mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
  line = fd >= 0 ? dxc_cg_read_line (fd, "cgroup.controllers") : NULL;
  /* Device programs need no controller: any cgroup2 directory takes one. */
  return dxc_cg_controller_bits (line, ' ') | DXC_CGC_DEVICES;
}

static int
add_v2 (dxc_cgroup *cg, const char *mount, const char *root,
        const char *proc_cgroup, dxc_error **err)
{
  dxc_cg_hier *h = &cg->h[cg->n];
  *h = (dxc_cg_hier){ .version = 2, .dirfd = -1 };
  h->mount = strdup (mount);
  h->own = strip_root (own_cgroup (proc_cgroup, ""), root);
  if (h->own == NULL)
    {
      /* not counted in cg->n: nothing else would free it */
      dxc_cg_hier_clear (h);
      return dxc_error_new (err, "cgroup: no cgroup2 entry in "
                            "/proc/self/cgroup");
    }
  h->name = strdup (cg->mode == DXC_CGROUP_V2 ? "" : "unified");
  h->controllers = v2_controllers (mount, h->own);
  cg->n++;
  return 0;
}

/* A v1 hierarchy's key in /proc/self/cgroup, from its super options: its
   controllers (in the kernel's order) and its name=, without rw, xattr and
   the like. */
static char *
v1_key (const char *super_options)
{
  char *key = calloc (1, strlen (super_options) + 1);
  cleanup_free char *opts = strdup (super_options);
  char *s = opts, *tok;
  const char *name = NULL;

  if (key == NULL || opts == NULL)
    {
      free (key);
      return NULL;
    }
  while ((tok = strsep (&s, ",")))
    {
      if (strncmp (tok, "name=", 5) == 0)
        name = tok;
      else if (dxc_cg_controller_bits (tok, ',') != 0)
        {
          if (*key)
            strcat (key, ",");
          strcat (key, tok);
        }
    }
  if (name)
    {
      if (*key)
        strcat (key, ",");
      strcat (key, name);
    }
  return key;
}

/* The key of a hierarchy whose mount options are options ("none,name=x"
   for a named one, whose key is "name=x"). */
static const char *
v1_options_key (const char *options)
{
  return strncmp (options, "none,", 5) == 0 ? options + 5 : options;
}

/* v1 and hybrid: every cgroup and cgroup2 mount of mountinfo. */
static int
add_from_mountinfo (dxc_cgroup *cg, const char *mountinfo,
                    const char *proc_cgroup, dxc_error **err)
{
  cleanup_free char *data = strdup (mountinfo);
  int v2_at = -1;
  char v2_mount[PATH_MAX] = "", v2_root[PATH_MAX] = "";

  if (data == NULL)
    return dxc_error_errno (err, ENOMEM, "cgroup");
  for (char *line = data, *next; line && *line; line = next)
    {
      char *f[12] = { 0 }, *sep, *save = NULL, *tok;
      int n = 0;
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      /* id parent maj:min root mountpoint options [optional...] - type
         source superoptions */
      sep = strstr (line, " - ");
      if (sep == NULL)
        continue;
      *sep = '\0';
      for (tok = strtok_r (line, " ", &save); tok && n < 5;
           tok = strtok_r (NULL, " ", &save))
        f[n++] = tok;
      save = NULL;
      for (tok = strtok_r (sep + 3, " ", &save); tok && n < 8;
           tok = strtok_r (NULL, " ", &save))
        f[n++] = tok;
      if (n < 8)
        continue;
      if (strcmp (f[5], "cgroup2") == 0 && v2_at < 0)
        {
          v2_at = 1;
          snprintf (v2_mount, sizeof v2_mount, "%s", f[4]);
          snprintf (v2_root, sizeof v2_root, "%s", f[3]);
        }
      else if (strcmp (f[5], "cgroup") == 0 && cg->n < 15)
        {
          /* super options: rw,memory or rw,xattr,name=systemd */
          cleanup_free char *key = NULL;
          dxc_cg_hier *h = &cg->h[cg->n];
          bool dup = false;

          key = v1_key (f[7]);
          if (key == NULL)
            return dxc_error_errno (err, ENOMEM, "cgroup");
          for (size_t i = 0; i < cg->n; i++)
            if (cg->h[i].version == 1
                && strcmp (v1_options_key (cg->h[i].options), key) == 0)
              dup = true; /* the same hierarchy mounted twice */
          if (dup || *key == '\0')
            continue;
          *h = (dxc_cg_hier){ .version = 1, .dirfd = -1 };
          h->mount = strdup (f[4]);
          /* /proc/self/cgroup names the hierarchy as its super options
             list it: the controllers in the kernel's order, then name=. */
          h->own = strip_root (own_cgroup (proc_cgroup, key), f[3]);
          if (h->own == NULL)
            {
              dxc_cg_hier_clear (h);
              continue;
            }
          if (strncmp (key, "name=", 5) == 0)
            {
              h->name = strdup (key + 5);
              if (asprintf (&h->options, "none,%s", key) < 0)
                h->options = NULL;
            }
          else
            {
              const char *named = strstr (key, ",name=");
              h->name = named ? strdup (named + 6) : strdup (key);
              h->options = strdup (key);
            }
          h->controllers = dxc_cg_controller_bits (key, ',') & ~DXC_CGC_OTHER;
          cg->n++;
        }
    }
  if (v2_at > 0 && add_v2 (cg, v2_mount, v2_root, proc_cgroup, err) < 0)
    return -1;
  return 0;
}

int
dxc_cg_discover_from (dxc_cgroup *cg, const char *mountinfo,
                      const char *proc_cgroup, bool root_is_cgroup2,
                      dxc_error **err)
{
  if (root_is_cgroup2)
    {
      cg->mode = DXC_CGROUP_V2;
      return add_v2 (cg, CGROUP_ROOT, "/", proc_cgroup, err);
    }
  if (add_from_mountinfo (cg, mountinfo, proc_cgroup, err) < 0)
    return -1;
  if (cg->n == 0)
    return dxc_error_new (err, "cgroup: no cgroup file system is mounted");
  cg->mode = cg->h[cg->n - 1].version == 2 ? DXC_CGROUP_HYBRID : DXC_CGROUP_V1;
  if (cg->n == 1 && cg->mode == DXC_CGROUP_HYBRID)
    cg->mode = DXC_CGROUP_V2;
  return 0;
}

int
dxc_cg_discover (dxc_cgroup *cg, dxc_error **err)
{
  cleanup_free char *proc_cgroup = NULL;
  cleanup_free char *mountinfo = NULL;
  size_t len;
  struct statfs sf;

  if (dxc_read_file ("/proc/self/cgroup", &proc_cgroup, &len, err) < 0)
    return -1;
  if (statfs (CGROUP_ROOT, &sf) < 0)
    return dxc_error_errno (err, errno, "cgroup: statfs " CGROUP_ROOT);
  if (sf.f_type != CGROUP2_SUPER_MAGIC
      && dxc_read_file ("/proc/self/mountinfo", &mountinfo, &len, err) < 0)
    return -1;
  return dxc_cg_discover_from (cg, mountinfo, proc_cgroup,
                               sf.f_type == CGROUP2_SUPER_MAGIC, err);
}
