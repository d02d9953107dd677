/* futex(2), futex_waitv(2), get_robust_list(2) and the robust-list walk at
 * thread exit. Waiters sit on one list, protected by sched_lock, which also
 * covers every check and update of a futex word made here: a waker that
 * changes the word and then wakes cannot slip in between a waiter's check
 * and its sleep, so no wakeup is lost. Loops under sched_lock are bounded
 * by the length of that list (or by small constants), never by a count the
 * user chose.
 *
 * A futex is keyed by what the address is: with FUTEX_PRIVATE_FLAG, (the
 * address space, the address), as Linux's private futexes; without it,
 * in MAP_SHARED memory, (the shared object, the offset), so processes
 * mapping the object at different addresses meet on the same futex.
 *
 * PI futexes keep Linux's word protocol (owner TID, FUTEX_WAITERS,
 * FUTEX_OWNER_DIED) and hand the lock over directly on unlock. Limen's
 * scheduler has one round-robin class and no priorities, so priority
 * inheritance has nothing to boost: PI waiters simply queue FIFO. */
#include <futex.h>
#include <lib/list.h>
#include <mm/kmalloc.h>
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
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

#define FUTEX_OP_OPARG_SHIFT 8 /* in the 4-bit op field of WAKE_OP */

#define ROBUST_LIST_LIMIT 2048

#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_MASK 0x03
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG
#define FUTEX_WAITV_MAX 128

#define CLOCK_REALTIME_ID 0
#define CLOCK_MONOTONIC_ID 1

/* Bounds the compare-and-exchange retries made under sched_lock: on one
 * CPU with interrupts off nothing else can change the word, so a retry
 * only follows a concurrent write from another CPU. */
#define FUTEX_CAS_TRIES 16

/* A FW_PI waiter's result when the owner it waited on exited without
 * handing the lock over: it looks at the word again. */
#define FUTEX_PI_OWNER_GONE 2

struct futex_key {
	const void *obj; /* an mm or a shared memory object */
	uint64_t off;	 /* the address in it, or the offset */
};

enum futex_kind {
	FW_WAIT,       /* WAIT, WAIT_BITSET, futex_waitv */
	FW_PI,	       /* LOCK_PI, or a WAIT_REQUEUE_PI waiter once requeued */
	FW_REQUEUE_PI, /* WAIT_REQUEUE_PI before CMP_REQUEUE_PI moved it */
};

struct futex_waitv_group;

/* One sleeper's place on futex_waiters, on its stack (futex_waitv: in a
 * kmalloc'd array). Every field is guarded by sched_lock. The waker or
 * the requeuer takes it off the list and sets woken; otherwise its owner
 * takes it off before returning, so none is left behind. */
struct futex_waiter {
	struct futex_key key;
	struct futex_key key2; /* FW_REQUEUE_PI: the PI futex it may join */
	uint32_t bitset;
	struct thread *t;
	enum futex_kind kind;
	bool woken;	/* off the list, result set */
	bool requeued;	/* moved by CMP_REQUEUE_PI onto the PI futex */
	int result;	/* 0: woken (for FW_PI: handed the lock) */
	uint32_t owner; /* FW_PI: the TID it waits on (see futex_exit_pi) */
	struct futex_waitv_group *group; /* futex_waitv, else NULL */
	int index;			 /* its place in the group */
	struct list_head link;
};

/* The futex_waitv waiters of one thread: the first wake of any of them
 * wakes the thread; the others then count as gone. */
