/* The process's privileges: rlimits, user and groups, the five capability
 * sets, no_new_privs. */
#ifndef DXC_SECURITY_H
#define DXC_SECURITY_H

#include "spec.h"

int dxc_set_rlimits (const dxc_process *p, dxc_error **err);
int dxc_set_oom_score_adj (const dxc_process *p, dxc_error **err);
/* Order matters here and is kept inside: bounding set first (it needs
 * CAP_SETPCAP), then user and groups with PR_SET_KEEPCAPS (a setuid away
 * from root clears the permitted set otherwise), then the other sets, then
 * the ambient set, which needs the caps in permitted and inheritable. */
int dxc_set_user_and_caps (const dxc_process *p, dxc_error **err);
int dxc_set_no_new_privs (const dxc_process *p, dxc_error **err);

#endif
