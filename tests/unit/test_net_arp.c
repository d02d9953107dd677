/* Host tests of Ethernet input/output and ARP (net/ethernet.c and
 * net/arp.c, included directly) over a fake interface that records what
 * it sends: truncated and malformed frames are dropped and counted, the
 * cache and the waiting queue stay bounded, entries expire, unsolicited
 * replies create nothing and only requests for our address are answered. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/arp.c"
#include "../../net/ethernet.c"

/* ---- shims for the stack's core ---------------------------------------- */
struct mutex net_lock;
void mutex_lock(struct mutex *m)
{
	(void)m;
}
void mutex_unlock(struct mutex *m)
{
	(void)m;
}

static uint64_t now_ns = 1000000000ULL;
uint64_t time_ns(void)
{
	return now_ns;
}

void net_timer_arm(struct net_timer *t, uint64_t expires)
{
	t->expires = expires;
}
void net_timer_cancel(struct net_timer *t)
{
	t->expires = 0;
}

/* Runs the ARP timer if due, as netd would: disarm, then call. */
static void advance(uint64_t ns)
{
	now_ns += ns;
	if (arp_timer.expires && arp_timer.expires <= now_ns) {
		arp_timer.expires = 0;
		arp_timer.fn(&arp_timer);
	}
}

static int live_bufs;
struct netbuf *netbuf_alloc(size_t headroom, size_t len)
{
	struct netbuf *nb = calloc(1, sizeof(*nb));
	nb->size = headroom + len;
	nb->head = malloc(nb->size ? nb->size : 1);
	nb->data = nb->head + headroom;
	nb->len = len;
	live_bufs++;
	return nb;
}
void netbuf_free(struct netbuf *nb)
{
	if (!nb)
		return;
	live_bufs--;
	free(nb->head);
	free(nb);
}
void *netbuf_push(struct netbuf *nb, size_t n)
{
	if ((size_t)(nb->data - nb->head) < n)
		return NULL;
	nb->data -= n;
	nb->len += n;
	return nb->data;
}
void *netbuf_pull(struct netbuf *nb, size_t n)
{
	if (nb->len < n)
		return NULL;
	nb->data += n;
	nb->len -= n;
	return nb->data;
}

static int ip_in;
static size_t ip_in_len;
void ip_input(struct netbuf *nb)
{
	ip_in++;
	ip_in_len = nb->len;
	netbuf_free(nb);
}

/* ---- a fake interface --------------------------------------------------- */
#define MAXSENT 64
static uint8_t sent[MAXSENT][128];
static size_t sent_len[MAXSENT];
static int nsent;

static int fake_xmit(struct netif *dev, struct netbuf *nb)
{
	if (nsent < MAXSENT) {
		size_t n = nb->len < 128 ? nb->len : 128;
		memcpy(sent[nsent], nb->data, n);
		sent_len[nsent] = nb->len;
	}
	nsent++;
	dev->stats.tx_packets++;
	netbuf_free(nb);
	return 0;
}

static struct netif eth = {
    .name = "eth0",
    .index = 2,
    .flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST,
    .mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
    .mtu = 1500,
    .addr = 0x0a00020f, /* 10.0.2.15 */
    .netmask = 0xffffff00,
    .xmit = fake_xmit,
};

static const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
#define GW 0x0a000202u

static struct netbuf *frame(const void *bytes, size_t len)
{
	struct netbuf *nb = netbuf_alloc(16, len);
	memcpy(nb->data, bytes, len);
	nb->dev = &eth;
	return nb;
}

/* An Ethernet+ARP frame (42 bytes) into buf. */
static size_t arp_frame(uint8_t *buf, uint16_t op, const uint8_t *sha,
			uint32_t sip, const uint8_t *tha, uint32_t tip,
			const uint8_t *dst)
{
	struct ethhdr *eh = (struct ethhdr *)buf;
	memcpy(eh->dst, dst, 6);
	memcpy(eh->src, sha, 6);
	eh->type = net_htons(ETH_P_ARP);
	struct arphdr_eth *a = (struct arphdr_eth *)(buf + ETH_HLEN);
	a->htype = net_htons(1);
	a->ptype = net_htons(ETH_P_IP);
	a->hlen = 6;
	a->plen = 4;
	a->op = net_htons(op);
	memcpy(a->sha, sha, 6);
	put_ip(a->spa, sip);
	memcpy(a->tha, tha, 6);
	put_ip(a->tpa, tip);
	return ETH_HLEN + sizeof(*a);
}

static void reset(void)
{
	arp_flush(&eth);
	memset(&eth_stats, 0, sizeof(eth_stats));
	memset(&eth.stats, 0, sizeof(eth.stats));
	nsent = 0;
	ip_in = 0;
}

