/* The process's privileges: see security.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "security.h"
#include "util/log.h"

int
dxc_set_rlimits (const dxc_process *p, dxc_error **err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const dxc_rlimit *r = &p->rlimits[i];
      struct rlimit rl = { r->soft, r->hard };
      if (setrlimit (r->resource, &rl) < 0)
        {
          int e = errno;
          struct rlimit cur;
          if (e == EPERM && getrlimit (r->resource, &cur) == 0
              && r->hard > cur.rlim_max)
            return dxc_error_errno (err, e, "process.rlimits: %s soft %llu "
                                    "hard %llu: the hard limit here is %llu "
                                    "and raising it needs CAP_SYS_RESOURCE, "
                                    "which this runtime does not have",
                                    r->name, (unsigned long long) r->soft,
                                    (unsigned long long) r->hard,
                                    (unsigned long long) cur.rlim_max);
          return dxc_error_errno (err, e, "process.rlimits: %s soft %llu hard "
                                  "%llu", r->name,
                                  (unsigned long long) r->soft,
                                  (unsigned long long) r->hard);
        }
      dxc_explain ("setrlimit(%s, {%llu, %llu})", r->name,
                   (unsigned long long) r->soft, (unsigned long long) r->hard);
    }
  return 0;
}

int
dxc_set_oom_score_adj (const dxc_process *p, dxc_error **err)
{
  char buf[16];
  cleanup_close int fd = -1;
  int n;

  if (!p->has_oom_score_adj)
    return 0;
  fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return dxc_error_errno (err, errno, "open /proc/self/oom_score_adj");
  n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  if (write (fd, buf, n) < 0)
    return dxc_error_errno (err, errno, "process.oomScoreAdj %d",
                            p->oom_score_adj);
  return 0;
}

static int
last_cap (void)
{
  static int last = -1;
  if (last < 0)
    {
      FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
      if (f == NULL || fscanf (f, "%d", &last) != 1)
        last = CAP_LAST_CAP;
      if (f)
        fclose (f);
    }
  return last;
}

static int
apply_caps (const dxc_process *p, dxc_error **err)
{
  cap_t caps = cap_init ();
  int last = last_cap ();
  int r = 0;

  if (caps == NULL)
    return dxc_error_errno (err, errno, "cap_init");
  for (int c = 0; c <= last && c < 64; c++)
    {
      cap_value_t v = c;
      if (p->caps[DXC_CAP_EFFECTIVE] & (1ULL << c))
        cap_set_flag (caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
      if (p->caps[DXC_CAP_PERMITTED] & (1ULL << c))
        cap_set_flag (caps, CAP_PERMITTED, 1, &v, CAP_SET);
      if (p->caps[DXC_CAP_INHERITABLE] & (1ULL << c))
        cap_set_flag (caps, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
  if (cap_set_proc (caps) < 0)
    r = dxc_error_errno (err, errno, "capset");
  cap_free (caps);
  if (r < 0)
    return r;
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0
      && errno != EINVAL)
    return dxc_error_errno (err, errno, "clear the ambient capabilities");
  /* An ambient capability must be permitted and inheritable too; one that
     is not cannot be raised, and is left out, as runc leaves it out (with a
     warning in its log): `runc spec`'s own default asks for three that its
     inheritable set lacks. */
  for (int c = 0; c <= last && c < 64; c++)
    if ((p->caps[DXC_CAP_AMBIENT] & (1ULL << c))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      dxc_explain ("ambient capability %d not raised (it must be permitted "
                   "and inheritable too): left out, as runc does", c);
  return 0;
}

int
dxc_set_user_and_caps (const dxc_process *p, dxc_error **err)
{
  int last = last_cap ();

  if (p->has_caps)
    {
      for (int c = 0; c <= last; c++)
        if (c >= 64 || !(p->caps[DXC_CAP_BOUNDING] & (1ULL << c)))
          if (prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return dxc_error_errno (err, errno, "drop capability %d from the "
                                    "bounding set", c);
      if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return dxc_error_errno (err, errno, "prctl PR_SET_KEEPCAPS");
    }
  if (setgroups (p->n_groups, p->groups) < 0)
    return dxc_error_errno (err, errno, "setgroups");
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return dxc_error_errno (err, errno, "setgid %u", (unsigned) p->gid);
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return dxc_error_errno (err, errno, "setuid %u", (unsigned) p->uid);
  dxc_explain ("setgroups(%zu groups); setresgid(%u); setresuid(%u)",
               p->n_groups, (unsigned) p->gid, (unsigned) p->uid);
  if (p->has_caps)
    {
      if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return dxc_error_errno (err, errno, "prctl PR_SET_KEEPCAPS");
      if (apply_caps (p, err) < 0)
        return -1;
      if (dxc_explaining ())
        {
          char buf[2048];
          size_t off = 0;
          for (int c = 0; c <= last && c < 64; c++)
            if (p->caps[DXC_CAP_BOUNDING] & (1ULL << c))
              {
                char *n = cap_to_name (c);
                off += snprintf (buf + off, off < sizeof buf ? sizeof buf - off
                                                             : 0,
                                 "%s%s", off ? "," : "", n ? n : "?");
                cap_free (n);
              }
          if (off == 0)
            snprintf (buf, sizeof buf, "(none)");
          dxc_explain ("prctl(PR_CAPBSET_DROP) for every other capability; "
                       "capset(): capabilities kept: %s", buf);
        }
    }
  return 0;
}

int
dxc_set_no_new_privs (const dxc_process *p, dxc_error **err)
{
  if (!p->no_new_privileges)
    return 0;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return dxc_error_errno (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  dxc_explain ("prctl(PR_SET_NO_NEW_PRIVS, 1): setuid binaries and file "
               "capabilities grant nothing");
  return 0;
}
