/* Live state of containers under the run root (default
 * /run/devoxx-container/runtime): one directory per container ID holding
 * state.json in the OCI state format, plus what the runtime needs to tell
 * the truth after a crash: its own PID and start time, the container's
 * start time, and the cgroup directories it made. It does not survive a
 * reboot, on purpose: neither do the processes it describes.
 *
 * An ID is reserved atomically together with its owner (a directory made
 * under a temporary name with state.json in it, then renamed). A
 * reservation whose runtime and container are both gone (the runtime was
 * killed) is reclaimed by the next create of that ID: its cgroups are
 * removed and the ID is free again. */
#ifndef DXC_STATE_H
#define DXC_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

bool dxc_id_is_valid (const char *id);
/* Reserve the ID for this process: fails with EEXIST "container ID already
 * exists" while its owner or its container lives. */
int dxc_state_create (const char *state_root, const char *id,
                      const char *bundle, dxc_error **err);
/* The container's process and status ("running"). */
int dxc_state_write (const char *state_root, const char *id,
                     const char *bundle, pid_t pid, const char *status,
                     dxc_error **err);
/* The container's root (absolute) and config.json's annotations. */
int dxc_state_set_config (const char *state_root, const char *id,
                          const char *rootfs, json_t *annotations,
                          dxc_error **err);
/* What `state` prints, as runc prints it: ociVersion, id, pid, status,
 * bundle, rootfs, created, annotations (if any), owner. */
json_t *dxc_state_public (json_t *st);
/* The cgroup directories made for the container (a JSON array of
 * absolute paths, deepest first): removed if the runtime dies. */
int dxc_state_set_cgroups (const char *state_root, const char *id,
                           json_t *dirs, dxc_error **err);
/* The cgroup leaves about to be made (before any mkdir): removed if the
 * runtime dies, but only if empty (one may be someone else's). */
int dxc_state_plan_cgroups (const char *state_root, const char *id,
                            json_t *leaves, dxc_error **err);
/* The state, its status read from the processes themselves: "creating"
 * while the runtime sets the container up, "running", or "stopped" (pid 0)
 * once the recorded process is gone, whatever now has its PID. */
int dxc_state_read (const char *state_root, const char *id, json_t **ret,
                    dxc_error **err);
int dxc_state_remove (const char *state_root, const char *id);
/* The container's freezer file (v1 freezer.state, or cgroup2's
 * cgroup.freeze), from the cgroup leaves its state records; NULL if none. */
char *dxc_state_freezer_file (json_t *st);
/* <state_root>/<id>/exec.fifo: there while a created container waits for
 * start (its status is then "created"). */
char *dxc_state_fifo_path (const char *state_root, const char *id);
/* delete's end: the container's cgroups (what is left in them killed) and
 * its state, its process already gone. 0 or -errno. */
int dxc_state_destroy (const char *state_root, const char *id);
/* If the ID's runtime and container are both gone: remove its cgroups and
 * its state. 1 if it did, 0 if the ID is live or absent. */
int dxc_state_reclaim (const char *state_root, const char *id);

#endif
