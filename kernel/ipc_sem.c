/* System V semaphores: semget, semop, semtimedop, semctl and
 * /proc/sysvipc/sem, with Linux's semantics and limits. A semop's
 * operations apply all together or not at all; one that cannot apply yet
 * sleeps on its set until a change of the set's values, then tries again
 * from the start. SEM_UNDO adjustments are kept per process (shared by
 * its threads, as Linux's CLONE_SYSVSEM; a forked child starts with none)
 * and applied when the process ends.
 *
 * Locking: ipc_sem_lock (a spinlock) guards the table, every set's
 * fields, values and waiter list, and every undo record, the processes'
 * undo lists included. It is taken with no other lock held but nests
 * outside sched (to wake waiters) and kmalloc. */
#include <ipc.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/ipc.h>

STATIC_ASSERT(sizeof(struct sembuf) == 6, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct semid64_ds) == 104, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct seminfo) == 40, "Linux x86_64 layout");

/* Linux's defaults (include/uapi/linux/sem.h), except SEMMNS: Linux's is
 * SEMMNI * SEMMSL, a billion semaphores, which an unprivileged program
 * could use to fill kernel memory. Limen caps the semaphores of all sets
 * at 131072 (1 MiB of values, and an undo record of at most 256 KiB per
 * process and set touched with SEM_UNDO). */
#define SEMMSL 32000
#define SEMMNI 32000
#define SEMMNS 131072
#define SEMOPM 500
#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEMMNU SEMMNS
#define SEMUME SEMOPM
#define SEMUSZ 20
#define SEMMAP SEMMNS

struct sem {
	int val; /* ipc_sem_lock: 0..SEMVMX */
	int pid; /* ipc_sem_lock: the last to change it */
};

struct sem_set {
	struct ipc_kperm perm;
	int nsems;		  /* const */
	int64_t otime, ctime;	  /* ipc_sem_lock */
	struct list_head waiters; /* ipc_sem_lock: struct ipc_waiter */
	struct list_head undos;	  /* ipc_sem_lock: struct sem_undo */
	struct sem sems[];	  /* ipc_sem_lock */
};

/* One process's adjustments for one set (Linux's sem_undo), on both the
 * process's list and the set's. */
struct sem_undo {
	struct sem_undo *proc_next; /* ipc_sem_lock */
	struct list_head set_link;  /* ipc_sem_lock */
	struct sem_set *set;	    /* const */
	struct process *proc;	    /* const */
	int16_t adj[];		    /* ipc_sem_lock: what exit adds */
};

/* Guards sem_table, sem_used, sem_total, sem_seq, every set and every
 * undo record (process->sem_undo included). */
static spinlock_t ipc_sem_lock = SPINLOCK_INIT("ipc_sem");
static struct sem_set *sem_table[SEMMNI];
static int sem_used;  /* sets in the table */
static int sem_total; /* semaphores of all sets */
static unsigned sem_seq;

/* A waiter's info: the semaphore it waits on, and whether for zero. */
#define WAIT_INFO(num, zero) ((long)(num)*2 + ((zero) ? 1 : 0))

/* With ipc_sem_lock held: the set with this id, or NULL. */
static struct sem_set *sem_find_id(int id)
{
	if (id < 0)
		return NULL;
	struct sem_set *s = sem_table[id % IPC_SEQ_MULT % SEMMNI];
	return s && s->perm.id == id ? s : NULL;
}

static struct sem_set *sem_find_key(int32_t key)
{
	for (int i = 0; i < SEMMNI; i++)
		if (sem_table[i] && sem_table[i]->perm.key == key)
			return sem_table[i];
	return NULL;
}

static int sem_max_index(void)
{
	for (int i = SEMMNI - 1; i > 0; i--)
		if (sem_table[i])
			return i;
	return 0;
}

/* With ipc_sem_lock held: wakes everyone sleeping on s, to try again. */
static void sem_wake(struct sem_set *s)
{
	ipc_waiters_wake_all(&s->waiters, 0);
}

