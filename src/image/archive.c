/* Image archives: see archive.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "image/archive.h"
#include "image/digest.h"
#include "image/libarchive.h"
#include "image/pull.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "util/fs.h"

static int
add_bytes (struct archive *a, const char *name, const void *data, size_t len,
           dxc_error **err)
{
  struct archive_entry *e = archive_entry_new ();
  int r = 0;
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, len);
  archive_entry_set_mtime (e, 0, 0);
  if (archive_write_header (a, e) != ARCHIVE_OK
      || (len && archive_write_data (a, data, len) < 0))
    r = dxc_error_new (err, "write %s: %s", name, archive_error_string (a));
  archive_entry_free (e);
  return r;
}

static int
add_dir (struct archive *a, const char *name, dxc_error **err)
{
  struct archive_entry *e = archive_entry_new ();
  int r = 0;
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFDIR);
  archive_entry_set_perm (e, 0755);
  archive_entry_set_mtime (e, 0, 0);
  if (archive_write_header (a, e) != ARCHIVE_OK)
    r = dxc_error_new (err, "write %s: %s", name, archive_error_string (a));
  archive_entry_free (e);
  return r;
}

/* blobs/sha256/<hex>, once per archive. */
static int
add_blob (const dxc_store *s, struct archive *a, json_t *done,
          const char *digest, dxc_error **err)
{
  cleanup_free char *path = dxc_store_blob_path (s, digest);
  cleanup_close int fd = -1;
  struct archive_entry *e;
  struct stat st;
  char name[128], buf[1 << 16];
  ssize_t n;

  if (json_object_get (done, digest))
    return 0;
  json_object_set_new (done, digest, json_true ());
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return dxc_error_errno (err, errno, "blob %s", digest);
  snprintf (name, sizeof name, "blobs/sha256/%s", digest + 7);
  e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, st.st_size);
  archive_entry_set_mtime (e, 0, 0);
  if (archive_write_header (a, e) != ARCHIVE_OK)
    {
      archive_entry_free (e);
      return dxc_error_new (err, "write %s: %s", name, archive_error_string (a));
    }
  archive_entry_free (e);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (archive_write_data (a, buf, n) < 0)
      return dxc_error_new (err, "write %s: %s", name, archive_error_string (a));
  if (n < 0)
    return dxc_error_errno (err, errno, "read blob %s", digest);
  return 0;
}

