/* Running one container: the parent-side sequence (dxc_container_run) and
 * the child-side sequence (container_init), each a list of named steps.
 *
 * The container process is clone()d directly with its new namespaces: no
 * re-execution of the runtime binary. Parent and child share one socketpair
 * (protocol in sync.h); the child's errors travel back over it and are
 * reported by the parent. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/keyctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "exec.h"
#include "namespaces.h"
#include "rootfs.h"
#include "security.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Signals the runtime receives and passes on to the container's process. */
static const int forwarded_signals[]
    = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT };

/* ---- child side ---------------------------------------------------------- */

typedef struct init_args
{
  const dxc_spec *spec;
  const dxc_cgroup *cgroup;
  const dxc_run_opts *opts;
  const char *rootfs;
  int sock;
  int fifo; /* create: an O_PATH fd of the exec fifo, or -1 */
  sigset_t oldmask;
} init_args;

/* Not dumpable until exec: no other process of the container (one joined
   later, or one in a shared PID namespace) may open /proc/PID/exe, /fd or
   /mem of a process that still holds the host's runtime binary and fds
   (the CVE-2016-9962 and CVE-2019-5736 classes); execve resets it. Then,
   if the runtime dies, the container dies with it: a foreground container
   nobody waits for would be reaped by no one. */
static int
harden_process (dxc_error **err)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_DUMPABLE");
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_PDEATHSIG");
  return 0;
}

/* A uid or gid change clears the death signal: set it again, and check the
   runtime did not die in between (getppid() says nothing in a new PID
   namespace, where it is 0; the runtime's end of the socket does). */
static int
rearm_death_signal (int sock, dxc_error **err)
{
  struct pollfd pfd = { sock, POLLRDHUP, 0 };
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_PDEATHSIG");
  if (poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP)))
    return dxc_error_new (err, "the runtime died during setup");
  return 0;
}

/* The child is a copy of the runtime: it holds whatever the runtime had
   open (cgroup directories, the store's locks, the engine's files). A
   program that entered one of them, as a working directory
   /proc/self/fd/N say, would be outside the root (CVE-2024-21626): close
   them all before anything of the container's is looked at. */
static int
close_inherited_fds (const init_args *a, dxc_error **err)
{
  /* The --explain narration goes on until exec (close-on-exec). */
  const int keep[] = { a->sock, a->opts->stdin_fd, dxc_explain_fd, a->fifo };
  int r = dxc_close_fds_except (keep, sizeof keep / sizeof keep[0]);
  if (r < 0)
    return dxc_error_errno (err, -r, "close the runtime's fds");
  return 0;
}

/* A session keyring of its own (as runc, unless --no-new-keyring): the
   caller's keys, and those of every other container, are not its to read
   or add to. Kernels without keys have nothing to share. */
static int
join_new_keyring (const init_args *a, dxc_error **err)
{
  if (a->opts->no_new_keyring)
    return 0;
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
    {
      if (errno == ENOSYS)
        return 0;
      return dxc_error_errno (err, errno, "keyctl: join a new session "
                              "keyring");
    }
  dxc_explain ("keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a session keyring "
               "of its own, none of the caller's keys");
  return 0;
}

/* Every signal to SIG_DFL, through the system call: libc's sigaction
   refuses its own real-time signals (32 and 33), which a sanitizer or a
   caller may have left ignored, and an ignored signal stays ignored across
   execve. */
