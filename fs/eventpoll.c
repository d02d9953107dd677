/* epoll(7): epoll_create/create1, epoll_ctl, epoll_wait/pwait/pwait2 with
 * Linux's semantics (level- and edge-triggered, EPOLLONESHOT, nesting with
 * ELOOP past five levels), as Linux's fs/eventpoll.c.
 *
 * Design (Linux's): each watch (an epitem) puts a callback entry on its
 * file's poll wait queue (struct wait_entry with func, include/sched.h).
 * A wake of that queue calls ep_wake_cb under sched_lock, which only puts
 * the item on its epoll's ready list and wakes the epoll's own queue: O(1).
 * epoll_wait looks at the ready items alone (O(ready)), asks each file's
 * poll hook what is really ready (wakes carry no event mask here, so a
 * wake may be spurious), reports, and puts level-triggered items back on
 * the list; edge-triggered ones come back only with the next wake. The
 * epoll's queue is also its poll_wq, so an epoll fd is pollable and can be
 * nested.
 *
 * Lifetime: an item holds no reference to its file (a reference would keep
 * the file open for ever). Instead file_put, when the open file
 * description's last reference goes, calls eventpoll_release_file before
 * the file's release frees its wait queue, and that removes the file from
 * every set, as Linux does: closing one of two dups keeps the watch. Items
 * are found from their file through a hash table keyed by the file.
 *
 * Locking: epoll_mtx (one mutex for every epoll instance, taken before
 * fs) guards the sets, the hash table and the watch count; it is held
 * across the files' poll hooks, so a nested epoll is examined without
 * taking it again. sched_lock guards the ready lists, the items' ready
 * state, and their registration on wait queues. epoll_wait sleeps on the
 * epoll's queue with neither held, after testing the ready list under
 * sched_lock, so no wake is lost.
 *
 * Deviations: EPOLLEXCLUSIVE is accepted (with Linux's checks) and acts as
 * a plain add: every waiter is woken. EPOLLWAKEUP is ignored. A wake
 * through wait_queue_wake_all_key says which events it brings and watches
 * for others ignore it, as Linux's wake keys; a plain wait_queue_wake_all
 * (pipes, terminals, signalfd and sockets today) says nothing, so an
 * edge-triggered watch may be reported again after an unrelated wake of its
 * file (a reader waking a pipe's writers) while still ready. The watch limit is
 * system-wide (Linux: per user), 4% of memory or 1 << 20 watches. */
#include <err.h>
#include <fd.h>
#include <fs/eventpoll.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mutex.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/epoll.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include <uapi/stat.h>

#define EP_MAX_NESTS 4 /* Linux's: at most five epolls in a chain */
#define EP_MAX_EVENTS (0x7fffffff / sizeof(struct epoll_event_k))
#define EP_HASH_SIZE 4096
/* Flags of a watch, not events: a disarmed EPOLLONESHOT item keeps only
 * these, so it reports nothing until EPOLL_CTL_MOD. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_EXCLUSIVE_OK_BITS                                                   \
	(EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |        \
	 EPOLLWRBAND | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |           \
	 EPOLLEXCLUSIVE)

struct eventpoll {
	struct file *file;	  /* const: the epoll's own file */
	struct list_head items;	  /* epoll_mtx: struct epitem.ep_link */
	struct list_head rdllist; /* sched_lock: epitem.rdl_link */
	struct wait_queue wq;	  /* epoll_wait sleepers, pollers, parents */
	/* epoll_mtx: what the loop check of generation gen found about this
	 * set (each set is visited once per check: a wide graph of sets
	 * costs its size, not its number of paths). */
	uint64_t gen_below, gen_above;
	int depth_below, depth_above;
};

/* Where an item is, for its rdl_link: */
enum { EPI_IDLE, EPI_READY, EPI_SCAN };

