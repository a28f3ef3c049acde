/* The storage driver of a store: see storage-driver.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/storage-driver.h"
#include "util/alloc.h"
#include "util/cleanup.h"
#include "util/fs.h"

const char *
dxc_driver_name (dxc_driver d)
{
  return d == DXC_DRIVER_COPY ? "copy" : "overlay";
}

const char *
dxc_fs_name (const char *dir)
{
  static const struct
  {
    unsigned long magic;
    const char *name;
  } known[] = { { 0x794c7630, "overlayfs" }, { 0x01021994, "tmpfs" },
                { 0xEF53, "extfs" },          { 0x58465342, "xfs" },
                { 0x9123683E, "btrfs" },      { 0x6969, "nfs" },
                { 0x65735546, "fuse" },       { 0x2FC12FC1, "zfs" },
                { 0xFF534D42, "cifs" },       { 0x01021997, "9p" } };
  struct statfs st;
  if (statfs (dir, &st) < 0)
    return "unknown";
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if ((unsigned long) st.f_type == known[i].magic)
      return known[i].name;
  return "unknown";
}

bool
dxc_overlay_probe (const char *base, char *why, size_t len)
{
  static const char *const sub[] = { "l", "u", "w", "m" };
  cleanup_free char *dir = dxc_dirname (base);
  int status = 0, e;
  pid_t pid;

  if (mkdir (base, 0700) < 0)
    {
      snprintf (why, len, "cannot make %s: %s", base, strerror (errno));
      return false;
    }
  for (int i = 0; i < 4; i++)
    {
      cleanup_free char *p = dxc_xasprintf ("%s/%s", base, sub[i]);
      mkdir (p, 0700);
    }
  /* The mount lives in a mount namespace of the probe's own: nothing to
     unmount, whatever happens to us. */
  pid = fork ();
  if (pid == 0)
    {
      char data[4200], target[4200];
      snprintf (data, sizeof data, "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w",
                base, base, base);
      snprintf (target, sizeof target, "%s/m", base);
      if (unshare (CLONE_NEWNS) < 0
          || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (200);
      _exit (mount ("overlay", target, "overlay", 0, data) < 0 ? errno & 0xff
                                                               : 0);
    }
  if (pid < 0 || waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    e = EIO;
  else
    e = WEXITSTATUS (status);
  dxc_rm_rf (base, NULL);
  if (e == 0)
    return true;
  if (e == 200)
    snprintf (why, len, "cannot make a mount namespace to probe it");
  else if (e == ENODEV)
    snprintf (why, len, "the kernel has no overlayfs");
  else
    snprintf (why, len, "overlayfs refuses an upper directory on %s (%s)",
              dxc_fs_name (dir), strerror (e));
  return false;
}

static int
read_kept (const char *path, dxc_driver *ret, bool *found, dxc_error **err)
{
  cleanup_free char *text = NULL;

  *found = false;
  if (dxc_read_file (path, &text, NULL, NULL) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return dxc_error_errno (err, errno, "read %s", path);
    }
  if (strcmp (text, "overlay\n") == 0)
    *ret = DXC_DRIVER_OVERLAY;
  else if (strcmp (text, "copy\n") == 0)
    *ret = DXC_DRIVER_COPY;
  else
    return dxc_error_new (err, "%s: unknown storage driver (overlay or "
                          "copy)", path);
  *found = true;
  return 0;
}

int
dxc_storage_driver (const dxc_store *s, const char *forced, dxc_driver *ret,
                    dxc_driver *ret_kept, char **ret_note, dxc_error **err)
{
  cleanup_free char *path = dxc_xasprintf ("%s/storage-driver", s->root);
  cleanup_free char *probe = dxc_store_tmp_path (s, "overlayprobe");
  dxc_driver kept = DXC_DRIVER_OVERLAY;
  bool found, works;
  char why[512] = "";

  *ret_note = NULL;
  if (forced && strcmp (forced, "overlay") != 0 && strcmp (forced, "copy") != 0)
    return dxc_error_new (err, "unknown storage driver %s (overlay or copy)",
                          forced);
  if (read_kept (path, &kept, &found, err) < 0)
    return -1;
  if (found)
    {
      /* The copy driver reads layers of either form; overlay only its own. */
      if (forced && strcmp (forced, "overlay") == 0 && kept == DXC_DRIVER_COPY)
        return dxc_error_new (err, "--storage-driver overlay: the store %s "
                              "was made for the copy driver (its layers keep "
                              "their whiteouts as files); use another --root",
                              s->root);
      *ret = forced && strcmp (forced, "copy") == 0 ? DXC_DRIVER_COPY : kept;
      *ret_kept = kept;
      return 0;
    }

  /* First use: what the file system allows. */
  if (probe == NULL)
    dxc_oom ();
  works = dxc_overlay_probe (probe, why, sizeof why);
  if (forced && strcmp (forced, "overlay") == 0 && !works)
    return dxc_error_new (err, "storage driver overlay cannot work for the "
                          "store %s: %s; put the store on a volume or a "
                          "tmpfs (--root), or use --storage-driver copy",
                          s->root, why);
  if (forced)
    kept = strcmp (forced, "copy") == 0 ? DXC_DRIVER_COPY : DXC_DRIVER_OVERLAY;
  else
    kept = works ? DXC_DRIVER_OVERLAY : DXC_DRIVER_COPY;
  if (dxc_write_file_atomic (path, kept == DXC_DRIVER_COPY ? "copy\n"
                                                           : "overlay\n",
                             kept == DXC_DRIVER_COPY ? 5 : 8, 0600,
                             DXC_WRITE_SYNC, err)
      < 0)
    return -1;
  if (!works && !forced)
    *ret_note = dxc_xasprintf ("storage driver copy for %s: %s (each "
                               "container's files are copied; a store on a "
                               "volume or a tmpfs can use overlay)",
                               s->root, why);
  *ret = *ret_kept = kept;
  return 0;
}
