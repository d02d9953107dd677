/* AF_UNIX sockets (unix(7)): SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET,
 * socketpair, names in the file system (an S_IFSOCK node) or abstract (a
 * kernel table), listen/connect/accept, SCM_RIGHTS and SCM_CREDENTIALS.
 *
 * Locking: one global spinlock, unix_lock, guards every unix_sock field,
 * the bound-name list and the in-flight counters. It is never held
 * across anything that sleeps: the VFS (bind's node, connect's lookup)
 * runs before it is taken and file_put of files that leave a queue runs
 * after it is released. Waits evaluate their condition under sched_lock
 * without unix_lock (flags read as hints, re-checked under the lock);
 * every change of a condition is made under unix_lock and followed by a
 * wake of the queue its sleepers use. Order: unix_lock, then sched_lock. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/socket.h>
#include <percpu.h>
#include <proc.h>
#include <rlimit.h>
#include <sched.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/stat.h>
#include <uapi/termios.h>
#include "unix_internal.h"

spinlock_t unix_lock = SPINLOCK_INIT("unix");
LIST_HEAD(unix_all);   /* unix_lock */
uint64_t unix_all_gen; /* unix_lock: removals (/proc/net/unix) */
/* Linux's net.unix.max_dgram_qlen: datagrams a receiver queues before
 * senders wait. */
#define UNIX_MAX_DGRAM_QLEN 10
#define UNIX_ADDR_OFF 2 /* offsetof(struct sockaddr_un_k, sun_path) */
#define SIOCINQ FIONREAD
#define SIOCOUTQ 0x5411

static struct unix_sock *unix_alloc(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->type = type;
	u->refs = 1;
	list_init(&u->rq);
	list_init(&u->acceptq);
	list_init(&u->aq_link);
	list_init(&u->bound_link);
	wait_queue_init(&u->peer_wait);
	u->peercred.pid = 0;
	u->peercred.uid = u->peercred.gid = (uint32_t)-1; /* Linux's none */
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	list_add_tail(&u->all_link, &unix_all);
	spin_unlock_irqrestore(&unix_lock, fl);
	return u;
}

/* unix_lock held; a unix_sock is freed with its last reference. */
void unix_put_locked(struct unix_sock *u)
{
	if (--u->refs == 0) {
		/* A connection never queued is freed without a release. */
		list_del(&u->all_link);
		unix_all_gen++;
		kfree(u);
	}
}

static void unix_own_creds(struct ucred_k *c)
{
	struct process *p = proc_current();
	c->pid = p->pid;
	c->uid = p->euid;
	c->gid = p->egid;
}

static struct wait_queue *unix_sock_wq(struct unix_sock *u)
{
	return u->sock ? &u->sock->wq : NULL;
}

/* unix_lock held: wakes u's socket sleepers and pollers. */
void unix_wake(struct unix_sock *u)
{
	struct wait_queue *wq = unix_sock_wq(u);
	if (wq)
		wait_queue_wake_all(wq);
	wait_queue_wake_all(&u->peer_wait);
}

