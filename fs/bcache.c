/* The block cache (see include/fs/bcache.h). Buffers live in a hash table
 * keyed by (device, block number, size) and on one LRU list, most recently
 * released last. The cache holds at most bcache_limit bytes: to make room
 * it evicts unreferenced buffers from the LRU end, writing dirty ones back
 * first. A kernel thread writes dirty buffers back every few seconds, so a
 * crash loses little; sync, fsync, umount and power off write everything.
 *
 * Locking: bcache_lock (a mutex: disk I/O happens under it) protects the
 * table, the list and every buffer's refs and dirty flag. Buffer data is
 * the caller's business: the file systems serialise on the VFS lock. */
#include <fs/bcache.h>
#include <fs/blkdev.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mutex.h>
#include <printk.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>

#define BCACHE_BUCKETS 1024
#define WRITEBACK_INTERVAL_NS (5 * NSEC_PER_SEC)

static struct mutex bcache_lock = MUTEX_INIT(bcache_lock, "bcache");
static struct list_head buckets[BCACHE_BUCKETS];
static LIST_HEAD(lru);
static bool initialised;
static size_t cache_bytes, cache_limit;
static struct bcache_stats stats;

static void bcache_init_locked(void)
{
	for (int i = 0; i < BCACHE_BUCKETS; i++)
		list_init(&buckets[i]);
	struct pmm_stats st;
	pmm_get_stats(&st);
	/* An eighth of RAM, at least a megabyte. */
	cache_limit =
	    MAX((size_t)(st.total_pages * PAGE_SIZE / 8), (size_t)1 << 20);
	initialised = true;
}

/* Tests shrink the cache to force eviction and write-back. */
void bcache_set_limit(size_t bytes)
{
	mutex_lock(&bcache_lock);
	if (!initialised)
		bcache_init_locked();
	cache_limit = bytes;
	mutex_unlock(&bcache_lock);
}

static struct list_head *bucket(struct blkdev *dev, uint64_t blockno)
{
	uint64_t h =
	    (uint64_t)(uintptr_t)dev * 31 + blockno * 0x9e3779b97f4a7c15ull;
	return &buckets[(h >> 20) % BCACHE_BUCKETS];
}

static int buf_io(struct buf *b, bool write)
{
	uint64_t per = b->size / SECTOR_SIZE;
	return blkdev_rw(b->dev, b->blockno * per, b->data, per, write);
}

static int writeback(struct buf *b)
{
	if (!b->dirty)
		return 0;
	int r = buf_io(b, true);
	if (r) {
		pr_err("bcache: %s: write of block %llu failed (%d)",
		       b->dev->name, (unsigned long long)b->blockno, r);
		return r;
	}
	b->dirty = false;
	stats.writebacks++;
	return 0;
}

static void buf_free(struct buf *b)
{
	list_del(&b->hlink);
	list_del(&b->lru);
	cache_bytes -= b->size;
	stats.evictions++;
	kfree(b->data);
	kfree(b);
}

/* Evicts unreferenced buffers, least recently used first, until need more
 * bytes fit under the limit (or nothing more can go). */
static void make_room(size_t need)
{
	struct buf *b, *tmp;
	list_for_each_entry_safe(b, tmp, &lru, lru)
	{
		if (cache_bytes + need <= cache_limit)
			return;
		if (b->refs || writeback(b))
			continue;
		buf_free(b);
	}
}

size_t bcache_shrink(size_t bytes)
{
	/* Called when memory runs out, maybe with the VFS lock or another
	 * mutex held: a busy cache is left alone rather than waited for. */
	if (!mutex_trylock(&bcache_lock))
		return 0;
	size_t freed = 0;
	struct buf *b, *tmp;
	list_for_each_entry_safe(b, tmp, &lru, lru)
	{
		if (freed >= bytes)
			break;
		if (b->refs || b->dirty)
			continue;
		freed += b->size;
		buf_free(b);
	}
	mutex_unlock(&bcache_lock);
	return freed;
}

static struct buf *lookup(struct blkdev *dev, uint64_t blockno, uint32_t size)
{
	struct buf *b;
	list_for_each_entry(b, bucket(dev, blockno), hlink)
	{
		if (b->dev == dev && b->blockno == blockno && b->size == size)
			return b;
	}
	return NULL;
}

