/* virtio-blk: each virtio block device becomes a struct blkdev (vda, vdb,
 * ...). A request is a descriptor chain [header][data pieces][status]; the
 * caller sleeps on the device's wait queue until the interrupt marks its
 * chain done, so several threads can have requests in flight at once. */
#include <arch.h>
#include <drivers/virtio.h>
#include <drivers/virtio_blk.h>
#include <failinject.h>
#include <fs/blkdev.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <printk.h>
#include <sched.h>
#include <uapi/errno.h>

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* struct virtio_blk_config offsets. */
#define VBLK_CFG_CAPACITY 0
#define VBLK_CFG_SEG_MAX 12
#define VBLK_CFG_BLK_SIZE 20

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VBLK_MAJOR 254
#define VBLK_MAX_SEGS 32 /* data pieces per request */

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* One per descriptor index, used by the chain whose head it is: the
 * header and status the device reads and writes, in DMA-able memory. */
struct vblk_slot {
	struct vblk_hdr hdr;
	uint8_t status;
	uint8_t pad[7];
};

struct vblk {
	struct virtio_dev vdev;
	struct blkdev bd;
	struct vblk_slot *slots;
	/* done[head]: the device has used the chain at head. Written by the
	 * interrupt under the queue lock, read by the waiter. */
	volatile bool done[VIRTQ_MAX_SIZE];
	unsigned max_segs;
	/* Requests on the ring now and at most so far (under the queue
	 * lock), for the self-test that proves requests overlap. */
	unsigned inflight, max_inflight;
};

static int vblk_count;

/* From the interrupt, with vq->lock held. The waiter frees the chain once
 * it has read the status, so the slot cannot be reused before that. */
static void vblk_complete(struct virtio_dev *vdev, struct virtq *vq,
			  uint16_t head, uint32_t len)
{
	(void)len;
	struct vblk *vb = vdev->priv;
	if (head < vq->size)
		vb->done[head] = true;
}

struct vblk_seg {
	phys_addr_t pa;
	uint32_t len;
};

/* Splits [buf, buf+len) into physically contiguous pieces. Returns how
 * many, or -EFAULT for an unmapped buffer, -E2BIG past max. */
static int vblk_segments(void *buf, size_t len, struct vblk_seg *segs,
			 unsigned max)
{
	int n = 0;
	uintptr_t va = (uintptr_t)buf;
	while (len) {
		phys_addr_t pa;
		if (vm_kvirt_to_phys(va, &pa))
			return -EFAULT;
		size_t piece = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		if (n && segs[n - 1].pa + segs[n - 1].len == pa) {
			segs[n - 1].len += piece;
		} else {
			if ((unsigned)n == max)
				return -E2BIG;
			segs[n++] = (struct vblk_seg){pa, (uint32_t)piece};
		}
		va += piece;
		len -= piece;
	}
	return n;
}

/* Sends one request and sleeps until it completes. Returns the device's
 * status byte, or -errno if it could not be sent. */
static int vblk_request(struct vblk *vb, uint32_t type, uint64_t sector,
			void *buf, size_t len)
{
	struct virtio_dev *vdev = &vb->vdev;
	struct virtq *vq = &vdev->queues[0];
	struct vblk_seg segs[VBLK_MAX_SEGS];
	int nseg = len ? vblk_segments(buf, len, segs, vb->max_segs) : 0;
	if (nseg < 0)
		return nseg;
	unsigned ndesc = nseg + 2;
	int head;
	irqflags_t f;
	for (;;) {
		f = spin_lock_irqsave(&vq->lock);
		head = virtq_alloc_chain(vq, ndesc);
		if (head >= 0)
			break;
		spin_unlock_irqrestore(&vq->lock, f);
		/* Full ring: sleep until a finished request frees its chain. */
		wait_event(&vdev->wq, vq->nfree >= ndesc);
	}
	struct vblk_slot *slot = &vb->slots[head];
	slot->hdr = (struct vblk_hdr){type, 0, sector};
	slot->status = 0xff;
	uint16_t d = head;
	vq->desc[d].addr = virt_to_phys(&slot->hdr);
	vq->desc[d].len = sizeof(slot->hdr);
	for (int i = 0; i < nseg; i++) {
		d = vq->desc[d].next;
		vq->desc[d].addr = segs[i].pa;
		vq->desc[d].len = segs[i].len;
		if (type == VIRTIO_BLK_T_IN)
			vq->desc[d].flags |= VIRTQ_DESC_F_WRITE;
	}
	d = vq->desc[d].next;
	vq->desc[d].addr = virt_to_phys(&slot->status);
	vq->desc[d].len = 1;
	vq->desc[d].flags |= VIRTQ_DESC_F_WRITE;
	vb->done[head] = false;
	virtq_submit(vq, head);
	if (++vb->inflight > vb->max_inflight)
		vb->max_inflight = vb->inflight;
	spin_unlock_irqrestore(&vq->lock, f);

	wait_event(&vdev->wq, vb->done[head]);

	f = spin_lock_irqsave(&vq->lock);
	uint8_t status = slot->status;
	virtq_free_chain(vq, head);
	vb->inflight--;
	spin_unlock_irqrestore(&vq->lock, f);
	wait_queue_wake_all(&vdev->wq); /* for threads waiting for room */
	/* fail_blk=N: the device said IOERR. What a failed read leaves in
	 * the buffer is undefined; poison it, so a caller that uses it
	 * anyway reads garbage a test can see. */
	if (status == VIRTIO_BLK_S_OK && failinject_blk()) {
		status = VIRTIO_BLK_S_IOERR;
		if (type == VIRTIO_BLK_T_IN)
			memset(buf, 0xa5, len);
	}
	return status;
}

