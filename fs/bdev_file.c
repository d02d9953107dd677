/* Block-device nodes as files (/dev/vda): read and write at any offset
 * and length, sector by sector through a bounce buffer, and lseek to the
 * capacity (SEEK_END), so dd, cmp and hexdump work on disks. Writes go
 * around the block cache, so they are refused (EBUSY) while a file system
 * is mounted from the device; reads of a mounted device may miss what is
 * still dirty in the cache until a sync. */
#include <fs/blkdev.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

static struct blkdev *bdev_of(struct file *f)
{
	return f->priv;
}

static uint64_t bdev_size(struct blkdev *bd)
{
	return bd->nsectors * SECTOR_SIZE;
}

static long bdev_io(struct file *f, char *buf, size_t n, uint64_t *pos,
		    bool write)
{
	struct blkdev *bd = bdev_of(f);
	uint64_t size = bdev_size(bd);
	if (*pos >= size)
		return write ? -ENOSPC : 0;
	n = MIN(n, size - *pos);
	if (write) {
		vfs_lock(); /* the mount list's lock */
		bool busy = ext2_device_busy(bd);
		vfs_unlock();
		if (busy)
			return -EBUSY;
	}
	uint8_t *sec = kmalloc(SECTOR_SIZE);
	if (!sec)
		return -ENOMEM;
	size_t done = 0;
	int r = 0;
	while (done < n) {
		uint64_t s = (*pos + done) / SECTOR_SIZE;
		size_t o = (*pos + done) % SECTOR_SIZE;
		size_t k = MIN(n - done, SECTOR_SIZE - o);
		if (!write || k < SECTOR_SIZE)
			r = blkdev_rw(bd, s, sec, 1, false);
		if (r)
			break;
		if (write) {
			memcpy(sec + o, buf + done, k);
			r = blkdev_rw(bd, s, sec, 1, true);
			if (r)
				break;
		} else {
			memcpy(buf + done, sec + o, k);
		}
		done += k;
	}
	kfree(sec);
	if (done == 0 && r)
		return r;
	*pos += done;
	return (long)done;
}

static long bdev_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	return bdev_io(f, buf, n, pos, false);
}

static long bdev_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	return bdev_io(f, (char *)buf, n, pos, true);
}

static long bdev_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)f->pos
		       : whence == SEEK_END ? (int64_t)bdev_size(bdev_of(f))
					    : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

static const struct file_ops bdev_file_ops = {
    .read = bdev_read,
    .write = bdev_write,
    .lseek = bdev_lseek,
    .seekable = true,
};

int bdev_open(struct inode *ino, struct file *f)
{
	struct blkdev *bd = blkdev_find_rdev(ino->rdev);
	if (!bd)
		return -ENXIO;
	f->priv = bd;
	f->ops = &bdev_file_ops;
	return 0;
}
