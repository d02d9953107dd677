#!/usr/bin/env bash
# `make run`'s session, checked: a fresh root disk from tools/mkrootfs
# (not build/rootfs.img, which keeps the user's changes), booted twice by
# tests/interactive.py --disk.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=$root/build/disk-session.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/interactive.py" --disk "$img" \
	--log "$root/build/test-logs/disk-session.log"