int
dxc_image_save (const dxc_store *s, char *const *refs, const char *path,
                dxc_error **err)
{
  cleanup_free char *tmp = NULL;
  json_t *index = json_pack ("{s:i, s:[]}", "schemaVersion", 2, "manifests");
  json_t *docker = json_array (), *done = json_object ();
  struct archive *a = NULL;
  int r = -1;

  if (dxc_archive_load (err) < 0)
    goto out;
  if (asprintf (&tmp, "%s.tmp-%d", path, (int) getpid ()) < 0)
    goto out;
  a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  if (archive_write_open_filename (a, tmp) != ARCHIVE_OK)
    {
      dxc_error_new (err, "save: create %s: %s", tmp, archive_error_string (a));
      goto out;
    }
  if (add_bytes (a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, err) < 0
      || add_dir (a, "blobs/", err) < 0 || add_dir (a, "blobs/sha256/", err) < 0)
    goto out;
  for (char *const *ref = refs; *ref; ref++)
    {
      cleanup_image dxc_image *img = NULL;
      json_t *man = NULL, *l, *layer_paths = json_array (), *tags = json_array ();
      cleanup_free char *man_path = NULL;
      struct stat st;
      size_t i;

      if (dxc_image_lookup (s, *ref, &img, err) < 0
          || dxc_store_get_json (s, img->manifest_digest, &man, err) < 0)
        {
          json_decref (layer_paths);
          json_decref (tags);
          goto out;
        }
      man_path = dxc_store_blob_path (s, img->manifest_digest);
      stat (man_path, &st);
      json_array_foreach (json_object_get (man, "layers"), i, l)
        {
          const char *d = json_string_value (json_object_get (l, "digest"));
          char p[128];
          snprintf (p, sizeof p, "blobs/sha256/%s", d + 7);
          json_array_append_new (layer_paths, json_string (p));
          if (add_blob (s, a, done, d, err) < 0)
            {
              json_decref (man);
              json_decref (layer_paths);
              json_decref (tags);
              goto out;
            }
        }
      json_decref (man);
      if (add_blob (s, a, done, img->config_digest, err) < 0
          || add_blob (s, a, done, img->manifest_digest, err) < 0)
        {
          json_decref (layer_paths);
          json_decref (tags);
          goto out;
        }
      if (img->name)
        {
          dxc_ref pr = { 0 };
          if (dxc_ref_parse (img->name, &pr, NULL) == 0 && pr.tag)
            {
              cleanup_free char *repo = dxc_ref_familiar_repo (&pr);
              char *t = NULL;
              if (asprintf (&t, "%s:%s", repo, pr.tag) >= 0)
                json_array_append_new (tags, json_string (t));
              free (t);
            }
          dxc_ref_clear (&pr);
        }
      {
        char cfgp[128];
        snprintf (cfgp, sizeof cfgp, "blobs/sha256/%s", img->config_digest + 7);
        json_array_append_new (docker, json_pack ("{s:s, s:o, s:o}", "Config",
                                                  cfgp, "RepoTags", tags,
                                                  "Layers", layer_paths));
      }
      json_array_append_new (
          json_object_get (index, "manifests"),
          json_pack ("{s:s, s:s, s:I, s:{s:s*}}", "mediaType",
                     "application/vnd.oci.image.manifest.v1+json", "digest",
                     img->manifest_digest, "size", (json_int_t) st.st_size,
                     "annotations", "io.containerd.image.name", img->name));
    }
  {
    cleanup_free char *it = json_dumps (index, JSON_COMPACT);
    cleanup_free char *dt = json_dumps (docker, JSON_COMPACT);
    if (add_bytes (a, "index.json", it, strlen (it), err) < 0
        || add_bytes (a, "manifest.json", dt, strlen (dt), err) < 0)
      goto out;
  }
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      dxc_error_new (err, "save: %s", archive_error_string (a));
      goto out;
    }
  if (rename (tmp, path) < 0)
    {
      dxc_error_errno (err, errno, "save: rename to %s", path);
      goto out;
    }
  r = 0;
out:
  if (a)
    archive_write_free (a);
  if (r < 0 && tmp)
    unlink (tmp);
  json_decref (index);
  json_decref (docker);
  json_decref (done);
  return r;
}

/* The largest JSON document (manifest, index, config) an archive may hold. */
#define DXC_ARCHIVE_JSON_MAX (16 << 20)

/* A member of the unpacked archive, opened only if it is a regular file
   inside it: the archive's own symlinks (to /etc/passwd, /dev/zero, ...)
   are never followed, and its JSON names no path outside it. */
static int
open_member (int dfd, const char *rel, const char *what, dxc_error **err)
{
  struct open_how how = { .flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
                                     | RESOLVE_NO_MAGICLINKS };
  cleanup_close int fd = -1;
  struct stat st;

  if (rel == NULL || *rel == '\0')
    return dxc_error_new (err, "%s: no path given", what);
  fd = syscall (SYS_openat2, dfd, rel, &how, sizeof how);
  if (fd < 0)
    {
      if (errno == ELOOP || errno == EXDEV)
        return dxc_error_new (err, "%s %s: a symlink or a path that leaves "
                              "the archive (refused)", what, rel);
      return dxc_error_errno (err, errno, "%s %s", what, rel);
    }
  if (fstat (fd, &st) < 0)
    return dxc_error_errno (err, errno, "%s %s", what, rel);
  if (!S_ISREG (st.st_mode))
    return dxc_error_new (err, "%s %s: not a regular file", what, rel);
  return take_fd (fd);
}

static json_t *
load_member_json (int dfd, const char *rel, const char *what, dxc_error **err)
{
  cleanup_close int fd = open_member (dfd, rel, what, err);
  cleanup_free char *data = NULL;
  json_error_t jerr;
  struct stat st;
  size_t len;
  json_t *j;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0 || st.st_size > DXC_ARCHIVE_JSON_MAX)
    {
      dxc_error_new (err, "%s %s: larger than %d MiB", what, rel,
                     DXC_ARCHIVE_JSON_MAX >> 20);
      return NULL;
    }
  if (dxc_read_fd (fd, &data, &len, err) < 0)
    return NULL;
  j = json_loadb (data, len, 0, &jerr);
  if (j == NULL)
    dxc_error_new (err, "%s %s: %s", what, rel, jerr.text);
  return j;
}

