/* poll, ppoll, select and pselect6. Readiness comes from each file's poll
 * hook; a poller that must wait puts an entry on the wait queue of every
 * file polled that has one (pipes, the console), sleeps with its timeout
 * until any of them is woken, and re-checks everything. Files without a hook
 * (regular files, /dev/null...) are always ready, as on Linux. ppoll and
 * pselect6 apply their signal mask for the duration of the wait. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
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
#include <uapi/poll.h>

#define POLL_MAX 1024

static unsigned file_ready(struct file *f)
{
	return f->ops->poll ? f->ops->poll(f) : (POLLIN | POLLOUT);
}

/* A descriptor the poller waits on: its file is held (a racing close
 * cannot free the queue under the entry) until the entry is off it. */
struct poll_wait {
	struct file *file;
	struct wait_queue *wq;
	struct wait_entry entry;
};

/* One pass over the set; returns how many have events. Each file that is
 * not ready but can say when it will be goes into w (*nw of them). */
static int poll_scan(struct pollfd_k *p, size_t n, struct poll_wait *w,
		     size_t *nw)
{
	struct process *proc = proc_current();
	int count = 0;
	*nw = 0;
	for (size_t i = 0; i < n; i++) {
		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		struct file *f = fd_get(proc, p[i].fd);
		if (!f) {
			p[i].revents = POLLNVAL;
			count++;
			continue;
		}
		unsigned want = (uint16_t)p[i].events | POLLERR | POLLHUP;
		unsigned ready = file_ready(f);
		if (ready & POLLIN)
			ready |= POLLRDNORM;
		if (ready & POLLOUT)
			ready |= POLLWRNORM;
		p[i].revents = (int16_t)(ready & want);
		if (p[i].revents) {
			count++;
		} else if (f->ops->poll_wq) {
			w[*nw].file = f;
			w[(*nw)++].wq = f->ops->poll_wq(f);
			continue;
		}
		file_put(f);
	}
	return count;
}

static void poll_release(struct poll_wait *w, size_t nw)
{
	for (size_t i = 0; i < nw; i++)
		file_put(w[i].file);
}

/* Sleeps on every queue in w at once until one is woken, a signal comes
 * or until (0: none) passes. -EINTR for a signal. */
static long poll_sleep(struct poll_wait *w, size_t nw, uint64_t until,
		       uint64_t epoch)
{
	long r = 0;
	irqflags_t f = sched_lock_irqsave();
	if (signal_pending(current)) {
		r = -EINTR;
	} else if (wake_epoch == epoch) {
		/* No wakeup since the scan: none can be lost now. */
		for (size_t i = 0; i < nw; i++)
			wait_entry_add_locked(w[i].wq, &w[i].entry);
		current->intr_sleep = true;
		sched_sleep_locked(NULL, until);
		current->intr_sleep = false;
		for (size_t i = 0; i < nw; i++)
			wait_entry_del_locked(&w[i].entry);
	}
	sched_unlock_irqrestore(f);
	return r;
}

/* The wait over a kernel array of pollfds; timeout_ns < 0: forever. */
static long do_poll_kernel(struct pollfd_k *p, size_t n, int64_t timeout_ns)
{
	uint64_t deadline =
	    timeout_ns < 0 ? 0 : time_deadline((uint64_t)timeout_ns);
	struct poll_wait *w = kmalloc(sizeof(*w) * (n ? n : 1));
	if (!w)
		return -ENOMEM;
	long r;
	for (;;) {
		size_t nw;
		/* A wakeup between the scan and the sleep would be lost;
		 * the epoch tells us one happened, and we scan again. */
		uint64_t epoch = __atomic_load_n(&wake_epoch, __ATOMIC_ACQUIRE);
		int count = poll_scan(p, n, w, &nw);
		if (count || timeout_ns == 0 ||
		    (timeout_ns > 0 && time_ns() >= deadline)) {
			poll_release(w, nw);
			r = count;
			break;
		}
		/* Without a queue to wait on, re-check every tick. */
		uint64_t until = deadline;
		if (!nw)
			until = time_deadline(NSEC_PER_SEC / HZ);
		r = poll_sleep(w, nw, until, epoch);
		poll_release(w, nw);
		if (r)
			break;
	}
	kfree(w);
	return r;
}

static long do_poll(struct pollfd_k __user *up, size_t n, int64_t timeout_ns)
{
	if (n > POLL_MAX)
		return -EINVAL;
	struct pollfd_k *p = kmalloc(n * sizeof(*p) + 1);
	if (!p)
		return -ENOMEM;
	long r = copy_from_user(p, up, n * sizeof(*p));
	if (!r)
		r = do_poll_kernel(p, n, timeout_ns);
	if (r >= 0) {
		for (size_t i = 0; i < n && r >= 0; i++)
			if (put_user(p[i].revents, &up[i].revents))
				r = -EFAULT;
	}
	kfree(p);
	return r;
}

