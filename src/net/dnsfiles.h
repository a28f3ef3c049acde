/* The text of a container's /etc/resolv.conf and /etc/hosts: pure
 * functions of what the host has and what the options say, so that the
 * unit tests check every case. The engine writes them (engine/network.c). */
#ifndef DXC_DNSFILES_H
#define DXC_DNSFILES_H

#include <stddef.h>

/* The nameservers: dns (--dns) if any, else host's (the text of the host's
 * /etc/resolv.conf, may be NULL) but loopback ones (a local stub such as
 * 127.0.0.53, unreachable from the container) and IPv6 ones; if none is
 * left, upstream's (systemd-resolved's list, may be NULL); else Docker's
 * fallback (8.8.8.8, 8.8.4.4). host's search and options lines are kept.
 * A new string. */
char *dxc_resolv_conf (const char *host, const char *upstream,
                       char *const *dns, size_t n_dns);

/* localhost lines, "ip hostname [name]" when ip is given, and one line per
 * "NAME:IP" of add_hosts (checked before). A new string. */
char *dxc_hosts_file (const char *ip, const char *hostname, const char *name,
                      char *const *add_hosts, size_t n_add_hosts);

#endif
