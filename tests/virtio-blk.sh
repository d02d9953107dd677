#!/usr/bin/env bash
# virtio-blk end to end: for each QEMU machine (pc, q35) makes two raw
# images on the host (vda: a known pattern, vdb: zeroes), boots the
# kernel's virtio_blk_* self-tests with both disks attached, then checks on
# the host that the sectors the guest wrote are in vdb's file after power
# off. Also checks a disk-less boot registers nothing.
# usage: tests/virtio-blk.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rq=$root/tests/run-qemu
dir=$root/build/virtio-blk
mkdir -p "$dir"
st=0

# 32-bit little-endian word i of the pattern disk is i * 2654435761 mod 2^32
# (drivers/ktest_virtio_blk.c checks the same formula).
make_pattern() {
	perl -e 'for my $i (0 .. 262143) {
		print pack("V", ($i * 2654435761) & 0xffffffff) }' >"$1"
}

# Sector s of vdb as vbt_fill_sector writes it: "limen virtio-blk sector s"
# and a NUL, the rest of the 512 bytes filled with s & 0xff.
check_sector() {
	local img=$1 s=$2
	perl -e '
		my ($img, $s) = @ARGV;
		open(my $f, "<:raw", $img) or die "open: $!";
		seek($f, $s * 512, 0); read($f, my $got, 512) == 512 or exit 1;
		my $txt = "limen virtio-blk sector $s";
		my $want = $txt . "\0" . (chr($s & 0xff) x (511 - length($txt)));
		exit($got eq $want ? 0 : 1);' "$img" "$s"
}

for machine in pc q35; do
	a=$dir/vda-$machine.img b=$dir/vdb-$machine.img
	make_pattern "$a"
	truncate -s 0 "$b" && truncate -s 1M "$b"
	"$rq" --name "virtio-blk-$machine" --timeout 300 \
		--append "console=ttyS0 ktest=virtio_blk_read,virtio_blk_write,virtio_blk_threads" \
		--expect-text 'virtio_blk virtio0: \[vda\] 2048 512-byte logical blocks \(1\.05 MB/1\.00 MiB\)' \
		--expect-text 'virtio_blk virtio1: \[vdb\] 2048 512-byte' \
		--expect-text 'PASS vblk_requests_overlap' \
		-- -machine "$machine" \
		-drive "file=$a,if=none,format=raw,id=d0" -device virtio-blk-pci,drive=d0 \
		-drive "file=$b,if=none,format=raw,id=d1" -device virtio-blk-pci,drive=d1 ||
		st=1
	bad=
	for s in $(seq 100 115) 1024 1088 1152 1216; do
		check_sector "$b" "$s" || bad="$bad $s"
	done
	if [ -z "$bad" ]; then
		echo "PASS virtio-blk-$machine-host: guest writes are in the image"
	else
		echo "FAIL virtio-blk-$machine-host: sectors not as written:$bad"
		st=1
	fi
	# Nothing but the pattern disk was touched by a writer... check it
	# kept its content.
	make_pattern "$dir/expect.img"
	if cmp -s "$a" "$dir/expect.img"; then
		echo "PASS virtio-blk-$machine-pattern-intact"
	else
		echo "FAIL virtio-blk-$machine-pattern-intact: vda changed"
		st=1
	fi
done

# No disk: the self-tests skip and no disk is registered.
"$rq" --name virtio-blk-none --timeout 120 --expect-lines 0 \
	--append "console=ttyS0 ktest=virtio_blk_read" \
	--expect-text 'no vda/vdb disks, virtio-blk tests skipped' || st=1
exit $st
