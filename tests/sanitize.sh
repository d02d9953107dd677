#!/usr/bin/env bash
# The kernel built with SANITIZE=1 (the undefined-behaviour sanitizer with
# the kernel's own handlers and the stack protector, kernel/ubsan.c; the
# heap checker, mm/kasan.c), in build/san: the guest suite's system-call
# programs once, each must pass with no report; and ktests prove the checks
# are live (an index past an array, an overrun stack buffer, and a heap
# write past an object, a write after free and a double free must each
# panic, naming it).
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
# The heap checker (mm/kasan.c): a write past an object, a write after
# free, a double free; each panic must name the kind and the offset.
"$rq" --name san-kasan-oob --kernel "$kernel" --expect-panic \
	--append "console=ttyS0 ktest=panic_kasan_oob" \
	--expect-text 'KASAN: heap-out-of-bounds at 0x[0-9a-f]+: offset 24 of a 24-byte object' \
	--expect-text 'ktest_fn_panic_kasan_oob\+0x' || st=1
"$rq" --name san-kasan-uaf --kernel "$kernel" --expect-panic \
	--append "console=ttyS0 ktest=panic_kasan_uaf" \
	--expect-text 'KASAN: use-after-free at 0x[0-9a-f]+: offset 8 of a 64-byte object' || st=1
"$rq" --name san-kasan-double-free --kernel "$kernel" --expect-panic \
	--append "console=ttyS0 ktest=panic_kasan_double_free" \
	--expect-text 'KASAN: double-free at 0x[0-9a-f]+: offset 0 of a 40-byte object' \
	--expect-text 'ktest_fn_panic_kasan_double_free\+0x' || st=1
for t in sys_boundary sys_proc sys_signal sys_thread sys_fd sys_file sys_dir \
	sys_mem sys_stress; do
	"$rq" --name "san-$t" --kernel "$kernel" --initrd "$initrd" \
		--timeout 200 --append "console=ttyS0 rdinit=/tests/$t" \
		--expect-text "limen: init \(pid 1\) exited with status 0" || st=1
done
exit $st
