/* AF_PACKET sockets (Linux's packet(7)), root only: SOCK_RAW sees and
 * sends whole Ethernet frames, SOCK_DGRAM the payload behind the header,
 * which the kernel builds from sockaddr_ll on the way out. What DHCP
 * clients such as busybox udhcpc need before an interface has an address.
 *
 * Receive: eth_input (and netd, for loopback) hands every frame to
 * packet_tap under net_lock before the protocols see it; each socket whose
 * protocol (ETH_P_ALL or the frame's ethertype) and interface match gets a
 * copy, subject to its classic BPF filter and SO_RCVBUF. ETH_P_ALL sockets
 * see frames sent on Ethernet interfaces too (PACKET_OUTGOING). Loopback
 * carries bare IPv4 packets: they are seen as ETH_P_IP frames behind an
 * all-zero header, as Linux's lo shows them. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/bpf.h>
#include <net/ether.h>
#include <net/net.h>
#include <net/socket.h>
#include <proc.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/termios.h>

#define SIOCINQ FIONREAD

/* One packet socket. All fields under net_lock, except that poll and
 * sock_wait's condition read rxq's emptiness unlocked as a hint. */
struct packet_sock {
	struct list_head link; /* packet_socks */
	struct socket *s;
	uint16_t proto; /* ethertype, host order; ETH_P_ALL; 0: none */
	int ifindex;	/* 0: every interface */
	/* Queued frames: data at the Ethernet header (SOCK_RAW) or behind
	 * it (SOCK_DGRAM, the header still in the buffer before data);
	 * cb[0] the interface index, cb[1] pkttype | ethertype << 8. */
	struct list_head rxq;
	size_t rmem;		 /* bytes charged to rxq */
	uint32_t packets, drops; /* since PACKET_STATISTICS last read */
	struct bpf_prog *filter; /* SO_ATTACH_FILTER; NULL: none */
};

static LIST_HEAD(packet_socks); /* net_lock */

static const uint8_t eth_zero[ETH_ALEN];

/* ---- Receive ---- */

static uint8_t pkttype_of(const struct netif *dev, const uint8_t *dst)
{
	static const uint8_t bcast[ETH_ALEN] = {0xff, 0xff, 0xff,
						0xff, 0xff, 0xff};
	if (!memcmp(dst, bcast, ETH_ALEN))
		return PACKET_BROADCAST;
	if (dst[0] & 1)
		return PACKET_MULTICAST;
	if ((dev->flags & IFF_LOOPBACK) || !memcmp(dst, dev->mac, ETH_ALEN))
		return PACKET_HOST;
	return PACKET_OTHERHOST;
}

/* Queues a copy of the frame (hdr: its Ethernet header, payload behind)
 * on ps, or counts a drop. */
static void packet_queue(struct packet_sock *ps, struct netif *dev,
			 const uint8_t *hdr, const uint8_t *payload,
			 size_t plen, uint16_t type, uint8_t pkttype)
{
	bool dgram = ps->s->type == SOCK_DGRAM;
	size_t keep = plen;
	if (ps->filter) {
		/* The filter sees what the socket would read. Runs on a
		 * contiguous copy, made only when a filter exists. */
		uint8_t *tmp = NULL;
		const uint8_t *p = payload;
		size_t len = plen;
		if (!dgram) {
			len = ETH_HLEN + plen;
			tmp = kmalloc(len);
			if (!tmp) {
				ps->drops++;
				return;
			}
			memcpy(tmp, hdr, ETH_HLEN);
			memcpy(tmp + ETH_HLEN, payload, plen);
			p = tmp;
		}
		uint32_t r = bpf_run(ps->filter, p, len);
		kfree(tmp);
		if (r == 0)
			return; /* filtered out: not a drop, as Linux */
		if (!dgram)
			keep = r < ETH_HLEN ? 0 : MIN(plen, r - ETH_HLEN);
		else
			keep = MIN(plen, r);
	}
	ps->packets++;
	if (ps->rmem >= ps->s->rcvbuf) {
		ps->drops++;
		return;
	}
	struct netbuf *c = netbuf_alloc(0, ETH_HLEN + keep);
	if (!c) {
		ps->drops++;
		return;
	}
	memcpy(c->data, hdr, ETH_HLEN);
	memcpy(c->data + ETH_HLEN, payload, keep);
	if (dgram)
		netbuf_pull(c, ETH_HLEN);
	c->dev = dev;
	c->cb[0] = (uint32_t)dev->index;
	c->cb[1] = pkttype | (uint32_t)type << 8;
	ps->rmem += sizeof(*c) + c->size;
	list_add_tail(&c->link, &ps->rxq);
	wait_queue_wake_all(&ps->s->wq);
}

