/* ext2 directories: blocks of variable-length records (inode, rec_len,
 * name_len, file_type, name), each record checked before it is believed.
 * Lookup and iteration walk every block; adding reuses slack in a record or
 * appends a block; removing merges a record into the one before it. */
#include "ext2_fs.h"

#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

/* The bytes a record with a name of len bytes needs, rounded to 4. */
static uint32_t ext2_rec_size(uint32_t len)
{
	return (EXT2_DIRENT_HEADER + len + 3) & ~3U;
}

/* One record as found in a directory block. */
struct ext2_rec {
	uint64_t lblk;	/* the directory block */
	uint32_t off;	/* where the record starts in it */
	uint32_t prev;	/* the record before it, or UINT32_MAX if first */
	uint32_t inode; /* 0: unused */
	uint32_t rec_len;
	uint32_t name_len;
	uint8_t type;
	const char *name;
};

/* Called for every record; a nonzero return stops the walk. b may be
 * changed (and marked dirty) by the callee. */
typedef int (*ext2_rec_fn)(struct ext2_fs *fs, struct buf *b,
			   const struct ext2_rec *r, void *arg);

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static int ext2_bad_dirent(struct ext2_fs *fs, const struct ext2_rec *r,
			   const char *why)
{
	pr_err("ext2 %s: directory block %llu offset %u: %s (rec_len %u, "
	       "name_len %u, inode %u)\n",
	       fs->bd->name, (unsigned long long)r->lblk, r->off, why,
	       r->rec_len, r->name_len, r->inode);
	return -EIO;
}

/* Decodes the record at r->off of block data and checks it fits. */
static int ext2_parse_rec(struct ext2_fs *fs, const uint8_t *data,
			  struct ext2_rec *r)
{
	const uint8_t *p = data + r->off;

	r->rec_len = r->name_len = r->inode = 0;
	if (r->off + 12 > fs->block_size)
		return ext2_bad_dirent(fs, r, "record header past the block");
	r->inode = get32(p);
	r->rec_len = get16(p + 4);
	/* Without the filetype feature name_len is 16 bits. */
	r->name_len = fs->filetype ? p[6] : get16(p + 6);
	r->type = fs->filetype ? p[7] : EXT2_FT_UNKNOWN;
	r->name = (const char *)p + EXT2_DIRENT_HEADER;
	if (r->rec_len < 12 || r->rec_len % 4)
		return ext2_bad_dirent(fs, r, "bad rec_len");
	if (r->off + r->rec_len > fs->block_size)
		return ext2_bad_dirent(fs, r, "rec_len overruns the block");
	if (r->name_len + EXT2_DIRENT_HEADER > r->rec_len)
		return ext2_bad_dirent(fs, r, "name longer than its record");
	if (r->inode > fs->inodes_count)
		return ext2_bad_dirent(fs, r, "inode number out of range");
	if (r->inode && r->name_len == 0)
		return ext2_bad_dirent(fs, r, "empty name");
	return 0;
}

static int ext2_dir_blocks(struct ext2_fs *fs, const struct ext2_inode *dir,
			   uint64_t *n)
{
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	if (dir->i_size % fs->block_size) {
		pr_err("ext2 %s: directory size %u not a multiple of the block "
		       "size\n",
		       fs->bd->name, dir->i_size);
		return -EIO;
	}
	/* Directories have no holes: a size beyond the blocks counted is
	 * corruption (and would make a walk over nothing long). */
	if (dir->i_size > (uint64_t)dir->i_blocks * 512) {
		pr_err("ext2 %s: directory size %u beyond its %u sectors\n",
		       fs->bd->name, dir->i_size, dir->i_blocks);
		return -EIO;
	}
	*n = dir->i_size >> fs->log_block_size;
	return 0;
}

static struct buf *ext2_dir_bread(struct ext2_fs *fs,
				  const struct ext2_inode *dir, uint64_t lblk)
{
	uint32_t pblk;
	int err = ext2_bmap(fs, dir, lblk, &pblk);

	if (err)
		return ERR_PTR(err);
	if (!pblk) {
		pr_err("ext2 %s: hole at directory block %llu\n", fs->bd->name,
		       (unsigned long long)lblk);
		return ERR_PTR(-EIO);
	}
	return bread(fs->bd, pblk, fs->block_size);
}

/* Every record of every block, in order. Bounded: i_size is 32 bits and
 * each record is at least 12 bytes. */
static int ext2_dir_walk(struct ext2_fs *fs, const struct ext2_inode *dir,
			 ext2_rec_fn fn, void *arg)
{
	uint64_t nblocks;
	int ret = ext2_dir_blocks(fs, dir, &nblocks);

	for (uint64_t lblk = 0; !ret && lblk < nblocks; lblk++) {
		struct buf *b = ext2_dir_bread(fs, dir, lblk);
		struct ext2_rec r = {.lblk = lblk, .prev = UINT32_MAX};

		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		while (!ret && r.off < fs->block_size) {
			ret = ext2_parse_rec(fs, b->data, &r);
			if (!ret)
				ret = fn(fs, b, &r, arg);
			r.prev = r.off;
			r.off += r.rec_len;
		}
		brelse(b);
	}
	return ret;
}

