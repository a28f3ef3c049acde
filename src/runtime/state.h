/* Live state of containers under the run root (default
 * /run/devoxx-container/runtime): one directory per container ID holding
 * state.json in the OCI state format. It does not survive a reboot, on
 * purpose: neither do the processes it describes. */
#ifndef DXC_STATE_H
#define DXC_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

bool dxc_id_is_valid (const char *id);
/* Reserve the ID: fails with EEXIST "container ID already exists". */
int dxc_state_create (const char *state_root, const char *id, dxc_error **err);
int dxc_state_write (const char *state_root, const char *id,
                     const char *bundle, pid_t pid, const char *status,
                     dxc_error **err);
int dxc_state_read (const char *state_root, const char *id, json_t **ret,
                    dxc_error **err);
int dxc_state_remove (const char *state_root, const char *id);

#endif
