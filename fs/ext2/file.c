/* ext2 file data: the block map (12 direct blocks, then single, double and
 * triple indirect blocks of block numbers), reading with holes as zeros,
 * writing with allocation near the previous block, and truncation that
 * frees whole subtrees. i_blocks counts data and indirect blocks in
 * 512-byte units. */
#include "ext2_fs.h"

#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_MAX_DEPTH 4

/* The path to logical block lblk: offs[0] indexes i_block, offs[1..] the
 * indirect blocks on the way. Returns the path's length, or -EFBIG. */
static int ext2_block_path(struct ext2_fs *fs, uint64_t lblk,
			   uint32_t offs[EXT2_MAX_DEPTH])
{
	uint64_t a = fs->addr_per_block;

	if (lblk < EXT2_NDIR_BLOCKS) {
		offs[0] = (uint32_t)lblk;
		return 1;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < a) {
		offs[0] = EXT2_IND_BLOCK;
		offs[1] = (uint32_t)lblk;
		return 2;
	}
	lblk -= a;
	if (lblk < a * a) {
		offs[0] = EXT2_DIND_BLOCK;
		offs[1] = (uint32_t)(lblk / a);
		offs[2] = (uint32_t)(lblk % a);
		return 3;
	}
	lblk -= a * a;
	if (lblk < a * a * a) {
		offs[0] = EXT2_TIND_BLOCK;
		offs[1] = (uint32_t)(lblk / (a * a));
		offs[2] = (uint32_t)((lblk / a) % a);
		offs[3] = (uint32_t)(lblk % a);
		return 4;
	}
	return -EFBIG;
}

static uint32_t *ext2_slots(struct buf *b)
{
	return (uint32_t *)b->data;
}

static int ext2_bad_block(struct ext2_fs *fs, uint32_t ino, const char *what,
			  uint32_t blk, uint64_t lblk)
{
	pr_err("ext2 %s: inode %u: %s block %u (for file block %llu) out of "
	       "range\n",
	       fs->bd->name, ino, what, blk, (unsigned long long)lblk);
	return -EIO;
}

int ext2_bmap(struct ext2_fs *fs, const struct ext2_inode *ei, uint64_t lblk,
	      uint32_t *pblk)
{
	uint32_t offs[EXT2_MAX_DEPTH], blk;
	int depth = ext2_block_path(fs, lblk, offs);

	if (depth < 0)
		return depth;
	blk = ei->i_block[offs[0]];
	for (int level = 1; level < depth && blk; level++) {
		struct buf *b;

		if (!ext2_block_valid(fs, blk))
			return ext2_bad_block(fs, 0, "indirect", blk, lblk);
		b = bread(fs->bd, blk, fs->block_size);
		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		blk = ext2_slots(b)[offs[level]];
		brelse(b);
	}
	if (blk && !ext2_block_valid(fs, blk))
		return ext2_bad_block(fs, 0, "data", blk, lblk);
	*pblk = blk;
	return 0;
}

/* A new block near goal, counted in i_blocks; indirect blocks start out
 * zeroed (all holes). */
static int ext2_new_block(struct ext2_fs *fs, struct ext2_inode *ei,
			  uint32_t goal, bool indirect, uint32_t *blk)
{
	int err = ext2_balloc(fs, goal, blk);

	if (err)
		return err;
	if (indirect) {
		struct buf *b = bget_zero(fs->bd, *blk, fs->block_size);

		if (IS_ERR(b)) {
			ext2_bfree(fs, *blk);
			return (int)PTR_ERR(b);
		}
		memset(b->data, 0, fs->block_size);
		bdirty(b);
		brelse(b);
	}
	ei->i_blocks += fs->block_size / 512;
	return 0;
}

int ext2_bmap_alloc(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		    uint64_t lblk, uint32_t goal, uint32_t *pblk, bool *fresh)
{
	uint32_t offs[EXT2_MAX_DEPTH], blk = 0, iblock[EXT2_N_BLOCKS];
	uint32_t *slot;
	struct buf *parent = NULL;
	int depth = ext2_block_path(fs, lblk, offs), err = 0;

	if (depth < 0)
		return depth;
	if (!goal || !ext2_block_valid(fs, goal))
		goal = ext2_group_first_block(fs, ext2_ino_group(fs, ino));
	*fresh = false;
	/* ext2_inode is packed: work on an aligned copy of i_block. */
	memcpy(iblock, ei->i_block, sizeof(iblock));
	slot = &iblock[offs[0]];
	for (int level = 0; level < depth; level++) {
		bool last = level == depth - 1;

		blk = *slot;
		if (!blk) {
			err = ext2_new_block(fs, ei, goal, !last, &blk);
			if (err)
				break;
			*slot = blk;
			if (parent)
				bdirty(parent);
			*fresh = last;
		} else if (!ext2_block_valid(fs, blk)) {
			err = ext2_bad_block(
			    fs, ino, last ? "data" : "indirect", blk, lblk);
			break;
		}
		goal = blk + 1;
		if (!last) {
			struct buf *b = bread(fs->bd, blk, fs->block_size);

			if (IS_ERR(b)) {
				err = (int)PTR_ERR(b);
				break;
			}
			if (parent)
				brelse(parent);
			parent = b;
			slot = &ext2_slots(b)[offs[level + 1]];
		}
	}
	if (parent)
		brelse(parent);
	memcpy(ei->i_block, iblock, sizeof(iblock));
	if (!err)
		*pblk = blk;
	return err;
}

