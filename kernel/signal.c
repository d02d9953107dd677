/* Signal generation and delivery, and kill(2)'s permission rule. Pending
 * sets are per thread: a process-directed signal goes to the first thread
 * that does not block it. Default actions: terminate (with "core" noted in
 * the status for the core-dumping ones), ignore, stop (the taking thread
 * waits for SIGCONT; the process's other threads are not stopped yet) and
 * continue. */
#include <asm/user.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <time.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/misc.h>
#include <uapi/errno.h>

#define SIG_KERNEL_ONLY (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SIG_DEFAULT_IGNORE                                                     \
	(SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))
#define SIG_STOPS                                                              \
	(SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SIG_DEFAULT_CORE                                                       \
	(SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |                  \
	 SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGSEGV) | \
	 SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) | SIGBIT(SIGSYS))

static int signal_send_bit(struct process *p, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	if (p->zombie || list_empty(&p->threads))
		return 0;
	struct thread *o2;
	if (sig == SIGCONT) {
		/* Resumes a stopped process whatever its disposition, and
		 * cancels pending stops. */
		list_for_each_entry(o2, &p->threads, proc_link)
		    __atomic_and_fetch(&o2->sig_pending, ~SIG_STOPS,
				       __ATOMIC_RELAXED);
		if (p->stopped) {
			p->stopped = false;
			p->stop_report = 0;
			p->cont_report = true;
			wait_queue_wake_all(&p->thread_wq);
			if (p->parent)
				wait_queue_wake_all(&p->parent->child_wq);
		}
	} else if (SIG_STOPS & SIGBIT(sig)) {
		list_for_each_entry(o2, &p->threads, proc_link)
		    __atomic_and_fetch(&o2->sig_pending, ~SIGBIT(SIGCONT),
				       __ATOMIC_RELAXED);
	}
	if (sig == SIGKILL)
		wait_queue_wake_all(&p->thread_wq); /* out of a stop */
	/* Process-directed: the first thread that does not block it. */
	struct thread *t = NULL, *o;
	list_for_each_entry(o, &p->threads, proc_link)
	{
		if (!t || !(o->sig_blocked & SIGBIT(sig)))
			t = o;
		if (!(o->sig_blocked & SIGBIT(sig)))
			break;
	}
	/* Ignored signals are dropped at once (except by a blocked mask,
	 * where POSIX lets them stay pending; dropping is also allowed). */
	/* A blocked signal is never ignored: the handler may change before
	 * it is unblocked, or sigtimedwait may take it (Linux's rule). */
	uint64_t h = p->sigactions[sig - 1].handler;
	if (!((t->sig_blocked | t->sig_real_blocked) & SIGBIT(sig)) &&
	    (h == SIG_IGN ||
	     (h == SIG_DFL && (SIG_DEFAULT_IGNORE & SIGBIT(sig)) &&
	      sig != SIGSTOP)))
		return 0;
	__atomic_or_fetch(&t->sig_pending, SIGBIT(sig), __ATOMIC_RELAXED);
	sched_signal_wake(t);
	return 0;
}

int signal_send_info(struct process *p, const struct ksiginfo *info)
{
	return signal_send_bit(p, info->signo);
}

int signal_send_thread(struct thread *t, const struct ksiginfo *info)
{
	__atomic_or_fetch(&t->sig_pending, SIGBIT(info->signo),
			  __ATOMIC_RELAXED);
	sched_signal_wake(t);
	return 0;
}

int signal_send(struct process *p, int sig)
{
	struct ksiginfo info = {.signo = sig, .code = SI_KERNEL};
	return signal_send_info(p, &info);
}

void signal_exec_reset(struct process *p)
{
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
	case 61:  /* wait4 */
	case 257: /* openat */
		return true;
	default:
		return false;
	}
}

static void syscall_restart(struct trap_frame *tf, struct thread *t)
{
	arch_syscall_restart(tf, t->syscall_nr);
}

/* Default action of a stop signal: the process stops until SIGCONT (or
 * SIGKILL); the parent hears of it through wait4(WUNTRACED) and SIGCHLD
 * (unless it asked for SA_NOCLDSTOP). Other threads of the process are
 * not stopped yet. */
