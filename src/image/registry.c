/* The registry client: see registry.h. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/registry.h"
#include "util/fs.h"

static bool
is_loopback (const char *host)
{
  return strncmp (host, "127.", 4) == 0 || strncmp (host, "localhost", 9) == 0
         || strncmp (host, "[::1]", 5) == 0;
}

/* Credentials for host from a config.json "auths" (Docker's format). */
static char *
basic_from_file (const char *file, const char *host)
{
  json_t *cfg, *auths, *v;
  const char *key;
  char *out = NULL;

  cfg = json_load_file (file, 0, NULL);
  auths = json_object_get (cfg, "auths");
  json_object_foreach (auths, key, v)
  {
    const char *k = key;
    const char *a = json_string_value (json_object_get (v, "auth"));
    size_t hl = strlen (host);
    if (strncmp (k, "https://", 8) == 0)
      k += 8;
    else if (strncmp (k, "http://", 7) == 0)
      k += 7;
    if (a && ((strncmp (k, host, hl) == 0 && (k[hl] == '\0' || k[hl] == '/'))
              || (strcmp (host, "docker.io") == 0
                  && strncmp (k, "index.docker.io", 15) == 0)))
      {
        out = strdup (a);
        break;
      }
  }
  json_decref (cfg);
  return out;
}

static char *
find_basic (const char *our_file, const char *host)
{
  cleanup_free char *docker_file = NULL;
  const char *dir = getenv ("DOCKER_CONFIG");
  char *b = our_file ? basic_from_file (our_file, host) : NULL;

  if (b)
    return b;
  if (dir)
    {
      if (asprintf (&docker_file, "%s/config.json", dir) < 0)
        return NULL;
    }
  else if (getenv ("HOME")
           && asprintf (&docker_file, "%s/.docker/config.json", getenv ("HOME")) < 0)
    return NULL;
  return docker_file ? basic_from_file (docker_file, host) : NULL;
}

static char *
base64 (const char *in)
{
  static const char t[]
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen (in);
  char *out = malloc ((n + 2) / 3 * 4 + 1), *o = out;
  const unsigned char *s = (const unsigned char *) in;
  for (size_t i = 0; i < n; i += 3)
    {
      unsigned v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0)
                   | (i + 2 < n ? s[i + 2] : 0);
      *o++ = t[v >> 18 & 63];
      *o++ = t[v >> 12 & 63];
      *o++ = i + 1 < n ? t[v >> 6 & 63] : '=';
      *o++ = i + 2 < n ? t[v & 63] : '=';
    }
  *o = '\0';
  return out;
}

int
dxc_auth_file_set (const char *auth_file, const char *host, const char *user,
                   const char *password, dxc_error **err)
{
  json_t *cfg = json_load_file (auth_file, 0, NULL), *auths;
  cleanup_free char *text = NULL;
  int r;

  if (!json_is_object (cfg))
    {
      json_decref (cfg);
      cfg = json_object ();
    }
  auths = json_object_get (cfg, "auths");
  if (!json_is_object (auths))
    {
      auths = json_object ();
      json_object_set_new (cfg, "auths", auths);
    }
  if (password)
    {
      cleanup_free char *pair = NULL;
      cleanup_free char *enc = NULL;
      if (asprintf (&pair, "%s:%s", user, password) < 0)
        {
          json_decref (cfg);
          return dxc_error_errno (err, ENOMEM, "login");
        }
      enc = base64 (pair);
      json_object_set_new (auths, host, json_pack ("{s:s}", "auth", enc));
    }
  else if (json_object_del (auths, host) < 0)
    {
      json_decref (cfg);
      return dxc_error_new (err, "not logged in to %s", host);
    }
  text = json_dumps (cfg, JSON_INDENT (2) | JSON_SORT_KEYS);
  json_decref (cfg);
  r = dxc_write_file_atomic (auth_file, text, strlen (text), 0600,
                             DXC_WRITE_SYNC, err);
  return r;
}

