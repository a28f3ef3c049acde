/* Terminals: see terminal.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "terminal.h"
#include "util/log.h"

_Static_assert (sizeof (struct termios) <= 64, "termios fits");

int
dxc_terminal_setup_child (unsigned short rows, unsigned short cols,
                          dxc_error **err)
{
  cleanup_close int master = -1;
  cleanup_close int slave = -1;
  char name[64];
  int unlock = 0;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return dxc_error_errno (err, errno, "terminal: open /dev/ptmx (the spec "
                            "needs a devpts mount for process.terminal)");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return dxc_error_errno (err, errno, "terminal: unlock pty");
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return dxc_error_errno (err, errno, "terminal: open pty peer");
  if (ptsname_r (master, name, sizeof name) != 0)
    snprintf (name, sizeof name, "(pty)");
  /* The size must be there before the program starts: from the spec, or
     else from the caller's terminal (still our stdin at this point). */
  {
    struct winsize ws = { .ws_row = rows, .ws_col = cols };
    if ((rows == 0 || cols == 0) && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
      ws.ws_row = ws.ws_col = 0;
    if (ws.ws_row && ws.ws_col)
      ioctl (slave, TIOCSWINSZ, &ws);
  }
  /* /dev/console is the container's terminal, as runc and crun make it. */
  {
    cleanup_close int c = open ("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW
                                                    | O_CLOEXEC, 0600);
    char src[64];
    snprintf (src, sizeof src, "/proc/self/fd/%d", slave);
    if (c >= 0 && mount (src, "/dev/console", NULL, MS_BIND, NULL) < 0)
      return dxc_error_errno (err, errno, "terminal: bind %s on /dev/console",
                              name);
  }
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return dxc_error_errno (err, errno, "terminal: make %s the controlling "
                            "terminal", name);
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return dxc_error_errno (err, errno, "terminal: dup2");
  dxc_explain ("terminal: %s is the controlling terminal and stdin, stdout, "
               "stderr (open(\"/dev/ptmx\"), ioctl(TIOCSCTTY)); bound on "
               "/dev/console", name);
  return take_fd (master);
}

int
dxc_terminal_make_raw (int fd, dxc_tty_saved *saved, dxc_error **err)
{
  struct termios t, raw;

  saved->saved = false;
  if (tcgetattr (fd, &t) < 0)
    return dxc_error_errno (err, errno, "tcgetattr");
  raw = t;
  cfmakeraw (&raw);
  if (tcsetattr (fd, TCSANOW, &raw) < 0)
    return dxc_error_errno (err, errno, "tcsetattr");
  memcpy (saved->termios, &t, sizeof t);
  saved->fd = fd;
  saved->saved = true;
  return 0;
}

void
dxc_terminal_restore (dxc_tty_saved *saved)
{
  if (saved->saved)
    {
      tcsetattr (saved->fd, TCSANOW, (struct termios *) saved->termios);
      saved->saved = false;
    }
}

void
dxc_terminal_copy_winsize (int from_fd, int master)
{
  struct winsize ws;
  if (ioctl (from_fd, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}
