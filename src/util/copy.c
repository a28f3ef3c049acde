/* Layer copy for the "copy" storage driver: see copy.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/copy.h"
#include "util/fs.h"

/* What this process makes belongs to it (a directory is made 0700 and
   its mode set after its entries: none inherits a set-group-ID). */
static bool
owned_as_made (const struct stat *st)
{
  return st->st_uid == geteuid () && st->st_gid == getegid ();
}

static int
copy_file (int sfd_dir, int dfd_dir, const char *name, const struct stat *st,
           dxc_error **err)
{
  cleanup_close int in = openat (sfd_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;
  off_t left = st->st_size;

  if (in < 0)
    return dxc_error_errno (err, errno, "open %s", name);
  /* Made with its mode (the caller's umask is 0): with the owner the
     process gives it already, no chown and chmod to follow. */
  out = openat (dfd_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                st->st_mode & 07777);
  if (out < 0)
    return dxc_error_errno (err, errno, "create %s", name);
  while (left > 0)
    {
      ssize_t n = copy_file_range (in, NULL, out, NULL, left, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
                    || errno == EOPNOTSUPP))
        {
          /* Between file systems of different kinds (an overlay and the
             volume's ext4): copy through a buffer. */
          char buf[65536];
          n = read (in, buf, sizeof buf < (size_t) left ? sizeof buf
                                                         : (size_t) left);
          if (n > 0 && dxc_write_all (out, buf, n) < 0)
            return dxc_error_errno (err, errno, "copy %s", name);
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return dxc_error_errno (err, n < 0 ? errno : EIO, "copy %s", name);
      left -= n;
    }
  /* chown clears the set-ID bits: the mode again after it. */
  if (!owned_as_made (st)
      && (fchown (out, st->st_uid, st->st_gid) < 0
          || fchmod (out, st->st_mode & 07777) < 0))
    return dxc_error_errno (err, errno, "set owner and mode of %s", name);
  futimens (out, (struct timespec[]){ st->st_atim, st->st_mtim });
  return 0;
}

/* A whiteout: in a layer, either form; in a plain tree, only a 0:0
   device (a name is only a name there). */
static bool
is_whiteout (bool layer, const char *name, const struct stat *st)
{
  return (layer && strncmp (name, ".wh.", 4) == 0)
         || (S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0));
}

/* This layer's whiteouts in a directory, first: what they hide of the
   lower layers goes before the layer's own entries are copied (a name may
   come back in the layer that whites it out). Both forms: the OCI files
   ".wh.NAME" and ".wh..wh..opq" (a copy store's layers), and overlayfs's
   0:0 devices (an overlay store's; its opaque xattr is read by copy_dir). */
