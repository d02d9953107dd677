/* Host tests of the ext2 library (the fs/ext2 .c files, included directly) over
 * a file-backed block cache (bcache_host.c). Images come from mke2fs -d on a
 * temporary tree; after writing, e2fsck -fn must find them clean and
 * debugfs must read back what was written. Corrupt images (bad superblock
 * fields, out-of-range block numbers, broken directory records, unknown
 * features, random byte flips) must give a refusal or -EIO, never a
 * crash under ASan/UBSan. */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcache_host.c"

#include "../../fs/ext2/alloc.c"
#include "../../fs/ext2/dir.c"
#include "../../fs/ext2/file.c"
#include "../../fs/ext2/inode.c"
#include "../../fs/ext2/super.c"
#include "../../fs/ext2/symlink.c"

/* Shims for the kernel services the library uses. */
int64_t rtc_boot_epoch = 1700000000; /* a fixed past time: 2023 */
static int nr_errors;
static char last_err[512];

uint64_t time_ns(void)
{
	return 0;
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level <= LOGLEVEL_ERR) {
		nr_errors++;
		snprintf(last_err, sizeof(last_err), "%s", msg);
	}
	if (getenv("EXT2_TEST_VERBOSE"))
		printf("  printk(%d): %s", level, msg);
}

void *kmalloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

static char tmp[256]; /* the test's temporary directory */
static char cmd[4096];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Deterministic file contents. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 10)) ^ (i >> 3));
	return p;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, n, f) != n) {
		printf("cannot write %s\n", path);
		exit(2);
	}
	fclose(f);
}

/* ---- The source tree that mke2fs -d copies. ---- */

#define BIG_SIZE (300 * 1024 + 123) /* past 12 + 256 blocks of 1 KiB */
#define SPARSE_OFF (1024 * 1024)
#define MANY 300
static const char slow_target[] =
    "a/very/long/symbolic/link/target/that/does/not/fit/in/the/inode/"
    "block/array/so/it/needs/a/data/block/of/its/own";

static void make_tree(void)
{
	char path[512];
	uint8_t *big = pattern(BIG_SIZE, 1);

	sh("mkdir -p %s/src/sub/deeper %s/src/many", tmp, tmp);
	snprintf(path, sizeof(path), "%s/src/small.txt", tmp);
	write_file(path, "hello, ext2\n", 12);
	snprintf(path, sizeof(path), "%s/src/big", tmp);
	write_file(path, big, BIG_SIZE);
	snprintf(path, sizeof(path), "%s/src/empty", tmp);
	write_file(path, "", 0);
	snprintf(path, sizeof(path), "%s/src/sub/deeper/leaf", tmp);
	write_file(path, "leaf\n", 5);
	/* A file with a hole: 10 bytes at 1 MiB. */
	sh("printf 0123456789 | dd of=%s/src/sparse bs=1 seek=%d "
	   "conv=notrunc status=none",
	   tmp, SPARSE_OFF);
	for (int i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "%s/src/many/entry-%03d", tmp, i);
		write_file(path, path, strlen(path));
	}
	sh("ln -s small.txt %s/src/fast && ln -s %s %s/src/slow", tmp,
	   slow_target, tmp);
	free(big);
}

static const char *mke2fs_path(void)
{
	return "PATH=/sbin:/usr/sbin:$PATH mke2fs";
}

/* mke2fs -q -t ext2 opts -d src img size; 0 on success. */
static int make_image(const char *img, const char *opts, const char *size,
		      bool with_tree)
{
	char dopt[300] = "";

	if (with_tree)
		snprintf(dopt, sizeof(dopt), "-d %s/src", tmp);
	return sh("%s -q -t ext2 %s %s -F %s %s >/dev/null 2>&1", mke2fs_path(),
		  opts, dopt, img, size);
}

static int fsck_clean(const char *img)
{
	int st = sh("PATH=/sbin:/usr/sbin:$PATH e2fsck -fn %s > %s/fsck.log "
		    "2>&1",
		    img, tmp);
	if (st != 0)
		sh("cat %s/fsck.log", tmp);
	return st;
}

/* Runs debugfs -R 'cat path' and returns its output (malloc'd). */
static uint8_t *debugfs_cat(const char *img, const char *path, size_t *n)
{
	char out[512];
	FILE *f;
	uint8_t *data;
	long len;

	snprintf(out, sizeof(out), "%s/cat.out", tmp);
	if (sh("PATH=/sbin:/usr/sbin:$PATH debugfs -R 'cat %s' %s > %s "
	       "2>/dev/null",
	       path, img, out) != 0)
		return NULL;
	f = fopen(out, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)len + 1);
	*n = fread(data, 1, (size_t)len, f);
	fclose(f);
	return data;
}

/* ---- Helpers over the library. ---- */

struct mnt {
	struct blkdev *bd;
	struct ext2_fs *fs;
};

static int mnt_open(struct mnt *m, const char *img, bool ro)
{
	int err;

	m->fs = NULL;
	m->bd = host_blkdev_open(img, false);
	if (!m->bd)
		return -ENOENT;
	err = ext2_mount(m->bd, ro, &m->fs);
	if (err) {
		host_blkdev_close(m->bd);
		m->bd = NULL;
	}
	return err;
}

static int mnt_close(struct mnt *m)
{
	int err = ext2_unmount(m->fs);

	host_blkdev_close(m->bd);
	return err;
}

/* Resolves an absolute path (no symlinks). */
static int walk(struct ext2_fs *fs, const char *path, uint32_t *ino,
		struct ext2_inode *ei)
{
	char name[256];
	uint32_t cur = EXT2_ROOT_INO;
	int err = ext2_iget(fs, cur, ei);

	while (!err && *path) {
		size_t len;

		while (*path == '/')
			path++;
		len = strcspn(path, "/");
		if (!len)
			break;
		memcpy(name, path, len);
		name[len] = '\0';
		path += len;
		err = ext2_dir_lookup(fs, ei, name, &cur);
		if (!err)
			err = ext2_iget(fs, cur, ei);
	}
	*ino = cur;
	return err;
}

static bool read_equals(struct ext2_fs *fs, const char *path, const void *want,
			size_t n)
{
	struct ext2_inode ei;
	uint32_t ino;
	uint8_t *got;
	bool ok;

	if (walk(fs, path, &ino, &ei) != 0 || ext2_isize(&ei) != n)
		return false;
	got = malloc(n + 16);
	ok = ext2_read(fs, &ei, got, n + 16, 0) == (long)n &&
	     memcmp(got, want, n) == 0;
	free(got);
	return ok;
}

struct names {
	int count, dots, dirs, unknown;
	bool seen_sub, seen_fast;
};

static int count_actor(void *arg, const char *name, size_t len, uint32_t ino,
		       uint8_t type)
{
	struct names *n = arg;

	(void)ino;
	n->count++;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		n->dots++;
	if (type == EXT2_FT_DIR)
		n->dirs++;
	if (type == EXT2_FT_UNKNOWN)
		n->unknown++;
	if (len == 3 && memcmp(name, "sub", 3) == 0)
		n->seen_sub = true;
	if (len == 4 && memcmp(name, "fast", 4) == 0)
		n->seen_fast = true;
	return 0;
}

