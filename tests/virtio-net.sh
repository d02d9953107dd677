#!/usr/bin/env bash
# virtio-net end to end on QEMU's user network (run-qemu --net, always
# restrict=on: nothing leaves QEMU). For each machine (pc: transitional
# device, q35: PCIe, modern only) the kernel's virtio_net_ping self-test
# brings eth0 up as 10.0.2.15/24, resolves the gateway 10.0.2.2 with ARP,
# pings it and checks the counters. A boot without the card must skip.
# Then Debian's busybox configures the card with ifconfig and route and
# sends through it (user/scripts/net-guest.sh), and busybox ip does the
# same over rtnetlink (user/scripts/ip-guest.sh).
# usage: tests/virtio-net.sh [INITRD]   (default build/initramfs.cpio)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rq=$root/tests/run-qemu
initrd=${1:-$root/build/initramfs.cpio}
st=0

for machine in pc q35; do
	"$rq" --name "virtio-net-$machine" --timeout 180 --net \
		--append "console=ttyS0 ktest=virtio_net_ping" \
		--expect-text 'virtio_net virtio0: eth0 52:54:00:12:34:56' \
		--expect-text 'PASS virtio_net gateway answers ping' \
		-- -machine "$machine" || st=1
done

"$rq" --name virtio-net-none --timeout 120 --expect-lines 0 \
	--append "console=ttyS0 ktest=virtio_net_ping" \
	--expect-text 'no eth0, virtio-net test skipped' || st=1

"$rq" --name net-guest --net --initrd "$initrd" --timeout 180 \
	--append "console=ttyS0 rdinit=/bin/sh -- /tests/net-guest.sh" \
	--expect-text "limen: init \(pid 1\) exited with status 0" || st=1
"$rq" --name ip-guest --net --initrd "$initrd" --timeout 180 \
	--append "console=ttyS0 rdinit=/bin/sh -- /tests/ip-guest.sh" \
	--expect-text "limen: init \(pid 1\) exited with status 0" || st=1
exit $st
