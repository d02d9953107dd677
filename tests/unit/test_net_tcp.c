/* Host tests of TCP (net/tcp_*.c, included directly, with net/core.c's
 * netbufs and checksums): a scripted peer feeds segments to tcp_input,
 * ip_output is captured, and a fake clock fires the net_timers. Covers the
 * handshakes, data, reordering, window checks, resets, a SYN flood,
 * retransmission backoff, fast retransmit, zero-window probes, every FIN
 * transition, TIME-WAIT and malformed segments, under ASan/UBSan. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/core.c"
#include "../../net/tcp_conn.c"
#include "../../net/tcp_input.c"
#include "../../net/tcp_output.c"
#include "../../net/tcp_timer.c"
#include "../../lib/siphash.c"

/* ---- kernel shims ---- */
struct mutex net_lock;
static uint64_t now_ns = 1000000000ull;
uint64_t time_ns(void)
{
	return now_ns;
}
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
static uint32_t rnd = 0x12345678;
int random_fill(void *buf, size_t n)
{
	uint8_t *b = buf;
	for (size_t i = 0; i < n; i++) {
		rnd = rnd * 1103515245u + 12345u;
		b[i] = rnd >> 24;
	}
	return 0;
}
static int wakes;
void wait_queue_wake_all(struct wait_queue *wq)
{
	(void)wq;
	wakes++;
}
uint32_t ip_route_mtu(uint32_t dst)
{
	(void)dst;
	return 1500;
}

/* Timers: a list the fake clock walks. */
static LIST_HEAD(timers);
void net_timer_arm(struct net_timer *t, uint64_t expires)
{
	if (t->expires)
		list_del(&t->link);
	t->expires = expires ? expires : 1;
	list_add_tail(&t->link, &timers);
}
void net_timer_cancel(struct net_timer *t)
{
	if (t->expires)
		list_del(&t->link);
	t->expires = 0;
}
/* Advances the clock to `to`, firing due timers in deadline order. */
static void clock_to(uint64_t to)
{
	for (;;) {
		struct net_timer *t, *best = NULL;
		list_for_each_entry(
		    t, &timers, link) if (t->expires <= to &&
					  (!best || t->expires < best->expires))
		    best = t;
		if (!best)
			break;
		if (best->expires > now_ns)
			now_ns = best->expires;
		list_del(&best->link);
		best->expires = 0;
		best->fn(best);
	}
	now_ns = to;
}
static void advance_ms(uint64_t ms)
{
	clock_to(now_ns + ms * 1000000ull);
}

/* Captured output. */
struct out {
	uint32_t src, dst, seq, ack, win;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t len;
	int mss, ws;
	uint64_t when;
	uint8_t data[2048];
};
#define NOUT 4096
static struct out outq[NOUT];
static int nout, outpos;
int ip_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
	      uint8_t ttl)
{
	(void)ttl;
	struct tcp_hdr *th = (struct tcp_hdr *)nb->data;
	size_t hl = (th->doff >> 4) * 4;
	struct seg s;
	if (proto != IPPROTO_TCP || nout == NOUT) {
		netbuf_free(nb);
		return 0;
	}
	struct out *o = &outq[nout++];
	o->src = src, o->dst = dst;
	o->sport = net_ntohs(th->sport), o->dport = net_ntohs(th->dport);
	o->seq = net_ntohl(th->seq), o->ack = net_ntohl(th->ack);
	o->win = net_ntohs(th->win), o->flags = th->flags;
	o->len = nb->len - hl;
	o->when = now_ns;
	memcpy(o->data, nb->data + hl, MIN(o->len, sizeof(o->data)));
	parse_opts(&s, (uint8_t *)(th + 1), hl - sizeof(*th));
	o->mss = s.mss, o->ws = s.wscale;
	/* The checksum must verify as the peer would check it. */
	if (net_csum_fold(net_csum_add(
		net_csum_pseudo(src ? src : 0, dst, IPPROTO_TCP, nb->len),
		nb->data, nb->len)))
		o->flags |= 0x80; /* marks a bad checksum */
	netbuf_free(nb);
	return 0;
}
static struct out *pop(void)
{
	return outpos < nout ? &outq[outpos++] : NULL;
}
static void flush_out(void)
{
	outpos = nout = 0;
}

/* ---- the scripted peer ---- */
#define LADDR 0x0a000001u /* us: 10.0.0.1 */
#define RADDR 0x0a000002u /* peer: 10.0.0.2 */
static struct socket fake_sock;

static void inject_raw(uint32_t src, uint32_t dst, const void *seg, size_t n)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, n);
	memcpy(nb->data, seg, n);
	nb->ip_src = src;
	nb->ip_dst = dst;
	nb->ip_proto = IPPROTO_TCP;
	tcp_input(nb);
}

