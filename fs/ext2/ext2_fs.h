/* ext2's private half: the on-disk superblock and group descriptor, the
 * feature bits, struct ext2_fs (one mounted file system) and the helpers
 * the files of fs/ext2/ share. Layouts follow the ext2 specification
 * (Poirier, "The Second Extended File System"); all little-endian. */
#ifndef LIMEN_FS_EXT2_EXT2_FS_H
#define LIMEN_FS_EXT2_EXT2_FS_H

#include <fs/bcache.h>
#include <fs/blkdev.h>
#include <fs/ext2.h>
#include <types.h>

#define EXT2_SUPER_MAGIC 0xEF53
#define EXT2_SUPER_OFFSET 1024 /* bytes from the start of the device */
#define EXT2_GOOD_OLD_REV 0
#define EXT2_DYNAMIC_REV 1
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_NAME_LEN 255
#define EXT2_DIRENT_HEADER 8 /* inode, rec_len, name_len, file_type */

/* s_state */
#define EXT2_VALID_FS 0x0001
#define EXT2_ERROR_FS 0x0002

#define EXT2_FEATURE_COMPAT_DIR_PREALLOC 0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES 0x0002
#define EXT2_FEATURE_COMPAT_HAS_JOURNAL 0x0004
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE 0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020

#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR 0x0004
#define EXT2_RO_COMPAT_SUPPORTED                                               \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |                                 \
	 EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

#define EXT2_FEATURE_INCOMPAT_COMPRESSION 0x0001
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER 0x0004
#define EXT3_FEATURE_INCOMPAT_JOURNAL_DEV 0x0008
#define EXT2_FEATURE_INCOMPAT_META_BG 0x0010
#define EXT4_FEATURE_INCOMPAT_EXTENTS 0x0040
#define EXT4_FEATURE_INCOMPAT_64BIT 0x0080
#define EXT4_FEATURE_INCOMPAT_FLEX_BG 0x0200
#define EXT2_INCOMPAT_SUPPORTED EXT2_FEATURE_INCOMPAT_FILETYPE

/* i_flags */
#define EXT2_INDEX_FL 0x00001000 /* hashed directory: we drop the index */
#define EXT4_EXTENTS_FL 0x00080000

/* The extended attribute block header (i_file_acl), for its refcount. */
#define EXT2_XATTR_MAGIC 0xEA020000

struct ext2_super_block {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	uint16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* Revision 1 (EXT2_DYNAMIC_REV) only: */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_rest[820]; /* kept as read, written back unchanged */
} __packed;
STATIC_ASSERT(sizeof(struct ext2_super_block) == 1024, "ext2 superblock");
STATIC_ASSERT(__builtin_offsetof(struct ext2_super_block, s_rest) == 204,
	      "s_rest starts at byte 204 (s_reserved_gdt_blocks at 206)");

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint8_t bg_reserved[12];
} __packed;
STATIC_ASSERT(sizeof(struct ext2_group_desc) == 32, "ext2 group descriptor");
STATIC_ASSERT(sizeof(struct ext2_inode) == 128, "ext2 inode");

struct ext2_fs {
	struct blkdev *bd;
	bool ro;
	uint32_t block_size;	 /* 1024, 2048 or 4096 */
	uint32_t log_block_size; /* 10, 11 or 12 */
	uint32_t addr_per_block; /* block numbers in an indirect block */
	uint32_t blocks_count;
	uint32_t first_data_block;
	uint32_t blocks_per_group;
	uint32_t inodes_per_group;
	uint32_t inodes_count;
	uint32_t groups;
	uint32_t inode_size;
	uint32_t first_ino;
	uint32_t itable_blocks; /* per group */
	uint32_t desc_blocks;
	uint32_t overhead;	/* metadata blocks, for statfs; 0: not yet */
	bool filetype;		/* dirents carry a file type byte */
	uint64_t max_file_size; /* what the block maps (and i_blocks) allow */
	struct ext2_super_block sb; /* the primary copy; counts kept exact */
	struct ext2_group_desc *gd; /* groups entries */
	/* An ext2_iput failed since the mount: an inode in memory may differ
	 * from its disk copy, so writes that would change nothing are done
	 * anyway (ext2_write, the VFS's write_inode). */
	bool iput_failed;
};

/* super.c */
/* Seconds since 1970 for the time stamps the library sets itself. */
uint32_t ext2_now(void);
/* True if blk may hold data: inside the file system, past the superblock. */
bool ext2_block_valid(struct ext2_fs *fs, uint64_t blk);
/* bread of a block that must be valid; -EIO with a message naming what
 * (and ino, 0 if none) otherwise. */
struct buf *ext2_bread(struct ext2_fs *fs, uint64_t blk, const char *what,
		       uint32_t ino);
/* Copy the in-memory superblock / one group descriptor into the cache
 * (dirty), so any bsync writes consistent counts. */
int ext2_write_super(struct ext2_fs *fs);
int ext2_write_group(struct ext2_fs *fs, uint32_t group);
/* The first block of a group and how many blocks it has. */
uint32_t ext2_group_first_block(struct ext2_fs *fs, uint32_t group);
uint32_t ext2_group_nblocks(struct ext2_fs *fs, uint32_t group);

/* alloc.c: bitmaps and counts. */
/* A free block, preferring goal (and its group); 0 / -ENOSPC / -EIO. */
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
int ext2_bfree(struct ext2_fs *fs, uint32_t blk);
int ext2_ialloc_bit(struct ext2_fs *fs, uint32_t goal_group, bool dir,
		    uint32_t *ino);
int ext2_ifree_bit(struct ext2_fs *fs, uint32_t ino, bool dir);

/* inode.c */
bool ext2_ino_valid(struct ext2_fs *fs, uint32_t ino);
uint32_t ext2_ino_group(struct ext2_fs *fs, uint32_t ino);

/* file.c */
/* The disk block holding logical block lblk of the inode, 0 for a hole. */
int ext2_bmap(struct ext2_fs *fs, const struct ext2_inode *ei, uint64_t lblk,
	      uint32_t *pblk);
/* Same, allocating it (and any indirect block on the way) if absent;
 * *fresh says it was just allocated (its contents are not yet written).
 * Updates ei->i_block and ei->i_blocks; the caller writes ei. */
int ext2_bmap_alloc(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		    uint64_t lblk, uint32_t goal, uint32_t *pblk, bool *fresh);
/* Frees every block of the inode at or past logical block keep. */
int ext2_free_blocks_from(struct ext2_fs *fs, uint32_t ino,
			  struct ext2_inode *ei, uint64_t keep);
void ext2_set_isize(struct ext2_inode *ei, uint64_t size);

#endif
