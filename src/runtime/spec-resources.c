/* Parsing of linux.resources (runtime-spec config-linux.md, "Control
 * groups"). Only the shape and the ranges the specification fixes are checked
 * here; what the kernel accepts is its own answer, reported by cgroup.c with
 * the file that refused it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec-json.h"
#include "spec.h"

/* An integer field; absent or null leaves DXC_UNSET. */
static int
get_int64 (json_t *obj, const char *key, const char *where, int64_t min,
           int64_t max, int64_t *ret, dxc_error **err)
{
  json_t *v = json_object_get (obj, key);
  *ret = DXC_UNSET;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_integer (v) || json_integer_value (v) < min
      || json_integer_value (v) > max)
    return dxc_error_new (err, CTX "%s%s must be an integer from %lld to %lld",
                          where, key, (long long) min, (long long) max);
  *ret = json_integer_value (v);
  return 0;
}

static int
get_object (json_t *obj, const char *key, const char *where, json_t **ret,
            dxc_error **err)
{
  json_t *v = json_object_get (obj, key);
  *ret = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_object (v))
    return dxc_error_new (err, CTX "%s%s must be an object", where, key);
  *ret = v;
  return 0;
}

/* -1 means "no limit" for the memory and pids limits; 0 is "not set", as
   runc reads it. */
static int
get_limit (json_t *obj, const char *key, const char *where, int64_t *ret,
           dxc_error **err)
{
  if (get_int64 (obj, key, where, -1, INT64_MAX, ret, err) < 0)
    return -1;
  if (*ret == 0)
    *ret = DXC_UNSET;
  return 0;
}

static int
parse_memory (json_t *mem, dxc_resources *r, dxc_error **err)
{
  static const char *const unsupported[] = { "kernel", "kernelTCP", NULL };
  const char *w = "linux.resources.memory.";

  for (int i = 0; unsupported[i]; i++)
    if (dxc_json_refuse (mem, unsupported[i], w, err) < 0)
      return -1;
  if (get_limit (mem, "limit", w, &r->memory_limit, err) < 0
      || get_limit (mem, "reservation", w, &r->memory_reservation, err) < 0
      || get_limit (mem, "swap", w, &r->memory_swap, err) < 0
      || get_int64 (mem, "swappiness", w, 0, 100, &r->memory_swappiness, err)
             < 0)
    return -1;
  r->disable_oom_killer
      = json_is_true (json_object_get (mem, "disableOOMKiller"));
  if (r->memory_limit > 0 && r->memory_swap > 0
      && r->memory_swap < r->memory_limit)
    return dxc_error_new (err, CTX "%sswap (memory plus swap, %lld) must not "
                          "be less than limit (%lld)", w,
                          (long long) r->memory_swap,
                          (long long) r->memory_limit);
  return 0;
}

static int
parse_cpu (json_t *cpu, dxc_resources *r, dxc_error **err)
{
  const char *w = "linux.resources.cpu.";
  int64_t rt;

  if (get_int64 (cpu, "shares", w, 0, 262144, &r->cpu_shares, err) < 0
      || get_int64 (cpu, "quota", w, -1, INT64_MAX, &r->cpu_quota, err) < 0
      || get_int64 (cpu, "period", w, 0, 1000000, &r->cpu_period, err) < 0
      || get_int64 (cpu, "burst", w, 0, INT64_MAX, &r->cpu_burst, err) < 0
      || get_int64 (cpu, "idle", w, 0, 1, &r->cpu_idle, err) < 0)
    return -1;
  if (r->cpu_shares == 0)
    r->cpu_shares = DXC_UNSET;
  if (r->cpu_period == 0)
    r->cpu_period = DXC_UNSET;
  if (r->cpu_quota == 0)
    r->cpu_quota = DXC_UNSET;
  /* Real-time scheduling budgets: only "none" is implemented. */
  if (get_int64 (cpu, "realtimeRuntime", w, INT64_MIN + 1, INT64_MAX, &rt,
                 err)
      < 0)
    return -1;
  if (rt != DXC_UNSET && rt != 0)
    return dxc_error_new (err, CTX "%srealtimeRuntime is not supported yet by "
                          "this runtime", w);
  if (dxc_json_string (cpu, "cpus", w, false, &r->cpuset_cpus, err) < 0
      || dxc_json_string (cpu, "mems", w, false, &r->cpuset_mems, err) < 0)
    return -1;
  return 0;
}

