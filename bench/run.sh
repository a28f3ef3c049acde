#!/bin/bash
# Benchmarks, side by side in one run (this machine is shared and noisy:
# compare the ratios, not the absolute times):
#   1. runtime: devoxx-runtime run vs crun run vs runc run, one busybox bundle
#      running /bin/true, the same config (a relative cgroupsPath);
#   2. engine: devoxx-container run --rm --network none busybox true vs podman
#      run --rm --network none (runtime runc) on the same image, and ours on
#      the default bridge network (in a network namespace of the bench's),
#      and each with its copying storage driver (ours: copy; podman: vfs);
#   3. cgroups: what cgroup setup and removal add to a run, without limits
#      and with memory, pids and cpu limits, for devoxx-runtime and crun
#      (each against its own run with cgroups disabled), and for the engine.
# Prints medians, ratios and peak RSS; writes bench/results/latest.md.
# RUNS=N changes the number of timed runs (default 50).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DXC_BIN_DIR:-$repo/bin}
RUNS=${RUNS:-50}
results=$repo/bench/results
mkdir -p "$results"

if [ "$(id -u)" -ne 0 ]; then echo "bench: run as root" >&2; exit 1; fi
missing=()
for cmd in hyperfine crun runc podman /usr/bin/time jq; do
  command -v "$cmd" >/dev/null || missing+=("$(basename "$cmd")")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -q "${missing[@]}" >/dev/null
fi

. "$(dirname "$0")/common.sh"
bench_tmp dxc-bench

# The bundle: the demo image's root, /bin/true, no terminal.
tar=$repo/build/demo-busybox.tar
[ -f "$tar" ] || sh "$repo/scripts/make-demo-image.sh" /bin/busybox "$tmp/busybox.tar"
[ -f "$tar" ] || tar=$tmp/busybox.tar
mkdir -p "$tmp/rootfs" "$tmp/bundle-dxc" "$tmp/bundle-oci"
tar -C "$tmp/rootfs" -xf "$tar"
(cd "$tmp/bundle-dxc" && "$BIN/devoxx-runtime" spec)
jq --arg r "$tmp/rootfs" '.process.args = ["/bin/true"] | .root.path = $r' \
  "$tmp/bundle-dxc/config.json" > "$tmp/c" && mv "$tmp/c" "$tmp/bundle-dxc/config.json"
# The same config for all: a relative cgroupsPath (under the caller's own
# cgroups, removed at exit).
jq '.linux.cgroupsPath = "dxc-bench-'$$'"' "$tmp/bundle-dxc/config.json" \
  > "$tmp/bundle-oci/config.json"
# Cgroup cost: no cgroup at all (run with cgroups disabled), and limits.
mkdir -p "$tmp/bundle-nocg" "$tmp/bundle-lim"
jq 'del(.linux.resources)' "$tmp/bundle-dxc/config.json" > "$tmp/bundle-nocg/config.json"
jq '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}
    | .linux.resources.cpu = {"quota": 50000, "period": 100000}' \
  "$tmp/bundle-oci/config.json" > "$tmp/bundle-lim/config.json"

# podman, isolated in its own store, with no default rlimits (podman's
# nofile=1048576 cannot be set here: see ../shared/MACHINE.md).
bench_podman_conf
podman=(podman --root "$tmp/podman-root" --runroot "$tmp/podman-run" --runtime runc --storage-driver overlay)
"${podman[@]}" import --change 'CMD ["sh"]' "$tar" localhost/busybox:latest >/dev/null
"$BIN/devoxx-container" --root "$tmp/dx-root" --runroot "$tmp/dx-run" run --rm busybox true 2>/dev/null

dxrt="$BIN/devoxx-runtime --root $tmp/s-dxc run --bundle $tmp/bundle-oci b1"
dxrt_nocg="$BIN/devoxx-runtime --cgroup-manager disabled --root $tmp/s-dxc run --bundle $tmp/bundle-nocg b4"
dxrt_lim="$BIN/devoxx-runtime --root $tmp/s-dxc run --bundle $tmp/bundle-lim b5"
crun_nocg="crun --cgroup-manager=disabled --root $tmp/s-crun run --bundle $tmp/bundle-nocg b6"
crun_lim="crun --root $tmp/s-crun run --bundle $tmp/bundle-lim b7"
dxen_nocg="$BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run run --rm --network none --cgroups disabled busybox true"
dxen_lim="$BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run run --rm --network none --memory 64m --pids-limit 100 --cpus 0.5 busybox true"
crun="crun --root $tmp/s-crun run --bundle $tmp/bundle-oci b2"
runc="runc --root $tmp/s-runc run --bundle $tmp/bundle-oci b3"
dxen="$BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run run --rm --network none busybox true"
# The default bridge network (veth pair, address, route), in a network
# namespace of the bench's own: the machine's network is not touched.
benchns=dxc-bench-$$
ip netns add "$benchns"
ip -n "$benchns" link set lo up
dxen_br="nsenter --net=/run/netns/$benchns $BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run run --rm busybox true"
pdmn="${podman[*]} run --rm --network none localhost/busybox true"
# The copy storage driver (the store on an overlay, as in a container):
# ours on the same store, podman's own copying driver (vfs) on a store of
# its own.
dxen_copy="$BIN/devoxx-container --root $tmp/dx-root --runroot $tmp/dx-run --storage-driver copy run --rm --network none busybox true"
podman_vfs=(podman --root "$tmp/podman-vfs" --runroot "$tmp/podman-vfs-run" --runtime runc --storage-driver vfs)
"${podman_vfs[@]}" import --change 'CMD ["sh"]' "$tar" localhost/busybox:latest >/dev/null
pdmn_vfs="${podman_vfs[*]} run --rm --network none localhost/busybox true"

