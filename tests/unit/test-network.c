/* Unit tests of the network options: -p, --add-host, --dns, and subnets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "engine/network.h"

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

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ports),
    cmocka_unit_test (test_checks),
    cmocka_unit_test (test_subnets),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
