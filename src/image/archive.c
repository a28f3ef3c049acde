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

/* One image into the archive: its blobs, its entry in index.json (OCI)
   and in manifest.json (docker save). */
static int
save_image (const dxc_store *s, struct archive *a, json_t *done,
            const char *ref, json_t *index, json_t *docker, dxc_error **err)
{
  cleanup_image dxc_image *img = NULL;
  cleanup_json json_t *man = NULL;
  cleanup_json json_t *layer_paths = json_array ();
  cleanup_json json_t *tags = json_array ();
  cleanup_free char *man_path = NULL;
  char cfgp[128];
  struct stat st;
  size_t i;
  json_t *l;

  if (dxc_image_lookup (s, ref, &img, err) < 0
      || dxc_store_get_json (s, img->manifest_digest, &man, err) < 0)
    return -1;
  man_path = dxc_store_blob_path (s, img->manifest_digest);
  if (man_path == NULL || stat (man_path, &st) < 0)
    return dxc_error_errno (err, errno, "save: manifest of %s", ref);
  json_array_foreach (json_object_get (man, "layers"), i, l)
    {
      const char *d = json_string_value (json_object_get (l, "digest"));
      char p[128];
      if (d == NULL || !dxc_digest_is_valid (d))
        return dxc_error_new (err, "save: %s: a layer has no valid digest",
                              ref);
      snprintf (p, sizeof p, "blobs/sha256/%s", d + 7);
      json_array_append_new (layer_paths, json_string (p));
      if (add_blob (s, a, done, d, err) < 0)
        return -1;
    }
  if (add_blob (s, a, done, img->config_digest, err) < 0
      || add_blob (s, a, done, img->manifest_digest, err) < 0)
    return -1;
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
  snprintf (cfgp, sizeof cfgp, "blobs/sha256/%s", img->config_digest + 7);
  json_array_append_new (docker, json_pack ("{s:s, s:O, s:O}", "Config", cfgp,
                                            "RepoTags", tags, "Layers",
                                            layer_paths));
  json_array_append_new (
      json_object_get (index, "manifests"),
      json_pack ("{s:s, s:s, s:I, s:{s:s*}}", "mediaType",
                 "application/vnd.oci.image.manifest.v1+json", "digest",
                 img->manifest_digest, "size", (json_int_t) st.st_size,
                 "annotations", "io.containerd.image.name", img->name));
  return 0;
}

/* Write the archive to a temporary file beside path; renamed into place
   only when whole. */
static int
write_archive (const dxc_store *s, char *const *refs, const char *tmp,
               dxc_error **err)
{
  cleanup_json json_t *index
      = json_pack ("{s:i, s:[]}", "schemaVersion", 2, "manifests");
  cleanup_json json_t *docker = json_array ();
  cleanup_json json_t *done = json_object ();
  cleanup_archive_write struct archive *a = archive_write_new ();
  cleanup_free char *it = NULL, *dt = NULL;

  if (a == NULL || index == NULL)
    return dxc_error_errno (err, ENOMEM, "save");
  archive_write_set_format_pax_restricted (a);
  if (archive_write_open_filename (a, tmp) != ARCHIVE_OK)
    return dxc_error_new (err, "save: create %s: %s", tmp,
                          archive_error_string (a));
  if (add_bytes (a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30,
                 err)
          < 0
      || add_dir (a, "blobs/", err) < 0 || add_dir (a, "blobs/sha256/", err) < 0)
    return -1;
  for (char *const *ref = refs; *ref; ref++)
    if (save_image (s, a, done, *ref, index, docker, err) < 0)
      return -1;
  it = json_dumps (index, JSON_COMPACT);
  dt = json_dumps (docker, JSON_COMPACT);
  if (it == NULL || dt == NULL)
    return dxc_error_errno (err, ENOMEM, "save");
  if (add_bytes (a, "index.json", it, strlen (it), err) < 0
      || add_bytes (a, "manifest.json", dt, strlen (dt), err) < 0)
    return -1;
  if (archive_write_close (a) != ARCHIVE_OK)
    return dxc_error_new (err, "save: %s", archive_error_string (a));
  return 0;
}

