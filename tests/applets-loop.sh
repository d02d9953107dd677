#!/usr/bin/env bash
# The applets layer, N times in a row; stops at the first failure or hang
# (a normal run takes about 15 s under TCG, so 60 s means a hang).
# usage: tests/applets-loop.sh [N] [TIMEOUT]   (after make kernel
# build/initramfs.cpio)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-50}
timeout_s=${2:-60}
for i in $(seq 1 "$n"); do
	if ! "$root/tests/run-qemu" --name applets-loop \
		--initrd "$root/build/initramfs.cpio" --timeout "$timeout_s" \
		--append "console=ttyS0 rdinit=/bin/sh -- /tests/applets.sh" \
		--expect-text "limen: init \(pid 1\) exited with status 0" \
		>/dev/null 2>&1; then
		echo "FAIL applets-loop: run $i of $n (log: build/test-logs/applets-loop.log)"
		exit 1
	fi
	echo "run $i of $n passed"
done
echo "PASS applets-loop: $n runs"