struct futex_waitv_group {
	int woken; /* index of the futex woken, -1 while none */
	int n;
	struct futex_waiter *w;
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

static bool key_eq(struct futex_key a, struct futex_key b)
{
	return a.obj == b.obj && a.off == b.off;
}

/* A user-memory accessor like those of usercopy.S, for the one access the
 * copy loops cannot make: an atomic compare-and-exchange of a user word.
 * *seen gets the word's value before the operation (it equals old iff the
 * exchange happened). A fault the page-fault handler cannot resolve (bad
 * address, read-only page, or a page that would need to sleep while
 * sched_lock is held) gives -EFAULT through the exception table. The
 * locked cmpxchg writes even when it fails, so (0, 0) faults a page in
 * for writing without changing it. */
static int futex_cmpxchg_user(uint32_t __user *uaddr, uint32_t old,
			      uint32_t new, uint32_t *seen)
{
	if (!access_ok(uaddr, sizeof(uint32_t)) || ((uintptr_t)uaddr & 3))
		return -EFAULT;
	int err = 0;
	uint32_t v = old;
	if (uaccess_smap)
		asm volatile("stac" ::: "memory");
	asm volatile("1:	lock cmpxchgl %[new], %[mem]\n"
		     "	jmp 3f\n"
		     "2:	movl %[efault], %[err]\n"
		     "3:\n"
		     "	.pushsection __ex_table, \"a\"\n"
		     "	.p2align 3\n"
		     "	.quad 1b, 2b\n"
		     "	.popsection\n"
		     : [err] "+r"(err),
		       "+a"(v), [mem] "+m"(*(__force uint32_t *)uaddr)
		     : [new] "r"(new), [efault] "i"(-EFAULT)
		     : "memory", "cc");
	if (uaccess_smap)
		asm volatile("clac" ::: "memory");
	*seen = v;
	return err;
}

static bool waiter_live(const struct futex_waiter *w)
{
	return !w->woken && !(w->group && w->group->woken >= 0);
}

/* With sched_lock held: w leaves the list and its thread wakes, the wait
 * returning result. Only w itself is unlinked, so list walks that use
 * list_for_each_entry_safe stay valid; a futex_waitv thread removes its
 * other entries when it runs. */
static void futex_wake_waiter_locked(struct futex_waiter *w, int result)
{
	list_del(&w->link);
	w->woken = true;
	w->result = result;
	if (w->group && w->group->woken < 0)
		w->group->woken = w->index;
	sched_wake_locked(w->t);
}

/* With sched_lock held: the first live waiter of kind on key other than
 * skip, or NULL. */
static struct futex_waiter *futex_first_locked(struct futex_key key,
					       enum futex_kind kind,
					       const struct futex_waiter *skip)
{
	struct futex_waiter *w;
	list_for_each_entry(w, &futex_waiters, link)
	{
		if (w != skip && waiter_live(w) && w->kind == kind &&
		    key_eq(w->key, key))
			return w;
	}
	return NULL;
}

/* With sched_lock held: sleeps until w is woken, a signal arrives (with
 * fatal_only, only SIGKILL ends the wait) or the deadline passes. Returns
 * w's result once woken, else -EINTR or -ETIMEDOUT with w off the list. */
static int futex_sleep_locked(struct futex_waiter *w, uint64_t deadline,
			      bool fatal_only)
{
	int r = 0;
	while (!w->woken && !r)
		r = sched_sleep_intr_locked(NULL, deadline, fatal_only);
	if (w->woken)
		return w->result;
	list_del(&w->link);
	return r;
}

/* The deadline (monotonic ns, 0: none) of a user timeout: relative, or
 * absolute on CLOCK_MONOTONIC or CLOCK_REALTIME. */
static int futex_deadline(const struct timespec_k __user *uts, bool relative,
			  bool realtime, uint64_t *deadline)
{
	*deadline = 0;
	if (!uts)
		return 0;
	struct timespec_k ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	uint64_t t;
	int r = time_timespec_ns(&ts, &t);
	if (r)
		return r;
	if (relative) {
		*deadline = time_deadline(t);
	} else {
		uint64_t base =
		    realtime ? (uint64_t)rtc_boot_epoch * NSEC_PER_SEC : 0;
		*deadline = t > base ? t - base : 1;
	}
	if (*deadline == 0)
		*deadline = 1;
	return 0;
}

static long futex_wait(struct futex_key key, uint32_t __user *uaddr,
		       uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = {
	    .key = key,
	    .bitset = bitset,
	    .t = current,
	    .kind = FW_WAIT,
	};
	uint32_t cur;
	/* Fault the page in before taking the lock. */
	if (get_user(cur, uaddr))
		return -EFAULT;
	long r;
	irqflags_t f = sched_lock_irqsave();
	if (get_user(cur, uaddr)) {
		r = -EFAULT;
	} else if (cur != val) {
		r = -EAGAIN;
	} else {
		list_add_tail(&w.link, &futex_waiters);
		r = futex_sleep_locked(&w, deadline, false);
	}
	sched_unlock_irqrestore(f);
	return r;
}

/* With sched_lock held: wakes up to n plain waiters on key whose bitset
 * meets bitset. -EINVAL if a PI waiter is met first, as Linux. */
static int futex_wake_locked(struct futex_key key, int n, uint32_t bitset)
{
	int woken = 0;
	struct futex_waiter *w, *tmp;
	list_for_each_entry_safe(w, tmp, &futex_waiters, link)
	{
		if (woken >= n)
			break;
		if (!waiter_live(w) || !key_eq(w->key, key) ||
		    !(w->bitset & bitset))
			continue;
		if (w->kind != FW_WAIT)
			return -EINVAL;
		futex_wake_waiter_locked(w, 0);
		woken++;
	}
	return woken;
}

static int futex_wake_bitset(struct futex_key key, int n, uint32_t bitset)
{
	irqflags_t f = sched_lock_irqsave();
	int r = futex_wake_locked(key, n, bitset);
	sched_unlock_irqrestore(f);
	return r;
}

int futex_wake(struct mm *mm, uintptr_t addr, int n)
{
	/* CLONE_CHILD_CLEARTID: Linux wakes it as a shared futex. */
	return futex_wake_bitset(futex_key(mm, addr, false), n,
				 FUTEX_BITSET_MATCH_ANY);
}

/* REQUEUE and CMP_REQUEUE: wake up to nr_wake waiters of key1, move up to
 * nr_requeue more to key2 (in their order, behind key2's own). Returns
 * how many were woken or moved, as Linux's futex_requeue does. */
static long futex_requeue(struct futex_key key1, uint32_t __user *uaddr,
			  struct futex_key key2, int nr_wake, int nr_requeue,
			  bool cmp, uint32_t cmpval)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	uint32_t cur;
	if (cmp && get_user(cur, uaddr))
		return -EFAULT;
	long r = 0;
	int woken = 0, moved = 0;
	bool same = key_eq(key1, key2);
	irqflags_t f = sched_lock_irqsave();
	if (cmp && get_user(cur, uaddr)) {
		r = -EFAULT;
		goto out;
	}
	if (cmp && cur != cmpval) {
		r = -EAGAIN;
		goto out;
	}
	struct futex_waiter *w, *tmp;
	list_for_each_entry_safe(w, tmp, &futex_waiters, link)
	{
		if (woken >= nr_wake && moved >= nr_requeue)
			break;
		if (!waiter_live(w) || !key_eq(w->key, key1))
			continue;
		if (w->kind != FW_WAIT) {
			r = -EINVAL;
			break;
		}
		if (woken < nr_wake) {
			futex_wake_waiter_locked(w, 0);
			woken++;
			continue;
		}
		/* Requeued to the same key it stays where it is: moving it
		 * to the tail would bring it round again. */
		if (!same) {
			list_del(&w->link);
			w->key = key2;
			list_add_tail(&w->link, &futex_waiters);
		}
		moved++;
	}
out:
	sched_unlock_irqrestore(f);
	return r ? r : woken + moved;
}

