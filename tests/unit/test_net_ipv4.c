/* Host tests of net/core.c (netbufs, the Internet checksum against known
 * vectors) and net/ipv4.c: the input parser fed truncated and malformed
 * headers, reassembly (in order, out of order, duplicates, overlaps,
 * oversized datagrams, timeouts, the queue and byte limits) and output
 * fragmentation over a loopback whose MTU is made small, each packet
 * captured from loopback's transmit and fed back to ip_input.
 *
 * Stubs: kmalloc is malloc (ASan sees every buffer, LeakSanitizer every
 * leak), net_timers sit on a list the test fires by hand, the clock is a
 * variable, and the transports record what IPv4 delivered. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <net/net.h>
#include <uapi/socket.h>

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}

static uint64_t now_ns = 1000;
uint64_t time_ns(void)
{
	return now_ns;
}

/* Timers: armed ones on a list; fire_timers runs those due. */
static LIST_HEAD(timers);
void net_timer_arm(struct net_timer *t, uint64_t at)
{
	if (t->expires)
		list_del(&t->link);
	t->expires = at;
	list_add_tail(&t->link, &timers);
}
void net_timer_cancel(struct net_timer *t)
{
	if (t->expires)
		list_del(&t->link);
	t->expires = 0;
}
static int ntimers(void)
{
	int n = 0;
	struct list_head *p;
	list_for_each(p, &timers) n++;
	return n;
}
static void fire_timers(void)
{
	struct net_timer *t, *n;
	list_for_each_entry_safe(t, n, &timers, link)
	{
		if (t->expires <= now_ns) {
			list_del(&t->link);
			t->expires = 0;
			t->fn(t);
		}
	}
}

/* Loopback's transmit queues here; the test feeds them to ip_input. */
static LIST_HEAD(lo_out);
void net_rx_enqueue(struct netif *dev, struct netbuf *nb)
{
	nb->dev = dev;
	list_add_tail(&nb->link, &lo_out);
}

/* What reached the transports. */
static int delivered, icmp_in, unreach_sent;
static size_t last_len;
static uint8_t last_data[70000];
static void record(struct netbuf *nb)
{
	delivered++;
	last_len = nb->len;
	memcpy(last_data, nb->data, nb->len);
	netbuf_free(nb);
}
void udp_input(struct netbuf *nb)
{
	record(nb);
}
void icmp_input(struct netbuf *nb)
{
	icmp_in++;
	record(nb);
}
void icmp_send_unreach(struct netbuf *nb, uint8_t code)
{
	(void)nb, (void)code;
	unreach_sent++;
}
void udp_icmp_error(uint32_t s, uint32_t d, const uint8_t *h, size_t l, int e)
{
	(void)s, (void)d, (void)h, (void)l, (void)e;
}

#include "unit_rename_lib.h"
#include "../../lib/string.c"
#include "../../net/core.c"
#include "../../net/ipv4.c"
#include "../../net/netif.c"
#include "unit_unrename_lib.h"

#undef CHECK
#define CHECK(name, cond, ...)                                                 \
	((cond) ? unit_pass(name)                                              \
		: unit_fail(name, __FILE__, __LINE__, __VA_ARGS__))

/* ---- Packet making ---- */

static const uint32_t SRC = 0x7f000002, DST = 0x7f000001;

/* An IPv4 packet with a valid header (IHL 5) over payload. */
static struct netbuf *mk(uint16_t id, uint16_t frag, const uint8_t *payload,
			 size_t n)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, 20 + n);
	ip_fill((struct iphdr *)nb->data, 20 + n, id, frag, 64, IPPROTO_UDP,
		SRC, DST);
	if (n)
		memcpy(nb->data + 20, payload, n);
	nb->dev = netif_loopback;
	return nb;
}

static void refix_csum(struct netbuf *nb)
{
	struct iphdr *h = (struct iphdr *)nb->data;
	size_t hl = (size_t)(h->ver_ihl & 0xf) * 4;
	h->check = 0;
	if (hl <= nb->len)
		h->check = net_htons(net_csum_fold(net_csum_add(0, h, hl)));
}

static uint8_t pay[70000];

static void reset(void)
{
	delivered = icmp_in = unreach_sent = 0;
	memset(&ip_stats, 0, sizeof(ip_stats));
}

