/* Parsing and validation of the OCI runtime spec: see spec.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "spec-json.h"
#include "util/fs.h"



int
dxc_json_string (json_t *obj, const char *key, const char *where, bool required,
            char **ret, dxc_error **err)
{
  json_t *v = json_object_get (obj, key);
  if (v == NULL || json_is_null (v))
    {
      if (required)
        return dxc_error_new (err, CTX "%s%s is required", where, key);
      *ret = NULL;
      return 0;
    }
  if (!json_is_string (v))
    return dxc_error_new (err, CTX "%s%s must be a string", where, key);
  *ret = strdup (json_string_value (v));
  return 0;
}

int
dxc_json_strv (json_t *obj, const char *key, const char *where, char ***ret,
          dxc_error **err)
{
  json_t *arr = json_object_get (obj, key), *v;
  size_t i;
  char **out;

  *ret = NULL;
  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "%s%s must be an array of strings", where,
                          key);
  out = calloc (json_array_size (arr) + 1, sizeof (char *));
  json_array_foreach (arr, i, v)
  {
    if (!json_is_string (v))
      {
        for (size_t j = 0; j < i; j++)
          free (out[j]);
        free (out);
        return dxc_error_new (err, CTX "%s%s[%zu] must be a string", where,
                              key, i);
      }
    out[i] = strdup (json_string_value (v));
  }
  *ret = out;
  return 0;
}

int
dxc_json_uint (json_t *obj, const char *key, const char *where, uint64_t max,
          bool *ret_present, uint64_t *ret, dxc_error **err)
{
  json_t *v = json_object_get (obj, key);
  *ret_present = false;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_integer (v) || json_integer_value (v) < 0
      || (uint64_t) json_integer_value (v) > max)
    return dxc_error_new (err, CTX "%s%s must be an integer from 0 to %llu",
                          where, key, (unsigned long long) max);
  *ret = json_integer_value (v);
  *ret_present = true;
  return 0;
}

/* A field of the spec that this runtime does not implement yet: refuse it
 * rather than run a container without what the caller asked for. */
int
dxc_json_refuse (json_t *obj, const char *key, const char *where,
               dxc_error **err)
{
  json_t *v = json_object_get (obj, key);
  if (v == NULL || json_is_null (v))
    return 0;
  if ((json_is_object (v) && json_object_size (v) == 0)
      || (json_is_array (v) && json_array_size (v) == 0)
      || (json_is_string (v) && json_string_length (v) == 0))
    return 0;
  return dxc_error_new (err, CTX "%s%s is not supported yet by this runtime",
                        where, key);
}

int
dxc_cap_from_name (const char *name)
{
  cap_value_t v;
  if (strncasecmp (name, "CAP_", 4) != 0)
    return -1;
  if (cap_from_name (name, &v) < 0)
    return -1;
  return v;
}