/* Sleeps on wq until cond, as sock_wait does for a socket's own queue. */
int unix_wait(struct wait_queue *wq, bool nonblock, uint64_t deadline,
	      bool (*cond)(void *arg), void *arg)
{
	int r = 0;
	irqflags_t fl = sched_lock_irqsave();
	while (!cond(arg)) {
		if (nonblock) {
			r = -EAGAIN;
			break;
		}
		r = sched_sleep_intr_locked(wq, deadline, false);
		if (r == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
		if (r)
			break;
	}
	sched_unlock_irqrestore(fl);
	return r;
}

/* Messages. */

/* unix_lock held: takes m off its queue (the caller frees it after
 * unlocking, with unix_msg_free). */
void unix_msg_unlink(struct unix_sock *to, struct unix_msg *m)
{
	list_del(&m->link);
	to->rq_bytes -= m->len;
	to->rq_count--;
	struct unix_sock *from = m->from;
	if (from) {
		from->wmem -= UNIX_TRUESIZE(m);
		unix_wake(from); /* room for the sender */
		unix_put_locked(from);
		m->from = NULL;
	}
	unix_inflight_sub(m);
	wait_queue_wake_all(&to->peer_wait); /* datagram senders */
}

/* Outside unix_lock: drops the files the message still holds. */
static void unix_msg_free(struct unix_msg *m)
{
	for (int i = 0; i < m->nfiles; i++)
		if (m->files[i])
			file_put(m->files[i]);
	kfree(m->files);
	kfree(m);
}

/* Messages whose files are dropped, waiting for the thread that drains
 * them (unix_lock). A file_put may release a socket whose queue holds
 * more sockets: draining in one loop instead of recursing keeps a chain
 * of sockets inside sockets from overflowing the kernel stack. */
static LIST_HEAD(unix_defer);
static bool unix_draining;

void unix_free_list(struct list_head *dead)
{
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	while (!list_empty(dead)) {
		struct unix_msg *m =
		    list_first_entry(dead, struct unix_msg, link);
		list_del(&m->link);
		list_add_tail(&m->link, &unix_defer);
	}
	if (unix_draining) {
		spin_unlock_irqrestore(&unix_lock, fl);
		return;
	}
	unix_draining = true;
	while (!list_empty(&unix_defer)) {
		struct unix_msg *m =
		    list_first_entry(&unix_defer, struct unix_msg, link);
		list_del(&m->link);
		spin_unlock_irqrestore(&unix_lock, fl);
		unix_msg_free(m);
		fl = spin_lock_irqsave(&unix_lock);
	}
	unix_draining = false;
	spin_unlock_irqrestore(&unix_lock, fl);
}

/* A message of n bytes from buf with m's ancillary data, not yet queued.
 * Takes its own references to the files of scm. */
struct unix_msg *unix_msg_new(const char *buf, size_t n, struct sock_msg *sm)
{
	struct unix_msg *m = kmalloc(sizeof(*m) + n);
	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	list_init(&m->link);
	if (n)
		memcpy(m->data, buf, n);
	m->len = n;
	/* Every message says who sent it; SCM_CREDENTIALS may say more. */
	struct process *p = proc_current();
	m->creds.pid = p->pid;
	m->creds.uid = p->uid;
	m->creds.gid = p->gid;
	if (sm->scm && sm->scm->has_creds)
		m->creds = sm->scm->creds;
	if (sm->scm && sm->scm->nfiles) {
		m->files = kmalloc(sm->scm->nfiles * sizeof(struct file *));
		if (!m->files) {
			kfree(m);
			return NULL;
		}
		for (int i = 0; i < sm->scm->nfiles; i++)
			m->files[i] = file_get(sm->scm->files[i]);
		m->nfiles = sm->scm->nfiles;
	}
	return m;
}

/* unix_lock held: queues m on to's receive queue, charged to from. */
int unix_msg_queue(struct unix_sock *from, struct unix_sock *to,
		   struct unix_msg *m)
{
	int r = unix_inflight_add(m);
	if (r)
		return r;
	if (from->bound) {
		m->addr = from->addr;
		m->addrlen = from->addrlen;
	}
	m->from = from;
	from->refs++;
	from->wmem += UNIX_TRUESIZE(m);
	list_add_tail(&m->link, &to->rq);
	to->rq_bytes += m->len;
	to->rq_count++;
	unix_wake(to);
	return 0;
}

/* unix_lock held: drops u's whole receive queue onto dead. */
void unix_purge_locked(struct unix_sock *u, struct list_head *dead)
{
	while (!list_empty(&u->rq)) {
		struct unix_msg *m =
		    list_first_entry(&u->rq, struct unix_msg, link);
		unix_msg_unlink(u, m);
		list_add_tail(&m->link, dead);
	}
}

/* Creation, pairs and release. */

static int unix_create(struct socket *s, int protocol)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	struct unix_sock *u = unix_alloc(s->type);
	if (!u)
		return -ENOBUFS;
	u->sock = s;
	s->sk = u;
	return 0;
}

/* unix_lock held: a and b become each other's peer. */
static void unix_link(struct unix_sock *a, struct unix_sock *b)
{
	a->peer = b;
	b->peer = a;
	a->refs++;
	b->refs++;
	a->state = b->state = UNIX_CONNECTED;
}

