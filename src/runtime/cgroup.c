/* The container's control group: see cgroup.h. This file finds the
 * hierarchies, places, joins, mounts and removes the cgroup; the limits are
 * written by the backend of each hierarchy. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "rootfs.h"
#include "util/fs.h"
#include "util/log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static const struct
{
  const char *name;
  unsigned bit;
} controller_names[] = {
  { "cpu", DXC_CGC_CPU },         { "cpuacct", DXC_CGC_CPUACCT },
  { "cpuset", DXC_CGC_CPUSET },   { "memory", DXC_CGC_MEMORY },
  { "devices", DXC_CGC_DEVICES }, { "freezer", DXC_CGC_FREEZER },
  { "blkio", DXC_CGC_IO },        { "io", DXC_CGC_IO },
  { "pids", DXC_CGC_PIDS },       { "hugetlb", DXC_CGC_HUGETLB },
  { "net_cls", DXC_CGC_OTHER },   { "net_prio", DXC_CGC_OTHER },
  { "perf_event", DXC_CGC_OTHER }, { "rdma", DXC_CGC_OTHER },
  { "misc", DXC_CGC_OTHER },
};

static unsigned
controller_bit (const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof controller_names / sizeof controller_names[0];
       i++)
    if (strlen (controller_names[i].name) == len
        && strncmp (controller_names[i].name, name, len) == 0)
      return controller_names[i].bit;
  return 0;
}

/* The bits of a list of controller names separated by sep. */
unsigned
dxc_cg_controller_bits (const char *list, char sep)
{
  unsigned bits = 0;
  while (list && *list)
    {
      const char *end = strchrnul (list, sep);
      bits |= controller_bit (list, end - list);
      list = *end ? end + 1 : end;
    }
  return bits;
}

/* ---- helpers shared with the backends ----------------------------------- */

int
dxc_cg_write (int dirfd, const char *file, const char *value,
              const char *field, dxc_error **err)
{
  cleanup_close int fd = openat (dirfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return dxc_error_errno (err, errno, "%s: this kernel has no %s "
                                "(controller missing or not enabled)",
                                field, file);
      return dxc_error_errno (err, errno, "%s: open %s", field, file);
    }
  if (write (fd, value, strlen (value)) < 0)
    return dxc_error_errno (err, errno, "%s: the kernel refused %s in %s",
                            field, value, file);
  dxc_explain ("write %s <- %s", file, value);
  return 0;
}

int
dxc_cg_write_int (int dirfd, const char *file, int64_t value,
                  const char *field, dxc_error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", (long long) value);
  return dxc_cg_write (dirfd, file, buf, field, err);
}

char *
dxc_cg_read_line (int dirfd, const char *file)
{
  char *data = NULL;
  size_t len;
  cleanup_close int fd = openat (dirfd, file, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || dxc_read_fd (fd, &data, &len, NULL) < 0)
    return NULL;
  data[strcspn (data, "\n")] = '\0';
  return data;
}

long
dxc_cg_read_key (int dirfd, const char *file, const char *key)
{
  cleanup_free char *data = NULL;
  size_t len, klen = strlen (key);
  cleanup_close int fd = openat (dirfd, file, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || dxc_read_fd (fd, &data, &len, NULL) < 0)
    return -1;
  for (char *line = data; line && *line;)
    {
      char *next = strchr (line, '\n');
      if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
        return strtol (line + klen + 1, NULL, 10);
      line = next ? next + 1 : NULL;
    }
  return -1;
}

/* ---- finding the hierarchies: cgroup-discover.c ------------------------- */

static void
cgroup_free (dxc_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    dxc_cg_hier_clear (&cg->h[i]);
  free (cg);
}

void
dxc_cgroup_release (dxc_cgroup *cg)
{
  cgroup_free (cg);
}

int
dxc_cgroup_mode (dxc_error **err)
{
  static int mode;
  if (mode == 0)
    {
      dxc_cgroup cg = { 0 };
      if (dxc_cg_discover (&cg, err) < 0)
        {
          for (size_t i = 0; i < cg.n; i++)
            dxc_cg_hier_clear (&cg.h[i]);
          return -1;
        }
      mode = cg.mode;
      for (size_t i = 0; i < cg.n; i++)
        dxc_cg_hier_clear (&cg.h[i]);
    }
  return mode;
}

/* ---- what the limits need ----------------------------------------------- */

