/* The socket calls of UDP (RFC 768) sockets, ICMP "ping sockets"
 * (SOCK_DGRAM with IPPROTO_ICMP, as Linux's net/ipv4/ping.c) and root's
 * raw ICMP sockets, which share binding, sending, the bounded receive
 * queue, waiting and options. Each call takes net_lock itself; what
 * arrives is queued by net/udp_input.c. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/net.h>
#include <net/socket.h>
#include <proc.h>
#include <random.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/termios.h>

#include "inet.h"

#define UDP_MAX_PAYLOAD (65535 - 20 - UDP_HDR)
#define EPHEMERAL_LO 32768 /* Linux's ip_local_port_range */
#define EPHEMERAL_HI 60999
#define PROT_SOCK 1024 /* ports below need root (no capabilities here) */
#define SIOCOUTQ 0x5411
#define SIOCINQ FIONREAD

LIST_HEAD(udp_socks);	/* net_lock */
uint64_t udp_socks_gen; /* net_lock: removals from udp_socks (/proc/net/udp) */
LIST_HEAD(ping_socks);	/* net_lock */
LIST_HEAD(raw_socks);	/* net_lock */

/* ---- Binding ---- */

static bool addr_overlap(uint32_t a, uint32_t b)
{
	return !a || !b || a == b;
}

/* Whether ds may have lport on laddr alongside the sockets there: Linux's
 * UDP rules, both SO_REUSEADDR, or both SO_REUSEPORT and the same owner. */
static bool port_free(struct dgram_sock *ds, uint32_t laddr, uint16_t port)
{
	struct dgram_sock *o;
	list_for_each_entry(o, proto_list(ds->proto), link)
	{
		if (o == ds || !o->bound || o->lport != port ||
		    !addr_overlap(o->laddr, laddr))
			continue;
		if (ds->s->reuseaddr && o->s->reuseaddr)
			continue;
		if (ds->s->reuseport && o->s->reuseport && o->uid == ds->uid)
			continue;
		return false;
	}
	return true;
}

static int do_bind(struct dgram_sock *ds, uint32_t laddr, uint16_t port)
{
	ds->uid = proc_current()->euid;
	if (port) {
		if (!port_free(ds, laddr, port))
			return -EADDRINUSE;
	} else {
		/* A random start, then a linear walk, as Linux's
		 * udp_lib_get_port: ports are not guessable in order. */
		uint32_t range = EPHEMERAL_HI - EPHEMERAL_LO + 1, r = 0;
		random_fill(&r, sizeof(r));
		uint32_t i;
		for (i = 0; i < range; i++) {
			uint16_t p = (uint16_t)(EPHEMERAL_LO + (r + i) % range);
			if (port_free(ds, laddr, p)) {
				port = p;
				break;
			}
		}
		if (i == range)
			return -EADDRINUSE; /* Linux: EAGAIN for connect */
	}
	ds->laddr = laddr;
	ds->lport = port;
	ds->bound = true;
	return 0;
}

