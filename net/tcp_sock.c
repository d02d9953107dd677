/* TCP sockets: the proto_ops of AF_INET/SOCK_STREAM over the control
 * blocks of net/tcp_*.c. Each call takes net_lock; a call that must wait
 * drops it around sock_wait. On close the block becomes an orphan that the
 * stack frees when the connection ends (FIN-WAIT, TIME-WAIT). */
#include <lib/string.h>
#include <mutex.h>
#include <net/net.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <proc.h>
#include <random.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/socket.h>
#include <uapi/termios.h>

static int tcp_wait(struct socket *s, bool nonblock, uint64_t deadline,
		    bool (*cond)(struct socket *s, void *arg), void *arg)
{
	int r;

	mutex_unlock(&net_lock);
	r = sock_wait(s, nonblock, deadline, cond, arg);
	mutex_lock(&net_lock);
	return r;
}

/* The layer keeps SOL_SOCKET options in s; the block copies the ones the
 * stack acts on whenever the socket is used. */
static void sync_opts(struct socket *s, struct tcb *t)
{
	t->reuseaddr = s->reuseaddr;
	if (t->keepalive != s->keepalive) {
		t->keepalive = s->keepalive;
		tcp_arm_keepalive(t);
	}
	if (t->state == TCP_CLOSE || t->state == TCP_LISTEN) {
		t->sndbuf_cfg = s->sndbuf;
		t->rcvbuf_cfg = s->rcvbuf;
	}
}

