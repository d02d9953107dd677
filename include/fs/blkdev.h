/* Block devices: what a disk driver registers (drivers/virtio_blk.c) and
 * what the block cache (fs/bcache.c) reads and writes through. A sector is
 * always 512 bytes here, whatever the device's own block size.
 *
 * blkdev_rw may sleep: the caller's thread waits until the device has
 * finished (the driver's interrupt wakes it), so several threads can have
 * requests in flight on one device at once. It is never called with a
 * spinlock held or from interrupt context. */
#ifndef LIMEN_FS_BLKDEV_H
#define LIMEN_FS_BLKDEV_H

#include <lib/list.h>
#include <types.h>

#define SECTOR_SIZE 512

struct blkdev;

struct blkdev_ops {
	/* Reads or writes count sectors from sector on; buf is kernel
	 * memory (any alignment, physically contiguous or not: the driver
	 * copies or maps as it needs). 0 or -EIO. */
	int (*rw)(struct blkdev *bd, uint64_t sector, void *buf, size_t count,
		  bool write);
	/* Makes completed writes durable (virtio VIRTIO_BLK_T_FLUSH); may
	 * be NULL when the device has no write cache. 0 or -EIO. */
	int (*flush)(struct blkdev *bd);
};

struct blkdev {
	char name[16];	   /* "vda", "vdb": what /dev and root= call it */
	uint64_t nsectors; /* capacity */
	uint32_t major, minor;
	bool read_only; /* the device refuses writes (VIRTIO_BLK_F_RO) */
	const struct blkdev_ops *ops;
	void *priv; /* the driver's */
	struct list_head link;
	/* Counters for /proc/diskstats-like reporting. */
	uint64_t reads, writes, sectors_read, sectors_written;
};

/* fs/blkdev.c */
/* Adds bd to the registry (major 254, minors from 0 in steps of 16, as
 * Linux's virtblk does for vda, vdb, ...); creates no device node: /dev
 * is filled from the registry. 0 or -EEXIST. */
int blkdev_register(struct blkdev *bd);
/* By name ("vda" or "/dev/vda") or by device number; NULL if absent. */
struct blkdev *blkdev_find(const char *name);
struct blkdev *blkdev_find_rdev(uint64_t rdev);
/* Iterates over the registered devices in registration order. */
struct blkdev *blkdev_next(struct blkdev *prev);
/* Checked wrappers around ops: -EINVAL past the end, -EROFS on a
 * read-only device; counts the request. May sleep. */
int blkdev_rw(struct blkdev *bd, uint64_t sector, void *buf, size_t count,
	      bool write);
int blkdev_flush(struct blkdev *bd);

#endif
