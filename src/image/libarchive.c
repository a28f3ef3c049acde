/* libarchive through dlopen: see libarchive.h. */
#define DXC_LIBARCHIVE_IMPL
#include "image/libarchive.h"
#include "util/dl.h"

struct dxc_la dxc_la;

int
dxc_archive_load (dxc_error **err)
{
  return DXC_DL_LOAD (dxc_la, DXC_LA_SYMBOLS, err, "libarchive.so.13",
                      "libarchive.so");
}
