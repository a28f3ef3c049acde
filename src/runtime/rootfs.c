/* The container's root file system: see rootfs.h.
 *
 * Every mount target comes from a spec that came from an image or a user:
 * it is resolved inside the root with openat2(RESOLVE_IN_ROOT), and the mount
 * is made on /proc/self/fd/N of what was resolved, so that a symlink in the
 * image (even one swapped in during setup) cannot make a mount land outside
 * the root (the CVE-2021-30465 class). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs.h"
#include "util/copy.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

#define FD_PATH(buf, fd) snprintf (buf, sizeof buf, "/proc/self/fd/%d", fd)

static int
set_propagation (const char *target, unsigned long flags, dxc_error **err)
{
  if (mount (NULL, target, NULL, flags, NULL) < 0)
    return dxc_error_errno (err, errno, "set propagation of %s", target);
  return 0;
}

/* Mount flags a bind remount must keep: a remount that leaves out nosuid,
   nodev or noexec of the mount below fails with EPERM in some namespaces,
   and silently clears them in others. */
static unsigned long
locked_flags (const char *path)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs (path, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_NOSUID)
    f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME)
    f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    f |= MS_RELATIME;
  return f;
}

int
dxc_remount_bind (const char *path, unsigned long flags, dxc_error **err)
{
  if (mount (NULL, path, NULL, MS_BIND | MS_REMOUNT | flags | locked_flags (path),
             NULL) < 0)
    return dxc_error_errno (err, errno, "remount %s", path);
  return 0;
}

