/* bufcost: "minimise system calls". Writes 200000 bytes to /dev/null one
 * write(2) per byte, then the same bytes through stdio, which gathers them
 * in a buffer and makes one write per 4 KiB or so. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define N 200000

static double ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
	int fd = open("/dev/null", O_WRONLY);
	FILE *f = fopen("/dev/null", "w");
	if (fd < 0 || !f) {
		perror("/dev/null");
		return 1;
	}
	double t0 = ns();
	for (int i = 0; i < N; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	double raw = ns() - t0;
	t0 = ns();
	for (int i = 0; i < N; i++)
		putc('x', f);
	fflush(f);
	double buffered = ns() - t0;
	printf("%d bytes, one write(2) each: %8.2f ms\n", N, raw / 1e6);
	printf("%d bytes through stdio:       %8.2f ms\n", N, buffered / 1e6);
	printf("buffering is %.0fx faster\n",
	       buffered > 0 ? raw / buffered : 0);
	return 0;
}