static void
reset_signal_dispositions (void)
{
  struct
  {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
  } dfl = { SIG_DFL, 0, NULL, 0 };
  for (int sig = 1; sig < _NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      syscall (SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
}

/* The filter; a notify filter's listener fd goes to the runtime, which
   hands it to the seccomp agent. */
static int
load_seccomp (const init_args *a, dxc_error **err)
{
  cleanup_close int fd = -1;
  if (dxc_seccomp_load (&a->spec->seccomp, &fd, err) < 0)
    return -1;
  if (fd >= 0 && dxc_sync_send_fd (a->sock, DXC_SYNC_SECCOMP_FD, fd, err) < 0)
    return -1;
  return 0;
}

/* create: everything is set up; the runtime may go (its death no longer
   kills this process), and the program runs once start opens the exec
   fifo, which this open blocks for (runc's order: a program that cannot
   be found fails create, not start). */
static int
wait_for_start (const init_args *a, dxc_error **err)
{
  char path[64];
  cleanup_close int fd = -1;

  if (a->fifo < 0)
    return 0;
  if (dxc_exec_lookup (&a->spec->process, err) < 0)
    return -1;
  if (prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_PDEATHSIG");
  if (dxc_sync_send_fd (a->sock, DXC_SYNC_CREATED, -1, err) < 0)
    return -1;
  snprintf (path, sizeof path, "/proc/self/fd/%d", a->fifo);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, "0", 1) != 1)
    _exit (DXC_EXIT_ENGINE);
  close (a->fifo);
  return 0;
}

static int
make_cwd (const char *cwd, dxc_error **err)
{
  char real[PATH_MAX];

  if (chdir (cwd) < 0)
    {
      if (errno != ENOENT)
        return dxc_error_errno (err, errno, "chdir %s (process.cwd)", cwd);
      if (dxc_mkdir_p (cwd, 0755, err) < 0)
        return dxc_error_prefix (err, "process.cwd");
      if (chdir (cwd) < 0)
        return dxc_error_errno (err, errno, "chdir %s (process.cwd)", cwd);
    }
  /* Whatever the path went through (a magic link of /proc, a file system
     mounted oddly), the directory reached must be under the root: getcwd
     fails for one that is not. */
  if (getcwd (real, sizeof real) == NULL || real[0] != '/')
    return dxc_error_new (err, "process.cwd %s: the working directory is "
                          "outside the container's root", cwd);
  return 0;
}

static int
init_steps (const init_args *a, dxc_error **err)
{
  const dxc_spec *spec = a->spec;
  const dxc_process *p = &spec->process;
  cleanup_close int stub = -1;

  if (harden_process (err) < 0)
    return -1;
  /* Nothing runs before the process is in its cgroup: the parent says when
     (after writing cgroup.procs, or at once when clone placed it). If the
     runtime died before the death signal was set, this fails. */
  if (dxc_sync_wait_go (a->sock, err) < 0)
    return -1;
  if (close_inherited_fds (a, err) < 0)
    return -1;
  /* The sealed copy of the exec stub, made now: nothing after seccomp
     needs memfd_create. */
  stub = dxc_exec_stub_fd (err);
  if (stub < 0)
    return -1;
  /* A cgroup namespace made now has the container's cgroup as its root. */
  if (dxc_ns_unshare_cgroup (spec, err) < 0)
    return -1;
  if (dxc_ns_join_paths (spec, err) < 0)
    return -1;
  if (join_new_keyring (a, err) < 0)
    return -1;
  /* A session of its own: the caller's terminal signals reach the runtime,
     which forwards them, rather than reaching the container twice. */
  if (setsid () < 0)
    return dxc_error_errno (err, errno, "setsid");
  if ((spec->new_ns_flags & CLONE_NEWNET) && dxc_ns_loopback_up (err) < 0)
    return -1;
  if (dxc_ns_set_hostname (spec, err) < 0)
    return -1;
  /* Device nodes and mount points get exactly the modes asked for. */
  umask (0);
  if (dxc_rootfs_prepare (spec, a->rootfs, a->opts->root_mount, a->cgroup,
                          err)
      < 0)
    return dxc_error_prefix (err, "rootfs");
  if (dxc_rootfs_pivot (a->rootfs, a->opts->no_pivot, err) < 0)
    return dxc_error_prefix (err, "rootfs");
  if (dxc_apply_sysctls (spec, err) < 0)
    return -1;
  if (p->terminal)
    {
      cleanup_close int master
          = dxc_terminal_setup_child (p->console_height, p->console_width, err);
      if (master < 0)
        return -1;
      if (dxc_sync_send_fd (a->sock, DXC_SYNC_PTY, master, err) < 0)
        return -1;
    }
  else if (a->opts->stdin_fd >= 0 && dup2 (a->opts->stdin_fd, 0) < 0)
    return dxc_error_errno (err, errno, "stdin");
  /* Masks and read-only remounts last: /dev/console and sysctls above need
     /proc and /dev writable. */
  if (dxc_rootfs_finalize (spec, err) < 0)
    return dxc_error_prefix (err, "rootfs");
  if (dxc_set_oom_score_adj (p, err) < 0)
    return -1;
  if (dxc_set_rlimits (p, err) < 0)
    return -1;
  if (make_cwd (p->cwd, err) < 0)
    return -1;
  umask (p->has_umask ? p->umask : 022);
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the
     capabilities go (as runc does); the few calls left (setgroups,
     setresuid, capset, prctl, execveat) must be allowed by the profile. */
  if (!p->no_new_privileges && load_seccomp (a, err) < 0)
    return -1;
  if (dxc_set_user_and_caps (p, err) < 0)
    return -1;
  if (rearm_death_signal (a->sock, err) < 0)
    return -1;
  if (dxc_set_no_new_privs (p, err) < 0)
    return -1;
  if (wait_for_start (a, err) < 0)
    return -1;
  /* With no_new_privs, as late as can be: fewer calls under the filter. */
  if (p->no_new_privileges && load_seccomp (a, err) < 0)
    return -1;
  /* The program gets no fd of the runtime beyond its stdio. */
  if (syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return dxc_error_errno (err, errno, "close_range");
  /* Dispositions and mask as a fresh process has them: a runtime started
     in the background (SIGINT and SIGQUIT ignored by the shell) must not
     pass that on to the container. */
  reset_signal_dispositions ();
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  /* A created container's runtime is gone: nobody reads the socket. */
  return dxc_exec_program (p, stub, a->fifo >= 0 ? -1 : a->sock, err);
}

static void __attribute__ ((noreturn))
container_init (const init_args *a)
{
  cleanup_error dxc_error *err = NULL;
  int code;

  init_steps (a, &err);
  if (err == NULL)
    dxc_error_new (&err, "container setup failed");
  code = err->exit_code;
  dxc_sync_send_error (a->sock, err);
  _exit (code);
}

/* ---- parent side --------------------------------------------------------- */

/* clone3's arguments (linux/sched.h has them, but clashes with sched.h). */
struct clone3_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
      stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define DXC_CLONE_INTO_CGROUP 0x200000000ULL

/* Like fork(), into new namespaces and, when cgroup_fd is a cgroup2
   directory, straight into that cgroup (Linux 5.7). *placed says whether it
   did. */
static pid_t
clone_child (int flags, int cgroup_fd, bool *placed)
{
  *placed = false;
  if (cgroup_fd >= 0)
    {
      struct clone3_args args = { .flags = (uint64_t) (unsigned) flags
                                           | DXC_CLONE_INTO_CGROUP,
                                  .exit_signal = SIGCHLD,
                                  .cgroup = (uint64_t) cgroup_fd };
      pid_t pid = syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0)
        {
          *placed = true;
          return pid;
        }
      if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        return -1;
    }
  /* A NULL stack makes clone() behave like fork(): the child runs on a
     copy of this stack. */
  return syscall (SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL,
                  NULL);
}

static int
status_to_exit (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return DXC_EXIT_ENGINE;
}

static void
copy_fd (int from, int to, bool *eof)
{
  char buf[16384];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    {
      if (n == 0 || (errno != EAGAIN && errno != EINTR))
        *eof = true;
      return;
    }
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (to, buf + off, n - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          if (errno != EAGAIN)
            return;
          struct pollfd pfd = { to, POLLOUT, 0 };
          poll (&pfd, 1, 100);
          continue;
        }
      off += w;
    }
}

