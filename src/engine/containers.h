/* Container records in the store: containers/<id>/container.json (what
 * `ps` and `inspect` show), config.json (the OCI spec it ran with), and
 * upper/, work/, rootfs/ for its root file system; names/<name> is a
 * symlink to the ID, made with one atomic symlink() so that two containers
 * can never take the same name. */
#ifndef DXC_CONTAINERS_H
#define DXC_CONTAINERS_H

#include <jansson.h>
#include <stdbool.h>

#include "image/store.h"

void dxc_container_new_id (char id[65]);
bool dxc_container_name_is_valid (const char *name);
/* Reserve name for id; EEXIST when taken. With name NULL, a generated one
 * is reserved and returned in ret_name. */
int dxc_name_reserve (const dxc_store *s, const char *name, const char *id,
                      char **ret_name, dxc_error **err);
void dxc_name_release (const dxc_store *s, const char *name);

char *dxc_container_dir (const dxc_store *s, const char *id);
int dxc_record_write (const dxc_store *s, const char *id, json_t *rec,
                      bool sync, dxc_error **err);
/* By full ID, unique ID prefix or name. */
int dxc_record_find (const dxc_store *s, const char *what, json_t **ret,
                     dxc_error **err);
/* Every record, oldest first. */
json_t *dxc_records_list (const dxc_store *s);
/* The container's files and name; nothing of the image. */
int dxc_container_remove_files (const dxc_store *s, json_t *rec,
                                dxc_error **err);

#endif
