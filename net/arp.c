/* ARP (RFC 826) for IPv4 over Ethernet: a bounded cache whose resolved
 * entries expire, a bounded queue of packets waiting for an answer, and
 * replies to requests for our own address only. Under net_lock. */
#include <lib/printf.h>
#include <lib/string.h>
#include <net/ether.h>
#include <net/net.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

struct arphdr_eth {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __attribute__((packed));

/* One cache entry; all fields under net_lock. A fixed table: the cache
 * can never grow past ARP_CACHE_MAX whatever the wire says. */
struct arp_entry {
	struct netif *dev; /* NULL: slot free */
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	bool resolved;
	unsigned tries;	  /* requests sent while unresolved */
	uint64_t expires; /* resolved: end of life; else: next request */
	uint64_t born;	  /* for evicting the oldest */
};

static struct arp_entry arp_cache[ARP_CACHE_MAX];
/* Packets waiting for resolution, oldest first (net_lock). Each keeps its
 * interface in nb->dev and its next hop in nb->ip_dst, fields a packet on
 * its way out does not otherwise use. */
static LIST_HEAD(arp_queue);
static unsigned arp_queued;
static struct net_timer arp_timer;

static const uint8_t bcast_mac[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint32_t get_ip(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_ip(uint8_t *p, uint32_t ip)
{
	p[0] = ip >> 24;
	p[1] = ip >> 16;
	p[2] = ip >> 8;
	p[3] = ip;
}

static struct arp_entry *arp_find(struct netif *dev, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++)
		if (arp_cache[i].dev == dev && arp_cache[i].ip == ip)
			return &arp_cache[i];
	return NULL;
}

static void arp_timer_fn(struct net_timer *t)
{
	(void)t;
	arp_expire(time_ns());
}

/* The timer ticks once a second while there is anything to expire or
 * retry; the work is small (a table of ARP_CACHE_MAX). */
static void arp_timer_kick(uint64_t now)
{
	if (!arp_timer.fn)
		arp_timer.fn = arp_timer_fn;
	if (!arp_timer.expires)
		net_timer_arm(&arp_timer, now + ARP_RETRY_NS);
}

/* A free slot, or the oldest entry's (an unresolved one's waiting packets
 * are dropped with it). */
static struct arp_entry *arp_alloc(void)
{
	struct arp_entry *old = NULL;
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++) {
		struct arp_entry *e = &arp_cache[i];
		if (!e->dev)
			return e;
		if (!old || e->born < old->born)
			old = e;
	}
	eth_stats.arp_evict++;
	return old;
}

/* Drops the queued packets for e (resolution failed or entry evicted). */
static void arp_drop_waiting(struct netif *dev, uint32_t ip)
{
	struct netbuf *nb, *tmp;
	list_for_each_entry_safe(nb, tmp, &arp_queue, link)
	{
		if (nb->dev == dev && nb->ip_dst == ip) {
			list_del(&nb->link);
			arp_queued--;
			dev->stats.tx_dropped++;
			netbuf_free(nb);
		}
	}
}

static void arp_release(struct arp_entry *e)
{
	if (!e->resolved)
		arp_drop_waiting(e->dev, e->ip);
	e->dev = NULL;
}

static int arp_send(struct netif *dev, uint16_t op, const uint8_t *tha,
		    uint32_t tip, const uint8_t *dst)
{
	struct netbuf *nb =
	    netbuf_alloc(NET_HEADROOM, sizeof(struct arphdr_eth));
	if (!nb) {
		dev->stats.tx_dropped++;
		return -ENOBUFS;
	}
	struct arphdr_eth *a = (struct arphdr_eth *)nb->data;
	a->htype = net_htons(ARPHRD_ETHER);
	a->ptype = net_htons(ETH_P_IP);
	a->hlen = ETH_ALEN;
	a->plen = 4;
	a->op = net_htons(op);
	memcpy(a->sha, dev->mac, ETH_ALEN);
	put_ip(a->spa, dev->addr);
	memcpy(a->tha, tha, ETH_ALEN);
	put_ip(a->tpa, tip);
	return eth_output(dev, nb, dst, ETH_P_ARP);
}

static const uint8_t zero_mac[ETH_ALEN];

static void arp_request(struct arp_entry *e, uint64_t now)
{
	e->tries++;
	e->expires = now + ARP_RETRY_NS;
	arp_send(e->dev, ARPOP_REQUEST, zero_mac, e->ip, bcast_mac);
}

/* Resolution finished: sends what waited for it, oldest first. */
static void arp_resolved(struct arp_entry *e, const uint8_t *mac, uint64_t now)
{
	memcpy(e->mac, mac, ETH_ALEN);
	bool was = e->resolved;
	e->resolved = true;
	e->tries = 0;
	e->expires = now + ARP_TIMEOUT_NS;
	if (was)
		return;
	struct netbuf *nb, *tmp;
	list_for_each_entry_safe(nb, tmp, &arp_queue, link)
	{
		if (nb->dev == e->dev && nb->ip_dst == e->ip) {
			list_del(&nb->link);
			arp_queued--;
			eth_output(e->dev, nb, e->mac, ETH_P_IP);
		}
	}
}

static bool bad_sender_ip(uint32_t ip)
{
	/* 0 is a probe (RFC 5227); multicast, broadcast and loopback senders
	 * are never neighbours. */
	return ip == 0 || (ip >> 28) >= 0xe || (ip >> 24) == 127;
}

void arp_input(struct netbuf *nb)
{
	struct netif *dev = nb->dev;
	const struct arphdr_eth *a = (const struct arphdr_eth *)nb->data;
	if (!dev || nb->len < sizeof(*a) ||
	    net_ntohs(a->htype) != ARPHRD_ETHER ||
	    net_ntohs(a->ptype) != ETH_P_IP || a->hlen != ETH_ALEN ||
	    a->plen != 4) {
		eth_stats.arp_bad++;
		goto drop;
	}
	uint16_t op = net_ntohs(a->op);
	uint32_t sip = get_ip(a->spa), tip = get_ip(a->tpa);
	if ((op != ARPOP_REQUEST && op != ARPOP_REPLY) || (a->sha[0] & 1)) {
		eth_stats.arp_bad++;
		goto drop;
	}
	if (!dev->addr || !(dev->flags & IFF_UP)) {
		eth_stats.arp_ignored++;
		goto drop;
	}
	if (sip == dev->addr) {
		/* Someone else claims our address: nothing to learn. */
		eth_stats.arp_ignored++;
		goto drop;
	}
	uint64_t now = time_ns();
	bool for_us = tip == dev->addr;
	struct arp_entry *e = bad_sender_ip(sip) ? NULL : arp_find(dev, sip);
	/* As Linux without arp_accept: an existing entry learns from any ARP
	 * packet of its owner, a new one is made only for a host asking for
	 * us (it will talk to us next). Unsolicited replies and gratuitous
	 * announcements create nothing. */
	if (e)
		arp_resolved(e, a->sha, now);
	else if (for_us && op == ARPOP_REQUEST && !bad_sender_ip(sip)) {
		e = arp_alloc();
		if (e->dev)
			arp_release(e);
		*e = (struct arp_entry){.dev = dev, .ip = sip, .born = now};
		arp_resolved(e, a->sha, now);
		arp_timer_kick(now);
	}
	if (op == ARPOP_REQUEST && for_us)
		arp_send(dev, ARPOP_REPLY, a->sha, sip, a->sha);
	else if (!e)
		eth_stats.arp_ignored++;
drop:
	netbuf_free(nb);
}

int arp_output(struct netif *dev, struct netbuf *nb, uint32_t nexthop)
{
	uint64_t now = time_ns();
	struct arp_entry *e = arp_find(dev, nexthop);
	if (e && e->resolved)
		return eth_output(dev, nb, e->mac, ETH_P_IP);
	if (!(dev->flags & IFF_UP)) {
		dev->stats.tx_dropped++;
		netbuf_free(nb);
		return -ENETDOWN;
	}
	if (!e) {
		e = arp_alloc();
		if (e->dev)
			arp_release(e);
		*e = (struct arp_entry){.dev = dev, .ip = nexthop, .born = now};
		arp_request(e, now);
		arp_timer_kick(now);
	}
	/* Bounded: the oldest waiting packet makes room. */
	if (arp_queued >= ARP_QUEUE_MAX) {
		struct netbuf *old =
		    list_first_entry(&arp_queue, struct netbuf, link);
		list_del(&old->link);
		arp_queued--;
		eth_stats.arp_queue_drop++;
		old->dev->stats.tx_dropped++;
		netbuf_free(old);
	}
	nb->dev = dev;
	nb->ip_dst = nexthop;
	list_add_tail(&nb->link, &arp_queue);
	arp_queued++;
	return 0;
}

int arp_lookup(struct netif *dev, uint32_t ip, uint8_t mac[ETH_ALEN])
{
	struct arp_entry *e = arp_find(dev, ip);
	if (!e || !e->resolved)
		return -ENOENT;
	memcpy(mac, e->mac, ETH_ALEN);
	return 0;
}

unsigned arp_cache_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++)
		n += arp_cache[i].dev != NULL;
	return n;
}

