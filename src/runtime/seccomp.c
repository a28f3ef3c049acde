/* The spec's seccomp filter: see seccomp.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define CTX "config.json: linux.seccomp"

static int
parse_action (json_t *v, json_t *errno_ret, const char *where, uint32_t *ret,
              dxc_error **err)
{
  const char *a = json_string_value (v);
  uint32_t e = EPERM;
  bool has_errno = errno_ret && !json_is_null (errno_ret);

  if (has_errno)
    {
      if (!json_is_integer (errno_ret) || json_integer_value (errno_ret) < 0
          || json_integer_value (errno_ret) > 0xffff)
        return dxc_error_new (err, CTX "%s.errnoRet must be a number from 0 "
                              "to 65535", where);
      e = (uint32_t) json_integer_value (errno_ret);
    }
  if (a == NULL)
    return dxc_error_new (err, CTX "%s: an action is required", where);
  /* The spec: an errno given to an action that returns none is an error. */
  if (has_errno && strcmp (a, "SCMP_ACT_ERRNO") != 0
      && strcmp (a, "SCMP_ACT_TRACE") != 0)
    return dxc_error_new (err, CTX "%s: %s takes no errnoRet", where, a);
  if (strcmp (a, "SCMP_ACT_ALLOW") == 0)
    *ret = SCMP_ACT_ALLOW;
  else if (strcmp (a, "SCMP_ACT_ERRNO") == 0)
    *ret = SCMP_ACT_ERRNO (e);
  else if (strcmp (a, "SCMP_ACT_KILL") == 0
           || strcmp (a, "SCMP_ACT_KILL_THREAD") == 0)
    *ret = SCMP_ACT_KILL_THREAD;
  else if (strcmp (a, "SCMP_ACT_KILL_PROCESS") == 0)
    *ret = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (a, "SCMP_ACT_TRAP") == 0)
    *ret = SCMP_ACT_TRAP;
  else if (strcmp (a, "SCMP_ACT_TRACE") == 0)
    *ret = SCMP_ACT_TRACE (e);
  else if (strcmp (a, "SCMP_ACT_LOG") == 0)
    *ret = SCMP_ACT_LOG;
  else if (strcmp (a, "SCMP_ACT_NOTIFY") == 0)
    *ret = SCMP_ACT_NOTIFY;
  else
    return dxc_error_new (err, CTX "%s: unknown action %s", where, a);
  return 0;
}

static int
parse_op (const char *op, enum scmp_compare *ret)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = { { "SCMP_CMP_NE", SCMP_CMP_NE },
              { "SCMP_CMP_LT", SCMP_CMP_LT },
              { "SCMP_CMP_LE", SCMP_CMP_LE },
              { "SCMP_CMP_EQ", SCMP_CMP_EQ },
              { "SCMP_CMP_GE", SCMP_CMP_GE },
              { "SCMP_CMP_GT", SCMP_CMP_GT },
              { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ } };
  for (size_t i = 0; op && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (op, ops[i].name) == 0)
      {
        *ret = ops[i].op;
        return 0;
      }
  return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token. */
static uint32_t
parse_arch (const char *name)
{
  char low[32];
  size_t i;
  if (name == NULL || strncmp (name, "SCMP_ARCH_", 10) != 0
      || strlen (name + 10) >= sizeof low)
    return 0;
  for (i = 0; name[10 + i]; i++)
    low[i] = tolower ((unsigned char) name[10 + i]);
  low[i] = '\0';
  return seccomp_arch_resolve_name (low);
}

