/* Debug builds check the locking rules of docs/locking.md as the kernel
 * runs, and panic (with a backtrace) at the first break:
 *  - two spinlock classes taken in both orders (A then B somewhere, B then
 *    A elsewhere): the deadlock waiting for a second CPU;
 *  - two mutex classes taken in both orders (each thread keeps the
 *    mutexes it holds, since they are held across sleeps);
 *  - sleeping, or taking a sleeping mutex, with a spinlock held (sched_lock
 *    aside, which the scheduler itself holds across the switch).
 * A lock's class is its name: every pipe's lock is "pipe". Release by a
 * CPU that does not hold the lock is checked in kernel/spinlock.c. */
#include <arch.h>
#include <lockcheck.h>
#include <mutex.h>
#include <panic.h>
#include <percpu.h>

#ifdef LOCK_DEBUG

#define LC_MAX 64

/* Written with interrupts off (inside spin_lock_irqsave); one CPU, so no
 * lock of its own. A second CPU needs one. */
static const char *lc_names[LC_MAX];
static int lc_count;
static uint64_t lc_after[LC_MAX]; /* bit j of [i]: j taken holding i */

/* The class of a lock named name, cached in *cache (class + 1). With
 * interrupts off. */
static int lc_class_of(const char *name, short *cache)
{
	if (*cache)
		return *cache - 1;
	int i;
	for (i = 0; i < lc_count; i++)
		if (lc_names[i] == name)
			break;
	if (i == lc_count) {
		if (lc_count == LC_MAX)
			panic("lockcheck: more than %d lock classes", LC_MAX);
		lc_names[lc_count++] = name;
	}
	*cache = (short)(i + 1);
	return i;
}

static int lc_class(spinlock_t *l)
{
	return lc_class_of(l->name, &l->lc_class);
}

/* Class c is being taken while class h is held: record it, or panic if
 * the reverse order was seen before. */
static void lc_order(int h, int c)
{
	if (h == c)
		return; /* instances of one class: no order known */
	if (lc_after[c] & (1ULL << h))
		panic("lockcheck: lock %s taken while holding %s, but %s was "
		      "taken while holding %s before",
		      lc_names[c], lc_names[h], lc_names[h], lc_names[c]);
	lc_after[h] |= 1ULL << c;
}

void lockcheck_acquire(spinlock_t *l)
{
	struct percpu *cpu = this_cpu();
	int c = lc_class(l);
	for (int i = 0; i < cpu->nheld; i++)
		lc_order(lc_class(cpu->held[i]), c);
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

/* Mutexes are held across sleeps, so each thread keeps its own list. */
void lockcheck_mutex_acquire(struct mutex *m)
{
	struct thread *t = current;
	if (!t)
		return; /* boot, before the scheduler: one context */
	irqflags_t f = arch_irq_save();
	int c = lc_class_of(m->name, &m->lc_class);
	for (int i = 0; i < t->nheld_mutex; i++)
		lc_order(lc_class_of(t->held_mutex[i]->name,
				     &t->held_mutex[i]->lc_class),
			 c);
	if (t->nheld_mutex == LOCKCHECK_MUTEX_DEPTH)
		panic("lockcheck: more than %d mutexes held at once",
		      LOCKCHECK_MUTEX_DEPTH);
	t->held_mutex[t->nheld_mutex++] = m;
	arch_irq_restore(f);
}

/* A mutex taken by mutex_trylock: held now, but no order is learnt from
 * it, since a trylock never waits and so cannot deadlock. */
void lockcheck_mutex_tried(struct mutex *m)
{
	struct thread *t = current;
	if (!t)
		return;
	if (t->nheld_mutex == LOCKCHECK_MUTEX_DEPTH)
		panic("lockcheck: more than %d mutexes held at once",
		      LOCKCHECK_MUTEX_DEPTH);
	t->held_mutex[t->nheld_mutex++] = m;
}

void lockcheck_mutex_release(struct mutex *m)
{
	struct thread *t = current;
	if (!t)
		return;
	for (int i = t->nheld_mutex - 1; i >= 0; i--) {
		if (t->held_mutex[i] == m) {
			for (; i < t->nheld_mutex - 1; i++)
				t->held_mutex[i] = t->held_mutex[i + 1];
			t->nheld_mutex--;
			return;
		}
	}
}

void lockcheck_might_sleep(const char *what, const spinlock_t *allowed)
{
	struct percpu *cpu = this_cpu();
	for (int i = 0; i < cpu->nheld; i++)
		if (cpu->held[i] != allowed)
			panic("lockcheck: %s with spinlock %s held", what,
			      cpu->held[i]->name);
}

void lockcheck_assert_held(const spinlock_t *l, const char *what)
{
	struct percpu *cpu = this_cpu();
	for (int i = 0; i < cpu->nheld; i++)
		if (cpu->held[i] == l)
			return;
	panic("lockcheck: %s without %s held (its condition was tested "
	      "unlocked)",
	      what, l->name);
}

#endif /* LOCK_DEBUG */
