/* The engine: see engine.h. The run sequence is dxc_engine_run: a list of
 * named steps, each undone by the cleanup at its end if a later one fails,
 * so that bad input leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "engine/containers.h"
#include "engine/engine.h"
#include "engine/network.h"
#include "engine/security-opts.h"
#include "engine/storage-driver.h"
#include "engine/user.h"
#include "engine/volumes.h"
#include "image/import.h"
#include "image/reference.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "util/alloc.h"
#include "util/copy.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/strings.h"
#include "util/log.h"

extern const char dxc_demo_tar_start[];
extern const char dxc_demo_tar_end[];

int
dxc_engine_open (const char *root, const char *runroot, const char *driver,
                 dxc_engine **ret, dxc_error **err)
{
  dxc_engine *e;
  dxc_driver d, kept;
  bool existed;

  if (driver && strcmp (driver, "overlay") != 0 && strcmp (driver, "copy") != 0)
    return dxc_error_new (err, "unknown storage driver %s (overlay or copy)",
                          driver);
  e = dxc_xcalloc (1, sizeof *e);
  existed = access (root, F_OK) == 0;
  if (dxc_store_open (root, &e->store, err) < 0
      || dxc_storage_driver (e->store, driver, &d, &kept, &e->storage_note,
                             err)
             < 0)
    {
      /* A store this call made and could not use goes again. */
      if (!existed)
        dxc_rm_rf (root, NULL);
      dxc_engine_free (e);
      return -1;
    }
  /* A copy store's layers keep their whiteouts as files, whichever driver
     runs now. */
  e->store->whiteout_files = kept == DXC_DRIVER_COPY;
  e->driver = d;
  e->copy_rootfs = d == DXC_DRIVER_COPY;
  e->runroot = dxc_xstrdup (runroot);
  e->pull.registry.tls_verify = true;
  e->auth_file = dxc_xasprintf ("%s/auth.json", root);
  e->pull.registry.auth_file = e->auth_file;
  *ret = e;
  return 0;
}

void
dxc_engine_free (dxc_engine *e)
{
  if (e == NULL)
    return;
  dxc_store_free (e->store);
  free (e->storage_note);
  free (e->runroot);
  free (e->auth_file);
  free (e);
}

static bool
is_demo_ref (const char *ref)
{
  return strcmp (ref, "busybox") == 0 || strcmp (ref, "busybox:latest") == 0
         || strcmp (ref, "docker.io/library/busybox") == 0
         || strcmp (ref, "docker.io/library/busybox:latest") == 0;
}

int
dxc_engine_import_demo (dxc_engine *e, dxc_error **err)
{
  json_t *cfg = json_pack ("{s:[s]}", "Cmd", "sh");
  dxc_import_opts io = { .name = "busybox:latest", .config = cfg };
  char id[72];
  int r = dxc_image_import_memory (e->store, dxc_demo_tar_start,
                                   dxc_demo_tar_end - dxc_demo_tar_start, &io,
                                   id, err);
  json_decref (cfg);
  return r;
}

static void
pull_progress (const char *digest, const char *status, long long done,
               long long total, void *data)
{
  dxc_engine *e = data;
  char line[128];
  if (e->notify == NULL || strcmp (status, "Downloading") == 0)
    return;
  snprintf (line, sizeof line, "%.19s: %s", digest, status);
  e->notify (line);
}

int
dxc_engine_pull (dxc_engine *e, const char *ref, dxc_error **err)
{
  cleanup_free char *name = NULL;
  dxc_pull_opts po = e->pull;
  if (po.progress == NULL && e->notify)
    {
      po.progress = pull_progress;
      po.data = e;
    }
  return dxc_image_pull (e->store, ref, &po, &name, err);
}

int
dxc_engine_image (dxc_engine *e, const char *ref, dxc_image **ret,
                  dxc_error **err)
{
  if (dxc_image_lookup (e->store, ref, ret, err) == 0)
    return 0;
  if (!(*err && (*err)->errnum == ENOENT))
    return -1;
  dxc_error_free (*err);
  *err = NULL;
  if (e->no_pull && !is_demo_ref (ref))
    {
      dxc_error_new (err, "Unable to find image '%s' locally (--pull never)",
                     ref);
      return dxc_error_set_errnum (err, ENOENT);
    }
  if (e->notify)
    {
      cleanup_free char *msg = NULL;
      if (asprintf (&msg, "Unable to find image '%s' locally", ref) >= 0)
        e->notify (msg);
    }
  /* The embedded demo image stands in for busybox, offline. */
  if (is_demo_ref (ref))
    {
      if (e->notify)
        e->notify ("Importing the embedded demo image as busybox:latest "
                   "(busybox from Debian's busybox-static)");
      if (dxc_engine_import_demo (e, err) < 0)
        return -1;
      return dxc_image_lookup (e->store, ref, ret, err);
    }
  if (dxc_engine_pull (e, ref, err) < 0)
    return -1;
  return dxc_image_lookup (e->store, ref, ret, err);
}

