/* Sleeping locks on top of the scheduler's wait queues. The owner field
 * is only read and written under sched_lock, so taking a free mutex is one
 * lock round trip and a contended one sleeps on m->wq. */
#include <lockcheck.h>
#include <mutex.h>
#include <panic.h>
#include <percpu.h>

/* Before the scheduler runs there is no current thread; boot code that
 * takes a mutex then owns it under this name. */
#define BOOT_OWNER ((struct thread *)1)

static struct thread *me(void)
{
	struct thread *t = this_cpu()->curr;
	return t ? t : BOOT_OWNER;
}

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	wait_queue_init(&m->wq);
	m->name = name;
	m->lc_class = 0;
}

void mutex_lock(struct mutex *m)
{
	struct thread *t = me();
	lockcheck_might_sleep("mutex_lock", NULL);
	irqflags_t f = sched_lock_irqsave();
	if (m->owner == t)
		panic("mutex %s: recursive lock", m->name);
	while (m->owner)
		sched_sleep_locked(&m->wq, 0);
	m->owner = t;
	sched_unlock_irqrestore(f);
	lockcheck_mutex_acquire(m);
}

bool mutex_trylock(struct mutex *m)
{
	struct thread *t = me();
	irqflags_t f = sched_lock_irqsave();
	bool got = m->owner == NULL;
	if (got)
		m->owner = t;
	sched_unlock_irqrestore(f);
	if (got)
		lockcheck_mutex_tried(m);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	irqflags_t f = sched_lock_irqsave();
	if (m->owner != me())
		panic("mutex %s: unlocked by a thread that does not hold it",
		      m->name);
	m->owner = NULL;
	sched_unlock_irqrestore(f);
	lockcheck_mutex_release(m);
	wait_queue_wake_all(&m->wq);
}

bool mutex_is_held(const struct mutex *m)
{
	return m->owner == me();
}