static int unix_pair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = usk(a), *ub = usk(b);
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	unix_link(ua, ub);
	unix_own_creds(&ua->peercred);
	ub->peercred = ua->peercred;
	spin_unlock_irqrestore(&unix_lock, fl);
	return 0;
}

/* unix_lock held: u goes away (its socket was closed, or it was a
 * connection never accepted). Its queues go onto dead; inodes to put
 * are returned through *node. */
static void unix_release_locked(struct unix_sock *u, struct list_head *dead,
				struct inode **node)
{
	u->dead = true;
	u->sock = NULL;
	u->shutdown = UNIX_SHUT_MASK;
	list_del(&u->all_link); /* Linux's unix_remove_socket */
	unix_all_gen++;
	if (u->bound) {
		list_del(&u->bound_link);
		list_init(&u->bound_link);
		if (node)
			*node = u->node;
		u->node = NULL;
	}
	struct unix_sock *peer = u->peer;
	if (peer) {
		if (u->type != SOCK_DGRAM) {
			peer->shutdown = UNIX_SHUT_MASK;
			/* Unread data lost: Linux's ECONNRESET. */
			if (!list_empty(&u->rq) && u->type == SOCK_STREAM)
				peer->err = ECONNRESET;
		}
		unix_wake(peer);
		u->peer = NULL;
		unix_put_locked(peer);
	}
	/* Connections never accepted go with their listener. */
	while (!list_empty(&u->acceptq)) {
		struct unix_sock *e =
		    list_first_entry(&u->acceptq, struct unix_sock, aq_link);
		list_del(&e->aq_link);
		list_init(&e->aq_link);
		u->nqueued--;
		unix_release_locked(e, dead, NULL);
		unix_put_locked(e);
	}
	unix_purge_locked(u, dead);
	wait_queue_wake_all(&u->peer_wait);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = usk(s);
	if (!u)
		return;
	LIST_HEAD(dead);
	struct inode *node = NULL;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	unix_release_locked(u, &dead, &node);
	unix_put_locked(u);
	s->sk = NULL;
	spin_unlock_irqrestore(&unix_lock, fl);
	unix_free_list(&dead);
	vfs_inode_put(node);
	unix_gc();
}

/* Connections. */

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = usk(s);
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	int r = 0;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	if (!u->bound || u->state == UNIX_CONNECTED)
		r = -EINVAL;
	else {
		u->backlog = backlog;
		u->state = UNIX_LISTENING;
		/* A connection's SO_PEERCRED is the listener's creds. */
		unix_own_creds(&u->peercred);
		unix_wake(u); /* connecters waiting for room */
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}

static bool unix_backlog_room(void *arg)
{
	struct unix_sock *l = arg;
	return l->dead || l->state != UNIX_LISTENING ||
	       l->nqueued <= l->backlog;
}

static int unix_connect_stream(struct unix_sock *u, struct socket *s,
			       const struct sockaddr_un_k *a, uint32_t alen,
			       bool nonblock)
{
	struct unix_sock *l;
	int r = unix_find(a, alen, u->type, &l);
	if (r)
		return r;
	struct unix_sock *e = unix_alloc(u->type);
	if (!e) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		unix_put_locked(l);
		spin_unlock_irqrestore(&unix_lock, fl);
		return -ENOBUFS;
	}
	uint64_t deadline = s->sndtimeo_ns ? time_deadline(s->sndtimeo_ns) : 0;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	for (;;) {
		if (u->state == UNIX_CONNECTED) {
			r = -EISCONN;
			break;
		}
		if (u->state == UNIX_LISTENING) {
			r = -EINVAL;
			break;
		}
		if (l->dead || l->state != UNIX_LISTENING) {
			r = -ECONNREFUSED;
			break;
		}
		/* Linux's unix_recvq_full: more than backlog waiting. */
		if (l->nqueued > l->backlog) {
			spin_unlock_irqrestore(&unix_lock, fl);
			r = unix_wait(&l->peer_wait, nonblock, deadline,
				      unix_backlog_room, l);
			fl = spin_lock_irqsave(&unix_lock);
			if (r)
				break;
			continue;
		}
		/* e is the server's end: its name is the listener's, its
		 * peer creds ours, ours the listener's. */
		e->addr = l->addr;
		e->addrlen = l->addrlen;
		e->bound = l->bound;
		unix_own_creds(&e->peercred);
		u->peercred = l->peercred;
		unix_link(u, e);
		list_add_tail(&e->aq_link, &l->acceptq);
		l->nqueued++;
		e = NULL; /* the accept queue owns it */
		unix_wake(l);
		unix_wake(u);
		r = 0;
		break;
	}
	if (e)
		unix_put_locked(e);
	unix_put_locked(l);
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}

