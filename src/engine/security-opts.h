/* Docker's security flags: --security-opt seccomp=... and
 * no-new-privileges, --cap-add and --cap-drop, and Docker's default seccomp
 * profile (moby's profiles/seccomp/default.json, embedded) translated into
 * the spec's linux.seccomp for the container's capabilities and this
 * machine's architecture and kernel, as Docker translates it. */
#ifndef DXC_SECURITY_OPTS_H
#define DXC_SECURITY_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "runtime/seccomp.h"
#include "util/error.h"

typedef struct dxc_security_opts
{
  const char *seccomp;  /* NULL: the default profile; "unconfined"; a file */
  bool no_new_privileges;
  const char **cap_add; /* names as Docker takes them: NET_ADMIN, cap_chown, ALL */
  size_t n_cap_add;
  const char **cap_drop;
  size_t n_cap_drop;
  bool privileged;      /* every capability and host device, no filter, no
                           masked or read-only paths, /sys writable */
  const char **devices; /* --device HOST[:CONTAINER[:rwm]] */
  size_t n_devices;
  const char **device_rules; /* --device-cgroup-rule "c 1:3 rwm" */
  size_t n_device_rules;
} dxc_security_opts;

/* One --security-opt value. */
int dxc_security_opt_parse (const char *value, dxc_security_opts *o,
                            dxc_error **err);
/* Check the names of --cap-add/--cap-drop, the devices and the rules
 * (before any side effect). */
int dxc_security_check (const dxc_security_opts *o, dxc_error **err);
/* Capabilities, no_new_privs, devices and their cgroup rules into the spec
 * (after the resources: device rules are added to them). */
int dxc_security_to_spec (const dxc_security_opts *o, json_t *spec,
                          dxc_error **err);
/* The seccomp filter for the spec's capabilities (after to_spec): Docker's
 * default profile, the file of --security-opt seccomp=FILE, or none
 * (unconfined, --privileged: ret->filter NULL). ret->source is
 * linux.seccomp as compact JSON (for config.json). Both come from the
 * seccomp cache when the same profile, capabilities, kernel and libseccomp
 * met before: translating Docker's profile and parsing its result again
 * cost about 0.7 ms of every run, compiling it 10 ms. */
int dxc_security_seccomp (const dxc_security_opts *o, json_t *spec,
                          dxc_seccomp *ret, dxc_error **err);
/* The same as linux.seccomp in the spec, uncached (for the unit tests and
 * the fuzzers). */
int dxc_security_seccomp_json (const dxc_security_opts *o, json_t *spec,
                               dxc_error **err);
/* A Docker seccomp profile (text) as linux.seccomp for these capability
 * names (a JSON array) on this machine. Exposed for the unit tests. */
int dxc_seccomp_profile_to_oci (const char *text, size_t len, json_t *caps,
                                const char *arch, const char *kernel,
                                json_t **ret, dxc_error **err);

#endif
