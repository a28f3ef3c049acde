/* NAT and published ports: see nat.h. The commands are nft's language,
 * given to libnftables in memory (no nft subprocess). */
#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "net/nat.h"
#include "util/dl.h"
#include "util/log.h"

#define NFT_SYMBOLS(X)                                                         \
  X (nft_ctx_new)                                                              \
  X (nft_ctx_free)                                                             \
  X (nft_run_cmd_from_buffer)                                                  \
  X (nft_ctx_buffer_output)                                                    \
  X (nft_ctx_buffer_error)                                                     \
  X (nft_ctx_get_error_buffer)                                                 \
  X (nft_ctx_get_output_buffer)

static DXC_DL_TABLE (NFT_SYMBOLS) nft;

static const char table_script[]
    = "table ip devoxx {\n"
      "  map tcp_any { type inet_service : ipv4_addr . inet_service; }\n"
      "  map udp_any { type inet_service : ipv4_addr . inet_service; }\n"
      "  map tcp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
      "  map udp_addr { type ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
      "  set masq { type ipv4_addr; flags interval; }\n"
      "  chain published {\n"
      "    dnat ip to ip daddr . tcp dport map @tcp_addr\n"
      "    dnat ip to tcp dport map @tcp_any\n"
      "    dnat ip to ip daddr . udp dport map @udp_addr\n"
      "    dnat ip to udp dport map @udp_any\n"
      "  }\n"
      "  chain prerouting {\n"
      "    type nat hook prerouting priority -100; policy accept;\n"
      "    fib daddr type local jump published\n"
      "  }\n"
      "  chain output {\n"
      "    type nat hook output priority -100; policy accept;\n"
      "    fib daddr type local jump published\n"
      "  }\n"
      "  chain postrouting {\n"
      "    type nat hook postrouting priority 100; policy accept;\n"
      "    ct status dnat ip daddr @masq masquerade\n"
      "    ip saddr @masq ip daddr != @masq masquerade\n"
      "  }\n"
      "}\n";

static int
load (dxc_error **err)
{
  return DXC_DL_LOAD (nft, NFT_SYMBOLS, err, "libnftables.so.1",
                      "libnftables.so");
}

/* Run nft commands; the error is nft's own first line. quiet: a failure is
   an answer (a missing table or element), not an error to report. */
static int
run_output (const char *cmd, bool quiet, char *out, size_t out_len,
            dxc_error **err);

static int
run (const char *cmd, bool quiet, dxc_error **err)
{
  return run_output (cmd, quiet, NULL, 0, err);
}

/* run, keeping nft's output (out may be NULL). */
static int
run_output (const char *cmd, bool quiet, char *out, size_t out_len,
            dxc_error **err)
{
  struct nft_ctx *ctx;
  int r;

  if (load (err) < 0)
    return -1;
  ctx = nft.nft_ctx_new (NFT_CTX_DEFAULT);
  if (ctx == NULL)
    return dxc_error_errno (err, ENOMEM, "nftables");
  nft.nft_ctx_buffer_output (ctx);
  nft.nft_ctx_buffer_error (ctx);
  r = nft.nft_run_cmd_from_buffer (ctx, cmd);
  if (r != 0 && !quiet)
    {
      const char *e = nft.nft_ctx_get_error_buffer (ctx);
      dxc_error_new (err, "nftables: %.*s", (int) strcspn (e ? e : "", "\n"),
                     e ? e : "failed");
    }
  else
    dxc_explain ("nft: %.*s", (int) strcspn (cmd, "\n"), cmd);
  if (r == 0 && out && out_len)
    {
      const char *o = nft.nft_ctx_get_output_buffer (ctx);
      snprintf (out, out_len, "%s", o ? o : "");
    }
  nft.nft_ctx_free (ctx);
  return r == 0 ? 0 : -1;
}

int
dxc_nat_ensure (dxc_error **err)
{
  if (run ("list table ip devoxx", true, NULL) == 0)
    return 0;
  return run (table_script, false, err);
}

int
dxc_nat_masquerade (struct in_addr net, int prefix, bool add, dxc_error **err)
{
  char cmd[160], a[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &net, a, sizeof a);
  snprintf (cmd, sizeof cmd, "%s element ip devoxx masq { %s/%d }",
            add ? "add" : "delete", a, prefix);
  return run (cmd, !add, add ? err : NULL);
}

int
dxc_nat_port (const char *proto, const char *host_ip, int host_port,
              struct in_addr container_ip, int container_port, bool add,
              const char *owner, dxc_error **err)
{
  char cmd[512], c[INET_ADDRSTRLEN], comment[160] = "";
  inet_ntop (AF_INET, &container_ip, c, sizeof c);
  /* nft keeps 128 bytes of comment; a longer path (or one with a quote)
     goes without: such an element is never taken for stale. */
  if (add && owner && strlen (owner) < 128 && !strchr (owner, '"'))
    snprintf (comment, sizeof comment, " comment \"%s\"", owner);
  if (add && host_ip)
    snprintf (cmd, sizeof cmd,
              "add element ip devoxx %s_addr { %s . %d%s : %s . %d }", proto,
              host_ip, host_port, comment, c, container_port);
  else if (add)
    snprintf (cmd, sizeof cmd,
              "add element ip devoxx %s_any { %d%s : %s . %d }", proto,
              host_port, comment, c, container_port);
  else if (host_ip)
    snprintf (cmd, sizeof cmd, "delete element ip devoxx %s_addr { %s . %d }",
              proto, host_ip, host_port);
  else
    snprintf (cmd, sizeof cmd, "delete element ip devoxx %s_any { %d }", proto,
              host_port);
  return run (cmd, !add, add ? err : NULL);
}

bool
dxc_nat_port_taken (const char *proto, const char *host_ip, int host_port,
                    char *owner, size_t len)
{
  char cmd[160], out[1024];
  const char *c;
  if (host_ip)
    snprintf (cmd, sizeof cmd, "get element ip devoxx %s_addr { %s . %d }",
              proto, host_ip, host_port);
  else
    snprintf (cmd, sizeof cmd, "get element ip devoxx %s_any { %d }", proto,
              host_port);
  if (owner && len)
    *owner = '\0';
  if (run_output (cmd, true, out, sizeof out, NULL) != 0)
    return false;
  c = strstr (out, "comment \"");
  if (c && owner && len)
    snprintf (owner, len, "%.*s", (int) strcspn (c + 9, "\""), c + 9);
  return true;
}
