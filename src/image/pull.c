/* Pull: see pull.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/decompress.h"
#include "image/digest.h"
#include "image/import.h"
#include "image/libarchive.h"
#include "image/pull.h"
#include "image/unpack.h"
#include "util/alloc.h"
#include "util/fs.h"

#define MAX_PARALLEL 3

static bool
is_index (const char *mt)
{
  return mt && (strcmp (mt, "application/vnd.oci.image.index.v1+json") == 0
                || strcmp (mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

static bool
is_manifest (const char *mt)
{
  return mt && (strcmp (mt, "application/vnd.oci.image.manifest.v1+json") == 0
                || strcmp (mt, "application/vnd.docker.distribution.manifest.v2+json") == 0);
}

/* The media type of a manifest: the response's, else the document's own
   (OCI documents may carry it), else guessed from the fields. */
static const char *
manifest_type (const char *content_type, json_t *doc)
{
  const char *mt = json_string_value (json_object_get (doc, "mediaType"));
  if (is_index (content_type) || is_manifest (content_type))
    return content_type;
  if (mt)
    return mt;
  if (json_object_get (doc, "manifests"))
    return "application/vnd.oci.image.index.v1+json";
  if (json_object_get (doc, "config"))
    return "application/vnd.oci.image.manifest.v1+json";
  return content_type;
}

int
dxc_pull_pick_platform (json_t *index, const char *platform,
                        const char **ret_digest, dxc_error **err)
{
  char want[128];
  char *want_os, *want_arch, *want_variant;
  json_t *m;
  size_t i;
  const char *fallback = NULL;
  char avail[1024] = "";
  size_t off = 0;

  snprintf (want, sizeof want, "%s", platform);
  want_os = want;
  want_arch = strchr (want, '/');
  if (want_arch == NULL)
    return dxc_error_new (err, "invalid platform %s: use os/arch[/variant]",
                          platform);
  *want_arch++ = '\0';
  want_variant = strchr (want_arch, '/');
  if (want_variant)
    *want_variant++ = '\0';
  json_array_foreach (json_object_get (index, "manifests"), i, m)
  {
    json_t *p = json_object_get (m, "platform");
    const char *os = json_string_value (json_object_get (p, "os"));
    const char *arch = json_string_value (json_object_get (p, "architecture"));
    const char *variant = json_string_value (json_object_get (p, "variant"));
    const char *digest = json_string_value (json_object_get (m, "digest"));
    if (os && arch && strcmp (os, "unknown") != 0)
      off += snprintf (avail + off, off < sizeof avail ? sizeof avail - off : 0,
                       "%s%s/%s%s%s", off ? ", " : "", os, arch,
                       variant ? "/" : "", variant ? variant : "");
    if (!os || !arch || !digest || strcmp (os, want_os) != 0
        || strcmp (arch, want_arch) != 0)
      continue;
    if (want_variant == NULL || (variant && strcmp (variant, want_variant) == 0))
      {
        if (want_variant || variant == NULL || fallback == NULL)
          {
            *ret_digest = digest;
            if (want_variant || variant == NULL)
              return 0;
            fallback = digest;
          }
      }
  }
  if (fallback)
    {
      *ret_digest = fallback;
      return 0;
    }
  return dxc_error_new (err, "no matching manifest for %s in the manifest "
                        "list entries (the image has: %s)",
                        platform, *avail ? avail : "none");
}

/* ---- one layer ----------------------------------------------------------- */

typedef struct layer_job
{
  const dxc_store *store;
  dxc_registry *reg;   /* the layer comes from the registry, */
  const char *file;    /* or from a file (load) */
  const dxc_pull_opts *opts;
  char digest[72];
  long long size;
  char diff_id[72];
  dxc_compression comp;

  /* the download side */
  int blob_fd;
  char *blob_tmp;
  dxc_sha256 *hc, *hu;
  long long got;
  dxc_decomp *dec;
  int pipe_w;
  dxc_error *stream_err;
  bool extract_stopped; /* the extractor closed the pipe first */

  /* the extraction side */
  int pipe_r;
  char *layer_tmp;
  dxc_error *extract_err;

  dxc_error *err;
} layer_job;

