#!/bin/bash
# What the security work costs a run, side by side in one run (compare the
# ratios; this machine is shared and noisy):
#   1. seccomp: devoxx-runtime and crun running /bin/true from one busybox
#      bundle without a filter and with Docker's default profile (as the
#      engine writes it into linux.seccomp); ours with its compiled-filter
#      cache warm, and cold (libseccomp compiling the profile every run);
#   2. the engine's run --rm with Docker's default profile against the same
#      run unconfined, and the kernel's own part of that: loading the filter
#      and running a program under it (bench/filter-cost.c);
#   3. the exec stub: executing a program through the sealed stub against
#      executing it directly (the stub's own cost on every run).
# No cgroups (crun refuses hybrid cgroups; the cost measured is the same).
# Writes bench/results/security.md. RUNS=N (default 50).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DXC_BIN_DIR:-$repo/bin}
RUNS=${RUNS:-50}
results=$repo/bench/results
mkdir -p "$results"
if [ "$(id -u)" -ne 0 ]; then echo "bench: run as root" >&2; exit 1; fi
for cmd in hyperfine crun jq; do
  command -v "$cmd" >/dev/null || apt-get install -y -q "$cmd" >/dev/null
done
. "$(dirname "$0")/common.sh"
bench_tmp dxc-bench-sec

tar=$repo/build/demo-busybox.tar
mkdir -p "$tmp/rootfs" "$tmp/plain" "$tmp/sec" "$tmp/x"
tar -C "$tmp/rootfs" -xf "$tar"
# Docker's default profile as the engine translates it for this machine.
tar -C "$tmp/x" -xf "$tar"
"$BIN/devoxx-container" --root "$tmp/dx-root" --runroot "$tmp/dx-run" import "$tmp/x" sec >/dev/null
"$BIN/devoxx-container" --root "$tmp/dx-root" --runroot "$tmp/dx-run" run --name prof --network none --cgroups disabled sec true
profile=$(jq -c .linux.seccomp "$tmp"/dx-root/containers/*/config.json)
(cd "$tmp/plain" && "$BIN/devoxx-runtime" spec)
jq --arg r "$tmp/rootfs" '.process.args = ["/bin/true"] | .process.terminal = false
    | .root.path = $r | del(.linux.resources)' "$tmp/plain/config.json" > "$tmp/c"
mv "$tmp/c" "$tmp/plain/config.json"
jq --argjson s "$profile" '.linux.seccomp = $s' "$tmp/plain/config.json" > "$tmp/sec/config.json"

rt="$BIN/devoxx-runtime --cgroup-manager disabled"
hide_unified='umount /sys/fs/cgroup/unified 2>/dev/null || true'
unshare -m --propagation private sh -c "$hide_unified; hyperfine -N --warmup 5 --runs $RUNS \
  --export-json $tmp/seccomp.json \
  -n 'devoxx-runtime, no filter' '$rt --root $tmp/s1 run --bundle $tmp/plain a' \
  -n 'devoxx-runtime, Docker profile' '$rt --root $tmp/s1 run --bundle $tmp/sec b' \
  -n 'devoxx-runtime, Docker profile, cache cold' --prepare 'rm -rf $tmp/s2' '$rt --root $tmp/s2 run --bundle $tmp/sec c' \
  -n 'crun, no filter' 'crun --cgroup-manager=disabled --root $tmp/s3 run --bundle $tmp/plain d' \
  -n 'crun, Docker profile' 'crun --cgroup-manager=disabled --root $tmp/s3 run --bundle $tmp/sec e'" >&2
# The engine: run --rm with Docker's default profile (its translated filter
# cached) against the same run unconfined, alternately (bench/alternate.c:
# hyperfine's batches drift apart on this machine by more than the cost).
dx="$BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run"
cc -O2 -o "$tmp/alternate" "$repo/bench/alternate.c"
"$tmp/alternate" "$((RUNS * 2))" 5 \
  "$dx run --rm --network none --security-opt seccomp=unconfined sec true" \
  "$dx run --rm --network none sec true" > "$tmp/engine.txt"
# The kernel's part: fork, load the engine's cached filter (as the child
# does) and exec /bin/true, against the same without a filter.
entry=$(ls -S "$tmp"/dx-run/seccomp/*.bpf | head -1)
cc -O2 -o "$tmp/filter-cost" "$repo/bench/filter-cost.c"
read -r nofilter withfilter insns < <("$tmp/filter-cost" $((RUNS * 5)) "$entry")
# The stub: fork and exec /bin/true directly and through the stub from a
# sealed memfd, alternately (bench/exec-cost.c), medians in microseconds.
cc -O2 -o "$tmp/exec-cost" "$repo/bench/exec-cost.c"
read -r direct stubbed < <("$tmp/exec-cost" $((RUNS * 5)) "$repo/build/exec-stub" /bin/true)

{
  echo "# Security costs, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), $RUNS runs"
  echo
  echo "## Seccomp: Docker's default profile ($(jq '.syscalls | length' <<<"$profile") rule groups)"
  echo
  echo "| run of /bin/true | median | added by the filter |"
  echo "| --- | --- | --- |"
  jq -r '.results as $r | ($r | map({key: .command, value: .median}) | from_entries) as $m
    | $r[] | .command as $c | ($c | sub(", .*"; ", no filter")) as $base
    | "| \($c) | \(.median * 1000 | . * 100 | round / 100) ms | \((.median - $m[$base]) * 1000 | . * 100 | round / 100) ms |"' \
    "$tmp/seccomp.json"
  echo
  echo "## The engine ($((RUNS * 2)) alternate runs each)"
  echo
  echo "| devoxx-container run --rm --network none IMAGE true | median | quartiles |"
  echo "| --- | --- | --- |"
  awk -F'\t' '{ split($1, m, " "); name = ($2 ~ /unconfined/) ? "seccomp=unconfined" : "Docker'"'"'s default profile"
    printf "| %s | %.2f ms | %.2f to %.2f ms |\n", name, m[1], m[2], m[3] }' "$tmp/engine.txt"
  echo
  echo "## The kernel's part: fork, the filter ($insns instructions), exec /bin/true, exit"
  echo
  echo "| | median |"
  echo "| --- | --- |"
  echo "| no filter | $nofilter µs |"
  echo "| the engine's cached filter loaded | $withfilter µs (+$((withfilter - nofilter)) µs) |"
  echo
  echo "## The exec stub ($((RUNS * 5)) alternate runs each)"
  echo
  echo "| fork and exec of /bin/true | median |"
  echo "| --- | --- |"
  echo "| directly | $((direct)) µs |"
  echo "| through the exec stub from a sealed memfd | $((stubbed)) µs (+$((stubbed - direct)) µs) |"
} | tee "$results/security.md"
