/* The block-device registry: drivers add their disks here at boot, and
 * the block cache, /dev and root= find them by name or device number.
 * blkdev_rw/blkdev_flush check the request before the driver sees it. */
#include <fs/blkdev.h>
#include <lib/string.h>
#include <spinlock.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

/* Protects blkdev_list (devices are never removed, so a pointer handed
 * out stays valid) and the request counters. */
static spinlock_t blkdev_lock = SPINLOCK_INIT("blkdev");
static struct list_head blkdev_list = LIST_HEAD_INIT(blkdev_list);

static struct blkdev *find_locked(const char *name)
{
	struct blkdev *bd;
	list_for_each_entry(bd, &blkdev_list, link)
	{
		if (strcmp(bd->name, name) == 0)
			return bd;
	}
	return NULL;
}

int blkdev_register(struct blkdev *bd)
{
	irqflags_t f = spin_lock_irqsave(&blkdev_lock);
	if (find_locked(bd->name)) {
		spin_unlock_irqrestore(&blkdev_lock, f);
		return -EEXIST;
	}
	bd->reads = bd->writes = bd->sectors_read = bd->sectors_written = 0;
	list_add_tail(&bd->link, &blkdev_list);
	spin_unlock_irqrestore(&blkdev_lock, f);
	return 0;
}

struct blkdev *blkdev_find(const char *name)
{
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	irqflags_t f = spin_lock_irqsave(&blkdev_lock);
	struct blkdev *bd = find_locked(name);
	spin_unlock_irqrestore(&blkdev_lock, f);
	return bd;
}

struct blkdev *blkdev_find_rdev(uint64_t rdev)
{
	struct blkdev *bd, *found = NULL;
	irqflags_t f = spin_lock_irqsave(&blkdev_lock);
	list_for_each_entry(bd, &blkdev_list, link)
	{
		if (MKDEV(bd->major, bd->minor) == rdev) {
			found = bd;
			break;
		}
	}
	spin_unlock_irqrestore(&blkdev_lock, f);
	return found;
}

struct blkdev *blkdev_next(struct blkdev *prev)
{
	irqflags_t f = spin_lock_irqsave(&blkdev_lock);
	struct list_head *n = prev ? prev->link.next : blkdev_list.next;
	struct blkdev *bd =
	    n == &blkdev_list ? NULL : list_entry(n, struct blkdev, link);
	spin_unlock_irqrestore(&blkdev_lock, f);
	return bd;
}

int blkdev_rw(struct blkdev *bd, uint64_t sector, void *buf, size_t count,
	      bool write)
{
	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	if (write && bd->read_only)
		return -EROFS;
	if (count == 0)
		return 0;
	int r = bd->ops->rw(bd, sector, buf, count, write);
	if (r == 0) {
		irqflags_t f = spin_lock_irqsave(&blkdev_lock);
		if (write) {
			bd->writes++;
			bd->sectors_written += count;
		} else {
			bd->reads++;
			bd->sectors_read += count;
		}
		spin_unlock_irqrestore(&blkdev_lock, f);
	}
	return r;
}

int blkdev_flush(struct blkdev *bd)
{
	if (!bd->ops->flush)
		return 0; /* no write cache: completed writes are durable */
	return bd->ops->flush(bd);
}
