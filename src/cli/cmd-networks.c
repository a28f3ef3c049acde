/* devoxx-container network create, ls, inspect, rm. */
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
cmd_network_create (int argc, char **argv)
{
  static const struct option opts[]
      = { { "subnet", required_argument, NULL, 's' },
          { "gateway", required_argument, NULL, 'g' },
          { "driver", required_argument, NULL, 'd' },
          { NULL, 0, NULL, 0 } };
  const char *subnet = NULL, *gateway = NULL;
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  json_t *net = NULL;
  int c, r;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:d:", opts, NULL)) != -1)
    switch (c)
      {
      case 's': subnet = optarg; break;
      case 'g': gateway = optarg; break;
      case 'd':
        if (strcmp (optarg, "bridge") != 0)
          return dxc_cli_usage_error ("network create: driver %s: only "
                                      "bridge exists here", optarg);
        break;
      default: return bad_flag ("network create", argv, c);
      }
  if (optind != argc - 1)
    return dxc_cli_usage_error ("network create requires exactly 1 argument: "
                                "a name");
  if ((r = open_engine (&e)))
    return r;
  r = dxc_network_create (e->store, argv[optind], subnet, gateway, &net, &err);
  dxc_engine_free (e);
  if (r < 0)
    {
      /* Docker: a command's failure (not its usage) exits 1 */
      dxc_cli_fail (err);
      return 1;
    }
  printf ("%s\n", json_string_value (json_object_get (net, "Id")));
  json_decref (net);
  return 0;
}

int
cmd_network_ls (int argc, char **argv)
{
  dxc_engine *e = NULL;
  json_t *all, *v;
  size_t i;
  int r;

  if ((r = open_engine (&e)))
    return r;
  /* The default network shows once it exists: make it now. */
  {
    json_t *d = NULL;
    dxc_error *err = NULL;
    if (dxc_network_inspect (e->store, "bridge", &d, &err) < 0)
      dxc_error_free (err);
    json_decref (d);
  }
  all = dxc_networks_list (e->store);
  printf ("%-14s %-20s %-10s %-18s %s\n", "NETWORK ID", "NAME", "DRIVER",
          "SUBNET", "BRIDGE");
  json_array_foreach (all, i, v)
    printf ("%-14.12s %-20s %-10s %-18s %s\n",
            json_string_value (json_object_get (v, "Id")),
            json_string_value (json_object_get (v, "Name")), "bridge",
            json_string_value (json_object_get (v, "Subnet")),
            json_string_value (json_object_get (v, "Bridge")));
  json_decref (all);
  dxc_engine_free (e);
  return 0;
}

static int
network_inspect_one (dxc_engine *e, const char *name, json_t **ret,
                     dxc_error **err)
{
  return dxc_network_inspect (e->store, name, ret, err);
}

int
cmd_network_inspect (int argc, char **argv)
{
  return inspect_each (argc, argv, "network inspect", network_inspect_one);
}

static int
network_rm_one (dxc_engine *e, const char *name, unsigned flags,
                dxc_error **err)
{
  return dxc_network_remove (e->store, name, err);
}

int
cmd_network_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a network", network_rm_one, "f", true);
}

int
cmd_network (int argc, char **argv)
{
  static const dxc_cli_command subs[]
      = { { "create", cmd_network_create }, { "ls", cmd_network_ls },
          { "list", cmd_network_ls },       { "inspect", cmd_network_inspect },
          { "rm", cmd_network_rm },         { "remove", cmd_network_rm },
          { NULL, NULL } };
  if (argc < 2)
    return dxc_cli_usage_error ("network needs a command: create, ls, "
                                "inspect or rm");
  return dxc_cli_dispatch (subs, argc - 1, argv + 1);
}
