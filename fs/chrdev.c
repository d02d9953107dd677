/* Character-device registry: device nodes find their driver by
 * major:minor when they are created or opened. */
#include <fs/vfs.h>
#include <uapi/errno.h>

#define CHRDEV_MAX 32

static struct {
	uint64_t rdev;
	const struct file_ops *ops;
} chrdevs[CHRDEV_MAX];
static int nr_chrdevs;

int chrdev_register(uint32_t major, uint32_t minor, const struct file_ops *o)
{
	if (nr_chrdevs >= CHRDEV_MAX)
		return -ENOSPC;
	chrdevs[nr_chrdevs].rdev = MKDEV(major, minor);
	chrdevs[nr_chrdevs].ops = o;
	nr_chrdevs++;
	return 0;
}

const struct file_ops *chrdev_lookup(uint64_t rdev)
{
	for (int i = 0; i < nr_chrdevs; i++)
		if (chrdevs[i].rdev == rdev)
			return chrdevs[i].ops;
	return NULL;
}
