/* The scheduler: one round-robin run queue, a sleep list ordered by nothing
 * (scanned each tick), wait queues, and preemption from the timer tick.
 * See include/sched.h for the policy and the locking rule. */
#include <acct.h>
#include <arch.h>
#include <entry.h>
#include <err.h>
#include <lockcheck.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <rlimit.h>
#include <ktimer.h>
#include <sched.h>
#include <time.h>
#include <trace.h>
#include <uapi/errno.h>

/* Protects run_queue, sleep_list, thread states and wait queues. */
static spinlock_t sched_lock = SPINLOCK_INIT("sched");
static LIST_HEAD(run_queue);
static LIST_HEAD(sleep_list);
static uint64_t nr_switches, nr_preemptions;

irqflags_t sched_lock_irqsave(void)
{
	return spin_lock_irqsave(&sched_lock);
}
void sched_unlock_irqrestore(irqflags_t f)
{
	spin_unlock_irqrestore(&sched_lock, f);
}

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->waiters);
}

/* Caller holds sched_lock. */
static void make_runnable(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	list_del(&t->run_link);
	list_del(&t->sleep_link);
	list_add_tail(&t->run_link, &run_queue);
}

/* Picks the next thread and switches to it. Caller holds sched_lock and
 * has already put the current thread where it belongs (run queue, sleep
 * list, wait queue) and set its state. */
static void schedule_locked(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *prev = cpu->curr, *next;

	if (cpu->preempt_count > 0 && prev->state == THREAD_SLEEPING)
		panic("sched: %s sleeping with preemption disabled",
		      prev->name);
	if (prev->state == THREAD_SLEEPING)
		lockcheck_might_sleep("sleep", &sched_lock);
	if (!list_empty(&run_queue)) {
		next = list_first_entry(&run_queue, struct thread, run_link);
		list_del(&next->run_link);
	} else if (prev->state == THREAD_RUNNING) {
		next = prev;
	} else {
		next = cpu->idle;
	}
	cpu->need_resched = false;
	next->state = THREAD_RUNNING;
	next->slice = SCHED_SLICE_TICKS;
	if (next == prev)
		return;
	next->switches++;
	nr_switches++;
	acct_switch(prev, next);
	if (unlikely(trace_enabled))
		trace_switch(prev, next);
	cpu->curr = next;
	arch_set_kernel_stack((uint64_t)next->kstack_top);
	proc_switch(prev, next);
	arch_context_switch(&prev->ctx, next->ctx);
}

/* Gives up the CPU; the current thread stays runnable. */
void sched_yield_cpu(void)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	struct thread *t = current;
	if (t != this_cpu()->idle) {
		t->state = THREAD_RUNNABLE;
		list_add_tail(&t->run_link, &run_queue);
	}
	schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

void sched_preempt(void)
{
	nr_preemptions++;
	sched_yield_cpu();
}

void preempt_disable(void)
{
	this_cpu()->preempt_count++;
}
void preempt_enable(void)
{
	this_cpu()->preempt_count--;
}

/* Timer interrupt: charge the tick, end the slice, wake timed sleepers. */
/* Load averages as Linux computes them: every 5 s, an exponentially
 * decaying average of the runnable threads, in 11-bit fixed point. */
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
static const uint64_t load_exp[3] = {1884, 2014, 2037}; /* 1, 5, 15 min */
static uint64_t load_avg[3];
static uint64_t load_next_tick = 5 * HZ;

/* With sched_lock held. */
static void load_sample(struct percpu *cpu)
{
	uint64_t n = 0;
	struct list_head *pos;
	list_for_each(pos, &run_queue) n++;
	if (cpu->curr != cpu->idle)
		n++;
	for (int i = 0; i < 3; i++)
		load_avg[i] = (load_avg[i] * load_exp[i] +
			       n * FIXED_1 * (FIXED_1 - load_exp[i])) >>
			      FSHIFT;
}

int sched_nr_running(void)
{
	struct percpu *cpu = this_cpu();
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	int n = cpu->curr != cpu->idle;
	struct list_head *pos;
	list_for_each(pos, &run_queue) n++;
	spin_unlock_irqrestore(&sched_lock, f);
	return n;
}

void sched_loadavg(uint64_t out[3], unsigned shift)
{
	for (int i = 0; i < 3; i++)
		out[i] = shift >= FSHIFT ? load_avg[i] << (shift - FSHIFT)
					 : load_avg[i] >> (FSHIFT - shift);
}

static uint64_t ticks_user, ticks_system, ticks_idle;

void sched_cpu_ticks(uint64_t *user, uint64_t *system, uint64_t *idle)
{
	*user = ticks_user;
	*system = ticks_system;
	*idle = ticks_idle;
}

void sched_tick(bool from_user)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = cpu->curr, *s, *tmp;
	uint64_t now = time_ns();

	if (t != cpu->idle)
		rlimit_cpu_tick(t);
	spin_lock_irqsave(&sched_lock); /* interrupts are already off */
	t->ticks++;
	if (t == cpu->idle)
		ticks_idle++;
	else if (from_user)
		ticks_user++;
	else
		ticks_system++;
	if (jiffies >= load_next_tick) {
		load_next_tick += 5 * HZ;
		load_sample(cpu);
	}
	if (t == cpu->idle || --t->slice <= 0)
		cpu->need_resched = !list_empty(&run_queue) || t == cpu->idle;
	list_for_each_entry_safe(s, tmp, &sleep_list, sleep_link)
	{
		if (s->wake_at_ns && s->wake_at_ns <= now) {
			s->timed_out = true;
			make_runnable(s);
			cpu->need_resched = true;
		}
	}
	spin_unlock_irqrestore(&sched_lock, 0);
	ktimer_tick(t == cpu->idle ? NULL : t, from_user);
	if (t == cpu->idle && list_empty(&run_queue))
		cpu->need_resched = false;
}

