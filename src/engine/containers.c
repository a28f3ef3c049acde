/* Container records: see containers.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "containers.h"
#include "util/fs.h"

void
dxc_container_new_id (char id[65])
{
  unsigned char r[32];
  if (getrandom (r, sizeof r, 0) != sizeof r)
    for (size_t i = 0; i < sizeof r; i++)
      r[i] = random ();
  for (int i = 0; i < 32; i++)
    sprintf (id + 2 * i, "%02x", r[i]);
}

bool
dxc_container_name_is_valid (const char *name)
{
  size_t n = strlen (name);
  if (n < 2 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                   || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || !strchr ("_.-", c)))
        return false;
    }
  return true;
}

static char *
name_path (const dxc_store *s, const char *name)
{
  char *p = NULL;
  if (asprintf (&p, "%s/names/%s", s->root, name) < 0)
    return NULL;
  return p;
}

/* How long a setup may take between making a container's directory (or
   its name) and writing its first record: the engine writes the record
   right after the mkdir, so a minute without one means its engine was
   killed in between. */
#define ABANDONED_AFTER 60

static bool
older_than (int dirfd, const char *name, int seconds)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
         && time (NULL) - st.st_mtime > seconds;
}

/* A name whose container never got a directory (its engine was killed
   between the two): removed, so the name can be used again. */
static bool
name_is_abandoned (const dxc_store *s, const char *path)
{
  char target[80], dir[4096];
  struct stat st;
  ssize_t n = readlink (path, target, sizeof target - 1);
  if (n <= 0)
    return false;
  target[n] = '\0';
  snprintf (dir, sizeof dir, "%s/containers/%s", s->root, target);
  if (stat (dir, &st) == 0 || errno != ENOENT
      || !older_than (AT_FDCWD, path, ABANDONED_AFTER))
    return false;
  return unlink (path) == 0;
}

int
dxc_name_reserve (const dxc_store *s, const char *name, const char *id,
                  char **ret_name, dxc_error **err)
{
  static const char *const adjectives[]
      = { "brave", "calm", "eager", "fancy", "gentle", "happy", "jolly",
          "keen", "lucid", "merry", "nimble", "proud", "quiet", "sharp",
          "swift", "witty" };
  static const char *const names[]
      = { "babbage", "curie", "dijkstra", "euler", "feynman", "hopper",
          "knuth", "lovelace", "noether", "pascal", "ritchie", "shannon",
          "thompson", "torvalds", "turing", "wozniak" };

  if (name)
    {
      cleanup_free char *p = name_path (s, name);
      if (!dxc_container_name_is_valid (name))
        return dxc_error_new (err, "Invalid container name (%s), only "
                              "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
      int r = symlink (id, p);
      if (r < 0 && errno == EEXIST && name_is_abandoned (s, p))
        r = symlink (id, p);
      if (r < 0)
        {
          char other[80] = "";
          if (errno != EEXIST)
            return dxc_error_errno (err, errno, "reserve name %s", name);
          if (readlink (p, other, sizeof other - 1) < 0)
            other[0] = '\0';
          dxc_error_new (err, "Conflict. The container name \"/%s\" is "
                         "already in use by container \"%s\". You have to "
                         "remove (or rename) that container to be able to "
                         "reuse that name.", name, other);
          return dxc_error_set_errnum (err, EEXIST);
        }
      *ret_name = strdup (name);
      return 0;
    }
  for (int attempt = 0; attempt < 64; attempt++)
    {
      unsigned char r[2];
      char gen[64];
      cleanup_free char *p = NULL;
      if (getrandom (r, sizeof r, 0) != sizeof r)
        r[0] = random (), r[1] = random ();
      if (attempt < 32)
        snprintf (gen, sizeof gen, "%s_%s", adjectives[r[0] % 16],
                  names[r[1] % 16]);
      else
        snprintf (gen, sizeof gen, "%s_%s_%.6s", adjectives[r[0] % 16],
                  names[r[1] % 16], id);
      p = name_path (s, gen);
      if (symlink (id, p) == 0)
        {
          *ret_name = strdup (gen);
          return 0;
        }
      if (errno != EEXIST)
        return dxc_error_errno (err, errno, "reserve name %s", gen);
    }
  return dxc_error_new (err, "could not find a free container name");
}

void
dxc_name_release (const dxc_store *s, const char *name)
{
  cleanup_free char *p = NULL;
  if (name == NULL)
    return;
  p = name_path (s, name);
  unlink (p);
}

char *
dxc_container_dir (const dxc_store *s, const char *id)
{
  char *p = NULL;
  if (asprintf (&p, "%s/containers/%s", s->root, id) < 0)
    return NULL;
  return p;
}

int
dxc_record_write (const dxc_store *s, const char *id, json_t *rec, bool sync,
                  dxc_error **err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = json_dumps (rec, JSON_INDENT (2));
  if (asprintf (&path, "%s/containers/%s/container.json", s->root, id) < 0
      || text == NULL)
    return dxc_error_errno (err, ENOMEM, "container record");
  return dxc_write_file_atomic (path, text, strlen (text), 0600,
                                sync ? DXC_WRITE_SYNC : 0, err);
}

static json_t *
record_load (const dxc_store *s, const char *id)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/containers/%s/container.json", s->root, id);
  return json_load_file (path, 0, NULL);
}

