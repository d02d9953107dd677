/* Hello world, built twice (glibc and musl, both static) to show the same
 * unmodified binaries run on Limen and on Linux. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
