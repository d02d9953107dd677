#!/usr/bin/env bash
# Fault isolation, checked from the outside: each case boots Limen with
# /tests/fault CASE as init, which does one forbidden thing. The expected
# one-line report must appear, init must die of the expected signal, and the
# kernel must carry on to an orderly power-off (no panic).
# usage: tests/fault-cases.sh INITRD
set -uo pipefail
initrd=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
st=0

# case | signal | regex for the rest of the report line
while IFS='|' read -r c sig what; do
	[ -n "$c" ] || continue
	"$root/tests/run-qemu" --name "fault-$c" --initrd "$initrd" \
		--timeout 60 --expect-lines 0 \
		--append "console=ttyS0 rdinit=/tests/fault -- $c" \
		--expect-text "limen: pid 1 \(fault\) killed by $sig: $what at rip 0x[0-9a-f]+" \
		--expect-text "limen: init \(pid 1\) killed by $sig" || st=1
done <<'CASES'
kernel_read|SIGSEGV|user-mode read of kernel address 0xffff800000001000 \(page is supervisor-only\)
kernel_write|SIGSEGV|user-mode write of kernel address 0xffffffff80100000 \(page is supervisor-only\)
null|SIGSEGV|read of unmapped address 0 \(NULL pointer\)
unmapped|SIGSEGV|write of unmapped address 0x100000000000
write_text|SIGSEGV|write to read-only page 0x[0-9a-f]+
exec_data|SIGSEGV|instruction fetch from non-executable page 0x[0-9a-f]+ \(NX\)
exec_rodata|SIGSEGV|instruction fetch from non-executable page 0x[0-9a-f]+ \(NX\)
hlt|SIGSEGV|general protection fault: hlt .*
cli|SIGSEGV|general protection fault: cli .*
outb|SIGSEGV|general protection fault: port I/O .*
mov_cr3|SIGSEGV|general protection fault: mov to/from a control register .*
div0|SIGFPE|divide error
ud2|SIGILL|invalid opcode
stack_overflow|SIGSEGV|stack overflow: write at 0x[0-9a-f]+ is beyond the 8 MiB stack limit
CASES
exit $st
