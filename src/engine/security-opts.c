/* Docker's security flags and its default seccomp profile: see
 * security-opts.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include "engine/security-opts.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

extern const char dxc_seccomp_default_start[], dxc_seccomp_default_end[];

/* The machine's architecture as Docker's profile names it (Go's GOARCH) and
   as libseccomp does. */
#if defined(__x86_64__)
#define GO_ARCH "amd64"
#define SCMP_NATIVE "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define GO_ARCH "arm64"
#define SCMP_NATIVE "SCMP_ARCH_AARCH64"
#elif defined(__s390x__)
#define GO_ARCH "s390x"
#define SCMP_NATIVE "SCMP_ARCH_S390X"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GO_ARCH "ppc64le"
#define SCMP_NATIVE "SCMP_ARCH_PPC64LE"
#elif defined(__riscv) && __riscv_xlen == 64
#define GO_ARCH "riscv64"
#define SCMP_NATIVE "SCMP_ARCH_RISCV64"
#else
#error "add this architecture's names"
#endif

int
dxc_security_opt_parse (const char *value, dxc_security_opts *o,
                        dxc_error **err)
{
  const char *eq = strchr (value, '=');
  /* Docker also takes the older "key:value". */
  const char *sep = eq ? eq : strchr (value, ':');
  size_t kl = sep ? (size_t) (sep - value) : strlen (value);
  const char *v = sep ? sep + 1 : NULL;

  if (kl == strlen ("no-new-privileges")
      && strncmp (value, "no-new-privileges", kl) == 0)
    {
      if (v == NULL || strcmp (v, "true") == 0)
        o->no_new_privileges = true;
      else if (strcmp (v, "false") == 0)
        o->no_new_privileges = false;
      else
        return dxc_error_new (err, "invalid --security-opt %s: "
                              "no-new-privileges takes true or false", value);
      return 0;
    }
  if (kl == strlen ("seccomp") && strncmp (value, "seccomp", kl) == 0)
    {
      if (v == NULL || *v == '\0')
        return dxc_error_new (err, "invalid --security-opt %s: seccomp= "
                              "takes unconfined or a profile file", value);
      o->seccomp = v;
      return 0;
    }
  return dxc_error_new (err, "invalid --security-opt %s: supported are "
                        "seccomp=unconfined|FILE and no-new-privileges", value);
}

/* "net_admin", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "ALL" stays. */
static char *
cap_name (const char *in)
{
  char *out = NULL;
  if (strcasecmp (in, "ALL") == 0)
    return strdup ("ALL");
  if (asprintf (&out, "%s%s", strncasecmp (in, "CAP_", 4) == 0 ? "" : "CAP_",
                in)
      < 0)
    return NULL;
  for (char *p = out; *p; p++)
    if (*p >= 'a' && *p <= 'z')
      *p -= 'a' - 'A';
  return out;
}

static int
check_caps (const char **names, size_t n, const char *flag, dxc_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *c = cap_name (names[i]);
      if (c == NULL || (strcmp (c, "ALL") != 0 && dxc_cap_from_name (c) < 0))
        return dxc_error_new (err, "invalid --%s %s: unknown capability", flag,
                              names[i]);
    }
  return 0;
}

/* ---- devices --------------------------------------------------------- */

typedef struct device_arg
{
  char *host, *container, *perms;
} device_arg;

static void
device_arg_clear (device_arg *d)
{
  free (d->host);
  free (d->container);
  free (d->perms);
}

static bool
perms_ok (const char *p)
{
  if (*p == '\0' || strlen (p) > 3)
    return false;
  for (; *p; p++)
    if (!strchr ("rwm", *p))
      return false;
  return true;
}

/* HOST[:CONTAINER[:PERMS]], or HOST:PERMS as Docker also reads it. */
static int
parse_device (const char *arg, device_arg *d, dxc_error **err)
{
  char *copy = strdup (arg), *a, *b, *c;
  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "--device");
  a = copy;
  b = strchr (a, ':');
  if (b)
    *b++ = '\0';
  c = b ? strchr (b, ':') : NULL;
  if (c)
    *c++ = '\0';
  if (b && !c && perms_ok (b))
    {
      c = b;
      b = NULL;
    }
  d->host = strdup (a);
  d->container = strdup (b && *b ? b : a);
  d->perms = strdup (c ? c : "rwm");
  free (copy);
  if (d->host[0] != '/' || d->container[0] != '/')
    return dxc_error_new (err, "invalid --device %s: the paths must be "
                          "absolute", arg);
  if (!perms_ok (d->perms))
    return dxc_error_new (err, "invalid --device %s: permissions are r, w "
                          "and m", arg);
  return 0;
}

