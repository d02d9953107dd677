/* ext2 (revision 0 and 1) as a library over the block cache: mount checks,
 * inodes, file data through direct, indirect, double and triple indirect
 * blocks (holes read as zeros), directories with or without the filetype
 * feature, block and inode allocation with the bitmaps, the group
 * descriptors and the superblock's free counts kept right.
 *
 * It knows nothing of the VFS: fs/ext2/vfs.c connects it. It compiles for
 * the host too (tests/unit/test_ext2.c, with a file-backed block cache).
 * Nothing here locks: callers serialise all calls on one ext2_fs (the VFS
 * lock does in the kernel).
 *
 * Every value read from the disk is checked before it is used: a block
 * number outside the file system, an inode number out of range, a
 * directory record that overruns its block, a loop in the block maps or a
 * size that does not fit, all give -EIO (with a printk saying what and
 * where) rather than a crash. Mounting refuses, with a message and
 * without writing anything, a bad magic, a block size other than 1, 2 or
 * 4 KiB, inconsistent geometry, and incompatible features it does not
 * implement (journal recovery, extents, 64bit, flex_bg meta_bg,
 * compression); unknown read-only-compatible features allow only a
 * read-only mount. */
#ifndef LIMEN_FS_EXT2_H
#define LIMEN_FS_EXT2_H

#include <types.h>

struct blkdev;
struct ext2_fs; /* one mounted file system: fs/ext2/super.c */

#define EXT2_ROOT_INO 2
#define EXT2_NDIR_BLOCKS 12
#define EXT2_N_BLOCKS 15

/* The on-disk inode (its first 128 bytes; larger inodes keep the rest
 * untouched on disk). Little-endian, as x86 is. */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte units */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high; /* i_dir_acl in revision 0 */
	uint32_t i_faddr;
	uint8_t i_osd2[12]; /* Linux: frag, fsize, uid_high, gid_high, ... */
} __attribute__((packed));

/* Directory entry types (the filetype feature). */
enum {
	EXT2_FT_UNKNOWN,
	EXT2_FT_REG_FILE,
	EXT2_FT_DIR,
	EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV,
	EXT2_FT_FIFO,
	EXT2_FT_SOCK,
	EXT2_FT_SYMLINK,
};

struct ext2_statfs {
	uint32_t block_size;
	uint64_t blocks, free_blocks, avail_blocks; /* avail: minus reserved */
	uint64_t inodes, free_inodes;
	uint32_t name_max;
};

/* super.c: mount and unmount. ro: never write (not even the mount count
 * or state). On success *out is the file system; on failure a message
 * was printed and nothing was written. */
int ext2_mount(struct blkdev *bd, bool ro, struct ext2_fs **out);
/* Writes the superblock and group descriptors (state clean), syncs the
 * cache for the device, frees fs. */
int ext2_unmount(struct ext2_fs *fs);
/* Superblock and descriptors to the cache, then bsync of the device. */
int ext2_sync(struct ext2_fs *fs);
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);
bool ext2_read_only(struct ext2_fs *fs);
uint32_t ext2_block_size(struct ext2_fs *fs);

/* inode.c: inodes by number. -EIO for a number out of range. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* Whether every inode the library wrote is on disk as in memory (no
 * ext2_iput has failed since the mount). */
bool ext2_inodes_current(const struct ext2_fs *fs);
/* Size with i_size_high for regular files. */
uint64_t ext2_isize(const struct ext2_inode *ei);
/* A free inode (bitmap, group free count and used_dirs for directories,
 * superblock count), preferring dir's group; the disk inode is zeroed
 * with i_mode = mode and i_links_count 0, written. -ENOSPC if none. */
int ext2_ialloc(struct ext2_fs *fs, uint32_t dir, uint16_t mode, uint32_t *ino);
/* The inode has no links and no users any more: frees its blocks, sets
 * i_dtime, clears it in the bitmap, fixes the counts. */
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei);

/* file.c: data of regular files, directories and long symlinks. ei is
 * the caller's copy of the inode: write and truncate update it (size,
 * i_blocks, i_block[]) and write it back with ext2_iput themselves. */
long ext2_read(struct ext2_fs *fs, const struct ext2_inode *ei, void *buf,
	       size_t n, uint64_t off);
/* Allocates blocks as needed (holes stay holes); returns the bytes
 * written, or -ENOSPC/-EIO if none could be; -EFBIG beyond the largest
 * size the block maps can address. */
long ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		const void *buf, size_t n, uint64_t off);
/* Shrinks (freeing blocks, zeroing the tail of the last one) or grows
 * (a hole) to len. */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		  uint64_t len);

/* dir.c: directories. Names are not NUL-terminated on disk: len says. */
typedef int (*ext2_dir_actor)(void *arg, const char *name, size_t len,
			      uint32_t ino, uint8_t file_type);
/* Calls actor for every entry but "." and ".." in order; a nonzero
 * return from actor stops the walk and is returned. -EIO on a corrupt
 * directory (and nothing after the bad record is reported). */
int ext2_dir_iterate(struct ext2_fs *fs, const struct ext2_inode *dir,
		     ext2_dir_actor actor, void *arg);
/* 0 and *ino, or -ENOENT. */
int ext2_dir_lookup(struct ext2_fs *fs, const struct ext2_inode *dir,
		    const char *name, uint32_t *ino);
/* Adds name -> ino (mode gives the file type): uses free space in an
 * existing block or appends a block (updating and writing dir's inode).
 * Does not change ino's link count: the caller does. -EEXIST, -ENOSPC,
 * -ENAMETOOLONG. */
int ext2_dir_add(struct ext2_fs *fs, uint32_t dir_ino, struct ext2_inode *dir,
		 const char *name, uint32_t ino, uint16_t mode);
/* Removes the entry name (merging its space into the previous record).
 * -ENOENT if absent. */
int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir_ino,
		    struct ext2_inode *dir, const char *name);
/* Makes ino, a freshly allocated directory, hold "." and ".." (one
 * block); the caller sets link counts. */
int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		  uint32_t parent);
/* Points dir's ".." at parent (rename of a directory across parents). */
int ext2_dir_set_parent(struct ext2_fs *fs, const struct ext2_inode *dir,
			uint32_t parent);
/* True if dir holds only "." and "..". */
int ext2_dir_empty(struct ext2_fs *fs, const struct ext2_inode *dir);

/* symlink.c: targets up to 59 bytes live in i_block ("fast"), longer
 * ones in a data block. readlink copies at most n bytes, no NUL. */
long ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ei, char *buf,
		   size_t n);
int ext2_set_symlink(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		     const char *target, size_t len);

#endif
