/* Host tests of the virtio-net driver's receive and transmit paths
 * (drivers/virtio_net.c over the real split-queue code of
 * drivers/virtio_pci.c, both included directly, with fake PCI and memory)
 * and of the interface ioctls and /proc/net files (net/devinet.c): every
 * length and descriptor id the device reports is checked, a full ring
 * drops, ifreq/rtentry are Linux's, setting needs root, bad pointers fail. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/virtio_net.c"
#include "../../drivers/virtio_pci.c"
#include "../../net/devinet.c"

/* ---- shims --------------------------------------------------------------- */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}
void printk(int level, const char *fmt, ...)
{
	(void)level, (void)fmt;
}
void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}
phys_addr_t pmm_alloc_pages(unsigned order)
{
	void *p = aligned_alloc(4096, 4096UL << order);
	return p ? virt_to_phys(p) : 0;
}
void spin_init(spinlock_t *l, const char *name)
{
	(void)l, (void)name;
}
irqflags_t spin_lock_irqsave(spinlock_t *l)
{
	(void)l;
	return 0;
}
void spin_unlock_irqrestore(spinlock_t *l, irqflags_t f)
{
	(void)l, (void)f;
}
void wait_queue_init(struct wait_queue *wq)
{
	(void)wq;
}
void wait_queue_wake_all(struct wait_queue *wq)
{
	(void)wq;
}
struct pci_dev *pci_next(struct pci_dev *d)
{
	(void)d;
	return NULL;
}
uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	(void)d, (void)off;
	return 0;
}
uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	(void)d, (void)off;
	return 0;
}
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
	(void)d, (void)id, (void)after;
	return 0;
}
phys_addr_t pci_bar_addr(const struct pci_dev *d, unsigned bar)
{
	(void)d, (void)bar;
	return 0;
}
void pci_enable(struct pci_dev *d)
{
	(void)d;
}
int pci_msix_enable(struct pci_dev *d, uint8_t vec, unsigned n)
{
	(void)d, (void)vec, (void)n;
	return 0;
}
void *ioremap(phys_addr_t pa, size_t len)
{
	(void)pa, (void)len;
	return NULL;
}
int trap_alloc_vector(void (*fn)(struct trap_frame *, void *), void *arg)
{
	(void)fn, (void)arg;
	return 0x40;
}

/* The stack's side. */
struct mutex net_lock;
void mutex_lock(struct mutex *m)
{
	(void)m;
}
void mutex_unlock(struct mutex *m)
{
	(void)m;
}
LIST_HEAD(netif_list);
int netif_register(struct netif *dev)
{
	dev->index = 2;
	list_add_tail(&dev->link, &netif_list);
	return 0;
}
struct netif *netif_by_name(const char *name)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list,
			    link) if (!strcmp(d->name, name)) return d;
	return NULL;
}
struct netif *netif_by_index(int index)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list,
			    link) if (d->index == index) return d;
	return NULL;
}
struct netbuf *netbuf_alloc(size_t headroom, size_t len)
{
	struct netbuf *nb = calloc(1, sizeof(*nb) + headroom + len);
	nb->head = (uint8_t *)(nb + 1);
	nb->size = headroom + len;
	nb->data = nb->head + headroom;
	nb->len = len;
	return nb;
}
void netbuf_free(struct netbuf *nb)
{
	free(nb);
}
static struct netbuf *rxq[128];
static int nrxq;
void net_rx_enqueue(struct netif *dev, struct netbuf *nb)
{
	(void)dev;
	if (nrxq < 128)
		rxq[nrxq++] = nb;
	else
		free(nb);
}
void eth_input(struct netif *dev, struct netbuf *nb)
{
	(void)dev;
	free(nb);
}
int arp_flushes;
void arp_flush(struct netif *dev)
{
	(void)dev;
	arp_flushes++;
}
static struct ip_route routes[4];
static int nroutes;
int ip_route_add(const struct ip_route *r)
{
	if (nroutes == 4)
		return -ENOSPC;
	routes[nroutes++] = *r;
	return 0;
}
int ip_route_del(uint32_t dst, uint32_t mask)
{
	for (int i = 0; i < nroutes; i++)
		if (routes[i].dst == dst && routes[i].mask == mask) {
			routes[i] = routes[--nroutes];
			return 0;
		}
	return -ESRCH;
}
int ip_route_get(int i, struct ip_route *out)
{
	if (i >= nroutes)
		return -ENOENT;
	*out = routes[i];
	return 0;
}
static struct process me;
struct process *proc_current(void)
{
	return &me;
}
size_t __uaccess_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}
long __uaccess_strncpy(char *dst, const char *src, size_t max)
{
	size_t i;
	for (i = 0; i < max; i++) {
		dst[i] = src[i];
		if (!src[i])
			return (long)i;
	}
	return (long)max;
}

