#!/usr/bin/env bash
# The kernel built with SANITIZE=1 (the undefined-behaviour sanitizer with
# the kernel's own handlers and the stack protector, kernel/ubsan.c; the
# heap checker, mm/kasan.c), in build/san: the guest suite's system-call
# programs once, each must pass with no report; and ktests prove the checks
# are live (an index past an array, an overrun stack buffer, and heap
# reads and writes past an object or after free and a double free must
# each panic, naming it).
# usage: tests/sanitize.sh INITRD
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
initrd=$1
rq=$root/tests/run-qemu
kernel=$root/build/san/kernel
st=0
if ! make -C "$root" --no-print-directory BUILD=build/san SANITIZE=1 kernel \
	>"$root/build/sanitize-build.log" 2>&1; then
	echo "FAIL sanitize.build: see build/sanitize-build.log"
	exit 1
fi
echo "PASS sanitize.build"
"$rq" --name san-ubsan --kernel "$kernel" --expect-panic \
	--append "console=ttyS0 ktest=panic_ubsan_bounds" \
	--expect-text 'UBSAN: array index out of bounds at kernel/ktest.c:[0-9]+' \
	--expect-text 'ktest_fn_panic_ubsan_bounds\+0x' || st=1
"$rq" --name san-stack-protector --kernel "$kernel" --expect-panic \
	--append "console=ttyS0 ktest=panic_stack_protector" \
	--expect-text 'stack protector: a kernel stack frame was overwritten' || st=1
# The heap checker: a write past an object and a write after free from
# uninstrumented code (found by the red zone at kfree and the quarantine's
# poison check: mm/kasan.c), the same as reads from instrumented code
# (found at the access: mm/kasan_check.c), and a double free. Each panic
# must name the kind, the offset and the object's size.
kasan() { # NAME TEST REGEX...
	local name=$1 test=$2 args=()
	shift 2
	for re in "$@"; do args+=(--expect-text "$re"); done
	"$rq" --name "san-kasan-$name" --kernel "$kernel" --expect-panic \
		--append "console=ttyS0 ktest=$test" "${args[@]}" || st=1
}
kasan oob panic_kasan_oob \
	'KASAN: heap-out-of-bounds at 0x[0-9a-f]+: offset 24 of a 24-byte object' \
	'ktest_fn_panic_kasan_oob\+0x'
kasan uaf panic_kasan_uaf \
	'KASAN: use-after-free at 0x[0-9a-f]+: offset 8 of a 64-byte object'
kasan oob-read panic_kasan_oob_read \
	'KASAN: heap-out-of-bounds read of 1 bytes at 0x[0-9a-f]+: offset 24 of a 24-byte object' \
	'ktest_kasan_peek\+0x'
kasan uaf-read panic_kasan_uaf_read \
	'KASAN: use-after-free read of 1 bytes at 0x[0-9a-f]+: offset 8 of a 64-byte object' \
	'ktest_fn_panic_kasan_uaf_read\+0x'
kasan double-free panic_kasan_double_free \
	'KASAN: double-free at 0x[0-9a-f]+: offset 0 of a 40-byte object' \
	'ktest_fn_panic_kasan_double_free\+0x'
for t in sys_boundary sys_proc sys_signal sys_thread sys_fd sys_file sys_dir \
	sys_mem sys_mremap sys_stress; do
	"$rq" --name "san-$t" --kernel "$kernel" --initrd "$initrd" \
		--timeout 200 --append "console=ttyS0 rdinit=/tests/$t" \
		--expect-text "limen: init \(pid 1\) exited with status 0" || st=1
done
exit $st