void packet_tap(struct netif *dev, const struct netbuf *nb, bool outgoing)
{
	if (list_empty(&packet_socks) || !dev)
		return;
	struct ethhdr lo_hdr;
	const uint8_t *hdr, *payload;
	size_t plen;
	if (dev->flags & IFF_LOOPBACK) {
		memset(&lo_hdr, 0, sizeof(lo_hdr));
		lo_hdr.type = net_htons(ETH_P_IP);
		hdr = (const uint8_t *)&lo_hdr;
		payload = nb->data;
		plen = nb->len;
	} else {
		if (nb->len < ETH_HLEN)
			return;
		hdr = nb->data;
		payload = nb->data + ETH_HLEN;
		plen = nb->len - ETH_HLEN;
	}
	uint16_t type = net_ntohs(((const struct ethhdr *)hdr)->type);
	uint8_t pkttype = outgoing ? PACKET_OUTGOING : pkttype_of(dev, hdr);
	struct packet_sock *ps;
	list_for_each_entry(ps, &packet_socks, link)
	{
		if (ps->ifindex && ps->ifindex != dev->index)
			continue;
		if (ps->proto != ETH_P_ALL && (outgoing || ps->proto != type))
			continue;
		packet_queue(ps, dev, hdr, payload, plen, type, pkttype);
	}
}

/* ---- Socket calls ---- */

static int packet_create(struct socket *s, int protocol)
{
	if (proc_current()->euid != 0)
		return -EPERM; /* Linux: CAP_NET_RAW */
	if (protocol < 0 || protocol > 0xffff)
		return -EINVAL;
	struct packet_sock *ps = kzalloc(sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->s = s;
	ps->proto = net_ntohs((uint16_t)protocol);
	list_init(&ps->rxq);
	s->protocol = protocol;
	s->sk = ps;
	mutex_lock(&net_lock);
	list_add_tail(&ps->link, &packet_socks);
	mutex_unlock(&net_lock);
	return 0;
}

/* Checks a sockaddr_ll of len bytes: -EINVAL unless it is one, as Linux
 * (which wants at least the address bytes sll_halen says). */
static int parse_sll(const struct sockaddr_storage_k *a, uint32_t len,
		     const struct sockaddr_ll_k **out)
{
	const struct sockaddr_ll_k *sll = (const struct sockaddr_ll_k *)a;
	if (len < offsetof(struct sockaddr_ll_k, sll_addr) ||
	    sll->sll_family != AF_PACKET || sll->sll_ifindex < 0 ||
	    sll->sll_halen > sizeof(sll->sll_addr) ||
	    len < offsetof(struct sockaddr_ll_k, sll_addr) + sll->sll_halen)
		return -EINVAL;
	*out = sll;
	return 0;
}

static int packet_bind(struct socket *s, const struct sockaddr_storage_k *a,
		       uint32_t len)
{
	struct packet_sock *ps = s->sk;
	const struct sockaddr_ll_k *sll;
	if (len < sizeof(struct sockaddr_ll_k))
		return -EINVAL;
	int r = parse_sll(a, len, &sll);
	if (r)
		return r;
	mutex_lock(&net_lock);
	if (sll->sll_ifindex && !netif_by_index(sll->sll_ifindex)) {
		r = -ENODEV;
	} else {
		ps->ifindex = sll->sll_ifindex;
		if (sll->sll_protocol)
			ps->proto = net_ntohs(sll->sll_protocol);
	}
	mutex_unlock(&net_lock);
	return r;
}

static long packet_sendmsg(struct socket *s, const char *buf, size_t n,
			   struct sock_msg *m)
{
	struct packet_sock *ps = s->sk;
	const struct sockaddr_ll_k *sll = NULL;
	bool dgram = s->type == SOCK_DGRAM;
	long r;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr && (r = parse_sll(m->addr, m->addrlen, &sll)) != 0)
		return r;
	if (!dgram && n < ETH_HLEN)
		return -EINVAL;
	if (n > 65535)
		return -EMSGSIZE;
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, n);
	if (!nb)
		return -ENOBUFS;
	memcpy(nb->data, buf, n);

	mutex_lock(&net_lock);
	int ifindex = sll ? sll->sll_ifindex : ps->ifindex;
	uint16_t proto =
	    sll && sll->sll_protocol ? net_ntohs(sll->sll_protocol) : ps->proto;
	struct netif *dev = ifindex ? netif_by_index(ifindex) : NULL;
	r = -ENXIO;
	if (!dev)
		goto fail;
	r = -ENETDOWN;
	if (!(dev->flags & IFF_UP))
		goto fail;
	r = -EMSGSIZE;
	if (n > dev->mtu + (dgram ? 0 : ETH_HLEN))
		goto fail;
	if (dev->flags & IFF_LOOPBACK) {
		/* lo carries bare IPv4 packets: strip or refuse the rest. */
		r = -EINVAL;
		if (dgram ? proto != ETH_P_IP
			  : net_ntohs(((struct ethhdr *)nb->data)->type) !=
				ETH_P_IP)
			goto fail;
		if (!dgram)
			netbuf_pull(nb, ETH_HLEN);
		r = dev->xmit(dev, nb);
		mutex_unlock(&net_lock);
		return r < 0 ? r : (long)n;
	}
	if (dgram) {
		r = -EINVAL;
		if (!sll || sll->sll_halen < ETH_ALEN)
			goto fail; /* no destination to build a header with */
		r = eth_output(dev, nb, sll->sll_addr, proto);
	} else {
		/* The caller's header goes out as written. */
		packet_tap(dev, nb, true);
		r = dev->xmit(dev, nb);
	}
	mutex_unlock(&net_lock);
	return r < 0 ? r : (long)n;
