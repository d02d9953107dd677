/* futex WAIT and WAKE (and their BITSET forms). Waiters sit on one list,
 * protected by sched_lock, which also covers the check of the futex word:
 * a waker that changes the word and then wakes cannot slip in between a
 * waiter's check and its sleep, so no wakeup is lost.
 *
 * A futex is keyed by what the address is: with FUTEX_PRIVATE_FLAG, (the
 * address space, the address), as Linux's private futexes; without it,
 * in MAP_SHARED memory, (the shared object, the offset), so processes
 * mapping the object at different addresses meet on the same futex. */
#include <futex.h>
#include <lib/list.h>
#include <mm/mm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

struct futex_key {
	const void *obj; /* an mm or a shared memory object */
	uint64_t off;	 /* the address in it, or the offset */
};

struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct thread *t;
	bool woken;
	struct list_head link;
};

/* Protected by sched_lock. */
static LIST_HEAD(futex_waiters);

static struct futex_key futex_key(struct mm *mm, uintptr_t addr, bool private)
{
	struct futex_key k = {mm, addr};
	if (!private)
		mm_futex_key(mm, addr, &k.obj, &k.off);
	return k;
}

static long futex_wait(struct futex_key key, uint32_t __user *uaddr,
		       uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct thread *t = current;
	struct futex_waiter w = {
	    .key = key,
	    .bitset = bitset,
	    .t = t,
	};
	uint32_t cur;
	/* Fault the page in before taking the lock. */
	if (get_user(cur, uaddr))
		return -EFAULT;
	long r = 0;
	irqflags_t f = sched_lock_irqsave();
	if (get_user(cur, uaddr)) {
		r = -EFAULT;
	} else if (cur != val) {
		r = -EAGAIN;
	} else {
		list_add_tail(&w.link, &futex_waiters);
		while (!w.woken) {
			if (signal_pending(t)) {
				r = -EINTR;
				break;
			}
			t->intr_sleep = true;
			int s = sched_sleep_locked(NULL, deadline);
			t->intr_sleep = false;
			if (s == -ETIMEDOUT && !w.woken) {
				r = -ETIMEDOUT;
				break;
			}
		}
		if (!w.woken)
			list_del(&w.link);
	}
	sched_unlock_irqrestore(f);
	return r;
}

static int futex_wake_bitset(struct futex_key key, int n, uint32_t bitset)
{
	int woken = 0;
	struct futex_waiter *w, *tmp;
	irqflags_t f = sched_lock_irqsave();
	list_for_each_entry_safe(w, tmp, &futex_waiters, link)
	{
		if (woken >= n)
			break;
		if (w->key.obj != key.obj || w->key.off != key.off ||
		    !(w->bitset & bitset))
			continue;
		list_del(&w->link);
		w->woken = true;
		sched_wake_locked(w->t);
		woken++;
	}
	sched_unlock_irqrestore(f);
	return woken;
}

int futex_wake(struct mm *mm, uintptr_t addr, int n)
{
	/* CLONE_CHILD_CLEARTID: Linux wakes it as a shared futex. */
	return futex_wake_bitset(futex_key(mm, addr, false), n,
				 FUTEX_BITSET_MATCH_ANY);
}

SYSCALL_DEFINE6(futex, uint32_t __user *, uaddr, int, op, uint32_t, val,
		const struct timespec_k __user *, uts, uint32_t __user *,
		uaddr2, uint32_t, val3)
{
	(void)uaddr2;
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	struct futex_key key = futex_key(proc_current()->mm, (uintptr_t)uaddr,
					 op & FUTEX_PRIVATE_FLAG);
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset =
		    cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bitset)
			return -EINVAL;
		uint64_t deadline = 0;
		if (uts) {
			struct timespec_k ts;
			if (copy_from_user(&ts, uts, sizeof(ts)))
				return -EFAULT;
			uint64_t t;
			int r = time_timespec_ns(&ts, &t);
			if (r)
				return r;
			if (cmd == FUTEX_WAIT) {
				deadline = time_deadline(t); /* relative */
			} else {
				/* Absolute, on the monotonic or (with the
				 * flag) the real-time clock. */
				uint64_t base = (op & FUTEX_CLOCK_REALTIME)
						    ? (uint64_t)rtc_boot_epoch *
							  NSEC_PER_SEC
						    : 0;
				deadline = t > base ? t - base : 1;
			}
			if (deadline == 0)
				deadline = 1;
		}
		return futex_wait(key, uaddr, val, deadline, bitset);
	}
	case FUTEX_WAKE:
		return futex_wake_bitset(key, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake_bitset(key, (int)val, val3);
	default:
		/* requeue, wake-op and PI are not implemented */
		return -ENOSYS;
	}
}
