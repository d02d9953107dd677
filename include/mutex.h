/* Sleeping locks: a thread that finds the mutex taken sleeps until the
 * holder lets go, so the holder itself may sleep (for the disk). Not
 * recursive, not for interrupt context, never taken with a spinlock held.
 * Sleeps are uninterruptible: a signal does not end the wait. */
#ifndef LIMEN_MUTEX_H
#define LIMEN_MUTEX_H

#include <sched.h>

struct mutex {
	struct thread *owner; /* NULL when free */
	struct wait_queue wq;
	const char *name;
	short lc_class; /* kernel/lockcheck.c's class + 1; 0: not yet */
};

#define MUTEX_INIT(m, n)                                                       \
	{                                                                      \
		.owner = NULL, .wq = WAIT_QUEUE_INIT((m).wq), .name = (n)      \
	}

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
/* Takes m only if it is free, never sleeping: true if taken. Safe where
 * the lock order is unknown (a page fault's reclaim), as it cannot wait. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* True if the calling thread holds m. */
bool mutex_is_held(const struct mutex *m);

#endif