static int
parse_caps (json_t *caps, dxc_process *p, dxc_error **err)
{
  static const char *const sets[DXC_CAP_SETS]
      = { "bounding", "effective", "inheritable", "permitted", "ambient" };

  if (caps == NULL || json_is_null (caps))
    return 0;
  if (!json_is_object (caps))
    return dxc_error_new (err, CTX "process.capabilities must be an object");
  p->has_caps = true;
  for (int s = 0; s < DXC_CAP_SETS; s++)
    {
      json_t *arr = json_object_get (caps, sets[s]), *v;
      size_t i;
      if (arr == NULL || json_is_null (arr))
        continue;
      if (!json_is_array (arr))
        return dxc_error_new (err, CTX "process.capabilities.%s must be an "
                              "array", sets[s]);
      json_array_foreach (arr, i, v)
      {
        int c = json_is_string (v) ? dxc_cap_from_name (json_string_value (v))
                                   : -1;
        if (c < 0 || c > 63)
          return dxc_error_new (err, CTX "process.capabilities.%s[%zu]: "
                                "unknown capability %s", sets[s], i,
                                json_is_string (v) ? json_string_value (v)
                                                   : "(not a string)");
        p->caps[s] |= 1ULL << c;
      }
    }
  return 0;
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
parse_rlimits (json_t *arr, dxc_process *p, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "process.rlimits must be an array");
  p->rlimits = calloc (json_array_size (arr) + 1, sizeof (dxc_rlimit));
  json_array_foreach (arr, i, v)
  {
    const char *type = json_string_value (json_object_get (v, "type"));
    json_t *soft = json_object_get (v, "soft"), *hard = json_object_get (v, "hard");
    dxc_rlimit *r = &p->rlimits[p->n_rlimits];
    size_t k;

    if (type == NULL)
      return dxc_error_new (err, CTX "process.rlimits[%zu].type is required", i);
    for (k = 0; k < sizeof (rlimit_names) / sizeof (rlimit_names[0]); k++)
      if (strcmp (rlimit_names[k].name, type) == 0)
        break;
    if (k == sizeof (rlimit_names) / sizeof (rlimit_names[0]))
      return dxc_error_new (err, CTX "process.rlimits[%zu]: unknown type %s", i,
                            type);
    if (!json_is_integer (soft) || !json_is_integer (hard))
      return dxc_error_new (err, CTX "process.rlimits[%zu] (%s): soft and hard "
                            "must be integers", i, type);
    r->resource = rlimit_names[k].resource;
    r->name = rlimit_names[k].name;
    r->soft = (uint64_t) json_integer_value (soft);
    r->hard = (uint64_t) json_integer_value (hard);
    if (r->soft > r->hard)
      return dxc_error_new (err, CTX "process.rlimits[%zu] (%s): soft limit "
                            "%llu is above hard limit %llu", i, type,
                            (unsigned long long) r->soft,
                            (unsigned long long) r->hard);
    p->n_rlimits++;
  }
  return 0;
}

static int
parse_process (json_t *proc, dxc_process *p, dxc_error **err)
{
  json_t *user, *cs;
  uint64_t u;
  bool present;
  static const char *const unsupported[]
      = { "apparmorProfile", "selinuxLabel", "ioPriority", "scheduler",
          "execCPUAffinity", NULL };

  if (!json_is_object (proc))
    return dxc_error_new (err, CTX "process is required and must be an object");
  for (int i = 0; unsupported[i]; i++)
    if (dxc_json_refuse (proc, unsupported[i], "process.", err) < 0)
      return -1;
  if (dxc_json_strv (proc, "args", "process.", &p->args, err) < 0)
    return -1;
  if (p->args == NULL || p->args[0] == NULL || p->args[0][0] == '\0')
    return dxc_error_new (err, CTX "process.args must hold at least the "
                          "program to run");
  if (dxc_json_strv (proc, "env", "process.", &p->env, err) < 0)
    return -1;
  if (p->env == NULL)
    p->env = calloc (1, sizeof (char *));
  if (dxc_json_string (proc, "cwd", "process.", true, &p->cwd, err) < 0)
    return -1;
  if (p->cwd[0] != '/')
    return dxc_error_new (err, CTX "process.cwd must be an absolute path, "
                          "not %s", p->cwd);
  p->terminal = json_is_true (json_object_get (proc, "terminal"));
  cs = json_object_get (proc, "consoleSize");
  if (cs && json_is_object (cs))
    {
      if (dxc_json_uint (cs, "height", "process.consoleSize.", 65535, &present, &u,
                    err) < 0)
        return -1;
      p->console_height = u;
      if (dxc_json_uint (cs, "width", "process.consoleSize.", 65535, &present, &u,
                    err) < 0)
        return -1;
      p->console_width = u;
    }
  user = json_object_get (proc, "user");
  if (user && json_is_object (user))
    {
      json_t *gids = json_object_get (user, "additionalGids"), *g;
      size_t i;
      if (dxc_json_uint (user, "uid", "process.user.", UINT32_MAX - 1, &present, &u,
                    err) < 0)
        return -1;
      p->uid = present ? u : 0;
      if (dxc_json_uint (user, "gid", "process.user.", UINT32_MAX - 1, &present, &u,
                    err) < 0)
        return -1;
      p->gid = present ? u : 0;
      if (dxc_json_uint (user, "umask", "process.user.", 0777, &p->has_umask, &u,
                    err) < 0)
        return -1;
      p->umask = u;
      if (gids && json_is_array (gids))
        {
          p->groups = calloc (json_array_size (gids) + 1, sizeof (gid_t));
          json_array_foreach (gids, i, g)
          {
            if (!json_is_integer (g) || json_integer_value (g) < 0
                || json_integer_value (g) >= UINT32_MAX)
              return dxc_error_new (err, CTX "process.user.additionalGids[%zu]"
                                    " must be a group ID", i);
            p->groups[p->n_groups++] = json_integer_value (g);
          }
        }
    }
  if (parse_caps (json_object_get (proc, "capabilities"), p, err) < 0)
    return -1;
  p->no_new_privileges = json_is_true (json_object_get (proc, "noNewPrivileges"));
  if (parse_rlimits (json_object_get (proc, "rlimits"), p, err) < 0)
    return -1;
  {
    json_t *oom = json_object_get (proc, "oomScoreAdj");
    if (oom && !json_is_null (oom))
      {
        if (!json_is_integer (oom) || json_integer_value (oom) < -1000
            || json_integer_value (oom) > 1000)
          return dxc_error_new (err, CTX "process.oomScoreAdj must be an "
                                "integer from -1000 to 1000");
        p->has_oom_score_adj = true;
        p->oom_score_adj = json_integer_value (oom);
      }
  }
  return 0;
}

