#!/usr/bin/env bash
# Logins on `make run`'s disk, checked: a fresh root disk from
# tools/mkrootfs, the ordinary user's session driven by
# tests/interactive.py --disk --login (login, id, su, passwd, logout, a
# reboot), then the image's /etc/shadow and e2fsck from the host.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=$root/build/login-session.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/interactive.py" --disk "$img" --login \
	--log "$root/build/test-logs/login-session.log"