static const struct
{
  unsigned bit;
  const char *what;
} needs_names[] = {
  { DXC_CGC_MEMORY, "memory" }, { DXC_CGC_CPU, "cpu" },
  { DXC_CGC_CPUSET, "cpuset" }, { DXC_CGC_PIDS, "pids" },
  { DXC_CGC_IO, "io (blkio)" }, { DXC_CGC_HUGETLB, "hugetlb" },
  { DXC_CGC_DEVICES, "devices" },
};

static unsigned
needed_controllers (const dxc_resources *r)
{
  unsigned need = 0;
  if (r->memory_limit != DXC_UNSET || r->memory_reservation != DXC_UNSET
      || r->memory_swap != DXC_UNSET || r->memory_swappiness != DXC_UNSET
      || r->disable_oom_killer)
    need |= DXC_CGC_MEMORY;
  if (r->cpu_shares != DXC_UNSET || r->cpu_quota != DXC_UNSET
      || r->cpu_period != DXC_UNSET || r->cpu_burst != DXC_UNSET
      || r->cpu_idle != DXC_UNSET)
    need |= DXC_CGC_CPU;
  if ((r->cpuset_cpus && *r->cpuset_cpus)
      || (r->cpuset_mems && *r->cpuset_mems))
    need |= DXC_CGC_CPUSET;
  if (r->pids_limit != DXC_UNSET)
    need |= DXC_CGC_PIDS;
  if (r->blkio_weight != DXC_UNSET)
    need |= DXC_CGC_IO;
  if (r->n_hugepages)
    need |= DXC_CGC_HUGETLB;
  if (r->has_devices)
    need |= DXC_CGC_DEVICES;
  return need;
}

static const dxc_cg_backend *
backend (const dxc_cg_hier *h)
{
  return h->version == 2 ? &dxc_cg_v2_backend : &dxc_cg_v1_backend;
}

/* The first hierarchy holding a controller owns it: in hybrid mode a
   controller is bound to one hierarchy only, v1's listed first. */
static unsigned
owned_controllers (const dxc_cgroup *cg, size_t i)
{
  unsigned before = 0;
  for (size_t j = 0; j < i; j++)
    before |= cg->h[j].controllers;
  return cg->h[i].controllers & ~before;
}

/* ---- creating and removing ---------------------------------------------- */

static int
resolve_path (dxc_cg_hier *h, const char *cgroups_path, const char *id,
              dxc_error **err)
{
  cleanup_free char *rel = NULL;
  const char *p = cgroups_path;

  if (p == NULL || *p == '\0')
    {
      if (asprintf (&rel, "devoxx-%s", id) < 0)
        return dxc_error_errno (err, ENOMEM, "cgroup");
      p = rel;
    }
  if (p[0] == '/')
    h->path = strdup (p);
  else if (h->version == 2 || strcmp (h->own, "/") == 0)
    {
      if (asprintf (&h->path, "/%s", p) < 0)
        h->path = NULL;
    }
  else if (asprintf (&h->path, "%s/%s", h->own, p) < 0)
    h->path = NULL;
  if (h->path == NULL)
    return dxc_error_errno (err, ENOMEM, "cgroup");
  /* Normalise: no trailing slash, no empty or dot components. */
  while (strlen (h->path) > 1 && h->path[strlen (h->path) - 1] == '/')
    h->path[strlen (h->path) - 1] = '\0';
  if (strstr (h->path, "/../") || strstr (h->path, "/./")
      || strstr (h->path, "//")
      || (strlen (h->path) >= 3
          && strcmp (h->path + strlen (h->path) - 3, "/..") == 0)
      || strcmp (h->path, "/") == 0)
    return dxc_error_new (err, "linux.cgroupsPath: invalid path %s",
                          cgroups_path ? cgroups_path : h->path);
  return 0;
}

