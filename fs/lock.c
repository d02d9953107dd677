/* File locks with Linux's semantics (fcntl(2), flock(2)).
 *
 * Three kinds of record, all in one table hashed by inode:
 * - POSIX record locks (F_SETLK...), owned by a process: byte ranges, a
 *   process's own ranges split and merge, all of them on an inode go when
 *   the process closes any descriptor for it or exits; fork does not
 *   inherit them.
 * - OFD locks (F_OFD_SETLK...), the same ranges owned by an open file
 *   description; they conflict with POSIX locks (even the same process's)
 *   and go when the description's last reference does.
 * - flock(2) locks, owned by an open file description, whole-file, shared
 *   or exclusive, independent of the other two.
 *
 * Locking: one spinlock, file_lock, guards the table, the waiter list
 * and every process's nlocks. A blocked locker notes lock_gen under
 * file_lock, drops it and sleeps on lock_wq until lock_gen moves; every
 * change that may free a range bumps lock_gen under file_lock and wakes
 * lock_wq after dropping it, so no wakeup is missed (docs/locking.md).
 *
 * Bounds: LOCK_MAX_PER_OWNER records per process (POSIX) or per open
 * file description (OFD), LOCK_MAX_TOTAL in all: ENOLCK past them. Every
 * wait is interruptible (EINTR), and a wait that would close a cycle of
 * processes waiting on each other's POSIX locks is EDEADLK. */
#include <fd.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <lib/list.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

#define OFFSET_MAX ((uint64_t)INT64_MAX)

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct lock_rec {
	struct list_head link; /* in its bucket (file_lock) */
	const struct inode *ino;
	const void *owner;    /* struct process (POSIX) or struct file */
	struct process *proc; /* POSIX: the owner, charged in nlocks */
	int kind;
	int type; /* F_RDLCK or F_WRLCK */
	int pid;  /* POSIX: the owner's pid; -1 otherwise (F_GETLK) */
	uint64_t start, end; /* inclusive; end OFFSET_MAX: to EOF */
};

/* A process blocked in F_SETLKW, for deadlock detection (file_lock). */
struct lock_waiter {
	struct list_head link;
	const void *owner;   /* the waiting process */
	const void *blocker; /* the owner of the lock it waits for */
	int blocker_kind;
};

struct user_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};

#define LOCK_BUCKETS 64
static spinlock_t file_lock = SPINLOCK_INIT("file_lock");
static struct list_head buckets[LOCK_BUCKETS]; /* file_lock */
static bool buckets_ready;		       /* file_lock */
static LIST_HEAD(waiters);		       /* file_lock */
static int nrecs;	  /* file_lock to change; read without it as a hint */
static uint64_t lock_gen; /* file_lock to change; read under sched */
static struct wait_queue lock_wq = WAIT_QUEUE_INIT(lock_wq);

