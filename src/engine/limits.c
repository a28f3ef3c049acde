/* Docker's resource flags: see limits.h. The messages are Docker's where it
 * has one, so that scripts and users recognise them. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "util/fs.h"

#define MIN_MEMORY (6LL * 1024 * 1024) /* Docker's linuxMinMemory */

int
dxc_parse_size (const char *s, int64_t *ret)
{
  char *end;
  double v;
  int64_t mult = 1;

  const char *p = s;

  /* digits[.digits] only: strtod alone would take 0x10, inf or 1e3 */
  if (s == NULL || !isdigit ((unsigned char) *s))
    return -1;
  while (isdigit ((unsigned char) *p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!isdigit ((unsigned char) *p))
        return -1;
      while (isdigit ((unsigned char) *p))
        p++;
    }
  errno = 0;
  v = strtod (s, &end);
  if (errno || end != p)
    return -1;
  if (*end == ' ')
    end++;
  switch (tolower ((unsigned char) *end))
    {
    case 'k': mult = 1LL << 10; end++; break;
    case 'm': mult = 1LL << 20; end++; break;
    case 'g': mult = 1LL << 30; end++; break;
    case 't': mult = 1LL << 40; end++; break;
    case 'p': mult = 1LL << 50; end++; break;
    default: break;
    }
  if (mult > 1 && tolower ((unsigned char) *end) == 'i')
    end++;
  if (tolower ((unsigned char) *end) == 'b')
    end++;
  if (*end != '\0' || v * mult >= 9.2e18)
    return -1;
  *ret = (int64_t) (v * mult);
  return 0;
}

void
dxc_format_size (int64_t bytes, char *buf, size_t len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = bytes;
  int u = 0;
  while (v >= 1024 && u < 4)
    {
      v /= 1024;
      u++;
    }
  if (v == (double) (int64_t) v)
    snprintf (buf, len, "%.0f %s", v, units[u]);
  else
    snprintf (buf, len, "%.1f %s", v, units[u]);
}

static int
bad_value (const char *flag, const char *value, const char *why,
           dxc_error **err)
{
  return dxc_error_new (err, "invalid argument \"%s\" for \"--%s\" flag: %s",
                        value, flag, why);
}

static int
parse_int (const char *flag, const char *value, int64_t *ret, dxc_error **err)
{
  char *end;
  long long v;
  errno = 0;
  v = strtoll (value, &end, 10);
  if (errno || end == value || *end)
    return bad_value (flag, value, "not an integer", err);
  *ret = v;
  return 0;
}

/* A list like 0-2,4 of numbers each at most max (the machine's last CPU or
   memory node). Returns 0, -1 when malformed, 1 when out of range. */
static int
check_list (const char *list, long max)
{
  const char *p = list;
  if (*p == '\0')
    return -1;
  while (*p)
    {
      char *end;
      long a = strtol (p, &end, 10), b;
      if (end == p || a < 0)
        return -1;
      b = a;
      p = end;
      if (*p == '-')
        {
          b = strtol (p + 1, &end, 10);
          if (end == p + 1 || b < a)
            return -1;
          p = end;
        }
      if (*p == ',')
        p++;
      else if (*p)
        return -1;
      if (b > max)
        return 1;
    }
  return 0;
}

/* The last number of a sysfs list ("0-1" -> 1). */
static long
online_max (const char *path, char *buf, size_t len)
{
  cleanup_free char *data = NULL;
  size_t n;
  const char *last;
  if (dxc_read_file (path, &data, &n, NULL) < 0)
    {
      snprintf (buf, len, "0");
      return 0;
    }
  data[strcspn (data, "\n")] = '\0';
  snprintf (buf, len, "%s", data);
  last = data + strcspn (data, "");
  while (last > data && (isdigit ((unsigned char) last[-1])))
    last--;
  return strtol (last, NULL, 10);
}

