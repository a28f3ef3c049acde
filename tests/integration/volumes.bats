#!/usr/bin/env bats
# Volumes and mounts: -v, --mount, --tmpfs, --read-only, named and anonymous
# volumes, copy-up, the volume commands, and mount targets that try to leave
# the container's root. Facts are checked inside with busybox's own tools
# and on the host with ours.

load helpers
load registry
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  dxc run --rm busybox true 2>/dev/null
  HOSTDIR=$TEST_TMP/host
  mkdir -p "$HOSTDIR"
}

teardown() {
  common_teardown
}

# An image with a VOLUME and content at /app, loaded from an OCI archive.
load_volume_image() {
  local L=$TEST_TMP/layout b=$TEST_TMP/vol-bundle
  make_oci_image "$L" v1
  mkdir -p "$b/app" "$b/data"
  echo from-image > "$b/app/seed.txt"
  echo in-volume > "$b/data/seeded"
  add_layer "$L" v1 "$b"
  umoci config --image "$L:v1" --config.volume /data
  skopeo copy -q "oci:$L:v1" "oci-archive:$TEST_TMP/vol.tar:localhost/volimg:v1"
  dxc load -i "$TEST_TMP/vol.tar" >/dev/null
}

@test "bind mount: a file written inside is on the host, with its owner" {
  chmod 777 "$HOSTDIR"
  run dxc run --rm -u 1234:5678 -v "$HOSTDIR:/data" busybox \
    sh -c 'echo hello > /data/f && ls -ln /data/f'
  [ "$status" -eq 0 ]
  [ "$(cat "$HOSTDIR/f")" = hello ]
  [ "$(stat -c %u:%g "$HOSTDIR/f")" = 1234:5678 ]
  # and a host file is seen inside
  echo from-host > "$HOSTDIR/g"
  run dxc run --rm -v "$HOSTDIR:/data" busybox cat /data/g
  [ "$output" = from-host ]
}

@test "-v creates a missing host directory, as Docker does; --mount refuses one" {
  run dxc run --rm -v "$TEST_TMP/new/dir:/data" busybox ls -d /data
  [ "$status" -eq 0 ]
  [ -d "$TEST_TMP/new/dir" ]
  run dxc run --rm --mount "type=bind,source=$TEST_TMP/missing,target=/data" busybox true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"bind source path does not exist: $TEST_TMP/missing"* ]]
  [ ! -e "$TEST_TMP/missing" ]
}

@test ":ro is read-only inside, in a submount too (recursive read-only)" {
  mkdir -p "$HOSTDIR/sub"
  mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
  run dxc run --rm -v "$HOSTDIR:/data:ro" busybox sh -c '
    echo x > /data/top; echo "top $?"
    echo x > /data/sub/inner; echo "sub $?"
    grep " /data/sub " /proc/mounts'
  umount "$HOSTDIR/sub"
  [[ "$output" == *"can't create /data/top: Read-only file system"* ]]
  [[ "$output" == *"can't create /data/sub/inner: Read-only file system"* ]]
  [[ "$output" == *"top 1"* && "$output" == *"sub 1"* ]]
  [[ "$(grep ' /data/sub ' <<<"$output")" == *" ro,"* ]]
  # the same with --mount readonly
  run dxc run --rm --mount "type=bind,src=$HOSTDIR,dst=/data,readonly" busybox \
    sh -c 'touch /data/x'
  [[ "$output" == *"Read-only file system"* ]]
}

