/* The container's program and the exec stub: see exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

extern const char dxc_exec_stub_start[], dxc_exec_stub_end[];

static const char *const default_path
    = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int
dxc_exec_stub_fd (dxc_error **err)
{
  size_t len = dxc_exec_stub_end - dxc_exec_stub_start;
  cleanup_close int fd = -1;

  /* MFD_EXEC: kernels with vm.memfd_noexec (6.3+) want it said; older ones
     refuse the flag, and every memfd is executable there. */
  fd = memfd_create ("devoxx-exec-stub",
                     MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create ("devoxx-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return dxc_error_errno (err, errno, "memfd_create for the exec stub");
  if (dxc_write_all (fd, dxc_exec_stub_start, len) < 0)
    return dxc_error_errno (err, errno, "write the exec stub");
  if (fcntl (fd, F_ADD_SEALS,
             F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
      < 0)
    return dxc_error_errno (err, errno, "seal the exec stub");
  return take_fd (fd);
}

static const char *
env_get (char **env, const char *name)
{
  size_t n = strlen (name);
  for (char **e = env; e && *e; e++)
    if (strncmp (*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

int
dxc_exec_error (const char *file, int e, bool searched, dxc_error **err)
{
  if (e == ENOENT || e == ENOTDIR)
    {
      dxc_error_new (err, searched ? "exec: \"%s\": executable file not "
                                     "found in $PATH"
                                   : "exec: \"%s\": no such file or directory",
                     file);
      (*err)->errnum = e;
      return dxc_error_exit (err, DXC_EXIT_NOT_FOUND);
    }
  dxc_error_errno (err, e, "exec: \"%s\"", file);
  return dxc_error_exit (err, DXC_EXIT_CANNOT_EXEC);
}

/* The HOME of uid in the container's /etc/passwd, or "/", as runc does
   when the environment has none. Called after the root switch. */
static char *
home_of (uid_t uid)
{
  cleanup_fclose FILE *f = fopen ("/etc/passwd", "re");
  char line[1024];
  while (f && fgets (line, sizeof line, f))
    {
      char *fields[7] = { 0 };
      char *tok = line;
      int n = 0;
      /* strsep keeps empty fields: name:x:uid:gid:gecos:home:shell */
      while (n < 7 && (fields[n] = strsep (&tok, ":\n")) != NULL)
        n++;
      if (n >= 6 && fields[2] && strtoul (fields[2], NULL, 10) == uid
          && fields[5] && *fields[5])
        return strdup (fields[5]);
    }
  return strdup ("/");
}

static char **
env_with_home (char **env, uid_t uid)
{
  size_t n = 0;
  char **out;
  cleanup_free char *home = NULL;

  if (env_get (env, "HOME"))
    return env;
  while (env[n])
    n++;
  out = calloc (n + 2, sizeof (char *));
  if (out == NULL)
    return env;
  memcpy (out, env, n * sizeof (char *));
  home = home_of (uid);
  if (asprintf (&out[n], "HOME=%s", home) < 0)
    out[n] = NULL;
  return out;
}

/* The candidate execve would run for file: the file itself when it holds a
   '/', otherwise the first one along PATH that exists and may be executed
   (as execvp, a candidate we may not run is remembered and reported if no
   later one is found). */
static int
find_program (const char *file, char **envp, char *buf, size_t len,
              bool *searched)
{
  const char *path = env_get (envp, "PATH");
  int first_error = ENOENT;

  *searched = strchr (file, '/') == NULL;
  if (!*searched)
    {
      if (snprintf (buf, len, "%s", file) >= (int) len)
        return ENAMETOOLONG;
      return 0;
    }
  if (path == NULL)
    path = default_path;
  while (*path)
    {
      const char *end = strchrnul (path, ':');
      size_t dl = end - path;
      if (dl + 1 + strlen (file) + 1 <= len)
        {
          if (dl == 0)
            snprintf (buf, len, "%s", file);
          else
            snprintf (buf, len, "%.*s/%s", (int) dl, path, file);
          if (access (buf, X_OK) == 0)
            {
              struct stat st;
              if (stat (buf, &st) == 0 && !S_ISDIR (st.st_mode))
                return 0;
              errno = EACCES;
            }
          if (errno != ENOENT && errno != ENOTDIR && first_error == ENOENT)
            first_error = errno;
        }
      path = *end ? end + 1 : end;
    }
  return first_error;
}

int
dxc_exec_lookup (const dxc_process *p, dxc_error **err)
{
  /* (the child's: env_with_home's few bytes go with its exec) */
  char **envp = env_with_home (p->env, p->uid);
  char path[PATH_MAX];
  bool searched;
  int e = find_program (p->args[0], envp, path, sizeof path, &searched);
  struct stat st;
  /* A path is not searched: it must be there and executable itself. */
  if (e == 0 && !searched
      && (access (path, X_OK) < 0 || stat (path, &st) < 0))
    e = errno;
  if (e == 0 && !searched && S_ISDIR (st.st_mode))
    e = EACCES;
  if (e != 0)
    return dxc_exec_error (p->args[0], e, searched, err);
  return 0;
}

int
dxc_exec_program (const dxc_process *p, int stub, int sync_fd,
                  dxc_error **err)
{
  const char *file = p->args[0];
  char **envp = env_with_home (p->env, p->uid);
  cleanup_free char **argv = NULL;
  char fdstr[16], path[PATH_MAX];
  bool searched;
  size_t n = 0;
  int e;

  e = find_program (file, envp, path, sizeof path, &searched);
  if (e != 0)
    return dxc_exec_error (file, e, searched, err);
  while (p->args[n])
    n++;
  argv = calloc (n + 3, sizeof (char *));
  if (argv == NULL)
    return dxc_error_errno (err, ENOMEM, "exec");
  /* "-": no socket (a created container's runtime is gone). */
  snprintf (fdstr, sizeof fdstr, sync_fd >= 0 ? "%d" : "-", sync_fd);
  argv[0] = fdstr;
  argv[1] = path;
  memcpy (argv + 2, p->args, n * sizeof (char *));
  /* The stub reports a failed execve over the socket: it must outlive this
     exec (the stub makes it close-on-exec for the program's). */
  if (sync_fd >= 0 && fcntl (sync_fd, F_SETFD, 0) < 0)
    return dxc_error_errno (err, errno, "exec: keep the sync socket");
  dxc_explain ("execveat(sealed memfd of the exec stub) then execve(\"%s\"): "
               "the container's program replaces the runtime in this "
               "process, which never runs it as the host's binary", path);
  syscall (SYS_execveat, stub, "", argv, envp, AT_EMPTY_PATH);
  e = errno;
  if (sync_fd >= 0)
    fcntl (sync_fd, F_SETFD, FD_CLOEXEC);
  return dxc_error_errno (err, e, "exec: run the sealed exec stub");
}
