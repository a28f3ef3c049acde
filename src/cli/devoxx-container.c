/* devoxx-container: the Docker-style command line. Each command parses its
 * flags and calls the engine; errors are printed once, here, with Docker's
 * exit codes. */
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
static const char *cert_dir = "/etc/devoxx-container/certs.d";

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
    "  version                                  show the version\n"
    "\n"
    "Options:\n"
    "  --root DIR              image and container store (default %s)\n"
    "  --runroot DIR           live state (default %s)\n"
    "  --storage-driver NAME   overlay (default) or copy\n"
    "  --explain               narrate each isolation step, with its kernel call\n"
    "\n"
    "Run 'devoxx-container run --help' for the options of run.\n",
    store_root, run_root);
}

static void
notify (const char *msg)
{
  fprintf (stderr, "%s\n", msg);
}

static int
open_engine (dxc_engine **e)
{
  dxc_error *err = NULL;
  if (dxc_cli_require_root ())
    return DXC_EXIT_ENGINE;
  if (dxc_engine_open (store_root, run_root, storage_driver, e, &err) < 0)
    return dxc_cli_fail (err);
  (*e)->notify = notify;
  return 0;
}

/* getopt with Docker's message for a flag it does not know. */
static int
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

/* getopt's value for the resource flags: the option's index says which. */
#define LIMIT_FLAG 1000
#define PULL_FLAG 1001

static void
run_usage (void)
{
  printf (
    "Usage: devoxx-container run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
    "\n"
    "  --rm                    remove the container when it exits\n"
    "  -i, --interactive       keep stdin attached\n"
    "  -t, --tty               allocate a terminal\n"
    "  --name NAME             name the container\n"
    "  -h, --hostname NAME     the container's hostname (default: its short ID)\n"
    "  -e, --env K=V           set an environment variable (K alone: copy ours)\n"
    "  -w, --workdir DIR       working directory inside the container\n"
    "  -u, --user USER[:GROUP] user and group, by name or number\n"
    "  --entrypoint CMD        override the image's entrypoint\n"
    "  --no-pivot              switch root with MS_MOVE + chroot, not pivot_root\n"
    "  --pull missing|always|never  when to pull the image (default missing)\n"
    "  --platform OS/ARCH      the platform to pull\n"
    "  --tls-verify=false      accept a registry's unverified certificate\n"
    "  --explain               narrate each isolation step\n"
    "\n"
    "Security:\n"
    "  --security-opt seccomp=unconfined|FILE  no filter, or a Docker seccomp\n"
    "                          profile (default: Docker's own profile)\n"
    "  --security-opt no-new-privileges[=true|false]  setuid and file\n"
    "                          capabilities grant nothing\n"
    "  --cap-add CAP, --cap-drop CAP  capabilities beside Docker's default\n"
    "                          set (NET_ADMIN or CAP_NET_ADMIN; ALL)\n"
    "  --privileged            every capability and host device, no seccomp,\n"
    "                          no masked paths, /sys writable\n"
    "  --device HOST[:CTR[:rwm]]  a host device node (or the nodes of a\n"
    "                          directory) in the container\n"
    "  --device-cgroup-rule 'c|b|a MAJOR:MINOR rwm'  allow more devices\n"
    "\n"
    "Mounts:\n"
    "  -v, --volume [SRC:]DST[:OPTS]  SRC an absolute host path (made if\n"
    "                          missing) or a volume name; none: an anonymous\n"
    "                          volume. OPTS: ro, rw, nocopy, rprivate, rshared,\n"
    "                          rslave, private, shared, slave\n"
    "  --mount type=bind|volume|tmpfs,source=...,target=...[,readonly]\n"
    "          [,bind-propagation=...][,volume-nocopy][,tmpfs-size=...][,tmpfs-mode=...]\n"
    "  --tmpfs DST[:OPTS]      a tmpfs (size=64m, mode=1777, ...)\n"
    "  --read-only             the root file system read-only\n"
    "\n"
    "Network:\n"
    "  --network bridge|none|host|NAME  (default bridge)\n"
    "  -p, --publish [IP:][HOSTPORT:]PORT[/tcp|/udp]  publish a port (no\n"
    "                          HOSTPORT: a free one, shown)\n"
    "  --dns IP                a nameserver for /etc/resolv.conf\n"
    "  --add-host NAME:IP      a line of /etc/hosts\n"
    "\n"
    "Resources (cgroups; sizes like 512k, 100m, 1g):\n"
    "  -m, --memory SIZE       memory limit (at least 6m)\n"
    "  --memory-swap SIZE      memory plus swap (-1: unlimited; default\n"
    "                          twice --memory)\n"
    "  --memory-reservation SIZE  soft limit, reclaimed first under pressure\n"
    "  --cpus N                CPU time, in CPUs (0.5: half of one)\n"
    "  -c, --cpu-shares N      relative CPU weight (default 1024)\n"
    "  --cpu-period US         CFS period in microseconds\n"
    "  --cpu-quota US          CFS quota in microseconds per period\n"
    "  --cpuset-cpus LIST      CPUs allowed (0-2,4)\n"
    "  --cpuset-mems LIST      memory nodes allowed\n"
    "  --pids-limit N          most processes at once (default 2048, -1:\n"
    "                          unlimited)\n"
    "  --blkio-weight N        block I/O weight, 10 to 1000\n"
    "  --cgroup-parent PATH    parent cgroup (default: devoxx)\n"
    "  --cgroupns host|private cgroup namespace (default private)\n"
    "  --cgroups enabled|disabled  disabled: no cgroup of its own, no limits\n");
}

