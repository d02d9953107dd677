/* AF_NETLINK sockets, NETLINK_ROUTE only (SOCK_RAW and SOCK_DGRAM alike,
 * as Linux): a process talks to the kernel's rtnetlink (net/rtnetlink.c)
 * by sending requests to port 0 and reading the replies. This file keeps
 * the ports, the bounded receive queue, dumps continued across reads, and
 * builds and parses the messages; rtnetlink says what they mean.
 *
 * Every field of an nl_sock is under net_lock, as all protocol state.
 * Requests run in the sender's system call (for its euid), replies wait
 * in the queue, each one datagram of whole messages. A dump is not built
 * ahead: each read that finds the queue empty builds its next part, as
 * many messages as fit the reader's buffer (at least one), from a cursor,
 * so a dump costs no memory while nobody reads and a small buffer reads
 * it in many parts. The queue holds at most the socket's SO_RCVBUF bytes;
 * a reply past that is dropped and the next read fails with ENOBUFS, as
 * Linux's netlink_overrun. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/net.h>
#include <net/socket.h>
#include <proc.h>
#include <uapi/errno.h>
#include <uapi/netlink.h>
#include <uapi/poll.h>

#include "netlink_internal.h"

/* A queued datagram costs its bytes and this much for its buffer. */
#define NL_OVERHEAD 256
/* A dump's part holds at most this many bytes (Linux: 32 KiB), and a
 * reader with a smaller buffer still gets one whole message, which needs
 * no more than NL_DUMP_MIN. */
#define NL_DUMP_MAX 32768
#define NL_DUMP_MIN 2048
/* Room for the single replies a request can make (RTM_GETLINK). */
#define NL_REPLY_MAX 2048

struct nl_sock {
	struct socket *s;
	uint32_t portid;      /* 0: not bound yet */
	uint32_t groups;      /* kept for getsockname; no events are sent */
	bool cap_ack;	      /* NETLINK_CAP_ACK */
	bool ext_ack;	      /* NETLINK_EXT_ACK (accepted, no TLVs) */
	struct list_head rxq; /* netbufs, one datagram each */
	size_t rmem;	      /* bytes charged for rxq */
	int err;	      /* pending error (ENOBUFS) */
	struct nl_dump dump;
	struct list_head link; /* nl_socks */
};

static LIST_HEAD(nl_socks);		/* net_lock */
static uint32_t nl_rover = 0xffffefffu; /* net_lock: Linux's -4097 */

/* ---- Building and parsing messages ---- */

struct nlmsghdr_k *nl_msg_put(struct nl_buf *b, uint16_t type, uint16_t flags,
			      uint32_t seq, uint32_t portid, size_t payload)
{
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
	if (b->len > b->cap || need > b->cap - b->len ||
	    (b->max_msgs && b->nmsgs >= b->max_msgs))
		return NULL;
	b->nmsgs++;
	struct nlmsghdr_k *h = (struct nlmsghdr_k *)(b->data + b->len);
	memset(h, 0, need);
	h->nlmsg_len = (uint32_t)need;
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = portid;
	b->len += need;
	return h;
}

void nl_msg_end(struct nl_buf *b, struct nlmsghdr_k *h)
{
	h->nlmsg_len = (uint32_t)(b->data + b->len - (uint8_t *)h);
}

int nl_attr_put(struct nl_buf *b, uint16_t type, const void *data, size_t len)
{
	size_t need = NLA_ALIGN(NLA_HDRLEN + len);
	if (len > 0xffff - NLA_HDRLEN || b->len > b->cap ||
	    need > b->cap - b->len)
		return -EMSGSIZE;
	struct nlattr_k *a = (struct nlattr_k *)(b->data + b->len);
	memset(a, 0, need);
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	a->nla_type = type;
	memcpy(a + 1, data, len);
	b->len += need;
	return 0;
}

int nl_attr_put_u32(struct nl_buf *b, uint16_t type, uint32_t v)
{
	return nl_attr_put(b, type, &v, sizeof(v));
}

int nl_attr_put_u8(struct nl_buf *b, uint16_t type, uint8_t v)
{
	return nl_attr_put(b, type, &v, sizeof(v));
}