static void
strv_push (char ***v, size_t *n, const char *s)
{
  *v = realloc (*v, (*n + 2) * sizeof (char *));
  (*v)[(*n)++] = strdup (s);
  (*v)[*n] = NULL;
}

/* One image of the archive: its config and layers as files of the
   unpacked archive (dfd). */
static int
load_one (const dxc_store *s, int dfd, const char *config, json_t *layers,
          char **names, char ***loaded, size_t *n_loaded, dxc_error **err)
{
  size_t n = json_array_size (layers), cfg_len, i;
  cleanup_close int cfd = -1;
  cleanup_free char *cfg = NULL;
  char **files = calloc (n + 1, sizeof (char *));
  int *fds = calloc (n + 1, sizeof (int));
  struct stat st;
  json_t *l;
  char id[72];
  int r = -1;

  if (files == NULL || fds == NULL)
    {
      dxc_error_errno (err, ENOMEM, "load");
      goto out;
    }
  for (i = 0; i < n; i++)
    fds[i] = -1;
  cfd = open_member (dfd, config, "image config", err);
  if (cfd < 0)
    goto out;
  if (fstat (cfd, &st) < 0 || st.st_size > DXC_ARCHIVE_JSON_MAX)
    {
      dxc_error_new (err, "image config %s: larger than %d MiB", config,
                     DXC_ARCHIVE_JSON_MAX >> 20);
      goto out;
    }
  if (dxc_read_fd (cfd, &cfg, &cfg_len, err) < 0)
    goto out;
  json_array_foreach (layers, i, l)
    {
      /* Checked here, read by the layer pipeline through the fd. */
      fds[i] = open_member (dfd, json_string_value (l), "layer", err);
      if (fds[i] < 0 || asprintf (&files[i], "/proc/self/fd/%d", fds[i]) < 0)
        goto out;
    }
  if (dxc_image_store_files (s, cfg, cfg_len, files, n, names, id, err) < 0)
    goto out;
  if (names && names[0])
    for (char **nm = names; *nm; nm++)
      strv_push (loaded, n_loaded, *nm);
  else
    strv_push (loaded, n_loaded, id);
  r = 0;
out:
  for (i = 0; files && i < n; i++)
    {
      free (files[i]);
      if (fds[i] >= 0)
        close (fds[i]);
    }
  free (files);
  free (fds);
  return r;
}

/* "sha256:<hex>" -> "blobs/sha256/<hex>", or NULL for anything else. */
static const char *
blob_rel (const char *digest, char *buf, size_t len)
{
  if (digest == NULL || !dxc_digest_is_valid (digest))
    return NULL;
  snprintf (buf, len, "blobs/sha256/%s", digest + 7);
  return buf;
}

