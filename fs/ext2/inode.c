/* ext2 inodes by number: where each lives in its group's inode table,
 * reading and writing the first 128 bytes, allocating and freeing them
 * (with their blocks and extended attribute block). */
#include "ext2_fs.h"

#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

bool ext2_ino_valid(struct ext2_fs *fs, uint32_t ino)
{
	return ino >= 1 && ino <= fs->inodes_count;
}

uint32_t ext2_ino_group(struct ext2_fs *fs, uint32_t ino)
{
	return (ino - 1) / fs->inodes_per_group;
}

/* The buffer holding inode ino and the inode's offset in it. */
static struct buf *ext2_inode_buf(struct ext2_fs *fs, uint32_t ino,
				  uint32_t *off)
{
	uint32_t g, index;
	uint64_t byte;

	if (!ext2_ino_valid(fs, ino)) {
		pr_err("ext2 %s: inode number %u out of range (1..%u)\n",
		       fs->bd->name, ino, fs->inodes_count);
		return ERR_PTR(-EIO);
	}
	g = ext2_ino_group(fs, ino);
	index = (ino - 1) % fs->inodes_per_group;
	byte = (uint64_t)index * fs->inode_size;
	*off = (uint32_t)(byte & (fs->block_size - 1));
	return ext2_bread(
	    fs, fs->gd[g].bg_inode_table + (byte >> fs->log_block_size),
	    "inode table", ino);
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	uint32_t off;
	struct buf *b = ext2_inode_buf(fs, ino, &off);

	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memcpy(out, b->data + off, sizeof(*out));
	brelse(b);
	return 0;
}

int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	uint32_t off;
	struct buf *b;

	if (fs->ro)
		return -EROFS;
	b = ext2_inode_buf(fs, ino, &off);
	if (IS_ERR(b)) {
		fs->iput_failed = true;
		return (int)PTR_ERR(b);
	}
	memcpy(b->data + off, in, sizeof(*in));
	bdirty(b);
	brelse(b);
	return 0;
}

bool ext2_inodes_current(const struct ext2_fs *fs)
{
	return !fs->iput_failed;
}

uint64_t ext2_isize(const struct ext2_inode *ei)
{
	if (S_ISREG(ei->i_mode))
		return ((uint64_t)ei->i_size_high << 32) | ei->i_size;
	return ei->i_size;
}

void ext2_set_isize(struct ext2_inode *ei, uint64_t size)
{
	ei->i_size = (uint32_t)size;
	if (S_ISREG(ei->i_mode))
		ei->i_size_high = (uint32_t)(size >> 32);
}

int ext2_ialloc(struct ext2_fs *fs, uint32_t dir, uint16_t mode, uint32_t *ino)
{
	uint32_t goal = ext2_ino_valid(fs, dir) ? ext2_ino_group(fs, dir) : 0;
	uint32_t off;
	struct buf *b;
	int err;

	if (fs->ro)
		return -EROFS;
	err = ext2_ialloc_bit(fs, goal, S_ISDIR(mode), ino);
	if (err)
		return err;
	b = ext2_inode_buf(fs, *ino, &off);
	if (IS_ERR(b)) {
		ext2_ifree_bit(fs, *ino, S_ISDIR(mode));
		return (int)PTR_ERR(b);
	}
	/* The whole on-disk inode, not just our 128 bytes: a reused large
	 * inode must not keep the old one's extra fields. */
	memset(b->data + off, 0, fs->inode_size);
	((struct ext2_inode *)(b->data + off))->i_mode = mode;
	/* i_extra_isize as mke2fs writes it for large inodes. */
	if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + 32) {
		uint16_t extra = 32;
		memcpy(b->data + off + EXT2_GOOD_OLD_INODE_SIZE, &extra, 2);
	}
	bdirty(b);
	brelse(b);
	return 0;
}

/* Drops the inode's reference to its extended attribute block, freeing the
 * block when it was the last. */
static int ext2_xattr_release(struct ext2_fs *fs, uint32_t ino,
			      struct ext2_inode *ei)
{
	uint32_t blk = ei->i_file_acl, magic, refs;
	struct buf *b;
	int err = 0;

	if (!blk)
		return 0;
	b = ext2_bread(fs, blk, "extended attribute", ino);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memcpy(&magic, b->data, 4);
	memcpy(&refs, b->data + 4, 4);
	if (magic != EXT2_XATTR_MAGIC || refs == 0) {
		brelse(b);
		pr_err("ext2 %s: inode %u: bad extended attribute block %u\n",
		       fs->bd->name, ino, blk);
		return -EIO;
	}
	refs--;
	memcpy(b->data + 4, &refs, 4);
	bdirty(b);
	brelse(b);
	if (refs == 0)
		err = ext2_bfree(fs, blk);
	ei->i_file_acl = 0;
	if (ei->i_blocks >= fs->block_size / 512)
		ei->i_blocks -= fs->block_size / 512;
	return err;
}

/* Fast symlinks keep their target in i_block: no blocks to free. */
static bool ext2_has_block_map(struct ext2_fs *fs, const struct ext2_inode *ei)
{
	uint32_t ea = ei->i_file_acl ? fs->block_size / 512 : 0;

	if (S_ISLNK(ei->i_mode))
		return ei->i_blocks > ea;
	return S_ISREG(ei->i_mode) || S_ISDIR(ei->i_mode);
}

int ext2_ifree(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei)
{
	int err = 0;

	if (fs->ro)
		return -EROFS;
	if (!ext2_ino_valid(fs, ino) || ino < fs->first_ino) {
		pr_err("ext2 %s: freeing reserved or invalid inode %u\n",
		       fs->bd->name, ino);
		return -EIO;
	}
	if (ext2_has_block_map(fs, ei))
		err = ext2_free_blocks_from(fs, ino, ei, 0);
	if (!err)
		err = ext2_xattr_release(fs, ino, ei);
	ei->i_links_count = 0;
	if (err) {
		/* Keep the inode (the blocks it still maps are its own), with
		 * what was freed gone from its map, so that freeing it can
		 * be tried again and never frees a block twice. */
		ext2_iput(fs, ino, ei);
		return err;
	}
	ei->i_size = 0;
	ei->i_size_high = 0;
	ei->i_dtime = ext2_now();
	err = ext2_iput(fs, ino, ei);
	if (err)
		return err;
	return ext2_ifree_bit(fs, ino, S_ISDIR(ei->i_mode));
}