int
dxc_registry_open (const dxc_ref *ref, const dxc_registry_opts *o,
                   dxc_registry **ret, dxc_error **err)
{
  dxc_registry *r = calloc (1, sizeof *r);
  const char *api_host = ref->domain;

  if (r == NULL)
    return dxc_error_errno (err, ENOMEM, "registry");
  if (strcmp (api_host, "docker.io") == 0)
    api_host = "registry-1.docker.io";
  r->host = strdup (ref->domain);
  r->repo = strdup (ref->path);
  r->http.tls_verify = o ? o->tls_verify : true;
  pthread_mutex_init (&r->lock, NULL);
  if (o && o->certs_dir)
    {
      char p[4096];
      snprintf (p, sizeof p, "%s/%s/ca.crt", o->certs_dir, ref->domain);
      if (access (p, R_OK) == 0)
        r->http.ca_file = strdup (p);
      snprintf (p, sizeof p, "%s/%s/client.cert", o->certs_dir, ref->domain);
      if (access (p, R_OK) == 0)
        {
          r->http.cert_file = strdup (p);
          snprintf (p, sizeof p, "%s/%s/client.key", o->certs_dir, ref->domain);
          r->http.key_file = strdup (p);
        }
    }
  if (o && o->user && o->password)
    {
      cleanup_free char *pair = NULL;
      if (asprintf (&pair, "%s:%s", o->user, o->password) >= 0)
        r->basic = base64 (pair);
    }
  else
    r->basic = find_basic (o ? o->auth_file : NULL, ref->domain);
  /* HTTPS always; plain HTTP only where Docker allows it without
     configuration (loopback) or when verification is off, and only if the
     server does not speak TLS at all: a certificate that fails verification
     is reported, never routed around (decided by the first request). */
  if (asprintf (&r->base, "https://%s", api_host) < 0)
    r->base = NULL;
  *ret = r;
  return 0;
}

void
dxc_registry_free (dxc_registry *r)
{
  if (r == NULL)
    return;
  free (r->host);
  free (r->base);
  free (r->repo);
  free (r->basic);
  free (r->auth);
  free (r->challenge);
  free ((char *) r->http.ca_file);
  free ((char *) r->http.cert_file);
  free ((char *) r->http.key_file);
  pthread_mutex_destroy (&r->lock);
  free (r);
}

/* key="value" from a challenge: Bearer realm="...",service="...",scope="..." */
static char *
challenge_param (const char *ch, const char *key)
{
  size_t kl = strlen (key);
  for (const char *p = ch; (p = strstr (p, key)); p += kl)
    {
      if (p > ch && p[-1] != ' ' && p[-1] != ',')
        continue;
      if (p[kl] != '=')
        continue;
      p += kl + 1;
      if (*p == '"')
        {
          const char *e = strchr (p + 1, '"');
          return e ? strndup (p + 1, e - p - 1) : NULL;
        }
      return strndup (p, strcspn (p, ","));
    }
  return NULL;
}

static char *
url_escape (const char *s)
{
  char *out = malloc (strlen (s) * 3 + 1), *o = out;
  for (; *s; s++)
    {
      if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || (*s >= '0' && *s <= '9') || strchr ("-_.~", *s))
        *o++ = *s;
      else
        o += sprintf (o, "%%%02X", (unsigned char) *s);
    }
  *o = '\0';
  return out;
}

/* The Bearer token flow: GET realm?service=..&scope=.. (with Basic
   credentials if we have some) -> {"token": ...}. Called under r->lock. */
