#!/usr/bin/env bats
# podman driving devoxx-runtime as its OCI runtime (podman --runtime): the
# create/start/state/kill/delete calls conmon and libpod make, checked
# through podman's own commands and the containers' output.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  # (scripts/install-deps.sh installs podman: CI never skips this)
  command -v podman >/dev/null || skip "podman is not installed"
  # podman for this machine (no default rlimits, no systemd), as the
  # benchmarks set it up, with a store of the test's own
  tmp=$TEST_TMP
  . "$TESTS_DIR/../bench/common.sh"
  bench_podman_conf
  # (podman's vfs driver: it works wherever the test runs, CI's overlay
  # lane included, where podman's overlay cannot)
  P=(podman --runtime "$DXC_BIN_DIR/devoxx-runtime" --root "$TEST_TMP/podman"
     --runroot "$TEST_TMP/podman-run" --storage-driver vfs)
  "${P[@]}" import --change 'CMD ["sh"]' "$(busybox_tar)" localhost/bb >/dev/null
}

teardown() {
  if [ -n "${P:-}" ]; then
    "${P[@]}" rm -af -t 0 >/dev/null 2>&1 || true
    "${P[@]}" system reset -f >/dev/null 2>&1 || true
  fi
  common_teardown
}

@test "podman run: the program's output and its exit code" {
  run "${P[@]}" run --rm --network none localhost/bb sh -c 'echo hello; cat /proc/1/cmdline | tr "\0" " "'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hello ]
  [ "${lines[1]}" = "sh -c echo hello; cat /proc/1/cmdline | tr \"\\0\" \" \" " ]
  run "${P[@]}" run --rm --network none localhost/bb sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run "${P[@]}" run --rm --network none --memory 32m localhost/bb cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max
  echo "$output"
  [[ "$output" == *33554432* ]]
}

@test "podman run -d, ps, exec, pause, unpause, logs, stop, rm: a container that outlives the command" {
  id=$("${P[@]}" run -d --network none localhost/bb sh -c 'echo started; exec sleep 60')
  run "${P[@]}" ps --format '{{.ID}} {{.Status}}'
  echo "$output"
  [[ "$output" == "${id:0:12} Up"* ]]
  # exec: in the running container, its code back
  run "${P[@]}" exec "$id" sh -c 'echo in-exec; cat /proc/1/comm'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = in-exec ]
  [ "${lines[1]}" = sleep ]
  run "${P[@]}" exec "$id" sh -c 'exit 5'
  [ "$status" -eq 5 ]
  # pause and unpause (the runtime's freezer), logs (conmon's)
  run "${P[@]}" pause "$id"
  echo "pause: $output"
  [ "$status" -eq 0 ]
  run "${P[@]}" inspect --format '{{.State.Status}}' "$id"
  echo "inspect: $output"
  [ "$output" = paused ]
  run "${P[@]}" unpause "$id"
  [ "$status" -eq 0 ]
  run "${P[@]}" ps --format '{{.Status}}'
  [[ "$output" == Up* ]]
  run "${P[@]}" logs "$id"
  [ "$output" = started ]
  run "${P[@]}" stop -t 0 "$id"
  [ "$status" -eq 0 ]
  run "${P[@]}" ps -a --format '{{.ID}} {{.Status}}'
  echo "$output"
  [[ "$output" == "${id:0:12} Exited (137)"* ]]
  run "${P[@]}" rm "$id"
  [ "$status" -eq 0 ]
  run "${P[@]}" ps -aq
  [ -z "$output" ]
}

@test "podman run -t: the terminal through --console-socket, as with runc" {
  prog='tty; [ -t 0 ] && [ -t 1 ] && echo both-ttys; echo done'
  run "${P[@]}" run --rm -t --network none localhost/bb sh -c "$prog"
  echo "$output"
  [ "$status" -eq 0 ]
  ours=$output
  [[ "$ours" == *"/dev/pts/0"* ]]
  [[ "$ours" == *both-ttys* ]]
  local R=(podman --runtime runc --root "$TEST_TMP/podman" --runroot "$TEST_TMP/podman-run" --storage-driver vfs)
  run "${R[@]}" run --rm -t --network none localhost/bb sh -c "$prog"
  [ "$status" -eq 0 ]
  [ "$output" = "$ours" ]
}
