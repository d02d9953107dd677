/* The socket layer's data path: sendto, recvfrom, sendmsg, recvmsg,
 * sendmmsg, recvmmsg, and read/write/readv/writev on a socket. User
 * iovecs are copied through bounded kernel buffers, control messages are
 * turned into struct sock_scm and back (SCM_RIGHTS, SCM_CREDENTIALS). */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/socket.h>
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
#include "socket_internal.h"

#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ul
/* A stream moves through the kernel in chunks of this size (a kmalloc
 * block of 64 KiB with its header). */
#define SOCK_CHUNK (65536 - 64)
/* The largest datagram: past the largest SO_SNDBUF a user may set. */
#define SOCK_DGRAM_MAX (425984 + 64)
/* Linux's net.core.optmem_max: the control buffer a sendmsg may pass. */
#define SOCK_OPTMEM_MAX 20480

/* A user iovec array, copied, with a cursor. */
struct sock_iter {
	struct iovec_k *iov; /* kmalloc'd, or &one */
	struct iovec_k one;
	int cnt, idx;
	size_t off; /* into iov[idx] */
	size_t total;
	bool kernel; /* iov points at kernel memory (sendfile's buffer) */
};

static void iter_free(struct sock_iter *it)
{
	if (it->iov != &it->one)
		kfree(it->iov);
}

static int iter_check(struct sock_iter *it)
{
	size_t total = 0;
	for (int i = 0; i < it->cnt; i++) {
		uint64_t len = it->iov[i].iov_len;
		if ((int64_t)len < 0)
			return -EINVAL;
		if (!access_ok((void __user *)it->iov[i].iov_base, len))
			return -EFAULT;
		/* Linux caps the whole transfer at MAX_RW_COUNT. */
		if (len > MAX_RW_COUNT - total) {
			len = MAX_RW_COUNT - total;
			it->iov[i].iov_len = len;
		}
		total += len;
	}
	it->total = total;
	return 0;
}

static int iter_single(struct sock_iter *it, void __user *buf, size_t n)
{
	memset(it, 0, sizeof(*it));
	it->one.iov_base = (uint64_t)(uintptr_t)buf;
	it->one.iov_len = n;
	it->iov = &it->one;
	it->cnt = 1;
	return iter_check(it);
}

