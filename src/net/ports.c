/* Published ports: see ports.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/nat.h"
#include "net/ports.h"
#include "util/cleanup.h"

static int
port_number (const char *s, int *ret)
{
  char *end;
  long v = strtol (s, &end, 10);
  if (*s == '\0' || *end || v < 1 || v > 65535)
    return -1;
  *ret = v;
  return 0;
}

int
dxc_port_parse_one (const char *arg, dxc_port *ret, dxc_error **err)
{
  cleanup_free char *copy = strdup (arg);
  char *proto, *parts[4] = { 0 }, *s;
  int n = 0;
  dxc_port p = { .proto = "tcp" };

  if (copy == NULL)
    return dxc_error_errno (err, ENOMEM, "-p");
  proto = strchr (copy, '/');
  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
        return dxc_error_new (err, "invalid proto: %s (in -p %s: tcp or udp)",
                              proto, arg);
      snprintf (p.proto, sizeof p.proto, "%s", proto);
    }
  s = copy;
  while (n < 4 && (parts[n] = strsep (&s, ":")))
    n++;
  if (n == 4 || n == 0)
    return dxc_error_new (err, "invalid port specification: \"%s\"", arg);
  if (port_number (parts[n - 1], &p.container_port) < 0)
    return dxc_error_new (err, "invalid containerPort: %s (in -p %s)",
                          parts[n - 1], arg);
  if (n >= 2 && *parts[n - 2] && port_number (parts[n - 2], &p.host_port) < 0)
    return dxc_error_new (err, "invalid hostPort: %s (in -p %s)",
                          parts[n - 2], arg);
  if (n == 3)
    {
      struct in_addr a;
      if (inet_pton (AF_INET, parts[0], &a) != 1)
        return dxc_error_new (err, "invalid IP address: %s (in -p %s)",
                              parts[0], arg);
      if (a.s_addr != htonl (INADDR_ANY))
        snprintf (p.host_ip, sizeof p.host_ip, "%s", parts[0]);
    }
  *ret = p;
  return 0;
}

/* One of our published ports holds it: an element whose owner is gone is
   removed instead. */
static bool
port_in_use (const char *proto, const char *host_ip, int port,
             bool (*owner_gone) (const char *owner))
{
  char owner[256];

  if (!dxc_nat_port_taken (proto, host_ip, port, owner, sizeof owner))
    return false;
  if (owner[0] != '/')
    return true; /* no owner named: never taken for stale */
  if (!owner_gone (owner))
    return true;
  {
    struct in_addr none = { 0 };
    dxc_nat_port (proto, host_ip, port, none, 0, false, NULL, NULL);
  }
  return false;
}

/* Is the port free on the host? A listening socket there, or one of our
   published ports, says no. Port 0 picks a free one. */
int
dxc_port_reserve (dxc_port *p, bool (*owner_gone) (const char *owner),
                  dxc_error **err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof sa;
  bool udp = strcmp (p->proto, "udp") == 0;
  cleanup_close int fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM)
                                              | SOCK_CLOEXEC, 0);
  const char *shown = *p->host_ip ? p->host_ip : "0.0.0.0";

  if (fd < 0)
    return dxc_error_errno (err, errno, "socket");
  if (*p->host_ip)
    inet_pton (AF_INET, p->host_ip, &sa.sin_addr);
  sa.sin_port = htons (p->host_port);
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      if (errno == EADDRINUSE)
        return dxc_error_new (err, "Bind for %s:%d failed: port is already "
                              "allocated", shown, p->host_port);
      if (errno == EADDRNOTAVAIL)
        return dxc_error_new (err, "-p %s:%d: %s is not an address of this "
                              "host", shown, p->host_port, shown);
      return dxc_error_errno (err, errno, "bind %s:%d", shown, p->host_port);
    }
  if (p->host_port == 0)
    {
      getsockname (fd, (struct sockaddr *) &sa, &len);
      p->host_port = ntohs (sa.sin_port);
    }
  if (port_in_use (p->proto, *p->host_ip ? p->host_ip : NULL, p->host_port,
                   owner_gone)
      || (*p->host_ip
          && port_in_use (p->proto, NULL, p->host_port, owner_gone)))
    return dxc_error_new (err, "Bind for %s:%d failed: port is already "
                          "allocated", shown, p->host_port);
  return 0;
}