static const struct
{
  const char *name;
  bool clear;
  unsigned long flag;
} mount_flags[] = {
  { "ro", false, MS_RDONLY },        { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },    { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },      { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },    { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },    { "nomand", true, MS_MANDLOCK },
  { "atime", true, MS_NOATIME },     { "noatime", false, MS_NOATIME },
  { "diratime", true, MS_NODIRATIME }, { "nodiratime", false, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME },
  { "nostrictatime", true, MS_STRICTATIME },
  { "silent", false, MS_SILENT },    { "loud", true, MS_SILENT },
  { "defaults", false, 0 },
};

static const struct
{
  const char *name;
  unsigned long flag;
} propagation_flags[] = {
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

json_t *
dxc_spec_mount_options (void)
{
  static const char *const others[]
      = { "bind", "rbind", "rro", "tmpcopyup", NULL };
  json_t *out = json_array ();
  for (size_t k = 0; k < sizeof mount_flags / sizeof mount_flags[0]; k++)
    json_array_append_new (out, json_string (mount_flags[k].name));
  for (size_t k = 0; k < sizeof propagation_flags / sizeof propagation_flags[0];
       k++)
    json_array_append_new (out, json_string (propagation_flags[k].name));
  for (int k = 0; others[k]; k++)
    json_array_append_new (out, json_string (others[k]));
  return out;
}

/* "rnosuid", "rnoexec", ...: an attribute for every submount (mount_setattr
 * with AT_RECURSIVE); only "rro" is implemented so far. */
static bool
is_recursive_attr (const char *o)
{
  if (o[0] != 'r')
    return false;
  for (size_t k = 0; k < sizeof (mount_flags) / sizeof (mount_flags[0]); k++)
    if (strcmp (mount_flags[k].name, o + 1) == 0)
      return true;
  return false;
}

int
dxc_parse_mount_options (json_t *options, dxc_mount *m, dxc_error **err)
{
  json_t *v;
  size_t i;
  size_t data_len = 0;

  if (options == NULL || json_is_null (options))
    return 0;
  if (!json_is_array (options))
    return dxc_error_new (err, CTX "mount %s: options must be an array",
                          m->destination);
  json_array_foreach (options, i, v)
  {
    const char *o = json_string_value (v);
    size_t k;
    bool found = false;

    if (o == NULL)
      return dxc_error_new (err, CTX "mount %s: options[%zu] must be a string",
                            m->destination, i);
    if (strcmp (o, "bind") == 0 || strcmp (o, "rbind") == 0)
      {
        m->bind = true;
        m->flags |= MS_BIND | (o[0] == 'r' ? MS_REC : 0);
        continue;
      }
    if (strcmp (o, "rro") == 0)
      {
        m->recursive_ro = true;
        m->flags |= MS_RDONLY;
        continue;
      }
    /* tmpcopyup: crun's and runc's, for tmpfs; copyup: ours, for a bind
       mount of an empty directory (a new volume gets the image's content
       at its target, Docker's copy-up). */
    if (strcmp (o, "tmpcopyup") == 0 || strcmp (o, "copyup") == 0)
      {
        m->copy_up = true;
        continue;
      }
    if (strcmp (o, "idmap") == 0 || strcmp (o, "ridmap") == 0
        || is_recursive_attr (o))
      return dxc_error_new (err, CTX "mount %s: option %s is not supported "
                            "yet by this runtime", m->destination, o);
    for (k = 0; k < sizeof (mount_flags) / sizeof (mount_flags[0]); k++)
      if (strcmp (mount_flags[k].name, o) == 0)
        {
          if (mount_flags[k].clear)
            m->flags &= ~mount_flags[k].flag;
          else
            m->flags |= mount_flags[k].flag;
          found = true;
          break;
        }
    if (found)
      continue;
    for (k = 0; k < sizeof (propagation_flags) / sizeof (propagation_flags[0]);
         k++)
      if (strcmp (propagation_flags[k].name, o) == 0)
        {
          m->propagation = propagation_flags[k].flag;
          found = true;
          break;
        }
    if (found)
      continue;
    /* Anything else is file system data: mode=755, size=64k, newinstance. */
    {
      size_t ol = strlen (o);
      char *nd = realloc (m->data, data_len + ol + 2);
      if (nd == NULL)
        return dxc_error_errno (err, ENOMEM, "mount options");
      m->data = nd;
      if (data_len)
        m->data[data_len++] = ',';
      memcpy (m->data + data_len, o, ol + 1);
      data_len += ol;
    }
  }
  if (m->bind && (m->flags & MS_RDONLY))
    m->remount_ro = true;
  return 0;
}

static int
parse_mounts (json_t *arr, dxc_spec *s, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "mounts must be an array");
  s->mounts = calloc (json_array_size (arr) + 1, sizeof (dxc_mount));
  json_array_foreach (arr, i, v)
  {
    dxc_mount *m = &s->mounts[s->n_mounts++];
    char where[48];
    snprintf (where, sizeof where, "mounts[%zu].", i);
    if (!json_is_object (v))
      return dxc_error_new (err, CTX "mounts[%zu] must be an object", i);
    if (dxc_json_refuse (v, "uidMappings", where, err) < 0
        || dxc_json_refuse (v, "gidMappings", where, err) < 0)
      return -1;
    if (dxc_json_string (v, "destination", where, true, &m->destination, err) < 0
        || dxc_json_string (v, "type", where, false, &m->type, err) < 0
        || dxc_json_string (v, "source", where, false, &m->source, err) < 0)
      return -1;
    if (m->destination[0] != '/')
      return dxc_error_new (err, CTX "mounts[%zu].destination must be an "
                            "absolute path, not %s", i, m->destination);
    if (dxc_parse_mount_options (json_object_get (v, "options"), m, err) < 0)
      return -1;
    if (m->type && strcmp (m->type, "bind") == 0)
      {
        m->bind = true;
        m->flags |= MS_BIND;
        if (m->flags & MS_RDONLY)
          m->remount_ro = true;
      }
    if (m->type == NULL && !m->bind)
      return dxc_error_new (err, CTX "mounts[%zu] (%s): type is required for "
                            "a mount that is not a bind mount", i,
                            m->destination);
    if (m->bind && m->source == NULL)
      return dxc_error_new (err, CTX "mounts[%zu] (%s): a bind mount needs a "
                            "source", i, m->destination);
  }
  return 0;
}

