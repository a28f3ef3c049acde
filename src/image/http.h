/* HTTP for the registry client: libcurl, loaded on first use (it brings
 * OpenSSL, nghttp2, Kerberos... along: see util/dl.h). One GET at a time per
 * handle; redirects followed (Docker Hub sends blobs to a CDN), proxies from
 * the environment (libcurl reads http_proxy, https_proxy, no_proxy). */
#ifndef DXC_HTTP_H
#define DXC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef struct dxc_http_opts
{
  bool tls_verify;     /* verify the server's certificate (default) */
  const char *ca_file; /* an extra CA bundle, or NULL */
  const char *cert_file, *key_file; /* a client certificate, or NULL */
} dxc_http_opts;

/* Called with each piece of the body; return 0, or -1 to stop. */
typedef int (*dxc_http_sink) (const void *data, size_t len, void *user);

typedef struct dxc_http_response
{
  long status;
  char *body; /* when no sink was given: the whole body, NUL-terminated */
  size_t len;
  char *content_type;
  char *docker_content_digest;
  char *www_authenticate;
} dxc_http_response;

int dxc_http_load (dxc_error **err);
/* headers: NULL-terminated "Name: value" lines. A transport failure is an
 * error (errnum EADDRNOTAVAIL: the name does not resolve; EKEYREJECTED: the
 * server's certificate failed verification); any HTTP status is returned in
 * resp. */
int dxc_http_get (const char *url, const char *const *headers,
                  const dxc_http_opts *opts, dxc_http_sink sink, void *user,
                  dxc_http_response *resp, dxc_error **err);
void dxc_http_response_clear (dxc_http_response *r);

#endif