/* The container's root: where it is mounted and what is mounted there. */
typedef struct rootfs_plan
{
  char *dir;    /* containers/<id> */
  char *rootfs; /* containers/<id>/rootfs */
  char *overlay_data;
  char *overlay_cwd; /* set when lowerdir uses short relative names */
  dxc_root_mount mount;
} rootfs_plan;

/* layers/l/<first 12 hex digits> -> ../<hex>, made on first need. */
static int
short_layer_link (const dxc_store *s, const char *hex, dxc_error **err)
{
  char dir[4096], link[4200], target[80], got[80];
  ssize_t n;
  snprintf (dir, sizeof dir, "%s/layers/l", s->root);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return dxc_error_errno (err, errno, "mkdir %s", dir);
  snprintf (link, sizeof link, "%s/%.12s", dir, hex);
  snprintf (target, sizeof target, "../%s", hex);
  if (symlink (target, link) == 0)
    return 0;
  if (errno != EEXIST)
    return dxc_error_errno (err, errno, "symlink %s", link);
  n = readlink (link, got, sizeof got - 1);
  if (n < 0 || (got[n] = '\0', strcmp (got, target) != 0))
    return dxc_error_new (err, "layer link %s points elsewhere (two layers "
                          "share 12 hex digits)", link);
  return 0;
}

/* Who sets the container up: a record naming it is written as soon as the
   container has a directory, so that what a killed engine leaves half made
   is found, told apart from a setup in progress, and removed. */
static json_t *
engine_owner (void)
{
  return json_pack ("{s:I, s:I}", "Pid", (json_int_t) getpid (), "StartTime",
                    (json_int_t) dxc_proc_start_time (getpid ()));
}

/* The container's directory, with a first record in it: made before the
   name is reserved, so that a name always leads to a record. */
static int
make_container_dir (dxc_engine *e, const char *id, const char *image,
                    const dxc_image *img, rootfs_plan *p, dxc_error **err)
{
  cleanup_free char *now = dxc_now_rfc3339 ();
  json_t *rec;
  int r;

  p->dir = dxc_container_dir (e->store, id);
  if (mkdir (p->dir, 0700) < 0)
    return dxc_error_errno (err, errno, "mkdir %s", p->dir);
  rec = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:i}, s:o}", "Id", id,
                   "Name", "", "Created", now, "Image", image, "ImageID",
                   img->config_digest, "State", "Status", "created", "Pid", 0,
                   "Engine", engine_owner ());
  r = rec ? dxc_record_write (e->store, id, rec, false, err)
          : dxc_error_errno (err, ENOMEM, "record");
  json_decref (rec);
  return r;
}

