/* Signal generation and delivery, and kill(2)'s permission rule.
 *
 * A signal is pending on one thread: the one it was sent to (tgkill, a
 * fault) or, sent to the process (kill), the thread chosen to take it;
 * if every thread blocks it, on the process as a whole, where whichever
 * thread unblocks or awaits it first takes it. Each pending set is a mask plus
 * a queue of what each signal says (struct ksiginfo): a standard signal is
 * pending at most once, a real-time one queues every time it is sent, up to
 * RLIMIT_SIGPENDING.
 *
 * Default actions: terminate (no core file is written, so no "core
 * dumped" in the status), ignore, stop and continue. A terminating signal
 * ends every thread at once (Linux's complete_signal). A stop stops the
 * whole process: each thread parks on its way back to user mode, and
 * the last to park reports the stop to the parent; SIGCONT releases them
 * all, and the first to run reports the continue.
 *
 * Locking: sig_lock guards every pending set and queue, the job-control
 * state of struct process, and (with proc_lock) each process's thread
 * list. Order: proc_lock, then sig_lock, then sched_lock. */
#include <asm/user.h>
#include <ktimer.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <time.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>

#define SIG_KERNEL_ONLY (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SIG_DEFAULT_IGNORE                                                     \
	(SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))
#define SIG_STOPS                                                              \
	(SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
/* Taken before others, as Linux's SYNCHRONOUS_MASK: the fault the thread
 * just made. */
#define SIG_SYNC                                                               \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
	 SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define SIG_RT_MASK (~0ULL << (SIGRTMIN - 1))

/* Queue entries in all processes together: RLIMIT_SIGPENDING bounds one
 * process, this bounds the kernel memory all of them can pin. */
#define SIGQ_GLOBAL_MAX 65536

spinlock_t sig_lock = SPINLOCK_INIT("signal");
const uint64_t signal_none; /* kernel threads' process-wide pending set */
static int sigq_global;	    /* sig_lock */

struct sigqueue {
	struct list_head link;
	struct ksiginfo info;
	bool to_process; /* process-directed: another thread may take it */
};
STATIC_ASSERT(sizeof(struct ksiginfo) == 48, "siginfo's used part");

void signal_attach(struct thread *t, struct process *p)
{
	t->proc = p;
	t->sig_shared = p ? &p->sig_shared_pending : &signal_none;
}

static bool sig_default_ignored(int sig)
{
	return SIG_DEFAULT_IGNORE & SIGBIT(sig);
}

static bool sig_ignored_action(const struct process *p, int sig)
{
	uint64_t h = p->sigactions[sig - 1].handler;
	return h == SIG_IGN || (h == SIG_DFL && sig_default_ignored(sig));
}

/* The default action ends the process. */
static bool sig_fatal_default(const struct process *p, int sig)
{
	if (sig == SIGKILL)
		return true;
	return p->sigactions[sig - 1].handler == SIG_DFL &&
	       !((SIG_DEFAULT_IGNORE | SIG_STOPS) & SIGBIT(sig));
}

/* The wait status of a death by sig. Limen writes no core files, so the
 * "core dumped" bit (0x80) is never set, as on Linux when no core was
 * written (RLIMIT_CORE 0): SIGCHLD says CLD_KILLED, not CLD_DUMPED. */
static int sig_exit_status(int sig)
{
	return sig;
}

/* ---- pending sets (sig_lock held) -------------------------------------- */

static void sigq_free(struct process *p, struct sigqueue *e)
{
	list_del(&e->link);
	kfree(e);
	p->sigq_count--;
	sigq_global--;
}

/* Removes the signals of which from one pending set. */
static void pending_flush(struct process *p, uint64_t *mask,
			  struct list_head *q, uint64_t which)
{
	struct sigqueue *e, *tmp;
	list_for_each_entry_safe(e, tmp, q, link)
	{
		if (SIGBIT(e->info.signo) & which)
			sigq_free(p, e);
	}
	__atomic_and_fetch(mask, ~which, __ATOMIC_RELAXED);
}

/* ... from the process's set and every thread's. */
static void pending_flush_all(struct process *p, uint64_t which)
{
	pending_flush(p, &p->sig_shared_pending, &p->sig_shared_queue, which);
	struct thread *o;
	list_for_each_entry(o, &p->threads, proc_link)
	    pending_flush(p, &o->sig_pending, &o->sig_queue, which);
}

/* Adds info to a pending set. A standard signal already pending is not
 * queued again. Past the limits the signal is still marked pending but
 * its information is lost, except that a real-time signal sent with
 * information of its own (sigqueue, a timer) fails with EAGAIN, as on
 * Linux. */
static int pending_add(struct process *p, uint64_t *mask, struct list_head *q,
		       const struct ksiginfo *info, bool to_process)
{
	int sig = info->signo;
	bool rt = sig >= SIGRTMIN;
	if (!rt && (*mask & SIGBIT(sig)))
		return 0;
	bool room = sigq_global < SIGQ_GLOBAL_MAX &&
		    (!rt || (uint64_t)p->sigq_count <
				p->rlim[RLIMIT_SIGPENDING].rlim_cur);
	struct sigqueue *e = room ? kmalloc(sizeof(*e)) : NULL;
	if (e) {
		e->info = *info;
		e->to_process = to_process;
		list_add_tail(&e->link, q);
		p->sigq_count++;
		sigq_global++;
	} else if (rt && info->code != SI_USER && info->code != SI_KERNEL) {
		return -EAGAIN;
	}
	__atomic_or_fetch(mask, SIGBIT(sig), __ATOMIC_RELAXED);
	wait_queue_wake_all(&p->sig_wq);
	return 0;
}

/* Takes sig off a pending set: its information into *info (a plain
 * SI_USER one if it was lost), the mask bit cleared unless another of
 * the same real-time signal is queued. */
static void pending_take(struct process *p, uint64_t *mask, struct list_head *q,
			 int sig, struct ksiginfo *info)
{
	struct sigqueue *e, *found = NULL;
	bool more = false;
	list_for_each_entry(e, q, link)
	{
		if (e->info.signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = e;
	}
	if (found) {
		*info = found->info;
		sigq_free(p, found);
	} else {
		memset(info, 0, sizeof(*info));
		info->signo = sig;
		info->code = SI_USER;
	}
	if (!more)
		__atomic_and_fetch(mask, ~SIGBIT(sig), __ATOMIC_RELAXED);
}

/* The next of ready to take: a synchronous one first, then the lowest. */
static int sig_next(uint64_t ready)
{
	if (ready & SIG_SYNC)
		ready &= SIG_SYNC;
	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

/* Takes the next pending signal of allowed for t, its own before its
 * process's; 0 if none. */
int signal_dequeue(struct thread *t, uint64_t allowed, struct ksiginfo *info)
{
	struct process *p = t->proc;
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	int sig = sig_next(t->sig_pending & allowed);
	if (sig) {
		pending_take(p, &t->sig_pending, &t->sig_queue, sig, info);
	} else {
		sig = sig_next(p->sig_shared_pending & allowed);
		if (sig)
			pending_take(p, &p->sig_shared_pending,
				     &p->sig_shared_queue, sig, info);
	}
	spin_unlock_irqrestore(&sig_lock, f);
	/* A POSIX timer's signal says how many expirations it stands for
	 * as it is taken; the timer counts afresh from here. */
	if (sig && info->code == SI_TIMER) {
		int ov = posix_timer_delivered(p, info->timer.tid);
		if (ov >= 0)
			info->timer.overrun = ov;
	}
	return sig;
}

/* ---- generation --------------------------------------------------------- */

/* SIGCONT and the stop signals cancel each other; SIGCONT also ends a
 * group stop, whatever its disposition. */
static void sig_prepare(struct process *p, int sig)
{
	struct thread *o;
	if (sig == SIGCONT) {
		pending_flush_all(p, SIG_STOPS);
		if (p->stopped) {
			p->stopped = false;
			list_for_each_entry(o, &p->threads, proc_link)
			    o->stop_pending = false;
			/* Told to the parent by the first thread to run. */
			if (p->stop_done)
				p->cont_notify = true;
			p->stop_done = false;
			wait_queue_wake_all(&p->thread_wq);
		}
	} else if (SIG_STOPS & SIGBIT(sig)) {
		pending_flush_all(p, SIGBIT(SIGCONT));
	}
}

/* An ignored signal is dropped when sent, unless blocked: its handler
 * may change before it is unblocked, or sigtimedwait may take it. */
static bool sig_dropped(struct process *p, struct thread *t, int sig)
{
	if (!sig_ignored_action(p, sig))
		return false;
	if (t)
		return !((t->sig_blocked | t->sig_real_blocked) & SIGBIT(sig));
	struct thread *o;
	list_for_each_entry(o, &p->threads, proc_link)
	{
		if ((o->sig_blocked | o->sig_real_blocked) & SIGBIT(sig))
			return false;
	}
	return true;
}

/* A fatal signal ends all the threads now (Linux's complete_signal):
 * each leaves on its way to user mode with the process's exit status. */
static void sig_group_kill(struct process *p, int sig)
{
	if (p->exiting)
		return;
	p->exit_code = sig_exit_status(sig);
	p->exiting = true;
	struct thread *o;
	list_for_each_entry(o, &p->threads, proc_link)
	{
		__atomic_or_fetch(&o->sig_pending, SIGBIT(SIGKILL),
				  __ATOMIC_RELAXED);
		o->stop_pending = false;
		sched_signal_wake(o);
	}
	wait_queue_wake_all(&p->thread_wq); /* out of a stop */
}

/* The thread to take a process-directed signal: the main thread if it
 * does not block it (as Linux prefers the thread the pid names), else the
 * first that does not; NULL if all block it. The signal is then pending on
 * that thread alone, so a thread running meanwhile cannot take it from
 * under the one woken for it (Linux's TIF_SIGPENDING goes to the chosen
 * thread only). */
static struct thread *sig_pick_thread(struct process *p, int sig)
{
	uint64_t bit = SIGBIT(sig);
	struct thread *m = p->main_thread, *o;
	if (m && m->proc == p && !(m->sig_blocked & bit))
		return m;
	list_for_each_entry(o, &p->threads, proc_link)
	{
		if (!(o->sig_blocked & bit))
			return o;
	}
	return NULL;
}

/* Wakes t, which is to act on a signal just made pending on it, unless it
 * blocks it; a fatal one ends the whole process now. */
static void sig_complete(struct process *p, struct thread *t, int sig)
{
	uint64_t bit = SIGBIT(sig);
	if ((t->sig_blocked & bit) && sig != SIGKILL)
		return;
	if (sig_fatal_default(p, sig) && !(t->sig_real_blocked & bit)) {
		sig_group_kill(p, sig);
		return;
	}
	sched_signal_wake(t);
}

/* Sends info to p, or to its thread t. Callers keep p and t alive. */
static int signal_generate(struct process *p, struct thread *t,
			   const struct ksiginfo *info)
{
	int sig = info->signo;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	int r = 0;
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	if (p->zombie || list_empty(&p->threads))
		goto out;
	sig_prepare(p, sig);
	if (sig_dropped(p, t, sig))
		goto out;
	/* A process-directed signal every thread blocks waits in the
	 * process's own set, for whichever thread unblocks or awaits it
	 * first. */
	struct thread *to = t ? t : sig_pick_thread(p, sig);
	if (to)
		r = pending_add(p, &to->sig_pending, &to->sig_queue, info, !t);
	else
		r = pending_add(p, &p->sig_shared_pending, &p->sig_shared_queue,
				info, true);
	if (!r && to)
		sig_complete(p, to, sig);
out:
	spin_unlock_irqrestore(&sig_lock, f);
	return r;
}

int signal_send_info(struct process *p, const struct ksiginfo *info)
{
	return signal_generate(p, NULL, info);
}

int signal_send_thread(struct thread *t, const struct ksiginfo *info)
{
	struct process *p = t->proc;
	return p ? signal_generate(p, t, info) : 0;
}

int signal_send(struct process *p, int sig)
{
	struct ksiginfo info = {.signo = sig, .code = SI_KERNEL};
	return signal_send_info(p, &info);
}

/* What a signal sent by process from says: its pid and real uid. */
static void sig_info_user(struct ksiginfo *info, int sig, int code,
			  const struct process *from)
{
	memset(info, 0, sizeof(*info));
	info->signo = sig;
	info->code = code;
	if (from) {
		info->rt.pid = from->pid;
		info->rt.uid = from->uid;
	} else {
		info->code = SI_KERNEL;
	}
}

static int64_t sig_clock_t(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

/* Tells p's parent (SIGCHLD unless it asked for SA_NOCLDSTOP, and its
 * wait4) that p stopped or continued. Takes proc_lock. */
static void signal_notify_cldstop(struct process *p, int code, int sig)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *parent = p->parent;
	if (code == CLD_STOPPED) {
		p->stop_report = (sig << 8) | 0x7f;
		p->cont_report = false;
	} else {
		p->stop_report = 0;
		p->cont_report = true;
	}
	if (parent && !(parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		struct ksiginfo info = {.signo = SIGCHLD, .code = code};
		info.chld.pid = p->pid;
		info.chld.uid = p->uid;
		info.chld.status = sig;
		info.chld.utime = sig_clock_t(p->utime_ns);
		info.chld.stime = sig_clock_t(p->stime_ns);
		signal_generate(parent, NULL, &info);
	}
	if (parent)
		wait_queue_wake_all(&parent->child_wq);
	spin_unlock_irqrestore(&proc_lock, f);
}

/* proc_lock held: whether parent's children go without a zombie when they
 * exit (SIGCHLD ignored, or SA_NOCLDWAIT). */
bool signal_child_autoreap(const struct process *parent)
{
	const struct k_sigaction *ka = &parent->sigactions[SIGCHLD - 1];
	return ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

void signal_notify_exit(struct process *parent, struct process *p, int status)
{
	struct ksiginfo info = {.signo = SIGCHLD};
	int sig = status & 0x7f;
	info.code =
	    !sig ? CLD_EXITED : ((status & 0x80) ? CLD_DUMPED : CLD_KILLED);
	info.chld.pid = p->pid;
	info.chld.uid = p->uid;
	info.chld.status = sig ? sig : (status >> 8) & 0xff;
	info.chld.utime = sig_clock_t(p->utime_ns);
	info.chld.stime = sig_clock_t(p->stime_ns);
	signal_generate(parent, NULL, &info);
}

/* ---- group stop --------------------------------------------------------- */

/* sig_lock held: the stop is complete once every thread has parked;
 * whether the caller is the one to report it. */
static bool stop_complete_locked(struct process *p)
{
	if (!p->stopped || p->stop_done || p->nr_parked < p->nr_threads)
		return false;
	p->stop_done = true;
	return true;
}

/* Parks t until SIGCONT ends the stop (or the process is killed). */
static void signal_park(struct process *p, struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	t->stop_pending = false;
	if (!p->stopped) {
		spin_unlock_irqrestore(&sig_lock, f);
		return;
	}
	t->stop_parked = true;
	p->nr_parked++;
	bool report = stop_complete_locked(p);
	int sig = p->stop_sig;
	spin_unlock_irqrestore(&sig_lock, f);
	if (report)
		signal_notify_cldstop(p, CLD_STOPPED, sig);
	wait_event(&p->thread_wq,
		   !p->stopped || fatal_signal_pending(t) || p->exiting);
	f = spin_lock_irqsave(&sig_lock);
	t->stop_parked = false;
	p->nr_parked--;
	bool cont = p->cont_notify;
	p->cont_notify = false;
	spin_unlock_irqrestore(&sig_lock, f);
	if (cont)
		signal_notify_cldstop(p, CLD_CONTINUED, SIGCONT);
}

/* The default action of a stop signal: every thread of the process is
 * told to park, interruptible sleepers are woken for it, and t parks. */
static void signal_group_stop(struct process *p, struct thread *t, int sig)
{
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	if (!p->stopped && !p->exiting) {
		p->stopped = true;
		p->stop_sig = sig;
		p->stop_done = false;
		p->cont_notify = false;
		struct thread *o;
		list_for_each_entry(o, &p->threads, proc_link)
		{
			if (o == t || o->stop_parked)
				continue;
			o->stop_pending = true;
			sched_signal_wake(o);
		}
	}
	spin_unlock_irqrestore(&sig_lock, f);
	signal_park(p, t);
}

/* t has left p: the process-directed signals pending on it go to
 * another thread (Linux's retarget_shared_pending); what was sent to t
 * alone goes with it. sig_lock held. */
static void sig_retarget(struct process *p, struct thread *t)
{
	struct sigqueue *e, *tmp;
	list_for_each_entry_safe(e, tmp, &t->sig_queue, link)
	{
		if (!e->to_process)
			continue;
		int sig = e->info.signo;
		struct thread *to = sig_pick_thread(p, sig);
		uint64_t *mask = to ? &to->sig_pending : &p->sig_shared_pending;
		if (sig < SIGRTMIN && (*mask & SIGBIT(sig))) {
			sigq_free(p, e); /* pending there already: merged */
			continue;
		}
		list_del(&e->link);
		list_add_tail(&e->link,
			      to ? &to->sig_queue : &p->sig_shared_queue);
		__atomic_or_fetch(mask, SIGBIT(sig), __ATOMIC_RELAXED);
		if (to)
			sig_complete(p, to, sig);
	}
}

void signal_thread_left(struct process *p, struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	sig_retarget(p, t);
	pending_flush(p, &t->sig_pending, &t->sig_queue, ~0ULL);
	t->stop_pending = false;
	bool report = stop_complete_locked(p);
	int sig = p->stop_sig;
	spin_unlock_irqrestore(&sig_lock, f);
	if (report)
		signal_notify_cldstop(p, CLD_STOPPED, sig);
}

void signal_proc_free(struct process *p)
{
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	pending_flush(p, &p->sig_shared_pending, &p->sig_shared_queue, ~0ULL);
	spin_unlock_irqrestore(&sig_lock, f);
}

/* ---- delivery ----------------------------------------------------------- */

void signal_exec_reset(struct process *p)
{
	struct thread *t = current;
	t->altstack_sp = t->altstack_size = 0; /* as Linux's execve */
	t->altstack_flags = 0;
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &p->sigactions[i];
		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->mask = 0;
		ka->restorer = 0;
	}
}

/* System calls a SA_RESTART handler restarts, as Linux does. */
static bool restartable(long nr)
{
	switch (nr) {
	case 0:	  /* read */
	case 1:	  /* write */
	case 2:	  /* open (a FIFO's, waiting for its other end) */
	case 16:  /* ioctl */
	case 17:  /* pread64 */
	case 18:  /* pwrite64 */
	case 19:  /* readv */
	case 20:  /* writev */
	case 40:  /* sendfile */
	case 42:  /* connect */
	case 43:  /* accept */
	case 44:  /* sendto */
	case 45:  /* recvfrom */
	case 46:  /* sendmsg */
	case 47:  /* recvmsg */
	case 61:  /* wait4 */
	case 72:  /* fcntl (F_SETLKW, F_OFD_SETLKW) */
	case 73:  /* flock */
	case 257: /* openat */
	case 288: /* accept4 */
	case 299: /* recvmmsg */
	case 307: /* sendmmsg */
		return true;
	default:
		return false;
	}
}

/* When no handler runs (the signal was a stop, or ignored), Linux restarts
 * an interrupted call: its -ERESTARTSYS, -ERESTARTNOHAND and restart
 * blocks. These are the calls that fail with EINTR even so, on Linux
 * (sigtimedwait, epoll_wait, System V semaphores) or here (the sleeps,
 * which would otherwise sleep their whole time again). */
static bool restart_without_handler(long nr)
{
	switch (nr) {
	case 35:  /* nanosleep */
	case 65:  /* semop */
	case 128: /* rt_sigtimedwait */
	case 208: /* io_getevents */
	case 220: /* semtimedop */
	case 230: /* clock_nanosleep */
	case 232: /* epoll_wait */
	case 281: /* epoll_pwait */
	case 441: /* epoll_pwait2 */
		return false;
	default:
		return true;
	}
}

/* What delivering sig will do, in the trace's words. */
static int signal_trace_action(const struct k_sigaction *ka, int sig)
{
	if (ka->handler == SIG_IGN ||
	    (ka->handler == SIG_DFL && sig_default_ignored(sig)))
		return TRACE_SIG_IGNORE;
	if (ka->handler == SIG_DFL)
		return (SIG_STOPS & SIGBIT(sig)) ? TRACE_SIG_STOP
						 : TRACE_SIG_KILL;
	return TRACE_SIG_HANDLER;
}

/* A job-control stop signal's default action is dropped in an orphaned
 * process group: nobody is left to continue it (POSIX; SIGSTOP always
 * stops). */
static bool stop_orphaned(struct process *p, int sig)
{
	if (sig == SIGSTOP)
		return false;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool orphaned = proc_pgrp_orphaned(p->pgid);
	spin_unlock_irqrestore(&proc_lock, f);
	return orphaned;
}

/* Parks t if its process is stopping, then takes one pending signal and
 * acts on it. may_restart: an interrupted system call (its -EINTR in the
 * frame) may be restarted. Returns true if a handler's frame was set up. */
static bool signal_handle(struct trap_frame *tf, bool may_restart)
{
	struct thread *t = current;
	struct process *p = t->proc;
	bool interrupted = may_restart && arch_from_syscall(tf) &&
			   arch_syscall_ret(tf) == -EINTR;
	if (t->stop_pending && !fatal_signal_pending(t))
		signal_park(p, t);
	struct ksiginfo info;
	int sig = signal_dequeue(t, ~t->sig_blocked | SIG_KERNEL_ONLY, &info);
	struct k_sigaction *ka = sig ? &p->sigactions[sig - 1] : NULL;
	if (sig && unlikely(trace_enabled))
		trace_signal(sig, signal_trace_action(ka, sig));
	if (sig && ka->handler == SIG_DFL && sig_fatal_default(p, sig))
		proc_exit(sig_exit_status(sig));
	if (sig && ka->handler == SIG_DFL && (SIG_STOPS & SIGBIT(sig)) &&
	    !stop_orphaned(p, sig))
		signal_group_stop(p, t, sig);
	if (!sig || ka->handler == SIG_IGN || ka->handler == SIG_DFL) {
		/* No handler runs: an interrupted call carries on, as after
		 * Linux's -ERESTARTSYS (a read stopped by ^Z goes on after
		 * SIGCONT instead of failing with EINTR). */
		if (interrupted && restart_without_handler(t->syscall_nr))
			arch_syscall_restart(tf, t->syscall_nr);
		return false;
	}
	/* A handler runs: an interrupted call either restarts or fails. */
	if (interrupted && (ka->flags & SA_RESTART) &&
	    restartable(t->syscall_nr))
		arch_syscall_restart(tf, t->syscall_nr);
	uint64_t oldmask = t->restore_mask ? t->sig_saved_mask : t->sig_blocked;
	if (arch_signal_setup(tf, &info, ka, oldmask)) {
		/* No room for the frame: the process dies of SIGSEGV. */
		printk(LOGLEVEL_ERR,
		       "limen: pid %d (%s) killed by SIGSEGV: cannot write "
		       "the signal frame for signal %d to its stack",
		       p->pid, p->comm, sig);
		proc_exit(SIGSEGV);
	}
	t->restore_mask = false;
	t->sig_blocked |= ka->mask & ~SIG_KERNEL_ONLY;
	if (!(ka->flags & SA_NODEFER))
		t->sig_blocked |= SIGBIT(sig);
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
	return true;
}

void signal_deliver(struct trap_frame *tf)
{
	signal_handle(tf, true);
}

void signal_fault(struct trap_frame *tf, const struct ksiginfo *info,
		  const char *what)
{
	struct process *p = proc_current();
	struct thread *t = current;
	int sig = info->signo;
	/* A handler that can run takes the fault (a SIGSEGV handler that
	 * longjmps out, say); otherwise the process dies, as Linux's
	 * force_sig does for a blocked or ignored fault signal. */
	uint64_t h = p->sigactions[sig - 1].handler;
	if (h != SIG_DFL && h != SIG_IGN && !(t->sig_blocked & SIGBIT(sig))) {
		signal_send_thread(t, info);
		return;
	}
	/* One line that says what the program did and what stopped it. */
	printk(LOGLEVEL_ERR, "limen: pid %d (%s) killed by %s: %s at rip %#llx",
	       p->pid, p->comm, signal_name(sig), what,
	       (unsigned long long)arch_frame_pc(tf));
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	sig_group_kill(p, sig);
	p->exit_code = sig; /* wait status: terminated by signal sig */
	spin_unlock_irqrestore(&sig_lock, f);
}

/* ---- system calls ------------------------------------------------------- */

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction __user *, act,
		struct k_sigaction __user *, oact, size_t, sigsetsize)
{
	struct process *p = proc_current();
	struct k_sigaction k;
	if (sigsetsize != sizeof(uint64_t) || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && (SIG_KERNEL_ONLY & SIGBIT(sig)))
		return -EINVAL;
	if (act && copy_from_user(&k, act, sizeof(k)))
		return -EFAULT;
	if (oact && copy_to_user(oact, &p->sigactions[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		k.mask &= ~SIG_KERNEL_ONLY;
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		irqflags_t sf = spin_lock_irqsave(&sig_lock);
		p->sigactions[sig - 1] = k;
		/* Ignoring a signal discards what is pending of it, in every
		 * thread (POSIX). */
		if (sig_ignored_action(p, sig))
			pending_flush_all(p, SIGBIT(sig));
		spin_unlock_irqrestore(&sig_lock, sf);
		spin_unlock_irqrestore(&proc_lock, f);
	}
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t __user *, set,
		uint64_t __user *, oset, size_t, sigsetsize)
{
	struct thread *t = current;
	uint64_t n, old = t->sig_blocked;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (set) {
		if (copy_from_user(&n, set, sizeof(n)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			t->sig_blocked |= n;
			break;
		case SIG_UNBLOCK:
			t->sig_blocked &= ~n;
			break;
		case SIG_SETMASK:
			t->sig_blocked = n;
			break;
		default:
			return -EINVAL;
		}
		t->sig_blocked &= ~SIG_KERNEL_ONLY;
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uint64_t __user *, set, size_t, sigsetsize)
{
	struct thread *t = current;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	uint64_t v = (t->sig_pending | *t->sig_shared) & t->sig_blocked;
	return copy_to_user(set, &v, sizeof(v)) ? -EFAULT : 0;
}

static struct wait_queue pause_wq = WAIT_QUEUE_INIT(pause_wq);

/* Sleeps with a temporary mask until a handler runs; the old mask comes
 * back when the handler returns (through the signal frame). A stop, or a
 * signal ignored meanwhile, does not end the wait (Linux's
 * -ERESTARTNOHAND). */
SYSCALL_DEFINE2(rt_sigsuspend, const uint64_t __user *, umask, size_t,
		sigsetsize)
{
	struct thread *t = current;
	uint64_t m;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	/* The handler runs with the temporary mask; the frame keeps the old
	 * one, so rt_sigreturn puts it back (Linux's restore_sigmask). */
	t->sig_saved_mask = t->sig_blocked;
	t->restore_mask = true;
	t->sig_blocked = m & ~SIG_KERNEL_ONLY;
	arch_set_syscall_ret(t->utf, -EINTR); /* what the frame saves */
	for (;;) {
		wait_event_interruptible(&pause_wq, false);
		if (t->proc->exiting)
			break;
		if (signal_handle(t->utf, false))
			return -EINTR;
	}
	t->sig_blocked = t->sig_saved_mask;
	t->restore_mask = false;
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	wait_event_interruptible(&pause_wq, false);
	return -EINTR;
}

/* Init gets only the signals it asked for: handled or blocked (for
 * sigtimedwait, as busybox init does), never SIGKILL or SIGSTOP. */
bool signal_user_may_send(struct process *p, int sig)
{
	if (p->pid != 1 || sig <= 0)
		return true;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	if (p->sigactions[sig - 1].handler != SIG_DFL)
		return true;
	struct thread *t;
	list_for_each_entry(t, &p->threads, proc_link)
	{
		if ((t->sig_blocked | t->sig_real_blocked) & SIGBIT(sig))
			return true;
	}
	return false;
}

/* A siginfo_t for user space: the 48 bytes, then zeros. */
static int siginfo_to_user(void __user *uinfo, const struct ksiginfo *info)
{
	uint8_t buf[128] = {0};
	memcpy(buf, info, sizeof(*info));
	return copy_to_user(uinfo, buf, sizeof(buf)) ? -EFAULT : 0;
}

/* rt_sigtimedwait: takes a pending signal of set without running its
 * handler. While waiting, the set is unblocked so that its signals wake
 * the thread (they are taken here, not delivered); any other unblocked
 * signal ends the wait with EINTR and is delivered on the way out. */
SYSCALL_DEFINE4(rt_sigtimedwait, const uint64_t __user *, uset, void __user *,
		uinfo, const struct timespec_k __user *, uts, size_t,
		sigsetsize)
{
	struct thread *t = current;
	uint64_t set;
	struct timespec_k ts;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_KERNEL_ONLY;
	uint64_t deadline = 0;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		uint64_t ns;
		if (time_timespec_ns(&ts, &ns))
			return -EINVAL;
		deadline = time_deadline(ns);
	}
	uint64_t saved = t->sig_blocked;
	struct ksiginfo info;
	int sig = 0;
	long r = 0;
	irqflags_t f = spin_lock_irqsave(&sig_lock);
	t->sig_real_blocked = saved;
	t->sig_blocked &= ~set;
	spin_unlock_irqrestore(&sig_lock, f);
	for (;;) {
		sig = signal_dequeue(t, set, &info);
		if (sig)
			break;
		f = sched_lock_irqsave();
		if ((t->sig_pending | *t->sig_shared) & set) {
			sched_unlock_irqrestore(f);
			continue;
		}
		if (signal_pending(t))
			r = -EINTR;
		else if (uts && time_ns() >= deadline)
			r = -EAGAIN;
		if (r) {
			sched_unlock_irqrestore(f);
			break;
		}
		t->intr_sleep = true;
		sched_sleep_locked(&pause_wq, uts ? deadline : 0);
		t->intr_sleep = false;
		sched_unlock_irqrestore(f);
	}
	f = spin_lock_irqsave(&sig_lock);
	t->sig_blocked = saved;
	t->sig_real_blocked = 0;
	spin_unlock_irqrestore(&sig_lock, f);
	if (r)
		return r;
	if (uinfo && siginfo_to_user(uinfo, &info))
		return -EFAULT;
	return sig;
}

/* Linux's check_kill_permission: root, the process itself, or a sender
 * whose real or effective uid is the target's real or saved uid; SIGCONT
 * also within one session (the shell resuming its jobs). Credentials are
 * single words written by their own process's threads, so a racing setuid
 * is seen before or after, never torn. */
static bool kill_permitted(const struct process *from, const struct process *to,
			   int sig)
{
	if (!from || from == to || from->euid == 0)
		return true;
	if (from->euid == to->uid || from->euid == to->suid ||
	    from->uid == to->uid || from->uid == to->suid)
		return true;
	return sig == SIGCONT && from->sid == to->sid;
}

/* kill's and sigqueue's path: permission, init's protection, then the
 * signal to process p or its thread t. Caller holds proc_lock. */
static int signal_send_checked(struct process *from, struct process *p,
			       struct thread *t, const struct ksiginfo *info)
{
	int sig = info->signo;
	if (!kill_permitted(from, p, sig))
		return -EPERM;
	if (!sig || !signal_user_may_send(p, sig))
		return 0;
	return signal_generate(p, t, info);
}

int signal_send_from(struct process *from, struct process *p, int sig)
{
	struct ksiginfo info;
	sig_info_user(&info, sig, SI_USER, from);
	return signal_send_checked(from, p, NULL, &info);
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct process *self = proc_current();
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		/* proc_lock held throughout: a reaped process is freed. */
		long r = -ESRCH;
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct process *p = proc_find_any(pid);
		/* A zombie exists until it is reaped: Linux's kill succeeds
		 * (the signal goes nowhere) if the sender may signal it. */
		if (p && p->zombie)
			r = kill_permitted(self, p, sig) ? 0 : -EPERM;
		else if (p)
			r = signal_send_from(self, p, sig);
		spin_unlock_irqrestore(&proc_lock, f);
		return r;
	}
	/* Groups: 0 is the caller's, -1 everyone but init and the caller,
	 * -n group n. INT_MIN has no group. */
	if (pid == INT32_MIN)
		return -ESRCH;
	return proc_signal_group(pid == 0 ? self->pgid : -pid, pid == -1, self,
				 sig);
}

/* Thread-directed (tgkill, tkill, rt_tgsigqueueinfo) or, with tid 0,
 * process-directed (rt_sigqueueinfo) with info: tid names one thread of
 * process tgid (of any process, for tkill). Linux's permission rule and
 * init's protection, as kill. */
static long sig_send_to(int tgid, int tid, const struct ksiginfo *info)
{
	long r = -ESRCH;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct thread *t = tid ? proc_find_thread(tgid, tid) : NULL;
	struct process *p = tid ? (t ? t->proc : NULL) : proc_find(tgid);
	if (p)
		r = signal_send_checked(proc_current(), p, t, info);
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

static long kill_thread(int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	struct ksiginfo info;
	sig_info_user(&info, sig, SI_TKILL, proc_current());
	return sig_send_to(tgid, tid, &info);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return kill_thread(tgid, tid, sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return kill_thread(0, tid, sig);
}

/* sigqueue's system calls: the caller's siginfo, whose si_signo the
 * kernel sets. Only the kernel may claim to be the kernel or kill(2):
 * a code of SI_USER or above, or SI_TKILL, is refused (EPERM) unless the
 * target is the caller itself, as on Linux. */
static long sigqueueinfo(int tgid, int tid, int sig, const void __user *uinfo)
{
	struct ksiginfo info;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	info.signo = sig;
	if ((info.code >= 0 || info.code == SI_TKILL) &&
	    current->utid != (tid ? tid : tgid))
		return -EPERM;
	return sig_send_to(tgid, tid, &info);
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, const void __user *, uinfo)
{
	if (pid <= 0)
		return -ESRCH;
	return sigqueueinfo(pid, 0, sig, uinfo);
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig,
		const void __user *, uinfo)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return sigqueueinfo(tgid, tid, sig, uinfo);
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct thread *t = current;
	uint64_t mask;
	if (arch_signal_return(t->utf, &mask)) {
		printk(LOGLEVEL_ERR,
		       "limen: pid %d (%s) killed by SIGSEGV: bad signal frame "
		       "at rt_sigreturn",
		       t->proc->pid, t->proc->comm);
		proc_exit(SIGSEGV);
	}
	t->sig_blocked = mask & ~SIG_KERNEL_ONLY;
	/* The restored rax is the interrupted code's: keep it. */
	return arch_syscall_ret(t->utf);
}

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

bool signal_on_altstack(const struct thread *t, uint64_t sp)
{
	if (t->altstack_flags & SS_AUTODISARM)
		return false;
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

/* ss_flags as sigaltstack reports them for a thread running at sp. */
static int32_t altstack_flags(const struct thread *t, uint64_t sp)
{
	uint32_t f = !t->altstack_size		 ? SS_DISABLE
		     : signal_on_altstack(t, sp) ? SS_ONSTACK
						 : 0;
	return (int32_t)(f | (t->altstack_flags & SS_AUTODISARM));
}

/* sigaltstack's rules (Linux's do_sigaltstack). */
static int altstack_set(struct thread *t, uint64_t sp,
			const struct sigaltstack_k *n)
{
	if (signal_on_altstack(t, sp))
		return -EPERM;
	uint32_t mode = (uint32_t)n->ss_flags & ~SS_AUTODISARM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
	} else {
		if (n->ss_size < MINSIGSTKSZ)
			return -ENOMEM;
		t->altstack_sp = n->ss_sp;
		t->altstack_size = n->ss_size;
	}
	t->altstack_flags = (uint32_t)n->ss_flags & SS_AUTODISARM;
	return 0;
}

void signal_altstack_save(struct thread *t, uint64_t sp,
			  struct sigaltstack_k *out)
{
	out->ss_sp = t->altstack_sp;
	out->ss_flags = altstack_flags(t, sp);
	out->pad = 0;
	out->ss_size = t->altstack_size;
	if (t->altstack_flags & SS_AUTODISARM) {
		t->altstack_sp = t->altstack_size = 0;
		t->altstack_flags = 0;
	}
}

void signal_altstack_restore(struct thread *t, uint64_t sp,
			     const struct sigaltstack_k *ss)
{
	(void)altstack_set(t, sp, ss);
}

/* An alternate stack for handlers installed with SA_ONSTACK. */
SYSCALL_DEFINE2(sigaltstack, const struct sigaltstack_k __user *, uss,
		struct sigaltstack_k __user *, uoss)
{
	struct thread *t = current;
	uint64_t sp = arch_frame_sp(t->utf);
	if (uoss) {
		struct sigaltstack_k o = {t->altstack_sp, altstack_flags(t, sp),
					  0, t->altstack_size};
		if (copy_to_user(uoss, &o, sizeof(o)))
			return -EFAULT;
	}
	if (!uss)
		return 0;
	struct sigaltstack_k n;
	if (copy_from_user(&n, uss, sizeof(n)))
		return -EFAULT;
	return altstack_set(t, sp, &n);
}