struct epitem {
	struct eventpoll *ep; /* const */
	struct file *file;    /* const; no reference (see the header) */
	int fd;		      /* const */
	/* Written with epoll_mtx and sched_lock held, read with either. */
	uint32_t events;
	uint64_t data;		    /* epoll_mtx */
	struct list_head ep_link;   /* epoll_mtx: ep->items */
	struct list_head hash_link; /* epoll_mtx: ep_hash[], by file */
	struct list_head key_link; /* epoll_mtx: ep_keys[], by (ep, file, fd) */
	struct wait_queue *wq;	   /* const: the file's poll_wq, or NULL */
	struct wait_entry wait;	   /* sched_lock: on *wq while the item lives */
	struct list_head rdl_link; /* sched_lock: ep->rdllist, or a scan's */
	int rstate;		   /* sched_lock: EPI_* */
	bool again; /* sched_lock: woken while a scan looked at it */
};

static struct mutex epoll_mtx = MUTEX_INIT(epoll_mtx, "epoll");
/* epoll_mtx: every item, by its file (for the file's last put and a
 * set's parents), and by its key (ep_find: the same file may be watched
 * by many sets, through many fds). */
static struct list_head ep_hash[EP_HASH_SIZE];
static struct list_head ep_keys[EP_HASH_SIZE];
static bool ep_hash_ready; /* epoll_mtx */
/* epoll_mtx; also read without it by eventpoll_release_file's fast path
 * (an add holds a reference on its file, so a file's last put comes after
 * its add is counted). */
static size_t ep_nwatches;

static uint64_t ep_check_gen; /* epoll_mtx: the loop check's generation */

static const struct file_ops eventpoll_ops;

static bool is_epoll(const struct file *f)
{
	return f->ops == &eventpoll_ops;
}

static struct list_head *ep_bucket(const struct file *f)
{
	uintptr_t h = (uintptr_t)f;
	h ^= h >> 17;
	return &ep_hash[(h >> 6) % EP_HASH_SIZE];
}

static struct list_head *ep_key_bucket(const struct eventpoll *ep,
				       const struct file *f, int fd)
{
	uintptr_t h =
	    ((uintptr_t)f >> 6) * 31 + ((uintptr_t)ep >> 6) * 7 + (unsigned)fd;
	h ^= h >> 13;
	return &ep_keys[h % EP_HASH_SIZE];
}

static size_t ep_max_watches(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	size_t n = st.total_pages * 4096 / 25 /
		   (sizeof(struct epitem) + 16 /* heap overhead */);
	return n > (1u << 20) ? (1u << 20) : n;
}

/* A wake of the watched file's queue, under sched_lock: O(1). */
static void ep_wake_cb(struct wait_entry *e, unsigned key)
{
	struct epitem *epi = container_of(e, struct epitem, wait);
	if (!(epi->events & ~EP_PRIVATE_BITS))
		return; /* a disarmed EPOLLONESHOT */
	if (key & POLLIN)
		key |= POLLRDNORM;
	if (key & POLLOUT)
		key |= POLLWRNORM;
	if (key && !(key & epi->events & ~EP_PRIVATE_BITS))
		return; /* a change this watch did not ask about */
	if (epi->rstate == EPI_SCAN) {
		epi->again = true; /* the scan puts it back */
		return;
	}
	if (epi->rstate == EPI_IDLE) {
		list_add_tail(&epi->rdl_link, &epi->ep->rdllist);
		epi->rstate = EPI_READY;
	}
	/* Every time, so a parent epoll's edge-triggered watch sees it. */
	wait_queue_wake_all_locked(&epi->ep->wq, POLLIN);
}

static int ep_scan(struct eventpoll *ep, int depth,
		   struct epoll_event_k __user *uev, int max, bool check_only);

