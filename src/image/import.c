/* Import of a root file system as a one-layer image: see import.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/import.h"
#include "image/libarchive.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strings.h"

const char *
dxc_oci_arch (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__)
  return "ppc64le";
#elif defined(__riscv)
  return "riscv64";
#else
  return "unknown";
#endif
}

typedef struct blob_writer
{
  int fd;
  dxc_sha256 *hash;
  size_t size;
  int error;
} blob_writer;

static la_ssize_t
blob_write_cb (struct archive *a, void *data, const void *buf, size_t len)
{
  blob_writer *w = data;
  const char *p = buf;
  size_t left = len;
  dxc_sha256_update (w->hash, buf, len);
  while (left > 0)
    {
      ssize_t n = write (w->fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          w->error = errno;
          archive_set_error (a, errno, "write layer blob: %s", strerror (errno));
          return -1;
        }
      p += n;
      left -= n;
    }
  w->size += len;
  return len;
}

static int
copy_data (struct archive *in, struct archive *out, const char *path,
           dxc_error **err)
{
  static const char zeros[16384];
  const void *buf;
  size_t size;
  la_int64_t off, pos = 0;
  int r;

  while ((r = archive_read_data_block (in, &buf, &size, &off)) == ARCHIVE_OK)
    {
      /* A hole in a sparse file is written out as zeros. */
      while (pos < off)
        {
          size_t n = off - pos < (la_int64_t) sizeof zeros
                         ? (size_t) (off - pos)
                         : sizeof zeros;
          if (archive_write_data (out, zeros, n) < 0)
            return dxc_error_new (err, "write %s: %s", path,
                                  archive_error_string (out));
          pos += n;
        }
      if (size && archive_write_data (out, buf, size) < 0)
        return dxc_error_new (err, "write %s: %s", path,
                              archive_error_string (out));
      pos += size;
    }
  if (r != ARCHIVE_EOF)
    return dxc_error_new (err, "read %s: %s", path, archive_error_string (in));
  return 0;
}

/* Copy every entry of in into a normalised tar (pax) that is hashed as it
   is written. root_prefix: for a directory, the prefix to strip. */