static void inject_o(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		     uint8_t flags, uint16_t win, const void *data, size_t len,
		     const uint8_t *opts, size_t olen)
{
	uint8_t buf[4096];
	struct tcp_hdr *th = (struct tcp_hdr *)buf;
	size_t hl = sizeof(*th) + olen;
	memset(th, 0, sizeof(*th));
	th->sport = net_htons(sport);
	th->dport = net_htons(dport);
	th->seq = net_htonl(seq);
	th->ack = net_htonl(ack);
	th->flags = flags;
	th->win = net_htons(win);
	th->doff = (hl / 4) << 4;
	if (olen)
		memcpy(buf + sizeof(*th), opts, olen);
	if (len)
		memcpy(buf + hl, data, len);
	th->csum = net_htons(net_csum_fold(
	    net_csum_add(net_csum_pseudo(RADDR, LADDR, IPPROTO_TCP, hl + len),
			 buf, hl + len)));
	inject_raw(RADDR, LADDR, buf, hl + len);
}
static void inject(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		   uint8_t flags, uint16_t win, const void *data, size_t len)
{
	inject_o(sport, dport, seq, ack, flags, win, data, len, NULL, 0);
}

/* A connection in progress from us (port 40000) to the peer (port 80). */
static struct tcb *active_open(void)
{
	struct tcb *t = tcb_new();
	t->sock = &fake_sock;
	t->laddr = LADDR;
	t->raddr = RADDR;
	t->rport = 80;
	tcb_set_port(t, 40000);
	tcb_alloc_bufs(t);
	tcp_init_seqs(t);
	t->state = TCP_SYN_SENT;
	tcb_hash(t);
	tcp_send_syn(t);
	return t;
}

/* An established connection: peer ISN 1000, peer window w. */
static struct tcb *established(uint16_t w)
{
	struct tcb *t = active_open();
	struct out *syn = pop();
	uint8_t opt[] = {2, 4, 0x05, 0xb4}; /* MSS 1460, no window scale */
	inject_o(80, 40000, 1000, syn->seq + 1, TH_SYN | TH_ACK, w, NULL, 0,
		 opt, sizeof(opt));
	flush_out();
	return t;
}

static struct tcb *make_listener(int backlog, uint16_t port)
{
	struct tcb *l = tcb_new();
	l->sock = &fake_sock;
	tcb_set_port(l, port);
	l->state = TCP_LISTEN;
	l->backlog = backlog + 1;
	tcb_hash(l);
	return l;
}

/* Puts bytes in the send ring and runs output, as sendmsg does. */
static void app_send(struct tcb *t, const void *p, uint32_t n)
{
	tcp_ring_grow(&t->sbuf, &t->sbuf_sz, &t->shead, t->slen, t->slen + n);
	tcp_ring_write(t->sbuf, t->sbuf_sz, t->shead + t->slen, p, n);
	t->slen += n;
	tcp_output(t);
}
static void app_close(struct tcb *t)
{
	t->fin_queued = true;
	tcp_set_state(t, t->state == TCP_CLOSE_WAIT ? TCP_LAST_ACK
						    : TCP_FIN_WAIT1);
	tcp_output(t);
}
static void reset_world(void)
{
	struct tcb *t;
	bool again = true;

	/* Freeing a listener frees its children: restart the walk. */
	while (again) {
		again = false;
		list_for_each_entry(t, &tcp_all, all_link)
		{
			if (t->parent)
				continue;
			t->sock = NULL;
			tcb_free(t);
			again = true;
			break;
		}
	}
	flush_out();
	memset(&tcp_stats, 0, sizeof(tcp_stats));
}

#define EXPECT(name, cond, ...)                                                \
	((cond) ? unit_pass(name)                                              \
		: unit_fail(name, __FILE__, __LINE__, __VA_ARGS__))

/* ---- tests ---- */

static void test_handshake_active(void)
{
	struct tcb *t = active_open();
	struct out *o = pop();
	EXPECT("active.syn",
	       o && o->flags == TH_SYN && o->mss == 1460 && o->ws >= 0 &&
		   o->dport == 80,
	       "flags %#x mss %d ws %d", o ? o->flags : 0, o ? o->mss : 0,
	       o ? o->ws : 0);
	uint8_t opt[] = {2, 4, 0x02, 0x18, 1, 3, 3, 2}; /* MSS 536, ws 2 */
	inject_o(80, 40000, 5000, o->seq + 1, TH_SYN | TH_ACK, 1000, NULL, 0,
		 opt, sizeof(opt));
	struct out *a = pop();
	EXPECT("active.established",
	       t->state == TCP_ESTABLISHED && a && a->flags == TH_ACK &&
		   a->ack == 5001 && a->seq == o->seq + 1 && t->mss == 536 &&
		   t->snd_wscale == 2 && t->ws_ok,
	       "state %d ack %u mss %u", t->state, a ? a->ack : 0, t->mss);
	/* The peer's later windows are scaled. */
	inject(80, 40000, 5001, o->seq + 1, TH_ACK, 1000, NULL, 0);
	EXPECT("active.wscale_applied", t->snd_wnd == 4000, "snd_wnd %u",
	       t->snd_wnd);
	reset_world();

	/* A SYN-ACK acknowledging the wrong number gets a reset. */
	t = active_open();
	o = pop();
	inject(80, 40000, 5000, o->seq + 7, TH_SYN | TH_ACK, 1000, NULL, 0);
	a = pop();
	EXPECT("active.bad_ack_rst",
	       t->state == TCP_SYN_SENT && a && a->flags == TH_RST &&
		   a->seq == o->seq + 7,
	       "state %d", t->state);
	/* RST with a good ACK: refused. */
	inject(80, 40000, 0, o->seq + 1, TH_RST | TH_ACK, 0, NULL, 0);
	EXPECT("active.refused",
	       t->state == TCP_CLOSE && t->err == ECONNREFUSED,
	       "state %d err %d", t->state, t->err);
	reset_world();
}

