/* System V message queues: msgget, msgsnd, msgrcv, msgctl and
 * /proc/sysvipc/msg, with Linux's semantics and limits. A sender waits
 * while its queue is full, a receiver while no message of the type it
 * asks for is queued; every change of a queue wakes all its sleepers,
 * who try again.
 *
 * Memory: Linux bounds a queue by MSGMNB bytes but not the queues
 * together (MSGMNI * MSGMNB is 512 MiB here, and a queue of empty
 * messages holds MSGMNB headers). Limen also caps what all queues hold,
 * headers included, at MSG_POOL_BYTES: a msgsnd past it fails with
 * ENOMEM (as Linux's when it cannot allocate), whatever IPC_NOWAIT says.
 *
 * Locking: ipc_msg_lock (a spinlock) guards the table, the pool total
 * and every queue's fields, messages and waiters. It is taken with no
 * other lock held and nests outside sched (wake-ups) and kmalloc. */
#include <ipc.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/ipc.h>

STATIC_ASSERT(sizeof(struct msqid64_ds) == 120, "Linux x86_64 layout");
STATIC_ASSERT(sizeof(struct msginfo) == 32, "Linux x86_64 layout");

/* Linux's defaults (include/uapi/linux/msg.h). */
#define MSGMAX 8192  /* bytes in a message */
#define MSGMNB 16384 /* default bytes (and messages) in a queue */
#define MSGMNI 32000 /* queues */
#define MSGSSZ 16
#define MSGTQL MSGMNB
#define MSGMAP MSGMNB
#define MSGSEG 0xffff
/* Limen's cap on all queued messages, headers included (see above). */
#define MSG_POOL_BYTES (4UL << 20)

struct msg {
	struct list_head link; /* the queue's messages (ipc_msg_lock) */
	long type;	       /* const */
	size_t size;	       /* const */
	char text[];
};

struct msg_queue {
	struct ipc_kperm perm;
	int64_t stime, rtime, ctime; /* ipc_msg_lock */
	int lspid, lrpid;	     /* ipc_msg_lock */
	uint64_t cbytes, qnum;	     /* ipc_msg_lock */
	uint64_t qbytes;	     /* ipc_msg_lock: the queue's limit */
	struct list_head msgs;	     /* ipc_msg_lock: oldest first */
	struct list_head waiters;    /* ipc_msg_lock: struct ipc_waiter */
};

/* Guards msg_table, msg_used, msg_pool, msg_total_msgs, msg_total_bytes,
 * msg_seq and every queue. */
static spinlock_t ipc_msg_lock = SPINLOCK_INIT("ipc_msg");
static struct msg_queue *msg_table[MSGMNI];
static int msg_used;		 /* queues in the table */
static uint64_t msg_pool;	 /* bytes of all messages, headers included */
static uint64_t msg_total_msgs;	 /* messages in all queues */
static uint64_t msg_total_bytes; /* their text */
static unsigned msg_seq;

static uint64_t msg_cost(size_t size)
{
	return sizeof(struct msg) + size;
}

static struct msg_queue *msg_find_id(int id)
{
	if (id < 0)
		return NULL;
	struct msg_queue *q = msg_table[id % IPC_SEQ_MULT % MSGMNI];
	return q && q->perm.id == id ? q : NULL;
}

static struct msg_queue *msg_find_key(int32_t key)
{
	for (int i = 0; i < MSGMNI; i++)
		if (msg_table[i] && msg_table[i]->perm.key == key)
			return msg_table[i];
	return NULL;
}

static int msg_max_index(void)
{
	for (int i = MSGMNI - 1; i > 0; i--)
		if (msg_table[i])
			return i;
	return 0;
}

