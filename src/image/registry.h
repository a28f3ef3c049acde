/* A client of one repository on a registry, speaking the OCI distribution
 * API: the /v2/ ping, the Bearer token flow from the WWW-Authenticate
 * challenge (realm, service, scope) as Docker Hub does it, Basic auth,
 * manifests (digest checked) and blobs (streamed). Credentials come from
 * Docker's ~/.docker/config.json "auths". */
#ifndef DXC_REGISTRY_H
#define DXC_REGISTRY_H

#include <pthread.h>
#include <stdbool.h>

#include "image/http.h"
#include "image/reference.h"

typedef struct dxc_registry
{
  char *host;   /* as in the reference: docker.io, 127.0.0.1:5000 */
  char *base;   /* https://registry-1.docker.io or http://127.0.0.1:5000 */
  char *repo;   /* library/busybox */
  dxc_http_opts http;
  char *basic;  /* base64 user:password, or NULL */
  pthread_mutex_t lock; /* guards auth, refreshed by parallel layers */
  char *auth;   /* the Authorization header in use, or NULL */
  char *challenge; /* the last WWW-Authenticate */
} dxc_registry;

typedef struct dxc_registry_opts
{
  bool tls_verify;     /* default true; loopback registries may use HTTP */
  const char *certs_dir; /* holds <host>/ca.crt, client.cert, client.key */
  /* Our credentials (devoxx-container login), read first; then Docker's
     config.json ($DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  const char *auth_file;
  const char *user, *password; /* explicit credentials (login), or NULL */
} dxc_registry_opts;

int dxc_registry_open (const dxc_ref *ref, const dxc_registry_opts *o,
                       dxc_registry **ret, dxc_error **err);
void dxc_registry_free (dxc_registry *r);
static inline void
dxc_registry_freep (dxc_registry **r)
{
  dxc_registry_free (*r);
}
#define cleanup_registry _cleanup_ (dxc_registry_freep)

/* A registry by host alone (login): ping /v2/ with the credentials. */
int dxc_registry_open_host (const char *host, const dxc_registry_opts *o,
                            dxc_registry **ret, dxc_error **err);
int dxc_registry_check_login (dxc_registry *r, dxc_error **err);

/* Save (password != NULL) or remove credentials for host in auth_file, a
 * file in Docker's config.json format. */
int dxc_auth_file_set (const char *auth_file, const char *host,
                       const char *user, const char *password,
                       dxc_error **err);

/* reference: a tag or a digest. ret_digest: the manifest's digest, checked
 * against reference when it is one. */
int dxc_registry_get_manifest (dxc_registry *r, const char *reference,
                               char **ret_body, size_t *ret_len,
                               char **ret_media_type, char ret_digest[72],
                               dxc_error **err);
/* A small blob (a config), whole; digest and size checked. */
int dxc_registry_get_blob (dxc_registry *r, const char *digest, long long size,
                           char **ret_body, size_t *ret_len, dxc_error **err);
/* A blob streamed to sink; the caller checks digest and size. */
int dxc_registry_stream_blob (dxc_registry *r, const char *digest,
                              dxc_http_sink sink, void *user, dxc_error **err);

#endif