static struct tcb *passive_open(struct tcb *l, uint16_t sport, uint32_t isn)
{
	inject(sport, l->lport, isn, 0, TH_SYN, 8192, NULL, 0);
	struct out *sa = pop();
	if (!sa || sa->flags != (TH_SYN | TH_ACK))
		return NULL;
	inject(sport, l->lport, isn + 1, sa->seq + 1, TH_ACK, 8192, NULL, 0);
	return tcp_lookup(LADDR, l->lport, RADDR, sport);
}

static void test_handshake_passive(void)
{
	struct tcb *l = make_listener(4, 8080);
	inject(1234, 8080, 777, 0, TH_SYN, 8192, NULL, 0);
	struct out *sa = pop();
	EXPECT("passive.synack",
	       sa && sa->flags == (TH_SYN | TH_ACK) && sa->ack == 778 &&
		   sa->mss == 1460 && sa->ws < 0 && l->synq_len == 1,
	       "flags %#x ack %u ws %d", sa ? sa->flags : 0, sa ? sa->ack : 0,
	       sa ? sa->ws : 9);
	/* A retransmitted SYN gets the same SYN-ACK again. */
	inject(1234, 8080, 777, 0, TH_SYN, 8192, NULL, 0);
	struct out *sa2 = pop();
	EXPECT("passive.syn_retransmit",
	       sa2 && sa2->seq == sa->seq && l->synq_len == 1, "synq %d",
	       l->synq_len);
	inject(1234, 8080, 778, sa->seq + 1, TH_ACK, 8192, "hi", 2);
	struct tcb *c = tcp_lookup(LADDR, 8080, RADDR, 1234);
	EXPECT("passive.established",
	       c && c->state == TCP_ESTABLISHED && l->acceptq_len == 1 &&
		   l->synq_len == 0 && c->rlen == 2,
	       "state %d acceptq %d", c ? c->state : -1, l->acceptq_len);
	/* An ACK to the listener (no connection) is answered with RST. */
	inject(999, 8080, 1, 4242, TH_ACK, 100, NULL, 0);
	struct out *r = pop();
	while (r && r->dport != 999)
		r = pop();
	EXPECT("passive.ack_to_listener_rst",
	       r && r->flags == TH_RST && r->seq == 4242, "flags %#x",
	       r ? r->flags : 0);
	reset_world();
}

static void test_closed_port(void)
{
	inject(5555, 9, 100, 0, TH_SYN, 100, "abc", 3);
	struct out *r = pop();
	EXPECT("closed.syn_rst_ack",
	       r && r->flags == (TH_RST | TH_ACK) && r->ack == 104 &&
		   r->seq == 0 && !(r->flags & 0x80),
	       "flags %#x ack %u", r ? r->flags : 0, r ? r->ack : 0);
	inject(5555, 9, 100, 0, TH_RST, 100, NULL, 0);
	EXPECT("closed.rst_not_answered", !pop(), "answered a RST");
	reset_world();
}

static void test_data(void)
{
	struct tcb *t = established(65535);
	uint8_t d[3000];
	for (int i = 0; i < 3000; i++)
		d[i] = i * 7;
	/* One segment: the ACK is delayed. */
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, d, 1000);
	EXPECT("data.delayed_ack",
	       !pop() && t->rlen == 1000 && t->delack_timer.expires, "rlen %u",
	       t->rlen);
	advance_ms(50);
	struct out *a = pop();
	EXPECT("data.delack_fires", a && a->ack == 2001, "ack %u",
	       a ? a->ack : 0);
	/* Two segments: ACK at once. */
	inject(80, 40000, 2001, t->snd_nxt, TH_ACK, 65535, d + 1000, 1000);
	inject(80, 40000, 3001, t->snd_nxt, TH_ACK, 65535, d + 2000, 1000);
	a = pop();
	EXPECT("data.ack_every_second", a && a->ack == 4001, "ack %u",
	       a ? a->ack : 0);
	uint8_t r[3000];
	tcp_ring_read(t->rbuf, t->rbuf_sz, t->rhead, r, 3000);
	EXPECT("data.content", t->rlen == 3000 && !memcmp(r, d, 3000),
	       "rlen %u", t->rlen);
	/* Our data out, then acknowledged. */
	flush_out();
	app_send(t, d, 2000);
	struct out *s1 = pop(), *s2 = pop();
	EXPECT("data.send_segments",
	       s1 && s2 && s1->len == 1460 && s2->len == 540 &&
		   !memcmp(s1->data, d, 1460) && s2->seq == s1->seq + 1460,
	       "len %u %u", s1 ? s1->len : 0, s2 ? s2->len : 0);
	inject(80, 40000, 4001, s2->seq + 540, TH_ACK, 65535, NULL, 0);
	EXPECT("data.acked",
	       t->slen == 0 && t->snd_una == t->snd_nxt &&
		   !t->rtx_timer.expires,
	       "slen %u", t->slen);
	reset_world();
}