static int
on_uncompressed (const void *data, size_t len, void *user)
{
  layer_job *j = user;
  dxc_sha256_update (j->hu, data, len);
  if (dxc_write_all (j->pipe_w, data, len) < 0)
    {
      /* The extractor stopped: its error is the one to report. */
      j->extract_stopped = true;
      dxc_error_errno (&j->stream_err, errno, "layer %.19s: extraction "
                       "stopped", j->digest);
      return -1;
    }
  return 0;
}

static int
on_compressed (const void *data, size_t len, void *user)
{
  layer_job *j = user;
  j->got += len;
  if (j->size >= 0 && j->got > j->size)
    {
      dxc_error_new (&j->stream_err, "layer %.19s: more data than its size "
                     "%lld", j->digest, j->size);
      return -1;
    }
  dxc_sha256_update (j->hc, data, len);
  /* A progress event every 256 kB is plenty for a display. */
  if (j->opts->progress && (j->got >> 18) != ((j->got - (long long) len) >> 18))
    j->opts->progress (j->digest, "Downloading", j->got, j->size,
                       j->opts->data);
  if (dxc_write_all (j->blob_fd, data, len) < 0)
    {
      dxc_error_errno (&j->stream_err, errno, "layer %.19s: write blob",
                       j->digest);
      return -1;
    }
  return dxc_decomp_feed (j->dec, data, len, &j->stream_err);
}

static int
stream_file (layer_job *j, dxc_error **err)
{
  cleanup_close int fd = open (j->file, O_RDONLY | O_CLOEXEC);
  char buf[1 << 16];
  ssize_t n;
  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", j->file);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (on_compressed (buf, n, j) < 0)
      return -1;
  if (n < 0)
    return dxc_error_errno (err, errno, "read %s", j->file);
  return 0;
}

