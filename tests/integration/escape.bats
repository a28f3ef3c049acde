#!/usr/bin/env bats
# The escape suite: attacks from inside containers and through crafted
# images and bundles, each one a class that runc, crun or Docker closed after
# a public CVE. Every test asserts from the host that nothing was read,
# written, signalled or mounted outside the container. The attacks run
# against copies of the binaries where a success would damage them.
#
# ESCAPE_ENGINE / ESCAPE_RUNTIME: binaries to attack (default: the ones
# under test), so the same file shows an older build failing.

load helpers
load registry
bats_require_minimum_version 1.5.0

setup_file() {
  cc -static -O1 -o "$BATS_FILE_TMPDIR/attack" "$BATS_TEST_DIRNAME/probes/attack.c"
  cc -Os -static -nostdlib -fno-stack-protector -fno-builtin -fno-pie -no-pie \
    -I "$REPO_DIR/src" -o "$BATS_FILE_TMPDIR/evil-ld" "$BATS_TEST_DIRNAME/probes/evil-ld.c"
}

setup() {
  common_setup
  ATTACK=$BATS_FILE_TMPDIR/attack
  ENGINE=${ESCAPE_ENGINE:-$ENGINE}
  RUNTIME=${ESCAPE_RUNTIME:-$RUNTIME}
  dxc run --rm busybox true 2>/dev/null
  echo "host-secret-$$" > "$TEST_TMP/secret"
}

teardown() {
  common_teardown
}

# import_image NAME DIR: an image from busybox plus the files of DIR.
import_image() {
  local root=$TEST_TMP/img-$1
  mkdir -p "$root"
  tar -C "$root" -xf "$(busybox_tar)"
  cp -a "$2/." "$root/"
  dxc import "$root" "$1" >/dev/null
}

@test "CVE-2024-21626: a leaked fd as the working directory does not reach the host" {
  # The engine holds cgroup directories and store files open while it sets
  # up the container: none may be reachable as /proc/self/fd/N.
  for n in $(seq 3 20); do
    run dxc run --rm -w "/proc/self/fd/$n" busybox \
      sh -c "cat ../../../../../../../../$TEST_TMP/secret; echo > ../../../../../../../../$TEST_TMP/written-$n"
    [[ "$output" != *"host-secret"* ]]
    [ "$status" -ne 0 ]
    [ ! -e "$TEST_TMP/written-$n" ]
  done
}

@test "CVE-2024-21626: through the image's WorkingDir, with no flag" {
  local L=$TEST_TMP/layout n
  make_oci_image "$L" v1
  # Which fds the engine holds depends on the path it took: try a range.
  for n in $(seq 3 16); do
    umoci config --image "$L:v1" --tag "wd$n" --config.workingdir "/proc/self/fd/$n"
    skopeo copy -q "oci:$L:wd$n" "oci-archive:$TEST_TMP/wd.tar:localhost/wd:$n"
    dxc load -i "$TEST_TMP/wd.tar" >/dev/null
    rm "$TEST_TMP/wd.tar"
    run dxc run --rm "localhost/wd:$n" sh -c "cat ../../../../../../../../$TEST_TMP/secret"
    echo "fd $n: $output"
    [[ "$output" != *"host-secret"* ]]
    [ "$status" -eq 125 ]
  done
  [ -z "$(ls -A "$ROOT/containers")" ]
}

@test "CVE-2024-21626: through devoxx-runtime's process.cwd" {
  make_bundle "$TEST_TMP/b"
  for n in 3 4 5 6 7 8; do
    jq --arg cwd "/proc/self/fd/$n" '.process.cwd = $cwd | .process.terminal = false' \
      "$TEST_TMP/b/config.json" > "$TEST_TMP/b/c" && mv "$TEST_TMP/b/c" "$TEST_TMP/b/config.json"
    set_args "$TEST_TMP/b" sh -c "cat ../../../../../../../../$TEST_TMP/secret"
    run rt run --bundle "$TEST_TMP/b" "cwd$n"
    [[ "$output" != *"host-secret"* ]]
    [ "$status" -ne 0 ]
  done
}

