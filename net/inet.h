/* Private to net/ipv4.c, net/icmp.c, net/udp.c and net/udp_input.c: the
 * datagram sockets (UDP, ping, raw ICMP) and the ICMP hand-offs to them. */
#ifndef LIMEN_NET_INET_PRIV_H
#define LIMEN_NET_INET_PRIV_H

#include <net/net.h>
#include <net/socket.h>
#include <uapi/socket.h>

struct icmphdr {
	uint8_t type, code;
	uint16_t check;
	uint16_t id, seq; /* echo; for errors the "unused" word */
} __packed;

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

/* An echo reply (nb->data at the ICMP header, checksum checked) for the
 * ping socket bound to its identifier; takes nb. net_lock. */
void ping_input(struct netbuf *nb);
/* A copy of the received ICMP message nb (IP header included, from
 * nb->ip_hdr) for each raw ICMP socket that matches; does not take nb. */
void raw_icmp_input(const struct netbuf *nb);
/* An ICMP error about an echo request a ping socket sent. net_lock. */
void ping_icmp_error(uint32_t src, uint32_t dst, const uint8_t *ih, size_t len,
		     int err);

#define UDP_HDR 8

struct udphdr {
	uint16_t sport, dport, len, check;
} __packed;

/* One UDP, ping or raw socket. All fields under net_lock, except that poll and
 * sock_wait's conditions read rxq's emptiness, err and shut_rd unlocked as
 * hints (one aligned word each) and re-check under the lock. */
struct dgram_sock {
	struct list_head link; /* udp_socks, ping_socks or raw_socks */
	struct socket *s;
	uint8_t proto; /* IPPROTO_UDP, IPPROTO_ICMP (or _RAW: raw only) */
	bool raw;      /* SOCK_RAW: whole ICMP messages, IP header on input */
	bool bound, connected, shut_rd, shut_wr;
	uint32_t laddr, raddr; /* host order; laddr 0: any */
	uint16_t lport, rport; /* for ping sockets lport is the echo id */
	uint8_t ttl;	       /* 0: IP_DEFAULT_TTL */
	uint8_t tos;
	int err;	      /* pending asynchronous error (positive) */
	uint32_t uid;	      /* euid at bind, for SO_REUSEPORT */
	int bound_dev;	      /* SO_BINDTODEVICE: input only from it; 0 any */
	struct list_head rxq; /* netbufs: data at the payload */
	size_t rmem;	      /* bytes charged to rxq */
	uint64_t drops;
};

extern struct list_head udp_socks, ping_socks, raw_socks; /* net_lock */

/* The sockets a port lookup searches (raw sockets have no ports). */
static inline struct list_head *proto_list(uint8_t proto)
{
	return proto == IPPROTO_ICMP ? &ping_socks : &udp_socks;
}

/* What a queued datagram costs its socket's SO_RCVBUF: the whole
 * allocation, as Linux counts truesize, so tiny datagrams cannot hold
 * more memory than the buffer says. */
static inline size_t rx_charge(const struct netbuf *nb)
{
	return sizeof(*nb) + nb->size;
}

/* Queues nb (data at the payload, cb[0] the source port) on ds, or drops
 * and counts it at SO_RCVBUF; wakes readers. net_lock (net/udp_input.c). */
bool dgram_enqueue(struct dgram_sock *ds, struct netbuf *nb);

#endif