static void test_ethernet(void)
{
	uint8_t buf[64];
	reset();
	memset(buf, 0, sizeof(buf));
	for (size_t n = 0; n < ETH_HLEN; n++)
		eth_input(&eth, frame(buf, n));
	CHECK_EQ_UINT("eth runts counted", eth_stats.runt, ETH_HLEN);
	CHECK_EQ_UINT("eth runts rx_dropped", eth.stats.rx_dropped, ETH_HLEN);

	struct ethhdr *eh = (struct ethhdr *)buf;
	memcpy(eh->dst, eth.mac, 6);
	eh->type = net_htons(0x86dd); /* IPv6: not spoken */
	eth_input(&eth, frame(buf, 60));
	CHECK_EQ_UINT("eth unknown type", eth_stats.unknown_type, 1);

	eh->type = net_htons(ETH_P_IP);
	eh->dst[5] ^= 1; /* another station's unicast */
	eth_input(&eth, frame(buf, 60));
	CHECK_EQ_UINT("eth other host", eth_stats.other_host, 1);
	CHECK_EQ_INT("eth other host not passed up", ip_in, 0);

	eh->dst[5] ^= 1;
	eth_input(&eth, frame(buf, 60));
	CHECK_EQ_INT("eth ipv4 passed up", ip_in, 1);
	CHECK_EQ_UINT("eth ipv4 payload", ip_in_len, 60 - ETH_HLEN);
	eth_input(&eth,
		  frame(buf, ETH_HLEN)); /* empty payload: IP's to judge */
	CHECK_EQ_INT("eth empty ipv4 passed up", ip_in, 2);

	/* Output puts the header on and refuses what is over the MTU. */
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, 20);
	memset(nb->data, 0xab, 20);
	CHECK_EQ_INT("eth output", eth_output(&eth, nb, gw_mac, ETH_P_IP), 0);
	CHECK_EQ_UINT("eth output len", sent_len[0], 34);
	CHECK_EQ_MEM("eth output dst", sent[0], gw_mac, 6);
	CHECK_EQ_MEM("eth output src", sent[0] + 6, eth.mac, 6);
	CHECK("eth output type", sent[0][12] == 8 && sent[0][13] == 0);
	nb = netbuf_alloc(NET_HEADROOM, 1501);
	CHECK_EQ_INT("eth output over mtu",
		     eth_output(&eth, nb, gw_mac, ETH_P_IP), -EMSGSIZE);
	nb = netbuf_alloc(0, 20);
	CHECK_EQ_INT("eth output no headroom",
		     eth_output(&eth, nb, gw_mac, ETH_P_IP), -ENOBUFS);
	CHECK_EQ_INT("eth no leaks", live_bufs, 0);
}

static void test_arp_malformed(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t buf[64], bad[64];
	reset();
	size_t n =
	    arp_frame(buf, ARPOP_REQUEST, gw_mac, GW, zero, eth.addr, bcast);
	/* Every truncation of a valid request. */
	for (size_t l = ETH_HLEN; l < n; l++)
		eth_input(&eth, frame(buf, l));
	CHECK_EQ_UINT("arp truncated counted", eth_stats.arp_bad, n - ETH_HLEN);
	struct {
		size_t off;
		uint8_t val;
	} muts[] = {
	    {ETH_HLEN + 1, 6},	  /* htype 6 */
	    {ETH_HLEN + 2, 0x86}, /* ptype 0x8600 */
	    {ETH_HLEN + 4, 8},	  /* hlen 8 */
	    {ETH_HLEN + 5, 16},	  /* plen 16 */
	    {ETH_HLEN + 7, 9},	  /* op 9 */
	    {ETH_HLEN + 8, 0x01}, /* multicast sender MAC */
	};
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		memcpy(bad, buf, n);
		bad[muts[i].off] = muts[i].val;
		eth_input(&eth, frame(bad, n));
	}
	CHECK_EQ_UINT("arp malformed counted", eth_stats.arp_bad,
		      n - ETH_HLEN + 6);
	CHECK_EQ_INT("arp malformed: no reply", nsent, 0);
	CHECK_EQ_UINT("arp malformed: no entry", arp_cache_count(), 0);
	/* Random bytes never crash, never grow the cache past its bound. */
	srand(1);
	for (int i = 0; i < 20000; i++) {
		memcpy(bad, buf, n);
		int flips = 1 + rand() % 4;
		for (int f = 0; f < flips; f++)
			bad[ETH_HLEN + rand() % (n - ETH_HLEN)] =
			    (uint8_t)rand();
		eth_input(&eth,
			  frame(bad, ETH_HLEN + rand() % (n - ETH_HLEN + 8)));
	}
	CHECK("arp fuzz: cache bounded", arp_cache_count() <= ARP_CACHE_MAX);
	CHECK_EQ_INT("arp fuzz: no leaks", live_bufs, 0);
}