static int
prepare_rootfs (dxc_engine *e, const dxc_image *img, rootfs_plan *p,
                dxc_error **err)
{
  static const char *const subdirs[] = { "upper", "work", "rootfs", NULL };

  for (int i = 0; subdirs[i]; i++)
    {
      char path[4096];
      if (e->copy_rootfs && i < 2)
        continue;
      snprintf (path, sizeof path, "%s/%s", p->dir, subdirs[i]);
      if (mkdir (path, 0755) < 0)
        return dxc_error_errno (err, errno, "mkdir %s", path);
    }
  if (asprintf (&p->rootfs, "%s/rootfs", p->dir) < 0)
    return dxc_error_errno (err, ENOMEM, "rootfs");

  if (e->copy_rootfs)
    {
      for (size_t i = 0; i < img->n_layers; i++)
        {
          cleanup_free char *l = dxc_store_layer_path (e->store, img->layers[i]);
          if (dxc_copy_layer_into (l, p->rootfs, i == 0, err) < 0)
            return dxc_error_prefix (err, "copy layer %.19s", img->layers[i]);
        }
      dxc_explain ("storage driver copy: %zu layer(s) copied into %s",
                   img->n_layers, p->rootfs);
      return 0;
    }

  /* lowerdir lists the layers top first, by absolute path; when that does
     not fit in the page mount(2) takes, by short relative names: the
     symlinks layers/l/<12 hex digits>, the mount made from layers/l. */
  for (int pass = 0; pass < 2; pass++)
    {
      size_t off, len = 2 * strlen (p->dir) + 64;
      for (size_t i = 0; i < img->n_layers; i++)
        len += strlen (e->store->root) + 80;
      free (p->overlay_data);
      p->overlay_data = malloc (len);
      off = snprintf (p->overlay_data, len, "lowerdir=");
      for (size_t i = img->n_layers; i-- > 0;)
        {
          const char *hex = img->layers[i] + 7;
          const char *sep = i + 1 == img->n_layers ? "" : ":";
          if (pass == 0)
            off += snprintf (p->overlay_data + off, len - off, "%s%s/layers/%s",
                             sep, e->store->root, hex);
          else
            {
              if (short_layer_link (e->store, hex, err) < 0)
                return -1;
              off += snprintf (p->overlay_data + off, len - off, "%s%.12s", sep,
                               hex);
            }
        }
      snprintf (p->overlay_data + off, len - off,
                ",upperdir=%s/upper,workdir=%s/work", p->dir, p->dir);
      if (strlen (p->overlay_data) < 4000)
        break;
      if (pass == 1)
        return dxc_error_new (err, "overlay options for %zu layers exceed "
                              "a page even with short names", img->n_layers);
      if (asprintf (&p->overlay_cwd, "%s/layers/l", e->store->root) < 0)
        return dxc_error_errno (err, ENOMEM, "overlay");
    }
  p->mount = (dxc_root_mount){ "overlay", "overlay", p->overlay_data,
                               p->overlay_cwd };
  return 0;
}

static void
plan_clear (rootfs_plan *p)
{
  free (p->dir);
  free (p->rootfs);
  free (p->overlay_data);
  free (p->overlay_cwd);
}

typedef struct started_ctx
{
  dxc_engine *e;
  const char *id;
  json_t *rec;
} started_ctx;

static void
on_started (pid_t pid, void *data)
{
  started_ctx *c = data;
  json_t *state = json_object_get (c->rec, "State");
  cleanup_free char *now = dxc_now_rfc3339 ();
  json_object_set_new (state, "Status", json_string ("running"));
  json_object_set_new (state, "Pid", json_integer (pid));
  /* With the PID, its start time: together they name the process. */
  json_object_set_new (state, "PidStartTime",
                       json_integer ((json_int_t) dxc_proc_start_time (pid)));
  json_object_set_new (state, "StartedAt", json_string (now));
  dxc_record_write (c->e->store, c->id, c->rec, false, NULL);
}

static int
connect_network (pid_t pid, void *data, dxc_error **err)
{
  return dxc_net_connect (data, pid, err);
}

static json_t *
make_record (const char *id, const char *name, const dxc_run_options *o,
             const dxc_image *img, json_t *spec)
{
  cleanup_free char *now = dxc_now_rfc3339 ();
  json_t *layers = json_array ();
  for (size_t i = 0; i < img->n_layers; i++)
    json_array_append_new (layers, json_string (img->layers[i]));
  const dxc_limits *l = &o->limits;
  return json_pack (
      "{s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:O, s:{s:s, s:i, s:i, s:b}, "
      "s:{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s}, "
      "s:O?}",
      "Engine", engine_owner (),
      "Id", id, "Name", name, "Created", now, "Image", o->image, "ImageID",
      img->config_digest, "Layers", layers, "Args",
      json_object_get (json_object_get (spec, "process"), "args"), "State",
      "Status", "created", "Pid", 0, "ExitCode", 0, "OOMKilled", 0,
      "HostConfig", "AutoRemove", o->rm, "Memory", (json_int_t) l->memory,
      "MemorySwap", (json_int_t) l->memory_swap, "MemoryReservation",
      (json_int_t) l->memory_reservation, "NanoCpus",
      (json_int_t) l->nano_cpus, "CpuShares", (json_int_t) l->cpu_shares,
      "CpuQuota", (json_int_t) l->cpu_quota, "CpuPeriod",
      (json_int_t) l->cpu_period, "CpusetCpus",
      l->cpuset_cpus ? l->cpuset_cpus : "", "CpusetMems",
      l->cpuset_mems ? l->cpuset_mems : "", "PidsLimit",
      (json_int_t) l->pids_limit, "CgroupParent",
      l->cgroup_parent ? l->cgroup_parent : "", "CgroupnsMode",
      l->cgroupns ? l->cgroupns : "private", "CgroupsPath",
      json_object_get (json_object_get (spec, "linux"), "cgroupsPath"));
}

