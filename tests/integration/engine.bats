#!/usr/bin/env bats
# The engine (devoxx-container): images, run, the Docker-style options, and
# bad input that must leave nothing behind.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  # The demo image, imported once up front so that its one-time notice
  # does not land in the tests' output (the first test checks it).
  case "$BATS_TEST_DESCRIPTION" in
    *"embedded demo image"*) ;;
    *) dxc run --rm busybox true 2>/dev/null ;;
  esac
}

teardown() {
  common_teardown
}

# Nothing of any container is left: records, names, live state, mounts.
assert_no_container_left() {
  [ -z "$(ls -A "$ROOT/containers" 2>/dev/null)" ]
  [ -z "$(ls -A "$ROOT/names" 2>/dev/null)" ]
  # (the compiled seccomp filters are a cache, kept until reboot)
  [ -z "$(ls -A "$RUNROOT" 2>/dev/null | grep -vx seccomp)" ]
  [ -z "$(host_mounts_under_tmp)" ]
}

@test "run --rm from the embedded demo image leaves nothing behind" {
  run dxc run --rm busybox echo hello
  [ "$status" -eq 0 ]
  [[ "$output" == *"embedded demo image"* ]]
  [ "${lines[-1]}" = hello ]
  assert_no_container_left
  run dxc images
  [[ "$output" == *busybox*latest* ]]
}

@test "the container is PID 1, has its short ID as hostname, Docker's caps" {
  run dxc run --rm busybox sh -c 'echo $$; hostname; echo $HOSTNAME; grep CapEff /proc/self/status; ps -o pid=,comm='
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [[ "${lines[1]}" =~ ^[0-9a-f]{12}$ ]]
  [ "${lines[2]}" = "${lines[1]}" ]
  [[ "${lines[3]}" == *00000000a80425fb ]]
  # sh execs its last command: ps, PID 1, sees only itself
  [ "${#lines[@]}" -eq 5 ]
  [[ "${lines[4]}" =~ ^\ *1\ ps$ ]]
}

@test "import a tar and a directory; images lists them; run uses them" {
  tar=$(busybox_tar)
  run dxc import "$tar" mytar:1.0
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  mkdir -p "$TEST_TMP/dir"
  tar -C "$TEST_TMP/dir" -xf "$tar"
  echo from-dir > "$TEST_TMP/dir/etc/origin"
  ln "$TEST_TMP/dir/etc/origin" "$TEST_TMP/dir/etc/origin-link"
  run dxc import "$TEST_TMP/dir" localhost/mydir
  [ "$status" -eq 0 ]
  run dxc images
  [[ "$output" == *"mytar "*"1.0"* ]]
  [[ "$output" == *"localhost/mydir "*"latest"* ]]
  run dxc run --rm localhost/mydir sh -c 'cat /etc/origin; stat -c %h /etc/origin'
  [ "${lines[0]}" = from-dir ]
  [ "${lines[1]}" = 2 ]
  # an imported image has no Cmd: a command must be given
  run dxc run --rm mytar:1.0
  [ "$status" -eq 125 ]
  [[ "$output" == *"no command specified"* ]]
}

@test "the image is never modified; each container has its own root" {
  dxc run --name first busybox sh -c 'echo data > /newfile; rm /bin/ls'
  run dxc run --rm busybox sh -c 'ls /newfile 2>&1; test -e /bin/ls && echo ls-here'
  [[ "$output" == *"No such file"* ]]
  [[ "$output" == *ls-here* ]]
  ! grep -rl data "$ROOT/layers"/*/newfile 2>/dev/null
  [ -e "$(ls -d "$ROOT"/layers/*)/bin/ls" ]
  # the first container's changes stay in its own upper directory (or
  # its own copy)
  id=$(jq -r .Id "$ROOT"/containers/*/container.json)
  if [ "$(store_driver)" = overlay ]; then
    [ "$(cat "$ROOT/containers/$id/upper/newfile")" = data ]
  else
    [ "$(cat "$ROOT/containers/$id/rootfs/newfile")" = data ]
  fi
}

