/* TCP output (RFC 9293 3.8-3.9, RFC 5681, RFC 7323 window scale): builds
 * segments from a connection's send ring, honouring the peer's window,
 * the congestion window, Nagle and silly-window avoidance. Under net_lock. */
#include <lib/siphash.h>
#include <lib/string.h>
#include <net/net.h>
#include <net/tcp.h>
#include <random.h>
#include <uapi/errno.h>
#include <time.h>
#include <uapi/socket.h>

struct tcp_stats tcp_stats;

void tcp_ring_read(const uint8_t *ring, uint32_t cap, uint32_t pos,
		   uint8_t *dst, uint32_t n)
{
	pos %= cap;
	uint32_t first = MIN(n, cap - pos);
	memcpy(dst, ring + pos, first);
	memcpy(dst + first, ring, n - first);
}

void tcp_ring_write(uint8_t *ring, uint32_t cap, uint32_t pos,
		    const uint8_t *src, uint32_t n)
{
	pos %= cap;
	uint32_t first = MIN(n, cap - pos);
	memcpy(ring + pos, src, first);
	memcpy(ring, src + first, n - first);
}

/* RFC 6528 asks for a keyed hash of the 4-tuple plus a clock; a fresh
 * random number per connection is at least as unpredictable, and TIME-WAIT
 * reuse below checks sequence numbers itself. */
/* RFC 6528: a clock (64 ns units, as Linux) plus a keyed hash of the
 * connection's addresses and ports. Off-path attackers cannot guess it,
 * and a new connection on a pair still in TIME-WAIT starts above the old
 * one's sequence numbers, so the TIME-WAIT side lets it in (a random ISN
 * was refused half the time: a 1 s SYN retransmission on loopback). */
static uint8_t isn_key[16]; /* net_lock */
static bool isn_keyed;

uint32_t tcp_new_isn(const struct tcb *t)
{
	uint8_t tuple[12];

	if (!isn_keyed) {
		random_fill(isn_key, sizeof(isn_key));
		isn_keyed = true;
	}
	memcpy(tuple, &t->laddr, 4);
	memcpy(tuple + 4, &t->raddr, 4);
	memcpy(tuple + 8, &t->lport, 2);
	memcpy(tuple + 10, &t->rport, 2);
	return (uint32_t)siphash_2_4(isn_key, tuple, sizeof(tuple)) +
	       (uint32_t)(time_ns() >> 6);
}

/* The receive window to announce: free ring space, never shrinking the
 * right edge already announced (RFC 9293 3.8.6.2.2), and not opened by
 * less than an MSS or half the buffer (receiver-side SWS avoidance). */
uint32_t tcp_rcv_window(struct tcb *t)
{
	uint32_t cap = t->rbuf ? t->rcap : t->rcvbuf_cfg;
	uint32_t freesp = cap - t->rlen;
	uint32_t cur =
	    SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t maxw = 65535u << t->rcv_wscale;

	if (freesp > maxw)
		freesp = maxw;
	if (freesp < cur)
		return cur;
	if (freesp - cur < MIN(cap / 2, t->adv_mss) && freesp < cap)
		return cur;
	return freesp;
}

uint32_t tcp_flight(struct tcb *t)
{
	return t->snd_nxt - t->snd_una;
}

/* Data bytes in the ring not yet sent (snd_nxt may count a FIN). */
uint32_t tcp_send_avail(struct tcb *t)
{
	uint32_t sent = t->snd_nxt - t->snd_una;

	return sent >= t->slen ? 0 : t->slen - sent;
}

static uint8_t *put_opts(struct tcb *t, uint8_t *o, bool syn)
{
	if (!syn)
		return o;
	/* MSS */
	o[0] = 2;
	o[1] = 4;
	o[2] = t->adv_mss >> 8;
	o[3] = t->adv_mss & 0xff;
	o += 4;
	if (t->state == TCP_SYN_SENT || t->ws_ok) {
		o[0] = 1; /* NOP, to align */
		o[1] = 3;
		o[2] = 3;
		o[3] = t->rcv_wscale;
		o += 4;
	}
	return o;
}

