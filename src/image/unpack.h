/* Layer extraction: a tar stream (already decompressed) written into a
 * layer directory, entry by entry, with every path resolved inside the
 * layer (openat2 RESOLVE_IN_ROOT): "..", absolute paths, symlinks from
 * earlier entries and hard links cannot write outside it. Whiteouts become
 * overlayfs whiteouts (0:0 character devices) and opaque directories get
 * trusted.overlay.opaque=y. */
#ifndef DXC_UNPACK_H
#define DXC_UNPACK_H

#include "image/libarchive.h"

#include "util/error.h"

int dxc_unpack_layer (struct archive *a, int layer_dirfd, dxc_error **err);
/* Clean a tar entry path: strip "./" and leading "/", fold "//"; refuse
 * ".." components. Returns NULL for a path that escapes. "" is the root. */
char *dxc_unpack_clean_path (const char *path);

#endif
