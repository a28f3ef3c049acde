#!/usr/bin/env bats
# The OCI runtime (devoxx-runtime run), against the real kernel. Facts are
# checked inside with busybox's own tools. RUNTIME=runc runs the same file
# against runc: the tests not marked devoxx-only must pass there too.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  B=$TEST_TMP/bundle
  make_bundle "$B"
}

teardown() {
  common_teardown
}

devoxx_only() {
  [ "$(basename "$RUNTIME")" = devoxx-runtime ] || skip "devoxx-runtime only"
}

@test "the process is PID 1 and sees only the container's processes" {
  set_args "$B" sh -c 'echo pid=$$; ps -o pid=,comm='
  run rt run --bundle "$B" t1
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "pid=1" ]
  # sh execs its last command: ps is PID 1 and sees only itself, nothing of
  # the host (no pipe: a pipe's second command may not be forked yet when
  # ps reads /proc)
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" =~ ^\ *1\ ps$ ]]
}

@test "the hostname is set inside and unchanged outside" {
  before=$(hostname)
  set_args "$B" hostname
  run rt run --bundle "$B" t1
  [ "$status" -eq 0 ]
  [ "$output" = devoxx ]
  [ "$(hostname)" = "$before" ]
}

@test "a mount made inside is not seen on the host" {
  # Mounting needs CAP_SYS_ADMIN, as with docker run --cap-add SYS_ADMIN.
  jq '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  set_args "$B" sh -c 'mkdir -p /mnt/in && mount -t tmpfs none /mnt/in && touch /mnt/in/f && grep -c " /mnt/in " /proc/mounts'
  run rt run --bundle "$B" t1
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  [ -z "$(host_mounts_under_tmp)" ]
  [ ! -e "$B/rootfs/mnt/in/f" ]
}

@test "a mount made on the host after the start is not seen inside" {
  mkdir -p "$B/rootfs/mnt/host"
  set_args "$B" sh -c 'touch /started; while [ ! -e /go ]; do sleep 0.05; done; grep -c " /mnt/host " /proc/mounts; ls /mnt/host'
  rt run --bundle "$B" t1 > "$TEST_TMP/out" 2>&1 &
  wait_for_file "$B/rootfs/started" || { cat "$TEST_TMP/out"; false; }
  mount -t tmpfs none "$B/rootfs/mnt/host"
  touch "$B/rootfs/mnt/host/from-host"
  touch "$B/rootfs/go"
  wait
  umount "$B/rootfs/mnt/host"
  run cat "$TEST_TMP/out"
  [ "${lines[0]}" = 0 ]
  [ "${#lines[@]}" -eq 1 ]
}

@test "the root is the image's: cd /.. stays inside, host files are absent" {
  touch "$B/rootfs/marker"
  set_args "$B" sh -c 'cd /..; ls; test -e /etc/debian_version && echo HOST'
  run rt run --bundle "$B" t1
  [[ "$output" == *marker* ]]
  [[ "$output" != *HOST* ]]
}

@test "exit codes: 0 and the program's own" {
  set_args "$B" true
  run rt run --bundle "$B" t1
  [ "$status" -eq 0 ]
  set_args "$B" sh -c 'exit 7'
  run rt run --bundle "$B" t1
  [ "$status" -eq 7 ]
}

@test "exit codes: 127 when not found, 126 when not executable (Docker's)" {
  devoxx_only
  set_args "$B" no-such-command
  run -127 rt run --bundle "$B" t1
  [[ "$output" == *'exec: "no-such-command": executable file not found in $PATH'* ]]
  set_args "$B" /no/such/file
  run -127 rt run --bundle "$B" t1
  set_args "$B" /etc/passwd
  run -126 rt run --bundle "$B" t1
  [[ "$output" == *"Permission denied"* ]]
  [ -z "$(ls -A "$STATE")" ]
}

@test "exit code 128+N when the process is killed by signal N" {
  set_args "$B" sleep 100
  rt run --pid-file "$TEST_TMP/pid" --bundle "$B" t1 &
  rtpid=$!
  wait_for_file "$TEST_TMP/pid"
  kill -KILL "$(cat "$TEST_TMP/pid")"
  wait_status $rtpid
  [ "$WAIT_STATUS" -eq 137 ]
}