static void test_ooo(void)
{
	struct tcb *t = established(65535);
	uint8_t d[3000];
	for (int i = 0; i < 3000; i++)
		d[i] = i * 13;
	inject(80, 40000, 3001, t->snd_nxt, TH_ACK, 65535, d + 2000, 1000);
	struct out *a = pop();
	EXPECT("ooo.dup_ack",
	       a && a->ack == 1001 && t->nooo == 1 && t->rlen == 0,
	       "ack %u nooo %d", a ? a->ack : 0, t->nooo);
	inject(80, 40000, 2001, t->snd_nxt, TH_ACK, 65535, d + 1000, 1000);
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, d, 1000);
	uint8_t r[3000];
	tcp_ring_read(t->rbuf, t->rbuf_sz, t->rhead, r, 3000);
	EXPECT("ooo.in_order",
	       t->rlen == 3000 && t->nooo == 0 && !memcmp(r, d, 3000) &&
		   t->rcv_nxt == 4001,
	       "rlen %u nooo %d", t->rlen, t->nooo);
	/* The out-of-order record is bounded. */
	flush_out();
	for (int i = 0; i < 100; i++)
		inject(80, 40000, 4001 + 10 + i * 20, t->snd_nxt, TH_ACK, 65535,
		       d, 10);
	EXPECT("ooo.bounded",
	       t->nooo == TCP_OOO_MAX &&
		   tcp_stats.ooo_dropped == 100 - TCP_OOO_MAX,
	       "nooo %d dropped %lu", t->nooo,
	       (unsigned long)tcp_stats.ooo_dropped);
	reset_world();
}

static void test_window_checks(void)
{
	struct tcb *t = established(65535);
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, "abcd", 4);
	advance_ms(50);
	flush_out();
	/* A duplicate: dropped, counted, ACKed. */
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, "abcd", 4);
	struct out *a = pop();
	EXPECT(
	    "dup.dropped_acked",
	    t->rlen == 4 && tcp_stats.dropped_dup == 1 && a && a->ack == 1005,
	    "rlen %u dup %lu", t->rlen, (unsigned long)tcp_stats.dropped_dup);
	/* Far beyond the window. */
	inject(80, 40000, 1005 + 10000000, t->snd_nxt, TH_ACK, 65535, "x", 1);
	a = pop();
	EXPECT("oow.dropped_acked",
	       t->rlen == 4 && tcp_stats.dropped_oow == 1 && a &&
		   a->ack == 1005,
	       "oow %lu", (unsigned long)tcp_stats.dropped_oow);
	/* Forged RSTs: outside the window ignored, inside but not exact
	 * challenged, exact accepted. */
	inject(80, 40000, 1005 + 5000000, 0, TH_RST, 0, NULL, 0);
	EXPECT("rst.outside_ignored",
	       t->state == TCP_ESTABLISHED && tcp_stats.rst_ignored == 1 &&
		   !pop(),
	       "state %d", t->state);
	inject(80, 40000, 1005 + 100, 0, TH_RST, 0, NULL, 0);
	a = pop();
	EXPECT("rst.in_window_challenge",
	       t->state == TCP_ESTABLISHED && a && a->flags == TH_ACK &&
		   tcp_stats.challenge_acks == 1,
	       "state %d", t->state);
	inject(80, 40000, 1050, t->snd_nxt, TH_SYN, 65535, NULL, 0);
	EXPECT("syn.established_challenge",
	       t->state == TCP_ESTABLISHED && tcp_stats.challenge_acks == 2,
	       "state %d", t->state);
	inject(80, 40000, 1005, 0, TH_RST, 0, NULL, 0);
	EXPECT("rst.exact_resets",
	       t->state == TCP_CLOSE && t->err == ECONNRESET, "state %d err %d",
	       t->state, t->err);
	reset_world();
}