@test "ps -a shows an exited container; rm removes it and its name" {
  run dxc run --name keeper busybox sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run dxc ps -a
  [[ "$output" == *"Exited (3)"*keeper* ]]
  run dxc ps
  [[ "$output" != *keeper* ]]
  run dxc rm keeper
  [ "$status" -eq 0 ]
  assert_no_container_left
}

@test "a name in use is refused, exit 125, and nothing is created" {
  dxc run --name taken busybox true
  before=$(ls "$ROOT/containers" | wc -l)
  run dxc run --name taken busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *'The container name "/taken" is already in use'* ]]
  [ "${#lines[@]}" -eq 1 ]
  [ "$(ls "$ROOT/containers" | wc -l)" -eq "$before" ]
  run dxc run --name 'bad name!' busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"Invalid container name"* ]]
}

@test "bad input: unknown image, unknown flag, long hostname, relative -w" {
  run dxc run --rm --pull never no-such-image true
  [ "$status" -eq 125 ]
  [[ "$output" == *"Unable to find image 'no-such-image' locally"* ]]
  [ "${#lines[@]}" -eq 1 ]
  # by default the image is pulled: Docker's notice, then the pull's error
  # (docker.io does not resolve on this machine)
  run dxc run --rm no-such-image true
  [ "$status" -eq 125 ]
  [ "${lines[0]}" = "Unable to find image 'no-such-image' locally" ]
  [[ "${lines[1]}" == *"pull no-such-image"* ]]
  [ "${#lines[@]}" -eq 2 ]
  run dxc run --rm --pull sometimes busybox true
  [ "$status" -eq 125 ]
  run dxc run --rm --bogus busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"unknown flag: --bogus"* ]]
  [ "${#lines[@]}" -eq 1 ]
  run dxc run --rm --hostname x234567890123456789012345678901234567890123456789012345678901234567890 busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *hostname* ]]
  run dxc run --rm -w relative busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"absolute path"* ]]
  run dxc run --rm 'UPPER/case' true
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid reference format"* ]]
  run dxc frobnicate
  [ "$status" -eq 125 ]
  assert_no_container_left
}

@test "bad input: command not found 127, not executable 126, nothing left" {
  run -127 dxc run busybox no-such-command
  [[ "$output" == *'exec: "no-such-command": executable file not found in $PATH'* ]]
  [ "${#lines[@]}" -eq 1 ]
  run -126 dxc run busybox /etc/passwd
  [ "${#lines[@]}" -eq 1 ]
  assert_no_container_left
}

@test "bad input: not root is told to use sudo" {
  run setpriv --reuid 65534 --regid 65534 --clear-groups "$ENGINE_BIN" --root "$ROOT" --runroot "$RUNROOT" run --rm busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"run with sudo"* ]]
  [ "${#lines[@]}" -eq 1 ]
}

@test "exit codes: the program's, and 128+N when killed by signal N" {
  run dxc run --rm busybox sh -c 'exit 7'
  [ "$status" -eq 7 ]
  "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" run --rm --name victim busybox sleep 100 &
  pid=$!
  for _ in $(seq 100); do
    cpid=$(jq -r '.State.Pid // 0' "$ROOT"/containers/*/container.json 2>/dev/null || echo 0)
    [ "${cpid:-0}" -gt 0 ] && break
    sleep 0.1
  done
  [ "$cpid" -gt 0 ]
  kill -KILL "$cpid"
  wait_status $pid
  [ "$WAIT_STATUS" -eq 137 ]
  assert_no_container_left
}

@test "stdin: piped with -i, /dev/null without" {
  run sh -c "echo piped | $ENGINE --root $ROOT --runroot $RUNROOT run --rm -i busybox cat"
  [ "$output" = piped ]
  run sh -c "echo piped | $ENGINE --root $ROOT --runroot $RUNROOT run --rm busybox cat"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "-t gives a terminal; -it proxies the caller's terminal and restores it" {
  run dxc run --rm -t busybox sh -c 'test -t 0 && test -t 1 && tty && echo $TERM'
  [ "$status" -eq 0 ]
  [[ "$output" == */dev/pts/0* ]]
  [[ "$output" == *xterm* ]]
  # A real terminal on our side (script), 40 rows x 100 columns: the
  # container sees the same size from its first instruction, then the new
  # size after a resize (SIGWINCH), and our terminal is sane afterwards.
  cat > "$TEST_TMP/tty.sh" <<EOF