static const struct
{
  const char *name;
  int flag;
} ns_names[] = {
  { "pid", CLONE_NEWPID },       { "network", CLONE_NEWNET },
  { "mount", CLONE_NEWNS },      { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS },       { "cgroup", CLONE_NEWCGROUP },
  { "user", CLONE_NEWUSER },     { "time", CLONE_NEWTIME },
};

const char *
dxc_ns_name (int flag)
{
  for (size_t k = 0; k < sizeof (ns_names) / sizeof (ns_names[0]); k++)
    if (ns_names[k].flag == flag)
      return ns_names[k].name;
  return "?";
}

static int
parse_namespaces (json_t *arr, dxc_spec *s, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "linux.namespaces must be an array");
  json_array_foreach (arr, i, v)
  {
    const char *type = json_string_value (json_object_get (v, "type"));
    const char *path = json_string_value (json_object_get (v, "path"));
    size_t k;

    if (type == NULL)
      return dxc_error_new (err, CTX "linux.namespaces[%zu].type is required",
                            i);
    for (k = 0; k < sizeof (ns_names) / sizeof (ns_names[0]); k++)
      if (strcmp (ns_names[k].name, type) == 0)
        break;
    if (k == sizeof (ns_names) / sizeof (ns_names[0]))
      return dxc_error_new (err, CTX "linux.namespaces[%zu]: unknown type %s",
                            i, type);
    if (ns_names[k].flag == CLONE_NEWUSER || ns_names[k].flag == CLONE_NEWTIME)
      return dxc_error_new (err, CTX "linux.namespaces[%zu]: %s namespaces "
                            "are not supported yet by this runtime", i, type);
    if (dxc_spec_has_ns (s, ns_names[k].flag))
      return dxc_error_new (err, CTX "linux.namespaces: %s is listed twice",
                            type);
    if (path && path[0] != '/')
      return dxc_error_new (err, CTX "linux.namespaces[%zu] (%s): path must "
                            "be absolute, not %s", i, type, path);
    s->namespaces[s->n_namespaces].flag = ns_names[k].flag;
    s->namespaces[s->n_namespaces].path = path && *path ? strdup (path) : NULL;
    if (path == NULL || *path == '\0')
      s->new_ns_flags |= ns_names[k].flag;
    s->n_namespaces++;
  }
  return 0;
}