static void test_syn_flood(void)
{
	struct tcb *l = make_listener(4, 8080);
	int maxq = 0;
	for (int i = 0; i < 5000; i++) {
		inject(10000 + i, 8080, i * 7919u, 0, TH_SYN, 8192, NULL, 0);
		if (l->synq_len > maxq)
			maxq = l->synq_len;
	}
	EXPECT("flood.bounded",
	       maxq <= TCP_SYNQ_MAX && tcp_nconns <= maxq + 1 &&
		   tcp_stats.syn_evicted >= (uint64_t)(5000 - maxq),
	       "max synq %d conns %d", maxq, tcp_nconns);
	flush_out();
	struct tcb *c = passive_open(l, 60000, 123);
	EXPECT("flood.legit_after",
	       c && c->state == TCP_ESTABLISHED && l->acceptq_len == 1,
	       "conn %p", (void *)c);
	/* Retransmission timers of the half-open ones give up. */
	for (int i = 0; i < 400; i++)
		advance_ms(1000);
	EXPECT("flood.halfopen_expire", l->synq_len == 0 && tcp_nconns == 2,
	       "synq %d conns %d", l->synq_len, tcp_nconns);
	reset_world();
}

static void test_rto_backoff(void)
{
	struct tcb *t = established(65535);
	app_send(t, "hello", 5);
	struct out *o = pop();
	uint64_t last = o->when, gaps[5];
	for (int i = 0; i < 5; i++) {
		for (int k = 0; k < 200 && outpos == nout; k++)
			advance_ms(100);
		struct out *r = pop();
		gaps[i] = r ? (r->when - last) / 1000000 : 0;
		last = r ? r->when : last;
	}
	bool ok = true;
	for (int i = 1; i < 5; i++)
		ok = ok && gaps[i] >= 2 * gaps[i - 1] - 100 &&
		     gaps[i] <= 2 * gaps[i - 1] + 100;
	EXPECT("rto.backoff_doubles", ok && gaps[0] >= 900 && gaps[0] <= 1100,
	       "gaps %lu %lu %lu %lu %lu ms", (unsigned long)gaps[0],
	       (unsigned long)gaps[1], (unsigned long)gaps[2],
	       (unsigned long)gaps[3], (unsigned long)gaps[4]);
	EXPECT("rto.slow_start_restart", t->cwnd == t->mss, "cwnd %u", t->cwnd);
	/* Give up after TCP_RETRIES2. */
	for (int i = 0; i < 3000; i++)
		advance_ms(1000);
	EXPECT("rto.gives_up", t->state == TCP_CLOSE && t->err == ETIMEDOUT,
	       "state %d", t->state);
	reset_world();

	/* An RTT sample sets the RTO (floor 200 ms). */
	t = established(65535);
	app_send(t, "x", 1);
	o = pop();
	advance_ms(10);
	inject(80, 40000, 1001, o->seq + 1, TH_ACK, 65535, NULL, 0);
	EXPECT("rto.sampled", t->rtt_valid && t->rto_ms == TCP_RTO_MIN_MS,
	       "rto %u srtt %u", t->rto_ms, t->srtt_us);
	reset_world();
}

static void test_fast_retransmit(void)
{
	struct tcb *t = established(65535);
	uint8_t d[1460 * 4];
	memset(d, 'z', sizeof(d));
	t->nodelay = true;
	t->cwnd = 10 * t->mss;
	app_send(t, d, sizeof(d));
	int sent = nout - outpos;
	uint32_t una = t->snd_una;
	flush_out();
	for (int i = 0; i < 3; i++)
		inject(80, 40000, 1001, una, TH_ACK, 65535, NULL, 0);
	struct out *r = pop();
	EXPECT("fastrtx.after_3_dupacks",
	       sent == 4 && r && r->seq == una && r->len == 1460 &&
		   t->in_recovery && tcp_stats.fast_retrans == 1,
	       "sent %d seq %u una %u", sent, r ? r->seq : 0, una);
	/* A partial ACK retransmits the next hole (NewReno). */
	flush_out();
	inject(80, 40000, 1001, una + 1460, TH_ACK, 65535, NULL, 0);
	r = pop();
	EXPECT("fastrtx.partial_ack",
	       r && r->seq == una + 1460 && t->in_recovery, "seq %u",
	       r ? r->seq : 0);
	inject(80, 40000, 1001, una + sizeof(d), TH_ACK, 65535, NULL, 0);
	EXPECT("fastrtx.full_ack_exits",
	       !t->in_recovery && t->slen == 0 &&
		   t->cwnd <= t->ssthresh + t->mss,
	       "cwnd %u ssthresh %u", t->cwnd, t->ssthresh);
	reset_world();
}

