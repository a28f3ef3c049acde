#!/usr/bin/env bats
# Pull from a real registry on 127.0.0.1 (Debian's docker-registry), with
# images built offline by umoci and pushed by skopeo.

load helpers
load registry
bats_require_minimum_version 1.5.0

setup_file() {
  local t
  # one at a time: "command -v a b c" succeeds when any one exists
  for t in docker-registry skopeo umoci; do
    command -v "$t" >/dev/null || skip "registry tool $t missing"
  done
}

setup() {
  common_setup
  start_registry "$TEST_TMP/registry"
  L=$TEST_TMP/layout
}

teardown() {
  # a proxy left by a failed test would hold bats's output open
  [ -f "$TEST_TMP/faulty.pid" ] && stop_faulty
  stop_registry "$TEST_TMP/registry"
  common_teardown
}

# The layer directories of a pulled image, top first, colon-separated.
image_lowerdirs() {
  local man cfg
  man=$(jq -r --arg n "$1" '.[$n]' "$ROOT/images.json")
  cfg=$(jq -r .config.digest "$ROOT/blobs/sha256/${man#sha256:}")
  jq -r '.rootfs.diff_ids | reverse | map("'"$ROOT"'/layers/" + ltrimstr("sha256:")) | join(":")' \
    "$ROOT/blobs/sha256/${cfg#sha256:}"
}

@test "pull an OCI image and run it; the image config is honoured" {
  make_oci_image "$L" v1
  umoci config --image "$L:v1" --config.workingdir /srv --config.env GREETING=hello --config.user 65534
  push "$L" v1 test/oci:v1
  run dxc pull "$REGISTRY/test/oci:v1"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Pull complete"* ]]
  [ "${lines[-1]}" = "$REGISTRY/test/oci:v1" ]
  run dxc run --rm "$REGISTRY/test/oci:v1" sh -c 'pwd; echo $GREETING; id -u'
  [ "${lines[0]}" = /srv ]
  [ "${lines[1]}" = hello ]
  [ "${lines[2]}" = 65534 ]
  run dxc images
  [[ "$output" == *"$REGISTRY/test/oci "*v1* ]]
}

@test "pull a Docker-typed image (v2 schema 2)" {
  make_oci_image "$L" v1
  push "$L" v1 test/docker:v1 --format v2s2
  run curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REGISTRY/v2/test/docker/manifests/v1"
  [[ "$output" == *"application/vnd.docker.image.rootfs.diff.tar.gzip"* ]]
  run dxc pull -q "$REGISTRY/test/docker:v1"
  [ "$status" -eq 0 ]
  run dxc run --rm "$REGISTRY/test/docker:v1" echo ok
  [ "$output" = ok ]
}

@test "run pulls a missing image; a second pull reuses the layers" {
  make_oci_image "$L" v1
  push "$L" v1 test/auto:v1
  run dxc run --rm "$REGISTRY/test/auto:v1" echo pulled-and-ran
  [[ "$output" == *"Unable to find image"* ]]
  [ "${lines[-1]}" = pulled-and-ran ]
  push "$L" v1 test/auto:again
  run dxc pull "$REGISTRY/test/auto:again"
  [[ "$output" == *"Already exists"* ]]
}

