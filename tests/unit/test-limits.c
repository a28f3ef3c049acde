/* Unit tests of Docker's resource flags: sizes, the checks Docker makes,
 * and the spec they produce. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "engine/limits.h"

static void
test_sizes (void **state)
{
  static const struct
  {
    const char *s;
    int64_t v;
  } good[] = {
    { "0", 0 },          { "100", 100 },         { "512k", 512 << 10 },
    { "100m", 100 << 20 }, { "100M", 100 << 20 }, { "100MB", 100 << 20 },
    { "64MiB", 64 << 20 }, { "1g", 1LL << 30 },   { "1.5g", 3LL << 29 },
    { "2t", 2LL << 40 },   { "10 m", 10 << 20 },  { "7b", 7 },
  };
  static const char *const bad[]
      = { "3x", "", "m", "-5m", "1.5.5g", "100mm", "1gb2", "0x10", " 5m",
          "99999999999p" };
  int64_t v;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    {
      if (dxc_parse_size (good[i].s, &v) < 0)
        fail_msg ("refused %s", good[i].s);
      assert_int_equal (v, good[i].v);
    }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (dxc_parse_size (bad[i], &v) == 0)
      fail_msg ("accepted %s", bad[i]);
}

static void
test_format (void **state)
{
  char buf[32];
  dxc_format_size (32 << 20, buf, sizeof buf);
  assert_string_equal (buf, "32 MiB");
  dxc_format_size (1536 << 20, buf, sizeof buf);
  assert_string_equal (buf, "1.5 GiB");
  dxc_format_size (100, buf, sizeof buf);
  assert_string_equal (buf, "100 B");
}

static int
set (dxc_limits *l, const char *flag, const char *value)
{
  dxc_error *err = NULL;
  int r = dxc_limits_set (l, flag, value, &err);
  if (err)
    dxc_error_free (err);
  return r;
}

static void
test_flags (void **state)
{
  dxc_limits l = { 0 };
  assert_int_equal (set (&l, "memory", "64m"), 0);
  assert_int_equal (l.memory, 64 << 20);
  assert_int_equal (set (&l, "memory-swap", "-1"), 0);
  assert_int_equal (l.memory_swap, -1);
  assert_int_equal (set (&l, "cpus", "0.5"), 0);
  assert_int_equal (l.nano_cpus, 500000000);
  assert_int_equal (set (&l, "cpus", "1.25"), 0);
  assert_int_equal (l.nano_cpus, 1250000000);
  assert_int_equal (set (&l, "pids-limit", "-1"), 0);
  assert_int_equal (l.pids_limit, -1);
  assert_int_equal (set (&l, "cpu-shares", "512"), 0);
  assert_int_equal (l.cpu_shares, 512);

  assert_int_equal (set (&l, "memory", "0"), -1);
  assert_int_equal (set (&l, "memory", "3x"), -1);
  assert_int_equal (set (&l, "memory-swap", "0"), -1);
  assert_int_equal (set (&l, "cpus", "0"), -1);
  assert_int_equal (set (&l, "cpus", "-1"), -1);
  assert_int_equal (set (&l, "cpus", "abc"), -1);
  /* strtod takes these; a cast of inf to an integer is undefined */
  assert_int_equal (set (&l, "cpus", "inf"), -1);
  assert_int_equal (set (&l, "cpus", "infinity"), -1);
  assert_int_equal (set (&l, "cpus", "nan"), -1);
  assert_int_equal (set (&l, "cpus", "1e300"), -1);
  assert_int_equal (set (&l, "pids-limit", "0"), -1);
  assert_int_equal (set (&l, "pids-limit", "-2"), -1);
  assert_int_equal (set (&l, "cpu-quota", "0"), -1);
  assert_int_equal (set (&l, "cpu-shares", "1x"), -1);
  assert_int_equal (set (&l, "blkio-weight", "5"), -1);
  assert_int_equal (set (&l, "cgroup-parent", "a/../b"), -1);
  assert_int_equal (set (&l, "cgroupns", "shared"), -1);
}

static const char *
check_msg (dxc_limits l)
{
  static char msg[256];
  dxc_error *err = NULL;
  if (dxc_limits_check (&l, &err) == 0)
    return NULL;
  snprintf (msg, sizeof msg, "%s", err->msg);
  dxc_error_free (err);
  return msg;
}

static void
test_checks (void **state)
{
  assert_null (check_msg ((dxc_limits){ .memory = 6 << 20 }));
  assert_non_null (strstr (check_msg ((dxc_limits){ .memory = 1 << 20 }),
                           "Minimum memory limit allowed is 6MB"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .memory_swap = 64 << 20 }),
                           "always set the Memory limit"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .memory = 64 << 20,
                                                    .memory_swap = 32 << 20 }),
                           "memoryswap limit should be larger"));
  assert_null (check_msg ((dxc_limits){ .memory = 64 << 20, .memory_swap = -1 }));
  assert_non_null (strstr (check_msg ((dxc_limits){ .nano_cpus = 5000000 }),
                           "Range of CPUs is from 0.01"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .nano_cpus = 500000000,
                                                    .cpu_period = 100000 }),
                           "Conflicting options"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .cpu_period = 999 }),
                           "CPU cfs period"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .cpu_quota = 999 }),
                           "CPU cfs quota"));
  assert_null (check_msg ((dxc_limits){ .cpu_quota = -1 }));
  assert_non_null (strstr (check_msg ((dxc_limits){ .cpuset_cpus = "0-" }),
                           "Invalid value 0- for cpuset cpus"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .cpuset_cpus = "1-0" }),
                           "Invalid value"));
  assert_non_null (strstr (check_msg ((dxc_limits){ .cpuset_cpus = "0,99999" }),
                           "Requested CPUs are not available"));
  assert_null (check_msg ((dxc_limits){ .cpuset_cpus = "0" }));
}

static void
test_spec (void **state)
{
  json_t *spec = json_pack ("{s:{s:[]}}", "linux", "namespaces");
  dxc_limits l = { .memory = 32 << 20, .nano_cpus = 500000000,
                   .pids_limit = 20, .cgroup_parent = "/ci/" };
  json_t *res, *lnx;

  dxc_limits_to_spec (&l, "abc", spec);
  lnx = json_object_get (spec, "linux");
  res = json_object_get (lnx, "resources");
  assert_string_equal (json_string_value (json_object_get (lnx, "cgroupsPath")),
                       "/ci/abc");
  /* Docker: swap defaults to twice the memory; --cpus 0.5 is 50 ms of 100 */
  assert_int_equal (json_integer_value (json_object_get (
                        json_object_get (res, "memory"), "swap")),
                    64 << 20);
  assert_int_equal (json_integer_value (json_object_get (
                        json_object_get (res, "cpu"), "quota")),
                    50000);
  assert_int_equal (json_integer_value (json_object_get (
                        json_object_get (res, "cpu"), "period")),
                    100000);
  assert_int_equal (json_integer_value (json_object_get (
                        json_object_get (res, "pids"), "limit")),
                    20);
  /* a private cgroup namespace by default */
  assert_string_equal (json_string_value (json_object_get (
                           json_array_get (json_object_get (lnx, "namespaces"),
                                           0),
                           "type")),
                       "cgroup");
  json_decref (spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sizes),
    cmocka_unit_test (test_format),
    cmocka_unit_test (test_flags),
    cmocka_unit_test (test_checks),
    cmocka_unit_test (test_spec),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