int
dxc_image_save (const dxc_store *s, char *const *refs, const char *path,
                dxc_error **err)
{
  cleanup_free char *tmp = NULL;

  if (dxc_archive_load (err) < 0)
    return -1;
  if (asprintf (&tmp, "%s.tmp-%d", path, (int) getpid ()) < 0)
    return dxc_error_errno (err, ENOMEM, "save");
  if (write_archive (s, refs, tmp, err) < 0)
    {
      unlink (tmp);
      return -1;
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return dxc_error_errno (err, e, "save: rename to %s", path);
    }
  return 0;
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

/* A JSON document of the archive (manifest, index, config), whole, within
   the size limit. */
static int
read_member (int dfd, const char *rel, const char *what, char **ret,
             size_t *ret_len, dxc_error **err)
{
  cleanup_close int fd = open_member (dfd, rel, what, err);
  struct stat st;

  if (fd < 0)
    return -1;
  if (fstat (fd, &st) < 0 || st.st_size > DXC_ARCHIVE_JSON_MAX)
    return dxc_error_new (err, "%s %s: larger than %d MiB", what, rel,
                          DXC_ARCHIVE_JSON_MAX >> 20);
  return dxc_read_fd (fd, ret, ret_len, err);
}

static json_t *
load_member_json (int dfd, const char *rel, const char *what, dxc_error **err)
{
  cleanup_free char *data = NULL;
  json_error_t jerr;
  size_t len;
  json_t *j;

  if (read_member (dfd, rel, what, &data, &len, err) < 0)
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

/* The layer files of one image: each opened once checked, and handed to
   the layer pipeline as /proc/self/fd/N. */
typedef struct layer_files
{
  size_t n;
  char **paths;
  int *fds;
} layer_files;

static void
layer_files_clear (layer_files *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      if (f->paths)
        free (f->paths[i]);
      if (f->fds && f->fds[i] >= 0)
        close (f->fds[i]);
    }
  free (f->paths);
  free (f->fds);
}

static int
open_layers (int dfd, json_t *layers, layer_files *f, dxc_error **err)
{
  size_t i;
  json_t *l;

  f->paths = calloc (json_array_size (layers) + 1, sizeof (char *));
  f->fds = calloc (json_array_size (layers) + 1, sizeof (int));
  if (f->paths == NULL || f->fds == NULL)
    return dxc_error_errno (err, ENOMEM, "load");
  json_array_foreach (layers, i, l)
    {
      f->fds[i] = open_member (dfd, json_string_value (l), "layer", err);
      f->n = i + 1;
      if (f->fds[i] < 0)
        return -1;
      if (asprintf (&f->paths[i], "/proc/self/fd/%d", f->fds[i]) < 0)
        return dxc_error_errno (err, ENOMEM, "load");
    }
  return 0;
}

/* One image of the archive: its config and layers as files of the
   unpacked archive (dfd). */
static int
load_one (const dxc_store *s, int dfd, const char *config, json_t *layers,
          char **names, char ***loaded, size_t *n_loaded, dxc_error **err)
{
  _cleanup_ (layer_files_clear) layer_files lf = { 0 };
  cleanup_free char *cfg = NULL;
  size_t cfg_len;
  char id[72];

  if (read_member (dfd, config, "image config", &cfg, &cfg_len, err) < 0
      || open_layers (dfd, layers, &lf, err) < 0
      || dxc_image_store_files (s, cfg, cfg_len, lf.paths, lf.n, names, id,
                                err)
             < 0)
    return -1;
  if (names && names[0])
    for (char **nm = names; *nm; nm++)
      strv_push (loaded, n_loaded, *nm);
  else
    strv_push (loaded, n_loaded, id);
  return 0;
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

/* The names of the images loaded so far. */
typedef struct loaded_list
{
  char **v;
  size_t n;
} loaded_list;

static void
loaded_list_clear (loaded_list *l)
{
  for (size_t k = 0; k < l->n; k++)
    free (l->v[k]);
  free (l->v);
}

/* The archive, unpacked with the layer extractor into dir: its paths
   cannot leave it either. */
static int
unpack_archive (const char *path, const char *dir, dxc_error **err)
{
  cleanup_archive_read struct archive *a = archive_read_new ();
  cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (a == NULL || dfd < 0)
    return dxc_error_errno (err, a ? errno : ENOMEM, "load: open %s", dir);
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (archive_read_open_filename (a, strcmp (path, "-") ? path : NULL, 1 << 16)
      != ARCHIVE_OK)
    return dxc_error_new (err, "load %s: %s", path, archive_error_string (a));
  /* Not a layer: any ".wh." entry stays a plain file. */
  return dxc_unpack_layer (a, dfd, DXC_UNPACK_WHITEOUT_FILES, err);
}

/* docker save: manifest.json is [{Config, RepoTags, Layers}]. */
static int
load_docker_save (const dxc_store *s, int dfd, loaded_list *out,
                  dxc_error **err)
{
  cleanup_json json_t *doc
      = load_member_json (dfd, "manifest.json", "manifest", err);
  size_t i;
  json_t *v;

  if (doc == NULL)
    return -1;
  if (!json_is_array (doc))
    return dxc_error_new (err, "manifest.json: not an array");
  json_array_foreach (doc, i, v)
    {
      json_t *tags = json_object_get (v, "RepoTags"), *t;
      cleanup_free char **names
          = calloc (json_array_size (tags) + 1, sizeof (char *));
      size_t k, m = 0;
      if (names == NULL)
        return dxc_error_errno (err, ENOMEM, "load");
      json_array_foreach (tags, k, t)
        if (json_string_value (t))
          names[m++] = (char *) json_string_value (t);
      if (load_one (s, dfd, json_string_value (json_object_get (v, "Config")),
                    json_object_get (v, "Layers"), names, &out->v, &out->n,
                    err)
          < 0)
        return -1;
    }
  return 0;
}

/* The archive paths of a manifest's config and layers, every digest
   checked first. */
static int
manifest_files (json_t *man, const char *d, char crel[128], json_t **ret,
                dxc_error **err)
{
  cleanup_json json_t *layers = json_array ();
  char rel[128];
  size_t k;
  json_t *l;

  if (!json_is_object (json_object_get (man, "config")))
    return dxc_error_new (err, "manifest %s is not an image manifest", d);
  if (blob_rel (json_string_value (json_object_get (
                    json_object_get (man, "config"), "digest")),
                crel, 128)
      == NULL)
    return dxc_error_new (err, "manifest %s: invalid config or layer digest",
                          d);
  json_array_foreach (json_object_get (man, "layers"), k, l)
    {
      if (blob_rel (json_string_value (json_object_get (l, "digest")), rel,
                    sizeof rel)
          == NULL)
        return dxc_error_new (err, "manifest %s: invalid config or layer "
                              "digest", d);
      json_array_append_new (layers, json_string (rel));
    }
  *ret = take_ptr (layers);
  return 0;
}

/* An OCI archive: index.json -> manifests -> config and layers. */
static int
load_oci (const dxc_store *s, int dfd, loaded_list *out, dxc_error **err)
{
  cleanup_json json_t *doc = load_member_json (dfd, "index.json", "index", err);
  size_t i;
  json_t *v;

  if (!json_is_object (doc))
    {
      dxc_error_free (*err);
      *err = NULL;
      return dxc_error_new (err, "neither a docker save archive "
                            "(manifest.json) nor an OCI archive (index.json)");
    }
  json_array_foreach (json_object_get (doc, "manifests"), i, v)
    {
      const char *d = json_string_value (json_object_get (v, "digest"));
      json_t *ann = json_object_get (v, "annotations");
      const char *name = json_string_value (
          json_object_get (ann, "io.containerd.image.name"));
      /* The layout's own annotation names the image when it holds a whole
         reference (skopeo writes "host/repo:tag"); a bare tag ("v1") names
         nothing. */
      const char *ref = json_string_value (
          json_object_get (ann, "org.opencontainers.image.ref.name"));
      cleanup_json json_t *man = NULL;
      cleanup_json json_t *layers = NULL;
      char rel[128], crel[128];
      char *names[2];

      if (name == NULL && ref && strpbrk (ref, "/:") && !strchr (ref, '@'))
        name = ref;
      names[0] = (char *) name;
      names[1] = NULL;
      if (blob_rel (d, rel, sizeof rel) == NULL)
        return dxc_error_new (err, "index.json: invalid manifest digest");
      man = load_member_json (dfd, rel, "manifest", err);
      if (man == NULL || manifest_files (man, d, crel, &layers, err) < 0
          || load_one (s, dfd, crel, layers, name ? names : NULL, &out->v,
                       &out->n, err)
                 < 0)
        return -1;
    }
  return 0;
}

int
dxc_image_load (const dxc_store *s, const char *path, char ***ret_loaded,
                dxc_error **err)
{
  cleanup_free char *dir = dxc_store_tmp_path (s, "load");
  _cleanup_ (loaded_list_clear) loaded_list out = { 0 };
  cleanup_close int dfd = -1;
  int r;

  if (dxc_archive_load (err) < 0 || dxc_digest_load (err) < 0)
    return -1;
  if (dir == NULL || mkdir (dir, 0700) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", dir ? dir : "tmp");
  r = unpack_archive (path, dir, err);
  if (r == 0)
    {
      dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        r = dxc_error_errno (err, errno, "open %s", dir);
    }
  if (r == 0)
    r = faccessat (dfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0
            ? load_docker_save (s, dfd, &out, err)
            : load_oci (s, dfd, &out, err);
  if (r == 0 && out.n == 0)
    r = dxc_error_new (err, "the archive holds no image");
  /* The staging directory goes whatever happened. */
  dxc_rm_rf (dir, NULL);
  if (r < 0)
    return dxc_error_prefix (err, "load %s", path);
  *ret_loaded = take_ptr (out.v);
  out.n = 0;
  return 0;
}
