/* efault: a bad pointer handed to the kernel. write(2) must not trust the
 * buffer address: the kernel checks it and copies with a fault handler,
 * so a pointer into the kernel or to nowhere gives -EFAULT, and the
 * process (and the kernel) carry on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try(const char *what, const void *p)
{
	errno = 0;
	ssize_t r = write(1, p, 16);
	printf("write(1, %s %p, 16) = %zd, errno %d (%s)\n", what, p, r, errno,
	       strerror(errno));
}

int main(void)
{
	try("kernel address", (void *)0xffffffff80000000UL);
	try("unmapped address", (void *)0x1000);
	printf("still running: the kernel said no and nothing broke\n");
	return 0;
}
