/* ext2 symbolic links: a target shorter than i_block's 60 bytes lives in
 * i_block itself ("fast"); a longer one in the link's first data block. */
#include "ext2_fs.h"

#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

#define EXT2_FAST_LINK_MAX (sizeof(((struct ext2_inode *)0)->i_block))

/* As Linux decides: no data blocks apart from an extended attribute
 * block. */
static bool ext2_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *ei)
{
	uint32_t ea = ei->i_file_acl ? fs->block_size / 512 : 0;

	return ei->i_blocks == ea;
}

long ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ei, char *buf,
		   size_t n)
{
	uint32_t size = ei->i_size;

	if (!S_ISLNK(ei->i_mode))
		return -EINVAL;
	if (ext2_fast_symlink(fs, ei)) {
		if (size >= EXT2_FAST_LINK_MAX) {
			pr_err("ext2 %s: fast symlink of %u bytes\n",
			       fs->bd->name, size);
			return -EIO;
		}
		n = MIN(n, (size_t)size);
		memcpy(buf, ei->i_block, n);
		return (long)n;
	}
	if (size >= fs->block_size) {
		pr_err("ext2 %s: symlink of %u bytes\n", fs->bd->name, size);
		return -EIO;
	}
	return ext2_read(fs, ei, buf, MIN(n, (size_t)size), 0);
}

int ext2_set_symlink(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		     const char *target, size_t len)
{
	long n;

	if (fs->ro)
		return -EROFS;
	if (len == 0)
		return -ENOENT;
	if (len >= fs->block_size)
		return -ENAMETOOLONG;
	if (len < EXT2_FAST_LINK_MAX) {
		memset(ei->i_block, 0, sizeof(ei->i_block));
		memcpy(ei->i_block, target, len);
		ei->i_size = (uint32_t)len;
		return ext2_iput(fs, ino, ei);
	}
	n = ext2_write(fs, ino, ei, target, len, 0);
	if (n < 0)
		return (int)n;
	return n == (long)len ? 0 : -EIO;
}
