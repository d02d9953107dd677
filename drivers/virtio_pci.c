/* The virtio 1.x PCI transport: finds the vendor capabilities (common,
 * notify, ISR, device configuration), maps them, negotiates features, sets
 * up split virtqueues in page-allocator memory and routes their interrupt
 * through MSI-X to the local APIC. Legacy (0.9) register layout is not
 * supported: a device without the modern capabilities is refused. */
#include <arch.h>
#include <asm/trap.h>
#include <drivers/virtio.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <printk.h>
#include <uapi/errno.h>

#define VIRTIO_PCI_VENDOR 0x1af4

/* struct virtio_pci_cap cfg_type values. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* struct virtio_pci_common_cfg offsets. */
#define VCC_DFSELECT 0
#define VCC_DF 4
#define VCC_GFSELECT 8
#define VCC_GF 12
#define VCC_MSIX_CONFIG 16
#define VCC_NUM_QUEUES 18
#define VCC_STATUS 20
#define VCC_Q_SELECT 22
#define VCC_Q_SIZE 24
#define VCC_Q_MSIX 26
#define VCC_Q_ENABLE 28
#define VCC_Q_NOTIFY_OFF 30
#define VCC_Q_DESC 32
#define VCC_Q_DRIVER 40
#define VCC_Q_DEVICE 48

#define VIRTIO_MSI_NO_VECTOR 0xffff

static int virtio_count;

static uint8_t cc_read8(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint8_t *)(v->common + off);
}
static uint16_t cc_read16(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint16_t *)(v->common + off);
}
static uint32_t cc_read32(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint32_t *)(v->common + off);
}
static void cc_write8(struct virtio_dev *v, unsigned off, uint8_t x)
{
	*(volatile uint8_t *)(v->common + off) = x;
}
static void cc_write16(struct virtio_dev *v, unsigned off, uint16_t x)
{
	*(volatile uint16_t *)(v->common + off) = x;
}
static void cc_write32(struct virtio_dev *v, unsigned off, uint32_t x)
{
	*(volatile uint32_t *)(v->common + off) = x;
}
static void cc_write64(struct virtio_dev *v, unsigned off, uint64_t x)
{
	/* Two 32-bit halves: the spec allows it and not every device takes
	 * 64-bit accesses. */
	cc_write32(v, off, (uint32_t)x);
	cc_write32(v, off + 4, (uint32_t)(x >> 32));
}

uint8_t virtio_cfg_read8(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint8_t *)(v->devcfg + off);
}

uint32_t virtio_cfg_read32(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint32_t *)(v->devcfg + off);
}

uint64_t virtio_cfg_read64(struct virtio_dev *v, unsigned off)
{
	/* The generation counter makes the two halves one snapshot. */
	uint8_t gen;
	uint64_t x;
	do {
		gen = cc_read8(v, 21);
		x = virtio_cfg_read32(v, off) |
		    (uint64_t)virtio_cfg_read32(v, off + 4) << 32;
	} while (gen != cc_read8(v, 21));
	return x;
}

static void set_status(struct virtio_dev *v, uint8_t bits)
{
	cc_write8(v, VCC_STATUS, cc_read8(v, VCC_STATUS) | bits);
}

void virtio_fail(struct virtio_dev *v)
{
	set_status(v, VIRTIO_STATUS_FAILED);
}

static bool is_virtio_type(const struct pci_dev *d, uint16_t type)
{
	if (d->vendor != VIRTIO_PCI_VENDOR || d->claimed)
		return false;
	if (d->device == 0x1040 + type)
		return true;
	/* Transitional ids 0x1000-0x103f carry the type in the subsystem
	 * id; block is 0x1001. */
	if (d->device >= 0x1000 && d->device <= 0x103f)
		return (pci_read32(d, 0x2c) >> 16) == type;
	return false;
}

/* Maps the region a virtio capability at 'cap' describes. */
static volatile uint8_t *map_cap(struct pci_dev *d, uint8_t cap)
{
	uint8_t bar = pci_read8(d, cap + 4);
	uint32_t off = pci_read32(d, cap + 8);
	uint32_t len = pci_read32(d, cap + 12);
	phys_addr_t base = pci_bar_addr(d, bar);
	if (!base || len == 0)
		return NULL;
	return ioremap(base + off, len);
}