/* The bundle's config.json: the spec, with linux.seccomp (when there is
   one) written from its text as it is (parsing it back into the spec only
   to print it again costs a tenth of a millisecond per run). */
static int
write_config (const char *dir, json_t *spec, const char *seccomp,
              dxc_error **err)
{
  json_t *lx = json_object_get (spec, "linux");
  cleanup_free char *path = NULL, *text = NULL;
  char mark[64];
  size_t ml;
  uint8_t r[16];
  char *at;

  if (asprintf (&path, "%s/config.json", dir) < 0)
    return dxc_error_errno (err, ENOMEM, "config.json");
  if (seccomp == NULL)
    {
      text = json_dumps (spec, JSON_COMPACT);
      if (text == NULL)
        return dxc_error_errno (err, ENOMEM, "config.json");
      return dxc_write_file_atomic (path, text, strlen (text), 0600, 0, err);
    }
  /* A placeholder string no image or flag can hold (random), replaced by
     the text as the spec is written. */
  if (getrandom (r, sizeof r, 0) != sizeof r)
    return dxc_error_errno (err, errno, "getrandom");
  ml = (size_t) snprintf (mark, sizeof mark, "\"dxc-seccomp-");
  for (size_t i = 0; i < sizeof r; i++)
    ml += (size_t) snprintf (mark + ml, sizeof mark - ml, "%02x", r[i]);
  json_object_set_new (lx, "seccomp", json_stringn (mark + 1, ml - 1));
  mark[ml++] = '"';
  mark[ml] = '\0';
  text = json_dumps (spec, JSON_COMPACT);
  json_object_del (lx, "seccomp");
  if (text == NULL)
    return dxc_error_errno (err, ENOMEM, "config.json");
  at = strstr (text, mark);
  if (at == NULL)
    return dxc_error_new (err, "config.json: cannot place linux.seccomp");
  {
    struct iovec parts[] = { { text, (size_t) (at - text) },
                             { (void *) seccomp, strlen (seccomp) },
                             { at + ml, strlen (at + ml) } };
    return dxc_write_file_atomicv (path, parts, 3, 0600, 0, err);
  }
}

/* What a run made, undone when it leaves dxc_engine_run: the network
   attachment always (the veth pair goes with the container), the rest
   unless the run succeeded and was not --rm. */
typedef struct run_ctx
{
  dxc_engine *e;
  const dxc_run_options *o;
  char id[65];
  char *name;
  rootfs_plan plan;
  dxc_user user;
  char **layer_dirs;
  json_t *spec_json, *rec;
  dxc_net_attachment *net;
  bool volumes_made;
  bool ran;  /* the container ran to its end */
  bool keep; /* ... and stays (no --rm) */
} run_ctx;

static void
run_ctx_clear (run_ctx *c)
{
  dxc_net_detach (c->net);
  /* Nothing stays behind from a container that failed to start or asked to
     be removed. */
  if (!c->keep)
    {
      /* the name first: a name always leads to a record */
      dxc_name_release (c->e->store, c->name);
      if (c->plan.dir)
        dxc_rm_rf (c->plan.dir, NULL);
      /* A failed run takes back the volumes it made; --rm the anonymous
         ones, as Docker does. */
      if (c->volumes_made)
        dxc_volumes_release (c->e->store, c->o->mounts, !c->ran);
    }
  dxc_strvfreep (&c->layer_dirs);
  free (c->name);
  plan_clear (&c->plan);
  dxc_user_clear (&c->user);
  json_decref (c->spec_json);
  json_decref (c->rec);
}

/* Step: the container's directory and first record, then the name,
   reserved atomically; the first record names the container too (rm
   releases the name). */
static int
run_make_container (run_ctx *c, const dxc_image *img, dxc_error **err)
{
  cleanup_json json_t *first = NULL;

  if (make_container_dir (c->e, c->id, c->o->image, img, &c->plan, err) < 0
      || dxc_name_reserve (c->e->store, c->o->name, c->id, &c->name, err) < 0
      || dxc_record_find (c->e->store, c->id, &first, err) < 0)
    return -1;
  json_object_set_new (first, "Name", json_string (c->name));
  return dxc_record_write (c->e->store, c->id, first, false, err);
}