static int dir_count(struct ext2_fs *fs, const char *path)
{
	struct ext2_inode ei;
	struct names n = {0};
	uint32_t ino;
	int err = walk(fs, path, &ino, &ei);

	if (!err)
		err = ext2_dir_iterate(fs, &ei, count_actor, &n);
	return err ? err : n.count;
}

/* ---- 1. Reading images made by mke2fs. ---- */

struct variant {
	const char *name;
	const char *opts;
	bool filetype;
	bool rev0;
};

static const struct variant variants[] = {
    {"1k", "-b 1024", true, false},
    {"4k", "-b 4096", true, false},
    {"1k-nofiletype", "-b 1024 -O ^filetype", false, false},
    {"2k-nofiletype-i128", "-b 2048 -I 128 -O ^filetype", false, false},
    {"1k-rev0", "-b 1024 -r 0", false, true},
    {"4k-i128-nolargefile", "-b 4096 -I 128 -O ^large_file", true, false},
};

static void test_read(const struct variant *v)
{
	char img[300], name[128], lbl[160];
	struct mnt m;
	struct ext2_inode ei;
	struct ext2_statfs st;
	struct names n = {0};
	uint32_t ino;
	uint8_t *big = pattern(BIG_SIZE, 1), buf[200];
	long r;
	int err;

#define L(s) (snprintf(lbl, sizeof(lbl), "ext2 read %s: %s", v->name, s), lbl)
	snprintf(img, sizeof(img), "%s/read-%s.img", tmp, v->name);
	if (!CHECK(L("mke2fs"), make_image(img, v->opts, "8M", true) == 0))
		return;
	err = mnt_open(&m, img, true);
	if (!CHECK_EQ_INT(L("mount read-only"), err, 0))
		return;
	CHECK(L("rev0 inode size"),
	      !v->rev0 || (m.fs->inode_size == 128 && m.fs->first_ino == 11));
	CHECK_EQ_INT(L("filetype feature"), m.fs->filetype, v->filetype);
	CHECK(L("small.txt"),
	      read_equals(m.fs, "/small.txt", "hello, ext2\n", 12));
	CHECK(L("big file byte for byte"),
	      read_equals(m.fs, "/big", big, BIG_SIZE));
	if (m.fs->block_size == 1024) {
		walk(m.fs, "/big", &ino, &ei);
		CHECK(L("big uses the double indirect block"),
		      ei.i_block[13] != 0);
	}
	CHECK(L("empty"), read_equals(m.fs, "/empty", "", 0));
	CHECK(L("deep path"),
	      read_equals(m.fs, "/sub/deeper/leaf", "leaf\n", 5));
	/* The sparse file: zeros, then the ten bytes. */
	err = walk(m.fs, "/sparse", &ino, &ei);
	CHECK_EQ_UINT(L("sparse size"), ext2_isize(&ei), SPARSE_OFF + 10);
	r = ext2_read(m.fs, &ei, buf, 20, SPARSE_OFF - 10);
	CHECK(L("sparse hole then data"),
	      r == 20 && memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 &&
		  memcmp(buf + 10, "0123456789", 10) == 0);
	r = ext2_read(m.fs, &ei, buf, 20, SPARSE_OFF + 10);
	CHECK_EQ_INT(L("read at EOF"), r, 0);
	/* Directories. */
	ext2_iget(m.fs, EXT2_ROOT_INO, &ei);
	err = ext2_dir_iterate(m.fs, &ei, count_actor, &n);
	CHECK_EQ_INT(L("iterate root"), err, 0);
	/* small.txt big empty sparse sub many fast slow lost+found */
	CHECK_EQ_INT(L("root entries"), n.count, 9);
	CHECK_EQ_INT(L("no . or .. reported"), n.dots, 0);
	CHECK(L("sub and fast seen"), n.seen_sub && n.seen_fast);
	if (v->filetype)
		CHECK_EQ_INT(L("dir types"), n.dirs, 3);
	else
		CHECK_EQ_INT(L("types unknown"), n.unknown, 9);
	CHECK_EQ_INT(L("many entries"), dir_count(m.fs, "/many"), MANY);
	for (int i = 0; i < MANY; i += 37) {
		char want[300];

		snprintf(name, sizeof(name), "/many/entry-%03d", i);
		snprintf(want, sizeof(want), "%s/src/many/entry-%03d", tmp, i);
		CHECK(L("lookup and read in a big directory"),
		      read_equals(m.fs, name, want, strlen(want)));
	}
	err = walk(m.fs, "/many/entry-300", &ino, &ei);
	CHECK_EQ_INT(L("lookup of a missing name"), err, -ENOENT);
	err = walk(m.fs, "/sub/..", &ino, &ei);
	CHECK(L("lookup of .."), err == 0 && ino == EXT2_ROOT_INO);
	/* Symlinks. */
	walk(m.fs, "/fast", &ino, &ei);
	r = ext2_readlink(m.fs, &ei, (char *)buf, sizeof(buf));
	CHECK(L("fast symlink"),
	      r == 9 && memcmp(buf, "small.txt", 9) == 0 && ei.i_blocks == 0);
	walk(m.fs, "/slow", &ino, &ei);
	r = ext2_readlink(m.fs, &ei, (char *)buf, sizeof(buf));
	CHECK(L("slow symlink"),
	      r == (long)strlen(slow_target) &&
		  memcmp(buf, slow_target, strlen(slow_target)) == 0);
	r = ext2_readlink(m.fs, &ei, (char *)buf, 5);
	CHECK_EQ_INT(L("readlink truncates"), r, 5);
	ext2_statfs(m.fs, &st);
	CHECK(L("statfs"),
	      st.block_size == m.fs->block_size && st.free_blocks < st.blocks &&
		  st.free_inodes < st.inodes && st.name_max == 255);
	/* Read-only: writing is refused and nothing reaches the disk. */
	walk(m.fs, "/small.txt", &ino, &ei);
	CHECK_EQ_INT(L("write on a read-only mount"),
		     ext2_write(m.fs, ino, &ei, "x", 1, 0), -EROFS);
	CHECK_EQ_INT(L("no references left"), host_bc_refs, 0);
	CHECK_EQ_INT(L("unmount"), mnt_close(&m), 0);
	free(big);
#undef L
}

/* Read-only mounts must not write: counted on the device. */
static void test_ro_writes_nothing(void)
{
	char img[300];
	struct blkdev *bd;
	struct ext2_fs *fs;
	struct ext2_inode ei;
	uint8_t buf[4096];

	snprintf(img, sizeof(img), "%s/ro.img", tmp);
	make_image(img, "-b 1024", "8M", true);
	bd = host_blkdev_open(img, false);
	CHECK_EQ_INT("ext2 ro: mount", ext2_mount(bd, true, &fs), 0);
	ext2_iget(fs, EXT2_ROOT_INO, &ei);
	dir_count(fs, "/many");
	read_equals(fs, "/big", buf, 0);
	CHECK_EQ_INT("ext2 ro: unmount", ext2_unmount(fs), 0);
	CHECK_EQ_UINT("ext2 ro: nothing written", bd->writes, 0);
	host_blkdev_close(bd);
	/* A read-only device refuses a read-write mount. */
	bd = host_blkdev_open(img, true);
	CHECK_EQ_INT("ext2 ro device: rw mount refused",
		     ext2_mount(bd, false, &fs), -EROFS);
	CHECK_EQ_INT("ext2 ro device: ro mount", ext2_mount(bd, true, &fs), 0);
	ext2_unmount(fs);
	host_blkdev_close(bd);
}

