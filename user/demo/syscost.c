/* syscost: what crossing the boundary costs. Times a million calls of an
 * ordinary function and a million getppid() system calls (the cheapest
 * one) and prints both per call. The difference is the price of entering
 * ring 0 and coming back: saving registers, switching stacks, dispatching,
 * and the sysret. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define N 1000000

__attribute__((noinline)) static long add_one(long x)
{
	__asm__ volatile("" : "+r"(x)); /* keep the call: no inlining */
	return x + 1;
}

static double ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
	long x = 0;
	double t0 = ns();
	for (int i = 0; i < N; i++)
		x = add_one(x);
	double call = (ns() - t0) / N;
	t0 = ns();
	for (int i = 0; i < N; i++)
		getppid();
	double sys = (ns() - t0) / N;
	printf("function call: %8.1f ns\n", call);
	printf("system call:   %8.1f ns  (getppid)\n", sys);
	printf("a system call costs about %.0f function calls\n",
	       call > 0 ? sys / call : 0);
	return x == N ? 0 : 1;
}