static int iter_user(struct sock_iter *it, const struct iovec_k __user *uiov,
		     uint64_t cnt)
{
	memset(it, 0, sizeof(*it));
	it->iov = &it->one;
	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE; /* Linux's sendmsg/recvmsg say so */
	if (cnt == 0)
		return 0;
	struct iovec_k *v = kmalloc(cnt * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (copy_from_user(v, uiov, cnt * sizeof(*v))) {
		kfree(v);
		return -EFAULT;
	}
	it->iov = v;
	it->cnt = (int)cnt;
	int r = iter_check(it);
	if (r)
		iter_free(it);
	return r;
}

/* Moves n bytes between the iterator's memory (user memory unless
 * it->kernel) and buf, advancing it: 0 or -EFAULT. */
static int iter_copy(struct sock_iter *it, char *buf, size_t n, bool to_user)
{
	while (n > 0 && it->idx < it->cnt) {
		struct iovec_k *v = &it->iov[it->idx];
		size_t k = MIN(n, v->iov_len - it->off);
		char __user *u =
		    (char __user *)(uintptr_t)v->iov_base + it->off;
		int r = 0;
		if (it->kernel)
			memcpy(to_user ? (char *)(__force void *)u : buf,
			       to_user ? buf : (const char *)(__force void *)u,
			       k);
		else
			r = to_user ? copy_to_user(u, buf, k)
				    : copy_from_user(buf, u, k);
		if (r)
			return -EFAULT;
		buf += k;
		n -= k;
		it->off += k;
		if (it->off == v->iov_len) {
			it->idx++;
			it->off = 0;
		}
	}
	return 0;
}

void sock_scm_release(struct sock_scm *scm)
{
	if (!scm)
		return;
	for (int i = 0; i < scm->nfiles; i++)
		file_put(scm->files[i]);
	scm->nfiles = 0;
	scm->has_creds = false;
}

static void sock_sigpipe(void)
{
	struct ksiginfo info = {.signo = SIGPIPE, .code = SI_USER};
	struct process *p = proc_current();
	info.rt.pid = p->pid;
	info.rt.uid = p->uid;
	signal_send_thread(current, &info);
}

/* One send of the iterator's bytes. */
static long sock_send_iter(struct socket *s, struct file *f,
			   struct sock_iter *it,
			   struct sockaddr_storage_k *addr, uint32_t addrlen,
			   int flags, struct sock_scm *scm)
{
	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	struct sock_msg m = {
	    .addr = addr,
	    .addrlen = addrlen,
	    .flags = flags,
	    .nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT),
	    .deadline_ns = s->sndtimeo_ns ? time_deadline(s->sndtimeo_ns) : 0,
	    .scm = scm,
	};
	if (m.nonblock)
		m.flags |= MSG_DONTWAIT;
	long r;
	size_t done = 0;
	if (s->type != SOCK_STREAM) {
		/* A datagram or record goes whole: one buffer. */
		if (it->total > SOCK_DGRAM_MAX)
			return -EMSGSIZE;
		char *buf = kmalloc(MAX(it->total, 1));
		if (!buf)
			return -ENOBUFS;
		r = iter_copy(it, buf, it->total, false);
		if (!r)
			r = s->ops->sendmsg(s, buf, it->total, &m);
		kfree(buf);
	} else {
		char *buf = kmalloc(MAX(MIN(it->total, SOCK_CHUNK), 1));
		if (!buf)
			return -ENOBUFS;
		do {
			size_t c = MIN(it->total - done, SOCK_CHUNK);
			r = iter_copy(it, buf, c, false);
			if (r)
				break;
			r = s->ops->sendmsg(s, buf, c, &m);
			if (r < 0)
				break;
			done += r;
			m.scm = NULL; /* the files go with the first bytes */
			if ((size_t)r < c)
				break;
			/* Killed: a long send stops between chunks. */
			if (fatal_signal_pending(current))
				break;
		} while (done < it->total);
		kfree(buf);
		if (done)
			r = (long)done;
	}
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		sock_sigpipe();
	return r;
}

/* Control messages in: parses the user's control buffer into scm. */
static int sock_cmsg_in(struct socket *s, const void __user *uctl, uint64_t len,
			struct sock_scm *scm)
{
	if (len > SOCK_OPTMEM_MAX)
		return -ENOBUFS;
	if (len < sizeof(struct cmsghdr_k))
		return len ? -EINVAL : 0;
	char *k = kmalloc(len);
	if (!k)
		return -ENOMEM;
	int r = 0;
	if (copy_from_user(k, uctl, len)) {
		r = -EFAULT;
		goto out;
	}
	struct process *p = proc_current();
	for (uint64_t off = 0; off + sizeof(struct cmsghdr_k) <= len;) {
		struct cmsghdr_k h;
		memcpy(&h, k + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off) {
			r = -EINVAL;
			goto out;
		}
		const char *data = k + off + sizeof(h);
		uint64_t dlen = h.cmsg_len - sizeof(h);
		if (h.cmsg_level != SOL_SOCKET)
			goto next; /* another level's: not ours */
		if (s->family != AF_UNIX) {
			r = -EINVAL; /* only AF_UNIX carries rights */
			goto out;
		}
		if (h.cmsg_type == SCM_RIGHTS) {
			uint64_t n = dlen / sizeof(int);
			if (n == 0 ||
			    n > (uint64_t)(SCM_MAX_FD - scm->nfiles)) {
				r = -EINVAL;
				goto out;
			}
			for (uint64_t i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, data + i * sizeof(int),
				       sizeof(int));
				struct file *f = fd_get(p, fd);
				if (!f) {
					r = -EBADF;
					goto out;
				}
				scm->files[scm->nfiles++] = f;
			}
		} else if (h.cmsg_type == SCM_CREDENTIALS) {
			struct ucred_k c;
			if (dlen != sizeof(c)) {
				r = -EINVAL;
				goto out;
			}
			memcpy(&c, data, sizeof(c));
			/* Linux's scm_check_creds: one's own pid and one of
			 * one's real, effective or saved ids, unless root. */
			bool root = p->euid == 0;
			if ((c.pid != p->pid && !root) ||
			    (c.uid != p->uid && c.uid != p->euid &&
			     c.uid != p->suid && !root) ||
			    (c.gid != p->gid && c.gid != p->egid &&
			     c.gid != p->sgid && !root)) {
				r = -EPERM;
				goto out;
			}
			scm->creds = c;
			scm->has_creds = true;
		} else {
			r = -EINVAL;
			goto out;
		}
	next:
		off += CMSG_ALIGN_K(h.cmsg_len);
	}
