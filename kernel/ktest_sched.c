/* Self-tests of time, threads and preemption (run with ktest=...). */
#include <arch.h>
#include <err.h>
#include <ktest.h>
#include <sched.h>
#include <time.h>

KTEST(timer_ticks)
{
	uint64_t j0 = jiffies, t0 = time_ns();
	/* Busy-wait 50 ms of clock time with interrupts on: the tick must
	 * advance on its own, about HZ times a second. */
	while (time_ns() - t0 < 50 * NSEC_PER_MSEC)
		arch_cpu_relax();
	uint64_t dj = jiffies - j0;
	KCHECK(dj >= 2 && dj <= 10, "timer_ticks_advance",
	       "%llu ticks in 50 ms at HZ=%d", (unsigned long long)dj, HZ);
	uint64_t a = time_ns(), b = time_ns();
	KCHECK(b >= a && a > 0, "clock_monotonic", "%llu then %llu",
	       (unsigned long long)a, (unsigned long long)b);
}

KTEST(thread_sleep)
{
	uint64_t t0 = time_ns();
	thread_sleep_ns(30 * NSEC_PER_MSEC);
	uint64_t dt = time_ns() - t0;
	KCHECK(dt >= 30 * NSEC_PER_MSEC, "sleep_at_least_asked",
	       "slept %llu ns", (unsigned long long)dt);
}

static volatile uint64_t spin_counts[2];
static volatile bool spin_stop;

/* Never yields or sleeps: only preemption can take the CPU away. */
static void busy(void *arg)
{
	int i = (int)(uintptr_t)arg;
	while (!spin_stop)
		spin_counts[i]++;
}

KTEST(preemption)
{
	struct thread *a, *b;
	spin_counts[0] = spin_counts[1] = 0;
	spin_stop = false;
	a = thread_create("busy0", busy, (void *)0);
	b = thread_create("busy1", busy, (void *)1);
	KCHECK(!IS_ERR(a) && !IS_ERR(b), "thread_create");
	if (IS_ERR(a) || IS_ERR(b))
		return;
	struct sched_stats s0, s1;
	sched_get_stats(&s0);
	thread_sleep_ns(200 * NSEC_PER_MSEC);
	spin_stop = true;
	uint64_t c0 = spin_counts[0], c1 = spin_counts[1];
	thread_join(a);
	thread_join(b);
	sched_get_stats(&s1);
	KCHECK(c0 > 0 && c1 > 0, "preempt_both_busy_threads_ran",
	       "counts %llu and %llu", (unsigned long long)c0,
	       (unsigned long long)c1);
	KCHECK(s1.preemptions - s0.preemptions >= 4, "preempt_timer_switches",
	       "%llu preemptions in 200 ms",
	       (unsigned long long)(s1.preemptions - s0.preemptions));
	/* Round robin: neither thread gets more than 4x the other. */
	KCHECK(c0 < 4 * c1 && c1 < 4 * c0, "preempt_fair_share",
	       "counts %llu and %llu", (unsigned long long)c0,
	       (unsigned long long)c1);
}

static struct wait_queue wq_test = WAIT_QUEUE_INIT(wq_test);
static volatile int wq_flag;

static void waker(void *arg)
{
	(void)arg;
	thread_sleep_ns(10 * NSEC_PER_MSEC);
	irqflags_t f = sched_lock_irqsave();
	wq_flag = 1;
	sched_unlock_irqrestore(f);
	wait_queue_wake_all(&wq_test);
}

KTEST(wait_queue)
{
	wq_flag = 0;
	struct thread *t = thread_create("waker", waker, NULL);
	KCHECK(!IS_ERR(t), "waitq_create_waker");
	if (IS_ERR(t))
		return;
	wait_event(&wq_test, wq_flag == 1);
	KCHECK(wq_flag == 1, "waitq_woken_after_condition");
	KCHECK(thread_join(t) == 0, "thread_join_exit_code");
	irqflags_t f = sched_lock_irqsave();
	int r = sched_sleep_locked(&wq_test, time_ns() + 5 * NSEC_PER_MSEC);
	sched_unlock_irqrestore(f);
	KCHECK(r < 0, "waitq_timeout", "returned %d", r);
}

static void exits_with(void *arg)
{
	thread_exit((int)(uintptr_t)arg);
}

KTEST(thread_lifecycle)
{
	/* Creating and joining many threads must not leak stacks: the
	 * kernel-stack slots are recycled, so 2000 > the 4096-slot area
	 * only matters if they leak. */
	int bad = 0;
	for (int i = 0; i < 5000 && !bad; i++) {
		struct thread *t =
		    thread_create("short", exits_with, (void *)(uintptr_t)i);
		if (IS_ERR(t) || thread_join(t) != i)
			bad = i + 1;
	}
	KCHECK(!bad, "thread_create_join_5000", "failed at iteration %d",
	       bad - 1);
}
