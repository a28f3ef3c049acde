# A real registry (Debian's docker-registry, the CNCF distribution registry)
# on 127.0.0.1, started and stopped by the tests, and images built offline
# with umoci from the busybox root and pushed with skopeo.

# free_port: a port no socket uses, below the ephemeral range.
free_port() {
  local port low
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
  port=$(shuf -i 20000-$((low - 1)) -n 1)
  while [ -n "$(ss -Htan "sport = :$port")" ]; do port=$(shuf -i 20000-$((low - 1)) -n 1); done
  echo "$port"
}

# start_registry DIR [extra yaml]: listens on a free port; sets REGISTRY.
start_registry() {
  local dir=$1 extra=${2:-} port
  mkdir -p "$dir/data"
  # a free port: below the kernel's ephemeral range (where outgoing
  # connections take theirs), and used by no socket now
  port=$(free_port)
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$extra
YML
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  REGISTRY=127.0.0.1:$port
  for _ in $(seq 100); do
    curl -sk -o /dev/null "http://$REGISTRY/v2/" && return 0
    curl -sk -o /dev/null "https://$REGISTRY/v2/" && return 0
    sleep 0.1
  done
  cat "$dir/log" >&2
  return 1
}

stop_registry() {
  local dir=$1
  [ -f "$dir/pid" ] || return 0
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  wait "$(cat "$dir/pid")" 2>/dev/null || true
  rm -f "$dir/pid"
}

# make_oci_image LAYOUT TAG: a one-layer busybox image, Cmd ["sh"].
make_oci_image() {
  local layout=$1 tag=$2 b=$TEST_TMP/umoci-bundle-$2
  [ -d "$layout" ] || umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci unpack --image "$layout:$tag" "$b" >/dev/null
  tar -C "$b/rootfs" -xf "$(busybox_tar)"
  umoci repack --image "$layout:$tag" "$b"
  umoci config --image "$layout:$tag" --config.cmd sh --config.env PATH=/bin:/usr/bin
  rm -rf "$b"
}

# add_layer LAYOUT TAG FROM-DIR: a layer from the files of a directory (tar
# of it, whiteouts included as the directory holds them).
add_layer() {
  local layout=$1 tag=$2 dir=$3
  tar -C "$dir" --owner=0 --group=0 --numeric-owner -cf "$TEST_TMP/layer.tar" .
  umoci raw add-layer --image "$layout:$tag" "$TEST_TMP/layer.tar"
}

# push LAYOUT TAG NAME [skopeo options]
push() {
  local layout=$1 tag=$2 name=$3; shift 3
  skopeo copy -q --dest-tls-verify=false "$@" "oci:$layout:$tag" "docker://$REGISTRY/$name" >/dev/null
}

# tree_facts DIR: one line per entry: path, type, mode, owner, size,
# modification time (files and links), content hash or link target. Whiteout devices are not files of the image.
tree_facts() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
    if [ -L "$f" ]; then
      echo "$f link $(stat -c '%u:%g %Y' "$f") -> $(readlink "$f")"
    elif [ -d "$f" ]; then
      echo "$f dir $(stat -c '%a %u:%g' "$f")"
    elif [ -f "$f" ]; then
      echo "$f file $(stat -c '%a %u:%g %s %Y' "$f") $(sha256sum < "$f" | cut -c1-16)"
    else
      echo "$f other $(stat -c '%F %a %u:%g %t:%T' "$f")"
    fi
  done)
}

# merged_view IMAGE-LAYER-DIRS(top first, colon-separated) MOUNTPOINT
merged_view() {
  mkdir -p "$2"
  mount -t overlay overlay -o "lowerdir=$1" "$2"
}

# copy_driver_facts ROOT IMAGE: tree_facts of the root the copy driver makes
# for IMAGE from the store at ROOT (a container that ran true, its rootfs
# kept), without what the runtime adds (under the mount points, the
# network files).
copy_driver_facts() {
  local id
  dxc --root "$1" --storage-driver copy run --network none --name copyview "$2" true
  id=$(dxc --root "$1" inspect copyview | jq -r '.[0].Id')
  tree_facts "$1/containers/$id/rootfs" |
    grep -Ev '^\./(proc|sys|dev)/|^\./etc/(hosts|hostname|resolv\.conf) '
  dxc --root "$1" rm copyview >/dev/null
}

# make_slow_image LAYOUT TAG: busybox plus three layers of incompressible
# data (8 MB each): a pull that lasts long enough to be interrupted.
make_slow_image() {
  local layout=$1 tag=$2 d=$TEST_TMP/slow
  make_oci_image "$layout" "$tag"
  for n in 1 2 3; do
    rm -rf "$d"; mkdir -p "$d/data"
    head -c 8M /dev/urandom > "$d/data/blob$n"
    add_layer "$layout" "$tag" "$d"
  done
  rm -rf "$d"
}
