/* UDP input (RFC 768) and the ICMP hand-offs to datagram sockets: each
 * received datagram is checked, then queued on the one socket it belongs
 * to (every listener for a broadcast); ICMP errors reach connected
 * sockets. Under net_lock, from netd. Socket calls: net/udp.c. */
#include <lib/string.h>
#include <net/net.h>
#include <net/socket.h>
#include <sched.h>

#include "inet.h"

struct udp_stats udp_stats; /* net_lock */

/* Queues nb (data at the payload, cb[0] the source port) on ds, unless
 * the queue is at SO_RCVBUF: as Linux, it may pass the limit once. */
bool dgram_enqueue(struct dgram_sock *ds, struct netbuf *nb)
{
	if (ds->rmem >= ds->s->rcvbuf || ds->shut_rd) {
		ds->drops++;
		netbuf_free(nb);
		return false;
	}
	ds->rmem += rx_charge(nb);
	list_add_tail(&nb->link, &ds->rxq);
	wait_queue_wake_all(&ds->s->wq);
	return true;
}

/* The socket a datagram to dst:dport from src:sport belongs to: the most
 * specific match (bound address, then connected peer), as Linux scores. */
static struct dgram_sock *dgram_lookup(uint8_t proto, uint32_t src,
				       uint16_t sport, uint32_t dst,
				       uint16_t dport, const struct netif *dev)
{
	struct dgram_sock *ds, *best = NULL;
	int best_score = -1;
	list_for_each_entry(ds, proto_list(proto), link)
	{
		if (!ds->bound || ds->lport != dport)
			continue;
		int score = 0;
		if (ds->bound_dev) {
			if (!dev || dev->index != ds->bound_dev)
				continue;
			score += 1;
		}
		if (ds->laddr) {
			if (ds->laddr != dst && !ip_is_broadcast(dst))
				continue;
			score += 2;
		}
		if (ds->connected) {
			if (ds->raddr != src ||
			    (proto == IPPROTO_UDP && ds->rport != sport))
				continue;
			score += 4;
		}
		if (score > best_score) {
			best = ds;
			best_score = score;
		}
	}
	return best;
}

static void udp_deliver(struct dgram_sock *ds, struct netbuf *nb,
			uint16_t sport)
{
	nb->cb[0] = sport;
	if (dgram_enqueue(ds, nb))
		udp_stats.in_datagrams++;
	else
		udp_stats.rcvbuf_errors++, udp_stats.in_errors++;
}

/* A broadcast goes to every socket on its port that would take it, as on
 * Linux (each gets a copy, charged to its own SO_RCVBUF); none is not an
 * error worth an ICMP message. nb: data at the UDP header. */
static void udp_broadcast(struct netbuf *nb, uint16_t sport, uint16_t dport)
{
	struct dgram_sock *ds, *last = NULL;
	netbuf_pull(nb, UDP_HDR);
	list_for_each_entry(ds, &udp_socks, link)
	{
		if (!ds->bound || ds->lport != dport ||
		    (ds->bound_dev &&
		     (!nb->dev || nb->dev->index != ds->bound_dev)) ||
		    (ds->laddr && ds->laddr != nb->ip_dst &&
		     !ip_is_broadcast(ds->laddr)) ||
		    (ds->connected &&
		     (ds->raddr != nb->ip_src || ds->rport != sport)))
			continue;
		if (last) {
			struct netbuf *c = netbuf_alloc(0, nb->len);
			if (!c) {
				udp_stats.in_errors++;
				continue;
			}
			memcpy(c->data, nb->data, nb->len);
			c->ip_src = nb->ip_src;
			c->ip_dst = nb->ip_dst;
			c->dev = nb->dev;
			udp_deliver(last, c, sport);
		}
		last = ds;
	}
	if (last) {
		udp_deliver(last, nb, sport);
	} else {
		udp_stats.no_ports++;
		netbuf_free(nb);
	}
}

