#!/usr/bin/env bash
# Runs the unit tests (cmocka binaries) and the integration tests (bats, as
# root) and ends with one line: "N passed, N failed".
# DXC_BIN_DIR: where the binaries under test are; DXC_UNIT_DIR: unit tests.
# TESTS="file.bats ..." runs only those integration files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
failures=()

for t in "${DXC_UNIT_DIR:?}"/test-*; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1)
  rc=$?
  p=$(grep -c '^\[       OK \]' <<<"$out")
  f=$(grep -c '^\[  FAILED  \] [a-z_]' <<<"$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    failures+=("$(basename "$t")")
    echo "$out" | grep -E 'FAILED|ERROR|error|Failure' | head -20
  fi
  echo "unit $(basename "$t"): $p passed, $f failed"
done

if [ "$(id -u)" -ne 0 ]; then
  echo "integration tests need root: skipped" >&2
else
  files=${TESTS:-$(cd "$here/integration" && ls *.bats)}
  # The engine's default parent cgroup ("devoxx") goes with its last
  # container, unless two runs raced for it: the ones this suite made and
  # left empty are removed at the end (rmdir: only if empty).
  parents_before=$(find /sys/fs/cgroup -maxdepth 6 -type d -name devoxx 2>/dev/null | sort)
  # The VM's kernel comes from Debian's archive: fetched here, before the
  # files run in network namespaces without a way out.
  case " $(echo $files) " in
    *" cgroups-v2.bats "*)
      sh "$here/vm/boot.sh" --fetch "$here/../build/vm" >&2 || true ;;
  esac
  for f in $files; do
    # Each file in a network namespace of its own, which stands for the
    # host: what the engine makes there (bridges, veth pairs, nftables,
    # ip_forward) goes with it, and the machine's network is never touched.
    ns=dxc-test-$$-${f%.bats}
    ip netns add "$ns" && ip -n "$ns" link set lo up
    out=$(cd "$here/integration" && nsenter --net="/run/netns/$ns" bats --tap "$f" 2>&1)
    ip netns del "$ns"
    p=$(grep -c '^ok ' <<<"$out")
    n=$(grep -c '^not ok ' <<<"$out")
    passed=$((passed + p))
    failed=$((failed + n))
    if [ "$n" -ne 0 ] || ! grep -q '^1\.\.' <<<"$out"; then
      [ "$n" -eq 0 ] && failed=$((failed + 1))
      failures+=("$f")
      echo "$out" | sed -n '/^not ok/,/^ok /p' | head -80
    fi
    echo "integration $f: $p passed, $n failed"
  done
  for d in $(find /sys/fs/cgroup -maxdepth 6 -type d -name devoxx 2>/dev/null | sort -r); do
    grep -qx "$d" <<<"$parents_before" || rmdir "$d" 2>/dev/null || true
  done
fi

[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
