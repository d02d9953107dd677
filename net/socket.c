/* The socket layer: the family registry, socket files (an anonymous
 * S_IFSOCK inode per socket), and the system calls that are not about data
 * (socket, socketpair, bind, listen, accept, connect, shutdown, the names
 * and the options). The data path is net/socket_msg.c. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/socket.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>
#include <uapi/poll.h>
#include <uapi/stat.h>
#include <uapi/termios.h>
#include "socket_internal.h"

#define SOCK_NTYPES (SOCK_SEQPACKET + 1)

/* Guards families[]. A family registers once and is never removed, so a
 * lookup may use the ops it found after dropping the lock. */
static spinlock_t sock_reg_lock = SPINLOCK_INIT("sock_reg");
static const struct proto_ops *families[AF_MAX][SOCK_NTYPES];

/* Families built into the kernel register from these at the first socket
 * call (weak: a family not linked in is simply absent, so a new family
 * adds its own init without editing this file). A family may also call
 * sock_register from anywhere earlier. */
void unix_sock_init(void) __attribute__((weak));
void inet_sock_init(void) __attribute__((weak));
void netlink_sock_init(void) __attribute__((weak));

static void sock_init_once(void)
{
	static int done; /* 0: not yet, 1: running, 2: done */
	int expect = 0;
	if (__atomic_load_n(&done, __ATOMIC_ACQUIRE) == 2)
		return;
	if (!__atomic_compare_exchange_n(&done, &expect, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Another thread is registering: registration does not
		 * sleep, so it finishes soon. */
		while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) != 2)
			sched_yield_cpu();
		return;
	}
	if (unix_sock_init)
		unix_sock_init();
	if (inet_sock_init)
		inet_sock_init();
	if (netlink_sock_init)
		netlink_sock_init();
	__atomic_store_n(&done, 2, __ATOMIC_RELEASE);
}

int sock_register(const struct proto_ops *ops)
{
	if (ops->family <= 0 || ops->family >= AF_MAX || ops->type <= 0 ||
	    ops->type >= SOCK_NTYPES)
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&sock_reg_lock);
	int r = families[ops->family][ops->type] ? -EEXIST : 0;
	if (!r)
		families[ops->family][ops->type] = ops;
	spin_unlock_irqrestore(&sock_reg_lock, fl);
	return r;
}

/* The ops for (family, type), or -EAFNOSUPPORT for an unknown family and,
 * as Linux's families say, -ESOCKTNOSUPPORT (AF_UNIX) or -EPROTONOSUPPORT
 * (others) for a type it lacks. */
static const struct proto_ops *sock_lookup(int family, int type, int *err)
{
	sock_init_once();
	if (family < 0 || family >= AF_MAX) {
		*err = -EAFNOSUPPORT;
		return NULL;
	}
	const struct proto_ops *ops = NULL;
	bool any = false;
	irqflags_t fl = spin_lock_irqsave(&sock_reg_lock);
	for (int t = 0; t < SOCK_NTYPES; t++)
		any |= families[family][t] != NULL;
	if (type > 0 && type < SOCK_NTYPES)
		ops = families[family][type];
	spin_unlock_irqrestore(&sock_reg_lock, fl);
	if (!ops)
		*err = !any ? -EAFNOSUPPORT
		       : family == AF_UNIX || family == AF_PACKET
			   ? -ESOCKTNOSUPPORT
			   : -EPROTONOSUPPORT;
	return ops;
}

struct socket *sock_from_file(struct file *f)
{
	return f && f->ops == &sock_file_ops ? f->priv : NULL;
}

/* Linux's defaults (net.core.wmem_default / rmem_default). */
#define SOCK_BUF_DEFAULT 212992

/* A socket file for ops, without family state yet. */
static int sock_alloc_file(const struct proto_ops *ops, int type, int flags,
			   struct file **out)
{
	struct socket *s = kzalloc(sizeof(*s));
	/* Linux's socket inodes are S_IFSOCK | 0777 on sockfs. */
	struct inode *ino = inode_alloc_sb(NULL, S_IFSOCK | 0777);
	if (!s || !ino) {
		kfree(s);
		kfree(ino);
		return -ENFILE;
	}
	struct process *p = proc_current();
	ino->uid = p->fs->uid;
	ino->gid = p->fs->gid;
	s->ops = ops;
	s->family = ops->family;
	s->type = type;
	s->sndbuf = s->rcvbuf = SOCK_BUF_DEFAULT;
	s->creator_uid = p->fs->uid;
	wait_queue_init(&s->wq);
	struct file *f =
	    file_alloc(ino, O_RDWR | (flags & O_NONBLOCK), &sock_file_ops, s);
	if (!f) {
		kfree(s);
		kfree(ino);
		return -ENFILE;
	}
	s->file = f;
	*out = f;
	return 0;
}

