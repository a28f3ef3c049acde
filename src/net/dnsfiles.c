/* resolv.conf and hosts: see dnsfiles.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dnsfiles.h"

static bool
is_loopback (const char *ip)
{
  return strncmp (ip, "127.", 4) == 0 || strcmp (ip, "::1") == 0;
}

char *
dxc_resolv_conf (const char *host, const char *upstream, char *const *dns,
                 size_t n_dns)
{
  char *out = NULL, *copy;
  size_t len, n_ns = 0;
  FILE *f = open_memstream (&out, &len);

  if (f == NULL)
    return NULL;
  copy = host ? strdup (host) : NULL;
  for (char *rest = copy, *line; (line = strsep (&rest, "\n"));)
    {
      if (strncmp (line, "nameserver", 10) == 0)
        {
          const char *ip = line + 10 + strspn (line + 10, " \t");
          if (n_dns == 0 && !is_loopback (ip) && strchr (ip, ':') == NULL)
            {
              fprintf (f, "nameserver %s\n", ip);
              n_ns++;
            }
        }
      else if (strncmp (line, "search", 6) == 0
               || strncmp (line, "options", 7) == 0)
        fprintf (f, "%s\n", line);
    }
  free (copy);
  for (size_t i = 0; i < n_dns; i++, n_ns++)
    fprintf (f, "nameserver %s\n", dns[i]);
  copy = n_ns == 0 && upstream ? strdup (upstream) : NULL;
  for (char *rest = copy, *line; (line = strsep (&rest, "\n"));)
    if (strncmp (line, "nameserver", 10) == 0
        && !is_loopback (line + 10 + strspn (line + 10, " \t")))
      {
        fprintf (f, "%s\n", line);
        n_ns++;
      }
  free (copy);
  if (n_ns == 0)
    fprintf (f, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  fclose (f);
  return out;
}

char *
dxc_hosts_file (const char *ip, const char *hostname, const char *name,
                char *const *add_hosts, size_t n_add_hosts)
{
  char *out = NULL;
  size_t len;
  FILE *f = open_memstream (&out, &len);

  if (f == NULL)
    return NULL;
  fprintf (f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
              "ip6-loopback\n");
  if (ip)
    fprintf (f, "%s\t%s%s%s\n", ip, hostname, name ? " " : "",
             name ? name : "");
  for (size_t i = 0; i < n_add_hosts; i++)
    {
      const char *colon = strchr (add_hosts[i], ':');
      if (colon)
        fprintf (f, "%s\t%.*s\n", colon + 1, (int) (colon - add_hosts[i]),
                 add_hosts[i]);
    }
  fclose (f);
  return out;
}