/* "c 1:3 rwm", "b 8:* rw", "a *:* rwm" -> a linux.resources.devices rule. */
static json_t *
parse_rule (const char *s)
{
  char type, perms[8];
  char maj[16], min[16];
  json_t *r;
  if (sscanf (s, " %c %15[0-9*]:%15[0-9*] %7s", &type, maj, min, perms) != 4
      || !strchr ("abc", type) || !perms_ok (perms))
    return NULL;
  r = json_pack ("{s:b, s:s%, s:s}", "allow", 1, "type", &type, (size_t) 1,
                 "access", perms);
  if (strcmp (maj, "*") != 0)
    json_object_set_new (r, "major", json_integer (atoll (maj)));
  if (strcmp (min, "*") != 0)
    json_object_set_new (r, "minor", json_integer (atoll (min)));
  return r;
}

static json_t *
device_json (const char *path, const struct stat *st, const char *perms,
             json_t *rules)
{
  char t[2] = { S_ISBLK (st->st_mode) ? 'b' : 'c', 0 };
  json_array_append_new (rules,
                         json_pack ("{s:b, s:s, s:I, s:I, s:s}", "allow", 1,
                                    "type", t, "major",
                                    (json_int_t) major (st->st_rdev), "minor",
                                    (json_int_t) minor (st->st_rdev), "access",
                                    perms));
  return json_pack ("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", path, "type",
                    t, "major", (json_int_t) major (st->st_rdev), "minor",
                    (json_int_t) minor (st->st_rdev), "fileMode",
                    (int) (st->st_mode & 07777), "uid",
                    (json_int_t) st->st_uid, "gid", (json_int_t) st->st_gid);
}

/* The device nodes under host dir (Docker's --device DIR and
   --privileged), as container paths under cdir. */
static void
add_tree (const char *hdir, const char *cdir, const char *perms, bool top,
          json_t *devices, json_t *rules)
{
  cleanup_dir DIR *d = opendir (hdir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      char hp[4096], cp[4096];
      struct stat st;
      if (de->d_name[0] == '.')
        continue;
      /* Not the kernel file systems the runtime mounts itself. */
      if (top && (strcmp (de->d_name, "pts") == 0
                  || strcmp (de->d_name, "shm") == 0
                  || strcmp (de->d_name, "mqueue") == 0
                  || strcmp (de->d_name, "console") == 0
                  || strcmp (de->d_name, "ptmx") == 0))
        continue;
      snprintf (hp, sizeof hp, "%s/%s", hdir, de->d_name);
      snprintf (cp, sizeof cp, "%s/%s", cdir, de->d_name);
      if (lstat (hp, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        add_tree (hp, cp, perms, false, devices, rules);
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        json_array_append_new (devices, device_json (cp, &st, perms, rules));
    }
}

static int
add_devices (const dxc_security_opts *o, json_t *spec, dxc_error **err)
{
  json_t *lnx = json_object_get (spec, "linux");
  json_t *res = json_object_get (lnx, "resources");
  json_t *devices = json_object_get (lnx, "devices");
  json_t *rules = json_object_get (res, "devices");

  if (devices == NULL)
    {
      devices = json_array ();
      json_object_set_new (lnx, "devices", devices);
    }
  if (rules == NULL)
    rules = json_array (); /* no cgroup: rules go nowhere */
  else
    json_incref (rules);
  if (o->privileged)
    {
      add_tree ("/dev", "/dev", "rwm", true, devices, rules);
      json_array_append_new (rules, json_pack ("{s:b, s:s}", "allow", 1,
                                               "access", "rwm"));
    }
  for (size_t i = 0; i < o->n_devices; i++)
    {
      device_arg d = { 0 };
      struct stat st;
      if (parse_device (o->devices[i], &d, err) < 0 || stat (d.host, &st) < 0)
        {
          if (*err == NULL)
            dxc_error_errno (err, errno, "error gathering device information "
                             "while adding custom device \"%s\"", d.host);
          device_arg_clear (&d);
          json_decref (rules);
          return -1;
        }
      if (S_ISDIR (st.st_mode))
        add_tree (d.host, d.container, d.perms, false, devices, rules);
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        json_array_append_new (devices,
                               device_json (d.container, &st, d.perms, rules));
      else
        {
          dxc_error_new (err, "error gathering device information while "
                         "adding custom device \"%s\": not a device node",
                         d.host);
          device_arg_clear (&d);
          json_decref (rules);
          return -1;
        }
      device_arg_clear (&d);
    }
  for (size_t i = 0; i < o->n_device_rules; i++)
    json_array_append_new (rules, parse_rule (o->device_rules[i]));
  json_decref (rules);
  return 0;
}

/* --privileged: no masks, no read-only paths, /sys and its cgroups
   writable, as Docker does. */
static void
unmask (json_t *spec)
{
  json_t *lnx = json_object_get (spec, "linux"), *m;
  size_t i;
  json_object_del (lnx, "maskedPaths");
  json_object_del (lnx, "readonlyPaths");
  json_array_foreach (json_object_get (spec, "mounts"), i, m)
    {
      const char *dst = json_string_value (json_object_get (m, "destination"));
      json_t *opts = json_object_get (m, "options"), *v;
      size_t k;
      if (dst == NULL || (strcmp (dst, "/sys") != 0
                          && strcmp (dst, "/sys/fs/cgroup") != 0))
        continue;
      json_array_foreach (opts, k, v)
        if (json_string_value (v) && strcmp (json_string_value (v), "ro") == 0)
          {
            json_array_set_new (opts, k, json_string ("rw"));
            break;
          }
    }
}

int
dxc_security_check (const dxc_security_opts *o, dxc_error **err)
{
  if (check_caps (o->cap_add, o->n_cap_add, "cap-add", err) < 0
      || check_caps (o->cap_drop, o->n_cap_drop, "cap-drop", err) < 0)
    return -1;
  for (size_t i = 0; i < o->n_devices; i++)
    {
      device_arg d = { 0 };
      int r = parse_device (o->devices[i], &d, err);
      device_arg_clear (&d);
      if (r < 0)
        return -1;
    }
  for (size_t i = 0; i < o->n_device_rules; i++)
    {
      json_t *r = parse_rule (o->device_rules[i]);
      if (r == NULL)
        return dxc_error_new (err, "invalid --device-cgroup-rule %s: TYPE "
                              "MAJOR:MINOR ACCESS, like \"c 1:3 rwm\"",
                              o->device_rules[i]);
      json_decref (r);
    }
  if (o->seccomp && strcmp (o->seccomp, "unconfined") != 0
      && !dxc_path_exists (o->seccomp))
    return dxc_error_new (err, "invalid --security-opt seccomp=%s: no such "
                          "file", o->seccomp);
  return 0;
}

static bool
listed (const char **names, size_t n, const char *cap)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *c = cap_name (names[i]);
      if (c && (strcmp (c, cap) == 0 || strcmp (c, "ALL") == 0))
        return true;
    }
  return false;
}

