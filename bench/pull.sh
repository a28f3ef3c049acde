#!/bin/bash
# Pull benchmark, side by side in one run: a multi-layer image of 100+ MB
# (busybox plus layers of this machine's own /usr/lib/gcc, /usr/share/doc
# and /usr/lib/python3: real binaries and many small files), served by a
# local registry (Debian's docker-registry on 127.0.0.1), pulled into an
# empty store by:
#   devoxx-container pull   |   podman pull   |   skopeo copy + umoci unpack
# Prints medians, ratios and peak RSS; appends to bench/results/latest.md.
# RUNS=N changes the number of timed runs (default 5).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DXC_BIN_DIR:-$repo/bin}
RUNS=${RUNS:-5}
results=$repo/bench/results
mkdir -p "$results"
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
for cmd in hyperfine podman skopeo umoci docker-registry /usr/bin/time jq; do
  command -v "$cmd" >/dev/null || apt-get install -y -q "$(basename "$cmd")" >/dev/null
done

. "$(dirname "$0")/common.sh"
cleanup_extra() {
  [ -f "$tmp/registry.pid" ] && kill "$(cat "$tmp/registry.pid")" 2>/dev/null || true
}
bench_tmp dxc-bench-pull

# The registry.
port=$(shuf -i 20000-60000 -n 1)
cat > "$tmp/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $tmp/registry}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$tmp/registry.yml" > "$tmp/registry.log" 2>&1 &
echo $! > "$tmp/registry.pid"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
REF=127.0.0.1:$port/bench/big:v1

# The image.
L=$tmp/layout
tar=$repo/build/demo-busybox.tar
[ -f "$tar" ] || { sh "$repo/scripts/make-demo-image.sh" /bin/busybox "$tmp/bb.tar"; tar=$tmp/bb.tar; }
umoci init --layout "$L"
umoci new --image "$L:v1"
umoci unpack --image "$L:v1" "$tmp/b" >/dev/null
tar -C "$tmp/b/rootfs" -xf "$tar"
umoci repack --image "$L:v1" "$tmp/b"
rm -rf "$tmp/b"
for part in /usr/lib/gcc /usr/share/doc /usr/lib/python3; do
  [ -d "$part" ] || continue
  tar --owner=0 --group=0 --numeric-owner -cf "$tmp/layer.tar" "$part" 2>/dev/null
  umoci raw add-layer --image "$L:v1" "$tmp/layer.tar"
done
rm -f "$tmp/layer.tar"
umoci config --image "$L:v1" --config.cmd sh
skopeo copy -q --dest-tls-verify=false "oci:$L:v1" "docker://$REF"
size=$(du -sb "$tmp/registry" | cut -f1)

bench_podman_conf

dx="$BIN/devoxx-container --root $tmp/dx --runroot $tmp/dx-run pull -q $REF"
pd="podman --root $tmp/pd --runroot $tmp/pd-run --storage-driver overlay pull -q --tls-verify=false $REF"
su="sh -c 'skopeo copy -q --src-tls-verify=false docker://$REF oci:$tmp/sk:v1 && umoci unpack --image $tmp/sk:v1 $tmp/sk-b >/dev/null'"
clean="rm -rf $tmp/dx $tmp/dx-run $tmp/pd $tmp/pd-run $tmp/sk $tmp/sk-b"

hyperfine --runs "$RUNS" --prepare "$clean; sync" --export-json "$tmp/pull.json" \
  -n "devoxx-container pull" "$dx" -n "podman pull" "$pd" \
  -n "skopeo copy + umoci unpack" "$su" >&2

rss() { eval "$clean"; /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
{
  echo
  echo "## Pull: a $((size / 1000000)) MB, 4-layer image from a local registry, $RUNS runs, empty store"
  echo
  echo "| command | median | mean | median / devoxx-container pull |"
  echo "| --- | --- | --- | --- |"
  jq -r '(.results[0].median) as $b | .results[] | "| \(.command) | \(.median * 100 | round / 100) s | \(.mean * 100 | round / 100) s | \(.median / $b * 100 | round / 100) |"' "$tmp/pull.json"
  echo
  echo "Peak RSS (kB, /usr/bin/time %M of the command and its children): devoxx-container pull $(rss "$dx"), podman pull $(rss "$pd")."
} | tee -a "$results/latest.md"