static int vblk_status_to_errno(struct vblk *vb, int st, const char *what,
				uint64_t sector)
{
	if (st == VIRTIO_BLK_S_OK)
		return 0;
	if (st < 0) {
		pr_err("virtio_blk virtio%d: [%s] %s at sector %llu not sent "
		       "(%d)",
		       vb->vdev.index, vb->bd.name, what,
		       (unsigned long long)sector, st);
		return st == -EFAULT ? -EFAULT : -EIO;
	}
	pr_err("virtio_blk virtio%d: [%s] %s error at sector %llu (status "
	       "%d)",
	       vb->vdev.index, vb->bd.name, what, (unsigned long long)sector,
	       st);
	return -EIO;
}

static int vblk_rw(struct blkdev *bd, uint64_t sector, void *buf, size_t count,
		   bool write)
{
	struct vblk *vb = bd->priv;
	/* Any buffer of (max_segs - 1) pages spans at most max_segs pages,
	 * whatever its alignment. */
	size_t chunk = (vb->max_segs - 1) * (PAGE_SIZE / SECTOR_SIZE);
	uint8_t *p = buf;
	while (count) {
		size_t n = MIN(count, chunk);
		int st =
		    vblk_request(vb, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
				 sector, p, n * SECTOR_SIZE);
		int r = vblk_status_to_errno(vb, st, write ? "write" : "read",
					     sector);
		if (r)
			return r;
		sector += n;
		p += n * SECTOR_SIZE;
		count -= n;
	}
	return 0;
}

