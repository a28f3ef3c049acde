/* Image references as Docker parses them: "alpine" is
 * docker.io/library/alpine:latest; "user/repo", "host:port/repo:tag",
 * "repo@sha256:...", "localhost/...". */
#ifndef DXC_REFERENCE_H
#define DXC_REFERENCE_H

#include "util/cleanup.h"
#include "util/error.h"

typedef struct dxc_ref
{
  char *domain; /* docker.io, localhost:5000, ... */
  char *path;   /* library/alpine */
  char *tag;    /* latest when neither tag nor digest was given */
  char *digest; /* sha256:..., or NULL */
} dxc_ref;

int dxc_ref_parse (const char *s, dxc_ref *ret, dxc_error **err);
void dxc_ref_clear (dxc_ref *r);
#define cleanup_ref _cleanup_ (dxc_ref_clear)
/* "docker.io/library/alpine:latest" (or "...@sha256:..."): the key of the
 * image index. */
char *dxc_ref_canonical (const dxc_ref *r);
/* The repository as Docker shows it: "alpine", "user/repo",
 * "localhost:5000/repo". */
char *dxc_ref_familiar_repo (const dxc_ref *r);

#endif
