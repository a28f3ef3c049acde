/* Layer extraction: see unpack.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "unpack.h"
#include "util/fs.h"

char *
dxc_unpack_clean_path (const char *path)
{
  char *out = malloc (strlen (path) + 1);
  size_t n = 0;
  const char *p = path;

  if (out == NULL)
    return NULL;
  while (*p)
    {
      const char *e;
      size_t len;
      while (*p == '/')
        p++;
      e = strchrnul (p, '/');
      len = e - p;
      if (len == 0 || (len == 1 && p[0] == '.'))
        ;
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          free (out);
          return NULL;
        }
      else
        {
          if (n)
            out[n++] = '/';
          memcpy (out + n, p, len);
          n += len;
        }
      p = e;
    }
  out[n] = '\0';
  return out;
}

typedef struct dir_time
{
  char *path;
  struct timespec ts[2];
} dir_time;

typedef struct unpack_ctx
{
  int root;
  char *parent_path; /* cached: the parent of the previous entry */
  int parent_fd;     /* an O_RDONLY fd of it */
  dir_time *dirs;
  size_t n_dirs, cap_dirs;
  unsigned flags;
} unpack_ctx;

static void
unpack_ctx_clear (unpack_ctx *c)
{
  for (size_t i = 0; i < c->n_dirs; i++)
    free (c->dirs[i].path);
  free (c->dirs);
  free (c->parent_path);
  if (c->parent_fd >= 0)
    close (c->parent_fd);
}

static void
restore_umask (mode_t *m)
{
  umask (*m);
}

