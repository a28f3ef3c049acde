/* The image store: see store.h. */
#include "image/libarchive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "store.h"
#include "util/fs.h"

int
dxc_store_open (const char *root, dxc_store **ret, dxc_error **err)
{
  static const char *const dirs[] = { "blobs/sha256", "layers", "containers",
                                      "names", "tmp", NULL };
  dxc_store *s;
  char path[4096];

  /* The layout exists once "tmp" does (it is made last): one stat on the
     hot path instead of five mkdirs. */
  snprintf (path, sizeof path, "%s/tmp", root);
  if (access (path, F_OK) < 0)
    for (int i = 0; dirs[i]; i++)
      {
        snprintf (path, sizeof path, "%s/%s", root, dirs[i]);
        if (dxc_mkdir_p (path, 0700, err) < 0)
          return dxc_error_prefix (err, "store %s", root);
      }
  s = calloc (1, sizeof *s);
  s->root = strdup (root);
  *ret = s;
  return 0;
}

unsigned
dxc_store_unpack_flags (const dxc_store *s)
{
  return s->whiteout_files ? DXC_UNPACK_WHITEOUT_FILES : 0;
}

void
dxc_store_free (dxc_store *s)
{
  if (s == NULL)
    return;
  free (s->root);
  free (s);
}

char *
dxc_store_blob_path (const dxc_store *s, const char *digest)
{
  char *p = NULL;
  /* Never a path from anything but "sha256:" and 64 hex digits. */
  if (digest == NULL || !dxc_digest_is_valid (digest))
    {
      errno = EINVAL;
      return NULL;
    }
  if (asprintf (&p, "%s/blobs/sha256/%s", s->root, digest + 7) < 0)
    return NULL;
  return p;
}

char *
dxc_store_layer_path (const dxc_store *s, const char *diff_id)
{
  char *p = NULL;
  if (diff_id == NULL || !dxc_digest_is_valid (diff_id))
    {
      errno = EINVAL;
      return NULL;
    }
  if (asprintf (&p, "%s/layers/%s", s->root, diff_id + 7) < 0)
    return NULL;
  return p;
}

void
dxc_store_clean_tmp (const dxc_store *s)
{
  char dir[4096];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  snprintf (dir, sizeof dir, "%s/tmp", s->root);
  d = opendir (dir);
  while (d && (de = readdir (d)))
    {
      /* <what>-<pid>-<counter>-<nsec>; lock files are kept */
      const char *dash = strchr (de->d_name, '-');
      char *end;
      long pid;
      if (de->d_name[0] == '.' || dash == NULL || strstr (de->d_name, ".lock"))
        continue;
      pid = strtol (dash + 1, &end, 10);
      if (pid <= 0 || *end != '-' || pid == getpid ())
        continue;
      if (kill (pid, 0) < 0 && errno == ESRCH)
        dxc_rm_rf_at (dirfd (d), de->d_name, NULL);
    }
}

char *
dxc_store_tmp_path (const dxc_store *s, const char *what)
{
  static unsigned counter;
  struct timespec ts;
  char *p = NULL;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  if (asprintf (&p, "%s/tmp/%s-%d-%u-%ld", s->root, what, (int) getpid (),
                counter++, ts.tv_nsec)
      < 0)
    return NULL;
  return p;
}

int
dxc_store_commit_blob (const dxc_store *s, const char *tmp, const char *digest,
                       dxc_error **err)
{
  cleanup_free char *final = dxc_store_blob_path (s, digest);
  if (rename (tmp, final) < 0)
    {
      int e = errno;
      unlink (tmp);
      return dxc_error_errno (err, e, "store blob %s", digest);
    }
  return 0;
}