fail:
	mutex_unlock(&net_lock);
	netbuf_free(nb);
	return r;
}

static bool packet_readable(struct socket *s, void *arg)
{
	(void)arg;
	struct packet_sock *ps = s->sk;
	return !list_empty(&ps->rxq);
}

static void fill_sll(struct sockaddr_ll_k *sll, const struct netif *dev,
		     int ifindex, uint16_t proto, uint8_t pkttype,
		     const uint8_t *mac)
{
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = net_htons(proto);
	sll->sll_ifindex = ifindex;
	sll->sll_hatype =
	    dev && (dev->flags & IFF_LOOPBACK) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	sll->sll_pkttype = pkttype;
	sll->sll_halen = ETH_ALEN;
	memcpy(sll->sll_addr, mac, ETH_ALEN);
}

static long packet_recvmsg(struct socket *s, char *buf, size_t n,
			   struct sock_msg *m)
{
	struct packet_sock *ps = s->sk;
	long r;
	if (m->flags & (MSG_OOB | MSG_ERRQUEUE))
		return m->flags & MSG_OOB ? -EOPNOTSUPP : -EAGAIN;
	mutex_lock(&net_lock);
	while (list_empty(&ps->rxq)) {
		mutex_unlock(&net_lock);
		r = sock_wait(s, m->nonblock, m->deadline_ns, packet_readable,
			      NULL);
		mutex_lock(&net_lock);
		if (r && list_empty(&ps->rxq))
			goto out;
	}
	struct netbuf *nb = list_first_entry(&ps->rxq, struct netbuf, link);
	size_t c = MIN(nb->len, n);
	memcpy(buf, nb->data, c);
	m->out_flags = nb->len > n ? MSG_TRUNC : 0;
	r = (m->flags & MSG_TRUNC) ? (long)nb->len : (long)c;
	if (m->addr && m->addrlen >= sizeof(struct sockaddr_ll_k)) {
		/* The source MAC: the header is at the buffer's start. */
		fill_sll((struct sockaddr_ll_k *)m->addr, nb->dev,
			 (int)nb->cb[0], (uint16_t)(nb->cb[1] >> 8),
			 (uint8_t)nb->cb[1], nb->head + ETH_ALEN);
		m->addrlen = sizeof(struct sockaddr_ll_k);
	} else if (m->addr) {
		m->addrlen = 0;
	}
	if (!(m->flags & MSG_PEEK)) {
		list_del(&nb->link);
		ps->rmem -= sizeof(*nb) + nb->size;
		netbuf_free(nb);
	}
out:
	mutex_unlock(&net_lock);
	return r;
}

