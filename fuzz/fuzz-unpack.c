/* libFuzzer: the layer extractor, fed a tar stream (as a pull or a load
 * feeds it after decompression) and writing into a fresh directory; nothing
 * may be written outside it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/libarchive.h"
#include "image/unpack.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char top[64];
  char dir[96];
  struct archive *a;
  dxc_error *err = NULL;
  int fd;

  if (top[0] == '\0')
    {
      snprintf (top, sizeof top, "/tmp/dxc-fuzz-unpack.XXXXXX");
      if (mkdtemp (top) == NULL || dxc_archive_load (NULL) < 0)
        abort ();
    }
  snprintf (dir, sizeof dir, "%s/layer", top);
  if (mkdir (dir, 0755) < 0)
    abort ();
  fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  a = archive_read_new ();
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (archive_read_open_memory (a, data, size) == ARCHIVE_OK)
    dxc_unpack_layer (a, fd, size % 2 ? DXC_UNPACK_WHITEOUT_FILES : 0, &err);
  archive_read_free (a);
  close (fd);
  dxc_error_free (err);
  if (dxc_rm_rf (dir, NULL) < 0)
    abort ();
  /* Anything beside the layer's directory escaped from it. */
  if (rmdir (top) < 0 || mkdir (top, 0700) < 0)
    abort ();
  return 0;
}
