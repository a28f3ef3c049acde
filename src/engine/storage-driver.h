/* The storage driver of a store: how a container's root is made from the
 * image's layers. "overlay" mounts the layers under an upper directory of
 * the container's own (the kernel's overlayfs); "copy" copies them into the
 * container's directory. A store on a file system where overlayfs cannot
 * take its upper directory (a store that is itself on an overlay, as in a
 * container: CI runners, Docker-in-Docker) needs copy.
 *
 * The choice is made on a store's first use, by a probe (an overlay mount of
 * empty directories inside the store, in a mount namespace of its own that
 * goes with the probe), and kept with the store in <root>/storage-driver, as
 * Docker keeps its own: the layers of a copy store keep their whiteouts as
 * the OCI files ".wh.NAME" (a 0:0 device or an xattr written on an overlay
 * would be taken by that overlay, not stored). */
#ifndef DXC_STORAGE_DRIVER_H
#define DXC_STORAGE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

typedef enum
{
  DXC_DRIVER_OVERLAY,
  DXC_DRIVER_COPY,
} dxc_driver;

const char *dxc_driver_name (dxc_driver d);
/* The file system dir is on, named as docker info names it ("extfs",
 * "overlayfs", "xfs", ...; "unknown"). */
const char *dxc_fs_name (const char *dir);

/* Can overlayfs mount with its upper directory on the file system of
 * base's parent? base (made, then removed) holds the probe's directories.
 * true, or false with the reason in why (the file system and the kernel's
 * error). */
bool dxc_overlay_probe (const char *base, char *why, size_t len);

/* The driver to use now (*ret) and the store's own (*ret_kept, which says
 * how its layers are unpacked): kept, or chosen now (*ret_note then says
 * which and why, to show the user; NULL otherwise). forced ("overlay",
 * "copy" or NULL) is --storage-driver: an overlay that cannot work is
 * refused with the cause and the fixes; a copy store cannot be used as
 * overlay (its layers keep their whiteouts for the copy driver), an overlay
 * store can be copied from. */
int dxc_storage_driver (const dxc_store *s, const char *forced,
                        dxc_driver *ret, dxc_driver *ret_kept,
                        char **ret_note, dxc_error **err);

#endif
