#!/usr/bin/env bash
# Exits preempted while their address space is freed (user/tests/exit_race):
# N boots of 20000 children each; stops at the first failure or hang. Before
# the fix a run hung (CPU wedged on a freed mm's CR3) within a few thousand
# children. usage: tests/exit-race.sh [N] [KERNEL]   (after make kernel
# build/initramfs.cpio)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-10}
kernel=${2:-$root/build/kernel}
for i in $(seq 1 "$n"); do
	if ! "$root/tests/run-qemu" --name exit-race --kernel "$kernel" \
		--initrd "$root/build/initramfs.cpio" --timeout 90 \
		--append "console=ttyS0 rdinit=/tests/exit_race 20000" \
		--expect-text "limen: init \(pid 1\) exited with status 0" \
		>/dev/null 2>&1; then
		echo "FAIL exit-race: run $i of $n (log: build/test-logs/exit-race.log)"
		exit 1
	fi
	echo "run $i of $n passed"
done
echo "PASS exit-race: $n runs"