int nl_attr_parse(const void *attrs, size_t len, const struct nlattr_k **tb,
		  int max)
{
	for (int i = 0; i <= max; i++)
		tb[i] = NULL;
	const uint8_t *p = attrs;
	while (len >= NLA_HDRLEN) {
		const struct nlattr_k *a = (const struct nlattr_k *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EINVAL;
		int type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		size_t step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			return 0;
		p += step;
		len -= step;
	}
	/* Trailing bytes too few for a header: Linux warns and goes on. */
	return 0;
}

/* ---- The receive queue ---- */

/* Queues b's messages as one datagram; on overrun drops them and marks
 * the socket (an empty queue takes one whatever SO_RCVBUF says, so a
 * dump always moves). Frees nothing of b (the caller owns it). */
static void nl_queue(struct nl_sock *nk, const struct nl_buf *b)
{
	if (!b->len)
		return;
	size_t charge = b->len + NL_OVERHEAD;
	if (!list_empty(&nk->rxq) && nk->rmem + charge > nk->s->rcvbuf) {
		nk->err = ENOBUFS;
		wait_queue_wake_all(&nk->s->wq);
		return;
	}
	struct netbuf *nb = netbuf_alloc(0, b->len);
	if (!nb) {
		nk->err = ENOBUFS;
		wait_queue_wake_all(&nk->s->wq);
		return;
	}
	memcpy(nb->data, b->data, b->len);
	nb->cb[0] = (uint32_t)charge;
	list_add_tail(&nb->link, &nk->rxq);
	nk->rmem += charge;
	wait_queue_wake_all(&nk->s->wq);
}

/* NLMSG_ERROR for request h: its header, and on an error its payload too
 * unless NETLINK_CAP_ACK (Linux's netlink_ack). */
static void nl_ack(struct nl_sock *nk, const struct nlmsghdr_k *h, int err)
{
	size_t extra = 0;
	uint16_t flags = 0;
	if (err && !nk->cap_ack)
		extra = h->nlmsg_len - NLMSG_HDRLEN;
	else
		flags = NLM_F_CAPPED;
	size_t size = NLMSG_HDRLEN + sizeof(struct nlmsgerr_k) + extra + 4;
	struct nl_buf b = {.data = kmalloc(size), .cap = size};
	if (!b.data) {
		nk->err = ENOBUFS;
		return;
	}
	struct nlmsghdr_k *r =
	    nl_msg_put(&b, NLMSG_ERROR, flags, h->nlmsg_seq, nk->portid,
		       sizeof(struct nlmsgerr_k) + extra);
	struct nlmsgerr_k *e = nl_msg_data(r);
	e->error = err;
	memcpy(&e->msg, h, sizeof(*h) + extra);
	nl_queue(nk, &b);
	kfree(b.data);
}

/* The next part of the running dump, built for a reader of n bytes. */
static void nl_dump_next(struct nl_sock *nk, size_t n)
{
	struct nl_dump *d = &nk->dump;
	size_t alloc = MIN(MAX(n, (size_t)NL_DUMP_MIN), (size_t)NL_DUMP_MAX);
	struct nl_buf b = {.data = kmalloc(alloc), .cap = MIN(n, alloc)};
	if (!b.data) {
		nk->err = ENOBUFS;
		d->active = false;
		return;
	}
	int done = d->entries_done;
	if (!done) {
		done = rtnl_dump(d, &b);
		if (!b.len && !done) {
			/* Not even one message fits the reader: give it
			 * one whole, which it will see cut (MSG_TRUNC). */
			b.cap = alloc;
			b.max_msgs = 1;
			b.nmsgs = 0;
			done = rtnl_dump(d, &b);
		}
		if (!b.len && !done)
			done = 1; /* cannot happen: a message is < 1 KiB */
	}
	/* NLMSG_DONE goes in a part of its own, as Linux's netlink_dump
	 * sends it after a call that found nothing more. */
	if (done && b.len) {
		d->entries_done = true;
	} else if (done) {
		b.cap = alloc;
		b.max_msgs = 0;
		nl_msg_put(&b, NLMSG_DONE, NLM_F_MULTI, d->seq, d->portid, 4);
		d->active = false; /* payload 0: the dump's status */
	}
	nl_queue(nk, &b);
	kfree(b.data);
}

/* ---- Ports ---- */

static struct nl_sock *nl_by_port(uint32_t portid)
{
	struct nl_sock *o;
	list_for_each_entry(o, &nl_socks, link)
	{
		if (o->portid == portid)
			return o;
	}
	return NULL;
}

/* Linux's netlink_autobind: the process's pid if free, else a unique
 * negative number. */
static int nl_autobind(struct nl_sock *nk)
{
	if (nk->portid)
		return 0;
	uint32_t id = (uint32_t)proc_current()->pid;
	for (unsigned tries = 0; nl_by_port(id) || id == 0; tries++) {
		if (tries > 100000)
			return -EADDRINUSE;
		id = nl_rover--;
		if (nl_rover < 0x80000000u)
			nl_rover = 0xffffefffu;
	}
	nk->portid = id;
	return 0;
}

/* ---- The socket calls ---- */

static int nl_create(struct socket *s, int protocol)
{
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	struct nl_sock *nk = kzalloc(sizeof(*nk));
	if (!nk)
		return -ENOMEM;
	nk->s = s;
	list_init(&nk->rxq);
	s->protocol = protocol;
	s->sk = nk;
	mutex_lock(&net_lock);
	list_add_tail(&nk->link, &nl_socks);
	mutex_unlock(&net_lock);
	return 0;
}

static int nl_addr(const struct sockaddr_storage_k *a, uint32_t len,
		   struct sockaddr_nl_k *out)
{
	if (len < sizeof(*out))
		return -EINVAL;
	memcpy(out, a, sizeof(*out));
	return out->nl_family == AF_NETLINK ? 0 : -EINVAL;
}

static int nl_bind(struct socket *s, const struct sockaddr_storage_k *a,
		   uint32_t len)
{
	struct nl_sock *nk = s->sk;
	struct sockaddr_nl_k sa;
	int r = nl_addr(a, len, &sa);
	if (r)
		return r;
	mutex_lock(&net_lock);
	if (nk->portid && sa.nl_pid != nk->portid)
		r = -EINVAL;
	else if (!nk->portid && sa.nl_pid && nl_by_port(sa.nl_pid))
		r = -EADDRINUSE;
	else if (!nk->portid && sa.nl_pid)
		nk->portid = sa.nl_pid;
	else
		r = nl_autobind(nk);
	if (!r)
		nk->groups = sa.nl_groups;
	mutex_unlock(&net_lock);
	return r;
}

/* Only the kernel (port 0) is a peer: messages between processes are not
 * carried. */
static int nl_connect(struct socket *s, const struct sockaddr_storage_k *a,
		      uint32_t len, bool nonblock)
{
	(void)nonblock;
	struct sockaddr_nl_k sa;
	int r = nl_addr(a, len, &sa);
	if (r)
		return r;
	if (sa.nl_pid || sa.nl_groups)
		return -EOPNOTSUPP;
	mutex_lock(&net_lock);
	r = nl_autobind(s->sk);
	mutex_unlock(&net_lock);
	return r;
}

static int nl_getname(struct socket *s, struct sockaddr_storage_k *a,
		      uint32_t *len, bool peer)
{
	struct nl_sock *nk = s->sk;
	struct sockaddr_nl_k sa = {.nl_family = AF_NETLINK};
	if (!peer) {
		mutex_lock(&net_lock);
		sa.nl_pid = nk->portid;
		sa.nl_groups = nk->groups;
		mutex_unlock(&net_lock);
	}
	memcpy(a, &sa, sizeof(sa));
	*len = sizeof(sa);
	return 0;
}

/* Runs each request in buf in turn (Linux's netlink_rcv_skb): a message
 * whose length is short or runs past the end ends the batch silently; one
 * without NLM_F_REQUEST, or a control message, is only acknowledged if it
 * asks. */
static void nl_run(struct nl_sock *nk, const char *buf, size_t n)
{
	struct nl_buf out = {.data = kmalloc(NL_REPLY_MAX),
			     .cap = NL_REPLY_MAX};
	if (!out.data) {
		nk->err = ENOBUFS;
		return;
	}
	while (n >= NLMSG_HDRLEN) {
		struct nlmsghdr_k h;
		memcpy(&h, buf, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > n)
			break;
		/* The request, aligned, for rtnetlink to read in place. */
		struct nlmsghdr_k *req = kmalloc(h.nlmsg_len);
		if (!req) {
			nk->err = ENOBUFS;
			break;
		}
		memcpy(req, buf, h.nlmsg_len);
		int err = 0;
		out.len = 0;
		if ((h.nlmsg_flags & NLM_F_REQUEST) &&
		    h.nlmsg_type >= NLMSG_MIN_TYPE)
			err = rtnl_request(req, nk->portid, &nk->dump, &out);
		nl_queue(nk, &out);
		if (err == RTNL_DUMP_STARTED)
			wait_queue_wake_all(&nk->s->wq);
		else if (err || (h.nlmsg_flags & NLM_F_ACK))
			nl_ack(nk, req, err);
		kfree(req);
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step >= n)
			break;
		buf += step;
		n -= step;
	}
	kfree(out.data);
}