static int sign_extend12(uint32_t v)
{
	return (int)(v << 20) >> 20;
}

/* FUTEX_WAKE_OP: atomically *uaddr2 = oldval OP oparg; wake up to nr_wake
 * on key1 and, if oldval CMP cmparg, up to nr_wake2 on key2. */
static long futex_wake_op(struct futex_key key1, struct futex_key key2,
			  uint32_t __user *uaddr2, int nr_wake, int nr_wake2,
			  uint32_t encoded)
{
	unsigned op = (encoded >> 28) & 0xf, cmp = (encoded >> 24) & 0xf;
	uint32_t oparg = sign_extend12((encoded >> 12) & 0xfff);
	int cmparg = sign_extend12(encoded & 0xfff);
	if (op & FUTEX_OP_OPARG_SHIFT) {
		/* Linux masks an out-of-range shift (with a warning). */
		oparg = 1u << (oparg & 31);
		op &= ~FUTEX_OP_OPARG_SHIFT;
	}
	if (op > 4 || cmp > 5)
		return -ENOSYS;
	uint32_t old, seen, nv = 0;
	if (futex_cmpxchg_user(uaddr2, 0, 0, &seen))
		return -EFAULT;
	long r = -EAGAIN;
	irqflags_t f = sched_lock_irqsave();
	for (int i = 0; i < FUTEX_CAS_TRIES; i++) {
		if (get_user(old, uaddr2)) {
			r = -EFAULT;
			break;
		}
		switch (op) {
		case 0:
			nv = oparg;
			break;
		case 1:
			nv = old + oparg;
			break;
		case 2:
			nv = old | oparg;
			break;
		case 3:
			nv = old & ~oparg;
			break;
		case 4:
			nv = old ^ oparg;
			break;
		}
		if (futex_cmpxchg_user(uaddr2, old, nv, &seen)) {
			r = -EFAULT;
			break;
		}
		if (seen == old) {
			r = 0;
			break;
		}
	}
	if (r == 0) {
		int o = (int)old;
		bool hit = false;
		switch (cmp) {
		case 0:
			hit = o == cmparg;
			break;
		case 1:
			hit = o != cmparg;
			break;
		case 2:
			hit = o < cmparg;
			break;
		case 3:
			hit = o <= cmparg;
			break;
		case 4:
			hit = o > cmparg;
			break;
		case 5:
			hit = o >= cmparg;
			break;
		}
		int a =
		    futex_wake_locked(key1, nr_wake, FUTEX_BITSET_MATCH_ANY);
		int b = 0;
		if (a >= 0 && hit)
			b = futex_wake_locked(key2, nr_wake2,
					      FUTEX_BITSET_MATCH_ANY);
		r = a < 0 ? a : b < 0 ? b : a + b;
	}
	sched_unlock_irqrestore(f);
	return r;
}

