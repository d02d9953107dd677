/* Threads and the scheduler (kernel/sched.c, kernel/thread.c).
 *
 * Policy: preemptive round robin on one run queue. A thread runs for at most
 * SCHED_SLICE_TICKS timer ticks before the next runnable thread gets the
 * CPU; a thread that sleeps gives the CPU up at once. The idle thread (the
 * boot context) runs only when nothing else can, halting the CPU.
 *
 * Locking: sched_lock (kernel/sched.c) protects the run queue, the sleep
 * list, every thread's state field and all wait queues. It is held across
 * the context switch and released by the thread that resumes. */
#ifndef LIMEN_SCHED_H
#define LIMEN_SCHED_H

#include <asm/percpu.h>
#include <lib/list.h>
#include <spinlock.h>
#include <types.h>

#define SCHED_SLICE_TICKS 2 /* 20 ms at HZ=100 */
#define THREAD_NAME_MAX 16

enum thread_state {
	THREAD_RUNNABLE,
	THREAD_RUNNING,
	THREAD_SLEEPING,
	THREAD_ZOMBIE,
};

struct arch_context; /* saved callee-saved registers on the thread's stack */
struct process;
struct trap_frame;
struct fpu_state;

/* Each field says what guards it; "self" means only the thread itself
 * writes it (in its system calls and on its way to user mode). */
struct thread {
	int tid;		     /* const */
	char name[THREAD_NAME_MAX];  /* self */
	enum thread_state state;     /* sched_lock */
	struct arch_context *ctx;    /* sched_lock (the switch) */
	void *kstack_top;	     /* const */
	struct list_head run_link;   /* the run queue (sched_lock) */
	struct list_head sleep_link; /* sched_lock: the timed sleepers */
	struct list_head all_link;   /* all_threads (threads_lock) */
	uint64_t wake_at_ns; /* sched_lock: when sleeping with a timeout */
	bool timed_out;	     /* sched_lock */
	int slice;	     /* sched_lock: ticks left in this time slice */
	uint64_t ticks;	     /* sched_lock: timer ticks spent running */
	uint64_t switches;   /* sched_lock: times scheduled in */
	/* Time accounting, charged at every crossing of the boundary and at
	 * every context switch (kernel/acct.c), with interrupts off: */
	uint64_t utime_ns, stime_ns;
	uint64_t acct_mark_ns; /* when the current stretch began */
	bool detached;	       /* freed by the idle thread when it exits */
	int exit_code;
	struct wait_queue *join_wq;
	void (*fn)(void *);
	void *arg;
	/* User-mode state (NULL/0 for kernel threads), all "self": */
	struct process *proc;
	struct trap_frame *utf; /* saved user registers, top of kstack */
	struct fpu_state *fpu;	/* FPU/SSE/AVX registers */
	void *io_page;	  /* read/write's bounce page, kept (kernel/sys_io.c) */
	uint64_t fs_base; /* arch_prctl(ARCH_SET_FS) */
	uintptr_t clear_child_tid;  /* set_tid_address */
	uintptr_t robust_list;	    /* set_robust_list */
	int utid;		    /* proc_lock: the user-visible thread id */
	struct list_head proc_link; /* proc_lock: the process's threads */
	/* Signals (kernel/signal.c), bit n-1 for signal n. Pending: the
	 * signals directed at this thread, written under sig_lock (atomic
	 * stores, so a lock-free read is a safe hint); sig_queue, under
	 * sig_lock, holds what each of them says. sig_shared points at the
	 * process's pending set (a zero word for kernel threads). Blocked:
	 * self. */
	uint64_t sig_pending, sig_blocked;
	struct list_head sig_queue;
	const uint64_t *sig_shared;
	/* sig_lock: the process is stopping; this thread is to park on its
	 * way to user mode (Linux's JOBCTL_STOP_PENDING). */
	bool stop_pending;
	bool stop_parked; /* sig_lock: parked in a group stop */
	/* During rt_sigtimedwait: the mask before the wait unblocked the
	 * awaited set (Linux's real_blocked); 0 otherwise. */
	uint64_t sig_real_blocked;
	uint64_t sig_saved_mask; /* rt_sigsuspend's mask to restore */
	bool restore_mask;
	uint64_t altstack_sp, altstack_size; /* sigaltstack; size 0: none */
	uint32_t altstack_flags;	     /* SS_AUTODISARM or 0 */
	long syscall_nr;
	uint32_t trace_gen; /* traced while it equals kernel/trace.c's */
	bool bare_syscalls; /* prctl PR_LIMEN_BARE_SYSCALLS: see sys_prctl */
	bool intr_sleep;    /* sched_lock: a signal may end this sleep */
	/* self: the mutexes it holds (kernel/lockcheck.c, debug builds) */
	struct mutex *held_mutex[4];
	int nheld_mutex;
};

struct wait_queue {
	struct list_head waiters; /* struct wait_entry.link (sched_lock) */
};

/* One sleeper's place on one wait queue. sched_sleep_locked makes one on
 * its stack; poll adds one to each queue it waits on, then sleeps on none.
 * A waker unlinks the entries it wakes. Guarded by sched_lock.
 * An entry with a func instead (epoll's registration, fs/eventpoll.c) is
 * not a sleeper: a wake calls func under sched_lock and leaves the entry
 * on the queue; func does O(1) work and takes no other lock. key is the
 * wake's POLL* bits (wait_queue_wake_all_key), 0 when unknown. */
struct wait_entry {
	struct thread *thread;
	void (*func)(struct wait_entry *e, unsigned key);
	struct list_head link;
};
#define WAIT_QUEUE_INIT(wq)                                                    \
	{                                                                      \
		LIST_HEAD_INIT((wq).waiters)                                   \
	}

