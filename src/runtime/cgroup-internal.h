/* What cgroup.c shares with its backends (cgroup-v1.c, cgroup-v2.c) and the
 * eBPF device filter (cgroup-bpf.c). */
#ifndef DXC_CGROUP_INTERNAL_H
#define DXC_CGROUP_INTERNAL_H

#include <stdbool.h>

#include "cgroup.h"

/* Controllers, as bits. v1's blkio and v2's io are the same bit; DEVICES on
   a cgroup2 hierarchy means "an eBPF device program can be attached". */
enum
{
  DXC_CGC_CPU = 1 << 0,
  DXC_CGC_CPUACCT = 1 << 1,
  DXC_CGC_CPUSET = 1 << 2,
  DXC_CGC_MEMORY = 1 << 3,
  DXC_CGC_DEVICES = 1 << 4,
  DXC_CGC_FREEZER = 1 << 5,
  DXC_CGC_IO = 1 << 6,
  DXC_CGC_PIDS = 1 << 7,
  DXC_CGC_HUGETLB = 1 << 8,
  DXC_CGC_OTHER = 1 << 9, /* net_cls, perf_event, rdma, misc: joined only */
};

typedef struct dxc_cg_hier
{
  int version;          /* 1 or 2 */
  char *mount;          /* where the host mounts it: /sys/fs/cgroup/memory */
  char *options;        /* v1: the options that mount it again: memory,
                           cpu,cpuacct, none,name=systemd */
  char *name;           /* its directory in the container's /sys/fs/cgroup */
  unsigned controllers; /* DXC_CGC_* available here */
  unsigned owned;       /* those it holds for the container: in hybrid
                           mode v1's, when both have one */
  char *own;            /* the runtime's own cgroup, from the mount's root */
  char *path;           /* the container's cgroup, from the mount's root */
  int created;          /* trailing components of path that we made */
  int dirfd;            /* the container's cgroup directory */
} dxc_cg_hier;

struct dxc_cgroup
{
  int mode;
  bool shared; /* the runtime's own cgroups: nothing created or joined */
  dxc_cg_hier h[16];
  size_t n;
};

/* A backend writes the limits of the controllers its hierarchy holds. */
typedef struct dxc_cg_backend
{
  /* Once the directories exist, before any limit or process: make each
     ancestor pass the wanted controllers down (v2 subtree_control) or give
     each new cgroup what it needs to take processes (v1 cpuset's cpus and
     mems, empty in a new cpuset cgroup). */
  int (*prepare) (dxc_cg_hier *h, unsigned wanted, dxc_error **err);
  int (*apply) (dxc_cg_hier *h, const dxc_resources *r, dxc_error **err);
  long (*oom_kills) (const dxc_cg_hier *h);
} dxc_cg_backend;

extern const dxc_cg_backend dxc_cg_v1_backend;
extern const dxc_cg_backend dxc_cg_v2_backend;

/* Write value to file in the directory dirfd; the error names the file, the
   value and the spec field it came from. */
int dxc_cg_write (int dirfd, const char *file, const char *value,
                  const char *field, dxc_error **err);
int dxc_cg_write_int (int dirfd, const char *file, int64_t value,
                      const char *field, dxc_error **err);
/* The first line of file, without its newline; NULL when unreadable. */
char *dxc_cg_read_line (int dirfd, const char *file);
/* The value of "key N" in a flat-keyed file (memory.events); -1 if none. */
long dxc_cg_read_key (int dirfd, const char *file, const char *key);

/* The DXC_CGC_* bits of a list of controller names separated by sep. */
unsigned dxc_cg_controller_bits (const char *list, char sep);

/* cgroup-discover.c: the hierarchies of this machine into cg (mode, h, n),
 * each with the runtime's own cgroup; from the texts of
 * /proc/self/mountinfo and /proc/self/cgroup (mountinfo unused when the
 * cgroup root is a cgroup2 mount). */
int dxc_cg_discover (dxc_cgroup *cg, dxc_error **err);
int dxc_cg_discover_from (dxc_cgroup *cg, const char *mountinfo,
                          const char *proc_cgroup, bool root_is_cgroup2,
                          dxc_error **err);
void dxc_cg_hier_clear (dxc_cg_hier *h);

/* Load the eBPF program enforcing rules (last match wins) and attach it to
   the cgroup2 directory dirfd. */
int dxc_cg_bpf_devices (int dirfd, const dxc_device_rule *rules, size_t n,
                        dxc_error **err);

#endif
