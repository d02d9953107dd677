#!/usr/bin/env bash
# Debian's account tools on `make run`'s disk, checked: a fresh root disk
# from tools/mkrootfs, driven as root by tests/interactive.py --disk
# --accounts (adduser, chpasswd, deluser, useradd, script, a dynamically
# linked program), then e2fsck and /etc/passwd from the host.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=$root/build/accounts-session.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/interactive.py" --disk "$img" --accounts \
	--log "$root/build/test-logs/accounts-session.log"
