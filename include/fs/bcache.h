/* The block cache: file-system blocks of a block device kept in memory,
 * shared by everyone who reads them, written back when dirty.
 *
 *   struct buf *b = bread(bd, blockno, 1024);   may sleep for the disk
 *   if (IS_ERR(b)) return PTR_ERR(b);           -EIO, -ENOMEM, -EINVAL
 *   ... read or change b->data ...
 *   bdirty(b);                                  if changed
 *   brelse(b);
 *
 * A buffer is identified by (device, block number, block size). Dirty
 * buffers are written by bsync (sync, fsync, umount, power off) and when
 * the cache must make room; memory pressure evicts clean, unreferenced
 * buffers first, least recently used first. The data of a referenced
 * buffer never moves. Callers serialise changes to one buffer themselves
 * (the file systems run under the VFS lock).
 *
 * The host unit tests (tests/unit/) link a file-backed implementation of
 * this same interface, so file-system code compiles unchanged on both. */
#ifndef LIMEN_FS_BCACHE_H
#define LIMEN_FS_BCACHE_H

#include <err.h>
#include <lib/list.h>
#include <types.h>

struct blkdev;

struct buf {
	struct blkdev *dev;
	uint64_t blockno; /* in units of size */
	uint32_t size;	  /* 1024, 2048 or 4096 */
	uint8_t *data;
	bool dirty;
	int refs;
	struct list_head lru;	/* cache-private */
	struct list_head hlink; /* cache-private */
};

/* The block, read from the device if not cached; ERR_PTR on failure
 * (-EIO from the device, -EINVAL past its end). */
struct buf *bread(struct blkdev *dev, uint64_t blockno, uint32_t size);
/* The block without reading it, zero-filled if not cached: for blocks
 * about to be overwritten completely (newly allocated ones). */
struct buf *bget_zero(struct blkdev *dev, uint64_t blockno, uint32_t size);
void bdirty(struct buf *b);
void brelse(struct buf *b);
/* Writes b now if dirty (for metadata a caller wants on disk at once). */
int bwrite(struct buf *b);
/* Writes every dirty buffer of dev (all devices if NULL), then flushes
 * the device's write cache. 0 or the first error (-EIO). */
int bsync(struct blkdev *dev);
/* Drops every unreferenced buffer of dev after writing it back (umount);
 * -EBUSY if some buffer is still referenced. */
int binvalidate(struct blkdev *dev);

struct bcache_stats {
	uint64_t hits, misses, writebacks, evictions;
	size_t buffers, dirty, bytes, dirty_bytes;
};
void bcache_stats(struct bcache_stats *st);
/* Memory is short: frees up to bytes of clean, unused buffers, least
 * recently used first, without writing or waiting (nothing if the cache is
 * busy). Returns the bytes freed. */
size_t bcache_shrink(size_t bytes);
/* Caps the cache (tests force eviction with a small one). */
void bcache_set_limit(size_t bytes);
/* Starts the thread that writes dirty buffers back every 5 seconds. */
void bcache_start_writeback(void);

#endif
