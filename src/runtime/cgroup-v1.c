/* The cgroup v1 backend: one file per limit, in the hierarchy of its
 * controller (runtime-spec config-linux.md maps each field to its file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

#define F "linux.resources."

/* A new cpuset cgroup starts with no CPU and no memory node, and takes no
   process until given some: each cgroup along the path that has none gets
   its parent's. */
static int
v1_prepare (dxc_cg_hier *h, unsigned wanted, dxc_error **err)
{
  char full[PATH_MAX];
  size_t base = strlen (h->mount);
  cleanup_close int parent = -1;

  (void) wanted;
  if (!(h->controllers & DXC_CGC_CPUSET))
    return 0;
  snprintf (full, sizeof full, "%s%s", h->mount, h->path);
  parent = open (h->mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return dxc_error_errno (err, errno, "cgroup: open %s", h->mount);
  for (size_t i = base + 1;; i++)
    if (full[i] == '/' || full[i] == '\0')
      {
        char saved = full[i];
        int dir;
        full[i] = '\0';
        dir = open (full, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
          return dxc_error_errno (err, errno, "cgroup: open %s", full);
        for (int k = 0; k < 2; k++)
          {
            const char *file = k == 0 ? "cpuset.cpus" : "cpuset.mems";
            cleanup_free char *mine = dxc_cg_read_line (dir, file);
            cleanup_free char *theirs = NULL;
            if (mine && *mine)
              continue;
            theirs = dxc_cg_read_line (parent, file);
            if (theirs && *theirs
                && dxc_cg_write (dir, file, theirs, "cgroup", err) < 0)
              {
                close (dir);
                return -1;
              }
          }
        close (parent);
        parent = dir;
        full[i] = saved;
        if (saved == '\0')
          break;
      }
  return 0;
}

static int
apply_memory (int fd, const dxc_resources *r, dxc_error **err)
{
  if (r->memory_limit != DXC_UNSET
      && dxc_cg_write_int (fd, "memory.limit_in_bytes", r->memory_limit,
                           F "memory.limit", err)
             < 0)
    return -1;
  if (r->memory_reservation != DXC_UNSET
      && dxc_cg_write_int (fd, "memory.soft_limit_in_bytes",
                           r->memory_reservation, F "memory.reservation", err)
             < 0)
    return -1;
  /* memory+swap is never below the memory limit: written after it. */
  if (r->memory_swap != DXC_UNSET
      && dxc_cg_write_int (fd, "memory.memsw.limit_in_bytes", r->memory_swap,
                           F "memory.swap", err)
             < 0)
    return -1;
  if (r->memory_swappiness != DXC_UNSET
      && dxc_cg_write_int (fd, "memory.swappiness", r->memory_swappiness,
                           F "memory.swappiness", err)
             < 0)
    return -1;
  if (r->disable_oom_killer
      && dxc_cg_write (fd, "memory.oom_control", "1",
                       F "memory.disableOOMKiller", err)
             < 0)
    return -1;
  return 0;
}

static int
apply_cpu (int fd, const dxc_resources *r, dxc_error **err)
{
  if (r->cpu_shares != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.shares", r->cpu_shares, F "cpu.shares",
                           err)
             < 0)
    return -1;
  /* The period first: the quota is checked against it. */
  if (r->cpu_period != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.cfs_period_us", r->cpu_period,
                           F "cpu.period", err)
             < 0)
    return -1;
  if (r->cpu_quota != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.cfs_quota_us", r->cpu_quota,
                           F "cpu.quota", err)
             < 0)
    return -1;
  if (r->cpu_burst != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.cfs_burst_us", r->cpu_burst,
                           F "cpu.burst", err)
             < 0)
    return -1;
  if (r->cpu_idle != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.idle", r->cpu_idle, F "cpu.idle", err) < 0)
    return -1;
  return 0;
}

