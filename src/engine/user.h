/* USER[:GROUP] of the image or of -u, resolved against the image's own
 * /etc/passwd and /etc/group (read through its layers, top first), as
 * Docker resolves them. */
#ifndef DXC_USER_H
#define DXC_USER_H

#include <sys/types.h>

#include "util/error.h"

typedef struct dxc_user
{
  uid_t uid;
  gid_t gid;
  gid_t groups[64]; /* supplementary groups from /etc/group */
  size_t n_groups;
  char *home; /* from /etc/passwd, or NULL */
} dxc_user;

/* layer_dirs: the unpacked layers, top first, NULL-terminated. */
int dxc_user_resolve (const char *spec, char *const *layer_dirs,
                      dxc_user *ret, dxc_error **err);
/* Pure parsers, exposed for unit tests. passwd/group: file contents. */
int dxc_user_resolve_in (const char *spec, const char *passwd,
                         const char *group, dxc_user *ret, dxc_error **err);
void dxc_user_clear (dxc_user *u);

#endif
