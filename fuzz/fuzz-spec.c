/* libFuzzer: the OCI runtime config parser (config.json of a bundle, and
 * linux.seccomp compiled with it). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_t *j = json_loadb ((const char *) data, size, 0, NULL);
  dxc_spec *s = NULL;
  dxc_error *err = NULL;
  if (j == NULL)
    return 0;
  if (dxc_spec_from_json (j, &s, &err) == 0)
    dxc_spec_free (s);
  dxc_error_free (err);
  json_decref (j);
  return 0;
}
