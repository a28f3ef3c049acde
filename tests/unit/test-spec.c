/* Unit tests of the spec parser: defaults parse, errors name the field,
 * unimplemented fields are refused, unknown ones ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "runtime/spec-default.h"
#include "runtime/spec.h"

static dxc_error *
parse_err (const char *patch_key, json_t *patch_value, const char *sub)
{
  json_t *j = dxc_spec_default ();
  dxc_spec *s = NULL;
  dxc_error *err = NULL;
  json_t *target = j;
  if (sub)
    target = json_object_get (j, sub);
  if (patch_key)
    json_object_set_new (target, patch_key, patch_value);
  if (dxc_spec_from_json (j, &s, &err) == 0)
    dxc_spec_free (s);
  json_decref (j);
  return err;
}

static void
test_default_parses (void **state)
{
  json_t *j = dxc_spec_default ();
  dxc_spec *s = NULL;
  dxc_error *err = NULL;
  assert_int_equal (dxc_spec_from_json (j, &s, &err), 0);
  assert_null (err);
  assert_string_equal (s->process.args[0], "sh");
  assert_true (s->new_ns_flags & CLONE_NEWPID);
  assert_true (s->new_ns_flags & CLONE_NEWNS);
  assert_false (s->new_ns_flags & CLONE_NEWCGROUP);
  /* Docker's default set: 0xa80425fb */
  assert_int_equal (s->process.caps[DXC_CAP_EFFECTIVE], 0xa80425fbULL);
  assert_int_equal (s->process.caps[DXC_CAP_BOUNDING], 0xa80425fbULL);
  assert_int_equal (s->process.caps[DXC_CAP_INHERITABLE], 0);
  assert_int_equal (s->n_mounts, 7);
  assert_string_equal (s->mounts[4].destination, "/sys/fs/cgroup");
  assert_string_equal (s->mounts[4].type, "cgroup");
  assert_true (s->mounts[4].flags & MS_RDONLY);
  /* runc's default: deny every device but the runtime's own */
  assert_true (s->resources.has_devices);
  assert_int_equal (s->resources.n_devices, 1);
  assert_false (s->resources.devices[0].allow);
  assert_int_equal (s->resources.devices[0].type, 'a');
  assert_int_equal (s->resources.devices[0].access, 7);
  assert_true (s->resources.memory_limit == DXC_UNSET);
  assert_string_equal (s->mounts[0].destination, "/proc");
  assert_int_equal (s->mounts[0].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
  assert_string_equal (s->mounts[1].data, "mode=755,size=65536k");
  assert_int_equal (s->rootfs_propagation, MS_PRIVATE | MS_REC);
  dxc_spec_free (s);
  json_decref (j);
}

static void
test_unsupported_refused (void **state)
{
  dxc_error *err = parse_err ("uidMappings", json_pack ("[{s:i}]", "size", 1), "linux");
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "linux.uidMappings"));
  dxc_error_free (err);
  err = parse_err ("apparmorProfile", json_string ("x"), "process");
  assert_non_null (strstr (err->msg, "process.apparmorProfile"));
  dxc_error_free (err);
  err = parse_err ("hooks", json_pack ("{s:[{s:s}]}", "prestart", "path",
                                       "/bin/true"), NULL);
  assert_non_null (strstr (err->msg, "hooks.prestart"));
  dxc_error_free (err);
}

/* linux.seccomp is compiled when parsed: every bad field is named. */
static void
test_seccomp_parsed (void **state)
{
  static const struct
  {
    const char *json, *msg;
  } bad[] = {
    { "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action SCMP_ACT_NOPE" },
    { "{}", ".defaultAction: an action is required" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}",
      "errnoRet must be a number" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
      "unknown architecture SCMP_ARCH_Z80" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
      "unknown flag" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
      "\"op\":\"SCMP_CMP_EQ\"}]}]}", "syscalls[0].args[0].index" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
      "\"op\":\"SCMP_CMP_XX\"}]}]}", "unknown operator SCMP_CMP_XX" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":\"read\","
      "\"action\":\"SCMP_ACT_ERRNO\"}]}", "syscalls[0].names must be an array" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_NOTIFY\"}]}", "SCMP_ACT_NOTIFY needs listenerPath" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\"}",
      "listenerMetadata needs listenerPath" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"rel\"}",
      "listenerPath must be an absolute path" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":5}",
      "SCMP_ACT_ALLOW takes no errnoRet" },
    { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]}", "SCMP_ACT_KILL takes no errnoRet" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      dxc_error *err = parse_err ("seccomp", json_loads (bad[i].json, 0, NULL),
                                  "linux");
      assert_non_null (err);
      if (strstr (err->msg, bad[i].msg) == NULL)
        fail_msg ("%s: got %s", bad[i].json, err->msg);
      assert_non_null (strstr (err->msg, "linux.seccomp"));
      dxc_error_free (err);
    }
  /* Unknown syscall names are skipped, as runc skips them. */
  assert_null (parse_err ("seccomp",
                          json_loads ("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                                      "\"syscalls\":[{\"names\":[\"read\","
                                      "\"no_such_call\"],\"action\":"
                                      "\"SCMP_ACT_ALLOW\"}]}",
                                      0, NULL),
                          "linux"));
}

