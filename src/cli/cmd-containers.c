/* devoxx-container's container commands: ps, rm, inspect. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/container-cli.h"
#include "runtime/seccomp.h"
#include "engine/containers.h"
#include "engine/engine.h"
#include "engine/network.h"
#include "engine/volumes.h"
#include "image/archive.h"
#include "image/import.h"
#include "image/registry.h"
#include "image/reference.h"
#include "util/log.h"

int
cmd_ps (int argc, char **argv)
{
  dxc_engine *e = NULL;
  bool all = false, quiet = false;
  json_t *recs, *v;
  size_t i;
  int r;

  for (int k = 1; k < argc; k++)
    if (strcmp (argv[k], "-a") == 0 || strcmp (argv[k], "--all") == 0)
      all = true;
    else if (strcmp (argv[k], "-q") == 0 || strcmp (argv[k], "--quiet") == 0)
      quiet = true;
    else if (strcmp (argv[k], "-aq") == 0 || strcmp (argv[k], "-qa") == 0)
      all = quiet = true;
    else
      return dxc_cli_usage_error ("ps: unknown flag: %s", argv[k]);
  if ((r = open_engine (&e)))
    return r;
  recs = dxc_records_list (e->store);
  if (!quiet)
    printf ("%-14s %-24s %-24s %-16s %-24s %s\n", "CONTAINER ID", "IMAGE",
            "COMMAND", "CREATED", "STATUS", "NAMES");
  json_array_foreach (recs, i, v)
    {
      json_t *state = json_object_get (v, "State");
      bool running;
      dxc_engine_record_settle (e, v);
      running = dxc_engine_record_running (v);
      char cmd[64] = "", status[64], age[64];
      size_t j, off = 0;
      json_t *a;

      if (!all && !running)
        continue;
      if (quiet)
        {
          printf ("%.12s\n", json_string_value (json_object_get (v, "Id")));
          continue;
        }
      json_array_foreach (json_object_get (v, "Args"), j, a)
        off += snprintf (cmd + off, off < sizeof cmd ? sizeof cmd - off : 0,
                         "%s%s", j ? " " : "", json_string_value (a));
      if (strlen (cmd) > 20)
        strcpy (cmd + 19, "…");
      human_age (json_string_value (json_object_get (v, "Created")), age,
                 sizeof age);
      if (running)
        snprintf (status, sizeof status, "Up");
      else if (strcmp (json_string_value (json_object_get (state, "Status")),
                       "exited")
               == 0)
        snprintf (status, sizeof status, "Exited (%lld)",
                  (long long) json_integer_value (json_object_get (state, "ExitCode")));
      else
        snprintf (status, sizeof status, "Dead");
      printf ("%-14.12s %-24s \"%-22s %-16s %-24s %s\n",
              json_string_value (json_object_get (v, "Id")),
              json_string_value (json_object_get (v, "Image")), cmd, age,
              status, json_string_value (json_object_get (v, "Name")));
    }
  json_decref (recs);
  dxc_engine_free (e);
  return 0;
}

int
cmd_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a container", dxc_engine_rm, "fv", true);
}

int
cmd_inspect (int argc, char **argv)
{
  return inspect (argc, argv, true, "inspect");
}