unsigned arp_queue_count(void)
{
	return arp_queued;
}

void arp_flush(struct netif *dev)
{
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++)
		if (arp_cache[i].dev == dev)
			arp_release(&arp_cache[i]);
}

void arp_expire(uint64_t now)
{
	bool any = false;
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++) {
		struct arp_entry *e = &arp_cache[i];
		if (!e->dev || e->expires > now) {
			any |= e->dev != NULL;
			continue;
		}
		if (e->resolved || e->tries >= ARP_MAX_TRIES) {
			if (!e->resolved)
				eth_stats.arp_failed++;
			arp_release(e);
			continue;
		}
		arp_request(e, now);
		any = true;
	}
	/* From the timer, netd has disarmed it (expires 0): tick on while
	 * there is work. */
	if (any)
		arp_timer_kick(now);
}

int arp_get(unsigned i, struct arp_info *out)
{
	if (i >= ARP_CACHE_MAX)
		return -ENOENT;
	const struct arp_entry *e = &arp_cache[i];
	if (!e->dev)
		return 0;
	out->dev = e->dev;
	out->ip = e->ip;
	memcpy(out->mac, e->mac, ETH_ALEN);
	out->resolved = e->resolved;
	return 1;
}

long arp_proc(char *buf, size_t size)
{
	long len = 0;
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)
	EMIT("IP address       HW type     Flags       HW address            "
	     "Mask     Device\n");
	mutex_lock(&net_lock);
	for (unsigned i = 0; i < ARP_CACHE_MAX; i++) {
		struct arp_entry *e = &arp_cache[i];
		if (!e->dev)
			continue;
		char ip[16];
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", e->ip >> 24,
			 (e->ip >> 16) & 255, (e->ip >> 8) & 255, e->ip & 255);
		const uint8_t *m = e->mac;
		EMIT("%-16s 0x1         0x%-10x%02x:%02x:%02x:%02x:%02x:%02x   "
		     "  "
		     "*        %s\n",
		     ip, e->resolved ? 2 : 0, m[0], m[1], m[2], m[3], m[4],
		     m[5], e->dev->name);
	}
	mutex_unlock(&net_lock);
#undef EMIT
	return len < (long)size ? len : (long)size - 1;
}
