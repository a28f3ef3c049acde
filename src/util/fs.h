/* Files and directories: reading, atomic writing, recursive creation and
 * removal, and fd-relative access confined to a root (openat2). */
#ifndef DXC_FS_H
#define DXC_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum
{
  DXC_WRITE_SYNC = 1 << 0, /* fsync the file and its directory */
};

/* write(2) until all is written (EINTR and short writes handled). */
int dxc_write_all (int fd, const void *data, size_t len);
int dxc_mkdir_p (const char *path, mode_t mode, dxc_error **err);
int dxc_read_file (const char *path, char **ret_data, size_t *ret_len,
                   dxc_error **err);
int dxc_read_fd (int fd, char **ret_data, size_t *ret_len, dxc_error **err);
int dxc_read_file_at (int dirfd, const char *path, char **ret_data,
                      size_t *ret_len, dxc_error **err);
/* Write to a temporary file in the same directory, then rename over path:
 * readers see the old or the new content, never a part. */
int dxc_write_file_atomic (const char *path, const void *data, size_t len,
                           mode_t mode, int flags, dxc_error **err);
/* The same from parts written one after the other. */
struct iovec;
int dxc_write_file_atomicv (const char *path, const struct iovec *parts,
                            size_t n, mode_t mode, int flags,
                            dxc_error **err);
int dxc_write_file (const char *path, const char *data, dxc_error **err);
/* Remove path and everything below it; never follows symlinks and never
 * descends into another file system (a leaked mount is an error, not data
 * to delete). Missing path is not an error. */
int dxc_rm_rf (const char *path, dxc_error **err);
int dxc_rm_rf_at (int dirfd, const char *name, dxc_error **err);

/* openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: every symlink is
 * resolved as if rootfd were "/", so nothing reached leaves the root. */
int dxc_openat_in_root (int rootfd, const char *path, int flags, mode_t mode);
/* Create the directories of path inside the root (symlinks in the path are
 * followed, confined to the root); returns an O_PATH fd of the last one. */
int dxc_mkdir_p_in_root (int rootfd, const char *path, mode_t mode,
                         dxc_error **err);
/* Make sure path exists inside the root as a directory (is_dir) or as a
 * file; returns an O_PATH fd of it, for use as /proc/self/fd/N. */
int dxc_ensure_in_root (int rootfd, const char *path, bool is_dir,
                        dxc_error **err);

bool dxc_path_exists (const char *path);
/* Close every fd from 3 up but those in keep (at most 16; negative ones
 * ignored): what a process inherited and must not hold. -errno on error. */
int dxc_close_fds_except (const int *keep, size_t n_keep);
/* "/a/b/c" -> "/a/b" into a new string; "c" -> "." */
char *dxc_dirname (const char *path);

#endif
