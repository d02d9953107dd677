/* The block-device registry: disks in discovery order, named by their
 * drivers, numbered as Linux's virtblk numbers them (major 254, 16 minors
 * per disk), and the checked entry points the block cache uses. */
#include <fs/blkdev.h>
#include <lib/string.h>
#include <printk.h>
#include <uapi/stat.h>
#include <uapi/errno.h>

#define VIRTBLK_MAJOR 254

static LIST_HEAD(blkdevs);
static uint32_t next_minor;

int blkdev_register(struct blkdev *bd)
{
	if (blkdev_find(bd->name))
		return -EEXIST;
	bd->major = VIRTBLK_MAJOR;
	bd->minor = next_minor;
	next_minor += 16;
	list_add_tail(&bd->link, &blkdevs);
	return 0;
}

struct blkdev *blkdev_find(const char *name)
{
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	struct blkdev *bd;
	list_for_each_entry(bd, &blkdevs, link)
	{
		if (strcmp(bd->name, name) == 0)
			return bd;
	}
	return NULL;
}

struct blkdev *blkdev_find_rdev(uint64_t rdev)
{
	struct blkdev *bd;
	list_for_each_entry(bd, &blkdevs, link)
	{
		if (MKDEV(bd->major, bd->minor) == rdev)
			return bd;
	}
	return NULL;
}

struct blkdev *blkdev_next(struct blkdev *prev)
{
	struct list_head *n = prev ? prev->link.next : blkdevs.next;
	return n == &blkdevs ? NULL : list_entry(n, struct blkdev, link);
}

int blkdev_rw(struct blkdev *bd, uint64_t sector, void *buf, size_t count,
	      bool write)
{
	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	if (write && bd->read_only)
		return -EROFS;
	int r = bd->ops->rw(bd, sector, buf, count, write);
	if (write) {
		bd->writes++;
		bd->sectors_written += count;
	} else {
		bd->reads++;
		bd->sectors_read += count;
	}
	return r;
}

int blkdev_flush(struct blkdev *bd)
{
	return bd->ops->flush ? bd->ops->flush(bd) : 0;
}
