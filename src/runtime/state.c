/* Live container state: see state.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util/fs.h"
#include "util/strings.h"
#include "util/proc.h"

bool
dxc_id_is_valid (const char *id)
{
  size_t n = strlen (id);
  if (n == 0 || n > 256)
    return false;
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')
        || (id[0] >= '0' && id[0] <= '9')))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "0123456789_.-", id[i]))
      return false;
  return true;
}

static char *
state_path (const char *state_root, const char *id)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s/state.json", state_root, id) < 0)
    return NULL;
  return p;
}

static int
save (const char *path, json_t *st, dxc_error **err)
{
  cleanup_free char *text = json_dumps (st, JSON_COMPACT);
  if (text == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  return dxc_write_file_atomic (path, text, strlen (text), 0600, 0, err);
}

/* The runtime's or the container's process still lives. */
static bool
owner_alive (json_t *st)
{
  json_int_t rp = json_integer_value (json_object_get (st, "runtimePid"));
  json_int_t rs = json_integer_value (json_object_get (st, "runtimeStartTime"));
  json_int_t p = json_integer_value (json_object_get (st, "pid"));
  json_int_t s = json_integer_value (json_object_get (st, "startTime"));
  return dxc_proc_alive (rp, rs) || dxc_proc_alive (p, s);
}

/* Remove a cgroup left by a dead runtime: what is still in it is the
   container's (killed), then the directory. */
static void
remove_cgroup (const char *dir)
{
  for (int i = 0; i < 100; i++)
    {
      char procs[4096];
      cleanup_free char *data = NULL;
      size_t len;
      if (rmdir (dir) == 0 || errno == ENOENT)
        return;
      if (errno != EBUSY)
        return;
      snprintf (procs, sizeof procs, "%s/cgroup.procs", dir);
      if (dxc_read_file (procs, &data, &len, NULL) == 0)
        for (char *p = data, *end; *p; p = end)
          {
            long pid = strtol (p, &end, 10);
            if (end == p)
              break;
            if (pid > 0)
              kill (pid, SIGKILL);
          }
      usleep (10000);
    }
}

/* The state directory moved out of the way (the ID is free once the
   rename is done, and a concurrent remover finds nothing to do), the
   cgroups it records removed, then the directory. 0 or -errno. */
static int
remove_state (const char *state_root, const char *id, json_t *st,
              const char *why)
{
  cleanup_free char *dir = NULL, *trash = NULL;
  json_t *d;
  size_t i;

  if (asprintf (&dir, "%s/%s", state_root, id) < 0
      || asprintf (&trash, "%s/.%s.%s-%d", state_root, id, why, (int) getpid ())
             < 0)
    return -ENOMEM;
  if (rename (dir, trash) < 0)
    return -errno;
  json_array_foreach (json_object_get (st, "cgroups"), i, d)
    if (json_string_value (d))
      remove_cgroup (json_string_value (d));
  /* Leaves planned but maybe never made, or someone else's: removed only
     if empty (no process was ever put in one before it was recorded). */
  json_array_foreach (json_object_get (st, "cgroupsPlanned"), i, d)
    if (json_string_value (d))
      rmdir (json_string_value (d));
  dxc_rm_rf (trash, NULL);
  return 0;
}

int
dxc_state_reclaim (const char *state_root, const char *id)
{
  cleanup_free char *path = state_path (state_root, id);
  json_t *st;
  int r;

  if (path == NULL)
    return 0;
  st = json_load_file (path, 0, NULL);
  /* No state (a directory from before state files named their owner, or
     damaged): nothing says who owns it, so it is not taken over. */
  if (st == NULL || owner_alive (st))
    {
      json_decref (st);
      return 0;
    }
  r = remove_state (state_root, id, st, "stale");
  json_decref (st);
  return r == 0;
}

int
dxc_state_destroy (const char *state_root, const char *id)
{
  json_t *st = NULL;
  int r;
  if (dxc_state_read (state_root, id, &st, NULL) < 0)
    st = NULL;
  r = remove_state (state_root, id, st, "delete");
  json_decref (st);
  return r;
}