/* Docker's rule: the default set, plus --cap-add (ALL: every capability),
   minus --cap-drop (ALL: none but those added). */
static json_t *
caps_after_flags (const dxc_security_opts *o, json_t *defaults)
{
  json_t *out = json_array (), *v;
  bool drop_all = false;
  size_t i;

  for (i = 0; i < o->n_cap_drop; i++)
    drop_all |= strcasecmp (o->cap_drop[i], "ALL") == 0;
  for (int c = 0; c < 64; c++)
    {
      char *n = cap_to_name (c);
      bool in_default = false, keep;
      if (n == NULL || strncasecmp (n, "cap_", 4) != 0)
        {
          cap_free (n);
          continue;
        }
      for (char *p = n; *p; p++)
        if (*p >= 'a' && *p <= 'z')
          *p -= 'a' - 'A';
      json_array_foreach (defaults, i, v)
        in_default |= json_string_value (v)
                      && strcmp (json_string_value (v), n) == 0;
      /* "ALL" is every capability this process may give, as moby reads
         it from its own bounding set (here, root may lack some). */
      keep = (in_default && !drop_all && !listed (o->cap_drop, o->n_cap_drop, n))
             || (listed (o->cap_add, o->n_cap_add, n)
                 && prctl (PR_CAPBSET_READ, c, 0, 0, 0) == 1
                 && !(listed (o->cap_drop, o->n_cap_drop, n) && !drop_all));
      if (keep && dxc_cap_from_name (n) >= 0)
        json_array_append_new (out, json_string (n));
      cap_free (n);
    }
  return out;
}

/* Docker's kernel check: "4.8" <= the running kernel's major.minor. */
static bool
kernel_at_least (const char *kernel, const char *min)
{
  unsigned km = 0, kn = 0, mm = 0, mn = 0;
  sscanf (kernel, "%u.%u", &km, &kn);
  sscanf (min, "%u.%u", &mm, &mn);
  return km > mm || (km == mm && kn >= mn);
}

static bool
str_in (json_t *arr, const char *s)
{
  size_t i;
  json_t *v;
  json_array_foreach (arr, i, v)
    if (json_string_value (v) && strcmp (json_string_value (v), s) == 0)
      return true;
  return false;
}