static int tcp_create(struct socket *s, int protocol)
{
	struct tcb *t;

	if (protocol != 0 && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	mutex_lock(&net_lock);
	t = tcb_new();
	if (t) {
		t->sock = s;
		s->sk = t;
	}
	mutex_unlock(&net_lock);
	return t ? 0 : -ENOBUFS;
}

/* Whether binding t to addr:port clashes with another block (Linux's
 * rules: SO_REUSEADDR on both lets non-listeners share, and on the new
 * socket lets it take a port TIME-WAIT still holds). */
static bool port_conflict(struct tcb *t, uint32_t addr, uint16_t port,
			  bool listening)
{
	struct tcb *o;

	if (!tcp_port_users(port))
		return false;
	list_for_each_entry(o, &tcp_all, all_link)
	{
		if (o == t || o->lport != port)
			continue;
		if (o->laddr && addr && o->laddr != addr)
			continue;
		if (t->reuseaddr && o->state == TCP_TIME_WAIT)
			continue;
		if (t->reuseaddr && o->reuseaddr && o->state != TCP_LISTEN &&
		    !listening)
			continue;
		if (t->reuseaddr && o->reuseaddr && listening &&
		    o->state != TCP_LISTEN && o->state != TCP_CLOSE)
			continue;
		return true;
	}
	return false;
}

static int pick_port(struct tcb *t)
{
	uint32_t r, n = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;

	random_fill(&r, sizeof(r));
	for (uint32_t i = 0; i < n; i++) {
		uint16_t p = TCP_EPHEMERAL_LO + (r + i) % n;
		if (!tcp_port_users(p)) {
			tcb_set_port(t, p);
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

static int get_sin(const struct sockaddr_storage_k *a, uint32_t len,
		   uint32_t *addr, uint16_t *port)
{
	const struct sockaddr_in_k *sin = (const struct sockaddr_in_k *)a;

	if (len < sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	*addr = net_ntohl(sin->sin_addr);
	*port = net_ntohs(sin->sin_port);
	return 0;
}

static int tcp_bind(struct socket *s, const struct sockaddr_storage_k *a,
		    uint32_t len)
{
	struct tcb *t = s->sk;
	uint32_t addr;
	uint16_t port;
	int r = get_sin(a, len, &addr, &port);

	if (r)
		return r;
	mutex_lock(&net_lock);
	sync_opts(s, t);
	if (t->lport || t->state != TCP_CLOSE)
		r = -EINVAL;
	else if (addr != INADDR_ANY && !ip_is_local(addr))
		r = -EADDRNOTAVAIL;
	else if (port && port < 1024 && proc_current()->euid != 0)
		r = -EACCES;
	else if (port && port_conflict(t, addr, port, false))
		r = -EADDRINUSE;
	if (!r) {
		t->laddr = addr;
		if (port)
			tcb_set_port(t, port);
		else
			r = pick_port(t);
		if (r)
			t->laddr = 0;
	}
	mutex_unlock(&net_lock);
	return r;
}

static bool not_syn_sent(struct socket *s, void *arg)
{
	struct tcb *t = arg;

	(void)s;
	return t->state != TCP_SYN_SENT;
}

static int tcp_connect(struct socket *s, const struct sockaddr_storage_k *a,
		       uint32_t len, bool nonblock)
{
	struct tcb *t = s->sk;
	uint32_t raddr;
	uint16_t rport;
	int r = get_sin(a, len, &raddr, &rport);

	if (r)
		return r;
	mutex_lock(&net_lock);
	sync_opts(s, t);
	if (t->state == TCP_SYN_SENT) {
		r = -EALREADY;
		goto out;
	}
	if (t->state == TCP_LISTEN) {
		r = -EINVAL;
		goto out;
	}
	if (t->state != TCP_CLOSE) {
		r = -EISCONN;
		goto out;
	}
	if (t->err) { /* a non-blocking connect failed: report it once */
		r = -t->err;
		t->err = 0;
		goto out;
	}
	if (raddr == INADDR_ANY)
		raddr = INADDR_LOOPBACK;
	if (!t->laddr) {
		t->laddr = ip_route_src(raddr);
		if (!t->laddr) {
			r = -ENETUNREACH;
			goto out;
		}
	}
	t->raddr = raddr;
	t->rport = rport;
	if (!t->lport)
		r = pick_port(t);
	else if (tcp_lookup(t->laddr, t->lport, raddr, rport))
		r = -EADDRNOTAVAIL;
	if (!r && tcb_alloc_bufs(t) < 0)
		r = -ENOBUFS;
	if (r)
		goto out;
	tcp_init_seqs(t);
	/* A socket may connect again after a failed attempt: start clean. */
	t->was_reset = t->shut_rd = t->fin_queued = t->persist = false;
	t->rlen = t->slen = 0;
	t->nooo = 0;
	t->retries = 0;
	t->rto_ms = TCP_RTO_INIT_MS;
	t->rtt_valid = false;
	t->rcv_adv = 0;
	t->state = TCP_SYN_SENT;
	t->fin_rcvd = false;
	t->timing = true;
	t->rtt_seq = t->iss + 1;
	t->rtt_start = time_ns();
	tcb_hash(t);
	tcp_stats.active_opens++;
	tcp_send_syn(t);
	if (nonblock) {
		r = -EINPROGRESS;
		goto out;
	}
	r = tcp_wait(s, false,
		     s->sndtimeo_ns ? time_deadline(s->sndtimeo_ns) : 0,
		     not_syn_sent, t);
	if (r == -EAGAIN)
		r = -EINPROGRESS; /* SO_SNDTIMEO ran out, as Linux */
	if (r)
		goto out;
	if (t->state == TCP_CLOSE) {
		r = t->err ? -t->err : -ECONNREFUSED;
		t->err = 0;
	}
out:
	mutex_unlock(&net_lock);
	return r;
}

static int tcp_listen(struct socket *s, int backlog)
{
	struct tcb *t = s->sk;
	int r = 0;

	mutex_lock(&net_lock);
	sync_opts(s, t);
	if (t->state != TCP_CLOSE && t->state != TCP_LISTEN) {
		r = -EINVAL;
		goto out;
	}
	if (backlog < 0 || backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	/* Linux lets backlog+1 connections wait. */
	t->backlog = backlog + 1;
	if (t->state == TCP_LISTEN)
		goto out;
	if (!t->lport)
		r = pick_port(t);
	else if (port_conflict(t, t->laddr, t->lport, true))
		r = -EADDRINUSE;
	if (r)
		goto out;
	t->state = TCP_LISTEN;
	tcb_hash(t);
out:
	mutex_unlock(&net_lock);
	return r;
}

static bool can_accept(struct socket *s, void *arg)
{
	struct tcb *t = arg;

	(void)s;
	return t->acceptq_len > 0 || t->state != TCP_LISTEN;
}

static int tcp_accept(struct socket *s, struct socket *ns, bool nonblock)
{
	struct tcb *t = s->sk, *c;
	int r;

	mutex_lock(&net_lock);
	for (;;) {
		if (t->state != TCP_LISTEN) {
			r = -EINVAL;
			break;
		}
		if (!list_empty(&t->acceptq)) {
			c = list_first_entry(&t->acceptq, struct tcb, q_link);
			list_del(&c->q_link);
			t->acceptq_len--;
			c->parent = NULL;
			c->sock = ns;
			ns->sk = c;
			ns->sndbuf = s->sndbuf;
			ns->rcvbuf = s->rcvbuf;
			ns->keepalive = s->keepalive;
			ns->reuseaddr = s->reuseaddr;
			ns->linger = s->linger;
			r = 0;
			break;
		}
		r = tcp_wait(s, nonblock,
			     s->rcvtimeo_ns ? time_deadline(s->rcvtimeo_ns) : 0,
			     can_accept, t);
		if (r)
			break;
	}
	mutex_unlock(&net_lock);
	return r;
}

static bool can_send(struct socket *s, void *arg)
{
	struct tcb *t = arg;

	(void)s;
	return t->err || t->fin_queued ||
	       (t->state != TCP_SYN_SENT && t->slen < t->scap) ||
	       (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT &&
		t->state != TCP_SYN_SENT);
}

static long tcp_sendmsg(struct socket *s, const char *buf, size_t n,
			struct sock_msg *m)
{
	struct tcb *t = s->sk;
	size_t done = 0;
	long r = 0;

	mutex_lock(&net_lock);
	sync_opts(s, t);
	while (done < n || n == 0) {
		if (t->err) {
			r = -t->err;
			t->err = 0;
			break;
		}
		if (t->fin_queued) {
			r = -EPIPE;
			break;
		}
		if (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT &&
		    t->state != TCP_SYN_SENT) {
			r = t->was_reset || t->state != TCP_CLOSE ? -EPIPE
								  : -ENOTCONN;
			break;
		}
		if (n == 0)
			break;
		if (t->state != TCP_SYN_SENT && t->slen < t->scap) {
			uint32_t k = MIN(t->scap - t->slen, n - done);
			if (t->slen + k > t->sbuf_sz &&
			    tcp_ring_grow(&t->sbuf, &t->sbuf_sz, &t->shead,
					  t->slen, t->slen + k) < 0) {
				k = MIN(k, t->sbuf_sz - t->slen);
				if (!k) {
					r = -ENOBUFS;
					break;
				}
			}
			tcp_ring_write(t->sbuf, t->sbuf_sz, t->shead + t->slen,
				       (const uint8_t *)buf + done, k);
			t->slen += k;
			done += k;
			tcp_output(t);
			continue;
		}
		r = tcp_wait(s, m->nonblock, m->deadline_ns, can_send, t);
		if (r)
			break;
	}
	mutex_unlock(&net_lock);
	return done ? (long)done : r;
}

static bool can_recv(struct socket *s, void *arg)
{
	struct tcb *t = arg;

	(void)s;
	return t->rlen || t->fin_rcvd || t->err || t->shut_rd ||
	       t->state == TCP_CLOSE || t->state == TCP_LISTEN;
}

/* After the reader made room: announce it if the window grew by enough
 * (RFC 9293 3.8.6.2.2), or the peer may sit on a closed window. */
/* After a read of copied bytes: announce the window now if it grew by two
 * segments or half the buffer, or doubled, or if an ACK is owed (a
 * delayed one is pending) and either a full segment arrived since the
 * last one or this read of at least half a segment emptied the queue
 * (a bulk reader, not a ping-pong whose reply will carry the ACK), as
 * Linux's tcp_cleanup_rbuf. Otherwise the sender waits out the
 * delayed-ACK timer (make bench's tcp_loopback_bandwidth: 50 MB/s, and
 * 245 with this). */
static void window_update(struct tcb *t, uint32_t copied)
{
	uint32_t cur =
	    SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t w = tcp_rcv_window(t);
	bool owed = t->delack_timer.expires != 0 &&
		    (t->rcv_nxt - t->rcv_wup >= t->adv_mss ||
		     (t->rlen == 0 && copied >= t->adv_mss / 2));

	if (t->state == TCP_ESTABLISHED || t->state == TCP_FIN_WAIT1 ||
	    t->state == TCP_FIN_WAIT2)
		if (w > cur &&
		    (owed || w - cur >= MIN(t->rcap / 2, 2 * t->adv_mss) ||
		     w / 2 >= cur))
			tcp_send_ack(t);
}

static long tcp_recvmsg(struct socket *s, char *buf, size_t n,
			struct sock_msg *m)
{
	struct tcb *t = s->sk;
	bool peek = m->flags & MSG_PEEK;
	bool waitall = (m->flags & MSG_WAITALL) && !peek;
	size_t done = 0;
	long r = 0;

	m->addrlen = 0;
	mutex_lock(&net_lock);
	sync_opts(s, t);
	if (t->state == TCP_LISTEN) {
		r = -ENOTCONN;
		goto out;
	}
	while (done < n) {
		if (t->rlen) {
			uint32_t k = MIN(t->rlen, n - done);
			tcp_ring_read(t->rbuf, t->rbuf_sz, t->rhead,
				      (uint8_t *)buf + done, k);
			done += k;
			if (peek)
				break;
			t->rhead = (t->rhead + k) % t->rbuf_sz;
			t->rlen -= k;
			window_update(t, k);
			if (!waitall)
				break;
			continue;
		}
		if (t->fin_rcvd || t->shut_rd)
			break;
		if (t->err) {
			if (!done) {
				r = -t->err;
				t->err = 0;
			}
			break;
		}
		if (t->state == TCP_CLOSE) {
			if (!done && !t->was_reset)
				r = -ENOTCONN;
			break;
		}
		if (done && !waitall)
			break;
		r = tcp_wait(s, m->nonblock, m->deadline_ns, can_recv, t);
		if (r)
			break;
	}
out:
	mutex_unlock(&net_lock);
	return done ? (long)done : r;
}

static void send_fin(struct tcb *t)
{
	if (t->fin_queued)
		return;
	if (t->state == TCP_ESTABLISHED) {
		t->fin_queued = true;
		tcp_set_state(t, TCP_FIN_WAIT1);
	} else if (t->state == TCP_CLOSE_WAIT) {
		t->fin_queued = true;
		tcp_set_state(t, TCP_LAST_ACK);
	} else {
		return;
	}
	tcp_output(t);
}

static int tcp_shutdown(struct socket *s, int how)
{
	struct tcb *t = s->sk;
	int r = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mutex_lock(&net_lock);
	if (t->state == TCP_CLOSE || t->state == TCP_SYN_SENT) {
		r = -ENOTCONN;
	} else if (t->state == TCP_LISTEN) {
		/* Linux: a listener shut down stops listening. */
		if (how != SHUT_WR) {
			tcb_free_children(t);
			tcb_unhash(t);
			t->state = TCP_CLOSE;
			tcp_wake(t);
		}
	} else {
		if (how != SHUT_WR)
			t->shut_rd = true;
		if (how != SHUT_RD)
			send_fin(t);
		tcp_wake(t);
	}
	mutex_unlock(&net_lock);
	return r;
}

static int tcp_getname(struct socket *s, struct sockaddr_storage_k *a,
		       uint32_t *len, bool peer)
{
	struct tcb *t = s->sk;
	struct sockaddr_in_k sin;
	int r = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	mutex_lock(&net_lock);
	if (peer) {
		if (t->state == TCP_CLOSE || t->state == TCP_LISTEN ||
		    t->state == TCP_SYN_SENT)
			r = -ENOTCONN;
		sin.sin_addr = net_htonl(t->raddr);
		sin.sin_port = net_htons(t->rport);
	} else {
		sin.sin_addr = net_htonl(t->laddr);
		sin.sin_port = net_htons(t->lport);
	}
	mutex_unlock(&net_lock);
	if (r)
		return r;
	memcpy(a, &sin, MIN(*len, (uint32_t)sizeof(sin)));
	*len = sizeof(sin);
	return 0;
}

static unsigned tcp_poll(struct socket *s)
{
	struct tcb *t = s->sk;
	unsigned m = 0;
	int st;

	/* Without net_lock (poll must not sleep): each field is read once
	 * as a hint; a change wakes s->wq and pollers look again. */
	if (!t)
		return POLLERR;
	st = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
	if (st == TCP_LISTEN)
		return t->acceptq_len ? POLLIN | POLLRDNORM : 0;
	if (t->err)
		m |= POLLERR;
	if (st == TCP_CLOSE || (t->fin_rcvd && t->fin_queued))
		m |= POLLHUP;
	if (t->fin_rcvd || t->shut_rd)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (t->rlen)
		m |= POLLIN | POLLRDNORM;
	if (st == TCP_CLOSE)
		m |= POLLOUT | POLLWRNORM | (t->was_reset ? POLLIN : 0);
	else if (st != TCP_SYN_SENT && st != TCP_SYN_RECV &&
		 (t->fin_queued || t->scap - t->slen >= t->scap / 4 ||
		  (st != TCP_ESTABLISHED && st != TCP_CLOSE_WAIT)))
		m |= POLLOUT | POLLWRNORM;
	return m;
}

/* The interface ioctls are net/devinet.c's; a weak reference, so a build
 * without that file answers -ENOTTY. */
long netif_ioctl(unsigned long cmd, uintptr_t arg) __attribute__((weak));

static long tcp_ioctl(struct socket *s, unsigned long cmd, uintptr_t arg)
{
	struct tcb *t = s->sk;
	int v;

	switch (cmd) {
	case FIONREAD: /* SIOCINQ */
	case TIOCOUTQ: /* SIOCOUTQ */
		mutex_lock(&net_lock);
		if (t->state == TCP_LISTEN)
			v = -1;
		else
			v = cmd == FIONREAD ? (int)t->rlen : (int)t->slen;
		mutex_unlock(&net_lock);
		if (v < 0)
			return -EINVAL;
		return put_user(v, (int __user *)arg) ? -EFAULT : 0;
	default:
		return netif_ioctl ? netif_ioctl(cmd, arg) : -ENOTTY;
	}
}

static bool fin_acked_or_gone(struct socket *s, void *arg)
{
	(void)s;
	int st = __atomic_load_n(&((struct tcb *)arg)->state, __ATOMIC_RELAXED);
	return st != TCP_FIN_WAIT1 && st != TCP_CLOSING && st != TCP_LAST_ACK;
}

/* The file is gone. The block lives on as an orphan to finish the close
 * (RFC 9293 3.10.4), or is reset at once with unread data or a zero
 * linger (RFC 2525 2.17, as Linux). With SO_LINGER and a time, the close
 * first waits (interruptibly, at most that long) for the peer to
 * acknowledge our FIN, as Linux's sk_stream_wait_close; a process that is
 * exiting does not wait (Linux neither). The socket stays attached while
 * it waits, so the stack cannot free the block under it. */
static void tcp_release(struct socket *s)
{
	struct tcb *t = s->sk;
	bool abort;

	if (!t)
		return;
	mutex_lock(&net_lock);
	abort = t->rlen || (s->linger.l_onoff && s->linger.l_linger == 0);
	if (!abort && s->linger.l_onoff && s->linger.l_linger > 0 &&
	    !proc_current()->in_exit) {
		send_fin(t);
		uint64_t secs = (uint32_t)s->linger.l_linger;
		tcp_wait(s, false, time_ns() + secs * NSEC_PER_SEC,
			 fin_acked_or_gone, t);
	}
	s->sk = NULL;
	t->sock = NULL;
	switch (t->state) {
	case TCP_LISTEN:
	case TCP_CLOSE:
	case TCP_SYN_SENT:
		tcb_free(t);
		break;
	case TCP_TIME_WAIT:
		if (abort)
			tcb_free(t);
		else
			tcb_free_bufs(t); /* nothing left to send or read */
		break;
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (abort || t->state == TCP_SYN_RECV) {
			tcp_send_rst(t);
			tcb_free(t);
			break;
		}
		send_fin(t);
		if (t->state == TCP_FIN_WAIT2)
			tcp_arm_finwait2(t);
		break;
	}
	mutex_unlock(&net_lock);
}

static const struct proto_ops tcp_ops = {
    .family = AF_INET,
    .type = SOCK_STREAM,
    .create = tcp_create,
    .bind = tcp_bind,
    .connect = tcp_connect,
    .listen = tcp_listen,
    .accept = tcp_accept,
    .sendmsg = tcp_sendmsg,
    .recvmsg = tcp_recvmsg,
    .shutdown = tcp_shutdown,
    .getname = tcp_getname,
    .setsockopt = tcp_setsockopt,
    .getsockopt = tcp_getsockopt,
    .poll = tcp_poll,
    .ioctl = tcp_ioctl,
    .release = tcp_release,
};

static void tcp_sock_init(void)
{
	sock_register(&tcp_ops);
}

/* The socket layer calls inet_sock_init once, before the first socket
 * (UDP registers itself from udp_init in net_init). */
void inet_sock_init(void)
{
	tcp_sock_init();
}
