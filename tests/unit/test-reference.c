/* Unit tests of image references, against Docker's own parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

static void
check (const char *in, const char *canonical, const char *familiar)
{
  dxc_ref r;
  dxc_error *err = NULL;
  char *c, *f;
  assert_int_equal (dxc_ref_parse (in, &r, &err), 0);
  c = dxc_ref_canonical (&r);
  f = dxc_ref_familiar_repo (&r);
  assert_string_equal (c, canonical);
  assert_string_equal (f, familiar);
  free (c);
  free (f);
  dxc_ref_clear (&r);
}

static void
bad (const char *in)
{
  dxc_ref r;
  dxc_error *err = NULL;
  assert_int_equal (dxc_ref_parse (in, &r, &err), -1);
  assert_non_null (strstr (err->msg, "invalid reference format"));
  dxc_error_free (err);
}

static void
test_docker_forms (void **state)
{
  check ("alpine", "docker.io/library/alpine:latest", "alpine");
  check ("alpine:3.19", "docker.io/library/alpine:3.19", "alpine");
  check ("user/repo", "docker.io/user/repo:latest", "user/repo");
  check ("docker.io/library/busybox", "docker.io/library/busybox:latest",
         "busybox");
  check ("localhost:5000/repo:tag", "localhost:5000/repo:tag",
         "localhost:5000/repo");
  check ("localhost/foo", "localhost/foo:latest", "localhost/foo");
  check ("[::1]:5000/foo", "[::1]:5000/foo:latest", "[::1]:5000/foo");
  check ("my-reg.example.com:443/a/b", "my-reg.example.com:443/a/b:latest",
         "my-reg.example.com:443/a/b");
  check ("quay.io/a/b/c:v1.2_3", "quay.io/a/b/c:v1.2_3", "quay.io/a/b/c");
  check ("a__b-c.d", "docker.io/library/a__b-c.d:latest", "a__b-c.d");
  check ("repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         "docker.io/library/repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         "repo");
}

static void
test_bad_forms (void **state)
{
  bad ("");
  bad ("UPPER");
  bad ("a:b:c");
  bad ("repo@sha256:123");
  bad ("-lead");
  bad ("trail-");
  bad ("a//b");
  bad ("repo:bad tag");
  /* names that would make paths in the store */
  bad ("../x");
  bad ("../../y");
  bad ("./x");
  bad ("a..b/x");
  bad (".host/x");
  bad ("host./x");
  bad ("-host.io/x");
  bad ("host.io:/x");
  bad ("host.io:5x/x");
  bad ("[zz]/x");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_forms),
    cmocka_unit_test (test_bad_forms),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