/* With ipc_sem_lock held: takes undo off its process's list. */
static void sem_undo_unlink_proc(struct sem_undo *un)
{
	struct sem_undo **pp = &un->proc->sem_undo;
	while (*pp && *pp != un)
		pp = &(*pp)->proc_next;
	if (*pp)
		*pp = un->proc_next;
}

static long sem_create(int32_t key, int nsems, int flags)
{
	if (nsems == 0)
		return -EINVAL;
	struct sem_set *s =
	    kzalloc(sizeof(*s) + (size_t)nsems * sizeof(struct sem));
	if (!s)
		return -ENOMEM;
	ipc_perm_init(&s->perm, key, flags);
	s->nsems = nsems;
	s->ctime = ipc_now_sec();
	list_init(&s->waiters);
	list_init(&s->undos);

	long r;
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	if (key != IPC_PRIVATE && sem_find_key(key)) {
		r = -EAGAIN; /* another semget made it meanwhile */
	} else if (sem_used >= SEMMNI || sem_total + nsems > SEMMNS) {
		r = -ENOSPC;
	} else {
		int idx = 0;
		while (sem_table[idx])
			idx++;
		s->perm.seq = (uint16_t)sem_seq;
		sem_seq = sem_seq >= IPC_SEQ_MAX ? 0 : sem_seq + 1;
		s->perm.id = s->perm.seq * IPC_SEQ_MULT + idx;
		sem_table[idx] = s;
		sem_used++;
		sem_total += nsems;
		r = s->perm.id;
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	if (r < 0)
		kfree(s);
	return r;
}

SYSCALL_DEFINE3(semget, int, key, int, nsems, int, flags)
{
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	if (key == IPC_PRIVATE)
		return sem_create(key, nsems, flags);
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
		struct sem_set *s = sem_find_key(key);
		long r;
		if (!s)
			r = -ENOENT;
		else if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
			r = -EEXIST;
		else if (!ipc_perm_may(&s->perm, flags))
			r = -EACCES;
		else if (nsems > s->nsems)
			r = -EINVAL;
		else
			r = s->perm.id;
		spin_unlock_irqrestore(&ipc_sem_lock, f);
		if (r != -ENOENT || !(flags & IPC_CREAT))
			return r;
		r = sem_create(key, nsems, flags);
		if (r != -EAGAIN)
			return r;
	}
}

/* With ipc_sem_lock held: the caller's undo record for s, made if need
 * be; NULL if out of memory. */
static struct sem_undo *sem_undo_get(struct sem_set *s)
{
	struct process *p = proc_current();
	for (struct sem_undo *un = p->sem_undo; un; un = un->proc_next)
		if (un->set == s)
			return un;
	/* At most 2 * SEMMSL bytes, once per process and set. */
	struct sem_undo *un =
	    kzalloc(sizeof(*un) + (size_t)s->nsems * sizeof(int16_t));
	if (!un)
		return NULL;
	un->set = s;
	un->proc = p;
	un->proc_next = p->sem_undo;
	p->sem_undo = un;
	list_add_tail(&un->set_link, &s->undos);
	return un;
}

/* With ipc_sem_lock held: applies all of sops to s or none. Returns 0,
 * or a positive 1 + the index of the operation that must wait (which
 * carries no IPC_NOWAIT), or -EAGAIN, -ERANGE, -EFBIG, -ENOMEM. */