@test "signals sent to the runtime are forwarded to the container" {
  set_args "$B" sh -c 'trap "exit 42" TERM; touch /ready; while :; do sleep 0.05; done'
  # The binary itself in the background, not a shell function's subshell.
  "$RUNTIME" --root "$STATE" run --bundle "$B" t1 &
  rtpid=$!
  wait_for_file "$B/rootfs/ready" || sleep 1
  [ -e "$B/rootfs/ready" ]
  kill -TERM $rtpid
  wait_status $rtpid
  [ "$WAIT_STATUS" -eq 42 ]
}

@test "stdin is piped through" {
  set_args "$B" sh -c 'read line; echo "got $line"'
  run sh -c "echo hello | $RUNTIME --root $STATE run --bundle $B t1"
  [ "$output" = "got hello" ]
}

@test "process.terminal gives a terminal inside" {
  set_args "$B" sh -c 'test -t 0 && test -t 1 && tty'
  jq '.process.terminal = true' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  if [ "$(basename "$RUNTIME")" = runc ]; then
    # runc proxies the terminal only when it has one itself.
    run script -qec "$RUNTIME --root $STATE run --bundle $B t1" /dev/null
  else
    run rt run --bundle "$B" t1 < /dev/null
  fi
  [ "$status" -eq 0 ]
  [[ "$output" == */dev/pts/0* ]]
}

@test "masked paths read empty and /proc/sys is read-only" {
  [ -e /proc/timer_list ]
  set_args "$B" sh -c 'wc -c < /proc/timer_list; test -e /proc/kcore && wc -c < /proc/kcore; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo WRITABLE; echo done'
  run rt run --bundle "$B" t1
  [ "${lines[0]}" -eq 0 ]
  [[ "$output" != *WRITABLE* ]]
  [[ "$output" == *done* ]]
  if [ -e /proc/kcore ]; then [ "${lines[1]}" -eq 0 ]; fi
}

@test "the capability sets are Docker's default set" {
  set_args "$B" grep -E '^Cap(Eff|Prm|Bnd|Inh)' /proc/self/status
  run rt run --bundle "$B" t1
  [[ "$output" == *"CapEff:	00000000a80425fb"* ]]
  [[ "$output" == *"CapPrm:	00000000a80425fb"* ]]
  [[ "$output" == *"CapBnd:	00000000a80425fb"* ]]
  [[ "$output" == *"CapInh:	0000000000000000"* ]]
}

@test "user, groups and no capabilities for a non-root user" {
  set_args "$B" sh -c 'id; grep CapEff /proc/self/status'
  jq '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 10]}' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [[ "${lines[0]}" == "uid=1000 gid=1001 groups=5(tty),10(wheel)" ]]
  [[ "${lines[1]}" == *"0000000000000000" ]]
}

@test "rlimits are applied" {
  set_args "$B" sh -c 'ulimit -n; ulimit -Hn'
  jq '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "${lines[0]}" = 100 ]
  [ "${lines[1]}" = 200 ]
}

@test "an rlimit above the hard limit it cannot raise fails with a clear message" {
  devoxx_only
  hard=$(ulimit -Hn)
  set_args "$B" true
  jq --argjson h $((hard * 100)) '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $h, "hard": $h}]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  if capsh --has-p=cap_sys_resource 2>/dev/null; then skip "this machine can raise hard limits"; fi
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *RLIMIT_NOFILE* ]]
  [[ "$output" == *CAP_SYS_RESOURCE* ]]
  [ "${#lines[@]}" -eq 1 ]
}

@test "a read-only root refuses writes; /dev and /tmp mounts stay writable" {
  set_args "$B" sh -c 'touch /x 2>/dev/null && echo ROOT-WRITABLE; touch /dev/shm/y && echo shm-ok'
  jq '.root.readonly = true' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$output" = shm-ok ]
}

