/* Debug builds check the locking rules of docs/locking.md as the kernel
 * runs, and panic (with a backtrace) at the first break:
 *  - two spinlock classes taken in both orders (A then B somewhere, B then
 *    A elsewhere): the deadlock waiting for a second CPU;
 *  - sleeping, or taking a sleeping mutex, with a spinlock held (sched_lock
 *    aside, which the scheduler itself holds across the switch).
 * A lock's class is its name: every pipe's lock is "pipe". Release by a
 * CPU that does not hold the lock is checked in kernel/spinlock.c. */
#include <lockcheck.h>
#include <panic.h>
#include <percpu.h>

#ifdef LOCK_DEBUG

#define LC_MAX 64

/* Written with interrupts off (inside spin_lock_irqsave); one CPU, so no
 * lock of its own. A second CPU needs one. */
static const char *lc_names[LC_MAX];
static int lc_count;
static uint64_t lc_after[LC_MAX]; /* bit j of [i]: j taken holding i */

static int lc_class(spinlock_t *l)
{
	if (l->lc_class)
		return l->lc_class - 1;
	int i;
	for (i = 0; i < lc_count; i++)
		if (lc_names[i] == l->name)
			break;
	if (i == lc_count) {
		if (lc_count == LC_MAX)
			panic("lockcheck: more than %d lock classes", LC_MAX);
		lc_names[lc_count++] = l->name;
	}
	l->lc_class = (short)(i + 1);
	return i;
}

void lockcheck_acquire(spinlock_t *l)
{
	struct percpu *cpu = this_cpu();
	int c = lc_class(l);
	for (int i = 0; i < cpu->nheld; i++) {
		int h = lc_class(cpu->held[i]);
		if (h == c)
			continue; /* instances of one class: no order known */
		if (lc_after[c] & (1ULL << h))
			panic("lockcheck: lock %s taken while holding %s, "
			      "but %s was taken while holding %s before",
			      l->name, cpu->held[i]->name, cpu->held[i]->name,
			      l->name);
		lc_after[h] |= 1ULL << c;
	}
	if (cpu->nheld == LOCKCHECK_DEPTH)
		panic("lockcheck: more than %d spinlocks held at once",
		      LOCKCHECK_DEPTH);
	cpu->held[cpu->nheld++] = l;
}

void lockcheck_release(spinlock_t *l)
{
	struct percpu *cpu = this_cpu();
	for (int i = cpu->nheld - 1; i >= 0; i--) {
		if (cpu->held[i] == l) {
			for (; i < cpu->nheld - 1; i++)
				cpu->held[i] = cpu->held[i + 1];
			cpu->nheld--;
			return;
		}
	}
	panic("lockcheck: %s released but not on this CPU's held list",
	      l->name);
}

void lockcheck_might_sleep(const char *what, const spinlock_t *allowed)
{
	struct percpu *cpu = this_cpu();
	for (int i = 0; i < cpu->nheld; i++)
		if (cpu->held[i] != allowed)
			panic("lockcheck: %s with spinlock %s held", what,
			      cpu->held[i]->name);
}

#endif /* LOCK_DEBUG */