static long sem_try(struct sem_set *s, const struct sembuf *sops, int nsops)
{
	struct sem_undo *un = NULL;
	int i;
	long r = 0;
	for (i = 0; i < nsops; i++)
		if (sops[i].sem_num >= s->nsems)
			return -EFBIG;
	for (i = 0; i < nsops; i++) {
		const struct sembuf *op = &sops[i];
		struct sem *sem = &s->sems[op->sem_num];
		int v = sem->val + op->sem_op;
		if ((op->sem_op == 0 && sem->val != 0) || v < 0) {
			r = (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : i + 1;
			break;
		}
		if (v > SEMVMX) {
			r = -ERANGE;
			break;
		}
		if (op->sem_flg & SEM_UNDO) {
			if (!un)
				un = sem_undo_get(s);
			if (!un) {
				r = -ENOMEM;
				break;
			}
			int adj = un->adj[op->sem_num] - op->sem_op;
			if (adj < -SEMVMX - 1 || adj > SEMVMX) {
				r = -ERANGE;
				break;
			}
		}
		sem->val = v;
	}
	if (r) {
		while (--i >= 0)
			s->sems[sops[i].sem_num].val -= sops[i].sem_op;
		return r;
	}
	/* All applied: now the adjustments and the pids. */
	int pid = proc_current()->pid;
	bool changed = false;
	for (i = 0; i < nsops; i++) {
		if (sops[i].sem_flg & SEM_UNDO)
			un->adj[sops[i].sem_num] -= sops[i].sem_op;
		s->sems[sops[i].sem_num].pid = pid;
		changed |= sops[i].sem_op != 0;
	}
	s->otime = ipc_now_sec();
	if (changed)
		sem_wake(s);
	return 0;
}

static long sem_do_op(int semid, struct sembuf __user *usops, size_t nsops,
		      uint64_t deadline)
{
	if (semid < 0 || nsops < 1)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	struct sembuf *sops = kmalloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	long r = 0;
	if (copy_from_user(sops, usops, nsops * sizeof(*sops))) {
		r = -EFAULT;
		goto out;
	}
	int acc = 0444;
	for (size_t i = 0; i < nsops; i++)
		if (sops[i].sem_op)
			acc = 0222;

	struct ipc_waiter w = {.t = current};
	bool slept = false;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
		struct sem_set *s = sem_find_id(semid);
		if (!s) {
			/* Gone while we slept: Linux says EIDRM then. */
			r = slept ? -EIDRM : -EINVAL;
		} else if (!ipc_perm_may(&s->perm, acc)) {
			r = -EACCES;
		} else {
			r = sem_try(s, sops, (int)nsops);
			if (r > 0) {
				const struct sembuf *op = &sops[r - 1];
				w.info =
				    WAIT_INFO(op->sem_num, op->sem_op == 0);
				w.state = IPC_WAITING;
				list_add_tail(&w.link, &s->waiters);
			}
		}
		spin_unlock_irqrestore(&ipc_sem_lock, f);
		if (r <= 0)
			break;
		r = ipc_waiter_sleep(&w, deadline);
		f = spin_lock_irqsave(&ipc_sem_lock);
		if (w.state == IPC_WAITING)
			list_del(&w.link); /* a signal or the timeout */
		spin_unlock_irqrestore(&ipc_sem_lock, f);
		if (r)
			break;
		slept = true;
	}
out:
	kfree(sops);
	return r;
}

SYSCALL_DEFINE3(semop, int, semid, struct sembuf __user *, sops, size_t, nsops)
{
	return sem_do_op(semid, sops, nsops, 0);
}

SYSCALL_DEFINE4(semtimedop, int, semid, struct sembuf __user *, sops, size_t,
		nsops, const struct timespec_k __user *, uts)
{
	uint64_t deadline = 0;
	if (uts) {
		struct timespec_k ts;
		uint64_t ns;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		int r = time_timespec_ns(&ts, &ns);
		if (r)
			return r;
		deadline = time_deadline(ns);
	}
	return sem_do_op(semid, sops, nsops, deadline);
}

/* With ipc_sem_lock held: how many wait on semaphore num (for zero, or
 * for an increase). */
static int sem_count_waiters(struct sem_set *s, int num, bool zero)
{
	int n = 0;
	struct ipc_waiter *w;
	list_for_each_entry(w, &s->waiters, link)
	{
		if (w->info == WAIT_INFO(num, zero))
			n++;
	}
	return n;
}

/* With ipc_sem_lock held: SETVAL and SETALL cancel every process's
 * adjustments of the semaphores they set (all if num < 0). */
static void sem_clear_adj(struct sem_set *s, int num)
{
	struct sem_undo *un;
	list_for_each_entry(un, &s->undos, set_link)
	{
		if (num >= 0)
			un->adj[num] = 0;
		else
			memset(un->adj, 0, (size_t)s->nsems * sizeof(int16_t));
	}
}

