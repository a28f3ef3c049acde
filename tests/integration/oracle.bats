#!/usr/bin/env bats
# runc as an oracle: the same bundle, run by devoxx-runtime and by runc,
# must show the same facts from inside (read with busybox's own tools).

load helpers

setup() {
  common_setup
  command -v runc >/dev/null || skip "runc is not installed"
  B=$TEST_TMP/bundle
  make_bundle "$B"
  cat > "$B/rootfs/probe" <<'PROBE'
#!/bin/sh
echo "pid $$"
echo "hostname $(hostname)"
echo "id $(id)"
echo "cwd $(pwd)"
echo "umask $(umask)"
grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status
echo "nofile $(ulimit -n)"
# mount points and types (options differ in order between kernels' output)
awk '{print "mount", $2, $3}' /proc/mounts | sort
ls -l /dev | awk '{print "dev", $1, $5, $6, $NF}' | sort
echo "timer_list $(wc -c < /proc/timer_list)"
touch /proc/sys/kernel/hostname 2>/dev/null && echo "proc-sys writable" || echo "proc-sys read-only"
echo "root $(ls / | tr '\n' ' ')"
env | sort | grep -v '^PWD=\|^SHLVL=\|^_='
PROBE
  chmod 755 "$B/rootfs/probe"
  set_args "$B" /probe
  jq '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}] | .process.noNewPrivileges = true | .process.cwd = "/tmp"' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
}

teardown() {
  common_teardown
}

@test "devoxx-runtime and runc show the same facts inside the container" {
  cp "$B/config.json" "$TEST_TMP/config.devoxx.json"
  jq '.linux.cgroupsPath = "dxc-oracle-'$$'"' "$B/config.json" > "$TEST_TMP/config.runc.json"

  cp "$TEST_TMP/config.devoxx.json" "$B/config.json"
  "$DXC_BIN_DIR/devoxx-runtime" --root "$STATE" run --bundle "$B" o1 > "$TEST_TMP/devoxx.out"
  cp "$TEST_TMP/config.runc.json" "$B/config.json"
  runc --root "$STATE-runc" run --bundle "$B" o2 > "$TEST_TMP/runc.out"

  # runc runs a cgroup namespace only when asked, and so do we: the facts
  # must match line for line.
  run diff -u "$TEST_TMP/runc.out" "$TEST_TMP/devoxx.out"
  echo "$output"
  [ "$status" -eq 0 ]
  # and the probe did see something
  grep -q '^pid 1$' "$TEST_TMP/devoxx.out"
  grep -q 'CapEff:	00000000a80425fb' "$TEST_TMP/devoxx.out"
}