static void
test_unknown_ignored (void **state)
{
  /* The runtime spec: unknown properties MUST be ignored. */
  assert_null (parse_err ("someFutureField", json_true (), NULL));
  assert_null (parse_err ("somethingNew", json_string ("x"), "process"));
  /* Empty objects of unimplemented fields ask for nothing. */
  assert_null (parse_err ("resources", json_object (), "linux"));
}

static void
test_bad_values_named (void **state)
{
  dxc_error *err = parse_err ("args", json_array (), "process");
  assert_non_null (strstr (err->msg, "process.args"));
  dxc_error_free (err);
  err = parse_err ("cwd", json_string ("relative"), "process");
  assert_non_null (strstr (err->msg, "process.cwd"));
  dxc_error_free (err);
  err = parse_err ("hostname",
                   json_string ("a-very-long-hostname-that-is-longer-than-"
                                "sixty-four-characters-xxxx"),
                   NULL);
  assert_non_null (strstr (err->msg, "hostname"));
  dxc_error_free (err);
  err = parse_err ("ociVersion", json_string ("2.0.0"), NULL);
  assert_non_null (strstr (err->msg, "ociVersion"));
  dxc_error_free (err);
  err = parse_err ("rlimits",
                   json_pack ("[{s:s, s:i, s:i}]", "type", "RLIMIT_NOFILE",
                              "soft", 10, "hard", 5),
                   "process");
  assert_non_null (strstr (err->msg, "RLIMIT_NOFILE"));
  dxc_error_free (err);
  err = parse_err ("capabilities", json_pack ("{s:[s]}", "bounding", "CAP_NOPE"),
                   "process");
  assert_non_null (strstr (err->msg, "CAP_NOPE"));
  dxc_error_free (err);
  err = parse_err ("namespaces",
                   json_pack ("[{s:s},{s:s}]", "type", "pid", "type", "uts"),
                   "linux");
  assert_non_null (strstr (err->msg, "mount namespace"));
  dxc_error_free (err);
}

static dxc_spec *
parse_resources (const char *json_text, dxc_error **err)
{
  json_t *j = dxc_spec_default ();
  dxc_spec *s = NULL;
  json_object_set_new (json_object_get (j, "linux"), "resources",
                       json_loads (json_text, 0, NULL));
  if (dxc_spec_from_json (j, &s, err) < 0)
    s = NULL;
  json_decref (j);
  return s;
}

static void
test_resources (void **state)
{
  dxc_error *err = NULL;
  dxc_spec *s = parse_resources (
      "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864, "
      "\"reservation\": 1048576},"
      " \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000,"
      " \"cpus\": \"0\", \"mems\": \"0\"},"
      " \"pids\": {\"limit\": 20}, \"blockIO\": {\"weight\": 300},"
      " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 0}],"
      " \"devices\": [{\"allow\": false}, {\"allow\": true, \"type\": "
      "\"c\", \"major\": 1, \"minor\": 3, \"access\": \"rw\"}],"
      " \"unified\": {\"memory.high\": \"max\"}}",
      &err);
  assert_null (err);
  assert_non_null (s);
  assert_int_equal (s->resources.memory_limit, 33554432);
  assert_int_equal (s->resources.memory_swap, 67108864);
  assert_int_equal (s->resources.memory_reservation, 1048576);
  assert_true (s->resources.memory_swappiness == DXC_UNSET);
  assert_int_equal (s->resources.cpu_shares, 512);
  assert_int_equal (s->resources.cpu_quota, 50000);
  assert_int_equal (s->resources.cpu_period, 100000);
  assert_string_equal (s->resources.cpuset_cpus, "0");
  assert_int_equal (s->resources.pids_limit, 20);
  assert_int_equal (s->resources.blkio_weight, 300);
  assert_int_equal (s->resources.n_hugepages, 1);
  assert_string_equal (s->resources.hugepages[0].page_size, "2MB");
  assert_int_equal (s->resources.n_devices, 2);
  assert_int_equal (s->resources.devices[0].type, 'a');
  assert_int_equal (s->resources.devices[0].major, -1);
  assert_int_equal (s->resources.devices[1].major, 1);
  assert_int_equal (s->resources.devices[1].access, 6);
  assert_string_equal (s->resources.unified[0], "memory.high");
  assert_string_equal (s->resources.unified[1], "max");
  dxc_spec_free (s);

  /* -1 is "no limit"; 0 is "not set" */
  s = parse_resources ("{\"memory\": {\"limit\": -1}, \"pids\": "
                       "{\"limit\": 0}}", &err);
  assert_non_null (s);
  assert_int_equal (s->resources.memory_limit, -1);
  assert_true (s->resources.pids_limit == DXC_UNSET);
  dxc_spec_free (s);
}

