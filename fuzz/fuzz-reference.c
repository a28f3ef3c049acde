/* libFuzzer: image references as Docker parses them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s = strndup ((const char *) data, size);
  dxc_ref r;
  dxc_error *err = NULL;
  if (s == NULL)
    return 0;
  if (dxc_ref_parse (s, &r, &err) == 0)
    dxc_ref_clear (&r);
  dxc_error_free (err);
  free (s);
  return 0;
}
