/* IPv4 (net/net.h): input validation and local delivery, fragment
 * reassembly with bounded memory, routing and output with fragmentation.
 * Everything here runs under net_lock; nothing from the wire is used
 * before its length has been checked against what was received. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/net.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

struct ip_stats ip_stats; /* net_lock */
uint64_t tcp_stub_drops;  /* net_lock */

#define IP_HDR_MIN 20
#define IP_MAX_LEN 65535
#define IP_MF 0x2000
#define IP_DF 0x4000
#define IP_OFFMASK 0x1fff
/* More fragments than this in one datagram are an attack, not a path:
 * 64 KiB over the 68-byte minimum MTU needs ~1400, over 576 about 120. */
#define IP_FRAG_PER_QUEUE_MAX 256

struct iphdr {
	uint8_t ver_ihl, tos;
	uint16_t tot_len, id, frag_off;
	uint8_t ttl, proto;
	uint16_t check;
	uint32_t saddr, daddr;
} __packed;

/* Weak defaults for a build without net/tcp_*.c (the host tests of IPv4
 * and UDP): TCP segments are dropped (and counted), ICMP errors about TCP
 * ignored. The kernel links net/tcp_input.c, whose versions replace them. */
__attribute__((weak)) void tcp_input(struct netbuf *nb)
{
	tcp_stub_drops++;
	netbuf_free(nb);
}

__attribute__((weak)) void tcp_icmp_error(uint32_t src, uint32_t dst,
					  const uint8_t *th, size_t len,
					  int err)
{
	(void)src, (void)dst, (void)th, (void)len, (void)err;
}

/* ---- Addresses and routes ---- */

static struct ip_route routes[IP_ROUTES_MAX]; /* net_lock */
static int nroutes;			      /* net_lock */

bool ip_is_local(uint32_t addr)
{
	if ((addr >> 24) == 127)
		return true;
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if (d->addr && d->addr == addr)
			return true;
	}
	return false;
}

bool ip_is_broadcast(uint32_t addr)
{
	if (addr == INADDR_BROADCAST)
		return true;
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if ((d->flags & IFF_UP) && d->addr &&
		    d->netmask != 0xffffffff && addr == (d->addr | ~d->netmask))
			return true;
	}
	return false;
}

/* Netmasks are contiguous (SIOCSIFNETMASK and SIOCADDRT check), so the
 * prefix is the count of leading ones. No popcount: the kernel has no
 * libgcc for __popcountdi2. */
static int prefix_len(uint32_t mask)
{
	return mask ? __builtin_clz(~mask | 1u) + (mask == 0xffffffff) : 0;
}

/* The up interface whose subnet holds addr (not loopback), or NULL. */
static struct netif *direct_dev(uint32_t addr, int *plen)
{
	struct netif *d, *best = NULL;
	list_for_each_entry(d, &netif_list, link)
	{
		if (!(d->flags & IFF_UP) || (d->flags & IFF_LOOPBACK) ||
		    !d->addr)
			continue;
		if ((addr & d->netmask) == (d->addr & d->netmask) &&
		    (!best || prefix_len(d->netmask) > *plen)) {
			best = d;
			*plen = prefix_len(d->netmask);
		}
	}
	return best;
}

/* Where a packet to dst goes: the interface and the next hop (dst itself
 * or a gateway); NULL when there is no route. */
