/* Unit tests of the fd-relative helpers: creating directories inside a
 * root never leaves it, whatever symlinks the root holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

static char base[64], root[128], outside[128];
static int rootfd = -1;

static int
setup (void **state)
{
  snprintf (base, sizeof base, "/tmp/dxc-fs-XXXXXX");
  assert_non_null (mkdtemp (base));
  snprintf (root, sizeof root, "%s/root", base);
  snprintf (outside, sizeof outside, "%s/outside", base);
  mkdir (root, 0755);
  mkdir (outside, 0755);
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return 0;
}

static int
teardown (void **state)
{
  close (rootfd);
  dxc_rm_rf (base, NULL);
  return 0;
}

static bool
is_dir (const char *a, const char *b)
{
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s/%s", a, b);
  return stat (p, &st) == 0 && S_ISDIR (st.st_mode);
}

static void
test_plain (void **state)
{
  int fd = dxc_mkdir_p_in_root (rootfd, "/a/b/c", 0755, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (is_dir (root, "a/b/c"));
}

static void
test_absolute_link_to_host (void **state)
{
  char link[256];
  snprintf (link, sizeof link, "%s/abs", root);
  assert_int_equal (symlink (outside, link), 0);
  int fd = dxc_mkdir_p_in_root (rootfd, "/abs/made", 0755, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_false (is_dir (outside, "made"));
  /* the link's target, taken inside the root */
  assert_true (is_dir (root, outside + 1));
}

static void
test_relative_link_up (void **state)
{
  char link[256];
  snprintf (link, sizeof link, "%s/rel", root);
  assert_int_equal (symlink ("../../../../../../outside", link), 0);
  int fd = dxc_mkdir_p_in_root (rootfd, "rel/made", 0755, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_false (is_dir (outside, "made"));
  assert_true (is_dir (root, "outside/made"));
}

static void
test_loop (void **state)
{
  char link[256];
  dxc_error *err = NULL;
  snprintf (link, sizeof link, "%s/loop", root);
  assert_int_equal (symlink ("loop", link), 0);
  assert_int_equal (dxc_mkdir_p_in_root (rootfd, "loop/x", 0755, &err), -1);
  assert_non_null (err);
  dxc_error_free (err);
}

static void
test_ensure_file (void **state)
{
  int fd = dxc_ensure_in_root (rootfd, "/etc/some/file", false, NULL);
  struct stat st;
  char p[256];
  assert_true (fd >= 0);
  close (fd);
  snprintf (p, sizeof p, "%s/etc/some/file", root);
  assert_int_equal (stat (p, &st), 0);
  assert_true (S_ISREG (st.st_mode));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_plain, setup, teardown),
    cmocka_unit_test_setup_teardown (test_absolute_link_to_host, setup,
                                     teardown),
    cmocka_unit_test_setup_teardown (test_relative_link_up, setup, teardown),
    cmocka_unit_test_setup_teardown (test_loop, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ensure_file, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