out:
	kfree(k);
	return r;
}

/* Where recvmsg writes control messages, as Linux's put_cmsg. */
struct cmsg_out {
	char __user *ptr;
	uint64_t room, used;
	int flags; /* MSG_CTRUNC */
};

static int cmsg_put(struct cmsg_out *o, int type, const void *data,
		    uint64_t len)
{
	struct cmsghdr_k h = {.cmsg_len = CMSG_LEN_K(len),
			      .cmsg_level = SOL_SOCKET,
			      .cmsg_type = type};
	uint64_t room = o->room - o->used;
	if (room < sizeof(h)) {
		o->flags |= MSG_CTRUNC;
		return 0;
	}
	uint64_t cmlen = h.cmsg_len;
	if (room < cmlen) {
		o->flags |= MSG_CTRUNC;
		cmlen = room;
	}
	if (copy_to_user(o->ptr + o->used, &h, sizeof(h)) ||
	    copy_to_user(o->ptr + o->used + sizeof(h), data, cmlen - sizeof(h)))
		return -EFAULT;
	o->used += MIN(CMSG_SPACE_K(len), room);
	return 0;
}

/* Hands the received scm to the caller: credentials if asked for, the
 * files as new descriptors (those that do not fit are closed). */
static int sock_cmsg_out(struct socket *s, struct sock_scm *scm,
			 struct cmsg_out *o, int flags)
{
	int r = 0;
	if (scm->has_creds && s->passcred)
		r = cmsg_put(o, SCM_CREDENTIALS, &scm->creds,
			     sizeof(scm->creds));
	if (!r && scm->nfiles > 0) {
		uint64_t room = o->room - o->used;
		int fdmax = room > sizeof(struct cmsghdr_k)
				? (int)MIN((room - sizeof(struct cmsghdr_k)) /
					       sizeof(int),
					   (uint64_t)SCM_MAX_FD)
				: 0;
		int fds[SCM_MAX_FD];
		int i = 0;
		for (; i < scm->nfiles && i < fdmax; i++) {
			int fd = fd_install(proc_current(), scm->files[i], 0,
					    flags & MSG_CMSG_CLOEXEC);
			if (fd < 0)
				break;
			scm->files[i] = NULL; /* the descriptor owns it */
			fds[i] = fd;
		}
		if (i > 0)
			r = cmsg_put(o, SCM_RIGHTS, fds, i * sizeof(int));
		if (i < scm->nfiles)
			o->flags |= MSG_CTRUNC;
		/* The rest are closed, as Linux's __scm_destroy. */
		for (int j = i; j < scm->nfiles; j++)
			file_put(scm->files[j]);
		scm->nfiles = 0;
	}
	sock_scm_release(scm);
	return r;
}

static bool sock_readable_now(struct socket *s)
{
	return s->ops->poll && (s->ops->poll(s) & POLLIN);
}