static struct netif *ip_route(uint32_t dst, uint32_t *nexthop)
{
	if (ip_is_local(dst)) {
		*nexthop = dst;
		return netif_loopback;
	}
	int best_len = -1;
	uint32_t best_metric = 0;
	bool best_is_route = false;
	struct netif *best = direct_dev(dst, &best_len);
	*nexthop = dst;
	/* Longest prefix first; on a tie a directly reachable subnet beats
	 * an explicit route, and a lower metric beats a higher one. */
	for (int i = 0; i < nroutes; i++) {
		struct ip_route *r = &routes[i];
		int l = prefix_len(r->mask), gl;
		if ((dst & r->mask) != r->dst)
			continue;
		if (best && !(l > best_len || (l == best_len && best_is_route &&
					       r->metric < best_metric)))
			continue;
		struct netif *dev = r->dev;
		if (!dev && r->gw)
			dev = direct_dev(r->gw, &gl);
		if (!dev || !(dev->flags & IFF_UP))
			continue;
		best = dev;
		best_len = l;
		best_metric = r->metric;
		best_is_route = true;
		*nexthop = r->gw ? r->gw : dst;
	}
	if (!best && dst == INADDR_BROADCAST) {
		struct netif *d;
		list_for_each_entry(d, &netif_list, link)
		{
			if ((d->flags & IFF_UP) && !(d->flags & IFF_LOOPBACK))
				return d;
		}
	}
	return best;
}

uint32_t ip_route_src(uint32_t dst)
{
	uint32_t nh;
	struct netif *dev = ip_route(dst, &nh);
	if (!dev)
		return 0;
	if (dev == netif_loopback)
		return (dst >> 24) == 127 ? INADDR_LOOPBACK : dst;
	return dev->addr;
}

uint32_t ip_route_mtu(uint32_t dst)
{
	uint32_t nh;
	struct netif *dev = ip_route(dst, &nh);
	return dev ? dev->mtu : 0;
}

int ip_route_add(const struct ip_route *r)
{
	int l;
	if (r->dst & ~r->mask)
		return -EINVAL;
	for (int i = 0; i < nroutes; i++) {
		if (routes[i].dst == r->dst && routes[i].mask == r->mask &&
		    routes[i].metric == r->metric)
			return -EEXIST;
	}
	if (nroutes >= IP_ROUTES_MAX)
		return -ENOSPC;
	if (!r->dev && r->gw && !direct_dev(r->gw, &l))
		return -ENETUNREACH;
	routes[nroutes++] = *r;
	return 0;
}

int ip_route_del(uint32_t dst, uint32_t mask)
{
	for (int i = 0; i < nroutes; i++) {
		if (routes[i].dst == dst && routes[i].mask == mask) {
			routes[i] = routes[--nroutes];
			return 0;
		}
	}
	return -ESRCH;
}

int ip_route_get(int i, struct ip_route *out)
{
	if (i < 0 || i >= nroutes)
		return -ENOENT;
	*out = routes[i];
	return 0;
}

/* ---- Output ---- */

static uint16_t ip_next_id; /* net_lock */

static void ip_fill(struct iphdr *h, size_t len, uint16_t id, uint16_t frag,
		    uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	h->ver_ihl = 0x45;
	h->tos = 0;
	h->tot_len = net_htons((uint16_t)len);
	h->id = net_htons(id);
	h->frag_off = net_htons(frag);
	h->ttl = ttl;
	h->proto = proto;
	h->check = 0;
	h->saddr = net_htonl(src);
	h->daddr = net_htonl(dst);
	h->check = net_htons(net_csum_fold(net_csum_add(0, h, sizeof(*h))));
}

static int ip_send_dev(struct netif *dev, struct netbuf *nb, uint32_t nh)
{
	if (dev->flags & IFF_LOOPBACK) {
		nb->csum_ok = true;
		return dev->xmit(dev, nb);
	}
	return netif_output_ip(dev, nb, nh);
}

