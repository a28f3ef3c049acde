/* The cgroup v2 backend: one hierarchy, controllers handed down through each
 * ancestor's cgroup.subtree_control, and the v1 values of the spec converted
 * to their v2 files as runc and crun convert them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

#define F "linux.resources."

static const struct
{
  unsigned bit;
  const char *name;
} v2_names[] = {
  { DXC_CGC_MEMORY, "memory" }, { DXC_CGC_PIDS, "pids" },
  { DXC_CGC_CPU, "cpu" },       { DXC_CGC_CPUSET, "cpuset" },
  { DXC_CGC_IO, "io" },         { DXC_CGC_HUGETLB, "hugetlb" },
};

static bool
word_in (const char *list, const char *word)
{
  size_t n = strlen (word);
  for (const char *p = list; p && (p = strstr (p, word)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return true;
  return false;
}

/* Enable the controllers in dir's subtree_control. The ones wanted for a
   limit must succeed; memory and pids (for the OOM report and the count of
   processes) are taken where the parent allows. */
static int
enable_in (int dir, const char *path, unsigned wanted, unsigned *enabled,
           dxc_error **err)
{
  cleanup_free char *avail = dxc_cg_read_line (dir, "cgroup.controllers");
  cleanup_free char *on = dxc_cg_read_line (dir, "cgroup.subtree_control");
  unsigned best_effort = DXC_CGC_MEMORY | DXC_CGC_PIDS;
  unsigned now = 0;

  for (size_t i = 0; i < sizeof v2_names / sizeof v2_names[0]; i++)
    {
      unsigned bit = v2_names[i].bit;
      char cmd[32];
      if (!((wanted | best_effort) & bit))
        continue;
      if (word_in (on, v2_names[i].name))
        {
          now |= bit;
          continue;
        }
      if (!word_in (avail, v2_names[i].name))
        {
          if (wanted & bit)
            return dxc_error_new (err, "cgroup: the %s controller is not "
                                  "available in %s", v2_names[i].name,
                                  *path ? path : "/");
          continue;
        }
      snprintf (cmd, sizeof cmd, "+%s", v2_names[i].name);
      cleanup_close int fd
          = openat (dir, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
      if (fd >= 0 && write (fd, cmd, strlen (cmd)) >= 0)
        {
          now |= bit;
          continue;
        }
      if (!(wanted & bit))
        continue;
      if (errno == EBUSY)
        return dxc_error_new (err, "cgroup: cannot enable the %s controller "
                              "below %s: it holds processes, and cgroup v2 "
                              "hands controllers only to cgroups without "
                              "processes; give a cgroupsPath (--cgroup-parent) "
                              "elsewhere", v2_names[i].name, *path ? path : "/");
      return dxc_error_errno (err, errno, "cgroup: enable %s in %s",
                              v2_names[i].name, *path ? path : "/");
    }
  *enabled = now;
  return 0;
}

static int
v2_prepare (dxc_cg_hier *h, unsigned wanted, dxc_error **err)
{
  char full[PATH_MAX];
  size_t base = strlen (h->mount);
  unsigned enabled;

  wanted &= ~DXC_CGC_DEVICES;
  snprintf (full, sizeof full, "%s%s", h->mount, h->path);
  /* Each ancestor of the leaf, from the mount's root down to the leaf's
     parent: the cgroup that full ends at when cut at each '/'. */
  for (size_t i = base; full[i]; i++)
    if (full[i] == '/')
      {
        unsigned now = 0;
        cleanup_close int dir = -1;
        full[i] = '\0';
        dir = open (full, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
          return dxc_error_errno (err, errno, "cgroup: open %s", full);
        if (enable_in (dir, full + base, wanted, &now, err) < 0)
          return -1;
        full[i] = '/';
      }
  /* What the leaf may use is what its parent hands down: limits of a
     controller it lacks were refused above; memory and pids may be
     missing. */
  {
    cleanup_free char *avail = dxc_cg_read_line (h->dirfd, "cgroup.controllers");
    enabled = dxc_cg_controller_bits (avail, ' ');
  }
  if (wanted & ~enabled)
    return dxc_error_new (err, "cgroup %s%s: a controller the limits need "
                          "is not enabled there", h->mount, h->path);
  h->owned &= enabled | DXC_CGC_DEVICES;
  return 0;
}

static int
write_max (int fd, const char *file, int64_t v, const char *field,
           dxc_error **err)
{
  if (v < 0)
    return dxc_cg_write (fd, file, "max", field, err);
  return dxc_cg_write_int (fd, file, v, field, err);
}

static int
apply_memory (int fd, const dxc_resources *r, dxc_error **err)
{
  if (r->memory_swappiness != DXC_UNSET)
    return dxc_error_new (err, F "memory.swappiness: cgroup v2 has no "
                          "per-cgroup swappiness");
  if (r->disable_oom_killer)
    return dxc_error_new (err, F "memory.disableOOMKiller: cgroup v2 cannot "
                          "turn the OOM killer off");
  /* v1's swap limit counts memory plus swap; v2's counts swap alone. */
  if (r->memory_swap != DXC_UNSET)
    {
      int64_t swap = r->memory_swap;
      if (swap > 0 && r->memory_limit <= 0)
        return dxc_error_new (err, F "memory.swap needs memory.limit on "
                              "cgroup v2");
      if (swap > 0)
        swap -= r->memory_limit;
      if (write_max (fd, "memory.swap.max", swap, F "memory.swap", err) < 0)
        return -1;
    }
  if (r->memory_limit != DXC_UNSET
      && write_max (fd, "memory.max", r->memory_limit, F "memory.limit", err)
             < 0)
    return -1;
  if (r->memory_reservation != DXC_UNSET
      && write_max (fd, "memory.low", r->memory_reservation,
                    F "memory.reservation", err)
             < 0)
    return -1;
  return 0;
}

static int
apply_cpu (int fd, const dxc_resources *r, dxc_error **err)
{
  if (r->cpu_shares != DXC_UNSET)
    {
      /* shares 2..262144 onto weight 1..10000 */
      int64_t s = r->cpu_shares < 2 ? 2 : r->cpu_shares;
      if (dxc_cg_write_int (fd, "cpu.weight", 1 + ((s - 2) * 9999) / 262142,
                            F "cpu.shares", err)
          < 0)
        return -1;
    }
  if (r->cpu_quota != DXC_UNSET || r->cpu_period != DXC_UNSET)
    {
      char v[64], quota[32] = "max";
      int64_t period = r->cpu_period != DXC_UNSET ? r->cpu_period : 100000;
      if (r->cpu_quota != DXC_UNSET && r->cpu_quota > 0)
        snprintf (quota, sizeof quota, "%lld", (long long) r->cpu_quota);
      snprintf (v, sizeof v, "%s %lld", quota, (long long) period);
      if (dxc_cg_write (fd, "cpu.max", v, F "cpu.quota", err) < 0)
        return -1;
    }
  if (r->cpu_burst != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.max.burst", r->cpu_burst, F "cpu.burst",
                           err)
             < 0)
    return -1;
  if (r->cpu_idle != DXC_UNSET
      && dxc_cg_write_int (fd, "cpu.idle", r->cpu_idle, F "cpu.idle", err) < 0)
    return -1;
  return 0;
}

static int
apply_io (int fd, const dxc_resources *r, dxc_error **err)
{
  char v[32];
  cleanup_close int bfq = openat (fd, "io.bfq.weight", O_PATH | O_CLOEXEC);
  if (bfq >= 0)
    {
      snprintf (v, sizeof v, "default %lld", (long long) r->blkio_weight);
      return dxc_cg_write (fd, "io.bfq.weight", v, F "blockIO.weight", err);
    }
  /* blkio 10..1000 onto io.weight 1..10000 */
  snprintf (v, sizeof v, "default %lld",
            (long long) (1 + (r->blkio_weight - 10) * 9999 / 990));
  return dxc_cg_write (fd, "io.weight", v, F "blockIO.weight", err);
}

static int
v2_apply (dxc_cg_hier *h, const dxc_resources *r, dxc_error **err)
{
  int fd = h->dirfd;
  unsigned c = h->owned;

  if ((c & DXC_CGC_MEMORY) && apply_memory (fd, r, err) < 0)
    return -1;
  if ((c & DXC_CGC_CPU) && apply_cpu (fd, r, err) < 0)
    return -1;
  if (c & DXC_CGC_CPUSET)
    {
      if (r->cpuset_cpus && *r->cpuset_cpus
          && dxc_cg_write (fd, "cpuset.cpus", r->cpuset_cpus, F "cpu.cpus",
                           err)
                 < 0)
        return -1;
      if (r->cpuset_mems && *r->cpuset_mems
          && dxc_cg_write (fd, "cpuset.mems", r->cpuset_mems, F "cpu.mems",
                           err)
                 < 0)
        return -1;
    }
  if ((c & DXC_CGC_PIDS) && r->pids_limit != DXC_UNSET
      && write_max (fd, "pids.max", r->pids_limit, F "pids.limit", err) < 0)
    return -1;
  if ((c & DXC_CGC_IO) && r->blkio_weight != DXC_UNSET
      && apply_io (fd, r, err) < 0)
    return -1;
  if (c & DXC_CGC_HUGETLB)
    for (size_t i = 0; i < r->n_hugepages; i++)
      {
        char file[64];
        snprintf (file, sizeof file, "hugetlb.%s.max",
                  r->hugepages[i].page_size);
        if (dxc_cg_write_int (fd, file, r->hugepages[i].limit,
                              F "hugepageLimits", err)
            < 0)
          return -1;
      }
  for (char **u = r->unified; u && u[0]; u += 2)
    {
      char field[128];
      snprintf (field, sizeof field, F "unified.%s", u[0]);
      if (dxc_cg_write (fd, u[0], u[1], field, err) < 0)
        return -1;
    }
  if ((c & DXC_CGC_DEVICES) && r->has_devices
      && dxc_cg_bpf_devices (fd, r->devices, r->n_devices, err) < 0)
    return -1;
  return 0;
}

static long
v2_oom_kills (const dxc_cg_hier *h)
{
  return dxc_cg_read_key (h->dirfd, "memory.events", "oom_kill");
}

const dxc_cg_backend dxc_cg_v2_backend = {
  .prepare = v2_prepare,
  .apply = v2_apply,
  .oom_kills = v2_oom_kills,
};