static int unix_connect(struct socket *s, const struct sockaddr_storage_k *sa,
			uint32_t len, bool nonblock)
{
	struct unix_sock *u = usk(s);
	if (u->type != SOCK_DGRAM) {
		struct sockaddr_un_k a;
		uint32_t alen;
		if (len < sizeof(uint16_t))
			return -EINVAL;
		if (sa->ss_family != AF_UNIX)
			return -EINVAL;
		int r = unix_addr_check(sa, len, &a, &alen);
		if (r)
			return r;
		if (alen == UNIX_ADDR_OFF)
			return -EINVAL;
		return unix_connect_stream(u, s, &a, alen, nonblock);
	}
	/* Datagram: AF_UNSPEC dissolves the association. */
	LIST_HEAD(dead);
	if (len >= sizeof(uint16_t) && sa->ss_family == AF_UNSPEC) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		if (u->peer) {
			unix_put_locked(u->peer);
			u->peer = NULL;
		}
		u->state = UNIX_UNCONNECTED;
		spin_unlock_irqrestore(&unix_lock, fl);
		return 0;
	}
	struct sockaddr_un_k a;
	uint32_t alen;
	int r = unix_addr_check(sa, len, &a, &alen);
	if (r)
		return r;
	if (alen == UNIX_ADDR_OFF)
		return -EINVAL;
	struct unix_sock *o;
	r = unix_find(&a, alen, SOCK_DGRAM, &o);
	if (r)
		return r;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	if (o->dead) {
		r = -ECONNREFUSED;
		unix_put_locked(o);
	} else if (o->peer && o->peer != u && o != u) {
		r = -EPERM; /* it only takes from its own peer */
		unix_put_locked(o);
	} else {
		if (s->passcred)
			(void)unix_autobind_locked(u);
		if (u->peer)
			unix_put_locked(u->peer);
		u->peer = o; /* our reference moves here */
		u->state = UNIX_CONNECTED;
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}

static bool unix_accept_ready(void *arg)
{
	struct unix_sock *l = arg;
	return !list_empty(&l->acceptq) || l->state != UNIX_LISTENING;
}

