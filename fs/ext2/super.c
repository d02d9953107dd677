/* ext2 mount and unmount: reading and checking the superblock and the group
 * descriptors, refusing what this driver cannot handle safely, and writing
 * the superblock and descriptors back with exact free counts. */
#include "ext2_fs.h"

#include <lib/string.h>
#include <mm/kmalloc.h>
#include <printk.h>
#include <time.h>
#include <uapi/errno.h>

extern int64_t rtc_boot_epoch;

uint32_t ext2_now(void)
{
	return (uint32_t)(rtc_boot_epoch + (int64_t)(time_ns() / NSEC_PER_SEC));
}

bool ext2_block_valid(struct ext2_fs *fs, uint64_t blk)
{
	return blk > fs->first_data_block && blk < fs->blocks_count;
}

struct buf *ext2_bread(struct ext2_fs *fs, uint64_t blk, const char *what,
		       uint32_t ino)
{
	if (!ext2_block_valid(fs, blk)) {
		pr_err("ext2 %s: inode %u: %s block %llu out of range "
		       "(%u blocks)\n",
		       fs->bd->name, ino, what, (unsigned long long)blk,
		       fs->blocks_count);
		return ERR_PTR(-EIO);
	}
	return bread(fs->bd, blk, fs->block_size);
}

uint32_t ext2_group_first_block(struct ext2_fs *fs, uint32_t group)
{
	return fs->first_data_block + group * fs->blocks_per_group;
}

uint32_t ext2_group_nblocks(struct ext2_fs *fs, uint32_t group)
{
	if (group + 1 < fs->groups)
		return fs->blocks_per_group;
	return fs->blocks_count - ext2_group_first_block(fs, group);
}

/* The superblock is at byte 1024: block 1 with 1 KiB blocks, inside block 0
 * otherwise. Only the cache's copy is updated; bsync writes it. */
