#!/usr/bin/env bash
# Full-screen programs on `make run`'s console, through a real terminal
# emulator (tmux): a fresh root disk from tools/mkrootfs, booted by
# tests/screen-session.py (vi, less, more, top, watch, clear, reset, job
# control, then e2fsck -fn on the image).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Its own directory: mkrootfs stages next to the image.
mkdir -p "$root/build/screen-session"
img=$root/build/screen-session/disk.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/screen-session.py" --disk "$img" \
	--log "$root/build/test-logs/screen-session.log" "$@"
