#!/bin/bash
# CI's second lane (issue #12): the whole suite inside a privileged podman
# container (runc) whose root is an overlay of this machine's own Debian
# (podman --rootfs /:O), with the project's tree copied into it: the tree,
# /tmp and every store the tests make are on overlayfs, as on CI runners and
# in Docker-in-Docker. The container shares the machine's network namespace
# (the suite makes a network namespace per file, as on the machine) and sees
# the machine's cgroup v1 hierarchies.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "overlay-lane: run as root" >&2
  exit 1
fi
command -v podman >/dev/null ||
  apt-get install -y -q --no-install-recommends podman >/dev/null
# podman's own store on the machine's file system, removed at the end.
tmp=$(mktemp -d /var/tmp/dxc-overlay-lane.XXXXXX)
pm=(podman --runtime runc --root "$tmp/root" --runroot "$tmp/run")
cleanup() {
  "${pm[@]}" rm -af >/dev/null 2>&1 || true
  "${pm[@]}" system reset -f >/dev/null 2>&1 || true
  awk -v p="$tmp" '$5 ~ "^" p {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
# podman set up for this machine as the benchmarks do (no default rlimits,
# no systemd): bench/common.sh.
. "$repo/bench/common.sh"
bench_podman_conf
# The suite's own status comes back in a file: podman's exit status is not
# the suite's (podman inside, in podman.bats, once left the outer podman
# unable to read its container's exit code: 127 after 238 passed).
mkdir -p "$tmp/out"
"${pm[@]}" run --rm --privileged --network host \
  -v "$repo:/src:ro" -v "$tmp/out:/out" -e TESTS="${TESTS:-}" \
  --rootfs /:O /bin/bash -c '
    set -u
    [ "$(stat -f -c %T /)" = overlayfs ] || { echo "overlay-lane: / is not an overlay" >&2; echo 1 > /out/rc; exit 1; }
    rm -rf /build && cp -a /src /build && cd /build
    make -j"$(nproc)" >/dev/null && make check
    echo $? > /out/rc' || true
if [ ! -s "$tmp/out/rc" ]; then
  echo "overlay-lane: the suite did not finish" >&2
  exit 1
fi
exit "$(cat "$tmp/out/rc")"
