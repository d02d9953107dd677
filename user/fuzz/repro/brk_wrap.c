/* Kernel bug found by the fuzzer (seed 1): brk(-1) unmaps the program.
 * mm_brk() rounds the new break up with ALIGN_UP(), which wraps to 0 for
 * addresses in the last page, so "new_end < old_end" and mm_unmap(mm, 0,
 * old_end) removes text, data and heap. Linux returns the old break.
 * Expected: "brk(-1) refused" and exit 0. Limen: the next instruction
 * fetch faults (killed by SIGSEGV: instruction fetch of unmapped address).
 * Build: musl-gcc -static -O2 brk_wrap.c -o brk_wrap */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long cur = syscall(SYS_brk, 0);
	long r = syscall(SYS_brk, -1L);
	if (r == cur)
		write(1, "brk(-1) refused\n", 16);
	return 0;
}