static void *
extract_thread (void *p)
{
  layer_job *j = p;
  struct archive *a = archive_read_new ();
  int dfd = open (j->layer_tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
  char drain[65536];

  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (dfd < 0)
    dxc_error_errno (&j->extract_err, errno, "open %s", j->layer_tmp);
  else if (archive_read_open_fd (a, j->pipe_r, 1 << 16) != ARCHIVE_OK)
    dxc_error_new (&j->extract_err, "read layer: %s", archive_error_string (a));
  else if (dxc_unpack_layer (a, dfd, dxc_store_unpack_flags (j->store),
                             &j->extract_err)
           == 0)
    /* The tar's end may come before the stream's (padding): read it all so
       the writer never blocks. */
    while (read (j->pipe_r, drain, sizeof drain) > 0)
      ;
  archive_read_free (a);
  if (dfd >= 0)
    close (dfd);
  /* On failure, closing our end makes the writer's next write fail. */
  close (j->pipe_r);
  j->pipe_r = -1;
  return NULL;
}

/* A layer is skipped only when its compressed blob is stored too: another
   image (an import, a load) may have brought the same layer without this
   blob, and save needs the blob the manifest names. Without it, the layer
   is fetched again (its unpacked copy, already there, stays). */
static bool
layer_and_blob_stored (const dxc_store *s, const char *layer_path,
                       const char *digest)
{
  cleanup_free char *blob = dxc_store_blob_path (s, digest);
  return layer_path && blob && access (layer_path, F_OK) == 0
         && access (blob, F_OK) == 0;
}

static int
layer_lock (const dxc_store *s, const char *diff_id)
{
  char p[4096];
  int fd;
  snprintf (p, sizeof p, "%s/tmp/layer-%.16s.lock", s->root, diff_id + 7);
  fd = open (p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    flock (fd, LOCK_EX);
  return fd;
}

static int
pull_layer (layer_job *j, dxc_error **err)
{
  cleanup_free char *final_layer = dxc_store_layer_path (j->store, j->diff_id);
  cleanup_free char *final_blob = dxc_store_blob_path (j->store, j->digest);
  cleanup_close int lock = -1;
  pthread_t th;
  int fds[2];
  char dc[72], du[72];
  bool transfer_ok;
  int r;

  /* Two pulls of one image: the second waits here, then finds it done. */
  lock = layer_lock (j->store, j->diff_id);
  if (layer_and_blob_stored (j->store, final_layer, j->digest))
    return 0;
  j->blob_tmp = dxc_store_tmp_path (j->store, "blob");
  j->layer_tmp = dxc_store_tmp_path (j->store, "layer");
  if (mkdir (j->layer_tmp, 0755) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", j->layer_tmp);
  j->blob_fd = open (j->blob_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (j->blob_fd < 0)
    return dxc_error_errno (err, errno, "create %s", j->blob_tmp);
  j->hc = dxc_sha256_new ();
  j->hu = dxc_sha256_new ();
  j->dec = dxc_decomp_new (j->comp, on_uncompressed, j, err);
  if (j->dec == NULL || j->hc == NULL || j->hu == NULL)
    return -1;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return dxc_error_errno (err, errno, "pipe");
  j->pipe_r = fds[0];
  j->pipe_w = fds[1];
  if (pthread_create (&th, NULL, extract_thread, j) != 0)
    {
      close (fds[0]);
      close (fds[1]);
      return dxc_error_new (err, "cannot start a thread");
    }
  if (j->file)
    r = stream_file (j, err);
  else
    r = dxc_registry_stream_blob (j->reg, j->digest, on_compressed, j, err);
  transfer_ok = r == 0;
  if (r == 0 && dxc_decomp_finish (j->dec, err) < 0)
    r = -1;
  close (j->pipe_w);
  j->pipe_w = -1;
  pthread_join (th, NULL);
  dxc_sha256_final (j->hc, dc);
  dxc_sha256_final (j->hu, du);
  j->hc = j->hu = NULL;

  /* Report the cause, not its consequences: an extractor that stopped the
     stream (a refused entry), then a blob of the wrong size (its tar is
     truncated too), then extraction, stream and transport errors. */
  if (j->extract_err && j->extract_stopped)
    {
      dxc_error_free (*err);
      *err = take_ptr (j->extract_err);
      return dxc_error_prefix (err, "layer %.19s", j->digest);
    }
  if (transfer_ok && j->size >= 0 && j->got != j->size)
    {
      dxc_error_free (*err);
      *err = NULL;
      return dxc_error_new (err, "layer %.19s: wrong size: %lld bytes, the "
                            "manifest says %lld", j->digest, j->got, j->size);
    }
  if (j->extract_err)
    {
      dxc_error_free (*err);
      *err = take_ptr (j->extract_err);
      return dxc_error_prefix (err, "layer %.19s", j->digest);
    }
  if (j->stream_err)
    {
      dxc_error_free (*err);
      *err = take_ptr (j->stream_err);
      return -1;
    }
  if (r < 0)
    return -1;
  if (j->size >= 0 && j->got != j->size)
    return dxc_error_new (err, "layer %.19s: wrong size: %lld bytes, the "
                          "manifest says %lld", j->digest, j->got, j->size);
  if (strcmp (dc, j->digest) != 0)
    return dxc_error_new (err, "layer %.19s: wrong digest: the content is %s",
                          j->digest, dc);
  if (strcmp (du, j->diff_id) != 0)
    return dxc_error_new (err, "layer %.19s: its uncompressed content is %s, "
                          "the config's diff ID is %s", j->digest, du,
                          j->diff_id);
  if (fdatasync (j->blob_fd) < 0)
    return dxc_error_errno (err, errno, "sync %s", j->blob_tmp);
  if (rename (j->blob_tmp, final_blob) < 0)
    return dxc_error_errno (err, errno, "store blob %s", j->digest);
  if (rename (j->layer_tmp, final_layer) < 0 && errno != EEXIST
      && errno != ENOTEMPTY)
    return dxc_error_errno (err, errno, "store layer %s", j->diff_id);
  return 0;
}

static void
layer_job_clear (layer_job *j)
{
  if (j->blob_fd >= 0)
    close (j->blob_fd);
  if (j->blob_tmp)
    unlink (j->blob_tmp);
  if (j->layer_tmp)
    dxc_rm_rf (j->layer_tmp, NULL);
  free (j->blob_tmp);
  free (j->layer_tmp);
  dxc_sha256_free (j->hc);
  dxc_sha256_free (j->hu);
  dxc_decomp_free (j->dec);
  dxc_error_free (j->stream_err);
  dxc_error_free (j->extract_err);
}

/* The jobs of one pull, cleared (their temporary files removed) when the
   pull leaves its scope. */
typedef struct layer_jobs
{
  layer_job *v;
  size_t n;
} layer_jobs;

static void
layer_jobs_clear (layer_jobs *jobs)
{
  for (size_t i = 0; jobs->v && i < jobs->n; i++)
    {
      layer_job_clear (&jobs->v[i]);
      dxc_error_free (jobs->v[i].err);
    }
  free (jobs->v);
}

#define cleanup_layer_jobs _cleanup_ (layer_jobs_clear)

typedef struct job_queue
{
  layer_job *jobs;
  size_t n, next;
  pthread_mutex_t lock;
} job_queue;

static void *
worker (void *p)
{
  job_queue *q = p;
  for (;;)
    {
      layer_job *j;
      pthread_mutex_lock (&q->lock);
      j = q->next < q->n ? &q->jobs[q->next++] : NULL;
      pthread_mutex_unlock (&q->lock);
      if (j == NULL)
        return NULL;
      if (pull_layer (j, &j->err) == 0 && j->opts->progress)
        j->opts->progress (j->digest, "Pull complete", j->got, j->size,
                           j->opts->data);
    }
}

/* Run the jobs, MAX_PARALLEL at a time; the first error wins. */
static int
run_layer_jobs (layer_job *jobs, size_t n, dxc_error **err)
{
  job_queue q = { jobs, n, 0, PTHREAD_MUTEX_INITIALIZER };
  pthread_t th[MAX_PARALLEL];
  size_t workers = n < MAX_PARALLEL ? n : MAX_PARALLEL;
  for (size_t i = 0; i < workers; i++)
    pthread_create (&th[i], NULL, worker, &q);
  for (size_t i = 0; i < workers; i++)
    pthread_join (th[i], NULL);
  for (size_t i = 0; i < n; i++)
    if (jobs[i].err)
      {
        *err = take_ptr (jobs[i].err);
        return -1;
      }
  return 0;
}

/* ---- the image ----------------------------------------------------------- */

static int
fetch_manifest (dxc_registry *reg, const char *reference, const char *platform,
                char **ret_body, size_t *ret_len, char ret_digest[72],
                dxc_error **err)
{
  cleanup_free char *body = NULL;
  cleanup_free char *ct = NULL;
  size_t len;
  json_t *doc;
  const char *mt;

  if (dxc_registry_get_manifest (reg, reference, &body, &len, &ct, ret_digest,
                                 err)
      < 0)
    return -1;
  doc = json_loadb (body, len, 0, NULL);
  if (doc == NULL)
    return dxc_error_new (err, "manifest %s: malformed JSON", reference);
  mt = manifest_type (ct, doc);
  if (is_index (mt))
    {
      const char *digest = NULL;
      cleanup_free char *d = NULL;
      int r = dxc_pull_pick_platform (doc, platform, &digest, err);
      if (r == 0)
        d = strdup (digest);
      json_decref (doc);
      if (r < 0)
        return -1;
      return fetch_manifest (reg, d, platform, ret_body, ret_len, ret_digest,
                             err);
    }
  if (!is_manifest (mt))
    {
      dxc_error_new (err, "manifest %s: unsupported media type %s", reference,
                     mt ? mt : "(none)");
      json_decref (doc);
      return -1;
    }
  json_decref (doc);
  *ret_body = take_ptr (body);
  *ret_len = len;
  return 0;
}

/* A layer of the manifest to fetch: its job, or none if the store has it
   (layer and compressed blob). */
static int
plan_layer (const dxc_store *s, dxc_registry *reg, const dxc_pull_opts *opts,
            json_t *l, const char *diff, const char *man_digest, size_t i,
            layer_jobs *jobs, dxc_error **err)
{
  const char *d = json_string_value (json_object_get (l, "digest"));
  const char *mt = json_string_value (json_object_get (l, "mediaType"));
  json_t *size = json_object_get (l, "size");
  int comp = dxc_compression_of_media_type (mt);
  cleanup_free char *lp = NULL;
  layer_job *j;

  if (d == NULL || !dxc_digest_is_valid (d) || diff == NULL
      || !dxc_digest_is_valid (diff))
    return dxc_error_new (err, "manifest %s: layer %zu has no valid digest",
                          man_digest, i);
  if (comp < 0)
    return dxc_error_new (err, "layer %.19s: unsupported media type %s", d,
                          mt ? mt : "(none)");
  lp = dxc_store_layer_path (s, diff);
  if (layer_and_blob_stored (s, lp, d))
    {
      if (opts->progress)
        opts->progress (d, "Already exists", 0, -1, opts->data);
      return 0;
    }
  j = &jobs->v[jobs->n++];
  *j = (layer_job){ .store = s, .reg = reg, .opts = opts,
                    .size = json_is_integer (size) ? json_integer_value (size)
                                                   : -1,
                    .comp = comp, .blob_fd = -1, .pipe_w = -1, .pipe_r = -1 };
  snprintf (j->digest, sizeof j->digest, "%s", d);
  snprintf (j->diff_id, sizeof j->diff_id, "%s", diff);
  return 0;
}

static int
pull (const dxc_store *s, const dxc_ref *ref, const dxc_pull_opts *opts,
      char **ret_name, dxc_error **err)
{
  cleanup_free char *man_body = NULL, *cfg_body = NULL, *name = NULL;
  cleanup_free char *platform_buf = NULL;
  cleanup_registry dxc_registry *reg = NULL;
  cleanup_json json_t *man = NULL, *cfg = NULL;
  cleanup_layer_jobs layer_jobs jobs = { 0 };
  cleanup_close int lease = -1;
  json_t *layers, *diff_ids;
  size_t man_len, cfg_len;
  char man_digest[72], check[72];
  const char *platform = opts->platform;
  const char *cfg_digest;

  /* Nothing this pull writes is collected before its name is set. */
  lease = dxc_store_lease (s, false, err);
  if (lease < 0)
    return -1;
  if (platform == NULL)
    platform = platform_buf = dxc_xasprintf ("linux/%s", dxc_oci_arch ());
  if (dxc_archive_load (err) < 0 || dxc_digest_load (err) < 0
      || dxc_registry_open (ref, &opts->registry, &reg, err) < 0)
    return -1;
  dxc_store_clean_tmp (s);

  /* Step: the manifest (through an index if there is one). */
  if (fetch_manifest (reg, ref->digest ? ref->digest : ref->tag, platform,
                      &man_body, &man_len, man_digest, err)
      < 0)
    return -1;
  man = json_loadb (man_body, man_len, 0, NULL);
  cfg_digest = json_string_value (json_object_get (json_object_get (man, "config"), "digest"));
  layers = json_object_get (man, "layers");
  if (cfg_digest == NULL || !dxc_digest_is_valid (cfg_digest) || !json_is_array (layers))
    return dxc_error_new (err, "manifest %s: no valid config or layers",
                          man_digest);

  /* Step: the config, checked and stored. */
  if (dxc_registry_get_blob (reg, cfg_digest,
                             json_integer_value (json_object_get (json_object_get (man, "config"), "size")),
                             &cfg_body, &cfg_len, err)
      < 0)
    return -1;
  cfg = json_loadb (cfg_body, cfg_len, 0, NULL);
  diff_ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
  if (!json_is_array (diff_ids) || json_array_size (diff_ids) != json_array_size (layers))
    return dxc_error_new (err, "image config %s: its diff_ids do not match "
                          "the manifest's %zu layers", cfg_digest,
                          json_array_size (layers));

  /* Step: the layers missing from the store, three at a time. */
  jobs.v = dxc_xcalloc (json_array_size (layers) + 1, sizeof *jobs.v);
  for (size_t i = 0; i < json_array_size (layers); i++)
    if (plan_layer (s, reg, opts, json_array_get (layers, i),
                    json_string_value (json_array_get (diff_ids, i)),
                    man_digest, i, &jobs, err)
        < 0)
      return -1;
  if (run_layer_jobs (jobs.v, jobs.n, err) < 0)
    return -1;

  /* Step: config and manifest blobs, then the name: the image exists only
     once everything it needs is in place. */
  if (dxc_store_put_blob (s, cfg_body, cfg_len, check, err) < 0
      || dxc_store_put_blob (s, man_body, man_len, check, err) < 0)
    return -1;
  name = dxc_ref_canonical (ref);
  if (dxc_store_index_set (s, name, man_digest, err) < 0)
    return -1;
  if (ret_name)
    *ret_name = take_ptr (name);
  return 0;
}

int
dxc_image_pull (const dxc_store *s, const char *refstr,
                const dxc_pull_opts *opts, char **ret_name, dxc_error **err)
{
  cleanup_ref dxc_ref ref = { 0 };

  if (dxc_ref_parse (refstr, &ref, err) < 0)
    return -1;
  if (pull (s, &ref, opts, ret_name, err) < 0)
    return dxc_error_prefix (err, "pull %s", refstr);
  return 0;
}

/* Magic numbers: gzip 1f 8b, zstd 28 b5 2f fd; anything else is a tar. */
static int
sniff_file (const char *path, dxc_compression *ret_comp, char ret_digest[72],
            long long *ret_size, dxc_error **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  dxc_sha256 *h;
  unsigned char buf[1 << 16];
  long long size = 0;
  ssize_t n;
  bool first = true;

  if (fd < 0)
    return dxc_error_errno (err, errno, "open %s", path);
  h = dxc_sha256_new ();
  if (h == NULL)
    return dxc_error_new (err, "sha256");
  *ret_comp = DXC_COMP_NONE;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    {
      if (first && n >= 4)
        {
          if (buf[0] == 0x1f && buf[1] == 0x8b)
            *ret_comp = DXC_COMP_GZIP;
          else if (buf[0] == 0x28 && buf[1] == 0xb5 && buf[2] == 0x2f
                   && buf[3] == 0xfd)
            *ret_comp = DXC_COMP_ZSTD;
        }
      first = false;
      dxc_sha256_update (h, buf, n);
      size += n;
    }
  dxc_sha256_final (h, ret_digest);
  if (n < 0)
    return dxc_error_errno (err, errno, "read %s", path);
  *ret_size = size;
  return 0;
}

/* A layer file of an image to store: its manifest entry, and its job
   unless the store has it. */
static int
plan_file (const dxc_store *s, const dxc_pull_opts *opts, char *file,
           const char *diff, size_t i, json_t *man_layers, layer_jobs *jobs,
           dxc_error **err)
{
  static const char *const media_types[]
      = { "application/vnd.oci.image.layer.v1.tar",
          "application/vnd.oci.image.layer.v1.tar+gzip",
          "application/vnd.oci.image.layer.v1.tar+zstd" };
  dxc_compression comp;
  char digest[72];
  long long size;
  cleanup_free char *lp = NULL;
  layer_job *j;

  if (diff == NULL || !dxc_digest_is_valid (diff))
    return dxc_error_new (err, "image config: diff ID %zu is not valid", i);
  if (sniff_file (file, &comp, digest, &size, err) < 0)
    return -1;
  json_array_append_new (man_layers,
                         json_pack ("{s:s, s:s, s:I}", "mediaType",
                                    media_types[comp], "digest", digest,
                                    "size", (json_int_t) size));
  lp = dxc_store_layer_path (s, diff);
  if (layer_and_blob_stored (s, lp, digest))
    return 0;
  j = &jobs->v[jobs->n++];
  *j = (layer_job){ .store = s, .file = file, .opts = opts, .size = size,
                    .comp = comp, .blob_fd = -1, .pipe_w = -1, .pipe_r = -1 };
  snprintf (j->digest, sizeof j->digest, "%s", digest);
  snprintf (j->diff_id, sizeof j->diff_id, "%s", diff);
  return 0;
}

int
dxc_image_store_files (const dxc_store *s, const char *cfg_body,
                       size_t cfg_len, char *const *layer_files,
                       size_t n_layers, char *const *names, char ret_id[72],
                       dxc_error **err)
{
  dxc_pull_opts opts = { 0 };
  cleanup_json json_t *cfg = NULL, *man = NULL;
  cleanup_json json_t *man_layers = json_array ();
  cleanup_layer_jobs layer_jobs jobs = { 0 };
  cleanup_free char *man_text = NULL;
  cleanup_close int lease = dxc_store_lease (s, false, err);
  json_t *diff_ids;
  char man_digest[72];

  if (lease < 0)
    return -1;
  if (dxc_archive_load (err) < 0 || dxc_digest_load (err) < 0)
    return -1;
  dxc_store_clean_tmp (s);
  cfg = json_loadb (cfg_body, cfg_len, 0, NULL);
  diff_ids = json_object_get (json_object_get (cfg, "rootfs"), "diff_ids");
  if (!json_is_array (diff_ids) || json_array_size (diff_ids) != n_layers)
    return dxc_error_new (err, "image config: its diff_ids do not match the "
                          "%zu layers", n_layers);
  jobs.v = dxc_xcalloc (n_layers + 1, sizeof *jobs.v);
  for (size_t i = 0; i < n_layers; i++)
    if (plan_file (s, &opts, layer_files[i],
                   json_string_value (json_array_get (diff_ids, i)), i,
                   man_layers, &jobs, err)
        < 0)
      return -1;
  if (run_layer_jobs (jobs.v, jobs.n, err) < 0
      || dxc_store_put_blob (s, cfg_body, cfg_len, ret_id, err) < 0)
    return -1;
  man = json_pack ("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2,
                   "mediaType", "application/vnd.oci.image.manifest.v1+json",
                   "config", "mediaType",
                   "application/vnd.oci.image.config.v1+json", "digest",
                   ret_id, "size", (json_int_t) cfg_len, "layers", man_layers);
  man_text = man ? json_dumps (man, JSON_COMPACT) : NULL;
  if (man_text == NULL)
    dxc_oom ();
  if (dxc_store_put_blob (s, man_text, strlen (man_text), man_digest, err) < 0)
    return -1;
  for (char *const *name = names; name && *name; name++)
    {
      cleanup_ref dxc_ref ref = { 0 };
      cleanup_free char *canonical = NULL;
      if (dxc_ref_parse (*name, &ref, err) < 0)
        return -1;
      canonical = dxc_ref_canonical (&ref);
      if (dxc_store_index_set (s, canonical, man_digest, err) < 0)
        return -1;
    }
  return 0;
}