static bool ext2_is_dot(const struct ext2_rec *r)
{
	return (r->name_len == 1 && r->name[0] == '.') ||
	       (r->name_len == 2 && r->name[0] == '.' && r->name[1] == '.');
}

struct ext2_iter_arg {
	ext2_dir_actor actor;
	void *arg;
};

static int ext2_iter_rec(struct ext2_fs *fs, struct buf *b,
			 const struct ext2_rec *r, void *arg)
{
	struct ext2_iter_arg *it = arg;

	(void)fs;
	(void)b;
	if (!r->inode || ext2_is_dot(r))
		return 0;
	return it->actor(it->arg, r->name, r->name_len, r->inode, r->type);
}

int ext2_dir_iterate(struct ext2_fs *fs, const struct ext2_inode *dir,
		     ext2_dir_actor actor, void *arg)
{
	struct ext2_iter_arg it = {actor, arg};

	return ext2_dir_walk(fs, dir, ext2_iter_rec, &it);
}

struct ext2_find_arg {
	const char *name;
	size_t len;
	struct ext2_rec found;
};

static int ext2_find_rec(struct ext2_fs *fs, struct buf *b,
			 const struct ext2_rec *r, void *arg)
{
	struct ext2_find_arg *f = arg;

	(void)fs;
	(void)b;
	if (!r->inode || r->name_len != f->len ||
	    memcmp(r->name, f->name, f->len) != 0)
		return 0;
	f->found = *r;
	return 1;
}

