#!/usr/bin/env bash
# Debian's own dynamically linked programs on Limen: a fresh root disk from
# tools/mkrootfs with MKROOTFS_DEBIAN=1 (bash, GNU coreutils, tar, gzip,
# python3 and its standard library, copied from this host with their
# libraries), booted with user/debian/programs.sh as init; its PASS/FAIL
# lines are the layer's, and init must exit 0.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/build/debian-programs
mkdir -p "$dir"
img=$dir/root.img
MKROOTFS_DEBIAN=1 "$root/tools/mkrootfs" "$img" "$root/build/user" 256M > /dev/null
exec "$root/tests/run-qemu" --name debian-programs --disk "$img" \
	--timeout 600 \
	--append "console=ttyS0 root=/dev/vda rw init=/usr/share/limen/programs.sh" \
	--expect-text "limen: init \(pid 1\) exited with status 0"