static void ext2_sub_blocks(struct ext2_fs *fs, struct ext2_inode *ei)
{
	uint32_t n = fs->block_size / 512;

	ei->i_blocks = ei->i_blocks >= n ? ei->i_blocks - n : 0;
}

/* Frees the block in *slot (data or indirect), clearing the slot. */
static int ext2_drop_block(struct ext2_fs *fs, struct ext2_inode *ei,
			   uint32_t *slot)
{
	int err = ext2_bfree(fs, *slot);

	if (err)
		return err;
	*slot = 0;
	ext2_sub_blocks(fs, ei);
	return 0;
}

/* Frees what the indirect block in *slot maps at or past logical block
 * keep; the subtree maps span = A^depth blocks from base. The block itself
 * goes too when nothing in it is kept. Depth is at most 3, so the
 * recursion is bounded; a block reached twice is caught by ext2_bfree. */
static int ext2_free_tree(struct ext2_fs *fs, uint32_t ino,
			  struct ext2_inode *ei, uint32_t *slot, int depth,
			  uint64_t base, uint64_t keep)
{
	uint64_t child_span = 1, a = fs->addr_per_block;
	struct buf *b;
	int err = 0;

	for (int i = 1; i < depth; i++)
		child_span *= a;
	if (!*slot || base + child_span * a <= keep)
		return 0;
	if (!ext2_block_valid(fs, *slot))
		return ext2_bad_block(fs, ino, "indirect", *slot, base);
	b = bread(fs->bd, *slot, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	for (uint32_t i = 0; i < a; i++) {
		uint64_t cbase = base + i * child_span;
		uint32_t *cslot = &ext2_slots(b)[i];
		int e;

		if (cbase + child_span <= keep || !*cslot)
			continue;
		if (depth > 1)
			e = ext2_free_tree(fs, ino, ei, cslot, depth - 1, cbase,
					   keep);
		else if (!ext2_block_valid(fs, *cslot))
			e = ext2_bad_block(fs, ino, "data", *cslot, cbase);
		else
			e = ext2_drop_block(fs, ei, cslot);
		bdirty(b);
		if (e && !err)
			err = e;
	}
	brelse(b);
	if (base >= keep && !err)
		err = ext2_drop_block(fs, ei, slot);
	return err;
}

int ext2_free_blocks_from(struct ext2_fs *fs, uint32_t ino,
			  struct ext2_inode *ei, uint64_t keep)
{
	uint64_t a = fs->addr_per_block, base = EXT2_NDIR_BLOCKS, span = a;
	uint32_t iblock[EXT2_N_BLOCKS];
	int err = 0;

	memcpy(iblock, ei->i_block, sizeof(iblock));
	for (uint64_t i = keep; i < EXT2_NDIR_BLOCKS; i++) {
		uint32_t *slot = &iblock[i];
		int e = 0;

		if (!*slot)
			continue;
		if (!ext2_block_valid(fs, *slot))
			e = ext2_bad_block(fs, ino, "data", *slot, i);
		else
			e = ext2_drop_block(fs, ei, slot);
		if (e && !err)
			err = e;
	}
	for (int depth = 1; depth <= 3; depth++) {
		int e = ext2_free_tree(fs, ino, ei,
				       &iblock[EXT2_IND_BLOCK + depth - 1],
				       depth, base, keep);
		if (e && !err)
			err = e;
		base += span;
		span *= a;
	}
	memcpy(ei->i_block, iblock, sizeof(iblock));
	return err;
}

/* i_size that the block maps cannot reach is corruption. */
static int ext2_check_size(struct ext2_fs *fs, const struct ext2_inode *ei,
			   uint64_t size)
{
	if (size <= fs->max_file_size)
		return 0;
	pr_err("ext2 %s: inode size %llu beyond the maximum %llu (mode %o)\n",
	       fs->bd->name, (unsigned long long)size,
	       (unsigned long long)fs->max_file_size, ei->i_mode);
	return -EIO;
}

long ext2_read(struct ext2_fs *fs, const struct ext2_inode *ei, void *buf,
	       size_t n, uint64_t off)
{
	uint64_t size = ext2_isize(ei);
	uint8_t *dst = buf;
	size_t done = 0;
	int err = ext2_check_size(fs, ei, size);

	if (err)
		return err;
	if (off >= size)
		return 0;
	if (n > size - off)
		n = (size_t)(size - off);
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t boff = (uint32_t)(pos & (fs->block_size - 1));
		size_t chunk = MIN((size_t)(fs->block_size - boff), n - done);
		uint32_t pblk;
		struct buf *b;

		err = ext2_bmap(fs, ei, pos >> fs->log_block_size, &pblk);
		if (err)
			break;
		if (!pblk) {
			memset(dst + done, 0, chunk);
		} else {
			b = bread(fs->bd, pblk, fs->block_size);
			if (IS_ERR(b)) {
				err = (int)PTR_ERR(b);
				break;
			}
			memcpy(dst + done, b->data + boff, chunk);
			brelse(b);
		}
		done += chunk;
	}
	return done ? (long)done : err;
}