int
dxc_store_put_blob (const dxc_store *s, const void *data, size_t len,
                    char ret_digest[72], dxc_error **err)
{
  cleanup_free char *final = NULL;

  if (dxc_digest_load (err) < 0)
    return -1;
  dxc_sha256_buffer (data, len, ret_digest);
  final = dxc_store_blob_path (s, ret_digest);
  if (access (final, F_OK) == 0)
    return 0;
  /* Staged under tmp/ (named with our PID: what a killed writer leaves is
     found and removed there), never beside the blobs, where a half-written
     file would stand among whole ones. */
  {
    cleanup_free char *tmp = dxc_store_tmp_path (s, "blob");
    cleanup_close int fd = -1;
    if (tmp == NULL)
      return dxc_error_errno (err, ENOMEM, "store blob");
    fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      return dxc_error_errno (err, errno, "create %s", tmp);
    if (dxc_write_all (fd, data, len) < 0 || fdatasync (fd) < 0)
      {
        int e = errno;
        unlink (tmp);
        return dxc_error_errno (err, e, "write %s", tmp);
      }
    return dxc_store_commit_blob (s, tmp, ret_digest, err);
  }
}

int
dxc_store_get_json (const dxc_store *s, const char *digest, json_t **ret,
                    dxc_error **err)
{
  cleanup_free char *path = NULL;
  json_error_t jerr;
  json_t *j;

  if (!dxc_digest_is_valid (digest))
    return dxc_error_new (err, "invalid digest %s", digest);
  path = dxc_store_blob_path (s, digest);
  j = json_load_file (path, 0, &jerr);
  if (j == NULL)
    {
      if (access (path, F_OK) < 0)
        return dxc_error_errno (err, ENOENT, "blob %s is missing from the "
                                "store", digest);
      return dxc_error_new (err, "blob %s: %s", digest, jerr.text);
    }
  *ret = j;
  return 0;
}

