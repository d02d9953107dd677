/* Kernel timers: callbacks at monotonic deadlines, on one list sorted by
 * deadline and checked from the timer tick (include/ktimer.h). */
#include <ktimer.h>
#include <proc.h>
#include <sched.h>
#include <time.h>

spinlock_t ktimer_lock = SPINLOCK_INIT("ktimer");
static LIST_HEAD(ktimer_list); /* ktimer_lock: by expires, earliest first */

void ktimer_del_locked(struct ktimer *kt)
{
	if (kt->queued) {
		list_del(&kt->link);
		kt->queued = false;
	}
}

void ktimer_add_locked(struct ktimer *kt, uint64_t expires)
{
	ktimer_del_locked(kt);
	kt->expires = expires;
	/* Insert after the last timer due no later: equal deadlines fire in
	 * the order they were armed. Search from the tail, where periodic
	 * timers re-arming tend to land. */
	struct list_head *pos = ktimer_list.prev;
	while (pos != &ktimer_list &&
	       list_entry(pos, struct ktimer, link)->expires > expires)
		pos = pos->prev;
	list_add(&kt->link, pos);
	kt->queued = true;
}

void ktimer_clock_was_set_locked(int64_t delta)
{
	/* Absolute realtime deadlines move the other way in monotonic time:
	 * setting the clock forward brings them closer. Re-sort them. */
	LIST_HEAD(moved);
	struct ktimer *kt, *tmp;
	list_for_each_entry_safe(kt, tmp, &ktimer_list, link)
	{
		if (kt->realtime) {
			list_del(&kt->link);
			list_add_tail(&kt->link, &moved);
		}
	}
	list_for_each_entry_safe(kt, tmp, &moved, link)
	{
		uint64_t e = kt->expires;
		if (delta > 0)
			e = e > (uint64_t)delta ? e - (uint64_t)delta : 1;
		else
			e = time_add_sat(e, (uint64_t)-delta);
		list_del(&kt->link);
		kt->queued = false;
		ktimer_add_locked(kt, e);
	}
}

void ktimer_tick(struct thread *t, bool from_user)
{
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (t && t->proc && t->proc->timers)
		ptimer_cpu_tick_locked(t, from_user);
	if (!list_empty(&ktimer_list)) {
		uint64_t now = time_ns();
		while (!list_empty(&ktimer_list)) {
			struct ktimer *kt =
			    list_first_entry(&ktimer_list, struct ktimer, link);
			if (kt->expires > now)
				break;
			list_del(&kt->link);
			kt->queued = false;
			kt->fn(kt); /* may re-arm kt, later than now */
		}
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
}
