/* ext2 block and inode allocation: one bitmap block per group for each,
 * the group descriptor's free counts and the superblock's totals changed
 * together, so they always agree (e2fsck -n checks all three). */
#include "ext2_fs.h"

#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>

static bool bit_test(const uint8_t *map, uint32_t i)
{
	return map[i / 8] & (1U << (i % 8));
}

static void bit_set(uint8_t *map, uint32_t i)
{
	map[i / 8] |= (uint8_t)(1U << (i % 8));
}

static void bit_clear(uint8_t *map, uint32_t i)
{
	map[i / 8] &= (uint8_t) ~(1U << (i % 8));
}

/* The first clear bit in [start, n), wrapping to [0, start); n if none.
 * Whole bytes of ones are skipped. */
static uint32_t bit_find_clear(const uint8_t *map, uint32_t n, uint32_t start)
{
	for (uint32_t pass = 0; pass < 2; pass++) {
		uint32_t i = pass ? 0 : start, end = pass ? start : n;

		while (i < end) {
			if (i % 8 == 0 && i + 8 <= end && map[i / 8] == 0xff) {
				i += 8;
				continue;
			}
			if (!bit_test(map, i))
				return i;
			i++;
		}
	}
	return n;
}

/* The block is group metadata (bitmaps, inode table): allocating or freeing
 * it would destroy the file system, so a bitmap that says otherwise is
 * corrupt. */
static bool ext2_is_group_meta(struct ext2_fs *fs, uint32_t g, uint32_t blk)
{
	const struct ext2_group_desc *d = &fs->gd[g];

	return blk == d->bg_block_bitmap || blk == d->bg_inode_bitmap ||
	       (blk >= d->bg_inode_table &&
		blk < d->bg_inode_table + fs->itable_blocks) ||
	       blk <= fs->first_data_block + fs->desc_blocks;
}

static int ext2_update_counts(struct ext2_fs *fs, uint32_t g)
{
	int err = ext2_write_group(fs, g);

	return err ? err : ext2_write_super(fs);
}

static int ext2_balloc_group(struct ext2_fs *fs, uint32_t g, uint32_t start,
			     uint32_t *blk)
{
	struct ext2_group_desc *d = &fs->gd[g];
	uint32_t n = ext2_group_nblocks(fs, g), i;
	struct buf *b;

	if (d->bg_free_blocks_count == 0)
		return -ENOSPC;
	b = ext2_bread(fs, d->bg_block_bitmap, "block bitmap", 0);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	i = bit_find_clear(b->data, n, start < n ? start : 0);
	if (i == n) {
		brelse(b);
		pr_err("ext2 %s: group %u: %u free blocks counted but none in "
		       "the bitmap\n",
		       fs->bd->name, g, d->bg_free_blocks_count);
		return -EIO;
	}
	*blk = ext2_group_first_block(fs, g) + i;
	if (ext2_is_group_meta(fs, g, *blk)) {
		brelse(b);
		pr_err("ext2 %s: group %u: block bitmap frees metadata block "
		       "%u\n",
		       fs->bd->name, g, *blk);
		return -EIO;
	}
	bit_set(b->data, i);
	bdirty(b);
	brelse(b);
	d->bg_free_blocks_count--;
	fs->sb.s_free_blocks_count--;
	return ext2_update_counts(fs, g);
}

int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	uint32_t g0 = 0, start = 0;

	if (fs->ro)
		return -EROFS;
	if (fs->sb.s_free_blocks_count == 0)
		return -ENOSPC;
	if (goal >= fs->first_data_block && goal < fs->blocks_count) {
		g0 = (goal - fs->first_data_block) / fs->blocks_per_group;
		start = (goal - fs->first_data_block) % fs->blocks_per_group;
	}
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;
		int err = ext2_balloc_group(fs, g, k == 0 ? start : 0, blk);

		if (err != -ENOSPC)
			return err;
	}
	/* The superblock counted free blocks the groups do not have. */
	pr_err("ext2 %s: free block count %u but no group has any\n",
	       fs->bd->name, fs->sb.s_free_blocks_count);
	return -EIO;
}

