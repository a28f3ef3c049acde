/* Docker's resource flags (--memory, --cpus, --pids-limit, ...): parsed and
 * checked as Docker checks them, then written into the OCI spec's
 * linux.resources and linux.cgroupsPath. */
#ifndef DXC_LIMITS_H
#define DXC_LIMITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* The pids limit when none is asked for, as podman's. */
#define DXC_DEFAULT_PIDS_LIMIT 2048

/* 0 is "not set" everywhere, as in Docker's HostConfig. */
typedef struct dxc_limits
{
  int64_t memory, memory_swap, memory_reservation; /* bytes; swap -1: no limit */
  int64_t nano_cpus;                               /* --cpus x 1e9 */
  int64_t cpu_shares, cpu_quota, cpu_period;
  const char *cpuset_cpus, *cpuset_mems;
  int64_t pids_limit; /* -1: no limit */
  int64_t blkio_weight;
  const char *cgroup_parent;
  const char *cgroupns; /* "private" (default) or "host" */
  bool no_cgroup;       /* --cgroups disabled (podman's): no cgroup at all */
} dxc_limits;

/* A size as Docker reads one: 100m, 1g, 512k, 1.5g, 100MB, 64MiB (binary
 * units, case-insensitive). */
int dxc_parse_size (const char *s, int64_t *ret);

/* Set the option named flag (without "--") from its command-line value. */
int dxc_limits_set (dxc_limits *l, const char *flag, const char *value,
                    dxc_error **err);

/* The checks Docker makes before creating anything. */
int dxc_limits_check (const dxc_limits *l, dxc_error **err);

/* linux.resources, linux.cgroupsPath and the cgroup namespace. */
void dxc_limits_to_spec (const dxc_limits *l, const char *id, json_t *spec);

/* "32 MiB" */
void dxc_format_size (int64_t bytes, char *buf, size_t len);

#endif
