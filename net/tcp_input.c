/* TCP input: segment validation and the event processing of RFC 9293
 * 3.10.7 (LISTEN, SYN-SENT, then the synchronized states), with RFC 5961
 * RST/SYN checks, NewReno (RFC 6582) and the out-of-order queue. Called by
 * IPv4 with net_lock held. */
#include <lib/string.h>
#include <net/net.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

void tcp_restart_rtx(struct tcb *t);

/* One parsed segment; lengths are checked against the buffer first. */
struct seg {
	const struct tcp_hdr *th;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack, wnd;
	uint8_t flags;
	const uint8_t *data;
	uint32_t dlen;
	uint32_t len; /* dlen + SYN + FIN */
	int mss;      /* option, -1: absent */
	int wscale;   /* option, -1: absent */
};

static void parse_opts(struct seg *s, const uint8_t *o, size_t n)
{
	size_t i = 0;

	s->mss = -1;
	s->wscale = -1;
	while (i < n) {
		uint8_t kind = o[i], l;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		l = o[i + 1];
		if (l < 2 || i + l > n)
			break; /* malformed: ignore the rest */
		if (kind == 2 && l == 4)
			s->mss = o[i + 2] << 8 | o[i + 3];
		else if (kind == 3 && l == 3)
			s->wscale = o[i + 2];
		i += l;
	}
}

static uint8_t pick_wscale(uint32_t buf)
{
	uint8_t ws = 0;

	while (ws < 14 && (buf >> ws) > 65535)
		ws++;
	return ws;
}

static uint32_t route_mss(uint32_t dst)
{
	uint32_t mtu = ip_route_mtu(dst);

	if (mtu < 68 + 40)
		return TCP_DEF_MSS;
	return MIN(mtu - 40, 65495u);
}

/* Settles MSS and window scaling from the peer's SYN options. */
static void syn_options(struct tcb *t, const struct seg *s)
{
	uint32_t peer = s->mss > 0 ? (uint32_t)s->mss : TCP_DEF_MSS;

	t->mss = MIN(peer, t->adv_mss);
	if (t->user_mss && t->user_mss < t->mss)
		t->mss = t->user_mss;
	if (t->mss < 64)
		t->mss = 64;
	if (s->wscale >= 0 &&
	    (t->state == TCP_SYN_SENT ? true : t->rcv_wscale <= 14)) {
		t->ws_ok = true;
		t->snd_wscale = MIN(s->wscale, 14);
	} else {
		t->ws_ok = false;
		t->snd_wscale = 0;
		t->rcv_wscale = 0;
	}
	/* RFC 5681 3.1 initial window. */
	t->cwnd = t->mss > 2190 ? 2 * t->mss
				: (t->mss > 1095 ? 3 * t->mss : 4 * t->mss);
	t->ssthresh = 0x7fffffff;
}

void tcp_init_seqs(struct tcb *t)
{
	t->iss = tcp_new_isn(t);
	t->snd_una = t->snd_nxt = t->snd_max = t->snd_sml = t->iss;
	t->adv_mss = route_mss(t->raddr);
	if (t->user_mss && t->user_mss < t->adv_mss)
		t->adv_mss = t->user_mss;
	t->rcv_wscale =
	    pick_wscale(MIN(MAX(t->rcvbuf_cfg, TCP_BUF_MIN), TCP_BUF_MAX));
}

static void challenge_ack(struct tcb *t)
{
	tcp_stats.challenge_acks++;
	tcp_send_ack(t);
}

