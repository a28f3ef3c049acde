/* NAT and published ports with nftables, in a table of our own
 * ("ip devoxx"): the host's own tables and rules are never listed,
 * flushed or changed. libnftables is loaded with dlopen on first use.
 *
 *   set masq            the subnets of our networks: what leaves them for
 *                       elsewhere is masqueraded
 *   maps tcp_any, udp_any     host port -> container address . port
 *   maps tcp_addr, udp_addr   host address . port -> the same
 *   chain published     DNAT through the maps, for traffic to a local
 *                       address (prerouting: from outside and from
 *                       containers; output: from the host itself)
 *   chain postrouting   masquerade of the subnets, and of DNATed traffic
 *                       to a container (from 127.0.0.1 or from a container
 *                       on the same bridge, so that the reply comes back)
 * A container's port is one map element, added and deleted alone. */
#ifndef DXC_NAT_H
#define DXC_NAT_H

#include <netinet/in.h>
#include <stdbool.h>

#include "util/error.h"

/* Make the table if it is not there (one nft transaction). */
int dxc_nat_ensure (dxc_error **err);
int dxc_nat_masquerade (struct in_addr net, int prefix, bool add,
                        dxc_error **err);
/* proto "tcp" or "udp"; host_ip NULL for every local address. owner (on
 * add; may be NULL) is kept as the element's comment: the lease file of the
 * container the port is published for, so that a later run can tell an
 * element whose owner is gone (its store removed, its engine killed). */
int dxc_nat_port (const char *proto, const char *host_ip, int host_port,
                  struct in_addr container_ip, int container_port, bool add,
                  const char *owner, dxc_error **err);
/* Is host_port (with host_ip, or any) already in one of our maps? If so,
 * its owner (the comment, "" if none) goes into owner[len]. */
bool dxc_nat_port_taken (const char *proto, const char *host_ip,
                         int host_port, char *owner, size_t len);

#endif