/* One receive into the iterator. m->addr, scm as the caller set them. */
static long sock_recv_iter(struct socket *s, struct file *f,
			   struct sock_iter *it, struct sock_msg *m, int flags)
{
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	m->flags = flags;
	m->nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	if (m->nonblock)
		m->flags |= MSG_DONTWAIT;
	m->deadline_ns = s->rcvtimeo_ns ? time_deadline(s->rcvtimeo_ns) : 0;
	long r;
	if (s->type != SOCK_STREAM) {
		size_t n = MIN(it->total, SOCK_DGRAM_MAX);
		char *buf = kmalloc(MAX(n, 1));
		if (!buf)
			return -ENOBUFS;
		r = s->ops->recvmsg(s, buf, n, m);
		if (r > 0 && iter_copy(it, buf, MIN((size_t)r, n), true))
			r = -EFAULT;
		kfree(buf);
		return r;
	}
	if (it->total == 0)
		return s->ops->recvmsg(s, NULL, 0, m);
	size_t done = 0;
	char *buf = kmalloc(MIN(it->total, SOCK_CHUNK));
	if (!buf)
		return -ENOBUFS;
	for (;;) {
		size_t c = MIN(it->total - done, SOCK_CHUNK);
		r = s->ops->recvmsg(s, buf, c, m);
		if (r <= 0)
			break;
		if (iter_copy(it, buf, r, true)) {
			r = -EFAULT;
			break;
		}
		done += r;
		if (done == it->total || (flags & MSG_PEEK))
			break;
		if (fatal_signal_pending(current))
			break;
		/* Without MSG_WAITALL, only what is there now. */
		if (!(flags & MSG_WAITALL)) {
			if (!sock_readable_now(s))
				break;
			m->nonblock = true;
			m->flags |= MSG_DONTWAIT;
		}
	}
	kfree(buf);
	if (done)
		return (long)done;
	return r;
}

/* sendto and sendmsg share this: the message in kernel form. */
static long sock_sendmsg_k(int fd, struct msghdr_k *mh, int flags)
{
	struct file *f;
	int err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage_k addr;
	struct sock_iter it;
	struct sock_scm *scm = NULL;
	long r = 0;
	bool have_addr = mh->msg_name != NULL && mh->msg_namelen != 0;
	if (have_addr) {
		r = sock_addr_in(&addr, mh->msg_name, mh->msg_namelen);
		if (r)
			goto out_file;
	}
	r = iter_user(&it, mh->msg_iov, mh->msg_iovlen);
	if (r)
		goto out_file;
	if (mh->msg_controllen) {
		scm = kzalloc(sizeof(*scm));
		if (!scm) {
			r = -ENOMEM;
			goto out_iter;
		}
		r = sock_cmsg_in(s, mh->msg_control, mh->msg_controllen, scm);
		if (r)
			goto out_scm;
	}
	r = sock_send_iter(s, f, &it, have_addr ? &addr : NULL,
			   have_addr ? mh->msg_namelen : 0, flags, scm);
out_scm:
	/* The family took its own references to what it queued. */
	sock_scm_release(scm);
	kfree(scm);
out_iter:
	iter_free(&it);
out_file:
	file_put(f);
	return r;
}

/* recvfrom and recvmsg: mh in kernel form; the name, control length and
 * flags are written back to umh (recvmsg) or uaddr/ulen (recvfrom). */
