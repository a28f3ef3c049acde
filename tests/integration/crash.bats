#!/usr/bin/env bats
# The crash suite: commands killed with kill -9 at several points, each
# followed by the checks that the store is whole (every blob is what its
# name says, every listed image has its blobs and layers and runs) and that
# nothing is left on the host (mounts, cgroups, live state of dead
# containers). The kill points are delays from the start: the machine's
# speed decides which step each one lands in; over the list, every command
# is killed before, during and after its work.

load helpers
load registry
bats_require_minimum_version 1.5.0

DELAYS="0.005 0.02 0.05 0.1 0.2 0.4"

setup() {
  common_setup
  dxc run --rm busybox true 2>/dev/null
}

teardown() {
  stop_registry "$TEST_TMP/registry"
  common_teardown
}

# kill_after DELAY CMD...: CMD in the background, SIGKILL after DELAY.
kill_after() {
  local delay=$1 pid; shift
  "$@" > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

store_is_whole() {
  local b name man cfg d
  for b in "$ROOT"/blobs/sha256/*; do
    [ -e "$b" ] || continue
    [ "$(sha256sum < "$b" | cut -d' ' -f1)" = "$(basename "$b")" ] \
      || { echo "blob $b is not what its name says"; return 1; }
  done
  for name in $(jq -r 'keys[]' "$ROOT/images.json" 2>/dev/null); do
    man=$(jq -r --arg n "$name" '.[$n]' "$ROOT/images.json")
    [ -f "$ROOT/blobs/sha256/${man#sha256:}" ] || { echo "$name: no manifest"; return 1; }
    cfg=$(jq -r .config.digest "$ROOT/blobs/sha256/${man#sha256:}")
    [ -f "$ROOT/blobs/sha256/${cfg#sha256:}" ] || { echo "$name: no config"; return 1; }
    for d in $(jq -r '.rootfs.diff_ids[]' "$ROOT/blobs/sha256/${cfg#sha256:}"); do
      [ -d "$ROOT/layers/${d#sha256:}" ] || { echo "$name: no layer $d"; return 1; }
    done
    dxc run --rm "$name" true || { echo "$name does not run"; return 1; }
  done
}

# Nothing of a dead container is left once the engine has looked (ps -a
# settles records whose engine was killed) and rm -f removed them.
nothing_left() {
  local id
  dxc ps -a > /dev/null
  for id in $(dxc ps -aq); do dxc rm -f "$id" > /dev/null; done
  [ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ] || { echo "records left"; return 1; }
  [ -z "$(ls -A "$RUNROOT" 2>/dev/null | grep -vx seccomp)" ] || { echo "live state left"; return 1; }
  [ -z "$(host_mounts_under_tmp)" ] || { echo "mounts left"; return 1; }
  # An engine killed while it made its cgroups (before it could record
  # them) leaves them empty: every engine run sweeps those older than 10 s
  # beside its own (docs/CGROUPS.md). One run after that age, then none.
  # (its age is its directory's mtime, which can be later than the kill:
  # up to three rounds)
  local round
  for round in 1 2 3; do
    sleep 11
    dxc run --rm busybox true
    [ -z "$(find /sys/fs/cgroup -maxdepth 6 -path '*/devoxx/*' -newer "$TEST_TMP" -type d 2>/dev/null)" ] && break
  done
  # the cgroups of this store's containers (devoxx/<id>), none left
  [ -z "$(find /sys/fs/cgroup -maxdepth 6 -path '*/devoxx/*' -newer "$TEST_TMP" -type d 2>/dev/null)" ] \
    || { echo "cgroups left"; find /sys/fs/cgroup -maxdepth 6 -path '*/devoxx/*' -newer "$TEST_TMP" -type d; return 1; }
}

@test "crash: run killed at any point" {
  local d
  for d in $DELAYS; do
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" run --name "c${d#0.}" busybox sleep 5
  done
  # and with --rm, a volume and a published port
  for d in $DELAYS; do
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" run --rm -v "vol${d#0.}:/data" -p 80 busybox sleep 5
  done
  nothing_left
  store_is_whole
  # the engine goes on: names, volumes and ports are free again
  run dxc run --rm --name c005 -v vol005:/data -p 18081:80 busybox true
  [ "$status" -eq 0 ]
}

@test "crash: load killed at any point" {
  dxc save -o "$TEST_TMP/bb.tar" busybox
  dxc rmi busybox > /dev/null
  local d
  for d in $DELAYS; do
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" load -i "$TEST_TMP/bb.tar"
    store_is_whole
  done
  run dxc load -i "$TEST_TMP/bb.tar"
  [ "$status" -eq 0 ]
  store_is_whole
  [ -z "$(ls -A "$ROOT/tmp" | grep -v '\.lock$')" ]
}

@test "crash: pull killed at any point" {
  start_registry "$TEST_TMP/registry"
  L=$TEST_TMP/layout
  make_oci_image "$L" v1
  push "$L" v1 test/crash:v1
  local d
  for d in $DELAYS; do
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" pull -q "$REGISTRY/test/crash:v1"
    store_is_whole
  done
  dxc pull -q "$REGISTRY/test/crash:v1"
  store_is_whole
}

@test "crash: rmi and image prune killed at any point" {
  dxc save -o "$TEST_TMP/bb.tar" busybox
  local d
  for d in $DELAYS; do
    dxc load -i "$TEST_TMP/bb.tar" > /dev/null
    dxc tag busybox "localhost/victim:${d#0.}"
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" rmi -f busybox "localhost/victim:${d#0.}"
    store_is_whole
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" image prune -a
    store_is_whole
  done
}

@test "crash: volume rm killed at any point" {
  local d
  for d in $DELAYS; do
    dxc run --rm -v "v${d#0.}:/data" busybox sh -c 'seq 1 2000 | while read i; do echo $i > /data/f$i; done'
    kill_after "$d" "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" volume rm "v${d#0.}"
    # listed and whole, or gone
    if dxc volume ls -q | grep -qx "v${d#0.}"; then
      dxc run --rm -v "v${d#0.}:/data" busybox true
      dxc volume rm "v${d#0.}"
    fi
  done
  [ -z "$(dxc volume ls -q)" ]
}

@test "crash: devoxx-runtime run killed at any point" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false | .linux.cgroupsPath = "dxc-crash-'$$'"'
  set_args "$TEST_TMP/b" sleep 5
  local d
  for d in $DELAYS; do
    kill_after "$d" "$RUNTIME" --root "$STATE" run --bundle "$TEST_TMP/b" crashed
  done
  # the ID is reclaimed by the next run, and its cgroup removed
  set_args "$TEST_TMP/b" true
  run rt run --bundle "$TEST_TMP/b" crashed
  [ "$status" -eq 0 ]
  [ -z "$(find /sys/fs/cgroup -maxdepth 6 -name "dxc-crash-$$" 2>/dev/null)" ]
  [ -z "$(ls -A "$STATE" | grep -v '^\.')" ]
}

@test "crash: devoxx-runtime create killed at any point; delete --force leaves nothing" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false | .linux.cgroupsPath = "dxc-crash-'$$'"'
  set_args "$TEST_TMP/b" sleep 30
  local d
  for d in $DELAYS; do
    # (the created process keeps the stdio it is given: not bats's)
    kill_after "$d" "$RUNTIME" --root "$STATE" create --bundle "$TEST_TMP/b" crashed 3>&- </dev/null
    run rt delete --force crashed
    echo "after $d: $output"
    [ "$status" -eq 0 ]
    run rt state crashed
    [ "$status" -ne 0 ]
  done
  # nothing of any attempt is left: no cgroup, no state, no process
  [ -z "$(find /sys/fs/cgroup -maxdepth 6 -name "dxc-crash-$$" 2>/dev/null)" ]
  [ -z "$(ls -A "$STATE" | grep -v '^\.')" ]
  for p in $(pgrep -x sleep); do
    ! grep -q "dxc-crash-$$" "/proc/$p/cgroup" 2>/dev/null
  done
}
