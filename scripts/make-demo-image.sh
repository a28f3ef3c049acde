#!/bin/sh
# Build the demo image's single layer: busybox (a static build, Debian's
# busybox-static) with a symlink per applet, as a tar owned by root.
# Usage: make-demo-image.sh /bin/busybox OUT.tar
set -eu
busybox=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/root" "$tmp/tmp" "$tmp/proc" "$tmp/sys" \
         "$tmp/dev" "$tmp/home" "$tmp/var"
chmod 755 "$tmp"
chmod 1777 "$tmp/tmp"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
done
cat > "$tmp/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PW
cat > "$tmp/etc/group" <<'GR'
root:x:0:
daemon:x:1:
tty:x:5:
wheel:x:10:root
nogroup:x:65534:
GR
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -C "$tmp" -cf "$out.tmp" .
mv "$out.tmp" "$out"
