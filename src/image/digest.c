/* SHA-256 digests: see digest.h. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "util/dl.h"

/* libcrypto through dlopen (see util/dl.h): the names are OpenSSL's. */
#define CRYPTO_SYMBOLS(X)                                                      \
  X (EVP_MD_CTX_new)                                                           \
  X (EVP_MD_CTX_free)                                                          \
  X (EVP_DigestInit_ex)                                                        \
  X (EVP_DigestUpdate)                                                         \
  X (EVP_DigestFinal_ex)                                                       \
  X (EVP_sha256)

static DXC_DL_TABLE (CRYPTO_SYMBOLS) crypto;

int
dxc_digest_load (dxc_error **err)
{
  return DXC_DL_LOAD (crypto, CRYPTO_SYMBOLS, err, "libcrypto.so.3",
                      "libcrypto.so");
}

#define EVP_MD_CTX_new crypto.EVP_MD_CTX_new
#define EVP_MD_CTX_free crypto.EVP_MD_CTX_free
#define EVP_DigestInit_ex crypto.EVP_DigestInit_ex
#define EVP_DigestUpdate crypto.EVP_DigestUpdate
#define EVP_DigestFinal_ex crypto.EVP_DigestFinal_ex
#define EVP_sha256 crypto.EVP_sha256

struct dxc_sha256
{
  EVP_MD_CTX *ctx;
};

dxc_sha256 *
dxc_sha256_new (void)
{
  dxc_sha256 *h;
  if (dxc_digest_load (NULL) < 0)
    return NULL;
  h = calloc (1, sizeof *h);
  if (h == NULL)
    return NULL;
  h->ctx = EVP_MD_CTX_new ();
  if (h->ctx == NULL || EVP_DigestInit_ex (h->ctx, EVP_sha256 (), NULL) != 1)
    {
      dxc_sha256_free (h);
      return NULL;
    }
  return h;
}

void
dxc_sha256_update (dxc_sha256 *h, const void *data, size_t len)
{
  EVP_DigestUpdate (h->ctx, data, len);
}

void
dxc_sha256_final (dxc_sha256 *h, char out[72])
{
  unsigned char md[32];
  unsigned int n = 0;
  EVP_DigestFinal_ex (h->ctx, md, &n);
  memcpy (out, "sha256:", 7);
  for (int i = 0; i < 32; i++)
    sprintf (out + 7 + 2 * i, "%02x", md[i]);
  dxc_sha256_free (h);
}

void
dxc_sha256_free (dxc_sha256 *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free (h->ctx);
  free (h);
}

void
dxc_sha256_buffer (const void *data, size_t len, char out[72])
{
  dxc_sha256 *h = dxc_sha256_new ();
  dxc_sha256_update (h, data, len);
  dxc_sha256_final (h, out);
}

bool
dxc_digest_is_valid (const char *d)
{
  if (strncmp (d, "sha256:", 7) != 0 || strlen (d) != 71)
    return false;
  for (int i = 7; i < 71; i++)
    if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
      return false;
  return true;
}
