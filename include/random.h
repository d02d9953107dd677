/* Kernel randomness (kernel/random.c): RDSEED/RDRAND when the CPU has them,
 * always mixed with TSC jitter, through a 256-bit state stirred by a
 * SplitMix64-style finaliser. Good for AT_RANDOM, stack offsets and
 * getrandom(); not a vetted CSPRNG (no ChaCha20 yet). */
#ifndef LIMEN_RANDOM_H
#define LIMEN_RANDOM_H

#include <types.h>

/* Fills buf with n random bytes; never fails, returns 0. */
int random_fill(void *buf, size_t n);
/* Which hardware sources feed the pool, for the boot log. */
const char *random_sources(void);

#endif
