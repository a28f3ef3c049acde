/* From an image and the user's options to an OCI runtime spec: Docker's
 * defaults, then the image config (Entrypoint, Cmd, Env, WorkingDir, User),
 * then the flags. */
#ifndef DXC_SPECGEN_H
#define DXC_SPECGEN_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/security-opts.h"
#include "engine/limits.h"
#include "engine/network.h"
#include "engine/user.h"
#include "engine/volumes.h"
#include "image/store.h"

typedef struct dxc_run_options
{
  const char *image;
  char **cmd;             /* NULL-terminated; NULL or empty: the image's */
  const char *name;
  const char *hostname;
  const char *workdir;
  const char *user;       /* USER[:GROUP]; NULL: the image's */
  const char *entrypoint; /* NULL: the image's; "": none */
  char **env;             /* K=V, or K to copy the caller's value */
  size_t n_env;
  bool rm, interactive, tty, no_pivot;
  bool read_only;          /* --read-only: the root file system */
  dxc_limits limits;
  dxc_mount_reqs *mounts;  /* -v, --mount, --tmpfs; NULL for none */
  dxc_net_opts net;        /* --network, -p, --dns, --add-host */
  dxc_security_opts security; /* --security-opt, --cap-add, --cap-drop */
} dxc_run_options;

/* The image's config object ("config" of the config blob), never NULL. */
json_t *dxc_image_config_inner (const dxc_image *img);

/* Check the options alone (no image needed): relative -w, bad -e, ... */
int dxc_specgen_check (const dxc_run_options *o, dxc_error **err);
int dxc_specgen (const dxc_image *img, const dxc_run_options *o,
                 const char *id, const char *rootfs, const dxc_user *user,
                 json_t **ret, dxc_error **err);

#endif
