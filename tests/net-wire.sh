#!/usr/bin/env bash
# Issue #14's "across the virtual wire" tests on a fresh root disk from
# tools/mkrootfs (make run's disk): host curl downloads a 50 MiB file from
# busybox httpd in Limen through a hostfwd on 127.0.0.1, busybox wget in
# Limen fetches a host file through a guestfwd, ping reaches the gateway,
# and ab loads the guest's httpd while the serial console must still
# answer. restrict=on stays on. Details: tests/net-wire.py.
# usage: tests/net-wire.sh [net-wire.py options, e.g. --ab-requests 2000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
img=$root/build/net-wire.img
"$root/tools/mkrootfs" "$img" "$root/build/user" > /dev/null
exec python3 "$root/tests/net-wire.py" --disk "$img" \
	--log "$root/build/test-logs/net-wire.log" "$@"