@test "a named volume keeps its data across containers and --rm; rm refuses it in use" {
  run dxc run --rm -v keep:/v busybox sh -c 'echo persisted > /v/f'
  [ "$status" -eq 0 ]
  run dxc run --rm -v keep:/elsewhere busybox cat /elsewhere/f
  [ "$output" = persisted ]
  dxc run --name user1 -v keep:/v busybox true
  run dxc volume rm keep
  [ "$status" -eq 1 ]
  [[ "$output" == *"volume is in use"* ]]
  dxc rm user1
  # the data outlived both containers
  [ "$(cat "$ROOT/volumes/keep/_data/f")" = persisted ]
  run dxc volume inspect keep
  [ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$ROOT/volumes/keep/_data" ]
  [ "$(jq -r '.[0].Driver' <<<"$output")" = local ]
  run dxc volume rm keep
  [ "$status" -eq 0 ]
  [ ! -e "$ROOT/volumes/keep" ]
}

@test "copy-up: a new volume over an image directory starts with its content" {
  run dxc run --rm -v etcvol:/etc busybox ls /etc
  [ "$status" -eq 0 ]
  [[ "$output" == *passwd* ]]
  [ -f "$ROOT/volumes/etcvol/_data/passwd" ]
  # the volume's top directory takes the image directory's mode and owner
  [ "$(stat -c %a:%u:%g "$ROOT/volumes/etcvol/_data")" = "$(dxc run --rm busybox stat -c %a:%u:%g /etc)" ]
  # an existing volume is not filled again
  rm "$ROOT/volumes/etcvol/_data/passwd"
  run dxc run --rm -v etcvol:/etc busybox ls /etc
  [[ "$output" != *passwd* ]]
  # nocopy: a new volume stays empty
  run dxc run --rm -v emptyvol:/etc:nocopy busybox ls /etc
  # only the engine's own files mounted there (resolv.conf, hosts, hostname)
  [ "$(echo $output)" = "hostname hosts resolv.conf" ]
  [ -z "$(ls -A "$ROOT/volumes/emptyvol/_data" | grep -v -x -e hostname -e hosts -e resolv.conf)" ]
}

@test "the image's VOLUMEs get anonymous volumes: --rm removes them, rm -v too" {
  load_volume_image
  run dxc run --rm localhost/volimg:v1 cat /data/seeded
  [ "$output" = in-volume ]
  [ -z "$(dxc volume ls -q)" ]
  dxc run --name withvol localhost/volimg:v1 sh -c 'echo more > /data/more'
  vol=$(dxc volume ls -q)
  [ -n "$vol" ]
  [ "$(cat "$ROOT/volumes/$vol/_data/more")" = more ]
  [ "$(jq -r '.[0].Labels | keys[0]' <<<"$(dxc volume inspect "$vol")")" = com.docker.volume.anonymous ]
  dxc rm -v withvol
  [ -z "$(dxc volume ls -q)" ]
  # an explicit mount at the VOLUME's path takes its place
  run dxc run --rm -v named:/data localhost/volimg:v1 cat /data/seeded
  [ "$output" = in-volume ]
  [ "$(dxc volume ls -q)" = named ]
}

@test "--tmpfs and --mount type=tmpfs: a tmpfs of the asked size and mode" {
  run dxc run --rm --tmpfs /scratch:size=2m,mode=1777 busybox sh -c \
    'grep " /scratch " /proc/mounts; stat -c %a /scratch; df -k /scratch | tail -1'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,"*"size=2048k"* ]]
  [ "${lines[1]}" = 1777 ]
  [ "$(awk '{print $2}' <<<"${lines[2]}")" = 2048 ]
  run dxc run --rm --mount type=tmpfs,target=/t,tmpfs-size=1048576,tmpfs-mode=700 \
    busybox sh -c 'grep " /t " /proc/mounts; stat -c %a /t'
  [[ "${lines[0]}" == *"size=1024k"* ]]
  [ "${lines[1]}" = 700 ]
}

@test "--read-only: the root refuses writes, volumes and tmpfs stay writable" {
  run dxc run --rm --read-only -v rw:/v --tmpfs /tmp busybox sh -c '
    touch /newfile; echo "root $?"
    touch /v/ok && echo volume ok
    touch /tmp/ok && echo tmpfs ok'
  [[ "$output" == *"touch: /newfile: Read-only file system"* ]]
  [[ "$output" == *"root 1"* ]]
  [[ "$output" == *"volume ok"* ]]
  [[ "$output" == *"tmpfs ok"* ]]
}

@test "a mount made inside the container is not seen on the host" {
  dxc run --name bg -v "$HOSTDIR:/data" busybox sleep 30 3>&- &
  local bgpid=$! pid="" i
  for i in $(seq 100); do
    pid=$(dxc inspect bg 2>/dev/null | jq -r '.[0].State.Pid // 0')
    [ "${pid:-0}" -gt 0 ] && break
    sleep 0.1
  done
  [ "$pid" -gt 0 ]
  mkdir -p "$HOSTDIR/inner"
  nsenter -t "$pid" -m mount -t tmpfs -o size=1m tmpfs /data/inner
  nsenter -t "$pid" -m sh -c 'echo only-inside > /data/inner/f'
  # the container sees it; the host does not (rprivate)
  [ "$(nsenter -t "$pid" -m cat /data/inner/f)" = only-inside ]
  [ ! -e "$HOSTDIR/inner/f" ]
  ! grep -q " $HOSTDIR/inner " /proc/self/mountinfo
  kill "$pid"
  wait "$bgpid" || true
  dxc rm bg
}

@test "an image's symlink at the mount target (to /etc, to /) never reaches the host" {
  local r=$TEST_TMP/evil-root before after
  mkdir -p "$r"
  tar -C "$r" -xf "$(busybox_tar)"
  ln -s /etc "$r/data"
  ln -s / "$r/slash"
  ln -s ../../../../../../etc "$r/up"
  dxc import "$r" evil >/dev/null
  echo planted > "$HOSTDIR/passwd-like"
  before=$(md5sum /etc/passwd; findmnt -rn -o TARGET | sort | md5sum)
  run dxc run --rm -v "$HOSTDIR:/data" evil cat /etc/passwd-like
  # the mount landed on the container's own /etc
  [ "$status" -eq 0 ]
  [ "$output" = planted ]
  run dxc run --rm -v "$HOSTDIR:/up" evil cat /etc/passwd-like
  [ "$output" = planted ]
  dxc run --rm -v "$HOSTDIR:/slash" evil true 2>/dev/null || true
  after=$(md5sum /etc/passwd; findmnt -rn -o TARGET | sort | md5sum)
  [ "$before" = "$after" ]
  [ ! -e /etc/passwd-like ]
}

@test "volume create, ls, inspect, rm, prune" {
  run dxc volume create v1
  [ "$output" = v1 ]
  run dxc volume create
  anon=$output
  [ ${#anon} -eq 64 ]
  run dxc volume ls
  [[ "$output" == *"local"*"v1"* ]]
  run dxc volume inspect v1 nosuchvol
  [ "$status" -eq 1 ]
  [[ "$output" == *"get nosuchvol: no such volume"* ]]
  run dxc volume rm nosuchvol
  [ "$status" -eq 1 ]
  dxc volume rm -f nosuchvol
  # prune: the unused anonymous volumes; -a every unused one
  dxc run --rm -v /anon-target busybox true
  dxc run --name holds -v /held busybox true
  run dxc volume prune -f
  [ "$status" -eq 0 ]
  [ "$(dxc volume ls -q | wc -l)" -eq 3 ]   # v1, the one created, the held one
  run dxc volume prune -a
  [ "$(dxc volume ls -q | wc -l)" -eq 1 ]   # the held one
  dxc rm -v holds
  [ -z "$(dxc volume ls -q)" ]
}

no_volume_left() {
  [ -z "$(ls -A "$ROOT/volumes" 2>/dev/null)" ]
}

@test "bad mounts: one line, exit 125, nothing created" {
  mknod "$TEST_TMP/devnode" c 1 3
  bad_runs no_volume_left <<EOF
-v relative/dir:/data|invalid volume specification
-v bad@name:/data|includes invalid characters for a local volume name
-v $HOSTDIR:data|mount path must be absolute
-v newvol:/data:rx|invalid mode: rx
-v newvol:/data:rshared|invalid mode: rshared
-v a:b:c:d|invalid volume specification
-v $HOSTDIR:/proc/sys|would hide or change the runtime's own /proc
-v $HOSTDIR:/sys/fs|would hide or change the runtime's own /sys
-v $HOSTDIR:/|destination can't be '/'
-v $HOSTDIR:/data -v newvol:/data|Duplicate mount point: /data
-v $TEST_TMP/devnode:/dev/x|is a device node
--mount type=bind,target=/data|field Source must not be empty
--mount type=bind,src=$HOSTDIR|the target (the path in the container) must not be empty
--mount type=nfs,target=/data|invalid mount type: nfs
--mount type=volume,src=v,target=/data,colour=blue|unexpected key 'colour'
--mount type=tmpfs,src=x,target=/t|field Source must not be specified
--mount type=tmpfs,target=/t,tmpfs-size=huge|invalid tmpfs-size: huge
--mount type=volume,src=bad/name,target=/data|invalid characters
--tmpfs /t:size=1m,colour=blue|unknown option colour=blue
--tmpfs relative|must be absolute
EOF
  [ ! -e "$TEST_TMP/data" ]
}

@test "a run that fails takes back the volumes it made" {
  run dxc run --rm -v madehere:/data busybox no-such-command
  [ "$status" -eq 127 ]
  [ -z "$(dxc volume ls -q)" ]
}

@test "race: 20 containers at once on a fresh volume over /etc all get the image's files" {
  local i
  for i in $(seq 20); do
    dxc run --rm -v racevol:/etc busybox sh -c 'test -f /etc/passwd && echo has-passwd || echo NO-passwd' \
      > "$TEST_TMP/out-$i" 2>&1 &
  done
  wait
  cat "$TEST_TMP"/out-* | sort | uniq -c
  [ "$(cat "$TEST_TMP"/out-* | grep -c '^has-passwd$')" -eq 20 ]
  # copied once: the volume has the image's file, and the next user too
  [ -f "$ROOT/volumes/racevol/_data/passwd" ]
  run dxc run --rm -v racevol:/etc busybox cat /etc/passwd
  [[ "$output" == *root* ]]
  # as Docker: a volume found empty is filled again
  dxc run --rm -v racevol:/tmp/v busybox sh -c 'rm -rf /tmp/v/* /tmp/v/.[!.]*; true'
  [ -z "$(ls -A "$ROOT/volumes/racevol/_data")" ]
  run dxc run --rm -v racevol:/etc busybox ls /etc/passwd
  [ "$status" -eq 0 ]
}