/* ---- Tests ---- */

static void t_checksum(void)
{
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	const uint8_t v1[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint32_t s = net_csum_add(0, v1, sizeof(v1));
	CHECK("csum.rfc1071", net_csum_fold(s) == (uint16_t)~0xddf2, "fold %#x",
	      net_csum_fold(s));
	/* A well-known IPv4 header (Wikipedia's): checksum b861. */
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
			 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
			 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint16_t c = net_csum_fold(net_csum_add(0, h, 20));
	CHECK("csum.ipv4_header", c == 0xb861, "got %#x", c);
	h[10] = 0xb8;
	h[11] = 0x61;
	CHECK("csum.verifies_to_zero",
	      net_csum_fold(net_csum_add(0, h, 20)) == 0, "nonzero");
	/* Odd length: the last byte is the high half of a word. */
	const uint8_t odd[] = {0x12, 0x34, 0x56};
	CHECK("csum.odd",
	      net_csum_fold(net_csum_add(0, odd, 3)) ==
		  (uint16_t) ~(0x1234 + 0x5600),
	      "got %#x", net_csum_fold(net_csum_add(0, odd, 3)));
	/* Chaining over even pieces equals one pass. */
	uint32_t a = net_csum_add(net_csum_add(0, h, 8), h + 8, 12);
	CHECK("csum.chained", net_csum_fold(a) == 0, "got %#x",
	      net_csum_fold(a));
	/* All ones: no overflow whatever the length. */
	static uint8_t ff[65536];
	memset(ff, 0xff, sizeof(ff));
	CHECK("csum.all_ones",
	      net_csum_fold(net_csum_add(0, ff, sizeof(ff))) == 0, "got %#x",
	      net_csum_fold(net_csum_add(0, ff, sizeof(ff))));
	/* Against the definition (16-bit big-endian words, one at a time)
	 * at every alignment, odd and even lengths, any incoming sum. */
	static uint8_t rnd[2100];
	uint32_t x = 1;
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)((x = x * 1103515245 + 12345) >> 16);
	int bad = 0;
	for (int k = 0; k < 2000 && !bad; k++) {
		size_t off = (x = x * 1103515245 + 12345) % 16;
		size_t len = (x = x * 1103515245 + 12345) % 2048;
		uint32_t in = (x = x * 1103515245 + 12345);
		uint64_t ref = in;
		for (size_t i = 0; i + 1 < len; i += 2)
			ref += (uint32_t)rnd[off + i] << 8 | rnd[off + i + 1];
		if (len & 1)
			ref += (uint32_t)rnd[off + len - 1] << 8;
		while (ref >> 16)
			ref = (ref & 0xffff) + (ref >> 16);
		bad = net_csum_fold(net_csum_add(in, rnd + off, len)) !=
		      (uint16_t)~ref;
	}
	CHECK("csum.matches_definition", !bad, "differs");
	/* Pseudo-header: 127.0.0.1 -> 127.0.0.1, UDP, length 8. */
	uint32_t p = net_csum_pseudo(DST, DST, 17, 8);
	CHECK("csum.pseudo", p == 0x7f00 + 1 + 0x7f00 + 1 + 17 + 8, "got %#x",
	      p);
}

static void t_netbuf(void)
{
	struct netbuf *nb = netbuf_alloc(16, 10);
	bool ok = nb && nb->len == 10 && netbuf_push(nb, 16) == nb->head &&
		  nb->len == 26 && !netbuf_push(nb, 1) && netbuf_pull(nb, 20) &&
		  nb->len == 6 && !netbuf_pull(nb, 7);
	netbuf_trim(nb, 100);
	ok = ok && nb->len == 6;
	netbuf_trim(nb, 2);
	ok = ok && nb->len == 2;
	CHECK("netbuf.push_pull_trim", ok, "bad");
	netbuf_free(nb);
	CHECK("netbuf.absurd_size", !netbuf_alloc(0, (size_t)1 << 40),
	      "allocated");
}