@test "the container's fds: only its stdio, whatever the engine held" {
  run dxc run --rm busybox ls /proc/self/fd
  [ "$status" -eq 0 ]
  # 0 1 2, and the fd ls itself opened to read the directory
  [ "$(echo $output)" = "0 1 2 3" ]
}

@test "keyrings: a container sees none of the caller's session keys and plants none" {
  mkdir -p "$TEST_TMP/k"
  cp "$ATTACK" "$TEST_TMP/k/attack"
  import_image keys "$TEST_TMP/k"
  # Without seccomp (which refuses the key calls anyway): the keyring alone.
  run "$ATTACK" host-session dxckey "$$-key" "$ENGINE" --root "$ROOT" \
    --runroot "$RUNROOT" run --rm --security-opt seccomp=unconfined keys /attack keys-read dxckey
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"no key"* ]]
  run "$ATTACK" host-session dxckey "$$-key" "$ENGINE" --root "$ROOT" \
    --runroot "$RUNROOT" run --rm --security-opt seccomp=unconfined keys /attack keys-plant planted
  echo "$output"
  [[ "$output" == *"plant: added"* ]]
  [[ "$output" != *planted$'\n'* ]] && [ "${lines[-1]}" != planted ]
}

@test "keyrings: devoxx-runtime gives a new session keyring, --no-new-keyring keeps the caller's" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  cp "$ATTACK" "$TEST_TMP/b/rootfs/attack"
  set_args "$TEST_TMP/b" /attack keys-read dxckey
  run "$ATTACK" host-session dxckey "$$-key" "$RUNTIME" --root "$STATE" run --bundle "$TEST_TMP/b" k1
  [[ "$output" == *"no key"* ]]
  run "$ATTACK" host-session dxckey "$$-key" "$RUNTIME" --root "$STATE" run --no-new-keyring --bundle "$TEST_TMP/b" k2
  [[ "$output" == *"key dxckey=$$-key"* ]]
}

# An image whose ELF interpreter is the attack: the runtime binary is
# dynamic, so if the container can exec it through /proc/self/exe, the
# kernel loads the image's /lib64/ld-linux-x86-64.so.2 in a process whose
# /proc/self/exe is the host's binary.
exe_attack_root() {
  local d=$1
  mkdir -p "$d/lib64"
  cp "$BATS_FILE_TMPDIR/evil-ld" "$d/lib64/ld-linux-x86-64.so.2"
  cp "$ATTACK" "$d/attack"
}

# attack_binary BIN CMD...: run CMD (which runs the copy BIN) in the
# background; if the attack holds BIN, kill CMD (as a crash or an OOM kill
# would end it) to free BIN for writing. Then BIN must be unchanged, and the
# attack must never have run.
attack_binary() {
  local bin=$1 before pid; shift
  before=$(sha256sum < "$bin")
  "$@" > "$TEST_TMP/out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    grep -q "ATTACK: holding" "$TEST_TMP/out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if grep -q "ATTACK: holding" "$TEST_TMP/out"; then
    kill -9 "$pid"
    sleep 3
  fi
  wait "$pid" || true
  cat "$TEST_TMP/out"
  ! grep -q "ATTACK" "$TEST_TMP/out"
  [ "$(sha256sum < "$bin")" = "$before" ]
}

@test "CVE-2019-5736: the engine binary cannot be reached and rewritten through /proc/self/exe" {
  local bin=$TEST_TMP/bin/devoxx-container
  mkdir -p "$TEST_TMP/bin" "$TEST_TMP/x"
  cp "$ENGINE" "$bin"
  exe_attack_root "$TEST_TMP/x"
  import_image exe "$TEST_TMP/x"
  attack_binary "$bin" "$bin" --root "$ROOT" --runroot "$RUNROOT" run --rm \
    --security-opt seccomp=unconfined --entrypoint /proc/self/exe exe
}

