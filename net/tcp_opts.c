/* TCP socket options: SOL_TCP (TCP_NODELAY, TCP_MAXSEG, keep-alive
 * timing, TCP_INFO), SOL_IP (IP_TTL, IP_TOS) and SO_ERROR, on the control
 * block under net_lock. */
#include <lib/string.h>
#include <mutex.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

/* Linux's struct tcp_info up to tcpi_total_retrans (104 bytes). */
struct tcp_info_k {
	uint8_t state, ca_state, retransmits, probes, backoff, options;
	uint8_t wscale; /* snd_wscale:4, rcv_wscale:4 */
	uint8_t app_limited;
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd;
	uint32_t advmss, reordering, rcv_rtt, rcv_space, total_retrans;
};

int tcp_setsockopt(struct socket *s, int level, int name, const void *val,
		   uint32_t len)
{
	struct tcb *t = s->sk;
	int v, r = 0;

	if (level != SOL_TCP && level != SOL_IP)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	mutex_lock(&net_lock);
	if (level == SOL_IP) {
		switch (name) {
		case IP_TTL:
			if (v == -1)
				v = 64;
			if (v < 1 || v > 255)
				r = -EINVAL;
			else
				t->ttl = v;
			break;
		case IP_TOS:
			break; /* accepted, not used */
		default:
			r = -ENOPROTOOPT;
		}
		goto out;
	}
	switch (name) {
	case TCP_NODELAY:
		t->nodelay = v != 0;
		if (t->nodelay)
			tcp_output(t); /* what Nagle held goes now */
		break;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 32767))
			r = -EINVAL;
		else
			t->user_mss = v;
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767) {
			r = -EINVAL;
			break;
		}
		if (name == TCP_KEEPIDLE) {
			t->keepidle_s = v;
			tcp_arm_keepalive(t);
		} else {
			t->keepintvl_s = v;
		}
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			r = -EINVAL;
		else
			t->keepcnt = v;
		break;
	case TCP_CORK:
	case TCP_QUICKACK:
		break; /* hints */
	default:
		r = -ENOPROTOOPT;
	}
out:
	mutex_unlock(&net_lock);
	return r;
}

static void fill_info(struct tcb *t, struct tcp_info_k *i)
{
	memset(i, 0, sizeof(*i));
	i->state = t->state;
	i->ca_state = t->in_recovery ? 3 : 0;
	i->retransmits = t->retries;
	i->probes = t->keep_probes;
	i->backoff = t->retries;
	i->options = t->ws_ok ? 4 : 0; /* TCPI_OPT_WSCALE */
	i->wscale = (t->snd_wscale & 15) | (t->rcv_wscale & 15) << 4;
	i->rto = t->rto_ms * 1000;
	i->ato = TCP_DELACK_NS / 1000;
	i->snd_mss = t->mss;
	i->rcv_mss = t->adv_mss;
	i->unacked = tcp_flight(t) ? (tcp_flight(t) + t->mss - 1) / t->mss : 0;
	i->pmtu = t->adv_mss + 40;
	i->rcv_ssthresh = t->rcap;
	i->rtt = t->srtt_us;
	i->rttvar = t->rttvar_us;
	i->snd_ssthresh = t->ssthresh / (t->mss ? t->mss : 1);
	i->snd_cwnd = t->cwnd / (t->mss ? t->mss : 1);
	i->advmss = t->adv_mss;
	i->reordering = 3;
	i->rcv_space = t->rcap;
	i->total_retrans = t->total_retrans;
}

int tcp_getsockopt(struct socket *s, int level, int name, void *val,
		   uint32_t *len)
{
	struct tcb *t = s->sk;
	int v = 0, r = 0;

	mutex_lock(&net_lock);
	if (level == SOL_SOCKET && name == SO_ERROR) {
		v = t->err;
		t->err = 0;
	} else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
		v = t->state == TCP_LISTEN;
	} else if (level == SOL_IP && name == IP_TTL) {
		v = t->ttl;
	} else if (level == SOL_TCP && name == TCP_INFO) {
		struct tcp_info_k info;
		fill_info(t, &info);
		*len = MIN(*len, (uint32_t)sizeof(info));
		memcpy(val, &info, *len);
		mutex_unlock(&net_lock);
		return 0;
	} else if (level == SOL_TCP) {
		switch (name) {
		case TCP_NODELAY:
			v = t->nodelay;
			break;
		case TCP_MAXSEG:
			v = t->state == TCP_CLOSE || t->state == TCP_LISTEN
				? (t->user_mss ? t->user_mss : TCP_DEF_MSS)
				: t->mss;
			break;
		case TCP_KEEPIDLE:
			v = t->keepidle_s;
			break;
		case TCP_KEEPINTVL:
			v = t->keepintvl_s;
			break;
		case TCP_KEEPCNT:
			v = t->keepcnt;
			break;
		case TCP_CORK:
		case TCP_QUICKACK:
			v = 0;
			break;
		default:
			r = -ENOPROTOOPT;
		}
	} else {
		r = -ENOPROTOOPT;
	}
	mutex_unlock(&net_lock);
	if (r)
		return r;
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}