/* Whether a rule of the profile applies here, as moby decides it: every
   capability of includes.caps held, the architecture among includes.arches,
   the kernel at least includes.minKernel; none of excludes.caps held, the
   architecture not among excludes.arches. */
static bool
rule_applies (json_t *rule, json_t *caps, const char *arch,
              const char *kernel)
{
  json_t *inc = json_object_get (rule, "includes");
  json_t *exc = json_object_get (rule, "excludes"), *v;
  const char *mk = json_string_value (json_object_get (inc, "minKernel"));
  size_t i;

  json_array_foreach (json_object_get (inc, "caps"), i, v)
    if (!str_in (caps, json_string_value (v) ? json_string_value (v) : ""))
      return false;
  if (json_array_size (json_object_get (inc, "arches"))
      && !str_in (json_object_get (inc, "arches"), arch))
    return false;
  if (mk && !kernel_at_least (kernel, mk))
    return false;
  json_array_foreach (json_object_get (exc, "caps"), i, v)
    if (str_in (caps, json_string_value (v) ? json_string_value (v) : ""))
      return false;
  if (str_in (json_object_get (exc, "arches"), arch))
    return false;
  return true;
}

int
dxc_seccomp_profile_to_oci (const char *text, size_t len, json_t *caps,
                            const char *arch, const char *kernel,
                            json_t **ret, dxc_error **err)
{
  json_error_t jerr;
  json_t *prof = json_loadb (text, len, 0, &jerr);
  json_t *out, *archs, *rules, *v;
  size_t i;
  static const char *const copied[]
      = { "defaultAction", "defaultErrnoRet", "flags", NULL };

  if (!json_is_object (prof))
    {
      json_decref (prof);
      return dxc_error_new (err, "seccomp profile: %s",
                            prof ? "not a JSON object" : jerr.text);
    }
  out = json_object ();
  for (i = 0; copied[i]; i++)
    if (json_object_get (prof, copied[i]))
      json_object_set (out, copied[i], json_object_get (prof, copied[i]));
  /* archMap: this machine's architecture and its sub-architectures; or the
     profile's plain list. */
  archs = json_array ();
  json_array_foreach (json_object_get (prof, "archMap"), i, v)
    if (json_string_value (json_object_get (v, "architecture"))
        && strcmp (json_string_value (json_object_get (v, "architecture")),
                   SCMP_NATIVE) == 0)
      {
        json_t *sub;
        size_t k;
        json_array_append (archs, json_object_get (v, "architecture"));
        json_array_foreach (json_object_get (v, "subArchitectures"), k, sub)
          json_array_append (archs, sub);
      }
  if (json_array_size (archs) == 0 && json_is_array (json_object_get (prof, "architectures")))
    json_array_extend (archs, json_object_get (prof, "architectures"));
  json_object_set_new (out, "architectures", archs);
  rules = json_array ();
  json_array_foreach (json_object_get (prof, "syscalls"), i, v)
    {
      json_t *r;
      if (!rule_applies (v, caps, arch, kernel))
        continue;
      r = json_pack ("{s:O, s:O}", "names", json_object_get (v, "names"),
                     "action", json_object_get (v, "action"));
      if (r == NULL)
        {
          json_decref (rules);
          json_decref (out);
          json_decref (prof);
          return dxc_error_new (err, "seccomp profile: syscalls[%zu] needs "
                                "names and an action", i);
        }
      if (json_object_get (v, "args") && !json_is_null (json_object_get (v, "args")))
        json_object_set (r, "args", json_object_get (v, "args"));
      if (json_is_integer (json_object_get (v, "errnoRet")))
        json_object_set (r, "errnoRet", json_object_get (v, "errnoRet"));
      json_array_append_new (rules, r);
    }
  json_object_set_new (out, "syscalls", rules);
  json_decref (prof);
  *ret = out;
  return 0;
}

int
dxc_security_to_spec (const dxc_security_opts *o, json_t *spec,
                      dxc_error **err)
{
  json_t *process = json_object_get (spec, "process");
  json_t *capsobj = json_object_get (process, "capabilities");
  const char *all[] = { "ALL" };
  dxc_security_opts priv = *o;
  json_t *caps;
  static const char *const sets[]
      = { "bounding", "effective", "permitted", NULL };

  if (o->privileged)
    {
      /* Every capability, no filter (Docker's --privileged). */
      priv.cap_add = all;
      priv.n_cap_add = 1;
      priv.cap_drop = NULL;
      priv.n_cap_drop = 0;
      o = &priv;
      unmask (spec);
    }
  if (add_devices (o, spec, err) < 0)
    return -1;
  caps = caps_after_flags (o, json_object_get (capsobj, "bounding"));
  for (int i = 0; sets[i]; i++)
    json_object_set (capsobj, sets[i], caps);
  json_decref (caps);
  if (o->no_new_privileges)
    json_object_set_new (process, "noNewPrivileges", json_true ());
  return 0;
}