/* LISTEN (RFC 9293 3.10.7.2). */
static void listen_input(struct tcb *l, struct seg *s)
{
	struct tcb *c;
	int synq_max;

	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_reset_reply(s->saddr, s->daddr, s->th, s->len);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	if (l->acceptq_len >= l->backlog) {
		tcp_stats.syn_dropped++; /* the peer will try again */
		return;
	}
	/* Half-open connections are capped: a flood evicts the oldest, so
	 * the queue stays bounded and a real client still gets in. The cap
	 * is not the backlog: a burst of real clients (ab -c 50 against
	 * busybox httpd's backlog of 9) would evict half-open connections
	 * whose peers already got our SYN-ACK and consider themselves
	 * connected, and their data would be answered with a reset. */
	synq_max = TCP_SYNQ_MAX;
	if (l->synq_len >= synq_max) {
		struct tcb *old =
		    list_first_entry(&l->synq, struct tcb, q_link);
		tcp_stats.syn_evicted++;
		tcb_free(old);
	}
	c = tcb_new();
	if (!c) {
		tcp_stats.syn_dropped++;
		return;
	}
	c->laddr = s->daddr;
	c->raddr = s->saddr;
	c->rport = s->sport;
	tcb_set_port(c, l->lport);
	c->nodelay = l->nodelay;
	c->keepalive = l->keepalive;
	c->keepidle_s = l->keepidle_s;
	c->keepintvl_s = l->keepintvl_s;
	c->keepcnt = l->keepcnt;
	c->sndbuf_cfg = l->sndbuf_cfg;
	c->rcvbuf_cfg = l->rcvbuf_cfg;
	c->ttl = l->ttl;
	c->user_mss = l->user_mss;
	c->state = TCP_SYN_RECV;
	c->parent = l;
	c->in_synq = true;
	list_add_tail(&c->q_link, &l->synq);
	l->synq_len++;
	tcp_init_seqs(c);
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	syn_options(c, s);
	c->snd_wnd = s->wnd; /* never scaled in a SYN */
	c->snd_wl1 = s->seq;
	c->max_wnd = c->snd_wnd;
	c->last_rcv = time_ns();
	tcb_hash(c);
	tcp_stats.passive_opens++;
	tcp_send_syn(c);
}

static bool synsent_input(struct tcb *t, struct seg *s)
{
	bool ackok = false;

	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, t->iss) || SEQ_GT(s->ack, t->snd_max)) {
			tcp_reset_reply(s->saddr, s->daddr, s->th, s->len);
			return false;
		}
		ackok = true;
	}
	if (s->flags & TH_RST) {
		if (ackok)
			return tcp_done(t, ECONNREFUSED);
		return false;
	}
	if (!(s->flags & TH_SYN))
		return false;
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	t->rcv_adv = t->rcv_nxt;
	syn_options(t, s);
	t->snd_wnd = s->wnd;
	t->max_wnd = t->snd_wnd;
	t->snd_wl1 = s->seq;
	t->snd_wl2 = s->ack;
	t->last_rcv = time_ns();
	if (ackok) {
		t->snd_una = s->ack;
		if (t->timing)
			tcp_rtt_sample(t, time_ns() - t->rtt_start);
		t->timing = false;
		t->retries = 0;
		net_timer_cancel(&t->rtx_timer);
		tcp_set_state(t, TCP_ESTABLISHED);
		tcp_arm_keepalive(t);
		t->ack_now = true;
		tcp_output(t);
		return false;
	}
	/* Simultaneous open. */
	t->state = TCP_SYN_RECV;
	net_timer_cancel(&t->rtx_timer);
	tcp_send_syn(t);
	return false;
}

