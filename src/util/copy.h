/* Copying a directory tree, for the "copy" storage driver (no overlayfs):
 * layers are copied bottom first into one directory, and overlay whiteouts
 * (0:0 character devices) and opaque directories are applied on the way. */
#ifndef DXC_COPY_H
#define DXC_COPY_H

#include "util/error.h"

int dxc_copy_layer_into (const char *src, const char *dst, dxc_error **err);

/* Copy the tree below the directory sfd into the directory dfd, and the
 * owner, mode and times of sfd onto dfd (a volume's copy-up). */
int dxc_copy_tree_fd (int sfd, int dfd, dxc_error **err);

#endif