static int unix_accept(struct socket *s, struct socket *ns, bool nonblock)
{
	struct unix_sock *l = usk(s);
	if (l->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	uint64_t deadline = s->rcvtimeo_ns ? time_deadline(s->rcvtimeo_ns) : 0;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		if (l->state != UNIX_LISTENING) {
			spin_unlock_irqrestore(&unix_lock, fl);
			return -EINVAL;
		}
		if (!list_empty(&l->acceptq)) {
			struct unix_sock *e = list_first_entry(
			    &l->acceptq, struct unix_sock, aq_link);
			list_del(&e->aq_link);
			list_init(&e->aq_link);
			l->nqueued--;
			e->sock = ns;
			ns->sk = e;
			wait_queue_wake_all(&l->peer_wait); /* backlog room */
			spin_unlock_irqrestore(&unix_lock, fl);
			return 0;
		}
		spin_unlock_irqrestore(&unix_lock, fl);
		int r =
		    unix_wait(&s->wq, nonblock, deadline, unix_accept_ready, l);
		if (r)
			return r;
	}
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = usk(s);
	/* SHUT_RD 0 -> receive, SHUT_WR 1 -> send, SHUT_RDWR 2 -> both. */
	int mode = how + 1;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	u->shutdown |= mode;
	unix_wake(u);
	struct unix_sock *p = u->peer;
	if (p && u->type != SOCK_DGRAM) {
		int pm = 0;
		if (mode & UNIX_SHUT_RCV)
			pm |= UNIX_SHUT_SEND;
		if (mode & UNIX_SHUT_SEND)
			pm |= UNIX_SHUT_RCV;
		p->shutdown |= pm;
		unix_wake(p);
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return 0;
}

/* Options. */

static int unix_getsockopt(struct socket *s, int level, int name, void *val,
			   uint32_t *len)
{
	struct unix_sock *u = usk(s);
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	int r = 0;
	switch (name) {
	case SO_PEERCRED:
		memcpy(val, &u->peercred, sizeof(u->peercred));
		*len = sizeof(u->peercred);
		break;
	case SO_ACCEPTCONN: {
		int v = u->state == UNIX_LISTENING;
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		break;
	}
	case SO_ERROR: {
		int v = u->err;
		u->err = 0;
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		break;
	}
	default:
		r = -ENOPROTOOPT;
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}

static int unix_setsockopt(struct socket *s, int level, int name,
			   const void *val, uint32_t len)
{
	(void)s;
	(void)name;
	(void)val;
	(void)len;
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

static unsigned unix_poll(struct socket *s)
{
	struct unix_sock *u = usk(s);
	unsigned m = 0;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	if (u->err)
		m |= POLLERR;
	if (u->shutdown & UNIX_SHUT_RCV)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if ((u->shutdown & UNIX_SHUT_MASK) == UNIX_SHUT_MASK)
		m |= POLLHUP;
	if (!list_empty(&u->rq) || !list_empty(&u->acceptq))
		m |= POLLIN | POLLRDNORM;
	/* An unconnected stream or seqpacket socket: Linux reports hangup,
	 * and (6.18, observed) readable, since a read does not block. */
	if (u->type != SOCK_DGRAM && u->state == UNIX_UNCONNECTED)
		m |= POLLHUP | POLLIN | POLLRDNORM;
	bool writable = u->state != UNIX_LISTENING && u->wmem < s->sndbuf;
	if (u->type == SOCK_DGRAM && u->peer && u->peer->peer != u &&
	    u->peer->rq_count > UNIX_MAX_DGRAM_QLEN)
		writable = false;
	if (writable)
		m |= POLLOUT | POLLWRNORM;
	spin_unlock_irqrestore(&unix_lock, fl);
	return m;
}

static long unix_ioctl(struct socket *s, unsigned long cmd, uintptr_t arg)
{
	struct unix_sock *u = usk(s);
	int v = 0;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	if (cmd == SIOCINQ) {
		if (u->state == UNIX_LISTENING) {
			spin_unlock_irqrestore(&unix_lock, fl);
			return -EINVAL;
		}
		if (u->type == SOCK_STREAM) {
			struct unix_msg *m;
			list_for_each_entry(m, &u->rq, link) v +=
			    (int)(m->len - m->off);
		} else if (!list_empty(&u->rq)) {
			v = (int)list_first_entry(&u->rq, struct unix_msg, link)
				->len;
		}
	} else if (cmd == SIOCOUTQ) {
		v = (int)u->wmem; /* with each message's overhead, as Linux's */
	} else {
		spin_unlock_irqrestore(&unix_lock, fl);
		return -ENOTTY;
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return put_user(v, (int __user *)arg);
}

#define UNIX_OPS(t)                                                            \
	{                                                                      \
		.family = AF_UNIX, .type = t, .create = unix_create,           \
		.bind = unix_bind, .connect = unix_connect,                    \
		.listen = unix_listen, .accept = unix_accept,                  \
		.sendmsg = unix_sendmsg, .recvmsg = unix_recvmsg,              \
		.shutdown = unix_shutdown, .getname = unix_getname,            \
		.setsockopt = unix_setsockopt, .getsockopt = unix_getsockopt,  \
		.poll = unix_poll, .ioctl = unix_ioctl, .pair = unix_pair,     \
		.release = unix_release,                                       \
	}

static const struct proto_ops unix_ops[3] = {
    UNIX_OPS(SOCK_STREAM), UNIX_OPS(SOCK_DGRAM), UNIX_OPS(SOCK_SEQPACKET)};

void unix_sock_init(void)
{
	for (int i = 0; i < 3; i++)
		(void)sock_register(&unix_ops[i]);
}