/* ---- 2. Writing. ---- */

/* Creates a regular file (or other non-directory) name in dir. */
static int create(struct ext2_fs *fs, uint32_t dino, const char *name,
		  uint16_t mode, uint32_t *ino, struct ext2_inode *ei)
{
	struct ext2_inode dir;
	int err = ext2_iget(fs, dino, &dir);

	if (!err)
		err = ext2_ialloc(fs, dino, mode, ino);
	if (!err)
		err = ext2_iget(fs, *ino, ei);
	if (err)
		return err;
	ei->i_links_count = 1;
	ei->i_mtime = ei->i_ctime = ei->i_atime = ext2_now();
	err = ext2_iput(fs, *ino, ei);
	if (!err)
		err = ext2_dir_add(fs, dino, &dir, name, *ino, mode);
	return err;
}

static int make_dir(struct ext2_fs *fs, uint32_t pino, const char *name,
		    uint32_t *ino)
{
	struct ext2_inode parent, ei;
	uint16_t mode = S_IFDIR | 0755;
	int err = ext2_iget(fs, pino, &parent);

	if (!err)
		err = ext2_ialloc(fs, pino, mode, ino);
	if (!err)
		err = ext2_iget(fs, *ino, &ei);
	if (err)
		return err;
	ei.i_links_count = 2;
	ei.i_mtime = ei.i_ctime = ei.i_atime = ext2_now();
	err = ext2_dir_init(fs, *ino, &ei, pino);
	if (!err)
		err = ext2_dir_add(fs, pino, &parent, name, *ino, mode);
	if (!err) {
		parent.i_links_count++;
		err = ext2_iput(fs, pino, &parent);
	}
	return err;
}

static int unlink_file(struct ext2_fs *fs, uint32_t dino, const char *name)
{
	struct ext2_inode dir, ei;
	uint32_t ino;
	int err = ext2_iget(fs, dino, &dir);

	if (!err)
		err = ext2_dir_lookup(fs, &dir, name, &ino);
	if (!err)
		err = ext2_dir_remove(fs, dino, &dir, name);
	if (!err)
		err = ext2_iget(fs, ino, &ei);
	if (err)
		return err;
	if (--ei.i_links_count)
		return ext2_iput(fs, ino, &ei);
	return ext2_ifree(fs, ino, &ei);
}

static int remove_dir(struct ext2_fs *fs, uint32_t pino, const char *name)
{
	struct ext2_inode parent, ei;
	uint32_t ino;
	int err = ext2_iget(fs, pino, &parent);

	if (!err)
		err = ext2_dir_lookup(fs, &parent, name, &ino);
	if (!err)
		err = ext2_iget(fs, ino, &ei);
	if (err)
		return err;
	if (ext2_dir_empty(fs, &ei) != 1)
		return -ENOTEMPTY;
	err = ext2_dir_remove(fs, pino, &parent, name);
	if (err)
		return err;
	parent.i_links_count--;
	err = ext2_iput(fs, pino, &parent);
	ei.i_links_count = 0;
	return err ? err : ext2_ifree(fs, ino, &ei);
}

