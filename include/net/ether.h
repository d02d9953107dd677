/* Ethernet and ARP (net/ethernet.c, net/arp.c) and the interface
 * configuration behind ifconfig/route (net/devinet.c): what the virtio-net
 * driver and IPv4 call, and what the host unit tests drive. */
#ifndef LIMEN_NET_ETHER_H
#define LIMEN_NET_ETHER_H

#include <net/net.h>
#include <types.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_DATA_LEN 1500
#define ETH_FRAME_LEN 1514 /* header + payload, no FCS */
#define ETH_ZLEN 60	   /* the shortest frame; shorter ones are padded */

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806

struct ethhdr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type; /* network order */
} __attribute__((packed));

/* Counters of what the Ethernet and ARP layers dropped (under net_lock). */
struct eth_stats {
	uint64_t runt, other_host, unknown_type;	/* Ethernet input */
	uint64_t arp_bad, arp_ignored;			/* ARP input */
	uint64_t arp_queue_drop, arp_evict, arp_failed; /* resolution */
};
extern struct eth_stats eth_stats;

/* An Ethernet device's dev->input: called by netd under net_lock for each
 * frame it received; takes nb. Dispatches IPv4 (ip_input) and ARP by
 * ethertype. */
void eth_input(struct netif *dev, struct netbuf *nb);
/* Puts the Ethernet header on nb (data at the payload) and sends it on
 * dev; takes nb. Under net_lock. */
int eth_output(struct netif *dev, struct netbuf *nb, const uint8_t *dst,
	       uint16_t type);
/* IPv4's way out of an Ethernet interface (net.h's netif_output_ip for
 * Ethernet): broadcast at once, anything else through ARP. */
int netif_output_ip(struct netif *dev, struct netbuf *nb, uint32_t nexthop);

/* AF_PACKET's tap (net/af_packet.c), under net_lock: a copy of the frame
 * nb (data at the Ethernet header; a bare IPv4 packet on loopback) that
 * dev received, or sent (outgoing), for each packet socket that wants it;
 * does not take nb. Weak: a build without packet sockets has none. */
void packet_tap(struct netif *dev, const struct netbuf *nb, bool outgoing)
    __attribute__((weak));

/* ARP (net/arp.c), under net_lock. */
#define ARP_CACHE_MAX 64 /* entries; the oldest goes at the limit */
#define ARP_QUEUE_MAX 16 /* packets waiting for resolution, all hosts */
#define ARP_TIMEOUT_NS (60ULL * 1000000000ULL) /* a resolved entry's life */
#define ARP_RETRY_NS (1000000000ULL)	       /* between requests */
#define ARP_MAX_TRIES 3			       /* then the waiting packets go */

void arp_input(struct netbuf *nb);
/* Sends nb (data at the IPv4 header) to nexthop on dev: at once if the
 * address is resolved, else queued behind an ARP request. Takes nb. */
int arp_output(struct netif *dev, struct netbuf *nb, uint32_t nexthop);
/* The cached MAC of ip on dev, if resolved: 0, or -ENOENT. */
int arp_lookup(struct netif *dev, uint32_t ip, uint8_t mac[ETH_ALEN]);
/* Number of entries (resolved or not) and queued packets (tests). */
unsigned arp_cache_count(void);
unsigned arp_queue_count(void);
/* Forgets everything about dev (address change, interface down). */
void arp_flush(struct netif *dev);
/* Expires entries; runs from the ARP timer (exported for tests). */
void arp_expire(uint64_t now);

/* /proc/net/dev's text (net/devinet.c); takes net_lock. */
long netif_proc_dev(char *buf, size_t size);
/* /proc/net/route's text (net/devinet.c); takes net_lock. */
long netif_proc_route(char *buf, size_t size);
/* Slot i of the cache, for rtnetlink's neighbour dump (under net_lock):
 * 1 and *out, 0 for a free slot, -ENOENT past the last. */
struct arp_info {
	struct netif *dev;
	uint32_t ip; /* host order */
	uint8_t mac[ETH_ALEN];
	bool resolved;
};
int arp_get(unsigned i, struct arp_info *out);
/* /proc/net/arp's text (net/arp.c); takes net_lock. */
long arp_proc(char *buf, size_t size);

/* The virtio-net driver (drivers/virtio_net.c). */
void virtio_net_init(void);

#endif