static void test_arp_request_reply(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t buf[64], mac[6];
	reset();
	/* A request for someone else: no reply, nothing learnt. */
	size_t n =
	    arp_frame(buf, ARPOP_REQUEST, gw_mac, GW, zero, 0x0a000263, bcast);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_INT("arp other target: no reply", nsent, 0);
	CHECK_EQ_UINT("arp other target: no entry", arp_cache_count(), 0);

	/* An unsolicited reply (or gratuitous ARP) creates nothing. */
	n = arp_frame(buf, ARPOP_REPLY, gw_mac, GW, eth.mac, eth.addr, eth.mac);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_UINT("arp unsolicited reply: no entry", arp_cache_count(), 0);

	/* A request for us: answered to the asker, the asker learnt. */
	n = arp_frame(buf, ARPOP_REQUEST, gw_mac, GW, zero, eth.addr, bcast);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_INT("arp request for us: one reply", nsent, 1);
	const struct arphdr_eth *r = (const void *)(sent[0] + ETH_HLEN);
	CHECK_EQ_MEM("arp reply eth dst", sent[0], gw_mac, 6);
	CHECK_EQ_UINT("arp reply op", net_ntohs(r->op), ARPOP_REPLY);
	CHECK_EQ_MEM("arp reply sha", r->sha, eth.mac, 6);
	CHECK_EQ_UINT("arp reply spa", get_ip(r->spa), eth.addr);
	CHECK_EQ_MEM("arp reply tha", r->tha, gw_mac, 6);
	CHECK_EQ_UINT("arp reply tpa", get_ip(r->tpa), GW);
	CHECK_EQ_INT("arp asker learnt", arp_lookup(&eth, GW, mac), 0);
	CHECK_EQ_MEM("arp asker mac", mac, gw_mac, 6);

	/* An existing entry follows its owner's later announcements. */
	uint8_t moved[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x99};
	n = arp_frame(buf, ARPOP_REPLY, moved, GW, bcast, GW, bcast);
	eth_input(&eth, frame(buf, n));
	arp_lookup(&eth, GW, mac);
	CHECK_EQ_MEM("arp gratuitous updates existing", mac, moved, 6);

	/* Someone claiming our own address teaches nothing. */
	n = arp_frame(buf, ARPOP_REPLY, moved, eth.addr, eth.mac, eth.addr,
		      eth.mac);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_INT("arp our address claimed: no entry",
		     arp_lookup(&eth, eth.addr, mac), -ENOENT);

	/* A probe (sender 0.0.0.0) is answered but not learnt. */
	nsent = 0;
	unsigned before = arp_cache_count();
	n = arp_frame(buf, ARPOP_REQUEST, moved, 0, zero, eth.addr, bcast);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_INT("arp probe answered", nsent, 1);
	CHECK_EQ_UINT("arp probe not learnt", arp_cache_count(), before);

	/* Down or unaddressed: silent. */
	nsent = 0;
	eth.flags &= ~(unsigned)IFF_UP;
	n = arp_frame(buf, ARPOP_REQUEST, gw_mac, GW, zero, eth.addr, bcast);
	eth_input(&eth, frame(buf, n));
	eth.flags |= IFF_UP;
	CHECK_EQ_INT("arp interface down: no reply", nsent, 0);
	CHECK_EQ_INT("arp request/reply no leaks", live_bufs, 0);
}

static struct netbuf *ip_packet(uint8_t tag)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, 20);
	memset(nb->data, tag, 20);
	return nb;
}