static void test_write(const struct variant *v)
{
	char img[300], lbl[160], name[64];
	struct mnt m;
	struct ext2_inode ei, root;
	struct ext2_statfs st0, st1;
	uint32_t ino, d1, d3, gone;
	size_t n1 = 100 * 1024 + 17, got_n;
	uint8_t *data = pattern(n1, 7), *big = pattern(2 << 20, 9), *got;
	uint8_t buf[8192];
	long r;
	int err;

#define L(s) (snprintf(lbl, sizeof(lbl), "ext2 write %s: %s", v->name, s), lbl)
	snprintf(img, sizeof(img), "%s/write-%s.img", tmp, v->name);
	char opts[200];
	snprintf(opts, sizeof(opts), "%s -N 4096", v->opts);
	if (!CHECK(L("mke2fs"), make_image(img, opts, "24M", true) == 0))
		return;
	err = mnt_open(&m, img, false);
	if (!CHECK_EQ_INT(L("mount read-write"), err, 0))
		return;
	struct ext2_fs *fs = m.fs;

	/* A file written in pieces, out of order. */
	err = create(fs, EXT2_ROOT_INO, "new.txt", S_IFREG | 0644, &ino, &ei);
	CHECK_EQ_INT(L("create"), err, 0);
	r = ext2_write(fs, ino, &ei, data + 5000, n1 - 5000, 5000);
	CHECK_EQ_INT(L("write tail"), r, (long)(n1 - 5000));
	r = ext2_write(fs, ino, &ei, data, 5000, 0);
	CHECK_EQ_INT(L("write head"), r, 5000);
	CHECK(L("read back"), read_equals(fs, "/new.txt", data, n1));
	{
		/* Past 12 blocks, one single indirect block as well. */
		uint64_t nb = (n1 + fs->block_size - 1) / fs->block_size;

		CHECK_EQ_UINT(L("i_blocks counts data and indirect blocks"),
			      ei.i_blocks,
			      (nb + (nb > 12)) * (fs->block_size / 512));
	}
	CHECK_EQ_INT(L("create again is EEXIST"),
		     (ext2_iget(fs, 2, &root),
		      ext2_dir_add(fs, 2, &root, "new.txt", ino, S_IFREG)),
		     -EEXIST);

	/* mkdir with a file in it. */
	err = make_dir(fs, EXT2_ROOT_INO, "d1", &d1);
	CHECK_EQ_INT(L("mkdir"), err, 0);
	err = create(fs, d1, "f", S_IFREG | 0600, &ino, &ei);
	r = ext2_write(fs, ino, &ei, "in d1\n", 6, 0);
	CHECK(L("file in a new directory"),
	      err == 0 && r == 6 && read_equals(fs, "/d1/f", "in d1\n", 6));
	ext2_iget(fs, d1, &ei);
	CHECK_EQ_INT(L("new directory not empty"), ext2_dir_empty(fs, &ei), 0);
	err = walk(fs, "/d1/..", &ino, &ei);
	CHECK(L("new directory's .."), err == 0 && ino == EXT2_ROOT_INO);

	/* A directory moved to another parent. */
	make_dir(fs, d1, "d3", &d3);
	ext2_iget(fs, d3, &ei);
	CHECK_EQ_INT(L("empty new directory"), ext2_dir_empty(fs, &ei), 1);
	ext2_iget(fs, EXT2_ROOT_INO, &root);
	err = ext2_dir_add(fs, EXT2_ROOT_INO, &root, "d3", d3, S_IFDIR);
	root.i_links_count++;
	ext2_iput(fs, EXT2_ROOT_INO, &root);
	{
		struct ext2_inode p;

		ext2_iget(fs, d1, &p);
		if (!err)
			err = ext2_dir_remove(fs, d1, &p, "d3");
		p.i_links_count--;
		ext2_iput(fs, d1, &p);
	}
	if (!err)
		err = ext2_dir_set_parent(fs, &ei, EXT2_ROOT_INO);
	CHECK(L("rename a directory"),
	      err == 0 && walk(fs, "/d3/..", &ino, &ei) == 0 &&
		  ino == EXT2_ROOT_INO &&
		  walk(fs, "/d1/d3", &ino, &ei) == -ENOENT);

	/* Truncate: shrink frees blocks and zeroes the tail; grow is a
	 * hole. */
	ext2_statfs(fs, &st0);
	create(fs, EXT2_ROOT_INO, "trunc", S_IFREG | 0644, &ino, &ei);
	r = ext2_write(fs, ino, &ei, big, 2 << 20, 0);
	CHECK_EQ_INT(L("write 2 MiB"), r, 2 << 20);
	err = ext2_truncate(fs, ino, &ei, 5000);
	CHECK_EQ_INT(L("truncate shrink"), err, 0);
	ext2_statfs(fs, &st1);
	CHECK_EQ_UINT(L("shrink freed the blocks"),
		      st0.free_blocks - st1.free_blocks,
		      (5000 + fs->block_size - 1) / fs->block_size);
	err = ext2_truncate(fs, ino, &ei, 100000);
	r = ext2_read(fs, &ei, buf, 8192, 0);
	{
		bool zeros = true;

		for (int i = 5000; i < 8192; i++)
			zeros &= buf[i] == 0;
		CHECK(L("truncate grow reads zeros past the old end"),
		      err == 0 && r == 8192 && memcmp(buf, big, 5000) == 0 &&
			  zeros && ext2_isize(&ei) == 100000);
	}

	/* Unlink gives back every block and the inode. */
	ext2_statfs(fs, &st0);
	create(fs, EXT2_ROOT_INO, "gone", S_IFREG | 0644, &gone, &ei);
	ext2_write(fs, gone, &ei, big, 1 << 20, 0);
	ext2_write(fs, gone, &ei, "z", 1, 7 << 20); /* double indirect */
	err = unlink_file(fs, EXT2_ROOT_INO, "gone");
	ext2_statfs(fs, &st1);
	CHECK(L("unlink frees blocks and inode"),
	      err == 0 && st0.free_blocks == st1.free_blocks &&
		  st0.free_inodes == st1.free_inodes);
	CHECK_EQ_INT(L("unlinked name is gone"), walk(fs, "/gone", &ino, &ei),
		     -ENOENT);

	/* rmdir. */
	make_dir(fs, EXT2_ROOT_INO, "d2", &ino);
	create(fs, ino, "x", S_IFREG | 0644, &ino, &ei);
	CHECK_EQ_INT(L("rmdir of a non-empty directory"),
		     remove_dir(fs, EXT2_ROOT_INO, "d2"), -ENOTEMPTY);
	walk(fs, "/d2", &ino, &ei);
	unlink_file(fs, ino, "x");
	CHECK_EQ_INT(L("rmdir"), remove_dir(fs, EXT2_ROOT_INO, "d2"), 0);

	/* Symlinks. */
	create(fs, EXT2_ROOT_INO, "ln-fast", S_IFLNK | 0777, &ino, &ei);
	err = ext2_set_symlink(fs, ino, &ei, "new.txt", 7);
	r = ext2_readlink(fs, &ei, (char *)buf, sizeof(buf));
	CHECK(L("fast symlink"), err == 0 && r == 7 && ei.i_blocks == 0 &&
				     memcmp(buf, "new.txt", 7) == 0);
	create(fs, EXT2_ROOT_INO, "ln-slow", S_IFLNK | 0777, &ino, &ei);
	err = ext2_set_symlink(fs, ino, &ei, slow_target, strlen(slow_target));
	r = ext2_readlink(fs, &ei, (char *)buf, sizeof(buf));
	CHECK(L("slow symlink"), err == 0 && r == (long)strlen(slow_target) &&
				     ei.i_blocks &&
				     memcmp(buf, slow_target, (size_t)r) == 0);

	/* 2000 entries in one directory, some removed and re-added. */
	make_dir(fs, EXT2_ROOT_INO, "big-dir", &d1);
	err = 0;
	for (int i = 0; i < 2000 && !err; i++) {
		snprintf(name, sizeof(name), "file-number-%04d", i);
		err = create(fs, d1, name, S_IFREG | 0644, &ino, &ei);
	}
	CHECK_EQ_INT(L("2000 creates"), err, 0);
	for (int i = 0; i < 2000 && !err; i += 3) {
		snprintf(name, sizeof(name), "file-number-%04d", i);
		err = unlink_file(fs, d1, name);
	}
	CHECK_EQ_INT(L("667 unlinks"), err, 0);
	for (int i = 0; i < 100 && !err; i++) {
		snprintf(name, sizeof(name), "re-%d", i);
		err = create(fs, d1, name, S_IFREG | 0644, &ino, &ei);
	}
	CHECK_EQ_INT(L("re-add into the freed records"), err, 0);
	CHECK_EQ_INT(L("entry count"), dir_count(fs, "/big-dir"),
		     2000 - 667 + 100);
	{
		int found = 0;
		for (int i = 0; i < 2000; i++) {
			snprintf(name, sizeof(name),
				 "/big-dir/file-number-%04d", i);
			found += walk(fs, name, &ino, &ei) == 0;
		}
		CHECK_EQ_INT(L("lookups in the big directory"), found,
			     2000 - 667);
	}

	/* A sparse file past 2 GiB (revision 0 cannot have one). */
	create(fs, EXT2_ROOT_INO, "huge", S_IFREG | 0644, &ino, &ei);
	r = ext2_write(fs, ino, &ei, "Q", 1, 3ULL << 30);
	if (v->rev0) {
		CHECK_EQ_INT(L("rev 0: no file past 2 GiB"), r, -EFBIG);
	} else {
		CHECK_EQ_INT(L("write 1 byte at 3 GiB"), r, 1);
		CHECK_EQ_UINT(L("size past 2 GiB"), ext2_isize(&ei),
			      (3ULL << 30) + 1);
		buf[0] = 0;
		r = ext2_read(fs, &ei, buf, 10, 3ULL << 30);
		CHECK(L("read it back"), r == 1 && buf[0] == 'Q');
		buf[0] = 1;
		r = ext2_read(fs, &ei, buf, 1, 1ULL << 30);
		CHECK(L("hole before it"), r == 1 && buf[0] == 0);
		CHECK_EQ_INT(
		    L("write past the largest file is EFBIG"),
		    ext2_write(fs, ino, &ei, "x", 1, fs->max_file_size),
		    -EFBIG);
		CHECK_EQ_INT(L("truncate past the largest file is EFBIG"),
			     ext2_truncate(fs, ino, &ei, fs->max_file_size + 1),
			     -EFBIG);
		CHECK(L("large_file feature set"),
		      fs->sb.s_feature_ro_compat &
			  EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
	}
	CHECK_EQ_INT(L("no references left"), host_bc_refs, 0);
	CHECK_EQ_INT(L("unmount"), mnt_close(&m), 0);
	CHECK_EQ_INT(L("e2fsck -fn clean"), fsck_clean(img), 0);
	got = debugfs_cat(img, "/new.txt", &got_n);
	CHECK(L("debugfs reads new.txt"),
	      got && got_n == n1 && memcmp(got, data, n1) == 0);
	free(got);
	got = debugfs_cat(img, "/d1/f", &got_n);
	CHECK(L("debugfs reads d1/f"),
	      got && got_n == 6 && memcmp(got, "in d1\n", 6) == 0);
	free(got);
	if (!v->rev0)
		CHECK_EQ_INT(L("debugfs sees the size past 2 GiB"),
			     sh("PATH=/sbin:/usr/sbin:$PATH debugfs -R 'stat "
				"/huge' %s 2>/dev/null | grep -q 'Size: "
				"3221225473'",
				img),
			     0);
	got = debugfs_cat(img, "/trunc", &got_n);
	CHECK(L("debugfs reads the truncated file"),
	      got && got_n == 100000 && memcmp(got, big, 5000) == 0);
	free(got);
	/* Mounted again, our own code finds everything. */
	err = mnt_open(&m, img, true);
	CHECK(L("remount reads back"),
	      err == 0 && read_equals(m.fs, "/new.txt", data, n1) &&
		  dir_count(m.fs, "/big-dir") == 2000 - 667 + 100);
	if (!err)
		mnt_close(&m);
	free(data);
	free(big);
#undef L
}

/* A hashed directory (e2fsck -D indexes it): changing it drops the index
 * flag, as Linux's ext2 does, and e2fsck still finds it right. */
static void test_htree(void)
{
	char img[300];
	struct mnt m;
	struct ext2_inode ei;
	uint32_t dino, ino;
	char name[64];
	int err = 0;

	snprintf(img, sizeof(img), "%s/htree.img", tmp);
	make_image(img, "-b 1024", "8M", true);
	sh("PATH=/sbin:/usr/sbin:$PATH e2fsck -fyD %s >/dev/null 2>&1", img);
	if (!CHECK_EQ_INT("ext2 htree: mount", mnt_open(&m, img, false), 0))
		return;
	walk(m.fs, "/many", &dino, &ei);
	CHECK("ext2 htree: e2fsck -D indexed the directory",
	      ei.i_flags & EXT2_INDEX_FL);
	CHECK_EQ_INT("ext2 htree: iterate an indexed directory",
		     dir_count(m.fs, "/many"), MANY);
	for (int i = 0; i < 60 && !err; i++) {
		snprintf(name, sizeof(name), "added-%d", i);
		err = create(m.fs, dino, name, S_IFREG | 0644, &ino, &ei);
	}
	for (int i = 0; i < MANY && !err; i += 7) {
		snprintf(name, sizeof(name), "entry-%03d", i);
		err = unlink_file(m.fs, dino, name);
	}
	CHECK_EQ_INT("ext2 htree: add and remove", err, 0);
	ext2_iget(m.fs, dino, &ei);
	CHECK("ext2 htree: index flag dropped", !(ei.i_flags & EXT2_INDEX_FL));
	CHECK_EQ_INT("ext2 htree: entries", dir_count(m.fs, "/many"),
		     MANY + 60 - (MANY + 6) / 7);
	CHECK_EQ_INT("ext2 htree: unmount", mnt_close(&m), 0);
	CHECK_EQ_INT("ext2 htree: e2fsck -fn clean", fsck_clean(img), 0);
}

/* Fills a small file system until -ENOSPC, then gives it all back. */
static void test_enospc(const char *opts, const char *label)
{
	char img[300], lbl[160];
	struct mnt m;
	struct ext2_inode ei;
	struct ext2_statfs st0, st1;
	uint32_t ino, inos[64];
	uint8_t *chunk = pattern(64 * 1024, 3);
	uint64_t total = 0;
	long r = 0;
	int err, k = 0;

#define L(s) (snprintf(lbl, sizeof(lbl), "ext2 enospc %s: %s", label, s), lbl)
	snprintf(img, sizeof(img), "%s/full-%s.img", tmp, label);
	if (!CHECK(L("mke2fs"), make_image(img, opts, "2M", false) == 0))
		return;
	if (!CHECK_EQ_INT(L("mount"), mnt_open(&m, img, false), 0))
		return;
	ext2_statfs(m.fs, &st0);
	err = create(m.fs, EXT2_ROOT_INO, "fill", S_IFREG | 0644, &ino, &ei);
	while (err == 0 && (r = ext2_write(m.fs, ino, &ei, chunk, 64 * 1024,
					   total)) == 64 * 1024)
		total += (uint64_t)r;
	if (r > 0) {
		total += (uint64_t)r;
		r = ext2_write(m.fs, ino, &ei, chunk, 64 * 1024, total);
	}
	ext2_statfs(m.fs, &st1);
	CHECK(L("write ends in ENOSPC"), err == 0 && r == -ENOSPC);
	CHECK_EQ_UINT(L("no free block left"), st1.free_blocks, 0);
	CHECK_EQ_UINT(L("size is what was written"), ext2_isize(&ei), total);
	CHECK_EQ_UINT(L("i_blocks is every block used"), ei.i_blocks,
		      st0.free_blocks * (m.fs->block_size / 512));
	/* Directory growth fails cleanly too. */
	for (int i = 0; i < 200 && !err; i++) {
		char name[64];
		snprintf(name, sizeof(name), "a-rather-long-file-name-%04d", i);
		err = create(m.fs, EXT2_ROOT_INO, name, S_IFREG | 0644,
			     &inos[0], &ei);
		if (!err)
			err = unlink_file(m.fs, EXT2_ROOT_INO, name) ?: 0;
	}
	CHECK_EQ_INT(L("create while full still works or says ENOSPC"),
		     err == 0 || err == -ENOSPC, 1);
	CHECK_EQ_INT(L("unlink the big file"),
		     unlink_file(m.fs, EXT2_ROOT_INO, "fill"), 0);
	/* Inodes run out too. */
	while (k < 64 &&
	       (err = ext2_ialloc(m.fs, EXT2_ROOT_INO, S_IFREG, &inos[k])) == 0)
		k++;
	CHECK(L("ialloc ends in ENOSPC"), err == -ENOSPC && k > 0);
	for (int i = 0; i < k; i++) {
		ext2_iget(m.fs, inos[i], &ei);
		ext2_ifree(m.fs, inos[i], &ei);
	}
	ext2_statfs(m.fs, &st1);
	CHECK(L("everything given back"),
	      st1.free_blocks == st0.free_blocks &&
		  st1.free_inodes == st0.free_inodes);
	CHECK_EQ_INT(L("unmount"), mnt_close(&m), 0);
	CHECK_EQ_INT(L("e2fsck -fn clean"), fsck_clean(img), 0);
	free(chunk);
#undef L
}

/* ---- 3. Corruption. ---- */

static void patch(const char *img, uint64_t off, const void *p, size_t n)
{
	FILE *f = fopen(img, "r+b");

	fseeko(f, (off_t)off, SEEK_SET);
	fwrite(p, 1, n, f);
	fclose(f);
}

static void patch32(const char *img, uint64_t off, uint32_t v)
{
	patch(img, off, &v, 4);
}

static void patch16(const char *img, uint64_t off, uint16_t v)
{
	patch(img, off, &v, 2);
}

static uint32_t peek32(const char *img, uint64_t off)
{
	uint32_t v = 0;
	FILE *f = fopen(img, "rb");

	fseeko(f, (off_t)off, SEEK_SET);
	if (fread(&v, 1, 4, f) != 4)
		v = 0;
	fclose(f);
	return v;
}

static char corrupt_img[300], base_img[300];

static void fresh_copy(void)
{
	sh("cp %s %s", base_img, corrupt_img);
}

/* Mount must fail, print an error naming the problem, and write nothing. */
static void expect_refused(const char *name, bool ro, const char *needle)
{
	struct blkdev *bd = host_blkdev_open(corrupt_img, false);
	struct ext2_fs *fs = NULL;
	int before = nr_errors, err = ext2_mount(bd, ro, &fs);
	char why[700];

	if (!err)
		ext2_unmount(fs);
	snprintf(why, sizeof(why), "mount returned %d, message \"%s\"", err,
		 nr_errors > before ? last_err : "");
	unit_report(err < 0 && nr_errors > before && strstr(last_err, needle) &&
			bd->writes == 0,
		    name, __FILE__, __LINE__, why);
	host_blkdev_close(bd);
}

#define SB 1024 /* the superblock's byte offset */

/* The byte offset of inode ino's on-disk copy. */
static uint64_t inode_off(struct ext2_fs *fs, uint32_t ino)
{
	uint32_t g = (ino - 1) / fs->inodes_per_group;
	uint32_t i = (ino - 1) % fs->inodes_per_group;

	return (uint64_t)fs->gd[g].bg_inode_table * fs->block_size +
	       (uint64_t)i * fs->inode_size;
}

static void test_corrupt_super(void)
{
	uint32_t v;

	fresh_copy();
	patch16(corrupt_img, SB + 56, 0x1234);
	expect_refused("ext2 corrupt: bad magic", true, "magic");
	fresh_copy();
	patch32(corrupt_img, SB + 24, 7);
	expect_refused("ext2 corrupt: s_log_block_size 7", true, "block size");
	fresh_copy();
	patch32(corrupt_img, SB + 32, 0); /* blocks per group */
	expect_refused("ext2 corrupt: zero blocks per group", true, "geometry");
	fresh_copy();
	patch32(corrupt_img, SB + 40, 0); /* inodes per group */
	expect_refused("ext2 corrupt: zero inodes per group", true, "geometry");
	fresh_copy();
	patch32(corrupt_img, SB + 4, 0x7fffffff); /* blocks count */
	expect_refused("ext2 corrupt: more blocks than the device", true,
		       "fit");
	fresh_copy();
	patch32(corrupt_img, SB + 20, 0); /* first data block with 1 KiB */
	expect_refused("ext2 corrupt: first data block", true, "first data");
	fresh_copy();
	patch32(corrupt_img, SB + 76, 5); /* revision */
	expect_refused("ext2 corrupt: revision 5", true, "revision");
	fresh_copy();
	patch16(corrupt_img, SB + 88, 100); /* inode size */
	expect_refused("ext2 corrupt: inode size 100", true, "inode size");
	fresh_copy();
	v = peek32(corrupt_img, SB + 96);
	patch32(corrupt_img, SB + 96, v | EXT4_FEATURE_INCOMPAT_EXTENTS);
	expect_refused("ext2 corrupt: extents refused", true, "extents");
	fresh_copy();
	patch32(corrupt_img, SB + 96, v | EXT3_FEATURE_INCOMPAT_RECOVER);
	expect_refused("ext2 corrupt: needs recovery refused", true, "recover");
	fresh_copy();
	patch32(corrupt_img, SB + 96, v | EXT4_FEATURE_INCOMPAT_64BIT);
	expect_refused("ext2 corrupt: 64bit refused", true, "64bit");
	fresh_copy();
	v = peek32(corrupt_img, SB + 92);
	patch32(corrupt_img, SB + 92, v | EXT2_FEATURE_COMPAT_HAS_JOURNAL);
	expect_refused("ext2 corrupt: has_journal refused", true, "journal");
	fresh_copy();
	v = peek32(corrupt_img, SB + 100);
	patch32(corrupt_img, SB + 100, v | 0x8); /* unknown ro_compat */
	expect_refused("ext2 corrupt: unknown ro_compat refuses rw", false,
		       "read-only");
	{
		struct mnt m;
		int err = mnt_open(&m, corrupt_img, true);

		CHECK_EQ_INT("ext2 corrupt: unknown ro_compat allows ro", err,
			     0);
		if (!err)
			mnt_close(&m);
	}
	/* Group descriptor 0 (block 2 with 1 KiB blocks). */
	fresh_copy();
	patch32(corrupt_img, 2048 + 8, 999999); /* inode table */
	expect_refused("ext2 corrupt: inode table out of range", true,
		       "outside");
	fresh_copy();
	patch32(corrupt_img, 2048 + 0, 0); /* block bitmap */
	expect_refused("ext2 corrupt: block bitmap at block 0", true,
		       "outside");
	fresh_copy();
	patch16(corrupt_img, 2048 + 14, 60000); /* free inodes */
	expect_refused("ext2 corrupt: impossible group counts", true, "counts");
}

/* Mounts corrupt_img read-write; the inode of path and its offset. */
static int open_at(struct mnt *m, const char *path, uint32_t *ino,
		   struct ext2_inode *ei)
{
	int err = mnt_open(m, corrupt_img, false);

	if (!err)
		err = walk(m->fs, path, ino, ei);
	return err;
}

static void expect_eio(const char *name, long got, int before,
		       const char *needle)
{
	char why[700];

	snprintf(why, sizeof(why), "returned %ld, message \"%s\"", got,
		 nr_errors > before ? last_err : "");
	unit_report(got == -EIO && nr_errors > before &&
			strstr(last_err, needle),
		    name, __FILE__, __LINE__, why);
}

static void test_corrupt_files(void)
{
	struct mnt m;
	struct ext2_inode ei;
	uint32_t ino, ind;
	uint64_t off;
	uint8_t buf[2048];
	int before;

	/* An out-of-range block in i_block. */
	fresh_copy();
	open_at(&m, "/small.txt", &ino, &ei);
	off = inode_off(m.fs, ino);
	mnt_close(&m);
	patch32(corrupt_img, off + 40, 0x0fffffff); /* i_block[0] */
	open_at(&m, "/small.txt", &ino, &ei);
	before = nr_errors;
	expect_eio("ext2 corrupt: data block out of range",
		   ext2_read(m.fs, &ei, buf, 12, 0), before, "out of range");
	before = nr_errors;
	expect_eio("ext2 corrupt: truncate of a bad block",
		   ext2_truncate(m.fs, ino, &ei, 0), before, "out of range");
	mnt_close(&m);

	/* An out-of-range block in an indirect block, then the indirect
	 * block itself out of range. */
	fresh_copy();
	open_at(&m, "/big", &ino, &ei);
	off = inode_off(m.fs, ino);
	ind = ei.i_block[12];
	mnt_close(&m);
	patch32(corrupt_img, (uint64_t)ind * 1024 + 8, 0x7fffffff);
	open_at(&m, "/big", &ino, &ei);
	CHECK_EQ_INT("ext2 corrupt: blocks before the bad one read",
		     ext2_read(m.fs, &ei, buf, 1024, 13 * 1024), 1024);
	before = nr_errors;
	expect_eio("ext2 corrupt: bad block in an indirect block",
		   ext2_read(m.fs, &ei, buf, 1024, 14 * 1024), before,
		   "out of range");
	before = nr_errors;
	expect_eio("ext2 corrupt: truncate through a bad indirect entry",
		   ext2_truncate(m.fs, ino, &ei, 0), before, "out of range");
	mnt_close(&m);
	fresh_copy();
	patch32(corrupt_img, off + 40 + 12 * 4, 0xfffffff0);
	open_at(&m, "/big", &ino, &ei);
	before = nr_errors;
	expect_eio("ext2 corrupt: indirect block out of range",
		   ext2_read(m.fs, &ei, buf, 1024, 12 * 1024), before,
		   "out of range");
	before = nr_errors;
	expect_eio("ext2 corrupt: write through a bad indirect block",
		   ext2_write(m.fs, ino, &ei, "x", 1, 20 * 1024), before,
		   "out of range");
	mnt_close(&m);

	/* A loop: the indirect block names itself. Freeing it twice must be
	 * caught. */
	fresh_copy();
	patch32(corrupt_img, (uint64_t)ind * 1024, ind);
	open_at(&m, "/big", &ino, &ei);
	CHECK_EQ_INT("ext2 corrupt: self-referencing indirect block reads",
		     ext2_read(m.fs, &ei, buf, 1024, 12 * 1024), 1024);
	before = nr_errors;
	expect_eio("ext2 corrupt: truncate of a self-referencing block",
		   ext2_truncate(m.fs, ino, &ei, 0), before, "free");
	mnt_close(&m);

	/* An absurd size. */
	fresh_copy();
	open_at(&m, "/small.txt", &ino, &ei);
	off = inode_off(m.fs, ino);
	mnt_close(&m);
	patch32(corrupt_img, off + 108, 0xffffffff); /* i_size_high */
	open_at(&m, "/small.txt", &ino, &ei);
	before = nr_errors;
	expect_eio("ext2 corrupt: absurd i_size",
		   ext2_read(m.fs, &ei, buf, 12, 0), before, "size");
	mnt_close(&m);

	/* Inode numbers out of range. */
	fresh_copy();
	mnt_open(&m, corrupt_img, true);
	before = nr_errors;
	expect_eio("ext2 corrupt: inode 0", ext2_iget(m.fs, 0, &ei), before,
		   "out of range");
	before = nr_errors;
	expect_eio("ext2 corrupt: inode past the end",
		   ext2_iget(m.fs, m.fs->inodes_count + 1, &ei), before,
		   "out of range");
	mnt_close(&m);
}

/* Each directory record corruption is caught by iterate and lookup. */
static void corrupt_dirent(const char *name, uint32_t rec_off, uint32_t field,
			   uint32_t value, int width)
{
	struct mnt m;
	struct ext2_inode root;
	struct names n = {0};
	uint32_t ino, blk;
	char lbl[200];
	int before;

	fresh_copy();
	mnt_open(&m, corrupt_img, true);
	ext2_iget(m.fs, EXT2_ROOT_INO, &root);
	blk = root.i_block[0];
	mnt_close(&m);
	if (width == 2)
		patch16(corrupt_img, (uint64_t)blk * 1024 + rec_off + field,
			(uint16_t)value);
	else if (width == 1)
		patch(corrupt_img, (uint64_t)blk * 1024 + rec_off + field,
		      &value, 1);
	else
		patch32(corrupt_img, (uint64_t)blk * 1024 + rec_off + field,
			value);
	mnt_open(&m, corrupt_img, false);
	ext2_iget(m.fs, EXT2_ROOT_INO, &root);
	before = nr_errors;
	snprintf(lbl, sizeof(lbl), "ext2 corrupt dirent %s: iterate", name);
	expect_eio(lbl, ext2_dir_iterate(m.fs, &root, count_actor, &n), before,
		   "directory block");
	before = nr_errors;
	snprintf(lbl, sizeof(lbl), "ext2 corrupt dirent %s: lookup", name);
	expect_eio(lbl, ext2_dir_lookup(m.fs, &root, "zzz", &ino), before,
		   "directory block");
	before = nr_errors;
	snprintf(lbl, sizeof(lbl), "ext2 corrupt dirent %s: add", name);
	expect_eio(lbl,
		   ext2_dir_add(m.fs, EXT2_ROOT_INO, &root, "zzz", 12, S_IFREG),
		   before, "directory block");
	mnt_close(&m);
}

static void test_corrupt_dirs(void)
{
	struct mnt m;
	struct ext2_inode ei;
	uint32_t ino;
	uint64_t off;
	int before;

	/* "." is at 0 and ".." at 12 in the root's first block. */
	corrupt_dirent("rec_len 0", 0, 4, 0, 2);
	corrupt_dirent("rec_len 8", 0, 4, 8, 2);
	corrupt_dirent("rec_len unaligned", 0, 4, 14, 2);
	corrupt_dirent("rec_len past the block", 12, 4, 2000, 2);
	corrupt_dirent("name_len over rec_len", 0, 6, 200, 1);
	corrupt_dirent("inode out of range", 12, 0, 0x0fffffff, 4);

	/* A directory whose size is not whole blocks. */
	fresh_copy();
	open_at(&m, "/sub", &ino, &ei);
	off = inode_off(m.fs, ino);
	mnt_close(&m);
	patch32(corrupt_img, off + 4, 1000);
	open_at(&m, "/sub", &ino, &ei);
	before = nr_errors;
	expect_eio("ext2 corrupt: directory size", ext2_dir_empty(m.fs, &ei),
		   before, "multiple");
	mnt_close(&m);

	/* A hole in a directory. */
	fresh_copy();
	patch32(corrupt_img, off + 40, 0);
	open_at(&m, "/", &ino, &ei);
	ext2_iget(m.fs, ino, &ei);
	mnt_close(&m);
	mnt_open(&m, corrupt_img, true);
	ext2_iget(m.fs, EXT2_ROOT_INO, &ei);
	before = nr_errors;
	{
		uint32_t x;
		expect_eio("ext2 corrupt: directory hole",
			   walk(m.fs, "/sub/deeper", &x, &ei), before, "hole");
	}
	mnt_close(&m);
}

/* Random byte flips in the metadata blocks: whatever mounts is walked
 * (bounded) and read; nothing may crash or leak a buffer reference. */
static int fuzz_budget;

static void fuzz_walk(struct ext2_fs *fs, uint32_t dino, int depth);

struct fuzz_ctx {
	struct ext2_fs *fs;
	int depth;
	uint32_t inos[64];
	int n;
};

static int fuzz_actor(void *arg, const char *name, size_t len, uint32_t ino,
		      uint8_t type)
{
	struct fuzz_ctx *c = arg;

	(void)name;
	(void)len;
	(void)type;
	if (c->n < 64)
		c->inos[c->n++] = ino;
	return --fuzz_budget <= 0;
}

static void fuzz_walk(struct ext2_fs *fs, uint32_t dino, int depth)
{
	struct ext2_inode ei;
	struct fuzz_ctx c = {.fs = fs, .depth = depth};
	static uint8_t buf[8192];

	if (depth > 6 || fuzz_budget <= 0 || ext2_iget(fs, dino, &ei))
		return;
	if (ext2_dir_iterate(fs, &ei, fuzz_actor, &c) < 0)
		return;
	for (int i = 0; i < c.n; i++) {
		struct ext2_inode ci;

		if (ext2_iget(fs, c.inos[i], &ci))
			continue;
		if (S_ISDIR(ci.i_mode))
			fuzz_walk(fs, c.inos[i], depth + 1);
		else if (S_ISLNK(ci.i_mode))
			ext2_readlink(fs, &ci, (char *)buf, sizeof(buf));
		else
			ext2_read(fs, &ci, buf, sizeof(buf),
				  rng() % (ext2_isize(&ci) + 1));
	}
}

/* Where the metadata worth corrupting is in base_img: the superblock,
 * group descriptors, bitmaps, the first inodes and directory blocks. */
struct fuzz_area {
	uint64_t off, len;
};
static struct fuzz_area fuzz_areas[8];
static int nr_fuzz_areas;

static void fuzz_add_dir(struct ext2_fs *fs, const char *path)
{
	struct ext2_inode ei;
	uint32_t ino;

	if (walk(fs, path, &ino, &ei) == 0 && nr_fuzz_areas < 8)
		fuzz_areas[nr_fuzz_areas++] = (struct fuzz_area){
		    (uint64_t)ei.i_block[0] * fs->block_size, fs->block_size};
}

static void fuzz_layout(void)
{
	struct mnt m;
	const struct ext2_group_desc *d;

	mnt_open(&m, base_img, true);
	d = &m.fs->gd[0];
	fuzz_areas[0] = (struct fuzz_area){1024, 1024 + 1024}; /* sb, gd */
	fuzz_areas[1] =
	    (struct fuzz_area){(uint64_t)d->bg_block_bitmap * 1024, 1024};
	fuzz_areas[2] =
	    (struct fuzz_area){(uint64_t)d->bg_inode_bitmap * 1024, 1024};
	/* The first 32 inodes: root, lost+found and the tree's. */
	fuzz_areas[3] =
	    (struct fuzz_area){inode_off(m.fs, 1), 32 * m.fs->inode_size};
	nr_fuzz_areas = 4;
	fuzz_add_dir(m.fs, "/");
	fuzz_add_dir(m.fs, "/sub");
	fuzz_add_dir(m.fs, "/many");
	mnt_close(&m);
}

static void test_fuzz(void)
{
	int mounted = 0, errors_before = nr_errors, rounds = 400;
	uint32_t ino;
	struct ext2_inode ei;

	/* EXT2_FUZZ_SEED and EXT2_FUZZ_ROUNDS explore further by hand. */
	if (getenv("EXT2_FUZZ_SEED"))
		rng_state = strtoull(getenv("EXT2_FUZZ_SEED"), NULL, 0) *
				0x9e3779b97f4a7c15ULL +
			    1;
	if (getenv("EXT2_FUZZ_ROUNDS"))
		rounds = atoi(getenv("EXT2_FUZZ_ROUNDS"));
	fuzz_layout();
	for (int round = 0; round < rounds; round++) {
		struct mnt m;
		int flips = 1 + (int)(rng() % 12);

		fresh_copy();
		for (int i = 0; i < flips; i++) {
			/* Mostly inodes and directories: a bad superblock
			 * just stops the mount. */
			int a = (int)(rng() % (uint64_t)(nr_fuzz_areas + 4));
			const struct fuzz_area *fa =
			    &fuzz_areas[a < 3 ? a
					      : 3 + a % (nr_fuzz_areas - 3)];
			uint64_t off = fa->off + rng() % fa->len;
			uint8_t byte = (uint8_t)rng();

			patch(corrupt_img, off, &byte, 1);
		}
		if (mnt_open(&m, corrupt_img, round % 2) != 0)
			continue;
		mounted++;
		fuzz_budget = 2000;
		fuzz_walk(m.fs, EXT2_ROOT_INO, 0);
		if (round % 2 == 0) {
			/* Writes on a corrupt image: errors are fine. */
			if (create(m.fs, EXT2_ROOT_INO, "fz", S_IFREG | 0644,
				   &ino, &ei) == 0)
				ext2_write(m.fs, ino, &ei, "data", 4, 5000);
			unlink_file(m.fs, EXT2_ROOT_INO, "big");
		}
		if (host_bc_refs != 0)
			break;
		mnt_close(&m);
	}
	CHECK_EQ_INT("ext2 fuzz: no buffer reference leaked", host_bc_refs, 0);
	CHECK("ext2 fuzz: some corrupt images mounted and were walked",
	      mounted > 0);
	printf("ext2 fuzz: %d of %d corrupt images mounted, %d errors "
	       "reported\n",
	       mounted, rounds, nr_errors - errors_before);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "%s/limen-ext2-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	if (sh("PATH=/sbin:/usr/sbin:$PATH command -v mke2fs e2fsck debugfs "
	       ">/dev/null") != 0) {
		unit_fail("ext2 e2fsprogs", __FILE__, __LINE__,
			  "mke2fs, e2fsck and debugfs are needed "
			  "(tools/deps.sh installs e2fsprogs)");
		return unit_done();
	}
	make_tree();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		test_read(&variants[i]);
	test_ro_writes_nothing();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		test_write(&variants[i]);
	test_htree();
	test_enospc("-b 1024 -N 32", "1k");
	test_enospc("-b 4096 -N 32", "4k");

	snprintf(base_img, sizeof(base_img), "%s/base.img", tmp);
	snprintf(corrupt_img, sizeof(corrupt_img), "%s/corrupt.img", tmp);
	make_image(base_img, "-b 1024 -I 128", "8M", true);
	test_corrupt_super();
	test_corrupt_files();
	test_corrupt_dirs();
	test_fuzz();
	binvalidate(NULL);
	if (!getenv("EXT2_TEST_KEEP"))
		sh("rm -rf %s", tmp);
	return unit_done();
}