/* With ipc_sem_lock held: takes s out of the table, wakes its sleepers
 * with EIDRM and drops every undo record; the caller frees s. */
static void sem_remove(struct sem_set *s)
{
	sem_table[s->perm.id % IPC_SEQ_MULT] = NULL;
	sem_used--;
	sem_total -= s->nsems;
	ipc_waiters_wake_all(&s->waiters, -EIDRM);
	struct sem_undo *un, *tmp;
	list_for_each_entry_safe(un, tmp, &s->undos, set_link)
	{
		sem_undo_unlink_proc(un);
		list_del(&un->set_link);
		kfree(un);
	}
}

static long semctl_info(int cmd, void __user *buf)
{
	struct seminfo si = {
	    .semmap = SEMMAP,
	    .semmni = SEMMNI,
	    .semmns = SEMMNS,
	    .semmnu = SEMMNU,
	    .semmsl = SEMMSL,
	    .semopm = SEMOPM,
	    .semume = SEMUME,
	    .semusz = SEMUSZ,
	    .semvmx = SEMVMX,
	    .semaem = SEMAEM,
	};
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	int maxidx = sem_max_index();
	if (cmd == SEM_INFO) {
		/* Linux reuses two fields for the usage. */
		si.semusz = sem_used;
		si.semaem = sem_total;
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	return copy_to_user(buf, &si, sizeof(si)) ? -EFAULT : maxidx;
}

static long semctl_stat(int semid, int cmd, void __user *buf)
{
	struct semid64_ds ds;
	memset(&ds, 0, sizeof(ds));
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	/* SEM_STAT takes an index into the table, IPC_STAT an id. */
	struct sem_set *s = cmd == IPC_STAT  ? sem_find_id(semid)
			    : semid < SEMMNI ? sem_table[semid]
					     : NULL;
	long r;
	if (!s) {
		r = -EINVAL;
	} else if (cmd != SEM_STAT_ANY && !ipc_perm_may(&s->perm, 0444)) {
		r = -EACCES;
	} else {
		ipc_perm_to_user(&s->perm, &ds.sem_perm);
		ds.sem_otime = s->otime;
		ds.sem_ctime = s->ctime;
		ds.sem_nsems = (uint64_t)s->nsems;
		r = cmd == IPC_STAT ? 0 : s->perm.id;
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

/* GETALL and SETALL: the array travels through a kernel buffer, copied
 * with no lock held (nsems is const, so its size is known first). */
static long semctl_all(int semid, int cmd, uint16_t __user *uarr)
{
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	struct sem_set *s = sem_find_id(semid);
	int nsems = s ? s->nsems : 0;
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	if (!s)
		return -EINVAL;
	size_t bytes = (size_t)nsems * sizeof(uint16_t);
	uint16_t *arr = kmalloc(bytes);
	if (!arr)
		return -ENOMEM;
	long r = 0;
	if (cmd == SETALL) {
		if (copy_from_user(arr, uarr, bytes))
			r = -EFAULT;
		for (int i = 0; !r && i < nsems; i++)
			if (arr[i] > SEMVMX)
				r = -ERANGE;
		if (r)
			goto out;
	}
	f = spin_lock_irqsave(&ipc_sem_lock);
	s = sem_find_id(semid);
	if (!s) {
		r = -EIDRM; /* removed while we copied */
	} else if (!ipc_perm_may(&s->perm, cmd == SETALL ? 0222 : 0444)) {
		r = -EACCES;
	} else if (cmd == SETALL) {
		int pid = proc_current()->pid;
		for (int i = 0; i < nsems; i++) {
			s->sems[i].val = arr[i];
			s->sems[i].pid = pid;
		}
		sem_clear_adj(s, -1);
		s->ctime = ipc_now_sec();
		sem_wake(s);
	} else {
		for (int i = 0; i < nsems; i++)
			arr[i] = (uint16_t)s->sems[i].val;
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	if (!r && cmd == GETALL && copy_to_user(uarr, arr, bytes))
		r = -EFAULT;
out:
	kfree(arr);
	return r;
}

SYSCALL_DEFINE4(semctl, int, semid, int, semnum, int, cmd, unsigned long, arg)
{
	void __user *buf = (void __user *)arg;
	struct semid64_ds ds;
	struct sem_set *s, *dead = NULL;
	long r = 0;

	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return semctl_info(cmd, buf);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return semctl_stat(semid, cmd, buf);
	case GETALL:
	case SETALL:
		return semctl_all(semid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		if (ds.sem_perm.uid == UINT32_MAX ||
		    ds.sem_perm.gid == UINT32_MAX)
			return -EINVAL;
		break;
	case SETVAL:
		/* The argument is union semun's int. */
		if ((int)arg < 0 || (int)arg > SEMVMX)
			return -ERANGE;
		break;
	case IPC_RMID:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		break;
	default:
		return -EINVAL;
	}

	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	s = sem_find_id(semid);
	bool one = cmd != IPC_SET && cmd != IPC_RMID;
	if (!s) {
		r = -EINVAL;
	} else if (one && (semnum < 0 || semnum >= s->nsems)) {
		r = -EINVAL;
	} else if (one &&
		   !ipc_perm_may(&s->perm, cmd == SETVAL ? 0222 : 0444)) {
		r = -EACCES;
	} else if (!one && !ipc_perm_is_owner(&s->perm)) {
		r = -EPERM;
	} else {
		switch (cmd) {
		case GETVAL:
			r = s->sems[semnum].val;
			break;
		case GETPID:
			r = s->sems[semnum].pid;
			break;
		case GETNCNT:
			r = sem_count_waiters(s, semnum, false);
			break;
		case GETZCNT:
			r = sem_count_waiters(s, semnum, true);
			break;
		case SETVAL:
			s->sems[semnum].val = (int)arg;
			s->sems[semnum].pid = proc_current()->pid;
			sem_clear_adj(s, semnum);
			s->ctime = ipc_now_sec();
			sem_wake(s);
			break;
		case IPC_SET:
			s->perm.uid = ds.sem_perm.uid;
			s->perm.gid = ds.sem_perm.gid;
			s->perm.mode = ds.sem_perm.mode & 0777;
			s->ctime = ipc_now_sec();
			break;
		default: /* IPC_RMID */
			sem_remove(s);
			dead = s;
		}
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
	kfree(dead);
	return r;
}

void ipc_sem_exit(struct process *p)
{
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	while (p->sem_undo) {
		struct sem_undo *un = p->sem_undo;
		struct sem_set *s = un->set;
		p->sem_undo = un->proc_next;
		list_del(&un->set_link);
		bool changed = false;
		for (int i = 0; i < s->nsems; i++) {
			if (!un->adj[i])
				continue;
			/* Linux clamps rather than fail: the value may have
			 * been set since the adjustment was recorded. */
			int v = s->sems[i].val + un->adj[i];
			s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
			s->sems[i].pid = p->pid;
			changed = true;
		}
		if (changed) {
			s->otime = ipc_now_sec();
			sem_wake(s);
		}
		kfree(un);
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
}

long ipc_sem_proc_show(char *buf, size_t size)
{
	long len = 0;
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)
	EMIT("       key      semid perms      nsems   uid   gid  cuid  cgid "
	     "     otime      ctime\n");
	irqflags_t f = spin_lock_irqsave(&ipc_sem_lock);
	for (int i = 0; i < SEMMNI; i++) {
		const struct sem_set *s = sem_table[i];
		if (!s)
			continue;
		long before = len;
		EMIT("%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n",
		     s->perm.key, s->perm.id, s->perm.mode, (unsigned)s->nsems,
		     s->perm.uid, s->perm.gid, s->perm.cuid, s->perm.cgid,
		     (long long)s->otime, (long long)s->ctime);
		if ((size_t)len >= size) {
			len = before; /* whole lines only */
			break;
		}
	}
	spin_unlock_irqrestore(&ipc_sem_lock, f);
#undef EMIT
	return len < (long)size ? len : (long)size - 1;
}