static int
parse_devices (json_t *arr, dxc_spec *s, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "linux.devices must be an array");
  s->devices = calloc (json_array_size (arr) + 1, sizeof (dxc_device));
  json_array_foreach (arr, i, v)
  {
    dxc_device *d = &s->devices[s->n_devices++];
    const char *type = json_string_value (json_object_get (v, "type"));
    char where[48];
    uint64_t u;
    bool present;

    snprintf (where, sizeof where, "linux.devices[%zu].", i);
    if (dxc_json_string (v, "path", where, true, &d->path, err) < 0)
      return -1;
    if (d->path[0] != '/')
      return dxc_error_new (err, CTX "%spath must be absolute", where);
    if (type == NULL)
      return dxc_error_new (err, CTX "%stype is required", where);
    if (strcmp (type, "c") == 0 || strcmp (type, "u") == 0)
      d->type = S_IFCHR;
    else if (strcmp (type, "b") == 0)
      d->type = S_IFBLK;
    else if (strcmp (type, "p") == 0)
      d->type = S_IFIFO;
    else
      return dxc_error_new (err, CTX "%stype must be c, b, u or p, not %s",
                            where, type);
    if (dxc_json_uint (v, "major", where, 4095, &present, &u, err) < 0)
      return -1;
    if (!present && d->type != S_IFIFO)
      return dxc_error_new (err, CTX "%smajor is required", where);
    d->major = u;
    if (dxc_json_uint (v, "minor", where, 1048575, &present, &u, err) < 0)
      return -1;
    if (!present && d->type != S_IFIFO)
      return dxc_error_new (err, CTX "%sminor is required", where);
    d->minor = u;
    if (dxc_json_uint (v, "fileMode", where, 07777, &present, &u, err) < 0)
      return -1;
    d->mode = present ? u : 0666;
    if (dxc_json_uint (v, "uid", where, UINT32_MAX - 1, &present, &u, err) < 0)
      return -1;
    d->uid = present ? u : 0;
    if (dxc_json_uint (v, "gid", where, UINT32_MAX - 1, &present, &u, err) < 0)
      return -1;
    d->gid = present ? u : 0;
  }
  return 0;
}

