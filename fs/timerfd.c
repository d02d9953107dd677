/* timerfd: a timer (one-shot or periodic, on CLOCK_REALTIME, MONOTONIC or
 * BOOTTIME) whose expirations are read from a file as a 64-bit count
 * instead of arriving as signals (Linux's fs/timerfd.c). Each timerfd owns
 * a ktimer (include/ktimer.h): its callback counts the expirations and
 * wakes the file's readers and pollers. */
#include <fd.h>
#include <fs/vfs.h>
#include <ktimer.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/eventfd.h>
#include <uapi/misc.h>
#include <uapi/poll.h>
#include <uapi/stat.h>

struct itimerspec_k {
	struct timespec_k interval, value;
};

struct timerfd_ctx {
	struct ktimer kt;     /* ktimer_lock */
	struct wait_queue wq; /* sched_lock: readers and pollers */
	int clock;	      /* const */
	uint64_t interval;    /* ktimer_lock: ns, 0 for a one-shot timer */
	/* ktimer_lock: expirations not yet read. Stored atomically, so a
	 * sleeper's condition may read it under sched alone (ktimer comes
	 * before sched, never after): the callback stores it before it
	 * wakes wq, so no wakeup is lost. */
	uint64_t ticks;
};

static uint64_t timerfd_ticks(struct timerfd_ctx *ctx)
{
	return __atomic_load_n(&ctx->ticks, __ATOMIC_ACQUIRE);
}

/* With ktimer_lock held: the timer was due late ns before now. Counts
 * the expiration and, for a periodic timer, the periods missed since,
 * and re-arms it at the next period after now (saturating: a huge
 * interval just never comes). The caller wakes wq. */
static void timerfd_expire_locked(struct timerfd_ctx *ctx, uint64_t now,
				  uint64_t late)
{
	uint64_t n = 1;
	if (ctx->interval) {
		n = time_add_sat(1, late / ctx->interval);
		uint64_t next =
		    time_add_sat(now, ctx->interval - late % ctx->interval);
		ktimer_add_locked(&ctx->kt, next);
	}
	__atomic_store_n(&ctx->ticks, time_add_sat(ctx->ticks, n),
			 __ATOMIC_RELEASE);
}

/* The ktimer callback: interrupt context, ktimer_lock held. wq's wake
 * takes sched_lock with interrupts saved, which comes after ktimer. */
static void timerfd_fire(struct ktimer *kt)
{
	struct timerfd_ctx *ctx = container_of(kt, struct timerfd_ctx, kt);
	uint64_t now = time_ns();
	timerfd_expire_locked(ctx, now,
			      now > kt->expires ? now - kt->expires : 0);
	wait_queue_wake_all(&ctx->wq);
}

static long timerfd_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	struct timerfd_ctx *ctx = f->priv;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&ktimer_lock);
		uint64_t t = ctx->ticks;
		__atomic_store_n(&ctx->ticks, 0, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&ktimer_lock, fl);
		if (t) {
			memcpy(buf, &t, sizeof(t));
			return sizeof(t);
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&ctx->wq, timerfd_ticks(ctx)))
			return -EINTR;
	}
}

static unsigned timerfd_poll(struct file *f)
{
	struct timerfd_ctx *ctx = f->priv;
	return timerfd_ticks(ctx) ? POLLIN : 0;
}

static struct wait_queue *timerfd_poll_wq(struct file *f)
{
	struct timerfd_ctx *ctx = f->priv;
	return &ctx->wq;
}

static void timerfd_release(struct file *f)
{
	struct timerfd_ctx *ctx = f->priv;
	/* Off the list under ktimer_lock: the callback is not running and
	 * will not run, so ctx may go. */
	irqflags_t fl = spin_lock_irqsave(&ktimer_lock);
	ktimer_del_locked(&ctx->kt);
	spin_unlock_irqrestore(&ktimer_lock, fl);
	kfree(ctx);
}

static const struct file_ops timerfd_ops = {
    .read = timerfd_read,
    .poll = timerfd_poll,
    .poll_wq = timerfd_poll_wq,
    .release = timerfd_release,
};