static int parse_sin(const struct sockaddr_storage_k *a, uint32_t len,
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

static void fill_sin(struct sockaddr_storage_k *a, uint32_t addr, uint16_t port)
{
	struct sockaddr_in_k *sin = (struct sockaddr_in_k *)a;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = net_htons(port);
	sin->sin_addr = net_htonl(addr);
}

static int dgram_alloc(struct socket *s, uint8_t proto, bool raw)
{
	struct dgram_sock *ds = kzalloc(sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	ds->s = s;
	ds->proto = proto;
	ds->raw = raw;
	list_init(&ds->rxq);
	s->protocol = proto;
	s->sk = ds;
	mutex_lock(&net_lock);
	list_add_tail(&ds->link, raw ? &raw_socks : proto_list(proto));
	mutex_unlock(&net_lock);
	return 0;
}

static int dgram_create(struct socket *s, int protocol)
{
	uint8_t proto;
	if (protocol == 0 || protocol == IPPROTO_UDP)
		proto = IPPROTO_UDP;
	else if (protocol == IPPROTO_ICMP)
		/* Ping sockets: Linux allows them to the groups in
		 * net.ipv4.ping_group_range; here every user may, since
		 * they can only send echo requests and see their replies. */
		proto = IPPROTO_ICMP;
	else
		return -EPROTONOSUPPORT;
	return dgram_alloc(s, proto, false);
}

/* Raw sockets: ICMP only, and only for root (Linux: CAP_NET_RAW), which
 * is what busybox ping, running as root, asks for; others get EPERM, and
 * programs such as iputils ping then fall back to ping sockets. An
 * IPPROTO_RAW socket can be made (busybox udhcpc makes one for the
 * interface ioctls) but receives nothing, as on Linux, and cannot send:
 * IP_HDRINCL is not implemented (-EOPNOTSUPP). */
static int raw_create(struct socket *s, int protocol)
{
	if (proc_current()->euid != 0)
		return -EPERM;
	if (protocol != IPPROTO_ICMP && protocol != IPPROTO_RAW)
		return -EPROTONOSUPPORT;
	return dgram_alloc(s, (uint8_t)protocol, true);
}

static int dgram_bind(struct socket *s, const struct sockaddr_storage_k *a,
		      uint32_t len)
{
	struct dgram_sock *ds = s->sk;
	uint32_t addr;
	uint16_t port;
	int r = parse_sin(a, len, &addr, &port);
	if (r)
		return r;
	if (ds->proto == IPPROTO_UDP && port && port < PROT_SOCK &&
	    proc_current()->euid != 0)
		return -EACCES;
	mutex_lock(&net_lock);
	if (ds->bound)
		r = -EINVAL;
	else if (addr && !ip_is_local(addr) && !ip_is_broadcast(addr))
		r = -EADDRNOTAVAIL;
	else if (ds->raw)
		ds->laddr = addr, ds->bound = true;
	else
		r = do_bind(ds, addr, port);
	mutex_unlock(&net_lock);
	return r;
}

static int dgram_connect(struct socket *s, const struct sockaddr_storage_k *a,
			 uint32_t len, bool nonblock)
{
	(void)nonblock;
	struct dgram_sock *ds = s->sk;
	uint32_t addr;
	uint16_t port;
	if (len >= sizeof(uint16_t) && a->ss_family == AF_UNSPEC) {
		/* Dissolves the association; a bound port stays. */
		mutex_lock(&net_lock);
		ds->connected = false;
		ds->raddr = 0;
		ds->rport = 0;
		mutex_unlock(&net_lock);
		return 0;
	}
	int r = parse_sin(a, len, &addr, &port);
	if (r)
		return r;
	/* As Linux: 0.0.0.0 as a destination means this host. */
	if (!addr)
		addr = INADDR_LOOPBACK;
	mutex_lock(&net_lock);
	if (ip_is_broadcast(addr) && !s->broadcast) {
		r = -EACCES;
		goto out;
	}
	uint32_t src = ip_route_src(addr);
	if (!src) {
		r = -ENETUNREACH;
		goto out;
	}
	if (!ds->bound && !ds->raw && (r = do_bind(ds, 0, 0)) != 0)
		goto out;
	/* As Linux: a socket bound to any address now has the route's. */
	if (!ds->laddr)
		ds->laddr = src;
	ds->raddr = addr;
	ds->rport = port;
	ds->connected = true;
	ds->err = 0;
out:
	mutex_unlock(&net_lock);
	return r;
}

/* ---- Sending ---- */

static long dgram_sendmsg(struct socket *s, const char *buf, size_t n,
			  struct sock_msg *m)
{
	struct dgram_sock *ds = s->sk;
	uint32_t dst = 0;
	uint16_t dport = 0;
	long r;
	if (m->flags & MSG_OOB || ds->proto == IPPROTO_RAW)
		return -EOPNOTSUPP;
	if (m->addr) {
		r = parse_sin(m->addr, m->addrlen, &dst, &dport);
		if (r)
			return r;
		if (!dst)
			dst = INADDR_LOOPBACK; /* as connect */
	}
	size_t hdr = ds->proto == IPPROTO_UDP ? UDP_HDR : 0;
	if (n > UDP_MAX_PAYLOAD + UDP_HDR - hdr)
		return -EMSGSIZE;
	if (ds->proto == IPPROTO_ICMP && !ds->raw) {
		/* The caller writes an echo request's header; the kernel
		 * owns its id (the socket's) and checksum. */
		if (n < sizeof(struct icmphdr))
			return -EINVAL;
		const struct icmphdr *ih = (const struct icmphdr *)buf;
		if (ih->type != ICMP_ECHO || ih->code != 0)
			return -EINVAL;
	}
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM + hdr, n);
	if (!nb)
		return -ENOBUFS;
	memcpy(nb->data, buf, n);

	mutex_lock(&net_lock);
	if (ds->err) {
		r = -ds->err;
		ds->err = 0;
		goto fail;
	}
	if (ds->shut_wr) {
		r = -EPIPE;
		goto fail;
	}
	if (!m->addr) {
		if (!ds->connected) {
			r = -EDESTADDRREQ;
			goto fail;
		}
		dst = ds->raddr;
		dport = ds->rport;
	}
	if (ds->proto == IPPROTO_UDP && dport == 0) {
		r = -EINVAL;
		goto fail;
	}
	if (ip_is_broadcast(dst) && !s->broadcast) {
		r = -EACCES;
		goto fail;
	}
	if (!ds->bound && !ds->raw && (r = do_bind(ds, 0, 0)) != 0)
		goto fail;
	uint32_t src = ds->laddr;
	if (!src || ip_is_broadcast(src))
		src = ip_route_src(dst);
	if (!src) {
		r = -ENETUNREACH;
		goto fail;
	}
	if (ds->proto == IPPROTO_UDP) {
		struct udphdr *uh = netbuf_push(nb, UDP_HDR);
		uh->sport = net_htons(ds->lport);
		uh->dport = net_htons(dport);
		uh->len = net_htons((uint16_t)(n + UDP_HDR));
		uh->check = 0;
		uint32_t sum = net_csum_pseudo(src, dst, IPPROTO_UDP,
					       (uint16_t)(n + UDP_HDR));
		uint16_t c = net_csum_fold(net_csum_add(sum, uh, n + UDP_HDR));
		/* 0 means "no checksum" on the wire (RFC 768). */
		uh->check = net_htons(c ? c : 0xffff);
		udp_stats.out_datagrams++;
	} else if (ds->raw) {
		/* Sent as the caller made it, checksum included. */
		icmp_stats.out_msgs++;
	} else {
		struct icmphdr *ih = (struct icmphdr *)nb->data;
		ih->id = net_htons(ds->lport);
		ih->check = 0;
		ih->check = net_htons(net_csum_fold(net_csum_add(0, ih, n)));
		icmp_stats.out_msgs++;
	}
	r = ip_output(nb, src, dst, ds->proto, ds->ttl);
	mutex_unlock(&net_lock);
	return r < 0 ? r : (long)n;
fail:
	mutex_unlock(&net_lock);
	netbuf_free(nb);
	return r;
}

/* ---- Receiving ---- */

static bool dgram_readable(struct socket *s, void *arg)
{
	(void)arg;
	struct dgram_sock *ds = s->sk;
	return !list_empty(&ds->rxq) || ds->err || ds->shut_rd;
}

static long dgram_recvmsg(struct socket *s, char *buf, size_t n,
			  struct sock_msg *m)
{
	struct dgram_sock *ds = s->sk;
	long r;
	if (m->flags & (MSG_OOB | MSG_ERRQUEUE))
		return m->flags & MSG_OOB ? -EOPNOTSUPP : -EAGAIN;
	mutex_lock(&net_lock);
	for (;;) {
		if (!list_empty(&ds->rxq))
			break;
		if (ds->err) {
			r = -ds->err;
			ds->err = 0;
			goto out;
		}
		if (ds->shut_rd) {
			r = 0;
			goto out;
		}
		mutex_unlock(&net_lock);
		r = sock_wait(s, m->nonblock, m->deadline_ns, dgram_readable,
			      NULL);
		mutex_lock(&net_lock);
		if (r && list_empty(&ds->rxq))
			goto out;
	}
	struct netbuf *nb = list_first_entry(&ds->rxq, struct netbuf, link);
	size_t c = nb->len < n ? nb->len : n;
	memcpy(buf, nb->data, c);
	m->out_flags = 0;
	if (nb->len > n)
		m->out_flags |= MSG_TRUNC;
	r = (m->flags & MSG_TRUNC) ? (long)nb->len : (long)c;
	if (m->addr && m->addrlen >= sizeof(struct sockaddr_in_k)) {
		fill_sin(m->addr, nb->ip_src, (uint16_t)nb->cb[0]);
		m->addrlen = sizeof(struct sockaddr_in_k);
	} else if (m->addr) {
		m->addrlen = 0;
	}
	if (!(m->flags & MSG_PEEK)) {
		list_del(&nb->link);
		ds->rmem -= rx_charge(nb);
		netbuf_free(nb);
	}
out:
	mutex_unlock(&net_lock);
	return r;
}

/* ---- The rest of the socket calls ---- */

/* As Linux: an unconnected socket answers ENOTCONN but is shut all the
 * same, which is how a program wakes its own thread blocked in recv. */
static int dgram_shutdown(struct socket *s, int how)
{
	struct dgram_sock *ds = s->sk;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mutex_lock(&net_lock);
	int r = ds->connected ? 0 : -ENOTCONN;
	if (how == SHUT_RD || how == SHUT_RDWR)
		ds->shut_rd = true;
	if (how == SHUT_WR || how == SHUT_RDWR)
		ds->shut_wr = true;
	wait_queue_wake_all(&s->wq);
	mutex_unlock(&net_lock);
	return r;
}

static int dgram_getname(struct socket *s, struct sockaddr_storage_k *a,
			 uint32_t *len, bool peer)
{
	struct dgram_sock *ds = s->sk;
	int r = 0;
	mutex_lock(&net_lock);
	if (peer && !ds->connected)
		r = -ENOTCONN;
	else if (peer)
		fill_sin(a, ds->raddr, ds->rport);
	else
		fill_sin(a, ds->laddr, ds->lport);
	mutex_unlock(&net_lock);
	*len = sizeof(struct sockaddr_in_k);
	return r;
}

/* SO_BINDTODEVICE, root only (Linux: CAP_NET_RAW), as busybox udhcpc
 * sets on its listening socket: datagrams arriving on other interfaces
 * pass the socket by. Output still follows the route table. An empty
 * name unbinds. */
static int dgram_bindtodevice(struct dgram_sock *ds, const void *val,
			      uint32_t len)
{
	char name[IFNAMSIZ];
	if (proc_current()->euid != 0)
		return -EPERM;
	len = MIN(len, (uint32_t)IFNAMSIZ - 1);
	memcpy(name, val, len);
	name[len] = 0;
	int r = 0;
	mutex_lock(&net_lock);
	if (!name[0]) {
		ds->bound_dev = 0;
	} else {
		struct netif *dev = netif_by_name(name);
		if (dev)
			ds->bound_dev = dev->index;
		else
			r = -ENODEV;
	}
	mutex_unlock(&net_lock);
	return r;
}

static int dgram_setsockopt(struct socket *s, int level, int name,
			    const void *val, uint32_t len)
{
	struct dgram_sock *ds = s->sk;
	if (level == SOL_SOCKET && name == SO_BINDTODEVICE)
		return dgram_bindtodevice(ds, val, len);
	if (level != SOL_IP)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case IP_TTL:
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		ds->ttl = v == -1 ? 0 : (uint8_t)v;
		return 0;
	case IP_TOS:
		ds->tos = (uint8_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int dgram_getsockopt(struct socket *s, int level, int name, void *val,
			    uint32_t *len)
{
	struct dgram_sock *ds = s->sk;
	int v;
	if (level == SOL_SOCKET && name == SO_ERROR) {
		mutex_lock(&net_lock);
		v = ds->err;
		ds->err = 0;
		mutex_unlock(&net_lock);
	} else if (level == SOL_SOCKET && name == SO_BINDTODEVICE) {
		/* The interface's name, or nothing when unbound. */
		char n[IFNAMSIZ] = {0};
		mutex_lock(&net_lock);
		struct netif *dev =
		    ds->bound_dev ? netif_by_index(ds->bound_dev) : NULL;
		if (dev)
			memcpy(n, dev->name, IFNAMSIZ);
		mutex_unlock(&net_lock);
		uint32_t l = dev ? (uint32_t)strnlen(n, IFNAMSIZ - 1) + 1 : 0;
		if (*len < l)
			return -EINVAL;
		memcpy(val, n, l);
		*len = l;
		return 0;
	} else if (level == SOL_IP && name == IP_TTL) {
		v = ds->ttl ? ds->ttl : IP_DEFAULT_TTL;
	} else if (level == SOL_IP && name == IP_TOS) {
		v = ds->tos;
	} else {
		return -ENOPROTOOPT;
	}
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(int);
	return 0;
}

static unsigned dgram_poll(struct socket *s)
{
	struct dgram_sock *ds = s->sk;
	unsigned ev = 0;
	if (!list_empty(&ds->rxq) || ds->shut_rd)
		ev |= POLLIN | POLLRDNORM;
	if (ds->err)
		ev |= POLLERR;
	if (!ds->shut_wr)
		ev |= POLLOUT | POLLWRNORM;
	if (ds->shut_rd && ds->shut_wr)
		ev |= POLLHUP;
	return ev;
}

/* The interface ioctls are net/devinet.c's; a weak reference, so a build
 * without that file (the host tests of UDP) answers -ENOTTY. */
long netif_ioctl(unsigned long cmd, uintptr_t arg) __attribute__((weak));

static long dgram_ioctl(struct socket *s, unsigned long cmd, uintptr_t arg)
{
	struct dgram_sock *ds = s->sk;
	int v = 0;
	switch (cmd) {
	case SIOCINQ: /* the first datagram's size, as Linux's UDP */
		mutex_lock(&net_lock);
		if (!list_empty(&ds->rxq))
			v = (int)list_first_entry(&ds->rxq, struct netbuf, link)
				->len;
		mutex_unlock(&net_lock);
		return put_user(v, (int __user *)arg) ? -EFAULT : 0;
	case SIOCOUTQ: /* nothing waits: a datagram leaves at once */
		return put_user(v, (int __user *)arg) ? -EFAULT : 0;
	}
	if (cmd >= 0x8900 && cmd <= 0x89ff && netif_ioctl)
		return netif_ioctl(cmd, arg);
	return -ENOTTY;
}

static void dgram_release(struct socket *s)
{
	struct dgram_sock *ds = s->sk;
	if (!ds)
		return;
	mutex_lock(&net_lock);
	list_del(&ds->link);
	udp_socks_gen++;
	netbuf_queue_purge(&ds->rxq);
	mutex_unlock(&net_lock);
	kfree(ds);
	s->sk = NULL;
}

static const struct proto_ops udp_ops = {
    .family = AF_INET,
    .type = SOCK_DGRAM,
    .create = dgram_create,
    .bind = dgram_bind,
    .connect = dgram_connect,
    .sendmsg = dgram_sendmsg,
    .recvmsg = dgram_recvmsg,
    .shutdown = dgram_shutdown,
    .getname = dgram_getname,
    .setsockopt = dgram_setsockopt,
    .getsockopt = dgram_getsockopt,
    .poll = dgram_poll,
    .ioctl = dgram_ioctl,
    .release = dgram_release,
};

static struct proto_ops raw_ops;

void udp_init(void)
{
	raw_ops = udp_ops;
	raw_ops.type = SOCK_RAW;
	raw_ops.create = raw_create;
	sock_register(&udp_ops);
	sock_register(&raw_ops);
}
