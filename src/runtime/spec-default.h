/* The default spec: what Docker gives a container unless told otherwise
 * (mounts, capability set, masked and read-only paths, namespaces). Used by
 * `devoxx-runtime spec` and as the engine's starting point. */
#ifndef DXC_SPEC_DEFAULT_H
#define DXC_SPEC_DEFAULT_H

#include <jansson.h>

/* Docker's default capability set, by name, NULL-terminated. */
extern const char *const dxc_default_caps[];

/* A new spec document: rootfs "rootfs", args ["sh"], no terminal. */
json_t *dxc_spec_default (void);

#endif
