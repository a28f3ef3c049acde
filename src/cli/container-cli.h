/* What the command files of devoxx-container share: the helpers of
 * devoxx-container.c and every command (the table that dispatches them is
 * in devoxx-container.c). */
#ifndef DXC_CONTAINER_CLI_H
#define DXC_CONTAINER_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

/* --cert-dir's default and value: <dir>/<host>/ca.crt, as Docker's
   certs.d. */
extern const char *cert_dir;

/* The engine on the store of the global options; 0, or the exit code of a
   failure (already printed). */
int open_engine (dxc_engine **e);
/* An unknown or incomplete flag of cmd: one line, Docker's exit code. */
int bad_flag (const char *cmd, char **argv, int c);
/* A line of the engine for the user (published ports picked, ...). */
void notify (const char *msg);
/* "3 minutes ago" for an RFC 3339 time; "2.9MB" for a byte count. */
void human_age (const char *rfc3339, char *buf, size_t len);
void human_size (long long n, char *buf, size_t len);
/* Run remove() on each argument with the flags of flags_allowed that were
   given, printing each name removed when echo, as Docker's rm, rmi,
   volume rm and network rm do. */
int remove_each (int argc, char **argv, const char *what,
                 int (*remove) (dxc_engine *, const char *, unsigned,
                                dxc_error **),
                 const char *flags_allowed, bool echo);
/* Print a JSON array of one() of each argument (volume and network
   inspect). */
int inspect_each (int argc, char **argv, const char *cmd,
                  int (*one) (dxc_engine *e, const char *name, json_t **ret,
                              dxc_error **err));
/* inspect and image inspect: containers first (when containers), then
   images. */
int inspect (int argc, char **argv, bool containers, const char *cmd);

int cmd_run (int argc, char **argv);
int cmd_pull (int argc, char **argv);
int cmd_login (int argc, char **argv);
int cmd_logout (int argc, char **argv);
int cmd_import (int argc, char **argv);
int cmd_images (int argc, char **argv);
int cmd_rmi (int argc, char **argv);
int cmd_save (int argc, char **argv);
int cmd_load (int argc, char **argv);
int cmd_image_inspect (int argc, char **argv);
int cmd_tag (int argc, char **argv);
int cmd_image_prune (int argc, char **argv);
int cmd_image (int argc, char **argv);
int cmd_ps (int argc, char **argv);
int cmd_rm (int argc, char **argv);
int cmd_inspect (int argc, char **argv);
int cmd_volume_create (int argc, char **argv);
int cmd_volume_ls (int argc, char **argv);
int cmd_volume_inspect (int argc, char **argv);
int cmd_volume_rm (int argc, char **argv);
int cmd_volume_prune (int argc, char **argv);
int cmd_volume (int argc, char **argv);
int cmd_network_create (int argc, char **argv);
int cmd_network_ls (int argc, char **argv);
int cmd_network_inspect (int argc, char **argv);
int cmd_network_rm (int argc, char **argv);
int cmd_network (int argc, char **argv);
int cmd_info (int argc, char **argv);

#endif
