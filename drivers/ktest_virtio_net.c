/* Self-test of virtio-net over QEMU's user network (tests/virtio-net.sh,
 * run-qemu --net): eth0 gets 10.0.2.15/24, ARP resolves the gateway
 * 10.0.2.2 and an ICMP echo to it comes back. Without eth0 (ktest=all in
 * the plain boot) the test says so and checks nothing. */
#include <ktest.h>
#include <lib/string.h>
#include <net/ether.h>
#include <net/net.h>
#include <printk.h>
#include <sched.h>
#include <time.h>
#include <uapi/socket.h>

#define VNT_ADDR 0x0a00020fu /* 10.0.2.15 */
#define VNT_GW 0x0a000202u   /* 10.0.2.2, slirp's gateway */
#define VNT_DNS 0x0a000203u  /* 10.0.2.3, slirp's DNS */

struct vnt_echo {
	uint8_t type, code;
	uint16_t check;
	uint16_t id, seq;
	uint8_t payload[56];
} __attribute__((packed));

/* Under net_lock: an ICMP echo request to dst. */
static int vnt_ping(uint32_t dst, uint16_t seq)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, sizeof(struct vnt_echo));
	if (!nb)
		return -1;
	struct vnt_echo *e = (struct vnt_echo *)nb->data;
	memset(e, 0, sizeof(*e));
	e->type = 8;
	e->id = net_htons(0x4c4d);
	e->seq = net_htons(seq);
	for (unsigned i = 0; i < sizeof(e->payload); i++)
		e->payload[i] = (uint8_t)i;
	/* net_csum_fold gives the sum in host order (net/core.c). */
	e->check = net_htons(net_csum_fold(net_csum_add(0, e, sizeof(*e))));
	return ip_output(nb, 0, dst, 1 /* ICMP */, 64);
}

KTEST(virtio_net_ping)
{
	mutex_lock(&net_lock);
	struct netif *dev = netif_by_name("eth0");
	if (!dev) {
		mutex_unlock(&net_lock);
		pr_info("ktest: no eth0, virtio-net test skipped");
		return;
	}
	KCHECK(dev->mtu == 1500, "virtio_net mtu", "%u", dev->mtu);
	KCHECK(dev->mac[0] == 0x52 && dev->mac[1] == 0x54,
	       "virtio_net mac from config", "%02x:%02x", dev->mac[0],
	       dev->mac[1]);
	dev->addr = VNT_ADDR;
	dev->netmask = 0xffffff00u;
	dev->flags |= IFF_UP | IFF_RUNNING;
	struct netif_stats before = dev->stats;
	uint64_t icmp_in = icmp_stats.in_msgs - icmp_stats.in_errors;
	int r = vnt_ping(VNT_GW, 1);
	mutex_unlock(&net_lock);
	KCHECK(r == 0, "virtio_net ping sent", "ip_output %d", r);

	bool resolved = false, replied = false;
	uint8_t mac[ETH_ALEN];
	for (int i = 0; i < 100 && !(resolved && replied); i++) {
		thread_sleep_ns(50000000ULL);
		mutex_lock(&net_lock);
		resolved = arp_lookup(dev, VNT_GW, mac) == 0;
		replied = icmp_stats.in_msgs - icmp_stats.in_errors > icmp_in;
		/* The first echo waited for ARP; once resolved, ping again
		 * now and then in case the gateway was slow. */
		if (resolved && !replied && i % 10 == 9)
			vnt_ping(VNT_GW, (uint16_t)(2 + i));
		mutex_unlock(&net_lock);
	}
	KCHECK(resolved, "virtio_net arp resolves gateway", "no ARP reply");
	KCHECK(replied, "virtio_net gateway answers ping", "no echo reply");
	mutex_lock(&net_lock);
	struct netif_stats after = dev->stats;
	mutex_unlock(&net_lock);
	KCHECK(after.rx_packets >= before.rx_packets + 2,
	       "virtio_net rx counted", "%llu -> %llu",
	       (unsigned long long)before.rx_packets,
	       (unsigned long long)after.rx_packets);
	KCHECK(after.tx_packets >= before.tx_packets + 2,
	       "virtio_net tx counted", "%llu -> %llu",
	       (unsigned long long)before.tx_packets,
	       (unsigned long long)after.tx_packets);
	KCHECK(after.rx_errors == 0, "virtio_net no rx errors", "%llu",
	       (unsigned long long)after.rx_errors);

	/* A burst larger than the transmit ring: never blocks, excess is
	 * dropped and counted, and the ring recovers. */
	mutex_lock(&net_lock);
	for (int i = 0; i < 200; i++)
		vnt_ping(VNT_GW, (uint16_t)(1000 + i));
	mutex_unlock(&net_lock);
	thread_sleep_ns(500000000ULL);
	mutex_lock(&net_lock);
	uint64_t sent = dev->stats.tx_packets - after.tx_packets;
	uint64_t dropped = dev->stats.tx_dropped - after.tx_dropped;
	r = vnt_ping(VNT_GW, 5000);
	mutex_unlock(&net_lock);
	KCHECK(sent + dropped == 200, "virtio_net burst accounted",
	       "sent %llu dropped %llu", (unsigned long long)sent,
	       (unsigned long long)dropped);
	KCHECK(r == 0, "virtio_net ring recovers", "%d", r);
	mutex_lock(&net_lock);
	dev->flags &= ~(unsigned)(IFF_UP | IFF_RUNNING);
	dev->addr = dev->netmask = 0;
	arp_flush(dev);
	mutex_unlock(&net_lock);
}
