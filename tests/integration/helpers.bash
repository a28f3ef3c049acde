# Shared by the integration tests. Everything a test makes lives under
# $TEST_TMP and is removed (mounts first) by teardown.
#
# DXC_BIN_DIR: the binaries under test (default: the repository's bin/).
# RUNTIME: the OCI runtime for runtime tests (default devoxx-runtime; set
#          RUNTIME=runc to run the same tests against runc as an oracle).

TESTS_DIR=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
REPO_DIR=$(cd "$TESTS_DIR/.." && pwd)
DXC_BIN_DIR=${DXC_BIN_DIR:-$REPO_DIR/bin}
ENGINE=$DXC_BIN_DIR/devoxx-container
ENGINE_BIN=$ENGINE
RUNTIME=${RUNTIME:-$DXC_BIN_DIR/devoxx-runtime}

common_setup() {
  TEST_TMP=$(mktemp -d /tmp/dxc-test.XXXXXX)
  ROOT=$TEST_TMP/root
  RUNROOT=$TEST_TMP/run
  STATE=$TEST_TMP/state
  export TEST_TMP ROOT RUNROOT STATE
  # The engine makes bridges, veth pairs, an nftables table and turns
  # ip_forward on: never in the machine's own network namespace.
  # tests/run-all.sh runs each file in a network namespace of its own.
  if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ]; then
    echo "run the integration tests through tests/run-all.sh (make check):" \
         "each file gets a network namespace of its own" >&2
    return 1
  fi
  # The store's storage driver is chosen on its first use, with a line that
  # says so where overlay cannot work (a store on an overlay, as in CI's
  # overlay lane): here, not in the test's first command (engine.bats tests
  # that line).
  "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" info >/dev/null 2>&1 || true
}

# The storage driver of the test's store: overlay, or copy where the store
# is on an overlay (CI's overlay lane).
store_driver() {
  cat "$ROOT/storage-driver"
}

# Commands "on the host": the file's network namespace, which we are in.
in_netns() {
  "$@"
}

# Unmount anything left under $TEST_TMP (deepest first), then remove it.
common_teardown() {
  [ -n "${TEST_TMP:-}" ] || return 0
  # Processes left by a failed test: those whose root or cwd is ours.
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    # never bats itself (a test may have cd'd into $TEST_TMP)
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] || [ "$pid" = "$PPID" ] && continue
    case "$(readlink "$p/root" 2>/dev/null)$(readlink "$p/cwd" 2>/dev/null)" in
      *"$TEST_TMP"*) kill -9 "$pid" 2>/dev/null ;;
    esac
  done
  cd / || true
  awk -v p="$TEST_TMP" '$5 ~ "^" p {print $5}' /proc/self/mountinfo \
    | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$TEST_TMP"
}

# The busybox root file system of the demo image, shared by a test file.
busybox_tar() {
  local tar=$BATS_FILE_TMPDIR/busybox.tar
  [ -f "$tar" ] || sh "$REPO_DIR/scripts/make-demo-image.sh" /bin/busybox "$tar"
  echo "$tar"
}

# make_bundle DIR [jq filter applied to the default config.json]
make_bundle() {
  local dir=$1 filter=${2:-.}
  mkdir -p "$dir/rootfs"
  tar -C "$dir/rootfs" -xf "$(busybox_tar)"
  (cd "$dir" && "$DXC_BIN_DIR/devoxx-runtime" spec)
  jq "$filter" "$dir/config.json" > "$dir/config.json.new"
  mv "$dir/config.json.new" "$dir/config.json"
  # runc needs a cgroup path; a relative one lands under runc's own cgroup
  # and is removed when the container ends.
  if [ "$(basename "$RUNTIME")" = runc ]; then
    jq '.linux.cgroupsPath = "dxc-oracle-'$$'"' "$dir/config.json" > "$dir/c.new"
    mv "$dir/c.new" "$dir/config.json"
  fi
}

# set_args DIR ARG...: the process args of the bundle's config.json.
set_args() {
  local dir=$1 args; shift
  args='[]'
  for a in "$@"; do args=$(jq -c --arg a "$a" '. + [$a]' <<<"$args"); done
  jq --argjson a "$args" '.process.args = $a' "$dir/config.json" > "$dir/c.new"
  mv "$dir/c.new" "$dir/config.json"
}

rt() {
  "$RUNTIME" --root "$STATE" "$@"
}

dxc() {
  "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# Mounts under $TEST_TMP in the host's mount table (should be none).
host_mounts_under_tmp() {
  awk -v p="$TEST_TMP" '$5 ~ "^" p {print $5}' /proc/self/mountinfo
}

# Wait up to ~10 s for a file to exist (pid files are written atomically).
wait_for_file() {
  for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done
  return 1
}

# wait_status PID: wait for a background job; its status in WAIT_STATUS.
wait_status() {
  WAIT_STATUS=0
  wait "$1" || WAIT_STATUS=$?
}

# bad_runs CHECK [RUN-ARGS...] < "ARGS|MESSAGE" lines: each ARGS given to
# `run --rm [RUN-ARGS] ARGS busybox true` must fail with exit 125 and one
# line holding MESSAGE, leave no container record, and pass CHECK (the
# caller's "nothing left" of its own kind).
bad_runs() {
  local check=$1 args msg; shift
  while IFS='|' read -r args msg; do
    # shellcheck disable=SC2086
    run dxc run --rm "$@" $args busybox true
    echo "$args -> $status: $output"
    [ "$status" -eq 125 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"$msg"* ]]
    [ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
    "$check"
  done
}
