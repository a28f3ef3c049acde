/* The container's root file system, built in its own mount namespace:
 * propagation, the root mount, the spec's mounts (each target resolved inside
 * the root), device nodes, pivot_root (or MS_MOVE + chroot), then masked and
 * read-only paths. */
#ifndef DXC_ROOTFS_H
#define DXC_ROOTFS_H

#include <stdbool.h>

#include "cgroup.h"
#include "spec.h"

/* A mount to make at root.path before anything else, in the container's
 * own mount namespace (the engine's overlay): it vanishes with the
 * container, whatever happens to the runtime. */
typedef struct dxc_root_mount
{
  const char *type;
  const char *source;
  const char *data;
  /* Relative paths in data are taken from here (overlay options are
     limited to a page: many layers need short relative names). */
  const char *cwd;
} dxc_root_mount;

int dxc_rootfs_prepare (const dxc_spec *spec, const char *rootfs,
                        const dxc_root_mount *root_mount,
                        const dxc_cgroup *cgroup, dxc_error **err);
int dxc_rootfs_pivot (const char *rootfs, bool no_pivot, dxc_error **err);
int dxc_rootfs_finalize (const dxc_spec *spec, dxc_error **err);
int dxc_apply_sysctls (const dxc_spec *spec, dxc_error **err);

/* Remount the bind mount at path with flags (MS_RDONLY, MS_NOSUID, ...),
 * keeping the flags the mount below has locked (nosuid, nodev, noexec,
 * atime): a remount that leaves them out fails in some namespaces and
 * clears them in others. path must resolve to the mount itself. */
int dxc_remount_bind (const char *path, unsigned long flags, dxc_error **err);

#endif