static int
get_parent (unpack_ctx *c, const char *parent, dxc_error **err)
{
  int pfd;
  if (c->parent_path && strcmp (c->parent_path, parent) == 0)
    return c->parent_fd;
  pfd = dxc_mkdir_p_in_root (c->root, parent, 0755, err);
  if (pfd < 0)
    return -1;
  {
    int fd = openat (pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close (pfd);
    if (fd < 0)
      return dxc_error_errno (err, errno, "open %s", parent);
    if (c->parent_fd >= 0)
      close (c->parent_fd);
    free (c->parent_path);
    c->parent_fd = fd;
    c->parent_path = strdup (parent);
  }
  return c->parent_fd;
}

/* Remove whatever stands at name, so the entry can take its place; a
   directory stays when the entry is a directory too. */
static int
clear_place (int pfd, const char *name, bool keep_dir, dxc_error **err)
{
  struct stat st;
  if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : dxc_error_errno (err, errno, "stat %s", name);
  if (S_ISDIR (st.st_mode))
    return keep_dir ? 1 : dxc_rm_rf_at (pfd, name, err);
  if (unlinkat (pfd, name, 0) < 0 && errno != ENOENT)
    return dxc_error_errno (err, errno, "unlink %s", name);
  return 0;
}

static int
write_data (struct archive *a, int fd, const char *path, dxc_error **err)
{
  const void *buf;
  size_t size;
  la_int64_t off;
  int r;

  while ((r = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
    {
      const char *p = buf;
      while (size > 0)
        {
          ssize_t w = pwrite (fd, p, size, off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return dxc_error_errno (err, errno, "write %s", path);
          p += w;
          off += w;
          size -= w;
        }
    }
  if (r != ARCHIVE_EOF)
    return dxc_error_new (err, "read %s from the layer: %s", path,
                          archive_error_string (a));
  return 0;
}

static void
set_xattrs (struct archive_entry *e, int fd)
{
  const char *name;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (e) == 0)
    return;
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      /* overlayfs reads its own attributes: a layer must not forge them. */
      if (strncmp (name, "trusted.overlay.", 16) == 0)
        continue;
      fsetxattr (fd, name, value, size, 0);
    }
}

static int
set_owner_mode (int fd, struct archive_entry *e, const char *path,
                dxc_error **err)
{
  uid_t uid = archive_entry_uid (e);
  gid_t gid = archive_entry_gid (e);
  mode_t mode = archive_entry_perm (e);

  /* Files are created by root, so 0:0 needs no chown; a chown clears the
     set-id bits, so the mode is set after it. */
  if ((uid || gid) && fchown (fd, uid, gid) < 0)
    return dxc_error_errno (err, errno, "chown %s", path);
  if (fchmod (fd, mode) < 0)
    return dxc_error_errno (err, errno, "chmod %s", path);
  return 0;
}

static int
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[0].tv_sec = archive_entry_atime_is_set (e) ? archive_entry_atime (e)
                                                : archive_entry_mtime (e);
  ts[0].tv_nsec = archive_entry_atime_is_set (e) ? archive_entry_atime_nsec (e)
                                                 : archive_entry_mtime_nsec (e);
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  return 0;
}

static int
extract_entry (unpack_ctx *c, struct archive *a, struct archive_entry *e,
               const char *path, dxc_error **err)
{
  cleanup_free char *parent = NULL;
  const char *base;
  mode_t type = archive_entry_filetype (e);
  const char *hardlink = archive_entry_hardlink (e);
  struct timespec ts[2];
  int pfd;

  entry_times (e, ts);
  if (*path == '\0')
    {
      /* The layer root itself: only its mode and times. */
      if (type == AE_IFDIR)
        {
          cleanup_close int fd
              = openat (c->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fd >= 0 && set_owner_mode (fd, e, "/", err) < 0)
            return -1;
        }
      return 0;
    }
  parent = dxc_dirname (path);
  base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  pfd = get_parent (c, parent, err);
  if (pfd < 0)
    return dxc_error_prefix (err, "layer entry %s", path);

  /* Whiteouts: the OCI layer form to the overlayfs form, or kept. */
  if (strncmp (base, ".wh.", 4) == 0)
    {
      bool opaque = strcmp (base, ".wh..wh..opq") == 0;
      if (!opaque
          && (base[4] == '\0' || strcmp (base + 4, ".") == 0
              || strcmp (base + 4, "..") == 0))
        return dxc_error_new (err, "layer entry %s: invalid whiteout", path);
      if (c->flags & DXC_UNPACK_WHITEOUT_FILES)
        {
          cleanup_close int fd = -1;
          if (clear_place (pfd, base, false, err) < 0)
            return -1;
          fd = openat (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                      | O_CLOEXEC, 0600);
          if (fd < 0)
            return dxc_error_errno (err, errno, "layer entry %s: whiteout",
                                    path);
          return 0;
        }
      if (opaque)
        {
          if (fsetxattr (pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
            return dxc_error_errno (err, errno, "layer entry %s: mark %s "
                                    "opaque", path, parent);
          return 0;
        }
      if (clear_place (pfd, base + 4, false, err) < 0)
        return -1;
      if (mknodat (pfd, base + 4, S_IFCHR | 0, makedev (0, 0)) < 0)
        return dxc_error_errno (err, errno, "layer entry %s: whiteout", path);
      return 0;
    }

  if (hardlink)
    {
      cleanup_free char *target = dxc_unpack_clean_path (hardlink);
      cleanup_free char *tdir = NULL;
      cleanup_close int tfd = -1;
      const char *tbase;
      if (target == NULL || *target == '\0')
        return dxc_error_new (err, "layer entry %s: hard link to %s escapes "
                              "the layer", path, hardlink);
      tdir = dxc_dirname (target);
      tbase = strrchr (target, '/') ? strrchr (target, '/') + 1 : target;
      tfd = dxc_openat_in_root (c->root, tdir, O_PATH | O_DIRECTORY, 0);
      if (tfd < 0)
        return dxc_error_errno (err, errno, "layer entry %s: hard link "
                                "target %s", path, hardlink);
      if (clear_place (pfd, base, false, err) < 0)
        return -1;
      if (linkat (tfd, tbase, pfd, base, 0) < 0)
        return dxc_error_errno (err, errno, "layer entry %s: hard link to %s",
                                path, hardlink);
      return 0;
    }

  switch (type)
    {
    case AE_IFDIR:
      {
        cleanup_close int fd = -1;
        int r = clear_place (pfd, base, true, err);
        if (r < 0)
          return -1;
        if (r == 0 && mkdirat (pfd, base, 0700) < 0)
          return dxc_error_errno (err, errno, "mkdir %s", path);
        fd = openat (pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return dxc_error_errno (err, errno, "open %s", path);
        if (set_owner_mode (fd, e, path, err) < 0)
          return -1;
        set_xattrs (e, fd);
        if (c->n_dirs == c->cap_dirs)
          {
            c->cap_dirs = c->cap_dirs ? c->cap_dirs * 2 : 64;
            c->dirs = realloc (c->dirs, c->cap_dirs * sizeof (dir_time));
          }
        c->dirs[c->n_dirs].path = strdup (path);
        memcpy (c->dirs[c->n_dirs].ts, ts, sizeof ts);
        c->n_dirs++;
        return 0;
      }
    case AE_IFREG:
      {
        cleanup_close int fd = -1;
        if (clear_place (pfd, base, false, err) < 0)
          return -1;
        fd = openat (pfd, base,
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
          return dxc_error_errno (err, errno, "create %s", path);
        if (write_data (a, fd, path, err) < 0)
          return -1;
        if (archive_entry_size_is_set (e)
            && ftruncate (fd, archive_entry_size (e)) < 0)
          return dxc_error_errno (err, errno, "truncate %s", path);
        if (set_owner_mode (fd, e, path, err) < 0)
          return -1;
        set_xattrs (e, fd);
        if (futimens (fd, ts) < 0)
          return dxc_error_errno (err, errno, "set times of %s", path);
        return 0;
      }
    case AE_IFLNK:
      if (clear_place (pfd, base, false, err) < 0)
        return -1;
      if (symlinkat (archive_entry_symlink (e) ? archive_entry_symlink (e) : "",
                     pfd, base)
          < 0)
        return dxc_error_errno (err, errno, "symlink %s", path);
      if ((archive_entry_uid (e) || archive_entry_gid (e))
          && fchownat (pfd, base, archive_entry_uid (e), archive_entry_gid (e),
                       AT_SYMLINK_NOFOLLOW)
                 < 0)
        return dxc_error_errno (err, errno, "chown %s", path);
      utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW);
      return 0;
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (clear_place (pfd, base, false, err) < 0)
        return -1;
      if (mknodat (pfd, base, type | archive_entry_perm (e),
                   archive_entry_rdev (e))
          < 0)
        return dxc_error_errno (err, errno, "mknod %s", path);
      if (fchownat (pfd, base, archive_entry_uid (e), archive_entry_gid (e),
                    AT_SYMLINK_NOFOLLOW)
              < 0
          || fchmodat (pfd, base, archive_entry_perm (e), 0) < 0)
        return dxc_error_errno (err, errno, "set owner and mode of %s", path);
      utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW);
      return 0;
    default:
      /* Sockets have no place in a layer. */
      return 0;
    }
}

int
dxc_unpack_layer (struct archive *a, int layer_dirfd, unsigned flags,
                  dxc_error **err)
{
  _cleanup_ (unpack_ctx_clear) unpack_ctx c = { .root = layer_dirfd,
                                                .parent_fd = -1,
                                                .flags = flags };
  _cleanup_ (restore_umask) mode_t old_umask = umask (0);
  struct archive_entry *e;
  int r;

  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK
         || r == ARCHIVE_WARN)
    {
      cleanup_free char *path = dxc_unpack_clean_path (archive_entry_pathname (e));
      if (path == NULL)
        return dxc_error_new (err, "layer entry %s escapes the layer (a "
                              "\"..\" component): refused",
                              archive_entry_pathname (e));
      if (extract_entry (&c, a, e, path, err) < 0)
        return -1;
    }
  if (r != ARCHIVE_EOF)
    return dxc_error_new (err, "read layer: %s", archive_error_string (a));
  /* Directory times last: every entry written into a directory changed
     its mtime. */
  for (size_t i = c.n_dirs; i-- > 0;)
    {
      cleanup_close int fd = dxc_openat_in_root (
          layer_dirfd, c.dirs[i].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
      if (fd >= 0)
        futimens (fd, c.dirs[i].ts);
    }
  return 0;
}