/* Wait for the container's end, forwarding signals and, with a terminal,
   proxying the pty. */
static int
supervise (pid_t pid, int sigfd, int master, int in_fd, int *ret_status,
           dxc_error **err)
{
  bool exited = false, master_eof = master < 0, in_eof = in_fd < 0;
  bool in_tty = isatty (STDIN_FILENO);
  int status = 0;

  while (!exited || !master_eof)
    {
      struct pollfd pfd[3] = { { sigfd, POLLIN, 0 },
                               { master_eof ? -1 : master, POLLIN, 0 },
                               { in_eof || master_eof ? -1 : in_fd, POLLIN, 0 } };
      int n = poll (pfd, 3, exited ? 100 : -1);
      if (n < 0 && errno != EINTR)
        return dxc_error_errno (err, errno, "poll");
      if (n == 0 && exited)
        break; /* a grandchild holds the pty open: do not wait for it */
      if (pfd[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sigfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGCHLD)
                {
                  pid_t r;
                  int st;
                  while ((r = waitpid (-1, &st, WNOHANG)) > 0)
                    if (r == pid)
                      {
                        exited = true;
                        status = st;
                      }
                }
              else if (si.ssi_signo == SIGWINCH)
                {
                  if (master >= 0 && in_tty)
                    dxc_terminal_copy_winsize (STDIN_FILENO, master);
                }
              else if (!exited)
                kill (pid, si.ssi_signo);
            }
        }
      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        copy_fd (master, STDOUT_FILENO, &master_eof);
      if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
        copy_fd (in_fd, master, &in_eof);
    }
  *ret_status = status_to_exit (status);
  return 0;
}

static int
resolve_rootfs (const dxc_spec *spec, const char *bundle, char **ret,
                dxc_error **err)
{
  cleanup_free char *joined = NULL;
  char real[PATH_MAX];
  struct stat st;

  if (spec->root_path[0] == '/' || bundle == NULL)
    joined = strdup (spec->root_path);
  else if (asprintf (&joined, "%s/%s", bundle, spec->root_path) < 0)
    joined = NULL;
  if (joined == NULL)
    return dxc_error_errno (err, ENOMEM, "rootfs");
  if (realpath (joined, real) == NULL)
    return dxc_error_errno (err, errno, "rootfs %s", joined);
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    return dxc_error_errno (err, ENOTDIR, "rootfs %s", real);
  *ret = strdup (real);
  return 0;
}

/* The seccomp agent's due: the container process state ("creating") with
   the filter's listener fd. */
static int
send_to_agent (const dxc_spec *spec, const dxc_run_opts *opts, pid_t pid,
               int fd, dxc_error **err)
{
  json_t *ann = json_object_get (spec->json, "annotations");
  json_t *state = json_pack ("{s:s, s:s, s:s, s:i, s:s}", "ociVersion",
                             "1.0.2", "id", opts->id ? opts->id : "",
                             "status", "creating", "pid", (int) pid,
                             "bundle", opts->bundle ? opts->bundle : "");
  int r;
  if (state == NULL)
    return dxc_error_errno (err, ENOMEM, "seccomp agent");
  if (json_object_size (ann))
    json_object_set (state, "annotations", ann);
  r = dxc_seccomp_send_to_agent (&spec->seccomp, fd, pid, state, err);
  json_decref (state);
  return r;
}