static int
cmd_run (int argc, char **argv)
{
  static const struct option opts[]
      = { { "rm", no_argument, NULL, 'R' },
          { "interactive", no_argument, NULL, 'i' },
          { "tty", no_argument, NULL, 't' },
          { "name", required_argument, NULL, 'n' },
          { "hostname", required_argument, NULL, 'h' },
          { "env", required_argument, NULL, 'e' },
          { "workdir", required_argument, NULL, 'w' },
          { "user", required_argument, NULL, 'u' },
          { "entrypoint", required_argument, NULL, 'E' },
          { "no-pivot", no_argument, NULL, 'P' },
          { "explain", no_argument, NULL, 'X' },
          { "pull", required_argument, NULL, PULL_FLAG },
          { "platform", required_argument, NULL, 'L' },
          { "tls-verify", required_argument, NULL, 'T' },
          { "help", no_argument, NULL, 'H' },
          /* Resource limits: handed by name to dxc_limits_set. */
          { "memory", required_argument, NULL, 'm' },
          { "memory-swap", required_argument, NULL, LIMIT_FLAG },
          { "memory-reservation", required_argument, NULL, LIMIT_FLAG },
          { "cpus", required_argument, NULL, LIMIT_FLAG },
          { "cpu-shares", required_argument, NULL, 'c' },
          { "cpu-quota", required_argument, NULL, LIMIT_FLAG },
          { "cpu-period", required_argument, NULL, LIMIT_FLAG },
          { "cpuset-cpus", required_argument, NULL, LIMIT_FLAG },
          { "cpuset-mems", required_argument, NULL, LIMIT_FLAG },
          { "pids-limit", required_argument, NULL, LIMIT_FLAG },
          { "blkio-weight", required_argument, NULL, LIMIT_FLAG },
          { "cgroup-parent", required_argument, NULL, LIMIT_FLAG },
          { "cgroupns", required_argument, NULL, LIMIT_FLAG },
          { "cgroups", required_argument, NULL, LIMIT_FLAG },
          { "volume", required_argument, NULL, 'v' },
          { "mount", required_argument, NULL, 'M' },
          { "tmpfs", required_argument, NULL, 'F' },
          { "read-only", no_argument, NULL, 'O' },
          { "network", required_argument, NULL, 'N' },
          { "net", required_argument, NULL, 'N' },
          { "publish", required_argument, NULL, 'p' },
          { "dns", required_argument, NULL, 'D' },
          { "add-host", required_argument, NULL, 'A' },
          { "security-opt", required_argument, NULL, 'S' },
          { "cap-add", required_argument, NULL, 'C' },
          { "cap-drop", required_argument, NULL, 'K' },
          { "privileged", no_argument, NULL, 'G' },
          { "device", required_argument, NULL, 'V' },
          { "device-cgroup-rule", required_argument, NULL, 'U' },
          { NULL, 0, NULL, 0 } };
  dxc_run_options o = { 0 };
  cleanup_free const char **cap_add = calloc (argc + 1, sizeof (char *));
  cleanup_free const char **cap_drop = calloc (argc + 1, sizeof (char *));
  cleanup_free const char **devices = calloc (argc + 1, sizeof (char *));
  cleanup_free const char **dev_rules = calloc (argc + 1, sizeof (char *));
  _cleanup_ (dxc_mount_reqs_clear) dxc_mount_reqs mounts = { 0 };
  cleanup_free char **dns = calloc (argc + 1, sizeof (char *));
  cleanup_free char **hosts = calloc (argc + 1, sizeof (char *));
  int idx = -1;
  const char *pull_policy = "missing", *platform = NULL;
  bool tls_verify = true;
  cleanup_free char **env = calloc (argc + 1, sizeof (char *));
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  int c, status = 0, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:ith:e:w:u:m:c:v:p:", opts, &idx))
         != -1)
    switch (c)
      {
      case 'v':
      case 'M':
      case 'F':
        if ((c == 'v' ? dxc_mount_parse_volume (optarg, &mounts, &err)
             : c == 'M' ? dxc_mount_parse_mount (optarg, &mounts, &err)
                        : dxc_mount_parse_tmpfs (optarg, &mounts, &err))
            < 0)
          return dxc_cli_fail (err);
        break;
      case 'O': o.read_only = true; break;
      case 'S':
        if (dxc_security_opt_parse (optarg, &o.security, &err) < 0)
          return dxc_cli_fail (err);
        break;
      case 'C': cap_add[o.security.n_cap_add++] = optarg; break;
      case 'K': cap_drop[o.security.n_cap_drop++] = optarg; break;
      case 'G': o.security.privileged = true; break;
      case 'V': devices[o.security.n_devices++] = optarg; break;
      case 'U': dev_rules[o.security.n_device_rules++] = optarg; break;
      case 'N': o.net.network = optarg; break;
      case 'p':
        if (dxc_port_parse (optarg, &o.net, &err) < 0)
          return dxc_cli_fail (err);
        break;
      case 'D': dns[o.net.n_dns++] = optarg; break;
      case 'A': hosts[o.net.n_add_hosts++] = optarg; break;
      case 'm':
      case 'c':
      case LIMIT_FLAG:
        {
          const char *flag = c == 'm'   ? "memory"
                             : c == 'c' ? "cpu-shares"
                                        : opts[idx].name;
          if (dxc_limits_set (&o.limits, flag, optarg, &err) < 0)
            return dxc_cli_fail (err);
          break;
        }
      case 'R': o.rm = true; break;
      case 'i': o.interactive = true; break;
      case 't': o.tty = true; break;
      case 'n': o.name = optarg; break;
      case 'h': o.hostname = optarg; break;
      case 'e': env[o.n_env++] = optarg; break;
      case 'w': o.workdir = optarg; break;
      case 'u': o.user = optarg; break;
      case 'E': o.entrypoint = optarg; break;
      case 'P': o.no_pivot = true; break;
      case 'X': dxc_cli_enable_explain (); break;
      case PULL_FLAG: pull_policy = optarg; break;
      case 'L': platform = optarg; break;
      case 'T': tls_verify = strcmp (optarg, "false") != 0; break;
      case 'H': run_usage (); return 0;
      default: return bad_flag ("run", argv, c);
      }
  if (optind >= argc)
    return dxc_cli_usage_error ("run requires at least 1 argument: an image "
                                "(see 'devoxx-container run --help')");
  o.image = argv[optind];
  o.cmd = argv + optind + 1;
  o.env = env;
  o.security.cap_add = cap_add;
  o.security.cap_drop = cap_drop;
  o.security.devices = devices;
  o.security.device_rules = dev_rules;
  o.mounts = &mounts;
  o.net.dns = dns;
  o.net.add_hosts = hosts;
  if (o.tty && o.interactive && !isatty (STDIN_FILENO))
    return dxc_cli_usage_error ("the input device is not a TTY");
  if (strcmp (pull_policy, "missing") != 0 && strcmp (pull_policy, "never") != 0
      && strcmp (pull_policy, "always") != 0)
    return dxc_cli_usage_error ("run: invalid --pull %s: missing, always or "
                                "never", pull_policy);
  if ((r = open_engine (&e)))
    return r;
  e->pull.platform = platform;
  e->pull.registry.tls_verify = tls_verify;
  e->pull.registry.certs_dir = cert_dir;
  if (strcmp (pull_policy, "never") == 0)
    e->no_pull = true;
  if (strcmp (pull_policy, "always") == 0 && dxc_engine_pull (e, o.image, &err) < 0)
    {
      dxc_engine_free (e);
      return dxc_cli_fail (err);
    }
  r = dxc_engine_run (e, &o, &status, &err);
  dxc_engine_free (e);
  free (o.net.ports);
  if (r < 0)
    return dxc_cli_fail (err);
  return status;
}