/* ---- a device with two queues, as virtio_setup_queues leaves them ------ */
static struct vnet *vn;
static uint16_t dev_rx_avail, dev_tx_avail; /* what the "device" took */

static void make_queue(struct virtq *vq, uint16_t index)
{
	size_t aoff, uoff, bytes = ring_bytes(256, &aoff, &uoff);
	uint8_t *mem = aligned_alloc(4096, (bytes + 4095) & ~4095UL);
	memset(mem, 0, bytes);
	vq->vdev = &vn->vdev;
	vq->index = index;
	vq->size = 256;
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)(mem + aoff);
	vq->used = (struct virtq_used *)(mem + uoff);
	for (uint16_t d = 0; d < 256; d++)
		vq->desc[d].next = d + 1;
	vq->nfree = 256;
	static uint16_t doorbell;
	vq->notify = &doorbell;
}

/* The device's side: takes the next buffer the driver made available. */
static uint16_t dev_take(struct virtq *vq, uint16_t *taken)
{
	return vq->avail->ring[(*taken)++ % vq->size];
}

static void setup(void)
{
	vn = calloc(1, sizeof(*vn));
	vn->vdev.priv = vn;
	vn->vdev.complete = vnet_complete;
	vn->vdev.features = 1UL << VIRTIO_NET_F_MAC;
	vn->vdev.queues = calloc(2, sizeof(struct virtq));
	vn->vdev.nqueues = 2;
	make_queue(&vn->vdev.queues[0], 0);
	make_queue(&vn->vdev.queues[1], 1);
	struct virtq *rxq0 = &vn->vdev.queues[VNET_RXQ];
	vn->nrx = VNET_NRX;
	vn->ntx = VNET_NTX;
	for (unsigned i = 0; i < vn->ntx; i++)
		vn->txfree[i] = (uint8_t)i;
	vn->ntxfree = vn->ntx;
	vnet_alloc_bufs(vn->rxbuf, vn->nrx);
	vnet_alloc_bufs(vn->txbuf, vn->ntx);
	for (unsigned i = 0; i < vn->nrx; i++) {
		virtq_alloc_chain(rxq0, 1);
		vnet_rx_post(vn, rxq0, (uint16_t)i);
	}
	struct netif *dev = &vn->dev;
	strcpy(dev->name, "eth0");
	dev->mtu = 1500;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->xmit = vnet_xmit;
	dev->priv = vn;
	memcpy(dev->mac, "\x52\x54\x00\x12\x34\x56", 6);
	netif_register(dev);
}

/* The device completes receive buffer id with len bytes written. */
static void rx_complete(uint16_t id, uint32_t len)
{
	struct virtq *q = &vn->vdev.queues[VNET_RXQ];
	vnet_complete(&vn->vdev, q, id, len);
}