/* What the parent's steps share. */
typedef struct run_ctx
{
  const dxc_spec *spec;
  const dxc_run_opts *opts;
  char *rootfs;
  bool state;      /* live state kept (opts->state_root) */
  sigset_t oldmask;
  int sigfd;
  int sv[2];       /* [0] the parent's end, [1] the child's */
  dxc_cgroup *cgroup;
  pid_t pid;
  int master;      /* the pty master, or -1 */
  int fifo;        /* create: the exec fifo (O_PATH), or -1 */
} run_ctx;

/* Everything that can be checked is checked before the first side effect;
   then the ID is reserved. */
static int
check_and_reserve (run_ctx *c, dxc_error **err)
{
  if (c->opts->create_only && c->state == false)
    return dxc_error_new (err, "create needs a state directory");
  if (c->opts->create_only && c->spec->process.terminal
      && c->opts->console_socket == NULL)
    return dxc_error_new (err, "cannot allocate tty if the runtime will "
                          "detach without setting console socket");
  if (c->opts->console_socket && !c->spec->process.terminal)
    return dxc_error_new (err, "cannot use console socket if the runtime "
                          "will not detach or allocate tty");
  if (resolve_rootfs (c->spec, c->opts->bundle, &c->rootfs, err) < 0)
    return -1;
  if (c->state
      && (dxc_state_create (c->opts->state_root, c->opts->id, c->opts->bundle,
                            err)
              < 0
          || dxc_state_set_config (c->opts->state_root, c->opts->id,
                                   c->rootfs,
                                   json_object_get (c->spec->json,
                                                    "annotations"),
                                   err)
                 < 0))
    return -1;
  return 0;
}

/* create: the exec fifo the container's process waits on until start
   opens it (runc's exec.fifo: its existence says "created"). Writable by
   the process whatever user it becomes. */
static int
make_exec_fifo (run_ctx *c, dxc_error **err)
{
  cleanup_free char *path = NULL;
  if (!c->opts->create_only)
    return 0;
  path = dxc_state_fifo_path (c->opts->state_root, c->opts->id);
  if (path == NULL)
    return dxc_error_errno (err, ENOMEM, "exec fifo");
  if (mkfifo (path, 0622) < 0 || chmod (path, 0622) < 0)
    return dxc_error_errno (err, errno, "mkfifo %s", path);
  c->fifo = open (path, O_PATH | O_CLOEXEC);
  if (c->fifo < 0)
    return dxc_error_errno (err, errno, "open %s", path);
  return 0;
}

/* The signals to forward are blocked and read from a signalfd; the child
   restores the mask before exec. */
static int
block_signals (run_ctx *c, dxc_error **err)
{
  sigset_t mask;
  sigemptyset (&mask);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof (int); i++)
    sigaddset (&mask, forwarded_signals[i]);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGWINCH);
  sigprocmask (SIG_BLOCK, &mask, &c->oldmask);
  c->sigfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (c->sigfd < 0)
    return dxc_error_errno (err, errno, "signalfd");
  return 0;
}

static int
make_sync_socket (run_ctx *c, dxc_error **err)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sv) < 0)
    return dxc_error_errno (err, errno, "socketpair");
  return 0;
}

/* The container's cgroup, limits applied before any process; recorded, so
   that what a killed runtime leaves is removed by the next create of this
   ID (state.h). */
static int
plan_cgroup (json_t *leaves, void *data, dxc_error **err)
{
  const run_ctx *c = data;
  if (!c->state)
    return 0;
  return dxc_state_plan_cgroups (c->opts->state_root, c->opts->id, leaves,
                                 err);
}

