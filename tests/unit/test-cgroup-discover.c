/* Finding the cgroup hierarchies (runtime/cgroup-discover.c) from fixture
 * texts of /proc/self/mountinfo and /proc/self/cgroup, one per layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/cgroup-internal.h"

static void
clear (dxc_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    dxc_cg_hier_clear (&cg->h[i]);
  cg->n = 0;
}

/* The hierarchy whose container directory is named name, or NULL. */
static dxc_cg_hier *
find (dxc_cgroup *cg, const char *name)
{
  for (size_t i = 0; i < cg->n; i++)
    if (strcmp (cg->h[i].name, name) == 0)
      return &cg->h[i];
  return NULL;
}

/* This machine's layout: v1 controllers, a named systemd hierarchy, and
   cgroup2 at unified with nothing in it. */
static const char hybrid_mountinfo[]
    = "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate\n"
      "32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,xattr,name=systemd\n"
      "33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,memory\n"
      "34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct\n"
      "35 30 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,pids\n"
      "36 30 0:32 / /sys/fs/cgroup/net_cls rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,net_cls\n";
static const char hybrid_cgroup[]
    = "6:net_cls:/\n"
      "5:pids:/user.slice\n"
      "4:cpu,cpuacct:/\n"
      "3:memory:/process_api/abc\n"
      "1:name=systemd:/user.slice/session-1.scope\n"
      "0::/user.slice/session-1.scope\n";

static void
test_hybrid (void **state)
{
  dxc_cgroup cg = { 0 };
  dxc_error *err = NULL;
  dxc_cg_hier *h;

  assert_int_equal (dxc_cg_discover_from (&cg, hybrid_mountinfo, hybrid_cgroup,
                                          false, &err),
                    0);
  assert_int_equal (cg.mode, DXC_CGROUP_HYBRID);
  /* the v1 ones in mountinfo's order, cgroup2 last */
  assert_int_equal (cg.n, 6);
  assert_int_equal (cg.h[cg.n - 1].version, 2);
  assert_string_equal (cg.h[cg.n - 1].name, "unified");
  assert_string_equal (cg.h[cg.n - 1].own, "/user.slice/session-1.scope");
  h = find (&cg, "systemd");
  assert_non_null (h);
  assert_string_equal (h->options, "none,name=systemd");
  assert_string_equal (h->own, "/user.slice/session-1.scope");
  assert_int_equal (h->controllers, 0);
  h = find (&cg, "memory");
  assert_non_null (h);
  assert_string_equal (h->mount, "/sys/fs/cgroup/memory");
  assert_string_equal (h->own, "/process_api/abc");
  assert_int_equal (h->controllers, DXC_CGC_MEMORY);
  h = find (&cg, "cpu,cpuacct");
  assert_non_null (h);
  assert_string_equal (h->options, "cpu,cpuacct");
  assert_int_equal (h->controllers, DXC_CGC_CPU | DXC_CGC_CPUACCT);
  assert_string_equal (find (&cg, "pids")->own, "/user.slice");
  /* joined only: no controller the limits use */
  assert_int_equal (find (&cg, "net_cls")->controllers, 0);
  clear (&cg);
}

/* Inside a container: each hierarchy mounted from the container's own
   subtree, and the same hierarchy mounted twice. */
static void
test_subtree_and_duplicates (void **state)
{
  static const char mountinfo[]
      = "40 30 0:29 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "41 30 0:29 /docker/abc /mnt/memory-again rw - cgroup cgroup rw,memory\n"
        "42 30 0:31 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
  static const char proc_cgroup[]
      = "5:pids:/docker/abc\n"
        "3:memory:/docker/abc/sub\n";
  dxc_cgroup cg = { 0 };
  dxc_error *err = NULL;

  assert_int_equal (dxc_cg_discover_from (&cg, mountinfo, proc_cgroup, false,
                                          &err),
                    0);
  assert_int_equal (cg.mode, DXC_CGROUP_V1);
  assert_int_equal (cg.n, 2);
  /* own paths are relative to what is mounted */
  assert_string_equal (find (&cg, "memory")->own, "/sub");
  assert_string_equal (find (&cg, "memory")->mount, "/sys/fs/cgroup/memory");
  assert_string_equal (find (&cg, "pids")->own, "/");
  clear (&cg);
}

/* A hierarchy that /proc/self/cgroup does not list is left out. */
static void
test_unlisted_hierarchy (void **state)
{
  static const char mountinfo[]
      = "33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "35 30 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
  dxc_cgroup cg = { 0 };
  dxc_error *err = NULL;
  assert_int_equal (dxc_cg_discover_from (&cg, mountinfo, "3:memory:/a\n",
                                          false, &err),
                    0);
  assert_int_equal (cg.n, 1);
  assert_string_equal (cg.h[0].name, "memory");
  clear (&cg);
}

static void
test_pure_v2 (void **state)
{
  dxc_cgroup cg = { 0 };
  dxc_error *err = NULL;
  assert_int_equal (dxc_cg_discover_from (&cg, NULL, "0::/user.slice/x\n",
                                          true, &err),
                    0);
  assert_int_equal (cg.mode, DXC_CGROUP_V2);
  assert_int_equal (cg.n, 1);
  assert_int_equal (cg.h[0].version, 2);
  assert_string_equal (cg.h[0].own, "/user.slice/x");
  assert_string_equal (cg.h[0].name, "");
  /* a cgroup2 directory always takes a device program */
  assert_true (cg.h[0].controllers & DXC_CGC_DEVICES);
  clear (&cg);
  /* cgroup2 alone, found through mountinfo: v2 too */
  assert_int_equal (dxc_cg_discover_from (
                        &cg,
                        "31 30 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                        "0::/\n", false, &err),
                    0);
  assert_int_equal (cg.mode, DXC_CGROUP_V2);
  clear (&cg);
}

static void
test_errors (void **state)
{
  dxc_cgroup cg = { 0 };
  dxc_error *err = NULL;
  /* no cgroup mount at all */
  assert_int_equal (dxc_cg_discover_from (&cg, "22 1 254:0 / / rw - ext4 x rw\n",
                                          "0::/\n", false, &err),
                    -1);
  assert_non_null (strstr (err->msg, "no cgroup file system"));
  dxc_error_free (err);
  err = NULL;
  clear (&cg);
  /* cgroup2 mounted, but not in /proc/self/cgroup */
  assert_int_equal (dxc_cg_discover_from (&cg, NULL, "3:memory:/\n", true,
                                          &err),
                    -1);
  assert_non_null (strstr (err->msg, "no cgroup2 entry"));
  dxc_error_free (err);
  clear (&cg);
  /* malformed lines are skipped */
  assert_int_equal (dxc_cg_discover_from (
                        &cg,
                        "garbage\n - \n33 30 0:29 / /x rw - cgroup cgroup rw,memory\n",
                        "3:memory:/a\nnot a line\n", false, &err),
                    0);
  assert_int_equal (cg.n, 1);
  clear (&cg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_hybrid),
    cmocka_unit_test (test_subtree_and_duplicates),
    cmocka_unit_test (test_unlisted_hierarchy),
    cmocka_unit_test (test_pure_v2),
    cmocka_unit_test (test_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
