#!/bin/sh
# The cgroup tests on a pure cgroup v2 machine, run inside the VM that
# tests/vm/boot.sh boots. Each check prints "VMTEST ok NAME" or
# "VMTEST not ok NAME: why"; tests/integration/cgroups-v2.bats reads them.
dxc() { devoxx-container --root /var/store --runroot /run/dxc "$@"; }
ok() { echo "VMTEST ok $1"; }
fail() { echo "VMTEST not ok $1: $2"; }
left() { find /sys/fs/cgroup -mindepth 1 -type d -name "$1" | head -3; }

echo "VMTEST note start $(cut -d" " -f1 /proc/uptime)"
dxc run --network none --rm busybox true 2>/dev/null
echo "VMTEST note demo imported $(cut -d" " -f1 /proc/uptime)"

# OOM: 137 and the report
out=$(dxc run --network none --name hog --cgroup-parent t-oom --memory 32m busybox tail /dev/zero 2>&1)
rc=$?
if [ $rc -eq 137 ] && echo "$out" | grep -q "OOM killer ended it (--memory 32 MiB)" \
   && dxc inspect hog | grep -q '"OOMKilled": true'; then ok oom
else fail oom "rc=$rc $out"; fi
dxc rm hog >/dev/null
[ -z "$(left t-oom)" ] && ok oom-cleanup || fail oom-cleanup "$(left t-oom)"

# pids: a fork bomb is contained
out=$(dxc run --network none --rm --cgroup-parent t-pids --pids-limit 20 busybox sh -c '
  sleep 5 & s=$!
  bomb() { bomb | bomb & }
  ( bomb ) 2>/dev/null &
  wait $s
  read max < /sys/fs/cgroup/pids.max; read ev n < /sys/fs/cgroup/pids.events
  echo "max=$max refused=$n"' 2>&1)
# the bomb reached the limit: pids.events counts the forks refused there
n=$(echo "$out" | sed -n 's/.*refused=\([0-9]*\).*/\1/p')
if echo "$out" | grep -q "max=20" && [ "${n:-0}" -gt 0 ]; then ok pids
else fail pids "$out"; fi
[ -z "$(left t-pids)" ] && ok pids-cleanup || fail pids-cleanup "$(left t-pids)"

# cpu: --cpus 0.5 from cpu.stat's usage_usec over 3 s
out=$(dxc run --network none --rm --cgroup-parent t-cpu --cpus 0.5 busybox sh -c '
  u() { sed -n "s/^usage_usec //p" /sys/fs/cgroup/cpu.stat; }
  while :; do :; done &
  sleep 1; a=$(u); sleep 3; b=$(u)
  echo $(( (b - a) / 30000 ))' 2>&1)
pct=$(echo "$out" | tail -1)
if [ "${pct:-0}" -ge 35 ] 2>/dev/null && [ "$pct" -le 65 ]; then ok cpus "$pct"
else fail cpus "$out"; fi
echo "VMTEST note cpus: $pct percent of one CPU"

# values in the files
out=$(dxc run --network none --rm --cgroup-parent t-val --memory 64m --memory-swap 96m \
  --memory-reservation 32m --cpu-shares 512 --cpu-period 50000 --cpu-quota 25000 \
  --cpuset-cpus 0 --cpuset-mems 0 --pids-limit 42 busybox sh -c '
  c=/sys/fs/cgroup
  cat $c/memory.max $c/memory.swap.max $c/memory.low $c/cpu.weight $c/cpu.max \
      $c/cpuset.cpus $c/cpuset.mems $c/pids.max' 2>&1)
got=$(echo $out)
want="67108864 33554432 33554432 20 25000 50000 0 0 42"
[ "$got" = "$want" ] && ok values || fail values "got '$got' want '$want'"

# cgroup namespace
out=$(dxc run --network none --rm --cgroup-parent t-ns busybox cat /proc/self/cgroup 2>&1)
[ "$out" = "0::/" ] && ok cgroupns || fail cgroupns "$out"
out=$(dxc run --network none --rm --cgroup-parent t-ns --cgroupns host busybox cat /proc/self/cgroup 2>&1)
case "$out" in 0::/t-ns/*) ok cgroupns-host ;; *) fail cgroupns-host "$out" ;; esac

# devices: the eBPF program allows the usual nodes and refuses others
out=$(dxc run --network none --rm --cgroup-parent t-dev busybox sh -c '
  echo x > /dev/null && head -c 4 /dev/zero | wc -c
  mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem' 2>&1)
if echo "$out" | head -1 | grep -qx 4 && echo "$out" | grep -q "/tmp/mem: Operation not permitted"; then
  ok devices
else fail devices "$out"; fi

# read-only /sys/fs/cgroup
out=$(dxc run --network none --rm --cgroup-parent t-ro --pids-limit 10 busybox sh -c \
  'echo 1000 > /sys/fs/cgroup/pids.max; cat /sys/fs/cgroup/pids.max' 2>&1)
echo "$out" | grep -q "Read-only file system" && [ "$(echo "$out" | tail -1)" = 10 ] \
  && ok readonly || fail readonly "$out"

# many runs leave nothing
i=0
while [ $i -lt 10 ]; do
  dxc run --network none --rm --cgroup-parent t-many --memory 16m --pids-limit 50 busybox true || break
  i=$((i + 1))
done
[ $i -eq 10 ] && [ -z "$(left t-many)" ] && ok many || fail many "i=$i $(left t-many)"

# bad input: exit 125, one line, nothing created
out=$(dxc run --network none --rm --cgroup-parent t-bad --cpuset-cpus 7 busybox true 2>&1); rc=$?
[ $rc -eq 125 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] \
  && echo "$out" | grep -q "Requested CPUs are not available" && [ -z "$(left t-bad)" ] \
  && ok bad-cpuset || fail bad-cpuset "rc=$rc $out"

# runtime: a relative cgroupsPath is taken from the root on v2
# (/tests/config.json: made on the host, cgroupsPath t-rt/c1)
mkdir -p /tmp/b/rootfs/bin && cp /tests/config.json /tmp/b/
cp /bin/busybox /tmp/b/rootfs/bin/ && ln -s busybox /tmp/b/rootfs/bin/cat
out=$(devoxx-runtime --root /run/rt run --bundle /tmp/b c1 2>&1)
[ "$out" = "0::/t-rt/c1" ] && [ -z "$(left c1)" ] && ok runtime-path || fail runtime-path "$out"
dxc run --network none --name dflt busybox true >/dev/null 2>&1
dxc rm dflt >/dev/null 2>&1
[ ! -d /sys/fs/cgroup/devoxx ] && ok default-parent-gone \
  || fail default-parent-gone "$(ls /sys/fs/cgroup/devoxx)"
echo "VMTEST note end $(cut -d" " -f1 /proc/uptime)"
