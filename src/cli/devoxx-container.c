/* devoxx-container: the Docker-style command line. This file holds the
 * global options, the helpers the commands share (container-cli.h) and the
 * table of commands; each command group is a file of its own (cmd-run.c,
 * cmd-images.c, cmd-containers.c, cmd-volumes.c, cmd-networks.c). A command
 * parses its flags and calls the engine; errors are printed once, with
 * Docker's exit codes. */
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

static const char *store_root = "/var/lib/devoxx-container";
static const char *run_root = "/run/devoxx-container";
static const char *storage_driver = NULL;
/* Per-registry CA and client certificates: <dir>/<host>/ca.crt, as
   Docker's /etc/docker/certs.d. */
const char *cert_dir = "/etc/devoxx-container/certs.d";

static void
usage (FILE *f)
{
  fprintf (f,
    "Usage: devoxx-container [OPTIONS] COMMAND [ARG...]\n"
    "\n"
    "Run containers from images, as Docker does, without a daemon.\n"
    "\n"
    "Commands:\n"
    "  run [OPTIONS] IMAGE [COMMAND] [ARG...]   run a command in a new container\n"
    "  pull [-q] [--platform P] [--tls-verify=false] IMAGE  pull an image from a registry\n"
    "  login [-u USER] [--password-stdin] REGISTRY  save credentials for a registry\n"
    "  logout REGISTRY                          forget them\n"
    "  import FILE.tar|DIR NAME[:TAG]           make an image from a root file system\n"
    "  images                                   list images\n"
    "  image inspect|ls|rm|prune [-a]|pull|tag  manage images\n"
    "  tag SOURCE TARGET                        another name for an image\n"
    "  save -o FILE IMAGE...                    write images to an archive\n"
    "  load [-i FILE]                           read images from an archive\n"
    "  rmi [-f] IMAGE...                        remove images\n"
    "  ps [-a] [-q]                             list containers\n"
    "  rm [-f] CONTAINER...                     remove containers\n"
    "  info                                     the engine, its store and the machine\n"
    "  version                                  show the version\n"
    "\n"
    "Options:\n"
    "  --root DIR              image and container store (default %s)\n"
    "  --runroot DIR           live state (default %s)\n"
    "  --storage-driver NAME   overlay or copy (default: the store's, chosen on\n"
    "                          its first use: overlay where its file system allows)\n"
    "  --explain               narrate each isolation step, with its kernel call\n"
    "\n"
    "Run 'devoxx-container run --help' for the options of run.\n",
    store_root, run_root);
}

void
notify (const char *msg)
{
  fprintf (stderr, "%s\n", msg);
}

int
open_engine (dxc_engine **e)
{
  dxc_error *err = NULL;
  if (dxc_cli_require_root ())
    return DXC_EXIT_ENGINE;
  if (dxc_engine_open (store_root, run_root, storage_driver, e, &err) < 0)
    return dxc_cli_fail (err);
  (*e)->notify = notify;
  if ((*e)->storage_note)
    notify ((*e)->storage_note);
  return 0;
}

/* getopt with Docker's message for a flag it does not know. */
int
bad_flag (const char *cmd, char **argv, int c)
{
  const char *arg = argv[optind - 1];
  if (c == ':')
    return dxc_cli_usage_error ("%s: flag needs an argument: %s (see "
                                "'devoxx-container %s --help')",
                                cmd, arg, cmd);
  return dxc_cli_usage_error ("%s: unknown flag: %s (see 'devoxx-container %s "
                              "--help')", cmd, arg, cmd);
}