int
dxc_state_create (const char *state_root, const char *id, const char *bundle,
                  dxc_error **err)
{
  cleanup_free char *tmp = NULL, *dir = NULL, *path = NULL;
  json_t *st;
  int r;

  if (!dxc_id_is_valid (id))
    return dxc_error_new (err, "invalid container ID %s: use letters, digits, "
                          "'_', '.' and '-', starting with a letter or digit",
                          id);
  if (dxc_mkdir_p (state_root, 0700, err) < 0)
    return -1;
  if (asprintf (&tmp, "%s/.%s.new-%d", state_root, id, (int) getpid ()) < 0
      || asprintf (&dir, "%s/%s", state_root, id) < 0
      || asprintf (&path, "%s/state.json", tmp) < 0)
    return dxc_error_errno (err, ENOMEM, "state");
  /* The reservation holds its owner from the first moment: made under a
     temporary name, renamed into place (rename fails if the ID is taken). */
  if (mkdir (tmp, 0700) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", tmp);
  {
    cleanup_free char *now = dxc_now_rfc3339 ();
    st = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:I}", "ociVersion",
                    "1.0.2", "id", id, "status", "creating", "pid", 0,
                    "bundle", bundle ? bundle : "", "created", now ? now : "",
                    "runtimePid", (int) getpid (), "runtimeStartTime",
                    (json_int_t) dxc_proc_start_time (getpid ()));
  }
  r = st ? save (path, st, err) : dxc_error_errno (err, ENOMEM, "state");
  json_decref (st);
  for (int attempt = 0; r == 0 && attempt < 2; attempt++)
    {
      if (rename (tmp, dir) == 0)
        return 0;
      if (errno != EEXIST && errno != ENOTEMPTY)
        {
          r = dxc_error_errno (err, errno, "rename %s", dir);
          break;
        }
      /* Taken: by a live container, or left by a killed runtime. */
      if (attempt == 0 && dxc_state_reclaim (state_root, id))
        continue;
      r = dxc_error_errno (err, EEXIST, "container ID %s already exists in "
                           "%s", id, state_root);
    }
  dxc_rm_rf (tmp, NULL);
  return r;
}

/* Read, change and write back the state (one writer: its runtime). */
static int
update (const char *state_root, const char *id, json_t *changes,
        dxc_error **err)
{
  cleanup_free char *path = state_path (state_root, id);
  json_t *st;
  int r;

  if (path == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  st = json_load_file (path, 0, NULL);
  if (st == NULL)
    st = json_object ();
  json_object_update (st, changes);
  r = save (path, st, err);
  json_decref (st);
  return r;
}

int
dxc_state_write (const char *state_root, const char *id, const char *bundle,
                 pid_t pid, const char *status, dxc_error **err)
{
  /* The start time makes the PID an identity: a reused PID is never taken
     for the container's (util/proc.h). */
  json_t *c = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:I}", "ociVersion",
                         "1.0.2", "id", id, "status", status, "pid", (int) pid,
                         "bundle", bundle ? bundle : "", "startTime",
                         (json_int_t) dxc_proc_start_time (pid));
  int r;
  if (c == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  r = update (state_root, id, c, err);
  json_decref (c);
  return r;
}

static int dxc_state_set_cgroups_as (const char *state_root, const char *id,
                                     const char *key, json_t *dirs,
                                     dxc_error **err);

