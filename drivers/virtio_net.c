/* virtio-net: one receive and one transmit queue of fixed 2 KiB buffers in
 * page-allocator memory. Received frames are checked and copied into a
 * netbuf for netd from the interrupt, the buffer going straight back to
 * the device; sent frames are copied into a free transmit buffer. */
#include <arch.h>
#include <drivers/virtio.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <net/ether.h>
#include <net/net.h>
#include <printk.h>
#include <uapi/errno.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC 5

/* struct virtio_net_config offsets. */
#define VNET_CFG_MAC 0

#define VNET_RXQ 0
#define VNET_TXQ 1

/* struct virtio_net_hdr as VIRTIO_F_VERSION_1 has it (num_buffers always
 * present). With no offloads negotiated the device sends it zeroed and
 * expects it zeroed. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));

#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)
/* Every buffer holds a header and the largest frame (the spec's 1526
 * bytes without MRG_RXBUF or GSO); 2 KiB keeps each one inside a page. */
#define VNET_BUF_SIZE 2048
#define VNET_BUFS_PER_PAGE (PAGE_SIZE / VNET_BUF_SIZE)
#define VNET_NRX 64 /* receive buffers (at most the queue's size) */
#define VNET_NTX 32 /* transmit buffers: frames in flight */

struct vnet {
	struct virtio_dev vdev;
	struct netif dev;
	/* Receive descriptor i always carries rxbuf[i] (each chain is one
	 * descriptor, posted again as soon as it is used). */
	uint8_t *rxbuf[VNET_NRX];
	/* Whether the device holds rxbuf[i] now (under the rx queue's lock):
	 * a completion for a buffer it does not hold is the device's error,
	 * and posting it twice would overfill the ring. */
	bool rx_posted[VNET_NRX];
	unsigned nrx;
	/* Transmit buffers: txslot[head] is the buffer the chain at head
	 * carries, txfree the unused ones (under the tx queue's lock). */
	uint8_t *txbuf[VNET_NTX];
	uint8_t txslot[VIRTQ_MAX_SIZE];
	bool tx_busy[VIRTQ_MAX_SIZE]; /* the chain at head is the device's */
	uint8_t txfree[VNET_NTX];
	unsigned ntx, ntxfree;
	/* Frames the device handed up that were not frames (under the rx
	 * queue's lock; also folded into dev.stats with atomic adds). */
	uint64_t rx_malformed, rx_nomem, tx_bogus;
};

/* Gives receive buffer i back to the device. With the rx queue lock held. */
static void vnet_rx_post(struct vnet *vn, struct virtq *vq, uint16_t i)
{
	vq->desc[i].addr = virt_to_phys(vn->rxbuf[i]);
	vq->desc[i].len = VNET_BUF_SIZE;
	vq->desc[i].flags = VIRTQ_DESC_F_WRITE;
	vn->rx_posted[i] = true;
	virtq_submit(vq, i);
}

static void stat_add(uint64_t *c, uint64_t n)
{
	/* rx counters change in this interrupt and in netd: atomic adds. */
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* From the interrupt with vq->lock held, once per used buffer. */
static void vnet_complete(struct virtio_dev *vdev, struct virtq *vq,
			  uint16_t head, uint32_t len)
{
	struct vnet *vn = vdev->priv;
	if (vq->index == VNET_TXQ) {
		/* The frame is out (the counters were taken at xmit). An id
		 * we did not hand over is the device's error: ignored, so a
		 * buffer is never freed twice. */
		if (head >= vq->size || !vn->tx_busy[head]) {
			vn->tx_bogus++;
			return;
		}
		vn->tx_busy[head] = false;
		vn->txfree[vn->ntxfree++] = vn->txslot[head];
		virtq_free_chain(vq, head);
		return;
	}
	if (head >= vn->nrx || !vn->rx_posted[head]) {
		/* Not a buffer the device holds: nothing to read or reuse. */
		vn->rx_malformed++;
		stat_add(&vn->dev.stats.rx_errors, 1);
		return;
	}
	vn->rx_posted[head] = false;
	/* The device writes at most the buffer; len is its word, so check it
	 * against the header, the buffer and the largest frame. */
	if (len < VNET_HDR_LEN + ETH_HLEN || len > VNET_BUF_SIZE ||
	    len - VNET_HDR_LEN > ETH_FRAME_LEN) {
		vn->rx_malformed++;
		stat_add(&vn->dev.stats.rx_errors, 1);
		goto repost;
	}
	size_t flen = len - VNET_HDR_LEN;
	/* 2 bytes in front align the IP header past the 14-byte Ethernet one;
	 * the rest lets a reply reuse the buffer. */
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM + 2, flen);
	if (!nb) {
		vn->rx_nomem++;
		stat_add(&vn->dev.stats.rx_dropped, 1);
		goto repost;
	}
	memcpy(nb->data, vn->rxbuf[head] + VNET_HDR_LEN, flen);
	nb->dev = &vn->dev;
	stat_add(&vn->dev.stats.rx_packets, 1);
	stat_add(&vn->dev.stats.rx_bytes, flen);
	net_rx_enqueue(&vn->dev, nb);
repost:
	/* The chain is one descriptor: take it back and post it again. */
	vq->desc[head].flags = VIRTQ_DESC_F_WRITE;
	vnet_rx_post(vn, vq, head);
}

