/* Unit tests of the runtime's live state (runtime/state.c): what a runtime
 * killed while it set a container up leaves is reclaimed by the next
 * create of that ID; the cgroup leaves it only planned are removed if
 * empty, and left alone otherwise (one may be someone else's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/state.h"
#include "util/fs.h"

static void
test_planned_cgroups_reclaimed (void **state)
{
  char base[] = "/tmp/dxc-test-state-XXXXXX";
  char root[300], empty[300], busy[300], file[400];
  dxc_error *err = NULL;
  pid_t pid;
  int status;

  assert_non_null (mkdtemp (base));
  snprintf (root, sizeof root, "%s/run", base);
  snprintf (empty, sizeof empty, "%s/leaf-empty", base);
  snprintf (busy, sizeof busy, "%s/leaf-busy", base);
  snprintf (file, sizeof file, "%s/someone", busy);
  assert_int_equal (mkdir (root, 0700), 0);
  /* A runtime that reserves the ID, plans two leaves, makes them and
     dies before it records them as its own. */
  pid = fork ();
  if (pid == 0)
    {
      json_t *leaves = json_pack ("[s, s]", empty, busy);
      if (dxc_state_create (root, "c1", "/bundle", &err) < 0
          || dxc_state_plan_cgroups (root, "c1", leaves, &err) < 0)
        _exit (1);
      mkdir (empty, 0755);
      mkdir (busy, 0755);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  /* The busy leaf holds something that is not ours. */
  fclose (fopen (file, "w"));
  /* The next create of the ID reclaims it. */
  assert_int_equal (dxc_state_create (root, "c1", "/bundle", &err), 0);
  assert_int_equal (access (empty, F_OK), -1);
  assert_int_equal (access (file, F_OK), 0);
  dxc_state_remove (root, "c1");
  dxc_rm_rf (base, NULL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_planned_cgroups_reclaimed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
