/* libFuzzer: `load` of an image archive (docker save or OCI), into a store
 * of its own made again for every input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/store.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char top[64];
  char root[96], file[96];
  dxc_store *s = NULL;
  dxc_error *err = NULL;
  char **loaded = NULL;

  if (top[0] == '\0')
    {
      snprintf (top, sizeof top, "/tmp/dxc-fuzz-load.XXXXXX");
      if (mkdtemp (top) == NULL)
        abort ();
    }
  snprintf (root, sizeof root, "%s/store", top);
  snprintf (file, sizeof file, "%s/input.tar", top);
  if (dxc_write_file_atomic (file, data, size, 0600, 0, NULL) < 0
      || dxc_store_open (root, &s, NULL) < 0)
    abort ();
  if (dxc_image_load (s, file, &loaded, &err) == 0)
    {
      for (char **p = loaded; *p; p++)
        free (*p);
      free (loaded);
    }
  dxc_error_free (err);
  dxc_store_free (s);
  if (dxc_rm_rf (root, NULL) < 0)
    abort ();
  return 0;
}