/* mkdir each missing component of h->path; h->created counts those made. */
static int
make_dirs (dxc_cg_hier *h, dxc_error **err)
{
  char path[PATH_MAX];
  size_t base = strlen (h->mount);
  int depth = 0, first_new = -1;

  if (snprintf (path, sizeof path, "%s%s", h->mount, h->path)
      >= (int) sizeof path)
    return dxc_error_errno (err, ENAMETOOLONG, "cgroup %s", h->path);
  for (char *c = path + base + 1;; c++)
    if (*c == '/' || *c == '\0')
      {
        char saved = *c;
        *c = '\0';
        depth++;
        if (mkdir (path, 0755) == 0)
          {
            if (first_new < 0)
              first_new = depth;
          }
        else if (errno != EEXIST)
          {
            int e = errno;
            *c = saved;
            if (first_new > 0)
              h->created = depth - first_new;
            return dxc_error_errno (err, e, "cgroup: mkdir %s", path);
          }
        *c = saved;
        if (saved == '\0')
          break;
      }
  h->created = first_new > 0 ? depth - first_new + 1 : 0;
  /* Not O_PATH: bpf(BPF_PROG_ATTACH) takes no O_PATH fd. */
  h->dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h->dirfd < 0)
    return dxc_error_errno (err, errno, "cgroup: open %s", path);
  /* The leaf is the container's own, as runc takes it: one that exists
     already with no process in it is what a runtime killed before it
     recorded it left (state.h), and goes at the end like a new one. One
     with processes is someone else's: joined, never removed. */
  if (h->created == 0)
    {
      cleanup_free char *procs = dxc_cg_read_line (h->dirfd, "cgroup.procs");
      if (procs && *procs == '\0')
        h->created = 1;
    }
  return 0;
}

/* Every process left in the cgroup gets SIGKILL. */
static void
kill_all (const dxc_cg_hier *h)
{
  cleanup_free char *procs = NULL;
  size_t len;
  cleanup_close int fd = -1;

  if (h->dirfd < 0)
    return;
  if (h->version == 2)
    {
      fd = openat (h->dirfd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
      if (fd >= 0 && write (fd, "1", 1) == 1)
        return;
    }
  if (fd >= 0)
    close (fd);
  fd = openat (h->dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || dxc_read_fd (fd, &procs, &len, NULL) < 0)
    return;
  for (char *p = procs; *p;)
    {
      char *end;
      long pid = strtol (p, &end, 10);
      if (end == p)
        break;
      if (pid > 0)
        kill (pid, SIGKILL);
      p = *end ? end + 1 : end;
    }
}

/* Remove the leaf and the ancestors we made, newest first. A process that
   was just killed keeps its cgroup busy for a moment: retry for a while. */
static int
remove_dirs (dxc_cg_hier *h, dxc_error **err)
{
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s%s", h->mount, h->path);
  for (int i = 0; i < h->created; i++)
    {
      int tries = 0;
      while (rmdir (path) < 0)
        {
          if (errno == ENOENT)
            break;
          if (i > 0 || errno != EBUSY || ++tries > 500)
            {
              /* An ancestor still in use by another container stays. */
              if (i > 0 && (errno == EBUSY || errno == ENOTEMPTY))
                return 0;
              return dxc_error_errno (err, errno, "cgroup: rmdir %s", path);
            }
          if (tries % 50 == 1)
            kill_all (h);
          nanosleep (&(struct timespec){ 0, 2000000 }, NULL);
        }
      *strrchr (path, '/') = '\0';
    }
  return 0;
}

int
dxc_cgroup_destroy (dxc_cgroup *cg, dxc_error **err)
{
  int r = 0;
  if (cg == NULL)
    return 0;
  /* Usually empty by now (the PID namespace died with its first process):
     rmdir first, and kill only what makes it fail. */
  for (size_t i = 0; i < cg->n; i++)
    {
      dxc_cg_hier *h = &cg->h[i];
      if (h->created && remove_dirs (h, r < 0 ? NULL : err) < 0)
        r = -1;
    }
  cgroup_free (cg);
  return r;
}

static int
check_available (const dxc_cgroup *cg, unsigned need, dxc_error **err)
{
  unsigned have = 0;
  for (size_t i = 0; i < cg->n; i++)
    have |= cg->h[i].controllers;
  for (size_t i = 0; i < sizeof needs_names / sizeof needs_names[0]; i++)
    if ((need & needs_names[i].bit) && !(have & needs_names[i].bit))
      return dxc_error_new (err, "cgroup: the %s controller is not available "
                            "on this machine, and linux.resources needs it",
                            needs_names[i].what);
  return 0;
}

/* The device rules to enforce: the spec's, then (so that they win) the
   devices every container gets from the runtime, as runc adds them. The
   nodes of linux.devices get no rule of their own: the spec's rules say
   what may be done with them (Docker's --device /dev/x:r is read-only;
   runc enforces it so). Without rules in the spec, no filter at all. */
static dxc_device_rule *
effective_device_rules (const dxc_spec *spec, size_t *ret_n)
{
  static const dxc_device_rule builtin[] = {
    { true, 'c', 1, 3, 7 },   /* null */
    { true, 'c', 1, 5, 7 },   /* zero */
    { true, 'c', 1, 7, 7 },   /* full */
    { true, 'c', 1, 8, 7 },   /* random */
    { true, 'c', 1, 9, 7 },   /* urandom */
    { true, 'c', 5, 0, 7 },   /* tty */
    { true, 'c', 5, 1, 7 },   /* console */
    { true, 'c', 5, 2, 7 },   /* ptmx */
    { true, 'c', 136, -1, 7 }, /* pts */
  };
  const dxc_resources *r = &spec->resources;
  size_t nb = sizeof builtin / sizeof builtin[0], n = 0;
  dxc_device_rule *out
      = calloc (r->n_devices + nb + 1, sizeof (*out));

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < r->n_devices; i++)
    out[n++] = r->devices[i];
  for (size_t i = 0; i < nb; i++)
    out[n++] = builtin[i];
  *ret_n = n;
  return out;
}