int
dxc_limits_set (dxc_limits *l, const char *flag, const char *value,
                dxc_error **err)
{
  int64_t v;

  if (strcmp (flag, "memory") == 0 || strcmp (flag, "memory-reservation") == 0)
    {
      if (dxc_parse_size (value, &v) < 0)
        {
          char why[128];
          snprintf (why, sizeof why, "invalid size: '%s'", value);
          return bad_value (flag, value, why, err);
        }
      if (v == 0)
        return bad_value (flag, value, "a size above 0 (Minimum memory limit "
                          "allowed is 6MB)", err);
      *(flag[6] ? &l->memory_reservation : &l->memory) = v;
      return 0;
    }
  if (strcmp (flag, "memory-swap") == 0)
    {
      if (strcmp (value, "-1") == 0)
        v = -1;
      else if (dxc_parse_size (value, &v) < 0 || v == 0)
        {
          char why[128];
          snprintf (why, sizeof why, "invalid size: '%s' (a size, or -1 for "
                    "unlimited swap)", value);
          return bad_value (flag, value, why, err);
        }
      l->memory_swap = v;
      return 0;
    }
  if (strcmp (flag, "cpus") == 0)
    {
      char *end;
      double d;
      errno = 0;
      d = strtod (value, &end);
      /* strtod takes "inf" and "nan": a cast of either to an integer is
         undefined. Far above any machine's CPUs is refused here. */
      if (errno || end == value || *end || !(d > 0 && d < 1e6))
        return bad_value (flag, value, "a number of CPUs above 0, like 0.5 "
                          "or 2", err);
      l->nano_cpus = (int64_t) (d * 1e9 + 0.5);
      return 0;
    }
  if (strcmp (flag, "cpuset-cpus") == 0)
    {
      l->cpuset_cpus = value;
      return 0;
    }
  if (strcmp (flag, "cpuset-mems") == 0)
    {
      l->cpuset_mems = value;
      return 0;
    }
  if (strcmp (flag, "cgroup-parent") == 0)
    {
      if (*value == '\0' || strstr (value, "..") || strchr (value, ':'))
        return bad_value (flag, value, "a cgroup path without '..' or ':'",
                          err);
      l->cgroup_parent = value;
      return 0;
    }
  if (strcmp (flag, "cgroupns") == 0)
    {
      if (strcmp (value, "host") != 0 && strcmp (value, "private") != 0)
        return bad_value (flag, value, "host or private", err);
      l->cgroupns = value;
      return 0;
    }
  if (strcmp (flag, "cgroups") == 0)
    {
      if (strcmp (value, "enabled") != 0 && strcmp (value, "disabled") != 0)
        return bad_value (flag, value, "enabled or disabled", err);
      l->no_cgroup = strcmp (value, "disabled") == 0;
      return 0;
    }
  if (parse_int (flag, value, &v, err) < 0)
    return -1;
  if (strcmp (flag, "cpu-shares") == 0)
    {
      if (v <= 0)
        return bad_value (flag, value, "a relative weight above 0 (1024 is "
                          "the default)", err);
      l->cpu_shares = v;
    }
  else if (strcmp (flag, "cpu-quota") == 0)
    {
      if (v == 0 || v < -1)
        return bad_value (flag, value, "microseconds per period, at least "
                          "1000, or -1 for no quota", err);
      l->cpu_quota = v;
    }
  else if (strcmp (flag, "cpu-period") == 0)
    {
      if (v <= 0)
        return bad_value (flag, value, "microseconds, from 1000 to 1000000",
                          err);
      l->cpu_period = v;
    }
  else if (strcmp (flag, "pids-limit") == 0)
    {
      if (v == 0 || v < -1)
        return bad_value (flag, value, "a number of processes above 0, or -1 "
                          "for no limit", err);
      l->pids_limit = v;
    }
  else if (strcmp (flag, "blkio-weight") == 0)
    {
      if (v < 10 || v > 1000)
        return bad_value (flag, value, "Range of blkio weight is from 10 to "
                          "1000", err);
      l->blkio_weight = v;
    }
  else
    return dxc_error_new (err, "unknown resource flag --%s", flag);
  return 0;
}

int
dxc_limits_check (const dxc_limits *l, dxc_error **err)
{
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  char avail[256];
  long max;
  int r;

  if (l->no_cgroup
      && (l->memory || l->memory_swap || l->memory_reservation || l->nano_cpus
          || l->cpu_shares || l->cpu_quota || l->cpu_period || l->cpuset_cpus
          || l->cpuset_mems || l->pids_limit || l->blkio_weight
          || l->cgroup_parent))
    return dxc_error_new (err, "--cgroups=disabled: resource limits and "
                          "--cgroup-parent need a cgroup");
  if (l->memory > 0 && l->memory < MIN_MEMORY)
    return dxc_error_new (err, "Minimum memory limit allowed is 6MB");
  if (l->memory_reservation > 0 && l->memory_reservation < MIN_MEMORY)
    return dxc_error_new (err, "Minimum memory reservation allowed is 6MB");
  if (l->memory > 0 && l->memory_reservation > l->memory)
    return dxc_error_new (err, "Minimum memory limit can not be less than "
                          "memory reservation limit, see usage");
  if (l->memory_swap > 0 && l->memory == 0)
    return dxc_error_new (err, "You should always set the Memory limit when "
                          "using Memoryswap limit, see usage");
  if (l->memory_swap > 0 && l->memory_swap < l->memory)
    return dxc_error_new (err, "Minimum memoryswap limit should be larger "
                          "than memory limit, see usage");
  if (l->nano_cpus && (l->nano_cpus < 10000000 || l->nano_cpus > ncpu * 1000000000LL))
    return dxc_error_new (err, "Range of CPUs is from 0.01 to %ld.00, as "
                          "there are only %ld CPUs available", ncpu, ncpu);
  if (l->nano_cpus && l->cpu_period)
    return dxc_error_new (err, "Conflicting options: Nano CPUs and CPU Period "
                          "cannot both be set");
  if (l->nano_cpus && l->cpu_quota)
    return dxc_error_new (err, "Conflicting options: Nano CPUs and CPU Quota "
                          "cannot both be set");
  if (l->cpu_period && (l->cpu_period < 1000 || l->cpu_period > 1000000))
    return dxc_error_new (err, "CPU cfs period can not be less than 1ms (i.e. "
                          "1000) or larger than 1s (i.e. 1000000)");
  if (l->cpu_quota > 0 && l->cpu_quota < 1000)
    return dxc_error_new (err, "CPU cfs quota can not be less than 1ms (i.e. "
                          "1000)");
  if (l->cpuset_cpus)
    {
      max = online_max ("/sys/devices/system/cpu/online", avail, sizeof avail);
      r = check_list (l->cpuset_cpus, max);
      if (r < 0)
        return dxc_error_new (err, "Invalid value %s for cpuset cpus",
                              l->cpuset_cpus);
      if (r > 0)
        return dxc_error_new (err, "Requested CPUs are not available - "
                              "requested %s, available: %s", l->cpuset_cpus,
                              avail);
    }
  if (l->cpuset_mems)
    {
      max = online_max ("/sys/devices/system/node/online", avail,
                        sizeof avail);
      r = check_list (l->cpuset_mems, max);
      if (r < 0)
        return dxc_error_new (err, "Invalid value %s for cpuset mems",
                              l->cpuset_mems);
      if (r > 0)
        return dxc_error_new (err, "Requested memory nodes are not available "
                              "- requested %s, available: %s", l->cpuset_mems,
                              avail);
    }
  return 0;
}