@test "CVE-2019-5736: the same through devoxx-runtime" {
  local bin=$TEST_TMP/bin/devoxx-runtime
  mkdir -p "$TEST_TMP/bin"
  cp "$RUNTIME" "$bin"
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  exe_attack_root "$TEST_TMP/b/rootfs"
  set_args "$TEST_TMP/b" /proc/self/exe
  attack_binary "$bin" "$bin" --root "$STATE" run --bundle "$TEST_TMP/b" exe
}

@test "/proc/self/exe inside is never the host's binary" {
  run dxc run --rm --entrypoint /proc/self/exe busybox
  [ "$status" -eq 127 ]
  # and the container's own program is what it runs
  run dxc run --rm busybox readlink /proc/self/exe
  [ "$output" = /bin/busybox ]
}

@test "a PID reused after a crash is never signalled: devoxx-runtime kill and state" {
  sleep 300 &
  local stranger=$!
  mkdir -p "$STATE/gone"
  # The record a killed runtime left: its container's PID now belongs to
  # another process (started at another time).
  jq -n --argjson pid "$stranger" '{ociVersion:"1.0.2", id:"gone", status:"running",
    pid:$pid, bundle:"/nowhere", startTime:1}' > "$STATE/gone/state.json"
  run rt kill gone KILL
  [ "$status" -ne 0 ]
  [[ "$output" == *"container not running"* ]]
  run rt state gone
  [ "$(jq -r .status <<<"$output")" = stopped ]
  kill -0 "$stranger"
  kill "$stranger"
}