static struct list_head *bucket(const struct inode *ino)
{
	if (!buckets_ready) {
		for (int i = 0; i < LOCK_BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[((uintptr_t)ino >> 6) % LOCK_BUCKETS];
}

static bool posix_family(int kind)
{
	return kind == LK_POSIX || kind == LK_OFD;
}

static bool overlap(const struct lock_rec *r, uint64_t s, uint64_t e)
{
	return r->start <= e && s <= r->end;
}

/* The lowest lock on ino that keeps owner from taking [s, e] as type. */
static struct lock_rec *find_conflict(const struct inode *ino, int kind,
				      const void *owner, int type, uint64_t s,
				      uint64_t e)
{
	struct lock_rec *r, *first = NULL;
	list_for_each_entry(r, bucket(ino), link)
	{
		if (r->ino != ino || (r->owner == owner && r->kind == kind))
			continue;
		if (posix_family(r->kind) != posix_family(kind))
			continue;
		if (!overlap(r, s, e))
			continue;
		if ((r->type == F_WRLCK || type == F_WRLCK) &&
		    (!first || r->start < first->start))
			first = r;
	}
	return first;
}

static void rec_free(struct lock_rec *r)
{
	list_del(&r->link);
	nrecs--;
	if (r->kind == LK_POSIX)
		r->proc->nlocks--;
	kfree(r);
}

static void changed(void)
{
	__atomic_add_fetch(&lock_gen, 1, __ATOMIC_RELEASE);
}

/* Would the POSIX owner me, waiting on blocker, close a cycle? */
static bool would_deadlock(const void *me, const void *blocker, int bkind)
{
	for (int steps = 0; steps < 64 && bkind == LK_POSIX; steps++) {
		if (blocker == me)
			return true;
		struct lock_waiter *w, *next = NULL;
		list_for_each_entry(w, &waiters, link)
		{
			if (w->owner == blocker) {
				next = w;
				break;
			}
		}
		if (!next)
			return false;
		blocker = next->blocker;
		bkind = next->blocker_kind;
	}
	return false;
}

/* Records owner's lock of type (F_UNLCK: removal) on [s, e] of ino,
 * splitting and merging its own ranges. spare holds two preallocated
 * records; those used are set to NULL. Returns 0 or -ENOLCK. */
static int apply_range(const struct inode *ino, int kind, const void *owner,
		       struct process *proc, int type, uint64_t s, uint64_t e,
		       struct lock_rec **spare)
{
	struct list_head *b = bucket(ino);
	struct lock_rec *r, *tmp;
	/* First what it would cost: a split needs one record, the new lock
	 * one, and each own record merged or covered frees one. */
	int net = type != F_UNLCK, count = 0;
	list_for_each_entry(r, b, link)
	{
		if (r->ino != ino || r->owner != owner || r->kind != kind)
			continue;
		count++;
		bool adjacent = (r->end != OFFSET_MAX && r->end + 1 == s) ||
				(e != OFFSET_MAX && e + 1 == r->start);
		if (r->type == type && (overlap(r, s, e) || adjacent))
			net--;
		else if (overlap(r, s, e)) {
			if (r->start < s && r->end > e)
				net++;
			else if (r->start >= s && r->end <= e)
				net--;
		}
	}
	int owned = kind == LK_POSIX ? proc->nlocks : count;
	if (net > 0 &&
	    (owned + net > LOCK_MAX_PER_OWNER || nrecs + net > LOCK_MAX_TOTAL))
		return -ENOLCK;
	uint64_t ns = s, ne = e;
	list_for_each_entry_safe(r, tmp, b, link)
	{
		if (r->ino != ino || r->owner != owner || r->kind != kind)
			continue;
		bool adjacent = (r->end != OFFSET_MAX && r->end + 1 == s) ||
				(e != OFFSET_MAX && e + 1 == r->start);
		if (r->type == type && (overlap(r, s, e) || adjacent)) {
			ns = MIN(ns, r->start);
			ne = MAX(ne, r->end);
			rec_free(r);
			continue;
		}
		if (!overlap(r, s, e))
			continue;
		if (r->start < s && r->end > e) {
			struct lock_rec *right = spare[0];
			spare[0] = NULL;
			*right = *r;
			right->start = e + 1;
			list_add(&right->link, b);
			nrecs++;
			if (kind == LK_POSIX)
				proc->nlocks++;
			r->end = s - 1;
		} else if (r->start < s) {
			r->end = s - 1;
		} else if (r->end > e) {
			r->start = e + 1;
		} else {
			rec_free(r);
		}
	}
	if (type != F_UNLCK) {
		struct lock_rec *n = spare[1];
		spare[1] = NULL;
		*n = (struct lock_rec){
		    .ino = ino,
		    .owner = owner,
		    .proc = kind == LK_POSIX ? proc : NULL,
		    .kind = kind,
		    .type = type,
		    .pid = kind == LK_POSIX ? proc->pid : -1,
		    .start = ns,
		    .end = ne,
		};
		list_add_tail(&n->link, b);
		nrecs++;
		if (kind == LK_POSIX)
			proc->nlocks++;
	}
	changed();
	return 0;
}

/* Takes (or, with F_UNLCK, drops) a lock for owner, waiting if wait. */
static long lock_set(const struct inode *ino, int kind, const void *owner,
		     struct process *proc, int type, uint64_t s, uint64_t e,
		     bool wait)
{
	struct lock_waiter w = {.owner = owner};
	bool waiting = false;
	long r;
	for (;;) {
		struct lock_rec *spare[2] = {kmalloc(sizeof(struct lock_rec)),
					     kmalloc(sizeof(struct lock_rec))};
		if (!spare[0] || !spare[1]) {
			kfree(spare[0]);
			kfree(spare[1]);
			r = -ENOLCK;
			break;
		}
		irqflags_t fl = spin_lock_irqsave(&file_lock);
		struct lock_rec *c =
		    type == F_UNLCK
			? NULL
			: find_conflict(ino, kind, owner, type, s, e);
		uint64_t gen = lock_gen;
		if (!c) {
			r = apply_range(ino, kind, owner, proc, type, s, e,
					spare);
		} else if (!wait) {
			r = -EAGAIN;
		} else if (kind == LK_POSIX &&
			   would_deadlock(owner, c->owner, c->kind)) {
			r = -EDEADLK;
		} else {
			w.blocker = c->owner;
			w.blocker_kind = c->kind;
			if (!waiting && kind == LK_POSIX)
				list_add(&w.link, &waiters);
			waiting = kind == LK_POSIX;
			r = 1;
		}
		if (r != 1 && waiting) {
			list_del(&w.link);
			waiting = false;
		}
		spin_unlock_irqrestore(&file_lock, fl);
		kfree(spare[0]);
		kfree(spare[1]);
		if (r != 1) {
			if (r == 0)
				wait_queue_wake_all(&lock_wq);
			break;
		}
		r = wait_event_interruptible(
		    &lock_wq,
		    __atomic_load_n(&lock_gen, __ATOMIC_ACQUIRE) != gen);
		if (r)
			break;
	}
	if (waiting) {
		irqflags_t fl = spin_lock_irqsave(&file_lock);
		list_del(&w.link);
		spin_unlock_irqrestore(&file_lock, fl);
	}
	return r;
}

/* struct flock's range as [*s, *e], as Linux's flock64_to_posix_lock. */
static int flock_range(struct file *f, const struct user_flock *u, uint64_t *s,
		       uint64_t *e)
{
	int64_t base;
	switch (u->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		vfs_lock();
		base = (int64_t)f->inode->size;
		vfs_unlock();
		break;
	default:
		return -EINVAL;
	}
	int64_t start;
	if (__builtin_add_overflow(base, u->l_start, &start))
		return -EOVERFLOW;
	if (start < 0)
		return -EINVAL;
	int64_t end;
	if (u->l_len > 0) {
		if (u->l_len - 1 > INT64_MAX - start)
			return -EOVERFLOW;
		end = start + u->l_len - 1;
	} else if (u->l_len < 0) {
		end = start - 1;
		if (__builtin_add_overflow(start, u->l_len, &start) ||
		    start < 0)
			return -EINVAL;
	} else {
		end = INT64_MAX;
	}
	*s = (uint64_t)start;
	*e = (uint64_t)end;
	return 0;
}

long lock_fcntl(struct file *f, int cmd, void __user *arg)
{
	struct user_flock u;
	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	bool ofd =
	    cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct process *p = proc_current();
	int kind = ofd ? LK_OFD : LK_POSIX;
	const void *owner = ofd ? (const void *)f : (const void *)p;
	if (ofd && u.l_pid != 0)
		return -EINVAL;
	if (u.l_type != F_RDLCK && u.l_type != F_WRLCK && u.l_type != F_UNLCK)
		return -EINVAL;
	uint64_t s, e;
	int r = flock_range(f, &u, &s, &e);
	if (r)
		return r;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (u.l_type == F_UNLCK)
			return -EINVAL;
		irqflags_t fl = spin_lock_irqsave(&file_lock);
		struct lock_rec *c =
		    find_conflict(f->inode, kind, owner, u.l_type, s, e);
		if (c) {
			u.l_type = (int16_t)c->type;
			u.l_whence = SEEK_SET;
			u.l_start = (int64_t)c->start;
			u.l_len = c->end == OFFSET_MAX
				      ? 0
				      : (int64_t)(c->end - c->start + 1);
			u.l_pid = c->pid;
		} else {
			u.l_type = F_UNLCK;
		}
		spin_unlock_irqrestore(&file_lock, fl);
		return copy_to_user(arg, &u, sizeof(u)) ? -EFAULT : 0;
	}
	int acc = f->flags & O_ACCMODE;
	if (u.l_type == F_RDLCK && acc == O_WRONLY)
		return -EBADF;
	if (u.l_type == F_WRLCK && acc == O_RDONLY)
		return -EBADF;
	return lock_set(f->inode, kind, owner, p, u.l_type, s, e,
			cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* Drops every record on ino (NULL: any inode) matching kind and owner. */
static void drop_owned(const struct inode *ino, int kind, const void *owner)
{
	if (!__atomic_load_n(&nrecs, __ATOMIC_RELAXED))
		return;
	bool any = false;
	irqflags_t fl = spin_lock_irqsave(&file_lock);
	for (int i = 0; i < LOCK_BUCKETS; i++) {
		struct list_head *b = ino ? bucket(ino) : &buckets[i];
		struct lock_rec *r, *tmp;
		list_for_each_entry_safe(r, tmp, b, link)
		{
			if ((ino && r->ino != ino) || r->kind != kind ||
			    r->owner != owner)
				continue;
			rec_free(r);
			any = true;
		}
		if (ino)
			break;
	}
	if (any)
		changed();
	spin_unlock_irqrestore(&file_lock, fl);
	if (any)
		wait_queue_wake_all(&lock_wq);
}

void lock_posix_close(struct process *p, struct file *f)
{
	drop_owned(f->inode, LK_POSIX, p);
}

void lock_file_release(struct file *f)
{
	drop_owned(f->inode, LK_OFD, f);
	drop_owned(f->inode, LK_FLOCK, f);
}

void lock_proc_exit(struct process *p)
{
	drop_owned(NULL, LK_POSIX, p);
}

SYSCALL_DEFINE2(flock, int, fd, unsigned, cmd)
{
	int op = (int)(cmd & ~LOCK_NB);
	int type;
	if (op == LOCK_SH)
		type = F_RDLCK;
	else if (op == LOCK_EX)
		type = F_WRLCK;
	else if (op == LOCK_UN)
		type = F_UNLCK;
	else
		return -EINVAL;
	struct process *p = proc_current();
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	/* As Linux: a conversion drops the old lock first (waking waiters),
	 * so two shared holders upgrading at once cannot deadlock. */
	bool had = false, same = false;
	irqflags_t fl = spin_lock_irqsave(&file_lock);
	struct lock_rec *r;
	list_for_each_entry(r, bucket(f->inode), link)
	{
		if (r->ino == f->inode && r->kind == LK_FLOCK &&
		    r->owner == f) {
			had = true;
			same = r->type == type;
			break;
		}
	}
	spin_unlock_irqrestore(&file_lock, fl);
	long ret = 0;
	if (!same) {
		if (had)
			drop_owned(f->inode, LK_FLOCK, f);
		if (type != F_UNLCK)
			ret = lock_set(f->inode, LK_FLOCK, f, p, type, 0,
				       OFFSET_MAX, !(cmd & LOCK_NB));
	}
	file_put(f);
	return ret;
}
