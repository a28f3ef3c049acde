/* Streaming decompression: see decompress.h. */
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "image/decompress.h"
#include "util/dl.h"

#define ISAL_SYMBOLS(X) X (isal_inflate_init) X (isal_inflate_reset) X (isal_inflate)
#define ZSTD_SYMBOLS(X)                                                        \
  X (ZSTD_createDStream) X (ZSTD_freeDStream) X (ZSTD_initDStream)             \
  X (ZSTD_decompressStream) X (ZSTD_isError) X (ZSTD_getErrorName)

static DXC_DL_TABLE (ISAL_SYMBOLS) isal;
static DXC_DL_TABLE (ZSTD_SYMBOLS) zstd;

int
dxc_compression_of_media_type (const char *mt)
{
  size_t n;
  if (mt == NULL)
    return -1;
  n = strlen (mt);
  if (strcmp (mt, "application/vnd.oci.image.layer.v1.tar") == 0
      || strcmp (mt, "application/vnd.docker.image.rootfs.diff.tar") == 0)
    return DXC_COMP_NONE;
  if ((n > 5 && strcmp (mt + n - 5, "+gzip") == 0)
      || (n > 5 && strcmp (mt + n - 5, ".gzip") == 0))
    return DXC_COMP_GZIP;
  if (n > 5 && strcmp (mt + n - 5, "+zstd") == 0)
    return DXC_COMP_ZSTD;
  return -1;
}

struct dxc_decomp
{
  dxc_compression kind;
  dxc_decomp_out out;
  void *user;
  struct inflate_state gz;
  ZSTD_DStream *zs;
  size_t zstd_hint; /* 0 once a frame ended */
  unsigned char buf[1 << 17];
};

dxc_decomp *
dxc_decomp_new (dxc_compression kind, dxc_decomp_out out, void *user,
                dxc_error **err)
{
  dxc_decomp *d;

  if (kind == DXC_COMP_GZIP
      && DXC_DL_LOAD (isal, ISAL_SYMBOLS, err, "libisal.so.2", "libisal.so")
             < 0)
    return NULL;
  if (kind == DXC_COMP_ZSTD
      && DXC_DL_LOAD (zstd, ZSTD_SYMBOLS, err, "libzstd.so.1", "libzstd.so")
             < 0)
    return NULL;
  d = calloc (1, sizeof *d);
  if (d == NULL)
    {
      dxc_error_new (err, "out of memory");
      return NULL;
    }
  d->kind = kind;
  d->out = out;
  d->user = user;
  if (kind == DXC_COMP_GZIP)
    {
      isal.isal_inflate_init (&d->gz);
      d->gz.crc_flag = ISAL_GZIP;
    }
  else if (kind == DXC_COMP_ZSTD)
    {
      d->zs = zstd.ZSTD_createDStream ();
      zstd.ZSTD_initDStream (d->zs);
      d->zstd_hint = 1;
    }
  return d;
}

static int
feed_gzip (dxc_decomp *d, const void *in, size_t len, dxc_error **err)
{
  d->gz.next_in = (uint8_t *) in;
  d->gz.avail_in = len;
  while (d->gz.avail_in > 0 || d->gz.block_state != ISAL_BLOCK_FINISH)
    {
      size_t produced;
      int r;
      /* A gzip stream may be several members one after the other. */
      if (d->gz.block_state == ISAL_BLOCK_FINISH)
        {
          uint8_t *next = d->gz.next_in;
          uint32_t avail = d->gz.avail_in;
          isal.isal_inflate_reset (&d->gz);
          d->gz.crc_flag = ISAL_GZIP;
          d->gz.next_in = next;
          d->gz.avail_in = avail;
        }
      d->gz.next_out = d->buf;
      d->gz.avail_out = sizeof d->buf;
      r = isal.isal_inflate (&d->gz);
      if (r < 0)
        return dxc_error_new (err, "gzip: corrupt data (igzip error %d)", r);
      produced = sizeof d->buf - d->gz.avail_out;
      if (produced && d->out (d->buf, produced, d->user) < 0)
        return -1;
      if (produced == 0 && d->gz.avail_in == 0)
        break;
    }
  return 0;
}

static int
feed_zstd (dxc_decomp *d, const void *in, size_t len, dxc_error **err)
{
  ZSTD_inBuffer ib = { in, len, 0 };
  ZSTD_outBuffer ob;
  /* zstd's own loop: go on while input is left or the output was full
     (the decoder may hold more); the last return value is 0 exactly when a
     frame ended and was flushed. */
  do
    {
      size_t r;
      ob = (ZSTD_outBuffer){ d->buf, sizeof d->buf, 0 };
      r = zstd.ZSTD_decompressStream (d->zs, &ob, &ib);
      if (zstd.ZSTD_isError (r))
        return dxc_error_new (err, "zstd: %s", zstd.ZSTD_getErrorName (r));
      d->zstd_hint = r;
      if (ob.pos && d->out (d->buf, ob.pos, d->user) < 0)
        return -1;
    }
  while (ib.pos < ib.size || ob.pos == ob.size);
  return 0;
}

int
dxc_decomp_feed (dxc_decomp *d, const void *in, size_t len, dxc_error **err)
{
  switch (d->kind)
    {
    case DXC_COMP_GZIP:
      return feed_gzip (d, in, len, err);
    case DXC_COMP_ZSTD:
      return feed_zstd (d, in, len, err);
    default:
      return d->out (in, len, d->user);
    }
}

int
dxc_decomp_finish (dxc_decomp *d, dxc_error **err)
{
  if (d->kind == DXC_COMP_GZIP && d->gz.block_state != ISAL_BLOCK_FINISH)
    return dxc_error_new (err, "gzip: the stream ends too early");
  if (d->kind == DXC_COMP_ZSTD && d->zstd_hint != 0)
    return dxc_error_new (err, "zstd: the stream ends too early");
  return 0;
}

void
dxc_decomp_free (dxc_decomp *d)
{
  if (d == NULL)
    return;
  if (d->zs)
    zstd.ZSTD_freeDStream (d->zs);
  free (d);
}