static void
test_resources_bad (void **state)
{
  static const struct
  {
    const char *json, *field;
  } cases[] = {
    { "{\"memory\": {\"limit\": 100, \"swap\": 50}}", "memory.swap" },
    { "{\"memory\": {\"limit\": -5}}", "memory.limit" },
    { "{\"memory\": {\"limit\": \"1g\"}}", "memory.limit" },
    { "{\"memory\": {\"kernel\": 1000000}}", "memory.kernel" },
    { "{\"memory\": {\"swappiness\": 101}}", "memory.swappiness" },
    { "{\"cpu\": {\"period\": 2000000}}", "cpu.period" },
    { "{\"cpu\": {\"realtimeRuntime\": 5}}", "cpu.realtimeRuntime" },
    { "{\"pids\": {\"limit\": -2}}", "pids.limit" },
    { "{\"blockIO\": {\"weight\": 5}}", "blockIO.weight" },
    { "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8}]}}",
      "throttleReadBpsDevice" },
    { "{\"devices\": [{\"access\": \"rwm\"}]}", "devices[0].allow" },
    { "{\"devices\": [{\"allow\": true, \"type\": \"x\"}]}",
      "devices[0].type" },
    { "{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
      "devices[0].access" },
    { "{\"hugepageLimits\": [{\"pageSize\": \"../2MB\", \"limit\": 1}]}",
      "pageSize" },
    { "{\"unified\": {\"../memory.max\": \"1\"}}", "unified" },
    { "{\"network\": {\"classID\": 1}}", "network" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      dxc_error *err = NULL;
      dxc_spec *s = parse_resources (cases[i].json, &err);
      if (s)
        fail_msg ("accepted: %s", cases[i].json);
      assert_non_null (err);
      if (strstr (err->msg, cases[i].field) == NULL)
        fail_msg ("%s: error does not name %s: %s", cases[i].json,
                  cases[i].field, err->msg);
      dxc_error_free (err);
    }
}

static void
test_mount_options (void **state)
{
  dxc_mount m = { .destination = "/x" };
  json_t *o = json_pack ("[s,s,s,s,s,s]", "rbind", "ro", "nosuid", "rslave",
                         "mode=755", "size=1k");
  assert_int_equal (dxc_parse_mount_options (o, &m, NULL), 0);
  assert_true (m.bind);
  assert_true (m.remount_ro);
  assert_int_equal (m.flags & (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID),
                    MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
  assert_int_equal (m.propagation, MS_SLAVE | MS_REC);
  assert_string_equal (m.data, "mode=755,size=1k");
  free (m.data);
  json_decref (o);

  dxc_mount m2 = { .destination = "/y" };
  dxc_error *err = NULL;
  o = json_pack ("[s]", "rnosuid");
  assert_int_equal (dxc_parse_mount_options (o, &m2, &err), -1);
  assert_non_null (strstr (err->msg, "rnosuid"));
  dxc_error_free (err);
  json_decref (o);
}

static void
test_names (void **state)
{
  assert_int_equal (dxc_cap_from_name ("CAP_SYS_ADMIN"), 21);
  assert_int_equal (dxc_cap_from_name ("cap_chown"), 0);
  assert_int_equal (dxc_cap_from_name ("SYS_ADMIN"), -1);
  assert_string_equal (dxc_ns_name (CLONE_NEWNET), "network");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_parses),
    cmocka_unit_test (test_unsupported_refused),
    cmocka_unit_test (test_unknown_ignored),
    cmocka_unit_test (test_seccomp_parsed),
    cmocka_unit_test (test_bad_values_named),
    cmocka_unit_test (test_mount_options),
    cmocka_unit_test (test_resources),
    cmocka_unit_test (test_resources_bad),
    cmocka_unit_test (test_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