# crun refuses hybrid cgroups: every runtime command runs in a mount
# namespace where the cgroup2 mount is hidden, so all pay the same.
hide_unified='umount /sys/fs/cgroup/unified 2>/dev/null || true'
unshare -m --propagation private sh -c "$hide_unified; hyperfine -N --warmup 5 --runs $RUNS \
  --export-json $tmp/runtime.json -n devoxx-runtime '$dxrt' -n crun '$crun' -n runc '$runc'" >&2
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/engine.json" \
  -n "devoxx-container run --rm" "$dxen" -n "podman run --rm --network none" "$pdmn" \
  -n "devoxx-container run --rm, bridge network" "$dxen_br" \
  -n "devoxx-container run --rm, copy driver" "$dxen_copy" \
  -n "podman run --rm --network none, vfs driver" "$pdmn_vfs" >&2
ip netns del "$benchns"
unshare -m --propagation private sh -c "$hide_unified; hyperfine -N --warmup 5 --runs $RUNS \
  --export-json $tmp/cgroups.json \
  -n 'devoxx-runtime, cgroups disabled' '$dxrt_nocg' -n 'devoxx-runtime, cgroup' '$dxrt' \
  -n 'devoxx-runtime, cgroup + limits' '$dxrt_lim' \
  -n 'crun, cgroups disabled' '$crun_nocg' -n 'crun, cgroup' '$crun' \
  -n 'crun, cgroup + limits' '$crun_lim' \
  -n 'devoxx-container, cgroups disabled' '$dxen_nocg' -n 'devoxx-container, cgroup' '$dxen' \
  -n 'devoxx-container, cgroup + limits' '$dxen_lim'" >&2

peak_rss() { # command... -> max RSS in kB over 5 runs
  local max=0 r
  for _ in 1 2 3 4 5; do
    r=$(unshare -m --propagation private sh -c "$hide_unified; /usr/bin/time -f %M $* 2>&1 >/dev/null | tail -1")
    [ "$r" -gt "$max" ] && max=$r
  done
  echo "$max"
}

report() { # json, baseline name
  jq -r --arg base "$2" '
    (.results[] | select(.command == $base) | .median) as $b
    | .results[] | "| \(.command) | \(.median * 1000 | . * 100 | round / 100) ms | \(.mean * 1000 | . * 100 | round / 100) ms | \(.median / $b | . * 100 | round / 100) |"' "$1"
}

{
  echo "# Benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), $RUNS runs"
  echo
  echo "## Runtime: run of /bin/true from one busybox bundle"
  echo
  echo "| runtime | median | mean | median / devoxx-runtime |"
  echo "| --- | --- | --- | --- |"
  report "$tmp/runtime.json" devoxx-runtime
  echo
  echo "## Engine: run --rm busybox true"
  echo
  echo "| engine | median | mean | median / devoxx-container |"
  echo "| --- | --- | --- | --- |"
  report "$tmp/engine.json" "devoxx-container run --rm"
  pod=$(jq '.results[] | select(.command == "podman run --rm --network none") | .median' "$tmp/engine.json")
  dx=$(jq '.results[] | select(.command == "devoxx-container run --rm") | .median' "$tmp/engine.json")
  echo
  echo "podman / devoxx-container: $(jq -n "$pod / $dx | . * 10 | round / 10")x"
  echo
  echo "## Cgroups: what setup and removal add to a run"
  echo
  echo "Limits: memory 64 MiB, 100 pids, half a CPU. Each row against the same"
  echo "program's run with cgroups disabled (unified hierarchy hidden, as for crun)."
  echo
  echo "| run | median | added |"
  echo "| --- | --- | --- |"
  jq -r '.results as $r
    | ($r | map({key: .command, value: .median}) | from_entries) as $m
    | $r[] | .command as $c
    | ($c | sub(", .*"; ", cgroups disabled")) as $base
    | "| \($c) | \(.median * 1000 | . * 100 | round / 100) ms | \((.median - $m[$base]) * 1000 | . * 100 | round / 100) ms |"' \
    "$tmp/cgroups.json"
  echo
  echo "## Peak RSS (max of 5 runs, /usr/bin/time %M)"
  echo
  echo "| command | peak RSS |"
  echo "| --- | --- |"
  echo "| devoxx-runtime run | $(peak_rss "$dxrt") kB |"
  echo "| crun run | $(peak_rss "$crun") kB |"
  echo "| runc run | $(peak_rss "$runc") kB |"
  echo "| devoxx-container run --rm | $(peak_rss "$dxen") kB |"
  echo "| podman run --rm | $(peak_rss "$pdmn") kB |"
} | tee "$results/latest.md"