int
dxc_cgroup_create (const dxc_spec *spec, const char *id, dxc_cgroup **ret,
                   dxc_error **err)
{
  return dxc_cgroup_create_planned (spec, id, NULL, NULL, ret, err);
}

/* The leaf of each hierarchy, as full paths. */
static json_t *
planned_leaves (const dxc_cgroup *cg)
{
  json_t *leaves = json_array ();
  for (size_t i = 0; i < cg->n; i++)
    {
      char dir[PATH_MAX];
      snprintf (dir, sizeof dir, "%s%s", cg->h[i].mount, cg->h[i].path);
      json_array_append_new (leaves, json_string (dir));
    }
  return leaves;
}

int
dxc_cgroup_create_planned (const dxc_spec *spec, const char *id,
                           dxc_cgroup_plan_fn plan, void *data,
                           dxc_cgroup **ret, dxc_error **err)
{
  dxc_cgroup *cg = calloc (1, sizeof (*cg));
  dxc_resources res = spec->resources;
  const dxc_resources *r = &res;
  cleanup_free dxc_device_rule *rules = NULL;
  unsigned need = needed_controllers (r);
  const char *cp = spec->cgroups_path;

  if (cg == NULL)
    return dxc_error_errno (err, ENOMEM, "cgroup");
  if (res.has_devices)
    {
      rules = effective_device_rules (spec, &res.n_devices);
      if (rules == NULL)
        {
          cgroup_free (cg);
          return dxc_error_errno (err, ENOMEM, "cgroup");
        }
      res.devices = rules;
    }
  if (cp && strchr (cp, ':') && cp[0] != '/')
    {
      cgroup_free (cg);
      return dxc_error_new (err, "linux.cgroupsPath %s: a systemd unit path "
                            "(slice:prefix:name) needs the systemd cgroup "
                            "driver, which this runtime does not have; give "
                            "a file system path", cp);
    }
  if (dxc_cg_discover (cg, err) < 0 || check_available (cg, need, err) < 0)
    {
      cgroup_free (cg);
      return -1;
    }
  if (r->unified && cg->h[cg->n - 1].version != 2)
    {
      cgroup_free (cg);
      return dxc_error_new (err, "linux.resources.unified needs cgroup v2, "
                            "and this machine has v1 only");
    }
  for (size_t i = 0; i < cg->n; i++)
    if (resolve_path (&cg->h[i], cp, id, err) < 0)
      {
        cgroup_free (cg);
        return -1;
      }
  if (plan)
    {
      json_t *leaves = planned_leaves (cg);
      int rc = plan (leaves, data, err);
      json_decref (leaves);
      if (rc < 0)
        {
          cgroup_free (cg);
          return -1;
        }
    }
  for (size_t i = 0; i < cg->n; i++)
    {
      dxc_cg_hier *h = &cg->h[i];
      h->owned = owned_controllers (cg, i);
      if (make_dirs (h, err) < 0
          || backend (h)->prepare (h, h->owned & need, err) < 0
          || backend (h)->apply (h, r, err) < 0)
        {
          dxc_cgroup_destroy (cg, NULL);
          return -1;
        }
      dxc_explain ("cgroup %s%s%s (v%d)", h->mount, h->path,
                   h->created ? "" : " (existed)", h->version);
    }
  *ret = cg;
  return 0;
}