static void t_parser(void)
{
	reset();
	struct netbuf *nb = mk(1, 0, pay, 8);
	ip_input(nb);
	CHECK("ip.valid_delivered",
	      delivered == 1 && last_len == 8 && ip_stats.in_delivers == 1,
	      "delivered %d len %zu", delivered, last_len);

	/* Shorter than any header. */
	for (size_t n = 0; n < 20; n++) {
		nb = mk(1, 0, pay, 8);
		nb->len = n;
		ip_input(nb);
	}
	CHECK("ip.truncated_header",
	      delivered == 1 && ip_stats.in_truncated == 20,
	      "delivered %d truncated %lu", delivered,
	      (unsigned long)ip_stats.in_truncated);

	reset();
	nb = mk(1, 0, pay, 8);
	nb->data[0] = 0x65; /* version 6 */
	refix_csum(nb);
	ip_input(nb);
	for (int ihl = 0; ihl < 5; ihl++) {
		nb = mk(1, 0, pay, 8);
		nb->data[0] = (uint8_t)(0x40 | ihl);
		ip_input(nb);
	}
	CHECK("ip.bad_version_ihl",
	      delivered == 0 && ip_stats.in_hdr_errors == 6,
	      "delivered %d hdr_errors %lu", delivered,
	      (unsigned long)ip_stats.in_hdr_errors);

	reset();
	/* IHL 15 (60 bytes) in a 28-byte packet. */
	nb = mk(1, 0, pay, 8);
	nb->data[0] = 0x4f;
	ip_input(nb);
	CHECK("ip.ihl_beyond_packet",
	      delivered == 0 && ip_stats.in_truncated == 1, "delivered %d",
	      delivered);

	reset();
	/* Total length below the header, and beyond what came. */
	nb = mk(1, 0, pay, 8);
	((struct iphdr *)nb->data)->tot_len = net_htons(19);
	refix_csum(nb);
	ip_input(nb);
	nb = mk(1, 0, pay, 8);
	((struct iphdr *)nb->data)->tot_len = net_htons(29);
	refix_csum(nb);
	ip_input(nb);
	CHECK("ip.bad_total_length",
	      delivered == 0 && ip_stats.in_hdr_errors == 1 &&
		  ip_stats.in_truncated == 1,
	      "delivered %d", delivered);

	/* Link padding after the IP length is cut off. */
	reset();
	nb = mk(1, 0, pay, 8);
	nb->len += 10;
	ip_input(nb);
	CHECK("ip.padding_trimmed", delivered == 1 && last_len == 8,
	      "delivered %d len %zu", delivered, last_len);

	reset();
	nb = mk(1, 0, pay, 8);
	nb->data[10] ^= 1;
	ip_input(nb);
	CHECK("ip.bad_checksum", delivered == 0 && ip_stats.in_hdr_errors == 1,
	      "delivered %d", delivered);

	reset();
	/* Not for us; a broadcast source; 127/8 from a non-loopback. */
	nb = mk(1, 0, pay, 8);
	((struct iphdr *)nb->data)->daddr = net_htonl(0x0a000001);
	refix_csum(nb);
	ip_input(nb);
	nb = mk(1, 0, pay, 8);
	((struct iphdr *)nb->data)->saddr = net_htonl(0xffffffff);
	refix_csum(nb);
	ip_input(nb);
	static struct netif eth = {.name = "eth0", .flags = IFF_UP};
	nb = mk(1, 0, pay, 8);
	nb->dev = &eth;
	ip_input(nb);
	CHECK("ip.martians", delivered == 0 && ip_stats.in_addr_errors == 3,
	      "delivered %d addr_errors %lu", delivered,
	      (unsigned long)ip_stats.in_addr_errors);

	reset();
	nb = mk(1, 0, pay, 8);
	((struct iphdr *)nb->data)->proto = 99;
	refix_csum(nb);
	ip_input(nb);
	CHECK("ip.unknown_proto",
	      delivered == 0 && unreach_sent == 1 &&
		  ip_stats.in_unknown_protos == 1,
	      "unreach %d", unreach_sent);

	/* Options: IHL 6 with a NOP word, delivered past them. */
	reset();
	nb = netbuf_alloc(NET_HEADROOM, 24 + 4);
	ip_fill((struct iphdr *)nb->data, 28, 1, 0, 64, IPPROTO_UDP, SRC, DST);
	nb->data[0] = 0x46;
	memset(nb->data + 20, 1, 4);
	memcpy(nb->data + 24, "opts", 4);
	nb->dev = netif_loopback;
	refix_csum(nb);
	ip_input(nb);
	CHECK("ip.options_skipped",
	      delivered == 1 && last_len == 4 && !memcmp(last_data, "opts", 4),
	      "delivered %d len %zu", delivered, last_len);
}

