#!/bin/sh
# Boot Debian's kernel under qemu (software emulation) on a pure cgroup v2
# system, run a test script there as root, print its console to stdout.
#
#   tests/vm/boot.sh SCRIPT [WORKDIR]
#   tests/vm/boot.sh --fetch [WORKDIR]   only download the kernel (the tests
#                                        run without network access)
#
# The initramfs holds busybox, devoxx-container and devoxx-runtime with the
# shared libraries they load (ldd), the kernel's overlay module and SCRIPT.
# The kernel package comes from Debian's archive (apt-get download) and is
# kept in WORKDIR (default build/vm) for the next run. The script's lines
# starting with "VMTEST " are the results; "VMTEST done" ends the run.
# VM_FILES: more files for /tests in the VM. VM_QEMU_OPTS: more qemu options
# (-cpu max, -smp 2); VM_APPEND: more kernel parameters.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
script=$1
work=${2:-$repo/build/vm}
bin=${DXC_BIN_DIR:-$repo/bin}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# The kernel: the package linux-image-amd64 points at today.
if ! ls "$work"/kernel/boot/vmlinuz-* >/dev/null 2>&1; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
  [ -n "$pkg" ] || { echo "boot.sh: no linux-image package known to apt" >&2; exit 1; }
  (cd "$work" && rm -f linux-image-*.deb && apt-get download "$pkg" >/dev/null 2>&1) \
    || { echo "boot.sh: apt-get download $pkg failed" >&2; exit 1; }
  rm -rf "$work/kernel"
  dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
fi
kernel=$(ls "$work"/kernel/boot/vmlinuz-* | head -1)
[ "$script" = --fetch ] && exit 0

# The initramfs.
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root/bin" "$root/usr/bin" "$root/proc" "$root/sys" "$root/dev" \
  "$root/tmp" "$root/run" "$root/var" "$root/lib/modules" "$root/tests" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$bin/devoxx-container" "$bin/devoxx-runtime" "$root/usr/bin/"
cp "$script" "$root/tests/run.sh"
for f in ${VM_FILES:-}; do cp "$f" "$root/tests/"; done
find "$work/kernel/lib/modules" -name overlay.ko -exec cp {} "$root/lib/modules/" \;
# Shared libraries: those of the binaries and those they dlopen.
libs=""
for l in libarchive.so.13 libcrypto.so.3 libzstd.so.1 libisal.so.2; do
  p=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ {print $NF; exit}')
  [ -n "$p" ] && libs="$libs $p"
done
for f in "$bin/devoxx-container" "$bin/devoxx-runtime" $libs; do
  echo "$f"
  ldd "$f" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'
done | sort -u | while read -r lib; do
  [ -f "$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
# pivot_root cannot leave the initramfs: move everything to a tmpfs first,
# as a real system's root is a file system of its own.
if [ ! -e /.on-tmpfs ]; then
  mkdir /newroot && mount -t tmpfs -o size=512m root /newroot
  for d in bin usr lib lib64 etc tests init; do
    [ -e "/$d" ] && cp -a "/$d" /newroot/
  done
  mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/run /newroot/var
  touch /newroot/.on-tmpfs
  exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t tmpfs var /var
mount -t cgroup2 cgroup2 /sys/fs/cgroup
insmod /lib/modules/overlay.ko 2>/dev/null
echo "VMTEST kernel $(uname -r), $(grep -c ' cgroup ' /proc/mounts) cgroup v1 mounts, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers), booted in $(cut -d' ' -f1 /proc/uptime) s"
sh /tests/run.sh
echo "VMTEST done"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

timeout "${VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg ${VM_QEMU_OPTS:-} -m 1024 -nographic \
  -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 ${VM_APPEND:-}" </dev/null
