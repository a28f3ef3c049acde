/* Addresses: see ipam.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipam.h"

int
dxc_cidr_parse (const char *s, struct in_addr *net, int *prefix)
{
  char buf[32];
  const char *slash = strchr (s, '/');
  char *end;
  long p;
  uint32_t mask;

  if (slash == NULL || (size_t) (slash - s) >= sizeof buf)
    return -1;
  snprintf (buf, sizeof buf, "%.*s", (int) (slash - s), s);
  if (inet_pton (AF_INET, buf, net) != 1)
    return -1;
  p = strtol (slash + 1, &end, 10);
  if (*end || end == slash + 1 || p < 8 || p > 30)
    return -1;
  mask = p == 0 ? 0 : htonl (~0U << (32 - p));
  if ((net->s_addr & ~mask) != 0)
    return -1; /* host bits set: 10.88.0.1/16 is not a network */
  *prefix = p;
  return 0;
}

bool
dxc_cidr_overlap (struct in_addr a, int pa, struct in_addr b, int pb)
{
  int p = pa < pb ? pa : pb;
  uint32_t mask = p == 0 ? 0 : ~0U << (32 - p);
  return (ntohl (a.s_addr) & mask) == (ntohl (b.s_addr) & mask);
}

struct in_addr
dxc_ipam_nth_host (struct in_addr net, uint32_t n)
{
  struct in_addr a = { htonl (ntohl (net.s_addr) + n) };
  return a;
}

void
dxc_ip_text (struct in_addr a, char *buf)
{
  inet_ntop (AF_INET, &a, buf, INET_ADDRSTRLEN);
}