static int
fetch_token (dxc_registry *r, const char *challenge, dxc_error **err)
{
  cleanup_free char *realm = challenge_param (challenge, "realm");
  cleanup_free char *service = challenge_param (challenge, "service");
  cleanup_free char *scope = challenge_param (challenge, "scope");
  cleanup_free char *url = NULL;
  cleanup_free char *esc_service = NULL;
  cleanup_free char *esc_scope = NULL;
  cleanup_free char *basic_hdr = NULL;
  const char *headers[2] = { NULL, NULL };
  dxc_http_response resp;
  json_t *j;
  const char *tok;

  if (realm == NULL)
    return dxc_error_new (err, "registry %s: a Bearer challenge without a "
                          "realm", r->host);
  if (scope == NULL && *r->repo
      && asprintf (&scope, "repository:%s:pull", r->repo) < 0)
    return dxc_error_errno (err, ENOMEM, "token");
  esc_service = url_escape (service ? service : "");
  esc_scope = url_escape (scope ? scope : "");
  if (asprintf (&url, "%s%sservice=%s%s%s", realm,
                strchr (realm, '?') ? "&" : "?", esc_service,
                scope ? "&scope=" : "", scope ? esc_scope : "")
      < 0)
    return dxc_error_errno (err, ENOMEM, "token");
  if (r->basic && asprintf (&basic_hdr, "Authorization: Basic %s", r->basic) >= 0)
    headers[0] = basic_hdr;
  if (dxc_http_get (url, headers, &r->http, NULL, NULL, &resp, err) < 0)
    return dxc_error_prefix (err, "registry %s: token", r->host);
  if (resp.status == 401 || resp.status == 403)
    {
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "registry %s: unauthorized: the token "
                            "server refused %s (log in, or check the "
                            "credentials in ~/.docker/config.json)",
                            r->host, r->basic ? "the credentials" : "an "
                                                                    "anonymous pull");
    }
  j = resp.body ? json_loads (resp.body, 0, NULL) : NULL;
  tok = json_string_value (json_object_get (j, "token"));
  if (tok == NULL)
    tok = json_string_value (json_object_get (j, "access_token"));
  if (resp.status != 200 || tok == NULL)
    {
      json_decref (j);
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "registry %s: the token server answered %ld "
                            "without a token", r->host, resp.status);
    }
  free (r->auth);
  if (asprintf (&r->auth, "Authorization: Bearer %s", tok) < 0)
    r->auth = NULL;
  json_decref (j);
  dxc_http_response_clear (&resp);
  return 0;
}

/* Answer a 401: Bearer -> a token; Basic -> our credentials. */
static int
authenticate (dxc_registry *r, const char *challenge, dxc_error **err)
{
  int ret = 0;
  pthread_mutex_lock (&r->lock);
  if (challenge && strncasecmp (challenge, "Bearer", 6) == 0)
    ret = fetch_token (r, challenge, err);
  else if (challenge && strncasecmp (challenge, "Basic", 5) == 0 && r->basic)
    {
      free (r->auth);
      if (asprintf (&r->auth, "Authorization: Basic %s", r->basic) < 0)
        r->auth = NULL;
    }
  else
    ret = dxc_error_new (err, "registry %s: unauthorized%s", r->host,
                         r->basic ? ": the credentials were refused"
                                  : ": credentials needed (add them to "
                                    "~/.docker/config.json)");
  pthread_mutex_unlock (&r->lock);
  return ret;
}

/* A registry's error body: {"errors":[{"code":..., "message":...}]} */
static char *
registry_message (const dxc_http_response *resp)
{
  json_t *j = resp->body ? json_loads (resp->body, 0, NULL) : NULL;
  json_t *e = json_array_get (json_object_get (j, "errors"), 0);
  const char *code = json_string_value (json_object_get (e, "code"));
  const char *msg = json_string_value (json_object_get (e, "message"));
  char *out = NULL;
  if (code || msg)
    {
      if (asprintf (&out, "%s%s%s", code ? code : "", code && msg ? ": " : "",
                    msg ? msg : "")
          < 0)
        out = NULL;
    }
  else if (asprintf (&out, "HTTP %ld", resp->status) < 0)
    out = NULL;
  json_decref (j);
  return out;
}

/* Before another attempt: what the last one got goes, and the wait grows
   (0.5, 1, 2 s). */