static int packet_getname(struct socket *s, struct sockaddr_storage_k *a,
			  uint32_t *len, bool peer)
{
	struct packet_sock *ps = s->sk;
	if (peer)
		return -EOPNOTSUPP; /* as Linux */
	mutex_lock(&net_lock);
	struct netif *dev = ps->ifindex ? netif_by_index(ps->ifindex) : NULL;
	fill_sll((struct sockaddr_ll_k *)a, dev, ps->ifindex, ps->proto, 0,
		 dev ? dev->mac : eth_zero);
	if (!dev)
		((struct sockaddr_ll_k *)a)->sll_halen = 0;
	mutex_unlock(&net_lock);
	*len = sizeof(struct sockaddr_ll_k);
	return 0;
}

static int packet_setsockopt(struct socket *s, int level, int name,
			     const void *val, uint32_t len)
{
	struct packet_sock *ps = s->sk;
	if (level == SOL_SOCKET && name == SO_ATTACH_FILTER) {
		struct bpf_prog *p;
		int r = bpf_prog_from_user(val, len, &p);
		if (r)
			return r;
		mutex_lock(&net_lock);
		struct bpf_prog *old = ps->filter;
		ps->filter = p;
		mutex_unlock(&net_lock);
		kfree(old);
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_DETACH_FILTER) {
		mutex_lock(&net_lock);
		struct bpf_prog *old = ps->filter;
		ps->filter = NULL;
		mutex_unlock(&net_lock);
		kfree(old);
		return old ? 0 : -ENOENT;
	}
	/* PACKET_AUXDATA, memberships, rings: not here (busybox udhcpc
	 * goes on without auxiliary data when told -ENOPROTOOPT). */
	return -ENOPROTOOPT;
}

static int packet_getsockopt(struct socket *s, int level, int name, void *val,
			     uint32_t *len)
{
	struct packet_sock *ps = s->sk;
	if (level == SOL_SOCKET && name == SO_ERROR) {
		if (*len < sizeof(int))
			return -EINVAL;
		int v = 0;
		memcpy(val, &v, sizeof(v));
		*len = sizeof(int);
		return 0;
	}
	if (level != SOL_PACKET || name != PACKET_STATISTICS)
		return -ENOPROTOOPT;
	/* As Linux: packets counts the drops too; both reset on reading. */
	struct tpacket_stats_k st;
	mutex_lock(&net_lock);
	st.tp_packets = ps->packets;
	st.tp_drops = ps->drops;
	ps->packets = ps->drops = 0;
	mutex_unlock(&net_lock);
	uint32_t l = MIN(*len, (uint32_t)sizeof(st));
	memcpy(val, &st, l);
	*len = l;
	return 0;
}

static unsigned packet_poll(struct socket *s)
{
	struct packet_sock *ps = s->sk;
	unsigned ev = POLLOUT | POLLWRNORM;
	if (!list_empty(&ps->rxq))
		ev |= POLLIN | POLLRDNORM;
	return ev;
}

static long packet_ioctl(struct socket *s, unsigned long cmd, uintptr_t arg)
{
	struct packet_sock *ps = s->sk;
	if (cmd == SIOCINQ) {
		int v = 0;
		mutex_lock(&net_lock);
		if (!list_empty(&ps->rxq))
			v = (int)list_first_entry(&ps->rxq, struct netbuf, link)
				->len;
		mutex_unlock(&net_lock);
		return put_user(v, (int __user *)arg) ? -EFAULT : 0;
	}
	if (cmd >= 0x8900 && cmd <= 0x89ff)
		return netif_ioctl(cmd, arg);
	return -ENOTTY;
}

static void packet_release(struct socket *s)
{
	struct packet_sock *ps = s->sk;
	if (!ps)
		return;
	mutex_lock(&net_lock);
	list_del(&ps->link);
	netbuf_queue_purge(&ps->rxq);
	mutex_unlock(&net_lock);
	kfree(ps->filter);
	kfree(ps);
	s->sk = NULL;
}

static const struct proto_ops packet_dgram_ops = {
    .family = AF_PACKET,
    .type = SOCK_DGRAM,
    .create = packet_create,
    .bind = packet_bind,
    .sendmsg = packet_sendmsg,
    .recvmsg = packet_recvmsg,
    .getname = packet_getname,
    .setsockopt = packet_setsockopt,
    .getsockopt = packet_getsockopt,
    .poll = packet_poll,
    .ioctl = packet_ioctl,
    .release = packet_release,
};

static struct proto_ops packet_raw_ops;

void packet_init(void)
{
	packet_raw_ops = packet_dgram_ops;
	packet_raw_ops.type = SOCK_RAW;
	sock_register(&packet_dgram_ops);
	sock_register(&packet_raw_ops);
}
