/* HTTP through libcurl: see http.h. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/http.h"
#include "util/dl.h"

#define CURL_SYMBOLS(X)                                                        \
  X (curl_global_init)                                                         \
  X (curl_easy_init)                                                           \
  X (curl_easy_setopt)                                                         \
  X (curl_easy_perform)                                                        \
  X (curl_easy_getinfo)                                                        \
  X (curl_easy_cleanup)                                                        \
  X (curl_easy_strerror)                                                       \
  X (curl_slist_append)                                                        \
  X (curl_slist_free_all)

static DXC_DL_TABLE (CURL_SYMBOLS) lc;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init (void)
{
  lc.curl_global_init (CURL_GLOBAL_DEFAULT);
}

int
dxc_http_load (dxc_error **err)
{
  if (DXC_DL_LOAD (lc, CURL_SYMBOLS, err, "libcurl.so.4",
                   "libcurl-gnutls.so.4", "libcurl.so")
      < 0)
    return -1;
  /* curl_global_init is not thread-safe: once, before any transfer. */
  pthread_once (&global_once, global_init);
  return 0;
}

typedef struct transfer
{
  dxc_http_sink sink;
  void *user;
  char *buf;
  size_t len, cap;
  bool sink_failed;
  bool too_large;
  dxc_http_response *resp;
} transfer;

/* Bodies kept in memory (manifests, indexes, tokens, error bodies) come
   from a registry that may be hostile: never more than this. Docker's
   registry caps a manifest at 4 MiB. */
#define DXC_HTTP_BODY_MAX (8 << 20)

static int
buffer_body (transfer *t, const char *data, size_t len)
{
  if (t->len + len > DXC_HTTP_BODY_MAX)
    {
      t->too_large = true;
      return -1;
    }
  if (t->len + len + 1 > t->cap)
    {
      size_t cap = (t->len + len + 1) * 2;
      char *nb = realloc (t->buf, cap);
      if (nb == NULL)
        return -1;
      t->buf = nb;
      t->cap = cap;
    }
  memcpy (t->buf + t->len, data, len);
  t->len += len;
  t->buf[t->len] = '\0';
  return 0;
}

static size_t
on_body (char *data, size_t size, size_t n, void *p)
{
  transfer *t = p;
  size_t len = size * n;

  if (t->sink)
    {
      if (t->sink (data, len, t->user) < 0)
        {
          t->sink_failed = true;
          return 0;
        }
      return len;
    }
  return buffer_body (t, data, len) < 0 ? 0 : len;
}

static size_t
on_header (char *data, size_t size, size_t n, void *p)
{
  transfer *t = p;
  size_t len = size * n;
  static const struct
  {
    const char *name;
    size_t off;
  } wanted[] = {
    { "content-type:", offsetof (dxc_http_response, content_type) },
    { "docker-content-digest:",
      offsetof (dxc_http_response, docker_content_digest) },
    { "www-authenticate:", offsetof (dxc_http_response, www_authenticate) },
  };

  /* A new response (after a redirect) starts with its status line. */
  if (len > 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      free (t->resp->content_type);
      free (t->resp->www_authenticate);
      free (t->resp->docker_content_digest);
      t->resp->content_type = t->resp->www_authenticate = NULL;
      t->resp->docker_content_digest = NULL;
    }
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
    {
      size_t nl = strlen (wanted[i].name);
      if (len > nl && strncasecmp (data, wanted[i].name, nl) == 0)
        {
          char **field = (char **) ((char *) t->resp + wanted[i].off);
          const char *v = data + nl;
          size_t vl = len - nl;
          while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
          while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
          free (*field);
          *field = strndup (v, vl);
        }
    }
  return len;
}

/* Bodies of error responses are small and wanted for the message: the sink
   only sees successful ones. */
typedef struct sink_gate
{
  transfer *t;
  CURL *h;
  dxc_http_sink real;
  void *real_user;
  bool decided, pass;
} sink_gate;

static int
gated_sink (const void *data, size_t len, void *p)
{
  sink_gate *g = p;
  if (!g->decided)
    {
      long code = 0;
      lc.curl_easy_getinfo (g->h, CURLINFO_RESPONSE_CODE, &code);
      g->pass = code >= 200 && code < 300;
      g->decided = true;
    }
  if (g->pass)
    return g->real (data, len, g->real_user);
  /* buffer the error body */
  return buffer_body (g->t, data, len);
}

