/* Sockets (net/socket.c): a socket is an open file whose operations are
 * its address family's. The socket layer owns the system calls: it copies
 * addresses, data and control messages between user and kernel memory,
 * handles the SOL_SOCKET options every family shares, SIGPIPE, timeouts
 * and non-blocking mode, and calls the family's proto_ops with kernel
 * buffers only. A family (net/unix.c, net/udp.c, net/tcp_sock.c...)
 * registers one proto_ops per (family, type) with sock_register. */
#ifndef LIMEN_NET_SOCKET_H
#define LIMEN_NET_SOCKET_H

#include <sched.h>
#include <spinlock.h>
#include <types.h>
#include <uapi/socket.h>

struct file;
struct socket;

/* One send or receive, as the family sees it. */
struct sock_msg {
	/* send: the destination (addr NULL: the connected peer).
	 * recv: where the family writes the sender's address, addrlen in:
	 * the room (sizeof(struct sockaddr_storage_k)), out: its length
	 * (0: none, as a connected stream has). */
	struct sockaddr_storage_k *addr;
	uint32_t addrlen;
	int flags;     /* MSG_* the caller passed (MSG_DONTWAIT folded in) */
	int out_flags; /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_EOR for the caller */
	bool nonblock; /* O_NONBLOCK or MSG_DONTWAIT */
	uint64_t
	    deadline_ns; /* SO_RCVTIMEO/SO_SNDTIMEO as a deadline; 0: none */
	/* AF_UNIX ancillary data, or NULL when the family has none. send:
	 * what the caller attached; recv: what the family hands over (the
	 * layer installs the files as descriptors and frees the rest). */
	struct sock_scm *scm;
};

/* Ancillary data in kernel form. The files hold references. */
#define SCM_MAX_FD 253
struct sock_scm {
	struct file *files[SCM_MAX_FD];
	int nfiles;
	bool has_creds;
	struct ucred_k creds;
};
void sock_scm_release(struct sock_scm *scm);

/* A family's operations. Every one may sleep unless said otherwise; a
 * blocking one honours m->nonblock / nonblock (-EAGAIN, or -EINPROGRESS
 * for connect), the deadline (-EAGAIN at it, as Linux's timeouts) and
 * signals (-EINTR: this kernel has no -ERESTARTSYS; kernel/signal.c
 * restarts the socket calls under SA_RESTART by their number). NULL
 * entries: the layer returns -EOPNOTSUPP. */
struct proto_ops {
	int family, type;
	/* Sets up s->sk for protocol (0: the type's default); -EPROTONOSUPPORT
	 * for a protocol it does not speak. */
	int (*create)(struct socket *s, int protocol);
	int (*bind)(struct socket *s, const struct sockaddr_storage_k *a,
		    uint32_t len);
	int (*connect)(struct socket *s, const struct sockaddr_storage_k *a,
		       uint32_t len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* ns is made by the layer (same family, type and ops; no sk yet):
	 * the family fills ns->sk with the next connection. */
	int (*accept)(struct socket *s, struct socket *ns, bool nonblock);
	/* Returns bytes taken (a stream may take fewer than n) or -errno;
	 * -EPIPE on a stream shut for writing (the layer raises SIGPIPE
	 * unless MSG_NOSIGNAL). */
	long (*sendmsg)(struct socket *s, const char *buf, size_t n,
			struct sock_msg *m);
	/* Returns bytes copied (0: end of stream) or -errno. A datagram
	 * longer than n is cut (MSG_TRUNC in out_flags; with MSG_TRUNC in
	 * flags the return is its full length). */
	long (*recvmsg)(struct socket *s, char *buf, size_t n,
			struct sock_msg *m);
	int (*shutdown)(struct socket *s, int how);
	/* peer: getpeername (-ENOTCONN if none). *len in: the room, out:
	 * the address's length. */
	int (*getname)(struct socket *s, struct sockaddr_storage_k *a,
		       uint32_t *len, bool peer);
	/* Options of other levels than SOL_SOCKET, and the SOL_SOCKET ones
	 * the layer does not keep (SO_ERROR, SO_PEERCRED, SO_ACCEPTCONN);
	 * kernel buffers; -ENOPROTOOPT for unknown ones. */
	int (*setsockopt)(struct socket *s, int level, int name,
			  const void *val, uint32_t len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val,
			  uint32_t *len);
	/* Readiness (POLLIN, POLLOUT, POLLHUP, POLLRDHUP, POLLERR); must not
	 * sleep. Wake s->wq whenever it may have changed. */
	unsigned (*poll)(struct socket *s);
	long (*ioctl)(struct socket *s, unsigned long cmd, uintptr_t arg);
	/* socketpair: a and b are both fresh (create already called). */
	int (*pair)(struct socket *a, struct socket *b);
	/* The last file reference is gone: drop sk (a TCP connection may
	 * live on in the stack until it closes). */
	void (*release)(struct socket *s);
};

struct socket {
	const struct proto_ops *ops;
	int family, type, protocol;
	void *sk;	   /* the family's state */
	struct file *file; /* not a reference: the file owns the socket */
	/* Pollers, readers, writers and connecters sleep here; the family
	 * wakes it (wait_queue_wake_all) on every change of readiness. */
	struct wait_queue wq;
	/* SOL_SOCKET options the layer keeps for every family (sock_lock
	 * is not needed: each is one aligned word, read as a hint). */
	bool reuseaddr, reuseport, keepalive, broadcast, passcred;
	struct linger_k linger;
	uint32_t sndbuf, rcvbuf;	   /* bytes, as Linux doubles them */
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: none */
	uint32_t creator_uid; /* fsuid at socket(): /proc, SO_PEERCRED */
};

/* Registers a family's operations for one type. */
int sock_register(const struct proto_ops *ops);
/* Whether f is a socket, and which. */
struct socket *sock_from_file(struct file *f);
/* A new socket file (for in-kernel users and socketpair/accept): creates
 * it with the registered ops and protocol; *out gets the file with one
 * reference. */
int sock_create(int family, int type, int protocol, struct file **out);
/* read/write and readv/writev on a socket file (kernel/sys_io.c calls
 * these for sockets so a datagram is one message, not page-sized pieces). */
long sock_rw(struct file *f, char __user *buf, size_t n, bool write);
long sock_write_kernel(struct file *f, const char *buf, size_t n);
long sock_rwv(struct file *f, const struct iovec_k __user *uiov, int cnt,
	      bool write);

/* Families built in register from a function of this name, which the
 * layer calls once before the first socket is made (weak references in
 * net/socket.c: a family adds its own without editing the layer). */
void unix_sock_init(void);
void inet_sock_init(void);
void netlink_sock_init(void);

/* Network byte order helpers live in uapi/socket.h (net_htons...). */

/* For families: sleep on s->wq until cond, honouring nonblock (-EAGAIN),
 * the deadline (-EAGAIN) and signals (-EINTR), as the proto_ops comment
 * says; 0 once cond holds. cond is evaluated with the scheduler lock held
 * and no family lock: keep it to reading flags (hints the family checks
 * again under its lock), and change them before waking s->wq. */
int sock_wait(struct socket *s, bool nonblock, uint64_t deadline_ns,
	      bool (*cond)(struct socket *s, void *arg), void *arg);

#endif