static int
create_cgroup (run_ctx *c, dxc_error **err)
{
  const dxc_run_opts *o = c->opts;
  if ((o->no_cgroup ? dxc_cgroup_use_own (c->spec, &c->cgroup, err)
                    : dxc_cgroup_create_planned (c->spec, o->id, plan_cgroup,
                                                 c, &c->cgroup, err))
      < 0)
    return -1;
  if (c->state)
    {
      json_t *dirs = dxc_cgroup_created_dirs (c->cgroup);
      int r = dxc_state_set_cgroups (o->state_root, o->id, dirs, err);
      json_decref (dirs);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* The container process, cloned into its new namespaces (but the cgroup
   one, made once the process is in its cgroup) and, on cgroup v2, straight
   into its cgroup. A PID namespace to join is joined for the child only. */
static int
clone_container (run_ctx *c, bool *placed, dxc_error **err)
{
  int own_pidns = -1;
  int flags = c->spec->new_ns_flags & ~CLONE_NEWCGROUP;
  char flags_str[256];
  init_args args;

  if (dxc_ns_enter_pid_for_children (c->spec, &own_pidns, err) < 0)
    return -1;
  args = (init_args){ c->spec, c->cgroup, c->opts, c->rootfs, c->sv[1],
                      c->fifo, c->oldmask };
  dxc_ns_flags_string (flags, flags_str, sizeof flags_str);
  c->pid = clone_child (flags, dxc_cgroup_clone_fd (c->cgroup), placed);
  if (c->pid == 0)
    {
      close (c->sv[0]);
      container_init (&args);
    }
  if (c->pid < 0)
    {
      dxc_error_errno (err, errno, "clone(%s)", flags_str);
      dxc_ns_leave_pid_for_children (own_pidns, NULL);
      return -1;
    }
  if (dxc_ns_leave_pid_for_children (own_pidns, err) < 0)
    return -1;
  dxc_explain ("%s(%s%s|SIGCHLD) -> container process, host PID %d (PID 1 "
               "in its own PID namespace)", *placed ? "clone3" : "clone",
               flags_str, *placed ? "|CLONE_INTO_CGROUP" : "", (int) c->pid);
  close (c->sv[1]);
  c->sv[1] = -1;
  return 0;
}

/* The child's messages until it executes its program (end of file, 0) or,
   with create, waits for start (1): its pty, its seccomp listener for the
   agent, or its error. */
static int
wait_for_exec (run_ctx *c, dxc_error **err)
{
  for (;;)
    {
      enum dxc_sync_type type;
      int fd = -1;
      int got = dxc_sync_recv (c->sv[0], &type, &fd, err);
      if (got <= 0)
        return got;
      if (type == DXC_SYNC_CREATED)
        {
          if (fd >= 0)
            close (fd);
          return 1;
        }
      if (type == DXC_SYNC_EXEC_FAILED)
        {
          /* The exec stub could not execve the program: the error the
             child would have made. */
          const char *file = c->spec->process.args[0];
          int e = (*err)->errnum;
          dxc_error_free (*err);
          *err = NULL;
          dxc_exec_error (file, e, strchr (file, '/') == NULL, err);
          type = DXC_SYNC_ERROR;
        }
      if (type == DXC_SYNC_ERROR)
        {
          /* The child exits after sending it: reaped, nothing to kill. */
          waitpid (c->pid, NULL, 0);
          c->pid = 0;
          return -1;
        }
      if (type == DXC_SYNC_SECCOMP_FD)
        {
          cleanup_close int nfd = fd;
          if (send_to_agent (c->spec, c->opts, c->pid, nfd, err) < 0)
            return -1;
          continue;
        }
      if (type == DXC_SYNC_PTY)
        {
          if (c->master >= 0)
            close (c->master);
          c->master = fd;
        }
      else if (fd >= 0)
        close (fd);
    }
}

/* Forward signals (and proxy the terminal) until the end; the OOM report
   is read before the cgroup goes. */
static int
supervise_to_end (run_ctx *c, int *ret_status, dxc_error **err)
{
  dxc_tty_saved saved = { 0 };
  int in_fd = -1, r;
  if (c->master >= 0)
    {
      /* Our terminal goes raw whenever there is one (the container's pty
         does the line discipline); input is forwarded only when the
         container takes our stdin. */
      if (isatty (STDIN_FILENO))
        dxc_terminal_make_raw (STDIN_FILENO, &saved, NULL);
      in_fd = c->opts->stdin_fd >= 0 ? -1 : STDIN_FILENO;
    }
  r = supervise (c->pid, c->sigfd, c->master, in_fd, ret_status, err);
  dxc_terminal_restore (&saved);
  /* A branch and a store rather than "*p = kills > 0": under qemu's
     software emulation (tests/vm) that setcc-to-memory wrote 1 for a return
     value of 0 in about one run in six; never on hardware. */
  if (c->opts->oom_killed && dxc_cgroup_oom_kills (c->cgroup) > 0)
    *c->opts->oom_killed = true;
  if (r == 0)
    c->pid = 0; /* reaped by supervise */
  return r;
}

/* The parent's own part: a child still there is killed (pid > 0), the
   runtime's fds closed, its signal mask back. */
static void
release_parent (run_ctx *c)
{
  if (c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      waitpid (c->pid, NULL, 0);
    }
  for (int i = 0; i < 2; i++)
    if (c->sv[i] >= 0)
      close (c->sv[i]);
  if (c->sigfd >= 0)
    close (c->sigfd);
  if (c->master >= 0)
    close (c->master);
  sigprocmask (SIG_SETMASK, &c->oldmask, NULL);
}

/* Whatever was made goes: a child still there is killed, the cgroup (with
   anything left in it, and what killed runtimes left beside it when the
   parent is the caller's own), the live state. */
static int
tear_down (run_ctx *c, int r, dxc_error **err)
{
  release_parent (c);
  if (c->opts->sweep_cgroups)
    dxc_cgroup_sweep_siblings (c->cgroup, 10);
  if (dxc_cgroup_destroy (c->cgroup, r < 0 ? NULL : err) < 0)
    r = -1;
  if (c->fifo >= 0)
    close (c->fifo);
  if (c->state && c->rootfs)
    dxc_state_remove (c->opts->state_root, c->opts->id);
  free (c->rootfs);
  return r;
}

/* The pty's master to the caller's console socket (one message, the fd in
   SCM_RIGHTS and the terminal's name as data, as runc sends it). */
static int
send_console (const char *path, int master, dxc_error **err)
{
  cleanup_close int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  static const char name[] = "/dev/ptmx";

  if (strlen (path) >= sizeof sa.sun_path)
    return dxc_error_new (err, "--console-socket %s: path too long", path);
  strcpy (sa.sun_path, path);
  if (s < 0 || connect (s, (struct sockaddr *) &sa, sizeof sa) < 0)
    return dxc_error_errno (err, errno, "connect to the console socket %s",
                            path);
  if (dxc_send_with_fd (s, name, sizeof name - 1, master) < 0)
    return dxc_error_errno (err, errno, "send the terminal to %s", path);
  return 0;
}

/* create: the container stays, its process waiting on the exec fifo; the
   runtime lets go of what it holds and leaves. */
static int
leave_created (run_ctx *c, dxc_error **err)
{
  int r = 0;
  if (c->master >= 0 && c->opts->console_socket
      && send_console (c->opts->console_socket, c->master, err) < 0)
    return tear_down (c, -1, err);
  if (dxc_state_write (c->opts->state_root, c->opts->id, c->opts->bundle,
                       c->pid, "created", err)
      < 0)
    r = -1;
  else if (c->opts->on_started)
    c->opts->on_started (c->pid, c->opts->data);
  if (r < 0)
    return tear_down (c, r, err);
  /* The process stays. */
  c->pid = 0;
  release_parent (c);
  close (c->fifo);
  dxc_cgroup_release (c->cgroup);
  free (c->rootfs);
  return 0;
}

int
dxc_container_run (const dxc_spec *spec, const dxc_run_opts *opts,
                   int *ret_status, dxc_error **err)
{
  run_ctx c = { .spec = spec, .opts = opts, .state = opts->state_root != NULL,
                .sigfd = -1, .sv = { -1, -1 }, .master = -1, .fifo = -1 };
  int got;
  bool placed = false;
  int r = -1;

  if (check_and_reserve (&c, err) < 0)
    {
      free (c.rootfs);
      return -1;
    }
  /* The parent's steps, in order. Each failure goes to tear_down, which
     undoes what was done. */
  if (block_signals (&c, err) < 0 || make_sync_socket (&c, err) < 0
      || make_exec_fifo (&c, err) < 0 || create_cgroup (&c, err) < 0
      || clone_container (&c, &placed, err) < 0
      /* the process joins its cgroup, then the caller's part (the
         engine's network), then it may go on */
      || dxc_cgroup_enter (c.cgroup, c.pid, placed, err) < 0
      || (opts->on_created
          && opts->on_created (c.pid, opts->created_data, err) < 0)
      || dxc_sync_send_go (c.sv[0], err) < 0
      || (got = wait_for_exec (&c, err)) < 0)
    return tear_down (&c, -1, err);
  if (got == 1)
    {
      *ret_status = 0;
      return leave_created (&c, err);
    }
  if (c.state
      && dxc_state_write (opts->state_root, opts->id, opts->bundle, c.pid,
                          "running", err)
             < 0)
    return tear_down (&c, -1, err);
  if (opts->on_started)
    opts->on_started (c.pid, opts->data);
  r = supervise_to_end (&c, ret_status, err);
  return tear_down (&c, r, err);
}

/* ---- exec: another process in a running container ------------------------ */

typedef struct exec_args
{
  const dxc_spec *spec;
  pid_t init;         /* the container's process (host PID) */
  uint64_t init_start;
  int sock;
  bool detach;
} exec_args;

/* The container's namespaces (those its config.json names) and its root,
   opened through its process's /proc entries; the process must still be
   the container's once they are open (a PID reused in between would be
   someone else's namespaces). Then joined, the mount namespace last, and
   its root entered. */
static int
join_container (const exec_args *a, dxc_error **err)
{
  static const struct
  {
    int flag;
    const char *name;
  } kinds[] = { { CLONE_NEWNET, "net" },   { CLONE_NEWIPC, "ipc" },
                { CLONE_NEWUTS, "uts" },   { CLONE_NEWCGROUP, "cgroup" },
                { CLONE_NEWNS, "mnt" } };
  int fds[5] = { -1, -1, -1, -1, -1 };
  cleanup_close int root = -1;
  char path[64];
  int r = 0;

  for (size_t k = 0; k < 5; k++)
    for (size_t i = 0; i < a->spec->n_namespaces; i++)
      if (a->spec->namespaces[i].flag == kinds[k].flag && fds[k] < 0)
        {
          snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) a->init,
                    kinds[k].name);
          fds[k] = open (path, O_RDONLY | O_CLOEXEC);
          if (fds[k] < 0)
            r = dxc_error_errno (err, errno, "open %s", path);
        }
  snprintf (path, sizeof path, "/proc/%d/root", (int) a->init);
  root = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r == 0 && root < 0)
    r = dxc_error_errno (err, errno, "open %s", path);
  if (r == 0 && !dxc_proc_alive (a->init, a->init_start))
    r = dxc_error_new (err, "the container's process is gone");
  for (size_t k = 0; k < 5; k++)
    {
      if (r == 0 && fds[k] >= 0 && setns (fds[k], kinds[k].flag) < 0)
        r = dxc_error_errno (err, errno, "setns %s namespace",
                             kinds[k].name);
      if (fds[k] >= 0)
        close (fds[k]);
    }
  if (r < 0)
    return -1;
  if (fchdir (root) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return dxc_error_errno (err, errno, "enter the container's root");
  dxc_explain ("setns into the namespaces of PID %d, then its root: the "
               "process is in the container", (int) a->init);
  return 0;
}