static int
parse_block_io (json_t *bio, dxc_resources *r, dxc_error **err)
{
  static const char *const unsupported[]
      = { "leafWeight", "weightDevice", "throttleReadBpsDevice",
          "throttleWriteBpsDevice", "throttleReadIOPSDevice",
          "throttleWriteIOPSDevice", NULL };
  const char *w = "linux.resources.blockIO.";

  for (int i = 0; unsupported[i]; i++)
    if (dxc_json_refuse (bio, unsupported[i], w, err) < 0)
      return -1;
  if (get_int64 (bio, "weight", w, 10, 1000, &r->blkio_weight, err) < 0)
    return -1;
  return 0;
}

static int
parse_hugepages (json_t *arr, dxc_resources *r, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "linux.resources.hugepageLimits must be an "
                          "array");
  r->hugepages = calloc (json_array_size (arr) + 1, sizeof (*r->hugepages));
  if (r->hugepages == NULL)
    return dxc_error_errno (err, ENOMEM, "hugepageLimits");
  json_array_foreach (arr, i, v)
  {
    char where[64];
    dxc_hugepage_limit *h = &r->hugepages[i];
    bool present;
    snprintf (where, sizeof where, "linux.resources.hugepageLimits[%zu].", i);
    if (!json_is_object (v))
      return dxc_error_new (err, CTX "%.*s must be an object",
                            (int) strlen (where) - 1, where);
    r->n_hugepages = i + 1;
    if (dxc_json_string (v, "pageSize", where, true, &h->page_size, err) < 0
        || dxc_json_uint (v, "limit", where, UINT64_MAX, &present, &h->limit,
                          err)
               < 0)
      return -1;
    if (!present)
      return dxc_error_new (err, CTX "%slimit is required", where);
    if (strpbrk (h->page_size, "/.") || strlen (h->page_size) > 16)
      return dxc_error_new (err, CTX "%spageSize: invalid value %s", where,
                            h->page_size);
  }
  return 0;
}

static int
parse_device_rules (json_t *arr, dxc_resources *r, dxc_error **err)
{
  json_t *v;
  size_t i;

  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return dxc_error_new (err, CTX "linux.resources.devices must be an array");
  r->has_devices = true;
  r->devices = calloc (json_array_size (arr) + 1, sizeof (*r->devices));
  if (r->devices == NULL)
    return dxc_error_errno (err, ENOMEM, "devices");
  json_array_foreach (arr, i, v)
  {
    char where[64];
    dxc_device_rule *d = &r->devices[i];
    json_t *allow;
    const char *type, *access;

    snprintf (where, sizeof where, "linux.resources.devices[%zu].", i);
    if (!json_is_object (v))
      return dxc_error_new (err, CTX "%.*s must be an object",
                            (int) strlen (where) - 1, where);
    allow = json_object_get (v, "allow");
    if (!json_is_boolean (allow))
      return dxc_error_new (err, CTX "%sallow is required and must be a "
                            "boolean", where);
    d->allow = json_is_true (allow);
    type = json_string_value (json_object_get (v, "type"));
    if (type == NULL || *type == '\0')
      type = "a";
    if (strlen (type) != 1 || strchr ("acb", type[0]) == NULL)
      return dxc_error_new (err, CTX "%stype must be a, c or b, not %s", where,
                            type);
    d->type = type[0];
    if (get_int64 (v, "major", where, -1, UINT32_MAX, &d->major, err) < 0
        || get_int64 (v, "minor", where, -1, UINT32_MAX, &d->minor, err) < 0)
      return -1;
    if (d->major == DXC_UNSET)
      d->major = -1;
    if (d->minor == DXC_UNSET)
      d->minor = -1;
    access = json_string_value (json_object_get (v, "access"));
    if (access == NULL || *access == '\0')
      access = "rwm";
    for (const char *c = access; *c; c++)
      switch (*c)
        {
        case 'r':
          d->access |= DXC_DEV_READ;
          break;
        case 'w':
          d->access |= DXC_DEV_WRITE;
          break;
        case 'm':
          d->access |= DXC_DEV_MKNOD;
          break;
        default:
          return dxc_error_new (err, CTX "%saccess: %s is not a combination "
                                "of r, w and m", where, access);
        }
    r->n_devices = i + 1;
  }
  return 0;
}