/* The item's events now, under epoll_mtx. */
static uint32_t epi_poll(struct epitem *epi, int depth)
{
	struct file *f = epi->file;
	uint32_t r;
	if (is_epoll(f))
		r = depth < EP_MAX_NESTS &&
			    ep_scan(f->priv, depth + 1, NULL, 1, true) > 0
			? POLLIN
			: 0;
	else
		r = f->ops->poll(f);
	if (r & POLLIN)
		r |= POLLRDNORM;
	if (r & POLLOUT)
		r |= POLLWRNORM;
	return r & epi->events & ~EP_PRIVATE_BITS;
}

/* Under sched_lock: the item goes back on the ready list if keep, or if
 * a wake came while it was looked at and it is still armed. */
static void epi_scan_done(struct epitem *epi, bool keep, bool at_head)
{
	list_del(&epi->rdl_link);
	if (keep || (epi->again && (epi->events & ~EP_PRIVATE_BITS))) {
		if (at_head)
			list_add(&epi->rdl_link, &epi->ep->rdllist);
		else
			list_add_tail(&epi->rdl_link, &epi->ep->rdllist);
		epi->rstate = EPI_READY;
	} else {
		epi->rstate = EPI_IDLE;
	}
	epi->again = false;
}

/* Under epoll_mtx: looks at the ready items, at most max reported. With
 * check_only, only says whether one is ready (an epoll's poll), consuming
 * nothing; otherwise reports into uev. Returns the count or -EFAULT if
 * the first could not be stored. */
static int ep_scan(struct eventpoll *ep, int depth,
		   struct epoll_event_k __user *uev, int max, bool check_only)
{
	struct list_head tx;
	struct epitem *epi, *tmp;
	int n = 0, err = 0;
	list_init(&tx);
	/* Take the ready list whole: items woken during the scan go to the
	 * list (or set again), and the scan is bounded. */
	irqflags_t fl = sched_lock_irqsave();
	while (!list_empty(&ep->rdllist)) {
		epi = list_first_entry(&ep->rdllist, struct epitem, rdl_link);
		list_del(&epi->rdl_link);
		list_add_tail(&epi->rdl_link, &tx);
		epi->rstate = EPI_SCAN;
		epi->again = false;
	}
	sched_unlock_irqrestore(fl);

	list_for_each_entry_safe(epi, tmp, &tx, rdl_link)
	{
		if (n >= max || err)
			break;
		uint32_t rev = epi_poll(epi, depth);
		bool keep = false;
		if (rev && check_only) {
			keep = true;
			n++;
		} else if (rev) {
			struct epoll_event_k ev = {.events = rev,
						   .data = epi->data};
			if (copy_to_user(&uev[n], &ev, sizeof(ev))) {
				err = -EFAULT; /* it stays ready */
				break;
			}
			n++;
			keep = !(epi->events & (EPOLLET | EPOLLONESHOT));
		}
		fl = sched_lock_irqsave();
		if (rev && !check_only && (epi->events & EPOLLONESHOT))
			epi->events &= EP_PRIVATE_BITS; /* disarmed */
		epi_scan_done(epi, keep, false);
		sched_unlock_irqrestore(fl);
	}
	/* Those not looked at go back first, in their order. */
	fl = sched_lock_irqsave();
	while (!list_empty(&tx)) {
		epi = list_entry(tx.prev, struct epitem, rdl_link);
		epi_scan_done(epi, true, true);
	}
	sched_unlock_irqrestore(fl);
	return n ? n : err;
}

/* Under epoll_mtx: the item of (f, fd) in ep, or NULL. */
static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;
	list_for_each_entry(epi, ep_key_bucket(ep, f, fd), key_link)
	{
		if (epi->ep == ep && epi->file == f && epi->fd == fd)
			return epi;
	}
	return NULL;
}

/* Under epoll_mtx: if the item is ready now, onto the ready list. */
static void epi_check_ready(struct epitem *epi)
{
	if (!epi_poll(epi, 0))
		return;
	irqflags_t fl = sched_lock_irqsave();
	if (epi->rstate == EPI_IDLE) {
		list_add_tail(&epi->rdl_link, &epi->ep->rdllist);
		epi->rstate = EPI_READY;
	}
	wait_queue_wake_all_locked(&epi->ep->wq, POLLIN);
	sched_unlock_irqrestore(fl);
}