@test "several layers with whiteouts and opaque directories match umoci unpack" {
  make_oci_image "$L" multi
  # layer 2: new files, a file deleted, a directory made opaque
  mkdir -p "$TEST_TMP/l2/etc" "$TEST_TMP/l2/home/opaque" "$TEST_TMP/l2/bin"
  echo two > "$TEST_TMP/l2/etc/layer2"
  touch "$TEST_TMP/l2/bin/.wh.vi"
  touch "$TEST_TMP/l2/home/opaque/kept"
  touch "$TEST_TMP/l2/home/.wh..wh..opq"
  mkdir -p "$TEST_TMP/l2/data"
  echo a > "$TEST_TMP/l2/data/a"
  echo b > "$TEST_TMP/l2/data/b"
  chmod 4755 "$TEST_TMP/l2/etc/layer2"
  ln -s /etc/layer2 "$TEST_TMP/l2/etc/link2"
  ln "$TEST_TMP/l2/etc/layer2" "$TEST_TMP/l2/etc/hard2"
  add_layer "$L" multi "$TEST_TMP/l2"
  # layer 3: a file replaced by a directory and one deleted again
  mkdir -p "$TEST_TMP/l3/etc/layer2" "$TEST_TMP/l3/root"
  touch "$TEST_TMP/l3/etc/layer2/now-a-dir" "$TEST_TMP/l3/root/.wh.nothing"
  # /data made opaque: a and b of the layer below are hidden, c is new
  mkdir -p "$TEST_TMP/l3/data"
  touch "$TEST_TMP/l3/data/.wh..wh..opq"
  echo c > "$TEST_TMP/l3/data/c"
  chown 1234:5678 "$TEST_TMP/l3/etc/layer2/now-a-dir"
  add_layer "$L" multi "$TEST_TMP/l3"
  push "$L" multi test/multi:v1
  run dxc pull -q "$REGISTRY/test/multi:v1"
  [ "$status" -eq 0 ]

  umoci unpack --image "$L:multi" "$TEST_TMP/ref" >/dev/null
  tree_facts "$TEST_TMP/ref/rootfs" > "$TEST_TMP/ref.facts"
  if [ "$(cat "$ROOT/storage-driver")" = overlay ]; then
    # the overlay driver's view: the layers as overlayfs merges them
    merged_view "$(image_lowerdirs "$REGISTRY/test/multi:v1")" "$TEST_TMP/merged"
    tree_facts "$TEST_TMP/merged" > "$TEST_TMP/ours.facts"
    umount "$TEST_TMP/merged"
    [ "$(wc -l < "$TEST_TMP/ours.facts")" -gt 200 ]
    run diff -u "$TEST_TMP/ref.facts" "$TEST_TMP/ours.facts"
    [ "$status" -eq 0 ]
    # the copy driver from the same layers (overlay's whiteouts)
    copy_driver_facts "$ROOT" "$REGISTRY/test/multi:v1" > "$TEST_TMP/copy.facts"
    run diff -u "$TEST_TMP/ref.facts" "$TEST_TMP/copy.facts"
    echo "$output"
    [ "$status" -eq 0 ]
  fi
  # a copy store (whiteouts kept as ".wh." files), whatever the file system
  dxc --root "$TEST_TMP/copy-root" --storage-driver copy pull -q "$REGISTRY/test/multi:v1"
  [ "$(cat "$TEST_TMP/copy-root/storage-driver")" = copy ]
  find "$TEST_TMP/copy-root/layers" -name '.wh.*' | grep -q .
  copy_driver_facts "$TEST_TMP/copy-root" "$REGISTRY/test/multi:v1" > "$TEST_TMP/ours.facts"
  [ "$(wc -l < "$TEST_TMP/ours.facts")" -gt 200 ]
  run diff -u "$TEST_TMP/ref.facts" "$TEST_TMP/ours.facts"
  echo "$output"
  [ "$status" -eq 0 ]
  # and the facts say what the layers did
  grep -q '^./etc/layer2 dir' "$TEST_TMP/ours.facts"
  ! grep -q '^./bin/vi ' "$TEST_TMP/ours.facts"
  grep -q '^./etc/link2 link 0:0 [0-9]* -> /etc/layer2' "$TEST_TMP/ours.facts"
  grep -q '^./data/c file' "$TEST_TMP/ours.facts"
  ! grep -q '^./data/a ' "$TEST_TMP/ours.facts"
  grep -q '^./etc/hard2 file 4755 0:0 4 ' "$TEST_TMP/ours.facts"
}