/* Step: the user, from the image's own passwd and group files. */
static int
run_resolve_user (run_ctx *c, const dxc_image *img, dxc_error **err)
{
  const char *u = c->o->user;

  c->layer_dirs = dxc_xcalloc (img->n_layers + 1, sizeof (char *));
  for (size_t i = 0; i < img->n_layers; i++)
    c->layer_dirs[i] = dxc_store_layer_path (
        c->e->store, img->layers[img->n_layers - 1 - i]);
  if (u == NULL)
    u = json_string_value (json_object_get (dxc_image_config_inner (img),
                                            "User"));
  return dxc_user_resolve (u, c->layer_dirs, &c->user, err);
}

/* Step: the network: an address, the ports, resolv.conf, hosts and
   hostname (the veth pair comes once the process exists). */
static int
run_attach_network (run_ctx *c, dxc_error **err)
{
  const dxc_run_options *o = c->o;
  char host[65];

  snprintf (host, sizeof host, "%s", o->hostname ? o->hostname : c->id);
  if (!o->hostname)
    host[12] = '\0';
  if (dxc_net_attach (c->e->store, &o->net, c->id, host, c->name,
                      c->plan.dir, &c->net, err)
      < 0)
    return -1;
  for (size_t i = 0; c->net && i < c->net->n_ports && c->e->notify; i++)
    if (o->net.ports[i].host_port == 0)
      {
        dxc_port *p = &c->net->ports[i];
        char msg[128];
        snprintf (msg, sizeof msg, "published %s:%d -> %d/%s",
                  *p->host_ip ? p->host_ip : "0.0.0.0", p->host_port,
                  p->container_port, p->proto);
        c->e->notify (msg);
      }
  return 0;
}

/* Step: the OCI spec (Docker's defaults + image config + flags), the
   seccomp filter (compiled, or from the cache), the bundle's config.json
   with it, and the record. */
static int
run_make_spec (run_ctx *c, const dxc_image *img, dxc_spec **ret,
               dxc_error **err)
{
  const dxc_run_options *o = c->o;
  _cleanup_ (dxc_seccomp_clear) dxc_seccomp seccomp = { 0 };

  if (dxc_specgen (img, o, c->id, c->plan.rootfs, &c->user, &c->spec_json,
                   err)
      < 0)
    return -1;
  dxc_net_to_spec (&o->net, c->plan.dir, c->spec_json);
  if (dxc_security_seccomp (&o->security, c->spec_json, &seccomp, err) < 0
      || write_config (c->plan.dir, c->spec_json, seccomp.source, err) < 0
      || dxc_spec_from_json (c->spec_json, ret, err) < 0)
    return -1;
  (*ret)->seccomp = seccomp;
  memset (&seccomp, 0, sizeof seccomp);
  c->rec = make_record (c->id, c->name, o, img, c->spec_json);
  if (o->mounts)
    json_object_set_new (c->rec, "Mounts", dxc_mounts_record (o->mounts));
  json_object_set_new (c->rec, "NetworkSettings",
                       dxc_net_record (c->net, &o->net));
  return dxc_record_write (c->e->store, c->id, c->rec, false, err);
}

/* Step: run it in-process through the runtime library. */
static int
run_container (run_ctx *c, const dxc_spec *spec, int *ret_status,
               bool *oom_killed, dxc_error **err)
{
  const dxc_run_options *o = c->o;
  cleanup_close int devnull = -1;
  started_ctx sc = { c->e, c->id, c->rec };
  dxc_run_opts ro = { 0 };

  if (!o->interactive)
    {
      devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (devnull < 0)
        return dxc_error_errno (err, errno, "open /dev/null");
    }
  ro.id = c->id;
  ro.bundle = c->plan.dir;
  ro.state_root = c->e->runroot;
  ro.no_pivot = o->no_pivot;
  ro.no_cgroup = o->limits.no_cgroup;
  /* "devoxx", the default parent, holds our containers only. */
  ro.sweep_cgroups = o->limits.cgroup_parent == NULL;
  ro.stdin_fd = o->interactive ? -1 : devnull;
  ro.root_mount = c->e->copy_rootfs ? NULL : &c->plan.mount;
  ro.on_started = on_started;
  ro.data = &sc;
  ro.oom_killed = oom_killed;
  ro.on_created = connect_network;
  ro.created_data = c->net;
  return dxc_container_run (spec, &ro, ret_status, err);
}

