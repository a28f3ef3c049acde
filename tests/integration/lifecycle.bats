#!/usr/bin/env bats
# The create/start split of an OCI runtime, as containerd's shim and conmon
# drive it (../shared/RUNC-CONTRACT.md §3 and §5): every step checked from
# the host (the processes, the cgroup, the program's own output), with runc
# as the oracle on the same bundle.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  B=$TEST_TMP/bundle
  make_bundle "$B" '.process.terminal = false | .linux.cgroupsPath = "dxc-lifecycle-'$$'"'
  # the program says when it runs, then waits
  set_args "$B" sh -c 'echo ran > /tmp/ran; exec sleep 60'
}

teardown() {
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    "$r" --root "$STATE-$(basename "$r")" delete --force c1 >/dev/null 2>&1 || true
  done
  common_teardown
}

# on RUNTIME ARGS...: the runtime with its own state directory
on() {
  local r=$1; shift
  "$r" --root "$STATE-$(basename "$r")" "$@"
}

# create_c1 RUNTIME: create c1; the container's process keeps the stdio it
# is given (as runc's does), so not bats's pipes: files. $output and
# $status as run sets them.
create_c1() {
  status=0
  on "$1" create --bundle "$B" --pid-file "$TEST_TMP/pid" c1 \
    </dev/null >"$TEST_TMP/create.out" 2>&1 3>&- || status=$?
  output=$(cat "$TEST_TMP/create.out")
}

status_of() {
  on "$1" state c1 | jq -r .status
}

@test "create, start, state, kill, delete: runc's state machine" {
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    echo "== $r"
    rm -f "$B/rootfs/tmp/ran"
    create_c1 "$r"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    pid=$(cat "$TEST_TMP/pid")
    # created: the process exists, in its cgroup, but the program has not run
    [ "$(status_of "$r")" = created ]
    [ "$(on "$r" state c1 | jq -r .pid)" = "$pid" ]
    # runc's fields, nothing of the runtime's own
    [ "$(on "$r" state c1 | jq -c 'keys')" = '["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' ]
    [ "$(on "$r" state c1 | jq -r .rootfs)" = "$B/rootfs" ]
    [ "$(on "$r" state c1 | jq -r .bundle)" = "$B" ]
    [[ "$(on "$r" state c1 | jq -r .created)" =~ ^20[0-9-]+T[0-9:.]+Z$ ]]
    # list: the IDs, and the same states as a JSON array
    [ "$(on "$r" list -q)" = c1 ]
    [ "$(on "$r" list --format json | jq -c '.[0] | keys')" = '["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' ]
    [ "$(on "$r" list --format json | jq -r '.[0].status')" = created ]
    kill -0 "$pid"
    grep -q "dxc-lifecycle-$$" "/proc/$pid/cgroup"
    cg=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' "/proc/$pid/cgroup")
    sleep 0.3
    [ ! -e "$B/rootfs/tmp/ran" ]
    run on "$r" delete c1x
    [ "$status" -ne 0 ]
    [[ "$output" == *"does not exist"* ]]
    # start: the program runs, in the same process
    run on "$r" start c1
    echo "$output"
    [ "$status" -eq 0 ]
    for _ in $(seq 50); do [ -e "$B/rootfs/tmp/ran" ] && break; sleep 0.1; done
    [ "$(cat "$B/rootfs/tmp/ran")" = ran ]
    [ "$(status_of "$r")" = running ]
    [ "$(on "$r" state c1 | jq -r .pid)" = "$pid" ]
    [ "$(cat "/proc/$pid/comm")" = sleep ]
    run on "$r" start c1
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot start an already running container"* ]]
    run on "$r" delete c1
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot delete container c1 that is not stopped: running"* ]]
    # kill, then the state says stopped, with pid 0
    on "$r" kill c1 KILL
    for _ in $(seq 50); do [ "$(status_of "$r")" = stopped ] && break; sleep 0.1; done
    [ "$(status_of "$r")" = stopped ]
    [ "$(on "$r" state c1 | jq -r .pid)" = 0 ]
    run on "$r" start c1
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot start a container that has stopped"* ]]
    # kill of a stopped container: an error, but not with --all
    # (containerd's kill-all after the exit)
    run on "$r" kill c1 KILL
    [ "$status" -ne 0 ]
    [[ "$output" == *"not running"* ]]
    run on "$r" kill --all c1 KILL
    [ "$status" -eq 0 ]
    # delete: the state and the cgroup go
    run on "$r" delete c1
    echo "$output"
    [ "$status" -eq 0 ]
    run on "$r" state c1
    [ "$status" -ne 0 ]
    [[ "$output" == *"does not exist"* ]]
    [ ! -d "/sys/fs/cgroup/pids$cg" ]
    # delete --force of an unknown ID: nothing to do, no error
    run on "$r" delete --force c1
    [ "$status" -eq 0 ]
  done
}