/* Whether a live thread has user-visible id tid. */
static bool futex_tid_exists(uint32_t tid)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool found = proc_find_thread(0, (int)tid) != NULL;
	spin_unlock_irqrestore(&proc_lock, f);
	return found;
}

/* LOCK_PI, LOCK_PI2 and TRYLOCK_PI. A free word (no TID) is taken, with
 * OWNER_DIED kept so the robust-mutex code sees it; otherwise the caller
 * sets FUTEX_WAITERS and queues FIFO until UNLOCK_PI hands it the lock.
 * Only SIGKILL ends the wait early: Linux restarts an interrupted LOCK_PI
 * after the handler (glibc treats any other return as ownership), and
 * Limen's signal code does not restart futex, so a handler runs once the
 * lock is taken (or the deadline passes). */
static long futex_lock_pi(struct futex_key key, uint32_t __user *uaddr,
			  uint64_t deadline, bool trylock, uint32_t gone)
{
	struct thread *t = current;
	uint32_t tid = (uint32_t)t->utid & FUTEX_TID_MASK;
	uint32_t cur, seen;
	if (futex_cmpxchg_user(uaddr, 0, 0, &cur))
		return -EFAULT;
	for (;;) {
		uint32_t owner = cur & FUTEX_TID_MASK;
		if (owner == tid)
			return -EDEADLK;
		/* proc_lock is not taken under sched_lock: the owner is
		 * looked up first and the word checked again below. */
		if (owner && owner != gone && !futex_tid_exists(owner))
			return -ESRCH;
		if (fatal_signal_pending(t))
			return -EINTR;
		irqflags_t f = sched_lock_irqsave();
		if (get_user(cur, uaddr)) {
			sched_unlock_irqrestore(f);
			return -EFAULT;
		}
		uint32_t now = cur & FUTEX_TID_MASK;
		long r = 1; /* 1: look again */
		/* Free, or still naming the owner we slept on, which has
		 * exited (or exec'd) without unlocking: Linux gives the
		 * released PI state to a waiter, which writes its TID. */
		if (now == 0 || (gone && now == gone)) {
			uint32_t nv = (cur & FUTEX_OWNER_DIED) | tid;
			if (futex_first_locked(key, FW_PI, NULL))
				nv |= FUTEX_WAITERS;
			if (futex_cmpxchg_user(uaddr, cur, nv, &seen))
				r = -EFAULT;
			else if (seen == cur)
				r = 0;
		} else if (now == tid) {
			r = -EDEADLK;
		} else if (trylock) {
			r = -EAGAIN;
		} else if (now == owner) {
			if (!(cur & FUTEX_WAITERS)) {
				if (futex_cmpxchg_user(
					uaddr, cur, cur | FUTEX_WAITERS, &seen))
					r = -EFAULT;
				else if (seen == cur)
					cur |= FUTEX_WAITERS;
			}
			if (cur & FUTEX_WAITERS && r == 1) {
				struct futex_waiter w = {
				    .key = key,
				    .bitset = FUTEX_BITSET_MATCH_ANY,
				    .t = t,
				    .kind = FW_PI,
				    .owner = owner,
				};
				list_add_tail(&w.link, &futex_waiters);
				r = futex_sleep_locked(&w, deadline, true);
				if (r == FUTEX_PI_OWNER_GONE) {
					gone = owner;
					r = 1;
				}
			}
		}
		sched_unlock_irqrestore(f);
		if (r != 1)
			return r;
		if (get_user(cur, uaddr))
			return -EFAULT;
	}
}

/* With sched_lock held: the lock at uaddr goes from its owner to w (or to
 * nobody), with extra (OWNER_DIED) set in the word. cur is the word as
 * read. Returns 0, 1 if the word changed under us, or -EFAULT. */
