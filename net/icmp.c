/* ICMP (RFC 792): echo replies, destination unreachable sent under a rate
 * limit, errors received handed to the transport they concern, and echo
 * replies handed to ping sockets (net/udp.c). Under net_lock. */
#include <lib/string.h>
#include <net/net.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

#include "inet.h"

struct icmp_stats icmp_stats; /* net_lock */

/* The global token bucket of Linux's icmp_msgs_per_sec (1000) and
 * icmp_msgs_burst (50): a flood of packets to closed ports cannot make
 * us send a flood back. net_lock. */
#define ICMP_RATE_PER_SEC 1000
#define ICMP_BURST 50
static uint32_t icmp_tokens = ICMP_BURST;
static uint64_t icmp_tokens_at;

static bool icmp_rate_allow(void)
{
	uint64_t now = time_ns();
	uint64_t add =
	    (now - icmp_tokens_at) * ICMP_RATE_PER_SEC / NSEC_PER_SEC;
	if (add) {
		icmp_tokens = add + icmp_tokens > ICMP_BURST
				  ? ICMP_BURST
				  : icmp_tokens + (uint32_t)add;
		icmp_tokens_at = now;
	}
	if (!icmp_tokens) {
		icmp_stats.ratelimited++;
		return false;
	}
	icmp_tokens--;
	return true;
}

static uint16_t icmp_csum(const void *p, size_t len)
{
	return net_htons(net_csum_fold(net_csum_add(0, p, len)));
}

/* Errors quote at most this much of the packet they are about, so the
 * whole error fits the 576 bytes every host accepts (RFC 1812 4.3.2.3). */
#define ICMP_QUOTE_MAX (576 - 20 - 8)

void icmp_send_unreach(struct netbuf *nb, uint8_t code)
{
	const uint8_t *ih = nb->ip_hdr;
	if (!ih)
		return;
	size_t hl = (size_t)(ih[0] & 0xf) * 4;
	size_t tot = (size_t)ih[2] << 8 | ih[3];
	uint16_t frag = (uint16_t)(ih[6] << 8 | ih[7]);
	/* Never about a later fragment, a broadcast, a packet from nowhere
	 * (RFC 1122 3.2.2), or another ICMP error. */
	if ((frag & 0x1fff) || ip_is_broadcast(nb->ip_dst) ||
	    (nb->ip_dst >> 28) == 0xe || nb->ip_src == 0 ||
	    ip_is_broadcast(nb->ip_src))
		return;
	if (nb->ip_proto == IPPROTO_ICMP) {
		if (tot < hl + 1)
			return;
		uint8_t t = ih[hl];
		if (t != ICMP_ECHO && t != ICMP_ECHOREPLY)
			return;
	}
	if (!icmp_rate_allow())
		return;
	size_t q = tot < ICMP_QUOTE_MAX ? tot : ICMP_QUOTE_MAX;
	struct netbuf *e =
	    netbuf_alloc(NET_HEADROOM, sizeof(struct icmphdr) + q);
	if (!e)
		return;
	struct icmphdr *h = (struct icmphdr *)e->data;
	h->type = ICMP_DEST_UNREACH;
	h->code = code;
	h->check = 0;
	h->id = h->seq = 0;
	memcpy(h + 1, ih, q);
	h->check = icmp_csum(h, e->len);
	icmp_stats.out_msgs++;
	icmp_stats.out_dest_unreachs++;
	ip_output(e, ip_is_local(nb->ip_dst) ? nb->ip_dst : 0, nb->ip_src,
		  IPPROTO_ICMP, 0);
}

static int unreach_errno(uint8_t code)
{
	switch (code) {
	case ICMP_UNREACH_NET:
		return ENETUNREACH;
	case ICMP_UNREACH_PROTO:
		return ENOPROTOOPT;
	case ICMP_UNREACH_PORT:
		return ECONNREFUSED;
	case ICMP_UNREACH_NEEDFRAG:
		return EMSGSIZE;
	default:
		return EHOSTUNREACH;
	}
}

/* An error about a packet we sent: the quoted header must be whole and
 * really ours before the transport sees the first 8 bytes after it. */
static void icmp_error(struct netbuf *nb, int err)
{
	const uint8_t *q = nb->data + sizeof(struct icmphdr);
	size_t len = nb->len - sizeof(struct icmphdr);
	if (len < 20) {
		icmp_stats.in_errors++;
		return;
	}
	size_t hl = (size_t)(q[0] & 0xf) * 4;
	if ((q[0] >> 4) != 4 || hl < 20 || len < hl + 8) {
		icmp_stats.in_errors++;
		return;
	}
	uint32_t src = (uint32_t)q[12] << 24 | (uint32_t)q[13] << 16 |
		       (uint32_t)q[14] << 8 | q[15];
	uint32_t dst = (uint32_t)q[16] << 24 | (uint32_t)q[17] << 16 |
		       (uint32_t)q[18] << 8 | q[19];
	if (!ip_is_local(src))
		return;
	switch (q[9]) {
	case IPPROTO_UDP:
		udp_icmp_error(src, dst, q + hl, len - hl, err);
		break;
	case IPPROTO_TCP:
		tcp_icmp_error(src, dst, q + hl, len - hl, err);
		break;
	case IPPROTO_ICMP:
		ping_icmp_error(src, dst, q + hl, len - hl, err);
		break;
	}
}

void icmp_input(struct netbuf *nb)
{
	icmp_stats.in_msgs++;
	if (nb->len < sizeof(struct icmphdr) ||
	    net_csum_fold(net_csum_add(0, nb->data, nb->len)) != 0) {
		icmp_stats.in_errors++;
		netbuf_free(nb);
		return;
	}
	/* Raw sockets see every valid message, before an echo request is
	 * turned into its reply in place. */
	raw_icmp_input(nb);
	struct icmphdr *h = (struct icmphdr *)nb->data;
	switch (h->type) {
	case ICMP_ECHO:
		icmp_stats.in_echos++;
		/* Linux's icmp_echo_ignore_broadcasts: a broadcast ping is
		 * a smurf amplifier. */
		if (ip_is_broadcast(nb->ip_dst) || (nb->ip_dst >> 28) == 0xe)
			break;
		/* The request becomes the reply in place. */
		h->type = ICMP_ECHOREPLY;
		h->code = 0;
		h->check = 0;
		h->check = icmp_csum(h, nb->len);
		icmp_stats.out_msgs++;
		icmp_stats.out_echo_reps++;
		uint32_t to = nb->ip_src, from = nb->ip_dst;
		nb->ip_hdr = NULL;
		ip_output(nb, from, to, IPPROTO_ICMP, 0);
		return;
	case ICMP_ECHOREPLY:
		ping_input(nb);
		return;
	case ICMP_DEST_UNREACH:
		icmp_error(nb, unreach_errno(h->code));
		break;
	case ICMP_TIME_EXCEEDED:
		icmp_error(nb, EHOSTUNREACH);
		break;
	case ICMP_PARAMETERPROB:
		icmp_error(
		    nb, EHOSTUNREACH); /* Linux: EPROTO, not in uapi/errno.h */
		break;
	default:
		break;
	}
	netbuf_free(nb);
}