SYSCALL_DEFINE3(poll, struct pollfd_k __user *, fds, unsigned long, n, int,
		timeout_ms)
{
	return do_poll(fds, n,
		       timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

/* A user timespec as nanoseconds (-1 for a NULL pointer, "forever"). */
static long timeout_from_user(const struct timespec_k __user *uts, int64_t *ns)
{
	struct timespec_k ts;
	*ns = -1;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	uint64_t t;
	if (time_timespec_ns(&ts, &t))
		return -EINVAL;
	*ns = t > INT64_MAX ? INT64_MAX : (int64_t)t;
	return 0;
}

/* ppoll and pselect6 wait with a temporary signal mask, restored after
 * the call, or after the handler if a signal ends the wait (as
 * sigsuspend: the signal frame keeps the caller's mask). */
static long mask_enter(const uint64_t __user *umask)
{
	struct thread *t = current;
	uint64_t m;
	if (!umask)
		return 0;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	t->sig_saved_mask = t->sig_blocked;
	t->restore_mask = true;
	t->sig_blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

static void mask_leave(long r)
{
	struct thread *t = current;
	/* On EINTR the delivery of the signal puts the mask back. */
	if (t->restore_mask && r != -EINTR) {
		t->sig_blocked = t->sig_saved_mask;
		t->restore_mask = false;
	}
}

SYSCALL_DEFINE5(ppoll, struct pollfd_k __user *, fds, unsigned long, n,
		const struct timespec_k __user *, uts, const uint64_t __user *,
		sigmask, size_t, sigsetsize)
{
	int64_t t;
	long r = timeout_from_user(uts, &t);
	if (r)
		return r;
	if (sigmask && sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if ((r = mask_enter(sigmask)))
		return r;
	r = do_poll(fds, n, t);
	mask_leave(r);
	return r;
}

/* select and pselect6 over the same scan: the three fd sets become a poll
 * set, and the results go back as sets. */
#define FD_SETSIZE 1024

static long do_select(int n, uint64_t __user *uin, uint64_t __user *uout,
		      uint64_t __user *uex, int64_t timeout_ns)
{
	uint64_t in[FD_SETSIZE / 64] = {0}, out[FD_SETSIZE / 64] = {0},
				 ex[FD_SETSIZE / 64] = {0};
	if (n < 0 || n > FD_SETSIZE)
		return -EINVAL;
	size_t words = ((size_t)n + 63) / 64;
	if ((uin && copy_from_user(in, uin, words * 8)) ||
	    (uout && copy_from_user(out, uout, words * 8)) ||
	    (uex && copy_from_user(ex, uex, words * 8)))
		return -EFAULT;
	struct pollfd_k *p = kmalloc(sizeof(*p) * (n ? (size_t)n : 1));
	if (!p)
		return -ENOMEM;
	size_t np = 0;
	for (int fd = 0; fd < n; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		short ev = 0;
		if (in[fd / 64] & bit)
			ev |= POLLIN;
		if (out[fd / 64] & bit)
			ev |= POLLOUT;
		if (ex[fd / 64] & bit)
			ev |= POLLPRI;
		if (ev)
			p[np++] = (struct pollfd_k){fd, ev, 0};
	}
	long r = do_poll_kernel(p, np, timeout_ns);
	if (r >= 0) {
		memset(in, 0, sizeof(in));
		memset(out, 0, sizeof(out));
		memset(ex, 0, sizeof(ex));
		r = 0;
		for (size_t i = 0; i < np; i++) {
			int fd = p[i].fd;
			uint64_t bit = 1ULL << (fd % 64);
			if (p[i].revents & POLLNVAL) {
				r = -EBADF;
				break;
			}
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR) &&
			    (p[i].events & POLLIN)) {
				in[fd / 64] |= bit;
				r++;
			}
			if (p[i].revents & (POLLOUT | POLLERR) &&
			    (p[i].events & POLLOUT)) {
				out[fd / 64] |= bit;
				r++;
			}
			if (p[i].revents & POLLPRI) {
				ex[fd / 64] |= bit;
				r++;
			}
		}
	}
	kfree(p);
	if (r >= 0 && ((uin && copy_to_user(uin, in, words * 8)) ||
		       (uout && copy_to_user(uout, out, words * 8)) ||
		       (uex && copy_to_user(uex, ex, words * 8))))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE5(select, int, n, uint64_t __user *, in, uint64_t __user *, out,
		uint64_t __user *, ex, struct timeval_k __user *, utv)
{
	int64_t t = -1;
	struct timeval_k tv;
	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		uint64_t ns;
		if (time_timeval_ns(&tv, &ns))
			return -EINVAL;
		t = ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
	}
	/* Linux writes back the time left; callers must not rely on it,
	 * and we leave it unchanged. */
	return do_select(n, in, out, ex, t);
}

SYSCALL_DEFINE6(pselect6, int, n, uint64_t __user *, in, uint64_t __user *, out,
		uint64_t __user *, ex, const struct timespec_k __user *, uts,
		const uint64_t __user *, usig)
{
	/* The last argument points at {const sigset_t *ss; size_t len}. */
	int64_t t;
	long r = timeout_from_user(uts, &t);
	if (r)
		return r;
	uint64_t sig[2] = {0, 0};
	if (usig && copy_from_user(sig, usig, sizeof(sig)))
		return -EFAULT;
	if (sig[0] && sig[1] != sizeof(uint64_t))
		return -EINVAL;
	if ((r = mask_enter((const uint64_t __user *)sig[0])))
		return r;
	r = do_select(n, in, out, ex, t);
	mask_leave(r);
	return r;
}