static long msg_create(int32_t key, int flags)
{
	struct msg_queue *q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	ipc_perm_init(&q->perm, key, flags);
	q->ctime = ipc_now_sec();
	q->qbytes = MSGMNB;
	list_init(&q->msgs);
	list_init(&q->waiters);

	long r;
	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	if (key != IPC_PRIVATE && msg_find_key(key)) {
		r = -EAGAIN; /* another msgget made it meanwhile */
	} else if (msg_used >= MSGMNI) {
		r = -ENOSPC;
	} else {
		int idx = 0;
		while (msg_table[idx])
			idx++;
		q->perm.seq = (uint16_t)msg_seq;
		msg_seq = msg_seq >= IPC_SEQ_MAX ? 0 : msg_seq + 1;
		q->perm.id = q->perm.seq * IPC_SEQ_MULT + idx;
		msg_table[idx] = q;
		msg_used++;
		r = q->perm.id;
	}
	spin_unlock_irqrestore(&ipc_msg_lock, f);
	if (r < 0)
		kfree(q);
	return r;
}

SYSCALL_DEFINE2(msgget, int, key, int, flags)
{
	if (key == IPC_PRIVATE)
		return msg_create(key, flags);
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
		struct msg_queue *q = msg_find_key(key);
		long r;
		if (!q)
			r = -ENOENT;
		else if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
			r = -EEXIST;
		else if (!ipc_perm_may(&q->perm, flags))
			r = -EACCES;
		else
			r = q->perm.id;
		spin_unlock_irqrestore(&ipc_msg_lock, f);
		if (r != -ENOENT || !(flags & IPC_CREAT))
			return r;
		r = msg_create(key, flags);
		if (r != -EAGAIN)
			return r;
	}
}

/* With ipc_msg_lock held: after sleeping, a queue that is gone was
 * removed (EIDRM); before, the id was never good (EINVAL). */
static long msg_gone(bool slept)
{
	return slept ? -EIDRM : -EINVAL;
}

/* With ipc_msg_lock held, after a sleep: off the list unless a waker
 * took w off already. */
static void msg_waiter_done(struct ipc_waiter *w)
{
	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	if (w->state == IPC_WAITING)
		list_del(&w->link);
	spin_unlock_irqrestore(&ipc_msg_lock, f);
}

SYSCALL_DEFINE4(msgsnd, int, msqid, const void __user *, umsg, size_t, msgsz,
		int, flags)
{
	if (msqid < 0 || msgsz > MSGMAX)
		return -EINVAL;
	long type;
	if (copy_from_user(&type, umsg, sizeof(type)))
		return -EFAULT;
	if (type < 1)
		return -EINVAL;
	/* The message is copied in before any lock: at most MSGMAX bytes. */
	struct msg *m = kmalloc(sizeof(*m) + msgsz);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->size = msgsz;
	if (copy_from_user(m->text, (const char __user *)umsg + sizeof(long),
			   msgsz)) {
		kfree(m);
		return -EFAULT;
	}

	struct ipc_waiter w = {.t = current};
	bool slept = false;
	long r;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
		struct msg_queue *q = msg_find_id(msqid);
		if (!q) {
			r = msg_gone(slept);
		} else if (!ipc_perm_may(&q->perm, 0222)) {
			r = -EACCES;
		} else if (msgsz + q->cbytes > q->qbytes ||
			   q->qnum + 1 > q->qbytes) {
			/* Full: Linux counts messages against the byte
			 * limit too, so empty ones cannot pile up. */
			r = (flags & IPC_NOWAIT) ? -EAGAIN : 1;
		} else if (msg_pool + msg_cost(msgsz) > MSG_POOL_BYTES) {
			r = -ENOMEM;
		} else {
			list_add_tail(&m->link, &q->msgs);
			q->cbytes += msgsz;
			q->qnum++;
			q->lspid = proc_current()->pid;
			q->stime = ipc_now_sec();
			msg_pool += msg_cost(msgsz);
			msg_total_msgs++;
			msg_total_bytes += msgsz;
			ipc_waiters_wake_all(&q->waiters, 0);
			r = 0;
		}
		if (r == 1) {
			w.state = IPC_WAITING;
			list_add_tail(&w.link, &q->waiters);
		}
		spin_unlock_irqrestore(&ipc_msg_lock, f);
		if (r != 1)
			break;
		r = ipc_waiter_sleep(&w, 0);
		msg_waiter_done(&w);
		if (r)
			break;
		slept = true;
	}
	if (r)
		kfree(m);
	return r;
}

