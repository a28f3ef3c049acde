/* Image archives, so that images move between machines without a
 * registry. save writes an OCI image layout plus Docker's manifest.json (the
 * format of docker save since Docker 25: docker load, podman load and OCI
 * tools all read it). load reads that, the older docker save format
 * (<id>/layer.tar) and OCI archives (skopeo's oci-archive:). */
#ifndef DXC_ARCHIVE_H
#define DXC_ARCHIVE_H

#include "image/store.h"

int dxc_image_save (const dxc_store *s, char *const *refs, const char *path,
                    dxc_error **err);
/* ret_loaded: a new NULL-terminated list of "name" or "sha256:ID" lines. */
int dxc_image_load (const dxc_store *s, const char *path, char ***ret_loaded,
                    dxc_error **err);

#endif