static int
parse_flags (json_t *flags, unsigned *ret, dxc_error **err)
{
  static const struct
  {
    const char *name;
    unsigned flag;
  } known[] = { { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
                { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
                { "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                  SECCOMP_FILTER_FLAG_SPEC_ALLOW },
                { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5 } };
  size_t i;
  json_t *f;

  *ret = 0;
  if (flags == NULL || json_is_null (flags))
    return 0;
  if (!json_is_array (flags))
    return dxc_error_new (err, CTX ".flags must be an array");
  json_array_foreach (flags, i, f)
  {
    const char *s = json_string_value (f);
    size_t k;
    for (k = 0; s && k < sizeof known / sizeof known[0]; k++)
      if (strcmp (s, known[k].name) == 0)
        break;
    if (s == NULL || k == sizeof known / sizeof known[0])
      return dxc_error_new (err, CTX ".flags: unknown flag %s",
                            s ? s : "(not a string)");
    *ret |= known[k].flag;
  }
  return 0;
}

static int
parse_args (json_t *args, const char *where, struct scmp_arg_cmp *cmp,
            size_t *n, bool *repeated, dxc_error **err)
{
  size_t i;
  json_t *a;
  unsigned seen = 0;

  *n = 0;
  *repeated = false;
  if (args == NULL || json_is_null (args))
    return 0;
  if (!json_is_array (args) || json_array_size (args) > 6)
    return dxc_error_new (err, CTX "%s.args must be an array of at most 6",
                          where);
  json_array_foreach (args, i, a)
  {
    json_t *idx = json_object_get (a, "index");
    json_t *val = json_object_get (a, "value");
    json_t *two = json_object_get (a, "valueTwo");
    enum scmp_compare op;
    if (!json_is_integer (idx) || json_integer_value (idx) < 0
        || json_integer_value (idx) > 5)
      return dxc_error_new (err, CTX "%s.args[%zu].index must be 0 to 5",
                            where, i);
    if (!json_is_integer (val) || (two && !json_is_null (two)
                                   && !json_is_integer (two)))
      return dxc_error_new (err, CTX "%s.args[%zu].value must be a number",
                            where, i);
    if (parse_op (json_string_value (json_object_get (a, "op")), &op) < 0)
      return dxc_error_new (err, CTX "%s.args[%zu].op: unknown operator %s",
                            where, i,
                            json_string_value (json_object_get (a, "op"))
                                ? json_string_value (json_object_get (a, "op"))
                                : "(none)");
    if (seen & (1U << json_integer_value (idx)))
      *repeated = true;
    seen |= 1U << json_integer_value (idx);
    cmp[*n] = (struct scmp_arg_cmp){
      .arg = (unsigned) json_integer_value (idx),
      .op = op,
      .datum_a = (scmp_datum_t) json_integer_value (val),
      .datum_b = two ? (scmp_datum_t) json_integer_value (two) : 0,
    };
    (*n)++;
  }
  return 0;
}

static void
ctx_release (scmp_filter_ctx *c)
{
  if (*c)
    seccomp_release (*c);
}

static int
add_rules (scmp_filter_ctx ctx, json_t *syscalls, uint32_t default_action,
           size_t *n_rules, bool *notify, dxc_error **err)
{
  size_t i;
  json_t *sc;

  if (syscalls == NULL || json_is_null (syscalls))
    return 0;
  if (!json_is_array (syscalls))
    return dxc_error_new (err, CTX ".syscalls must be an array");
  json_array_foreach (syscalls, i, sc)
  {
    struct scmp_arg_cmp cmp[6];
    char where[48];
    uint32_t action;
    size_t n_args, k;
    bool repeated;
    json_t *names = json_object_get (sc, "names"), *nm;

    snprintf (where, sizeof where, ".syscalls[%zu]", i);
    if (!json_is_array (names))
      return dxc_error_new (err, CTX "%s.names must be an array", where);
    if (parse_action (json_object_get (sc, "action"),
                      json_object_get (sc, "errnoRet"), where, &action, err)
            < 0
        || parse_args (json_object_get (sc, "args"), where, cmp, &n_args,
                       &repeated, err)
               < 0)
      return -1;
    if (action == SCMP_ACT_NOTIFY)
      *notify = true;
    /* libseccomp refuses a rule whose action is the default one: it would
       change nothing. */
    if (action == default_action)
      continue;
    json_array_foreach (names, k, nm)
    {
      const char *name = json_string_value (nm);
      int nr, r = 0;
      if (name == NULL)
        return dxc_error_new (err, CTX "%s.names[%zu] must be a string",
                              where, k);
      nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        continue; /* not a syscall of this architecture or libseccomp */
      /* Two conditions on one argument are an OR in runc's reading: one
         rule each. Otherwise one rule where all must hold. */
      if (repeated)
        for (size_t c = 0; c < n_args && r >= 0; c++)
          r = seccomp_rule_add_exact_array (ctx, action, nr, 1, &cmp[c]);
      else
        r = seccomp_rule_add_exact_array (ctx, action, nr, n_args, cmp);
      /* A syscall the architecture only emulates (socketcall ones on
         x86) cannot take an exact rule: the plain form rewrites it
         (Docker's profile has such rules with conditions: socket). Where
         libseccomp 2.5 cannot, it fails and leaks what it built on the way
         (fuzz/lsan.supp). */
      if (r == -EINVAL || r == -EOPNOTSUPP)
        r = repeated ? 0 : seccomp_rule_add_array (ctx, action, nr, n_args, cmp);
      if (r < 0 && r != -EEXIST)
        return dxc_error_errno (err, -r, CTX "%s: syscall %s", where, name);
      (*n_rules)++;
    }
  }
  return 0;
}

static const char *cache_dir;

void
dxc_seccomp_set_cache_dir (const char *dir)
{
  cache_dir = dir;
}

/* The runtime's cache key: the profile as JSON text. */
static char *
cache_key (json_t *sec)
{
  /* Unsorted: the same profile text always builds the same order (a
     profile written in another order only gets an entry of its own), and
     sorting a large profile costs more than the lookup saves. */
  return json_dumps (sec, JSON_COMPACT);
}

/* What every entry also depends on: libseccomp's version and the
   compiler's, before the caller's key. */
static char *
full_key (const char *key)
{
  const struct scmp_version *v = seccomp_version ();
  char *full = NULL;
  if (asprintf (&full, "libseccomp %u.%u.%u %s\n%s", v->major, v->minor,
                v->micro, __VERSION__, key)
      < 0)
    return NULL;
  return full;
}

static uint64_t
fnv1a (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
  return h;
}

/* A cache file: "KEY\0" padded with zeros to 8 bytes, a header, the
   instructions, then the filter's source text and its "\0" when it was
   kept (the engine's translated profile). Read through a private mapping:
   the filter is used where it lies (copying it into fresh heap costs more
   here than the rest of the lookup). */
struct cache_hdr
{
  uint32_t flags, len;
  uint32_t notify, source_len;
  uint64_t n_rules;
};

#define KEY_SPACE(kl) (((kl) + 1 + 7) & ~(size_t) 7)

static char *
cache_path (const char *key)
{
  char *path = NULL;
  if (key == NULL || cache_dir == NULL
      || asprintf (&path, "%s/%016llx.bpf", cache_dir,
                   (unsigned long long) fnv1a (key))
             < 0)
    return NULL;
  return path;
}

bool
dxc_seccomp_cache_get (const char *caller_key, dxc_seccomp *ret)
{
  cleanup_free char *key = full_key (caller_key);
  cleanup_free char *path = cache_path (key);
  cleanup_close int fd = -1;
  struct stat st;
  size_t ks, bl, len;
  struct cache_hdr h;
  char *map;

  memset (ret, 0, sizeof *ret);
  if (path == NULL || (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0
      || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return false;
  ks = KEY_SPACE (strlen (key));
  len = (size_t) st.st_size;
  if ((uint64_t) st.st_size > 64 << 20 || len < ks + sizeof h)
    return false;
  map = mmap (NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    return false;
  memcpy (&h, map + ks, sizeof h);
  bl = (size_t) h.len * sizeof (struct sock_filter);
  if (memcmp (map, key, strlen (key) + 1) != 0 || h.len == 0
      || h.len > BPF_MAXINSNS
      || len != ks + sizeof h + bl + h.source_len + (h.source_len > 0)
      || (h.source_len > 0 && map[len - 1] != '\0'))
    {
      munmap (map, len);
      return false;
    }
  ret->map = map;
  ret->map_len = len;
  ret->filter = map + ks + sizeof h;
  if (h.source_len)
    ret->source = map + ks + sizeof h + bl;
  ret->len = (unsigned short) h.len;
  ret->flags = h.flags;
  ret->n_rules = h.n_rules;
  ret->notify = h.notify != 0;
  return true;
}

void
dxc_seccomp_cache_put (const char *caller_key, const dxc_seccomp *s)
{
  cleanup_free char *key = full_key (caller_key);
  cleanup_free char *path = cache_path (key);
  size_t sl = s->source ? strlen (s->source) : 0, ks, total;
  size_t bl = s->len * sizeof (struct sock_filter);
  struct cache_hdr h = { s->flags, s->len, s->notify, (uint32_t) sl,
                         s->n_rules };
  cleanup_free char *data = NULL;

  if (path == NULL || sl > UINT32_MAX || dxc_mkdir_p (cache_dir, 0700, NULL) < 0)
    return;
  ks = KEY_SPACE (strlen (key));
  total = ks + sizeof h + bl + sl + (sl > 0);
  data = calloc (1, total);
  if (data == NULL)
    return;
  memcpy (data, key, strlen (key));
  memcpy (data + ks, &h, sizeof h);
  memcpy (data + ks + sizeof h, s->filter, bl);
  if (sl)
    memcpy (data + ks + sizeof h + bl, s->source, sl);
  /* Atomic: a reader sees a whole entry or none (and one that has it
     mapped keeps the entry it mapped). */
  dxc_write_file_atomic (path, data, total, 0600, 0, NULL);
}

static int compile (json_t *sec, dxc_seccomp *ret, dxc_error **err);

/* listenerPath and listenerMetadata, as the spec constrains them. */
static int
parse_listener (json_t *sec, dxc_seccomp *ret, dxc_error **err)
{
  json_t *path = json_object_get (sec, "listenerPath");
  json_t *meta = json_object_get (sec, "listenerMetadata");
  bool has_path = path && !json_is_null (path);
  bool has_meta = meta && !json_is_null (meta);

  if (has_path && (!json_is_string (path)
                   || json_string_value (path)[0] != '/'))
    return dxc_error_new (err, CTX ".listenerPath must be an absolute path");
  if (has_meta && !json_is_string (meta))
    return dxc_error_new (err, CTX ".listenerMetadata must be a string");
  if (has_meta && !has_path)
    return dxc_error_new (err, CTX ".listenerMetadata needs listenerPath");
  if (ret->notify && !has_path)
    return dxc_error_new (err, CTX ": SCMP_ACT_NOTIFY needs listenerPath, "
                          "the seccomp agent's socket");
  if (ret->notify)
    {
      ret->listener_path = strdup (json_string_value (path));
      if (has_meta)
        ret->listener_metadata = strdup (json_string_value (meta));
    }
  return 0;
}

int
dxc_seccomp_compile (json_t *sec, dxc_seccomp *ret, dxc_error **err)
{
  cleanup_free char *key = NULL;

  memset (ret, 0, sizeof *ret);
  if (cache_dir == NULL || !json_is_object (sec)
      || (key = cache_key (sec)) == NULL)
    {
      if (compile (sec, ret, err) < 0)
        return -1;
    }
  else if (!dxc_seccomp_cache_get (key, ret))
    {
      if (compile (sec, ret, err) < 0)
        return -1;
      dxc_seccomp_cache_put (key, ret);
    }
  if (parse_listener (sec, ret, err) < 0)
    {
      dxc_seccomp_clear (ret);
      return -1;
    }
  return 0;
}

static int
compile (json_t *sec, dxc_seccomp *ret, dxc_error **err)
{
  _cleanup_ (ctx_release) scmp_filter_ctx ctx = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *bpf = NULL;
  uint32_t default_action;
  size_t len, n_rules = 0, i;
  unsigned flags;
  json_t *a;

  bool notify = false;

  memset (ret, 0, sizeof *ret);
  if (!json_is_object (sec))
    return dxc_error_new (err, CTX " must be an object");
  if (parse_action (json_object_get (sec, "defaultAction"),
                    json_object_get (sec, "defaultErrnoRet"), ".defaultAction",
                    &default_action, err)
          < 0
      || parse_flags (json_object_get (sec, "flags"), &flags, err) < 0)
    return -1;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return dxc_error_new (err, CTX ": libseccomp cannot make a filter");
  /* A syscall of an architecture the profile does not name is refused
     with ENOSYS, as a kernel without it would: runc does the same. */
  seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO (ENOSYS));
  /* A binary tree of syscall numbers rather than a list: every system call
     of the container runs the filter. */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  json_array_foreach (json_object_get (sec, "architectures"), i, a)
  {
    uint32_t arch = parse_arch (json_string_value (a));
    int r;
    if (arch == 0)
      return dxc_error_new (err, CTX ".architectures: unknown architecture "
                            "%s", json_string_value (a) ? json_string_value (a)
                                                         : "(not a string)");
    r = seccomp_arch_add (ctx, arch);
    if (r < 0 && r != -EEXIST)
      return dxc_error_errno (err, -r, CTX ".architectures: %s",
                              json_string_value (a));
  }
  notify = default_action == SCMP_ACT_NOTIFY;
  if (add_rules (ctx, json_object_get (sec, "syscalls"), default_action,
                 &n_rules, &notify, err)
      < 0)
    return -1;
  fd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return dxc_error_errno (err, errno, CTX ": memfd_create");
  {
    int r = seccomp_export_bpf (ctx, fd);
    if (r < 0)
      return dxc_error_errno (err, -r, CTX ": compile the filter");
  }
  if (lseek (fd, 0, SEEK_SET) < 0 || dxc_read_fd (fd, &bpf, &len, err) < 0)
    return dxc_error_prefix (err, CTX);
  if (len == 0 || len % sizeof (struct sock_filter)
      || len / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return dxc_error_new (err, CTX ": the filter has %zu instructions, more "
                          "than the kernel's %d", len / sizeof (struct sock_filter),
                          BPF_MAXINSNS);
  ret->filter = take_ptr (bpf);
  ret->len = (unsigned short) (len / sizeof (struct sock_filter));
  ret->flags = flags;
  ret->n_rules = n_rules;
  ret->notify = notify;
  return 0;
}

void
dxc_seccomp_clear (dxc_seccomp *s)
{
  char *m = s->map;
  if (m == NULL || s->source < m || s->source >= m + s->map_len)
    free (s->source);
  if (m)
    munmap (m, s->map_len);
  else
    free (s->filter);
  free (s->listener_path);
  free (s->listener_metadata);
  memset (s, 0, sizeof *s);
}

int
dxc_seccomp_load (const dxc_seccomp *s, int *ret_notify_fd, dxc_error **err)
{
  struct sock_fprog prog = { .len = s->len, .filter = s->filter };
  unsigned flags = s->flags;
  long r;

  *ret_notify_fd = -1;
  if (s->filter == NULL)
    return 0;
  if (s->notify)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (r < 0)
    return dxc_error_errno (err, errno, "seccomp: load the filter");
  if (s->notify)
    *ret_notify_fd = (int) r;
  dxc_explain ("seccomp(SECCOMP_SET_MODE_FILTER, %u instructions, %zu "
               "rules): system calls outside the profile fail",
               (unsigned) s->len, s->n_rules);
  return 0;
}

int
dxc_seccomp_send_to_agent (const dxc_seccomp *s, int notify_fd, pid_t pid,
                           json_t *state, dxc_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = -1;
  cleanup_free char *text = NULL;
  json_t *msg;
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;

  if (strlen (s->listener_path) >= sizeof addr.sun_path)
    return dxc_error_new (err, "seccomp agent %s: path too long",
                          s->listener_path);
  strcpy (addr.sun_path, s->listener_path);
  msg = json_pack ("{s:s, s:[s], s:i, s:O}", "ociVersion", "1.0.2", "fds",
                   "seccompFd", "pid", (int) pid, "state", state);
  if (msg && s->listener_metadata)
    json_object_set_new (msg, "metadata", json_string (s->listener_metadata));
  text = msg ? json_dumps (msg, JSON_COMPACT) : NULL;
  json_decref (msg);
  if (text == NULL)
    return dxc_error_errno (err, ENOMEM, "seccomp agent");
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0
      || connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return dxc_error_errno (err, errno, "seccomp agent: connect to %s",
                            s->listener_path);
  /* One message: the state, and the listener fd with it. */
  iov = (struct iovec){ text, strlen (text) };
  c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &notify_fd, sizeof (int));
  if (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0)
    return dxc_error_errno (err, errno, "seccomp agent: send to %s",
                            s->listener_path);
  dxc_explain ("sendmsg(\"%s\", container process state + seccomp listener "
               "fd): the seccomp agent answers the calls the filter sends "
               "it", s->listener_path);
  return 0;
}
