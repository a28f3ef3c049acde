/* Published ports (-p): their text, and whether the host has the port
 * free (a listening socket, or a port another container published). */
#ifndef DXC_PORTS_H
#define DXC_PORTS_H

#include <stdbool.h>

#include "util/error.h"

typedef struct dxc_port
{
  char proto[4];    /* tcp or udp */
  char host_ip[16]; /* "" for every local address */
  int host_port;    /* 0: pick a free one */
  int container_port;
} dxc_port;

/* [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] */
int dxc_port_parse_one (const char *arg, dxc_port *ret, dxc_error **err);
/* Check that the host has the port free, or pick a free one (host_port 0).
 * A port our NAT table publishes for an owner that owner_gone() says is
 * gone (its lease, by path) is released and taken. */
int dxc_port_reserve (dxc_port *p, bool (*owner_gone) (const char *owner),
                      dxc_error **err);

#endif