static void signal_stop(struct process *p, struct thread *t, int sig)
{
	p->stopped = true;
	p->stop_report = (sig << 8) | 0x7f;
	p->cont_report = false;
	struct process *parent = p->parent;
	if (parent) {
		if (!(parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP))
			signal_send(parent, SIGCHLD);
		wait_queue_wake_all(&parent->child_wq);
	}
	wait_event(&p->thread_wq,
		   !p->stopped || (t->sig_pending & SIGBIT(SIGKILL)));
}

/* What delivering sig will do, in the trace's words. */
static int signal_trace_action(const struct k_sigaction *ka, int sig)
{
	if (ka->handler == SIG_IGN ||
	    (ka->handler == SIG_DFL && (SIG_DEFAULT_IGNORE & SIGBIT(sig))))
		return TRACE_SIG_IGNORE;
	if (ka->handler == SIG_DFL)
		return (SIG_STOPS & SIGBIT(sig)) ? TRACE_SIG_STOP
						 : TRACE_SIG_KILL;
	return TRACE_SIG_HANDLER;
}

void signal_deliver(struct trap_frame *tf)
{
	struct thread *t = current;
	struct process *p = t->proc;
	uint64_t ready = t->sig_pending & (~t->sig_blocked | SIG_KERNEL_ONLY);
	if (!ready)
		return;
	int sig = __builtin_ctzll(ready) + 1;
	__atomic_and_fetch(&t->sig_pending, ~SIGBIT(sig), __ATOMIC_RELAXED);
	struct k_sigaction *ka = &p->sigactions[sig - 1];
	bool from_syscall = arch_from_syscall(tf);
	if (unlikely(trace_enabled))
		trace_signal(sig, signal_trace_action(ka, sig));

	/* No handler runs: an interrupted call restarts, as Linux's
	 * -ERESTARTSYS does (a read stopped by ^Z or SIGTTIN carries on
	 * after SIGCONT instead of failing with EINTR). */
	bool restart = from_syscall && arch_syscall_ret(tf) == -EINTR &&
		       restartable(t->syscall_nr);
	if (ka->handler == SIG_IGN ||
	    (ka->handler == SIG_DFL && (SIG_DEFAULT_IGNORE & SIGBIT(sig)))) {
		if (restart)
			syscall_restart(tf, t);
		return;
	}
	if (ka->handler == SIG_DFL) {
		if (SIG_STOPS & SIGBIT(sig)) {
			signal_stop(p, t, sig);
			if (restart)
				syscall_restart(tf, t);
			return;
		}
		int status =
		    sig | ((SIG_DEFAULT_CORE & SIGBIT(sig)) ? 0x80 : 0);
		proc_exit(status);
	}
	/* A handler runs: an interrupted call either restarts or fails. */
	if (restart && (ka->flags & SA_RESTART))
		syscall_restart(tf, t);
	uint64_t oldmask = t->restore_mask ? t->sig_saved_mask : t->sig_blocked;
	if (arch_signal_setup(tf, sig, ka, oldmask)) {
		/* No room for the frame: the process dies of SIGSEGV. */
		printk(LOGLEVEL_ERR,
		       "limen: pid %d (%s) killed by SIGSEGV: cannot write "
		       "the signal frame for signal %d to its stack",
		       p->pid, p->comm, sig);
		proc_exit(SIGSEGV | 0x80);
	}
	t->restore_mask = false;
	t->sig_blocked |= ka->mask & ~SIG_KERNEL_ONLY;
	if (!(ka->flags & SA_NODEFER))
		t->sig_blocked |= SIGBIT(sig);
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
}

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
		p->sigactions[sig - 1] = k;
		/* Setting SIG_IGN discards what is pending. */
		if (k.handler == SIG_IGN)
			__atomic_and_fetch(&current->sig_pending, ~SIGBIT(sig),
					   __ATOMIC_RELAXED);
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
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	uint64_t v = current->sig_pending & current->sig_blocked;
	return copy_to_user(set, &v, sizeof(v));
}

static struct wait_queue pause_wq = WAIT_QUEUE_INIT(pause_wq);

