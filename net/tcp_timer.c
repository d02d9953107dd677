/* TCP timers: retransmission (RFC 6298: SRTT/RTTVAR, Karn, exponential
 * backoff; 200 ms floor like Linux), zero-window probes, delayed ACKs,
 * keep-alive, TIME-WAIT (2*MSL = 60 s) and the orphan FIN-WAIT-2 limit.
 * Each fires in netd with net_lock held. */
#include <net/net.h>
#include <net/tcp.h>
#include <time.h>
#include <uapi/errno.h>

static void rtx_fire(struct net_timer *nt);
static void delack_fire(struct net_timer *nt);
static void keep_fire(struct net_timer *nt);

void tcp_timers_init(struct tcb *t)
{
	t->rtx_timer.fn = rtx_fire;
	t->delack_timer.fn = delack_fire;
	t->keep_timer.fn = keep_fire;
	list_init(&t->rtx_timer.link);
	list_init(&t->delack_timer.link);
	list_init(&t->keep_timer.link);
}

void tcp_timers_stop(struct tcb *t)
{
	net_timer_cancel(&t->rtx_timer);
	net_timer_cancel(&t->delack_timer);
	net_timer_cancel(&t->keep_timer);
}

static uint64_t ms_from_now(uint64_t ms)
{
	return time_ns() + ms * NSEC_PER_MSEC;
}

/* Arms the retransmission timer if something is outstanding and it is not
 * already running (RFC 6298 5.1); stops it when all is acknowledged. */
void tcp_arm_rtx(struct tcb *t)
{
	if (t->snd_max == t->snd_una) {
		if (!t->persist)
			net_timer_cancel(&t->rtx_timer);
		return;
	}
	if (t->persist) {
		t->persist = false;
		net_timer_cancel(&t->rtx_timer);
	}
	if (!t->rtx_timer.expires)
		net_timer_arm(&t->rtx_timer, ms_from_now(t->rto_ms));
}

static void rearm_rtx(struct tcb *t)
{
	net_timer_cancel(&t->rtx_timer);
	tcp_arm_rtx(t);
}

void tcp_arm_persist(struct tcb *t)
{
	if (t->rtx_timer.expires)
		return;
	t->persist = true;
	net_timer_arm(&t->rtx_timer, ms_from_now(t->rto_ms));
}

void tcp_arm_delack(struct tcb *t)
{
	if (!t->delack_timer.expires)
		net_timer_arm(&t->delack_timer, time_ns() + TCP_DELACK_NS);
}

void tcp_arm_keepalive(struct tcb *t)
{
	if (!t->keepalive ||
	    (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT)) {
		if (t->state != TCP_TIME_WAIT && t->state != TCP_FIN_WAIT2)
			net_timer_cancel(&t->keep_timer);
		return;
	}
	net_timer_cancel(&t->keep_timer);
	net_timer_arm(&t->keep_timer,
		      time_ns() + (uint64_t)t->keepidle_s * NSEC_PER_SEC);
}

/* Past TCP_MAX_TIMEWAIT blocks a closing connection skips TIME-WAIT (its
 * timer fires at once), as Linux's tcp_max_tw_buckets: closed connections
 * must not fill the table that new ones need (a busy server, or a user
 * looping connect and close to lock everyone else out). */
void tcp_arm_timewait(struct tcb *t)
{
	uint64_t wait = tcp_ntimewait > TCP_MAX_TIMEWAIT ? 0 : 2 * TCP_MSL_NS;
	if (!wait)
		tcp_stats.tw_overflows++;
	net_timer_cancel(&t->keep_timer);
	net_timer_arm(&t->keep_timer, time_ns() + wait);
}

void tcp_arm_finwait2(struct tcb *t)
{
	net_timer_cancel(&t->keep_timer);
	net_timer_arm(&t->keep_timer, time_ns() + TCP_FIN_TIMEOUT_NS);
}