int ext2_write_super(struct ext2_fs *fs)
{
	uint32_t blk = EXT2_SUPER_OFFSET / fs->block_size;
	uint32_t off = EXT2_SUPER_OFFSET % fs->block_size;
	struct buf *b;

	if (fs->ro)
		return -EROFS;
	b = bread(fs->bd, blk, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	fs->sb.s_wtime = ext2_now();
	memcpy(b->data + off, &fs->sb, sizeof(fs->sb));
	bdirty(b);
	brelse(b);
	return 0;
}

int ext2_write_group(struct ext2_fs *fs, uint32_t group)
{
	uint32_t per = fs->block_size / sizeof(struct ext2_group_desc);
	uint32_t blk = fs->first_data_block + 1 + group / per;
	struct buf *b;

	if (fs->ro)
		return -EROFS;
	b = bread(fs->bd, blk, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memcpy(b->data + (group % per) * sizeof(struct ext2_group_desc),
	       &fs->gd[group], sizeof(struct ext2_group_desc));
	bdirty(b);
	brelse(b);
	return 0;
}

/* Reads the superblock with a 1 KiB buffer (the block size is not known
 * yet) into fs->sb. */
static int ext2_read_super(struct blkdev *bd, struct ext2_super_block *sb)
{
	struct buf *b = bread(bd, EXT2_SUPER_OFFSET / 1024, 1024);

	if (IS_ERR(b)) {
		pr_err("ext2 %s: cannot read the superblock (%ld)\n", bd->name,
		       PTR_ERR(b));
		return (int)PTR_ERR(b);
	}
	memcpy(sb, b->data, sizeof(*sb));
	brelse(b);
	return 0;
}

static int ext2_check_features(struct ext2_fs *fs, bool ro)
{
	const struct ext2_super_block *sb = &fs->sb;
	const char *name = fs->bd->name;
	uint32_t incompat, ro_compat;

	if (sb->s_rev_level == EXT2_GOOD_OLD_REV)
		return 0; /* revision 0 has no feature fields */
	if (sb->s_feature_compat & EXT2_FEATURE_COMPAT_HAS_JOURNAL) {
		pr_err("ext2 %s: has a journal (ext3/ext4): not mounted as "
		       "ext2\n",
		       name);
		return -EINVAL;
	}
	incompat = sb->s_feature_incompat & ~EXT2_INCOMPAT_SUPPORTED;
	if (incompat) {
		pr_err(
		    "ext2 %s: unsupported incompatible features %#x%s%s%s%s"
		    "%s%s%s\n",
		    name, incompat,
		    incompat & EXT2_FEATURE_INCOMPAT_COMPRESSION
			? " compression"
			: "",
		    incompat & EXT3_FEATURE_INCOMPAT_RECOVER ? " recover" : "",
		    incompat & EXT3_FEATURE_INCOMPAT_JOURNAL_DEV
			? " journal_dev"
			: "",
		    incompat & EXT2_FEATURE_INCOMPAT_META_BG ? " meta_bg" : "",
		    incompat & EXT4_FEATURE_INCOMPAT_EXTENTS ? " extents" : "",
		    incompat & EXT4_FEATURE_INCOMPAT_64BIT ? " 64bit" : "",
		    incompat & EXT4_FEATURE_INCOMPAT_FLEX_BG ? " flex_bg" : "");
		return -EINVAL;
	}
	ro_compat = sb->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED;
	if (ro_compat && !ro) {
		pr_err("ext2 %s: unsupported read-only features %#x: mount it "
		       "read-only\n",
		       name, ro_compat);
		return -EROFS;
	}
	fs->filetype = sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	return 0;
}

/* The largest file the block maps can address, also keeping i_blocks (in
 * 512-byte units, 32 bits) in range with every indirect block counted, as
 * Linux's ext2_max_size does. */
static uint64_t ext2_max_size(uint32_t log)
{
	uint64_t a = 1ULL << (log - 2);
	uint64_t blocks = EXT2_NDIR_BLOCKS + a + a * a + a * a * a;
	uint64_t upper = ((1ULL << 32) - 1) >> (log - 9);
	uint64_t meta = 1 + (1 + a) + (1 + a + a * a);

	upper -= meta;
	if (blocks > upper)
		blocks = upper;
	return blocks << log;
}

/* Geometry: every number later code divides by or indexes with. */
static int ext2_check_geometry(struct ext2_fs *fs)
{
	struct ext2_super_block *sb = &fs->sb;
	const char *name = fs->bd->name;
	uint64_t groups;

	if (sb->s_log_block_size > 2) {
		pr_err("ext2 %s: block size 2^(10+%u) not supported\n", name,
		       sb->s_log_block_size);
		return -EINVAL;
	}
	if (sb->s_rev_level > EXT2_DYNAMIC_REV) {
		pr_err("ext2 %s: revision %u not supported\n", name,
		       sb->s_rev_level);
		return -EINVAL;
	}
	fs->log_block_size = 10 + sb->s_log_block_size;
	fs->block_size = 1U << fs->log_block_size;
	fs->addr_per_block = fs->block_size / 4;
	fs->blocks_count = sb->s_blocks_count;
	fs->first_data_block = sb->s_first_data_block;
	fs->blocks_per_group = sb->s_blocks_per_group;
	fs->inodes_per_group = sb->s_inodes_per_group;
	fs->inodes_count = sb->s_inodes_count;
	if (sb->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		fs->inode_size = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE ||
	    fs->inode_size > fs->block_size ||
	    (fs->inode_size & (fs->inode_size - 1))) {
		pr_err("ext2 %s: bad inode size %u\n", name, fs->inode_size);
		return -EINVAL;
	}
	if (fs->first_data_block != (fs->block_size == 1024 ? 1U : 0U)) {
		pr_err("ext2 %s: first data block %u with %u-byte blocks\n",
		       name, fs->first_data_block, fs->block_size);
		return -EINVAL;
	}
	if (fs->blocks_per_group == 0 ||
	    fs->blocks_per_group > 8 * fs->block_size ||
	    fs->inodes_per_group == 0 ||
	    fs->inodes_per_group > 8 * fs->block_size ||
	    fs->inodes_per_group % (fs->block_size / fs->inode_size)) {
		pr_err("ext2 %s: bad group geometry: %u blocks, %u inodes per "
		       "group\n",
		       name, fs->blocks_per_group, fs->inodes_per_group);
		return -EINVAL;
	}
	if (fs->blocks_count <= fs->first_data_block + 1) {
		pr_err("ext2 %s: %u blocks is too few\n", name,
		       fs->blocks_count);
		return -EINVAL;
	}
	if ((uint64_t)fs->blocks_count << fs->log_block_size >
	    fs->bd->nsectors * SECTOR_SIZE) {
		pr_err("ext2 %s: %u blocks of %u bytes do not fit the device "
		       "(%llu sectors)\n",
		       name, fs->blocks_count, fs->block_size,
		       (unsigned long long)fs->bd->nsectors);
		return -EINVAL;
	}
	groups = (fs->blocks_count - fs->first_data_block +
		  fs->blocks_per_group - 1) /
		 fs->blocks_per_group;
	if (groups * fs->inodes_per_group != fs->inodes_count) {
		pr_err("ext2 %s: %u inodes but %llu groups of %u\n", name,
		       fs->inodes_count, (unsigned long long)groups,
		       fs->inodes_per_group);
		return -EINVAL;
	}
	fs->groups = (uint32_t)groups;
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    fs->first_ino >= fs->inodes_count) {
		pr_err("ext2 %s: bad first inode %u\n", name, fs->first_ino);
		return -EINVAL;
	}
	fs->itable_blocks =
	    (uint32_t)(((uint64_t)fs->inodes_per_group * fs->inode_size) >>
		       fs->log_block_size);
	fs->desc_blocks =
	    (fs->groups * sizeof(struct ext2_group_desc) + fs->block_size - 1) /
	    fs->block_size;
	if (fs->first_data_block + 1 + fs->desc_blocks >= fs->blocks_count) {
		pr_err("ext2 %s: the group descriptors do not fit\n", name);
		return -EINVAL;
	}
	fs->max_file_size = ext2_max_size(fs->log_block_size);
	return 0;
}

static bool ext2_in_group(struct ext2_fs *fs, uint32_t g, uint64_t blk,
			  uint64_t n)
{
	uint64_t first = ext2_group_first_block(fs, g);

	return blk >= first && blk + n <= first + ext2_group_nblocks(fs, g);
}

/* Reads the descriptors, checks each group's metadata lies in the group
 * and its counts are possible, and recomputes the superblock's totals from
 * them (Linux's statfs sums the groups as well). */
static int ext2_load_groups(struct ext2_fs *fs)
{
	uint64_t free_blocks = 0, free_inodes = 0;

	fs->gd = kzalloc((size_t)fs->desc_blocks * fs->block_size);
	if (!fs->gd)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->desc_blocks; i++) {
		struct buf *b =
		    bread(fs->bd, fs->first_data_block + 1 + i, fs->block_size);
		if (IS_ERR(b)) {
			pr_err("ext2 %s: cannot read group descriptors\n",
			       fs->bd->name);
			return (int)PTR_ERR(b);
		}
		memcpy((uint8_t *)fs->gd + (size_t)i * fs->block_size, b->data,
		       fs->block_size);
		brelse(b);
	}
	for (uint32_t g = 0; g < fs->groups; g++) {
		struct ext2_group_desc *d = &fs->gd[g];

		if (!ext2_in_group(fs, g, d->bg_block_bitmap, 1) ||
		    !ext2_in_group(fs, g, d->bg_inode_bitmap, 1) ||
		    !ext2_in_group(fs, g, d->bg_inode_table,
				   fs->itable_blocks)) {
			pr_err("ext2 %s: group %u: bitmap or inode table "
			       "outside the group (%u %u %u)\n",
			       fs->bd->name, g, d->bg_block_bitmap,
			       d->bg_inode_bitmap, d->bg_inode_table);
			return -EINVAL;
		}
		if (d->bg_free_blocks_count > ext2_group_nblocks(fs, g) ||
		    d->bg_free_inodes_count > fs->inodes_per_group ||
		    d->bg_used_dirs_count > fs->inodes_per_group) {
			pr_err("ext2 %s: group %u: impossible counts\n",
			       fs->bd->name, g);
			return -EINVAL;
		}
		free_blocks += d->bg_free_blocks_count;
		free_inodes += d->bg_free_inodes_count;
	}
	fs->sb.s_free_blocks_count = (uint32_t)free_blocks;
	fs->sb.s_free_inodes_count = (uint32_t)free_inodes;
	return 0;
}