static long sock_recvmsg_k(int fd, struct msghdr_k *mh,
			   struct msghdr_k __user *umh, void __user *uaddr,
			   uint32_t __user *ulen, int flags)
{
	struct file *f;
	int err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage_k addr;
	struct sock_iter it;
	memset(&addr, 0, sizeof(addr));
	long r = iter_user(&it, mh->msg_iov, mh->msg_iovlen);
	if (r)
		goto out_file;
	struct sock_scm *scm = NULL;
	if (s->family == AF_UNIX) {
		scm = kzalloc(sizeof(*scm));
		if (!scm) {
			r = -ENOMEM;
			goto out_iter;
		}
	}
	struct sock_msg m = {
	    .addr = &addr, .addrlen = sizeof(addr), .scm = scm};
	r = sock_recv_iter(s, f, &it, &m, flags & ~MSG_CMSG_CLOEXEC);
	if (r < 0) {
		sock_scm_release(scm);
		goto out_scm;
	}
	uint32_t alen = m.addrlen;
	if (umh) {
		struct cmsg_out o = {
		    .ptr = mh->msg_control,
		    .room = mh->msg_control ? mh->msg_controllen : 0};
		int e = 0;
		if (mh->msg_name && alen &&
		    copy_to_user(mh->msg_name, &addr,
				 MIN(alen, mh->msg_namelen)))
			e = -EFAULT;
		if (!e && mh->msg_name && put_user(alen, &umh->msg_namelen))
			e = -EFAULT;
		if (!e && scm)
			e = sock_cmsg_out(s, scm, &o, flags);
		int oflags = m.out_flags | o.flags;
		if (!e && (put_user(oflags, &umh->msg_flags) ||
			   put_user(o.used, &umh->msg_controllen)))
			e = -EFAULT;
		if (e)
			r = e;
	} else {
		sock_scm_release(scm); /* recvfrom: no room for rights */
		if (uaddr && ulen && sock_addr_out(&addr, alen, uaddr, ulen))
			r = -EFAULT;
	}
out_scm:
	sock_scm_release(scm);
	kfree(scm);
out_iter:
	iter_free(&it);
out_file:
	file_put(f);
	return r;
}

