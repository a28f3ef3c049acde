/* USER[:GROUP] resolution: see user.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "user.h"
#include "util/fs.h"

static bool
parse_id (const char *s, unsigned long *ret)
{
  char *end;
  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  *ret = strtoul (s, &end, 10);
  return *end == '\0' && errno == 0 && *ret < 0xffffffffUL;
}

/* Field i (0-based) of a colon-separated line, copied into buf. */
static const char *
field (const char *line, int i, char *buf, size_t len)
{
  const char *p = line;
  for (; i > 0 && p; i--)
    {
      p = strchr (p, ':');
      if (p)
        p++;
    }
  if (p == NULL)
    return NULL;
  size_t n = strcspn (p, ":\n");
  if (n >= len)
    n = len - 1;
  memcpy (buf, p, n);
  buf[n] = '\0';
  return buf;
}

int
dxc_user_resolve_in (const char *spec, const char *passwd, const char *group,
                     dxc_user *ret, dxc_error **err)
{
  cleanup_free char *copy = strdup (spec && *spec ? spec : "0");
  char *user = copy, *grp = strchr (copy, ':');
  char name[256] = "", f[4096];
  unsigned long id;
  bool found = false, have_gid = false;
  dxc_user u = { 0 };

  if (grp)
    *grp++ = '\0';
  /* The user: a name to find, or a number that may or may not be there. */
  for (const char *l = passwd; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      unsigned long uid, gid;
      if (*l == '#' || field (l, 0, f, sizeof f) == NULL)
        continue;
      if (!field (l, 2, f, sizeof f) || !parse_id (f, &uid))
        continue;
      field (l, 0, f, sizeof f);
      if ((parse_id (user, &id) && id == uid) || strcmp (user, f) == 0)
        {
          snprintf (name, sizeof name, "%.255s", f);
          if (field (l, 3, f, sizeof f) && parse_id (f, &gid))
            {
              u.gid = gid;
              have_gid = true;
            }
          if (field (l, 5, f, sizeof f) && *f)
            u.home = strdup (f);
          u.uid = uid;
          found = true;
          break;
        }
    }
  if (!found)
    {
      if (!parse_id (user, &id))
        return dxc_error_new (err, "unable to find user %s: no matching "
                              "entries in passwd file", user);
      u.uid = id;
    }
  if (!have_gid)
    u.gid = 0;
  if (grp && *grp)
    {
      bool gfound = false;
      for (const char *l = group; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
        {
          unsigned long gid;
          if (*l == '#' || !field (l, 2, f, sizeof f) || !parse_id (f, &gid))
            continue;
          field (l, 0, f, sizeof f);
          if ((parse_id (grp, &id) && id == gid) || strcmp (grp, f) == 0)
            {
              u.gid = gid;
              gfound = true;
              break;
            }
        }
      if (!gfound)
        {
          if (!parse_id (grp, &id))
            {
              free (u.home);
              return dxc_error_new (err, "unable to find group %s: no "
                                    "matching entries in group file", grp);
            }
          u.gid = id;
        }
    }
  /* Supplementary groups: those that list the user by name. */
  if (*name)
    for (const char *l = group; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
      {
        unsigned long gid;
        char members[4096];
        if (*l == '#' || !field (l, 2, f, sizeof f) || !parse_id (f, &gid)
            || !field (l, 3, members, sizeof members))
          continue;
        for (char *save = NULL, *m = strtok_r (members, ",", &save); m;
             m = strtok_r (NULL, ",", &save))
          if (strcmp (m, name) == 0 && gid != u.gid
              && u.n_groups < sizeof u.groups / sizeof u.groups[0])
            u.groups[u.n_groups++] = gid;
      }
  *ret = u;
  return 0;
}

/* Read path from the merged view of the layers, top first: the first layer
   that has it (or a whiteout of it) decides. */
static char *
read_through_layers (char *const *layers, const char *path)
{
  for (char *const *l = layers; *l; l++)
    {
      cleanup_close int root = open (*l, O_PATH | O_DIRECTORY | O_CLOEXEC);
      cleanup_close int fd = -1;
      struct stat st;
      char *data = NULL;
      if (root < 0)
        continue;
      fd = dxc_openat_in_root (root, path, O_RDONLY, 0);
      if (fd < 0)
        continue;
      if (fstat (fd, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
        return NULL;
      if (!S_ISREG (st.st_mode))
        return NULL;
      if (dxc_read_fd (fd, &data, NULL, NULL) < 0)
        return NULL;
      return data;
    }
  return NULL;
}

int
dxc_user_resolve (const char *spec, char *const *layer_dirs, dxc_user *ret,
                  dxc_error **err)
{
  cleanup_free char *passwd = NULL;
  cleanup_free char *group = NULL;

  passwd = read_through_layers (layer_dirs, "/etc/passwd");
  group = read_through_layers (layer_dirs, "/etc/group");
  return dxc_user_resolve_in (spec, passwd, group, ret, err);
}

void
dxc_user_clear (dxc_user *u)
{
  free (u->home);
  u->home = NULL;
}
