/* Host tests only: the block cache API of include/fs/bcache.h over image
 * files, for file-system code compiled unchanged on the host. Every block
 * stays cached until binvalidate; writes reach the file only on bwrite,
 * bsync or binvalidate, as in the kernel. A counter of held references
 * lets tests catch a missing brelse. Include after the host headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fs/bcache.h>
#include <fs/blkdev.h>
#include <uapi/errno.h>

#define HOST_BC_HASH 4096

static struct list_head host_bc_hash[HOST_BC_HASH];
static bool host_bc_ready;
static long host_bc_refs; /* references held over all buffers */
static struct bcache_stats host_bc_stats;

static void host_bc_init(void)
{
	if (host_bc_ready)
		return;
	for (int i = 0; i < HOST_BC_HASH; i++)
		list_init(&host_bc_hash[i]);
	host_bc_ready = true;
}

static struct list_head *host_bc_bucket(struct blkdev *dev, uint64_t blockno)
{
	return &host_bc_hash[((uintptr_t)dev / 64 + blockno) % HOST_BC_HASH];
}

/* A block device over an image file; priv is the FILE. */
static struct blkdev *host_blkdev_open(const char *path, bool read_only)
{
	struct blkdev *bd = calloc(1, sizeof(*bd));
	FILE *f = fopen(path, read_only ? "rb" : "r+b");

	if (!bd || !f) {
		free(bd);
		if (f)
			fclose(f);
		return NULL;
	}
	fseeko(f, 0, SEEK_END);
	bd->nsectors = (uint64_t)ftello(f) / SECTOR_SIZE;
	bd->read_only = read_only;
	bd->priv = f;
	snprintf(bd->name, sizeof(bd->name), "img");
	return bd;
}

static void host_blkdev_close(struct blkdev *bd)
{
	fclose(bd->priv);
	free(bd);
}

static int host_bc_io(struct buf *b, bool write)
{
	FILE *f = b->dev->priv;
	off_t pos = (off_t)(b->blockno * b->size);

	if (write && b->dev->read_only)
		return -EROFS;
	if (fseeko(f, pos, SEEK_SET) != 0)
		return -EIO;
	if (write) {
		if (fwrite(b->data, 1, b->size, f) != b->size)
			return -EIO;
		b->dev->writes++;
		b->dev->sectors_written += b->size / SECTOR_SIZE;
		host_bc_stats.writebacks++;
	} else {
		if (fread(b->data, 1, b->size, f) != b->size)
			return -EIO;
		b->dev->reads++;
		b->dev->sectors_read += b->size / SECTOR_SIZE;
	}
	return 0;
}

static struct buf *host_bc_get(struct blkdev *dev, uint64_t blockno,
			       uint32_t size, bool read)
{
	struct list_head *bucket;
	struct buf *b;

	host_bc_init();
	if (size != 1024 && size != 2048 && size != 4096)
		return ERR_PTR(-EINVAL);
	if ((blockno + 1) * size > dev->nsectors * SECTOR_SIZE)
		return ERR_PTR(-EINVAL);
	bucket = host_bc_bucket(dev, blockno);
	list_for_each_entry(b, bucket, hlink)
	{
		if (b->dev == dev && b->blockno == blockno && b->size == size) {
			b->refs++;
			host_bc_refs++;
			host_bc_stats.hits++;
			return b;
		}
	}
	host_bc_stats.misses++;
	b = calloc(1, sizeof(*b));
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->data = calloc(1, size);
	if (!b->data) {
		free(b);
		return ERR_PTR(-ENOMEM);
	}
	b->dev = dev;
	b->blockno = blockno;
	b->size = size;
	if (read && host_bc_io(b, false) != 0) {
		free(b->data);
		free(b);
		return ERR_PTR(-EIO);
	}
	b->refs = 1;
	host_bc_refs++;
	list_add(&b->hlink, bucket);
	host_bc_stats.buffers++;
	host_bc_stats.bytes += size;
	return b;
}

struct buf *bread(struct blkdev *dev, uint64_t blockno, uint32_t size)
{
	return host_bc_get(dev, blockno, size, true);
}

struct buf *bget_zero(struct blkdev *dev, uint64_t blockno, uint32_t size)
{
	return host_bc_get(dev, blockno, size, false);
}

void bdirty(struct buf *b)
{
	if (b->dev->read_only) {
		fprintf(stderr, "bcache_host: dirtying a read-only device\n");
		abort();
	}
	b->dirty = true;
}

void brelse(struct buf *b)
{
	if (b->refs <= 0) {
		fprintf(stderr, "bcache_host: brelse of an unreferenced buf\n");
		abort();
	}
	b->refs--;
	host_bc_refs--;
}

int bwrite(struct buf *b)
{
	int err;

	if (!b->dirty)
		return 0;
	err = host_bc_io(b, true);
	if (!err)
		b->dirty = false;
	return err;
}

static int host_bc_each(struct blkdev *dev, bool drop)
{
	int first = 0;

	host_bc_init();
	for (int i = 0; i < HOST_BC_HASH; i++) {
		struct buf *b, *tmp;

		list_for_each_entry_safe(b, tmp, &host_bc_hash[i], hlink)
		{
			int err;

			if (dev && b->dev != dev)
				continue;
			err = bwrite(b);
			if (err && !first)
				first = err;
			if (!drop)
				continue;
			if (b->refs) {
				if (!first)
					first = -EBUSY;
				continue;
			}
			list_del(&b->hlink);
			host_bc_stats.buffers--;
			host_bc_stats.bytes -= b->size;
			host_bc_stats.evictions++;
			free(b->data);
			free(b);
		}
	}
	return first;
}

int bsync(struct blkdev *dev)
{
	int err = host_bc_each(dev, false);

	if (dev && !dev->read_only)
		fflush(dev->priv);
	return err;
}

int binvalidate(struct blkdev *dev)
{
	int err = host_bc_each(dev, true);

	if (dev && !dev->read_only)
		fflush(dev->priv);
	return err;
}

void bcache_stats(struct bcache_stats *st)
{
	*st = host_bc_stats;
}