static int map_caps(struct virtio_dev *v)
{
	struct pci_dev *d = v->pci;
	for (uint8_t cap = pci_find_cap(d, PCI_CAP_ID_VNDR, 0); cap;
	     cap = pci_find_cap(d, PCI_CAP_ID_VNDR, cap)) {
		uint8_t type = pci_read8(d, cap + 3);
		volatile uint8_t **slot = NULL;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			slot = &v->common;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			slot = &v->notify_base;
			v->notify_mult = pci_read32(d, cap + 16);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			slot = &v->isr;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			slot = &v->devcfg;
			break;
		}
		/* The first capability of each type is the preferred one. */
		if (slot && !*slot && !(*slot = map_cap(d, cap)))
			return -ENOMEM;
	}
	if (!v->common || !v->notify_base || !v->isr || !v->devcfg)
		return -ENODEV;
	return 0;
}

int virtio_pci_probe(uint16_t type, struct virtio_dev *v)
{
	struct pci_dev *d = NULL;
	while ((d = pci_next(d)))
		if (is_virtio_type(d, type))
			break;
	if (!d)
		return -ENODEV;
	memset(v, 0, sizeof(*v));
	v->pci = d;
	v->vector = -1;
	wait_queue_init(&v->wq);
	d->claimed = true;
	v->index = virtio_count++;
	pci_enable(d);
	int r = map_caps(v);
	if (r) {
		pr_err("virtio-pci %02x:%02x.%x: no modern (virtio 1.x) "
		       "capabilities (%d)",
		       d->bus, d->dev, d->fn, r);
		return r;
	}
	cc_write8(v, VCC_STATUS, 0); /* reset */
	while (cc_read8(v, VCC_STATUS) != 0)
		arch_cpu_relax();
	set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	return 0;
}