/* Pull progress: one bar per layer when stderr is a terminal, redrawn in
   place like Docker's; otherwise a line when a layer is done. The events
   come from the download threads. */
typedef struct progress_ui
{
  pthread_mutex_t lock;
  bool tty;
  size_t n;
  struct
  {
    char digest[20];
    char status[32];
    long long done, total;
  } rows[128];
} progress_ui;

static void
progress_draw (progress_ui *ui, bool redraw)
{
  if (redraw && ui->n > 1)
    fprintf (stderr, "\033[%zuA", ui->n - 1);
  for (size_t i = 0; i < ui->n; i++)
    {
      char bar[32] = "";
      if (strcmp (ui->rows[i].status, "Downloading") == 0 && ui->rows[i].total > 0)
        {
          int w = (int) (25 * ui->rows[i].done / ui->rows[i].total);
          memset (bar, '=', w);
          bar[w] = '>';
          memset (bar + w + 1, ' ', 24 - w > 0 ? 24 - w : 0);
          bar[25] = '\0';
          fprintf (stderr, "\r\033[K%s: %s [%s] %.1fMB/%.1fMB%s",
                   ui->rows[i].digest, ui->rows[i].status, bar,
                   ui->rows[i].done / 1e6, ui->rows[i].total / 1e6,
                   i + 1 < ui->n ? "\n" : "");
        }
      else
        fprintf (stderr, "\r\033[K%s: %s%s", ui->rows[i].digest,
                 ui->rows[i].status, i + 1 < ui->n ? "\n" : "");
    }
  fflush (stderr);
}

