/* devoxx-container run: Docker's options into the engine's run options. */
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

int
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