static long nl_sendmsg(struct socket *s, const char *buf, size_t n,
		       struct sock_msg *m)
{
	struct nl_sock *nk = s->sk;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr) {
		struct sockaddr_nl_k sa;
		int r = nl_addr(m->addr, m->addrlen, &sa);
		if (r)
			return r;
		if (sa.nl_pid || sa.nl_groups)
			return -EOPNOTSUPP;
	}
	if (n > s->sndbuf)
		return -EMSGSIZE;
	mutex_lock(&net_lock);
	long r = nl_autobind(nk);
	if (!r) {
		nl_run(nk, buf, n);
		r = (long)n;
	}
	mutex_unlock(&net_lock);
	return r;
}

static bool nl_readable(struct socket *s, void *arg)
{
	(void)arg;
	struct nl_sock *nk = s->sk;
	return !list_empty(&nk->rxq) || nk->dump.active || nk->err;
}

static long nl_recvmsg(struct socket *s, char *buf, size_t n,
		       struct sock_msg *m)
{
	struct nl_sock *nk = s->sk;
	long r;
	if (m->flags & (MSG_OOB | MSG_ERRQUEUE))
		return m->flags & MSG_OOB ? -EOPNOTSUPP : -EAGAIN;
	mutex_lock(&net_lock);
	for (;;) {
		if (nk->err) {
			r = -nk->err;
			nk->err = 0;
			goto out;
		}
		if (list_empty(&nk->rxq) && nk->dump.active)
			nl_dump_next(nk, n);
		if (!list_empty(&nk->rxq))
			break;
		if (nk->err)
			continue;
		mutex_unlock(&net_lock);
		r = sock_wait(s, m->nonblock, m->deadline_ns, nl_readable,
			      NULL);
		mutex_lock(&net_lock);
		if (r && list_empty(&nk->rxq) && !nk->dump.active)
			goto out;
	}
	struct netbuf *nb = list_first_entry(&nk->rxq, struct netbuf, link);
	size_t c = MIN(nb->len, n);
	memcpy(buf, nb->data, c);
	m->out_flags = nb->len > n ? MSG_TRUNC : 0;
	r = (m->flags & MSG_TRUNC) ? (long)nb->len : (long)c;
	if (m->addr) {
		struct sockaddr_nl_k sa = {.nl_family = AF_NETLINK};
		uint32_t l = MIN(m->addrlen, (uint32_t)sizeof(sa));
		memcpy(m->addr, &sa, l);
		m->addrlen = sizeof(sa);
	}
	if (!(m->flags & MSG_PEEK)) {
		list_del(&nb->link);
		nk->rmem -= nb->cb[0];
		netbuf_free(nb);
	}
out:
	mutex_unlock(&net_lock);
	return r;
}

