/* start and delete of a created container (create is dxc_container_run with
 * create_only): see container.h. The state machine is runc's
 * (../shared/RUNC-CONTRACT.md §5): created while the exec fifo exists,
 * running once start took it, stopped once the process is gone. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"

static const char *
status_of (json_t *st)
{
  const char *s = json_string_value (json_object_get (st, "status"));
  return s ? s : "unknown";
}

int
dxc_container_start (const char *state_root, const char *id, dxc_error **err)
{
  cleanup_json json_t *st = NULL;
  cleanup_free char *fifo = NULL;
  cleanup_close int fd = -1, pidfd = -1;
  const char *status;
  json_int_t pid, start;
  char byte;

  if (dxc_state_read (state_root, id, &st, err) < 0)
    return -1;
  status = status_of (st);
  if (strcmp (status, "stopped") == 0)
    return dxc_error_new (err, "cannot start a container that has stopped");
  if (strcmp (status, "running") == 0)
    return dxc_error_new (err, "cannot start an already running container");
  if (strcmp (status, "created") != 0)
    return dxc_error_new (err, "cannot start a container in the %s state",
                          status);
  pid = json_integer_value (json_object_get (st, "pid"));
  start = json_integer_value (json_object_get (st, "startTime"));
  fifo = dxc_state_fifo_path (state_root, id);
  /* Not blocking: the process opens its end once we hold ours. */
  fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", fifo);
  pidfd = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
  if (pidfd < 0 || !dxc_proc_alive (pid, start))
    return dxc_error_new (err, "cannot start container %s: its process is "
                          "gone", id);
  for (;;)
    {
      struct pollfd p[2] = { { fd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
      ssize_t n;
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return dxc_error_errno (err, errno, "poll the exec fifo");
        }
      n = read (fd, &byte, 1);
      if (n == 1)
        break;
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        return dxc_error_errno (err, errno, "read %s", fifo);
      if (p[1].revents & POLLIN)
        return dxc_error_new (err, "cannot start container %s: its process "
                              "died before it was started (exec fifo "
                              "empty)", id);
    }
  /* Running from here: the fifo goes (state says so). */
  unlink (fifo);
  return dxc_state_write (state_root, id,
                          json_string_value (json_object_get (st, "bundle")),
                          (pid_t) pid, "running", err);
}

/* SIGKILL to the process, then wait (a pidfd tells when) up to 10 s. */
static int
kill_and_wait (json_t *st, dxc_error **err)
{
  json_int_t pid = json_integer_value (json_object_get (st, "pid"));
  json_int_t start = json_integer_value (json_object_get (st, "startTime"));
  cleanup_close int pidfd = -1;
  struct pollfd p;

  if (pid <= 0 || !dxc_proc_alive (pid, start))
    return 0;
  pidfd = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
  if (dxc_proc_signal (pid, start, SIGKILL) < 0 && dxc_proc_alive (pid, start))
    return dxc_error_new (err, "cannot kill the container's process %lld",
                          (long long) pid);
  if (pidfd < 0)
    return 0;
  p = (struct pollfd){ pidfd, POLLIN, 0 };
  if (poll (&p, 1, 10000) <= 0 && dxc_proc_alive (pid, start))
    return dxc_error_new (err, "the container's process %lld did not die "
                          "within 10 s", (long long) pid);
  return 0;
}

int
dxc_container_delete (const char *state_root, const char *id, bool force,
                      dxc_error **err)
{
  cleanup_json json_t *st = NULL;
  const char *status;
  int r;

  if (dxc_state_read (state_root, id, &st, err) < 0)
    {
      if (force && (*err)->errnum == ENOENT)
        {
          dxc_error_free (*err);
          *err = NULL;
          return 0;
        }
      if ((*err)->errnum == ENOENT)
        {
          dxc_error_free (*err);
          *err = NULL;
          return dxc_error_new (err, "container does not exist");
        }
      return -1;
    }
  status = status_of (st);
  /* created: allowed without --force (runc's, which containerd uses). */
  if (!force && strcmp (status, "stopped") != 0
      && strcmp (status, "created") != 0)
    return dxc_error_new (err, "cannot delete container %s that is not "
                          "stopped: %s", id, status);
  /* A frozen process dies only once thawed. */
  if (strcmp (status, "paused") == 0
      && dxc_container_pause (state_root, id, false, err) < 0)
    return -1;
  if (kill_and_wait (st, err) < 0)
    return -1;
  r = dxc_state_destroy (state_root, id);
  if (r < 0 && r != -ENOENT)
    return dxc_error_errno (err, -r, "delete %s", id);
  return 0;
}

int
dxc_container_pause (const char *state_root, const char *id, bool pause,
                     dxc_error **err)
{
  cleanup_json json_t *st = NULL;
  cleanup_free char *f = NULL;
  const char *status, *v1 = pause ? "FROZEN" : "THAWED";
  bool is_v1;

  if (dxc_state_read (state_root, id, &st, err) < 0)
    return -1;
  status = status_of (st);
  if (pause && strcmp (status, "running") != 0 && strcmp (status, "created") != 0)
    return dxc_error_new (err, "container not running");
  if (!pause && strcmp (status, "paused") != 0)
    return dxc_error_new (err, "container not paused");
  f = dxc_state_freezer_file (st);
  if (f == NULL)
    return dxc_error_new (err, "container %s has no freezer cgroup", id);
  is_v1 = strstr (f, "freezer.state") != NULL;
  if (dxc_write_file (f, is_v1 ? v1 : (pause ? "1" : "0"), err) < 0)
    return -1;
  return 0;
}

int
dxc_container_pids (const char *state_root, const char *id, json_t **ret,
                    dxc_error **err)
{
  cleanup_json json_t *st = NULL;
  json_t *d, *pids;
  size_t i;

  if (dxc_state_read (state_root, id, &st, err) < 0)
    return -1;
  pids = json_array ();
  json_array_foreach (json_object_get (st, "cgroupsPlanned"), i, d)
  {
    cleanup_free char *path = NULL, *text = NULL;
    if (asprintf (&path, "%s/cgroup.procs", json_string_value (d)) < 0
        || dxc_read_file (path, &text, NULL, NULL) < 0)
      continue;
    for (char *p = text, *end; *p; p = end)
      {
        long pid = strtol (p, &end, 10);
        if (end == p)
          break;
        json_array_append_new (pids, json_integer (pid));
      }
    break; /* one hierarchy holds them all */
  }
  *ret = pids;
  return 0;
}
