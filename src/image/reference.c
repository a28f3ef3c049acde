/* Image references: see reference.h. The grammar is the distribution
 * project's (reference/regexp.go), checked by hand rather than by regex. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "reference.h"

#define DEFAULT_DOMAIN "docker.io"

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool
component_ok (const char *s, size_t n)
{
  size_t i = 0;
  if (n == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[n - 1]))
    return false;
  while (i < n)
    {
      if (is_lower_alnum (s[i]))
        {
          i++;
          continue;
        }
      if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_'))
        i++;
      else if (s[i] == '_' && s[i + 1] == '_')
        i += 2;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return false;
      if (i >= n || !is_lower_alnum (s[i]))
        return false;
    }
  return true;
}

static bool
tag_ok (const char *t)
{
  size_t n = strlen (t);
  if (n == 0 || n > 128 || !(isalnum ((unsigned char) t[0]) || t[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum ((unsigned char) t[i]) || strchr ("_.-", t[i])))
      return false;
  return true;
}

/* Docker's grammar: labels of [A-Za-z0-9-] that begin and end with a letter
   or digit, joined by '.', or an IPv6 address in brackets; then an optional
   ":port". No empty label: ".." and "." are not registries (a name such as
   "../x" would otherwise make a path in the store). */
static bool
domain_ok (const char *d)
{
  const char *p = d;
  if (*p == '[')
    {
      const char *e = strchr (p, ']');
      if (e == NULL || e == p + 1)
        return false;
      for (p++; p < e; p++)
        if (!(isxdigit ((unsigned char) *p) || *p == ':'))
          return false;
      p = e + 1;
    }
  else
    for (;;)
      {
        const char *label = p;
        while (isalnum ((unsigned char) *p) || *p == '-')
          p++;
        if (p == label || label[0] == '-' || p[-1] == '-')
          return false;
        if (*p != '.')
          break;
        p++;
      }
  if (*p == ':')
    {
      const char *port = ++p;
      while (isdigit ((unsigned char) *p))
        p++;
      if (p == port)
        return false;
    }
  return *p == '\0';
}

void
dxc_ref_clear (dxc_ref *r)
{
  free (r->domain);
  free (r->path);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

int
dxc_ref_parse (const char *s, dxc_ref *ret, dxc_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *name, *at, *slash, *colon, *remainder;
  dxc_ref r = { 0 };

  if (copy == NULL)
    return dxc_error_new (err, "out of memory");
  if (*s == '\0' || strlen (s) > 4096)
    return dxc_error_new (err, "invalid reference format: \"%s\"", s);
  name = copy;
  at = strchr (name, '@');
  if (at)
    {
      *at = '\0';
      if (!dxc_digest_is_valid (at + 1))
        return dxc_error_new (err, "invalid reference format: \"%s\": bad "
                              "digest", s);
      r.digest = strdup (at + 1);
    }
  slash = strrchr (name, '/');
  colon = strrchr (name, ':');
  if (colon && (slash == NULL || colon > slash))
    {
      *colon = '\0';
      if (!tag_ok (colon + 1))
        {
          dxc_ref_clear (&r);
          return dxc_error_new (err, "invalid reference format: \"%s\": bad "
                                "tag", s);
        }
      r.tag = strdup (colon + 1);
    }
  slash = strchr (name, '/');
  if (slash && (memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
                || ((size_t) (slash - name) == strlen ("localhost")
                    && strncmp (name, "localhost", 9) == 0)))
    {
      *slash = '\0';
      if (!domain_ok (name))
        {
          dxc_ref_clear (&r);
          return dxc_error_new (err, "invalid reference format: \"%s\": bad "
                                "registry", s);
        }
      r.domain = strdup (name);
      remainder = slash + 1;
    }
  else
    {
      r.domain = strdup (DEFAULT_DOMAIN);
      remainder = name;
    }
  for (char *p = remainder;;)
    {
      char *e = strchrnul (p, '/');
      if (!component_ok (p, e - p))
        {
          bool upper = false;
          for (char *q = remainder; *q; q++)
            upper |= isupper ((unsigned char) *q);
          dxc_ref_clear (&r);
          return dxc_error_new (err, "invalid reference format: \"%s\"%s", s,
                                upper ? ": repository name must be lowercase"
                                      : "");
        }
      if (*e == '\0')
        break;
      p = e + 1;
    }
  if (strcmp (r.domain, DEFAULT_DOMAIN) == 0 && strchr (remainder, '/') == NULL)
    {
      if (asprintf (&r.path, "library/%s", remainder) < 0)
        r.path = NULL;
    }
  else
    r.path = strdup (remainder);
  if (r.tag == NULL && r.digest == NULL)
    r.tag = strdup ("latest");
  *ret = r;
  return 0;
}

char *
dxc_ref_canonical (const dxc_ref *r)
{
  char *s = NULL;
  if (r->digest && r->tag == NULL)
    {
      if (asprintf (&s, "%s/%s@%s", r->domain, r->path, r->digest) < 0)
        return NULL;
    }
  else if (asprintf (&s, "%s/%s:%s", r->domain, r->path, r->tag) < 0)
    return NULL;
  return s;
}

char *
dxc_ref_familiar_repo (const dxc_ref *r)
{
  char *s = NULL;
  if (strcmp (r->domain, DEFAULT_DOMAIN) == 0)
    {
      if (strncmp (r->path, "library/", 8) == 0)
        return strdup (r->path + 8);
      return strdup (r->path);
    }
  if (asprintf (&s, "%s/%s", r->domain, r->path) < 0)
    return NULL;
  return s;
}