static void
back_off (int *attempt, dxc_http_response *resp, dxc_error **err)
{
  (*attempt)++;
  dxc_http_response_clear (resp);
  if (err && *err)
    {
      dxc_error_free (*err);
      *err = NULL;
    }
  usleep (250000 << *attempt);
}

/* GET base/v2/<repo>/<path>, authenticating on a 401 and retrying
   transport errors, 5xx and 429 with backoff (only while nothing was
   streamed to a sink). */
static int
registry_get (dxc_registry *r, const char *path, const char *accept,
              dxc_http_sink sink, void *user, dxc_http_response *resp,
              dxc_error **err)
{
  cleanup_free char *url = NULL;
  cleanup_free char *accept_hdr = NULL;
  bool tried_auth = false, tried_http = false;
  int attempt = 0;

  if (accept && asprintf (&accept_hdr, "Accept: %s", accept) < 0)
    return dxc_error_errno (err, ENOMEM, "registry");
  for (;;)
    {
      const char *headers[3] = { NULL, NULL, NULL };
      cleanup_free char *auth = NULL;
      int n = 0, rc;

      free (url);
      if (asprintf (&url, "%s/v2/%s%s%s", r->base, r->repo,
                    *r->repo ? "/" : "", path)
          < 0)
        return dxc_error_errno (err, ENOMEM, "registry");
      pthread_mutex_lock (&r->lock);
      auth = r->auth ? strdup (r->auth) : NULL;
      pthread_mutex_unlock (&r->lock);
      if (auth)
        headers[n++] = auth;
      if (accept_hdr)
        headers[n++] = accept_hdr;
      rc = dxc_http_get (url, headers, &r->http, sink, user, resp, err);
      if (rc < 0)
        {
          /* HTTPS did not answer: a loopback or insecure registry may
             speak plain HTTP, as Docker allows. */
          if (!tried_http && strncmp (r->base, "https://", 8) == 0
              && (is_loopback (r->host) || !r->http.tls_verify)
              && !(*err && (*err)->errnum == EKEYREJECTED))
            {
              char *b = NULL;
              tried_http = true;
              if (asprintf (&b, "http://%s", r->base + 8) >= 0)
                {
                  free (r->base);
                  r->base = b;
                }
              dxc_error_free (*err);
              *err = NULL;
              continue;
            }
          if (attempt < 3 && resp->len == 0 && !sink
              && !(*err && ((*err)->errnum == EADDRNOTAVAIL
                            || (*err)->errnum == EFBIG)))
            {
              back_off (&attempt, resp, err);
              continue;
            }
          return dxc_error_prefix (err, "registry %s", r->host);
        }
      if (resp->status == 401 && !tried_auth)
        {
          cleanup_free char *ch = resp->www_authenticate
                                      ? strdup (resp->www_authenticate)
                                      : NULL;
          tried_auth = true;
          dxc_http_response_clear (resp);
          if (authenticate (r, ch, err) < 0)
            return -1;
          continue;
        }
      if ((resp->status >= 500 || resp->status == 429) && attempt < 3)
        {
          back_off (&attempt, resp, err);
          continue;
        }
      return 0;
    }
}

static const char *const manifest_accept
    = "application/vnd.oci.image.index.v1+json, "
      "application/vnd.docker.distribution.manifest.list.v2+json, "
      "application/vnd.oci.image.manifest.v1+json, "
      "application/vnd.docker.distribution.manifest.v2+json";

static int
status_error (dxc_registry *r, const char *what, dxc_http_response *resp,
              dxc_error **err)
{
  cleanup_free char *msg = registry_message (resp);
  if (resp->status == 401 || resp->status == 403)
    dxc_error_new (err, "%s: unauthorized (%s): log in, or check the "
                   "credentials in ~/.docker/config.json", what, msg);
  else if (resp->status == 404)
    {
      dxc_error_new (err, "%s: not found (the registry said: %s)", what, msg);
      dxc_error_set_errnum (err, ENOENT);
    }
  else
    dxc_error_new (err, "%s: the registry answered %ld (%s)", what,
                   resp->status, msg);
  dxc_http_response_clear (resp);
  return -1;
}