static void test_rx(void)
{
	struct netif_stats *st = &vn->dev.stats;
	struct virtq *q = &vn->vdev.queues[VNET_RXQ];
	CHECK_EQ_UINT("vnet rx all posted", q->avail->idx, VNET_NRX);
	/* A good frame: 12-byte header, 60-byte frame. */
	uint16_t id = dev_take(q, &dev_rx_avail);
	memset(vn->rxbuf[id], 0, VNET_HDR_LEN);
	memset(vn->rxbuf[id] + VNET_HDR_LEN, 0x5a, 60);
	rx_complete(id, VNET_HDR_LEN + 60);
	CHECK_EQ_INT("vnet rx frame queued", nrxq, 1);
	CHECK_EQ_UINT("vnet rx frame length", rxq[0]->len, 60);
	CHECK("vnet rx frame bytes",
	      rxq[0]->data[0] == 0x5a && rxq[0]->data[59] == 0x5a);
	CHECK_EQ_UINT("vnet rx counted", st->rx_packets, 1);
	CHECK_EQ_UINT("vnet rx bytes", st->rx_bytes, 60);
	CHECK_EQ_UINT("vnet rx reposted", q->avail->idx, VNET_NRX + 1);
	/* Lengths the device may not report: each dropped and counted, and
	 * the buffer goes back. */
	uint32_t bad[] = {0,
			  1,
			  VNET_HDR_LEN,
			  VNET_HDR_LEN + ETH_HLEN - 1,
			  VNET_HDR_LEN + ETH_FRAME_LEN + 1,
			  VNET_BUF_SIZE,
			  VNET_BUF_SIZE + 1,
			  0xffffffffu};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rx_complete(dev_take(q, &dev_rx_avail), bad[i]);
	CHECK_EQ_INT("vnet rx bad lengths not queued", nrxq, 1);
	CHECK_EQ_UINT("vnet rx bad lengths counted", st->rx_errors, 8);
	CHECK_EQ_UINT("vnet rx bad lengths reposted", q->avail->idx,
		      VNET_NRX + 9);
	/* The largest frame passes. */
	rx_complete(dev_take(q, &dev_rx_avail), VNET_HDR_LEN + ETH_FRAME_LEN);
	CHECK_EQ_INT("vnet rx 1514-byte frame", nrxq, 2);
	/* Ids the device does not hold: out of range, or handed back
	 * twice. Nothing read, nothing posted twice. */
	uint16_t avail = q->avail->idx;
	rx_complete(VNET_NRX, 100);
	rx_complete(0xffff, 100);
	id = dev_take(q, &dev_rx_avail);
	rx_complete(id, 100);
	rx_complete(id, 100); /* reposted at once: the device's again */
	CHECK_EQ_UINT("vnet rx bogus ids counted", st->rx_errors, 10);
	CHECK_EQ_UINT("vnet rx no double post", q->avail->idx, avail + 2);
	CHECK_EQ_INT("vnet rx still only good frames", nrxq, 4);
	while (nrxq)
		free(rxq[--nrxq]);
}

static void test_tx(void)
{
	struct netif *dev = &vn->dev;
	struct virtq *q = &vn->vdev.queues[VNET_TXQ];
	struct netbuf *nb = netbuf_alloc(0, ETH_FRAME_LEN + 1);
	CHECK_EQ_INT("vnet tx oversize refused", vnet_xmit(dev, nb), -EMSGSIZE);
	CHECK_EQ_UINT("vnet tx oversize counted", dev->stats.tx_errors, 1);
	int ok = 0, full = 0;
	for (int i = 0; i < VNET_NTX + 5; i++) {
		nb = netbuf_alloc(0, 60);
		memset(nb->data, i, 60);
		int r = vnet_xmit(dev, nb);
		ok += r == 0;
		full += r == -ENOBUFS;
	}
	CHECK_EQ_INT("vnet tx ring takes its buffers", ok, VNET_NTX);
	CHECK_EQ_INT("vnet tx full ring drops", full, 5);
	CHECK_EQ_UINT("vnet tx dropped counted", dev->stats.tx_dropped, 5);
	CHECK_EQ_UINT("vnet tx packets", dev->stats.tx_packets, VNET_NTX);
	uint16_t h0 = dev_take(q, &dev_tx_avail);
	CHECK_EQ_UINT("vnet tx descriptor length", q->desc[h0].len,
		      VNET_HDR_LEN + 60);
	const uint8_t *buf = vn->txbuf[vn->txslot[h0]];
	static const uint8_t zero[VNET_HDR_LEN];
	CHECK_EQ_MEM("vnet tx header zeroed", buf, zero, VNET_HDR_LEN);
	CHECK_EQ_UINT("vnet tx frame copied", buf[VNET_HDR_LEN], 0);
	/* Completions: a bogus id and a repeated one free nothing. */
	vnet_complete(&vn->vdev, q, 0xffff, 0);
	vnet_complete(&vn->vdev, q, h0, 0);
	vnet_complete(&vn->vdev, q, h0, 0);
	CHECK_EQ_UINT("vnet tx bogus completions ignored", vn->tx_bogus, 2);
	CHECK_EQ_UINT("vnet tx one buffer back", vn->ntxfree, 1);
	nb = netbuf_alloc(0, 60);
	CHECK_EQ_INT("vnet tx ring recovers", vnet_xmit(dev, nb), 0);
	nb = netbuf_alloc(0, 60);
	CHECK_EQ_INT("vnet tx full again", vnet_xmit(dev, nb), -ENOBUFS);
}