@test "pull by digest; a wrong digest is refused" {
  make_oci_image "$L" v1
  push "$L" v1 test/bydigest:v1
  digest=$(curl -sI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/test/bydigest/manifests/v1" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}')
  [[ "$digest" == sha256:* ]]
  run dxc pull -q "$REGISTRY/test/bydigest@$digest"
  [ "$status" -eq 0 ]
  run dxc run --rm "$REGISTRY/test/bydigest@$digest" echo by-digest
  [ "$output" = by-digest ]
  run dxc pull "$REGISTRY/test/bydigest@sha256:0000000000000000000000000000000000000000000000000000000000000000"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
}

@test "a multi-arch index: this platform is picked; a missing one is named" {
  make_oci_image "$L" amd
  # an index with our image for linux/amd64 and a made-up linux/arm64/v8
  amd=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "amd")' "$L/index.json")
  jq --argjson m "$amd" '.manifests += [
      {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "PLACEHOLDER", "size": 0,
       "annotations": {"org.opencontainers.image.ref.name": "multi"}}]' "$L/index.json" > /dev/null
  idx=$(jq -n --argjson m "$amd" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [($m | del(.annotations) | .platform = {os: "linux", architecture: "arm64", variant: "v8"}),
                  ($m | del(.annotations) | .platform = {os: "linux", architecture: "amd64"})]}' | jq -c .)
  d=$(printf '%s' "$idx" | sha256sum | cut -d' ' -f1)
  printf '%s' "$idx" > "$L/blobs/sha256/$d"
  jq --arg d "sha256:$d" --argjson s "${#idx}" '.manifests += [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": $d, "size": $s, "annotations": {"org.opencontainers.image.ref.name": "multi"}}]' "$L/index.json" > "$L/i" && mv "$L/i" "$L/index.json"
  skopeo copy -q --all --dest-tls-verify=false "oci:$L:multi" "docker://$REGISTRY/test/multiarch:v1"
  run dxc pull -q "$REGISTRY/test/multiarch:v1"
  [ "$status" -eq 0 ]
  run dxc pull --platform linux/s390x "$REGISTRY/test/multiarch:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no matching manifest for linux/s390x"* ]]
  [[ "$output" == *"linux/arm64/v8"* ]]
  [[ "$output" == *"linux/amd64"* ]]
}

@test "bad input: unknown repository or tag, registry unreachable, bad reference" {
  make_oci_image "$L" v1
  push "$L" v1 test/known:v1
  run dxc pull "$REGISTRY/test/known:nope"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not found"*"MANIFEST_UNKNOWN"* ]]
  [ "${#lines[@]}" -eq 1 ]
  run dxc pull "$REGISTRY/test/unknown:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not found"* ]]
  run dxc run --rm "$REGISTRY/test/unknown:v1" true
  [ "$status" -eq 125 ]
  run dxc pull "127.0.0.1:1/test/x:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"127.0.0.1:1"* ]]
  run dxc pull "Bad/Ref"
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid reference format"* ]]
  # nothing half-made stays in the store
  [ -z "$(ls -A "$ROOT/tmp" | grep -v '\.lock$')" ]
  [ -z "$(ls -A "$ROOT/layers")" ]
}

@test "a layer whose content does not match its digest is refused, nothing stored" {
  make_oci_image "$L" v1
  push "$L" v1 test/corrupt:v1
  # corrupt the layer blob in the registry's storage
  blob=$(find "$TEST_TMP/registry/data" -path '*blobs/sha256/*/data' -size +100k | head -1)
  [ -n "$blob" ]
  printf 'garbage' | dd of="$blob" bs=1 seek=1000 conv=notrunc 2>/dev/null
  run dxc pull "$REGISTRY/test/corrupt:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wrong digest"* || "$output" == *"gzip"* || "$output" == *"layer"* ]]
  [ -z "$(ls -A "$ROOT/layers")" ]
  [ -z "$(ls -A "$ROOT/tmp" | grep -v '\.lock$')" ]
  run dxc images -q
  [ -z "$output" ]
}

@test "two pulls of one image at once both succeed and store it once" {
  make_oci_image "$L" v1
  push "$L" v1 test/twice:v1
  dxc pull -q "$REGISTRY/test/twice:v1" > "$TEST_TMP/p1" 2>&1 &
  p1=$!
  dxc pull -q "$REGISTRY/test/twice:v1" > "$TEST_TMP/p2" 2>&1 &
  p2=$!
  wait_status $p1; s1=$WAIT_STATUS
  wait_status $p2; s2=$WAIT_STATUS
  cat "$TEST_TMP/p1" "$TEST_TMP/p2"
  [ "$s1" -eq 0 ]
  [ "$s2" -eq 0 ]
  [ "$(ls "$ROOT/layers" | wc -l)" -eq 1 ]
}

