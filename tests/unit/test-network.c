/* Unit tests of the network options: -p, --add-host, --dns, and subnets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "engine/network.h"
#include "net/dnsfiles.h"
#include "net/ports.h"

static void
expect_port (const char *arg, const char *proto, const char *ip, int hp, int cp)
{
  dxc_net_opts o = { 0 };
  dxc_error *err = NULL;
  if (dxc_port_parse (arg, &o, &err) < 0)
    fail_msg ("refused %s: %s", arg, err->msg);
  assert_int_equal (o.n_ports, 1);
  assert_string_equal (o.ports[0].proto, proto);
  assert_string_equal (o.ports[0].host_ip, ip);
  assert_int_equal (o.ports[0].host_port, hp);
  assert_int_equal (o.ports[0].container_port, cp);
  free (o.ports);
}

static void
expect_refused (const char *arg, const char *msg)
{
  dxc_net_opts o = { 0 };
  dxc_error *err = NULL;
  if (dxc_port_parse (arg, &o, &err) == 0)
    fail_msg ("accepted %s", arg);
  if (strstr (err->msg, msg) == NULL)
    fail_msg ("%s: \"%s\" does not say \"%s\"", arg, err->msg, msg);
  dxc_error_free (err);
  free (o.ports);
}

static void
test_ports (void **state)
{
  expect_port ("80", "tcp", "", 0, 80);
  expect_port ("8080:80", "tcp", "", 8080, 80);
  expect_port ("53:53/udp", "udp", "", 53, 53);
  expect_port ("127.0.0.1:8080:80", "tcp", "127.0.0.1", 8080, 80);
  expect_port ("127.0.0.1::80", "tcp", "127.0.0.1", 0, 80);
  expect_port ("0.0.0.0:81:80/tcp", "tcp", "", 81, 80);
  expect_refused ("", "containerPort");
  expect_refused ("abc", "invalid containerPort: abc");
  expect_refused ("0", "invalid containerPort");
  expect_refused ("65536:80", "invalid hostPort: 65536");
  expect_refused ("80/sctp", "invalid proto: sctp");
  expect_refused ("1.2.3:80:80", "invalid IP address: 1.2.3");
  expect_refused ("a:b:c:d", "invalid port specification");
}

static bool
never_gone (const char *owner)
{
  return false;
}

/* A port a socket of the host holds is refused; port 0 picks a free one,
   which is then free to bind. */
static void
test_port_reserve (void **state)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof sa;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  dxc_port p = { .proto = "tcp", .host_ip = "127.0.0.1" };
  dxc_error *err = NULL;

  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  assert_true (fd >= 0);
  assert_int_equal (bind (fd, (struct sockaddr *) &sa, sizeof sa), 0);
  assert_int_equal (listen (fd, 1), 0);
  assert_int_equal (getsockname (fd, (struct sockaddr *) &sa, &len), 0);
  p.host_port = ntohs (sa.sin_port);
  assert_int_equal (dxc_port_reserve (&p, never_gone, &err), -1);
  assert_non_null (strstr (err->msg, "port is already allocated"));
  dxc_error_free (err);
  err = NULL;
  p.host_port = 0;
  assert_int_equal (dxc_port_reserve (&p, never_gone, &err), 0);
  assert_true (p.host_port > 0);
  assert_int_not_equal (p.host_port, ntohs (sa.sin_port));
  /* A UDP port of the same number is another port. */
  {
    dxc_port u = { .proto = "udp", .host_ip = "127.0.0.1",
                   .host_port = ntohs (sa.sin_port) };
    assert_int_equal (dxc_port_reserve (&u, never_gone, &err), 0);
  }
  close (fd);
}

static void
test_checks (void **state)
{
  char *dns_bad[] = { "8.8.8.8", "not-an-ip" };
  char *hosts_bad[] = { "db:10.0.0.1", "nocolon" };
  dxc_net_opts o = { 0 };
  dxc_error *err = NULL;

  o.network = "bad name";
  assert_int_equal (dxc_net_check (&o, &err), -1);
  dxc_error_free (err), err = NULL;
  o.network = "none";
  dxc_port_parse ("80", &o, &err);
  assert_int_equal (dxc_net_check (&o, &err), -1);
  assert_non_null (strstr (err->msg, "bridge network"));
  dxc_error_free (err), err = NULL;
  free (o.ports);
  o = (dxc_net_opts){ .dns = dns_bad, .n_dns = 2 };
  assert_int_equal (dxc_net_check (&o, &err), -1);
  assert_non_null (strstr (err->msg, "not-an-ip"));
  dxc_error_free (err), err = NULL;
  o = (dxc_net_opts){ .add_hosts = hosts_bad, .n_add_hosts = 2 };
  assert_int_equal (dxc_net_check (&o, &err), -1);
  assert_non_null (strstr (err->msg, "nocolon"));
  dxc_error_free (err), err = NULL;
  o = (dxc_net_opts){ .add_hosts = hosts_bad, .n_add_hosts = 1 };
  assert_int_equal (dxc_net_check (&o, &err), 0);
}