SYSCALL_DEFINE2(timerfd_create, int, clock, int, flags)
{
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	/* The alarm clocks would wake a suspended system: there is no
	 * suspend here, and no wake-up hardware behind them. */
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME)
		return -EINVAL;
	struct timerfd_ctx *ctx = kzalloc(sizeof(*ctx));
	struct inode *ino = inode_alloc_sb(NULL, S_IRUSR | S_IWUSR);
	struct file *f = NULL;
	if (ctx && ino) {
		ctx->clock = clock;
		ctx->kt.fn = timerfd_fire;
		wait_queue_init(&ctx->wq);
		f = file_alloc(ino, O_RDWR | (flags & TFD_NONBLOCK),
			       &timerfd_ops, ctx);
	}
	if (!f) {
		kfree(ctx);
		kfree(ino);
		return -ENOMEM;
	}
	int fd = fd_install(proc_current(), f, 0, flags & TFD_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the last reference: frees ctx and the inode */
	return fd;
}

/* The timerfd behind fd, with a reference, or NULL and *err. */
static struct file *timerfd_get(int fd, long *err)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &timerfd_ops) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

static struct timespec_k ns_to_tspec(uint64_t ns)
{
	return (struct timespec_k){(int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC)};
}

/* With ktimer_lock held: the time to the next expiration and the
 * interval. Linux reports at least 1 ns for an armed timer. */
static void timerfd_get_locked(struct timerfd_ctx *ctx, struct itimerspec_k *k)
{
	uint64_t left = 0;
	if (ctx->kt.queued) {
		uint64_t now = time_ns();
		left = ctx->kt.expires > now ? ctx->kt.expires - now : 1;
	}
	k->value = ns_to_tspec(left);
	k->interval = ns_to_tspec(ctx->interval);
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags,
		const struct itimerspec_k __user *, nv,
		struct itimerspec_k __user *, ov)
{
	struct itimerspec_k k, o;
	uint64_t value, interval;
	long err;
	/* TFD_TIMER_CANCEL_ON_SET (ECANCELED when the clock is set) is not
	 * implemented: refused rather than silently ignored. */
	if (flags & ~TFD_TIMER_ABSTIME)
		return -EINVAL;
	if (copy_from_user(&k, nv, sizeof(k)))
		return -EFAULT;
	if (time_timespec_ns(&k.value, &value) ||
	    time_timespec_ns(&k.interval, &interval))
		return -EINVAL;
	struct file *f = timerfd_get(fd, &err);
	if (!f)
		return err;
	struct timerfd_ctx *ctx = f->priv;
	bool abs = flags & TFD_TIMER_ABSTIME, fired = false;
	irqflags_t fl = spin_lock_irqsave(&ktimer_lock);
	timerfd_get_locked(ctx, &o);
	ktimer_del_locked(&ctx->kt);
	/* A new setting forgets the expirations not yet read, as Linux. */
	__atomic_store_n(&ctx->ticks, 0, __ATOMIC_RELAXED);
	ctx->interval = value ? interval : 0;
	if (value) {
		uint64_t now = time_ns();
		uint64_t now_clock =
		    ctx->clock == CLOCK_REALTIME ? time_realtime_ns() : now;
		/* Only absolute realtime deadlines follow clock_settime
		 * (relative ones count monotonic time, as on Linux). */
		ctx->kt.realtime = abs && ctx->clock == CLOCK_REALTIME;
		if (!abs) {
			ktimer_add_locked(&ctx->kt, time_deadline(value));
		} else if (value > now_clock) {
			ktimer_add_locked(&ctx->kt,
					  time_deadline(value - now_clock));
		} else {
			/* Already due: it expires now, with the periods
			 * since the deadline counted, as Linux's forward. */
			timerfd_expire_locked(ctx, now, now_clock - value);
			fired = true;
		}
	}
	spin_unlock_irqrestore(&ktimer_lock, fl);
	if (fired)
		wait_queue_wake_all(&ctx->wq);
	file_put(f);
	if (ov && copy_to_user(ov, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, struct itimerspec_k __user *, cur)
{
	struct itimerspec_k k;
	long err;
	struct file *f = timerfd_get(fd, &err);
	if (!f)
		return err;
	struct timerfd_ctx *ctx = f->priv;
	irqflags_t fl = spin_lock_irqsave(&ktimer_lock);
	timerfd_get_locked(ctx, &k);
	spin_unlock_irqrestore(&ktimer_lock, fl);
	file_put(f);
	if (copy_to_user(cur, &k, sizeof(k)))
		return -EFAULT;
	return 0;
}