@test "a created container can be deleted at once; its waiting process goes" {
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    echo "== $r"
    create_c1 "$r"
    [ "$status" -eq 0 ]
    pid=$(cat "$TEST_TMP/pid")
    kill -0 "$pid"
    run on "$r" delete c1
    echo "$output"
    [ "$status" -eq 0 ]
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
    [ ! -e "$B/rootfs/tmp/ran" ]
    run on "$r" state c1
    [ "$status" -ne 0 ]
  done
}

@test "create refuses what it cannot do, leaving nothing: a missing program, a terminal without a console socket" {
  set_args "$B" /no/such/program
  create_c1 "$DXC_BIN_DIR/devoxx-runtime"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"no such file or directory"* ]]
  run on "$DXC_BIN_DIR/devoxx-runtime" state c1
  [ "$status" -ne 0 ]
  set_args "$B" true
  jq '.process.terminal = true' "$B/config.json" > "$B/c" && mv "$B/c" "$B/config.json"
  create_c1 "$DXC_BIN_DIR/devoxx-runtime"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot allocate tty"* ]]
  run on "$DXC_BIN_DIR/devoxx-runtime" state c1
  [ "$status" -ne 0 ]
}

@test "exec: a process in the container's namespaces, cgroups and root; its exit code; runc as the oracle" {
  declare -A flags
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    echo "== $r"
    create_c1 "$r"
    [ "$status" -eq 0 ]
    on "$r" start c1
    init=$(cat "$TEST_TMP/pid")
    # a process that stays, seen from the host
    on "$r" exec --detach --pid-file "$TEST_TMP/epid" c1 sleep 60 \
      </dev/null >/dev/null 2>&1 3>&-
    e=$(cat "$TEST_TMP/epid")
    for ns in mnt pid net ipc uts; do
      [ "$(readlink "/proc/$e/ns/$ns")" = "$(readlink "/proc/$init/ns/$ns")" ]
    done
    [ "$(cat "/proc/$e/cgroup")" = "$(cat "/proc/$init/cgroup")" ]
    [ "$(stat -L -c %d:%i "/proc/$e/root")" = "$(stat -L -c %d:%i "/proc/$init/root")" ]
    [ "$(cat "/proc/$e/comm")" = sleep ]
    # in the foreground: its output, its PID in the container, its code
    run on "$r" exec c1 sh -c 'echo pid=$$; cat /tmp/ran; ls /proc/1/cmdline >/dev/null && echo sees-init'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^pid=[0-9]+$ ]]
    [ "${lines[0]}" != pid=1 ]
    [ "${lines[1]}" = ran ]
    [ "${lines[2]}" = sees-init ]
    run on "$r" exec c1 sh -c 'exit 7'
    [ "$status" -eq 7 ]
    # a process of its own config: another user, the same root
    jq '.process | .args = ["id", "-u"] | .user = {"uid": 1234, "gid": 1234}' \
      "$B/config.json" > "$TEST_TMP/process.json"
    run on "$r" exec --process "$TEST_TMP/process.json" c1
    echo "$output"
    [ "$output" = 1234 ]
    # runc exec's flags over config.json's process: the same facts
    run on "$r" exec --cwd /tmp --env FOO=bar --env HOME=/nowhere \
      --user 1000:1001 --cap CAP_SYS_ADMIN c1 \
      sh -c 'pwd; echo $FOO $HOME; id -u; id -g; grep CapBnd /proc/self/status'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = /tmp ]
    [ "${lines[1]}" = "bar /nowhere" ]
    [ "${lines[2]}" = 1000 ]
    [ "${lines[3]}" = 1001 ]
    flags[$r]=$output
    on "$r" delete --force c1
    # every process of the container went with it
    for _ in $(seq 50); do kill -0 "$e" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$e" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$e/stat")" = Z ]
  done
  [ "${flags[$DXC_BIN_DIR/devoxx-runtime]}" = "${flags[runc]}" ]
}