int sock_create(int family, int type, int protocol, struct file **out)
{
	int err;
	const struct proto_ops *ops = sock_lookup(family, type, &err);
	if (!ops)
		return err;
	if (protocol < 0)
		return -EINVAL;
	struct file *f;
	err = sock_alloc_file(ops, type, 0, &f);
	if (err)
		return err;
	struct socket *s = f->priv;
	s->protocol = protocol;
	err = ops->create ? ops->create(s, protocol) : 0;
	if (err) {
		s->ops = NULL; /* nothing for release to drop */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int sock_wait(struct socket *s, bool nonblock, uint64_t deadline_ns,
	      bool (*cond)(struct socket *s, void *arg), void *arg)
{
	int r = 0;
	irqflags_t fl = sched_lock_irqsave();
	while (!cond(s, arg)) {
		if (nonblock) {
			r = -EAGAIN;
			break;
		}
		r = sched_sleep_intr_locked(&s->wq, deadline_ns, false);
		if (r == -ETIMEDOUT) {
			r = -EAGAIN; /* Linux's timeouts report EAGAIN */
			break;
		}
		if (r)
			break;
	}
	sched_unlock_irqrestore(fl);
	return r;
}

/* Socket files. */

static unsigned sock_poll(struct file *f)
{
	struct socket *s = f->priv;
	return s->ops->poll ? s->ops->poll(s) : 0;
}

static struct wait_queue *sock_poll_wq(struct file *f)
{
	return &((struct socket *)f->priv)->wq;
}

/* net/devinet.c's; weak, so a kernel without interfaces says ENOTTY. */
long netif_ioctl(unsigned long cmd, uintptr_t arg) __attribute__((weak));

static long sock_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct socket *s = f->priv;
	if (cmd == FIONBIO) {
		int on;
		if (get_user(on, (int __user *)arg))
			return -EFAULT;
		/* f->flags is written by fcntl too, without a lock: an
		 * atomic read-modify-write keeps both. */
		if (on)
			__atomic_fetch_or(&f->flags, O_NONBLOCK,
					  __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&f->flags, ~O_NONBLOCK,
					   __ATOMIC_RELAXED);
		return 0;
	}
	long r = s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOTTY;
	/* As Linux's sock_ioctl: the interface ioctls work on a socket of
	 * any family (musl's if_nametoindex uses an AF_UNIX one). */
	if (r == -ENOTTY && cmd >= 0x8900 && cmd <= 0x89ff && netif_ioctl)
		r = netif_ioctl(cmd, arg);
	return r;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;
	if (s->ops && s->ops->release)
		s->ops->release(s);
	kfree(s);
}

/* read(2)/write(2) on a socket go through sock_rw (net/socket_msg.c),
 * which kernel/sys_io.c calls first so a datagram is not split into
 * pages; these serve in-kernel callers of vfs_read/vfs_write. */
static long sock_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	struct socket *s = f->priv;
	struct sock_msg m = {
	    .nonblock = f->flags & O_NONBLOCK,
	    .deadline_ns = s->rcvtimeo_ns ? time_deadline(s->rcvtimeo_ns) : 0};
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	return s->ops->recvmsg(s, buf, n, &m);
}

static long sock_file_write(struct file *f, const char *buf, size_t n,
			    uint64_t *pos)
{
	(void)pos;
	struct socket *s = f->priv;
	struct sock_msg m = {
	    .nonblock = f->flags & O_NONBLOCK,
	    .deadline_ns = s->sndtimeo_ns ? time_deadline(s->sndtimeo_ns) : 0};
	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	return s->ops->sendmsg(s, buf, n, &m);
}

const struct file_ops sock_file_ops = {
    .read = sock_file_read,
    .write = sock_file_write,
    .ioctl = sock_ioctl,
    .release = sock_release,
    .poll = sock_poll,
    .poll_wq = sock_poll_wq,
};