static int ep_insert(struct eventpoll *ep, struct file *f, int fd,
		     const struct epoll_event_k *ev)
{
	if (ep_nwatches >= ep_max_watches())
		return -ENOSPC;
	struct epitem *epi = kzalloc(sizeof(*epi));
	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = f;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	epi->rstate = EPI_IDLE;
	list_init(&epi->rdl_link);
	epi->wq = f->ops->poll_wq ? f->ops->poll_wq(f) : NULL;
	list_add_tail(&epi->ep_link, &ep->items);
	list_add_tail(&epi->hash_link, ep_bucket(f));
	list_add_tail(&epi->key_link, ep_key_bucket(ep, f, fd));
	ep_nwatches++;
	if (epi->wq) {
		epi->wait.func = ep_wake_cb;
		irqflags_t fl = sched_lock_irqsave();
		wait_entry_add_func_locked(epi->wq, &epi->wait);
		sched_unlock_irqrestore(fl);
	}
	epi_check_ready(epi);
	return 0;
}

/* Under epoll_mtx (never during a scan of epi's set). */
static void ep_remove(struct epitem *epi)
{
	irqflags_t fl = sched_lock_irqsave();
	if (epi->wq)
		wait_entry_del_locked(&epi->wait);
	list_del(&epi->rdl_link);
	sched_unlock_irqrestore(fl);
	list_del(&epi->ep_link);
	list_del(&epi->hash_link);
	list_del(&epi->key_link);
	ep_nwatches--;
	kfree(epi);
}

static void ep_modify(struct epitem *epi, const struct epoll_event_k *ev)
{
	irqflags_t fl = sched_lock_irqsave();
	epi->events = ev->events;
	sched_unlock_irqrestore(fl);
	epi->data = ev->data;
	epi_check_ready(epi); /* re-arms an EPOLLONESHOT that is ready */
}

/* Under epoll_mtx: does `from` reach `to` through watched epolls? Also
 * the depth of the epolls below `from` (0: it watches none). */
static bool ep_reaches(struct eventpoll *from, struct eventpoll *to, int *depth,
		       int level)
{
	struct epitem *epi;
	*depth = 0;
	if (level > EP_MAX_NESTS + 1)
		return true; /* deeper than allowed anyway */
	if (from->gen_below == ep_check_gen) {
		*depth = from->depth_below; /* seen: it does not reach to */
		return false;
	}
	list_for_each_entry(epi, &from->items, ep_link)
	{
		if (!is_epoll(epi->file))
			continue;
		struct eventpoll *child = epi->file->priv;
		int d;
		if (child == to || ep_reaches(child, to, &d, level + 1))
			return true;
		if (d + 1 > *depth)
			*depth = d + 1;
	}
	from->gen_below = ep_check_gen;
	from->depth_below = *depth;
	return false;
}

/* Under epoll_mtx: the longest chain of epolls watching ep. */
static int ep_depth_above(struct eventpoll *ep, int level)
{
	struct epitem *epi;
	int best = 0;
	if (level > EP_MAX_NESTS + 1)
		return level;
	if (ep->gen_above == ep_check_gen)
		return ep->depth_above;
	list_for_each_entry(epi, ep_bucket(ep->file), hash_link)
	{
		if (epi->file != ep->file)
			continue;
		int d = 1 + ep_depth_above(epi->ep, level + 1);
		if (d > best)
			best = d;
	}
	ep->gen_above = ep_check_gen;
	ep->depth_above = best;
	return best;
}

