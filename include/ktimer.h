/* Kernel timers (kernel/ktimer.c) and the process timers built on them
 * (kernel/ptimer.c): interval timers, alarm and POSIX timers.
 *
 * A ktimer is a callback at a monotonic deadline. Pending ktimers sit on
 * one list sorted by deadline, checked from the timer tick: the tick looks
 * at the head only, so it costs O(1) when nothing expires; arming is
 * O(pending timers). Resolution is the tick (1/HZ s). Callbacks run in
 * interrupt context with ktimer_lock held (interrupts off) and may re-arm
 * their own timer with ktimer_add_locked. Because the callback runs under
 * ktimer_lock, ktimer_del returning means the callback is not running and
 * will not run: what the callback uses may be freed after it.
 *
 * Lock order: ktimer_lock, then proc_lock, then sched_lock. */
#ifndef LIMEN_KTIMER_H
#define LIMEN_KTIMER_H

#include <lib/list.h>
#include <spinlock.h>
#include <types.h>

struct ktimer {
	struct list_head link; /* ktimer_lock: the pending list */
	uint64_t expires;      /* ktimer_lock: monotonic ns */
	bool queued;	       /* ktimer_lock */
	/* An absolute CLOCK_REALTIME deadline: moved by clock_settime. */
	bool realtime;
	void (*fn)(struct ktimer *kt); /* const: under ktimer_lock, irqs off */
};

/* Guards every ktimer and all process timer state (kernel/ptimer.c). */
extern spinlock_t ktimer_lock;

/* With ktimer_lock held: (re)queue kt to fire at expires (monotonic ns),
 * or take it off the list. */
void ktimer_add_locked(struct ktimer *kt, uint64_t expires);
void ktimer_del_locked(struct ktimer *kt);
/* clock_settime moved CLOCK_REALTIME by delta ns: realtime timers follow.
 * With ktimer_lock held. */
void ktimer_clock_was_set_locked(int64_t delta);

struct thread;
struct process;
/* From sched_tick, with interrupts off: fires expired ktimers and charges
 * the tick to the CPU-time timers of t's process (t NULL when idle). */
void ktimer_tick(struct thread *t, bool from_user);

/* Process timers (kernel/ptimer.c). At exit all are deleted (before the
 * process can be freed); execve deletes the POSIX timers and keeps the
 * itimers and alarm; a forked child starts with none (p->timers NULL). */
void ptimer_exit(struct process *p);
void ptimer_exec(struct process *p);
/* Per-tick CPU-time charging, from ktimer_tick with ktimer_lock held. */
void ptimer_cpu_tick_locked(struct thread *t, bool from_user);

/* For signal delivery (kernel/signal.c) to call when it hands a signal
 * with si_code SI_TIMER to user space (handler frame, rt_sigtimedwait,
 * signalfd), with info.timer.tid as timerid and p the receiving process.
 * It moves the timer's overrun count to what timer_getoverrun reports and
 * lets the timer send its next signal; it returns the count for si_overrun
 * (as Linux fills it at delivery), or -1 if the timer is gone or re-armed
 * since (keep the si_overrun sent then). Takes ktimer_lock, which comes
 * before proc_lock, sched_lock and any lock signal_send_info takes: call
 * it with none of those held. Until it is wired, a timer's signal counts
 * as delivered once its number is no longer pending in the target. */
int posix_timer_delivered(struct process *p, int timerid);

#define PTIMER_MAX_PER_PROC 1024 /* Linux: RLIMIT_SIGPENDING */
#define PTIMER_MAX_GLOBAL 16384

#endif
