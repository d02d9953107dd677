/* Fast user-space mutexes (kernel/futex.c): threads sleep on a user address
 * until another thread wakes that address. Keyed by (address space,
 * address), or for shared futexes in MAP_SHARED memory by (object,
 * offset), so processes sharing the memory share the futex. */
#ifndef LIMEN_FUTEX_H
#define LIMEN_FUTEX_H

#include <types.h>

struct mm;
struct thread;

/* Wakes up to n waiters on the shared futex at addr of mm; returns how
 * many. */
int futex_wake(struct mm *mm, uintptr_t addr, int n);

/* At the exit of thread t (the current thread, its address space still
 * in place): walks its robust list (set_robust_list), marking each futex
 * it still owns FUTEX_OWNER_DIED and waking a waiter, or handing a PI
 * futex to its first waiter. Bounded; bad pointers end the walk. */
void futex_exit_robust(struct thread *t);

#endif
