/* Unit tests of Docker's mount options: -v, --mount and --tmpfs parsed into
 * requests, and the spec mounts they become. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "engine/volumes.h"

static dxc_mount_req *
parse_ok (int (*parse) (const char *, dxc_mount_reqs *, dxc_error **),
          const char *arg, dxc_mount_reqs *reqs)
{
  dxc_error *err = NULL;
  if (parse (arg, reqs, &err) < 0)
    fail_msg ("refused %s: %s", arg, err->msg);
  return &reqs->v[reqs->n - 1];
}

static void
expect_refused (int (*parse) (const char *, dxc_mount_reqs *, dxc_error **),
                const char *arg, const char *msg)
{
  dxc_mount_reqs reqs = { 0 };
  dxc_error *err = NULL;
  if (parse (arg, &reqs, &err) == 0)
    fail_msg ("accepted %s", arg);
  if (strstr (err->msg, msg) == NULL)
    fail_msg ("%s: \"%s\" does not say \"%s\"", arg, err->msg, msg);
  dxc_error_free (err);
  dxc_mount_reqs_clear (&reqs);
}

static void
test_volume_flag (void **state)
{
  dxc_mount_reqs reqs = { 0 };
  dxc_mount_req *r;

  r = parse_ok (dxc_mount_parse_volume, "/srv//data/:/data/./x/", &reqs);
  assert_int_equal (r->type, DXC_MOUNT_BIND);
  assert_string_equal (r->source, "/srv/data");
  assert_string_equal (r->target, "/data/x");
  assert_false (r->readonly);
  assert_true (r->create_source);
  r = parse_ok (dxc_mount_parse_volume, "/a:/b:ro,rshared,z", &reqs);
  assert_true (r->readonly);
  assert_string_equal (r->propagation, "rshared");
  r = parse_ok (dxc_mount_parse_volume, "cache:/var/cache:nocopy", &reqs);
  assert_int_equal (r->type, DXC_MOUNT_VOLUME);
  assert_string_equal (r->source, "cache");
  assert_true (r->nocopy);
  r = parse_ok (dxc_mount_parse_volume, "/anon", &reqs);
  assert_int_equal (r->type, DXC_MOUNT_VOLUME);
  assert_null (r->source);
  r = parse_ok (dxc_mount_parse_volume, "/anon2:ro", &reqs);
  assert_null (r->source);
  assert_true (r->readonly);
  assert_string_equal (r->target, "/anon2");
  dxc_mount_reqs_clear (&reqs);

  expect_refused (dxc_mount_parse_volume, "/host:data", "must be absolute");
  expect_refused (dxc_mount_parse_volume, "/host:/data:rx", "invalid mode: rx");
  expect_refused (dxc_mount_parse_volume, "vol:/data:shared", "invalid mode");
  expect_refused (dxc_mount_parse_volume, "v:/a:ro:x", "invalid volume spec");
  expect_refused (dxc_mount_parse_volume, ":/data", "invalid volume spec");
  expect_refused (dxc_mount_parse_volume, "x/y:/data", "invalid characters");
  expect_refused (dxc_mount_parse_volume, "/h:/proc", "/proc");
  expect_refused (dxc_mount_parse_volume, "/h:/sys/kernel", "/sys");
  expect_refused (dxc_mount_parse_volume, "/h:/dev/pts/0", "/dev/pts");
  expect_refused (dxc_mount_parse_volume, "/h:/x/..", "can't be '/'");
}

static void
test_mount_flag (void **state)
{
  dxc_mount_reqs reqs = { 0 };
  dxc_mount_req *r;

  r = parse_ok (dxc_mount_parse_mount,
                "type=bind,source=/h,target=/c,readonly,bind-propagation=rslave",
                &reqs);
  assert_int_equal (r->type, DXC_MOUNT_BIND);
  assert_true (r->readonly);
  assert_false (r->create_source);
  assert_string_equal (r->propagation, "rslave");
  r = parse_ok (dxc_mount_parse_mount, "src=v1,dst=/d,volume-nocopy=true", &reqs);
  assert_int_equal (r->type, DXC_MOUNT_VOLUME);
  assert_string_equal (r->source, "v1");
  assert_true (r->nocopy);
  r = parse_ok (dxc_mount_parse_mount,
                "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770", &reqs);
  assert_int_equal (r->type, DXC_MOUNT_TMPFS);
  assert_string_equal (r->tmpfs_data, "size=67108864,mode=1770");
  r = parse_ok (dxc_mount_parse_mount, "type=bind,src=/h,target=/c,ro=false", &reqs);
  assert_false (r->readonly);
  dxc_mount_reqs_clear (&reqs);

  expect_refused (dxc_mount_parse_mount, "type=bind,target=/c", "Source must not be empty");
  expect_refused (dxc_mount_parse_mount, "type=bind,src=rel,target=/c", "must be absolute");
  expect_refused (dxc_mount_parse_mount, "type=tmpfs,src=x,target=/t", "must not be specified");
  expect_refused (dxc_mount_parse_mount, "type=volume,src=v", "must not be empty");
  expect_refused (dxc_mount_parse_mount, "type=weird,target=/x", "invalid mount type");
  expect_refused (dxc_mount_parse_mount, "target=/x,foo=bar", "unexpected key 'foo'");
  expect_refused (dxc_mount_parse_mount, "target=/x,readonly=maybe", "invalid value");
  expect_refused (dxc_mount_parse_mount, "type=bind,src=/h,target=/x,bind-propagation=sideways", "propagation");
  expect_refused (dxc_mount_parse_mount, "type=volume,target=/x,bind-propagation=shared", "bind mounts");
  expect_refused (dxc_mount_parse_mount, "type=bind,src=/h,target=/x,tmpfs-size=1m", "tmpfs options");
  expect_refused (dxc_mount_parse_mount, "type=tmpfs,target=/x,tmpfs-mode=99", "tmpfs-mode");
  expect_refused (dxc_mount_parse_mount, "type=volume,target=/x,volume-driver=nfs", "local driver");
  expect_refused (dxc_mount_parse_mount, "type=volume,,target=/x", "empty field");
}

static void
test_tmpfs_flag (void **state)
{
  dxc_mount_reqs reqs = { 0 };
  dxc_mount_req *r = parse_ok (dxc_mount_parse_tmpfs, "/run:size=1m,mode=755,exec", &reqs);
  assert_string_equal (r->target, "/run");
  assert_string_equal (r->tmpfs_data, "size=1m,mode=755,exec");
  r = parse_ok (dxc_mount_parse_tmpfs, "/ro:ro", &reqs);
  assert_true (r->readonly);
  dxc_mount_reqs_clear (&reqs);
  expect_refused (dxc_mount_parse_tmpfs, "/t:size=1m,bogus", "unknown option bogus");
  expect_refused (dxc_mount_parse_tmpfs, "t", "must be absolute");
}

static void
test_spec_mounts (void **state)
{
  dxc_mount_reqs reqs = { 0 };
  dxc_error *err = NULL;
  json_t *spec = json_pack ("{s:[]}", "mounts"), *m;

  parse_ok (dxc_mount_parse_volume, "/h/deep:/a/b/c", &reqs);
  parse_ok (dxc_mount_parse_volume, "/h/top:/a:ro", &reqs);
  parse_ok (dxc_mount_parse_tmpfs, "/a/b", &reqs);
  for (size_t i = 0; i < reqs.n; i++)
    reqs.v[i].host_path = reqs.v[i].source ? strdup (reqs.v[i].source) : NULL;
  assert_int_equal (dxc_mounts_check (&reqs, &err), 0);
  dxc_mounts_to_spec (&reqs, spec);
  m = json_object_get (spec, "mounts");
  assert_int_equal (json_array_size (m), 3);
  /* parents first */
  assert_string_equal (json_string_value (json_object_get (json_array_get (m, 0), "destination")), "/a");
  assert_string_equal (json_string_value (json_object_get (json_array_get (m, 1), "destination")), "/a/b");
  assert_string_equal (json_string_value (json_object_get (json_array_get (m, 2), "destination")), "/a/b/c");
  /* read-only is recursive: ro + rro */
  {
    char *o = json_dumps (json_object_get (json_array_get (m, 0), "options"), JSON_COMPACT);
    assert_string_equal (o, "[\"rbind\",\"rprivate\",\"ro\",\"rro\"]");
    free (o);
  }
  json_decref (spec);

  /* the same target twice */
  parse_ok (dxc_mount_parse_volume, "vol:/a/", &reqs);
  assert_int_equal (dxc_mounts_check (&reqs, &err), -1);
  assert_non_null (strstr (err->msg, "Duplicate mount point: /a"));
  dxc_error_free (err);
  dxc_mount_reqs_clear (&reqs);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_volume_flag),
    cmocka_unit_test (test_mount_flag),
    cmocka_unit_test (test_tmpfs_flag),
    cmocka_unit_test (test_spec_mounts),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