@test "exec refuses a stopped container, and a program that cannot be found" {
  create_c1 "$DXC_BIN_DIR/devoxx-runtime"
  on "$DXC_BIN_DIR/devoxx-runtime" start c1
  run -127 on "$DXC_BIN_DIR/devoxx-runtime" exec c1 /no/such/program
  [[ "$output" == *'exec: "/no/such/program": no such file or directory'* ]]
  on "$DXC_BIN_DIR/devoxx-runtime" kill c1 KILL
  for _ in $(seq 50); do [ "$(status_of "$DXC_BIN_DIR/devoxx-runtime")" = stopped ] && break; sleep 0.1; done
  run on "$DXC_BIN_DIR/devoxx-runtime" exec c1 true
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot exec in a stopped container"* ]]
}

@test "features: the runtime spec's document, as containerd and CRI-O read it" {
  run --separate-stderr "$DXC_BIN_DIR/devoxx-runtime" features
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  jq -e '.ociVersionMin == "1.0.0" and (.ociVersionMax | length > 0)' <<<"$output"
  jq -e '.linux.namespaces | index("pid") and index("mount") and index("network")' <<<"$output"
  jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY"))' <<<"$output"
  jq -e '.mountOptions | index("rro") and index("nosuid")' <<<"$output"
  jq -e '.linux.mountExtensions.idmap.enabled == false' <<<"$output"
  # the same capability names as runc knows
  diff <(jq -r '.linux.capabilities[]' <<<"$output" | sort) \
       <(runc features | jq -r '.linux.capabilities[]' | sort)
}

@test "pause, resume, ps: a frozen container stops counting; runc as the oracle" {
  set_args "$B" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done'
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    echo "== $r"
    create_c1 "$r"
    [ "$status" -eq 0 ]
    on "$r" start c1
    pid=$(cat "$TEST_TMP/pid")
    sleep 0.3
    run on "$r" ps --format json c1
    echo "$output"
    jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
    run on "$r" resume c1
    [ "$status" -ne 0 ]
    [[ "$output" == *"container not paused"* ]]
    on "$r" pause c1
    [ "$(status_of "$r")" = paused ]
    sleep 0.2
    a=$(cat "$B/rootfs/tmp/count")
    sleep 0.5
    [ "$(cat "$B/rootfs/tmp/count")" = "$a" ]
    on "$r" resume c1
    [ "$(status_of "$r")" = running ]
    sleep 0.5
    [ "$(cat "$B/rootfs/tmp/count")" != "$a" ]
    # a paused container goes with delete --force
    on "$r" pause c1
    on "$r" delete --force c1
    run on "$r" state c1
    [ "$status" -ne 0 ]
  done
}

@test "runc spec's own default config runs as under runc (ambient capabilities it cannot raise are left out)" {
  mkdir -p "$TEST_TMP/rs"
  cp -a "$B/rootfs" "$TEST_TMP/rs/rootfs"
  (cd "$TEST_TMP/rs" && runc spec)
  jq '.process.terminal = false | .process.args = ["sh", "-c", "grep Cap /proc/self/status"]' \
    "$TEST_TMP/rs/config.json" > "$TEST_TMP/c" && mv "$TEST_TMP/c" "$TEST_TMP/rs/config.json"
  run on "$DXC_BIN_DIR/devoxx-runtime" run --bundle "$TEST_TMP/rs" c2
  echo "$output"
  [ "$status" -eq 0 ]
  ours=$output
  run on runc run --bundle "$TEST_TMP/rs" c2
  [ "$status" -eq 0 ]
  [ "$output" = "$ours" ]
}

@test "run --detach: created and started, the runtime gone; runc as the oracle" {
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    echo "== $r"
    on "$r" run --detach --bundle "$B" --pid-file "$TEST_TMP/pid" c1 \
      </dev/null >/dev/null 2>&1 3>&-
    pid=$(cat "$TEST_TMP/pid")
    for _ in $(seq 50); do [ -e "$B/rootfs/tmp/ran" ] && break; sleep 0.1; done
    [ "$(cat "$B/rootfs/tmp/ran")" = ran ]
    [ "$(status_of "$r")" = running ]
    [ "$(on "$r" state c1 | jq -r .pid)" = "$pid" ]
    on "$r" delete --force c1
    rm -f "$B/rootfs/tmp/ran"
  done
}

@test "--log FILE --log-format json: errors are records there too, as the shims and conmon read them" {
  for r in "$DXC_BIN_DIR/devoxx-runtime" runc; do
    rm -f "$TEST_TMP/log.json"
    run "$r" --root "$STATE-x" --log "$TEST_TMP/log.json" --log-format json state nope
    [ "$status" -ne 0 ]
    echo "$r: $(cat "$TEST_TMP/log.json")"
    jq -e 'select(.level == "error") | .msg | test("does not exist")' "$TEST_TMP/log.json"
    jq -e '.time | test("^20")' "$TEST_TMP/log.json"
  done
}