void
human_age (const char *rfc3339, char *buf, size_t len)
{
  struct tm tm = { 0 };
  time_t t, now = time (NULL);
  long d;
  if (rfc3339 == NULL || strptime (rfc3339, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
    {
      snprintf (buf, len, "N/A");
      return;
    }
  t = timegm (&tm);
  d = now - t;
  if (d < 60)
    snprintf (buf, len, "%ld second%s ago", d, d == 1 ? "" : "s");
  else if (d < 3600)
    snprintf (buf, len, "%ld minute%s ago", d / 60, d / 60 == 1 ? "" : "s");
  else if (d < 86400 * 2)
    snprintf (buf, len, "%ld hour%s ago", d / 3600, d / 3600 == 1 ? "" : "s");
  else
    snprintf (buf, len, "%ld days ago", d / 86400);
}

void
human_size (long long n, char *buf, size_t len)
{
  if (n < 1000)
    snprintf (buf, len, "%lldB", n);
  else if (n < 1000 * 1000)
    snprintf (buf, len, "%.1fkB", n / 1000.0);
  else if (n < 1000LL * 1000 * 1000)
    snprintf (buf, len, "%.1fMB", n / 1e6);
  else
    snprintf (buf, len, "%.2fGB", n / 1e9);
}

/* rm and rmi: [-f] NAME..., each on its own; exit 1 if any failed, as
   Docker does. */
int
remove_each (int argc, char **argv, const char *what,
             int (*remove) (dxc_engine *, const char *, unsigned,
                            dxc_error **),
             const char *flags_allowed, bool echo)
{
  dxc_engine *e = NULL;
  unsigned flags = 0;
  int first = 1, r, ret = 0;

  /* -f, -v and their combinations (-fv) */
  for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++)
    for (const char *c = argv[first] + 1; *c; c++)
      {
        if (!strchr (flags_allowed, *c))
          return dxc_cli_usage_error ("%s: unknown flag: %s", argv[0],
                                      argv[first]);
        flags |= *c == 'f' ? DXC_RM_FORCE : DXC_RM_VOLUMES;
      }
  if (first >= argc)
    return dxc_cli_usage_error ("%s requires at least 1 argument: %s",
                                argv[0], what);
  if ((r = open_engine (&e)))
    return r;
  for (int i = first; i < argc; i++)
    {
      dxc_error *err = NULL;
      if (remove (e, argv[i], flags, &err) < 0)
        {
          dxc_cli_fail (err);
          ret = 1;
        }
      else if (echo)
        printf ("%s\n", argv[i]);
    }
  dxc_engine_free (e);
  return ret;
}

/* inspect and image inspect: a JSON array of Docker's documents. With
   containers, each name is tried as a container (ID, prefix or name) first,
   then as an image. */
int
inspect (int argc, char **argv, bool containers, const char *cmd)
{
  dxc_engine *e = NULL;
  int r, ret = 0;
  json_t *all;

  if (argc < 2)
    return dxc_cli_usage_error ("%s requires at least 1 argument", cmd);
  if ((r = open_engine (&e)))
    return r;
  all = json_array ();
  for (int i = 1; i < argc; i++)
    {
      dxc_error *err = NULL;
      json_t *one = NULL;
      if (containers && dxc_record_find (e->store, argv[i], &one, NULL) == 0)
        {
          dxc_engine_record_settle (e, one);
          json_array_append_new (all, one);
          continue;
        }
      if (dxc_engine_image_inspect (e, argv[i], &one, &err) < 0)
        {
          if (containers)
            {
              dxc_error_free (err);
              fprintf (stderr, "devoxx-container: no such object: %s\n",
                       argv[i]);
            }
          else
            dxc_cli_fail (err);
          ret = 1;
          continue;
        }
      json_array_extend (all, one);
      json_decref (one);
    }
  json_dumpf (all, stdout, JSON_INDENT (4));
  putchar ('\n');
  json_decref (all);
  dxc_engine_free (e);
  return ret;
}

/* volume inspect, network inspect: a JSON array of what each name finds. */
int
inspect_each (int argc, char **argv, const char *cmd,
              int (*one) (dxc_engine *, const char *, json_t **, dxc_error **))
{
  dxc_engine *e = NULL;
  json_t *all;
  int r, ret = 0;

  if (argc < 2)
    return dxc_cli_usage_error ("%s requires at least 1 argument", cmd);
  if ((r = open_engine (&e)))
    return r;
  all = json_array ();
  for (int i = 1; i < argc; i++)
    {
      dxc_error *err = NULL;
      json_t *v = NULL;
      if (one (e, argv[i], &v, &err) < 0)
        {
          dxc_cli_fail (err);
          ret = 1;
          continue;
        }
      json_array_append_new (all, v);
    }
  json_dumpf (all, stdout, JSON_INDENT (4));
  putchar ('\n');
  json_decref (all);
  dxc_engine_free (e);
  return ret;
}

static int
cmd_version (int argc, char **argv)
{
  printf ("devoxx-container version %s\n", DXC_VERSION);
  return 0;
}

static const dxc_cli_command commands[]
    = { { "run", cmd_run },       { "pull", cmd_pull },
        { "login", cmd_login },   { "logout", cmd_logout },
        { "import", cmd_import },
        { "images", cmd_images }, { "rmi", cmd_rmi },
        { "image", cmd_image },   { "tag", cmd_tag },
        { "save", cmd_save },     { "load", cmd_load },
        { "ps", cmd_ps },         { "rm", cmd_rm },
        { "inspect", cmd_inspect }, { "volume", cmd_volume },
        { "network", cmd_network },
        { "info", cmd_info },     { "version", cmd_version },
        { NULL, NULL } };

int
main (int argc, char **argv)
{
  static const struct option opts[]
      = { { "root", required_argument, NULL, 'r' },
          { "runroot", required_argument, NULL, 'R' },
          { "storage-driver", required_argument, NULL, 's' },
          { "explain", no_argument, NULL, 'e' },
          { "version", no_argument, NULL, 'v' },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  int c;

  signal (SIGPIPE, SIG_IGN);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'r': store_root = optarg; break;
      case 'R': run_root = optarg; break;
      case 's': storage_driver = optarg; break;
      case 'e': dxc_cli_enable_explain (); break;
      case 'v':
        printf ("devoxx-container version %s\n", DXC_VERSION);
        return 0;
      case 'h': usage (stdout); return 0;
      default:
        return dxc_cli_usage_error ("unknown flag: %s (see 'devoxx-container "
                                    "--help')", argv[optind - 1]);
      }
  if (optind >= argc)
    {
      usage (stderr);
      return DXC_EXIT_ENGINE;
    }
  {
    /* Compiled seccomp filters, kept until reboot (runtime/seccomp.h). */
    static char cache[4096];
    snprintf (cache, sizeof cache, "%s/seccomp", run_root);
    dxc_seccomp_set_cache_dir (cache);
  }
  return dxc_cli_dispatch (commands, argc - optind, argv + optind);
}
