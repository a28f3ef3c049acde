# Shared by the benchmarks (sourced): the temporary directory, removed with
# its mounts at exit, and podman set up to run on this machine.

# bench_tmp PREFIX: sets tmp, removed at exit (after cleanup_extra, if set).
bench_tmp() {
  tmp=$(mktemp -d "/tmp/$1.XXXXXX")
  trap bench_cleanup EXIT
}

bench_cleanup() {
  if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
  awk -v p="$tmp" '$5 ~ "^" p {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$tmp"
}

# podman with no default rlimits (podman's nofile=1048576 cannot be set
# here: see ../shared/MACHINE.md), cgroupfs and file events: no systemd.
bench_podman_conf() {
  cat > "$tmp/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
events_logger = "file"
cgroup_manager = "cgroupfs"
CONF
  export CONTAINERS_CONF=$tmp/containers.conf
}
