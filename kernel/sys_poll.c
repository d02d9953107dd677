/* poll and ppoll. Readiness comes from each file's poll hook; a poller that
 * must wait sleeps on the wait queue of the first file that has one (today
 * only the console tty), with its timeout, and re-checks everything when
 * woken. Files without a hook (regular files, /dev/null...) are always
 * ready, as on Linux. Signal masks (ppoll) arrive with signals. */
#include <fd.h>
#include <fs/vfs.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
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

/* One pass over the set; returns how many have events, and the queue to
 * sleep on if none do. */
static int poll_scan(struct pollfd_k *p, size_t n, struct wait_queue **wq)
{
	struct process *proc = proc_current();
	int count = 0;
	*wq = NULL;
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
		if (p[i].revents)
			count++;
		else if (!*wq && f->ops->poll_wq)
			*wq = f->ops->poll_wq(f);
		file_put(f);
	}
	return count;
}

/* timeout_ns < 0: wait forever. */
static long do_poll(struct pollfd_k *up, size_t n, int64_t timeout_ns)
{
	if (n > POLL_MAX)
		return -EINVAL;
	struct pollfd_k *p = kmalloc(n * sizeof(*p) + 1);
	if (!p)
		return -ENOMEM;
	long r = copy_from_user(p, up, n * sizeof(*p));
	uint64_t deadline = timeout_ns < 0 ? 0 : time_ns() + timeout_ns;
	while (!r) {
		struct wait_queue *wq;
		int count = poll_scan(p, n, &wq);
		if (count || timeout_ns == 0 ||
		    (timeout_ns > 0 && time_ns() >= deadline)) {
			r = count;
			break;
		}
		/* Sleep until the queue is woken or the deadline passes;
		 * without a queue, re-check every tick. */
		uint64_t until = deadline;
		if (!wq)
			until = time_ns() + NSEC_PER_SEC / HZ;
		else if (timeout_ns < 0)
			until = 0;
		irqflags_t f = sched_lock_irqsave();
		if (signal_pending(current)) {
			sched_unlock_irqrestore(f);
			r = -EINTR;
			break;
		}
		current->intr_sleep = true;
		sched_sleep_locked(wq, until);
		current->intr_sleep = false;
		sched_unlock_irqrestore(f);
	}
	if (r >= 0) {
		for (size_t i = 0; i < n && r >= 0; i++)
			if (put_user(p[i].revents, &up[i].revents))
				r = -EFAULT;
	}
	kfree(p);
	return r;
}

long sys_poll(struct pollfd_k *fds, unsigned long n, int timeout_ms)
{
	return do_poll(fds, n,
		       timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

long sys_ppoll(struct pollfd_k *fds, unsigned long n,
	       const struct timespec_k *uts, const void *sigmask)
{
	(void)sigmask; /* no signals yet: the mask cannot change anything */
	int64_t t = -1;
	if (uts) {
		struct timespec_k ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		t = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	return do_poll(fds, n, t);
}
