#!/usr/bin/env bats
# Networking: the default bridge, veth pairs, addresses, NAT, published
# ports, resolv.conf and hosts, --network none/host, user-defined networks.
# Each test runs the engine in a network namespace of its own that stands
# for the host (helpers.bash: make_test_netns); traffic goes only to its
# loopback, its bridge and the containers' namespaces.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  common_setup
  dxc run --rm --network none busybox true 2>/dev/null
}

teardown() {
  # containers a failed test left running: stopped, so that their engines
  # clean up (cgroup, lease, ports) before the files go
  local name
  for name in $(cat "$TEST_TMP/bg.list" 2>/dev/null); do
    stop_bg "$name" 2>/dev/null || true
  done
  common_teardown
}

# start_bg NAME ARGS...: a container in the background; waits for it to run.
# fd 3 (bats' own output) is closed for it: bats would wait for it to end.
start_bg() {
  local name=$1 i pid; shift
  echo "$name" >> "$TEST_TMP/bg.list"
  dxc run --rm --name "$name" "$@" > "$TEST_TMP/$name.log" 2>&1 3>&- &
  for i in $(seq 100); do
    pid=$(dxc inspect "$name" 2>/dev/null | jq -r '.[0].State.Pid // 0')
    [ "${pid:-0}" -gt 0 ] && break
    sleep 0.1
  done
  [ "${pid:-0}" -gt 0 ]
}

# stop_bg NAME: kill the container's first process (PID 1 of its namespace
# ignores SIGTERM without a handler, as in Docker); the engine cleans up.
stop_bg() {
  local pid
  pid=$(dxc inspect "$1" 2>/dev/null | jq -r '.[0].State.Pid // 0')
  [ "${pid:-0}" -gt 0 ] || return 0
  kill -9 "$pid"
  for _ in $(seq 100); do
    dxc inspect "$1" >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  return 1
}

# The default network of the test's store: its subnet prefix ("10.89.0."),
# gateway and bridge (each store has its own).
net_facts() {
  local doc
  doc=$(dxc network inspect bridge)
  SUBNET=$(jq -r '.[0].Subnet' <<<"$doc")
  GW=$(jq -r '.[0].Gateway' <<<"$doc")
  BRIDGE=$(jq -r '.[0].Bridge' <<<"$doc")
  NET_PREFIX=${GW%.1}.
}

ip_of() {
  dxc inspect "$1" | jq -r '.[0].NetworkSettings.IPAddress'
}

http_get() { # from the host namespace: curl
  in_netns curl -s -m 3 "$1"
}

