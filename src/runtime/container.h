/* Running one container from a parsed OCI spec: the runtime library's entry
 * point, used in-process by the engine and by devoxx-runtime. */
#ifndef DXC_CONTAINER_H
#define DXC_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rootfs.h"
#include "spec.h"

typedef struct dxc_run_opts
{
  const char *id;
  const char *bundle;     /* a relative root.path is resolved from here */
  const char *state_root; /* live state directory; NULL keeps none */
  bool no_pivot;          /* MS_MOVE + chroot instead of pivot_root */
  bool no_cgroup;         /* stay in the caller's cgroups (no limits) */
  bool sweep_cgroups;     /* the cgroup's parent is the caller's own: sweep
                             what killed runtimes left there */
  bool no_new_keyring;    /* keep the caller's session keyring */
  int stdin_fd;           /* the container's stdin; -1 keeps the caller's */
  const dxc_root_mount *root_mount; /* mount this at root.path first */
  /* Called once the container process exists, in its namespaces and its
     cgroup, before it runs anything (the network is set up from here); a
     failure stops the container. */
  int (*on_created) (pid_t pid, void *data, dxc_error **err);
  void *created_data;
  /* Called once the program runs, with its host PID. */
  void (*on_started) (pid_t pid, void *data);
  void *data;
  /* Set when the OOM killer killed a process of the container. */
  bool *oom_killed;
  /* create: set the container up and return with its process waiting for
     start (on <state_root>/<id>/exec.fifo, as runc's); the process, its
     cgroup and its state stay for start, kill and delete. Needs
     state_root; stdio passed through, no terminal. */
  bool create_only;
  /* create with process.terminal: the pty's master goes to the AF_UNIX
     socket at this path (SCM_RIGHTS), as runc's --console-socket. */
  const char *console_socket;
} dxc_run_opts;

/* Run the container to its end: stdio passed through (or a pty proxied when
 * process.terminal), signals forwarded. *ret_status is the exit code a
 * shell would see: the program's, or 128+N when killed by signal N. */
int dxc_container_run (const dxc_spec *spec, const dxc_run_opts *opts,
                       int *ret_status, dxc_error **err);

/* exec: another process in a created or running container. */
typedef struct dxc_exec_opts
{
  const char *state_root;
  const char *id;
  json_t *process; /* an OCI process object (exec --process), or NULL: */
  char **args;     /* config.json's process with these args, and: */
  const char *cwd;     /* --cwd */
  char **env;          /* --env NAME=VALUE (added or replacing) */
  const char *user;    /* --user UID[:GID] */
  char **caps;         /* --cap CAP_X (added to every set but ambient) */
  bool no_new_privs;   /* --no-new-privs */
  bool detach;     /* leave once it runs (its pid to on_started) */
  void (*on_started) (pid_t pid, void *data);
  void *data;
} dxc_exec_opts;

/* The process joins the container's namespaces, cgroups and root, takes
 * the process's user, capabilities, rlimits, no_new_privs and the
 * container's seccomp filter (config.json's), and runs its program through
 * the exec stub. Foreground: signals forwarded, *ret_status its exit code;
 * detach: returns once the program runs. */
int dxc_container_exec (const dxc_exec_opts *o, int *ret_status,
                        dxc_error **err);

/* start: let a created container's process run its program (it waits on
 * the exec fifo): "cannot start a container that has stopped" and the like
 * otherwise. */
int dxc_container_start (const char *state_root, const char *id,
                         dxc_error **err);

/* pause (freeze its cgroup) and resume (pause false): runc's words for a
 * container in the wrong state. */
int dxc_container_pause (const char *state_root, const char *id, bool pause,
                         dxc_error **err);
/* The host PIDs in the container's cgroup (a JSON array of integers). */
int dxc_container_pids (const char *state_root, const char *id,
                        json_t **ret, dxc_error **err);

/* delete: what a created or stopped container leaves (its process is
 * killed if it waits for start), its cgroups and its state. force: a
 * running one too, and an unknown ID is no error. */
int dxc_container_delete (const char *state_root, const char *id, bool force,
                          dxc_error **err);

#endif
