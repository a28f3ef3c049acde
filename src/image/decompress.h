/* Streaming decompression of layers: gzip with ISA-L's igzip (about 3.5
 * times zlib's speed here), zstd with libzstd; both loaded on first use. */
#ifndef DXC_DECOMPRESS_H
#define DXC_DECOMPRESS_H

#include <stddef.h>

#include "util/error.h"

typedef enum
{
  DXC_COMP_NONE,
  DXC_COMP_GZIP,
  DXC_COMP_ZSTD,
} dxc_compression;

/* From an OCI or Docker layer media type; -1 if not a layer type we take. */
int dxc_compression_of_media_type (const char *media_type);

typedef int (*dxc_decomp_out) (const void *data, size_t len, void *user);
typedef struct dxc_decomp dxc_decomp;

dxc_decomp *dxc_decomp_new (dxc_compression kind, dxc_decomp_out out,
                            void *user, dxc_error **err);
/* Feed compressed bytes; out() gets the decompressed ones. */
int dxc_decomp_feed (dxc_decomp *d, const void *in, size_t len,
                     dxc_error **err);
/* The stream must have ended cleanly. */
int dxc_decomp_finish (dxc_decomp *d, dxc_error **err);
void dxc_decomp_free (dxc_decomp *d);

#endif