/* Fragment of the datagram id holding pay[off, off+n). */
static void frag(uint16_t id, size_t off, size_t n, bool more)
{
	ip_input(
	    mk(id, (uint16_t)(off / 8 | (more ? IP_MF : 0)), pay + off, n));
}

static bool got_pay(size_t n)
{
	return delivered == 1 && last_len == n && !memcmp(last_data, pay, n);
}

static void t_reassembly(void)
{
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 13 + (i >> 8));

	reset();
	frag(10, 0, 800, true);
	frag(10, 800, 800, true);
	frag(10, 1600, 100, false);
	CHECK("frag.in_order",
	      got_pay(1700) && ip_stats.reasm_oks == 1 && frag_nqueues == 0 &&
		  frag_mem == 0 && ntimers() == 0,
	      "delivered %d len %zu queues %d", delivered, last_len,
	      frag_nqueues);

	reset();
	frag(11, 1600, 100, false);
	frag(11, 0, 800, true);
	CHECK("frag.incomplete_waits", delivered == 0 && frag_nqueues == 1,
	      "delivered %d", delivered);
	frag(11, 800, 800, true);
	CHECK("frag.out_of_order", got_pay(1700) && frag_nqueues == 0,
	      "delivered %d len %zu", delivered, last_len);

	reset();
	frag(12, 0, 800, true);
	frag(12, 0, 800, true); /* an exact duplicate is only ignored */
	frag(12, 800, 80, false);
	frag(12, 800, 80, false); /* after completion: a new, lone queue */
	CHECK("frag.duplicate",
	      got_pay(880) && ip_stats.reasm_overlaps == 0 && frag_nqueues == 1,
	      "delivered %d overlaps %lu queues %d", delivered,
	      (unsigned long)ip_stats.reasm_overlaps, frag_nqueues);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();

	reset();
	frag(13, 0, 800, true);
	frag(13, 792, 80, false); /* overlaps the first by 8 bytes */
	frag(13, 800, 72, false);
	CHECK("frag.overlap_refused",
	      delivered == 0 && ip_stats.reasm_overlaps == 1 &&
		  ip_stats.reasm_fails >= 1,
	      "delivered %d overlaps %lu", delivered,
	      (unsigned long)ip_stats.reasm_overlaps);
	/* The queue was dropped: what came after sits in a fresh one. */
	CHECK("frag.overlap_drops_queue", frag_nqueues == 1, "queues %d",
	      frag_nqueues);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();

	reset();
	frag(14, 0, 800, true);
	frag(14, 8, 16, true); /* inside the first */
	CHECK("frag.contained_overlap",
	      delivered == 0 && ip_stats.reasm_overlaps == 1 &&
		  frag_nqueues == 0,
	      "queues %d", frag_nqueues);

	/* 65535 - 20 is the most payload; one byte more is dropped. */
	reset();
	for (size_t off = 0; off < 65472; off += 8184)
		frag(15, off, 8184, true);
	frag(15, 65472, 43, false);
	CHECK("frag.max_size", got_pay(65515), "delivered %d len %zu",
	      delivered, last_len);
	reset();
	frag(16, 0, 8, true);
	frag(16, 65512, 24, false); /* 20 + 65536 */
	CHECK("frag.oversize_dropped",
	      delivered == 0 && ip_stats.reasm_oversize == 1 &&
		  frag_nqueues == 0,
	      "delivered %d oversize %lu", delivered,
	      (unsigned long)ip_stats.reasm_oversize);

	/* A middle fragment not a multiple of 8; an empty one. */
	reset();
	frag(17, 0, 801, true);
	frag(17, 0, 0, true);
	CHECK("frag.bad_lengths",
	      delivered == 0 && frag_nqueues == 0 &&
		  ip_stats.in_hdr_errors == 2,
	      "queues %d", frag_nqueues);

	/* Last fragments that disagree, or data past the end. */
	reset();
	frag(18, 800, 80, false);
	frag(18, 800, 88, false);
	frag(19, 800, 80, false);
	frag(19, 880, 8, true);
	CHECK("frag.end_disagrees", delivered == 0 && frag_nqueues == 0,
	      "queues %d", frag_nqueues);

	/* Timeout: the queue and its buffers go after 30 s. */
	reset();
	frag(20, 0, 800, true);
	now_ns += IP_FRAG_TIMEOUT_NS - 1;
	fire_timers();
	bool alive = frag_nqueues == 1;
	now_ns += 1;
	fire_timers();
	frag(20, 800, 8, false);
	CHECK("frag.timeout",
	      alive && ip_stats.reasm_timeouts == 1 && delivered == 0 &&
		  frag_nqueues == 1,
	      "alive %d timeouts %lu", alive,
	      (unsigned long)ip_stats.reasm_timeouts);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();

	/* More queues than allowed: the oldest are dropped, never more. */
	reset();
	for (int i = 0; i < IP_FRAG_QUEUES_MAX * 3; i++)
		frag((uint16_t)(1000 + i), 0, 8, true);
	CHECK("frag.queue_limit",
	      frag_nqueues == IP_FRAG_QUEUES_MAX &&
		  ip_stats.reasm_fails == 2 * IP_FRAG_QUEUES_MAX,
	      "queues %d fails %lu", frag_nqueues,
	      (unsigned long)ip_stats.reasm_fails);
	/* The newest survived: it still completes. */
	frag((uint16_t)(1000 + IP_FRAG_QUEUES_MAX * 3 - 1), 8, 8, false);
	CHECK("frag.newest_kept", got_pay(16), "delivered %d len %zu",
	      delivered, last_len);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();
	CHECK("frag.all_expired",
	      frag_nqueues == 0 && frag_mem == 0 && ntimers() == 0,
	      "queues %d mem %zu", frag_nqueues, frag_mem);

	/* Bytes: big fragments of many datagrams never hold more than the
	 * cap; and one datagram's fragments past the per-queue limit. */
	reset();
	size_t peak = 0;
	for (int i = 0; i < 200; i++) {
		frag((uint16_t)(3000 + i), 0, 60000, true);
		if (frag_mem > peak)
			peak = frag_mem;
	}
	CHECK("frag.byte_limit", peak <= IP_FRAG_BYTES_MAX && frag_nqueues > 0,
	      "peak %zu", peak);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();
	reset();
	for (int i = 0; i < IP_FRAG_PER_QUEUE_MAX + 10; i++)
		frag(4000, (size_t)i * 16, 8, true); /* holes between */
	CHECK("frag.per_queue_limit",
	      frag_nqueues <= 1 && ip_stats.reasm_fails >= 1, "queues %d",
	      frag_nqueues);
	now_ns += IP_FRAG_TIMEOUT_NS;
	fire_timers();
	CHECK("frag.clean", frag_nqueues == 0 && frag_mem == 0, "queues %d",
	      frag_nqueues);
}

