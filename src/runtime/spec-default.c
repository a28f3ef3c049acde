/* The default spec: see spec-default.h. The values are Docker's (moby's
 * oci/defaults.go), so that a container here sees what it would see there. */
#include "spec-default.h"

const char *const dxc_default_caps[] = {
  "CAP_CHOWN",          "CAP_DAC_OVERRIDE", "CAP_FSETID",   "CAP_FOWNER",
  "CAP_MKNOD",          "CAP_NET_RAW",      "CAP_SETGID",   "CAP_SETUID",
  "CAP_SETFCAP",        "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",     "CAP_KILL",         "CAP_AUDIT_WRITE", NULL,
};

static const char *const masked_paths[]
    = { "/proc/asound",     "/proc/acpi",          "/proc/interrupts",
        "/proc/kcore",      "/proc/keys",          "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats",   "/proc/sched_debug",
        "/proc/scsi",       "/sys/firmware",       "/sys/devices/virtual/powercap",
        NULL };

static const char *const readonly_paths[]
    = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
        "/proc/sysrq-trigger", NULL };

static json_t *
strv_json (const char *const *v)
{
  json_t *a = json_array ();
  for (; *v; v++)
    json_array_append_new (a, json_string (*v));
  return a;
}

static json_t *
mount_json (const char *dest, const char *type, const char *source,
            const char *const *options)
{
  return json_pack ("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type,
                    "source", source, "options", strv_json (options));
}

json_t *
dxc_spec_default (void)
{
  json_t *caps = strv_json (dxc_default_caps);
  json_t *mounts = json_array ();
  json_t *ns = json_array ();
  static const char *const ns_types[]
      = { "pid", "network", "ipc", "uts", "mount", NULL };

  json_array_append_new (
      mounts, mount_json ("/proc", "proc", "proc",
                          (const char *[]){ "nosuid", "noexec", "nodev", NULL }));
  json_array_append_new (
      mounts, mount_json ("/dev", "tmpfs", "tmpfs",
                          (const char *[]){ "nosuid", "strictatime", "mode=755",
                                            "size=65536k", NULL }));
  json_array_append_new (
      mounts, mount_json ("/dev/pts", "devpts", "devpts",
                          (const char *[]){ "nosuid", "noexec", "newinstance",
                                            "ptmxmode=0666", "mode=0620",
                                            "gid=5", NULL }));
  json_array_append_new (
      mounts, mount_json ("/sys", "sysfs", "sysfs",
                          (const char *[]){ "nosuid", "noexec", "nodev", "ro",
                                            NULL }));
  /* The container's own cgroup, read-only (its limits are not its to
     change). */
  json_array_append_new (
      mounts, mount_json ("/sys/fs/cgroup", "cgroup", "cgroup",
                          (const char *[]){ "ro", "nosuid", "noexec", "nodev",
                                            NULL }));
  json_array_append_new (
      mounts, mount_json ("/dev/mqueue", "mqueue", "mqueue",
                          (const char *[]){ "nosuid", "noexec", "nodev", NULL }));
  json_array_append_new (
      mounts, mount_json ("/dev/shm", "tmpfs", "shm",
                          (const char *[]){ "nosuid", "noexec", "nodev",
                                            "mode=1777", "size=65536k", NULL }));
  for (int i = 0; ns_types[i]; i++)
    json_array_append_new (ns, json_pack ("{s:s}", "type", ns_types[i]));

  json_t *spec = json_pack (
      "{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:O, s:O, s:O, "
      "s:[]}, s:b}, s:{s:s, s:b}, s:s, s:o, s:{s:o, s:o, s:o, "
      "s:{s:[{s:b, s:s}]}}}",
      "ociVersion", "1.0.2",
      "process",
        "terminal", 0,
        "user", "uid", 0, "gid", 0,
        "args", "sh",
        "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "TERM=xterm",
        "cwd", "/",
        "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
                        "ambient",
        "noNewPrivileges", 0,
      "root", "path", "rootfs", "readonly", 0,
      "hostname", "devoxx",
      "mounts", mounts,
      "linux", "namespaces", ns,
               "maskedPaths", strv_json (masked_paths),
               "readonlyPaths", strv_json (readonly_paths),
               /* No device but those the runtime makes (and linux.devices):
                  runc's default too. */
               "resources", "devices", "allow", 0, "access", "rwm");
  json_decref (caps);
  return spec;
}