/* ---- devinet ------------------------------------------------------------ */
static long ioc(unsigned long cmd, void *arg)
{
	return netif_ioctl(cmd, (uintptr_t)arg);
}

static void set_sin(struct sockaddr_k *sa, uint32_t a)
{
	memset(sa, 0, sizeof(*sa));
	put_sin(sa, a);
}

static uint32_t get_a(const struct sockaddr_k *sa)
{
	uint32_t a = 0;
	get_sin(sa, &a);
	return a;
}

static void test_devinet(void)
{
	struct ifreq_k r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "eth0");
	me.euid = 0;
	CHECK_EQ_INT("ioctl GIFFLAGS", ioc(SIOCGIFFLAGS, &r), 0);
	CHECK("ioctl flags down", !(r.ifr_flags & IFF_UP));
	r.ifr_flags = IFF_UP;
	CHECK_EQ_INT("ioctl SIFFLAGS up", ioc(SIOCSIFFLAGS, &r), 0);
	CHECK_EQ_UINT("ioctl up and running", vn->dev.flags & 0x41, 0x41);
	CHECK_EQ_INT("ioctl GIFADDR none", ioc(SIOCGIFADDR, &r),
		     -EADDRNOTAVAIL);
	set_sin(&r.ifr_addr, 0x0a00020f);
	CHECK_EQ_INT("ioctl SIFADDR", ioc(SIOCSIFADDR, &r), 0);
	CHECK_EQ_UINT("ioctl classful mask", vn->dev.netmask, 0xff000000u);
	set_sin(&r.ifr_addr, 0xffffff00u);
	CHECK_EQ_INT("ioctl SIFNETMASK", ioc(SIOCSIFNETMASK, &r), 0);
	set_sin(&r.ifr_addr, 0xff00ff00u);
	CHECK_EQ_INT("ioctl SIFNETMASK holes", ioc(SIOCSIFNETMASK, &r),
		     -EINVAL);
	CHECK_EQ_INT("ioctl GIFBRDADDR", ioc(SIOCGIFBRDADDR, &r), 0);
	CHECK_EQ_UINT("ioctl broadcast", get_a(&r.ifr_addr), 0x0a0002ff);
	CHECK_EQ_INT("ioctl GIFNETMASK", ioc(SIOCGIFNETMASK, &r), 0);
	CHECK_EQ_UINT("ioctl netmask", get_a(&r.ifr_addr), 0xffffff00u);
	r.ifr_addr.sa_family = AF_INET6;
	CHECK_EQ_INT("ioctl SIFADDR other family", ioc(SIOCSIFADDR, &r),
		     -EINVAL);
	CHECK_EQ_INT("ioctl GIFHWADDR", ioc(SIOCGIFHWADDR, &r), 0);
	CHECK("ioctl hwaddr", r.ifr_addr.sa_family == ARPHRD_ETHER &&
				  !memcmp(r.ifr_addr.sa_data, vn->dev.mac, 6));
	CHECK_EQ_INT("ioctl GIFMTU", ioc(SIOCGIFMTU, &r), 0);
	CHECK_EQ_INT("ioctl mtu", r.ifr_ivalue, 1500);
	r.ifr_ivalue = 1501;
	CHECK_EQ_INT("ioctl SIFMTU too big", ioc(SIOCSIFMTU, &r), -EINVAL);
	r.ifr_ivalue = 67;
	CHECK_EQ_INT("ioctl SIFMTU too small", ioc(SIOCSIFMTU, &r), -EINVAL);
	CHECK_EQ_INT("ioctl GIFINDEX", ioc(SIOCGIFINDEX, &r), 0);
	CHECK_EQ_INT("ioctl index", r.ifr_ivalue, 2);
	memset(r.ifr_name, 0, sizeof(r.ifr_name));
	CHECK_EQ_INT("ioctl GIFNAME", ioc(SIOCGIFNAME, &r), 0);
	CHECK_EQ_STR("ioctl name", r.ifr_name, "eth0");
	r.ifr_ivalue = 99;
	CHECK_EQ_INT("ioctl GIFNAME none", ioc(SIOCGIFNAME, &r), -ENODEV);
	/* An unterminated name is cut, not overrun. */
	memset(r.ifr_name, 'x', sizeof(r.ifr_name));
	CHECK_EQ_INT("ioctl long name", ioc(SIOCGIFFLAGS, &r), -ENODEV);
	strcpy(r.ifr_name, "eth0");
	/* Not root: reading works, changing does not. */
	me.euid = 1000;
	CHECK_EQ_INT("ioctl user reads", ioc(SIOCGIFFLAGS, &r), 0);
	r.ifr_flags = 0;
	CHECK_EQ_INT("ioctl user SIFFLAGS", ioc(SIOCSIFFLAGS, &r), -EPERM);
	set_sin(&r.ifr_addr, 0x0a000299);
	CHECK_EQ_INT("ioctl user SIFADDR", ioc(SIOCSIFADDR, &r), -EPERM);
	r.ifr_ivalue = 1000;
	CHECK_EQ_INT("ioctl user SIFMTU", ioc(SIOCSIFMTU, &r), -EPERM);
	CHECK_EQ_UINT("ioctl user changed nothing", vn->dev.addr, 0x0a00020f);
	/* Bad pointers. */
	void *kern = (void *)0xffff800000001000UL;
	CHECK_EQ_INT("ioctl EFAULT ifreq", ioc(SIOCGIFFLAGS, kern), -EFAULT);
	CHECK_EQ_INT("ioctl EFAULT ifconf", ioc(SIOCGIFCONF, kern), -EFAULT);
	CHECK_EQ_INT("ioctl EFAULT rtentry", ioc(SIOCADDRT, kern), -EFAULT);
	CHECK_EQ_INT("ioctl unknown", ioc(0x89ff, &r), -ENOTTY);
	me.euid = 0;

	/* SIOCGIFCONF: the length alone, then the list. */
	struct ifconf_k ifc = {.ifc_len = 0, .ifc_buf = 0};
	CHECK_EQ_INT("ioctl GIFCONF length", ioc(SIOCGIFCONF, &ifc), 0);
	CHECK_EQ_INT("ioctl GIFCONF one", ifc.ifc_len, 40);
	struct ifreq_k list[2];
	ifc.ifc_len = sizeof(list);
	ifc.ifc_buf = (uintptr_t)list;
	CHECK_EQ_INT("ioctl GIFCONF list", ioc(SIOCGIFCONF, &ifc), 0);
	CHECK("ioctl GIFCONF entry",
	      ifc.ifc_len == 40 && !strcmp(list[0].ifr_name, "eth0") &&
		  get_a(&list[0].ifr_addr) == 0x0a00020f);
	ifc.ifc_len = 39;
	ioc(SIOCGIFCONF, &ifc);
	CHECK_EQ_INT("ioctl GIFCONF no room", ifc.ifc_len, 0);

	/* Routes. */
	struct rtentry_k rt;
	memset(&rt, 0, sizeof(rt));
	set_sin(&rt.rt_dst, 0);
	set_sin(&rt.rt_gateway, 0x0a000202);
	set_sin(&rt.rt_genmask, 0);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	CHECK_EQ_INT("ioctl ADDRT default", ioc(SIOCADDRT, &rt), 0);
	CHECK("ioctl route added", nroutes == 1 && routes[0].gw == 0x0a000202 &&
				       routes[0].mask == 0 && !routes[0].dev);
	set_sin(&rt.rt_dst, 0x0a000201);
	set_sin(&rt.rt_genmask, 0xffffff00);
	CHECK_EQ_INT("ioctl ADDRT dst outside mask", ioc(SIOCADDRT, &rt),
		     -EINVAL);
	rt.rt_flags = RTF_UP | RTF_HOST;
	char devname[] = "eth0";
	rt.rt_dev = (uintptr_t)devname;
	CHECK_EQ_INT("ioctl ADDRT host on dev", ioc(SIOCADDRT, &rt), 0);
	CHECK("ioctl host route", nroutes == 2 &&
				      routes[1].mask == 0xffffffffu &&
				      routes[1].dev == &vn->dev);
	char nodev[] = "eth7";
	rt.rt_dev = (uintptr_t)nodev;
	CHECK_EQ_INT("ioctl ADDRT no dev", ioc(SIOCADDRT, &rt), -ENODEV);
	rt.rt_dev = 0xffff800000001000UL;
	CHECK_EQ_INT("ioctl ADDRT bad dev pointer", ioc(SIOCADDRT, &rt),
		     -EFAULT);
	rt.rt_dev = 0;
	me.euid = 1000;
	CHECK_EQ_INT("ioctl user ADDRT", ioc(SIOCADDRT, &rt), -EPERM);
	me.euid = 0;

	/* /proc/net/route and /proc/net/dev as busybox parses them. */
	char buf[4096];
	long n = netif_proc_route(buf, sizeof(buf));
	CHECK("proc route lines 128 wide",
	      n == 4 * 128 && buf[127] == '\n' && buf[255] == '\n');
	CHECK("proc route subnet",
	      !strncmp(buf + 128, "eth0\t0002000A\t00000000\t0001\t", 27));
	CHECK("proc route default",
	      !strncmp(buf + 256, "eth0\t00000000\t0202000A\t0003\t", 27));
	CHECK("proc route host",
	      !strncmp(buf + 384, "eth0\t0102000A\t00000000\t0005\t", 27));
	n = netif_proc_route(buf, 100);
	CHECK_EQ_INT("proc route cut", n, 99);
	vn->dev.stats.rx_bytes = 1234;
	n = netif_proc_dev(buf, sizeof(buf));
	CHECK("proc dev", n > 0 && strstr(buf, "  eth0:    1234 ") &&
			      strstr(buf, "Inter-|   Receive"));
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	set_sin(&rt.rt_dst, 0);
	set_sin(&rt.rt_genmask, 0);
	CHECK_EQ_INT("ioctl DELRT", ioc(SIOCDELRT, &rt), 0);
	CHECK_EQ_INT("ioctl DELRT again", ioc(SIOCDELRT, &rt), -ESRCH);

	/* Down empties the ARP entries. */
	int flushes = arp_flushes;
	r.ifr_flags = 0;
	CHECK_EQ_INT("ioctl SIFFLAGS down", ioc(SIOCSIFFLAGS, &r), 0);
	CHECK("ioctl down flushes arp",
	      arp_flushes == flushes + 1 && !(vn->dev.flags & IFF_RUNNING));
}

int main(void)
{
	setup();
	test_rx();
	test_tx();
	test_devinet();
	return unit_done();
}