@test "eth0 has its address from the subnet and a default route; lo is up" {
  run dxc run --rm busybox sh -c 'ip -4 addr show eth0; ip route; ip link show lo'
  [ "$status" -eq 0 ]
  net_facts
  [[ "$SUBNET" == 10.*.0.0/16 ]]
  [[ "$output" == *"inet ${NET_PREFIX}2/16"* ]]
  [[ "$output" == *"default via $GW dev eth0"* ]]
  [[ "$output" == *"lo: <LOOPBACK,UP,LOWER_UP>"* ]]
  # the host end: a veth on the bridge, gone with the container's namespace
  in_netns ip -br addr show "$BRIDGE" | grep -q "$GW/16"
  for _ in $(seq 50); do
    [ -z "$(in_netns ip -br link | grep '^vx')" ] && break
    sleep 0.1
  done
  [ -z "$(in_netns ip -br link | grep '^vx')" ]
  [ "$(in_netns cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
}

@test "two containers on one bridge reach each other" {
  start_bg peer busybox nc -l -p 7000 -e echo pong
  local ip
  ip=$(ip_of peer)
  net_facts
  [[ "$ip" == "$NET_PREFIX"* ]]
  run dxc run --rm busybox sh -c "ping -c 1 -W 2 $ip >/dev/null && echo ping-ok; nc -w 2 $ip 7000 </dev/null"
  [[ "$output" == *ping-ok* ]]
  [[ "$output" == *pong* ]]
  stop_bg peer || true
}

@test "-p publishes a port: 127.0.0.1, the bridge address and other containers reach it" {
  mkdir -p "$TEST_TMP/www"
  echo hello-from-httpd > "$TEST_TMP/www/index.html"
  start_bg web -p 8080:80 -v "$TEST_TMP/www:/www" busybox httpd -f -p 80 -h /www
  net_facts
  [ "$(http_get http://127.0.0.1:8080/)" = hello-from-httpd ]
  [ "$(http_get "http://$GW:8080/")" = hello-from-httpd ]
  # from another container, through the host's port (hairpin NAT)
  run dxc run --rm busybox sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $GW 8080 | tail -1"
  [ "$output" = hello-from-httpd ]
  [ "$(dxc inspect web | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = 8080 ]
  # a second container cannot take the port
  run dxc run --rm -p 8080:80 busybox true
  [ "$status" -eq 125 ]
  [ "$output" = "devoxx-container: Bind for 0.0.0.0:8080 failed: port is already allocated" ]
  stop_bg web
  # the rule went with the container
  [ -z "$(http_get http://127.0.0.1:8080/)" ]
  ! in_netns nft list map ip devoxx tcp_any | grep -q 8080
}

@test "-p with the container port alone: a free host port, shown and working" {
  mkdir -p "$TEST_TMP/www"
  echo random-port > "$TEST_TMP/www/index.html"
  start_bg web2 -p 80 -v "$TEST_TMP/www:/www" busybox httpd -f -p 80 -h /www
  grep -q "published 0.0.0.0:[0-9]* -> 80/tcp" "$TEST_TMP/web2.log"
  port=$(sed -n 's/.*published 0.0.0.0:\([0-9]*\) -> 80\/tcp.*/\1/p' "$TEST_TMP/web2.log")
  [ "$(http_get "http://127.0.0.1:$port/")" = random-port ]
  stop_bg web2
}

@test "--network none has only lo; --network host sees the host's interfaces" {
  run dxc run --rm --network none busybox ip -o link
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" == *"lo:"* ]]
  in_netns ip link add dxhostif type veth peer name dxhostif2
  run dxc run --rm --network host busybox ip -o link
  in_netns ip link del dxhostif
  [[ "$output" == *dxhostif* ]]
}

@test "resolv.conf: the host's nameservers, a local stub's upstreams, or --dns" {
  # The engine sees files of our making: a private mount namespace.
  printf 'nameserver 192.0.2.53\nsearch example.test\n' > "$TEST_TMP/resolv.plain"
  printf 'nameserver 127.0.0.53\noptions edns0\n' > "$TEST_TMP/resolv.stub"
  printf 'nameserver 198.51.100.7\n' > "$TEST_TMP/resolv.upstream"
  # in the test's network namespace, then a mount namespace of our own
  # where /etc/resolv.conf and /run are ours
  in_ns_with() { # RESOLV [UPSTREAM]
    in_netns unshare -m sh -c "mount --bind $1 /etc/resolv.conf &&
      mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/resolve &&
      { [ -z '$2' ] || cp '$2' /run/systemd/resolve/resolv.conf; } &&
      exec $ENGINE_BIN --root $ROOT --runroot $RUNROOT run --rm busybox cat /etc/resolv.conf"
  }
  run in_ns_with "$TEST_TMP/resolv.plain"
  [[ "$output" == *"nameserver 192.0.2.53"* ]]
  [[ "$output" == *"search example.test"* ]]
  run in_ns_with "$TEST_TMP/resolv.stub" "$TEST_TMP/resolv.upstream"
  [[ "$output" == *"nameserver 198.51.100.7"* ]]
  [[ "$output" != *127.0.0.53* ]]
  [[ "$output" == *"options edns0"* ]]
  # a stub and no upstream list: Docker's fallback
  run in_ns_with "$TEST_TMP/resolv.stub"
  [[ "$output" == *"nameserver 8.8.8.8"* ]]
  run dxc run --rm --dns 203.0.113.9 busybox cat /etc/resolv.conf
  [[ "$output" == *"nameserver 203.0.113.9"* ]]
  [ "$(grep -c nameserver <<<"$output")" -eq 1 ]
}

@test "/etc/hosts and /etc/hostname: the name, the address, --add-host; the image untouched" {
  run dxc run --rm --name named1 -h box1 --add-host db.test:192.0.2.10 busybox \
    sh -c 'cat /etc/hostname; cat /etc/hosts; hostname'
  [ "${lines[0]}" = box1 ]
  [[ "$output" == *"127.0.0.1	localhost"* ]]
  net_facts
  [[ "$output" == *"${NET_PREFIX}"*"	box1 named1"* ]]
  [[ "$output" == *"192.0.2.10	db.test"* ]]
  [ "${lines[-1]}" = box1 ]
  # the image's own files are unchanged (bind mounts from the container's directory)
  run dxc run --rm --network none --entrypoint "" busybox sh -c 'mount | grep -c " /etc/hosts "'
  [ "$output" = 1 ]
  [ -z "$(find "$ROOT/layers" -path '*etc/hosts' 2>/dev/null)" ] || \
    ! grep -q named1 $(find "$ROOT/layers" -path '*etc/hosts')
}

@test "user-defined networks: create, ls, inspect, rm; their own subnet and bridge" {
  run dxc network create --subnet 10.123.4.0/24 backend
  [ "$status" -eq 0 ]
  bridge=$(dxc network inspect backend | jq -r '.[0].Bridge')
  run dxc run --rm --network backend busybox ip -4 addr show eth0
  [[ "$output" == *"inet 10.123.4.2/24"* ]]
  in_netns ip -br link show "$bridge" | grep -q UP
  run dxc network ls
  [[ "$output" == *backend*10.123.4.0/24* ]]
  net_facts
  [[ "$output" == *bridge*"$SUBNET"* ]]
  start_bg onback --network backend busybox sleep 30
  run dxc network rm backend
  [ "$status" -eq 1 ]
  [[ "$output" == *"has active endpoints"* ]]
  stop_bg onback
  run dxc network rm backend
  [ "$status" -eq 0 ]
  ! in_netns ip link show "$bridge" 2>/dev/null
  run dxc network rm bridge
  [[ "$output" == *"pre-defined network"* ]]
}

@test "after 100 runs no interface, rule or lease is left" {
  local i before
  dxc run --rm busybox true
  # the links but the veth pairs (which go asynchronously)
  links() { in_netns ip -br link | awk '{print $1}' | grep -v '^vx' | sort | tr '\n' ' '; }
  before=$(links)
  for i in $(seq 100); do
    dxc run --rm -p 80 busybox true 2>/dev/null
  done
  # the kernel removes each veth with its namespace, asynchronously (in
  # batches: after 100 quick runs this can take seconds)
  for i in $(seq 300); do
    [ -z "$(in_netns ip -br link | grep '^vx')" ] && break
    sleep 0.1
  done
  [ -z "$(in_netns ip -br link | grep '^vx')" ]
  [ "$(links)" = "$before" ]
  net_facts
  [[ "$before" == *"$BRIDGE"* ]]
  [ -z "$(grep '^vx' <<<"$before")" ]
  [ -z "$(ls -A "$ROOT/networks/bridge.leases" | grep -v '^\.lock$')" ]
  ! in_netns nft list map ip devoxx tcp_any | grep -q elements
}

@test "what a killed engine left is reclaimed by the next run" {
  start_bg victim -p 8090:80 busybox sleep 100
  local engine
  engine=$(pgrep -f "devoxx-container.*--name victim" | head -1)
  kill -9 "$engine"
  sleep 0.5
  # the lease and the port are still there...
  [ -n "$(ls "$ROOT/networks/bridge.leases" | grep -v '^\.lock$')" ]
  in_netns nft list map ip devoxx tcp_any | grep -q 8090
  # ...until the next command that needs an address
  run dxc run --rm -p 8090:80 busybox true
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$ROOT/networks/bridge.leases" | grep -v '^\.lock$')" ]
  ! in_netns nft list map ip devoxx tcp_any | grep -q 8090
}

no_lease_left() {
  [ -z "$(ls -A "$ROOT/networks/bridge.leases" 2>/dev/null | grep -v '^\.lock$')" ]
}

@test "bad network input: one line, exit 125, nothing left" {
  bad_runs no_lease_left <<'EOF'
-p abc|invalid containerPort: abc
-p 70000:80|invalid hostPort: 70000
-p 8080:80/sctp|invalid proto: sctp
-p 1.2.3:80:80|invalid IP address: 1.2.3
-p 1:2:3:4|invalid port specification
-p 8080:80 -p 8080:81|published twice
-p 192.0.2.99:8080:80|is not an address of this host
--network nosuch|network nosuch not found
--network none -p 80|need a bridge network
--dns nope|not an IPv4 address
--add-host nocolon|NAME:IP
EOF
  # a port a host process listens on
  # (nc itself in the background, so that $! is nc and the kill ends it)
  busybox nc -l -p 8099 >/dev/null 2>&1 3>&- &
  sleep 0.3
  run dxc run --rm -p 8099:80 busybox true
  kill $! 2>/dev/null || true
  wait $! 2>/dev/null || true
  [ "$status" -eq 125 ]
  [ "$output" = "devoxx-container: Bind for 0.0.0.0:8099 failed: port is already allocated" ]
}

@test "an exhausted subnet and an overlapping one are refused" {
  run dxc network create --subnet 10.99.0.0/30 tiny
  [ "$status" -eq 0 ]
  # a /30 has one address beside the gateway
  start_bg only --network tiny busybox sleep 30
  run dxc run --rm --network tiny busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"no available IPv4 addresses on network tiny"* ]]
  stop_bg only
  # a subnet of the host's routes, and one of another network
  in_netns ip link add dxroute type veth peer name dxroute2
  in_netns ip addr add 10.77.1.1/24 dev dxroute
  in_netns ip link set dxroute up
  in_netns ip link set dxroute2 up
  run dxc network create --subnet 10.77.0.0/16 clash
  [ "$status" -eq 1 ]
  [[ "$output" == *"overlaps with the host's route to 10.77.1.0/24"* ]]
  run dxc network create --subnet 10.99.0.0/29 clash2
  in_netns ip link del dxroute
  [[ "$output" == *"overlaps with network tiny"* ]]
  run dxc network create --subnet 10.1.2.3/16 badnet
  [[ "$output" == *"invalid subnet"* ]]
  [ -z "$(dxc network ls | grep -E 'clash|badnet')" ]
}

@test "NAT: a container reaches the outside with the host's address (masquerade)" {
  # "outside": another namespace of the test's, behind a veth pair
  local out=dxc-out-$$ peer
  ip netns add "$out"
  in_netns ip link add dxout type veth peer name dxoutp
  in_netns ip link set dxoutp netns "$out"
  in_netns ip addr add 203.0.113.1/24 dev dxout
  in_netns ip link set dxout up
  ip -n "$out" addr add 203.0.113.2/24 dev dxoutp
  ip -n "$out" link set dxoutp up
  ip netns exec "$out" python3 -c '
import socket
s = socket.socket(); s.bind(("203.0.113.2", 9000)); s.listen(1); s.settimeout(10)
c, a = s.accept(); print(a[0]); c.close()' > "$TEST_TMP/peer" 2>&1 3>&- &
  local listener=$!
  # listening before the container connects (python starts slowly under load)
  for _ in $(seq 100); do
    ip netns exec "$out" ss -ltn 'sport = :9000' | grep -q LISTEN && break
    sleep 0.05
  done
  run dxc run --rm busybox sh -c 'echo hi | nc -w 3 203.0.113.2 9000; echo sent'
  wait "$listener" || true
  peer=$(cat "$TEST_TMP/peer")
  in_netns ip link del dxout
  ip netns del "$out"
  [[ "$output" == *sent* ]]
  # the outside saw the host's address, not the container's
  [ "$peer" = 203.0.113.1 ]
}

@test "many containers starting at once get different addresses" {
  local i
  for i in $(seq 12); do
    dxc run --rm busybox sh -c 'ip -4 -o addr show eth0 | awk "{print \$4}"; sleep 1' \
      > "$TEST_TMP/addr.$i" 2>&1 3>&- &
  done
  wait
  cat "$TEST_TMP"/addr.* | sort > "$TEST_TMP/all"
  cat "$TEST_TMP/all"
  [ "$(wc -l < "$TEST_TMP/all")" -eq 12 ]
  [ "$(sort -u "$TEST_TMP/all" | wc -l)" -eq 12 ]
  [ -z "$(ls -A "$ROOT/networks/bridge.leases" | grep -v '^\.lock$')" ]
}

@test "a store removed and made again: its bridge gets the new network's address" {
  dxc run --rm busybox true
  local br old new
  br=$(jq -r .Bridge "$ROOT/networks/bridge.json")
  old=$(jq -r '.Subnet' "$ROOT/networks/bridge.json")
  # the store goes (a reinstall), its bridge stays with the old address
  rm -rf "$ROOT"
  run dxc run --rm busybox sh -c 'ip route | grep default; ping -c 1 -W 2 $(ip route | sed -n "s/default via \([0-9.]*\).*/\1/p")'
  echo "$output"
  new=$(jq -r '.Subnet' "$ROOT/networks/bridge.json")
  echo "old $old new $new"
  [ "$status" -eq 0 ]
  [[ "$output" == *"1 packets received"* ]]
  # the bridge holds the new network's gateway, and only it
  [ "$(in_netns ip -4 -o addr show dev "$br" | wc -l)" -eq 1 ]
  in_netns ip -4 -o addr show dev "$br" | grep -q "$(jq -r .Gateway "$ROOT/networks/bridge.json")/"
}

@test "a published port whose owner's store is gone does not block the port" {
  start_bg victim -p 8091:80 busybox sleep 100
  local engine
  engine=$(pgrep -f "devoxx-container.*--name victim" | head -1)
  kill -9 "$engine"
  sleep 0.5
  # the element names its lease; the store (and the lease) go
  in_netns nft list map ip devoxx tcp_any | grep -q 8091
  rm -rf "$ROOT"
  run dxc run --rm -p 8091:80 busybox true
  echo "$output"
  [ "$status" -eq 0 ]
  ! in_netns nft list map ip devoxx tcp_any | grep -q 8091
  # one with a live owner still blocks
  start_bg holder -p 8092:80 busybox sleep 100
  run dxc run --rm -p 8092:80 busybox true
  [ "$status" -eq 125 ]
  [[ "$output" == *"port is already allocated"* ]]
  stop_bg holder
}