static void
pull_progress (const char *digest, const char *status, long long done,
               long long total, void *data)
{
  progress_ui *ui = data;
  size_t i;

  pthread_mutex_lock (&ui->lock);
  for (i = 0; i < ui->n; i++)
    if (strncmp (ui->rows[i].digest, digest + 7, 12) == 0)
      break;
  if (i == ui->n && ui->n < sizeof ui->rows / sizeof ui->rows[0])
    {
      snprintf (ui->rows[i].digest, sizeof ui->rows[i].digest, "%.12s",
                digest + 7);
      ui->n++;
      if (ui->tty && ui->n > 1)
        fputc ('\n', stderr);
    }
  if (i < ui->n)
    {
      snprintf (ui->rows[i].status, sizeof ui->rows[i].status, "%s", status);
      ui->rows[i].done = done;
      ui->rows[i].total = total;
      if (ui->tty)
        progress_draw (ui, true);
      else if (strcmp (status, "Downloading") != 0)
        fprintf (stderr, "%s: %s\n", ui->rows[i].digest, status);
    }
  pthread_mutex_unlock (&ui->lock);
}

static int
cmd_pull (int argc, char **argv)
{
  static const struct option opts[]
      = { { "quiet", no_argument, NULL, 'q' },
          { "platform", required_argument, NULL, 'p' },
          { "tls-verify", required_argument, NULL, 't' },
          { "cert-dir", required_argument, NULL, 'c' },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  cleanup_free char *name = NULL;
  dxc_pull_opts po = { .registry = { .tls_verify = true } };
  bool quiet = false;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'q': quiet = true; break;
      case 'p': po.platform = optarg; break;
      case 't':
        if (strcmp (optarg, "true") != 0 && strcmp (optarg, "false") != 0)
          return dxc_cli_usage_error ("pull: --tls-verify takes true or false");
        po.registry.tls_verify = strcmp (optarg, "true") == 0;
        break;
      case 'c': cert_dir = optarg; break;
      case 'h':
        printf ("Usage: devoxx-container pull [-q] [--platform OS/ARCH[/VARIANT]] "
                "[--tls-verify=false] [--cert-dir DIR] IMAGE\n");
        return 0;
      default: return bad_flag ("pull", argv, c);
      }
  if (optind != argc - 1)
    return dxc_cli_usage_error ("pull requires exactly 1 argument: an image");
  po.registry.certs_dir = cert_dir;
  progress_ui ui = { .lock = PTHREAD_MUTEX_INITIALIZER,
                     .tty = isatty (STDERR_FILENO) };
  if (!quiet)
    {
      po.progress = pull_progress;
      po.data = &ui;
    }
  if ((r = open_engine (&e)))
    return r;
  po.registry.auth_file = e->auth_file;
  r = dxc_image_pull (e->store, argv[optind], &po, &name, &err);
  if (ui.tty && ui.n)
    fputc ('\n', stderr);
  dxc_engine_free (e);
  if (r < 0)
    {
      /* docker pull exits 1 when the pull fails. */
      dxc_cli_fail (err);
      return 1;
    }
  printf ("%s\n", name);
  return 0;
}

