/* IPv4 networks: subnets as text, their overlap, their hosts. */
#ifndef DXC_IPAM_H
#define DXC_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* "10.88.0.0/16" (prefix 8 to 30, no host bits): 0, or -1. */
int dxc_cidr_parse (const char *s, struct in_addr *net, int *prefix);
bool dxc_cidr_overlap (struct in_addr a, int pa, struct in_addr b, int pb);
/* The n-th address of the network (1: its gateway). */
struct in_addr dxc_ipam_nth_host (struct in_addr net, uint32_t n);
/* Dotted text into buf[INET_ADDRSTRLEN]. */
void dxc_ip_text (struct in_addr a, char *buf);

#endif