static void test_zero_window(void)
{
	struct tcb *t = established(65535);
	app_send(t, "abc", 3);
	uint32_t seq0 = pop()->seq; /* outq entries are reused on flush */
	inject(80, 40000, 1001, seq0 + 3, TH_ACK, 0, NULL, 0);
	flush_out();
	app_send(t, "defg", 4);
	EXPECT("zwnd.holds", !pop() && t->persist, "sent while window closed");
	advance_ms(1100);
	struct out *p = pop();
	EXPECT("zwnd.probe", p && p->len == 1 && p->data[0] == 'd',
	       "probe len %u", p ? p->len : 0);
	/* The peer opens: the rest flows. */
	flush_out();
	inject(80, 40000, 1001, seq0 + 3, TH_ACK, 1000, NULL, 0);
	advance_ms(2000);
	uint32_t got = 0;
	for (struct out *x; (x = pop());)
		got += x->len;
	EXPECT("zwnd.reopen", got >= 3 && SEQ_GEQ(t->snd_nxt, seq0 + 7),
	       "got %u", got);
	reset_world();
	/* Our window closes when the ring fills, and a read reopens it. */
	t = established(65535);
	uint8_t big[1460];
	memset(big, 1, sizeof(big));
	uint32_t seq = 1001;
	for (int i = 0; i < 200 && tcp_rcv_window(t) > 0; i++) {
		inject(80, 40000, seq, t->snd_nxt, TH_ACK, 65535, big,
		       MIN(1460u, tcp_rcv_window(t)));
		seq = t->rcv_nxt;
	}
	advance_ms(50);
	struct out *last = NULL;
	for (struct out *x; (x = pop());)
		last = x;
	EXPECT("zwnd.ours_closed",
	       last && last->win == 0 && t->rlen + 2 * 1460 >= t->rcap,
	       "win %u rlen %u", last ? last->win : 99, t->rlen);
	reset_world();
}

static void test_fin_states(void)
{
	/* Passive close: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED. */
	struct tcb *t = established(65535);
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK | TH_FIN, 65535, NULL, 0);
	struct out *a = pop();
	EXPECT("fin.close_wait",
	       t->state == TCP_CLOSE_WAIT && a && a->ack == 1002 && t->fin_rcvd,
	       "state %d", t->state);
	app_close(t);
	struct out *f = pop();
	EXPECT("fin.last_ack",
	       t->state == TCP_LAST_ACK && f && (f->flags & TH_FIN), "state %d",
	       t->state);
	inject(80, 40000, 1002, f->seq + 1, TH_ACK, 65535, NULL, 0);
	EXPECT("fin.closed", t->state == TCP_CLOSE, "state %d", t->state);
	reset_world();

	/* Active close: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT -> gone. */
	t = established(65535);
	app_close(t);
	f = pop();
	EXPECT("fin.fin_wait1",
	       t->state == TCP_FIN_WAIT1 && f && f->flags == (TH_FIN | TH_ACK),
	       "state %d", t->state);
	inject(80, 40000, 1001, f->seq + 1, TH_ACK, 65535, NULL, 0);
	EXPECT("fin.fin_wait2", t->state == TCP_FIN_WAIT2, "state %d",
	       t->state);
	/* Data still arrives in FIN-WAIT-2 (half-close). */
	inject(80, 40000, 1001, f->seq + 1, TH_ACK, 65535, "tail", 4);
	EXPECT("fin.fin_wait2_data", t->rlen == 4, "rlen %u", t->rlen);
	inject(80, 40000, 1005, f->seq + 1, TH_ACK | TH_FIN, 65535, NULL, 0);
	EXPECT("fin.time_wait", t->state == TCP_TIME_WAIT, "state %d",
	       t->state);
	t->sock = NULL; /* the file closes: an orphan in TIME-WAIT */
	int before = tcp_nconns;
	/* A retransmitted FIN is ACKed again. */
	flush_out();
	inject(80, 40000, 1005, f->seq + 1, TH_ACK | TH_FIN, 65535, NULL, 0);
	a = pop();
	EXPECT("fin.time_wait_reack", a && a->ack == 1006, "ack %u",
	       a ? a->ack : 0);
	advance_ms(59000);
	EXPECT("timewait.holds", tcp_nconns == before, "conns %d", tcp_nconns);
	EXPECT("timewait.counted", tcp_ntimewait == 1, "%d", tcp_ntimewait);
	advance_ms(2000);
	EXPECT("timewait.expires",
	       tcp_nconns == before - 1 && tcp_ntimewait == 0,
	       "conns %d time-wait %d", tcp_nconns, tcp_ntimewait);
	reset_world();

	/* Past the TIME-WAIT bound a closed connection goes at once. */
	tcp_ntimewait = TCP_MAX_TIMEWAIT + 1;
	t = established(65535);
	app_close(t);
	f = pop();
	inject(80, 40000, 1001, f->seq + 1, TH_ACK | TH_FIN, 65535, NULL, 0);
	t->sock = NULL;
	before = tcp_nconns;
	advance_ms(1);
	EXPECT("timewait.bounded",
	       tcp_nconns == before - 1 && tcp_stats.tw_overflows == 1 &&
		   tcp_ntimewait == TCP_MAX_TIMEWAIT + 1,
	       "conns %d->%d overflows %llu time-wait %d", before, tcp_nconns,
	       (unsigned long long)tcp_stats.tw_overflows, tcp_ntimewait);
	tcp_ntimewait = 0;
	reset_world();

	/* Simultaneous close: FIN_WAIT1 -> CLOSING -> TIME_WAIT. */
	t = established(65535);
	app_close(t);
	f = pop();
	inject(80, 40000, 1001, f->seq, TH_ACK | TH_FIN, 65535, NULL, 0);
	EXPECT("fin.closing", t->state == TCP_CLOSING, "state %d", t->state);
	inject(80, 40000, 1002, f->seq + 1, TH_ACK, 65535, NULL, 0);
	EXPECT("fin.closing_time_wait", t->state == TCP_TIME_WAIT, "state %d",
	       t->state);
	reset_world();

	/* FIN and ACK of our FIN together: FIN_WAIT1 -> TIME_WAIT. */
	t = established(65535);
	app_close(t);
	f = pop();
	inject(80, 40000, 1001, f->seq + 1, TH_ACK | TH_FIN, 65535, NULL, 0);
	EXPECT("fin.fin_wait1_direct_time_wait", t->state == TCP_TIME_WAIT,
	       "state %d", t->state);
	reset_world();

	/* An out-of-order FIN waits for the data before it. */
	t = established(65535);
	inject(80, 40000, 1005, t->snd_nxt, TH_ACK | TH_FIN, 65535, NULL, 0);
	EXPECT("fin.ooo_not_yet", t->state == TCP_ESTABLISHED, "state %d",
	       t->state);
	reset_world();
}