@test "sysctls are set in the container's namespaces" {
  set_args "$B" cat /proc/sys/net/ipv4/ip_unprivileged_port_start
  jq '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "80"}' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$output" = 80 ]
  [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" != 80 ] || [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = 80 ]
}

@test "devices from the spec are created" {
  set_args "$B" sh -c 'ls -l /dev/mynull; echo x > /dev/mynull && echo ok'
  jq '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [[ "${lines[0]}" == crw-rw-rw-*"1,"*"3"*/dev/mynull ]]
  [ "${lines[1]}" = ok ]
}

@test "a namespace given by path is joined" {
  # exec: the holder's PID is the process in the namespace, and killing it
  # leaves nothing holding bats' output open.
  unshare -u sh -c 'hostname joined-uts; exec sleep 30' > /dev/null 2>&1 &
  holder=$!
  for _ in $(seq 50); do
    [ "$(nsenter -t $holder -u hostname 2>/dev/null)" = joined-uts ] && break
    sleep 0.1
  done
  set_args "$B" hostname
  jq --arg p "/proc/$holder/ns/uts" '.hostname = null | .linux.namespaces |= map(if .type == "uts" then .path = $p else . end)' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
  [ "$output" = joined-uts ]
}

@test "--no-pivot switches root with MS_MOVE and chroot" {
  devoxx_only
  set_args "$B" sh -c 'cd /..; ls /; cat /proc/1/cmdline | tr "\0" " "'
  run "$RUNTIME" --root "$STATE" --explain run --no-pivot --bundle "$B" t1
  [ "$status" -eq 0 ]
  [[ "$output" == *"chroot"* ]]
  [[ "$output" != *"pivot_root(\".\""* ]]
  [[ "$output" == *etc* ]]
}

@test "--explain narrates each isolation step with its kernel call" {
  devoxx_only
  set_args "$B" true
  run "$RUNTIME" --root "$STATE" --explain run --bundle "$B" t1
  [ "$status" -eq 0 ]
  [[ "$output" =~ clone3?\(CLONE_NEWNS\|CLONE_NEWPID\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWNET ]]
  [[ "$output" == *'sethostname("devoxx")'* ]]
  [[ "$output" == *'mount("proc", "/proc", "proc"'* ]]
  [[ "$output" == *"getcwd() before the root switch: $B/rootfs"* ]]
  [[ "$output" == *'pivot_root(".", ".")'* ]]
  [[ "$output" == *"getcwd() after the root switch: /"* ]]
  [[ "$output" == *"capabilities kept: cap_chown"* ]]
  [[ "$output" == *'execve("/bin/true")'* ]]
}

@test "bad input: invalid config.json names the field, exit 125, nothing left" {
  devoxx_only
  jq '.process.cwd = "relative"' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *process.cwd* ]]
  [ "${#lines[@]}" -eq 1 ]
  echo '{"ociVersion": "1.0.2", "process": ' > "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *config.json* ]]
  [ -z "$(ls -A "$STATE" 2>/dev/null)" ]
}

@test "bad input: an unsupported field is refused, by name" {
  devoxx_only
  jq '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *"linux.uidMappings is not supported"* ]]
}

@test "bad input: missing rootfs, hostname too long, duplicate ID" {
  devoxx_only
  mv "$B/rootfs" "$B/elsewhere"
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *rootfs* ]]
  mv "$B/elsewhere" "$B/rootfs"
  jq '.hostname = "x234567890123456789012345678901234567890123456789012345678901234567890"' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  run rt run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *hostname* ]]
  jq '.hostname = "ok" | .process.args = ["sleep", "5"]' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  rt run --pid-file "$TEST_TMP/pid" --bundle "$B" dup &
  wait_for_file "$TEST_TMP/pid"
  run rt run --bundle "$B" dup
  kill -KILL "$(cat "$TEST_TMP/pid")"; wait || true
  [ "$status" -eq 125 ]
  [[ "$output" == *"already exists"* ]]
}

@test "bad input: not root is told to use sudo" {
  devoxx_only
  run setpriv --reuid 65534 --regid 65534 --clear-groups "$RUNTIME" --root "$STATE" run --bundle "$B" t1
  [ "$status" -eq 125 ]
  [[ "$output" == *sudo* ]]
}

@test "state, list and kill see a running container" {
  devoxx_only
  set_args "$B" sleep 100
  rt run --pid-file "$TEST_TMP/pid" --bundle "$B" live &
  rtpid=$!
  wait_for_file "$TEST_TMP/pid"
  run rt state live
  [[ "$output" == *'"status": "running"'* ]]
  [[ "$output" == *"\"pid\": $(cat "$TEST_TMP/pid")"* ]]
  run rt list
  [[ "$output" == *live* ]]
  rt kill live KILL
  wait_status $rtpid
  [ "$WAIT_STATUS" -eq 137 ]
  [ -z "$(ls -A "$STATE")" ]
}

