/* Fast user-space mutexes (kernel/futex.c): threads sleep on a user address
 * until another thread wakes that address. Keyed by (address space,
 * address); private and shared futexes are the same until processes can
 * share memory. */
#ifndef LIMEN_FUTEX_H
#define LIMEN_FUTEX_H

#include <types.h>

struct mm;

/* Wakes up to n waiters on (mm, addr); returns how many. */
int futex_wake(struct mm *mm, uintptr_t addr, int n);

#endif