static void test_keepalive(void)
{
	struct tcb *t = established(65535);
	t->keepidle_s = 10;
	t->keepintvl_s = 2;
	t->keepcnt = 3;
	t->keepalive = true;
	tcp_arm_keepalive(t);
	advance_ms(9000);
	EXPECT("keepalive.idle", !pop(), "probe before the idle time");
	advance_ms(1500);
	struct out *p = pop();
	EXPECT("keepalive.probe", p && p->seq == t->snd_una - 1 && !p->len,
	       "seq %u una %u", p ? p->seq : 0, t->snd_una);
	/* An answer resets the count. */
	inject(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, NULL, 0);
	EXPECT("keepalive.answered", t->keep_probes == 0, "probes %u",
	       t->keep_probes);
	flush_out();
	advance_ms(20000);
	EXPECT("keepalive.gives_up",
	       t->state == TCP_CLOSE && t->err == ETIMEDOUT, "state %d err %d",
	       t->state, t->err);
	reset_world();
}

static void test_orphan(void)
{
	/* A closed socket whose FIN is never acknowledged: the orphan gives
	 * up after TCP_ORPHAN_RETRIES with a RST and is freed. */
	struct tcb *t = established(65535);
	app_close(t);
	t->sock = NULL;
	int before = tcp_nconns, rsts = 0;
	for (int i = 0; i < 600 && tcp_nconns == before; i++) {
		advance_ms(1000);
		for (struct out *o; (o = pop());)
			rsts += !!(o->flags & TH_RST);
		flush_out();
	}
	EXPECT("orphan.gives_up", tcp_nconns == before - 1 && rsts == 1,
	       "conns %d rsts %d", tcp_nconns, rsts);
	reset_world();
}

static void test_zero_window_both(void)
{
	/* Our window is closed; a peer's segment at RCV.NXT still delivers
	 * its ACK (its data is dropped). */
	struct tcb *t = established(65535);
	app_send(t, "abc", 3);
	uint32_t s0 = pop()->seq;
	t->rcv_adv = t->rcv_nxt; /* as if we had announced 0 */
	t->rlen = t->rcap;	 /* and the ring were full */
	inject(80, 40000, 1001, s0 + 3, TH_ACK, 65535, "z", 1);
	EXPECT("zwnd.ack_through_closed_window",
	       t->snd_una == s0 + 3 && t->rcv_nxt == 1001, "una %u rcv_nxt %u",
	       t->snd_una, t->rcv_nxt);
	t->rlen = 0;
	reset_world();
}