/* Builds and sends one segment. data/len come from the send ring at seq. */
static int tcp_xmit(struct tcb *t, uint32_t seq, uint8_t flags, uint32_t len)
{
	bool syn = flags & TH_SYN;
	uint8_t opts[8];
	size_t olen = put_opts(t, opts, syn) - opts;
	size_t hl = sizeof(struct tcp_hdr) + olen;
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, hl + len);
	struct tcp_hdr *th;
	uint32_t wnd, sum;

	if (!nb)
		return -ENOMEM;
	th = (struct tcp_hdr *)nb->data;
	memset(th, 0, sizeof(*th));
	th->sport = net_htons(t->lport);
	th->dport = net_htons(t->rport);
	th->seq = net_htonl(seq);
	if (flags & TH_ACK)
		th->ack = net_htonl(t->rcv_nxt);
	th->doff = (hl / 4) << 4;
	th->flags = flags;
	wnd = tcp_rcv_window(t);
	if (syn) {
		th->win = net_htons(MIN(wnd, 65535u));
	} else {
		th->win = net_htons(MIN(wnd >> t->rcv_wscale, 65535u));
		wnd = MIN(wnd >> t->rcv_wscale, 65535u) << t->rcv_wscale;
	}
	if ((flags & TH_ACK) && SEQ_GT(t->rcv_nxt + wnd, t->rcv_adv))
		t->rcv_adv = t->rcv_nxt + wnd;
	memcpy(th + 1, opts, olen);
	if (len) {
		uint32_t off = seq - t->snd_una;
		tcp_ring_read(t->sbuf, t->sbuf_sz, t->shead + off,
			      (uint8_t *)th + hl, len);
	}
	sum = net_csum_pseudo(t->laddr, t->raddr, IPPROTO_TCP, hl + len);
	sum = net_csum_add(sum, th, hl + len);
	th->csum = net_htons(net_csum_fold(sum));
	if (flags & TH_ACK) {
		/* Any ACK we send carries the latest rcv_nxt: nothing is
		 * owed any more. */
		t->ack_pending = false;
		t->ack_now = false;
		t->rcv_wup = t->rcv_nxt;
		t->segs_unacked = 0;
		net_timer_cancel(&t->delack_timer);
	}
	tcp_stats.out_segs++;
	return ip_output(nb, t->laddr, t->raddr, IPPROTO_TCP, t->ttl);
}

void tcp_send_syn(struct tcb *t)
{
	uint8_t fl = TH_SYN;

	if (t->state == TCP_SYN_RECV)
		fl |= TH_ACK;
	tcp_xmit(t, t->iss, fl, 0);
	if (SEQ_LT(t->snd_nxt, t->iss + 1))
		t->snd_nxt = t->iss + 1;
	if (SEQ_LT(t->snd_max, t->snd_nxt))
		t->snd_max = t->snd_nxt;
	tcp_arm_rtx(t);
}

/* A bare ACK carries a sequence number the peer accepts: SND.NXT, or the
 * right edge of its window if a probe went past it (as Linux's
 * tcp_acceptable_seq). */
static uint32_t ack_seq(struct tcb *t)
{
	uint32_t edge = t->snd_una + t->snd_wnd;

	return SEQ_GT(t->snd_nxt, edge) && t->state != TCP_SYN_RECV
		   ? edge
		   : t->snd_nxt;
}

void tcp_send_ack(struct tcb *t)
{
	tcp_xmit(t, ack_seq(t), TH_ACK, 0);
}

void tcp_send_rst(struct tcb *t)
{
	tcp_stats.out_rsts++;
	tcp_xmit(t, ack_seq(t), TH_RST | TH_ACK, 0);
}

/* A segment the peer must answer with an ACK: one already acknowledged
 * sequence number (keep-alive, RFC 9293 3.8.4), or for a zero window one
 * byte beyond it (RFC 9293 3.8.6.1), which a closed window drops. */
void tcp_send_probe(struct tcb *t)
{
	if (t->persist && tcp_send_avail(t) > 0) {
		/* Probe with one new byte; the peer ACKs whether or not it
		 * takes it. */
		tcp_send_data_at(t, t->snd_nxt, 1, false);
		return;
	}
	tcp_xmit(t, t->snd_una - 1, TH_ACK, 0);
}

void tcp_send_data_at(struct tcb *t, uint32_t seq, uint32_t len, bool rtx)
{
	uint32_t off = seq - t->snd_una;
	uint8_t fl = TH_ACK;
	uint32_t end;

	if (off > t->slen)
		return;
	if (len > t->slen - off)
		len = t->slen - off;
	if (t->fin_queued && off + len == t->slen &&
	    SEQ_GT(t->snd_max, t->snd_una + t->slen))
		fl |= TH_FIN; /* the FIN was sent before: resend it too */
	if (len && off + len == t->slen)
		fl |= TH_PSH;
	if (!len && !(fl & TH_FIN))
		return;
	if (rtx) {
		tcp_stats.retrans_segs++;
		t->total_retrans++;
		/* Karn: a retransmitted segment gives no RTT sample. */
		t->timing = false;
	}
	tcp_xmit(t, seq, fl, len);
	end = seq + len + ((fl & TH_FIN) ? 1 : 0);
	if (SEQ_GT(end, t->snd_nxt))
		t->snd_nxt = end;
	if (SEQ_GT(end, t->snd_max))
		t->snd_max = end;
	tcp_arm_rtx(t);
}

