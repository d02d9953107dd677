/* UDP (RFC 768) and ICMP ping sockets: placeholder until the socket
 * layer lands; closed ports answer with ICMP port unreachable. */
#include <net/net.h>

#include "inet.h"

struct udp_stats udp_stats; /* net_lock */

void udp_input(struct netbuf *nb)
{
	udp_stats.no_ports++;
	icmp_send_unreach(nb, ICMP_UNREACH_PORT);
	netbuf_free(nb);
}

void udp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *uh, size_t len,
		    int err)
{
	(void)src, (void)dst, (void)uh, (void)len, (void)err;
}

void ping_input(struct netbuf *nb)
{
	netbuf_free(nb);
}

void ping_icmp_error(uint32_t src, uint32_t dst, const uint8_t *ih, size_t len,
		     int err)
{
	(void)src, (void)dst, (void)ih, (void)len, (void)err;
}