static int
apply_cpuset (int fd, const dxc_resources *r, dxc_error **err)
{
  if (r->cpuset_cpus && *r->cpuset_cpus
      && dxc_cg_write (fd, "cpuset.cpus", r->cpuset_cpus, F "cpu.cpus", err)
             < 0)
    return -1;
  if (r->cpuset_mems && *r->cpuset_mems
      && dxc_cg_write (fd, "cpuset.mems", r->cpuset_mems, F "cpu.mems", err)
             < 0)
    return -1;
  return 0;
}

static int
apply_devices (int fd, const dxc_resources *r, dxc_error **err)
{
  for (size_t i = 0; i < r->n_devices; i++)
    {
      const dxc_device_rule *d = &r->devices[i];
      char rule[64], maj[24] = "*", min[24] = "*", acc[4] = "";
      if (d->major >= 0)
        snprintf (maj, sizeof maj, "%lld", (long long) d->major);
      if (d->minor >= 0)
        snprintf (min, sizeof min, "%lld", (long long) d->minor);
      if (d->access & DXC_DEV_READ)
        strcat (acc, "r");
      if (d->access & DXC_DEV_WRITE)
        strcat (acc, "w");
      if (d->access & DXC_DEV_MKNOD)
        strcat (acc, "m");
      if (d->type == 'a')
        snprintf (rule, sizeof rule, "a");
      else
        snprintf (rule, sizeof rule, "%c %s:%s %s", d->type, maj, min, acc);
      if (dxc_cg_write (fd, d->allow ? "devices.allow" : "devices.deny", rule,
                        F "devices", err)
          < 0)
        return -1;
    }
  return 0;
}

static int
apply_hugetlb (int fd, const dxc_resources *r, dxc_error **err)
{
  for (size_t i = 0; i < r->n_hugepages; i++)
    {
      char file[64];
      snprintf (file, sizeof file, "hugetlb.%s.limit_in_bytes",
                r->hugepages[i].page_size);
      if (dxc_cg_write_int (fd, file, r->hugepages[i].limit,
                            F "hugepageLimits", err)
          < 0)
        return -1;
    }
  return 0;
}

static int
v1_apply (dxc_cg_hier *h, const dxc_resources *r, dxc_error **err)
{
  int fd = h->dirfd;
  unsigned c = h->owned;

  if ((c & DXC_CGC_MEMORY) && apply_memory (fd, r, err) < 0)
    return -1;
  if ((c & DXC_CGC_CPU) && apply_cpu (fd, r, err) < 0)
    return -1;
  if ((c & DXC_CGC_CPUSET) && apply_cpuset (fd, r, err) < 0)
    return -1;
  if ((c & DXC_CGC_PIDS) && r->pids_limit != DXC_UNSET)
    {
      char v[32];
      if (r->pids_limit < 0)
        snprintf (v, sizeof v, "max");
      else
        snprintf (v, sizeof v, "%lld", (long long) r->pids_limit);
      if (dxc_cg_write (fd, "pids.max", v, F "pids.limit", err) < 0)
        return -1;
    }
  if ((c & DXC_CGC_IO) && r->blkio_weight != DXC_UNSET)
    {
      cleanup_close int probe = openat (fd, "blkio.weight", O_PATH | O_CLOEXEC);
      if (dxc_cg_write_int (fd, probe >= 0 ? "blkio.weight"
                                           : "blkio.bfq.weight",
                            r->blkio_weight, F "blockIO.weight", err)
          < 0)
        return -1;
    }
  if ((c & DXC_CGC_HUGETLB) && apply_hugetlb (fd, r, err) < 0)
    return -1;
  if ((c & DXC_CGC_DEVICES) && apply_devices (fd, r, err) < 0)
    return -1;
  return 0;
}

/* memory.oom_control has "oom_kill N" since Linux 4.13. */
static long
v1_oom_kills (const dxc_cg_hier *h)
{
  return dxc_cg_read_key (h->dirfd, "memory.oom_control", "oom_kill");
}

const dxc_cg_backend dxc_cg_v1_backend = {
  .prepare = v1_prepare,
  .apply = v1_apply,
  .oom_kills = v1_oom_kills,
};