stty rows 40 cols 100
(sleep 0.5; stty rows 50 cols 120 < /dev/tty) &
$ENGINE --root $ROOT --runroot $RUNROOT run --rm -it busybox sh -c 'stty size; sleep 3; stty size'
stty -a | grep -o -- '-\?icanon' | head -1
EOF
  # script writes a NUL to its child on end of input; the container's tty
  # echoes it as "^@": drop both forms.
  script -qec "sh $TEST_TMP/tty.sh" /dev/null < /dev/null | tr -d '\r\000' | sed 's/\^@//g' > "$TEST_TMP/tty.out"
  run cat "$TEST_TMP/tty.out"
  [ "${lines[0]}" = "40 100" ]
  [ "${lines[1]}" = "50 120" ]
  [ "${lines[2]}" = icanon ]
  run dxc run --rm -it busybox true < /dev/null
  [ "$status" -eq 125 ]
  [[ "$output" == *"not a TTY"* ]]
}

@test "-u, -w, -e, --entrypoint, --hostname" {
  run dxc run --rm -u nobody busybox sh -c 'id -u; id -g; echo $HOME; grep CapEff /proc/self/status'
  [ "${lines[0]}" = 65534 ]
  [ "${lines[1]}" = 65534 ]
  [ "${lines[2]}" = /home ]
  [[ "${lines[3]}" == *0000000000000000 ]]
  run dxc run --rm -u 1234:4321 busybox id
  [ "$output" = "uid=1234 gid=4321 groups=4321" ] || [ "$output" = "uid=1234 gid=4321" ]
  run dxc run --rm -u nosuchuser busybox id
  [ "$status" -eq 125 ]
  [[ "$output" == *"unable to find user nosuchuser"* ]]
  run dxc run --rm -w /work/dir busybox pwd
  [ "$output" = /work/dir ]
  export FROM_HOST=host-value
  run dxc run --rm -e FOO=bar -e FROM_HOST busybox sh -c 'echo $FOO $FROM_HOST'
  [ "$output" = "bar host-value" ]
  run dxc run --rm --entrypoint echo busybox one two
  [ "$output" = "one two" ]
  run dxc run --rm --hostname myhost busybox hostname
  [ "$output" = myhost ]
}

@test "--no-pivot and --explain" {
  run dxc --explain run --rm --no-pivot busybox sh -c 'cd /..; ls /'
  [ "$status" -eq 0 ]
  [[ "$output" == *"chroot"* ]]
  if [ "$(store_driver)" = overlay ]; then
    [[ "$output" == *'mount("overlay"'* ]]
  else
    [[ "$output" == *"storage driver copy: 1 layer(s) copied into $ROOT/containers/"* ]]
  fi
  [[ "$output" == *"getcwd() before the root switch: $ROOT/containers/"* ]]
  [[ "$output" == *"getcwd() after the root switch: /"* ]]
  [[ "$output" == *etc* ]]
  run dxc run --rm --explain busybox true
  [[ "$output" == *'pivot_root(".", ".")'* ]]
  [[ "$output" == *'capabilities kept:'* ]]
  [[ "$output" == *'execve("/bin/true")'* ]]
  assert_no_container_left
}

@test "the copy storage driver works without overlayfs" {
  run dxc --storage-driver copy run --rm busybox sh -c 'echo x > /f; cat /f; grep " / " /proc/mounts'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = x ]
  [[ "$output" != *"upperdir=$ROOT/containers/"* ]]
  assert_no_container_left
  run dxc --storage-driver nope run --rm busybox true
  [ "$status" -eq 125 ]
}

