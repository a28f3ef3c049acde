/* Layer copy for the "copy" storage driver: see copy.h. Hard links inside
 * a layer become separate files (a known limit of this driver). */
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

#include "util/copy.h"
#include "util/fs.h"

static int
copy_file (int sfd_dir, int dfd_dir, const char *name, const struct stat *st,
           dxc_error **err)
{
  cleanup_close int in = openat (sfd_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;
  off_t left = st->st_size;

  if (in < 0)
    return dxc_error_errno (err, errno, "open %s", name);
  out = openat (dfd_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0600);
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
  if (fchown (out, st->st_uid, st->st_gid) < 0
      || fchmod (out, st->st_mode & 07777) < 0)
    return dxc_error_errno (err, errno, "set owner and mode of %s", name);
  futimens (out, (struct timespec[]){ st->st_atim, st->st_mtim });
  return 0;
}

static int
copy_dir (int sfd, int dfd, dxc_error **err)
{
  cleanup_dir DIR *d = fdopendir (dup (sfd));
  struct dirent *de;

  if (d == NULL)
    return dxc_error_errno (err, errno, "opendir");
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
      exists = fstatat (dfd, de->d_name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
      /* A whiteout hides what the lower layers had. */
      if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
        {
          if (exists && dxc_rm_rf_at (dfd, de->d_name, err) < 0)
            return -1;
          continue;
        }
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
          if (copy_dir (csfd, cdfd, err) < 0)
            return dxc_error_prefix (err, "%s", de->d_name);
          if (fchown (cdfd, st.st_uid, st.st_gid) < 0
              || fchmod (cdfd, st.st_mode & 07777) < 0)
            return dxc_error_errno (err, errno, "set owner and mode of %s",
                                    de->d_name);
          futimens (cdfd, (struct timespec[]){ st.st_atim, st.st_mtim });
        }
      else if (S_ISREG (st.st_mode))
        {
          if (copy_file (sfd, dfd, de->d_name, &st, err) < 0)
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
          fchownat (dfd, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        }
      else if (mknodat (dfd, de->d_name, st.st_mode, st.st_rdev) < 0
               || fchownat (dfd, de->d_name, st.st_uid, st.st_gid,
                            AT_SYMLINK_NOFOLLOW)
                      < 0)
        return dxc_error_errno (err, errno, "mknod %s", de->d_name);
    }
  return 0;
}

int
dxc_copy_layer_into (const char *src, const char *dst, dxc_error **err)
{
  cleanup_close int sfd = open (src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dfd = open (dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sfd < 0)
    return dxc_error_errno (err, errno, "open %s", src);
  if (dfd < 0)
    return dxc_error_errno (err, errno, "open %s", dst);
  return copy_dir (sfd, dfd, err);
}

int
dxc_copy_tree_fd (int sfd, int dfd, dxc_error **err)
{
  struct stat st;
  if (copy_dir (sfd, dfd, err) < 0)
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