/* A line from stdin, without its newline; the terminal's echo off when
   secret. */
static char *
read_line (const char *prompt, bool secret)
{
  char *line = NULL;
  size_t cap = 0;
  struct termios old, quiet;
  bool tty = isatty (STDIN_FILENO);
  ssize_t n;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      if (secret && tcgetattr (STDIN_FILENO, &old) == 0)
        {
          quiet = old;
          quiet.c_lflag &= ~ECHO;
          tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
        }
    }
  n = getline (&line, &cap, stdin);
  if (tty && secret)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &old);
      fputc ('\n', stderr);
    }
  if (n <= 0)
    {
      free (line);
      return NULL;
    }
  line[strcspn (line, "\r\n")] = '\0';
  return line;
}

static int
cmd_login (int argc, char **argv)
{
  static const struct option opts[]
      = { { "username", required_argument, NULL, 'u' },
          { "password", required_argument, NULL, 'p' },
          { "password-stdin", no_argument, NULL, 's' },
          { "tls-verify", required_argument, NULL, 't' },
          { NULL, 0, NULL, 0 } };
  cleanup_free char *user = NULL;
  cleanup_free char *password = NULL;
  dxc_registry_opts ro = { .tls_verify = true, .certs_dir = cert_dir };
  dxc_registry *reg = NULL;
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  bool from_stdin = false;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:u:p:", opts, NULL)) != -1)
    switch (c)
      {
      case 'u': user = strdup (optarg); break;
      case 'p': password = strdup (optarg); break;
      case 's': from_stdin = true; break;
      case 't': ro.tls_verify = strcmp (optarg, "false") != 0; break;
      default: return bad_flag ("login", argv, c);
      }
  if (optind != argc - 1)
    return dxc_cli_usage_error ("login requires exactly 1 argument: a "
                                "registry");
  if (user == NULL && (user = read_line ("Username: ", false)) == NULL)
    return dxc_cli_usage_error ("login: a user name is needed (-u)");
  if (password == NULL
      && (password = read_line ("Password: ", !from_stdin)) == NULL)
    return dxc_cli_usage_error ("login: a password is needed "
                                "(--password-stdin)");
  if ((r = open_engine (&e)))
    return r;
  ro.user = user;
  ro.password = password;
  r = dxc_registry_open_host (argv[optind], &ro, &reg, &err);
  if (r == 0)
    r = dxc_registry_check_login (reg, &err);
  if (r == 0)
    r = dxc_auth_file_set (e->auth_file, argv[optind], user, password, &err);
  dxc_registry_free (reg);
  dxc_engine_free (e);
  if (r < 0)
    {
      dxc_cli_fail (err);
      return 1;
    }
  printf ("Login Succeeded\n");
  return 0;
}