static void
notify_oom (run_ctx *c, int status)
{
  char msg[256], size[32] = "";

  if (c->e->notify == NULL)
    return;
  if (c->o->limits.memory)
    dxc_format_size (c->o->limits.memory, size, sizeof size);
  snprintf (msg, sizeof msg, "container %.12s ran out of memory: the "
            "kernel's OOM killer ended %s%s%s%s", c->id,
            status == 137 ? "it" : "one of its processes",
            *size ? " (--memory " : "", size, *size ? ")" : "");
  c->e->notify (msg);
}

/* Step: record the end. */
static void
record_end (run_ctx *c, int status, bool oom_killed)
{
  json_t *state = json_object_get (c->rec, "State");
  cleanup_free char *now = dxc_now_rfc3339 ();

  json_object_set_new (state, "Status", json_string ("exited"));
  json_object_set_new (state, "ExitCode", json_integer (status));
  json_object_set_new (state, "OOMKilled", json_boolean (oom_killed));
  json_object_set_new (state, "Pid", json_integer (0));
  json_object_set_new (state, "FinishedAt", json_string (now));
  if (dxc_record_write (c->e->store, c->id, c->rec, true, NULL) < 0)
    dxc_warn ("could not record the end of container %.12s", c->id);
}

int
dxc_engine_run (dxc_engine *e, const dxc_run_options *o, int *ret_status,
                dxc_error **err)
{
  cleanup_image dxc_image *img = NULL;
  cleanup_spec dxc_spec *spec = NULL;
  cleanup_close int lease = -1;
  _cleanup_ (run_ctx_clear) run_ctx c = { .e = e, .o = o };
  bool oom_killed = false;

  /* Step: the options and the image, before anything is created. */
  if (dxc_specgen_check (o, err) < 0)
    return -1;
  /* The image's layers are in use from here: a collection waits until
     the container's record names them. */
  lease = dxc_store_lease (e->store, false, err);
  if (lease < 0 || dxc_engine_image (e, o->image, &img, err) < 0)
    return -1;
  dxc_container_new_id (c.id);

  if (run_make_container (&c, img, err) < 0
      || run_resolve_user (&c, img, err) < 0
      /* Step: the container's directory and root file system. */
      || prepare_rootfs (e, img, &c.plan, err) < 0)
    return -1;
  /* Step: the volumes (named, and anonymous ones for the image's VOLUMEs)
     and the missing -v directories. */
  if (o->mounts
      && dxc_volumes_prepare (e->store, o->mounts,
                              json_object_get (dxc_image_config_inner (img),
                                               "Volumes"),
                              err)
             < 0)
    return -1;
  c.volumes_made = o->mounts != NULL;
  if (run_attach_network (&c, err) < 0
      || run_make_spec (&c, img, &spec, err) < 0)
    return -1;
  close (take_fd (lease));
  if (run_container (&c, spec, ret_status, &oom_killed, err) < 0)
    return -1;
  c.ran = true;
  if (oom_killed)
    notify_oom (&c, *ret_status);
  /* Step: record the end, or remove everything with --rm. */
  if (!o->rm)
    {
      record_end (&c, *ret_status, oom_killed);
      c.keep = true;
    }
  return 0;
}

bool
dxc_engine_record_running (json_t *rec)
{
  json_t *state = json_object_get (rec, "State");
  json_int_t pid = json_integer_value (json_object_get (state, "Pid"));
  json_int_t start
      = json_integer_value (json_object_get (state, "PidStartTime"));
  const char *st = json_string_value (json_object_get (state, "Status"));
  return st && strcmp (st, "running") == 0
         && dxc_proc_alive (pid, (uint64_t) start);
}