/* Output over a loopback with a small MTU: fragments come out sized to it,
 * flagged and offset right, and reassemble into the datagram. */
static void t_output(void)
{
	reset();
	uint32_t mtu = netif_loopback->mtu;
	netif_loopback->mtu = 576;
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, 2000);
	memcpy(nb->data, pay, 2000);
	int r = ip_output(nb, 0, DST, IPPROTO_UDP, 0);
	int n = 0;
	bool sizes_ok = true;
	struct netbuf *f, *t;
	list_for_each_entry(f, &lo_out, link)
	{
		struct iphdr *h = (struct iphdr *)f->data;
		uint16_t fo = net_ntohs(h->frag_off);
		if (f->len > 576 || net_ntohs(h->tot_len) != f->len ||
		    h->ttl != IP_DEFAULT_TTL ||
		    net_ntohl(h->saddr) != INADDR_LOOPBACK ||
		    (fo & IP_OFFMASK) * 8 != (size_t)n * 552 ||
		    !!(fo & IP_MF) != (n < 3))
			sizes_ok = false;
		n++;
	}
	CHECK("out.fragmented",
	      r == 0 && n == 4 && sizes_ok && ip_stats.frag_creates == 4,
	      "ret %d fragments %d ok %d", r, n, sizes_ok);
	/* Fed back in reverse order. */
	struct netbuf *arr[8];
	int k = 0;
	list_for_each_entry_safe(f, t, &lo_out, link)
	{
		list_del(&f->link);
		arr[k++] = f;
	}
	while (k)
		ip_input(arr[--k]);
	CHECK("out.reassembled", got_pay(2000), "delivered %d len %zu",
	      delivered, last_len);

	/* Unfragmented, with a TTL and IDs that differ. */
	reset();
	netif_loopback->mtu = mtu;
	nb = netbuf_alloc(NET_HEADROOM, 10);
	ip_output(nb, 0, DST, IPPROTO_UDP, 5);
	nb = netbuf_alloc(NET_HEADROOM, 10);
	ip_output(nb, 0, DST, IPPROTO_UDP, 0);
	struct netbuf *a = list_first_entry(&lo_out, struct netbuf, link);
	struct netbuf *b = list_entry(a->link.next, struct netbuf, link);
	struct iphdr *ha = (struct iphdr *)a->data,
		     *hb = (struct iphdr *)b->data;
	CHECK("out.header",
	      ha->ttl == 5 && hb->ttl == 64 && ha->id != hb->id &&
		  net_csum_fold(net_csum_add(0, ha, 20)) == 0 && a->len == 30,
	      "ttl %d %d", ha->ttl, hb->ttl);
	list_for_each_entry_safe(f, t, &lo_out, link)
	{
		list_del(&f->link);
		netbuf_free(f);
	}
	nb = netbuf_alloc(NET_HEADROOM, 65536 - 20);
	CHECK("out.too_big", ip_output(nb, 0, DST, IPPROTO_UDP, 0) == -EMSGSIZE,
	      "accepted");
	nb = netbuf_alloc(NET_HEADROOM, 10);
	CHECK("out.no_route",
	      ip_output(nb, 0, 0x08080808, IPPROTO_UDP, 0) == -ENETUNREACH &&
		  ip_stats.out_no_routes == 1,
	      "routed");
}