static void test_arp_resolve_queue(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t buf[64];
	reset();
	CHECK_EQ_INT("arp output queues", arp_output(&eth, ip_packet(1), GW),
		     0);
	CHECK_EQ_INT("arp output sent a request", nsent, 1);
	const struct arphdr_eth *q = (const void *)(sent[0] + ETH_HLEN);
	CHECK_EQ_MEM("arp request broadcast", sent[0], bcast, 6);
	CHECK_EQ_UINT("arp request op", net_ntohs(q->op), ARPOP_REQUEST);
	CHECK_EQ_UINT("arp request tpa", get_ip(q->tpa), GW);
	CHECK_EQ_UINT("arp request spa", get_ip(q->spa), eth.addr);
	/* More packets: queued behind the same request, bounded. */
	for (int i = 0; i < ARP_QUEUE_MAX + 4; i++)
		arp_output(&eth, ip_packet((uint8_t)(2 + i)), GW);
	CHECK_EQ_INT("arp one request for many packets", nsent, 1);
	CHECK_EQ_UINT("arp queue bounded", arp_queue_count(), ARP_QUEUE_MAX);
	CHECK_EQ_UINT("arp queue dropped oldest", eth_stats.arp_queue_drop, 5);

	/* The reply sends them all, oldest (tag 6) first. */
	size_t n =
	    arp_frame(buf, ARPOP_REPLY, gw_mac, GW, eth.mac, eth.addr, eth.mac);
	eth_input(&eth, frame(buf, n));
	CHECK_EQ_INT("arp reply releases queue", nsent, 1 + ARP_QUEUE_MAX);
	CHECK_EQ_UINT("arp queue empty", arp_queue_count(), 0);
	CHECK_EQ_MEM("arp queued packet to resolved mac", sent[1], gw_mac, 6);
	CHECK_EQ_UINT("arp queued oldest first", sent[1][ETH_HLEN], 6);
	/* Resolved: straight out. */
	nsent = 0;
	arp_output(&eth, ip_packet(99), GW);
	CHECK_EQ_INT("arp resolved sends at once", nsent, 1);

	/* After ARP_TIMEOUT_NS the entry is gone. */
	for (int s = 0; s < 59; s++)
		advance(1000000000ULL);
	uint8_t mac[6];
	CHECK_EQ_INT("arp entry alive before timeout",
		     arp_lookup(&eth, GW, mac), 0);
	for (int s = 0; s < 3; s++)
		advance(1000000000ULL);
	CHECK_EQ_INT("arp entry expired", arp_lookup(&eth, GW, mac), -ENOENT);
	CHECK_EQ_UINT("arp cache empty after expiry", arp_cache_count(), 0);
	CHECK_EQ_INT("arp resolve no leaks", live_bufs, 0);
}

static void test_arp_failure(void)
{
	reset();
	arp_output(&eth, ip_packet(1), 0x0a000209);
	arp_output(&eth, ip_packet(2), 0x0a000209);
	for (int s = 0; s < 10; s++)
		advance(1000000000ULL);
	CHECK_EQ_INT("arp retries then gives up", nsent, ARP_MAX_TRIES);
	CHECK_EQ_UINT("arp failure counted", eth_stats.arp_failed, 1);
	CHECK_EQ_UINT("arp failure drops waiting", arp_queue_count(), 0);
	CHECK_EQ_UINT("arp failure tx_dropped", eth.stats.tx_dropped, 2);
	CHECK_EQ_UINT("arp failure entry gone", arp_cache_count(), 0);
	CHECK_EQ_INT("arp failure no leaks", live_bufs, 0);
}

static void test_arp_cache_bound(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t buf[64];
	reset();
	/* Many askers: the cache keeps ARP_CACHE_MAX, evicting the oldest. */
	for (unsigned i = 0; i < 3 * ARP_CACHE_MAX; i++) {
		uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		size_t n =
		    arp_frame(buf, ARPOP_REQUEST, mac, 0x0a000000 + 16 + i,
			      zero, eth.addr, bcast);
		now_ns += 1000; /* distinct ages */
		eth_input(&eth, frame(buf, n));
	}
	CHECK_EQ_UINT("arp cache bounded", arp_cache_count(), ARP_CACHE_MAX);
	CHECK_EQ_UINT("arp evictions counted", eth_stats.arp_evict,
		      2 * ARP_CACHE_MAX);
	uint8_t mac[6];
	CHECK_EQ_INT("arp oldest evicted", arp_lookup(&eth, 0x0a000010, mac),
		     -ENOENT);
	CHECK_EQ_INT("arp newest kept",
		     arp_lookup(&eth, 0x0a000010 + 3 * ARP_CACHE_MAX - 1, mac),
		     0);
	/* Unresolved entries evicted take their packets with them. */
	reset();
	for (unsigned i = 0; i < ARP_CACHE_MAX + 8; i++) {
		now_ns += 1000;
		arp_output(&eth, ip_packet(1), 0x0a010000 + i);
	}
	CHECK_EQ_UINT("arp pending bounded", arp_cache_count(), ARP_CACHE_MAX);
	CHECK("arp queue bounded with evictions",
	      arp_queue_count() <= ARP_QUEUE_MAX);
	reset();
	CHECK_EQ_INT("arp bound no leaks", live_bufs, 0);
}

static void test_arp_proc(void)
{
	char buf[8192];
	reset();
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t f[64];
	size_t n =
	    arp_frame(f, ARPOP_REQUEST, gw_mac, GW, zero, eth.addr, bcast);
	eth_input(&eth, frame(f, n));
	long len = arp_proc(buf, sizeof(buf));
	CHECK("arp proc has entry", len > 0 && strstr(buf, "10.0.2.2 ") &&
					strstr(buf, "52:55:0a:00:02:02") &&
					strstr(buf, "eth0"));
	len = arp_proc(buf, 10);
	CHECK_EQ_INT("arp proc cut to size", len, 9);
	reset();
}

int main(void)
{
	test_ethernet();
	test_arp_malformed();
	test_arp_request_reply();
	test_arp_resolve_queue();
	test_arp_failure();
	test_arp_cache_bound();
	test_arp_proc();
	return unit_done();
}