int
dxc_state_set_config (const char *state_root, const char *id,
                      const char *rootfs, json_t *annotations,
                      dxc_error **err)
{
  json_t *c = json_pack ("{s:s}", "rootfs", rootfs ? rootfs : "");
  int r;
  if (c == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  if (json_object_size (annotations))
    json_object_set (c, "annotations", annotations);
  r = update (state_root, id, c, err);
  json_decref (c);
  return r;
}

json_t *
dxc_state_public (json_t *st)
{
  static const char *const fields[]
      = { "ociVersion", "id", "pid", "status", "bundle", "rootfs", "created",
          "annotations", NULL };
  json_t *out = json_object ();
  for (int i = 0; fields[i]; i++)
    {
      json_t *v = json_object_get (st, fields[i]);
      if (v && !(strcmp (fields[i], "annotations") == 0
                 && json_object_size (v) == 0))
        json_object_set (out, fields[i], v);
    }
  json_object_set_new (out, "owner", json_string (""));
  return out;
}

int
dxc_state_set_cgroups (const char *state_root, const char *id, json_t *dirs,
                       dxc_error **err)
{
  return dxc_state_set_cgroups_as (state_root, id, "cgroups", dirs, err);
}

int
dxc_state_plan_cgroups (const char *state_root, const char *id,
                        json_t *leaves, dxc_error **err)
{
  return dxc_state_set_cgroups_as (state_root, id, "cgroupsPlanned", leaves,
                                   err);
}

static int
dxc_state_set_cgroups_as (const char *state_root, const char *id,
                          const char *key, json_t *dirs, dxc_error **err)
{
  json_t *c = json_pack ("{s:O}", key, dirs);
  int r;
  if (c == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  r = update (state_root, id, c, err);
  json_decref (c);
  return r;
}

/* The container's freezer: the v1 freezer hierarchy's leaf if there is
   one, else a cgroup2 leaf ("freezer.state" or "cgroup.freeze" in it);
   NULL for a container without cgroups of its own. */
char *
dxc_state_freezer_file (json_t *st)
{
  json_t *d;
  size_t i;
  char *v2 = NULL, *p = NULL;
  json_array_foreach (json_object_get (st, "cgroupsPlanned"), i, d)
  {
    const char *dir = json_string_value (d);
    if (dir == NULL)
      continue;
    free (p);
    if (asprintf (&p, "%s/freezer.state", dir) >= 0 && access (p, F_OK) == 0)
      {
        free (v2);
        return p;
      }
    free (p);
    p = NULL;
    if (v2 == NULL && asprintf (&p, "%s/cgroup.freeze", dir) >= 0
        && access (p, F_OK) == 0)
      v2 = take_ptr (p);
  }
  free (p);
  return v2;
}

static bool
frozen (json_t *st)
{
  cleanup_free char *f = dxc_state_freezer_file (st);
  cleanup_free char *v = NULL;
  if (f == NULL || dxc_read_file (f, &v, NULL, NULL) < 0)
    return false;
  return strncmp (v, "FROZEN", 6) == 0 || strncmp (v, "FREEZING", 8) == 0
         || v[0] == '1';
}

char *
dxc_state_fifo_path (const char *state_root, const char *id)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s/exec.fifo", state_root, id) < 0)
    return NULL;
  return p;
}

int
dxc_state_read (const char *state_root, const char *id, json_t **ret,
                dxc_error **err)
{
  cleanup_free char *path = NULL;
  json_error_t jerr;
  json_t *st;

  if (!dxc_id_is_valid (id))
    return dxc_error_new (err, "invalid container ID %s", id);
  path = state_path (state_root, id);
  if (path == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  st = json_load_file (path, 0, &jerr);
  if (st == NULL)
    {
      if (access (path, F_OK) < 0)
        return dxc_error_errno (err, ENOENT, "container %s does not exist", id);
      return dxc_error_new (err, "%s: %s", path, jerr.text);
    }
  /* The processes say what the file cannot: a container whose process died
     without its runtime noticing (kill -9 of the runtime) is stopped, even
     if its PID now names another process; one whose runtime died while
     setting it up, too. */
  {
    json_int_t pid = json_integer_value (json_object_get (st, "pid"));
    json_int_t start = json_integer_value (json_object_get (st, "startTime"));
    bool stopped = pid > 0 ? !dxc_proc_alive (pid, start) : !owner_alive (st);
    cleanup_free char *fifo = dxc_state_fifo_path (state_root, id);
    if (stopped)
      {
        json_object_set_new (st, "status", json_string ("stopped"));
        json_object_set_new (st, "pid", json_integer (0));
      }
    /* A frozen cgroup first, then created until start takes the exec
       fifo away (runc's order). */
    else if (pid > 0 && frozen (st))
      json_object_set_new (st, "status", json_string ("paused"));
    else if (pid > 0 && fifo && access (fifo, F_OK) == 0)
      json_object_set_new (st, "status", json_string ("created"));
    else if (pid > 0)
      json_object_set_new (st, "status", json_string ("running"));
  }
  *ret = st;
  return 0;
}

int
dxc_state_remove (const char *state_root, const char *id)
{
  cleanup_free char *dir = NULL;
  if (asprintf (&dir, "%s/%s", state_root, id) < 0)
    return -1;
  return dxc_rm_rf (dir, NULL);
}
