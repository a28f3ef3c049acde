/* linux.seccomp: the spec's filter compiled to BPF with libseccomp when the
 * spec is parsed (so that a bad profile fails before any side effect, and
 * the child has only one system call to make), and loaded by the child. */
#ifndef DXC_SECCOMP_H
#define DXC_SECCOMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

typedef struct dxc_seccomp
{
  void *filter;     /* struct sock_filter[len] */
  unsigned short len;
  unsigned flags;   /* SECCOMP_FILTER_FLAG_* of the spec's flags */
  size_t n_rules;   /* rules compiled, for --explain */
  bool notify;      /* an action is SCMP_ACT_NOTIFY: a seccomp agent at
                       listener_path gets the filter's notification fd */
  char *listener_path;
  char *listener_metadata;
  char *source;     /* the profile as JSON text, when its caller kept it
                       (the engine writes config.json with it) */
  void *map;        /* a cached entry's mapping: the filter lies in it
                       (otherwise it is malloc'd), and the source may */
  size_t map_len;
} dxc_seccomp;

/* Compile linux.seccomp (a JSON object) into *ret. Unknown syscall names
 * are skipped, as runc and crun skip them (a profile names the syscalls of
 * every architecture and kernel); anything else invalid is an error naming
 * the field. */
int dxc_seccomp_compile (json_t *seccomp, dxc_seccomp *ret, dxc_error **err);
void dxc_seccomp_clear (dxc_seccomp *s);

/* Where compiled filters are kept (a root-owned directory under the run
 * root); NULL, the default, keeps none. libseccomp takes about 10 ms to
 * compile Docker's default profile here, and the same profile comes back on
 * every run: a cached filter is found by its profile's JSON text, compared
 * in full, with libseccomp's version and the compiler's. */
void dxc_seccomp_set_cache_dir (const char *dir);
/* The same cache for a caller with a key of its own (the engine's: the
 * Docker profile it translates, with the capabilities and the kernel):
 * the filter and its source text when it was kept. false: no entry (or no
 * cache); put never fails loudly, a cache that cannot be written is only
 * slower. */
bool dxc_seccomp_cache_get (const char *key, dxc_seccomp *ret);
void dxc_seccomp_cache_put (const char *key, const dxc_seccomp *s);

/* Child side: install the filter (needs no_new_privs or CAP_SYS_ADMIN).
 * With a notify action, *ret_notify_fd is the listener fd to hand to the
 * agent (-1 otherwise). */
int dxc_seccomp_load (const dxc_seccomp *s, int *ret_notify_fd,
                      dxc_error **err);

/* Parent side: send the container process state and the listener fd to the
 * agent at s->listener_path, as the runtime spec says (one connection, one
 * message, SCM_RIGHTS). state is the OCI state object of the container. */
int dxc_seccomp_send_to_agent (const dxc_seccomp *s, int notify_fd,
                               pid_t pid, json_t *state, dxc_error **err);

#endif