static int
parse_linux (json_t *lnx, dxc_spec *s, dxc_error **err)
{
  static const char *const unsupported[]
      = { "uidMappings", "gidMappings",
          "intelRdt", "personality", "mountLabel", "timeOffsets",
          "memoryPolicy", "netDevices", "rdma", NULL };
  json_t *sysctl;
  const char *key, *prop;
  json_t *v;

  if (lnx == NULL || json_is_null (lnx))
    return 0;
  if (!json_is_object (lnx))
    return dxc_error_new (err, CTX "linux must be an object");
  for (int i = 0; unsupported[i]; i++)
    if (dxc_json_refuse (lnx, unsupported[i], "linux.", err) < 0)
      return -1;
  if (dxc_parse_resources (json_object_get (lnx, "resources"), &s->resources,
                           err)
      < 0)
    return -1;
  v = json_object_get (lnx, "seccomp");
  if (v && !json_is_null (v) && dxc_seccomp_compile (v, &s->seccomp, err) < 0)
    return -1;
  if (dxc_json_string (lnx, "cgroupsPath", "linux.", false, &s->cgroups_path,
                       err)
      < 0)
    return -1;
  if (parse_namespaces (json_object_get (lnx, "namespaces"), s, err) < 0)
    return -1;
  if (dxc_json_strv (lnx, "maskedPaths", "linux.", &s->masked_paths, err) < 0
      || dxc_json_strv (lnx, "readonlyPaths", "linux.", &s->readonly_paths, err) < 0)
    return -1;
  if (parse_devices (json_object_get (lnx, "devices"), s, err) < 0)
    return -1;
  sysctl = json_object_get (lnx, "sysctl");
  if (sysctl && json_is_object (sysctl))
    {
      size_t n = 0;
      s->sysctls = calloc (json_object_size (sysctl) + 1, sizeof (dxc_sysctl));
      json_object_foreach (sysctl, key, v)
      {
        if (!json_is_string (v))
          return dxc_error_new (err, CTX "linux.sysctl.%s must be a string",
                                key);
        if (strstr (key, "..") || key[0] == '.' || key[0] == '/'
            || strchr (key, '/') != NULL)
          return dxc_error_new (err, CTX "linux.sysctl: invalid key %s", key);
        /* The longest name under /proc/sys is far below this; the child
           builds the path in a buffer of DXC_SYSCTL_KEY_MAX. */
        if (strlen (key) >= DXC_SYSCTL_KEY_MAX)
          return dxc_error_new (err, CTX "linux.sysctl: key %.40s... is "
                                "longer than %d bytes", key,
                                DXC_SYSCTL_KEY_MAX - 1);
        s->sysctls[n].key = strdup (key);
        s->sysctls[n].value = strdup (json_string_value (v));
        n++;
      }
      s->n_sysctls = n;
    }
  prop = json_string_value (json_object_get (lnx, "rootfsPropagation"));
  s->rootfs_propagation = MS_PRIVATE | MS_REC;
  if (prop && *prop)
    {
      size_t k;
      for (k = 0; k < sizeof (propagation_flags) / sizeof (propagation_flags[0]);
           k++)
        if (strcmp (propagation_flags[k].name, prop) == 0)
          break;
      if (k == sizeof (propagation_flags) / sizeof (propagation_flags[0]))
        return dxc_error_new (err, CTX "linux.rootfsPropagation: unknown "
                              "value %s", prop);
      s->rootfs_propagation = propagation_flags[k].flag | MS_REC;
    }
  return 0;
}

static int
check_hooks (json_t *hooks, dxc_error **err)
{
  const char *key;
  json_t *v;
  if (hooks == NULL || !json_is_object (hooks))
    return 0;
  json_object_foreach (hooks, key, v)
  {
    if (dxc_json_refuse (hooks, key, "hooks.", err) < 0)
      return -1;
  }
  return 0;
}

