/* Docker's security flags and default seccomp profile (engine/security-opts.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "engine/security-opts.h"
#include "runtime/spec-default.h"

extern const char dxc_seccomp_default_start[], dxc_seccomp_default_end[];

/* The action of name in the translated profile, or NULL if no rule names it
   (several rules: the first). */
static json_t *
rule_for (json_t *sec, const char *name)
{
  size_t i, k;
  json_t *r, *n;
  json_array_foreach (json_object_get (sec, "syscalls"), i, r)
    json_array_foreach (json_object_get (r, "names"), k, n)
      if (strcmp (json_string_value (n), name) == 0)
        return r;
  return NULL;
}

static json_t *
translate (const char *caps_json, const char *arch, const char *kernel)
{
  json_t *caps = json_loads (caps_json, 0, NULL), *out = NULL;
  dxc_error *err = NULL;
  assert_int_equal (dxc_seccomp_profile_to_oci (
                        dxc_seccomp_default_start,
                        dxc_seccomp_default_end - dxc_seccomp_default_start,
                        caps, arch, kernel, &out, &err),
                    0);
  json_decref (caps);
  return out;
}

static void
test_default_profile (void **state)
{
  json_t *sec = translate ("[\"CAP_CHOWN\"]", "amd64", "6.1.0");
  json_t *r;
  assert_string_equal (json_string_value (json_object_get (sec, "defaultAction")),
                       "SCMP_ACT_ERRNO");
  assert_int_equal (json_integer_value (json_object_get (sec, "defaultErrnoRet")), 1);
  /* x86_64 and its sub-architectures */
  assert_int_equal (json_array_size (json_object_get (sec, "architectures")), 3);
  /* allowed for all */
  assert_non_null (rule_for (sec, "read"));
  /* refused: not in the profile */
  assert_null (rule_for (sec, "keyctl"));
  assert_null (rule_for (sec, "add_key"));
  assert_null (rule_for (sec, "userfaultfd"));
  /* tied to a capability not held */
  assert_null (rule_for (sec, "reboot"));
  assert_null (rule_for (sec, "unshare"));
  /* clone3 without CAP_SYS_ADMIN: ENOSYS, so that libcs fall back to clone */
  r = rule_for (sec, "clone3");
  assert_non_null (r);
  assert_string_equal (json_string_value (json_object_get (r, "action")),
                       "SCMP_ACT_ERRNO");
  assert_int_equal (json_integer_value (json_object_get (r, "errnoRet")), 38);
  /* this architecture's own calls, not another's */
  assert_non_null (rule_for (sec, "arch_prctl"));
  assert_null (rule_for (sec, "s390_runtime_instr"));
  /* ptrace needs Linux 4.8 */
  assert_non_null (rule_for (sec, "ptrace"));
  json_decref (sec);

  sec = translate ("[\"CAP_SYS_ADMIN\",\"CAP_SYS_BOOT\"]", "amd64", "4.4.0");
  assert_non_null (rule_for (sec, "reboot"));
  assert_non_null (rule_for (sec, "unshare"));
  r = rule_for (sec, "clone3");
  assert_string_equal (json_string_value (json_object_get (r, "action")),
                       "SCMP_ACT_ALLOW");
  assert_null (rule_for (sec, "ptrace"));
  json_decref (sec);

  sec = translate ("[]", "arm64", "6.1");
  assert_null (rule_for (sec, "arch_prctl"));
  assert_non_null (rule_for (sec, "arm_fadvise64_64"));
  json_decref (sec);
}

