/* Files and directories: see fs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"

int
dxc_mkdir_p (const char *path, mode_t mode, dxc_error **err)
{
  cleanup_free char *copy = NULL;
  char *p;

  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return dxc_error_errno (err, errno, "mkdir %s", path);
  copy = strdup (path);
  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "mkdir %s", path);
  for (p = copy + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return dxc_error_errno (err, errno, "mkdir %s", copy);
      *p = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return dxc_error_errno (err, errno, "mkdir %s", copy);
  return 0;
}

int
dxc_read_fd (int fd, char **ret_data, size_t *ret_len, dxc_error **err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;
  struct stat st;

  /* A regular file in one buffer of its size (and room to see its end):
     no copy on the way. */
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
      && (uint64_t) st.st_size < SIZE_MAX / 2)
    {
      cap = (size_t) st.st_size + 4096;
      buf = malloc (cap + 1);
      if (buf == NULL)
        return dxc_error_errno (err, ENOMEM, "read");
    }
  for (;;)
    {
      ssize_t n;
      if (cap - len < 4096)
        {
          char *nbuf;
          cap = cap ? cap * 2 : 8192;
          nbuf = realloc (buf, cap + 1);
          if (nbuf == NULL)
            return dxc_error_errno (err, ENOMEM, "read");
          buf = nbuf;
        }
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return dxc_error_errno (err, errno, "read");
      if (n == 0)
        break;
      len += n;
    }
  buf[len] = '\0';
  *ret_data = take_ptr (buf);
  if (ret_len)
    *ret_len = len;
  return 0;
}

int
dxc_read_file_at (int dirfd, const char *path, char **ret_data,
                  size_t *ret_len, dxc_error **err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", path);
  if (dxc_read_fd (fd, ret_data, ret_len, err) < 0)
    return dxc_error_prefix (err, "%s", path);
  return 0;
}

int
dxc_read_file (const char *path, char **ret_data, size_t *ret_len,
               dxc_error **err)
{
  return dxc_read_file_at (AT_FDCWD, path, ret_data, ret_len, err);
}

int
dxc_write_all (int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      p += n;
      len -= n;
    }
  return 0;
}

int
dxc_write_file_atomic (const char *path, const void *data, size_t len,
                       mode_t mode, int flags, dxc_error **err)
{
  struct iovec one = { (void *) data, len };
  return dxc_write_file_atomicv (path, &one, 1, mode, flags, err);
}

int
dxc_write_file_atomicv (const char *path, const struct iovec *parts,
                        size_t n, mode_t mode, int flags, dxc_error **err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;
  bool failed = false;

  if (asprintf (&tmp, "%s.tmp-%d", path, getpid ()) < 0)
    return dxc_error_errno (err, ENOMEM, "write %s", path);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return dxc_error_errno (err, errno, "create %s", tmp);
  for (size_t i = 0; i < n && !failed; i++)
    failed = dxc_write_all (fd, parts[i].iov_base, parts[i].iov_len) < 0;
  if (failed || ((flags & DXC_WRITE_SYNC) && fdatasync (fd) < 0))
    {
      int saved = errno;
      unlink (tmp);
      return dxc_error_errno (err, saved, "write %s", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return dxc_error_errno (err, saved, "rename %s", path);
    }
  if (flags & DXC_WRITE_SYNC)
    {
      cleanup_free char *dir = dxc_dirname (path);
      cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0)
        fsync (dfd);
    }
  return 0;
}

int
dxc_write_file (const char *path, const char *data, dxc_error **err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", path);
  if (dxc_write_all (fd, data, strlen (data)) < 0)
    return dxc_error_errno (err, errno, "write %s", path);
  return 0;
}

static int
rm_rf_fd (int dfd, dev_t dev, const char *what, dxc_error **err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;

  if (d == NULL)
    {
      close (dfd);
      return dxc_error_errno (err, errno, "opendir %s", what);
    }
  while ((de = readdir (d)))
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue;
          return dxc_error_errno (err, errno, "stat %s/%s", what,
                                  de->d_name);
        }
      if (S_ISDIR (st.st_mode))
        {
          int cfd;
          if (st.st_dev != dev)
            return dxc_error_errno (err, EBUSY, "remove %s/%s: a mount is "
                                    "still there", what, de->d_name);
          cfd = openat (dirfd (d), de->d_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (cfd < 0)
            return dxc_error_errno (err, errno, "open %s/%s", what,
                                    de->d_name);
          if (rm_rf_fd (cfd, dev, what, err) < 0)
            return -1;
          if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0
              && errno != ENOENT)
            return dxc_error_errno (err, errno, "rmdir %s/%s", what,
                                    de->d_name);
        }
      else if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        return dxc_error_errno (err, errno, "unlink %s/%s", what, de->d_name);
    }
  return 0;
}

int
dxc_rm_rf_at (int dirfd, const char *name, dxc_error **err)
{
  struct stat st;
  int fd;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return dxc_error_errno (err, errno, "stat %s", name);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
        return dxc_error_errno (err, errno, "unlink %s", name);
      return 0;
    }
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", name);
  if (rm_rf_fd (fd, st.st_dev, name, err) < 0)
    return -1;
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return dxc_error_errno (err, errno, "rmdir %s", name);
  return 0;
}

