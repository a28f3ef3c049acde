/* The OCI runtime spec (config.json, runtime-spec 1.x) parsed into plain C
 * structures and validated as a whole before the first side effect. Known
 * fields that are not implemented yet are refused with their name; unknown
 * fields are ignored, as the specification requires. */
#ifndef DXC_SPEC_H
#define DXC_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "seccomp.h"
#include "util/error.h"

typedef struct dxc_mount
{
  char *destination;
  char *type;
  char *source;
  unsigned long flags;       /* MS_* for mount(2) */
  unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (+MS_REC) */
  bool bind;                 /* bind or rbind */
  bool remount_ro;           /* a bind mount asked read-only: needs a remount */
  bool recursive_ro;         /* rro: read-only for every submount too */
  bool copy_up;              /* tmpcopyup (tmpfs) or copyup (bind): the
                                target's content is copied in first */
  char *data;                /* the options mount(2) takes as a string */
} dxc_mount;

typedef struct dxc_rlimit
{
  int resource;
  const char *name;
  uint64_t soft, hard;
} dxc_rlimit;

typedef struct dxc_namespace
{
  int flag;   /* CLONE_NEW* */
  char *path; /* join this one instead of making a new one */
} dxc_namespace;

typedef struct dxc_device
{
  char *path;
  mode_t type; /* S_IFCHR, S_IFBLK or S_IFIFO */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
} dxc_device;

#define DXC_SYSCTL_KEY_MAX 256

typedef struct dxc_sysctl
{
  char *key, *value;
} dxc_sysctl;

enum
{
  DXC_CAP_BOUNDING,
  DXC_CAP_EFFECTIVE,
  DXC_CAP_INHERITABLE,
  DXC_CAP_PERMITTED,
  DXC_CAP_AMBIENT,
  DXC_CAP_SETS
};

typedef struct dxc_process
{
  char **args; /* NULL-terminated */
  char **env;  /* NULL-terminated */
  char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t n_groups;
  bool has_umask;
  mode_t umask;
  bool terminal;
  unsigned short console_height, console_width;
  bool has_caps;
  uint64_t caps[DXC_CAP_SETS]; /* bit N = capability N */
  bool no_new_privileges;
  dxc_rlimit *rlimits;
  size_t n_rlimits;
  bool has_oom_score_adj;
  int oom_score_adj;
} dxc_process;

/* linux.resources. An int64 field left out of the spec is DXC_UNSET. */
#define DXC_UNSET INT64_MIN

typedef struct dxc_device_rule
{
  bool allow;
  char type;     /* 'a', 'c' or 'b' */
  int64_t major; /* -1: any */
  int64_t minor; /* -1: any */
  unsigned access; /* DXC_DEV_READ | DXC_DEV_WRITE | DXC_DEV_MKNOD */
} dxc_device_rule;

enum
{
  DXC_DEV_MKNOD = 1,
  DXC_DEV_READ = 2,
  DXC_DEV_WRITE = 4,
};

typedef struct dxc_hugepage_limit
{
  char *page_size; /* as the kernel names it: 2MB, 1GB */
  uint64_t limit;
} dxc_hugepage_limit;

typedef struct dxc_resources
{
  int64_t memory_limit, memory_reservation, memory_swap, memory_swappiness;
  bool disable_oom_killer;
  int64_t cpu_shares, cpu_quota, cpu_period, cpu_burst, cpu_idle;
  char *cpuset_cpus, *cpuset_mems;
  int64_t pids_limit;
  int64_t blkio_weight;
  dxc_hugepage_limit *hugepages;
  size_t n_hugepages;
  dxc_device_rule *devices;
  size_t n_devices;
  bool has_devices;
  char **unified; /* key, value, key, value, ..., NULL (cgroup v2 only) */
} dxc_resources;

typedef struct dxc_spec
{
  json_t *json; /* the document, for state and annotations */
  dxc_process process;
  char *root_path;
  bool root_readonly;
  char *hostname;
  char *domainname;
  dxc_mount *mounts;
  size_t n_mounts;
  dxc_namespace namespaces[8];
  size_t n_namespaces;
  int new_ns_flags; /* CLONE_NEW* of the namespaces to create */
  char **masked_paths;
  char **readonly_paths;
  dxc_device *devices;
  size_t n_devices;
  dxc_sysctl *sysctls;
  size_t n_sysctls;
  unsigned long rootfs_propagation;
  dxc_resources resources;
  char *cgroups_path; /* linux.cgroupsPath, NULL if not set */
  dxc_seccomp seccomp; /* linux.seccomp, compiled; filter NULL if none */
} dxc_spec;

/* Takes a reference to json. */
int dxc_spec_from_json (json_t *json, dxc_spec **ret_spec, dxc_error **err);
int dxc_spec_load (const char *path, dxc_spec **ret_spec, dxc_error **err);
/* The mounts[].options this runtime knows (for features). */
json_t *dxc_spec_mount_options (void);
void dxc_spec_free (dxc_spec *spec);
bool dxc_spec_has_ns (const dxc_spec *spec, int flag);

static inline void
dxc_spec_freep (dxc_spec **s)
{
  if (*s)
    dxc_spec_free (*s);
}
#define cleanup_spec _cleanup_ (dxc_spec_freep)

int dxc_parse_resources (json_t *res, dxc_resources *r, dxc_error **err);
void dxc_resources_clear (dxc_resources *r);

/* Exposed for the unit tests. */
int dxc_parse_mount_options (json_t *options, dxc_mount *m, dxc_error **err);
int dxc_cap_from_name (const char *name);
const char *dxc_ns_name (int flag);

#endif