static void ext2_free_fs(struct ext2_fs *fs)
{
	kfree(fs->gd);
	kfree(fs);
}

int ext2_mount(struct blkdev *bd, bool ro, struct ext2_fs **out)
{
	struct ext2_fs *fs;
	int err;

	if (!ro && bd->read_only) {
		pr_err("ext2 %s: the device is read-only\n", bd->name);
		return -EROFS;
	}
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->bd = bd;
	fs->ro = ro;
	/* The probe reads 1 KiB blocks: a dirty copy of the superblock in a
	 * bigger block (a last umount whose write-back failed) is newer
	 * than what it would read, so it goes to the disk first. */
	err = bsync(bd);
	if (!err)
		err = ext2_read_super(bd, &fs->sb);
	if (err)
		goto fail;
	if (fs->sb.s_magic != EXT2_SUPER_MAGIC) {
		pr_err("ext2 %s: bad magic %#x (not ext2)\n", bd->name,
		       fs->sb.s_magic);
		err = -EINVAL;
		goto fail;
	}
	err = ext2_check_geometry(fs);
	if (!err)
		err = ext2_check_features(fs, ro);
	if (err)
		goto fail;
	/* The probe used a 1 KiB buffer; drop it so no stale alias of the
	 * superblock stays cached next to the fs-sized blocks. */
	if (fs->block_size != 1024)
		binvalidate(bd);
	err = ext2_load_groups(fs);
	if (err)
		goto fail;
	if (!(fs->sb.s_state & EXT2_VALID_FS) ||
	    (fs->sb.s_state & EXT2_ERROR_FS))
		pr_warn("ext2 %s: not cleanly unmounted or has errors: run "
			"e2fsck\n",
			bd->name);
	if (!ro) {
		struct ext2_super_block old = fs->sb;
		/* Not clean while mounted read-write, as Linux does. */
		fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
		fs->sb.s_mnt_count++;
		fs->sb.s_mtime = ext2_now();
		err = ext2_write_super(fs);
		if (!err)
			err = bsync(bd);
		if (err) {
			/* The cached superblock must not keep saying
			 * "mounted" (write-back would put that on the disk
			 * of a file system nobody mounted). */
			fs->sb = old;
			ext2_write_super(fs);
			goto fail;
		}
	}
	*out = fs;
	return 0;
fail:
	ext2_free_fs(fs);
	return err;
}

