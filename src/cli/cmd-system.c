/* devoxx-container info: what docker info says of the engine, its store and
 * the machine (text; --format comes with the rest of Docker's formats). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/container-cli.h"
#include "engine/containers.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void
os_name (char *buf, size_t len)
{
  cleanup_free char *text = NULL;
  const char *p;
  snprintf (buf, len, "Linux");
  if (dxc_read_file ("/etc/os-release", &text, NULL, NULL) < 0)
    return;
  p = strstr (text, "PRETTY_NAME=");
  if (p == NULL)
    return;
  p += strlen ("PRETTY_NAME=");
  if (*p == '"')
    p++;
  snprintf (buf, len, "%.*s", (int) strcspn (p, "\"\n"), p);
}

int
cmd_info (int argc, char **argv)
{
  static const struct option opts[]
      = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  dxc_engine *e = NULL;
  cleanup_json json_t *recs = NULL, *idx = NULL;
  size_t running = 0, i;
  json_t *rec;
  struct utsname u;
  char os[256];
  long pages = sysconf (_SC_PHYS_PAGES), psize = sysconf (_SC_PAGESIZE);
  int c, r;

  optind = 1;
  while ((c = getopt_long (argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          printf ("Usage:  devoxx-container info\n\nDisplay system-wide "
                  "information\n");
          return 0;
        }
      return bad_flag ("info", argv, c);
    }
  if (optind < argc)
    return dxc_cli_usage_error ("\"info\" accepts no arguments (see "
                                "'devoxx-container info --help')");
  r = open_engine (&e);
  if (r)
    return r;
  recs = dxc_records_list (e->store);
  json_array_foreach (recs, i, rec)
    if (dxc_engine_record_running (rec))
      running++;
  dxc_store_index_load (e->store, &idx, NULL);
  uname (&u);
  os_name (os, sizeof os);
  printf ("Server:\n");
  printf (" Containers: %zu\n", json_array_size (recs));
  printf ("  Running: %zu\n", running);
  printf ("  Stopped: %zu\n", json_array_size (recs) - running);
  printf (" Images: %zu\n", json_object_size (idx));
  printf (" Server Version: %s\n", DXC_VERSION);
  printf (" Storage Driver: %s\n", dxc_driver_name (e->driver));
  printf ("  Backing Filesystem: %s\n", dxc_fs_name (e->store->root));
  printf (" Cgroup Driver: cgroupfs\n");
  {
    int m = dxc_cgroup_mode (NULL);
    printf (" Cgroup Version: %s\n", m == DXC_CGROUP_V2       ? "2"
                                      : m == DXC_CGROUP_HYBRID ? "1 (hybrid)"
                                      : m == DXC_CGROUP_V1     ? "1"
                                                               : "none");
  }
  printf (" Default Runtime: devoxx-runtime (in-process)\n");
  printf (" Security Options:\n  seccomp\n   Profile: builtin\n");
  printf (" Kernel Version: %s\n", u.release);
  printf (" Operating System: %s\n", os);
  printf (" OSType: linux\n");
  printf (" Architecture: %s\n", u.machine);
  printf (" CPUs: %ld\n", sysconf (_SC_NPROCESSORS_ONLN));
  printf (" Total Memory: %.4gGiB\n",
          (double) pages * psize / (1024.0 * 1024 * 1024));
  printf (" Docker Root Dir: %s\n", e->store->root);
  printf (" Run Root: %s\n", e->runroot);
  dxc_engine_free (e);
  return 0;
}