/* RFC 6298 2.2-2.4, in microseconds; G (clock granularity) is 1 ms. */
void tcp_rtt_sample(struct tcb *t, uint64_t rtt_ns)
{
	uint32_t r =
	    rtt_ns / 1000 ? (uint32_t)MIN(rtt_ns / 1000, 60000000u) : 1;
	uint64_t rto_us;

	if (!t->rtt_valid) {
		t->srtt_us = r;
		t->rttvar_us = r / 2;
		t->rtt_valid = true;
	} else {
		uint32_t d = r > t->srtt_us ? r - t->srtt_us : t->srtt_us - r;
		t->rttvar_us = (3 * (uint64_t)t->rttvar_us + d) / 4;
		t->srtt_us = (7 * (uint64_t)t->srtt_us + r) / 8;
	}
	rto_us = t->srtt_us + MAX(1000u, 4 * t->rttvar_us);
	t->rto_ms = rto_us / 1000;
	if (t->rto_ms < TCP_RTO_MIN_MS)
		t->rto_ms = TCP_RTO_MIN_MS;
	if (t->rto_ms > TCP_RTO_MAX_MS)
		t->rto_ms = TCP_RTO_MAX_MS;
}

static void backoff(struct tcb *t)
{
	t->rto_ms = MIN(t->rto_ms * 2, (uint32_t)TCP_RTO_MAX_MS);
}

static void rtx_fire(struct net_timer *nt)
{
	struct tcb *t = container_of(nt, struct tcb, rtx_timer);
	int limit;

	nt->expires = 0;
	if (t->persist) {
		/* Zero-window probe; backoff without a retry limit while the
		 * peer keeps answering (Linux gives up only if it does not). */
		tcp_send_probe(t);
		backoff(t);
		t->persist = false;
		if (t->snd_wnd == 0 && tcp_send_avail(t) > 0)
			tcp_arm_persist(t);
		return;
	}
	if (t->snd_max == t->snd_una)
		return;
	limit = (t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECV)
		    ? TCP_SYN_RETRIES
		    : TCP_RETRIES2;
	/* Orphans give up sooner (Linux's tcp_orphan_retries), so closed
	 * sockets a silent peer never acknowledges do not hold memory long. */
	if (!t->sock && !t->parent && limit > TCP_ORPHAN_RETRIES)
		limit = TCP_ORPHAN_RETRIES;
	if (t->retries >= limit) {
		if (t->state != TCP_SYN_SENT && t->state != TCP_SYN_RECV)
			tcp_send_rst(t);
		tcp_done(t, ETIMEDOUT);
		return;
	}
	t->retries++;
	backoff(t);
	t->timing = false; /* Karn */
	if (t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECV) {
		tcp_stats.retrans_segs++;
		t->total_retrans++;
		tcp_send_syn(t);
		return;
	}
	/* RFC 5681 (4): after a timeout, one segment in flight and slow
	 * start again from there. */
	t->ssthresh = MAX(tcp_flight(t) / 2, 2 * t->mss);
	t->cwnd = t->mss;
	t->in_recovery = false;
	t->recover = t->snd_max;
	t->dupacks = 0;
	t->snd_nxt = t->snd_una;
	tcp_output(t);
	rearm_rtx(t);
}

static void delack_fire(struct net_timer *nt)
{
	struct tcb *t = container_of(nt, struct tcb, delack_timer);

	nt->expires = 0;
	if (t->ack_pending)
		tcp_send_ack(t);
}

static void keep_fire(struct net_timer *nt)
{
	struct tcb *t = container_of(nt, struct tcb, keep_timer);

	nt->expires = 0;
	if (t->state == TCP_TIME_WAIT || t->state == TCP_FIN_WAIT2) {
		/* 2*MSL passed, or an orphan's peer never sent its FIN. */
		tcp_done(t, 0);
		return;
	}
	if (!t->keepalive ||
	    (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT))
		return;
	if (time_ns() - t->last_rcv < (uint64_t)t->keepidle_s * NSEC_PER_SEC &&
	    !t->keep_probes) {
		net_timer_arm(nt, t->last_rcv +
				      (uint64_t)t->keepidle_s * NSEC_PER_SEC);
		return;
	}
	if (t->keep_probes >= t->keepcnt) {
		tcp_send_rst(t);
		tcp_done(t, ETIMEDOUT);
		return;
	}
	t->keep_probes++;
	tcp_send_probe(t);
	net_timer_arm(nt, time_ns() + (uint64_t)t->keepintvl_s * NSEC_PER_SEC);
}

/* So input can restart the timer on new acknowledgements (RFC 6298 5.3). */
void tcp_restart_rtx(struct tcb *t);
void tcp_restart_rtx(struct tcb *t)
{
	rearm_rtx(t);
}
