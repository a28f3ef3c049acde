/* Unit tests of USER[:GROUP] resolution against passwd and group files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "engine/user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# comment\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                             "app:x:1000:1001:App:/home/app:/bin/sh\n";
static const char group[] = "root:x:0:\n"
                            "wheel:x:10:root,app\n"
                            "appgrp:x:1001:\n"
                            "docker:x:999:app\n";

static void
test_by_name (void **state)
{
  dxc_user u;
  assert_int_equal (dxc_user_resolve_in ("app", passwd, group, &u, NULL), 0);
  assert_int_equal (u.uid, 1000);
  assert_int_equal (u.gid, 1001);
  assert_string_equal (u.home, "/home/app");
  assert_int_equal (u.n_groups, 2);
  assert_int_equal (u.groups[0], 10);
  assert_int_equal (u.groups[1], 999);
  dxc_user_clear (&u);
}

static void
test_numbers (void **state)
{
  dxc_user u;
  assert_int_equal (dxc_user_resolve_in ("1", passwd, group, &u, NULL), 0);
  assert_int_equal (u.uid, 1);
  assert_int_equal (u.gid, 1);
  dxc_user_clear (&u);
  /* A number that no passwd line has is still a valid user. */
  assert_int_equal (dxc_user_resolve_in ("4242:4343", passwd, group, &u, NULL),
                    0);
  assert_int_equal (u.uid, 4242);
  assert_int_equal (u.gid, 4343);
  assert_null (u.home);
  dxc_user_clear (&u);
  assert_int_equal (dxc_user_resolve_in ("app:wheel", passwd, group, &u, NULL),
                    0);
  assert_int_equal (u.gid, 10);
  dxc_user_clear (&u);
  assert_int_equal (dxc_user_resolve_in (NULL, NULL, NULL, &u, NULL), 0);
  assert_int_equal (u.uid, 0);
  dxc_user_clear (&u);
}

static void
test_unknown (void **state)
{
  dxc_user u;
  dxc_error *err = NULL;
  assert_int_equal (dxc_user_resolve_in ("nope", passwd, group, &u, &err), -1);
  assert_non_null (strstr (err->msg, "unable to find user nope"));
  dxc_error_free (err);
  err = NULL;
  assert_int_equal (dxc_user_resolve_in ("app:nogrp", passwd, group, &u, &err),
                    -1);
  assert_non_null (strstr (err->msg, "unable to find group nogrp"));
  dxc_error_free (err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_by_name),
    cmocka_unit_test (test_numbers),
    cmocka_unit_test (test_unknown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
