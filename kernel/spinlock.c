/* Spinlocks: interrupts off on the local CPU, then an atomic test-and-set
 * loop. Interrupts go off first so an interrupt handler on this CPU can
 * never spin on a lock its own CPU holds. */
#include <arch.h>
#include <lockcheck.h>
#include <panic.h>
#include <percpu.h>
#include <spinlock.h>

void spin_init(spinlock_t *l, const char *name)
{
	l->locked = 0;
	l->cpu = -1;
	l->name = name;
	l->lc_class = 0;
}

bool spin_is_held(const spinlock_t *l)
{
	return l->locked && l->cpu == this_cpu()->cpu_id;
}

irqflags_t spin_lock_irqsave(spinlock_t *l)
{
	irqflags_t f = arch_irq_save();
	if (spin_is_held(l))
		panic("spinlock %s: recursive acquire", l->name);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			arch_cpu_relax();
	l->cpu = this_cpu()->cpu_id;
	lockcheck_acquire(l);
	return f;
}

void spin_unlock_irqrestore(spinlock_t *l, irqflags_t flags)
{
	if (!spin_is_held(l))
		panic("spinlock %s: release by a CPU that does not hold it",
		      l->name);
	lockcheck_release(l);
	l->cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}
