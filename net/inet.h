/* Private to net/ipv4.c, net/icmp.c and net/udp.c: the ICMP "ping socket"
 * hand-off, which shares udp.c's datagram sockets. */
#ifndef LIMEN_NET_INET_PRIV_H
#define LIMEN_NET_INET_PRIV_H

#include <net/net.h>

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

#endif