int
dxc_spec_from_json (json_t *json, dxc_spec **ret_spec, dxc_error **err)
{
  cleanup_spec dxc_spec *s = calloc (1, sizeof (*s));
  json_t *root, *hn;
  const char *ver;

  if (s == NULL)
    return dxc_error_errno (err, ENOMEM, "spec");
  s->json = json_incref (json);
  if (!json_is_object (json))
    return dxc_error_new (err, CTX "the document must be a JSON object");
  ver = json_string_value (json_object_get (json, "ociVersion"));
  if (ver == NULL)
    return dxc_error_new (err, CTX "ociVersion is required");
  if (strncmp (ver, "1.", 2) != 0)
    return dxc_error_new (err, CTX "ociVersion %s is not supported (1.x is)",
                          ver);
  if (parse_process (json_object_get (json, "process"), &s->process, err) < 0)
    return -1;
  root = json_object_get (json, "root");
  if (!json_is_object (root))
    return dxc_error_new (err, CTX "root is required and must be an object");
  if (dxc_json_string (root, "path", "root.", true, &s->root_path, err) < 0)
    return -1;
  s->root_readonly = json_is_true (json_object_get (root, "readonly"));
  hn = json_object_get (json, "hostname");
  if (dxc_json_string (json, "hostname", "", false, &s->hostname, err) < 0
      || dxc_json_string (json, "domainname", "", false, &s->domainname, err) < 0)
    return -1;
  (void) hn;
  if (s->hostname && strlen (s->hostname) > 64)
    return dxc_error_new (err, CTX "hostname %s is longer than 64 characters",
                          s->hostname);
  if (s->domainname && strlen (s->domainname) > 64)
    return dxc_error_new (err, CTX "domainname is longer than 64 characters");
  if (parse_mounts (json_object_get (json, "mounts"), s, err) < 0)
    return -1;
  if (parse_linux (json_object_get (json, "linux"), s, err) < 0)
    return -1;
  if (check_hooks (json_object_get (json, "hooks"), err) < 0)
    return -1;
  if (s->hostname && *s->hostname && !(s->new_ns_flags & CLONE_NEWUTS))
    return dxc_error_new (err, CTX "hostname is set but the container has no "
                          "uts namespace of its own");
  if (!dxc_spec_has_ns (s, CLONE_NEWNS))
    return dxc_error_new (err, CTX "linux.namespaces must include a mount "
                          "namespace");
  *ret_spec = take_ptr (s);
  return 0;
}

int
dxc_spec_load (const char *path, dxc_spec **ret_spec, dxc_error **err)
{
  json_error_t jerr;
  json_t *json = json_load_file (path, 0, &jerr);
  int r;

  if (json == NULL)
    {
      if (access (path, F_OK) < 0)
        return dxc_error_errno (err, errno, "open %s", path);
      return dxc_error_new (err, "%s: line %d: %s", path, jerr.line,
                            jerr.text);
    }
  r = dxc_spec_from_json (json, ret_spec, err);
  json_decref (json);
  return r;
}

bool
dxc_spec_has_ns (const dxc_spec *spec, int flag)
{
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].flag == flag)
      return true;
  return false;
}

static void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

void
dxc_spec_free (dxc_spec *s)
{
  if (s == NULL)
    return;
  json_decref (s->json);
  dxc_seccomp_clear (&s->seccomp);
  strv_free (s->process.args);
  strv_free (s->process.env);
  free (s->process.cwd);
  free (s->process.groups);
  free (s->process.rlimits);
  free (s->root_path);
  free (s->hostname);
  free (s->domainname);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      free (s->mounts[i].destination);
      free (s->mounts[i].type);
      free (s->mounts[i].source);
      free (s->mounts[i].data);
    }
  free (s->mounts);
  for (size_t i = 0; i < s->n_namespaces; i++)
    free (s->namespaces[i].path);
  strv_free (s->masked_paths);
  strv_free (s->readonly_paths);
  for (size_t i = 0; i < s->n_devices; i++)
    free (s->devices[i].path);
  free (s->devices);
  for (size_t i = 0; i < s->n_sysctls; i++)
    {
      free (s->sysctls[i].key);
      free (s->sysctls[i].value);
    }
  free (s->sysctls);
  dxc_resources_clear (&s->resources);
  free (s->cgroups_path);
  free (s);
}