/* The container's filter (a notify action's listener is not passed on:
   the seccomp agent hears of the container's process only). */
static int
exec_load_seccomp (const exec_args *a, dxc_error **err)
{
  cleanup_close int fd = -1;
  return dxc_seccomp_load (&a->spec->seccomp, &fd, err);
}

static int
exec_steps (const exec_args *a, dxc_error **err)
{
  const dxc_process *p = &a->spec->process;
  const int keep[] = { a->sock, dxc_explain_fd };
  cleanup_close int stub = -1;
  int r;

  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_DUMPABLE");
  if (!a->detach && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_PDEATHSIG");
  /* In the container's cgroups first. */
  if (dxc_sync_wait_go (a->sock, err) < 0)
    return -1;
  r = dxc_close_fds_except (keep, sizeof keep / sizeof keep[0]);
  if (r < 0)
    return dxc_error_errno (err, -r, "close the runtime's fds");
  stub = dxc_exec_stub_fd (err);
  if (stub < 0 || join_container (a, err) < 0)
    return -1;
  if (!a->detach && setsid () < 0)
    return dxc_error_errno (err, errno, "setsid");
  if (dxc_set_oom_score_adj (p, err) < 0 || dxc_set_rlimits (p, err) < 0
      || make_cwd (p->cwd, err) < 0)
    return -1;
  umask (p->has_umask ? p->umask : 022);
  if (!p->no_new_privileges && exec_load_seccomp (a, err) < 0)
    return -1;
  if (dxc_set_user_and_caps (p, err) < 0)
    return -1;
  if (!a->detach && rearm_death_signal (a->sock, err) < 0)
    return -1;
  if (dxc_set_no_new_privs (p, err) < 0)
    return -1;
  if (p->no_new_privileges && exec_load_seccomp (a, err) < 0)
    return -1;
  if (syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return dxc_error_errno (err, errno, "close_range");
  reset_signal_dispositions ();
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  return dxc_exec_program (p, stub, a->sock, err);
}

/* The state's recorded leaves (one per hierarchy): the process joins each. */
static int
join_cgroups (json_t *st, pid_t pid, dxc_error **err)
{
  json_t *d;
  size_t i;
  json_array_foreach (json_object_get (st, "cgroupsPlanned"), i, d)
  {
    char path[4096], buf[32];
    cleanup_close int fd = -1;
    snprintf (path, sizeof path, "%s/cgroup.procs", json_string_value (d));
    snprintf (buf, sizeof buf, "%d", (int) pid);
    fd = open (path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write (fd, buf, strlen (buf)) < 0)
      return dxc_error_errno (err, errno, "join the container's cgroup %s",
                              json_string_value (d));
  }
  return 0;
}

/* runc exec's flags over config.json's process. */
static int
exec_flags_to_process (const dxc_exec_opts *o, json_t *proc, dxc_error **err)
{
  json_t *args = json_array (), *env = json_object_get (proc, "env");
  json_t *caps = json_object_get (proc, "capabilities");
  static const char *const sets[]
      = { "bounding", "effective", "permitted", "inheritable", NULL };

  for (char **a = o->args; a && *a; a++)
    json_array_append_new (args, json_string (*a));
  json_object_set_new (proc, "args", args);
  json_object_set_new (proc, "terminal", json_false ());
  if (o->cwd)
    json_object_set_new (proc, "cwd", json_string (o->cwd));
  for (char **e = o->env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      size_t i, n = eq ? (size_t) (eq - *e) : strlen (*e);
      json_t *v;
      bool replaced = false;
      if (!json_is_array (env))
        {
          env = json_array ();
          json_object_set_new (proc, "env", env);
        }
      json_array_foreach (env, i, v)
        if (json_string_value (v) && strncmp (json_string_value (v), *e, n) == 0
            && json_string_value (v)[n] == '=')
          {
            json_array_set_new (env, i, json_string (*e));
            replaced = true;
            break;
          }
      if (!replaced)
        json_array_append_new (env, json_string (*e));
    }
  if (o->user)
    {
      char *end;
      long uid = strtol (o->user, &end, 10), gid = 0;
      if (end == o->user || (*end && *end != ':'))
        return dxc_error_new (err, "exec --user %s: UID[:GID], numbers",
                              o->user);
      if (*end == ':')
        {
          const char *g = end + 1;
          gid = strtol (g, &end, 10);
          if (end == g || *end)
            return dxc_error_new (err, "exec --user %s: UID[:GID], numbers",
                                  o->user);
        }
      json_object_set_new (proc, "user",
                           json_pack ("{s:I, s:I}", "uid", (json_int_t) uid,
                                      "gid", (json_int_t) gid));
    }
  for (char **c = o->caps; c && *c; c++)
    for (int k = 0; sets[k]; k++)
      {
        json_t *set = json_object_get (caps, sets[k]);
        if (!json_is_array (set))
          {
            set = json_array ();
            json_object_set_new (caps, sets[k], set);
          }
        json_array_append_new (set, json_string (*c));
      }
  if (o->no_new_privs)
    json_object_set_new (proc, "noNewPrivileges", json_true ());
  return 0;
}

/* config.json of the container's bundle with the process to run. */
static int
exec_spec (json_t *st, const dxc_exec_opts *o, dxc_spec **ret,
           dxc_error **err)
{
  const char *bundle = json_string_value (json_object_get (st, "bundle"));
  cleanup_free char *path = NULL;
  cleanup_json json_t *cfg = NULL;
  json_error_t jerr;

  if (bundle == NULL || asprintf (&path, "%s/config.json", bundle) < 0)
    return dxc_error_new (err, "container %s: no bundle recorded", o->id);
  cfg = json_load_file (path, 0, &jerr);
  if (!json_is_object (cfg))
    return dxc_error_new (err, "%s: %s", path, jerr.text);
  if (o->process)
    json_object_set (cfg, "process", o->process);
  else if (exec_flags_to_process (o, json_object_get (cfg, "process"), err)
           < 0)
    return -1;
  if (json_is_true (json_object_get (json_object_get (cfg, "process"),
                                     "terminal")))
    return dxc_error_new (err, "exec with a terminal is not supported yet "
                          "(process.terminal)");
  return dxc_spec_from_json (cfg, ret, err);
}

/* What exec made goes: a process that did not get to run is killed. */
static int
exec_tear_down (run_ctx *c, int r)
{
  release_parent (c);
  return r;
}

int
dxc_container_exec (const dxc_exec_opts *o, int *ret_status,
                    dxc_error **err)
{
  cleanup_json json_t *st = NULL;
  cleanup_spec dxc_spec *spec = NULL;
  const char *status;
  run_ctx c = { .sigfd = -1, .sv = { -1, -1 }, .master = -1, .fifo = -1 };
  exec_args a;
  char path[64];
  cleanup_close int pidns = -1, own = -1;
  pid_t pid;
  int got;

  if (dxc_state_read (o->state_root, o->id, &st, err) < 0)
    return -1;
  status = json_string_value (json_object_get (st, "status"));
  if (status == NULL || (strcmp (status, "running") != 0
                         && strcmp (status, "created") != 0))
    return dxc_error_new (err, "cannot exec in a %s container",
                          status ? status : "unknown");
  if (exec_spec (st, o, &spec, err) < 0)
    return -1;
  a = (exec_args){ spec,
                   (pid_t) json_integer_value (json_object_get (st, "pid")),
                   (uint64_t) json_integer_value (
                       json_object_get (st, "startTime")),
                   -1, o->detach };
  c.spec = spec;
  /* Its PID namespace, for the process we fork. */
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) a.init);
  pidns = open (path, O_RDONLY | O_CLOEXEC);
  own = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (pidns < 0 || own < 0 || !dxc_proc_alive (a.init, a.init_start))
    return dxc_error_new (err, "cannot exec in container %s: its process "
                          "is gone", o->id);
  if (block_signals (&c, err) < 0 || make_sync_socket (&c, err) < 0)
    return exec_tear_down (&c, -1);
  if (setns (pidns, CLONE_NEWPID) < 0)
    {
      dxc_error_errno (err, errno, "setns pid namespace");
      return exec_tear_down (&c, -1);
    }
  pid = fork ();
  if (pid == 0)
    {
      cleanup_error dxc_error *e = NULL;
      int code;
      close (c.sv[0]);
      a.sock = c.sv[1];
      exec_steps (&a, &e);
      if (e == NULL)
        dxc_error_new (&e, "exec failed");
      code = e->exit_code;
      dxc_sync_send_error (a.sock, e);
      _exit (code);
    }
  setns (own, CLONE_NEWPID);
  if (pid < 0)
    {
      dxc_error_errno (err, errno, "fork");
      return exec_tear_down (&c, -1);
    }
  c.pid = pid;
  close (c.sv[1]);
  c.sv[1] = -1;
  if (join_cgroups (st, pid, err) < 0 || dxc_sync_send_go (c.sv[0], err) < 0
      || (got = wait_for_exec (&c, err)) < 0)
    return exec_tear_down (&c, -1);
  if (o->on_started)
    o->on_started (pid, o->data);
  if (o->detach)
    {
      /* It goes on without us (to the caller's subreaper). */
      c.pid = 0;
      *ret_status = 0;
      return exec_tear_down (&c, 0);
    }
  got = supervise (c.pid, c.sigfd, -1, -1, ret_status, err);
  if (got == 0)
    c.pid = 0;
  return exec_tear_down (&c, got);
}
