/* devoxx-runtime: the OCI runtime command line, spelled as runc spells it,
 * so that podman (--runtime) and containerd can drive it. A thin layer over
 * the runtime library: each command parses its flags and calls it. */
#include <errno.h>
#include <getopt.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/common.h"
#include "runtime/container.h"
#include "util/alloc.h"
#include "runtime/features.h"
#include "runtime/seccomp.h"
#include "runtime/spec-default.h"
#include "runtime/state.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"

static const char *state_root = "/run/devoxx-container/runtime";
static bool no_cgroup;

static void
usage (FILE *f)
{
  fprintf (f,
           "Usage: devoxx-runtime [--root DIR] [--explain] COMMAND [OPTIONS]\n"
           "\n"
           "An OCI runtime: runs the container a bundle (config.json + root "
           "file system)\ndescribes, as runc does.\n"
           "\n"
           "Commands:\n"
           "  run [--bundle DIR] [--detach] [--console-socket S] [--no-pivot] [--no-new-keyring] [--pid-file FILE] ID\n"
           "                  create and run a container to its end (--detach: create and start)\n"
           "  create [--bundle DIR] [--no-pivot] [--no-new-keyring] [--pid-file FILE] ID\n"
           "                  set a container up; its process waits for start\n"
           "  start ID        let a created container run its program\n"
           "  delete [--force] ID  remove a stopped (or created) container\n"
           "  exec [--process FILE] [--detach] [--pid-file FILE] [--cwd DIR] [--env N=V]\n"
           "       [--user UID[:GID]] [--cap CAP] [--no-new-privs] ID [COMMAND...]\n"
           "                  run another process in the container\n"
           "  state ID        print the state of a container (JSON)\n"
           "  features        what this runtime implements (JSON, runtime spec)\n"
           "  pause ID, resume ID  freeze and thaw the container's processes\n"
           "  ps [--format table|json] ID  the container's processes\n"
           "  kill [--all] ID [SIGNAL]  send a signal (default SIGTERM)\n"
           "  list [--format table|json] [-q]  list the containers\n"
           "  spec [--bundle DIR]  write a default config.json\n"
           "  --version\n"
           "\n"
           "Global options:\n"
           "  --root DIR      live state (default %s)\n"
           "  --explain       narrate each isolation step on stderr\n"
           "  --cgroup-manager cgroupfs|disabled\n"
           "                  disabled: no cgroup of the container's own (no "
           "limits)\n",
           state_root);
}

static void
write_pid_file (pid_t pid, void *data)
{
  const char *path = data;
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  dxc_error *err = NULL;
  if (dxc_write_file_atomic (path, buf, n, 0644, 0, &err) < 0)
    {
      dxc_warn ("%s", err->msg);
      dxc_error_free (err);
    }
}