static void
mount_flags_string (unsigned long f, char *buf, size_t len)
{
  static const dxc_flag_name names[]
      = { { MS_BIND, "MS_BIND" },     { MS_REC, "MS_REC" },
          { MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" },
          { MS_NODEV, "MS_NODEV" },   { MS_NOEXEC, "MS_NOEXEC" },
          { MS_STRICTATIME, "MS_STRICTATIME" },
          { MS_RELATIME, "MS_RELATIME" } };
  dxc_flags_string (names, sizeof names / sizeof names[0], f, buf, len);
}

static bool
dir_is_empty (int dirfd)
{
  /* A new open: a dup would share (and move) the caller's offset. */
  cleanup_dir DIR *d
      = fdopendir (openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

/* Copy-up: the content the image has at the mount's target goes into what
   is mounted there, when that is still empty (a volume's first use, or a
   tmpfs with tmpcopyup). under is the target before the mount; into the
   directory that will be (bind) or was (tmpfs) mounted on it. */
static int
copy_up (const dxc_mount *m, int under, int into, dxc_error **err)
{
  cleanup_close int src = openat (under, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (src < 0)
    return 0; /* not a directory: nothing to copy */
  if (dir_is_empty (src) || !dir_is_empty (into))
    return 0;
  if (dxc_copy_tree_fd (src, into, err) < 0)
    return dxc_error_prefix (err, "mount %s: copy the image's content", m->destination);
  dxc_explain ("copy-up: the image's %s copied into %s", m->destination,
               m->bind ? m->source : "the new tmpfs");
  return 0;
}

/* A bind-mounted directory shared by containers (a volume) is checked and
   copied up under its lock: its users take turns, so the first one copies
   into the empty volume before any other can put anything in it (its own
   mount points: /etc/hosts on a volume over /etc). Without the lock, those
   made it non-empty first and nobody copied. */
static int
copy_up_shared (const dxc_mount *m, int under, int into, dxc_error **err)
{
  /* The lock goes with the fd, closed by the caller. */
  if (flock (into, LOCK_EX) < 0)
    return dxc_error_errno (err, errno, "mount %s: lock %s", m->destination,
                            m->source);
  return copy_up (m, under, into, err);
}

/* Where fd is inside the root, as a path from the root ("/proc/sys");
   NULL if it is not inside (it always is: openat2 resolved it there). */
static char *
path_in_root (const char *rootfs, int fd)
{
  char link[64], real[PATH_MAX];
  size_t rl = strlen (rootfs);
  ssize_t n;

  FD_PATH (link, fd);
  n = readlink (link, real, sizeof real - 1);
  if (n < 0)
    return NULL;
  real[n] = '\0';
  if (strncmp (real, rootfs, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
    return NULL;
  return strdup (real[rl] ? real + rl : "/");
}

/* Files of /proc that lxcfs and its kind bind over, as runc allows. */
static const char *const proc_bind_allowed[]
    = { "/proc/cpuinfo",  "/proc/diskstats", "/proc/meminfo",
        "/proc/stat",     "/proc/swaps",     "/proc/uptime",
        "/proc/loadavg",  "/proc/slabinfo",  "/proc/sys/kernel/ns_last_pid",
        "/proc/net/dev",  NULL };

/* A mount whose target a symlink of the image sends into /proc, /sys or
   /dev would cover the kernel's interfaces there (a volume on
   "/psys -> /proc/sys" hides the read-only /proc/sys: CVE-2019-19921):
   those targets must be named as they are. And nothing but procfs and the
   lxcfs files may go over /proc. */
static int
check_proc_target (const dxc_mount *m, const char *path, dxc_error **err)
{
  if (!dxc_path_is_under (path, "/proc")
      || (m->type && strcmp (m->type, "proc") == 0 && !m->bind))
    return 0;
  for (size_t i = 0; proc_bind_allowed[i]; i++)
    if (strcmp (path, proc_bind_allowed[i]) == 0)
      return 0;
  return dxc_error_new (err, "mount %s: only procfs, or a bind mount on one "
                        "of the files lxcfs provides, may go on /proc",
                        m->destination);
}

/* Before the target is resolved (or made): the destination as named. */
static int
check_named_target (const dxc_mount *m, dxc_error **err)
{
  cleanup_free char *named = dxc_path_clean (m->destination);
  if (named == NULL)
    return dxc_error_errno (err, ENOMEM, "mount %s", m->destination);
  return check_proc_target (m, named, err);
}

/* After: where the target really is. */
static int
check_target (const dxc_mount *m, const char *rootfs, int target,
              dxc_error **err)
{
  static const char *const special[] = { "/proc", "/sys", "/dev", NULL };
  cleanup_free char *real = path_in_root (rootfs, target);
  cleanup_free char *named = dxc_path_clean (m->destination);

  if (real == NULL || named == NULL)
    return dxc_error_new (err, "mount %s: cannot tell where its target is",
                          m->destination);
  if (strcmp (real, named) != 0)
    for (size_t i = 0; special[i]; i++)
      if (dxc_path_is_under (real, special[i]))
        return dxc_error_new (err, "mount %s: the target resolves to %s "
                              "through a symlink in the root file system: "
                              "refused, as it would cover %s", m->destination,
                              real, special[i]);
  return check_proc_target (m, real, err);
}

static int
mount_one (int rootfd, const char *rootfs, const dxc_mount *m,
           const dxc_spec *spec, const dxc_cgroup *cgroup, dxc_error **err)
{
  cleanup_close int target = -1;
  cleanup_close int mounted = -1;
  char tpath[64], fl[128];
  bool is_dir = true;
  unsigned long flags;

  if (!m->bind && m->type && strcmp (m->type, "cgroup") == 0)
    {
      if (dxc_cgroup_mount (cgroup, rootfd, m->destination, m->flags,
                            dxc_spec_has_ns (spec, CLONE_NEWCGROUP), err)
          < 0)
        return dxc_error_prefix (err, "mount %s", m->destination);
      return 0;
    }
  if (m->bind)
    {
      struct stat st;
      if (stat (m->source, &st) < 0)
        return dxc_error_errno (err, errno, "mount %s: source %s",
                                m->destination, m->source);
      is_dir = S_ISDIR (st.st_mode);
    }
  if (check_named_target (m, err) < 0)
    return -1;
  target = dxc_ensure_in_root (rootfd, m->destination, is_dir, err);
  if (target < 0)
    return dxc_error_prefix (err, "mount %s", m->destination);
  if (check_target (m, rootfs, target, err) < 0)
    return -1;
  FD_PATH (tpath, target);

  if (m->copy_up && m->bind)
    {
      cleanup_close int into
          = open (m->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (into >= 0 && copy_up_shared (m, target, into, err) < 0)
        return -1;
    }

  flags = m->flags;
  if (m->bind)
    flags &= MS_BIND | MS_REC;
  flags &= ~MS_REMOUNT;
  if (mount (m->bind ? m->source : (m->source ? m->source : m->type), tpath,
             m->bind ? NULL : m->type, flags, m->bind ? NULL : m->data)
      < 0)
    {
      int e = errno;
      if (e == EINVAL && m->data && m->type && !m->bind)
        return dxc_error_errno (err, e, "mount %s (type %s, options %s)",
                                m->destination, m->type, m->data);
      return dxc_error_errno (err, e, "mount %s on %s",
                              m->bind ? m->source : m->type, m->destination);
    }
  mount_flags_string (flags, fl, sizeof fl);
  dxc_explain ("mount(\"%s\", \"%s\", \"%s\", %s, \"%s\")",
               m->bind ? m->source : (m->source ? m->source : m->type),
               m->destination, m->bind ? "" : m->type, fl,
               m->data && !m->bind ? m->data : "");

  if (m->copy_up && !m->bind)
    {
      /* The fd is still the directory under the new tmpfs. */
      cleanup_close int into = dxc_openat_in_root (rootfd, m->destination,
                                                   O_RDONLY | O_DIRECTORY, 0);
      if (into < 0)
        return dxc_error_errno (err, errno, "mount %s: reopen", m->destination);
      if (copy_up (m, target, into, err) < 0)
        return -1;
    }
  if (!m->remount_ro && !m->propagation && !m->recursive_ro
      && !(m->bind && (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC))))
    return 0;

  /* The fd still points at the directory under the new mount: resolve the
     destination again to reach the mount itself. */
  mounted = dxc_openat_in_root (rootfd, m->destination, O_PATH, 0);
  if (mounted < 0)
    return dxc_error_errno (err, errno, "mount %s: reopen", m->destination);
  FD_PATH (tpath, mounted);
  if (m->bind && (m->remount_ro || (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC))))
    {
      unsigned long rf = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV
                                     | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME
                                     | MS_RELATIME | MS_STRICTATIME);
      if (dxc_remount_bind (tpath, rf, err) < 0)
        return dxc_error_prefix (err, "mount %s", m->destination);
    }
  if (m->recursive_ro)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (syscall (SYS_mount_setattr, mounted, "", AT_EMPTY_PATH | AT_RECURSIVE,
                   &attr, sizeof attr)
          < 0)
        return dxc_error_errno (err, errno, "mount %s: make read-only "
                                "recursively", m->destination);
    }
  if (m->propagation && set_propagation (tpath, m->propagation, err) < 0)
    return dxc_error_prefix (err, "mount %s", m->destination);
  return 0;
}

static const struct
{
  const char *name;
  unsigned major, minor;
} default_devices[] = {
  { "null", 1, 3 },    { "zero", 1, 5 }, { "full", 1, 7 },
  { "random", 1, 8 },  { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static int
make_device (int rootfd, const char *path, mode_t type, unsigned major,
             unsigned minor, mode_t mode, uid_t uid, gid_t gid,
             dxc_error **err)
{
  cleanup_free char *dir = dxc_dirname (path);
  cleanup_close int dfd = -1;
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;

  dfd = dxc_mkdir_p_in_root (rootfd, dir, 0755, err);
  if (dfd < 0)
    return dxc_error_prefix (err, "device %s", path);
  {
    cleanup_close int wfd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (wfd < 0)
      return dxc_error_errno (err, errno, "device %s", path);
    if (mknodat (wfd, base, type | (mode & 07777), makedev (major, minor)) < 0)
      {
        struct stat st;
        if (errno != EEXIST)
          return dxc_error_errno (err, errno, "mknod %s", path);
        /* What the image (or a bound /dev) has there must be that very
           device: a symlink, a regular file or another device under the
           name would be used in its place. */
        if (fstatat (wfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
          return dxc_error_errno (err, errno, "stat %s", path);
        if ((st.st_mode & S_IFMT) != type
            || (type != S_IFIFO
                && st.st_rdev != makedev (major, minor)))
          return dxc_error_new (err, "device %s: the root has another file "
                                "there (not the %s %u:%u)", path,
                                type == S_IFBLK ? "block device"
                                : type == S_IFIFO ? "fifo"
                                                  : "character device",
                                major, minor);
        return 0;
      }
    if (fchownat (wfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
      return dxc_error_errno (err, errno, "chown %s", path);
  }
  return 0;
}

static bool
dev_is_bind_mounted (const dxc_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, "/dev") == 0
        && spec->mounts[i].bind)
      return true;
  return false;
}

static int
create_devices (int rootfd, const dxc_spec *spec, dxc_error **err)
{
  static const struct
  {
    const char *name, *target;
  } links[] = { { "fd", "/proc/self/fd" },  { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
                { "ptmx", "pts/ptmx" } };
  cleanup_close int devfd = -1;

  if (!dev_is_bind_mounted (spec))
    {
      for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0];
           i++)
        {
          char path[32];
          snprintf (path, sizeof path, "/dev/%s", default_devices[i].name);
          if (make_device (rootfd, path, S_IFCHR, default_devices[i].major,
                           default_devices[i].minor, 0666, 0, 0, err)
              < 0)
            return -1;
        }
      dxc_explain ("mknod(\"/dev/{null,zero,full,random,urandom,tty}\", "
                   "S_IFCHR|0666): the default device nodes");
    }
  for (size_t i = 0; i < spec->n_devices; i++)
    {
      const dxc_device *d = &spec->devices[i];
      if (make_device (rootfd, d->path, d->type, d->major, d->minor, d->mode,
                       d->uid, d->gid, err)
          < 0)
        return -1;
      dxc_explain ("mknod(\"%s\", %s, %u:%u)", d->path,
                   d->type == S_IFBLK ? "S_IFBLK" : d->type == S_IFIFO
                                                        ? "S_IFIFO"
                                                        : "S_IFCHR",
                   d->major, d->minor);
    }
  devfd = dxc_mkdir_p_in_root (rootfd, "/dev", 0755, err);
  if (devfd < 0)
    return -1;
  {
    cleanup_close int wfd = openat (devfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (wfd < 0)
      return dxc_error_errno (err, errno, "open /dev");
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
      if (symlinkat (links[i].target, wfd, links[i].name) < 0 && errno != EEXIST)
        return dxc_error_errno (err, errno, "symlink /dev/%s", links[i].name);
  }
  return 0;
}

int
dxc_rootfs_prepare (const dxc_spec *spec, const char *rootfs,
                    const dxc_root_mount *root_mount,
                    const dxc_cgroup *cgroup, dxc_error **err)
{
  cleanup_close int rootfd = -1;
  char fl[64];

  /* Nothing mounted from here on may propagate back to the host. */
  if (set_propagation ("/", spec->rootfs_propagation, err) < 0)
    return -1;
  dxc_explain ("mount(NULL, \"/\", NULL, MS_REC|%s): the container's mount "
               "table is a private copy, nothing propagates to the host",
               (spec->rootfs_propagation & MS_SLAVE) ? "MS_SLAVE"
               : (spec->rootfs_propagation & MS_SHARED) ? "MS_SHARED"
                                                        : "MS_PRIVATE");

  if (root_mount)
    {
      if (root_mount->cwd && chdir (root_mount->cwd) < 0)
        return dxc_error_errno (err, errno, "chdir %s", root_mount->cwd);
      if (mount (root_mount->source, rootfs, root_mount->type, 0,
                 root_mount->data)
          < 0)
        return dxc_error_errno (err, errno, "mount %s root on %s",
                                root_mount->type, rootfs);
      dxc_explain ("mount(\"%s\", \"%s\", \"%s\", 0, \"%s\"): the container's "
                   "root, made of the image's layers", root_mount->source,
                   rootfs, root_mount->type, root_mount->data);
    }
  else
    {
      /* pivot_root needs the new root to be a mount point. */
      if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return dxc_error_errno (err, errno, "bind mount rootfs %s", rootfs);
      mount_flags_string (MS_BIND | MS_REC, fl, sizeof fl);
      dxc_explain ("mount(\"%s\", \"%s\", NULL, %s): the root directory "
                   "becomes a mount point, as pivot_root needs",
                   rootfs, rootfs, fl);
    }
  if (!(spec->rootfs_propagation & MS_SHARED))
    if (set_propagation (rootfs, MS_PRIVATE, err) < 0)
      return -1;

  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return dxc_error_errno (err, errno, "open rootfs %s", rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (mount_one (rootfd, rootfs, &spec->mounts[i], spec, cgroup, err) < 0)
      return -1;
  if (create_devices (rootfd, spec, err) < 0)
    return -1;
  return 0;
}

static int
do_chroot (const char *rootfs, dxc_error **err)
{
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return dxc_error_errno (err, errno, "move %s to /", rootfs);
  if (chroot (".") < 0)
    {
      if (errno == EPERM)
        return dxc_error_errno (err, errno, "chroot permission denied (run "
                                "with sudo)");
      return dxc_error_errno (err, errno, "chroot %s", rootfs);
    }
  if (chdir ("/") < 0)
    return dxc_error_errno (err, errno, "chdir /");
  dxc_explain ("mount(\"%s\", \"/\", MS_MOVE); chroot(\".\"); chdir(\"/\"): "
               "the root moved over / (--no-pivot: the host's root stays "
               "mounted below, reachable by a process with CAP_SYS_CHROOT)",
               rootfs);
  return 0;
}

static int
do_pivot_root (const char *rootfs, dxc_error **err)
{
  /* pivot_root(".", "."): the old root is stacked on top of the new one and
     can be unmounted right away, with no directory to create in the image. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return dxc_error_errno (err, errno, "pivot_root %s", rootfs);
  /* Make the old root a slave first, so that unmounting it does not
     propagate the unmount back to the host's mounts. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return dxc_error_errno (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return dxc_error_errno (err, errno, "unmount the old root");
  if (chdir ("/") < 0)
    return dxc_error_errno (err, errno, "chdir /");
  dxc_explain ("pivot_root(\".\", \".\"); umount2(\".\", MNT_DETACH); "
               "chdir(\"/\"): %s is the new /, the host's root is gone from "
               "this mount namespace", rootfs);
  return 0;
}

int
dxc_rootfs_pivot (const char *rootfs, bool no_pivot, dxc_error **err)
{
  char cwd[4096];

  if (chdir (rootfs) < 0)
    return dxc_error_errno (err, errno, "chdir %s", rootfs);
  if (dxc_explaining ())
    dxc_explain ("getcwd() before the root switch: %s",
                 getcwd (cwd, sizeof cwd) ? cwd : "?");
  if (no_pivot ? do_chroot (rootfs, err) : do_pivot_root (rootfs, err))
    return -1;
  if (dxc_explaining ())
    dxc_explain ("getcwd() after the root switch: %s",
                 getcwd (cwd, sizeof cwd) ? cwd : "?");
  return 0;
}

int
dxc_apply_sysctls (const dxc_spec *spec, dxc_error **err)
{
  cleanup_close int sysfd = -1;

  if (spec->n_sysctls == 0)
    return 0;
  sysfd = open ("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (sysfd < 0)
    return dxc_error_errno (err, errno, "sysctl: open /proc/sys");
  for (size_t i = 0; i < spec->n_sysctls; i++)
    {
      struct open_how how = { .flags = O_WRONLY | O_CLOEXEC,
                              .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
                                         | RESOLVE_NO_MAGICLINKS
                                         | RESOLVE_NO_XDEV };
      char rel[DXC_SYSCTL_KEY_MAX];
      cleanup_close int fd = -1;

      /* The spec parser refused longer keys; never trust that here. */
      if (snprintf (rel, sizeof rel, "%s", spec->sysctls[i].key)
          >= (int) sizeof rel)
        return dxc_error_new (err, "sysctl %.40s...: key too long",
                              spec->sysctls[i].key);
      for (char *p = rel; *p; p++)
        if (*p == '.')
          *p = '/';
      fd = syscall (SYS_openat2, sysfd, rel, &how, sizeof how);
      if (fd < 0)
        return dxc_error_errno (err, errno, "sysctl %s", spec->sysctls[i].key);
      if (write (fd, spec->sysctls[i].value, strlen (spec->sysctls[i].value)) < 0)
        return dxc_error_errno (err, errno, "sysctl %s=%s",
                                spec->sysctls[i].key, spec->sysctls[i].value);
      dxc_explain ("write(\"/proc/sys/%s\", \"%s\")", rel,
                   spec->sysctls[i].value);
    }
  return 0;
}

/* /dev/null, checked to be the 1:3 character device: the container's /dev
   is the image's when /dev is bound from elsewhere, and a process of the
   container may have swapped it for a symlink or another file in a shared
   mount namespace (CVE-2025-31133). The mask is bound from this fd, never
   from the path again. */
static int
open_dev_null (dxc_error **err)
{
  cleanup_close int fd = open ("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    return dxc_error_errno (err, errno, "mask: open /dev/null");
  if (fstat (fd, &st) < 0)
    return dxc_error_errno (err, errno, "mask: stat /dev/null");
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) != 1
      || minor (st.st_rdev) != 3)
    return dxc_error_new (err, "mask: /dev/null is not the null device "
                          "(1:3): refusing to bind it over masked paths");
  return take_fd (fd);
}

static int
mask_path (const char *path, int nullfd, dxc_error **err)
{
  char src[64];
  struct stat st;
  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return dxc_error_errno (err, errno, "mask %s", path);
    }
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0)
        return dxc_error_errno (err, errno, "mask %s", path);
      return 0;
    }
  FD_PATH (src, nullfd);
  if (mount (src, path, NULL, MS_BIND, NULL) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return dxc_error_errno (err, errno, "mask %s", path);
    }
  return 0;
}

static int
readonly_path (const char *path, dxc_error **err)
{
  if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return dxc_error_errno (err, errno, "read-only path %s", path);
    }
  return dxc_remount_bind (path, MS_RDONLY, err);
}

int
dxc_rootfs_finalize (const dxc_spec *spec, dxc_error **err)
{
  if (spec->masked_paths && spec->masked_paths[0])
    {
      cleanup_close int nullfd = open_dev_null (err);
      if (nullfd < 0)
        return dxc_error_prefix (err, "linux.maskedPaths");
      for (char **p = spec->masked_paths; *p; p++)
        if (mask_path (*p, nullfd, err) < 0)
          return -1;
      dxc_explain ("masked paths: /dev/null bound over files, an empty "
                   "read-only tmpfs over directories (%s, ...)",
                   spec->masked_paths[0] ? spec->masked_paths[0] : "");
    }
  if (spec->readonly_paths)
    {
      for (char **p = spec->readonly_paths; *p; p++)
        if (readonly_path (*p, err) < 0)
          return -1;
      dxc_explain ("read-only paths: bound on themselves and remounted "
                   "MS_RDONLY (%s, ...)",
                   spec->readonly_paths[0] ? spec->readonly_paths[0] : "");
    }
  if (spec->root_readonly)
    {
      if (dxc_remount_bind ("/", MS_RDONLY, err) < 0)
        return dxc_error_prefix (err, "root.readonly");
      dxc_explain ("mount(NULL, \"/\", MS_BIND|MS_REMOUNT|MS_RDONLY): "
                   "read-only root");
    }
  return 0;
}
