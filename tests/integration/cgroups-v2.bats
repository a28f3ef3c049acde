#!/usr/bin/env bats
# The cgroup tests on a pure cgroup v2 machine: Debian's kernel booted under
# qemu by tests/vm/boot.sh, with the checks of tests/vm/cgroup2-tests.sh
# run inside as root. The VM boots once for the file; each test reads its
# result line. The kernel package is downloaded from Debian's archive on the
# first run and kept in build/vm.

load helpers

setup_file() {
  local cfg=$BATS_FILE_TMPDIR/bundle
  mkdir -p "$cfg"
  (cd "$cfg" && "$DXC_BIN_DIR/devoxx-runtime" spec)
  jq '.process.args = ["cat", "/proc/self/cgroup"] | .process.terminal = false
      | .linux.cgroupsPath = "t-rt/c1"' "$cfg/config.json" > "$cfg/c.json"
  mv "$cfg/c.json" "$cfg/config.json"
  VM_FILES=$cfg/config.json VM_TIMEOUT=600 \
    sh "$TESTS_DIR/vm/boot.sh" "$TESTS_DIR/vm/cgroup2-tests.sh" \
    "$REPO_DIR/build/vm" > "$BATS_FILE_TMPDIR/vm.log" 2>&1 || true
  export VM_LOG=$BATS_FILE_TMPDIR/vm.log
}

vm_result() {
  grep -a '^VMTEST' "$VM_LOG" | tr -d '\r'
  grep -a '^VMTEST done' "$VM_LOG" >/dev/null || { echo "the VM did not finish"; tail -20 "$VM_LOG"; return 1; }
  grep -a "^VMTEST ok $1\b" "$VM_LOG" >/dev/null
}

@test "v2 VM: the machine is pure cgroup v2" {
  grep -a 'VMTEST kernel .* 0 cgroup v1 mounts, cgroup2 controllers: .*memory.*pids' "$VM_LOG"
}
@test "v2 VM: a memory hog under --memory 32m ends with 137 and the OOM report" { vm_result oom; }
@test "v2 VM: no cgroup left after the OOM kill" { vm_result oom-cleanup; }
@test "v2 VM: a fork bomb under --pids-limit 20 is contained" { vm_result pids; }
@test "v2 VM: no cgroup left after the fork bomb" { vm_result pids-cleanup; }
@test "v2 VM: a busy loop under --cpus 0.5 uses about half a CPU" { vm_result cpus; }
@test "v2 VM: the values in the cgroup files match the flags" { vm_result values; }
@test "v2 VM: cgroup namespace: the container sees 0::/" { vm_result cgroupns; }
@test "v2 VM: --cgroupns host shows the container's path" { vm_result cgroupns-host; }
@test "v2 VM: device rules by eBPF: usual nodes work, others refused" { vm_result devices; }
@test "v2 VM: /sys/fs/cgroup is read-only inside" { vm_result readonly; }
@test "v2 VM: nothing is left after many runs" { vm_result many; }
@test "v2 VM: a cpuset the machine lacks: exit 125, one line, nothing left" { vm_result bad-cpuset; }
@test "v2 VM: runtime: a relative cgroupsPath is placed from the root" { vm_result runtime-path; }
@test "v2 VM: the default parent cgroup goes with its last container" { vm_result default-parent-gone; }