/* With ipc_msg_lock held: the message msgrcv's type selects, or NULL. */
static struct msg *msg_select(struct msg_queue *q, long type, int flags)
{
	struct msg *m, *best = NULL;
	list_for_each_entry(m, &q->msgs, link)
	{
		if (type == 0)
			return m;
		if (type > 0) {
			if ((m->type == type) != !!(flags & MSG_EXCEPT))
				return m;
			continue;
		}
		/* The lowest type not above |type|, the oldest of it. */
		long lim = type == INT64_MIN ? INT64_MAX : -type;
		if (m->type <= lim && (!best || m->type < best->type))
			best = m;
	}
	return best;
}

SYSCALL_DEFINE5(msgrcv, int, msqid, void __user *, umsg, size_t, msgsz, long,
		type, int, flags)
{
	if (msqid < 0 || (long)msgsz < 0)
		return -EINVAL;
	if (flags & MSG_COPY)
		return -ENOSYS; /* Linux without CONFIG_CHECKPOINT_RESTORE */

	struct ipc_waiter w = {.t = current};
	bool slept = false;
	struct msg *m = NULL;
	long r;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
		struct msg_queue *q = msg_find_id(msqid);
		if (!q) {
			r = msg_gone(slept);
		} else if (!ipc_perm_may(&q->perm, 0444)) {
			r = -EACCES;
		} else if (!(m = msg_select(q, type, flags))) {
			r = (flags & IPC_NOWAIT) ? -ENOMSG : 1;
		} else if (msgsz < m->size && !(flags & MSG_NOERROR)) {
			r = -E2BIG; /* and the message stays */
		} else {
			list_del(&m->link);
			q->cbytes -= m->size;
			q->qnum--;
			q->lrpid = proc_current()->pid;
			q->rtime = ipc_now_sec();
			msg_pool -= msg_cost(m->size);
			msg_total_msgs--;
			msg_total_bytes -= m->size;
			ipc_waiters_wake_all(&q->waiters, 0);
			r = 0;
		}
		if (r == 1) {
			w.state = IPC_WAITING;
			list_add_tail(&w.link, &q->waiters);
		}
		spin_unlock_irqrestore(&ipc_msg_lock, f);
		if (r != 1)
			break;
		r = ipc_waiter_sleep(&w, 0);
		msg_waiter_done(&w);
		if (r)
			break;
		slept = true;
	}
	if (r)
		return r;
	/* Taken off the queue: a fault now loses the message, as on
	 * Linux. */
	size_t n = MIN(msgsz, m->size);
	if (copy_to_user(umsg, &m->type, sizeof(long)) ||
	    copy_to_user((char __user *)umsg + sizeof(long), m->text, n))
		r = -EFAULT;
	else
		r = (long)n;
	kfree(m);
	return r;
}

static long msgctl_info(int cmd, void __user *buf)
{
	struct msginfo mi;
	memset(&mi, 0, sizeof(mi)); /* its padding goes to user space too */
	mi.msgmax = MSGMAX;
	mi.msgmnb = MSGMNB;
	mi.msgmni = MSGMNI;
	mi.msgssz = MSGSSZ;
	mi.msgseg = MSGSEG;
	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	int maxidx = msg_max_index();
	if (cmd == MSG_INFO) {
		/* Linux reuses three fields for the usage. */
		mi.msgpool = msg_used;
		mi.msgmap = (int32_t)msg_total_msgs;
		mi.msgtql = (int32_t)msg_total_bytes;
	} else {
		mi.msgpool = (int32_t)(MSG_POOL_BYTES / 1024); /* KiB */
		mi.msgmap = MSGMAP;
		mi.msgtql = MSGTQL;
	}
	spin_unlock_irqrestore(&ipc_msg_lock, f);
	return copy_to_user(buf, &mi, sizeof(mi)) ? -EFAULT : maxidx;
}

