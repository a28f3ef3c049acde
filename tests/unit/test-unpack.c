/* Unit tests of layer extraction: paths are cleaned, nothing lands outside
 * the layer (traversal, symlink then file through it, hard link out),
 * whiteouts become overlayfs whiteouts (or stay files for a copy store),
 * metadata is kept; layers copied as the copy driver does. Needs root
 * (mknod, trusted.* xattrs, chown). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack.h"
#include "util/copy.h"
#include "util/fs.h"

/* dxc_unpack_layer's flags for the test at hand. */
static unsigned unpack_flags;

typedef struct tar_buf
{
  char *data;
  size_t len, cap;
} tar_buf;

static struct archive *
tar_new (tar_buf *b)
{
  struct archive *a = archive_write_new ();
  b->cap = 1 << 20;
  b->data = malloc (b->cap);
  archive_write_set_format_pax_restricted (a);
  archive_write_open_memory (a, b->data, b->cap, &b->len);
  return a;
}

static void
tar_add (struct archive *a, const char *path, mode_t type, mode_t perm,
         const char *content, const char *link, bool hard)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, perm);
  archive_entry_set_uid (e, 1234);
  archive_entry_set_gid (e, 5678);
  archive_entry_set_mtime (e, 1000000000, 0);
  if (link && hard)
    archive_entry_set_hardlink (e, link);
  else if (link)
    archive_entry_set_symlink (e, link);
  archive_entry_set_size (e, content ? strlen (content) : 0);
  assert_int_equal (archive_write_header (a, e), ARCHIVE_OK);
  if (content)
    archive_write_data (a, content, strlen (content));
  archive_entry_free (e);
}

/* Unpack into dir/layer; returns 0 or -1, with the message in *msg. */
static int
unpack (tar_buf *b, const char *layer, char **msg)
{
  struct archive *a = archive_read_new ();
  dxc_error *err = NULL;
  int fd = open (layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r;
  archive_read_support_format_tar (a);
  archive_read_open_memory (a, b->data, b->len);
  r = dxc_unpack_layer (a, fd, unpack_flags, &err);
  if (msg)
    *msg = err ? strdup (err->msg) : NULL;
  dxc_error_free (err);
  archive_read_free (a);
  close (fd);
  return r;
}

static char base[256], layer[300];

/* A layer directory under dir, unpacked with flags. */
static int
make_layer_dir (const char *dir, unsigned flags)
{
  unpack_flags = flags;
  snprintf (base, sizeof base, "%s/dxc-unpack-XXXXXX", dir);
  assert_non_null (mkdtemp (base));
  snprintf (layer, sizeof layer, "%s/layer", base);
  mkdir (layer, 0755);
  return 0;
}

/* The overlay form needs a file system that stores 0:0 devices and
   trusted.overlay.* as they are: not an overlay (CI runs the suite inside
   a container whose /tmp is one). /dev/shm is a tmpfs everywhere. */
static int
setup_shm (void **state)
{
  return make_layer_dir ("/dev/shm", 0);
}

static int
setup_files (void **state)
{
  return make_layer_dir ("/tmp", DXC_UNPACK_WHITEOUT_FILES);
}

static int
setup (void **state)
{
  return make_layer_dir ("/tmp", 0);
}

static int
teardown (void **state)
{
  dxc_rm_rf (base, NULL);
  return 0;
}

static bool
exists_in (const char *dir, const char *rel)
{
  char p[600];
  struct stat st;
  snprintf (p, sizeof p, "%s/%s", dir, rel);
  return lstat (p, &st) == 0;
}

static void
test_traversal_refused (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  char *msg = NULL;
  tar_add (a, "../escaped", AE_IFREG, 0644, "x", NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, layer, &msg), -1);
  assert_non_null (strstr (msg, "escapes"));
  assert_false (exists_in (base, "escaped"));
  free (msg);
  free (b.data);
}

static void
test_symlink_then_file (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  /* Symlinks to the host's root, absolute and relative: a file written
     "through" them lands in the layer's root, never in the host's. */
  tar_add (a, "abs", AE_IFLNK, 0777, NULL, "/", false);
  tar_add (a, "rel", AE_IFLNK, 0777, NULL, "../..", false);
  tar_add (a, "abs/through-abs", AE_IFREG, 0644, "a", NULL, false);
  tar_add (a, "rel/through-rel", AE_IFREG, 0644, "b", NULL, false);
  tar_add (a, "/absolute-path", AE_IFREG, 0644, "c", NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, layer, NULL), 0);
  assert_false (exists_in ("/", "through-abs"));
  assert_false (exists_in ("/", "through-rel"));
  assert_false (exists_in ("/", "absolute-path"));
  assert_false (exists_in (base, "through-rel"));
  assert_true (exists_in (layer, "through-abs"));
  assert_true (exists_in (layer, "through-rel"));
  assert_true (exists_in (layer, "absolute-path"));
  free (b.data);
}