static int
normalise (struct archive *in, bool from_disk, const char *root_prefix,
           blob_writer *w, dxc_error **err)
{
  cleanup_archive_write struct archive *out = archive_write_new ();
  cleanup_linkresolver struct archive_entry_linkresolver *lr
      = archive_entry_linkresolver_new ();
  struct archive_entry *e;
  size_t plen = root_prefix ? strlen (root_prefix) : 0;
  int r;

  if (out == NULL || lr == NULL)
    dxc_oom ();
  archive_write_set_format_pax_restricted (out);
  archive_entry_linkresolver_set_strategy (lr, archive_format (out));
  if (archive_write_open (out, w, NULL, blob_write_cb, NULL) != ARCHIVE_OK)
    return dxc_error_new (err, "write layer: %s", archive_error_string (out));
  for (;;)
    {
      struct archive_entry *sparse = NULL;
      cleanup_free char *rel = NULL;
      const char *name;

      r = archive_read_next_header (in, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return dxc_error_new (err, "read: %s", archive_error_string (in));
      if (from_disk)
        {
          archive_read_disk_descend (in);
          name = archive_entry_pathname (e);
          if (strncmp (name, root_prefix, plen) == 0)
            name += plen;
          while (*name == '/')
            name++;
          if (*name == '\0')
            continue;
          archive_entry_set_pathname (e, name);
          archive_entry_set_uname (e, NULL);
          archive_entry_set_gname (e, NULL);
          archive_entry_linkify (lr, &e, &sparse);
          if (e == NULL)
            continue;
        }
      rel = dxc_unpack_clean_path (archive_entry_pathname (e));
      if (rel == NULL)
        return dxc_error_new (err, "entry %s escapes the root (a \"..\" "
                              "component): refused",
                              archive_entry_pathname (e));
      if (archive_write_header (out, e) != ARCHIVE_OK)
        return dxc_error_new (err, "write %s: %s", rel,
                              archive_error_string (out));
      if (archive_entry_size (e) > 0 && archive_entry_hardlink (e) == NULL
          && copy_data (in, out, rel, err) < 0)
        return -1;
    }
  if (archive_write_close (out) != ARCHIVE_OK)
    return dxc_error_new (err, "write layer: %s", archive_error_string (out));
  return 0;
}

/* Config, manifest and index entry for a one-layer image. */
static int
write_image (const dxc_store *s, const char *diff_id, size_t layer_size,
             const dxc_import_opts *opts, char ret_id[72], dxc_error **err)
{
  cleanup_free char *created = dxc_now_rfc3339 ();
  cleanup_free char *cfg_text = NULL;
  cleanup_free char *man_text = NULL;
  char man_digest[72];
  json_t *inner = opts->config ? json_deep_copy (opts->config) : json_object ();
  json_t *cfg, *man;

  if (json_object_get (inner, "Env") == NULL)
    json_object_set_new (inner, "Env",
                         json_pack ("[s]", "PATH=/usr/local/sbin:/usr/local/bin:"
                                           "/usr/sbin:/usr/bin:/sbin:/bin"));
  cfg = json_pack ("{s:s, s:s, s:s, s:o, s:{s:s, s:[s]}, s:[{s:s, s:s}]}",
                   "created", created, "architecture", dxc_oci_arch (), "os",
                   "linux", "config", inner, "rootfs", "type", "layers",
                   "diff_ids", diff_id, "history", "created", created,
                   "created_by", "devoxx-container import");
  cfg_text = json_dumps (cfg, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref (cfg);
  if (dxc_store_put_blob (s, cfg_text, strlen (cfg_text), ret_id, err) < 0)
    return -1;
  man = json_pack ("{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}]}",
                   "schemaVersion", 2, "mediaType",
                   "application/vnd.oci.image.manifest.v1+json", "config",
                   "mediaType", "application/vnd.oci.image.config.v1+json",
                   "digest", ret_id, "size", (json_int_t) strlen (cfg_text),
                   "layers", "mediaType", "application/vnd.oci.image.layer.v1.tar",
                   "digest", diff_id, "size", (json_int_t) layer_size);
  man_text = json_dumps (man, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref (man);
  if (dxc_store_put_blob (s, man_text, strlen (man_text), man_digest, err) < 0)
    return -1;
  if (opts->name)
    {
      dxc_ref ref = { 0 };
      cleanup_free char *canonical = NULL;
      if (dxc_ref_parse (opts->name, &ref, err) < 0)
        return -1;
      canonical = dxc_ref_canonical (&ref);
      dxc_ref_clear (&ref);
      return dxc_store_index_set (s, canonical, man_digest, err);
    }
  return 0;
}

static int
import_archive (const dxc_store *s, struct archive *in, bool from_disk,
                const char *prefix, const dxc_import_opts *opts,
                char ret_id[72], dxc_error **err)
{
  cleanup_free char *tmp = dxc_store_tmp_path (s, "import");
  cleanup_free char *blob = NULL;
  cleanup_close int lease = -1;
  blob_writer w = { .fd = -1 };
  char diff_id[72];
  int r;

  if (dxc_digest_load (err) < 0)
    return -1;
  /* Nothing written here is collected before the image is named. */
  lease = dxc_store_lease (s, false, err);
  if (lease < 0)
    return -1;
  w.fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (w.fd < 0)
    return dxc_error_errno (err, errno, "create %s", tmp);
  w.hash = dxc_sha256_new ();
  r = normalise (in, from_disk, prefix, &w, err);
  if (r == 0 && fdatasync (w.fd) < 0)
    r = dxc_error_errno (err, errno, "sync %s", tmp);
  close (w.fd);
  dxc_sha256_final (w.hash, diff_id);
  if (r < 0)
    {
      unlink (tmp);
      return -1;
    }
  if (dxc_store_commit_blob (s, tmp, diff_id, err) < 0)
    return -1;
  blob = dxc_store_blob_path (s, diff_id);
  if (dxc_store_unpack_layer (s, diff_id, blob, err) < 0)
    return -1;
  return write_image (s, diff_id, w.size, opts, ret_id, err);
}

int
dxc_image_import_path (const dxc_store *s, const char *path,
                       const dxc_import_opts *opts, char ret_id[72],
                       dxc_error **err)
{
  struct archive *in;
  struct stat st;
  int r;

  if (stat (path, &st) < 0)
    return dxc_error_errno (err, errno, "import %s", path);
  if (dxc_archive_load (err) < 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    {
      cleanup_free char *real = realpath (path, NULL);
      if (real == NULL)
        return dxc_error_errno (err, errno, "import %s", path);
      in = archive_read_disk_new ();
      archive_read_disk_set_symlink_physical (in);
      archive_read_disk_set_behavior (in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
      if (archive_read_disk_open (in, real) != ARCHIVE_OK)
        {
          dxc_error_new (err, "import %s: %s", path, archive_error_string (in));
          archive_read_free (in);
          return -1;
        }
      r = import_archive (s, in, true, real, opts, ret_id, err);
    }
  else
    {
      in = archive_read_new ();
      archive_read_support_filter_all (in);
      archive_read_support_format_tar (in);
      archive_read_support_format_gnutar (in);
      if (archive_read_open_filename (in, path, 1 << 16) != ARCHIVE_OK)
        {
          dxc_error_new (err, "import %s: %s", path, archive_error_string (in));
          archive_read_free (in);
          return -1;
        }
      r = import_archive (s, in, false, NULL, opts, ret_id, err);
    }
  archive_read_free (in);
  if (r < 0)
    return dxc_error_prefix (err, "import %s", path);
  return 0;
}

int
dxc_image_import_memory (const dxc_store *s, const void *data, size_t len,
                         const dxc_import_opts *opts, char ret_id[72],
                         dxc_error **err)
{
  struct archive *in;
  int r;

  if (dxc_archive_load (err) < 0)
    return -1;
  in = archive_read_new ();
  archive_read_support_format_tar (in);
  if (archive_read_open_memory (in, data, len) != ARCHIVE_OK)
    {
      dxc_error_new (err, "import: %s", archive_error_string (in));
      archive_read_free (in);
      return -1;
    }
  r = import_archive (s, in, false, NULL, opts, ret_id, err);
  archive_read_free (in);
  return r;
}
