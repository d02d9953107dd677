/* Ethernet: receive dispatches by ethertype (IPv4 to ip_input, ARP to
 * arp_input) after checking the frame holds a header; transmit puts the
 * header on and hands the frame to the device. Under net_lock throughout. */
#include <lib/string.h>
#include <net/ether.h>
#include <net/net.h>
#include <uapi/errno.h>
#include <uapi/socket.h>

/* What this layer dropped and why (under net_lock). */
struct eth_stats eth_stats;

static const uint8_t eth_bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void eth_drop(struct netif *dev, struct netbuf *nb, uint64_t *why)
{
	(*why)++;
	if (dev)
		__atomic_fetch_add(&dev->stats.rx_dropped, 1, __ATOMIC_RELAXED);
	netbuf_free(nb);
}

void eth_input(struct netif *dev, struct netbuf *nb)
{
	nb->dev = dev;
	if (nb->len < ETH_HLEN) {
		eth_drop(dev, nb, &eth_stats.runt);
		return;
	}
	/* Packet sockets see every frame, ours or not, before the
	 * protocols do. */
	if (packet_tap)
		packet_tap(dev, nb, false);
	const struct ethhdr *eh = (const struct ethhdr *)nb->data;
	uint16_t type = net_ntohs(eh->type);
	/* A device might hand up frames for other stations (promiscuous
	 * mode we never ask for): keep only ours, broadcast and multicast. */
	if (dev && !(eh->dst[0] & 1) && memcmp(eh->dst, dev->mac, ETH_ALEN)) {
		eth_drop(dev, nb, &eth_stats.other_host);
		return;
	}
	netbuf_pull(nb, ETH_HLEN);
	switch (type) {
	case ETH_P_IP:
		ip_input(nb);
		break;
	case ETH_P_ARP:
		arp_input(nb);
		break;
	default:
		eth_drop(dev, nb, &eth_stats.unknown_type);
		break;
	}
}

int eth_output(struct netif *dev, struct netbuf *nb, const uint8_t *dst,
	       uint16_t type)
{
	if (!(dev->flags & IFF_UP)) {
		dev->stats.tx_dropped++;
		netbuf_free(nb);
		return -ENETDOWN;
	}
	if (nb->len > dev->mtu) {
		dev->stats.tx_errors++;
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	struct ethhdr *eh = netbuf_push(nb, ETH_HLEN);
	if (!eh) {
		dev->stats.tx_errors++;
		netbuf_free(nb);
		return -ENOBUFS;
	}
	memcpy(eh->dst, dst, ETH_ALEN);
	memcpy(eh->src, dev->mac, ETH_ALEN);
	eh->type = net_htons(type);
	if (packet_tap)
		packet_tap(dev, nb, true);
	return dev->xmit(dev, nb);
}

/* IPv4's way out of an Ethernet interface: broadcasts need no ARP, every
 * other next hop is resolved first. */
int netif_output_ip(struct netif *dev, struct netbuf *nb, uint32_t nexthop)
{
	uint32_t bcast = dev->addr | ~dev->netmask;
	if (nexthop == 0xffffffffu || (dev->netmask && nexthop == bcast))
		return eth_output(dev, nb, eth_bcast, ETH_P_IP);
	return arp_output(dev, nb, nexthop);
}