@test "a mount target that is a symlink in the image stays inside the root" {
  # The image's /mnt/escape points at a host directory, by absolute path
  # and by "..": the mounts must land inside the root (CVE-2021-30465 class).
  mkdir -p "$TEST_TMP/host-dir"
  touch "$TEST_TMP/host-dir/host-file"
  mkdir -p "$B/rootfs/mnt"
  ln -s "$TEST_TMP/host-dir" "$B/rootfs/mnt/escape-abs"
  ln -s "../../../../../../../../$TEST_TMP/host-dir" "$B/rootfs/mnt/escape-rel"
  jq '.mounts += [{"destination": "/mnt/escape-abs", "type": "tmpfs", "source": "tmpfs"},
                  {"destination": "/mnt/escape-rel/sub", "type": "tmpfs", "source": "tmpfs"}]' \
    "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  set_args "$B" sh -c 'touch /mnt/escape-abs/written-inside; grep -c tmpfs /proc/mounts'
  run rt run --bundle "$B" t1
  [ "$status" -eq 0 ]
  [ -e "$TEST_TMP/host-dir/host-file" ]
  [ ! -e "$TEST_TMP/host-dir/written-inside" ]
  [ ! -e "$TEST_TMP/host-dir/sub" ]
  [ -z "$(host_mounts_under_tmp)" ]
  # the targets were made inside the root, where the links lead there
  [ -d "$B/rootfs/$TEST_TMP/host-dir" ]
}

@test "a runtime killed with kill -9: its ID is stopped, then reclaimed with its cgroups" {
  devoxx_only
  jq '.process.terminal = false | .linux.cgroupsPath = "dxc-killed-'$$'"' "$B/config.json" > "$B/c"
  mv "$B/c" "$B/config.json"
  set_args "$B" sleep 100
  rt run --bundle "$B" k1 > /dev/null 2>&1 &
  local rtpid=$! cgs i
  for i in $(seq 100); do
    [ "$(rt state k1 2>/dev/null | jq -r .status)" = running ] && break
    sleep 0.05
  done
  cgs=$(jq -r '.cgroups[]' "$STATE/k1/state.json")
  [ -n "$cgs" ]
  # the runtime itself (rt is a shell function: $! is a subshell)
  kill -9 "$(jq .runtimePid "$STATE/k1/state.json")"
  wait "$rtpid" || true
  # the truth from the processes: stopped (the death signal kills the
  # container), no PID
  for i in $(seq 100); do
    [ "$(rt state k1 | jq -r .status)" = stopped ] && break
    sleep 0.05
  done
  run rt state k1
  echo "$output"
  [ "$(jq -r .status <<<"$output")" = stopped ]
  [ "$(jq -r .pid <<<"$output")" = 0 ]
  for d in $cgs; do [ -d "$d" ]; done
  # the same ID again, with another cgroup: the old one is removed
  jq '.linux.cgroupsPath = "dxc-other-'$$'"' "$B/config.json" > "$B/c"
  mv "$B/c" "$B/config.json"
  set_args "$B" true
  run rt run --bundle "$B" k1
  [ "$status" -eq 0 ]
  for d in $cgs; do [ ! -d "$d" ]; done
  [ ! -e "$STATE/k1" ]
  [ -z "$(ls -A "$STATE" | grep -v '^\.seccomp-cache$')" ]
}

@test "an ID in use by a live container is refused, not reclaimed" {
  devoxx_only
  jq '.process.terminal = false' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  set_args "$B" sleep 100
  rt run --bundle "$B" live > /dev/null 2>&1 &
  local rtpid=$!
  for _ in $(seq 100); do
    [ "$(rt state live 2>/dev/null | jq -r .status)" = running ] && break
    sleep 0.05
  done
  set_args "$B" true
  run rt run --bundle "$B" live
  [ "$status" -ne 0 ]
  [[ "$output" == *"already exists"* ]]
  rt kill live KILL
  wait "$rtpid" || true
}