void sched_init(void);
/* The boot context becomes the idle thread and never returns. */
__noreturn void sched_idle_loop(void);

/* Creates a runnable kernel thread; returns it or ERR_PTR(-errno). */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
__noreturn void thread_exit(int code);
/* Waits for t to exit, frees it and returns its exit code. */
int thread_join(struct thread *t);
void thread_detach(struct thread *t);
void thread_sleep_ns(uint64_t ns);

void sched_yield_cpu(void);
/* For kernel/thread.c: a new thread joins the run queue; the current
 * thread ends, waking joiners. */
void sched_enqueue_new(struct thread *t);
__noreturn void sched_exit_current(struct wait_queue *joiners);
/* From the timer interrupt; from_user says where the tick landed. */
void sched_tick(bool from_user);
/* CPU-wide ticks spent in user mode, kernel mode and idle. */
void sched_cpu_ticks(uint64_t *user, uint64_t *system, uint64_t *idle);
void sched_preempt(void); /* from the interrupt exit path */
void preempt_disable(void);
void preempt_enable(void);

/* Wait queues. The condition is evaluated with sched_lock held, so the
 * waker must make it true before calling wait_queue_wake_all. */
irqflags_t sched_lock_irqsave(void);
void sched_unlock_irqrestore(irqflags_t f);
/* With sched_lock held: sleep until woken (or until deadline_ns, if not 0;
 * returns -ETIMEDOUT then). The lock is held again on return. */
int sched_sleep_locked(struct wait_queue *wq, uint64_t deadline_ns);
void wait_queue_wake_all(struct wait_queue *wq);
/* As wait_queue_wake_all, saying which POLL* events the change brings
 * (POLLIN: data came; POLLOUT: room was made): epoll's registrations for
 * other events ignore it, so an edge-triggered watch is not reported
 * again for a change it did not ask about (Linux's wake key). Threads
 * all wake, whatever the key. */
void wait_queue_wake_all_key(struct wait_queue *wq, unsigned key);
/* With sched_lock held: the current thread's entry e joins wq / leaves
 * whatever queue it is still on. */
void wait_entry_add_locked(struct wait_queue *wq, struct wait_entry *e);
void wait_entry_del_locked(struct wait_entry *e);
/* With sched_lock held: e, with its func set, joins wq for good (until
 * wait_entry_del_locked). */
void wait_entry_add_func_locked(struct wait_queue *wq, struct wait_entry *e);
/* As wait_queue_wake_all, for a caller holding sched_lock (an entry's
 * func waking the queue of its own file: nested epoll). */
void wait_queue_wake_all_locked(struct wait_queue *wq, unsigned key);
/* wq is about to be freed while registrations (func entries) may still
 * be on it (a process's signal queue, which a signalfd watched by an
 * epoll that outlives the process points at): each is woken one last
 * time and unlinked, so its owner's later removal is a no-op (Linux's
 * wake_up_pollfree). */
void wait_queue_pollfree(struct wait_queue *wq);
/* Bumped by every wait_queue_wake_all, under sched_lock. */
extern uint64_t wake_epoch;
void wait_queue_init(struct wait_queue *wq);

/* True if an unblocked signal is pending for t, directed at it or at its
 * process (SIGKILL always counts), or t is to stop with its process. */
static inline bool signal_pending(const struct thread *t)
{
	return ((t->sig_pending | *t->sig_shared) & ~t->sig_blocked) ||
	       (t->sig_pending & 0x100) || t->stop_pending;
}

/* True if t has been killed (SIGKILL cannot be blocked): a loop whose
 * length a user chose stops early, so the kill takes effect. */
static inline bool fatal_signal_pending(const struct thread *t)
{
	return t->sig_pending & 0x100;
}

/* With sched_lock held: makes a sleeping t runnable. */
void sched_wake_locked(struct thread *t);
/* Wakes t if it sleeps interruptibly (a signal was just queued for it). */
void sched_signal_wake(struct thread *t);

/* With sched_lock held: one sleep that a signal may end, until woken or
 * deadline_ns (0: none). -EINTR without sleeping if one is pending
 * already (with fatal_only, only SIGKILL counts), -ETIMEDOUT at the
 * deadline, else 0: the caller looks at its condition again. */
int sched_sleep_intr_locked(struct wait_queue *wq, uint64_t deadline_ns,
			    bool fatal_only);

/* As wait_event, but gives up with -EINTR when a signal arrives. */
#define wait_event_interruptible(wq, cond)                                     \
	({                                                                     \
		int __r = 0;                                                   \
		irqflags_t __f = sched_lock_irqsave();                         \
		while (!(cond) && __r == 0)                                    \
			__r = sched_sleep_intr_locked(wq, 0, false);           \
		sched_unlock_irqrestore(__f);                                  \
		__r;                                                           \
	})

#define wait_event(wq, cond)                                                   \
	do {                                                                   \
		irqflags_t __f = sched_lock_irqsave();                         \
		while (!(cond))                                                \
			sched_sleep_locked(wq, 0);                             \
		sched_unlock_irqrestore(__f);                                  \
	} while (0)

struct sched_stats {
	uint64_t context_switches;
	uint64_t preemptions;
	int nr_threads;
};
void sched_get_stats(struct sched_stats *st);
/* The 1, 5 and 15 minute load averages in fixed point with shift bits. */
void sched_loadavg(uint64_t out[3], unsigned shift);
int sched_nr_running(void); /* runnable threads, the caller included */

#endif
