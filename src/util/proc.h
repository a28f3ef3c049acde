/* Processes known by PID and start time: a PID alone may have been reused
 * by an unrelated process after the one recorded died (a killed runtime or
 * engine leaves such records), so every check and every signal goes through
 * the pair, and signals through a pidfd opened after the check. */
#ifndef DXC_PROC_H
#define DXC_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (clock ticks since boot); 0 if the process is
 * gone or a zombie (it has exited; only its parent's wait is missing). */
uint64_t dxc_proc_start_time (pid_t pid);

/* The recorded process is alive: the PID exists with that start time. A
 * record without a start time (0) cannot be checked and is taken as dead:
 * better a stale record than a signal to a stranger. */
bool dxc_proc_alive (pid_t pid, uint64_t start_time);

/* Send sig to the recorded process, never to another that now has its PID.
 * 0, or -errno: -ESRCH when the recorded process is gone. */
int dxc_proc_signal (pid_t pid, uint64_t start_time, int sig);

#endif