static int vblk_flush(struct blkdev *bd)
{
	struct vblk *vb = bd->priv;
	int st = vblk_request(vb, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
	return vblk_status_to_errno(vb, st, "flush", 0);
}

static const struct blkdev_ops vblk_ops = {.rw = vblk_rw, .flush = NULL};
static const struct blkdev_ops vblk_ops_flush = {.rw = vblk_rw,
						 .flush = vblk_flush};

/* "67.1 MB" style: three significant digits, rounded, as Linux's
 * string_get_size. */
static void vblk_size_str(char *out, size_t n, uint64_t bytes, unsigned base)
{
	static const char *const units10[] = {"B",  "kB", "MB", "GB",
					      "TB", "PB", "EB"};
	static const char *const units2[] = {"B",   "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB"};
	const char *const *units = base == 1000 ? units10 : units2;
	unsigned u = 0;
	uint64_t div = 1;
	while (bytes / div >= base && u < 6) {
		div *= base;
		u++;
	}
	uint64_t whole = bytes / div;
	/* Digits after the point: 2 for x.yz, 1 for xy.z, 0 for xyz. */
	unsigned frac_digits = u == 0	      ? 0
			       : whole >= 100 ? 0
			       : whole >= 10  ? 1
					      : 2;
	uint64_t scale = frac_digits == 2 ? 100 : frac_digits == 1 ? 10 : 1;
	/* Rounded value * scale, computed without overflow for big sizes. */
	uint64_t v = whole * scale + ((bytes % div) * scale + div / 2) / div;
	if (frac_digits == 0)
		snprintf(out, n, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(out, n, "%llu.%0*llu %s",
			 (unsigned long long)(v / scale), (int)frac_digits,
			 (unsigned long long)(v % scale), units[u]);
}

static int vblk_setup(struct vblk *vb)
{
	struct virtio_dev *vdev = &vb->vdev;
	vdev->priv = vb;
	vdev->complete = vblk_complete;
	int r = virtio_negotiate(vdev, (1UL << VIRTIO_BLK_F_SEG_MAX) |
					   (1UL << VIRTIO_BLK_F_RO) |
					   (1UL << VIRTIO_BLK_F_BLK_SIZE) |
					   (1UL << VIRTIO_BLK_F_FLUSH));
	if (r)
		return r;
	/* The slots for every possible head: one allocation, contiguous. */
	size_t bytes = VIRTQ_MAX_SIZE * sizeof(struct vblk_slot);
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	phys_addr_t pa = pmm_alloc_pages(order);
	if (!pa)
		return -ENOMEM;
	vb->slots = phys_to_virt(pa);
	memset(vb->slots, 0, PAGE_SIZE << order);
	r = virtio_setup_queues(vdev, 1);
	if (r) {
		virtio_fail(vdev);
		return r;
	}
	/* Header and status take two descriptors of a chain. */
	unsigned segs = MIN(VBLK_MAX_SEGS, vdev->queues[0].size - 2);
	if (vdev->features & (1UL << VIRTIO_BLK_F_SEG_MAX)) {
		uint32_t seg_max = virtio_cfg_read32(vdev, VBLK_CFG_SEG_MAX);
		if (seg_max)
			segs = MIN(segs, seg_max);
	}
	if (segs < 2) {
		pr_err("virtio%d: queue too small for requests", vdev->index);
		virtio_fail(vdev);
		return -EIO;
	}
	vb->max_segs = segs;
	return 0;
}

static void vblk_register(struct vblk *vb, int idx)
{
	struct virtio_dev *vdev = &vb->vdev;
	struct blkdev *bd = &vb->bd;
	/* vda..vdz, then vdaa.. as Linux's sd_format_disk_name. */
	if (idx < 26)
		snprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + idx);
	else
		snprintf(bd->name, sizeof(bd->name), "vd%c%c",
			 'a' + idx / 26 - 1, 'a' + idx % 26);
	bd->nsectors = virtio_cfg_read64(vdev, VBLK_CFG_CAPACITY);
	bd->major = VBLK_MAJOR;
	bd->minor = 16 * idx;
	bd->read_only = vdev->features & (1UL << VIRTIO_BLK_F_RO);
	bd->ops = vdev->features & (1UL << VIRTIO_BLK_F_FLUSH) ? &vblk_ops_flush
							       : &vblk_ops;
	bd->priv = vb;
	uint32_t lbs = SECTOR_SIZE;
	if (vdev->features & (1UL << VIRTIO_BLK_F_BLK_SIZE)) {
		uint32_t b = virtio_cfg_read32(vdev, VBLK_CFG_BLK_SIZE);
		if (b >= SECTOR_SIZE && (b & (b - 1)) == 0)
			lbs = b;
	}
	uint64_t bytes = bd->nsectors * SECTOR_SIZE;
	char s10[24], s2[24];
	vblk_size_str(s10, sizeof(s10), bytes, 1000);
	vblk_size_str(s2, sizeof(s2), bytes, 1024);
	int r = blkdev_register(bd);
	if (r) {
		pr_err("virtio_blk virtio%d: [%s] cannot register (%d)",
		       vdev->index, bd->name, r);
		return;
	}
	pr_info("virtio_blk virtio%d: [%s] %llu %u-byte logical blocks "
		"(%s/%s)%s",
		vdev->index, bd->name, (unsigned long long)(bytes / lbs), lbs,
		s10, s2, bd->read_only ? " read-only" : "");
}

unsigned virtio_blk_max_inflight(struct blkdev *bd)
{
	if (bd->ops != &vblk_ops && bd->ops != &vblk_ops_flush)
		return 0;
	return ((struct vblk *)bd->priv)->max_inflight;
}

void virtio_blk_init(void)
{
	for (;;) {
		/* Never freed: a failed device's vector may still name it. */
		struct vblk *vb = kzalloc(sizeof(*vb));
		if (!vb) {
			pr_err("virtio_blk: out of memory");
			return;
		}
		int r = virtio_pci_probe(2, &vb->vdev);
		if (r == -ENODEV && !vb->vdev.pci) {
			kfree(vb);
			return; /* no more devices */
		}
		if (r == 0)
			r = vblk_setup(vb);
		if (r) {
			pr_err("virtio_blk virtio%d: device disabled (%d)",
			       vb->vdev.index, r);
			continue;
		}
		vblk_register(vb, vblk_count++);
	}
}
