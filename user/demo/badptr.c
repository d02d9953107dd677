/* badptr: user code reading kernel memory. The kernel's half of the
 * address space is mapped in every process, but its pages are supervisor
 * pages: a ring-3 load faults, and the kernel kills the process with a
 * line saying which protection stopped it. */
#include <stdio.h>

int main(void)
{
	volatile unsigned long *kernel = (unsigned long *)0xffffffff80000000UL;
	printf("reading %p from ring 3...\n", (void *)kernel);
	fflush(stdout);
	unsigned long v = *kernel;
	printf("read %lx: the boundary is broken!\n", v);
	return 1;
}