/* The socket behind fd with a file reference in *fp: -EBADF, -ENOTSOCK. */
struct socket *sock_fd(int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	struct socket *s = sock_from_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

/* Installs f as a new descriptor; drops f on failure. */
static long sock_install(struct file *f, int flags)
{
	int fd = fd_install(proc_current(), f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f;
	int r = sock_create(family, type & SOCK_TYPE_MASK, protocol, &f);
	if (r)
		return r;
	if (flags & SOCK_NONBLOCK)
		f->flags |= O_NONBLOCK; /* nobody else sees f yet */
	return sock_install(f, flags);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, int __user *,
		usv)
{
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *a, *b;
	int r = sock_create(family, type & SOCK_TYPE_MASK, protocol, &a);
	if (r)
		return r;
	r = sock_create(family, type & SOCK_TYPE_MASK, protocol, &b);
	if (r) {
		file_put(a);
		return r;
	}
	struct socket *sa = a->priv, *sb = b->priv;
	r = sa->ops->pair ? sa->ops->pair(sa, sb) : -EOPNOTSUPP;
	if (r) {
		file_put(a);
		file_put(b);
		return r;
	}
	if (flags & SOCK_NONBLOCK) {
		a->flags |= O_NONBLOCK;
		b->flags |= O_NONBLOCK;
	}
	struct process *p = proc_current();
	int fds[2];
	fds[0] = fd_install(p, a, 0, flags & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		file_put(a);
		file_put(b);
		return fds[0];
	}
	fds[1] = fd_install(p, b, 0, flags & SOCK_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(p, fds[0]);
		file_put(b);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* A user address into a zeroed kernel sockaddr_storage_k: -EINVAL for a
 * length outside [0, sizeof], -EFAULT. */
int sock_addr_in(struct sockaddr_storage_k *k, const void __user *ua,
		 uint32_t len)
{
	memset(k, 0, sizeof(*k));
	if ((int)len < 0 || len > sizeof(*k))
		return -EINVAL;
	if (len && copy_from_user(k, ua, len))
		return -EFAULT;
	return 0;
}

/* Copies an address of klen bytes out to (ua, *ulen) as Linux's
 * move_addr_to_user: truncated to the room, the full length reported. */
int sock_addr_out(const struct sockaddr_storage_k *k, uint32_t klen,
		  void __user *ua, uint32_t __user *ulen)
{
	uint32_t room;
	if (get_user(room, ulen))
		return -EFAULT;
	if ((int)room < 0)
		return -EINVAL;
	if (klen > sizeof(*k))
		klen = sizeof(*k);
	uint32_t n = MIN(room, klen);
	if (n && copy_to_user(ua, k, n))
		return -EFAULT;
	return put_user(klen, ulen);
}

SYSCALL_DEFINE3(bind, int, fd, const void __user *, uaddr, uint32_t, len)
{
	struct sockaddr_storage_k a;
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	r = sock_addr_in(&a, uaddr, len);
	if (!r)
		r = s->ops->bind ? s->ops->bind(s, &a, len) : -EOPNOTSUPP;
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	/* Linux clamps to net.core.somaxconn (a negative backlog too). */
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	r = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(connect, int, fd, const void __user *, uaddr, uint32_t, len)
{
	struct sockaddr_storage_k a;
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	r = sock_addr_in(&a, uaddr, len);
	if (!r)
		r = s->ops->connect
			? s->ops->connect(s, &a, len, f->flags & O_NONBLOCK)
			: -EOPNOTSUPP;
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(accept4, int, fd, void __user *, uaddr, uint32_t __user *, ulen,
		int, flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	if (!s->ops->accept) {
		file_put(f);
		return -EOPNOTSUPP;
	}
	/* Check the length word first, as Linux fails before waiting. */
	uint32_t room = 0;
	if (uaddr && get_user(room, ulen)) {
		file_put(f);
		return -EFAULT;
	}
	struct file *nf;
	r = sock_alloc_file(s->ops, s->type, flags & SOCK_NONBLOCK, &nf);
	if (r) {
		file_put(f);
		return r;
	}
	struct socket *ns = nf->priv;
	ns->protocol = s->protocol;
	r = s->ops->accept(s, ns, f->flags & O_NONBLOCK);
	file_put(f);
	if (r) {
		ns->ops = NULL; /* no connection: nothing to release */
		file_put(nf);
		return r;
	}
	if (uaddr) {
		struct sockaddr_storage_k a;
		uint32_t alen = sizeof(a);
		memset(&a, 0, sizeof(a));
		r = ns->ops->getname ? ns->ops->getname(ns, &a, &alen, true)
				     : -EOPNOTSUPP;
		if (!r)
			r = sock_addr_out(&a, alen, uaddr, ulen);
		if (r) {
			/* Linux drops the connection too. */
			file_put(nf);
			return r;
		}
	}
	return sock_install(nf, flags);
}

SYSCALL_DEFINE3(accept, int, fd, void __user *, uaddr, uint32_t __user *, ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

static long sock_getname_common(int fd, void __user *uaddr,
				uint32_t __user *ulen, bool peer)
{
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	struct sockaddr_storage_k a;
	uint32_t alen = sizeof(a);
	memset(&a, 0, sizeof(a));
	uint32_t room;
	if (get_user(room, ulen))
		r = -EFAULT;
	else if ((int)room < 0)
		r = -EINVAL;
	else
		r = s->ops->getname ? s->ops->getname(s, &a, &alen, peer)
				    : -EOPNOTSUPP;
	if (!r)
		r = sock_addr_out(&a, alen, uaddr, ulen);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(getsockname, int, fd, void __user *, uaddr, uint32_t __user *,
		ulen)
{
	return sock_getname_common(fd, uaddr, ulen, false);
}

SYSCALL_DEFINE3(getpeername, int, fd, void __user *, uaddr, uint32_t __user *,
		ulen)
{
	return sock_getname_common(fd, uaddr, ulen, true);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	if (how < SHUT_RD || how > SHUT_RDWR)
		r = -EINVAL;
	else
		r = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f);
	return r;
}

/* Options. */

/* Linux's sysctl_{w,r}mem_max and SOCK_MIN_{SND,RCV}BUF. */
#define SOCK_BUF_MAX 212992u
#define SOCK_MIN_SNDBUF 4608u
#define SOCK_MIN_RCVBUF 2304u

static int timeval_to_ns(const void *val, uint32_t len, uint64_t *ns)
{
	struct timeval_k tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = 0; /* Linux: a negative time means no timeout */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*ns = 0;
		return 0;
	}
	uint64_t v;
	if (__builtin_mul_overflow((uint64_t)tv.tv_sec, 1000000000ull, &v) ||
	    __builtin_add_overflow(v, (uint64_t)tv.tv_usec * 1000, &v))
		v = TIME_NS_NEVER;
	*ns = v;
	return 0;
}

static int sock_setopt_sol(struct socket *s, int name, const void *val,
			   uint32_t len)
{
	int v = 0;
	/* Options whose value is not an int: a structure, a name
	 * (SO_BINDTODEVICE) or a filter program (the family checks). */
	bool intopt = name != SO_LINGER && name != SO_RCVTIMEO &&
		      name != SO_SNDTIMEO && name != SO_BINDTODEVICE &&
		      name != SO_ATTACH_FILTER && name != SO_DETACH_FILTER;
	if (intopt) {
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(int));
	}
	bool root = proc_current()->euid == 0;
	switch (name) {
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		return 0;
	case SO_REUSEPORT:
		s->reuseport = v != 0;
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		/* TCP arms its timer when told. */
		if (s->ops->setsockopt)
			(void)s->ops->setsockopt(s, SOL_SOCKET, name, val, len);
		return 0;
	case SO_BROADCAST:
		s->broadcast = v != 0;
		return 0;
	case SO_PASSCRED:
		s->passcred = v != 0;
		return 0;
	case SO_LINGER: {
		struct linger_k l;
		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		s->linger = l;
		return 0;
	}
	case SO_SNDBUFFORCE:
	case SO_SNDBUF:
	case SO_RCVBUFFORCE:
	case SO_RCVBUF: {
		/* Doubled for bookkeeping as Linux; the FORCE forms pass
		 * the cap, for root only. */
		bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
		bool snd = name == SO_SNDBUF || name == SO_SNDBUFFORCE;
		if (force && !root)
			return -EPERM;
		uint32_t u = (uint32_t)v;
		if (!force && u > SOCK_BUF_MAX)
			u = SOCK_BUF_MAX;
		if (u > 0x7fffffff / 2)
			u = 0x7fffffff / 2;
		if (snd)
			s->sndbuf = MAX(u * 2, SOCK_MIN_SNDBUF);
		else
			s->rcvbuf = MAX(u * 2, SOCK_MIN_RCVBUF);
		return 0;
	}
	case SO_RCVTIMEO:
		return timeval_to_ns(val, len, &s->rcvtimeo_ns);
	case SO_SNDTIMEO:
		return timeval_to_ns(val, len, &s->sndtimeo_ns);
	case SO_TYPE:
	case SO_DOMAIN:
	case SO_PROTOCOL:
	case SO_PEERCRED:
	case SO_ACCEPTCONN:
	case SO_ERROR:
		return -ENOPROTOOPT; /* read-only, as Linux */
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_RCVLOWAT:
	case SO_SNDLOWAT:
		if (s->ops->setsockopt) {
			int r =
			    s->ops->setsockopt(s, SOL_SOCKET, name, val, len);
			if (r != -ENOPROTOOPT)
				return r;
		}
		return 0; /* accepted and not acted on, as harmless hints */
	default:
		return s->ops->setsockopt
			   ? s->ops->setsockopt(s, SOL_SOCKET, name, val, len)
			   : -ENOPROTOOPT;
	}
}

#define SOCK_OPT_MAX 256

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, const void __user *,
		uval, uint32_t, len)
{
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	char k[SOCK_OPT_MAX];
	if ((int)len < 0) {
		r = -EINVAL;
		goto out;
	}
	uint32_t n = MIN(len, (uint32_t)sizeof(k));
	memset(k, 0, sizeof(k));
	if (n && copy_from_user(k, uval, n)) {
		r = -EFAULT;
		goto out;
	}
	if (level == SOL_SOCKET)
		r = sock_setopt_sol(s, name, k, n);
	else
		r = s->ops->setsockopt
			? s->ops->setsockopt(s, level, name, k, n)
			: -ENOPROTOOPT;
out:
	file_put(f);
	return r;
}

static int timeval_from_ns(uint64_t ns, void *val, uint32_t *len)
{
	struct timeval_k tv = {.tv_sec = (int64_t)(ns / 1000000000ull),
			       .tv_usec = (int64_t)(ns % 1000000000ull / 1000)};
	memcpy(val, &tv, sizeof(tv));
	*len = sizeof(tv);
	return 0;
}

static int sock_getopt_sol(struct socket *s, int name, void *val, uint32_t *len)
{
	int v;
	switch (name) {
	case SO_REUSEADDR:
		v = s->reuseaddr;
		break;
	case SO_REUSEPORT:
		v = s->reuseport;
		break;
	case SO_KEEPALIVE:
		v = s->keepalive;
		break;
	case SO_BROADCAST:
		v = s->broadcast;
		break;
	case SO_PASSCRED:
		v = s->passcred;
		break;
	case SO_SNDBUF:
		v = (int)s->sndbuf;
		break;
	case SO_RCVBUF:
		v = (int)s->rcvbuf;
		break;
	case SO_TYPE:
		v = s->type;
		break;
	case SO_DOMAIN:
		v = s->family;
		break;
	case SO_PROTOCOL:
		v = s->protocol;
		break;
	case SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		*len = sizeof(s->linger);
		return 0;
	case SO_RCVTIMEO:
		return timeval_from_ns(s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO:
		return timeval_from_ns(s->sndtimeo_ns, val, len);
	default:
		if (s->ops->getsockopt) {
			int r =
			    s->ops->getsockopt(s, SOL_SOCKET, name, val, len);
			if (r != -ENOPROTOOPT || name != SO_ERROR)
				return r;
		}
		if (name == SO_ERROR || name == SO_DEBUG ||
		    name == SO_DONTROUTE || name == SO_OOBINLINE) {
			v = 0;
			break;
		}
		if (name == SO_RCVLOWAT || name == SO_SNDLOWAT) {
			v = 1;
			break;
		}
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, void __user *, uval,
		uint32_t __user *, ulen)
{
	struct file *f;
	int r;
	struct socket *s = sock_fd(fd, &f, &r);
	if (!s)
		return r;
	uint32_t room;
	char k[SOCK_OPT_MAX];
	uint32_t klen = sizeof(k);
	memset(k, 0, sizeof(k));
	if (get_user(room, ulen)) {
		r = -EFAULT;
		goto out;
	}
	if ((int)room < 0) {
		r = -EINVAL;
		goto out;
	}
	if (level == SOL_SOCKET)
		r = sock_getopt_sol(s, name, k, &klen);
	else
		r = s->ops->getsockopt
			? s->ops->getsockopt(s, level, name, k, &klen)
			: -ENOPROTOOPT;
	if (r)
		goto out;
	/* Linux truncates to the caller's room and reports what it wrote. */
	klen = MIN(MIN(klen, room), (uint32_t)sizeof(k));
	if (klen && copy_to_user(uval, k, klen))
		r = -EFAULT;
	else if (put_user(klen, ulen))
		r = -EFAULT;
out:
	file_put(f);
	return r;
}