static int futex_pi_handoff_locked(struct futex_key key, uint32_t __user *uaddr,
				   uint32_t cur, uint32_t extra)
{
	struct futex_waiter *w = futex_first_locked(key, FW_PI, NULL);
	uint32_t nv = extra, seen;
	if (w) {
		nv |= (uint32_t)w->t->utid & FUTEX_TID_MASK;
		if (futex_first_locked(key, FW_PI, w))
			nv |= FUTEX_WAITERS;
	}
	if (futex_cmpxchg_user(uaddr, cur, nv, &seen))
		return -EFAULT;
	if (seen != cur)
		return 1;
	if (w) {
		futex_wake_waiter_locked(w, 0);
		/* The others now wait on w's thread. */
		struct futex_waiter *o;
		list_for_each_entry(o, &futex_waiters, link)
		{
			if (o->kind == FW_PI && key_eq(o->key, key))
				o->owner = nv & FUTEX_TID_MASK;
		}
	}
	return 0;
}

static long futex_unlock_pi(struct futex_key key, uint32_t __user *uaddr)
{
	uint32_t tid = (uint32_t)current->utid & FUTEX_TID_MASK;
	uint32_t cur;
	if (futex_cmpxchg_user(uaddr, 0, 0, &cur))
		return -EFAULT;
	long r = -EAGAIN;
	irqflags_t f = sched_lock_irqsave();
	for (int i = 0; i < FUTEX_CAS_TRIES; i++) {
		if (get_user(cur, uaddr)) {
			r = -EFAULT;
			break;
		}
		if ((cur & FUTEX_TID_MASK) != tid) {
			r = -EPERM;
			break;
		}
		r = futex_pi_handoff_locked(key, uaddr, cur, 0);
		if (r <= 0)
			break;
		r = -EAGAIN;
	}
	sched_unlock_irqrestore(f);
	return r;
}

/* WAIT_REQUEUE_PI: wait on key (a condition variable) until
 * CMP_REQUEUE_PI either hands this thread the PI lock at key2 or moves it
 * there as a LOCK_PI waiter. Returns 0 owning key2's lock. */
static long futex_wait_requeue_pi(struct futex_key key, uint32_t __user *uaddr,
				  uint32_t val, uint64_t deadline,
				  struct futex_key key2,
				  uint32_t __user *uaddr2)
{
	struct futex_waiter w = {
	    .key = key,
	    .key2 = key2,
	    .bitset = FUTEX_BITSET_MATCH_ANY,
	    .t = current,
	    .kind = FW_REQUEUE_PI,
	};
	uint32_t cur;
	if (get_user(cur, uaddr))
		return -EFAULT;
	long r;
	irqflags_t f = sched_lock_irqsave();
	if (get_user(cur, uaddr)) {
		r = -EFAULT;
	} else if (cur != val) {
		r = -EAGAIN;
	} else {
		list_add_tail(&w.link, &futex_waiters);
		r = futex_sleep_locked(&w, deadline, false);
		/* Interrupted once on the PI futex: Linux says -EWOULDBLOCK
		 * rather than restart a wait whose value has changed. */
		if (r == -EINTR && w.requeued)
			r = -EAGAIN;
	}
	sched_unlock_irqrestore(f);
	/* Requeued, then the owner exited: take the lock as LOCK_PI would. */
	if (r == FUTEX_PI_OWNER_GONE)
		r = futex_lock_pi(key2, uaddr2, deadline, false, w.owner);
	return r;
}

/* With sched_lock held: sets FUTEX_WAITERS in the word at uaddr2. */
static int futex_set_waiters_locked(uint32_t __user *uaddr2)
{
	for (int i = 0; i < FUTEX_CAS_TRIES; i++) {
		uint32_t cur, seen;
		if (get_user(cur, uaddr2))
			return -EFAULT;
		if (cur & FUTEX_WAITERS)
			return 0;
		if (futex_cmpxchg_user(uaddr2, cur, cur | FUTEX_WAITERS, &seen))
			return -EFAULT;
		if (seen == cur)
			return 0;
	}
	return -EAGAIN;
}

/* CMP_REQUEUE_PI: the first waiter of key1 takes the lock at uaddr2 if it
 * is free (and wakes owning it); up to nr_requeue others become LOCK_PI
 * waiters of key2. Returns how many were woken or moved. */
