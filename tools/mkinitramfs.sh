#!/usr/bin/env bash
# Builds the test initramfs (newc cpio) from the project's user programs,
# Debian's busybox-static and a few files. Usage: mkinitramfs.sh OUT.cpio DIR
# where DIR holds the built user programs (build/user).
set -euo pipefail
out=$1
user=$2
stage=$(dirname "$out")/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,etc,tests,examples,tmp,proc,dev,root,mnt}
chmod 1777 "$stage/tmp" # as on any Linux system: every user may write, sticky
cp /bin/busybox "$stage/bin/busybox"
# Every applet Debian's busybox has, as a link in /bin.
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
done
cp "$user"/tests/* "$stage/tests/"
cp "$(dirname "$0")"/../user/scripts/*.sh "$stage/tests/"
cp "$user"/examples/* "$stage/examples/"
cp "$user"/trace/trace "$stage/bin/trace"
cp "$user"/fuzz/fuzz "$stage/bin/fuzz"
mkdir -p "$stage/demo"
cp "$user"/demo/* "$stage/demo/"
# busybox udhcpc's hook script, as on the disk: Debian's busybox runs
# /etc/udhcpc/default.script, upstream's /usr/share/udhcpc/default.script.
mkdir -p "$stage/etc/udhcpc" "$stage/usr/share/udhcpc"
cp "$(dirname "$0")"/../rootfs/etc/udhcpc/default.script "$stage/etc/udhcpc/"
ln -sf /etc/udhcpc/default.script "$stage/usr/share/udhcpc/default.script"
echo "Limen test initramfs" > "$stage/etc/motd"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
echo "present" > "$stage/root/example.txt"
(cd "$stage" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0) > "$out"