static int nl_setsockopt(struct socket *s, int level, int name, const void *val,
			 uint32_t len)
{
	struct nl_sock *nk = s->sk;
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case NETLINK_CAP_ACK:
		nk->cap_ack = v != 0;
		return 0;
	case NETLINK_EXT_ACK:
		nk->ext_ack = v != 0;
		return 0;
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		/* No rtnetlink events are sent: joining is harmless. */
		return 0;
	}
	return -ENOPROTOOPT;
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val,
			 uint32_t *len)
{
	struct nl_sock *nk = s->sk;
	int v;
	if (level == SOL_SOCKET && name == SO_ERROR) {
		mutex_lock(&net_lock);
		v = nk->err;
		nk->err = 0;
		mutex_unlock(&net_lock);
	} else if (level == SOL_NETLINK && name == NETLINK_CAP_ACK) {
		v = nk->cap_ack;
	} else if (level == SOL_NETLINK && name == NETLINK_EXT_ACK) {
		v = nk->ext_ack;
	} else {
		return -ENOPROTOOPT;
	}
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(int);
	return 0;
}

static unsigned nl_poll(struct socket *s)
{
	struct nl_sock *nk = s->sk;
	unsigned ev = POLLOUT | POLLWRNORM;
	if (!list_empty(&nk->rxq) || nk->dump.active)
		ev |= POLLIN | POLLRDNORM;
	if (nk->err)
		ev |= POLLERR;
	return ev;
}

static void nl_release(struct socket *s)
{
	struct nl_sock *nk = s->sk;
	if (!nk)
		return;
	mutex_lock(&net_lock);
	list_del(&nk->link);
	netbuf_queue_purge(&nk->rxq);
	mutex_unlock(&net_lock);
	kfree(nk);
	s->sk = NULL;
}

static const struct proto_ops nl_raw_ops = {
    .family = AF_NETLINK,
    .type = SOCK_RAW,
    .create = nl_create,
    .bind = nl_bind,
    .connect = nl_connect,
    .sendmsg = nl_sendmsg,
    .recvmsg = nl_recvmsg,
    .getname = nl_getname,
    .setsockopt = nl_setsockopt,
    .getsockopt = nl_getsockopt,
    .poll = nl_poll,
    .release = nl_release,
};

static struct proto_ops nl_dgram_ops;

/* The socket layer calls this once before the first socket. */
void netlink_sock_init(void)
{
	nl_dgram_ops = nl_raw_ops;
	nl_dgram_ops.type = SOCK_DGRAM;
	sock_register(&nl_raw_ops);
	sock_register(&nl_dgram_ops);
}