int ext2_bfree(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t g, i;
	struct buf *b;

	if (fs->ro)
		return -EROFS;
	if (!ext2_block_valid(fs, blk)) {
		pr_err("ext2 %s: freeing block %u out of range\n", fs->bd->name,
		       blk);
		return -EIO;
	}
	g = (blk - fs->first_data_block) / fs->blocks_per_group;
	i = (blk - fs->first_data_block) % fs->blocks_per_group;
	if (ext2_is_group_meta(fs, g, blk)) {
		pr_err("ext2 %s: freeing metadata block %u\n", fs->bd->name,
		       blk);
		return -EIO;
	}
	b = ext2_bread(fs, fs->gd[g].bg_block_bitmap, "block bitmap", 0);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	if (!bit_test(b->data, i)) {
		/* A block referenced twice: freeing again would make the
		 * counts wrong. */
		brelse(b);
		pr_err("ext2 %s: freeing free block %u\n", fs->bd->name, blk);
		return -EIO;
	}
	bit_clear(b->data, i);
	bdirty(b);
	brelse(b);
	fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	return ext2_update_counts(fs, g);
}

static int ext2_ialloc_group(struct ext2_fs *fs, uint32_t g, bool dir,
			     uint32_t *ino)
{
	struct ext2_group_desc *d = &fs->gd[g];
	uint32_t n = fs->inodes_per_group, i, start = 0;
	struct buf *b;

	if (d->bg_free_inodes_count == 0)
		return -ENOSPC;
	/* Inodes below s_first_ino are reserved (root, lost+found's
	 * neighbours, the resize inode...). */
	if (g == 0)
		start = fs->first_ino - 1;
	if (start >= n)
		return -ENOSPC;
	b = ext2_bread(fs, d->bg_inode_bitmap, "inode bitmap", 0);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	i = bit_find_clear(b->data, n, start);
	if (i == n || i < start) {
		brelse(b);
		if (g != 0 || start == 0) {
			pr_err("ext2 %s: group %u: %u free inodes counted but "
			       "none in the bitmap\n",
			       fs->bd->name, g, d->bg_free_inodes_count);
			return -EIO;
		}
		return -ENOSPC; /* only reserved inodes left in group 0 */
	}
	bit_set(b->data, i);
	bdirty(b);
	brelse(b);
	d->bg_free_inodes_count--;
	fs->sb.s_free_inodes_count--;
	if (dir)
		d->bg_used_dirs_count++;
	*ino = g * fs->inodes_per_group + i + 1;
	return ext2_update_counts(fs, g);
}

int ext2_ialloc_bit(struct ext2_fs *fs, uint32_t goal_group, bool dir,
		    uint32_t *ino)
{
	if (fs->ro)
		return -EROFS;
	if (fs->sb.s_free_inodes_count == 0)
		return -ENOSPC;
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (goal_group + k) % fs->groups;
		int err = ext2_ialloc_group(fs, g, dir, ino);

		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

int ext2_ifree_bit(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / fs->inodes_per_group;
	uint32_t i = (ino - 1) % fs->inodes_per_group;
	struct ext2_group_desc *d = &fs->gd[g];
	struct buf *b;

	if (fs->ro)
		return -EROFS;
	b = ext2_bread(fs, d->bg_inode_bitmap, "inode bitmap", ino);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	if (!bit_test(b->data, i)) {
		brelse(b);
		pr_err("ext2 %s: freeing free inode %u\n", fs->bd->name, ino);
		return -EIO;
	}
	bit_clear(b->data, i);
	bdirty(b);
	brelse(b);
	d->bg_free_inodes_count++;
	fs->sb.s_free_inodes_count++;
	if (dir && d->bg_used_dirs_count)
		d->bg_used_dirs_count--;
	/* The inode is free now: the counts are right in memory, and
	 * ext2_sync writes every descriptor and the superblock from there,
	 * so failing to copy them to the cache now is not failing to free
	 * (a caller trying again would find the bit clear). */
	ext2_update_counts(fs, g);
	return 0;
}
