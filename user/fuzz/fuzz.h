/* The system-call fuzzer's shared pieces: the PRNG, the raw system-call and
 * clone helpers (no libc, so the racing thread can use them), and what the
 * worker (worker.c) and the watchdog (fuzz.c) tell each other. */
#ifndef LIMEN_FUZZ_H
#define LIMEN_FUZZ_H

#include <stdint.h>

/* Descriptors the fuzzed calls never name: the console for reports and the
 * pipe on which a worker reports its progress to the watchdog. */
#define FD_REPORT 1000
#define FD_PROGRESS 1001

/* A worker tells the watchdog every PROGRESS_EVERY calls. */
#define PROGRESS_EVERY 64

struct progress {
	int32_t worker;
	uint32_t calls;
};

static inline uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: any seed, including 0, gives a good stream. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline long raw6(long nr, long a, long b, long c, long d, long e,
			long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define raw3(nr, a, b, c) raw6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* clone(2) with a fresh stack: the child pops fn and arg from stack_top,
 * calls fn(arg) and ends with exit(2) (the thread only). */
long fuzz_clone_thread(unsigned long flags, void *stack_top,
		       void (*fn)(void *), void *arg, int *ctid);
/* clone(2) for a copy of the process (no CLONE_VM): the child exits at
 * once with status 0, in assembly, before touching memory. */
long fuzz_clone_exit(unsigned long flags, long stack, long ptid, long ctid,
		     long tls);

extern int fuzz_verbose;
const char *fuzz_syscall_name(long nr);
void worker_main(int idx, uint64_t seed, const char *dir, int racer);

#endif