static int
parse_unified (json_t *obj, dxc_resources *r, dxc_error **err)
{
  const char *key;
  json_t *v;
  size_t n = 0;

  if (obj == NULL || json_object_size (obj) == 0)
    return 0;
  r->unified = calloc (2 * json_object_size (obj) + 1, sizeof (char *));
  if (r->unified == NULL)
    return dxc_error_errno (err, ENOMEM, "unified");
  json_object_foreach (obj, key, v)
  {
    if (!json_is_string (v))
      return dxc_error_new (err, CTX "linux.resources.unified.%s must be a "
                            "string", key);
    /* A file of the container's own cgroup, never a path out of it. */
    if (strchr (key, '/') || key[0] == '.' || strchr (key, '.') == NULL)
      return dxc_error_new (err, CTX "linux.resources.unified: invalid key "
                            "%s", key);
    r->unified[n++] = strdup (key);
    r->unified[n++] = strdup (json_string_value (v));
  }
  return 0;
}

int
dxc_parse_resources (json_t *res, dxc_resources *r, dxc_error **err)
{
  static const char *const unsupported[] = { "network", "rdma", NULL };
  json_t *mem, *cpu, *pids, *bio, *unified;
  const char *w = "linux.resources.";

  *r = (dxc_resources){ .memory_limit = DXC_UNSET,
                        .memory_reservation = DXC_UNSET,
                        .memory_swap = DXC_UNSET,
                        .memory_swappiness = DXC_UNSET,
                        .cpu_shares = DXC_UNSET,
                        .cpu_quota = DXC_UNSET,
                        .cpu_period = DXC_UNSET,
                        .cpu_burst = DXC_UNSET,
                        .cpu_idle = DXC_UNSET,
                        .pids_limit = DXC_UNSET,
                        .blkio_weight = DXC_UNSET };
  if (res == NULL || json_is_null (res))
    return 0;
  if (!json_is_object (res))
    return dxc_error_new (err, CTX "linux.resources must be an object");
  for (int i = 0; unsupported[i]; i++)
    if (dxc_json_refuse (res, unsupported[i], w, err) < 0)
      return -1;
  if (get_object (res, "memory", w, &mem, err) < 0
      || get_object (res, "cpu", w, &cpu, err) < 0
      || get_object (res, "pids", w, &pids, err) < 0
      || get_object (res, "blockIO", w, &bio, err) < 0
      || get_object (res, "unified", w, &unified, err) < 0)
    return -1;
  if (mem && parse_memory (mem, r, err) < 0)
    return -1;
  if (cpu && parse_cpu (cpu, r, err) < 0)
    return -1;
  if (pids
      && get_limit (pids, "limit", "linux.resources.pids.", &r->pids_limit,
                    err)
             < 0)
    return -1;
  if (bio && parse_block_io (bio, r, err) < 0)
    return -1;
  if (parse_hugepages (json_object_get (res, "hugepageLimits"), r, err) < 0)
    return -1;
  if (parse_device_rules (json_object_get (res, "devices"), r, err) < 0)
    return -1;
  return parse_unified (unified, r, err);
}

void
dxc_resources_clear (dxc_resources *r)
{
  free (r->cpuset_cpus);
  free (r->cpuset_mems);
  for (size_t i = 0; i < r->n_hugepages; i++)
    free (r->hugepages[i].page_size);
  free (r->hugepages);
  free (r->devices);
  for (char **p = r->unified; p && *p; p++)
    free (*p);
  free (r->unified);
}
