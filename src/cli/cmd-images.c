/* devoxx-container's image commands: pull (with its progress display),
 * login and logout, import, images, rmi, save, load, tag, image inspect and
 * image prune. */
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

int
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

int
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

int
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

int
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

int
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

static int
rmi_one (dxc_engine *e, const char *ref, unsigned flags, dxc_error **err)
{
  return dxc_engine_rmi (e, ref, flags & DXC_RM_FORCE, err);
}

int
cmd_rmi (int argc, char **argv)
{
  return remove_each (argc, argv, "an image", rmi_one, "f", false);
}

int
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

int
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

int
cmd_image_inspect (int argc, char **argv)
{
  return inspect (argc, argv, false, "image inspect");
}

int
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

int
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

int
cmd_image (int argc, char **argv)
{
  return dxc_cli_dispatch (image_commands, argc - 1, argv + 1);
}