int
dxc_store_unpack_layer (const dxc_store *s, const char *diff_id,
                        const char *tar_path, dxc_error **err)
{
  cleanup_free char *final = dxc_store_layer_path (s, diff_id);
  cleanup_free char *tmp = NULL;
  cleanup_close int dfd = -1;
  struct archive *a;
  int r;

  if (access (final, F_OK) == 0)
    return 0;
  if (dxc_archive_load (err) < 0)
    return -1;
  tmp = dxc_store_tmp_path (s, "layer");
  if (mkdir (tmp, 0755) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", tmp);
  dfd = open (tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
  a = archive_read_new ();
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (dfd < 0 || archive_read_open_filename (a, tar_path, 1 << 16) != ARCHIVE_OK)
    {
      dxc_error_new (err, "open layer %s: %s", tar_path,
                     dfd < 0 ? strerror (errno) : archive_error_string (a));
      r = -1;
    }
  else
    r = dxc_unpack_layer (a, dfd, dxc_store_unpack_flags (s), err);
  archive_read_free (a);
  if (r == 0 && rename (tmp, final) < 0 && errno != ENOTEMPTY && errno != EEXIST)
    r = dxc_error_errno (err, errno, "store layer %s", diff_id);
  /* A concurrent unpack of the same layer won the rename: ours goes. */
  dxc_rm_rf (tmp, NULL);
  if (r < 0)
    return dxc_error_prefix (err, "layer %.19s", diff_id);
  return 0;
}

static char *
index_path (const dxc_store *s, const char *name)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s", s->root, name) < 0)
    return NULL;
  return p;
}

int
dxc_store_index_load (const dxc_store *s, json_t **ret, dxc_error **err)
{
  cleanup_free char *path = index_path (s, "images.json");
  json_error_t jerr;
  json_t *j = json_load_file (path, 0, &jerr);

  if (j == NULL)
    {
      if (access (path, F_OK) < 0 && errno == ENOENT)
        {
          *ret = json_object ();
          return 0;
        }
      return dxc_error_new (err, "image index %s: %s", path, jerr.text);
    }
  if (!json_is_object (j))
    {
      json_decref (j);
      return dxc_error_new (err, "image index %s: not an object", path);
    }
  *ret = j;
  return 0;
}

int
dxc_store_index_set (const dxc_store *s, const char *name, const char *digest,
                     dxc_error **err)
{
  cleanup_free char *lock = index_path (s, "images.lock");
  cleanup_free char *path = index_path (s, "images.json");
  cleanup_close int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  cleanup_free char *text = NULL;
  json_t *idx = NULL;
  int r;

  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return dxc_error_errno (err, errno, "lock %s", lock);
  if (dxc_store_index_load (s, &idx, err) < 0)
    return -1;
  if (digest)
    json_object_set_new (idx, name, json_string (digest));
  else
    json_object_del (idx, name);
  text = json_dumps (idx, JSON_INDENT (2) | JSON_SORT_KEYS);
  json_decref (idx);
  r = dxc_write_file_atomic (path, text, strlen (text), 0600, DXC_WRITE_SYNC,
                             err);
  return r;
}

int
dxc_image_from_manifest (const dxc_store *s, const char *manifest_digest,
                         dxc_image **ret, dxc_error **err)
{
  cleanup_image dxc_image *img = calloc (1, sizeof *img);
  json_t *manifest = NULL, *cfg, *diff_ids, *v;
  const char *cd;
  size_t i;

  if (dxc_store_get_json (s, manifest_digest, &manifest, err) < 0)
    return -1;
  img->manifest_digest = strdup (manifest_digest);
  cd = json_string_value (json_object_get (json_object_get (manifest, "config"),
                                           "digest"));
  if (cd == NULL)
    {
      json_decref (manifest);
      return dxc_error_new (err, "manifest %s has no config digest",
                            manifest_digest);
    }
  img->config_digest = strdup (cd);
  json_decref (manifest);
  if (dxc_store_get_json (s, img->config_digest, &img->config, err) < 0)
    return -1;
  cfg = img->config;
  diff_ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
  if (!json_is_array (diff_ids))
    return dxc_error_new (err, "image config %s has no rootfs.diff_ids",
                          img->config_digest);
  img->layers = calloc (json_array_size (diff_ids) + 1, sizeof (char *));
  json_array_foreach (diff_ids, i, v)
  {
    const char *d = json_string_value (v);
    if (d == NULL || !dxc_digest_is_valid (d))
      return dxc_error_new (err, "image config %s: invalid diff ID",
                            img->config_digest);
    img->layers[img->n_layers++] = strdup (d);
  }
  *ret = take_ptr (img);
  return 0;
}

static bool
is_hex_prefix (const char *s)
{
  size_t n = strlen (s);
  if (n < 4 || n > 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

int
dxc_image_lookup (const dxc_store *s, const char *refstr, dxc_image **ret,
                  dxc_error **err)
{
  json_t *idx = NULL, *v;
  cleanup_free char *canonical = NULL;
  const char *key, *found = NULL;
  dxc_ref ref = { 0 };
  dxc_error *perr = NULL;
  int r;

  if (dxc_store_index_load (s, &idx, err) < 0)
    return -1;
  if (dxc_ref_parse (refstr, &ref, &perr) == 0)
    {
      canonical = dxc_ref_canonical (&ref);
      dxc_ref_clear (&ref);
      found = json_string_value (json_object_get (idx, canonical));
    }
  if (found == NULL)
    {
      /* An image ID (or a unique prefix of one), as Docker accepts. */
      const char *id = strncmp (refstr, "sha256:", 7) == 0 ? refstr + 7 : refstr;
      if (is_hex_prefix (id))
        json_object_foreach (idx, key, v)
        {
          cleanup_image dxc_image *img = NULL;
          if (dxc_image_from_manifest (s, json_string_value (v), &img, NULL) == 0
              && strncmp (img->config_digest + 7, id, strlen (id)) == 0)
            {
              found = json_string_value (v);
              break;
            }
        }
    }
  if (found == NULL)
    {
      json_decref (idx);
      if (perr)
        {
          /* Neither a valid reference nor a known image ID. */
          if (err)
            {
              dxc_error_free (*err);
              *err = perr;
            }
          else
            dxc_error_free (perr);
          return -1;
        }
      dxc_error_new (err, "Unable to find image '%s' locally", refstr);
      return dxc_error_set_errnum (err, ENOENT);
    }
  dxc_error_free (perr);
  r = dxc_image_from_manifest (s, found, ret, err);
  if (r == 0 && canonical)
    (*ret)->name = strdup (canonical);
  json_decref (idx);
  return r;
}

void
dxc_image_free (dxc_image *img)
{
  if (img == NULL)
    return;
  free (img->name);
  free (img->manifest_digest);
  free (img->config_digest);
  json_decref (img->config);
  for (size_t i = 0; i < img->n_layers; i++)
    free (img->layers[i]);
  free (img->layers);
  free (img);
}

static void
keep_image_blobs (const dxc_store *s, const char *manifest_digest, json_t *blobs,
                  json_t *layers)
{
  json_t *m = NULL, *l;
  size_t i;
  cleanup_image dxc_image *img = NULL;

  json_object_set_new (blobs, manifest_digest + 7, json_true ());
  if (dxc_store_get_json (s, manifest_digest, &m, NULL) < 0)
    return;
  json_array_foreach (json_object_get (m, "layers"), i, l)
  {
    const char *d = json_string_value (json_object_get (l, "digest"));
    if (d && dxc_digest_is_valid (d))
      json_object_set_new (blobs, d + 7, json_true ());
  }
  json_decref (m);
  if (dxc_image_from_manifest (s, manifest_digest, &img, NULL) < 0)
    return;
  json_object_set_new (blobs, img->config_digest + 7, json_true ());
  for (i = 0; i < img->n_layers; i++)
    json_object_set_new (layers, img->layers[i] + 7, json_true ());
}

int
dxc_store_lease (const dxc_store *s, bool exclusive, dxc_error **err)
{
  cleanup_free char *path = index_path (s, "gc.lock");
  cleanup_close int fd = -1;

  if (path == NULL)
    return dxc_error_errno (err, ENOMEM, "store lease");
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
    return dxc_error_errno (err, errno, "lock %s", path);
  return take_fd (fd);
}

/* Remove what dir holds but keep names. Entries are first renamed into
   tmp/ (same file system), then deleted there: a name in dir is never a
   half-deleted entry. */
static int
sweep (const dxc_store *s, const char *dir, json_t *keep, dxc_error **err)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  if (d == NULL)
    return errno == ENOENT ? 0 : dxc_error_errno (err, errno, "open %s", dir);
  while ((de = readdir (d)))
    {
      cleanup_free char *trash = NULL;
      if (de->d_name[0] == '.' || json_object_get (keep, de->d_name))
        continue;
      trash = dxc_store_tmp_path (s, "trash");
      if (trash == NULL || renameat (dirfd (d), de->d_name, AT_FDCWD, trash) < 0)
        return dxc_error_errno (err, errno, "remove %s/%s", dir, de->d_name);
      if (dxc_rm_rf (trash, err) < 0)
        return -1;
    }
  return 0;
}

/* Under the exclusive lease no pull holds a layer lock: they all go. */
static void
remove_layer_locks (const dxc_store *s)
{
  char dir[4096];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  snprintf (dir, sizeof dir, "%s/tmp", s->root);
  d = opendir (dir);
  while (d && (de = readdir (d)))
    if (strncmp (de->d_name, "layer-", 6) == 0
        && strstr (de->d_name, ".lock") != NULL)
      unlinkat (dirfd (d), de->d_name, 0);
}

int
dxc_store_gc (const dxc_store *s, json_t *keep_layers, dxc_error **err)
{
  cleanup_free char *lock = index_path (s, "images.lock");
  cleanup_close int lease = -1;
  cleanup_close int lfd = -1;
  cleanup_json json_t *idx = NULL, *blobs = json_object ();
  cleanup_json json_t *layers = json_object ();
  json_t *v;
  const char *key;
  char dir[4096];

  /* The lease first (writers take it before the index lock too). */
  lease = dxc_store_lease (s, true, err);
  if (lease < 0)
    return -1;
  lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return dxc_error_errno (err, errno, "lock %s", lock);
  if (dxc_store_index_load (s, &idx, err) < 0)
    return -1;
  json_object_foreach (idx, key, v)
    keep_image_blobs (s, json_string_value (v), blobs, layers);
  if (keep_layers)
    json_object_foreach (keep_layers, key, v)
      json_object_set_new (layers, strncmp (key, "sha256:", 7) == 0 ? key + 7
                                                                    : key,
                           json_true ());
  snprintf (dir, sizeof dir, "%s/blobs/sha256", s->root);
  if (sweep (s, dir, blobs, err) < 0)
    return -1;
  snprintf (dir, sizeof dir, "%s/layers", s->root);
  json_object_set_new (layers, "l", json_true ()); /* short links (engine) */
  if (sweep (s, dir, layers, err) < 0)
    return -1;
  remove_layer_locks (s);
  return 0;
}
