/* The virtio block driver (drivers/virtio_blk.c). */
#ifndef LIMEN_DRIVERS_VIRTIO_BLK_H
#define LIMEN_DRIVERS_VIRTIO_BLK_H

/* Registers every virtio-blk PCI device as vda, vdb, ... in discovery
 * order. Call after pci_init(), from a thread (kinit). */
void virtio_blk_init(void);

struct blkdev;
/* The most requests bd had on its ring at once (0 if bd is not a
 * virtio disk): the self-test's evidence that requests overlap. */
unsigned virtio_blk_max_inflight(struct blkdev *bd);

#endif