static long do_epoll_ctl(int epfd, int op, int fd,
			 const struct epoll_event_k __user *uev)
{
	struct epoll_event_k ev = {0};
	bool has_event = op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD;
	if (has_event && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	struct process *p = proc_current();
	struct file *ef = fd_get(p, epfd), *tf = NULL;
	long r = -EBADF;
	if (!ef || (ef->flags & O_PATH))
		goto out;
	tf = fd_get(p, fd);
	if (!tf || (tf->flags & O_PATH))
		goto out;
	r = -EPERM; /* regular files, directories, /dev/null: no poll */
	if (!tf->ops->poll && !is_epoll(tf))
		goto out;
	r = -EINVAL;
	if (ef == tf || !is_epoll(ef))
		goto out;
	ev.events &= ~EPOLLWAKEUP; /* no suspend here to hold off */
	ev.events |= EPOLLERR | EPOLLHUP;
	if (has_event && (ev.events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD || is_epoll(tf) ||
	     (ev.events & ~EP_EXCLUSIVE_OK_BITS)))
		goto out;
	struct eventpoll *ep = ef->priv;
	mutex_lock(&epoll_mtx);
	if (!ep_hash_ready) {
		for (int i = 0; i < EP_HASH_SIZE; i++) {
			list_init(&ep_hash[i]);
			list_init(&ep_keys[i]);
		}
		ep_hash_ready = true;
	}
	struct epitem *epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi) {
			r = -EEXIST;
			break;
		}
		if (is_epoll(tf)) {
			int below;
			ep_check_gen++;
			if (ep_reaches(tf->priv, ep, &below, 0) ||
			    ep_depth_above(ep, 0) + 1 + below > EP_MAX_NESTS) {
				r = -ELOOP;
				break;
			}
		}
		r = ep_insert(ep, tf, fd, &ev);
		break;
	case EPOLL_CTL_DEL:
		r = -ENOENT;
		if (epi) {
			ep_remove(epi);
			r = 0;
		}
		break;
	case EPOLL_CTL_MOD:
		r = -ENOENT;
		if (epi && (epi->events & EPOLLEXCLUSIVE)) {
			r = -EINVAL;
		} else if (epi) {
			ep_modify(epi, &ev);
			r = 0;
		}
		break;
	default:
		r = -EINVAL;
	}
	mutex_unlock(&epoll_mtx);
out:
	/* After the mutex: a last put takes it (eventpoll_release_file). */
	if (tf)
		file_put(tf);
	if (ef)
		file_put(ef);
	return r;
}

void eventpoll_release_file(struct file *f)
{
	if (!__atomic_load_n(&ep_nwatches, __ATOMIC_ACQUIRE))
		return;
	mutex_lock(&epoll_mtx);
	struct epitem *epi, *tmp;
	list_for_each_entry_safe(epi, tmp, ep_bucket(f), hash_link)
	{
		if (epi->file == f)
			ep_remove(epi);
	}
	mutex_unlock(&epoll_mtx);
}

static unsigned eventpoll_poll(struct file *f)
{
	mutex_lock(&epoll_mtx);
	int n = ep_scan(f->priv, 0, NULL, 1, true);
	mutex_unlock(&epoll_mtx);
	return n > 0 ? POLLIN : 0;
}

static struct wait_queue *eventpoll_poll_wq(struct file *f)
{
	return &((struct eventpoll *)f->priv)->wq;
}

/* The last reference: parents have let go already (file_put's hook). */
static void eventpoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	mutex_lock(&epoll_mtx);
	while (!list_empty(&ep->items))
		ep_remove(list_first_entry(&ep->items, struct epitem, ep_link));
	mutex_unlock(&epoll_mtx);
	kfree(ep);
}

static const struct file_ops eventpoll_ops = {
    .poll = eventpoll_poll,
    .poll_wq = eventpoll_poll_wq,
    .release = eventpoll_release,
};

