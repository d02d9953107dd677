#!/usr/bin/env bash
# How much the harness stretches its time limits, so that a busy host makes
# tests slow rather than failed: LIMEN_TIME_FACTOR (default 1; CI may set
# it, fractions allowed) times, when the 1-minute load average is above the
# number of CPUs, load/CPUs (capped at 4; LIMEN_TIME_FACTOR_AUTO=0 turns
# this part off). tests/run-qemu and tests/interactive.py use it.
# usage: tests/time-factor.sh            prints the factor
#        tests/time-factor.sh SECONDS    prints SECONDS x factor, rounded up
set -euo pipefail

f=${LIMEN_TIME_FACTOR:-1}
if ! [[ $f =~ ^[0-9]*\.?[0-9]+$ ]] || awk -v f="$f" 'BEGIN { exit !(f <= 0) }'; then
	echo "time-factor: LIMEN_TIME_FACTOR must be a positive number, not '$f'" >&2
	exit 2
fi
load=0
if [ "${LIMEN_TIME_FACTOR_AUTO:-1}" != 0 ] && [ -r /proc/loadavg ]; then
	read -r load _ </proc/loadavg
fi
ncpu=$(nproc 2>/dev/null || echo 1)

awk -v f="$f" -v load="$load" -v ncpu="$ncpu" -v s="${1:-}" 'BEGIN {
	busy = load / ncpu
	if (busy > 4) busy = 4
	if (busy > 1) f *= busy
	if (s == "") { printf "%g\n", f; exit }
	t = s * f
	printf "%d\n", (t == int(t)) ? t : int(t) + 1
}'
