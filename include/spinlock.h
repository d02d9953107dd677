/* Spinlocks that disable interrupts on the local CPU while held.
 * Written for SMP: the lock word is an atomic exchange, and the holder's CPU
 * is recorded so a recursive acquire panics instead of deadlocking. */
#ifndef LIMEN_SPINLOCK_H
#define LIMEN_SPINLOCK_H

#include <types.h>

typedef struct spinlock {
	volatile uint32_t locked;
	int cpu; /* holder's CPU id, -1 when free (debug) */
	const char *name;
	short lc_class; /* kernel/lockcheck.c's class + 1; 0: not yet */
} spinlock_t;

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.locked = 0, .cpu = -1, .name = (n)                            \
	}

typedef uint64_t irqflags_t;

void spin_init(spinlock_t *l, const char *name);
irqflags_t spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, irqflags_t flags);
bool spin_is_held(const spinlock_t *l);

#endif
