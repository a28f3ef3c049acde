/* libarchive through dlopen: see libarchive.h. */
#define DXC_LIBARCHIVE_IMPL
#include "image/libarchive.h"
#include "util/dl.h"

struct dxc_la dxc_la;

int
dxc_archive_load (dxc_error **err)
{
  static const char *const sonames[] = { "libarchive.so.13", "libarchive.so", NULL };
  static const char *const names[] = {
#define DXC_LA_NAME(n) #n,
    DXC_LA_SYMBOLS (DXC_LA_NAME)
#undef DXC_LA_NAME
  };
  static int loaded;
  _Static_assert (sizeof (struct dxc_la) == sizeof names, "one pointer per name");
  return dxc_dl_load (sonames, names, (void **) &dxc_la,
                      sizeof names / sizeof names[0], &loaded, err);
}
