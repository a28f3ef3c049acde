/* devoxx-container volume create, ls, inspect, rm, prune. */
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
cmd_volume_create (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  char id[65];
  const char *name;
  bool created;
  int r;

  if (argc > 2)
    return dxc_cli_usage_error ("volume create takes at most 1 argument: a "
                                "name");
  if (argc == 2)
    name = argv[1];
  else
    {
      dxc_container_new_id (id);
      name = id;
    }
  if (!dxc_volume_name_is_valid (name))
    return dxc_cli_usage_error ("volume name \"%s\" includes invalid "
                                "characters: only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" "
                                "are allowed", name);
  if ((r = open_engine (&e)))
    return r;
  r = dxc_volume_create (e->store, name, false, &created, &err);
  dxc_engine_free (e);
  if (r < 0)
    return dxc_cli_fail (err);
  printf ("%s\n", name);
  return 0;
}

int
cmd_volume_ls (int argc, char **argv)
{
  dxc_engine *e = NULL;
  bool quiet = argc > 1 && (strcmp (argv[1], "-q") == 0
                            || strcmp (argv[1], "--quiet") == 0);
  json_t *vols, *v;
  size_t i;
  int r;

  if (argc > 1 + quiet)
    return dxc_cli_usage_error ("volume ls: unknown argument %s", argv[1 + quiet]);
  if ((r = open_engine (&e)))
    return r;
  vols = dxc_volumes_list (e->store);
  if (!quiet)
    printf ("%-10s %s\n", "DRIVER", "VOLUME NAME");
  json_array_foreach (vols, i, v)
  {
    const char *name = json_string_value (json_object_get (v, "Name"));
    if (quiet)
      printf ("%s\n", name);
    else
      printf ("%-10s %s\n", "local", name);
  }
  json_decref (vols);
  dxc_engine_free (e);
  return 0;
}

static int
volume_inspect_one (dxc_engine *e, const char *name, json_t **ret,
                    dxc_error **err)
{
  *ret = dxc_volume_inspect (e->store, name);
  if (*ret == NULL)
    return dxc_error_new (err, "get %s: no such volume", name);
  return 0;
}

int
cmd_volume_inspect (int argc, char **argv)
{
  return inspect_each (argc, argv, "volume inspect", volume_inspect_one);
}

static int
volume_rm_one (dxc_engine *e, const char *name, unsigned flags,
               dxc_error **err)
{
  return dxc_volume_remove (e->store, name, flags & DXC_RM_FORCE, err);
}

int
cmd_volume_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a volume", volume_rm_one, "f", true);
}

int
cmd_volume_prune (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  bool all = false;
  json_t *removed = NULL, *v;
  size_t i;
  int r;

  for (int k = 1; k < argc; k++)
    if (strcmp (argv[k], "-a") == 0 || strcmp (argv[k], "--all") == 0)
      all = true;
    else if (strcmp (argv[k], "-f") != 0 && strcmp (argv[k], "--force") != 0)
      return dxc_cli_usage_error ("volume prune: unknown flag: %s", argv[k]);
  if ((r = open_engine (&e)))
    return r;
  r = dxc_volumes_prune (e->store, all, &removed, &err);
  dxc_engine_free (e);
  if (r < 0)
    return dxc_cli_fail (err);
  if (json_array_size (removed))
    printf ("Deleted Volumes:\n");
  json_array_foreach (removed, i, v)
    printf ("%s\n", json_string_value (v));
  json_decref (removed);
  return 0;
}

int
cmd_volume (int argc, char **argv)
{
  static const dxc_cli_command subs[]
      = { { "create", cmd_volume_create }, { "ls", cmd_volume_ls },
          { "list", cmd_volume_ls },       { "inspect", cmd_volume_inspect },
          { "rm", cmd_volume_rm },         { "remove", cmd_volume_rm },
          { "prune", cmd_volume_prune },   { NULL, NULL } };
  if (argc < 2)
    return dxc_cli_usage_error ("volume needs a command: create, ls, inspect, "
                                "rm or prune");
  return dxc_cli_dispatch (subs, argc - 1, argv + 1);
}