bool
dxc_engine_record_settle (dxc_engine *e, json_t *rec)
{
  json_t *state = json_object_get (rec, "State");
  const char *st = json_string_value (json_object_get (state, "Status"));
  const char *id = json_string_value (json_object_get (rec, "Id"));
  cleanup_free char *now = NULL;

  if (st && id && strcmp (st, "created") == 0)
    {
      /* Set up by an engine that was killed before the container ran: half
         made, it is dead (Docker's word), and rm removes it. */
      json_t *eng = json_object_get (rec, "Engine");
      json_int_t pid = json_integer_value (json_object_get (eng, "Pid"));
      json_int_t start = json_integer_value (json_object_get (eng, "StartTime"));
      if (eng == NULL || dxc_proc_alive (pid, (uint64_t) start))
        return false;
      json_object_set_new (state, "Status", json_string ("dead"));
      json_object_set_new (state, "Error",
                           json_string ("the engine setting the container up "
                                        "was killed"));
      dxc_state_reclaim (e->runroot, id);
      dxc_record_write (e->store, id, rec, false, NULL);
      return true;
    }
  if (st == NULL || strcmp (st, "running") != 0 || id == NULL
      || dxc_engine_record_running (rec))
    return false;
  /* The engine that ran it was killed (its container died with it): the
     exit code is unknown, 255 as Docker says then. Its cgroups and live
     state go now (the runtime's reclaim), its record tells the truth. */
  now = dxc_now_rfc3339 ();
  json_object_set_new (state, "Status", json_string ("exited"));
  json_object_set_new (state, "Running", json_false ());
  json_object_set_new (state, "Pid", json_integer (0));
  json_object_set_new (state, "ExitCode", json_integer (255));
  json_object_set_new (state, "FinishedAt", json_string (now));
  json_object_set_new (state, "Error",
                       json_string ("the engine running the container was "
                                    "killed; its exit code is unknown"));
  dxc_state_reclaim (e->runroot, id);
  dxc_record_write (e->store, id, rec, false, NULL);
  return true;
}

int
dxc_engine_rm (dxc_engine *e, const char *what, unsigned flags,
               dxc_error **err)
{
  bool force = flags & DXC_RM_FORCE;
  json_t *rec = NULL;
  int r;

  if (dxc_record_find (e->store, what, &rec, err) < 0)
    return -1;
  dxc_engine_record_settle (e, rec);
  if (dxc_engine_record_running (rec))
    {
      json_t *state = json_object_get (rec, "State");
      json_int_t pid = json_integer_value (json_object_get (state, "Pid"));
      json_int_t start
          = json_integer_value (json_object_get (state, "PidStartTime"));
      if (!force)
        {
          json_decref (rec);
          return dxc_error_new (err, "cannot remove container %s: it is "
                                "running (stop it first, or use rm -f)", what);
        }
      /* Never a process that took the PID of a container whose engine was
         killed: the signal goes through a pidfd, after the start time. */
      dxc_proc_signal (pid, (uint64_t) start, SIGKILL);
      for (int i = 0; i < 500 && dxc_proc_alive (pid, (uint64_t) start); i++)
        usleep (10000);
    }
  r = dxc_container_remove_files (e->store, rec, err);
  if (r == 0 && (flags & DXC_RM_VOLUMES))
    dxc_volumes_remove_anonymous (e->store, rec);
  json_decref (rec);
  return r;
}

/* The diff IDs of every container's image: what a collection must keep. */
static json_t *
layers_in_use (dxc_engine *e, json_t **ret_images)
{
  json_t *recs = dxc_records_list (e->store), *keep = json_object (), *v, *l;
  size_t i, j;
  if (ret_images)
    *ret_images = json_object ();
  json_array_foreach (recs, i, v)
  {
    json_array_foreach (json_object_get (v, "Layers"), j, l)
      json_object_set_new (keep, json_string_value (l), json_true ());
    if (ret_images && json_string_value (json_object_get (v, "ImageID")))
      json_object_set_new (*ret_images,
                           json_string_value (json_object_get (v, "ImageID")),
                           json_true ());
  }
  json_decref (recs);
  return keep;
}

int
dxc_engine_rmi (dxc_engine *e, const char *refstr, bool force, dxc_error **err)
{
  cleanup_image dxc_image *img = NULL;
  cleanup_json json_t *idx = NULL, *used = NULL, *keep = NULL;
  json_t *v;
  const char *key;

  if (dxc_image_lookup (e->store, refstr, &img, err) < 0)
    {
      if (*err && (*err)->errnum == ENOENT)
        {
          dxc_error_free (*err);
          *err = NULL;
          dxc_error_new (err, "No such image: %s", refstr);
          dxc_error_set_errnum (err, ENOENT);
        }
      return -1;
    }
  keep = layers_in_use (e, &used);
  if (!force && json_object_get (used, img->config_digest))
    return dxc_error_new (err, "conflict: unable to remove repository "
                          "reference \"%s\" (must force) - a container is "
                          "using its referenced image %.12s", refstr,
                          img->config_digest + 7);
  if (dxc_store_index_load (e->store, &idx, err) < 0)
    return -1;
  /* By name: that name only. By ID: every name of the image. */
  json_object_foreach (idx, key, v)
    {
      if (img->name ? strcmp (key, img->name) == 0
                    : strcmp (json_string_value (v), img->manifest_digest) == 0)
        {
          if (dxc_store_index_set (e->store, key, NULL, err) < 0)
            return -1;
          if (e->notify)
            {
              cleanup_free char *msg = NULL;
              if (asprintf (&msg, "Untagged: %s", key) >= 0)
                e->notify (msg);
            }
        }
    }
  return dxc_store_gc (e->store, keep, err);
}