@test "storage driver: overlay where the store's file system allows it, copy on an overlay, kept with the store" {
  # a store on a tmpfs: overlay, silently
  mkdir -p "$TEST_TMP/t"
  mount -t tmpfs tmpfs "$TEST_TMP/t"
  run "$ENGINE" --root "$TEST_TMP/t/root" --runroot "$RUNROOT" run --rm --network none busybox sh -c 'grep " / " /proc/mounts'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMP/t/root/storage-driver")" = overlay ]
  [[ "$output" == *"overlay / overlay "*"upperdir=$TEST_TMP/t/root/containers/"* ]]
  [[ "$output" != *"storage driver"* ]]
  # a store on an overlay (the engine in a container): copy, said once
  # (the overlay's own upper directory on the tmpfs: one on an overlay is
  # what the kernel refuses)
  mkdir -p "$TEST_TMP/t/o"/{l,u,w} "$TEST_TMP/o/m"
  mount -t overlay overlay -o "lowerdir=$TEST_TMP/t/o/l,upperdir=$TEST_TMP/t/o/u,workdir=$TEST_TMP/t/o/w" "$TEST_TMP/o/m"
  local o=("$ENGINE" --root "$TEST_TMP/o/m/root" --runroot "$RUNROOT")
  run "${o[@]}" run --rm --network none busybox sh -c 'echo ok; grep " / " /proc/mounts'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"storage driver copy for $TEST_TMP/o/m/root: overlayfs refuses an upper directory on overlayfs"* ]]
  [[ "$output" == *ok* ]]
  [[ "$output" != *"upperdir=$TEST_TMP/o/m/root/containers/"* ]]
  [ "$(cat "$TEST_TMP/o/m/root/storage-driver")" = copy ]
  run "${o[@]}" run --rm --network none busybox true
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "${o[@]}" info
  [[ "$output" == *"Storage Driver: copy"* ]]
  [[ "$output" == *"Backing Filesystem: overlayfs"* ]]
  # overlay forced where it cannot work: the cause and the fixes, nothing made
  run "$ENGINE" --root "$TEST_TMP/o/m/new" --runroot "$RUNROOT" --storage-driver overlay run --rm busybox true
  echo "$output"
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"storage driver overlay cannot work for the store $TEST_TMP/o/m/new: overlayfs refuses an upper directory on overlayfs (Invalid argument); put the store on a volume or a tmpfs (--root), or use --storage-driver copy"* ]]
  [ ! -e "$TEST_TMP/o/m/new" ]
  # a copy store is never used as overlay; an overlay store can be copied
  run "${o[@]}" --storage-driver overlay run --rm busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"was made for the copy driver"* ]]
  run "$ENGINE" --root "$TEST_TMP/t/root" --runroot "$RUNROOT" --storage-driver copy run --rm --network none busybox sh -c 'grep " / " /proc/mounts'
  [ "$status" -eq 0 ]
  [[ "$output" != *"upperdir=$TEST_TMP/t/root/containers/"* ]]
  [ "$(cat "$TEST_TMP/t/root/storage-driver")" = overlay ]
}

@test "the copy driver on a file system with reflinks: the container's files share the layer's extents" {
  # an XFS with reflink=1 on a loop device of the test's own
  truncate -s 320M "$TEST_TMP/xfs.img"
  mkfs.xfs -q -m reflink=1 "$TEST_TMP/xfs.img"
  mkdir -p "$TEST_TMP/x"
  mount -o loop "$TEST_TMP/xfs.img" "$TEST_TMP/x"
  local x=("$ENGINE" --root "$TEST_TMP/x/root" --runroot "$RUNROOT")
  "${x[@]}" --storage-driver copy run --name rl --network none busybox true 2>/dev/null
  id=$("${x[@]}" inspect rl | jq -r '.[0].Id')
  f=$TEST_TMP/x/root/containers/$id/rootfs/bin/busybox
  run filefrag -v "$f"
  echo "$output"
  [[ "$output" == *shared* ]]
  # and the content is the layer's
  cmp "$f" "$(ls -d "$TEST_TMP"/x/root/layers/*/bin/busybox | head -1)"
  "${x[@]}" rm rl >/dev/null
  umount "$TEST_TMP/x"
}

