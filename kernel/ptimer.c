/* Process timers: setitimer/getitimer (ITIMER_REAL, _VIRTUAL, _PROF),
 * alarm, and POSIX timers (timer_create .. timer_delete). Wall-clock
 * timers are ktimers (kernel/ktimer.c); CPU-time timers count down by one
 * tick (1/HZ s) for each timer tick their process (or thread) is charged,
 * so their resolution is the tick. All state here is guarded by
 * ktimer_lock; a callback's process is alive because ptimer_exit takes
 * every timer off the list, under that lock, before the process can be
 * reaped and freed. */
#include <ktimer.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>
#include <uapi/signal.h>

#define TICK_NS (NSEC_PER_SEC / HZ)
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define DELAYTIMER_MAX 0x7fffffff

struct itimerval_k {
	struct timeval_k interval, value;
};
struct itimerspec_k {
	struct timespec_k interval, value;
};
/* Linux's struct sigevent (64 bytes); sigev_notify_thread_id at 16. */
struct sigevent_k {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

struct ptimer {
	struct list_head link;	   /* proc_timers.list */
	struct list_head cpu_link; /* proc_timers.cpu_list while armed */
	struct ktimer kt;	   /* wall-clock timers */
	struct process *p;
	int id, clock, notify, signo, tid;
	int cpu_tid;	   /* CLOCK_THREAD_CPUTIME_ID: whose CPU time */
	uint64_t value;	   /* sigev_value */
	uint64_t interval; /* ns */
	uint64_t cpu_left; /* CPU clocks, while armed: ns still to run */
	bool armed;
	bool sig_queued;  /* a signal went out and was not yet seen taken */
	int overrun;	  /* expirations while the signal was still pending */
	int overrun_last; /* what timer_getoverrun reports */
};

struct proc_timers {
	struct process *p;
	struct ktimer real; /* ITIMER_REAL, alarm */
	uint64_t real_interval;
	/* ITIMER_VIRTUAL / ITIMER_PROF: ns left (0: disarmed), reload. */
	uint64_t cpu_left[3], cpu_interval[3];
	struct list_head list;	   /* every POSIX timer */
	struct list_head cpu_list; /* armed POSIX timers on CPU clocks */
	int nr, next_id;
};

static int nr_ptimers; /* ktimer_lock: in the whole system */

static uint64_t sat_add_int(int *c, uint64_t n)
{
	uint64_t v = (uint64_t)*c + n;
	*c = v > DELAYTIMER_MAX ? DELAYTIMER_MAX : (int)v;
	return v;
}

/* ITIMER_REAL: SIGALRM from the kernel (Linux's it_real_fn sends it with
 * SEND_SIG_PRIV, so si_code is SI_KERNEL), reloading if periodic. */
static void itimer_real_fire(struct ktimer *kt)
{
	struct proc_timers *pt = container_of(kt, struct proc_timers, real);
	signal_send(pt->p, SIGALRM);
	if (pt->real_interval) {
		uint64_t now = time_ns(), next = kt->expires;
		uint64_t i = pt->real_interval;
		if (next <= now) /* missed periods are skipped */
			next = time_add_sat(next, ((now - next) / i + 1) * i);
		ktimer_add_locked(kt, next);
	}
}

static struct proc_timers *timers_get(struct process *p)
{
	if (p->timers)
		return p->timers;
	struct proc_timers *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->p = p;
	n->real.fn = itimer_real_fire;
	list_init(&n->list);
	list_init(&n->cpu_list);
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (!p->timers) {
		p->timers = n;
		n = NULL;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	kfree(n);
	return p->timers;
}

/* Whether t's last signal is still pending (not yet delivered): sent, not
 * reported by posix_timer_delivered, and its bit still pending in the
 * target. The bit also covers a signal dropped without delivery (ignored,
 * flushed), after which the timer must send again. It reads the target
 * thread's pending set, or for a process-directed signal every thread's
 * and the process's own. With ktimer_lock held; takes proc_lock. */
static bool ptimer_sig_pending(struct ptimer *t)
{
	if (!t->sig_queued)
		return false;
	bool pending = false;
	uint64_t bit = SIGBIT(t->signo);
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (t->notify != SIGEV_THREAD_ID &&
	    (__atomic_load_n(&t->p->sig_shared_pending, __ATOMIC_RELAXED) &
	     bit))
		pending = true;
	struct thread *th;
	list_for_each_entry(th, &t->p->threads, proc_link)
	{
		if ((t->notify != SIGEV_THREAD_ID || th->utid == t->tid) &&
		    (__atomic_load_n(&th->sig_pending, __ATOMIC_RELAXED) & bit))
			pending = true;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return pending;
}

/* One expiration (plus missed more) of POSIX timer t. */
static void ptimer_expire(struct ptimer *t, uint64_t missed)
{
	if (t->notify == SIGEV_NONE)
		return;
	if (ptimer_sig_pending(t)) {
		sat_add_int(&t->overrun, 1 + missed);
		return;
	}
	if (t->sig_queued) { /* delivered, and nobody told us */
		t->overrun_last = t->overrun;
		t->overrun = 0;
	}
	sat_add_int(&t->overrun, missed);
	struct ksiginfo info = {.signo = t->signo, .code = SI_TIMER};
	info.timer.tid = t->id;
	info.timer.overrun = t->overrun;
	info.timer.value = t->value;
	t->sig_queued = true;
	if (t->notify == SIGEV_THREAD_ID) {
		/* The thread may have exited: then the signal is lost, as on
		 * Linux. */
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct thread *th;
		bool sent = false;
		list_for_each_entry(th, &t->p->threads, proc_link)
		{
			if (th->utid == t->tid) {
				signal_send_thread(th, &info);
				sent = true;
				break;
			}
		}
		spin_unlock_irqrestore(&proc_lock, f);
		if (!sent)
			t->sig_queued = false;
	} else {
		signal_send_info(t->p, &info);
	}
}

static void ptimer_fire(struct ktimer *kt)
{
	struct ptimer *t = container_of(kt, struct ptimer, kt);
	uint64_t missed = 0;
	if (t->interval) {
		uint64_t now = time_ns(),
			 next = time_add_sat(kt->expires, t->interval);
		if (next <= now) {
			missed = (now - next) / t->interval + 1;
			next = time_add_sat(next, missed * t->interval);
		}
		ktimer_add_locked(kt, next);
	} else {
		t->armed = false;
	}
	ptimer_expire(t, missed);
}

void ptimer_cpu_tick_locked(struct thread *th, bool from_user)
{
	struct proc_timers *pt = th->proc->timers;
	static const int sigs[3] = {0, SIGVTALRM, SIGPROF};
	for (int w = ITIMER_VIRTUAL; w <= ITIMER_PROF; w++) {
		if (!pt->cpu_left[w] || (w == ITIMER_VIRTUAL && !from_user))
			continue;
		if (pt->cpu_left[w] > TICK_NS) {
			pt->cpu_left[w] -= TICK_NS;
			continue;
		}
		pt->cpu_left[w] = pt->cpu_interval[w];
		signal_send(pt->p, sigs[w]);
	}
	struct ptimer *t, *tmp;
	list_for_each_entry_safe(t, tmp, &pt->cpu_list, cpu_link)
	{
		if (t->clock == CLOCK_THREAD_CPUTIME_ID &&
		    t->cpu_tid != th->utid)
			continue;
		if (t->cpu_left > TICK_NS) {
			t->cpu_left -= TICK_NS;
			continue;
		}
		if (t->interval) {
			t->cpu_left = t->interval;
		} else {
			t->armed = false;
			list_del(&t->cpu_link);
		}
		ptimer_expire(t, 0);
	}
}

/* ---- setitimer, getitimer, alarm ---- */

static struct timeval_k ns_to_tv(uint64_t ns)
{
	return (struct timeval_k){(int64_t)(ns / NSEC_PER_SEC),
				  (int64_t)(ns % NSEC_PER_SEC / 1000)};
}

static struct timespec_k ns_to_tspec(uint64_t ns)
{
	return (struct timespec_k){(int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC)};
}

/* With ktimer_lock held. */
static void itimer_get_locked(struct proc_timers *pt, int which,
			      uint64_t *value, uint64_t *interval)
{
	*value = *interval = 0;
	if (!pt)
		return;
	if (which == ITIMER_REAL) {
		if (pt->real.queued) {
			uint64_t now = time_ns();
			/* Linux reports at least 1 us for an armed timer. */
			*value = pt->real.expires > now ? pt->real.expires - now
							: NSEC_PER_USEC;
			if (*value < NSEC_PER_USEC)
				*value = NSEC_PER_USEC;
		}
		*interval = pt->real_interval;
	} else {
		*value = pt->cpu_left[which];
		*interval = pt->cpu_interval[which];
	}
}

/* Arms (value 0: disarms) itimer which; the old setting in *ov, *oi. */
static int itimer_set(int which, uint64_t value, uint64_t interval,
		      uint64_t *ov, uint64_t *oi)
{
	struct process *p = proc_current();
	struct proc_timers *pt = value || interval ? timers_get(p) : p->timers;
	if ((value || interval) && !pt)
		return -ENOMEM;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	itimer_get_locked(pt, which, ov, oi);
	if (pt) {
		if (which == ITIMER_REAL) {
			ktimer_del_locked(&pt->real);
			pt->real_interval = value ? interval : 0;
			if (value)
				ktimer_add_locked(&pt->real,
						  time_deadline(value));
		} else {
			/* Linux adds a tick, so that at least value of CPU
			 * time passes whichever part of a tick is left. */
			pt->cpu_left[which] =
			    value ? time_add_sat(value, TICK_NS) : 0;
			pt->cpu_interval[which] = value ? interval : 0;
		}
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	return 0;
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval_k __user *, cur)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	uint64_t v, i;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	itimer_get_locked(proc_current()->timers, which, &v, &i);
	spin_unlock_irqrestore(&ktimer_lock, f);
	struct itimerval_k k = {ns_to_tv(i), ns_to_tv(v)};
	return copy_to_user(cur, &k, sizeof(k));
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval_k __user *, nv,
		struct itimerval_k __user *, ov)
{
	struct itimerval_k k = {0};
	uint64_t v, i, oldv, oldi;
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	/* A NULL new value disarms, as Linux still allows. */
	if (nv && copy_from_user(&k, nv, sizeof(k)))
		return -EFAULT;
	if (time_timeval_ns(&k.value, &v) || time_timeval_ns(&k.interval, &i))
		return -EINVAL;
	int r = itimer_set(which, v, i, &oldv, &oldi);
	if (r)
		return r;
	if (ov) {
		struct itimerval_k o = {ns_to_tv(oldi), ns_to_tv(oldv)};
		if (copy_to_user(ov, &o, sizeof(o)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, secs)
{
	uint64_t ov, oi;
	int r =
	    itimer_set(ITIMER_REAL, (uint64_t)secs * NSEC_PER_SEC, 0, &ov, &oi);
	if (r)
		return r;
	/* Linux's rounding: never 0 while an alarm is pending, and half a
	 * second or more rounds up. */
	struct timeval_k o = ns_to_tv(ov);
	long old = o.tv_sec;
	if ((!old && o.tv_usec) || o.tv_usec >= 500000)
		old++;
	return old;
}

/* ---- POSIX timers ---- */

static bool clock_ok(long clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME || clock == CLOCK_PROCESS_CPUTIME_ID ||
	       clock == CLOCK_THREAD_CPUTIME_ID;
}

static bool cpu_clock(int clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID ||
	       clock == CLOCK_THREAD_CPUTIME_ID;
}

/* With ktimer_lock held. */
static struct ptimer *ptimer_find(struct proc_timers *pt, int id)
{
	struct ptimer *t;
	if (!pt)
		return NULL;
	list_for_each_entry(t, &pt->list, link) if (t->id == id) return t;
	return NULL;
}

static void ptimer_disarm_locked(struct ptimer *t)
{
	if (cpu_clock(t->clock)) {
		if (t->armed)
			list_del(&t->cpu_link);
	} else {
		ktimer_del_locked(&t->kt);
	}
	t->armed = false;
}

static int ptimer_delete(struct process *p, int id)
{
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct ptimer *t = ptimer_find(p->timers, id);
	if (t) {
		ptimer_disarm_locked(t);
		list_del(&t->link);
		p->timers->nr--;
		nr_ptimers--;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	if (!t)
		return -EINVAL;
	kfree(t);
	return 0;
}

SYSCALL_DEFINE3(timer_create, int, clock, struct sigevent_k __user *, sevp,
		int __user *, idp)
{
	struct process *p = proc_current();
	struct sigevent_k ev;
	int cpu_tid = current->utid;
	if (clock < 0) {
		/* glibc's CPU clocks of the caller; timers on another
		 * process's CPU clock are not supported. */
		clock = time_cpu_clock_decode(clock, &cpu_tid);
		if (clock < 0)
			return -EINVAL;
	}
	if (!clock_ok(clock))
		return -EINVAL;
	if (sevp) {
		if (copy_from_user(&ev, sevp, sizeof(ev)))
			return -EFAULT;
	}
	struct proc_timers *pt = timers_get(p);
	if (!pt)
		return -ENOMEM;
	struct ptimer *t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->p = p;
	t->clock = (int)clock;
	t->kt.fn = ptimer_fire;
	t->kt.realtime = false;
	if (!sevp) {
		t->notify = SIGEV_SIGNAL;
		t->signo = SIGALRM;
	} else {
		t->notify = ev.notify;
		t->signo = ev.signo;
		t->value = ev.value;
		t->tid = ev.tid;
		int r = 0;
		switch (ev.notify) {
		case SIGEV_THREAD_ID: {
			irqflags_t f = spin_lock_irqsave(&proc_lock);
			struct thread *th = proc_find_thread(p->pid, ev.tid);
			spin_unlock_irqrestore(&proc_lock, f);
			if (!th)
				r = -EINVAL;
		}
			__attribute__((fallthrough));
		case SIGEV_SIGNAL:
		case SIGEV_THREAD: /* libc's, over SIGEV_THREAD_ID: a signal */
			if (ev.signo <= 0 || ev.signo > NSIG)
				r = -EINVAL;
			if (ev.notify == SIGEV_THREAD)
				t->notify = SIGEV_SIGNAL;
			break;
		case SIGEV_NONE:
			break;
		default:
			r = -EINVAL;
		}
		if (r) {
			kfree(t);
			return r;
		}
	}
	t->cpu_tid = cpu_tid;
	int r = 0;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (pt->nr >= PTIMER_MAX_PER_PROC || nr_ptimers >= PTIMER_MAX_GLOBAL) {
		r = -EAGAIN;
	} else {
		/* The lowest free id from next_id on, as Linux's idr. */
		int id = pt->next_id;
		while (ptimer_find(pt, id))
			id = id == 0x7fffffff ? 0 : id + 1;
		t->id = id;
		pt->next_id = id == 0x7fffffff ? 0 : id + 1;
		if (!sevp)
			t->value = (uint64_t)id;
		list_add_tail(&t->link, &pt->list);
		pt->nr++;
		nr_ptimers++;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	if (r) {
		kfree(t);
		return r;
	}
	int id = t->id;
	if (copy_to_user(idp, &id, sizeof(id))) {
		ptimer_delete(p, id);
		return -EFAULT;
	}
	return 0;
}

/* The ticks thread tid of p has run (0 if it has ended). */
static uint64_t thread_ticks(struct process *p, int tid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct thread *th = proc_find_thread(p->pid, tid);
	uint64_t ticks = th ? th->ticks : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	return ticks;
}

/* With ktimer_lock held: t's remaining time and interval. */
static void ptimer_get_locked(struct ptimer *t, struct itimerspec_k *k)
{
	uint64_t left = 0;
	if (t->armed) {
		if (cpu_clock(t->clock)) {
			left = t->cpu_left;
		} else if (t->kt.queued) {
			uint64_t now = time_ns();
			left = t->kt.expires > now ? t->kt.expires - now : 1;
		}
	}
	k->value = ns_to_tspec(left);
	k->interval = ns_to_tspec(t->interval);
}

SYSCALL_DEFINE2(timer_gettime, int, id, struct itimerspec_k __user *, cur)
{
	struct itimerspec_k k;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct ptimer *t = ptimer_find(proc_current()->timers, id);
	if (t)
		ptimer_get_locked(t, &k);
	spin_unlock_irqrestore(&ktimer_lock, f);
	if (!t)
		return -EINVAL;
	return copy_to_user(cur, &k, sizeof(k));
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags,
		const struct itimerspec_k __user *, nv,
		struct itimerspec_k __user *, ov)
{
	struct itimerspec_k k, o;
	uint64_t value, interval, now_clock = 0;
	struct process *p = proc_current();
	if (!nv)
		return -EINVAL;
	if (copy_from_user(&k, nv, sizeof(k)))
		return -EFAULT;
	if (time_timespec_ns(&k.value, &value) ||
	    time_timespec_ns(&k.interval, &interval))
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct ptimer *t = ptimer_find(p->timers, id);
	if (!t) {
		spin_unlock_irqrestore(&ktimer_lock, f);
		return -EINVAL;
	}
	ptimer_get_locked(t, &o);
	ptimer_disarm_locked(t);
	t->interval = value ? interval : 0;
	t->overrun = t->overrun_last = 0;
	t->sig_queued = false;
	if (value) {
		bool abs = flags & TIMER_ABSTIME;
		if (t->clock == CLOCK_PROCESS_CPUTIME_ID)
			now_clock =
			    __atomic_load_n(&p->cpu_ticks, __ATOMIC_RELAXED) *
			    TICK_NS;
		else if (t->clock == CLOCK_THREAD_CPUTIME_ID)
			now_clock = thread_ticks(p, t->cpu_tid) * TICK_NS;
		else if (t->clock == CLOCK_REALTIME)
			now_clock = time_realtime_ns();
		else
			now_clock = time_ns();
		uint64_t left = !abs		    ? value
				: value > now_clock ? value - now_clock
						    : 0;
		t->armed = true;
		if (cpu_clock(t->clock)) {
			t->cpu_left = left ? left : 1;
			list_add_tail(&t->cpu_link, &p->timers->cpu_list);
		} else {
			/* Only absolute realtime deadlines follow
			 * clock_settime (Linux turns relative realtime
			 * timers into monotonic ones). */
			t->kt.realtime = abs && t->clock == CLOCK_REALTIME;
			ktimer_add_locked(&t->kt, left ? time_deadline(left)
						       : time_ns());
		}
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	if (ov && copy_to_user(ov, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct ptimer *t = ptimer_find(proc_current()->timers, id);
	int r = -EINVAL;
	if (t) {
		/* Taken but not yet reported by posix_timer_delivered: the
		 * overruns counted so far belong to the signal taken. */
		if (t->sig_queued && !ptimer_sig_pending(t))
			r = t->overrun;
		else
			r = t->overrun_last;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	return r;
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	return ptimer_delete(proc_current(), id);
}

int posix_timer_delivered(struct process *p, int timerid)
{
	int r = -1;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct ptimer *t = ptimer_find(p->timers, timerid);
	if (t && t->sig_queued) {
		t->overrun_last = r = t->overrun;
		t->overrun = 0;
		t->sig_queued = false;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	return r;
}

/* Takes every POSIX timer of pt off the lists (ktimer_lock held) onto
 * out, for the caller to free. */
static void ptimer_unlink_all_locked(struct proc_timers *pt,
				     struct list_head *out)
{
	struct ptimer *t, *tmp;
	list_for_each_entry_safe(t, tmp, &pt->list, link)
	{
		ptimer_disarm_locked(t);
		list_del(&t->link);
		list_add_tail(&t->link, out);
		nr_ptimers--;
	}
	pt->nr = 0;
}

static void ptimer_free_list(struct list_head *l)
{
	struct ptimer *t, *tmp;
	list_for_each_entry_safe(t, tmp, l, link) kfree(t);
}

void ptimer_exec(struct process *p)
{
	LIST_HEAD(dead);
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (p->timers)
		ptimer_unlink_all_locked(p->timers, &dead);
	spin_unlock_irqrestore(&ktimer_lock, f);
	ptimer_free_list(&dead);
}

void ptimer_exit(struct process *p)
{
	LIST_HEAD(dead);
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	struct proc_timers *pt = p->timers;
	if (pt) {
		ptimer_unlink_all_locked(pt, &dead);
		ktimer_del_locked(&pt->real);
		p->timers = NULL;
	}
	spin_unlock_irqrestore(&ktimer_lock, f);
	ptimer_free_list(&dead);
	kfree(pt);
}