/* The buffer for a block, referenced; *fresh says its data is not read. */
static struct buf *get_buf(struct blkdev *dev, uint64_t blockno, uint32_t size,
			   bool *fresh)
{
	if (size % SECTOR_SIZE || size > PAGE_SIZE || size == 0)
		return ERR_PTR(-EINVAL);
	if ((blockno + 1) * (size / SECTOR_SIZE) > dev->nsectors)
		return ERR_PTR(-EINVAL);
	if (!initialised)
		bcache_init_locked();
	struct buf *b = lookup(dev, blockno, size);
	if (b) {
		stats.hits++;
		b->refs++;
		*fresh = false;
		return b;
	}
	stats.misses++;
	make_room(size);
	b = kzalloc(sizeof(*b));
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->data = kzalloc(size);
	if (!b->data) {
		kfree(b);
		return ERR_PTR(-ENOMEM);
	}
	b->dev = dev;
	b->blockno = blockno;
	b->size = size;
	b->refs = 1;
	list_add_tail(&b->hlink, bucket(dev, blockno));
	list_add_tail(&b->lru, &lru);
	cache_bytes += size;
	*fresh = true;
	return b;
}

struct buf *bread(struct blkdev *dev, uint64_t blockno, uint32_t size)
{
	bool fresh;
	mutex_lock(&bcache_lock);
	struct buf *b = get_buf(dev, blockno, size, &fresh);
	if (!IS_ERR(b) && fresh) {
		int r = buf_io(b, false);
		if (r) {
			pr_err("bcache: %s: read of block %llu failed (%d)",
			       dev->name, (unsigned long long)blockno, r);
			buf_free(b);
			b = ERR_PTR(-EIO);
		}
	}
	mutex_unlock(&bcache_lock);
	return b;
}

struct buf *bget_zero(struct blkdev *dev, uint64_t blockno, uint32_t size)
{
	bool fresh;
	mutex_lock(&bcache_lock);
	struct buf *b = get_buf(dev, blockno, size, &fresh);
	if (!IS_ERR(b))
		memset(b->data, 0, size);
	mutex_unlock(&bcache_lock);
	return b;
}

void bdirty(struct buf *b)
{
	b->dirty = true;
}

void brelse(struct buf *b)
{
	mutex_lock(&bcache_lock);
	if (--b->refs == 0) {
		list_del(&b->lru);
		list_add_tail(&b->lru, &lru);
	}
	mutex_unlock(&bcache_lock);
}

int bwrite(struct buf *b)
{
	mutex_lock(&bcache_lock);
	int r = writeback(b);
	mutex_unlock(&bcache_lock);
	return r;
}

/* Writes dev's dirty buffers (every device's if NULL); no flush. */
static int write_dirty(struct blkdev *dev)
{
	int first = 0;
	struct buf *b;
	list_for_each_entry(b, &lru, lru)
	{
		if (dev && b->dev != dev)
			continue;
		int r = writeback(b);
		if (r && !first)
			first = r;
	}
	return first;
}

int bsync(struct blkdev *dev)
{
	mutex_lock(&bcache_lock);
	int r = initialised ? write_dirty(dev) : 0;
	mutex_unlock(&bcache_lock);
	if (dev) {
		int f = blkdev_flush(dev);
		return r ? r : f;
	}
	for (struct blkdev *d = blkdev_next(NULL); d; d = blkdev_next(d)) {
		int f = blkdev_flush(d);
		if (!r)
			r = f;
	}
	return r;
}

int binvalidate(struct blkdev *dev)
{
	int r = bsync(dev);
	mutex_lock(&bcache_lock);
	struct buf *b, *tmp;
	if (initialised) {
		list_for_each_entry_safe(b, tmp, &lru, lru)
		{
			if (b->dev != dev)
				continue;
			if (b->refs || b->dirty)
				r = r ? r : -EBUSY;
			else
				buf_free(b);
		}
	}
	mutex_unlock(&bcache_lock);
	return r;
}

void bcache_stats(struct bcache_stats *st)
{
	mutex_lock(&bcache_lock);
	*st = stats;
	st->bytes = cache_bytes;
	st->buffers = st->dirty = st->dirty_bytes = 0;
	struct buf *b;
	if (initialised) {
		list_for_each_entry(b, &lru, lru)
		{
			st->buffers++;
			st->dirty += b->dirty;
			st->dirty_bytes += b->dirty ? b->size : 0;
		}
	}
	mutex_unlock(&bcache_lock);
}

/* The periodic write-back: every file system's metadata to the cache,
 * then every dirty buffer to its disk. */
static void bcache_flusher(void *arg)
{
	(void)arg;
	for (;;) {
		thread_sleep_ns(WRITEBACK_INTERVAL_NS);
		vfs_sync_all();
	}
}

void bcache_start_writeback(void)
{
	struct thread *t = thread_create("bflush", bcache_flusher, NULL);
	if (IS_ERR(t)) {
		pr_warn("bcache: no write-back thread: only sync writes back");
		return;
	}
	thread_detach(t);
}
