/* Terminals: the container's pty (made inside the container, from its own
 * devpts instance) and the proxy that connects it to the caller's terminal
 * in raw mode, keeping the window size in sync. */
#ifndef DXC_TERMINAL_H
#define DXC_TERMINAL_H

#include <stdbool.h>

#include "util/error.h"

/* Child side, after pivot_root: open /dev/ptmx, make the slave the
 * controlling terminal and stdio, bind it on /dev/console. Returns the
 * master fd. */
int dxc_terminal_setup_child (unsigned short rows, unsigned short cols,
                              dxc_error **err);

/* Parent side. */
typedef struct dxc_tty_saved
{
  bool saved;
  int fd;
  char termios[64]; /* struct termios, opaque here */
} dxc_tty_saved;

int dxc_terminal_make_raw (int fd, dxc_tty_saved *saved, dxc_error **err);
void dxc_terminal_restore (dxc_tty_saved *saved);
/* Copy the window size of from_fd (a terminal) onto the pty master. */
void dxc_terminal_copy_winsize (int from_fd, int master);

#endif