int
dxc_cgroup_use_own (const dxc_spec *spec, dxc_cgroup **ret, dxc_error **err)
{
  dxc_cgroup *cg;

  if (needed_controllers (&spec->resources) & ~DXC_CGC_DEVICES
      || spec->resources.unified)
    return dxc_error_new (err, "linux.resources: limits need a cgroup of the "
                          "container's own, and cgroups are disabled");
  cg = calloc (1, sizeof (*cg));
  if (cg == NULL)
    return dxc_error_errno (err, ENOMEM, "cgroup");
  if (dxc_cg_discover (cg, err) < 0)
    {
      cgroup_free (cg);
      return -1;
    }
  for (size_t i = 0; i < cg->n; i++)
    {
      cg->h[i].path = strdup (cg->h[i].own);
      cg->h[i].owned = 0;
    }
  cg->shared = true;
  *ret = cg;
  return 0;
}

void
dxc_cgroup_sweep_siblings (const dxc_cgroup *cg, int min_age)
{
  time_t now = time (NULL);

  for (size_t i = 0; cg && !cg->shared && i < cg->n; i++)
    {
      const dxc_cg_hier *h = &cg->h[i];
      char dir[PATH_MAX];
      struct stat pst;
      cleanup_dir DIR *d = NULL;
      struct dirent *de;

      snprintf (dir, sizeof dir, "%s%s", h->mount, h->path);
      *strrchr (dir, '/') = '\0';
      /* A cgroup directory's link count is 2 + its children: with ours
         alone (still there), nothing to sweep and no directory to read. */
      if (stat (dir, &pst) < 0 || pst.st_nlink <= 3)
        continue;
      d = opendir (dir);
      while (d && (de = readdir (d)))
        {
          char child[PATH_MAX + 256];
          struct stat st;
          if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
          snprintf (child, sizeof child, "%s/%s", dir, de->d_name);
          /* rmdir refuses a cgroup with processes or children: only an
             empty one goes, and only an old one (a cgroup being set up
             for a container is empty for a moment) */
          if (stat (child, &st) == 0 && now - st.st_mtime >= min_age
              && rmdir (child) == 0)
            dxc_explain ("cgroup %s: left by a killed runtime, removed",
                         child);
        }
    }
}

int
dxc_cgroup_clone_fd (const dxc_cgroup *cg)
{
  for (size_t i = 0; cg && !cg->shared && i < cg->n; i++)
    if (cg->h[i].version == 2)
      return cg->h[i].dirfd;
  return -1;
}

int
dxc_cgroup_enter (dxc_cgroup *cg, pid_t pid, bool placed_by_clone,
                  dxc_error **err)
{
  for (size_t i = 0; !cg->shared && i < cg->n; i++)
    {
      dxc_cg_hier *h = &cg->h[i];
      if (placed_by_clone && h->version == 2)
        continue;
      if (dxc_cg_write_int (h->dirfd, "cgroup.procs", pid, "cgroup", err) < 0)
        return dxc_error_prefix (err, "join %s%s", h->mount, h->path);
    }
  return 0;
}

long
dxc_cgroup_oom_kills (const dxc_cgroup *cg)
{
  long kills = 0;
  for (size_t i = 0; cg && !cg->shared && i < cg->n; i++)
    if (cg->h[i].owned & DXC_CGC_MEMORY)
      {
        long k = backend (&cg->h[i])->oom_kills (&cg->h[i]);
        if (k > 0)
          kills += k;
      }
  return kills;
}

const char *
dxc_cgroup_path (const dxc_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].version == 2 && cg->mode == DXC_CGROUP_V2)
      return cg->h[i].path;
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].controllers & DXC_CGC_MEMORY)
      return cg->h[i].path;
  return cg->n ? cg->h[0].path : "";
}

/* ---- the container's view ----------------------------------------------- */

static int
mount_hier (const dxc_cg_hier *h, const char *target, unsigned long flags,
            bool own_cgroupns, dxc_error **err)
{
  char src[PATH_MAX];
  if (own_cgroupns)
    {
      /* In its own cgroup namespace the file system shows the container's
         cgroup as its root. */
      const char *type = h->version == 2 ? "cgroup2" : "cgroup";
      if (mount (type, target, type, flags, h->version == 2 ? NULL : h->options)
          < 0)
        return dxc_error_errno (err, errno, "mount %s on %s", type, target);
      dxc_explain ("mount(\"%s\", \"%s\", \"%s\", ..., \"%s\")", type, target,
                   type, h->version == 2 ? "" : h->options);
      return 0;
    }
  snprintf (src, sizeof src, "%s%s", h->mount, h->path);
  if (mount (src, target, NULL, MS_BIND, NULL) < 0)
    return dxc_error_errno (err, errno, "bind mount %s on %s", src, target);
  dxc_explain ("mount(\"%s\", \"%s\", NULL, MS_BIND)", src, target);
  return 0;
}