static json_t *
section (json_t *res, const char *name)
{
  json_t *o = json_object_get (res, name);
  if (o == NULL)
    {
      o = json_object ();
      json_object_set_new (res, name, o);
    }
  return o;
}

/* Docker's device rules: nothing but the usual nodes, mknod of any. The
   runtime adds null, zero, full, random, urandom, tty, console and the
   ptys itself. */
static json_t *
default_device_rules (void)
{
  return json_pack ("[{s:b, s:s}, {s:b, s:s, s:s}, {s:b, s:s, s:s}, "
                    "{s:b, s:s, s:i, s:i, s:s}]",
                    "allow", 0, "access", "rwm",
                    "allow", 1, "type", "c", "access", "m",
                    "allow", 1, "type", "b", "access", "m",
                    "allow", 1, "type", "c", "major", 10, "minor", 200,
                    "access", "rwm");
}

void
dxc_limits_to_spec (const dxc_limits *l, const char *id, json_t *spec)
{
  json_t *lnx = json_object_get (spec, "linux");
  json_t *res = section (lnx, "resources");
  char path[4096];
  const char *parent = l->cgroup_parent ? l->cgroup_parent : "devoxx";
  size_t plen = strlen (parent);

  while (plen > 1 && parent[plen - 1] == '/')
    plen--;
  snprintf (path, sizeof path, "%.*s/%s", (int) plen, parent, id);
  if (!l->no_cgroup)
    json_object_set_new (lnx, "cgroupsPath", json_string (path));
  if (l->cgroupns == NULL || strcmp (l->cgroupns, "private") == 0)
    json_array_append_new (json_object_get (lnx, "namespaces"),
                           json_pack ("{s:s}", "type", "cgroup"));

  /* Without a cgroup, nothing to filter devices with. */
  if (l->no_cgroup)
    json_object_del (res, "devices");
  else
    json_object_set_new (res, "devices", default_device_rules ());
  if (l->memory)
    {
      json_t *m = section (res, "memory");
      json_object_set_new (m, "limit", json_integer (l->memory));
      /* Docker: without --memory-swap, as much swap as memory. */
      json_object_set_new (m, "swap", json_integer (l->memory_swap
                                                        ? l->memory_swap
                                                        : 2 * l->memory));
    }
  if (l->memory_reservation)
    json_object_set_new (section (res, "memory"), "reservation",
                         json_integer (l->memory_reservation));
  if (l->nano_cpus)
    {
      json_t *c = section (res, "cpu");
      json_object_set_new (c, "period", json_integer (100000));
      json_object_set_new (c, "quota",
                           json_integer (l->nano_cpus * 100000 / 1000000000));
    }
  if (l->cpu_shares)
    json_object_set_new (section (res, "cpu"), "shares",
                         json_integer (l->cpu_shares));
  if (l->cpu_quota)
    json_object_set_new (section (res, "cpu"), "quota",
                         json_integer (l->cpu_quota));
  if (l->cpu_period)
    json_object_set_new (section (res, "cpu"), "period",
                         json_integer (l->cpu_period));
  if (l->cpuset_cpus)
    json_object_set_new (section (res, "cpu"), "cpus",
                         json_string (l->cpuset_cpus));
  if (l->cpuset_mems)
    json_object_set_new (section (res, "cpu"), "mems",
                         json_string (l->cpuset_mems));
  /* podman's default: a fork bomb stops at 2048 processes; --pids-limit
     -1 lifts it. */
  if (l->pids_limit > 0 || (l->pids_limit == 0 && !l->no_cgroup))
    json_object_set_new (section (res, "pids"), "limit",
                         json_integer (l->pids_limit ? l->pids_limit
                                                     : DXC_DEFAULT_PIDS_LIMIT));
  if (l->blkio_weight)
    json_object_set_new (section (res, "blockIO"), "weight",
                         json_integer (l->blkio_weight));
}