SYSCALL_DEFINE6(sendto, int, fd, const void __user *, buf, size_t, n, int,
		flags, const void __user *, uaddr, uint32_t, alen)
{
	struct file *f;
	int err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sockaddr_storage_k addr;
	struct sock_iter it;
	bool have_addr = uaddr != NULL;
	long r = have_addr ? sock_addr_in(&addr, uaddr, alen) : 0;
	if (!r)
		r = iter_single(&it, (void __user *)buf, n);
	if (!r)
		r = sock_send_iter(s, f, &it, have_addr ? &addr : NULL,
				   have_addr ? alen : 0, flags, NULL);
	file_put(f);
	return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, void __user *, buf, size_t, n, int, flags,
		void __user *, uaddr, uint32_t __user *, ulen)
{
	struct file *f;
	int err;
	struct socket *s = sock_fd(fd, &f, &err);
	if (!s)
		return err;
	struct sock_iter it;
	struct sockaddr_storage_k addr;
	memset(&addr, 0, sizeof(addr));
	long r = iter_single(&it, buf, n);
	if (!r) {
		struct sock_msg m = {.addr = &addr, .addrlen = sizeof(addr)};
		r = sock_recv_iter(s, f, &it, &m, flags);
		if (r >= 0 && uaddr && ulen &&
		    sock_addr_out(&addr, m.addrlen, uaddr, ulen))
			r = -EFAULT;
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, const struct msghdr_k __user *, umh, int,
		flags)
{
	struct msghdr_k mh;
	if (copy_from_user(&mh, umh, sizeof(mh)))
		return -EFAULT;
	return sock_sendmsg_k(fd, &mh, flags);
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct msghdr_k __user *, umh, int, flags)
{
	struct msghdr_k mh;
	if (copy_from_user(&mh, umh, sizeof(mh)))
		return -EFAULT;
	return sock_recvmsg_k(fd, &mh, umh, NULL, NULL, flags);
}

SYSCALL_DEFINE4(sendmmsg, int, fd, struct mmsghdr_k __user *, uvec,
		unsigned int, vlen, int, flags)
{
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		struct msghdr_k mh;
		if (copy_from_user(&mh, &uvec[i].msg_hdr, sizeof(mh))) {
			r = -EFAULT;
			break;
		}
		r = sock_sendmsg_k(fd, &mh, flags);
		if (r < 0)
			break;
		if (put_user((uint32_t)r, &uvec[i].msg_len)) {
			r = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
	}
	return i ? (long)i : r;
}

SYSCALL_DEFINE5(recvmmsg, int, fd, struct mmsghdr_k __user *, uvec,
		unsigned int, vlen, int, flags, struct timespec_k __user *,
		utmo)
{
	uint64_t deadline = 0;
	if (utmo) {
		struct timespec_k ts;
		if (copy_from_user(&ts, utmo, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		uint64_t ns;
		if (__builtin_mul_overflow((uint64_t)ts.tv_sec, 1000000000ull,
					   &ns) ||
		    __builtin_add_overflow(ns, (uint64_t)ts.tv_nsec, &ns))
			ns = TIME_NS_NEVER;
		deadline = time_deadline(ns);
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		struct msghdr_k mh;
		if (copy_from_user(&mh, &uvec[i].msg_hdr, sizeof(mh))) {
			r = -EFAULT;
			break;
		}
		r = sock_recvmsg_k(fd, &mh, &uvec[i].msg_hdr, NULL, NULL,
				   flags & ~MSG_WAITFORONE);
		if (r < 0)
			break;
		if (put_user((uint32_t)r, &uvec[i].msg_len)) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		/* As Linux: the timeout is looked at after each message. */
		if (deadline && time_ns() >= deadline) {
			i++;
			break;
		}
		if (fatal_signal_pending(current)) {
			i++;
			break;
		}
	}
	if (i && utmo && deadline) {
		uint64_t now = time_ns();
		uint64_t left = now < deadline ? deadline - now : 0;
		struct timespec_k ts = {
		    .tv_sec = (int64_t)(left / 1000000000ull),
		    .tv_nsec = (int64_t)(left % 1000000000ull)};
		if (copy_to_user(utmo, &ts, sizeof(ts)))
			return -EFAULT;
	}
	return i ? (long)i : r;
}

/* read, write, readv, writev on a socket (kernel/sys_io.c hands them
 * here): one message each, so a datagram keeps its boundary. */
long sock_rw(struct file *f, char __user *buf, size_t n, bool write)
{
	struct socket *s = sock_from_file(f);
	struct sock_iter it;
	long r = iter_single(&it, buf, n);
	if (r)
		return r;
	if (write)
		return sock_send_iter(s, f, &it, NULL, 0, 0, NULL);
	if (n == 0)
		return 0;
	struct sock_msg m = {0};
	return sock_recv_iter(s, f, &it, &m, 0);
}

/* sendfile's write: n bytes of kernel memory, as write(2) would send
 * them (the file's O_NONBLOCK and SO_SNDTIMEO apply, SIGPIPE on EPIPE). */
long sock_write_kernel(struct file *f, const char *buf, size_t n)
{
	struct sock_iter it;
	memset(&it, 0, sizeof(it));
	it.one.iov_base = (uint64_t)(uintptr_t)buf;
	it.one.iov_len = n;
	it.iov = &it.one;
	it.cnt = 1;
	it.total = n;
	it.kernel = true;
	return sock_send_iter(sock_from_file(f), f, &it, NULL, 0, 0, NULL);
}

long sock_rwv(struct file *f, const struct iovec_k __user *uiov, int cnt,
	      bool write)
{
	struct socket *s = sock_from_file(f);
	struct sock_iter it;
	if (cnt < 0)
		return -EINVAL;
	long r = iter_user(&it, uiov, cnt);
	if (r)
		return r == -EMSGSIZE ? -EINVAL : r;
	if (write) {
		r = sock_send_iter(s, f, &it, NULL, 0, 0, NULL);
	} else if (it.total == 0) {
		r = 0;
	} else {
		struct sock_msg m = {0};
		r = sock_recv_iter(s, f, &it, &m, 0);
	}
	iter_free(&it);
	return r;
}