@test "rmi refuses an image in use, removes its blobs and layers otherwise" {
  dxc run --name user busybox true
  run dxc rmi busybox
  [ "$status" -ne 0 ]
  [[ "$output" == *"container"*"is using its referenced image"* ]]
  dxc rm user
  run dxc rmi busybox
  [ "$status" -eq 0 ]
  [[ "$output" == *"Untagged: docker.io/library/busybox:latest"* ]]
  [ -z "$(ls -A "$ROOT/blobs/sha256")" ]
  [ -z "$(ls -A "$ROOT/layers")" ]
  run dxc rmi busybox
  [ "$status" -ne 0 ]
  [[ "$output" == *"No such image"* ]]
}

@test "an image ID prefix works wherever a name does" {
  id=$(dxc images -q | head -1)
  run dxc run --rm "$id" echo by-id
  [ "$output" = by-id ]
}

@test "tag, image inspect, image prune" {
  run dxc tag busybox localhost/mine:2
  [ "$status" -eq 0 ]
  run dxc image inspect localhost/mine:2
  [ "$status" -eq 0 ]
  [ "$(jq -r '.[0].RepoTags | sort | join(",")' <<<"$output")" = "busybox:latest,localhost/mine:2" ]
  [ "$(jq -r '.[0].Config.Cmd[0]' <<<"$output")" = sh ]
  [[ "$(jq -r '.[0].Id' <<<"$output")" == sha256:* ]]
  run dxc image inspect no-such-image
  [ "$status" -eq 1 ]
  run dxc tag no-such-image x
  [ "$status" -eq 125 ]
  # prune: nothing unreferenced to remove; prune -a keeps images in use
  dxc run --name user busybox true
  run dxc image prune -a
  [ "$output" = "Deleted Images: 0" ]
  dxc rm user
  run dxc image prune -a
  [ "$output" = "Deleted Images: 2" ]
  [ -z "$(ls -A "$ROOT/layers")" ]
  [ -z "$(ls -A "$ROOT/blobs/sha256")" ]
}

@test "a container started from a background job gets default signal dispositions" {
  # A non-interactive shell starts background jobs with SIGINT and SIGQUIT
  # ignored: the container must not inherit that (it could not trap them).
  run bash -c '"$0" --root "$1" --runroot "$2" run --rm busybox grep -E "SigIgn|SigBlk" /proc/self/status & wait' \
    "$ENGINE" "$ROOT" "$RUNROOT"
  echo "$output"
  [[ "$output" == *"SigIgn:	0000000000000000"* ]]
  [[ "$output" == *"SigBlk:	0000000000000000"* ]]
  run bash -c '"$0" --root "$1" --runroot "$2" run --rm busybox sh -c "trap \"echo trapped\" INT; kill -INT \$\$; echo after" & wait' \
    "$ENGINE" "$ROOT" "$RUNROOT"
  [[ "$output" == *trapped* ]]
}

@test "an engine killed with kill -9: ps, inspect and rm see the truth and clean up" {
  dxc run --name orphan busybox sleep 100 > /dev/null 2>&1 &
  local id st engine cgs
  for _ in $(seq 100); do
    id=$(ls "$RUNROOT" 2>/dev/null | grep -vx seccomp | head -1)
    [ -n "$id" ] && [ "$(jq -r .status "$RUNROOT/$id/state.json" 2>/dev/null)" = running ] && break
    sleep 0.05
  done
  st=$RUNROOT/$id/state.json
  engine=$(jq .runtimePid "$st")
  cgs=$(jq -r '.cgroups[]' "$st")
  [ -n "$cgs" ]
  kill -9 "$engine"
  # the container dies with its engine (the death signal)
  for _ in $(seq 100); do
    pgrep -f "sleep 100" | grep -q . || break
    sleep 0.05
  done
  run dxc ps
  [[ "$output" != *orphan* ]]
  run dxc ps -a
  echo "$output"
  [[ "$output" == *"Exited (255)"*orphan* ]]
  run dxc inspect orphan
  [ "$(jq -r '.[0].State.Status' <<<"$output")" = exited ]
  [ "$(jq -r '.[0].State.Pid' <<<"$output")" = 0 ]
  # what it left is gone already: live state, cgroups
  [ ! -e "$RUNROOT/$id" ]
  for d in $cgs; do [ ! -d "$d" ]; done
  # and plain rm removes it, as any exited container
  run dxc rm orphan
  [ "$status" -eq 0 ]
  assert_no_container_left
}
