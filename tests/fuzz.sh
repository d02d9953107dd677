#!/usr/bin/env bash
# Hostile input (DESIGN.md §4.5): boots Limen with the test initramfs and
# runs the system-call fuzzer (user/fuzz/) as init, unprivileged workers
# making random calls; fails on a panic, a hang, a worker that will not die,
# or missing results.
#   tests/fuzz.sh INITRD [--calls N] [--seconds N] [--seed S] [--name NAME]
#                 [--fail-alloc N]
# --fail-alloc N boots with fail_alloc=N (kernel/failinject.c: one in N
# allocations of the unprivileged workers fails); workers may then die of
# it, and only the kernel is judged (no panic, still serving).
# With --calls the run is bounded by the number of calls (make test); the
# seconds are then only a safety limit. The QEMU timeout is scaled from
# the seconds (FUZZ_TIMEOUT_SCALE, default 2, for loaded hosts) plus 120 s
# for booting, the final SIGKILLs and clean-up.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
initrd=$1
shift
calls= seconds=60 seed=1 name=fuzz fail=
while [ $# -gt 0 ]; do
	case "$1" in
	--calls) calls=$2; shift 2 ;;
	--fail-alloc) fail=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	*) echo "usage: $0 INITRD [--calls N] [--seconds N] [--seed S] [--name NAME] [--fail-alloc N]" >&2; exit 2 ;;
	esac
done
scale=${FUZZ_TIMEOUT_SCALE:-2}
timeout=$((seconds * scale + 120))
args="--seed $seed --seconds $seconds${calls:+ --calls $calls}${fail:+ --deaths-ok}"
exec "$root/tests/run-qemu" --name "$name" --initrd "$initrd" \
	--timeout "$timeout" \
	--append "console=ttyS0${fail:+ fail_alloc=$fail} rdinit=/bin/fuzz -- $args" \
	--expect-text '^fuzz: seed [0-9]+, [0-9]+ calls in [0-9.]+ s \([0-9]+ calls/s\), [0-9]+ workers, [0-9]+ respawns' \
	--expect-text "limen: init \(pid 1\) exited with status 0"