static bool can_send_state(int st)
{
	return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT ||
	       st == TCP_FIN_WAIT1 || st == TCP_CLOSING || st == TCP_LAST_ACK;
}

void tcp_output(struct tcb *t)
{
	/* Bounded: each pass sends at least one byte or a FIN, or stops. */
	while (can_send_state(t->state)) {
		uint32_t flight = tcp_flight(t);
		uint32_t wnd = MIN(t->snd_wnd, t->cwnd);
		uint32_t avail = tcp_send_avail(t);
		uint32_t usable = wnd > flight ? wnd - flight : 0;
		uint32_t len = MIN(MIN(avail, usable), t->mss);
		/* The FIN takes the sequence number after the ring's last
		 * byte; it goes with the segment that ends there, the first
		 * time or again after a timeout pulled snd_nxt back. */
		uint32_t fin_seq = t->snd_una + t->slen;
		bool want_fin = t->fin_queued && SEQ_LEQ(t->snd_nxt, fin_seq) &&
				t->snd_nxt + len == fin_seq;
		uint32_t end;
		uint8_t fl = TH_ACK;

		if (len == 0 && !want_fin) {
			if (avail > 0 && t->snd_wnd == 0 && flight == 0)
				tcp_arm_persist(t);
			break;
		}
		/* Nagle (RFC 896) in Minshall's form, as Linux: a small
		 * segment waits while an earlier small one is unacknowledged,
		 * unless TCP_NODELAY. */
		if (len < t->mss && len == avail && flight > 0 && !t->nodelay &&
		    !t->fin_queued && SEQ_GT(t->snd_sml, t->snd_una))
			break;
		/* Sender SWS avoidance: a small segment while the window
		 * is what stops a full one; wait for the window to open. */
		if (len < t->mss && len < avail && flight > 0)
			break;
		if (want_fin)
			fl |= TH_FIN;
		if (len && len == avail)
			fl |= TH_PSH;
		if (!t->timing && len && SEQ_GEQ(t->snd_nxt, t->snd_max)) {
			t->timing = true;
			t->rtt_seq = t->snd_nxt + len;
			t->rtt_start = time_ns();
		}
		if (SEQ_LT(t->snd_nxt, t->snd_max)) {
			tcp_stats.retrans_segs++;
			t->total_retrans++;
		}
		if (tcp_xmit(t, t->snd_nxt, fl, len) == -ENOMEM) {
			tcp_arm_rtx(t); /* try again at the timeout */
			break;
		}
		end = t->snd_nxt + len + ((fl & TH_FIN) ? 1 : 0);
		if (len < t->mss)
			t->snd_sml = end;
		t->snd_nxt = end;
		if (SEQ_GT(end, t->snd_max))
			t->snd_max = end;
		t->persist = false;
		tcp_arm_rtx(t);
		if (fl & TH_FIN)
			break;
	}
	if (t->ack_now ||
	    (t->ack_pending && t->state != TCP_LISTEN && t->segs_unacked >= 2))
		tcp_send_ack(t);
	else if (t->ack_pending)
		tcp_arm_delack(t);
}

/* RFC 9293 3.10.7.1: the reset for a segment that has no connection. */
void tcp_reset_reply(uint32_t saddr, uint32_t daddr, const struct tcp_hdr *th,
		     uint32_t seglen)
{
	struct netbuf *nb;
	struct tcp_hdr *r;
	uint32_t sum;

	if (th->flags & TH_RST)
		return;
	nb = netbuf_alloc(NET_HEADROOM, sizeof(*r));
	if (!nb)
		return;
	r = (struct tcp_hdr *)nb->data;
	memset(r, 0, sizeof(*r));
	r->sport = th->dport;
	r->dport = th->sport;
	if (th->flags & TH_ACK) {
		r->seq = th->ack;
		r->flags = TH_RST;
	} else {
		r->ack = net_htonl(net_ntohl(th->seq) + seglen);
		r->flags = TH_RST | TH_ACK;
	}
	r->doff = 5 << 4;
	sum = net_csum_pseudo(daddr, saddr, IPPROTO_TCP, sizeof(*r));
	sum = net_csum_add(sum, r, sizeof(*r));
	r->csum = net_htons(net_csum_fold(sum));
	tcp_stats.out_rsts++;
	tcp_stats.out_segs++;
	ip_output(nb, daddr, saddr, IPPROTO_TCP, 64);
}