int
dxc_cgroup_mount (const dxc_cgroup *cg, int rootfd, const char *destination,
                  unsigned long flags, bool own_cgroupns, dxc_error **err)
{
  char target[64], sub[PATH_MAX];
  unsigned long f = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  cleanup_close int fd = -1, tmpfs = -1;

  if (cg == NULL)
    return dxc_error_new (err, "the container has no cgroup");
  fd = dxc_ensure_in_root (rootfd, destination, true, err);
  if (fd < 0)
    return -1;
  snprintf (target, sizeof target, "/proc/self/fd/%d", fd);
  if (cg->mode == DXC_CGROUP_V2)
    {
      cleanup_close int mounted = -1;
      if (mount_hier (&cg->h[0], target, f, own_cgroupns, err) < 0)
        return -1;
      if (own_cgroupns || f == 0)
        return 0;
      mounted = dxc_openat_in_root (rootfd, destination, O_PATH, 0);
      if (mounted < 0)
        return dxc_error_errno (err, errno, "reopen %s", destination);
      snprintf (target, sizeof target, "/proc/self/fd/%d", mounted);
      return dxc_remount_bind (target, f, err);
    }
  /* v1 and hybrid: a tmpfs holding one directory per hierarchy, as on the
     host, read-only once filled. */
  if (mount ("tmpfs", target, "tmpfs", f & ~MS_RDONLY, "mode=755") < 0)
    return dxc_error_errno (err, errno, "mount tmpfs");
  /* The fd is the directory under the tmpfs: reach the tmpfs itself. */
  tmpfs = dxc_openat_in_root (rootfd, destination, O_PATH | O_DIRECTORY, 0);
  if (tmpfs < 0)
    return dxc_error_errno (err, errno, "reopen %s", destination);
  snprintf (target, sizeof target, "/proc/self/fd/%d", tmpfs);
  for (size_t i = 0; i < cg->n; i++)
    {
      const dxc_cg_hier *h = &cg->h[i];
      /* Hybrid: the v1 hierarchies only, as runc shows them. */
      if (h->version == 2)
        continue;
      snprintf (sub, sizeof sub, "%s/%s", target, h->name);
      if (mkdir (sub, 0755) < 0 && errno != EEXIST)
        return dxc_error_errno (err, errno, "mkdir %s/%s", destination,
                                h->name);
      if (mount_hier (h, sub, f, own_cgroupns, err) < 0
          || (!own_cgroupns && f && dxc_remount_bind (sub, f, err) < 0))
        return -1;
      /* cpu,cpuacct is also reachable as cpu and cpuacct. */
      if (strchr (h->name, ','))
        for (char *s = strdupa (h->name), *tok; (tok = strsep (&s, ","));)
          {
            snprintf (sub, sizeof sub, "%s/%s", target, tok);
            if (symlink (h->name, sub) < 0 && errno != EEXIST)
              return dxc_error_errno (err, errno, "symlink %s/%s",
                                      destination, tok);
          }
    }
  if ((f & MS_RDONLY)
      && mount (NULL, target, NULL, MS_REMOUNT | f, "mode=755") < 0)
    return dxc_error_errno (err, errno, "remount %s read-only", destination);
  return 0;
}

json_t *
dxc_cgroup_created_dirs (const dxc_cgroup *cg)
{
  json_t *dirs = json_array ();
  if (cg == NULL || cg->shared)
    return dirs;
  for (size_t i = 0; i < cg->n; i++)
    {
      const dxc_cg_hier *h = &cg->h[i];
      char dir[PATH_MAX];
      if (h->created <= 0 || h->path == NULL)
        continue;
      snprintf (dir, sizeof dir, "%s%s", h->mount, h->path);
      for (int k = 0; k < h->created; k++)
        {
          char *slash = strrchr (dir, '/');
          json_array_append_new (dirs, json_string (dir));
          if (slash == NULL || slash == dir)
            break;
          *slash = '\0';
        }
    }
  return dirs;
}