/* The largest size a file may reach here: revision 0 has no i_size_high. */
static uint64_t ext2_size_limit(struct ext2_fs *fs, const struct ext2_inode *ei)
{
	if (!S_ISREG(ei->i_mode) || fs->sb.s_rev_level == EXT2_GOOD_OLD_REV)
		return MIN(fs->max_file_size, 0xffffffffULL >> 1);
	return fs->max_file_size;
}

/* Sets i_size and, for a first file over 2 GiB, the large_file feature. */
static int ext2_grow_size(struct ext2_fs *fs, struct ext2_inode *ei,
			  uint64_t size)
{
	ext2_set_isize(ei, size);
	if (size > 0x7fffffffULL &&
	    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		return ext2_write_super(fs);
	}
	return 0;
}

/* One block's worth of a write: the buffer for pblk, zeroed first when it
 * is new so that what the write does not cover reads as zeros. */
static int ext2_write_block(struct ext2_fs *fs, uint32_t pblk, bool fresh,
			    uint32_t boff, const uint8_t *src, size_t chunk)
{
	struct buf *b;

	if (fresh || chunk == fs->block_size)
		b = bget_zero(fs->bd, pblk, fs->block_size);
	else
		b = bread(fs->bd, pblk, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	if (fresh && chunk != fs->block_size)
		memset(b->data, 0, fs->block_size);
	memcpy(b->data + boff, src, chunk);
	bdirty(b);
	brelse(b);
	return 0;
}

long ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		const void *buf, size_t n, uint64_t off)
{
	uint64_t limit = ext2_size_limit(fs, ei);
	const uint8_t *src = buf;
	uint32_t goal = 0;
	size_t done = 0;
	int err = 0, e;
	/* What this write may change in the inode: an overwrite of
	 * allocated blocks changes neither, and writes no inode. */
	uint32_t blocks0 = ei->i_blocks;
	uint64_t size0 = ext2_isize(ei);

	if (fs->ro)
		return -EROFS;
	if (n == 0)
		return 0;
	if (off >= limit)
		return -EFBIG;
	if (n > limit - off)
		n = (size_t)(limit - off);
	/* Appending: continue right after the block before. */
	if (off >> fs->log_block_size &&
	    ext2_bmap(fs, ei, (off >> fs->log_block_size) - 1, &goal) == 0 &&
	    goal)
		goal++;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t boff = (uint32_t)(pos & (fs->block_size - 1));
		size_t chunk = MIN((size_t)(fs->block_size - boff), n - done);
		uint32_t pblk;
		bool fresh;

		err = ext2_bmap_alloc(fs, ino, ei, pos >> fs->log_block_size,
				      goal, &pblk, &fresh);
		if (!err)
			err = ext2_write_block(fs, pblk, fresh, boff,
					       src + done, chunk);
		if (err)
			break;
		goal = pblk + 1;
		done += chunk;
	}
	/* Blocks may have been allocated even if nothing was written. */
	e = 0;
	if (done && off + done > ext2_isize(ei))
		e = ext2_grow_size(fs, ei, off + done);
	if (!e && (ei->i_blocks != blocks0 || ext2_isize(ei) != size0 ||
		   fs->iput_failed))
		e = ext2_iput(fs, ino, ei);
	if (done)
		return e ? e : (long)done;
	return err ? err : e;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		  uint64_t len)
{
	uint64_t size = ext2_isize(ei);
	uint32_t tail = (uint32_t)(len & (fs->block_size - 1));
	int err = 0, e;

	if (fs->ro)
		return -EROFS;
	if (len > ext2_size_limit(fs, ei))
		return -EFBIG;
	if (len < size) {
		uint64_t keep =
		    (len + fs->block_size - 1) >> fs->log_block_size;
		uint32_t pblk = 0;

		err = ext2_free_blocks_from(fs, ino, ei, keep);
		/* Zero the rest of the last block: growing again later must
		 * show zeros there, not the old bytes. */
		if (!err && tail)
			err =
			    ext2_bmap(fs, ei, len >> fs->log_block_size, &pblk);
		if (!err && pblk) {
			struct buf *b = bread(fs->bd, pblk, fs->block_size);

			if (IS_ERR(b)) {
				err = (int)PTR_ERR(b);
			} else {
				memset(b->data + tail, 0,
				       fs->block_size - tail);
				bdirty(b);
				brelse(b);
			}
		}
		/* On an error the old size stays: what could not be freed
		 * is still mapped, and what was freed reads as a hole. */
		if (!err)
			ext2_set_isize(ei, len);
	} else if (len > size) {
		err = ext2_grow_size(fs, ei, len);
	}
	e = ext2_iput(fs, ino, ei);
	return err ? err : e;
}