int
dxc_rm_rf (const char *path, dxc_error **err)
{
  return dxc_rm_rf_at (AT_FDCWD, path, err);
}

int
dxc_openat_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .mode = (flags & O_CREAT) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  return syscall (SYS_openat2, rootfd, path, &how, sizeof (how));
}

static int
mkdir_p_in_root (int rootfd, const char *path, mode_t mode, int depth,
                 dxc_error **err)
{
  cleanup_free char *copy = strdup (path);
  cleanup_close int parent = -1;
  char *p, *comp;
  int r;

  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "mkdir %s", path);
  /* Fast path: it is already there. */
  parent = dxc_openat_in_root (rootfd, copy, O_PATH | O_DIRECTORY, 0);
  if (parent >= 0)
    return take_fd (parent);

  parent = dxc_openat_in_root (rootfd, "/", O_PATH | O_DIRECTORY, 0);
  if (parent < 0)
    return dxc_error_errno (err, errno, "open root");
  p = copy;
  while (*p == '/')
    p++;
  comp = p;
  while (*comp)
    {
      int fd;
      char *end = strchrnul (comp, '/');
      char saved = *end;

      *end = '\0';
      /* Resolve the whole prefix from the root each time: a symlink met on
         the way is resolved relative to the container root, not the host. */
      fd = dxc_openat_in_root (rootfd, copy, O_PATH | O_DIRECTORY, 0);
      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (parent, comp, mode) < 0 && errno != EEXIST)
            return dxc_error_errno (err, errno, "mkdir %s", copy);
          fd = dxc_openat_in_root (rootfd, copy, O_PATH | O_DIRECTORY, 0);
        }
      if (fd < 0 && errno == ENOENT)
        {
          /* A symlink to a place that does not exist yet: create that
             place, inside the root, as runc does. */
          char target[PATH_MAX];
          cleanup_free char *next = NULL;
          ssize_t n = readlinkat (parent, comp, target, sizeof target - 1);
          if (n > 0 && depth < 40)
            {
              /* What is left of the path after this component. */
              const char *rest = saved ? end + 1 : "";
              target[n] = '\0';
              if (target[0] == '/')
                r = asprintf (&next, "%s/%s", target, rest);
              else
                r = asprintf (&next, "%.*s%s/%s", (int) (comp - copy), copy,
                              target, rest);
              if (r < 0)
                return dxc_error_errno (err, ENOMEM, "mkdir %s", path);
              return mkdir_p_in_root (rootfd, next, mode, depth + 1, err);
            }
        }
      if (fd < 0)
        return dxc_error_errno (err, errno, "open %s", copy);
      close (parent);
      parent = fd;
      *end = saved;
      comp = end;
      while (*comp == '/')
        comp++;
    }
  return take_fd (parent);
}

int
dxc_mkdir_p_in_root (int rootfd, const char *path, mode_t mode,
                     dxc_error **err)
{
  return mkdir_p_in_root (rootfd, path, mode, 0, err);
}

int
dxc_ensure_in_root (int rootfd, const char *path, bool is_dir,
                    dxc_error **err)
{
  cleanup_free char *dir = NULL;
  cleanup_close int dfd = -1;
  const char *base;
  int fd;

  if (is_dir)
    return dxc_mkdir_p_in_root (rootfd, path, 0755, err);

  fd = dxc_openat_in_root (rootfd, path, O_PATH, 0);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return dxc_error_errno (err, errno, "open %s", path);
  dir = dxc_dirname (path);
  base = strrchr (path, '/');
  base = base ? base + 1 : path;
  dfd = dxc_mkdir_p_in_root (rootfd, dir, 0755, err);
  if (dfd < 0)
    return -1;
  {
    /* O_PATH dirfds cannot be used to create files: reopen the directory. */
    cleanup_close int wdfd
        = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int cfd = -1;
    if (wdfd < 0)
      return dxc_error_errno (err, errno, "open %s", dir);
    cfd = openat (wdfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                  0644);
    if (cfd < 0 && errno != EEXIST && errno != ELOOP)
      return dxc_error_errno (err, errno, "create %s", path);
  }
  fd = dxc_openat_in_root (rootfd, path, O_PATH, 0);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", path);
  return fd;
}

bool
dxc_path_exists (const char *path)
{
  return access (path, F_OK) == 0;
}

char *
dxc_dirname (const char *path)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    return strdup (".");
  if (slash == path)
    return strdup ("/");
  return strndup (path, slash - path);
}

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

int
dxc_close_fds_except (const int *keep, size_t n_keep)
{
  int sorted[16];
  unsigned lo = 3;

  if (n_keep > sizeof sorted / sizeof sorted[0])
    return -EINVAL;
  memcpy (sorted, keep, n_keep * sizeof (int));
  qsort (sorted, n_keep, sizeof (int), cmp_int);
  for (size_t i = 0; i <= n_keep; i++)
    {
      /* The gap below the next fd to keep (or up to the last fd). */
      unsigned hi = i < n_keep ? (unsigned) sorted[i] : ~0U;
      if (i < n_keep && (sorted[i] < (int) lo))
        continue;
      if (hi > lo && syscall (SYS_close_range, lo, hi - 1, 0) < 0)
        return -errno;
      if (i < n_keep)
        lo = (unsigned) sorted[i] + 1;
    }
  return 0;
}