/* The profile's text: Docker's default, or the file of --security-opt. */
static int
profile_text (const dxc_security_opts *o, char **ret_file, const char **text,
              size_t *len, dxc_error **err)
{
  *text = dxc_seccomp_default_start;
  *len = dxc_seccomp_default_end - dxc_seccomp_default_start;
  if (o->seccomp == NULL)
    return 0;
  if (dxc_read_file (o->seccomp, ret_file, len, err) < 0)
    return dxc_error_prefix (err, "--security-opt seccomp");
  *text = *ret_file;
  return 0;
}

static int
profile_to_oci (const dxc_security_opts *o, const char *text, size_t len,
                json_t *caps, const char *kernel, json_t **ret,
                dxc_error **err)
{
  if (dxc_seccomp_profile_to_oci (text, len, caps, GO_ARCH, kernel, ret, err)
      < 0)
    return dxc_error_prefix (err, "%s", o->seccomp ? o->seccomp
                                                   : "the default seccomp "
                                                     "profile");
  return 0;
}

static bool
unconfined (const dxc_security_opts *o)
{
  return o->privileged || (o->seccomp && strcmp (o->seccomp, "unconfined") == 0);
}

int
dxc_security_seccomp_json (const dxc_security_opts *o, json_t *spec,
                           dxc_error **err)
{
  json_t *caps = json_object_get (
      json_object_get (json_object_get (spec, "process"), "capabilities"),
      "bounding");
  cleanup_free char *file = NULL;
  const char *text;
  size_t len;
  struct utsname u;
  json_t *sec;

  if (unconfined (o))
    return 0;
  uname (&u);
  if (profile_text (o, &file, &text, &len, err) < 0
      || profile_to_oci (o, text, len, caps, u.release, &sec, err) < 0)
    return -1;
  json_object_set_new (json_object_get (spec, "linux"), "seccomp", sec);
  return 0;
}

int
dxc_security_seccomp (const dxc_security_opts *o, json_t *spec,
                      dxc_seccomp *ret, dxc_error **err)
{
  json_t *caps = json_object_get (
      json_object_get (json_object_get (spec, "process"), "capabilities"),
      "bounding");
  cleanup_free char *file = NULL, *key = NULL, *caps_text = NULL;
  cleanup_free char *source = NULL;
  const char *text;
  size_t len;
  struct utsname u;
  json_t *sec;

  memset (ret, 0, sizeof *ret);
  if (unconfined (o))
    return 0;
  uname (&u);
  if (profile_text (o, &file, &text, &len, err) < 0)
    return -1;
  /* Everything the translation and the compilation depend on; the default
     profile by its SHA-256 (a key of 13 kB costs more to build, hash and
     compare than the rest of the lookup), a file by its whole text. */
  caps_text = json_dumps (caps, JSON_COMPACT | JSON_ENCODE_ANY);
  if (caps_text == NULL
      || asprintf (&key, "engine profile 1\n%s %s\n%s\n%s%.*s", GO_ARCH,
                   u.release, caps_text,
                   o->seccomp ? "" : "default sha256:" DXC_SECCOMP_DEFAULT_SHA256,
                   o->seccomp ? (int) len : 0, text)
             < 0)
    return dxc_error_errno (err, ENOMEM, "seccomp profile");
  if ((o->seccomp == NULL || memchr (text, '\0', len) == NULL)
      && dxc_seccomp_cache_get (key, ret))
    {
      if (ret->source)
        return 0;
      dxc_seccomp_clear (ret);
    }
  if (profile_to_oci (o, text, len, caps, u.release, &sec, err) < 0)
    return -1;
  source = json_dumps (sec, JSON_COMPACT);
  /* The runtime's own checks and compilation (a Docker profile has no
     listenerPath: one with a notify action fails here). */
  if (source == NULL || dxc_seccomp_compile (sec, ret, err) < 0)
    {
      json_decref (sec);
      if (source == NULL)
        return dxc_error_errno (err, ENOMEM, "seccomp profile");
      return dxc_error_prefix (err, "%s", o->seccomp ? o->seccomp
                                                     : "the default seccomp "
                                                       "profile");
    }
  json_decref (sec);
  ret->source = source;
  source = NULL;
  dxc_seccomp_cache_put (key, ret);
  return 0;
}