static void
test_symlink_to_host_dir (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  char *msg = NULL;
  /* A symlink to a host directory that the layer does not have: writing
     through it either fails or stays inside; it never reaches the host. */
  tar_add (a, "tmplink", AE_IFLNK, 0777, NULL, base, false);
  tar_add (a, "tmplink/through", AE_IFREG, 0644, "x", NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  /* Refused, or written inside the layer: the link resolved in it, to
     <layer>/<base>/through. */
  if (unpack (&b, layer, &msg) == 0)
    {
      char p[4096];
      struct stat st;
      snprintf (p, sizeof p, "%s%s/through", layer, base);
      assert_int_equal (lstat (p, &st), 0);
    }
  else
    assert_non_null (msg);
  assert_false (exists_in (base, "through"));
  free (msg);
  free (b.data);
}

static void
test_hardlink_out (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  char *msg = NULL;
  struct stat st;
  char p[400];
  tar_add (a, "hl", AE_IFREG, 0644, NULL, "/etc/passwd", true);
  archive_write_close (a);
  archive_write_free (a);
  /* /etc/passwd inside the layer does not exist: the link fails, and
     never points at the host's file. */
  assert_int_equal (unpack (&b, layer, &msg), -1);
  snprintf (p, sizeof p, "%s/hl", layer);
  assert_int_not_equal (lstat (p, &st), 0);
  free (msg);
  free (b.data);
}

static void
test_whiteouts_and_metadata (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  struct stat st;
  char p[400], v[4];
  tar_add (a, "dir/", AE_IFDIR, 0750, NULL, NULL, false);
  tar_add (a, "dir/.wh..wh..opq", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "dir/.wh.gone", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "dir/file", AE_IFREG, 04755, "hello", NULL, false);
  tar_add (a, "dir/hard", AE_IFREG, 0644, NULL, "dir/file", true);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, layer, NULL), 0);

  snprintf (p, sizeof p, "%s/dir/gone", layer);
  assert_int_equal (lstat (p, &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (0, 0));
  snprintf (p, sizeof p, "%s/dir", layer);
  assert_int_equal (getxattr (p, "trusted.overlay.opaque", v, sizeof v), 1);
  assert_int_equal (v[0], 'y');
  assert_int_equal (lstat (p, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0750);
  assert_int_equal (st.st_mtime, 1000000000);
  snprintf (p, sizeof p, "%s/dir/file", layer);
  assert_int_equal (lstat (p, &st), 0);
  assert_int_equal (st.st_mode & 07777, 04755);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_gid, 5678);
  assert_int_equal (st.st_size, 5);
  assert_int_equal (st.st_nlink, 2);
  assert_false (exists_in (layer, "dir/.wh.gone"));
  free (b.data);
}

/* A copy store keeps whiteouts as the OCI files (empty, no device, no
   xattr), whatever file system it is on. */