static void test_malformed(void)
{
	struct tcb *t = established(65535);
	uint8_t seg[64];
	/* Truncated header. */
	memset(seg, 0, sizeof(seg));
	inject_raw(RADDR, LADDR, seg, 10);
	EXPECT("bad.truncated", tcp_stats.bad_hdr == 1, "bad_hdr %lu",
	       (unsigned long)tcp_stats.bad_hdr);
	/* Data offset below 5 and beyond the segment. */
	struct tcp_hdr *th = (struct tcp_hdr *)seg;
	th->sport = net_htons(80);
	th->dport = net_htons(40000);
	th->doff = 4 << 4;
	inject_raw(RADDR, LADDR, seg, 20);
	th->doff = 15 << 4;
	inject_raw(RADDR, LADDR, seg, 40);
	EXPECT("bad.data_offset", tcp_stats.bad_hdr == 3, "bad_hdr %lu",
	       (unsigned long)tcp_stats.bad_hdr);
	/* Bad checksum. */
	th->doff = 5 << 4;
	th->flags = TH_RST;
	th->seq = net_htonl(1001);
	th->csum = 0x1234;
	inject_raw(RADDR, LADDR, seg, 20);
	EXPECT("bad.checksum",
	       tcp_stats.bad_csum == 1 && t->state == TCP_ESTABLISHED,
	       "bad_csum %lu", (unsigned long)tcp_stats.bad_csum);
	/* Options that run past the header. */
	uint8_t opt[] = {2, 40, 3, 3};
	inject_o(80, 40000, 1001, t->snd_nxt, TH_ACK, 65535, NULL, 0, opt, 4);
	EXPECT("bad.options_survive", t->state == TCP_ESTABLISHED, "state %d",
	       t->state);
	/* Random garbage with good checksums never crashes. */
	struct tcb *l = make_listener(8, 8080);
	(void)l;
	for (int i = 0; i < 20000; i++) {
		uint8_t g[80];
		random_fill(g, sizeof(g));
		size_t n = 20 + g[0] % 60;
		struct tcp_hdr *h = (struct tcp_hdr *)g;
		if (i & 1)
			h->dport = net_htons(i & 2 ? 8080 : 40000);
		if (i & 4)
			h->sport = net_htons(80);
		h->csum = 0;
		h->csum = net_htons(net_csum_fold(net_csum_add(
		    net_csum_pseudo(RADDR, LADDR, IPPROTO_TCP, n), g, n)));
		inject_raw(RADDR, LADDR, g, n);
		if (i % 100 == 0)
			advance_ms(500);
		flush_out();
	}
	EXPECT("bad.fuzz_survived", tcp_nconns <= TCP_MAX_CONNS, "conns %d",
	       tcp_nconns);
	reset_world();
}

/* A burst of real clients at a small backlog, as ab -c 50 against busybox
 * httpd (backlog 9) through QEMU's slirp: no half-open connection is
 * evicted by the burst itself, and when the accept queue is full a bare
 * ACK waits but an ACK carrying data is taken (slirp never resends it). */
static void test_burst_past_backlog(void)
{
	struct tcb *l = make_listener(0, 8081); /* backlog 1 */
	uint32_t sseq[20];
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	int i;

	for (i = 0; i < 20; i++) {
		inject(20000 + i, 8081, 1000 * i, 0, TH_SYN, 8192, NULL, 0);
		struct out *sa = pop();
		sseq[i] = sa ? sa->seq : 0;
	}
	EXPECT("burst.no_eviction",
	       l->synq_len == 20 && tcp_stats.syn_evicted == 0,
	       "synq %d evicted %llu", l->synq_len,
	       (unsigned long long)tcp_stats.syn_evicted);
	inject(20000, 8081, 1, sseq[0] + 1, TH_ACK, 8192, NULL, 0);
	EXPECT("burst.first_queued", l->acceptq_len == 1, "acceptq %d",
	       l->acceptq_len);
	flush_out();
	/* The accept queue is full: a bare ACK leaves it half-open... */
	inject(20001, 8081, 1001, sseq[1] + 1, TH_ACK, 8192, NULL, 0);
	struct tcb *c = tcp_lookup(LADDR, 8081, RADDR, 20001);
	EXPECT("burst.bare_ack_waits",
	       c && c->state == TCP_SYN_RECV && l->acceptq_len == 1,
	       "state %d acceptq %d", c ? c->state : -1, l->acceptq_len);
	/* ...but its data is not thrown away. */
	inject(20001, 8081, 1001, sseq[1] + 1, TH_ACK | TH_PSH, 8192, req,
	       sizeof(req) - 1);
	struct out *a = pop();
	EXPECT("burst.data_taken",
	       c && c->state == TCP_ESTABLISHED && l->acceptq_len == 2 &&
		   c->rlen == sizeof(req) - 1 && c->rcv_nxt == 1001 + c->rlen,
	       "state %d acceptq %d rlen %u ack %u", c ? c->state : -1,
	       l->acceptq_len, c ? c->rlen : 0, a ? a->ack : 0);
	reset_world();
}

int main(void)
{
	test_handshake_active();
	test_handshake_passive();
	test_closed_port();
	test_data();
	test_ooo();
	test_window_checks();
	test_syn_flood();
	test_burst_past_backlog();
	test_rto_backoff();
	test_fast_retransmit();
	test_zero_window();
	test_fin_states();
	test_keepalive();
	test_orphan();
	test_zero_window_both();
	test_malformed();
	reset_world();
	EXPECT("no_leaks", tcp_nconns == 0 && tcp_ntimewait == 0,
	       "conns %d time-wait %d", tcp_nconns, tcp_ntimewait);
	return unit_done();
}