static long futex_cmp_requeue_pi(struct futex_key key1, uint32_t __user *uaddr,
				 struct futex_key key2, uint32_t __user *uaddr2,
				 int nr_wake, int nr_requeue, uint32_t cmpval)
{
	if (nr_wake != 1 || nr_requeue < 0 || key_eq(key1, key2))
		return -EINVAL;
	uint32_t cur, seen;
	if (get_user(cur, uaddr) || futex_cmpxchg_user(uaddr2, 0, 0, &seen))
		return -EFAULT;
	long r = 0;
	int woken = 0, moved = 0;
	bool tried = false;
	irqflags_t f = sched_lock_irqsave();
	if (get_user(cur, uaddr)) {
		r = -EFAULT;
		goto out;
	}
	if (cur != cmpval) {
		r = -EAGAIN;
		goto out;
	}
	struct futex_waiter *w, *tmp;
	list_for_each_entry_safe(w, tmp, &futex_waiters, link)
	{
		if (tried && moved >= nr_requeue)
			break;
		if (!waiter_live(w) || !key_eq(w->key, key1))
			continue;
		if (w->kind != FW_REQUEUE_PI || !key_eq(w->key2, key2)) {
			r = -EINVAL;
			break;
		}
		if (!tried) {
			tried = true;
			uint32_t v2;
			if (get_user(v2, uaddr2)) {
				r = -EFAULT;
				break;
			}
			uint32_t wtid = (uint32_t)w->t->utid & FUTEX_TID_MASK;
			if ((v2 & FUTEX_TID_MASK) == wtid) {
				r = -EDEADLK;
				break;
			}
			if (!(v2 & FUTEX_TID_MASK)) {
				uint32_t nv = (v2 & FUTEX_OWNER_DIED) | wtid;
				if (futex_first_locked(key2, FW_PI, NULL) ||
				    (nr_requeue > 0 &&
				     futex_first_locked(key1, FW_REQUEUE_PI,
							w)))
					nv |= FUTEX_WAITERS;
				if (futex_cmpxchg_user(uaddr2, v2, nv, &seen)) {
					r = -EFAULT;
					break;
				}
				if (seen == v2) {
					futex_wake_waiter_locked(w, 0);
					woken++;
					continue;
				}
			}
		}
		if (moved >= nr_requeue)
			break;
		if (futex_set_waiters_locked(uaddr2)) {
			r = -EFAULT;
			break;
		}
		uint32_t v2;
		if (get_user(v2, uaddr2)) {
			r = -EFAULT;
			break;
		}
		list_del(&w->link);
		w->owner = v2 & FUTEX_TID_MASK;
		w->key = key2;
		w->kind = FW_PI;
		w->requeued = true;
		list_add_tail(&w->link, &futex_waiters);
		moved++;
	}
out:
	sched_unlock_irqrestore(f);
	return r ? r : woken + moved;
}