int virtio_negotiate(struct virtio_dev *v, uint64_t wanted)
{
	uint64_t dev = 0;
	for (unsigned i = 0; i < 2; i++) {
		cc_write32(v, VCC_DFSELECT, i);
		dev |= (uint64_t)cc_read32(v, VCC_DF) << (32 * i);
	}
	if (!(dev & (1UL << VIRTIO_F_VERSION_1))) {
		pr_err("virtio%d: device does not offer VIRTIO_F_VERSION_1",
		       v->index);
		virtio_fail(v);
		return -EIO;
	}
	v->features = dev & (wanted | (1UL << VIRTIO_F_VERSION_1));
	for (unsigned i = 0; i < 2; i++) {
		cc_write32(v, VCC_GFSELECT, i);
		cc_write32(v, VCC_GF, (uint32_t)(v->features >> (32 * i)));
	}
	set_status(v, VIRTIO_STATUS_FEATURES_OK);
	if (!(cc_read8(v, VCC_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		pr_err("virtio%d: device refused features %#llx", v->index,
		       (unsigned long long)v->features);
		virtio_fail(v);
		return -EIO;
	}
	return 0;
}

/* Runs for the device's MSI-X vector: collects used buffers of every
 * queue, then wakes the waiters once. */
static void virtio_irq(struct trap_frame *tf, void *arg)
{
	(void)tf;
	struct virtio_dev *v = arg;
	bool any = false;
	for (unsigned q = 0; q < v->nqueues; q++) {
		struct virtq *vq = &v->queues[q];
		irqflags_t f = spin_lock_irqsave(&vq->lock);
		while (vq->last_used != *(volatile uint16_t *)&vq->used->idx) {
			__sync_synchronize(); /* the entry after the index */
			struct virtq_used_elem *e =
			    &vq->used->ring[vq->last_used % vq->size];
			v->complete(v, vq, (uint16_t)e->id, e->len);
			vq->last_used++;
			any = true;
		}
		spin_unlock_irqrestore(&vq->lock, f);
	}
	if (any)
		wait_queue_wake_all(&v->wq);
}

static size_t ring_bytes(uint16_t n, size_t *avail_off, size_t *used_off)
{
	*avail_off = 16UL * n;
	*used_off = ALIGN_UP(*avail_off + 6 + 2UL * n, 4);
	return *used_off + 6 + 8UL * n;
}

static int setup_queue(struct virtio_dev *v, struct virtq *vq, uint16_t i)
{
	cc_write16(v, VCC_Q_SELECT, i);
	uint16_t n = cc_read16(v, VCC_Q_SIZE);
	if (n == 0)
		return -ENODEV;
	if (n > VIRTQ_MAX_SIZE)
		n = VIRTQ_MAX_SIZE; /* the driver may choose a smaller size */
	size_t aoff, uoff, bytes = ring_bytes(n, &aoff, &uoff);
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	phys_addr_t pa = pmm_alloc_pages(order);
	if (!pa)
		return -ENOMEM;
	uint8_t *mem = phys_to_virt(pa);
	memset(mem, 0, PAGE_SIZE << order);
	vq->vdev = v;
	vq->index = i;
	vq->size = n;
	vq->ring_pa = pa;
	vq->ring_order = order;
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)(mem + aoff);
	vq->used = (struct virtq_used *)(mem + uoff);
	spin_init(&vq->lock, "virtq");
	for (uint16_t d = 0; d < n; d++)
		vq->desc[d].next = d + 1;
	vq->free_head = 0;
	vq->nfree = n;
	vq->notify = (volatile uint16_t *)(v->notify_base +
					   cc_read16(v, VCC_Q_NOTIFY_OFF) *
					       v->notify_mult);
	cc_write16(v, VCC_Q_SIZE, n);
	cc_write64(v, VCC_Q_DESC, pa);
	cc_write64(v, VCC_Q_DRIVER, pa + aoff);
	cc_write64(v, VCC_Q_DEVICE, pa + uoff);
	cc_write16(v, VCC_Q_MSIX, 0);
	if (cc_read16(v, VCC_Q_MSIX) != 0)
		return -EIO; /* the device could not take the vector */
	cc_write16(v, VCC_Q_ENABLE, 1);
	return 0;
}

int virtio_setup_queues(struct virtio_dev *v, unsigned nq)
{
	if (cc_read16(v, VCC_NUM_QUEUES) < nq)
		return -ENODEV;
	v->queues = kzalloc(nq * sizeof(*v->queues));
	if (!v->queues)
		return -ENOMEM;
	int vec = trap_alloc_vector(virtio_irq, v);
	if (vec < 0)
		return vec;
	v->vector = vec;
	/* One MSI-X entry (0) for the queues; configuration changes are not
	 * interrupts we act on. */
	int r = pci_msix_enable(v->pci, (uint8_t)vec, 1);
	if (r) {
		pr_err("virtio%d: no MSI-X (%d); INTx is not supported",
		       v->index, r);
		return r;
	}
	cc_write16(v, VCC_MSIX_CONFIG, VIRTIO_MSI_NO_VECTOR);
	for (unsigned i = 0; i < nq; i++) {
		r = setup_queue(v, &v->queues[i], i);
		if (r) {
			pr_err("virtio%d: queue %u set-up failed (%d)",
			       v->index, i, r);
			return r;
		}
		v->nqueues = i + 1;
	}
	set_status(v, VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

int virtq_alloc_chain(struct virtq *vq, unsigned n)
{
	if (n == 0 || vq->nfree < n)
		return -ENOSPC;
	uint16_t head = vq->free_head, d = head;
	for (unsigned i = 0; i < n; i++) {
		vq->desc[d].flags = i + 1 < n ? VIRTQ_DESC_F_NEXT : 0;
		if (i + 1 < n)
			d = vq->desc[d].next;
	}
	vq->free_head = vq->desc[d].next;
	vq->nfree -= n;
	return head;
}

void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t d = head;
	unsigned n = 1;
	while (vq->desc[d].flags & VIRTQ_DESC_F_NEXT) {
		d = vq->desc[d].next;
		n++;
	}
	vq->desc[d].next = vq->free_head;
	vq->free_head = head;
	vq->nfree += n;
}

void virtq_submit(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail->idx % vq->size] = head;
	/* The device must see the descriptors and the ring entry before the
	 * new index, and the index before the doorbell. */
	__sync_synchronize();
	*(volatile uint16_t *)&vq->avail->idx = vq->avail->idx + 1;
	__sync_synchronize();
	*vq->notify = vq->index;
}
