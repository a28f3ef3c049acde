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

int
dxc_state_create (const char *state_root, const char *id, dxc_error **err)
{
  cleanup_free char *dir = NULL;

  if (!dxc_id_is_valid (id))
    return dxc_error_new (err, "invalid container ID %s: use letters, digits, "
                          "'_', '.' and '-', starting with a letter or digit",
                          id);
  if (asprintf (&dir, "%s/%s", state_root, id) < 0)
    return dxc_error_errno (err, ENOMEM, "state");
  if (mkdir (dir, 0700) < 0)
    {
      if (errno == ENOENT)
        {
          if (dxc_mkdir_p (state_root, 0700, err) < 0)
            return -1;
          if (mkdir (dir, 0700) == 0)
            return 0;
        }
      if (errno == EEXIST)
        return dxc_error_errno (err, EEXIST, "container ID %s already exists "
                                "in %s", id, state_root);
      return dxc_error_errno (err, errno, "mkdir %s", dir);
    }
  return 0;
}

int
dxc_state_write (const char *state_root, const char *id, const char *bundle,
                 pid_t pid, const char *status, dxc_error **err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  /* The start time makes the PID an identity: a reused PID is never taken
     for the container's (util/proc.h). */
  json_t *st = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:I}", "ociVersion",
                          "1.0.2", "id", id, "status", status, "pid",
                          (int) pid, "bundle", bundle ? bundle : "",
                          "startTime",
                          (json_int_t) dxc_proc_start_time (pid));

  if (st == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  text = json_dumps (st, JSON_COMPACT);
  json_decref (st);
  if (asprintf (&path, "%s/%s/state.json", state_root, id) < 0 || text == NULL)
    return dxc_error_errno (err, ENOMEM, "state");
  return dxc_write_file_atomic (path, text, strlen (text), 0600, 0, err);
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
  if (asprintf (&path, "%s/%s/state.json", state_root, id) < 0)
    return dxc_error_errno (err, ENOMEM, "state");
  st = json_load_file (path, 0, &jerr);
  if (st == NULL)
    {
      if (access (path, F_OK) < 0)
        return dxc_error_errno (err, ENOENT, "container %s does not exist", id);
      return dxc_error_new (err, "%s: %s", path, jerr.text);
    }
  /* A process that died without the runtime noticing (kill -9 of the
     runtime) is reported as stopped, even if its PID now names another
     process. */
  {
    json_int_t pid = json_integer_value (json_object_get (st, "pid"));
    json_int_t start = json_integer_value (json_object_get (st, "startTime"));
    if (pid > 0 && !dxc_proc_alive (pid, start))
      {
        json_object_set_new (st, "status", json_string ("stopped"));
        json_object_set_new (st, "pid", json_integer (0));
      }
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
