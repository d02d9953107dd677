#!/usr/bin/env bash
# Block I/O errors (kernel/failinject.c, fail_blk=N): boots the test
# initramfs with a blank ext2 disk and one in N virtio-blk requests failing
# as if the device had answered VIRTIO_BLK_S_IOERR. user/tests/blk_errors.c
# creates, writes, fsyncs, reads back, lists and removes files in rounds:
# some calls must fail with EIO, none with anything else, nothing read may
# differ from what was written, and once the injection stops and the disk
# is cleaned and unmounted the kernel heap and the block cache must be as
# before; umount succeeds even when write-back fails, as on Linux. The
# kernel must not panic, must report the failed requests and power off; no
# mount may see a superblock not marked clean (a stale copy: every mount
# and umount leaves it clean). Then the host checks the image with
# e2fsck -fn.
# Runs with 1 KiB blocks (fail_blk=7) and 4 KiB blocks (fail_blk=5).
# usage: tests/blk-errors.sh INITRD
set -uo pipefail
initrd=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rq=$root/tests/run-qemu
out=$root/build/blk-errors-test
export PATH=$PATH:/sbin:/usr/sbin
mkdir -p "$out"
st=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; st=1; }

run() { # run NAME BLOCKSIZE FAIL_BLK ROUNDS FILES
	local name=$1 bs=$2 every=$3 rounds=$4 files=$5
	local img=$out/$name.img
	rm -f "$img"
	mke2fs -q -t ext2 -b "$bs" -F "$img" 16M > /dev/null
	"$rq" --name "$name" --initrd "$initrd" --timeout 400 \
		--append "console=ttyS0 fail_blk=$every rdinit=/tests/blk_errors -- /dev/vda $rounds $files" \
		--expect-text "failinject: one in $every virtio-blk requests fails" \
		--expect-text 'failinject: [1-9][0-9]* of [0-9]+ virtio-blk requests failed on purpose' \
		--expect-text 'blk_errors: [0-9]+ calls ok, [1-9][0-9]* EIO' \
		--expect-text "limen: init \(pid 1\) exited with status 0" \
		-- -drive "file=$img,if=virtio,format=raw" || st=1
	# Every mount and umount leaves the superblock clean in the cache,
	# failed or not: a mount that finds it otherwise read a stale copy.
	local log=$root/build/test-logs/$name.log
	if grep -q 'not cleanly unmounted' "$log"; then
		fail "$name.superblock_current" "$(grep -c 'not cleanly unmounted' "$log") mounts saw a stale superblock"
	else
		pass "$name.superblock_current"
	fi
	if e2fsck -fn "$img" > "$out/$name.fsck" 2>&1; then
		pass "$name.e2fsck_clean"
	else
		fail "$name.e2fsck_clean" "$(grep -v '^Pass\|^e2fsck\|^$' "$out/$name.fsck" | head -8 | tr '\n' ' ')"
	fi
}

run blk-errors-1k 1024 7 12 12
run blk-errors-4k 4096 5 12 12
exit $st