static json_t *
caps_of (const char **add, size_t na, const char **drop, size_t nd,
         const char *seccomp)
{
  dxc_security_opts o = { .seccomp = seccomp, .cap_add = add, .n_cap_add = na,
                          .cap_drop = drop, .n_cap_drop = nd };
  json_t *spec = dxc_spec_default ();
  dxc_error *err = NULL;
  json_t *caps;
  assert_int_equal (dxc_security_check (&o, &err), 0);
  assert_int_equal (dxc_security_to_spec (&o, spec, &err), 0);
  assert_int_equal (dxc_security_seccomp_json (&o, spec, &err), 0);
  caps = json_incref (json_object_get (
      json_object_get (json_object_get (spec, "process"), "capabilities"),
      "bounding"));
  if (seccomp == NULL)
    assert_non_null (json_object_get (json_object_get (spec, "linux"), "seccomp"));
  else
    assert_null (json_object_get (json_object_get (spec, "linux"), "seccomp"));
  json_decref (spec);
  return caps;
}

static bool
has (json_t *arr, const char *s)
{
  size_t i;
  json_t *v;
  json_array_foreach (arr, i, v)
    if (strcmp (json_string_value (v), s) == 0)
      return true;
  return false;
}

static void
test_cap_flags (void **state)
{
  const char *add[] = { "net_admin", "CAP_SYS_TIME" };
  const char *drop[] = { "CHOWN" };
  const char *all[] = { "ALL" };
  const char *one[] = { "kill" };
  json_t *c = caps_of (add, 2, drop, 1, NULL);
  assert_true (has (c, "CAP_NET_ADMIN"));
  assert_true (has (c, "CAP_SYS_TIME"));
  assert_false (has (c, "CAP_CHOWN"));
  assert_true (has (c, "CAP_KILL"));
  json_decref (c);
  c = caps_of (one, 1, all, 1, "unconfined");
  assert_int_equal (json_array_size (c), 1);
  assert_true (has (c, "CAP_KILL"));
  json_decref (c);
  c = caps_of (all, 1, drop, 1, NULL);
  assert_true (has (c, "CAP_SYS_ADMIN"));
  assert_false (has (c, "CAP_CHOWN"));
  json_decref (c);
}

static void
test_bad_options (void **state)
{
  dxc_security_opts o = { 0 };
  dxc_error *err = NULL;
  const char *bad[] = { "apparmor=x", "no-new-privileges=maybe", "seccomp=",
                        "label=disable", NULL };
  for (int i = 0; bad[i]; i++)
    {
      assert_int_equal (dxc_security_opt_parse (bad[i], &o, &err), -1);
      dxc_error_free (err);
      err = NULL;
    }
  assert_int_equal (dxc_security_opt_parse ("no-new-privileges", &o, &err), 0);
  assert_true (o.no_new_privileges);
  assert_int_equal (dxc_security_opt_parse ("no-new-privileges:false", &o, &err), 0);
  assert_false (o.no_new_privileges);
  assert_int_equal (dxc_security_opt_parse ("seccomp=unconfined", &o, &err), 0);
  assert_string_equal (o.seccomp, "unconfined");
  {
    const char *caps[] = { "NOT_A_CAP" };
    dxc_security_opts c = { .cap_add = caps, .n_cap_add = 1 };
    assert_int_equal (dxc_security_check (&c, &err), -1);
    assert_non_null (strstr (err->msg, "unknown capability"));
    dxc_error_free (err);
  }
}

/* The engine's cached filter: a cold run (translated and compiled) and a
   warm one (from the cache) give the same linux.seccomp text and the same
   instructions as the uncached path; a damaged or foreign entry is never
   used; other capabilities have an entry of their own. */
static char *
prepared (const dxc_security_opts *o, json_t *spec, dxc_seccomp *s)
{
  dxc_error *err = NULL;
  assert_int_equal (dxc_security_seccomp (o, spec, s, &err), 0);
  assert_non_null (s->source);
  assert_non_null (s->filter);
  return s->source;
}

/* how 0: truncate each entry; 1: change one byte of its key; 2: check
   that each was written again (neither damage left). */