static long msgctl_stat(int msqid, int cmd, void __user *buf)
{
	struct msqid64_ds ds;
	memset(&ds, 0, sizeof(ds));
	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	/* MSG_STAT takes an index into the table, IPC_STAT an id. */
	struct msg_queue *q = cmd == IPC_STAT  ? msg_find_id(msqid)
			      : msqid < MSGMNI ? msg_table[msqid]
					       : NULL;
	long r;
	if (!q) {
		r = -EINVAL;
	} else if (cmd != MSG_STAT_ANY && !ipc_perm_may(&q->perm, 0444)) {
		r = -EACCES;
	} else {
		ipc_perm_to_user(&q->perm, &ds.msg_perm);
		ds.msg_stime = q->stime;
		ds.msg_rtime = q->rtime;
		ds.msg_ctime = q->ctime;
		ds.msg_cbytes = q->cbytes;
		ds.msg_qnum = q->qnum;
		ds.msg_qbytes = q->qbytes;
		ds.msg_lspid = q->lspid;
		ds.msg_lrpid = q->lrpid;
		r = cmd == IPC_STAT ? 0 : q->perm.id;
	}
	spin_unlock_irqrestore(&ipc_msg_lock, f);
	if (r >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE3(msgctl, int, msqid, int, cmd, void __user *, buf)
{
	struct msqid64_ds ds;
	struct msg_queue *q, *dead = NULL;
	long r = 0;

	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msgctl_info(cmd, buf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msgctl_stat(msqid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		if (ds.msg_perm.uid == UINT32_MAX ||
		    ds.msg_perm.gid == UINT32_MAX)
			return -EINVAL;
		break;
	case IPC_RMID:
		break;
	default:
		return -EINVAL;
	}

	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	q = msg_find_id(msqid);
	if (!q) {
		r = -EINVAL;
	} else if (!ipc_perm_is_owner(&q->perm)) {
		r = -EPERM;
	} else if (cmd == IPC_SET) {
		/* Above MSGMNB needs CAP_SYS_RESOURCE (root here). */
		if (ds.msg_qbytes > MSGMNB && proc_current()->euid != 0) {
			r = -EPERM;
		} else {
			q->qbytes = ds.msg_qbytes;
			q->perm.uid = ds.msg_perm.uid;
			q->perm.gid = ds.msg_perm.gid;
			q->perm.mode = ds.msg_perm.mode & 0777;
			q->ctime = ipc_now_sec();
			/* A larger limit may let senders in. */
			ipc_waiters_wake_all(&q->waiters, 0);
		}
	} else { /* IPC_RMID */
		msg_table[q->perm.id % IPC_SEQ_MULT] = NULL;
		msg_used--;
		msg_pool -= q->qnum * sizeof(struct msg) + q->cbytes;
		msg_total_msgs -= q->qnum;
		msg_total_bytes -= q->cbytes;
		ipc_waiters_wake_all(&q->waiters, -EIDRM);
		dead = q;
	}
	spin_unlock_irqrestore(&ipc_msg_lock, f);
	if (dead) {
		/* Out of the table: nobody else can reach its messages. */
		while (!list_empty(&dead->msgs)) {
			struct msg *m =
			    list_first_entry(&dead->msgs, struct msg, link);
			list_del(&m->link);
			kfree(m);
		}
		kfree(dead);
	}
	return r;
}

long ipc_msg_proc_show(char *buf, size_t size)
{
	long len = 0;
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)
	EMIT("       key      msqid perms      cbytes       qnum lspid lrpid "
	     "  uid   gid  cuid  cgid      stime      rtime      ctime\n");
	irqflags_t f = spin_lock_irqsave(&ipc_msg_lock);
	for (int i = 0; i < MSGMNI; i++) {
		const struct msg_queue *q = msg_table[i];
		if (!q)
			continue;
		long before = len;
		EMIT("%10d %10d  %4o  %10llu %10llu %5d %5d %5u %5u %5u %5u "
		     "%10lld %10lld %10lld\n",
		     q->perm.key, q->perm.id, q->perm.mode,
		     (unsigned long long)q->cbytes, (unsigned long long)q->qnum,
		     q->lspid, q->lrpid, q->perm.uid, q->perm.gid, q->perm.cuid,
		     q->perm.cgid, (long long)q->stime, (long long)q->rtime,
		     (long long)q->ctime);
		if ((size_t)len >= size) {
			len = before; /* whole lines only */
			break;
		}
	}
	spin_unlock_irqrestore(&ipc_msg_lock, f);
#undef EMIT
	return len < (long)size ? len : (long)size - 1;
}