void wait_entry_add_locked(struct wait_queue *wq, struct wait_entry *e)
{
	e->thread = current;
	e->func = NULL;
	list_add_tail(&e->link, &wq->waiters);
}

void wait_entry_add_func_locked(struct wait_queue *wq, struct wait_entry *e)
{
	e->thread = NULL;
	list_add_tail(&e->link, &wq->waiters);
}

void wait_entry_del_locked(struct wait_entry *e)
{
	list_del(&e->link); /* a no-op once a waker has taken it off */
}

int sched_sleep_locked(struct wait_queue *wq, uint64_t deadline_ns)
{
	struct thread *t = current;
	struct wait_entry e;
	lockcheck_assert_held(&sched_lock, "sched_sleep_locked");
	if (t == this_cpu()->idle)
		panic("sched: the idle thread cannot sleep");
	t->state = THREAD_SLEEPING;
	t->timed_out = false;
	t->wake_at_ns = deadline_ns;
	/* On the wait queue (if any) through an entry on this stack, on the
	 * sleep list (if there is a deadline) through sleep_link. Waking
	 * takes the thread off the sleep list; the entry goes below. */
	if (wq)
		wait_entry_add_locked(wq, &e);
	if (deadline_ns)
		list_add_tail(&t->sleep_link, &sleep_list);
	schedule_locked();
	if (wq)
		wait_entry_del_locked(&e);
	t->wake_at_ns = 0;
	return t->timed_out ? -ETIMEDOUT : 0;
}

/* Counts wakeups, so a poller that checked readiness without sched_lock
 * can tell whether a wakeup happened before it went to sleep. */
uint64_t wake_epoch;

/* With sched_lock held: every entry leaves wq, and its sleeping thread
 * becomes runnable. A thread waiting on several queues (poll) is woken by
 * the first and finds the others' entries gone or removes them itself. */
static int wake_all_locked(struct wait_queue *wq, unsigned key)
{
	struct wait_entry *e, *tmp;
	int n = 0;
	list_for_each_entry_safe(e, tmp, &wq->waiters, link)
	{
		if (e->func) {
			/* A registration, not a sleeper: it stays. */
			e->func(e, key);
			continue;
		}
		list_del(&e->link);
		if (e->thread->state == THREAD_SLEEPING) {
			make_runnable(e->thread);
			n++;
		}
	}
	return n;
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	wait_queue_wake_all_key(wq, 0);
}

void wait_queue_wake_all_key(struct wait_queue *wq, unsigned key)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	wake_epoch++;
	/* A reschedule only when someone woke: the waker then gives the CPU
	 * to them on its way back to user mode (kernel/entry.c). Asking
	 * whenever anything is runnable made a woken thread hand the CPU
	 * straight back on its own empty wake, before reaching user mode. */
	if (wake_all_locked(wq, key))
		this_cpu()->need_resched = true;
	spin_unlock_irqrestore(&sched_lock, f);
}

void wait_queue_wake_all_locked(struct wait_queue *wq, unsigned key)
{
	if (wake_all_locked(wq, key))
		this_cpu()->need_resched = true;
}

void wait_queue_pollfree(struct wait_queue *wq)
{
	struct wait_entry *e, *tmp;
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	list_for_each_entry_safe(e, tmp, &wq->waiters, link)
	{
		list_del(&e->link);
		if (e->func)
			e->func(e, 0);
		else if (e->thread->state == THREAD_SLEEPING)
			make_runnable(e->thread);
	}
	spin_unlock_irqrestore(&sched_lock, f);
}

void sched_wake_locked(struct thread *t)
{
	if (t->state == THREAD_SLEEPING) {
		make_runnable(t);
		this_cpu()->need_resched = true;
	}
}

void sched_signal_wake(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	if (t->state == THREAD_SLEEPING && t->intr_sleep) {
		make_runnable(t);
		this_cpu()->need_resched = true;
	}
	spin_unlock_irqrestore(&sched_lock, f);
}

int sched_sleep_intr_locked(struct wait_queue *wq, uint64_t deadline_ns,
			    bool fatal_only)
{
	struct thread *t = current;
	if (fatal_only ? fatal_signal_pending(t) : signal_pending(t))
		return -EINTR;
	t->intr_sleep = true;
	int s = sched_sleep_locked(wq, deadline_ns);
	t->intr_sleep = false;
	return s == -ETIMEDOUT ? s : 0;
}

void thread_sleep_ns(uint64_t ns)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	sched_sleep_locked(NULL, time_ns() + ns);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Internal to kernel/thread.c: queue a new thread, or retire a dead one. */
void sched_enqueue_new(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	make_runnable(t);
	spin_unlock_irqrestore(&sched_lock, f);
}

__noreturn void sched_exit_current(struct wait_queue *joiners)
{
	spin_lock_irqsave(&sched_lock);
	current->state = THREAD_ZOMBIE;
	wake_all_locked(joiners, 0);
	schedule_locked();
	panic("sched: a zombie thread was scheduled");
}

/* First C code of every new thread: finish the switch that started it. */
void thread_entry(void (*fn)(void *), void *arg)
{
	spin_unlock_irqrestore(&sched_lock, ARCH_IRQFLAGS_ON);
	fn(arg);
	thread_exit(0);
}

void sched_get_stats(struct sched_stats *st)
{
	st->context_switches = nr_switches;
	st->preemptions = nr_preemptions;
}