/* Routes: a subnet beats the default, the longest prefix wins. */
static void t_routes(void)
{
	static struct netif eth = {.name = "eth0",
				   .flags = IFF_UP | IFF_BROADCAST,
				   .mtu = 1500,
				   .addr = 0x0a000205,
				   .netmask = 0xffffff00};
	netif_register(&eth);
	struct ip_route def = {.gw = 0x0a000201};
	CHECK("route.add_default", ip_route_add(&def) == 0, "failed");
	CHECK("route.dup_eexist", ip_route_add(&def) == -EEXIST, "accepted");
	struct ip_route bad = {.gw = 0x0b000001, .metric = 5};
	CHECK("route.gw_unreachable", ip_route_add(&bad) == -ENETUNREACH,
	      "accepted");
	uint32_t nh;
	struct netif *d = ip_route(0x08080808, &nh);
	CHECK("route.default", d == &eth && nh == 0x0a000201, "dev %p nh %#x",
	      (void *)d, nh);
	d = ip_route(0x0a000209, &nh);
	CHECK("route.subnet", d == &eth && nh == 0x0a000209, "nh %#x", nh);
	d = ip_route(0x0a000205, &nh);
	CHECK("route.own_addr_loopback",
	      d == netif_loopback && ip_route_src(0x0a000205) == 0x0a000205,
	      "dev %p", (void *)d);
	CHECK("route.broadcast",
	      ip_is_broadcast(0x0a0002ff) && !ip_is_broadcast(0x0a0002fe),
	      "wrong");
	CHECK("route.mtu",
	      ip_route_mtu(0x08080808) == 1500 && ip_route_mtu(DST) == 65536,
	      "mtu %u", ip_route_mtu(0x08080808));
	CHECK("route.del",
	      ip_route_del(0, 0) == 0 && !ip_route(0x08080808, &nh) &&
		  ip_route_del(0, 0) == -ESRCH,
	      "still routed");
	list_del(&eth.link);
}

int main(void)
{
	netif_loopback_init();
	t_checksum();
	t_netbuf();
	t_parser();
	t_reassembly();
	t_output();
	t_routes();
	return unit_done();
}