int ext2_sync(struct ext2_fs *fs)
{
	int err;

	if (fs->ro)
		return 0;
	err = ext2_write_super(fs);
	for (uint32_t g = 0; !err && g < fs->groups; g++)
		err = ext2_write_group(fs, g);
	if (!err)
		err = bsync(fs->bd);
	return err;
}

int ext2_unmount(struct ext2_fs *fs)
{
	int err = 0;

	if (!fs->ro) {
		fs->sb.s_state |= EXT2_VALID_FS;
		err = ext2_sync(fs);
	}
	if (binvalidate(fs->bd) == -EBUSY)
		pr_warn("ext2 %s: buffers still in use at unmount\n",
			fs->bd->name);
	ext2_free_fs(fs);
	return err;
}

/* Whether group g holds a copy of the superblock and descriptors: every
 * group, or with sparse_super groups 0, 1 and the powers of 3, 5 and 7. */
static bool group_has_super(struct ext2_fs *fs, uint32_t g)
{
	if (g <= 1 ||
	    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	for (uint64_t b = 3; b <= 7; b += 2) {
		uint64_t n = b;
		while (n < g)
			n *= b;
		if (n == g)
			return true;
	}
	return false;
}

/* The blocks the metadata takes, which Linux's statfs leaves out of
 * f_blocks ("bsddf"): the boot block, superblock and descriptor copies
 * with the descriptor blocks reserved for growth (resize_inode), bitmaps
 * and inode tables; as the ext4 driver that mounts ext2 on current Linux
 * (Debian's) counts them; fs/ext2's own left the reserved blocks in.
 * Fixed for a mounted file system: computed once. */
static uint32_t overhead(struct ext2_fs *fs)
{
	if (fs->overhead)
		return fs->overhead;
	/* s_reserved_gdt_blocks: bytes 206-207 of the superblock, in the
	 * part kept as read (s_rest starts at 204). */
	uint32_t resv_gdt = fs->sb.s_rest[2] | (uint32_t)fs->sb.s_rest[3] << 8;
	uint64_t o = fs->first_data_block;
	for (uint32_t g = 0; g < fs->groups; g++)
		if (group_has_super(fs, g))
			o += 1 + fs->desc_blocks + resv_gdt;
	o += (uint64_t)fs->groups * (2 + fs->itable_blocks);
	fs->overhead = o < fs->blocks_count ? (uint32_t)o : 0;
	return fs->overhead;
}

void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	uint32_t free = fs->sb.s_free_blocks_count;
	uint32_t resv = fs->sb.s_r_blocks_count;

	st->block_size = fs->block_size;
	st->blocks = fs->blocks_count - overhead(fs);
	st->free_blocks = free;
	st->avail_blocks = free > resv ? free - resv : 0;
	st->inodes = fs->inodes_count;
	st->free_inodes = fs->sb.s_free_inodes_count;
	st->name_max = EXT2_NAME_LEN;
}

bool ext2_read_only(struct ext2_fs *fs)
{
	return fs->ro;
}

uint32_t ext2_block_size(struct ext2_fs *fs)
{
	return fs->block_size;
}
