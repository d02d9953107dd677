/* Virtio 1.x over PCI (the "modern" interface, drivers/virtio_pci.c) and
 * split virtqueues. A device driver (drivers/virtio_blk.c) finds its
 * devices with virtio_pci_probe, negotiates features, sets up its queues,
 * adds descriptor chains and is called back from the queue's interrupt. */
#ifndef LIMEN_DRIVERS_VIRTIO_H
#define LIMEN_DRIVERS_VIRTIO_H

#include <drivers/pci.h>
#include <sched.h>
#include <spinlock.h>
#include <types.h>

/* Device status bits (virtio 1.1, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_VERSION_1 32

/* Split virtqueue layout (virtio 1.1, 2.6). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

#define VIRTQ_MAX_SIZE 256

struct virtio_dev;

struct virtq {
	struct virtio_dev *vdev;
	uint16_t index, size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	phys_addr_t ring_pa;
	unsigned ring_order;
	/* Protects the descriptor free list, the avail ring and last_used. */
	spinlock_t lock;
	uint16_t free_head, nfree;
	uint16_t last_used;
	volatile uint16_t *notify; /* this queue's doorbell */
};

struct virtio_dev {
	struct pci_dev *pci;
	int index; /* virtio0, virtio1... in discovery order */
	volatile uint8_t *common, *notify_base, *isr, *devcfg;
	uint32_t notify_mult;
	uint64_t features; /* negotiated */
	int vector;	   /* MSI-X vector shared by config and queues */
	/* Called from the interrupt for every used buffer of any queue, with
	 * vq->lock held: records the result and frees the chain. */
	void (*complete)(struct virtio_dev *vdev, struct virtq *vq,
			 uint16_t head, uint32_t len);
	/* Woken after each interrupt that completed something (requests
	 * done, descriptors freed). */
	struct wait_queue wq;
	void *priv;
	struct virtq *queues;
	unsigned nqueues;
};

/* Finds the first unclaimed PCI function whose virtio device type is
 * 'type' (2 = block), modern (0x1040 + type) or transitional with the
 * modern capabilities; claims it, maps its registers and resets it. 0,
 * -ENODEV with vdev->pci NULL if there is no such device, or -errno. */
int virtio_pci_probe(uint16_t type, struct virtio_dev *vdev);
/* Acknowledges the device, offers 'wanted' & device features (VERSION_1 is
 * required) and checks FEATURES_OK. 0 or -EIO. */
int virtio_negotiate(struct virtio_dev *vdev, uint64_t wanted);
/* Sets up nq queues (up to VIRTQ_MAX_SIZE entries each) and one MSI-X
 * vector for all of them, then sets DRIVER_OK. 0 or -errno. */
int virtio_setup_queues(struct virtio_dev *vdev, unsigned nq);
/* Marks the device FAILED (and leaves it alone). */
void virtio_fail(struct virtio_dev *vdev);

uint8_t virtio_cfg_read8(struct virtio_dev *vdev, unsigned off);
uint32_t virtio_cfg_read32(struct virtio_dev *vdev, unsigned off);
uint64_t virtio_cfg_read64(struct virtio_dev *vdev, unsigned off);

/* With vq->lock held: takes n descriptors chained with NEXT, returns the
 * head, or -ENOSPC if fewer than n are free. */
int virtq_alloc_chain(struct virtq *vq, unsigned n);
/* With vq->lock held: returns the chain starting at head to the free list. */
void virtq_free_chain(struct virtq *vq, uint16_t head);
/* With vq->lock held: makes the chain at head available and rings the
 * doorbell. */
void virtq_submit(struct virtq *vq, uint16_t head);

#endif
