/* Network interfaces (net/net.h): the interface list, lookups, and the
 * loopback interface "lo", whose transmit queues each packet back to netd
 * as received (never a call into input from output, so no recursion). */
#include <lib/string.h>
#include <net/net.h>
#include <uapi/errno.h>

LIST_HEAD(netif_list); /* net_lock */
struct netif *netif_loopback;
static int netif_next_index = 1; /* net_lock */

int netif_register(struct netif *dev)
{
	if (!dev->name[0] || netif_by_name(dev->name))
		return -EEXIST;
	dev->index = netif_next_index++;
	list_add_tail(&dev->link, &netif_list);
	return 0;
}

struct netif *netif_by_name(const char *name)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if (!strncmp(d->name, name, IFNAMSIZ))
			return d;
	}
	return NULL;
}

struct netif *netif_by_index(int index)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if (d->index == index)
			return d;
	}
	return NULL;
}

/* Loopback's transmit: the packet (an IPv4 packet, no link header) is
 * both sent and received here. */
static int lo_xmit(struct netif *dev, struct netbuf *nb)
{
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += nb->len;
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += nb->len;
	net_rx_enqueue(dev, nb);
	return 0;
}

static struct netif lo_dev = {
    .name = "lo",
    .flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING,
    .mtu = 65536,
    .addr = 0x7f000001,
    .netmask = 0xff000000,
    .xmit = lo_xmit,
};

void netif_loopback_init(void)
{
	if (netif_loopback)
		return;
	netif_register(&lo_dev);
	netif_loopback = &lo_dev;
}

/* Without net/ethernet.c (the host tests of IPv4 and UDP do not link
 * it), a non-loopback interface has no way to send: drop and count. */
__attribute__((weak)) int netif_output_ip(struct netif *dev, struct netbuf *nb,
					  uint32_t nexthop)
{
	(void)nexthop;
	dev->stats.tx_dropped++;
	netbuf_free(nb);
	return -ENETUNREACH;
}
