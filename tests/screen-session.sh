#!/usr/bin/env bash
# Full-screen programs on `make run`'s console, through a real terminal
# emulator (tmux): a fresh root disk from tools/mkrootfs, booted by
# tests/screen-session.py: root's session (vi, less, more, top, watch,
# clear, reset, job control), logout, then the ordinary user limen's in
# the same boot (vi, cat, top, job control, su and exit, passwd, logout,
# the old password refused and the new one taken, su -c poweroff), then
# e2fsck -fn on the image and limen's new hash in its /etc/shadow.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Its own directory: mkrootfs stages next to the image.
mkdir -p "$root/build/screen-session"
img=$root/build/screen-session/disk.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/screen-session.py" --disk "$img" \
	--log "$root/build/test-logs/screen-session.log" "$@"