void udp_input(struct netbuf *nb)
{
	if (nb->len < UDP_HDR) {
		udp_stats.in_errors++;
		netbuf_free(nb);
		return;
	}
	struct udphdr *uh = (struct udphdr *)nb->data;
	size_t ulen = net_ntohs(uh->len);
	if (ulen < UDP_HDR || ulen > nb->len) {
		udp_stats.in_errors++;
		netbuf_free(nb);
		return;
	}
	netbuf_trim(nb, ulen);
	if (uh->check && !nb->csum_ok) {
		uint32_t sum = net_csum_pseudo(nb->ip_src, nb->ip_dst,
					       IPPROTO_UDP, (uint16_t)ulen);
		if (net_csum_fold(net_csum_add(sum, uh, ulen)) != 0) {
			udp_stats.in_csum_errors++;
			udp_stats.in_errors++;
			netbuf_free(nb);
			return;
		}
	}
	uint16_t sport = net_ntohs(uh->sport), dport = net_ntohs(uh->dport);
	if (ip_is_broadcast(nb->ip_dst)) {
		udp_broadcast(nb, sport, dport);
		return;
	}
	struct dgram_sock *ds = dgram_lookup(IPPROTO_UDP, nb->ip_src, sport,
					     nb->ip_dst, dport, nb->dev);
	if (!ds) {
		udp_stats.no_ports++;
		icmp_send_unreach(nb, ICMP_UNREACH_PORT);
		netbuf_free(nb);
		return;
	}
	netbuf_pull(nb, UDP_HDR);
	udp_deliver(ds, nb, sport);
}

/* As Linux without IP_RECVERR: only a connected socket hears of errors,
 * since for an unconnected one the error could be about anyone's packet. */
static void dgram_error(uint8_t proto, uint32_t src, uint32_t dst,
			uint16_t sport, uint16_t dport, int err)
{
	struct dgram_sock *ds;
	list_for_each_entry(ds, proto_list(proto), link)
	{
		if (!ds->connected || ds->lport != sport || ds->raddr != dst ||
		    (proto == IPPROTO_UDP && ds->rport != dport) ||
		    (ds->laddr && ds->laddr != src))
			continue;
		ds->err = err;
		wait_queue_wake_all(&ds->s->wq);
		return;
	}
}

void udp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *uh, size_t len,
		    int err)
{
	if (len < 4)
		return;
	dgram_error(IPPROTO_UDP, src, dst, (uint16_t)(uh[0] << 8 | uh[1]),
		    (uint16_t)(uh[2] << 8 | uh[3]), err);
}

void ping_input(struct netbuf *nb)
{
	const struct icmphdr *ih = (const struct icmphdr *)nb->data;
	struct dgram_sock *ds =
	    dgram_lookup(IPPROTO_ICMP, nb->ip_src, 0, nb->ip_dst,
			 net_ntohs(ih->id), nb->dev);
	if (!ds) {
		netbuf_free(nb);
		return;
	}
	nb->cb[0] = 0;
	dgram_enqueue(ds, nb);
}

void raw_icmp_input(const struct netbuf *nb)
{
	struct dgram_sock *ds;
	size_t len = (size_t)(nb->data + nb->len - nb->ip_hdr);
	list_for_each_entry(ds, &raw_socks, link)
	{
		if (ds->proto != IPPROTO_ICMP ||
		    (ds->laddr && ds->laddr != nb->ip_dst) ||
		    (ds->connected && ds->raddr != nb->ip_src))
			continue;
		struct netbuf *c = netbuf_alloc(0, len);
		if (!c)
			return;
		memcpy(c->data, nb->ip_hdr, len);
		c->ip_src = nb->ip_src;
		c->ip_dst = nb->ip_dst;
		c->cb[0] = 0;
		dgram_enqueue(ds, c);
	}
}

void ping_icmp_error(uint32_t src, uint32_t dst, const uint8_t *ih, size_t len,
		     int err)
{
	if (len < sizeof(struct icmphdr) || ih[0] != ICMP_ECHO)
		return;
	dgram_error(IPPROTO_ICMP, src, dst, (uint16_t)(ih[4] << 8 | ih[5]), 0,
		    err);
}