static void
test_subnets (void **state)
{
  struct in_addr n, m;
  int p, q;
  assert_int_equal (dxc_cidr_parse ("10.88.0.0/16", &n, &p), 0);
  assert_int_equal (p, 16);
  assert_int_equal (ntohl (n.s_addr), 0x0a580000);
  assert_int_equal (dxc_cidr_parse ("10.88.0.1/16", &n, &p), -1); /* host bits */
  assert_int_equal (dxc_cidr_parse ("10.88.0.0", &n, &p), -1);
  assert_int_equal (dxc_cidr_parse ("10.88.0.0/31", &n, &p), -1);
  assert_int_equal (dxc_cidr_parse ("300.1.0.0/16", &n, &p), -1);
  assert_int_equal (dxc_cidr_parse ("10.88.0.0/1x", &n, &p), -1);
  dxc_cidr_parse ("10.88.0.0/16", &n, &p);
  dxc_cidr_parse ("10.88.4.0/24", &m, &q);
  assert_true (dxc_cidr_overlap (n, p, m, q));
  dxc_cidr_parse ("10.89.0.0/16", &m, &q);
  assert_false (dxc_cidr_overlap (n, p, m, q));
  dxc_cidr_parse ("10.0.0.0/8", &m, &q);
  assert_true (dxc_cidr_overlap (n, p, m, q));
}

static void
test_resolv_conf (void **state)
{
  char *dns[] = { "192.0.2.53", NULL };
  char *r;
  /* the host's nameservers, but loopback and IPv6 ones; search and
     options kept */
  r = dxc_resolv_conf ("# comment\nnameserver 10.0.0.2\nnameserver 127.0.0.53\n"
                       "nameserver fe80::1\nsearch example.org\noptions ndots:2\n",
                       NULL, NULL, 0);
  assert_string_equal (r, "nameserver 10.0.0.2\nsearch example.org\n"
                          "options ndots:2\n");
  free (r);
  /* a local stub alone: its upstreams */
  r = dxc_resolv_conf ("nameserver 127.0.0.53\nsearch lan\n",
                       "nameserver 203.0.113.1\nnameserver 127.0.0.1\n", NULL, 0);
  assert_string_equal (r, "search lan\nnameserver 203.0.113.1\n");
  free (r);
  /* --dns replaces the host's */
  r = dxc_resolv_conf ("nameserver 10.0.0.2\n", NULL, dns, 1);
  assert_string_equal (r, "nameserver 192.0.2.53\n");
  free (r);
  /* nothing usable anywhere: Docker's fallback */
  r = dxc_resolv_conf (NULL, NULL, NULL, 0);
  assert_string_equal (r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  free (r);
  r = dxc_resolv_conf ("nameserver 127.0.0.53", "nameserver ::1\n", NULL, 0);
  assert_string_equal (r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  free (r);
}

static void
test_hosts_file (void **state)
{
  char *add[] = { "db:10.90.1.9", "cache:10.90.1.10" };
  char *h = dxc_hosts_file ("10.88.0.2", "abc123", "web", add, 2);
  assert_string_equal (h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                          "ip6-loopback\n10.88.0.2\tabc123 web\n"
                          "10.90.1.9\tdb\n10.90.1.10\tcache\n");
  free (h);
  /* no address (--network none/host), no name */
  h = dxc_hosts_file (NULL, "abc123", NULL, NULL, 0);
  assert_string_equal (h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                          "ip6-loopback\n");
  free (h);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_resolv_conf),
    cmocka_unit_test (test_hosts_file),
    cmocka_unit_test (test_ports),
    cmocka_unit_test (test_port_reserve),
    cmocka_unit_test (test_checks),
    cmocka_unit_test (test_subnets),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