static int
cmd_logout (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  int r;

  if (argc != 2)
    return dxc_cli_usage_error ("logout requires exactly 1 argument: a "
                                "registry");
  if ((r = open_engine (&e)))
    return r;
  r = dxc_auth_file_set (e->auth_file, argv[1], NULL, NULL, &err);
  dxc_engine_free (e);
  if (r < 0)
    {
      dxc_cli_fail (err);
      return 1;
    }
  printf ("Removing login credentials for %s\n", argv[1]);
  return 0;
}

static int
cmd_import (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  dxc_import_opts io = { 0 };
  json_t *cfg = NULL;
  char id[72];
  int r;

  if (argc != 3)
    return dxc_cli_usage_error ("import needs FILE.tar|DIR and NAME[:TAG]");
  {
    dxc_ref ref;
    if (dxc_ref_parse (argv[2], &ref, &err) < 0)
      return dxc_cli_fail (err);
    dxc_ref_clear (&ref);
  }
  if ((r = open_engine (&e)))
    return r;
  io.name = argv[2];
  io.config = cfg;
  r = dxc_image_import_path (e->store, argv[1], &io, id, &err);
  dxc_engine_free (e);
  if (r < 0)
    return dxc_cli_fail (err);
  printf ("%s\n", id);
  return 0;
}

static void
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

static void
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

static int
cmd_images (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  json_t *idx = NULL, *v;
  const char *key;
  bool quiet = argc > 1 && strcmp (argv[1], "-q") == 0;
  int r;

  if (argc > 2 || (argc == 2 && !quiet))
    return dxc_cli_usage_error ("images: unknown argument %s", argv[1]);
  if ((r = open_engine (&e)))
    return r;
  if (dxc_store_index_load (e->store, &idx, &err) < 0)
    {
      dxc_engine_free (e);
      return dxc_cli_fail (err);
    }
  if (!quiet)
    printf ("%-40s %-16s %-14s %-16s %s\n", "REPOSITORY", "TAG", "IMAGE ID",
            "CREATED", "SIZE");
  json_object_foreach (idx, key, v)
    {
      cleanup_image dxc_image *img = NULL;
      json_t *man = NULL, *l;
      dxc_ref ref = { 0 };
      cleanup_free char *repo = NULL;
      long long size = 0;
      size_t i;
      char age[64], sz[32];

      if (dxc_image_from_manifest (e->store, json_string_value (v), &img, NULL) < 0
          || dxc_ref_parse (key, &ref, NULL) < 0)
        continue;
      if (quiet)
        {
          printf ("%.12s\n", img->config_digest + 7);
          dxc_ref_clear (&ref);
          continue;
        }
      if (dxc_store_get_json (e->store, json_string_value (v), &man, NULL) == 0)
        {
          json_array_foreach (json_object_get (man, "layers"), i, l)
            size += json_integer_value (json_object_get (l, "size"));
          json_decref (man);
        }
      repo = dxc_ref_familiar_repo (&ref);
      human_age (json_string_value (json_object_get (img->config, "created")),
                 age, sizeof age);
      human_size (size, sz, sizeof sz);
      printf ("%-40s %-16s %-14.12s %-16s %s\n", repo,
              ref.tag ? ref.tag : "<none>", img->config_digest + 7, age, sz);
      dxc_ref_clear (&ref);
    }
  json_decref (idx);
  dxc_engine_free (e);
  return 0;
}

/* rm and rmi: [-f] NAME..., each on its own; exit 1 if any failed, as
   Docker does. */
static int
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

static int
rmi_one (dxc_engine *e, const char *ref, unsigned flags, dxc_error **err)
{
  return dxc_engine_rmi (e, ref, flags & DXC_RM_FORCE, err);
}

static int
cmd_rmi (int argc, char **argv)
{
  return remove_each (argc, argv, "an image", rmi_one, "f", false);
}

static int
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

static int
cmd_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a container", dxc_engine_rm, "fv", true);
}

static int
cmd_save (int argc, char **argv)
{
  const char *out = NULL;
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  int c, r;

  opterr = 0;
  while ((c = getopt (argc, argv, "+:o:")) != -1)
    if (c == 'o')
      out = optarg;
    else
      return bad_flag ("save", argv, c);
  if (out == NULL)
    return dxc_cli_usage_error ("save: give the output file with -o FILE");
  if (optind >= argc)
    return dxc_cli_usage_error ("save requires at least 1 argument: an image");
  if ((r = open_engine (&e)))
    return r;
  r = dxc_image_save (e->store, argv + optind, out, &err);
  dxc_engine_free (e);
  return r < 0 ? dxc_cli_fail (err) : 0;
}