@test "a pull killed at any point leaves no half blob or layer; the next one completes" {
  make_slow_image "$L" big
  push "$L" big test/big:v1
  interrupted=0
  for delay in 0.02 0.05 0.1 0.2; do
    "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" pull -q "$REGISTRY/test/big:v1" > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    # staging files left: this kill did land in the middle of a pull
    ls -A "$ROOT/tmp" 2>/dev/null | grep -qv '\.lock$' && interrupted=$((interrupted + 1))
    # every blob under its final name is whole: its content has its name
    for b in "$ROOT"/blobs/sha256/*; do
      [ -e "$b" ] || continue
      [ "$(sha256sum < "$b" | cut -d' ' -f1)" = "$(basename "$b")" ]
    done
  done
  [ "$interrupted" -ge 1 ]
  run dxc pull -q "$REGISTRY/test/big:v1"
  [ "$status" -eq 0 ]
  # the dead pulls' staging files are gone
  [ -z "$(ls -A "$ROOT/tmp" | grep -v '\.lock$')" ]
  umoci unpack --image "$L:big" "$TEST_TMP/ref" >/dev/null
  merged_view "$(image_lowerdirs "$REGISTRY/test/big:v1")" "$TEST_TMP/merged"
  tree_facts "$TEST_TMP/ref/rootfs" > "$TEST_TMP/ref.facts"
  tree_facts "$TEST_TMP/merged" > "$TEST_TMP/ours.facts"
  umount "$TEST_TMP/merged"
  diff -q "$TEST_TMP/ref.facts" "$TEST_TMP/ours.facts"
}

@test "save and load: an image moves without a registry; OCI archives load too" {
  make_oci_image "$L" v1
  push "$L" v1 test/moving:v1
  dxc pull -q "$REGISTRY/test/moving:v1"
  dxc tag "$REGISTRY/test/moving:v1" localhost/moving:copy
  dxc run --rm busybox true 2>/dev/null
  run dxc save -o "$TEST_TMP/images.tar" "$REGISTRY/test/moving:v1" busybox
  [ "$status" -eq 0 ]
  tar -tf "$TEST_TMP/images.tar" | grep -qx manifest.json
  tar -tf "$TEST_TMP/images.tar" | grep -qx index.json
  tar -tf "$TEST_TMP/images.tar" | grep -qx oci-layout
  # into another store: the same image ID, runnable
  id=$(dxc image inspect "$REGISTRY/test/moving:v1" | jq -r '.[0].Id')
  run "$ENGINE" --root "$TEST_TMP/other" --runroot "$TEST_TMP/other-run" load -i "$TEST_TMP/images.tar"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image: $REGISTRY/test/moving:v1"* ]]
  [[ "$output" == *"Loaded image: busybox:latest"* ]]
  run "$ENGINE" --root "$TEST_TMP/other" --runroot "$TEST_TMP/other-run" image inspect "$REGISTRY/test/moving:v1"
  [ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
  run "$ENGINE" --root "$TEST_TMP/other" --runroot "$TEST_TMP/other-run" run --rm "$REGISTRY/test/moving:v1" echo moved
  [ "$output" = moved ]
  # an OCI archive made by skopeo, read from stdin
  skopeo copy -q "oci:$L:v1" "oci-archive:$TEST_TMP/oci.tar:localhost/from-oci:v1"
  run sh -c "$ENGINE --root $TEST_TMP/third --runroot $TEST_TMP/third-run load < $TEST_TMP/oci.tar"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image"* ]]
  # bad input: not an archive
  echo junk > "$TEST_TMP/junk.tar"
  run dxc load -i "$TEST_TMP/junk.tar"
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
}

@test "progress: bars redrawn in place on a terminal, plain lines otherwise, -q silent" {
  make_slow_image "$L" big
  push "$L" big test/progress:v1
  script -qec "$ENGINE --root $ROOT --runroot $RUNROOT pull $REGISTRY/test/progress:v1" /dev/null < /dev/null > "$TEST_TMP/tty.out"
  grep -q 'Downloading \[=*>' "$TEST_TMP/tty.out"
  grep -q $'\033\\[K' "$TEST_TMP/tty.out"
  [ "$(grep -o '[0-9a-f]\{12\}: Pull complete' "$TEST_TMP/tty.out" | sort -u | wc -l)" -eq 4 ]
  dxc rmi "$REGISTRY/test/progress:v1"
  run dxc pull "$REGISTRY/test/progress:v1"
  [ "$status" -eq 0 ]
  [ "$(grep -c ': Pull complete$' <<<"$output")" -eq 4 ]
  [[ "$output" != *Downloading* ]]
  dxc rmi "$REGISTRY/test/progress:v1"
  run dxc pull -q "$REGISTRY/test/progress:v1"
  [ "$output" = "$REGISTRY/test/progress:v1" ]
}

@test "zstd-compressed layers" {
  make_oci_image "$L" v1
  push "$L" v1 test/zstd:v1 --dest-compress-format zstd
  run curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/test/zstd/manifests/v1"
  [[ "$output" == *"tar+zstd"* ]]
  run dxc pull -q "$REGISTRY/test/zstd:v1"
  [ "$status" -eq 0 ]
  run dxc run --rm "$REGISTRY/test/zstd:v1" echo zstd-ok
  [ "$output" = zstd-ok ]
}

@test "a malicious layer from a registry writes nothing outside its directory" {
  make_oci_image "$L" v1
  # a layer made by hand: a traversal, a symlink to / then a file through
  # it, a hard link to the host's /etc/passwd
  mkdir -p "$TEST_TMP/evil"
  python3 - "$TEST_TMP/evil/layer.tar" "$TEST_TMP" <<'PY'
import io, sys, tarfile
out, tmp = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"", **kw):
        ti = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(ti, k, v)
        ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
        t.addfile(ti, io.BytesIO(data) if ti.size else None)
    add("rootlink", type=tarfile.SYMTYPE, linkname="/")
    add("rootlink" + tmp + "/escaped-through-symlink", b"x")
    add("hl", type=tarfile.LNKTYPE, linkname="/etc/passwd")
PY
  umoci raw add-layer --image "$L:v1" "$TEST_TMP/evil/layer.tar"
  push "$L" v1 test/evil:v1
  run dxc pull "$REGISTRY/test/evil:v1"
  [ "$status" -eq 1 ]
  [ ! -e "$TEST_TMP/escaped-through-symlink" ]
  [ "$(stat -c %h /etc/passwd)" -eq 1 ]
  [ -z "$(ls -A "$ROOT/layers" | grep -v "^l$")" ] || [ "$(ls "$ROOT/layers" | wc -l)" -le 1 ]
  run dxc images -q
  [ -z "$output" ]
  # and a plain traversal is refused by name
  python3 - "$TEST_TMP/evil/trav.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    ti = tarfile.TarInfo("../../../../../../tmp/dxc-traversal"); ti.size = 1
    t.addfile(ti, io.BytesIO(b"x"))
PY
  make_oci_image "$L" v2
  umoci raw add-layer --image "$L:v2" "$TEST_TMP/evil/trav.tar"
  push "$L" v2 test/evil:v2
  run dxc pull "$REGISTRY/test/evil:v2"
  [ "$status" -eq 1 ]
  [[ "$output" == *"escapes the layer"* ]]
  [ ! -e /tmp/dxc-traversal ]
}

@test "an image of 90 layers runs (overlay options kept under a page)" {
  make_oci_image "$L" many
  for i in $(seq 89); do
    mkdir -p "$TEST_TMP/m$i/layers"
    echo "$i" > "$TEST_TMP/m$i/layers/f$i"
    tar -C "$TEST_TMP/m$i" -cf "$TEST_TMP/m$i.tar" .
    umoci raw add-layer --image "$L:many" "$TEST_TMP/m$i.tar"
  done
  push "$L" many test/many:v1
  run dxc pull -q "$REGISTRY/test/many:v1"
  [ "$status" -eq 0 ]
  run dxc run --rm "$REGISTRY/test/many:v1" sh -c 'ls /layers | wc -l; cat /layers/f1 /layers/f89'
  [ "${lines[0]}" = 89 ]
  [ "${lines[1]}" = 1 ]
  [ "${lines[2]}" = 89 ]
  # the overlay driver mounted them by short names (the copy driver has no
  # options to fit)
  [ "$(store_driver)" = copy ] || [ -d "$ROOT/layers/l" ]
}

# start_faulty MODE: the misbehaving proxy in front of $REGISTRY; sets FAULTY.
start_faulty() {
  local port
  port=$(free_port)
  python3 "$BATS_TEST_DIRNAME/faulty-proxy.py" "$port" "$REGISTRY" "$1" "$TEST_TMP/faulty.log" > /dev/null 2>&1 3>&- &
  echo $! > "$TEST_TMP/faulty.pid"
  FAULTY=127.0.0.1:$port
  for _ in $(seq 150); do curl -s -o /dev/null "http://$FAULTY/v2/" && return 0; sleep 0.1; done
  return 1
}

stop_faulty() {
  kill "$(cat "$TEST_TMP/faulty.pid")" 2>/dev/null || true
  wait "$(cat "$TEST_TMP/faulty.pid")" 2>/dev/null || true
  rm -f "$TEST_TMP/faulty.log" "$TEST_TMP/faulty.pid"
}

@test "redirects are followed, 5xx are retried, proxies from the environment are used" {
  make_oci_image "$L" v1
  push "$L" v1 test/faulty:v1
  start_faulty redirect
  run dxc pull -q "$FAULTY/test/faulty:v1"
  [ "$status" -eq 0 ]
  grep -q '/blobs/' "$TEST_TMP/faulty.log"
  stop_faulty
  dxc rmi "$FAULTY/test/faulty:v1"
  start_faulty flaky
  run dxc pull -q "$FAULTY/test/faulty:v1"
  [ "$status" -eq 0 ]
  [ "$(grep -c '/manifests/v1' "$TEST_TMP/faulty.log")" -ge 3 ]
  stop_faulty
  dxc rmi "$FAULTY/test/faulty:v1"
  start_faulty forward
  http_proxy=http://$FAULTY no_proxy= NO_PROXY= run dxc pull -q "$REGISTRY/test/faulty:v1"
  [ "$status" -eq 0 ]
  grep -q "^http://$REGISTRY/v2/test/faulty/manifests/v1" "$TEST_TMP/faulty.log"
  stop_faulty
}

@test "bad input from a registry: malformed JSON, unknown media type, short blob" {
  make_oci_image "$L" v1
  push "$L" v1 test/faulty:v1
  start_faulty garbage
  run dxc pull "$FAULTY/test/faulty:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"malformed JSON"* ]]
  [ "${#lines[@]}" -eq 1 ]
  stop_faulty
  start_faulty badtype
  run dxc pull "$FAULTY/test/faulty:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unsupported media type application/x-unknown"* ]]
  stop_faulty
  start_faulty short
  run dxc pull "$FAULTY/test/faulty:v1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wrong size"* ]]
  stop_faulty
  # a manifest that never ends: refused at the cap, not buffered for ever
  start_faulty huge
  run timeout 60 "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" pull "$FAULTY/test/faulty:v1"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"larger than 8 MiB"* ]]
  [ "${#lines[@]}" -eq 1 ]
  stop_faulty
  [ -z "$(ls -A "$ROOT/layers")" ]
  [ -z "$(ls -A "$ROOT/tmp" | grep -v '\.lock$')" ]
}

@test "disk full: a clear error and nothing stored" {
  make_oci_image "$L" v1
  push "$L" v1 test/full:v1
  mkdir -p "$TEST_TMP/small"
  mount -t tmpfs -o size=600k tmpfs "$TEST_TMP/small"
  run "$ENGINE" --root "$TEST_TMP/small/root" --runroot "$RUNROOT" pull "$REGISTRY/test/full:v1"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"No space left on device"* ]]
  [ "${#lines[@]}" -eq 1 ]
  [ -z "$(ls -A "$TEST_TMP/small/root/layers")" ]
  [ -z "$(ls -A "$TEST_TMP/small/root/tmp" | grep -v '\.lock$')" ]
  [ -z "$(ls -A "$TEST_TMP/small/root/blobs/sha256")" ]
  umount "$TEST_TMP/small"
}

# the image's layers against umoci's own unpack of the layout, file by file
image_matches_layout() {
  local name=$1 tag=$2
  rm -rf "$TEST_TMP/ref"
  umoci unpack --image "$L:$tag" "$TEST_TMP/ref" >/dev/null
  merged_view "$(image_lowerdirs "$name")" "$TEST_TMP/merged"
  tree_facts "$TEST_TMP/ref/rootfs" > "$TEST_TMP/ref.facts"
  tree_facts "$TEST_TMP/merged" > "$TEST_TMP/ours.facts"
  umount "$TEST_TMP/merged"
  diff -q "$TEST_TMP/ref.facts" "$TEST_TMP/ours.facts"
}

@test "race: image prune beside a pull never takes what the pull has written" {
  make_slow_image "$L" big
  push "$L" big test/big:v1
  "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" pull -q "$REGISTRY/test/big:v1" > "$TEST_TMP/pull.out" 2>&1 &
  local pid=$! prunes=0
  while kill -0 "$pid" 2>/dev/null; do
    dxc image prune > /dev/null
    prunes=$((prunes + 1))
  done
  wait "$pid"
  # (a prune that waits on the pull's lease for the whole pull counts once)
  echo "prunes during the pull: $prunes"
  [ "$prunes" -ge 1 ]
  image_matches_layout "$REGISTRY/test/big:v1" big
  run dxc run --rm "$REGISTRY/test/big:v1" true
  [ "$status" -eq 0 ]
}

@test "crash: rmi killed half-way through deleting a layer; the next pull gets it whole" {
  make_slow_image "$L" big
  push "$L" big test/big:v1
  dxc pull -q "$REGISTRY/test/big:v1" > /dev/null
  # killed at its 20th unlinkat: in the middle of a layer's files
  run strace -f -o /dev/null -e inject=unlinkat:signal=KILL:when=20 \
    "$ENGINE" --root "$ROOT" --runroot "$RUNROOT" rmi "$REGISTRY/test/big:v1"
  [ "$status" -eq 137 ]
  run dxc pull -q "$REGISTRY/test/big:v1"
  [ "$status" -eq 0 ]
  image_matches_layout "$REGISTRY/test/big:v1" big
}

@test "rmi and image prune leave no per-layer lock files behind" {
  make_slow_image "$L" big
  push "$L" big test/big:v1
  dxc pull -q "$REGISTRY/test/big:v1" > /dev/null
  ls "$ROOT/tmp" | grep -q '^layer-.*\.lock$'
  dxc rmi "$REGISTRY/test/big:v1" > /dev/null
  [ -z "$(ls "$ROOT/tmp" | grep '^layer-.*\.lock$')" ]
  [ -z "$(ls -A "$ROOT/layers" | grep -vx l)" ]
}

@test "save of a pulled image whose layer another image brought first" {
  make_oci_image "$L" v1
  push "$L" v1 test/gz:v1
  # the same image as a docker-save archive with its layer uncompressed:
  # the same diff ID, another blob
  local m cfg layer d=$TEST_TMP/unz
  mkdir -p "$d"
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "v1") | .digest' "$L/index.json")
  cfg=$(jq -r .config.digest "$L/blobs/sha256/${m#sha256:}")
  layer=$(jq -r '.layers[0].digest' "$L/blobs/sha256/${m#sha256:}")
  cp "$L/blobs/sha256/${cfg#sha256:}" "$d/config.json"
  gunzip -c "$L/blobs/sha256/${layer#sha256:}" > "$d/layer.tar"
  jq -n '[{Config:"config.json", RepoTags:["localhost/unz:1"], Layers:["layer.tar"]}]' > "$d/manifest.json"
  tar -C "$d" -cf "$TEST_TMP/unz.tar" config.json layer.tar manifest.json
  dxc load -i "$TEST_TMP/unz.tar" > /dev/null
  # the layer is there: the pull must keep its gzip blob all the same
  dxc pull -q "$REGISTRY/test/gz:v1"
  run dxc save -o "$TEST_TMP/gz.tar" "$REGISTRY/test/gz:v1"
  echo "$output"
  [ "$status" -eq 0 ]
  run "$ENGINE" --root "$TEST_TMP/other" --runroot "$TEST_TMP/other-run" load -i "$TEST_TMP/gz.tar"
  [ "$status" -eq 0 ]
  run "$ENGINE" --root "$TEST_TMP/other" --runroot "$TEST_TMP/other-run" run --rm "$REGISTRY/test/gz:v1" echo moved
  [ "$output" = moved ]
}