static long do_epoll_create(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	struct inode *ino = inode_alloc_sb(NULL, S_IRUSR | S_IWUSR);
	struct file *f = NULL;
	if (ep && ino)
		f = file_alloc(ino, O_RDWR, &eventpoll_ops, ep);
	if (!f) {
		kfree(ep);
		kfree(ino);
		return -ENOMEM;
	}
	list_init(&ep->items);
	list_init(&ep->rdllist);
	wait_queue_init(&ep->wq);
	ep->file = f;
	int fd = fd_install(proc_current(), f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the last reference: frees ep and the inode */
	return fd;
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	return size <= 0 ? -EINVAL : do_epoll_create(0);
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd,
		const struct epoll_event_k __user *, uev)
{
	return do_epoll_ctl(epfd, op, fd, uev);
}

/* timeout_ns < 0: for ever. */
static long do_epoll_wait(int epfd, struct epoll_event_k __user *uev,
			  int maxevents, int64_t timeout_ns)
{
	if (maxevents <= 0 || (size_t)maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(uev, (size_t)maxevents * sizeof(*uev)))
		return -EFAULT;
	/* The waiter's reference keeps the set alive if epfd is closed. */
	struct file *f = fd_get(proc_current(), epfd);
	if (!f || (f->flags & O_PATH)) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	if (!is_epoll(f)) {
		file_put(f);
		return -EINVAL;
	}
	struct eventpoll *ep = f->priv;
	uint64_t deadline =
	    timeout_ns <= 0 ? 0 : time_deadline((uint64_t)timeout_ns);
	long r;
	for (;;) {
		mutex_lock(&epoll_mtx);
		r = ep_scan(ep, 0, uev, maxevents, false);
		mutex_unlock(&epoll_mtx);
		if (r || timeout_ns == 0 || (deadline && time_ns() >= deadline))
			break;
		irqflags_t fl = sched_lock_irqsave();
		int s = 0;
		/* Callbacks fill rdllist under sched_lock: none is missed. */
		if (list_empty(&ep->rdllist))
			s = sched_sleep_intr_locked(&ep->wq, deadline, false);
		sched_unlock_irqrestore(fl);
		if (s == -EINTR) {
			r = -EINTR;
			break;
		}
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event_k __user *, uev, int,
		maxevents, int, timeout)
{
	return do_epoll_wait(epfd, uev, maxevents,
			     timeout < 0 ? -1 : (int64_t)timeout * 1000000);
}

/* The wait's signal mask, as ppoll's (kernel/sys_poll.c): restored after
 * the call, or by the signal's delivery if one ends the wait. */
static long ep_mask_enter(const uint64_t __user *umask, size_t size)
{
	struct thread *t = current;
	uint64_t m;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	t->sig_saved_mask = t->sig_blocked;
	t->restore_mask = true;
	t->sig_blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

static void ep_mask_leave(long r)
{
	struct thread *t = current;
	if (t->restore_mask && r != -EINTR) {
		t->sig_blocked = t->sig_saved_mask;
		t->restore_mask = false;
	}
}

static long do_epoll_pwait(int epfd, struct epoll_event_k __user *uev,
			   int maxevents, int64_t timeout_ns,
			   const uint64_t __user *umask, size_t size)
{
	long r = ep_mask_enter(umask, size);
	if (r)
		return r;
	r = do_epoll_wait(epfd, uev, maxevents, timeout_ns);
	ep_mask_leave(r);
	return r;
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event_k __user *, uev, int,
		maxevents, int, timeout, const uint64_t __user *, umask, size_t,
		size)
{
	return do_epoll_pwait(epfd, uev, maxevents,
			      timeout < 0 ? -1 : (int64_t)timeout * 1000000,
			      umask, size);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct epoll_event_k __user *, uev,
		int, maxevents, const struct timespec_k __user *, uts,
		const uint64_t __user *, umask, size_t, size)
{
	int64_t ns = -1;
	if (uts) {
		struct timespec_k ts;
		uint64_t t;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (time_timespec_ns(&ts, &t))
			return -EINVAL;
		ns = t > INT64_MAX ? INT64_MAX : (int64_t)t;
	}
	return do_epoll_pwait(epfd, uev, maxevents, ns, umask, size);
}