@test "a PID reused after a crash is never signalled: the engine's ps, inspect and rm -f" {
  dxc run --name victim busybox true
  sleep 300 &
  local stranger=$! rec
  rec=$(ls -d "$ROOT"/containers/*/container.json)
  jq --argjson pid "$stranger" '.State.Status = "running" | .State.Pid = $pid
    | .State.PidStartTime = 1' "$rec" > "$rec.new" && mv "$rec.new" "$rec"
  run dxc ps
  [[ "$output" != *victim* ]]
  run dxc rm -f victim
  [ "$status" -eq 0 ]
  kill -0 "$stranger"
  kill "$stranger"
  [ -z "$(ls -A "$ROOT/containers")" ]
}

@test "CVE-2019-19921: a volume or tmpfs through an image symlink into /proc, /sys or /dev is refused" {
  mkdir -p "$TEST_TMP/s" "$TEST_TMP/vol"
  ln -s /proc/sys "$TEST_TMP/s/psys"
  ln -s /proc "$TEST_TMP/s/pp"
  ln -s /sys/kernel "$TEST_TMP/s/sk"
  ln -s /dev/pts "$TEST_TMP/s/dp"
  import_image links "$TEST_TMP/s"
  for args in "-v $TEST_TMP/vol:/psys" "--tmpfs /psys" "-v $TEST_TMP/vol:/pp/sys/kernel" \
              "--mount type=tmpfs,dst=/sk" "-v namedvol:/psys" "-v $TEST_TMP/vol:/dp"; do
    # shellcheck disable=SC2086
    run dxc run --rm $args links true
    echo "$args -> $status $output"
    [ "$status" -eq 125 ]
    [[ "$output" == *"through a symlink"* ]]
  done
  [ -z "$(ls -A "$ROOT/containers")" ]
  # named directly, the same targets keep their own checks; elsewhere fine
  run dxc run --rm -v "$TEST_TMP/vol:/data" links true
  [ "$status" -eq 0 ]
}

@test "CVE-2019-19921: devoxx-runtime refuses a bind over /proc, named or through a symlink" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  mkdir -p "$TEST_TMP/vol"
  ln -s /proc/sys "$TEST_TMP/b/rootfs/psys"
  jq --arg src "$TEST_TMP/vol" '.mounts += [{destination:"/psys", type:"bind", source:$src, options:["rbind"]}]' \
    "$TEST_TMP/b/config.json" > "$TEST_TMP/b/c" && mv "$TEST_TMP/b/c" "$TEST_TMP/b/config.json"
  run rt run --bundle "$TEST_TMP/b" p1
  [ "$status" -ne 0 ]
  [[ "$output" == *"through a symlink"* ]]
  make_bundle "$TEST_TMP/c" '.process.terminal = false'
  echo fake > "$TEST_TMP/file"
  jq --arg src "$TEST_TMP/file" '.mounts += [{destination:"/proc/sysrq-trigger", type:"bind", source:$src, options:["rbind"]}]' \
    "$TEST_TMP/c/config.json" > "$TEST_TMP/c/c" && mv "$TEST_TMP/c/c" "$TEST_TMP/c/config.json"
  run rt run --bundle "$TEST_TMP/c" p2
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"only procfs"* ]]
}

@test "a sysctl key longer than any path is refused, not overflowed" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  local key
  key="net.$(printf 'a%.0s' $(seq 600))"
  jq --arg k "$key" '.linux.sysctl = {($k): "1"}' "$TEST_TMP/b/config.json" > "$TEST_TMP/b/c"
  mv "$TEST_TMP/b/c" "$TEST_TMP/b/config.json"
  run rt run --bundle "$TEST_TMP/b" s1
  [ "$status" -ne 0 ]
  [[ "$output" == *"longer than"* ]]
}

@test "masked paths are bound from the real null device only (CVE-2025-31133)" {
  # /dev bound from a directory where "null" is a regular file: the masks
  # would bind it, writable, over /proc/sysrq-trigger and the others.
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  mkdir -p "$TEST_TMP/fakedev"
  echo not-null > "$TEST_TMP/fakedev/null"
  jq --arg src "$TEST_TMP/fakedev" '.mounts = [.mounts[] | select(.destination != "/dev" and (.destination | startswith("/dev/") | not))]
     + [{destination:"/dev", type:"bind", source:$src, options:["rbind"]}]' \
    "$TEST_TMP/b/config.json" > "$TEST_TMP/b/c" && mv "$TEST_TMP/b/c" "$TEST_TMP/b/config.json"
  run rt run --bundle "$TEST_TMP/b" m1
  [ "$status" -ne 0 ]
  [[ "$output" == *"not the null device"* ]]
}

@test "an existing file where a device node is asked for is refused, whatever its type" {
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  echo regular > "$TEST_TMP/b/rootfs/mydev"
  jq '.linux.devices = [{path:"/mydev", type:"c", major:1, minor:5, fileMode:438}]' \
    "$TEST_TMP/b/config.json" > "$TEST_TMP/b/c" && mv "$TEST_TMP/b/c" "$TEST_TMP/b/config.json"
  run rt run --bundle "$TEST_TMP/b" d1
  [ "$status" -ne 0 ]
  [[ "$output" == *"another file there"* ]]
  [ "$(cat "$TEST_TMP/b/rootfs/mydev")" = regular ]
}

# docker_save_archive DIR CONFIG LAYER: a docker-save archive whose
# manifest.json names CONFIG and LAYER (paths inside the archive); what
# they are is up to the test.
docker_save_archive() {
  local d=$1
  jq -n --arg c "$2" --arg l "$3" '[{Config:$c, RepoTags:["localhost/evil:1"], Layers:[$l]}]' > "$d/manifest.json"
  tar -C "$d" -cf "$TEST_TMP/evil.tar" .
}

load_leaves_nothing() {
  [ -z "$(ls -A "$ROOT/tmp" 2>/dev/null | grep -v '\.lock$')" ]
  run dxc images
  [[ "$output" != *evil* ]]
}

@test "load: a config or layer that is a symlink in the archive is refused, never followed" {
  local d=$TEST_TMP/arc
  mkdir -p "$d"
  tar -C "$d" -cf "$d/layer.tar" -T /dev/null
  echo '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > "$d/real.json"
  # the config: a symlink to a host file
  ln -s "$TEST_TMP/secret" "$d/config.json"
  docker_save_archive "$d" config.json layer.tar
  run dxc load -i "$TEST_TMP/evil.tar"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ "$output" == *"config.json: a symlink"* ]]
  load_leaves_nothing
  # a layer: a symlink to /dev/zero (load would read for ever)
  rm "$d/config.json"
  ln -s /dev/zero "$d/zero.tar"
  docker_save_archive "$d" real.json zero.tar
  run timeout 20 "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" load -i "$TEST_TMP/evil.tar"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ "$output" == *"zero.tar: a symlink"* ]]
  load_leaves_nothing
  # paths that leave the archive
  for p in ../../../../../../etc/passwd /etc/passwd "sub/../../x"; do
    docker_save_archive "$d" "$p" layer.tar
    run dxc load -i "$TEST_TMP/evil.tar"
    [ "$status" -eq 125 ]
    [[ "$output" == *"leaves the archive"* || "$output" == *"No such file"* ]]
    load_leaves_nothing
  done
}

@test "load: an OCI index whose digests are empty or malformed is refused" {
  local d=$TEST_TMP/oci
  for bad in '""' '"sha256:"' '"sha256:../../x"' '42' 'null'; do
    rm -rf "$d"; mkdir -p "$d/blobs/sha256"
    echo '{"imageLayoutVersion":"1.0.0"}' > "$d/oci-layout"
    jq -n --argjson dg "$bad" '{schemaVersion:2, manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json", digest:$dg, size:1}]}' > "$d/index.json"
    tar -C "$d" -cf "$TEST_TMP/evil.tar" .
    run dxc load -i "$TEST_TMP/evil.tar"
    echo "$bad -> $output"
    [ "$status" -eq 125 ]
    [ "${#lines[@]}" -eq 1 ]
    load_leaves_nothing
  done
  # a valid manifest whose config digest is empty
  rm -rf "$d"; mkdir -p "$d/blobs/sha256"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$d/oci-layout"
  echo '{"schemaVersion":2,"config":{"digest":"","size":2},"layers":[]}' > "$d/m.json"
  local md
  md=$(sha256sum < "$d/m.json" | cut -d' ' -f1)
  mv "$d/m.json" "$d/blobs/sha256/$md"
  jq -n --arg dg "sha256:$md" '{schemaVersion:2, manifests:[{digest:$dg, size:1}]}' > "$d/index.json"
  tar -C "$d" -cf "$TEST_TMP/evil.tar" .
  run dxc load -i "$TEST_TMP/evil.tar"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid config or layer digest"* ]]
}

@test "seccomp by default: the calls Docker's profile refuses fail inside, unconfined lifts it" {
  mkdir -p "$TEST_TMP/p"
  cp "$ATTACK" "$TEST_TMP/p/attack"
  import_image probe "$TEST_TMP/p"
  run dxc run --rm probe /attack syscalls
  echo "$output"
  [ "$status" -eq 0 ]
  for c in keyctl add_key unshare-user userfaultfd perf_event_open personality io_uring_setup; do
    grep -qx "$c Operation not permitted" <<<"$output"
  done
  grep -qx "getpid ok" <<<"$output"
  run dxc run --rm probe grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	2" ]
  run dxc run --rm --security-opt seccomp=unconfined probe /attack syscalls
  grep -qx "keyctl ok" <<<"$output"
  run dxc run --rm --security-opt seccomp=unconfined probe grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	0" ]
}

@test "seccomp: the engine's cached filter is the profile's, in config.json and in force; a damaged cache is rebuilt" {
  mkdir -p "$TEST_TMP/p"
  cp "$ATTACK" "$TEST_TMP/p/attack"
  import_image probe "$TEST_TMP/p"
  dxc run --name cold probe true
  dxc run --name warm probe true
  # config.json holds linux.seccomp as the profile translates (cold) and as
  # the cache gives it back (warm): the same JSON, not a placeholder
  cold=$(jq -S .linux.seccomp "$ROOT"/containers/"$(dxc inspect cold | jq -r '.[0].Id')"/config.json)
  warm=$(jq -S .linux.seccomp "$ROOT"/containers/"$(dxc inspect warm | jq -r '.[0].Id')"/config.json)
  [ "$cold" = "$warm" ]
  jq -e '.syscalls | length > 5' <<<"$warm"
  jq -e '[.syscalls[].names[]] | index("read") and (index("keyctl") | not)' <<<"$warm"
  # damaged entries: truncated, then overwritten with zeros
  for damage in 'truncate -s 64' 'dd if=/dev/zero bs=1 count=4096 conv=notrunc status=none of='; do
    for f in "$RUNROOT"/seccomp/*.bpf; do
      if [[ "$damage" == dd* ]]; then $damage"$f"; else $damage "$f"; fi
    done
    run dxc run --rm probe /attack syscalls
    echo "$output"
    grep -qx "keyctl Operation not permitted" <<<"$output"
    grep -qx "getpid ok" <<<"$output"
  done
}

@test "keyrings: host root's user keyring (@u, shared by uid 0) is out of reach" {
  mkdir -p "$TEST_TMP/p"
  cp "$ATTACK" "$TEST_TMP/p/attack"
  import_image probe "$TEST_TMP/p"
  local name=dxc-test-$$
  "$ATTACK" host-add-user-key "$name" "user-secret-$$" >/dev/null
  run dxc run --rm probe /attack keys-user "$name"
  echo "default: $output"
  [[ "$output" != *"user-secret"* ]]
  # the session keyring alone (keys of @u are reached through the
  # caller's session, which links it)
  run dxc run --rm --security-opt seccomp=unconfined probe /attack keys-user "$name"
  echo "unconfined: $output"
  [[ "$output" != *"user-secret"* ]]
  # the control: the caller's keyring kept, no filter, the probe reads it
  make_bundle "$TEST_TMP/b" '.process.terminal = false'
  cp "$ATTACK" "$TEST_TMP/b/rootfs/attack"
  set_args "$TEST_TMP/b" /attack keys-user "$name"
  run rt run --no-new-keyring --bundle "$TEST_TMP/b" kk
  echo "control: $output"
  "$ATTACK" host-invalidate-user-key "$name"
  [[ "$output" == *"user-secret-$$"* ]]
}

@test "seccomp: capabilities open what the profile ties to them (--cap-add SYS_ADMIN allows unshare)" {
  mkdir -p "$TEST_TMP/p"
  cp "$ATTACK" "$TEST_TMP/p/attack"
  import_image probe "$TEST_TMP/p"
  run dxc run --rm --cap-add SYS_ADMIN probe /attack syscalls
  grep -qx "unshare-user ok" <<<"$output"
  run dxc run --rm --cap-drop ALL --cap-add chown probe grep CapBnd /proc/self/status
  [ "$output" = "CapBnd:	0000000000000001" ]
  run dxc run --rm --security-opt no-new-privileges probe grep NoNewPrivs /proc/self/status
  [ "$output" = "NoNewPrivs:	1" ]
}

@test "seccomp: a profile file of Docker's format, and bad security options" {
  jq -n '{defaultAction:"SCMP_ACT_ALLOW", syscalls:[{names:["mkdir","mkdirat"], action:"SCMP_ACT_ERRNO", errnoRet:13}]}' > "$TEST_TMP/p.json"
  run dxc run --rm --security-opt "seccomp=$TEST_TMP/p.json" busybox mkdir /x
  [ "$status" -eq 1 ]
  [[ "$output" == *"Permission denied"* ]]
  bad_runs true <<EOF2
--security-opt seccomp=$TEST_TMP/missing.json|no such file
--security-opt apparmor=x|supported are seccomp
--security-opt no-new-privileges=maybe|true or false
--cap-add NOT_A_CAP|unknown capability
--cap-drop bogus|unknown capability
EOF2
  echo '{"defaultAction":"SCMP_ACT_NOPE"}' > "$TEST_TMP/bad.json"
  run dxc run --rm --security-opt "seccomp=$TEST_TMP/bad.json" busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"unknown action SCMP_ACT_NOPE"* ]]
  [ -z "$(ls -A "$ROOT/containers")" ]
}

@test "devoxx-runtime: linux.seccomp as runc runs it (errnoRet, args, kill)" {
  for rtm in "$RUNTIME" runc; do
    rm -rf "$TEST_TMP/b"
    RUNTIME=$rtm make_bundle "$TEST_TMP/b" '.process.terminal = false
      | .linux.seccomp = {defaultAction:"SCMP_ACT_ALLOW", architectures:["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
          syscalls:[{names:["mkdir","mkdirat"], action:"SCMP_ACT_ERRNO", errnoRet:13},
                    {names:["personality"], action:"SCMP_ACT_ERRNO", args:[{index:0, value:8, op:"SCMP_CMP_EQ"}]}]}'
    set_args "$TEST_TMP/b" sh -c 'mkdir /tmp/x; echo mkdir=$?; grep Seccomp: /proc/self/status'
    "$rtm" --root "$STATE-$(basename "$rtm")" run --bundle "$TEST_TMP/b" "sc$$" > "$TEST_TMP/out-$(basename "$rtm")" 2>&1 || true
  done
  cat "$TEST_TMP"/out-*
  # (sorted: the shell's stdout and ls's stderr share the file, and their
  # order is not the runtime's to keep: under runc it was seen both ways)
  diff <(sort "$TEST_TMP/out-$(basename "$RUNTIME")") <(sort "$TEST_TMP/out-runc")
  grep -q "mkdir=1" "$TEST_TMP/out-runc"
  # a bad profile: one line naming the field, before anything is made
  make_bundle "$TEST_TMP/c" '.linux.seccomp = {defaultAction:"SCMP_ACT_ALLOW", syscalls:[{names:["mkdir"], action:"SCMP_ACT_ERRNO", args:[{index:9, value:1, op:"SCMP_CMP_EQ"}]}]}'
  run rt run --bundle "$TEST_TMP/c" bad
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.seccomp.syscalls[0].args[0].index"* ]]
  [ ! -e "$STATE/bad" ]
}

@test "defaults: a pids limit of 2048 (a fork bomb stops), --pids-limit -1 lifts it" {
  run dxc run --rm busybox cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max
  [[ "$output" == *2048* ]]
  run dxc run --rm --pids-limit -1 busybox cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max
  [[ "$output" == *max* ]]
  [[ "$output" != *2048* ]]
}

@test "--device HOST:CTR:r is readable and not writable; --device-cgroup-rule adds access" {
  # (not /dev/zero: every container may use it anyway)
  [ -b /dev/loop0 ] || skip "no /dev/loop0 here"
  run dxc run --rm --device /dev/loop0:/dev/myloop:r busybox \
    sh -c 'head -c 1 /dev/myloop >/dev/null && echo read-ok; (: > /dev/myloop) || echo write-refused'
  echo "$output"
  [[ "$output" == *read-ok* ]]
  [[ "$output" == *write-refused* ]]
  run dxc run --rm --device /dev/loop0:/dev/myloop busybox sh -c ': > /dev/myloop && echo opened'
  [[ "$output" == *opened* ]]
  # a node made inside is usable only with a rule for it (made in the
  # container's /dev: the root's own file system may be nodev, as a store
  # on podman's overlay is)
  run dxc run --rm busybox sh -c 'mknod /dev/z c 1 5 && head -c 1 /dev/z >/dev/null && echo read'
  echo "$output"
  [[ "$output" == *read* ]]
  run dxc run --rm busybox sh -c 'mknod /dev/l b 7 0 && head -c 1 /dev/l >/dev/null && echo read'
  echo "$output"
  [[ "$output" != *read* ]]
  [[ "$output" == *"Operation not permitted"* ]]
  run dxc run --rm --device-cgroup-rule 'b 7:* r' busybox sh -c 'mknod /dev/l b 7 0 && head -c 1 /dev/l >/dev/null && echo read'
  echo "$output"
  [[ "$output" == *read* ]]
  bad_runs true <<'EOF2'
--device relative|must be absolute
--device /dev/zero:/x:rwz|permissions are r, w and m
--device /nonexistent|error gathering device information
--device /etc/passwd|not a device node
--device-cgroup-rule z|TYPE MAJOR:MINOR ACCESS
EOF2
}

@test "--privileged: every capability held, the host's devices, no filter, no masks, /sys writable" {
  local host_bnd
  host_bnd=$(grep CapBnd /proc/self/status)
  run dxc run --rm --privileged busybox sh -c 'grep -E "CapBnd|Seccomp:" /proc/self/status;
    grep -c " /proc/keys " /proc/self/mountinfo; grep " /sys " /proc/self/mountinfo;
    ls /dev/loop-control'
  echo "$output"
  [[ "$output" == *"$host_bnd"* ]]
  [[ "$output" == *"Seccomp:	0"* ]]
  [[ "${lines[2]}" == 0 ]]
  [[ "$output" == *" /sys rw,"* ]]
  [[ "$output" == *"/dev/loop-control"* ]]
  # and without it: masked, read-only, filtered
  run dxc run --rm busybox sh -c 'grep -c " /proc/keys " /proc/self/mountinfo; grep " /sys " /proc/self/mountinfo'
  [[ "${lines[0]}" != 0 ]]
  [[ "$output" == *" /sys ro,"* ]]
}

@test "seccomp agent: SCMP_ACT_NOTIFY sends the listener fd and the state to listenerPath, as runc does" {
  cc -static -O1 -o "$TEST_TMP/agent" "$BATS_TEST_DIRNAME/probes/seccomp-agent.c"
  for rtm in "$RUNTIME" runc; do
    local name sock=$TEST_TMP/agent.sock
    name=$(basename "$rtm")
    rm -rf "$TEST_TMP/b" "$sock"
    "$TEST_TMP/agent" "$sock" "$TEST_TMP/procstate-$name" 2> "$TEST_TMP/agent-$name" &
    local agent=$!
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    RUNTIME=$rtm make_bundle "$TEST_TMP/b" '.process.terminal = false | .annotations = {"k": "v"}
      | .linux.seccomp = {defaultAction:"SCMP_ACT_ALLOW", listenerPath:"'"$sock"'", listenerMetadata:"meta",
          syscalls:[{names:["mkdir","mkdirat"], action:"SCMP_ACT_NOTIFY"}]}'
    set_args "$TEST_TMP/b" sh -c 'mkdir /tmp/x; echo rc=$?; ls -d /tmp/x'
    "$rtm" --root "$STATE-$name" run --bundle "$TEST_TMP/b" "agent$$" > "$TEST_TMP/out-$name" 2>&1 || true
    wait "$agent" || echo "agent of $name failed: $?" >> "$TEST_TMP/agent-$name"
  done
  cat "$TEST_TMP"/out-* "$TEST_TMP"/procstate-* "$TEST_TMP"/agent-*
  # (sorted: the shell's stdout and ls's stderr share the file, and their
  # order is not the runtime's to keep: under runc it was seen both ways)
  diff <(sort "$TEST_TMP/out-$(basename "$RUNTIME")") <(sort "$TEST_TMP/out-runc")
  grep -q "Read-only file system" "$TEST_TMP/out-runc"
  local st=$TEST_TMP/procstate-$(basename "$RUNTIME")
  [ "$(jq -c .fds "$st")" = '["seccompFd"]' ]
  [ "$(jq -r .metadata "$st")" = meta ]
  [ "$(jq -r .state.status "$st")" = creating ]
  [ "$(jq -r .state.id "$st")" = "agent$$" ]
  [ "$(jq -r .state.annotations.k "$st")" = v ]
  [ "$(jq -r .pid "$st")" -gt 0 ]
  grep -q "answered 1" "$TEST_TMP/agent-$(basename "$RUNTIME")"
  # no agent listening: one clear error, nothing left
  rm -f "$sock"
  run rt run --bundle "$TEST_TMP/b" noagent
  [ "$status" -ne 0 ]
  [[ "$output" == *"seccomp agent: connect to $sock"* ]]
  [ ! -e "$STATE/noagent" ]
}
