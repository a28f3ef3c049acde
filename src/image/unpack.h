/* Layer extraction: a tar stream (already decompressed) written into a
 * layer directory, entry by entry, with every path resolved inside the
 * layer (openat2 RESOLVE_IN_ROOT): "..", absolute paths, symlinks from
 * earlier entries and hard links cannot write outside it. Whiteouts become
 * overlayfs whiteouts (0:0 character devices) and opaque directories get
 * trusted.overlay.opaque=y; with DXC_UNPACK_WHITEOUT_FILES they stay the
 * OCI files ".wh.NAME" and ".wh..wh..opq" (empty), which any file system
 * keeps (an overlay takes a 0:0 device written on it as its own whiteout),
 * for the copy driver to apply (util/copy.c). */
#ifndef DXC_UNPACK_H
#define DXC_UNPACK_H

#include "image/libarchive.h"

#include "util/error.h"

enum
{
  DXC_UNPACK_WHITEOUT_FILES = 1 << 0,
};
int dxc_unpack_layer (struct archive *a, int layer_dirfd, unsigned flags,
                      dxc_error **err);
/* Clean a tar entry path: strip "./" and leading "/", fold "//"; refuse
 * ".." components. Returns NULL for a path that escapes. "" is the root. */
char *dxc_unpack_clean_path (const char *path);

#endif
