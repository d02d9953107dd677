/* privop: a privileged instruction in ring 3. hlt may only run at CPL 0:
 * the CPU raises a general protection fault instead, and the kernel turns
 * it into SIGSEGV with a report naming the instruction. */
#include <stdio.h>

int main(void)
{
	printf("executing hlt in ring 3...\n");
	fflush(stdout);
	__asm__ volatile("hlt");
	printf("hlt returned: the boundary is broken!\n");
	return 1;
}