/* run, and create (the same setup; the process then waits for start). */
static int
run_or_create (int argc, char **argv, bool create)
{
  static const struct option opts[]
      = { { "bundle", required_argument, NULL, 'b' },
          { "no-pivot", no_argument, NULL, 'P' },
          { "pid-file", required_argument, NULL, 'p' },
          { "detach", no_argument, NULL, 'd' },
          { "no-new-keyring", no_argument, NULL, 'K' },
          { "keep", no_argument, NULL, 'k' },
          { "console-socket", required_argument, NULL, 'C' },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  cleanup_free char *config = NULL;
  cleanup_free char *bundle_abs = NULL;
  cleanup_spec dxc_spec *spec = NULL;
  dxc_error *err = NULL;
  const char *bundle = ".";
  const char *pid_file = NULL;
  dxc_run_opts ro = { .stdin_fd = -1 };
  bool detach = false;
  int c, status = 0;

  while ((c = getopt_long (argc, argv, "+b:d", opts, NULL)) != -1)
    switch (c)
      {
      case 'b': bundle = optarg; break;
      case 'P': ro.no_pivot = true; break;
      case 'p': pid_file = optarg; break;
      case 'K': ro.no_new_keyring = true; break;
      case 'k': break;
      case 'C': ro.console_socket = optarg; break;
      case 'd':
        if (create)
          return DXC_EXIT_ENGINE;
        detach = true;
        break;
      case 'h': usage (stdout); return 0;
      default: return DXC_EXIT_ENGINE;
      }
  if (optind != argc - 1)
    return dxc_cli_usage_error ("%s needs one container ID (see --help)",
                                argv[0]);
  if (dxc_cli_require_root ())
    return DXC_EXIT_ENGINE;
  ro.id = argv[optind];
  if (!dxc_id_is_valid (ro.id))
    return dxc_cli_usage_error ("invalid container ID %s", ro.id);
  bundle_abs = realpath (bundle, NULL);
  if (bundle_abs == NULL)
    return dxc_cli_usage_error ("bundle %s: %s", bundle, strerror (errno));
  if (asprintf (&config, "%s/config.json", bundle_abs) < 0)
    return DXC_EXIT_ENGINE;
  if (dxc_spec_load (config, &spec, &err) < 0)
    return dxc_cli_fail (err);
  ro.bundle = bundle_abs;
  ro.state_root = state_root;
  ro.no_cgroup = no_cgroup;
  /* run --detach: create, then start (runc's). */
  ro.create_only = create || detach;
  if (ro.console_socket && !ro.create_only)
    return dxc_cli_usage_error ("--console-socket needs --detach with run");
  if (pid_file)
    {
      ro.on_started = write_pid_file;
      ro.data = (void *) pid_file;
    }
  if (dxc_container_run (spec, &ro, &status, &err) < 0)
    return dxc_cli_fail (err);
  if (detach && dxc_container_start (state_root, ro.id, &err) < 0)
    {
      dxc_error *e2 = NULL;
      dxc_container_delete (state_root, ro.id, true, &e2);
      dxc_error_free (e2);
      return dxc_cli_fail (err);
    }
  return status;
}

static int
cmd_run (int argc, char **argv)
{
  return run_or_create (argc, argv, false);
}

static int
cmd_create (int argc, char **argv)
{
  return run_or_create (argc, argv, true);
}

static int
cmd_start (int argc, char **argv)
{
  dxc_error *err = NULL;
  if (argc != 2)
    return dxc_cli_usage_error ("start needs one container ID");
  if (dxc_container_start (state_root, argv[1], &err) < 0)
    return dxc_cli_fail (err);
  return 0;
}

/* exec [--process FILE] [--detach] [--pid-file FILE] ID [ARGS...] */
static int
cmd_exec (int argc, char **argv)
{
  static const struct option opts[]
      = { { "process", required_argument, NULL, 'p' },
          { "detach", no_argument, NULL, 'd' },
          { "pid-file", required_argument, NULL, 'P' },
          { "cwd", required_argument, NULL, 'w' },
          { "env", required_argument, NULL, 'e' },
          { "user", required_argument, NULL, 'u' },
          { "cap", required_argument, NULL, 'c' },
          { "no-new-privs", no_argument, NULL, 'N' },
          { "tty", no_argument, NULL, 't' },
          { "console-socket", required_argument, NULL, 'C' },
          { "preserve-fds", required_argument, NULL, 'F' },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  cleanup_json json_t *process = NULL;
  cleanup_free char **env = NULL, **caps = NULL;
  size_t n_env = 0, n_caps = 0;
  dxc_exec_opts o = { .state_root = state_root };
  const char *process_file = NULL, *pid_file = NULL;
  dxc_error *err = NULL;
  json_error_t jerr;
  int c, status = 0;

  optind = 1;
  while ((c = getopt_long (argc, argv, "+p:dhw:e:u:c:t", opts, NULL)) != -1)
    switch (c)
      {
      case 'p': process_file = optarg; break;
      case 'd': o.detach = true; break;
      case 'P': pid_file = optarg; break;
      case 'w': o.cwd = optarg; break;
      case 'e':
        env = dxc_xrealloc_strv (env, ++n_env);
        env[n_env - 1] = optarg;
        break;
      case 'u': o.user = optarg; break;
      case 'c':
        caps = dxc_xrealloc_strv (caps, ++n_caps);
        caps[n_caps - 1] = optarg;
        break;
      case 'N': o.no_new_privs = true; break;
      case 't': case 'C':
        return dxc_cli_usage_error ("exec with a terminal (--tty, "
                                    "--console-socket) is not supported yet");
      case 'F':
        return dxc_cli_usage_error ("exec --preserve-fds is not supported "
                                    "yet");
      case 'h': usage (stdout); return 0;
      default: return DXC_EXIT_ENGINE;
      }
  o.env = env;
  o.caps = caps;
  if (optind >= argc)
    return dxc_cli_usage_error ("exec needs a container ID");
  o.id = argv[optind++];
  if (!dxc_id_is_valid (o.id))
    return dxc_cli_usage_error ("invalid container ID %s", o.id);
  if (process_file)
    {
      /* Read at once: callers remove the file as soon as we return. */
      process = json_load_file (process_file, 0, &jerr);
      if (!json_is_object (process))
        return dxc_cli_usage_error ("exec --process %s: %s", process_file,
                                    jerr.text);
      o.process = process;
    }
  else if (optind >= argc)
    return dxc_cli_usage_error ("exec needs a command (or --process)");
  o.args = argv + optind;
  if (pid_file)
    {
      o.on_started = write_pid_file;
      o.data = (void *) pid_file;
    }
  if (dxc_container_exec (&o, &status, &err) < 0)
    return dxc_cli_fail (err);
  return status;
}

static int
cmd_delete (int argc, char **argv)
{
  dxc_error *err = NULL;
  bool force = false;
  int i = 1;
  if (i < argc && (strcmp (argv[i], "--force") == 0 || strcmp (argv[i], "-f") == 0))
    {
      force = true;
      i++;
    }
  if (i != argc - 1)
    return dxc_cli_usage_error ("delete needs one container ID");
  if (!dxc_id_is_valid (argv[i]))
    return dxc_cli_usage_error ("invalid container ID %s", argv[i]);
  if (dxc_container_delete (state_root, argv[i], force, &err) < 0)
    return dxc_cli_fail (err);
  return 0;
}

static int
cmd_state (int argc, char **argv)
{
  dxc_error *err = NULL;
  json_t *st;
  if (argc != 2)
    return dxc_cli_usage_error ("state needs one container ID");
  if (dxc_state_read (state_root, argv[1], &st, &err) < 0)
    return dxc_cli_fail (err);
  {
    json_t *pub = dxc_state_public (st);
    json_dumpf (pub, stdout, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
    putchar ('\n');
    json_decref (pub);
  }
  json_decref (st);
  return 0;
}

static int
parse_signal (const char *s)
{
  char *end;
  long n = strtol (s, &end, 10);
  if (*end == '\0' && n > 0 && n < NSIG)
    return n;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (int i = 1; i < NSIG; i++)
    {
      const char *name = sigabbrev_np (i);
      if (name && strcasecmp (name, s) == 0)
        return i;
    }
  return -1;
}

static int
cmd_kill (int argc, char **argv)
{
  dxc_error *err = NULL;
  json_t *st;
  int sig = SIGTERM;
  json_int_t pid, start;
  bool all = false;
  int r;

  /* --all: runc 1.2's meaning (the init process; a container already
     stopped is no error: containerd's kill-all after the exit needs it). */
  if (argc > 1 && (strcmp (argv[1], "--all") == 0 || strcmp (argv[1], "-a") == 0))
    {
      all = true;
      argc--;
      argv++;
    }
  if (argc < 2 || argc > 3)
    return dxc_cli_usage_error ("kill needs a container ID and an optional "
                                "signal");
  if (argc == 3 && (sig = parse_signal (argv[2])) < 0)
    return dxc_cli_usage_error ("unknown signal \"%s\"", argv[2]);
  if (dxc_state_read (state_root, argv[1], &st, &err) < 0)
    return dxc_cli_fail (err);
  pid = json_integer_value (json_object_get (st, "pid"));
  start = json_integer_value (json_object_get (st, "startTime"));
  json_decref (st);
  /* Through a pidfd, and only to the process with the recorded start time:
     after a crash the PID may be another process's. */
  r = dxc_proc_signal (pid, start, sig);
  if (r == -ESRCH && all)
    return 0;
  if (r == -ESRCH)
    return dxc_cli_usage_error ("kill %s: container not running", argv[1]);
  if (r < 0)
    return dxc_cli_usage_error ("kill %s: %s", argv[1], strerror (-r));
  return 0;
}

/* list [--format table|json] [-q]: runc's columns, or its JSON array of
   states (owner: the user name, as runc fills it in). */
static int
cmd_list (const char *format, bool quiet)
{
  cleanup_dir DIR *d = opendir (state_root);
  cleanup_json json_t *all = json_array ();
  struct dirent *de;
  json_t *pub;
  size_t i;

  while (d && (de = readdir (d)))
    {
      json_t *st;
      dxc_error *err = NULL;
      if (de->d_name[0] == '.')
        continue;
      if (dxc_state_read (state_root, de->d_name, &st, &err) < 0)
        {
          dxc_error_free (err);
          continue;
        }
      pub = dxc_state_public (st);
      json_object_set_new (pub, "owner", json_string ("root"));
      json_array_append_new (all, pub);
      json_decref (st);
    }
  if (quiet)
    {
      json_array_foreach (all, i, pub)
        printf ("%s\n", json_string_value (json_object_get (pub, "id")));
      return 0;
    }
  if (strcmp (format, "json") == 0)
    {
      json_dumpf (all, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
      putchar ('\n');
      return 0;
    }
  printf ("%-12s%-12s%-12s%-12s%-33s%s\n", "ID", "PID", "STATUS", "BUNDLE",
          "CREATED", "OWNER");
  json_array_foreach (all, i, pub)
    printf ("%-12s%-12lld%-12s%-12s%-33s%s\n",
            json_string_value (json_object_get (pub, "id")),
            (long long) json_integer_value (json_object_get (pub, "pid")),
            json_string_value (json_object_get (pub, "status")),
            json_string_value (json_object_get (pub, "bundle")),
            json_string_value (json_object_get (pub, "created")) ?: "",
            "root");
  return 0;
}

static int
cmd_spec (int argc, char **argv)
{
  const char *bundle = ".";
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  dxc_error *err = NULL;
  json_t *spec;

  for (int i = 1; i < argc; i++)
    if ((strcmp (argv[i], "--bundle") == 0 || strcmp (argv[i], "-b") == 0)
        && i + 1 < argc)
      bundle = argv[++i];
    else
      return dxc_cli_usage_error ("spec: unknown option %s", argv[i]);
  if (asprintf (&path, "%s/config.json", bundle) < 0)
    return DXC_EXIT_ENGINE;
  if (dxc_path_exists (path))
    return dxc_cli_usage_error ("spec: %s already exists", path);
  spec = dxc_spec_default ();
  text = json_dumps (spec, JSON_INDENT (2));
  json_decref (spec);
  if (dxc_write_file_atomic (path, text, strlen (text), 0644, 0, &err) < 0)
    return dxc_cli_fail (err);
  return 0;
}

static int
pause_or_resume (int argc, char **argv, bool pause)
{
  dxc_error *err = NULL;
  if (argc != 2)
    return dxc_cli_usage_error ("%s needs one container ID", argv[0]);
  if (dxc_container_pause (state_root, argv[1], pause, &err) < 0)
    return dxc_cli_fail (err);
  return 0;
}

static int
cmd_pause (int argc, char **argv)
{
  return pause_or_resume (argc, argv, true);
}

static int
cmd_resume (int argc, char **argv)
{
  return pause_or_resume (argc, argv, false);
}

/* ps [--format table|json] ID: the container's processes (host PIDs). */
static int
cmd_ps (int argc, char **argv)
{
  cleanup_json json_t *pids = NULL;
  dxc_error *err = NULL;
  const char *format = "table";
  int i = 1;

  if (i + 1 < argc && (strcmp (argv[i], "--format") == 0
                       || strcmp (argv[i], "-f") == 0))
    {
      format = argv[i + 1];
      i += 2;
    }
  else if (i < argc && strncmp (argv[i], "--format=", 9) == 0)
    format = argv[i++] + 9;
  if (i != argc - 1)
    return dxc_cli_usage_error ("ps needs one container ID (ps arguments "
                                "are not supported)");
  if (strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    return dxc_cli_usage_error ("ps: invalid format %s (table or json)",
                                format);
  if (dxc_container_pids (state_root, argv[i], &pids, &err) < 0)
    return dxc_cli_fail (err);
  if (strcmp (format, "json") == 0)
    {
      json_dumpf (pids, stdout, JSON_COMPACT);
      putchar ('\n');
      return 0;
    }
  printf ("%-8s %s\n", "PID", "CMD");
  {
    size_t k;
    json_t *v;
    json_array_foreach (pids, k, v)
    {
      char path[64];
      cleanup_free char *cmd = NULL;
      size_t len = 0;
      snprintf (path, sizeof path, "/proc/%lld/cmdline",
                (long long) json_integer_value (v));
      if (dxc_read_file (path, &cmd, &len, NULL) < 0)
        continue;
      for (size_t c = 0; c + 1 < len; c++)
        if (cmd[c] == '\0')
          cmd[c] = ' ';
      printf ("%-8lld %s\n", (long long) json_integer_value (v), cmd);
    }
  }
  return 0;
}

static int
cmd_features (int argc, char **argv)
{
  json_t *f = dxc_features_json ();
  if (argc != 1)
    return dxc_cli_usage_error ("features takes no arguments");
  json_dumpf (f, stdout, JSON_INDENT (4) | JSON_PRESERVE_ORDER);
  putchar ('\n');
  json_decref (f);
  return 0;
}

static int
cmd_list_args (int argc, char **argv)
{
  const char *format = "table";
  bool quiet = false;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-q") == 0 || strcmp (argv[i], "--quiet") == 0)
      quiet = true;
    else if ((strcmp (argv[i], "--format") == 0 || strcmp (argv[i], "-f") == 0)
             && i + 1 < argc)
      format = argv[++i];
    else if (strncmp (argv[i], "--format=", 9) == 0)
      format = argv[i] + 9;
    else
      return dxc_cli_usage_error ("list: unknown option %s", argv[i]);
  if (strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    return dxc_cli_usage_error ("list: invalid format %s (table or json)",
                                format);
  return cmd_list (format, quiet);
}

static const dxc_cli_command commands[]
    = { { "run", cmd_run },   { "create", cmd_create },
        { "start", cmd_start }, { "delete", cmd_delete },
        { "exec", cmd_exec },     { "features", cmd_features },
        { "pause", cmd_pause },   { "resume", cmd_resume },
        { "ps", cmd_ps },
        { "state", cmd_state }, { "kill", cmd_kill },
        { "list", cmd_list_args }, { "spec", cmd_spec }, { NULL, NULL } };

int
main (int argc, char **argv)
{
  static const struct option opts[]
      = { { "root", required_argument, NULL, 'r' },
          { "explain", no_argument, NULL, 'e' },
          { "log", required_argument, NULL, 'l' },
          { "log-format", required_argument, NULL, 'f' },
          { "debug", no_argument, NULL, 'D' },
          { "systemd-cgroup", no_argument, NULL, 's' },
          { "cgroup-manager", required_argument, NULL, 'c' },
          { "version", no_argument, NULL, 'v' },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  const char *log_file = NULL;
  bool log_json = false;
  int c;

  signal (SIGPIPE, SIG_IGN);
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    switch (c)
      {
      case 'r': state_root = optarg; break;
      case 'e': dxc_cli_enable_explain (); break;
      case 'l': log_file = optarg; break;
      case 'f':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "text") != 0)
          return dxc_cli_usage_error ("--log-format %s: text or json", optarg);
        log_json = strcmp (optarg, "json") == 0;
        break;
      case 'D': break;
      case 's':
        return dxc_cli_usage_error ("--systemd-cgroup is not supported yet");
      case 'c':
        if (strcmp (optarg, "disabled") == 0)
          no_cgroup = true;
        else if (strcmp (optarg, "cgroupfs") != 0)
          return dxc_cli_usage_error ("--cgroup-manager %s: cgroupfs or "
                                      "disabled", optarg);
        break;
      case 'v':
        /* runc's lines (callers parse "version" and "spec"). */
        printf ("devoxx-runtime version %s\nspec: 1.0.2\nlibseccomp: "
                "%u.%u.%u\n", DXC_VERSION, seccomp_version ()->major,
                seccomp_version ()->minor, seccomp_version ()->micro);
        return 0;
      case 'h': usage (stdout); return 0;
      default: return DXC_EXIT_ENGINE;
      }
  dxc_cli_set_log (log_file, log_json);
  if (optind >= argc)
    {
      usage (stderr);
      return DXC_EXIT_ENGINE;
    }
  {
    /* Compiled seccomp filters (runtime/seccomp.h); "list" skips the
       dot. */
    static char cache[4096];
    snprintf (cache, sizeof cache, "%s/.seccomp-cache", state_root);
    dxc_seccomp_set_cache_dir (cache);
  }
  return dxc_cli_dispatch (commands, argc - optind, argv + optind);
}