int ip_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
	      uint8_t ttl)
{
	uint32_t nh;
	ip_stats.out_requests++;
	struct netif *dev = ip_route(dst, &nh);
	if (!dev) {
		ip_stats.out_no_routes++;
		netbuf_free(nb);
		return -ENETUNREACH;
	}
	if (!src)
		src = ip_route_src(dst);
	if (!ttl)
		ttl = IP_DEFAULT_TTL;
	if (nb->len + IP_HDR_MIN > IP_MAX_LEN) {
		ip_stats.out_discards++;
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	uint16_t id = ip_next_id++;
	size_t total = nb->len + IP_HDR_MIN;
	if (total <= dev->mtu) {
		struct iphdr *h = netbuf_push(nb, IP_HDR_MIN);
		if (!h) {
			ip_stats.out_discards++;
			netbuf_free(nb);
			return -ENOBUFS;
		}
		ip_fill(h, total, id, 0, ttl, proto, src, dst);
		return ip_send_dev(dev, nb, nh);
	}
	/* Fragments carry a multiple of 8 bytes each but the last. */
	if (dev->mtu < 68) {
		ip_stats.frag_fails++;
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	size_t chunk = (dev->mtu - IP_HDR_MIN) & ~(size_t)7;
	int err = 0;
	for (size_t off = 0; off < nb->len; off += chunk) {
		size_t n = nb->len - off < chunk ? nb->len - off : chunk;
		bool last = off + n >= nb->len;
		struct netbuf *f = netbuf_alloc(NET_HEADROOM, n);
		if (!f) {
			ip_stats.frag_fails++;
			err = -ENOBUFS;
			break;
		}
		memcpy(f->data, nb->data + off, n);
		struct iphdr *h = netbuf_push(f, IP_HDR_MIN);
		ip_fill(h, n + IP_HDR_MIN, id,
			(uint16_t)((off >> 3) | (last ? 0 : IP_MF)), ttl, proto,
			src, dst);
		ip_stats.frag_creates++;
		int r = ip_send_dev(dev, f, nh);
		if (r < 0 && !err)
			err = r;
	}
	if (!err)
		ip_stats.frag_oks++;
	netbuf_free(nb);
	return err;
}

/* ---- Reassembly ---- */

struct frag_queue {
	struct list_head link; /* frag_queues, oldest first */
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint32_t total; /* payload length once the last came; 0: not yet */
	uint32_t nfrags;
	size_t mem;		/* bytes charged to frag_mem */
	struct list_head frags; /* netbufs, sorted by cb[0] (the offset) */
	struct net_timer timer;
};

static LIST_HEAD(frag_queues); /* net_lock */
static int frag_nqueues;       /* net_lock */
static size_t frag_mem;	       /* net_lock: bytes held by all queues */

static size_t frag_charge(struct netbuf *nb)
{
	return sizeof(*nb) + nb->size;
}

static void frag_queue_free(struct frag_queue *q)
{
	net_timer_cancel(&q->timer);
	netbuf_queue_purge(&q->frags);
	list_del(&q->link);
	frag_mem -= q->mem;
	frag_nqueues--;
	kfree(q);
}

static void frag_timeout(struct net_timer *t)
{
	struct frag_queue *q = container_of(t, struct frag_queue, timer);
	ip_stats.reasm_timeouts++;
	ip_stats.reasm_fails++;
	frag_queue_free(q);
}

/* Drops the oldest queues until want more bytes and one more queue fit:
 * a flood of fragments that never complete cannot hold memory beyond the
 * caps, and old incomplete datagrams are the likeliest lost anyway. */
static void frag_evict(size_t want)
{
	while (!list_empty(&frag_queues) &&
	       (frag_nqueues >= IP_FRAG_QUEUES_MAX ||
		frag_mem + want > IP_FRAG_BYTES_MAX)) {
		ip_stats.reasm_fails++;
		frag_queue_free(
		    list_first_entry(&frag_queues, struct frag_queue, link));
	}
}

static struct frag_queue *frag_find(const struct iphdr *h, size_t want)
{
	uint32_t src = net_ntohl(h->saddr), dst = net_ntohl(h->daddr);
	uint16_t id = net_ntohs(h->id);
	struct frag_queue *q;
	list_for_each_entry(q, &frag_queues, link)
	{
		if (q->src == src && q->dst == dst && q->id == id &&
		    q->proto == h->proto)
			return q;
	}
	frag_evict(want);
	q = kzalloc(sizeof(*q));
	if (!q)
		return NULL;
	q->src = src;
	q->dst = dst;
	q->id = id;
	q->proto = h->proto;
	list_init(&q->frags);
	q->timer.fn = frag_timeout;
	list_add_tail(&q->link, &frag_queues);
	frag_nqueues++;
	net_timer_arm(&q->timer, time_ns() + IP_FRAG_TIMEOUT_NS);
	return q;
}

/* The datagram is whole: one buffer with the first fragment's header
 * (total length and fragment field fixed) and the payloads in order. */
static struct netbuf *frag_join(struct frag_queue *q)
{
	struct netbuf *first = list_first_entry(&q->frags, struct netbuf, link);
	size_t hl = (size_t)(first->data - first->ip_hdr);
	if (hl + q->total > IP_MAX_LEN) {
		ip_stats.reasm_oversize++;
		return NULL;
	}
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, hl + q->total);
	if (!nb)
		return NULL;
	memcpy(nb->data, first->ip_hdr, hl);
	struct netbuf *f;
	list_for_each_entry(f, &q->frags, link)
	    memcpy(nb->data + hl + f->cb[0], f->data, f->len);
	struct iphdr *h = (struct iphdr *)nb->data;
	h->tot_len = net_htons((uint16_t)(hl + q->total));
	h->frag_off = 0;
	h->check = 0;
	h->check = net_htons(net_csum_fold(net_csum_add(0, h, hl)));
	nb->dev = first->dev;
	return nb;
}

/* Takes a fragment (data at its payload, ip_hdr at its header); returns
 * the whole datagram (data at its IP header) when this completed it. */
static struct netbuf *ip_reassemble(struct netbuf *nb, uint16_t frag)
{
	const struct iphdr *h = (const struct iphdr *)nb->ip_hdr;
	size_t hl = (size_t)(nb->data - nb->ip_hdr);
	uint32_t off = (uint32_t)(frag & IP_OFFMASK) * 8;
	uint32_t end = off + (uint32_t)nb->len;
	bool more = frag & IP_MF;

	ip_stats.reasm_reqds++;
	/* Empty fragments, and a middle one not a multiple of 8, cannot be
	 * part of a real datagram. */
	if (nb->len == 0 || (more && (nb->len & 7))) {
		ip_stats.in_hdr_errors++;
		ip_stats.reasm_fails++;
		netbuf_free(nb);
		return NULL;
	}
	struct frag_queue *q = frag_find(h, frag_charge(nb));
	if (!q) {
		ip_stats.reasm_fails++;
		netbuf_free(nb);
		return NULL;
	}
	/* The whole datagram, header included, must fit in 65535 bytes
	 * ("ping of death"); the last fragment must agree with the others. */
	if (hl + end > IP_MAX_LEN) {
		ip_stats.reasm_oversize++;
		goto drop_queue;
	}
	if ((!more && q->total && q->total != end) ||
	    (q->total && end > q->total)) {
		goto drop_queue;
	}
	struct netbuf *f, *pos = NULL;
	list_for_each_entry(f, &q->frags, link)
	{
		if (f->cb[0] == off && f->cb[1] == end) {
			/* An exact duplicate (a retransmission) is
			 * harmless: keep the first copy. */
			netbuf_free(nb);
			return NULL;
		}
		if (off < f->cb[1] && f->cb[0] < end) {
			/* Overlaps are refused outright, as RFC 5722 and
			 * Linux do: which copy of a byte wins is how
			 * filters get bypassed. */
			ip_stats.reasm_overlaps++;
			goto drop_queue;
		}
		if (!pos && f->cb[0] > off)
			pos = f;
	}
	if (!more) {
		struct netbuf *last;
		if (!list_empty(&q->frags)) {
			last = list_entry(q->frags.prev, struct netbuf, link);
			if (last->cb[1] > end)
				goto drop_queue;
		}
		q->total = end;
	}
	if (q->nfrags >= IP_FRAG_PER_QUEUE_MAX)
		goto drop_queue;
	size_t c = frag_charge(nb);
	if (frag_mem + c > IP_FRAG_BYTES_MAX) {
		/* Only this queue is left and it is too big by itself. */
		goto drop_queue;
	}
	nb->cb[0] = off;
	nb->cb[1] = end;
	list_add_tail(&nb->link, pos ? &pos->link : &q->frags);
	q->nfrags++;
	q->mem += c;
	frag_mem += c;
	if (!q->total)
		return NULL;
	/* Complete when the sorted fragments leave no hole up to total. */
	uint32_t have = 0;
	list_for_each_entry(f, &q->frags, link)
	{
		if (f->cb[0] != have)
			return NULL;
		have = f->cb[1];
	}
	if (have != q->total)
		return NULL;
	struct netbuf *whole = frag_join(q);
	frag_queue_free(q);
	if (!whole) {
		ip_stats.reasm_fails++;
		return NULL;
	}
	ip_stats.reasm_oks++;
	return whole;

drop_queue:
	ip_stats.reasm_fails++;
	netbuf_free(nb);
	frag_queue_free(q);
	return NULL;
}

/* ---- Input ---- */

static void ip_drop(struct netbuf *nb, uint64_t *counter)
{
	(*counter)++;
	if (nb->dev)
		nb->dev->stats.rx_dropped++;
	netbuf_free(nb);
}

void ip_input(struct netbuf *nb)
{
	ip_stats.in_receives++;
	if (nb->len < IP_HDR_MIN)
		return ip_drop(nb, &ip_stats.in_truncated);
	struct iphdr *h = (struct iphdr *)nb->data;
	size_t hl = (size_t)(h->ver_ihl & 0xf) * 4;
	if ((h->ver_ihl >> 4) != 4 || hl < IP_HDR_MIN)
		return ip_drop(nb, &ip_stats.in_hdr_errors);
	if (hl > nb->len)
		return ip_drop(nb, &ip_stats.in_truncated);
	if (net_csum_fold(net_csum_add(0, h, hl)) != 0)
		return ip_drop(nb, &ip_stats.in_hdr_errors);
	size_t tot = net_ntohs(h->tot_len);
	if (tot < hl)
		return ip_drop(nb, &ip_stats.in_hdr_errors);
	if (tot > nb->len)
		return ip_drop(nb, &ip_stats.in_truncated);
	/* Link layers pad short frames: the IP length is the truth. */
	netbuf_trim(nb, tot);

	uint32_t src = net_ntohl(h->saddr), dst = net_ntohl(h->daddr);
	bool from_lo = nb->dev && (nb->dev->flags & IFF_LOOPBACK);
	/* Martians: 127/8 only on loopback; a broadcast or multicast
	 * source is never real. There is no forwarding. */
	if ((!from_lo && (src >> 24) == 127) || src == INADDR_BROADCAST ||
	    (src >> 28) == 0xe)
		return ip_drop(nb, &ip_stats.in_addr_errors);
	if (!ip_is_local(dst) && !ip_is_broadcast(dst))
		return ip_drop(nb, &ip_stats.in_addr_errors);

	nb->ip_hdr = nb->data;
	nb->ip_src = src;
	nb->ip_dst = dst;
	nb->ip_proto = h->proto;
	nb->ip_ttl = h->ttl;
	netbuf_pull(nb, hl);

	uint16_t frag = net_ntohs(h->frag_off);
	if (frag & (IP_MF | IP_OFFMASK)) {
		struct netbuf *whole = ip_reassemble(nb, frag);
		if (!whole)
			return;
		nb = whole;
		h = (struct iphdr *)nb->data;
		hl = (size_t)(h->ver_ihl & 0xf) * 4;
		nb->ip_hdr = nb->data;
		nb->ip_src = src;
		nb->ip_dst = dst;
		nb->ip_proto = h->proto;
		nb->ip_ttl = h->ttl;
		netbuf_pull(nb, hl);
	}
	ip_stats.in_delivers++;
	switch (nb->ip_proto) {
	case IPPROTO_ICMP:
		icmp_input(nb);
		break;
	case IPPROTO_TCP:
		tcp_input(nb);
		break;
	case IPPROTO_UDP:
		udp_input(nb);
		break;
	default:
		ip_stats.in_unknown_protos++;
		icmp_send_unreach(nb, ICMP_UNREACH_PROTO);
		netbuf_free(nb);
	}
}