static void
test_whiteouts_as_files (void **state)
{
  tar_buf b;
  struct archive *a = tar_new (&b);
  struct stat st;
  char p[400], v[4];
  tar_add (a, "dir/", AE_IFDIR, 0750, NULL, NULL, false);
  tar_add (a, "dir/.wh..wh..opq", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "dir/.wh.gone", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "dir/file", AE_IFREG, 0644, "hello", NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, layer, NULL), 0);
  free (b.data);
  snprintf (p, sizeof p, "%s/dir/.wh.gone", layer);
  assert_int_equal (lstat (p, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (st.st_size, 0);
  snprintf (p, sizeof p, "%s/dir/.wh..wh..opq", layer);
  assert_int_equal (lstat (p, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  assert_false (exists_in (layer, "dir/gone"));
  snprintf (p, sizeof p, "%s/dir", layer);
  assert_int_equal (getxattr (p, "trusted.overlay.opaque", v, sizeof v), -1);
  /* "..": refused in either form */
  a = tar_new (&b);
  tar_add (a, "dir/.wh...", AE_IFREG, 0644, NULL, NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, layer, NULL), -1);
  free (b.data);
}

/* Two layers unpacked in the store's form and copied into a root as the
   copy driver does: the upper layer's whiteout and opaque directory hide
   what the lower one had, a name whited out and made again in one layer
   stays, and no whiteout shows in the root. */
static void
test_layers_copied (void **state)
{
  char lower[300], upper[300], root[300];
  tar_buf b;
  struct archive *a;
  dxc_error *err = NULL;

  snprintf (lower, sizeof lower, "%s/lower", base);
  snprintf (upper, sizeof upper, "%s/upper", base);
  snprintf (root, sizeof root, "%s/root", base);
  mkdir (lower, 0755);
  mkdir (upper, 0755);
  mkdir (root, 0755);
  a = tar_new (&b);
  tar_add (a, "d/", AE_IFDIR, 0755, NULL, NULL, false);
  tar_add (a, "d/a", AE_IFREG, 0644, "a", NULL, false);
  tar_add (a, "d/sub/", AE_IFDIR, 0755, NULL, NULL, false);
  tar_add (a, "d/sub/b", AE_IFREG, 0644, "b", NULL, false);
  tar_add (a, "gone", AE_IFREG, 0644, "g", NULL, false);
  tar_add (a, "again", AE_IFREG, 0644, "old", NULL, false);
  tar_add (a, "keep", AE_IFREG, 0644, "k", NULL, false);
  tar_add (a, "d2/", AE_IFDIR, 0755, NULL, NULL, false);
  tar_add (a, "d2/linked", AE_IFREG, 0644, NULL, "keep", true);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, lower, NULL), 0);
  free (b.data);
  a = tar_new (&b);
  tar_add (a, "d/", AE_IFDIR, 0755, NULL, NULL, false);
  tar_add (a, "d/.wh..wh..opq", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "d/c", AE_IFREG, 0644, "c", NULL, false);
  tar_add (a, ".wh.gone", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, ".wh.again", AE_IFREG, 0644, NULL, NULL, false);
  tar_add (a, "again", AE_IFREG, 0644, "new", NULL, false);
  tar_add (a, "new", AE_IFREG, 0644, "n", NULL, false);
  archive_write_close (a);
  archive_write_free (a);
  assert_int_equal (unpack (&b, upper, NULL), 0);
  free (b.data);

  if (dxc_copy_layer_into (lower, root, true, &err) < 0
      || dxc_copy_layer_into (upper, root, false, &err) < 0)
    fail_msg ("copy: %s", err->msg);
  assert_true (exists_in (root, "d/c"));
  assert_false (exists_in (root, "d/a"));
  assert_false (exists_in (root, "d/sub"));
  assert_false (exists_in (root, "gone"));
  assert_true (exists_in (root, "keep"));
  assert_true (exists_in (root, "new"));
  assert_true (exists_in (root, "again"));
  {
    char p[400], text[8] = "";
    FILE *f;
    snprintf (p, sizeof p, "%s/again", root);
    f = fopen (p, "r");
    assert_non_null (f);
    assert_non_null (fgets (text, sizeof text, f));
    fclose (f);
    assert_string_equal (text, "new");
  }
  assert_false (exists_in (root, ".wh.gone"));
  assert_false (exists_in (root, "d/.wh..wh..opq"));
  /* a hard link stays one */
  {
    char p1[400], p2[400];
    struct stat s1, s2;
    snprintf (p1, sizeof p1, "%s/keep", root);
    snprintf (p2, sizeof p2, "%s/d2/linked", root);
    assert_int_equal (lstat (p1, &s1), 0);
    assert_int_equal (lstat (p2, &s2), 0);
    assert_int_equal (s1.st_ino, s2.st_ino);
    assert_int_equal (s1.st_nlink, 2);
  }
}

static void
test_clean_path (void **state)
{
  char *p;
  p = dxc_unpack_clean_path ("./a//b/./c/");
  assert_string_equal (p, "a/b/c");
  free (p);
  p = dxc_unpack_clean_path ("/");
  assert_string_equal (p, "");
  free (p);
  assert_null (dxc_unpack_clean_path ("a/../../b"));
  assert_null (dxc_unpack_clean_path (".."));
}

int
main (void)
{
  if (dxc_archive_load (NULL) < 0)
    return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_traversal_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_symlink_then_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_symlink_to_host_dir, setup,
                                     teardown),
    cmocka_unit_test_setup_teardown (test_hardlink_out, setup, teardown),
    cmocka_unit_test_setup_teardown (test_whiteouts_and_metadata, setup_shm,
                                     teardown),
    cmocka_unit_test_setup_teardown (test_whiteouts_as_files, setup_files,
                                     teardown),
    cmocka_unit_test_setup_teardown (test_layers_copied, setup_shm, teardown),
    cmocka_unit_test_setup_teardown (test_layers_copied, setup_files,
                                     teardown),
    cmocka_unit_test (test_clean_path),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
