/* The container's control group: created from linux.cgroupsPath, limited by
 * linux.resources, joined by the container process before it runs anything,
 * and removed when the container ends.
 *
 * One interface over the three layouts a machine can have:
 *   v2      cgroup2 alone at /sys/fs/cgroup (most distributions today)
 *   v1      one cgroup hierarchy per controller (or group of controllers)
 *   hybrid  v1 hierarchies plus a cgroup2 one (often /sys/fs/cgroup/unified)
 * Each hierarchy the machine mounts gets the container's cgroup; each limit
 * is written by the backend (cgroup-v1.c or cgroup-v2.c) of the hierarchy
 * that holds its controller.
 *
 * Where the cgroup goes:
 *   absolute cgroupsPath  from the root of each hierarchy (as runc);
 *   relative cgroupsPath  under the runtime's own cgroup on v1 (as runc); on
 *                         cgroup v2 from the root, because a v2 cgroup that
 *                         holds processes (the runtime's own does) cannot
 *                         hand controllers to children;
 *   none                  as the relative path devoxx-<id>. */
#ifndef DXC_CGROUP_H
#define DXC_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

typedef struct dxc_cgroup dxc_cgroup;

enum dxc_cgroup_mode
{
  DXC_CGROUP_V1 = 1,
  DXC_CGROUP_HYBRID,
  DXC_CGROUP_V2,
};

/* The layout of this machine, read once. */
int dxc_cgroup_mode (dxc_error **err);

/* Create the container's cgroup in every hierarchy and apply the limits of
 * spec->resources. On failure nothing created is left. */
int dxc_cgroup_create (const dxc_spec *spec, const char *id,
                       dxc_cgroup **ret, dxc_error **err);
/* The same, telling plan() the leaf directory of each hierarchy (full
 * paths) before any is made: a runtime killed while it makes them leaves
 * nothing its record does not name (state.h). */
typedef int (*dxc_cgroup_plan_fn) (json_t *leaves, void *data,
                                   dxc_error **err);
int dxc_cgroup_create_planned (const dxc_spec *spec, const char *id,
                               dxc_cgroup_plan_fn plan, void *data,
                               dxc_cgroup **ret, dxc_error **err);

/* No cgroup of its own (crun's --cgroup-manager=disabled, podman's
 * --cgroups=disabled): the container stays in the runtime's cgroups, which
 * is also what a cgroup mount shows it. Limits are refused. */
int dxc_cgroup_use_own (const dxc_spec *spec, dxc_cgroup **ret,
                        dxc_error **err);

/* The cgroup2 directory to clone the container process into
 * (CLONE_INTO_CGROUP), or -1. */
int dxc_cgroup_clone_fd (const dxc_cgroup *cg);

/* Move pid into the container's cgroup of every hierarchy it is not in yet
 * (all of them when the clone could not place it). */
int dxc_cgroup_enter (dxc_cgroup *cg, pid_t pid, bool placed_by_clone,
                      dxc_error **err);

/* How many processes the OOM killer killed in the container's cgroup. */
long dxc_cgroup_oom_kills (const dxc_cgroup *cg);

/* The container's cgroup in the v2 hierarchy or, without one, in the
 * memory hierarchy: "/devoxx/<id>". */
const char *dxc_cgroup_path (const dxc_cgroup *cg);

/* Child side, in the container's mount namespace: mount the cgroup file
 * system(s) on destination, resolved inside rootfd. With a cgroup namespace of its own
 * the container sees its cgroup as the root; without, its cgroup is bind
 * mounted there. */
int dxc_cgroup_mount (const dxc_cgroup *cg, int rootfd,
                      const char *destination, unsigned long flags,
                      bool own_cgroupns, dxc_error **err);

/* Remove the empty cgroups beside the container's (under its parent) that
 * are older than min_age seconds: what containers whose runtime was killed
 * (kill -9) left. For a parent only containers use (the engine's
 * "devoxx"); never for one shared with others. */
void dxc_cgroup_sweep_siblings (const dxc_cgroup *cg, int min_age);

/* The directories made for the container (absolute, deepest first, parents
 * it made too): what to remove if the runtime is killed before it can
 * (state.h). A new JSON array, empty for a shared cgroup. */
json_t *dxc_cgroup_created_dirs (const dxc_cgroup *cg);

/* Kill what is left in the cgroup, remove it (retrying while the last
 * processes die) and free cg. Safe with NULL. */
int dxc_cgroup_destroy (dxc_cgroup *cg, dxc_error **err);
/* Let go of it, leaving the directories (a created container's, removed by
 * delete from the record of its state). */
void dxc_cgroup_release (dxc_cgroup *cg);

#endif