/* RFC 9293 3.10.7.4 first check, on the window we announced. */
static bool acceptable(struct tcb *t, const struct seg *s)
{
	uint32_t wnd =
	    SEQ_GT(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t end = s->seq + s->len - 1;
	bool start_in =
	    SEQ_GEQ(s->seq, t->rcv_nxt) && SEQ_LT(s->seq, t->rcv_nxt + wnd);

	/* A closed window still takes a segment at exactly RCV.NXT for its
	 * ACK and RST (RFC 9293 3.10.7.4); its data is trimmed away. Else
	 * two peers probing each other's zero windows would ignore each
	 * other's acknowledgements. */
	if (wnd == 0)
		return s->seq == t->rcv_nxt;
	if (s->len == 0)
		return start_in;
	return start_in ||
	       (SEQ_GEQ(end, t->rcv_nxt) && SEQ_LT(end, t->rcv_nxt + wnd));
}

static void ooo_add(struct tcb *t, uint32_t start, uint32_t end)
{
	int i, j;

	for (i = 0; i < t->nooo; i++) {
		/* overlaps or touches: merge */
		if (SEQ_LEQ(start, t->ooo[i].end) &&
		    SEQ_GEQ(end, t->ooo[i].start)) {
			if (SEQ_LT(start, t->ooo[i].start))
				t->ooo[i].start = start;
			if (SEQ_GT(end, t->ooo[i].end))
				t->ooo[i].end = end;
			/* it may now touch others */
			for (j = 0; j < t->nooo; j++) {
				if (j == i ||
				    SEQ_GT(t->ooo[j].start, t->ooo[i].end) ||
				    SEQ_LT(t->ooo[j].end, t->ooo[i].start))
					continue;
				if (SEQ_LT(t->ooo[j].start, t->ooo[i].start))
					t->ooo[i].start = t->ooo[j].start;
				if (SEQ_GT(t->ooo[j].end, t->ooo[i].end))
					t->ooo[i].end = t->ooo[j].end;
				t->ooo[j] = t->ooo[--t->nooo];
				if (i == t->nooo)
					i = j;
				j = -1;
			}
			return;
		}
	}
	t->ooo[t->nooo].start = start;
	t->ooo[t->nooo].end = end;
	t->nooo++;
}

/* Bytes at rcv_nxt onwards now contiguous thanks to earlier segments. */
static void ooo_advance(struct tcb *t)
{
	bool again = true;

	while (again) {
		again = false;
		for (int i = 0; i < t->nooo; i++) {
			if (SEQ_GT(t->ooo[i].start, t->rcv_nxt))
				continue;
			if (SEQ_GT(t->ooo[i].end, t->rcv_nxt)) {
				uint32_t n = t->ooo[i].end - t->rcv_nxt;
				t->rlen += n;
				t->rcv_nxt += n;
			}
			t->ooo[i] = t->ooo[--t->nooo];
			again = true;
			break;
		}
	}
}

static void data_input(struct tcb *t, struct seg *s)
{
	uint32_t off = s->seq - t->rcv_nxt;

	if (!s->dlen || !t->rbuf)
		return;
	/* acceptable() and the trim put the segment inside the announced
	 * window, which never exceeds the free ring space; check anyway. */
	if (off + s->dlen > t->rcap - t->rlen)
		return;
	if (t->rlen + off + s->dlen > t->rbuf_sz) {
		/* Bytes in use: the readable ones and any out of order. */
		uint32_t used = t->rlen;
		for (int i = 0; i < t->nooo; i++)
			used =
			    MAX(used, t->rlen + (t->ooo[i].end - t->rcv_nxt));
		if (tcp_ring_grow(&t->rbuf, &t->rbuf_sz, &t->rhead, used,
				  t->rlen + off + s->dlen) < 0)
			return; /* dropped; the peer sends it again */
	}
	tcp_ring_write(t->rbuf, t->rbuf_sz, t->rhead + t->rlen + off, s->data,
		       s->dlen);
	if (off == 0) {
		t->rlen += s->dlen;
		t->rcv_nxt += s->dlen;
		if (t->nooo) {
			ooo_advance(t);
			t->ack_now = true; /* a hole filled: tell at once */
		}
		t->ack_pending = true;
		t->segs_unacked++;
	} else {
		/* Out of order: remember where it lies; a duplicate ACK
		 * at once drives the sender's fast retransmit. */
		if (t->nooo == TCP_OOO_MAX) {
			bool merges = false;
			for (int i = 0; i < t->nooo && !merges; i++)
				merges =
				    SEQ_LEQ(s->seq, t->ooo[i].end) &&
				    SEQ_GEQ(s->seq + s->dlen, t->ooo[i].start);
			if (!merges) {
				tcp_stats.ooo_dropped++;
				t->ack_now = true;
				return;
			}
		}
		tcp_stats.ooo_queued++;
		ooo_add(t, s->seq, s->seq + s->dlen);
		t->ack_now = true;
	}
	tcp_wake(t);
}

/* A new acknowledgement (snd_una < ack <= snd_max). */
static void new_ack(struct tcb *t, struct seg *s)
{
	uint32_t acked = s->ack - t->snd_una;
	uint32_t dacked = MIN(acked, t->slen);
	uint32_t flight_before = tcp_flight(t);

	t->shead = t->sbuf_sz ? (t->shead + dacked) % t->sbuf_sz : 0;
	t->slen -= dacked;
	t->snd_una = s->ack;
	if (SEQ_LT(t->snd_nxt, t->snd_una))
		t->snd_nxt = t->snd_una;
	if (t->timing && SEQ_GEQ(s->ack, t->rtt_seq)) {
		tcp_rtt_sample(t, time_ns() - t->rtt_start);
		t->timing = false;
	}
	t->retries = 0;
	if (t->in_recovery) {
		if (SEQ_GEQ(s->ack, t->recover)) {
			/* Full acknowledgement (RFC 6582 3.2 step 3). */
			t->cwnd = MIN(t->ssthresh,
				      MAX(tcp_flight(t), t->mss) + t->mss);
			t->in_recovery = false;
		} else {
			/* Partial: resend the next hole, deflate. */
			tcp_send_data_at(t, t->snd_una, t->mss, true);
			t->cwnd = t->cwnd > acked ? t->cwnd - acked : 0;
			t->cwnd += t->mss;
		}
	} else if (t->cwnd < t->ssthresh) {
		t->cwnd += MIN(acked, t->mss); /* slow start */
	} else {
		t->cwnd += MAX(1u, t->mss * t->mss / t->cwnd);
	}
	if (t->cwnd > (1u << 30))
		t->cwnd = 1u << 30;
	(void)flight_before;
	t->dupacks = 0;
	tcp_restart_rtx(t);
	tcp_wake(t);
}

static void dup_ack(struct tcb *t)
{
	if (++t->dupacks == 3 && !t->in_recovery) {
		/* Fast retransmit (RFC 5681 3.2, RFC 6582). */
		t->ssthresh = MAX(tcp_flight(t) / 2, 2 * t->mss);
		t->recover = t->snd_max;
		t->in_recovery = true;
		tcp_stats.fast_retrans++;
		tcp_send_data_at(t, t->snd_una, t->mss, true);
		t->cwnd = t->ssthresh + 3 * t->mss;
	} else if (t->dupacks > 3 && t->in_recovery) {
		t->cwnd += t->mss;
	}
}

static bool fin_acked(struct tcb *t)
{
	return t->fin_queued && t->slen == 0 && t->snd_una == t->snd_max &&
	       SEQ_GT(t->snd_max, t->iss + 1);
}

/* The listener's child finished its handshake with segment s. */
static bool child_established(struct tcb *t, const struct seg *s)
{
	struct tcb *l = t->parent;

	/* A full accept queue drops a bare ACK: the connection stays
	 * half-open and our SYN-ACK's retransmission asks again (Linux).
	 * But an ACK with data is taken past the backlog (the queue is
	 * still bounded by the SYN queue, whose connections were admitted
	 * when the accept queue had room): dropping it would need the peer
	 * to send that data again, and QEMU's user network (slirp) never
	 * does, so the connection would stall until the server gives up. */
	if (l && l->acceptq_len >= l->backlog && s->dlen == 0)
		return false;
	if (tcb_alloc_bufs(t) < 0) {
		tcp_send_rst(t);
		tcp_done(t, ENOMEM);
		return false;
	}
	if (l) {
		list_del(&t->q_link);
		l->synq_len--;
		t->in_synq = false;
		list_add_tail(&t->q_link, &l->acceptq);
		l->acceptq_len++;
	}
	return true;
}

/* Synchronized states and SYN-RECEIVED. Returns true if t was freed. */
static bool conn_input(struct tcb *t, struct seg *s)
{
	uint32_t swnd;

	/* A retransmitted SYN while we wait for the handshake's ACK. */
	if (t->state == TCP_SYN_RECV && (s->flags & TH_SYN) &&
	    !(s->flags & TH_ACK) && s->seq == t->irs) {
		tcp_send_syn(t);
		return false;
	}
	if (!acceptable(t, s)) {
		if (SEQ_LT(s->seq, t->rcv_nxt))
			tcp_stats.dropped_dup++;
		else
			tcp_stats.dropped_oow++;
		if (s->flags & TH_RST) {
			tcp_stats.rst_ignored++;
			return false;
		}
		if (t->state == TCP_TIME_WAIT && (s->flags & TH_FIN))
			tcp_arm_timewait(t);
		tcp_send_ack(t);
		return false;
	}
	/* Trim to what is new and what fits (RFC 9293 3.10.7.4). */
	if (SEQ_LT(s->seq, t->rcv_nxt)) {
		uint32_t d = t->rcv_nxt - s->seq;
		if (s->flags & TH_SYN) {
			s->flags &= ~TH_SYN;
			s->seq++;
			d--;
		}
		if (d >= s->dlen) {
			s->data += s->dlen;
			s->seq += s->dlen;
			s->dlen = 0;
		} else {
			s->data += d;
			s->dlen -= d;
			s->seq += d;
		}
		tcp_stats.dropped_dup++;
	}
	{
		uint32_t wnd = SEQ_GT(t->rcv_adv, t->rcv_nxt)
				   ? t->rcv_adv - t->rcv_nxt
				   : 0;
		uint32_t off = s->seq - t->rcv_nxt;
		uint32_t room = wnd > off ? wnd - off : 0;
		if (s->dlen > room) {
			s->dlen = room;
			s->flags &= ~TH_FIN; /* the FIN lies beyond */
		}
	}
	/* RST (RFC 5961 3.2): exactly rcv_nxt resets, else challenge. */
	if (s->flags & TH_RST) {
		if (s->seq != t->rcv_nxt) {
			challenge_ack(t);
			return false;
		}
		if (t->state == TCP_SYN_RECV && t->parent)
			return tcp_done(t,
					0); /* back to LISTEN: just drop it */
		if (t->state == TCP_SYN_RECV)
			return tcp_done(t, ECONNREFUSED);
		if (t->state == TCP_CLOSING || t->state == TCP_LAST_ACK ||
		    t->state == TCP_TIME_WAIT)
			return tcp_done(t, 0);
		return tcp_done(t, ECONNRESET);
	}
	/* SYN in a synchronized state (RFC 5961 4.2). */
	if (s->flags & TH_SYN) {
		challenge_ack(t);
		return false;
	}
	if (!(s->flags & TH_ACK))
		return false;
	t->last_rcv = time_ns();
	t->keep_probes = 0;

	if (t->state == TCP_SYN_RECV) {
		if (SEQ_LEQ(s->ack, t->snd_una) || SEQ_GT(s->ack, t->snd_max)) {
			tcp_reset_reply(s->saddr, s->daddr, s->th, s->len);
			return false;
		}
		if (!child_established(t, s))
			return false;
		t->snd_una = s->ack;
		t->snd_wnd = s->wnd << t->snd_wscale;
		t->max_wnd = t->snd_wnd;
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
		if (t->timing)
			tcp_rtt_sample(t, time_ns() - t->rtt_start);
		t->timing = false;
		t->retries = 0;
		net_timer_cancel(&t->rtx_timer);
		tcp_set_state(t, TCP_ESTABLISHED);
		tcp_arm_keepalive(t);
	} else if (SEQ_GT(s->ack, t->snd_max)) {
		/* Acknowledges something not yet sent. */
		tcp_send_ack(t);
		return false;
	} else if (SEQ_GT(s->ack, t->snd_una)) {
		new_ack(t, s);
	} else if (s->ack == t->snd_una && s->dlen == 0 &&
		   !(s->flags & TH_FIN) && tcp_flight(t) > 0 &&
		   (s->wnd << t->snd_wscale) == t->snd_wnd) {
		dup_ack(t);
	}
	/* Window update (RFC 9293 3.10.7.4, SND.WL1/WL2). */
	swnd = s->wnd << t->snd_wscale;
	if (SEQ_LEQ(t->snd_una, s->ack) &&
	    (SEQ_LT(t->snd_wl1, s->seq) ||
	     (t->snd_wl1 == s->seq && SEQ_LEQ(t->snd_wl2, s->ack)))) {
		if (swnd > t->snd_wnd)
			tcp_wake(t);
		t->snd_wnd = swnd;
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
		if (swnd > t->max_wnd)
			t->max_wnd = swnd;
		if (swnd && t->persist) {
			t->persist = false;
			net_timer_cancel(&t->rtx_timer);
			t->rto_ms =
			    MAX(t->rto_ms / 2, (uint32_t)TCP_RTO_MIN_MS);
		}
	}
	switch (t->state) {
	case TCP_FIN_WAIT1:
		if (fin_acked(t)) {
			tcp_set_state(t, TCP_FIN_WAIT2);
			if (!t->sock)
				tcp_arm_finwait2(t);
		}
		break;
	case TCP_CLOSING:
		if (fin_acked(t))
			tcp_set_state(t, TCP_TIME_WAIT);
		break;
	case TCP_LAST_ACK:
		if (fin_acked(t))
			return tcp_done(t, 0);
		break;
	default:
		break;
	}

	/* Segment text. */
	if (s->dlen &&
	    (t->state == TCP_ESTABLISHED || t->state == TCP_FIN_WAIT1 ||
	     t->state == TCP_FIN_WAIT2)) {
		if (!t->sock && !t->parent) {
			/* Data for a closed socket: nobody will read it
			 * (RFC 9293 3.10.7.4 / Linux: reset). */
			tcp_send_rst(t);
			return tcp_done(t, ECONNRESET);
		}
		data_input(t, s);
	}
	/* FIN, once everything before it has arrived. */
	if ((s->flags & TH_FIN) && s->seq + s->dlen == t->rcv_nxt &&
	    !t->fin_rcvd) {
		t->rcv_nxt++;
		t->fin_rcvd = true;
		t->ack_now = true;
		switch (t->state) {
		case TCP_ESTABLISHED:
			tcp_set_state(t, TCP_CLOSE_WAIT);
			break;
		case TCP_FIN_WAIT1:
			tcp_set_state(t, fin_acked(t) ? TCP_TIME_WAIT
						      : TCP_CLOSING);
			break;
		case TCP_FIN_WAIT2:
			tcp_set_state(t, TCP_TIME_WAIT);
			break;
		default:
			break;
		}
		tcp_wake(t);
	} else if ((s->flags & TH_FIN) && t->state == TCP_TIME_WAIT) {
		t->ack_now = true;
		tcp_arm_timewait(t);
	}
	if (t->state == TCP_TIME_WAIT) {
		if (t->ack_now || t->ack_pending)
			tcp_send_ack(t);
		return false;
	}
	tcp_output(t);
	return false;
}

static bool bad_addr(uint32_t a)
{
	return a == 0 || a == 0xffffffffu || (a >> 28) == 0xe;
}

void tcp_input(struct netbuf *nb)
{
	struct seg s;
	const struct tcp_hdr *th;
	size_t hl;
	struct tcb *t;

	tcp_stats.in_segs++;
	if (nb->len < sizeof(struct tcp_hdr) || nb->len > 0xffff) {
		tcp_stats.bad_hdr++;
		goto drop;
	}
	th = (const struct tcp_hdr *)nb->data;
	hl = (th->doff >> 4) * 4u;
	if (hl < sizeof(struct tcp_hdr) || hl > nb->len) {
		tcp_stats.bad_hdr++;
		goto drop;
	}
	if (!nb->csum_ok &&
	    net_csum_fold(net_csum_add(
		net_csum_pseudo(nb->ip_src, nb->ip_dst, IPPROTO_TCP, nb->len),
		nb->data, nb->len)) != 0) {
		tcp_stats.bad_csum++;
		goto drop;
	}
	if (bad_addr(nb->ip_src) || bad_addr(nb->ip_dst)) {
		tcp_stats.in_errs++;
		goto drop;
	}
	memset(&s, 0, sizeof(s));
	s.th = th;
	s.saddr = nb->ip_src;
	s.daddr = nb->ip_dst;
	s.sport = net_ntohs(th->sport);
	s.dport = net_ntohs(th->dport);
	s.seq = net_ntohl(th->seq);
	s.ack = net_ntohl(th->ack);
	s.wnd = net_ntohs(th->win);
	s.flags = th->flags;
	s.data = nb->data + hl;
	s.dlen = nb->len - hl;
	s.len = s.dlen + !!(s.flags & TH_SYN) + !!(s.flags & TH_FIN);
	parse_opts(&s, (const uint8_t *)(th + 1), hl - sizeof(*th));
	if (s.sport == 0 || s.dport == 0) {
		tcp_stats.in_errs++;
		goto drop;
	}

	t = tcp_lookup(s.daddr, s.dport, s.saddr, s.sport);
	/* A new SYN may take over a TIME-WAIT pair (RFC 9293 3.6.1, as
	 * Linux does) if its sequence number is beyond the old one's. */
	if (t && t->state == TCP_TIME_WAIT && !t->sock &&
	    (s.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    SEQ_GT(s.seq, t->rcv_nxt) &&
	    tcp_lookup_listener(s.daddr, s.dport)) {
		tcp_done(t, 0);
		t = NULL;
	}
	if (!t)
		t = tcp_lookup_listener(s.daddr, s.dport);
	if (!t || t->state == TCP_CLOSE) {
		tcp_reset_reply(s.saddr, s.daddr, th, s.len);
		goto drop;
	}
	if (t->state == TCP_LISTEN)
		listen_input(t, &s);
	else if (t->state == TCP_SYN_SENT)
		synsent_input(t, &s);
	else
		conn_input(t, &s);
drop:
	netbuf_free(nb);
}

/* ICMP destination unreachable about a segment we sent: th holds at least
 * its first 8 bytes (ports and sequence number). Only a connection still
 * opening gives up (a hard error); otherwise it is soft (RFC 1122). */
void tcp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *th, size_t len,
		    int err)
{
	const struct tcp_hdr *h = (const struct tcp_hdr *)th;
	struct tcb *t;
	uint32_t seq;

	if (len < 8)
		return;
	t = tcp_lookup(src, net_ntohs(h->sport), dst, net_ntohs(h->dport));
	if (!t)
		return;
	seq = net_ntohl(h->seq);
	/* RFC 5927: only for data in flight. */
	if (SEQ_LT(seq, t->snd_una) || SEQ_GT(seq, t->snd_max))
		return;
	if (t->state == TCP_SYN_SENT)
		tcp_done(t, err);
}
