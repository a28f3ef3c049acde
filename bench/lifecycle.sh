#!/bin/bash
# The create/start/delete path, as podman and containerd drive a runtime,
# side by side in one run (compare the ratios; this machine is noisy):
#   1. each runtime's create, start, then delete of one busybox bundle
#      running /bin/true (a shell script per cycle: all pay the same shell);
#   2. podman run --rm --network none busybox true with --runtime
#      devoxx-runtime, runc and crun.
# crun refuses hybrid cgroups: everything runs where the cgroup2 mount is
# hidden (bench/README.md). Writes bench/results/lifecycle.md. RUNS=N.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DXC_BIN_DIR:-$repo/bin}
RUNS=${RUNS:-30}
results=$repo/bench/results
mkdir -p "$results"
if [ "$(id -u)" -ne 0 ]; then echo "bench: run as root" >&2; exit 1; fi
for cmd in hyperfine crun runc podman jq; do
  command -v "$cmd" >/dev/null || apt-get install -y -q "$cmd" >/dev/null
done
. "$(dirname "$0")/common.sh"
bench_tmp dxc-bench-life
bench_podman_conf

mkdir -p "$tmp/b/rootfs"
tar -C "$tmp/b/rootfs" -xf "${DEMO_TAR:-$repo/build/demo-busybox.tar}"
(cd "$tmp/b" && "$BIN/devoxx-runtime" spec)
jq '.process.args = ["/bin/true"] | .process.terminal = false
    | .linux.cgroupsPath = "dxc-bench-life" | del(.linux.resources)' \
  "$tmp/b/config.json" > "$tmp/c" && mv "$tmp/c" "$tmp/b/config.json"
for r in "$BIN/devoxx-runtime" runc crun; do
  n=$(basename "$r")
  cat > "$tmp/cycle-$n" <<SH
#!/bin/sh
set -e
$r --root $tmp/s-$n create --bundle $tmp/b c1 </dev/null >/dev/null
$r --root $tmp/s-$n start c1
while [ "\$($r --root $tmp/s-$n state c1 | grep -c '"stopped"')" = 0 ]; do :; done
$r --root $tmp/s-$n delete c1
SH
  chmod +x "$tmp/cycle-$n"
done
hide_unified='umount /sys/fs/cgroup/unified 2>/dev/null || true'
unshare -m --propagation private sh -c "$hide_unified; hyperfine -N --warmup 3 --runs $RUNS \
  --export-json $tmp/cycle.json -n devoxx-runtime $tmp/cycle-devoxx-runtime \
  -n runc $tmp/cycle-runc -n crun $tmp/cycle-crun" >&2

P="podman --root $tmp/pd --runroot $tmp/pd-run"
$P import --change 'CMD ["sh"]' "${DEMO_TAR:-$repo/build/demo-busybox.tar}" localhost/bb >/dev/null
unshare -m --propagation private sh -c "$hide_unified; hyperfine -N --warmup 2 --runs $RUNS \
  --export-json $tmp/podman.json \
  -n 'podman --runtime devoxx-runtime' '$P --runtime $BIN/devoxx-runtime run --rm --network none localhost/bb true' \
  -n 'podman --runtime runc' '$P --runtime runc run --rm --network none localhost/bb true' \
  -n 'podman --runtime crun' '$P --runtime crun run --rm --network none localhost/bb true'" >&2

{
  echo "# create/start/delete, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), $RUNS runs"
  echo
  echo "| cycle of /bin/true: create, start, state until stopped, delete | median | / devoxx-runtime |"
  echo "| --- | --- | --- |"
  jq -r '(.results[0].median) as $b | .results[]
    | "| \(.command) | \(.median * 1000 | . * 100 | round / 100) ms | \(.median / $b | . * 100 | round / 100) |"' "$tmp/cycle.json"
  echo
  echo "| podman run --rm --network none busybox true | median | / devoxx-runtime |"
  echo "| --- | --- | --- |"
  jq -r '(.results[0].median) as $b | .results[]
    | "| \(.command) | \(.median * 1000 | . * 100 | round / 100) ms | \(.median / $b | . * 100 | round / 100) |"' "$tmp/podman.json"
} | tee "$results/lifecycle.md"