int ext2_dir_lookup(struct ext2_fs *fs, const struct ext2_inode *dir,
		    const char *name, uint32_t *ino)
{
	struct ext2_find_arg f = {.name = name, .len = strlen(name)};
	int ret;

	if (f.len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	ret = ext2_dir_walk(fs, dir, ext2_find_rec, &f);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return -ENOENT;
	*ino = f.found.inode;
	return 0;
}

static uint8_t ext2_mode_type(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT2_FT_REG_FILE;
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFCHR:
		return EXT2_FT_CHRDEV;
	case S_IFBLK:
		return EXT2_FT_BLKDEV;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	case S_IFLNK:
		return EXT2_FT_SYMLINK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

static void ext2_put_rec(struct ext2_fs *fs, uint8_t *p, uint32_t ino,
			 uint32_t rec_len, const char *name, size_t len,
			 uint16_t mode)
{
	put32(p, ino);
	put16(p + 4, rec_len);
	p[6] = (uint8_t)len;
	p[7] = fs->filetype ? ext2_mode_type(mode) : 0;
	memcpy(p + EXT2_DIRENT_HEADER, name, len);
}

struct ext2_slot_arg {
	const char *name;
	size_t len;
	uint32_t need;
	bool have_slot;
	struct ext2_rec slot;
};

/* Looks for name (-EEXIST) and remembers the first record with room. */
static int ext2_slot_rec(struct ext2_fs *fs, struct buf *b,
			 const struct ext2_rec *r, void *arg)
{
	struct ext2_slot_arg *s = arg;
	uint32_t used = r->inode ? ext2_rec_size(r->name_len) : 0;

	(void)fs;
	(void)b;
	if (r->inode && r->name_len == s->len &&
	    memcmp(r->name, s->name, s->len) == 0)
		return -EEXIST;
	if (!s->have_slot && r->rec_len >= used + s->need) {
		s->have_slot = true;
		s->slot = *r;
	}
	return 0;
}

/* Linux's ext2 drops a hashed directory's index flag when it changes the
 * directory, as it does not keep the index up to date. */
static int ext2_dir_touched(struct ext2_fs *fs, uint32_t dir_ino,
			    struct ext2_inode *dir)
{
	if (!(dir->i_flags & EXT2_INDEX_FL))
		return 0;
	dir->i_flags &= ~EXT2_INDEX_FL;
	return ext2_iput(fs, dir_ino, dir);
}

/* Puts the entry into the record s->slot (splitting it if it is in use). */
static int ext2_fill_slot(struct ext2_fs *fs, const struct ext2_inode *dir,
			  const struct ext2_slot_arg *s, uint32_t ino,
			  uint16_t mode)
{
	const struct ext2_rec *r = &s->slot;
	struct buf *b = ext2_dir_bread(fs, dir, r->lblk);
	uint8_t *p;

	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	p = b->data + r->off;
	if (r->inode) {
		uint32_t used = ext2_rec_size(r->name_len);

		put16(p + 4, used);
		ext2_put_rec(fs, p + used, ino, r->rec_len - used, s->name,
			     s->len, mode);
	} else {
		ext2_put_rec(fs, p, ino, r->rec_len, s->name, s->len, mode);
	}
	bdirty(b);
	brelse(b);
	return 0;
}

/* Appends a block holding only the new entry. */
static int ext2_dir_append(struct ext2_fs *fs, uint32_t dir_ino,
			   struct ext2_inode *dir,
			   const struct ext2_slot_arg *s, uint32_t ino,
			   uint16_t mode)
{
	uint64_t lblk = dir->i_size >> fs->log_block_size;
	uint32_t pblk;
	struct buf *b;
	bool fresh;
	int err;

	if ((uint64_t)dir->i_size + fs->block_size > 0xffffffffULL)
		return -ENOSPC;
	err = ext2_bmap_alloc(fs, dir_ino, dir, lblk, 0, &pblk, &fresh);
	if (err) {
		ext2_iput(fs, dir_ino, dir); /* i_blocks may have grown */
		return err;
	}
	b = bget_zero(fs->bd, pblk, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memset(b->data, 0, fs->block_size);
	ext2_put_rec(fs, b->data, ino, fs->block_size, s->name, s->len, mode);
	bdirty(b);
	brelse(b);
	dir->i_size += fs->block_size;
	return ext2_iput(fs, dir_ino, dir);
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dir_ino, struct ext2_inode *dir,
		 const char *name, uint32_t ino, uint16_t mode)
{
	struct ext2_slot_arg s = {.name = name, .len = strlen(name)};
	int err;

	if (fs->ro)
		return -EROFS;
	if (s.len == 0)
		return -ENOENT;
	if (s.len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (!ext2_ino_valid(fs, ino))
		return -EINVAL;
	s.need = ext2_rec_size((uint32_t)s.len);
	err = ext2_dir_walk(fs, dir, ext2_slot_rec, &s);
	if (err)
		return err;
	if (s.have_slot)
		err = ext2_fill_slot(fs, dir, &s, ino, mode);
	else
		err = ext2_dir_append(fs, dir_ino, dir, &s, ino, mode);
	return err ? err : ext2_dir_touched(fs, dir_ino, dir);
}

static int ext2_remove_rec(struct ext2_fs *fs, struct buf *b,
			   const struct ext2_rec *r, void *arg)
{
	int found = ext2_find_rec(fs, b, r, arg);

	if (!found)
		return 0;
	if (r->prev == UINT32_MAX)
		put32(b->data + r->off, 0); /* first in its block: unused */
	else
		put16(b->data + r->prev + 4, r->off - r->prev + r->rec_len);
	bdirty(b);
	return 1;
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir_ino,
		    struct ext2_inode *dir, const char *name)
{
	struct ext2_find_arg f = {.name = name, .len = strlen(name)};
	int ret;

	if (fs->ro)
		return -EROFS;
	if (f.len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if ((f.len == 1 && name[0] == '.') ||
	    (f.len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	ret = ext2_dir_walk(fs, dir, ext2_remove_rec, &f);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return -ENOENT;
	return ext2_dir_touched(fs, dir_ino, dir);
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ei,
		  uint32_t parent)
{
	uint32_t pblk;
	struct buf *b;
	bool fresh;
	int err;

	if (fs->ro)
		return -EROFS;
	if (!ext2_ino_valid(fs, parent))
		return -EINVAL;
	err = ext2_bmap_alloc(fs, ino, ei, 0, 0, &pblk, &fresh);
	if (err) {
		ext2_iput(fs, ino, ei);
		return err;
	}
	b = bget_zero(fs->bd, pblk, fs->block_size);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memset(b->data, 0, fs->block_size);
	ext2_put_rec(fs, b->data, ino, 12, ".", 1, S_IFDIR);
	ext2_put_rec(fs, b->data + 12, parent, fs->block_size - 12, "..", 2,
		     S_IFDIR);
	bdirty(b);
	brelse(b);
	ei->i_size = fs->block_size;
	return ext2_iput(fs, ino, ei);
}

int ext2_dir_set_parent(struct ext2_fs *fs, const struct ext2_inode *dir,
			uint32_t parent)
{
	struct ext2_rec dot = {.prev = UINT32_MAX}, dotdot;
	struct buf *b;
	int err;

	if (fs->ro)
		return -EROFS;
	if (!ext2_ino_valid(fs, parent))
		return -EINVAL;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	b = ext2_dir_bread(fs, dir, 0);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	err = ext2_parse_rec(fs, b->data, &dot);
	dotdot = (struct ext2_rec){.off = dot.rec_len, .prev = 0};
	if (!err && dot.off + dot.rec_len < fs->block_size)
		err = ext2_parse_rec(fs, b->data, &dotdot);
	else if (!err)
		err = ext2_bad_dirent(fs, &dot, "no \"..\" record");
	if (!err && !(dotdot.name_len == 2 && dotdot.name[0] == '.' &&
		      dotdot.name[1] == '.'))
		err =
		    ext2_bad_dirent(fs, &dotdot, "second record is not \"..\"");
	if (!err) {
		put32(b->data + dotdot.off, parent);
		bdirty(b);
	}
	brelse(b);
	return err;
}

static int ext2_empty_rec(struct ext2_fs *fs, struct buf *b,
			  const struct ext2_rec *r, void *arg)
{
	(void)fs;
	(void)b;
	(void)arg;
	return r->inode && !ext2_is_dot(r);
}

int ext2_dir_empty(struct ext2_fs *fs, const struct ext2_inode *dir)
{
	int ret = ext2_dir_walk(fs, dir, ext2_empty_rec, NULL);

	if (ret < 0)
		return ret;
	return ret == 0;
}