SYSCALL_DEFINE6(futex, uint32_t __user *, uaddr, int, op, uint32_t, val,
		const struct timespec_k __user *, uts, uint32_t __user *,
		uaddr2, uint32_t, val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	/* val2 (a count) travels in the timeout argument. */
	int val2 = (int)(uintptr_t)uts;
	if (realtime && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2 &&
	    cmd != FUTEX_WAIT)
		return -ENOSYS;
	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	struct mm *mm = proc_current()->mm;
	struct futex_key key = futex_key(mm, (uintptr_t)uaddr, private);
	uint64_t deadline;
	int r;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset =
		    cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bitset)
			return -EINVAL;
		r = futex_deadline(uts, cmd == FUTEX_WAIT, realtime, &deadline);
		if (r)
			return r;
		return futex_wait(key, uaddr, val, deadline, bitset);
	}
	case FUTEX_WAKE:
		return futex_wake_bitset(key, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake_bitset(key, (int)val, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		/* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's
		 * on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME. */
		r = futex_deadline(cmd == FUTEX_TRYLOCK_PI ? NULL : uts, false,
				   cmd == FUTEX_LOCK_PI || realtime, &deadline);
		if (r)
			return r;
		return futex_lock_pi(key, uaddr, deadline,
				     cmd == FUTEX_TRYLOCK_PI, 0);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(key, uaddr);
	default:
		break;
	}
	/* The two-futex operations. */
	if ((uintptr_t)uaddr2 & 3)
		return -EINVAL;
	struct futex_key key2 = futex_key(mm, (uintptr_t)uaddr2, private);
	switch (cmd) {
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(key, uaddr, key2, (int)val, val2,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(key, key2, uaddr2, (int)val, val2, val3);
	case FUTEX_WAIT_REQUEUE_PI:
		if (key_eq(key, key2))
			return -EINVAL;
		r = futex_deadline(uts, false, realtime, &deadline);
		if (r)
			return r;
		return futex_wait_requeue_pi(key, uaddr, val, deadline, key2,
					     uaddr2);
	case FUTEX_CMP_REQUEUE_PI:
		return futex_cmp_requeue_pi(key, uaddr, key2, uaddr2, (int)val,
					    val2, val3);
	default:
		return -ENOSYS;
	}
}

struct futex_waitv_k {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

SYSCALL_DEFINE5(futex_waitv, const struct futex_waitv_k __user *, waiters,
		unsigned, nr, unsigned, flags, const struct timespec_k __user *,
		timeout, int, clockid)
{
	if (flags || !waiters || nr == 0 || nr > FUTEX_WAITV_MAX)
		return -EINVAL;
	uint64_t deadline = 0;
	if (timeout) {
		if (clockid != CLOCK_REALTIME_ID &&
		    clockid != CLOCK_MONOTONIC_ID)
			return -EINVAL;
		int r = futex_deadline(timeout, false,
				       clockid == CLOCK_REALTIME_ID, &deadline);
		if (r)
			return r;
	}
	struct futex_waitv_k *v = kmalloc(nr * sizeof(*v));
	struct futex_waiter *w = kzalloc(nr * sizeof(*w));
	long r = 0;
	if (!v || !w) {
		r = -ENOMEM;
		goto out;
	}
	if (copy_from_user(v, waiters, nr * sizeof(*v))) {
		r = -EFAULT;
		goto out;
	}
	struct mm *mm = proc_current()->mm;
	for (unsigned i = 0; i < nr; i++) {
		if (v[i].reserved ||
		    (v[i].flags & ~(FUTEX2_SIZE_MASK | FUTEX2_PRIVATE)) ||
		    (v[i].flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32 ||
		    v[i].val > 0xffffffffu || (v[i].uaddr & 3)) {
			r = -EINVAL;
			goto out;
		}
	}
	for (unsigned i = 0; i < nr; i++) {
		uint32_t cur;
		/* Fault each page in before taking the lock. */
		if (get_user(cur, (uint32_t __user *)v[i].uaddr)) {
			r = -EFAULT;
			goto out;
		}
		w[i].key =
		    futex_key(mm, v[i].uaddr, v[i].flags & FUTEX2_PRIVATE);
	}
	struct futex_waitv_group g = {.woken = -1, .n = (int)nr, .w = w};
	irqflags_t f = sched_lock_irqsave();
	for (unsigned i = 0; i < nr; i++) {
		uint32_t cur;
		if (get_user(cur, (uint32_t __user *)v[i].uaddr))
			r = -EFAULT;
		else if (cur != (uint32_t)v[i].val)
			r = -EAGAIN;
		if (r)
			break;
	}
	if (r == 0) {
		for (unsigned i = 0; i < nr; i++) {
			w[i].bitset = FUTEX_BITSET_MATCH_ANY;
			w[i].t = current;
			w[i].kind = FW_WAIT;
			w[i].group = &g;
			w[i].index = (int)i;
			list_add_tail(&w[i].link, &futex_waiters);
		}
		while (g.woken < 0 && !r)
			r = sched_sleep_intr_locked(NULL, deadline, false);
		for (unsigned i = 0; i < nr; i++)
			if (!w[i].woken)
				list_del(&w[i].link);
		if (g.woken >= 0)
			r = g.woken;
	}
	sched_unlock_irqrestore(f);
out:
	kfree(v);
	kfree(w);
	return r;
}

/* What exit does to one robust futex of the exiting thread t: if t owns
 * it, the word gets OWNER_DIED and loses the TID (FUTEX_WAITERS kept) and
 * one waiter wakes; a PI futex with waiters goes straight to the first of
 * them, OWNER_DIED set. For list_op_pending, a word with no owner yet
 * (t died between taking and recording it, or while releasing) just
 * wakes a waiter, as Linux does. */
static void futex_handle_death(struct thread *t, uintptr_t addr, bool pi,
			       bool pending)
{
	uint32_t __user *uaddr = (uint32_t __user *)addr;
	uint32_t tid = (uint32_t)t->utid & FUTEX_TID_MASK, cur, seen;
	if ((addr & 3) || futex_cmpxchg_user(uaddr, 0, 0, &cur))
		return;
	struct futex_key key = futex_key(t->proc->mm, addr, false);
	irqflags_t f = sched_lock_irqsave();
	for (int i = 0; i < FUTEX_CAS_TRIES; i++) {
		if (get_user(cur, uaddr))
			break;
		if (pending && !pi && cur == 0) {
			futex_wake_locked(key, 1, FUTEX_BITSET_MATCH_ANY);
			break;
		}
		if ((cur & FUTEX_TID_MASK) != tid)
			break;
		if (futex_first_locked(key, FW_PI, NULL)) {
			if (futex_pi_handoff_locked(key, uaddr, cur,
						    FUTEX_OWNER_DIED) == 1)
				continue;
			break;
		}
		uint32_t nv = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (futex_cmpxchg_user(uaddr, cur, nv, &seen))
			break;
		if (seen != cur)
			continue;
		futex_wake_locked(key, 1, FUTEX_BITSET_MATCH_ANY);
		break;
	}
	sched_unlock_irqrestore(f);
}

/* struct robust_list_head of the uapi: the list's first entry (a circular
 * list through user memory, back to the head), the offset from an entry to
 * its futex word, and the entry being locked or unlocked. Bit 0 of an entry
 * pointer marks a PI futex. */
struct robust_list_head_k {
	uint64_t next;
	int64_t futex_offset;
	uint64_t pending;
};

/* Linux releases the PI state an exiting (or exec'ing) thread owns, and
 * its first waiter then takes the futex, writing its own TID (keeping
 * OWNER_DIED, which a user-space robust-list walk such as musl's
 * pthread_exit writes). Here no PI state is kept: the waiters that slept
 * on t's TID look at their word again, and the first to run takes it if it
 * is free or still names t. */
static void futex_exit_pi(struct thread *t)
{
	uint32_t tid = (uint32_t)t->utid & FUTEX_TID_MASK;
	struct futex_waiter *w, *tmp;
	irqflags_t f = sched_lock_irqsave();
	list_for_each_entry_safe(w, tmp, &futex_waiters, link)
	{
		if (waiter_live(w) && w->kind == FW_PI && w->owner == tid)
			futex_wake_waiter_locked(w, FUTEX_PI_OWNER_GONE);
	}
	sched_unlock_irqrestore(f);
}

static void futex_exit_robust_list(struct thread *t)
{
	uintptr_t head = t->robust_list;
	if (!head || !t->proc || !t->proc->mm)
		return;
	t->robust_list = 0;
	struct robust_list_head_k h;
	if (copy_from_user(&h, (const void __user *)head, sizeof(h)))
		return;
	uintptr_t pending = h.pending & ~1ull;
	uintptr_t e = h.next;
	/* At most ROBUST_LIST_LIMIT entries, so a loop in the list ends;
	 * a bad pointer ends the walk. */
	for (int i = 0; i < ROBUST_LIST_LIMIT && (e & ~1ull) != head; i++) {
		uintptr_t ent = e & ~1ull;
		uint64_t next;
		if (copy_from_user(&next, (const void __user *)ent,
				   sizeof(next)))
			break;
		if (ent != pending)
			futex_handle_death(t, ent + h.futex_offset, e & 1,
					   false);
		e = next;
	}
	if (pending)
		futex_handle_death(t, pending + h.futex_offset, h.pending & 1,
				   true);
}

void futex_exit_robust(struct thread *t)
{
	futex_exit_robust_list(t);
	futex_exit_pi(t);
}

/* As Linux: pid 0 is the caller; another thread's list needs the rights
 * ptrace's read mode asks for (root, or all of the target's uids and gids
 * equal to the caller's real ones). */
SYSCALL_DEFINE3(get_robust_list, int, pid, uint64_t __user *, head_ptr,
		uint64_t __user *, len_ptr)
{
	uint64_t head = 0;
	if (pid == 0) {
		head = current->robust_list;
	} else {
		struct process *me = proc_current();
		int r = 0;
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct thread *o = pid > 0 ? proc_find_thread(0, pid) : NULL;
		struct process *p = o ? o->proc : NULL;
		if (!p)
			r = -ESRCH;
		else if (me->euid != 0 &&
			 (me->uid != p->uid || me->uid != p->euid ||
			  me->uid != p->suid || me->gid != p->gid ||
			  me->gid != p->egid || me->gid != p->sgid))
			r = -EPERM;
		else
			head = o->robust_list;
		spin_unlock_irqrestore(&proc_lock, f);
		if (r)
			return r;
	}
	if (put_user((uint64_t)sizeof(struct robust_list_head_k), len_ptr))
		return -EFAULT;
	return put_user(head, head_ptr);
}