int
dxc_image_load (const dxc_store *s, const char *path, char ***ret_loaded,
                dxc_error **err)
{
  cleanup_free char *dir = dxc_store_tmp_path (s, "load");
  char **loaded = NULL;
  size_t n_loaded = 0;
  struct archive *a;
  json_t *doc = NULL, *v;
  size_t i;
  int r = -1, dfd = -1;

  if (dxc_archive_load (err) < 0 || dxc_digest_load (err) < 0)
    return -1;
  if (mkdir (dir, 0700) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", dir);
  /* The archive is unpacked with the layer extractor: its paths cannot
     leave the staging directory either. */
  a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (archive_read_open_filename (a, strcmp (path, "-") ? path : NULL, 1 << 16)
      != ARCHIVE_OK)
    dxc_error_new (err, "load %s: %s", path, archive_error_string (a));
  else if (dxc_unpack_layer (a, dfd, err) == 0)
    r = 0;
  archive_read_free (a);
  close (dfd);
  dfd = -1;
  if (r < 0)
    goto out;
  r = -1;
  dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      dxc_error_errno (err, errno, "open %s", dir);
      goto out;
    }
  if (faccessat (dfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      /* docker save: [{Config, RepoTags, Layers}] */
      doc = load_member_json (dfd, "manifest.json", "manifest", err);
      if (doc == NULL)
        goto out;
      if (!json_is_array (doc))
        {
          dxc_error_new (err, "manifest.json: not an array");
          goto out;
        }
      json_array_foreach (doc, i, v)
        {
          json_t *tags = json_object_get (v, "RepoTags"), *t;
          char **names = calloc (json_array_size (tags) + 1, sizeof (char *));
          size_t k, m = 0;
          int rr;
          json_array_foreach (tags, k, t)
            if (json_string_value (t))
              names[m++] = (char *) json_string_value (t);
          rr = load_one (s, dfd, json_string_value (json_object_get (v, "Config")),
                         json_object_get (v, "Layers"), names, &loaded,
                         &n_loaded, err);
          free (names);
          if (rr < 0)
            goto out;
        }
    }
  else
    {
      /* An OCI archive: index.json -> manifests -> config and layers. */
      doc = load_member_json (dfd, "index.json", "index", err);
      if (!json_is_object (doc))
        {
          dxc_error_free (*err);
          *err = NULL;
          dxc_error_new (err, "load %s: neither a docker save archive "
                         "(manifest.json) nor an OCI archive (index.json)", path);
          goto out;
        }
      json_array_foreach (json_object_get (doc, "manifests"), i, v)
        {
          const char *d = json_string_value (json_object_get (v, "digest"));
          json_t *ann = json_object_get (v, "annotations"), *man, *l, *layers;
          const char *name = json_string_value (json_object_get (ann, "io.containerd.image.name"));
          /* The layout's own annotation names the image when it holds a
             whole reference (skopeo writes "host/repo:tag"); a bare tag
             ("v1") names nothing. */
          const char *ref = json_string_value (json_object_get (ann, "org.opencontainers.image.ref.name"));
          if (name == NULL && ref && strpbrk (ref, "/:") && !strchr (ref, '@'))
            name = ref;
          char *names[2] = { (char *) name, NULL };
          char rel[128], crel[128];
          const char *cfg_rel;
          size_t k;
          int rr;
          if (blob_rel (d, rel, sizeof rel) == NULL)
            {
              dxc_error_new (err, "load %s: index.json: invalid manifest "
                             "digest", path);
              goto out;
            }
          man = load_member_json (dfd, rel, "manifest", err);
          if (man == NULL)
            goto out;
          if (!json_is_object (json_object_get (man, "config")))
            {
              json_decref (man);
              dxc_error_new (err, "load %s: manifest %s is not an image "
                             "manifest", path, d);
              goto out;
            }
          cfg_rel = blob_rel (json_string_value (json_object_get (
                                  json_object_get (man, "config"), "digest")),
                              crel, sizeof crel);
          layers = json_array ();
          json_array_foreach (json_object_get (man, "layers"), k, l)
            {
              if (blob_rel (json_string_value (json_object_get (l, "digest")),
                            rel, sizeof rel)
                  == NULL)
                break;
              json_array_append_new (layers, json_string (rel));
            }
          if (cfg_rel == NULL
              || json_array_size (layers)
                     != json_array_size (json_object_get (man, "layers")))
            {
              json_decref (man);
              json_decref (layers);
              dxc_error_new (err, "load %s: manifest %s: invalid config or "
                             "layer digest", path, d);
              goto out;
            }
          json_decref (man);
          rr = load_one (s, dfd, cfg_rel, layers, name ? names : NULL,
                         &loaded, &n_loaded, err);
          json_decref (layers);
          if (rr < 0)
            goto out;
        }
    }
  if (n_loaded == 0)
    {
      dxc_error_new (err, "load %s: the archive holds no image", path);
      goto out;
    }
  *ret_loaded = take_ptr (loaded);
  r = 0;
out:
  if (dfd >= 0)
    close (dfd);
  json_decref (doc);
  dxc_rm_rf (dir, NULL);
  for (size_t k = 0; loaded && loaded[k]; k++)
    free (loaded[k]);
  free (loaded);
  if (r < 0)
    dxc_error_prefix (err, "load");
  return r;
}
