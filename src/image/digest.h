/* SHA-256 of streams (OpenSSL, SHA-NI where the CPU has it), as OCI
 * digests "sha256:<hex>". */
#ifndef DXC_DIGEST_H
#define DXC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef struct dxc_sha256 dxc_sha256;

/* Load libcrypto (on first use: see util/dl.h). dxc_sha256_new() does it
 * too, and returns NULL if it cannot. */
int dxc_digest_load (dxc_error **err);

dxc_sha256 *dxc_sha256_new (void);
void dxc_sha256_update (dxc_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<64 hex>" (72 bytes with the NUL) and frees h. */
void dxc_sha256_final (dxc_sha256 *h, char out[72]);
void dxc_sha256_free (dxc_sha256 *h);
void dxc_sha256_buffer (const void *data, size_t len, char out[72]);
/* "sha256:" followed by 64 lowercase hex digits. */
bool dxc_digest_is_valid (const char *digest);

#endif
