/* Spec generation: see specgen.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/spec-default.h"
#include "specgen.h"

json_t *
dxc_image_config_inner (const dxc_image *img)
{
  json_t *c = json_object_get (img->config, "config");
  if (!json_is_object (c))
    c = json_object_get (img->config, "container_config");
  return json_is_object (c) ? c : NULL;
}

int
dxc_specgen_check (const dxc_run_options *o, dxc_error **err)
{
  if (o->workdir && o->workdir[0] != '/')
    return dxc_error_new (err, "the working directory '%s' is invalid, it "
                          "needs to be an absolute path", o->workdir);
  if (dxc_security_check (&o->security, err) < 0)
    return -1;
  for (size_t i = 0; i < o->n_env; i++)
    if (o->env[i][0] == '=' || o->env[i][0] == '\0')
      return dxc_error_new (err, "invalid environment variable: %s",
                            o->env[i]);
  if (o->hostname && (strlen (o->hostname) > 64 || *o->hostname == '\0'))
    return dxc_error_new (err, "invalid hostname %s: at most 64 characters",
                          o->hostname);
  if (o->hostname)
    for (const char *p = o->hostname; *p; p++)
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
            || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
        return dxc_error_new (err, "invalid hostname %s: letters, digits, "
                              "'-' and '.' only", o->hostname);
  if (o->mounts && dxc_mounts_check (o->mounts, err) < 0)
    return -1;
  if (dxc_net_check (&o->net, err) < 0)
    return -1;
  return dxc_limits_check (&o->limits, err);
}

/* Set K=V in an env array, replacing an earlier K. */
static void
env_set (json_t *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t klen = eq ? (size_t) (eq - kv) : strlen (kv);
  size_t i;
  json_t *v;

  json_array_foreach (env, i, v)
  {
    const char *s = json_string_value (v);
    if (s && strncmp (s, kv, klen) == 0 && s[klen] == '=')
      {
        json_array_set_new (env, i, json_string (kv));
        return;
      }
  }
  json_array_append_new (env, json_string (kv));
}

static bool
env_has (json_t *env, const char *key)
{
  size_t i, klen = strlen (key);
  json_t *v;
  json_array_foreach (env, i, v)
  {
    const char *s = json_string_value (v);
    if (s && strncmp (s, key, klen) == 0 && s[klen] == '=')
      return true;
  }
  return false;
}

static json_t *
make_args (json_t *ic, const dxc_run_options *o, dxc_error **err)
{
  json_t *args = json_array ();
  json_t *ep = json_object_get (ic, "Entrypoint");
  json_t *cmd = json_object_get (ic, "Cmd");
  bool user_cmd = o->cmd && o->cmd[0];
  size_t i;
  json_t *v;

  if (o->entrypoint)
    {
      if (*o->entrypoint)
        json_array_append_new (args, json_string (o->entrypoint));
      /* Docker: a new entrypoint drops the image's Cmd too. */
      cmd = NULL;
    }
  else if (json_is_array (ep))
    json_array_extend (args, ep);
  if (user_cmd)
    for (char **c = o->cmd; *c; c++)
      json_array_append_new (args, json_string (*c));
  else if (json_is_array (cmd))
    json_array_foreach (cmd, i, v) json_array_append (args, v);
  if (json_array_size (args) == 0)
    {
      json_decref (args);
      dxc_error_new (err, "no command specified: the image has no Entrypoint "
                     "or Cmd; give one after the image name");
      return NULL;
    }
  return args;
}

int
dxc_specgen (const dxc_image *img, const dxc_run_options *o, const char *id,
             const char *rootfs, const dxc_user *user, json_t **ret,
             dxc_error **err)
{
  json_t *spec = dxc_spec_default ();
  json_t *process = json_object_get (spec, "process");
  json_t *ic = dxc_image_config_inner (img);
  json_t *args, *env = json_array (), *groups = json_array (), *v;
  const char *wd = o->workdir;
  char hostname[65];
  size_t i;

  args = make_args (ic, o, err);
  if (args == NULL)
    {
      json_decref (spec);
      json_decref (env);
      json_decref (groups);
      return -1;
    }
  snprintf (hostname, sizeof hostname, "%s", o->hostname ? o->hostname : id);
  if (!o->hostname)
    hostname[12] = '\0';

  /* Environment: PATH, HOSTNAME, TERM, the image's, the flags'. */
  env_set (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                "/sbin:/bin");
  {
    char h[128];
    snprintf (h, sizeof h, "HOSTNAME=%s", hostname);
    env_set (env, h);
  }
  if (o->tty)
    env_set (env, "TERM=xterm");
  json_array_foreach (json_object_get (ic, "Env"), i, v)
    if (json_is_string (v))
      env_set (env, json_string_value (v));
  for (i = 0; i < o->n_env; i++)
    {
      if (strchr (o->env[i], '='))
        env_set (env, o->env[i]);
      else if (getenv (o->env[i]))
        {
          char *kv = NULL;
          if (asprintf (&kv, "%s=%s", o->env[i], getenv (o->env[i])) >= 0)
            env_set (env, kv);
          free (kv);
        }
    }
  if (!env_has (env, "HOME"))
    {
      char *kv = NULL;
      if (asprintf (&kv, "HOME=%s", user->home ? user->home : "/") >= 0)
        env_set (env, kv);
      free (kv);
    }

  if (wd == NULL || *wd == '\0')
    wd = json_string_value (json_object_get (ic, "WorkingDir"));
  if (wd == NULL || *wd == '\0')
    wd = "/";
  for (i = 0; i < user->n_groups; i++)
    json_array_append_new (groups, json_integer (user->groups[i]));

  json_object_set_new (process, "args", args);
  json_object_set_new (process, "env", env);
  json_object_set_new (process, "cwd", json_string (wd));
  json_object_set_new (process, "terminal", json_boolean (o->tty));
  json_object_set_new (process, "user",
                       json_pack ("{s:I, s:I, s:o}", "uid",
                                  (json_int_t) user->uid, "gid",
                                  (json_int_t) user->gid, "additionalGids",
                                  groups));
  json_object_set_new (spec, "hostname", json_string (hostname));
  dxc_limits_to_spec (&o->limits, id, spec);
  /* After the resources (device rules are added to them). */
  if (dxc_security_to_spec (&o->security, spec, err) < 0)
    {
      json_decref (spec);
      return -1;
    }
  if (o->mounts)
    dxc_mounts_to_spec (o->mounts, spec);
  if (o->read_only)
    json_object_set_new (json_object_get (spec, "root"), "readonly",
                         json_true ());
  json_object_set_new (json_object_get (spec, "root"), "path",
                       json_string (rootfs));
  *ret = spec;
  return 0;
}