static int
apply_whiteouts (int sfd, int dfd, dxc_error **err)
{
  cleanup_dir DIR *d = fdopendir (dup (sfd));
  struct dirent *de;

  if (d == NULL)
    return dxc_error_errno (err, errno, "opendir");
  rewinddir (d);
  while ((de = readdir (d)))
    {
      const char *hidden = NULL;
      struct stat st;
      if (strcmp (de->d_name, ".wh..wh..opq") == 0)
        {
          /* Opaque: nothing of the lower layers stays in it. */
          cleanup_dir DIR *l = fdopendir (dup (dfd));
          struct dirent *le;
          if (l == NULL)
            return dxc_error_errno (err, errno, "opendir");
          rewinddir (l);
          while ((le = readdir (l)))
            if (strcmp (le->d_name, ".") != 0 && strcmp (le->d_name, "..") != 0
                && dxc_rm_rf_at (dfd, le->d_name, err) < 0)
              return -1;
          continue;
        }
      if (strncmp (de->d_name, ".wh.", 4) == 0)
        hidden = de->d_name + 4;
      else if (de->d_type == DT_CHR
               && fstatat (sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
               && is_whiteout (true, de->d_name, &st))
        hidden = de->d_name;
      if (hidden == NULL || *hidden == '\0' || strcmp (hidden, ".") == 0
          || strcmp (hidden, "..") == 0)
        continue;
      if (faccessat (dfd, hidden, F_OK, AT_SYMLINK_NOFOLLOW) == 0
          && dxc_rm_rf_at (dfd, hidden, err) < 0)
        return -1;
    }
  return 0;
}

/* One copy: hard links of the source made again as hard links (a file
   with more than one link is looked up by device and inode among those
   copied: the path of its first copy, from the top of the destination). */
typedef struct copy_ctx
{
  int top;        /* the destination's top directory */
  bool layer;     /* whiteouts are applied (a layer), or copied (a tree) */
  char rel[4096]; /* the directory being copied, from the top ("" or "a/b/") */
  struct linked
  {
    dev_t dev;
    ino_t ino;
    char *path;
  } *links;
  size_t n_links;
} copy_ctx;

static void
copy_ctx_clear (copy_ctx *c)
{
  for (size_t i = 0; i < c->n_links; i++)
    free (c->links[i].path);
  free (c->links);
}

/* A regular file with other links: linked to its first copy if there is
   one (1), or remembered as that first copy (0). */
static int
link_or_remember (copy_ctx *c, int dfd, const char *name,
                  const struct stat *st, dxc_error **err)
{
  struct linked *v;
  for (size_t i = 0; i < c->n_links; i++)
    if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
      {
        if (linkat (c->top, c->links[i].path, dfd, name, 0) < 0)
          return dxc_error_errno (err, errno, "link %s%s", c->rel, name);
        return 1;
      }
  v = realloc (c->links, (c->n_links + 1) * sizeof *v);
  if (v == NULL)
    dxc_oom ();
  c->links = v;
  v[c->n_links].dev = st->st_dev;
  v[c->n_links].ino = st->st_ino;
  v[c->n_links].path = dxc_xasprintf ("%s%s", c->rel, name);
  c->n_links++;
  return 0;
}

/* fresh: dfd was just made, empty (nothing to hide, nothing to replace). */
static int
copy_dir (copy_ctx *c, int sfd, int dfd, bool fresh, dxc_error **err)
{
  bool layer = c->layer;
  cleanup_dir DIR *d = fdopendir (dup (sfd));
  struct dirent *de;

  if (d == NULL)
    return dxc_error_errno (err, errno, "opendir");
  if (layer && !fresh && apply_whiteouts (sfd, dfd, err) < 0)
    return -1;
  /* The dup shares sfd's offset, which a reader before us may have moved. */
  rewinddir (d);
  while ((de = readdir (d)))
    {
      struct stat st, dst;
      bool exists;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return dxc_error_errno (err, errno, "stat %s", de->d_name);
      /* Applied above (or, in a plain tree, nothing to copy). */
      if (is_whiteout (layer, de->d_name, &st))
        continue;
      exists = !fresh
               && fstatat (dfd, de->d_name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
      if (exists && !(S_ISDIR (st.st_mode) && S_ISDIR (dst.st_mode)))
        {
          if (dxc_rm_rf_at (dfd, de->d_name, err) < 0)
            return -1;
          exists = false;
        }
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int csfd = -1;
          cleanup_close int cdfd = -1;
          char opq[2];
          csfd = openat (sfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (csfd < 0)
            return dxc_error_errno (err, errno, "open %s", de->d_name);
          if (exists && fgetxattr (csfd, "trusted.overlay.opaque", opq, 2) == 1
              && opq[0] == 'y')
            {
              if (dxc_rm_rf_at (dfd, de->d_name, err) < 0)
                return -1;
              exists = false;
            }
          if (!exists && mkdirat (dfd, de->d_name, 0700) < 0)
            return dxc_error_errno (err, errno, "mkdir %s", de->d_name);
          cdfd = openat (dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (cdfd < 0)
            return dxc_error_errno (err, errno, "open %s", de->d_name);
          {
            size_t rl = strlen (c->rel);
            int r;
            if (rl + strlen (de->d_name) + 2 > sizeof c->rel)
              return dxc_error_errno (err, ENAMETOOLONG, "%s", de->d_name);
            snprintf (c->rel + rl, sizeof c->rel - rl, "%s/", de->d_name);
            r = copy_dir (c, csfd, cdfd, !exists, err);
            c->rel[rl] = '\0';
            if (r < 0)
              return dxc_error_prefix (err, "%s", de->d_name);
          }
          if (fchown (cdfd, st.st_uid, st.st_gid) < 0
              || fchmod (cdfd, st.st_mode & 07777) < 0)
            return dxc_error_errno (err, errno, "set owner and mode of %s",
                                    de->d_name);
          futimens (cdfd, (struct timespec[]){ st.st_atim, st.st_mtim });
        }
      else if (S_ISREG (st.st_mode))
        {
          int linked = st.st_nlink > 1
                           ? link_or_remember (c, dfd, de->d_name, &st, err)
                           : 0;
          if (linked < 0
              || (linked == 0 && copy_file (sfd, dfd, de->d_name, &st, err) < 0))
            return -1;
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t n = readlinkat (sfd, de->d_name, target, sizeof target - 1);
          if (n < 0)
            return dxc_error_errno (err, errno, "readlink %s", de->d_name);
          target[n] = '\0';
          if (symlinkat (target, dfd, de->d_name) < 0)
            return dxc_error_errno (err, errno, "symlink %s", de->d_name);
          if (!owned_as_made (&st))
            fchownat (dfd, de->d_name, st.st_uid, st.st_gid,
                      AT_SYMLINK_NOFOLLOW);
          utimensat (dfd, de->d_name,
                     (struct timespec[]){ st.st_atim, st.st_mtim },
                     AT_SYMLINK_NOFOLLOW);
        }
      else if (mknodat (dfd, de->d_name, st.st_mode, st.st_rdev) < 0
               || fchownat (dfd, de->d_name, st.st_uid, st.st_gid,
                            AT_SYMLINK_NOFOLLOW)
                      < 0)
        return dxc_error_errno (err, errno, "mknod %s", de->d_name);
    }
  return 0;
}

static void
restore_umask (mode_t *m)
{
  umask (*m);
}

int
dxc_copy_layer_into (const char *src, const char *dst, bool first,
                     dxc_error **err)
{
  cleanup_close int sfd = open (src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dfd = open (dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_ (restore_umask) mode_t old = umask (0);
  _cleanup_ (copy_ctx_clear) copy_ctx c = { .top = dfd, .layer = true };
  if (sfd < 0)
    return dxc_error_errno (err, errno, "open %s", src);
  if (dfd < 0)
    return dxc_error_errno (err, errno, "open %s", dst);
  return copy_dir (&c, sfd, dfd, first, err);
}

int
dxc_copy_tree_fd (int sfd, int dfd, dxc_error **err)
{
  _cleanup_ (restore_umask) mode_t old = umask (0);
  _cleanup_ (copy_ctx_clear) copy_ctx c = { .top = dfd, .layer = false };
  struct stat st;
  if (copy_dir (&c, sfd, dfd, false, err) < 0)
    return -1;
  /* The top directory takes the source's owner, mode and times too. */
  if (fstat (sfd, &st) < 0)
    return dxc_error_errno (err, errno, "stat");
  if (fchown (dfd, st.st_uid, st.st_gid) < 0
      || fchmod (dfd, st.st_mode & 07777) < 0)
    return dxc_error_errno (err, errno, "set owner and mode");
  futimens (dfd, (struct timespec[]){ st.st_atim, st.st_mtim });
  return 0;
}