int
dxc_registry_get_manifest (dxc_registry *r, const char *reference,
                           char **ret_body, size_t *ret_len,
                           char **ret_media_type, char ret_digest[72],
                           dxc_error **err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *what = NULL;
  dxc_http_response resp;

  if (asprintf (&path, "manifests/%s", reference) < 0
      || asprintf (&what, "manifest %s/%s%s%s", r->host, r->repo,
                   strchr (reference, ':') ? "@" : ":", reference)
             < 0)
    return dxc_error_errno (err, ENOMEM, "registry");
  if (registry_get (r, path, manifest_accept, NULL, NULL, &resp, err) < 0)
    return -1;
  if (resp.status != 200)
    return status_error (r, what, &resp, err);
  if (resp.body == NULL || resp.len > 4 << 20)
    {
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "%s: empty or larger than 4 MiB", what);
    }
  dxc_sha256_buffer (resp.body, resp.len, ret_digest);
  if (strncmp (reference, "sha256:", 7) == 0 && strcmp (reference, ret_digest) != 0)
    {
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "%s: wrong digest: the content is %s", what,
                            ret_digest);
    }
  *ret_body = take_ptr (resp.body);
  *ret_len = resp.len;
  *ret_media_type = take_ptr (resp.content_type);
  dxc_http_response_clear (&resp);
  return 0;
}

int
dxc_registry_get_blob (dxc_registry *r, const char *digest, long long size,
                       char **ret_body, size_t *ret_len, dxc_error **err)
{
  cleanup_free char *path = NULL;
  char got[72];
  dxc_http_response resp;

  if (asprintf (&path, "blobs/%s", digest) < 0)
    return dxc_error_errno (err, ENOMEM, "registry");
  if (registry_get (r, path, NULL, NULL, NULL, &resp, err) < 0)
    return -1;
  if (resp.status != 200)
    return status_error (r, digest, &resp, err);
  dxc_sha256_buffer (resp.body ? resp.body : "", resp.len, got);
  if ((size >= 0 && (long long) resp.len != size) || strcmp (got, digest) != 0)
    {
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "blob %s: wrong %s (got %s, %zu bytes)",
                            digest, strcmp (got, digest) ? "digest" : "size",
                            got, resp.len);
    }
  *ret_body = take_ptr (resp.body);
  *ret_len = resp.len;
  dxc_http_response_clear (&resp);
  return 0;
}

int
dxc_registry_stream_blob (dxc_registry *r, const char *digest,
                          dxc_http_sink sink, void *user, dxc_error **err)
{
  cleanup_free char *path = NULL;
  dxc_http_response resp;

  if (asprintf (&path, "blobs/%s", digest) < 0)
    return dxc_error_errno (err, ENOMEM, "registry");
  if (registry_get (r, path, NULL, sink, user, &resp, err) < 0)
    return -1;
  if (resp.status != 200)
    return status_error (r, digest, &resp, err);
  dxc_http_response_clear (&resp);
  return 0;
}

int
dxc_registry_open_host (const char *host, const dxc_registry_opts *o,
                        dxc_registry **ret, dxc_error **err)
{
  dxc_ref ref = { .domain = (char *) host, .path = (char *) "" };
  return dxc_registry_open (&ref, o, ret, err);
}

int
dxc_registry_check_login (dxc_registry *r, dxc_error **err)
{
  dxc_http_response resp;
  if (r->basic == NULL)
    return dxc_error_new (err, "login %s: no credentials", r->host);
  if (registry_get (r, "", NULL, NULL, NULL, &resp, err) < 0)
    return -1;
  if (resp.status == 401 || resp.status == 403)
    {
      dxc_http_response_clear (&resp);
      return dxc_error_new (err, "login %s: unauthorized: wrong user name or "
                            "password", r->host);
    }
  if (resp.status != 200)
    return status_error (r, r->host, &resp, err);
  dxc_http_response_clear (&resp);
  return 0;
}
