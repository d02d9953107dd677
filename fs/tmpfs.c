/* The memory file systems: tmpfs with Linux's size=, nr_inodes=, mode=,
 * uid= and gid= options and limits, ramfs without them, and the instances
 * whose root a kernel function fills (devtmpfs, proc). Their inodes and
 * data live in RAM (fs/inode.c and fs/vfs_ops.c charge a tmpfs's pages and
 * inodes to its limits); fs/super.c mounts what is made here. */
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <printk.h>
#include <uapi/errno.h>
#include "tmpfs.h"

#define PROC_SUPER_MAGIC 0x9fa0

static uint64_t pmm_total_pages(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.total_pages;
}

static uint64_t pmm_free_count(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	return st.free_pages;
}

/* A memory file system's root directory. */
struct inode *memfs_root(struct super_block *sb, uint32_t mode)
{
	struct inode *root = inode_alloc_sb(sb, S_IFDIR | mode);
	if (!root)
		return NULL;
	root->nlink = 2;
	root->refs = 1; /* the super block's */
	root->loaded = true;
	sb->root = root;
	return root;
}

/* Parses a number with an optional k, m or g suffix. */
static int parse_size(const char *v, uint64_t *out)
{
	const char *end;
	unsigned long long n = simple_strtoull(v, &end, 0);
	if (end == v)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		n <<= 10, end++;
		break;
	case 'm':
	case 'M':
		n <<= 20, end++;
		break;
	case 'g':
	case 'G':
		n <<= 30, end++;
		break;
	case '%':
		n = n * pmm_total_pages() / 100 * PAGE_SIZE, end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*out = n;
	return 0;
}

/* tmpfs options: size=, nr_inodes=, mode=, uid=, gid=. Unknown ones are
 * refused, as Linux does. Without size= and nr_inodes=, Linux's defaults:
 * half of RAM, and as many inodes as half of RAM has pages, so that no user
 * can fill memory through /tmp. */
static int tmpfs_options(struct super_block *sb, const char *data)
{
	char opts[128];
	bool shown = false; /* /proc/mounts lists what was asked for */
	if (!data || !*data)
		return 0;
	if (strlcpy(opts, data, sizeof(opts)) >= sizeof(opts))
		return -EINVAL;
	char *p = opts;
	while (p && *p) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		char *eq = strchr(p, '=');
		char *v = eq ? eq + 1 : NULL;
		if (eq)
			*eq = '\0';
		uint64_t n;
		const char *end;
		if (strcmp(p, "size") == 0 && v) {
			if (parse_size(v, &n))
				return -EINVAL;
			sb->max_pages = (n + PAGE_SIZE - 1) / PAGE_SIZE;
			shown = true;
		} else if (strcmp(p, "nr_inodes") == 0 && v) {
			if (parse_size(v, &n))
				return -EINVAL;
			sb->max_inodes = n;
			shown = true;
		} else if (strcmp(p, "mode") == 0 && v) {
			n = simple_strtoull(v, &end, 8);
			if (*end || n > 07777)
				return -EINVAL;
			sb->root->mode = S_IFDIR | (uint32_t)n;
		} else if ((strcmp(p, "uid") == 0 || strcmp(p, "gid") == 0) &&
			   v) {
			n = simple_strtoull(v, &end, 10);
			if (*end || n > 0xffffffffu)
				return -EINVAL;
			if (p[0] == 'u')
				sb->root->uid = (uint32_t)n;
			else
				sb->root->gid = (uint32_t)n;
		} else if (*p) {
			pr_warn("tmpfs: unknown option \"%s\"", p);
			return -EINVAL;
		}
		p = comma ? comma + 1 : NULL;
	}
	if (shown)
		snprintf(sb->options, sizeof(sb->options),
			 ",size=%lluk,nr_inodes=%llu",
			 (unsigned long long)sb->max_pages * (PAGE_SIZE / 1024),
			 (unsigned long long)sb->max_inodes);
	return 0;
}

int memfs_mount(const char *type, const char *source, const char *data,
		struct super_block **out)
{
	bool tmp = strcmp(type, "tmpfs") == 0;
	struct super_block *sb = super_alloc(tmp ? "tmpfs" : "ramfs", source);
	if (!sb)
		return -ENOMEM;
	sb->magic = tmp ? TMPFS_MAGIC : RAMFS_MAGIC;
	if (!memfs_root(sb, tmp ? 01777 : 0755)) {
		kfree(sb);
		return -ENOMEM;
	}
	if (tmp) {
		sb->max_pages = pmm_total_pages() / 2;
		sb->max_inodes = pmm_total_pages() / 2;
	}
	int r = tmpfs_options(sb, data);
	if (r) {
		kfree(sb->root);
		kfree(sb);
		return r;
	}
	*out = sb;
	return 0;
}

/* An instance whose root a kernel function fills (devtmpfs, proc). */
static int filled_mount(const char *type, const char *source, uint32_t magic,
			uint32_t mode, void (*fill)(struct inode *root),
			struct super_block **out)
{
	struct super_block *sb = super_alloc(type, source);
	if (!sb)
		return -ENOMEM;
	sb->magic = magic;
	if (!memfs_root(sb, mode)) {
		kfree(sb);
		return -ENOMEM;
	}
	fill(sb->root);
	*out = sb;
	return 0;
}

int devtmpfs_mount(const char *source, struct super_block **out)
{
	int r = filled_mount("devtmpfs", source, TMPFS_MAGIC, 0755,
			     devtmpfs_populate, out);
	/* Linux's devtmpfs is a tmpfs with the default limits: statfs
	 * shows half of RAM, as df /dev does there. */
	if (!r) {
		(*out)->max_pages = pmm_total_pages() / 2;
		(*out)->max_inodes = pmm_total_pages() / 2;
	}
	return r;
}

int procfs_mount(const char *source, struct super_block **out)
{
	int r = filled_mount("proc", source, PROC_SUPER_MAGIC, 0555,
			     procfs_fill, out);
	if (!r)
		(*out)->generated = true;
	return r;
}

void tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	/* size=0 is no limit: Linux then reports no blocks at all. */
	uint64_t total = sb->max_pages;
	uint64_t free = total > sb->used_pages ? total - sb->used_pages : 0;
	free = MIN(free, pmm_free_count());
	st->f_blocks = total;
	st->f_bfree = st->f_bavail = free;
	st->f_files = sb->max_inodes;
	st->f_ffree = sb->max_inodes > sb->used_inodes
			  ? sb->max_inodes - sb->used_inodes
			  : 0;
}