int
dxc_http_get (const char *url, const char *const *headers,
              const dxc_http_opts *opts, dxc_http_sink sink, void *user,
              dxc_http_response *resp, dxc_error **err)
{
  struct curl_slist *hl = NULL;
  transfer t = { 0 };
  sink_gate gate = { 0 };
  CURL *h;
  CURLcode rc;
  char errbuf[CURL_ERROR_SIZE] = "";

  if (dxc_http_load (err) < 0)
    return -1;
  memset (resp, 0, sizeof *resp);
  h = lc.curl_easy_init ();
  if (h == NULL)
    return dxc_error_new (err, "curl_easy_init failed");
  for (const char *const *p = headers; p && *p; p++)
    hl = lc.curl_slist_append (hl, *p);
  t.resp = resp;
  if (sink)
    {
      gate = (sink_gate){ .t = &t, .h = h, .real = sink, .real_user = user };
      t.sink = gated_sink;
      t.user = &gate;
    }
  lc.curl_easy_setopt (h, CURLOPT_URL, url);
  lc.curl_easy_setopt (h, CURLOPT_HTTPHEADER, hl);
  lc.curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  lc.curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
  /* Credentials never follow a redirect to another host (a CDN). */
  lc.curl_easy_setopt (h, CURLOPT_UNRESTRICTED_AUTH, 0L);
  lc.curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  lc.curl_easy_setopt (h, CURLOPT_WRITEDATA, &t);
  lc.curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
  lc.curl_easy_setopt (h, CURLOPT_HEADERDATA, &t);
  lc.curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  lc.curl_easy_setopt (h, CURLOPT_USERAGENT, "devoxx-container/0.1");
  lc.curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled transfer (under 1 kB/s for 60 s) is a failure to retry. */
  lc.curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  lc.curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, 60L);
  lc.curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  if (opts && !opts->tls_verify)
    {
      lc.curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      lc.curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (opts && opts->ca_file)
    lc.curl_easy_setopt (h, CURLOPT_CAINFO, opts->ca_file);
  if (opts && opts->cert_file)
    lc.curl_easy_setopt (h, CURLOPT_SSLCERT, opts->cert_file);
  if (opts && opts->key_file)
    lc.curl_easy_setopt (h, CURLOPT_SSLKEY, opts->key_file);
  rc = lc.curl_easy_perform (h);
  lc.curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &resp->status);
  lc.curl_easy_cleanup (h);
  lc.curl_slist_free_all (hl);
  resp->body = t.buf;
  resp->len = t.len;
  if (t.too_large)
    {
      dxc_http_response_clear (resp);
      dxc_error_new (err, "GET %s: the response is larger than %d MiB: "
                     "refused", url, DXC_HTTP_BODY_MAX >> 20);
      return dxc_error_set_errnum (err, EFBIG);
    }
  if (rc != CURLE_OK || t.sink_failed)
    {
      /* A failed transfer returns no response: nothing for the caller to
         free. */
      long status = resp->status;
      size_t got = resp->len;
      dxc_http_response_clear (resp);
      resp->status = status;
      resp->len = got;
    }
  if (rc != CURLE_OK && !(t.sink_failed && rc == CURLE_WRITE_ERROR))
    {
      dxc_error_new (err, "GET %s: %s", url,
                     *errbuf ? errbuf : lc.curl_easy_strerror (rc));
      /* A name that does not resolve will not resolve on a retry. */
      return dxc_error_set_errnum (err,
                                   rc == CURLE_COULDNT_RESOLVE_HOST
                                       ? EADDRNOTAVAIL
                                   : rc == CURLE_PEER_FAILED_VERIFICATION
                                       ? EKEYREJECTED
                                       : ECONNABORTED);
    }
  if (t.sink_failed)
    return dxc_error_new (err, "GET %s: the transfer was stopped", url);
  return 0;
}

void
dxc_http_response_clear (dxc_http_response *r)
{
  free (r->body);
  free (r->content_type);
  free (r->docker_content_digest);
  free (r->www_authenticate);
  memset (r, 0, sizeof *r);
}
