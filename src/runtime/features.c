/* devoxx-runtime features: what this runtime implements, in the runtime
 * spec's features document (features.md, features-linux.md). Values are
 * this build's, not the host's; what is not implemented is said so
 * (false, or absent), never guessed. */
#include <stdio.h>
#include <sys/capability.h>
#include <seccomp.h>

#include "features.h"
#include "spec.h"

static json_t *
strings (const char *const *v)
{
  json_t *a = json_array ();
  for (; *v; v++)
    json_array_append_new (a, json_string (*v));
  return a;
}

static json_t *
capabilities (void)
{
  json_t *a = json_array ();
  for (int c = 0; c <= CAP_LAST_CAP; c++)
    {
      char *n = cap_to_name (c);
      if (n == NULL)
        continue;
      /* libcap names them "cap_chown"; the spec "CAP_CHOWN". */
      for (char *p = n; *p; p++)
        if (*p >= 'a' && *p <= 'z')
          *p = (char) (*p - 'a' + 'A');
      json_array_append_new (a, json_string (n));
      cap_free (n);
    }
  return a;
}

json_t *
dxc_features_json (void)
{
  static const char *const namespaces[]
      = { "cgroup", "ipc", "mount", "network", "pid", "uts", NULL };
  static const char *const actions[]
      = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
          "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
          "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL };
  static const char *const operators[]
      = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
          "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL };
  static const char *const archs[]
      = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE",
          "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
          "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", NULL };
  static const char *const flags[]
      = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
          "SECCOMP_FILTER_FLAG_TSYNC",
          "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  static const char *const none[] = { NULL };
  const struct scmp_version *v = seccomp_version ();
  char lsv[32];

  snprintf (lsv, sizeof lsv, "%u.%u.%u", v->major, v->minor, v->micro);
  return json_pack (
      "{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b},"
      " s:{s:b, s:o, s:o, s:o, s:o, s:o}, s:{s:b}, s:{s:b}, s:{s:b},"
      " s:{s:{s:b}}}, s:{s:s}}",
      "ociVersionMin", "1.0.0", "ociVersionMax", "1.0.2", "hooks",
      strings (none), "mountOptions", dxc_spec_mount_options (), "linux",
      "namespaces", strings (namespaces), "capabilities", capabilities (),
      "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 0,
      "seccomp", "enabled", 1, "actions", strings (actions), "operators",
      strings (operators), "archs", strings (archs), "knownFlags",
      strings (flags), "supportedFlags", strings (flags), "apparmor",
      "enabled", 0, "selinux", "enabled", 0, "intelRdt", "enabled", 0,
      "mountExtensions", "idmap", "enabled", 0, "annotations",
      "io.github.seccomp.libseccomp.version", lsv);
}