static int
cmd_load (int argc, char **argv)
{
  const char *in = "-";
  char **loaded = NULL;
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  int c, r;

  opterr = 0;
  while ((c = getopt (argc, argv, "+:i:q")) != -1)
    if (c == 'i')
      in = optarg;
    else if (c != 'q')
      return bad_flag ("load", argv, c);
  if (optind != argc)
    return dxc_cli_usage_error ("load takes no argument: -i FILE, or the "
                                "archive on stdin");
  if (strcmp (in, "-") == 0 && isatty (STDIN_FILENO))
    return dxc_cli_usage_error ("load: give the archive with -i FILE or on "
                                "stdin");
  if ((r = open_engine (&e)))
    return r;
  r = dxc_image_load (e->store, in, &loaded, &err);
  dxc_engine_free (e);
  if (r < 0)
    return dxc_cli_fail (err);
  for (char **l = loaded; *l; l++)
    {
      printf (strncmp (*l, "sha256:", 7) == 0 ? "Loaded image ID: %s\n"
                                               : "Loaded image: %s\n",
              *l);
      free (*l);
    }
  free (loaded);
  return 0;
}

/* inspect and image inspect: a JSON array of Docker's documents. With
   containers, each name is tried as a container (ID, prefix or name) first,
   then as an image. */
static int
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

static int
cmd_image_inspect (int argc, char **argv)
{
  return inspect (argc, argv, false, "image inspect");
}

static int
cmd_inspect (int argc, char **argv)
{
  return inspect (argc, argv, true, "inspect");
}

static int
cmd_tag (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  int r;

  if (argc != 3)
    return dxc_cli_usage_error ("tag requires exactly 2 arguments: SOURCE "
                                "TARGET");
  if ((r = open_engine (&e)))
    return r;
  r = dxc_engine_tag (e, argv[1], argv[2], &err);
  dxc_engine_free (e);
  return r < 0 ? dxc_cli_fail (err) : 0;
}

static int
cmd_image_prune (int argc, char **argv)
{
  dxc_engine *e = NULL;
  dxc_error *err = NULL;
  bool all = false;
  int r, removed = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-a") == 0 || strcmp (argv[i], "--all") == 0)
      all = true;
    else if (strcmp (argv[i], "-f") != 0 && strcmp (argv[i], "--force") != 0)
      return dxc_cli_usage_error ("image prune: unknown flag: %s", argv[i]);
  if ((r = open_engine (&e)))
    return r;
  r = dxc_engine_image_prune (e, all, &removed, &err);
  dxc_engine_free (e);
  if (r < 0)
    return dxc_cli_fail (err);
  printf ("Deleted Images: %d\n", removed);
  return 0;
}

static const dxc_cli_command image_commands[]
    = { { "inspect", cmd_image_inspect }, { "ls", cmd_images },
        { "rm", cmd_rmi },                { "prune", cmd_image_prune },
        { "pull", cmd_pull },             { "tag", cmd_tag },
        { "import", cmd_import },         { "save", cmd_save },
        { "load", cmd_load },             { NULL, NULL } };

static int
cmd_image (int argc, char **argv)
{
  return dxc_cli_dispatch (image_commands, argc - 1, argv + 1);
}

static int
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

static int
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

/* volume inspect, network inspect: a JSON array of what each name finds. */
static int
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
volume_inspect_one (dxc_engine *e, const char *name, json_t **ret,
                    dxc_error **err)
{
  *ret = dxc_volume_inspect (e->store, name);
  if (*ret == NULL)
    return dxc_error_new (err, "get %s: no such volume", name);
  return 0;
}

static int
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

static int
cmd_volume_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a volume", volume_rm_one, "f", true);
}

static int
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

static int
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

static int
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

static int
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

static int
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

static int
cmd_network_rm (int argc, char **argv)
{
  return remove_each (argc, argv, "a network", network_rm_one, "f", true);
}

static int
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
        { "version", cmd_version }, { NULL, NULL } };

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