static void
damage_entries (const char *dir, int how)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  assert_non_null (d);
  while ((e = readdir (d)))
    {
      char p[4096];
      if (e->d_name[0] == '.')
        continue;
      snprintf (p, sizeof p, "%s/%s", dir, e->d_name);
      if (how == 0)
        assert_int_equal (truncate (p, 100), 0);
      else if (how == 2)
        {
          struct stat st;
          FILE *f = fopen (p, "r");
          assert_non_null (f);
          assert_int_equal (fstat (fileno (f), &st), 0);
          assert_true (st.st_size > 100);
          fseek (f, 20, SEEK_SET);
          assert_int_not_equal (fgetc (f), '#');
          fclose (f);
        }
      else
        {
          /* One byte of the key changed: the entry is someone else's. */
          FILE *f = fopen (p, "r+");
          assert_non_null (f);
          fseek (f, 20, SEEK_SET);
          fputc ('#', f);
          fclose (f);
        }
    }
  closedir (d);
}

static void
test_seccomp_cache (void **state)
{
  char dir[] = "/tmp/dxc-test-seccomp-XXXXXX";
  dxc_security_opts o = { 0 };
  const char *add[] = { "SYS_ADMIN" };
  json_t *spec = dxc_spec_default (), *plain, *from_text;
  dxc_error *err = NULL;
  char *cold_text, *warm_text, *t;
  size_t insn = 8; /* struct sock_filter */
  dxc_seccomp cold, warm, s;

  assert_non_null (mkdtemp (dir));
  dxc_seccomp_set_cache_dir (dir);
  assert_int_equal (dxc_security_to_spec (&o, spec, &err), 0);
  cold_text = prepared (&o, spec, &cold);
  assert_null (cold.map); /* compiled */
  warm_text = prepared (&o, spec, &warm);
  assert_non_null (warm.map); /* from the cache */
  assert_string_equal (cold_text, warm_text);
  assert_int_equal (cold.len, warm.len);
  assert_memory_equal (cold.filter, warm.filter,
                       cold.len * insn);
  /* The text is the uncached translation. */
  assert_int_equal (dxc_security_seccomp_json (&o, spec, &err), 0);
  plain = json_object_get (json_object_get (spec, "linux"), "seccomp");
  from_text = json_loads (warm_text, 0, NULL);
  assert_true (json_equal (plain, from_text));
  json_decref (from_text);
  for (int how = 0; how < 2; how++)
    {
      damage_entries (dir, how);
      t = prepared (&o, spec, &s);
      assert_string_equal (t, cold_text);
      assert_memory_equal (s.filter, cold.filter,
                           cold.len * insn);
      dxc_seccomp_clear (&s);
      damage_entries (dir, 2);
    }
  /* SYS_ADMIN opens unshare and mount: another filter. */
  {
    dxc_security_opts a = { .cap_add = add, .n_cap_add = 1 };
    json_t *spec2 = dxc_spec_default ();
    assert_int_equal (dxc_security_to_spec (&a, spec2, &err), 0);
    t = prepared (&a, spec2, &s);
    assert_string_not_equal (t, cold_text);
    dxc_seccomp_clear (&s);
    t = prepared (&a, spec2, &s);
    assert_string_not_equal (t, cold_text);
    assert_non_null (strstr (t, "\"unshare\""));
    dxc_seccomp_clear (&s);
    json_decref (spec2);
  }
  /* Unconfined: no filter, no text. */
  o.seccomp = "unconfined";
  assert_int_equal (dxc_security_seccomp (&o, spec, &s, &err), 0);
  assert_null (s.source);
  assert_null (s.filter);
  dxc_seccomp_set_cache_dir (NULL);
  dxc_seccomp_clear (&cold);
  dxc_seccomp_clear (&warm);
  json_decref (spec);
  {
    char cmd[4200];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_profile),
    cmocka_unit_test (test_cap_flags),
    cmocka_unit_test (test_bad_options),
    cmocka_unit_test (test_seccomp_cache),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
