/* libFuzzer: a Docker seccomp profile (--security-opt seccomp=FILE), as
 * the engine translates it and the runtime compiles it. */
#include <jansson.h>
#include <stdint.h>

#include "engine/security-opts.h"
#include "runtime/seccomp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_t *caps = json_pack ("[s, s]", "CAP_CHOWN", "CAP_SYS_ADMIN");
  json_t *oci = NULL;
  dxc_error *err = NULL;
  if (dxc_seccomp_profile_to_oci ((const char *) data, size, caps, "amd64",
                                  "6.1.0", &oci, &err)
      == 0)
    {
      dxc_seccomp s;
      if (dxc_seccomp_compile (oci, &s, &err) == 0)
        dxc_seccomp_clear (&s);
      json_decref (oci);
    }
  dxc_error_free (err);
  json_decref (caps);
  return 0;
}
