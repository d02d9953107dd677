/* Fault isolation: each case does one forbidden thing. The kernel must kill
 * the process with the right signal and a one-line report, and carry on.
 * Usage: fault CASE (run as init= by tests/fault-cases.sh). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Recurses until the stack limit; the depth check only stops the
 * compiler from calling it infinite. */
static int recurse(volatile char *p, long depth)
{
	volatile char buf[4096];
	buf[0] = *p;
	if (depth > (1L << 40))
		return buf[0];
	return recurse(buf, depth + 1) + buf[1];
}

static const unsigned char ret_insn[] = {0xc3}; /* in .rodata: not exec */
static unsigned char data_code[] = {0xc3};	/* in .data: NX */

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	printf("fault: case %s\n", c);
	fflush(stdout);
	if (!strcmp(c, "kernel_read"))
		return *(volatile int *)0xffff800000001000UL;
	if (!strcmp(c, "kernel_write"))
		*(volatile int *)0xffffffff80100000UL = 1;
	if (!strcmp(c, "null"))
		return *(volatile int *)0;
	if (!strcmp(c, "unmapped"))
		*(volatile int *)0x0000100000000000UL = 1;
	if (!strcmp(c, "write_text"))
		*(volatile unsigned char *)(void *)main = 0x90;
	if (!strcmp(c, "exec_data"))
		((void (*)(void))(void *)data_code)();
	if (!strcmp(c, "exec_rodata"))
		((void (*)(void))(void *)ret_insn)();
	if (!strcmp(c, "hlt"))
		__asm__ volatile("hlt");
	if (!strcmp(c, "cli"))
		__asm__ volatile("cli");
	if (!strcmp(c, "outb"))
		__asm__ volatile("outb %%al, $0x80" ::"a"(0));
	if (!strcmp(c, "mov_cr3"))
		__asm__ volatile("mov %%rax, %%cr3" ::"a"(0));
	if (!strcmp(c, "div0")) {
		volatile int a = 100, z = 0;
		return a / z;
	}
	if (!strcmp(c, "ud2"))
		__asm__ volatile("ud2");
	if (!strcmp(c, "stack_overflow"))
		return recurse((volatile char *)&c, 0);
	printf("fault: case '%s' did not fault\n", c);
	return 99;
}
