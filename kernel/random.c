/* The entropy pool behind random_fill(). Each output word mixes the pool
 * with a hardware random number (if any) and the low bits of the TSC, whose
 * timing jitter differs run to run even in an emulator. */
#include <arch.h>
#include <asm/cpufeature.h>
#include <lib/string.h>
#include <random.h>
#include <spinlock.h>

/* Protects pool and counter. */
static spinlock_t random_lock = SPINLOCK_INIT("random");
static uint64_t pool[4];
static uint64_t counter;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One hardware random word, or 0 if the CPU has none or it is exhausted
 * after a few retries (as Intel recommends). */
static uint64_t hw_random(void)
{
	uint64_t v;
	uint8_t ok;
	for (int i = 0; i < 10; i++) {
		if (cpu_features.rdseed) {
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
		if (cpu_features.rdrand) {
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	return 0;
}

static uint64_t next_word(void)
{
	uint64_t t = rdtsc();
	counter++;
	pool[counter & 3] ^= mix64(hw_random() ^ (t << 17) ^ t ^ counter);
	uint64_t out =
	    mix64(pool[0] + pool[1] * 3 + pool[2] * 5 + pool[3] * 7 + counter);
	pool[(counter + 1) & 3] += out;
	return out;
}

int random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;
	irqflags_t f = spin_lock_irqsave(&random_lock);
	while (n) {
		uint64_t w = next_word();
		size_t k = MIN(n, sizeof(w));
		memcpy(p, &w, k);
		p += k;
		n -= k;
	}
	spin_unlock_irqrestore(&random_lock, f);
	return 0;
}

const char *random_sources(void)
{
	if (cpu_features.rdseed)
		return "RDSEED+RDRAND+TSC jitter";
	if (cpu_features.rdrand)
		return "RDRAND+TSC jitter";
	return "TSC jitter only";
}