/* Under net_lock; never sleeps: a full ring drops the frame. */
static int vnet_xmit(struct netif *dev, struct netbuf *nb)
{
	struct vnet *vn = dev->priv;
	struct virtq *vq = &vn->vdev.queues[VNET_TXQ];
	size_t flen = nb->len;
	if (flen > ETH_FRAME_LEN || flen + VNET_HDR_LEN > VNET_BUF_SIZE) {
		dev->stats.tx_errors++;
		netbuf_free(nb);
		return -EMSGSIZE;
	}
	irqflags_t f = spin_lock_irqsave(&vq->lock);
	int head = vn->ntxfree ? virtq_alloc_chain(vq, 1) : -ENOSPC;
	if (head < 0) {
		spin_unlock_irqrestore(&vq->lock, f);
		dev->stats.tx_dropped++;
		netbuf_free(nb);
		return -ENOBUFS;
	}
	uint8_t slot = vn->txfree[--vn->ntxfree];
	vn->txslot[head] = slot;
	vn->tx_busy[head] = true;
	uint8_t *buf = vn->txbuf[slot];
	memset(buf, 0, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, nb->data, flen);
	vq->desc[head].addr = virt_to_phys(buf);
	vq->desc[head].len = (uint32_t)(VNET_HDR_LEN + flen);
	vq->desc[head].flags = 0;
	virtq_submit(vq, (uint16_t)head);
	spin_unlock_irqrestore(&vq->lock, f);
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += flen;
	netbuf_free(nb);
	return 0;
}

static int vnet_alloc_bufs(uint8_t **bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i += VNET_BUFS_PER_PAGE) {
		phys_addr_t pa = pmm_alloc_pages(0);
		if (!pa)
			return -ENOMEM;
		uint8_t *page = phys_to_virt(pa);
		memset(page, 0, PAGE_SIZE);
		for (unsigned j = 0; j < VNET_BUFS_PER_PAGE && i + j < n; j++)
			bufs[i + j] = page + j * VNET_BUF_SIZE;
	}
	return 0;
}

static int vnet_setup(struct vnet *vn)
{
	struct virtio_dev *vdev = &vn->vdev;
	vdev->priv = vn;
	vdev->complete = vnet_complete;
	/* Only the MAC: no checksum offload, GSO, mergeable buffers or
	 * control queue, so every frame is whole in one buffer. */
	int r = virtio_negotiate(vdev, 1UL << VIRTIO_NET_F_MAC);
	if (r)
		return r;
	r = virtio_setup_queues(vdev, 2);
	if (r) {
		virtio_fail(vdev);
		return r;
	}
	struct virtq *rxq = &vdev->queues[VNET_RXQ];
	struct virtq *txq = &vdev->queues[VNET_TXQ];
	vn->nrx = MIN(VNET_NRX, rxq->size);
	vn->ntx = MIN(VNET_NTX, txq->size);
	for (unsigned i = 0; i < vn->ntx; i++)
		vn->txfree[i] = (uint8_t)i;
	vn->ntxfree = vn->ntx;
	if (vnet_alloc_bufs(vn->rxbuf, vn->nrx) ||
	    vnet_alloc_bufs(vn->txbuf, vn->ntx)) {
		virtio_fail(vdev);
		return -ENOMEM;
	}
	if (vdev->features & (1UL << VIRTIO_NET_F_MAC)) {
		for (unsigned i = 0; i < ETH_ALEN; i++)
			vn->dev.mac[i] =
			    virtio_cfg_read8(vdev, VNET_CFG_MAC + i);
	} else {
		/* A locally administered address of our own. */
		static const uint8_t mac[ETH_ALEN] = {0x02, 0x4c, 0x49,
						      0x4d, 0x00, 0x00};
		memcpy(vn->dev.mac, mac, ETH_ALEN);
		vn->dev.mac[5] = (uint8_t)vdev->index;
	}
	/* Descriptor i for buffer i: take them all in order (a fresh free
	 * list hands out 0, 1, 2...), then post. */
	irqflags_t f = spin_lock_irqsave(&rxq->lock);
	for (unsigned i = 0; i < vn->nrx; i++) {
		int head = virtq_alloc_chain(rxq, 1);
		if (head != (int)i) {
			spin_unlock_irqrestore(&rxq->lock, f);
			virtio_fail(vdev);
			return -EIO;
		}
		vnet_rx_post(vn, rxq, (uint16_t)i);
	}
	spin_unlock_irqrestore(&rxq->lock, f);
	return 0;
}

void virtio_net_init(void)
{
	static int count;
	for (;;) {
		/* Never freed: a failed device's vector may still name it. */
		struct vnet *vn = kzalloc(sizeof(*vn));
		if (!vn) {
			pr_err("virtio_net: out of memory");
			return;
		}
		int r = virtio_pci_probe(VIRTIO_ID_NET, &vn->vdev);
		if (r == -ENODEV && !vn->vdev.pci) {
			kfree(vn);
			return;
		}
		if (r == 0)
			r = vnet_setup(vn);
		if (r) {
			pr_err("virtio_net virtio%d: device disabled (%d)",
			       vn->vdev.index, r);
			continue;
		}
		struct netif *dev = &vn->dev;
		snprintf(dev->name, sizeof(dev->name), "eth%d", count++);
		dev->mtu = ETH_DATA_LEN;
		/* Down until ifconfig brings it up; the virtual wire has
		 * no carrier to lose, so RUNNING follows UP. */
		dev->flags = IFF_BROADCAST | IFF_MULTICAST;
		dev->xmit = vnet_xmit;
		dev->input = eth_input;
		dev->priv = vn;
		mutex_lock(&net_lock);
		r = netif_register(dev);
		mutex_unlock(&net_lock);
		if (r) {
			pr_err("virtio_net virtio%d: cannot register %s (%d)",
			       vn->vdev.index, dev->name, r);
			continue;
		}
		const uint8_t *m = dev->mac;
		pr_info("virtio_net virtio%d: %s %02x:%02x:%02x:%02x:%02x:%02x",
			vn->vdev.index, dev->name, m[0], m[1], m[2], m[3], m[4],
			m[5]);
	}
}