/* Sleeps with a temporary mask until a signal is delivered; the old mask
 * comes back when the handler returns (through the signal frame). */
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
	wait_event_interruptible(&pause_wq, false);
	arch_set_syscall_ret(t->utf, -EINTR); /* what the frame saves */
	signal_deliver(t->utf);
	if (t->restore_mask) {
		/* Nothing was delivered (ignored meanwhile): old mask back. */
		t->sig_blocked = t->sig_saved_mask;
		t->restore_mask = false;
	}
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
	int sig = 0;
	long r = 0;
	irqflags_t f = sched_lock_irqsave();
	t->sig_real_blocked = saved;
	t->sig_blocked &= ~set;
	for (;;) {
		uint64_t ready = t->sig_pending & set;
		if (ready) {
			sig = __builtin_ctzll(ready) + 1;
			__atomic_and_fetch(&t->sig_pending, ~SIGBIT(sig),
					   __ATOMIC_RELAXED);
			break;
		}
		if (signal_pending(t)) {
			r = -EINTR;
			break;
		}
		if (uts && time_ns() >= deadline) {
			r = -EAGAIN;
			break;
		}
		t->intr_sleep = true;
		sched_sleep_locked(&pause_wq, uts ? deadline : 0);
		t->intr_sleep = false;
	}
	t->sig_blocked = saved;
	t->sig_real_blocked = 0;
	sched_unlock_irqrestore(f);
	if (r)
		return r;
	if (uinfo) {
		/* siginfo_t: signo, errno, code (SI_USER), then zeros. */
		int32_t info[32] = {sig, 0, 0};
		if (copy_to_user(uinfo, info, sizeof(info)))
			return -EFAULT;
	}
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

int signal_send_from(struct process *from, struct process *p, int sig)
{
	if (!kill_permitted(from, p, sig))
		return -EPERM;
	return signal_user_may_send(p, sig) ? signal_send_bit(p, sig) : 0;
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
		struct process *p = proc_find(pid);
		if (p)
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

/* Thread-directed: tid names one thread of process tgid (or of any
 * process, for tkill). The same permission rule and init's protection as
 * kill; the signal is pending on that thread only. */
static long kill_thread(int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	long r = -ESRCH;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct thread *t = proc_find_thread(tgid, tid);
	if (t) {
		r = 0;
		if (!kill_permitted(proc_current(), t->proc, sig))
			r = -EPERM;
		else if (sig && signal_user_may_send(t->proc, sig)) {
			__atomic_or_fetch(&t->sig_pending, SIGBIT(sig),
					  __ATOMIC_RELAXED);
			sched_signal_wake(t);
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
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

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct thread *t = current;
	uint64_t mask;
	if (arch_signal_return(t->utf, &mask)) {
		printk(LOGLEVEL_ERR,
		       "limen: pid %d (%s) killed by SIGSEGV: bad signal frame "
		       "at rt_sigreturn",
		       t->proc->pid, t->proc->comm);
		proc_exit(SIGSEGV | 0x80);
	}
	t->sig_blocked = mask & ~SIG_KERNEL_ONLY;
	/* The restored rax is the interrupted code's: keep it. */
	return arch_syscall_ret(t->utf);
}

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048

struct stack_k {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};

/* An alternate stack for handlers installed with SA_ONSTACK. */
SYSCALL_DEFINE2(sigaltstack, const struct stack_k __user *, uss,
		struct stack_k __user *, uoss)
{
	struct thread *t = current;
	uint64_t rsp = arch_frame_sp(t->utf);
	bool on = t->altstack_size && rsp > t->altstack_sp &&
		  rsp <= t->altstack_sp + t->altstack_size;
	if (uoss) {
		struct stack_k o = {t->altstack_sp,
				    on ? SS_ONSTACK
				       : (t->altstack_size ? 0 : SS_DISABLE),
				    0, t->altstack_size};
		if (copy_to_user(uoss, &o, sizeof(o)))
			return -EFAULT;
	}
	if (!uss)
		return 0;
	struct stack_k n;
	if (copy_from_user(&n, uss, sizeof(n)))
		return -EFAULT;
	if (on)
		return -EPERM;
	if (n.ss_flags & ~(SS_DISABLE | (int32_t)0x80000000 /* AUTODISARM */))
		return -EINVAL;
	if (n.ss_flags & SS_DISABLE) {
		t->altstack_sp = t->altstack_size = 0;
		return 0;
	}
	if (n.ss_size < MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack_sp = n.ss_sp;
	t->altstack_size = n.ss_size;
	return 0;
}
