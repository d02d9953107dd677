/* The device nodes of a /dev: the character devices Linux gives every
 * system (null, zero, full, random, urandom, tty, console, ttyS0, ptmx) and one
 * block-device node per registered disk (vda, vdb, ...). Used for the
 * initramfs's /dev and for every devtmpfs mount. Caller holds the VFS
 * lock; names that already exist are left alone. */
#include <fs/blkdev.h>
#include <fs/vfs.h>
#include <mm/kmalloc.h>

static void add_node(struct inode *dir, const char *name, uint32_t mode,
		     uint64_t rdev)
{
	if (dir_find(dir, name))
		return;
	struct inode *ino = inode_alloc_sb(dir->sb, mode);
	if (!ino)
		return;
	ino->rdev = rdev;
	if (S_ISCHR(mode))
		ino->fops = chrdev_lookup(rdev);
	if (dir_add(dir, name, ino))
		kfree(ino);
}

void devtmpfs_populate(struct inode *dir)
{
	static const struct {
		const char *name;
		uint32_t major, minor, mode;
	} nodes[] = {
	    {"null", 1, 3, 0666},    {"zero", 1, 5, 0666},
	    {"full", 1, 7, 0666},    {"random", 1, 8, 0666},
	    {"urandom", 1, 9, 0666}, {"tty", 5, 0, 0666},
	    {"console", 5, 1, 0600}, {"ttyS0", 4, 64, 0660},
	    {"ptmx", 5, 2, 0666},
	};
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
		add_node(dir, nodes[i].name, S_IFCHR | nodes[i].mode,
			 MKDEV(nodes[i].major, nodes[i].minor));
	for (struct blkdev *bd = blkdev_next(NULL); bd; bd = blkdev_next(bd))
		add_node(dir, bd->name, S_IFBLK | 0660,
			 MKDEV(bd->major, bd->minor));
}