int
dxc_record_find (const dxc_store *s, const char *what, json_t **ret,
                 dxc_error **err)
{
  cleanup_free char *np = NULL;
  char target[80];
  ssize_t n;
  json_t *rec = NULL;

  if (strchr (what, '/') == NULL && *what && what[0] != '.')
    {
      np = name_path (s, what);
      n = readlink (np, target, sizeof target - 1);
      if (n > 0)
        {
          target[n] = '\0';
          rec = record_load (s, target);
        }
      if (rec == NULL && strlen (what) == 64)
        rec = record_load (s, what);
      if (rec == NULL)
        {
          /* A unique ID prefix. */
          char path[4096];
          cleanup_dir DIR *d = NULL;
          struct dirent *de;
          char found[80] = "";
          int matches = 0;
          snprintf (path, sizeof path, "%s/containers", s->root);
          d = opendir (path);
          while (d && (de = readdir (d)))
            if (de->d_name[0] != '.'
                && strncmp (de->d_name, what, strlen (what)) == 0)
              {
                matches++;
                snprintf (found, sizeof found, "%.79s", de->d_name);
              }
          if (matches > 1)
            return dxc_error_new (err, "multiple containers match %s: give "
                                  "more of the ID", what);
          if (matches == 1)
            rec = record_load (s, found);
        }
    }
  if (rec == NULL)
    {
      dxc_error_new (err, "No such container: %s", what);
      return dxc_error_set_errnum (err, ENOENT);
    }
  *ret = rec;
  return 0;
}

static int
by_created (const void *a, const void *b)
{
  json_t *const *x = a, *const *y = b;
  const char *ca = json_string_value (json_object_get (*x, "Created"));
  const char *cb = json_string_value (json_object_get (*y, "Created"));
  return strcmp (ca ? ca : "", cb ? cb : "");
}

/* A container directory with no record, left by an engine killed right
   after making it: removed (it holds nothing but empty directories). */
static void
reclaim_if_abandoned (int dirfd, const char *id)
{
  if (older_than (dirfd, id, ABANDONED_AFTER))
    dxc_rm_rf_at (dirfd, id, NULL);
}

json_t *
dxc_records_list (const dxc_store *s)
{
  char path[4096];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  json_t **v = NULL;
  size_t n = 0, cap = 0;
  json_t *out = json_array ();

  snprintf (path, sizeof path, "%s/containers", s->root);
  d = opendir (path);
  while (d && (de = readdir (d)))
    {
      json_t *rec;
      if (strncmp (de->d_name, ".rm-", 4) == 0)
        reclaim_if_abandoned (dirfd (d), de->d_name);
      if (de->d_name[0] == '.')
        continue;
      if ((rec = record_load (s, de->d_name)) == NULL)
        {
          reclaim_if_abandoned (dirfd (d), de->d_name);
          continue;
        }
      if (n == cap)
        {
          cap = cap ? cap * 2 : 16;
          v = realloc (v, cap * sizeof *v);
        }
      v[n++] = rec;
    }
  if (n)
    qsort (v, n, sizeof *v, by_created);
  for (size_t i = 0; i < n; i++)
    json_array_append_new (out, v[i]);
  free (v);
  return out;
}

int
dxc_container_remove_files (const dxc_store *s, json_t *rec, dxc_error **err)
{
  const char *id = json_string_value (json_object_get (rec, "Id"));
  const char *name = json_string_value (json_object_get (rec, "Name"));
  cleanup_free char *dir = NULL;

  if (id == NULL)
    return dxc_error_new (err, "container record without an ID");
  dir = dxc_container_dir (s, id);
  /* The name first (a name always leads to a record), then the directory,
     moved out of sight before it is deleted: a killed rm leaves no half
     container under its ID (a later listing removes the rest). */
  if (name && *name)
    {
      char target[80];
      cleanup_free char *np = name_path (s, name);
      ssize_t n = readlink (np, target, sizeof target - 1);
      if (n > 0 && (target[n] = '\0', strcmp (target, id) == 0))
        unlink (np);
    }
  {
    cleanup_free char *trash = NULL;
    if (asprintf (&trash, "%s/containers/.rm-%s", s->root, id) < 0)
      return dxc_error_errno (err, ENOMEM, "remove container %.12s", id);
    if (rename (dir, trash) < 0 && errno != ENOENT)
      return dxc_error_errno (err, errno, "remove container %.12s", id);
    if (dxc_rm_rf (trash, err) < 0)
      return dxc_error_prefix (err, "remove container %.12s", id);
  }
  return 0;
}
