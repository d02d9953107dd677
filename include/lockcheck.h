/* Run-time checks of the locking rules (kernel/lockcheck.c), in debug
 * builds (LOCK_DEBUG); without it every hook is empty. */
#ifndef LIMEN_LOCKCHECK_H
#define LIMEN_LOCKCHECK_H

#include <spinlock.h>

#define LOCKCHECK_DEPTH 8	/* spinlocks one CPU may hold at once */
#define LOCKCHECK_MUTEX_DEPTH 4 /* mutexes one thread may hold at once */

struct mutex;

#ifdef LOCK_DEBUG
/* spin_lock_irqsave / spin_unlock_irqrestore, interrupts off. */
void lockcheck_acquire(spinlock_t *l);
void lockcheck_release(spinlock_t *l);
/* mutex_lock (once it holds m), mutex_trylock / mutex_unlock. */
void lockcheck_mutex_acquire(struct mutex *m);
void lockcheck_mutex_tried(struct mutex *m);
void lockcheck_mutex_release(struct mutex *m);
/* The caller is about to sleep (what: "sleep", "mutex_lock"): no spinlock
 * may be held but allowed (NULL: none). */
void lockcheck_might_sleep(const char *what, const spinlock_t *allowed);
/* what needs l held by this CPU (a wait condition is evaluated under its
 * lock, or a waker could make it true unseen between the test and the
 * sleep): panics if it is not. */
void lockcheck_assert_held(const spinlock_t *l, const char *what);
#else
static inline void lockcheck_acquire(spinlock_t *l)
{
	(void)l;
}
static inline void lockcheck_release(spinlock_t *l)
{
	(void)l;
}
static inline void lockcheck_mutex_acquire(struct mutex *m)
{
	(void)m;
}
static inline void lockcheck_mutex_tried(struct mutex *m)
{
	(void)m;
}
static inline void lockcheck_mutex_release(struct mutex *m)
{
	(void)m;
}
static inline void lockcheck_might_sleep(const char *what,
					 const spinlock_t *allowed)
{
	(void)what;
	(void)allowed;
}
static inline void lockcheck_assert_held(const spinlock_t *l, const char *what)
{
	(void)l;
	(void)what;
}
#endif

#endif