int
dxc_engine_image_inspect (dxc_engine *e, const char *refstr, json_t **ret,
                          dxc_error **err)
{
  cleanup_image dxc_image *img = NULL;
  json_t *idx = NULL, *tags, *digests, *v, *man = NULL, *l;
  const char *key;
  long long size = 0;
  size_t i;

  if (dxc_image_lookup (e->store, refstr, &img, err) < 0)
    return -1;
  if (dxc_store_index_load (e->store, &idx, err) < 0)
    return -1;
  tags = json_array ();
  digests = json_array ();
  json_object_foreach (idx, key, v)
    {
      cleanup_image dxc_image *other = NULL;
      dxc_ref ref = { 0 };
      if (dxc_image_from_manifest (e->store, json_string_value (v), &other, NULL) < 0
          || strcmp (other->config_digest, img->config_digest) != 0
          || dxc_ref_parse (key, &ref, NULL) < 0)
        continue;
      {
        cleanup_free char *repo = dxc_ref_familiar_repo (&ref);
        char *s = NULL;
        if (ref.tag && asprintf (&s, "%s:%s", repo, ref.tag) >= 0)
          json_array_append_new (tags, json_string (s));
        free (s);
        s = NULL;
        if (asprintf (&s, "%s@%s", repo, json_string_value (v)) >= 0)
          json_array_append_new (digests, json_string (s));
        free (s);
      }
      dxc_ref_clear (&ref);
    }
  json_decref (idx);
  if (dxc_store_get_json (e->store, img->manifest_digest, &man, NULL) == 0)
    {
      json_array_foreach (json_object_get (man, "layers"), i, l)
        size += json_integer_value (json_object_get (l, "size"));
      json_decref (man);
    }
  *ret = json_pack ("[{s:s, s:o, s:o, s:O*, s:O*, s:O*, s:O*, s:O*, s:I}]",
                    "Id", img->config_digest, "RepoTags", tags, "RepoDigests",
                    digests, "Created", json_object_get (img->config, "created"),
                    "Architecture", json_object_get (img->config, "architecture"),
                    "Os", json_object_get (img->config, "os"), "Config",
                    json_object_get (img->config, "config"), "RootFS",
                    json_object_get (img->config, "rootfs"), "Size",
                    (json_int_t) size);
  return *ret ? 0 : dxc_error_new (err, "image inspect: out of memory");
}

int
dxc_engine_tag (dxc_engine *e, const char *source, const char *target,
                dxc_error **err)
{
  cleanup_image dxc_image *img = NULL;
  cleanup_free char *canonical = NULL;
  dxc_ref ref = { 0 };

  if (dxc_image_lookup (e->store, source, &img, err) < 0)
    return -1;
  if (dxc_ref_parse (target, &ref, err) < 0)
    return -1;
  canonical = dxc_ref_canonical (&ref);
  dxc_ref_clear (&ref);
  return dxc_store_index_set (e->store, canonical, img->manifest_digest, err);
}

int
dxc_engine_image_prune (dxc_engine *e, bool all, int *ret_removed,
                        dxc_error **err)
{
  cleanup_json json_t *used = NULL, *idx = NULL;
  cleanup_json json_t *keep = layers_in_use (e, &used);
  json_t *v;
  const char *key;
  int removed = 0;

  if (all)
    {
      if (dxc_store_index_load (e->store, &idx, err) < 0)
        return -1;
      json_object_foreach (idx, key, v)
        {
          cleanup_image dxc_image *img = NULL;
          if (dxc_image_from_manifest (e->store, json_string_value (v), &img, NULL) == 0
              && json_object_get (used, img->config_digest))
            continue;
          if (dxc_store_index_set (e->store, key, NULL, err) < 0)
            return -1;
          removed++;
        }
    }
  if (dxc_store_gc (e->store, keep, err) < 0)
    return -1;
  *ret_removed = removed;
  return 0;
}
