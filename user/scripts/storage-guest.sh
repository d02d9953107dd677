#!/bin/sh
# Run as init by tests/storage-suite.sh with two disks: vda a blank ext2
# image, vdb a corrupt or unsupported one. Everything a user does with
# mount, files and umount, then a clean power off.
mkdir -p /mnt /mnt2
st=0
echo "storage: devices: $(ls /dev | grep '^vd' | tr '\n' ' ')"
if mount -t ext2 /dev/vda /mnt; then
	echo "PASS storage.mount_ext2"
	grep -q '^/dev/vda /mnt ext2 rw' /proc/mounts && echo "PASS storage.proc_mounts" ||
		{ echo "FAIL storage.proc_mounts: $(cat /proc/mounts)"; st=1; }
	/tests/fs-checks.sh /mnt ext2 "${BIGMB:-12}" || st=1
	# mmap and the page cache on ext2 (leaves /mnt/mmap.txt for the host)
	/tests/sys_filemap /mnt || st=1
	/tests/ext2_pagecache /mnt "${PCMB:-16}" || st=1
	# FIFOs on ext2: open rules and 10 MiB through one
	/tests/sys_fifo /mnt || st=1
	# Known files for the host to read back with debugfs.
	echo "written by Limen" > /mnt/known.txt
	mkdir -p /mnt/dir && ln -s ../known.txt /mnt/dir/link
	cd /
	(cd /mnt && umount /mnt 2>/dev/null) && { echo "FAIL storage.umount_busy"; st=1; } ||
		echo "PASS storage.umount_busy"
	umount /mnt && echo "PASS storage.umount" || { echo "FAIL storage.umount"; st=1; }
	grep -q ' /mnt ' /proc/mounts && { echo "FAIL storage.umount_gone"; st=1; } ||
		echo "PASS storage.umount_gone"
	mount -t ext2 -o ro /dev/vda /mnt && echo "PASS storage.mount_ro" ||
		{ echo "FAIL storage.mount_ro"; st=1; }
	[ "$(cat /mnt/known.txt)" = "written by Limen" ] && echo "PASS storage.remount_reads" ||
		{ echo "FAIL storage.remount_reads"; st=1; }
	touch /mnt/nope 2>/dev/null && { echo "FAIL storage.ro_refuses_write"; st=1; } ||
		echo "PASS storage.ro_refuses_write"
	umount /mnt
else
	echo "FAIL storage.mount_ext2"
	st=1
fi
mount -t tmpfs -o size=16m tmpfs /mnt2 && echo "PASS storage.mount_tmpfs" ||
	{ echo "FAIL storage.mount_tmpfs"; st=1; }
/tests/fs-checks.sh /mnt2 tmpfs 1 || st=1
dd if=/dev/zero of=/mnt2/fill bs=1k count=20000 2>/dev/null && { echo "FAIL storage.tmpfs_size_limit"; st=1; } ||
	echo "PASS storage.tmpfs_size_limit"
umount /mnt2
mount -t nosuchfs none /mnt2 2>/dev/null && { echo "FAIL storage.unknown_type"; st=1; } ||
	echo "PASS storage.unknown_type"
# The second disk is bad: the mount is refused, or (a bad block found
# later) the operation fails with EIO; the kernel stays up either way.
if mount -t ext2 /dev/vdb /mnt2 2>/dev/null; then
	case $(ls /mnt2/lost+found 2>&1) in
	*"Input/output error"*) echo "PASS storage.bad_disk_refused (EIO on use)" ;;
	*)
		echo "FAIL storage.bad_disk_refused: it mounted and could be used"
		st=1
		;;
	esac
	umount /mnt2
else
	echo "PASS storage.bad_disk_refused"
fi
echo "storage: done, status $st"
sync
exit $st
