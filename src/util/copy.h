/* Copying a directory tree, for the "copy" storage driver (no overlayfs):
 * layers are copied bottom first into one directory, and each layer's
 * whiteouts and opaque directories are applied before its files, in either
 * form: the OCI files ".wh.NAME" and ".wh..wh..opq" (a copy store's
 * layers) or overlayfs's 0:0 character devices and trusted.overlay.opaque
 * (an overlay store's). Hard links within a layer stay hard links. */
#ifndef DXC_COPY_H
#define DXC_COPY_H

#include <stdbool.h>

#include "util/error.h"

/* first: dst is empty (the bottom layer): nothing to compare or hide. */
int dxc_copy_layer_into (const char *src, const char *dst, bool first,
                         dxc_error **err);

/* Copy the tree below the directory sfd into the directory dfd, and the
 * owner, mode and times of sfd onto dfd (a volume's copy-up). */
int dxc_copy_tree_fd (int sfd, int dfd, dxc_error **err);

#endif
