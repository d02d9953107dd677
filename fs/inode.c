/* In-memory inodes: allocation and reference counting, permission checks,
 * stat, and file data: kept in pages (holes read as zeros) for memory file
 * systems, passed to the super_ops of a disk file system. An inode is freed
 * when it has no links and no references. */
#include <fs/vfs.h>
#include <mutex.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <time.h>
#include <uapi/errno.h>

static struct mutex fs_mutex = MUTEX_INIT(fs_mutex, "fs");

void vfs_lock(void)
{
	mutex_lock(&fs_mutex);
}

void vfs_unlock(void)
{
	mutex_unlock(&fs_mutex);
}

bool vfs_locked(void)
{
	return mutex_is_held(&fs_mutex);
}
static uint64_t next_ino = 1;

static size_t inode_present_pages(struct inode *ino);

static const struct super_ops *disk_ops(struct inode *ino)
{
	return ino->sb ? ino->sb->ops : NULL;
}

static struct kstat_timespec vfs_now(void)
{
	uint64_t ns = time_ns();
	return (struct kstat_timespec){rtc_boot_epoch +
					   (int64_t)(ns / NSEC_PER_SEC),
				       (int64_t)(ns % NSEC_PER_SEC)};
}

int inode_sync_attr(struct inode *ino)
{
	const struct super_ops *ops = disk_ops(ino);
	return ops && ops->write_inode ? ops->write_inode(ino) : 0;
}

void inode_touch(struct inode *ino, bool modify)
{
	struct kstat_timespec t = vfs_now();
	ino->ctime = t;
	if (modify)
		ino->mtime = t;
	inode_sync_attr(ino);
}

struct inode *inode_alloc(uint32_t mode)
{
	return inode_alloc_sb(vfs_rootfs(), mode);
}

struct inode *inode_alloc_sb(struct super_block *sb, uint32_t mode)
{
	/* tmpfs nr_inodes=: every inode counts until it is freed. */
	if (sb && sb->max_inodes && sb->used_inodes >= sb->max_inodes)
		return NULL;
	struct inode *ino = kzalloc(sizeof(*ino));
	if (!ino)
		return NULL;
	if (sb)
		sb->used_inodes++;
	ino->sb = sb;
	ino->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	ino->mode = mode;
	list_init(&ino->entries);
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

struct inode *inode_get(struct inode *ino)
{
	__atomic_fetch_add(&ino->refs, 1, __ATOMIC_RELAXED);
	return ino;
}

/* Atomic: pages holding the data of memory files (tmpfs, ramfs, the
 * initramfs root), for /proc/meminfo. */
static uint64_t memfs_pages;

uint64_t vfs_memfs_pages(void)
{
	return __atomic_load_n(&memfs_pages, __ATOMIC_RELAXED);
}

static void inode_free(struct inode *ino)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops && ops->evict)
		ops->evict(ino);
	if (ino->sb && ino->sb->used_inodes)
		ino->sb->used_inodes--;
	if (ino->sb && ino->npages)
		ino->sb->used_pages -=
		    MIN(ino->sb->used_pages, inode_present_pages(ino));
	for (size_t i = 0; i < ino->npages; i++)
		if (ino->pages[i]) {
			pmm_free_page_virt(ino->pages[i]);
			__atomic_sub_fetch(&memfs_pages, 1, __ATOMIC_RELAXED);
		}
	kfree(ino->pages);
	kfree(ino->target);
	kfree(ino);
}

void inode_destroy(struct inode *ino)
{
	inode_free(ino);
}

void inode_put(struct inode *ino)
{
	if (__atomic_sub_fetch(&ino->refs, 1, __ATOMIC_ACQ_REL) == 0 &&
	    ino->nlink == 0)
		inode_free(ino);
}

void vfs_inode_put(struct inode *ino)
{
	if (!ino)
		return;
	/* Not the last reference: drop it without the lock (it cannot
	 * reach zero here, so nothing is freed). */
	int r = __atomic_load_n(&ino->refs, __ATOMIC_RELAXED);
	while (r > 1)
		if (__atomic_compare_exchange_n(&ino->refs, &r, r - 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return;
	vfs_lock();
	inode_put(ino);
	vfs_unlock();
}

int inode_permission(const struct vfs_ctx *ctx, struct inode *ino, int may)
{
	uint32_t m = ino->mode;
	if (ctx->uid == 0) {
		/* Root may read and write anything, and execute anything
		 * that has some x bit (or search any directory). */
		if (!(may & MAY_EXEC) || S_ISDIR(m) || (m & 0111))
			return 0;
		return -EACCES;
	}
	uint32_t bits;
	if (ctx->uid == ino->uid)
		bits = (m >> 6) & 7;
	else if (ctx->gid == ino->gid)
		bits = (m >> 3) & 7;
	else
		bits = m & 7;
	return ((bits & may) == (uint32_t)may) ? 0 : -EACCES;
}

void inode_stat(struct inode *ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = (int64_t)ino->size;
	st->st_blksize = PAGE_SIZE;
	if (disk_ops(ino))
		st->st_blocks = (int64_t)ino->disk_blocks;
	else
		st->st_blocks =
		    (int64_t)(inode_present_pages(ino) * (PAGE_SIZE / 512));
	st->st_atim = ino->atime;
	st->st_mtim = ino->mtime;
	st->st_ctim = ino->ctime;
}

static size_t inode_present_pages(struct inode *ino)
{
	size_t present = 0;
	for (size_t i = 0; i < ino->npages; i++)
		present += ino->pages[i] != NULL;
	return present;
}

/* Grows the page array to hold n pages. */
static int ensure_pages(struct inode *ino, size_t n)
{
	if (n <= ino->npages)
		return 0;
	size_t cap = MAX(n, ino->npages * 2);
	uint8_t **p = kzalloc(cap * sizeof(*p));
	if (!p)
		return -ENOSPC;
	if (ino->pages)
		memcpy(p, ino->pages, ino->npages * sizeof(*p));
	kfree(ino->pages);
	ino->pages = p;
	ino->npages = cap;
	return 0;
}

#define MAX_FILE_SIZE (1ULL << 40)

int inode_truncate(struct inode *ino, uint64_t len)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops) {
		int r = ops->truncate(ino, len);
		if (!r)
			inode_touch(ino, true);
		return r;
	}
	if (len > MAX_FILE_SIZE)
		return -EFBIG;
	size_t keep = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	for (size_t i = keep; i < ino->npages; i++) {
		if (ino->pages[i]) {
			pmm_free_page_virt(ino->pages[i]);
			__atomic_sub_fetch(&memfs_pages, 1, __ATOMIC_RELAXED);
			ino->pages[i] = NULL;
			if (ino->sb && ino->sb->used_pages)
				ino->sb->used_pages--;
		}
	}
	/* Zero the tail of the last kept page so a later extension reads
	 * zeros, as POSIX requires. */
	if (len % PAGE_SIZE && keep - 1 < ino->npages && ino->pages[keep - 1])
		memset(ino->pages[keep - 1] + len % PAGE_SIZE, 0,
		       PAGE_SIZE - len % PAGE_SIZE);
	ino->size = len;
	inode_touch(ino, true);
	return 0;
}

long inode_read_data(struct inode *ino, char *buf, size_t n, uint64_t off)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops)
		return ops->read(ino, buf, n, off);
	if (off >= ino->size)
		return 0;
	n = MIN(n, ino->size - off);
	for (size_t done = 0; done < n;) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN(n - done, PAGE_SIZE - o);
		if (p < ino->npages && ino->pages[p])
			memcpy(buf + done, ino->pages[p] + o, k);
		else
			memset(buf + done, 0, k);
		done += k;
	}
	return (long)n;
}

long inode_write_data(struct inode *ino, const char *buf, size_t n,
		      uint64_t off)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops) {
		if (n == 0)
			return 0;
		long r = ops->write(ino, buf, n, off);
		if (r > 0)
			inode_touch(ino, true);
		return r;
	}
	if (off + n > MAX_FILE_SIZE || off + n < off)
		return -EFBIG;
	if (n == 0)
		return 0;
	int r = ensure_pages(ino, (off + n + PAGE_SIZE - 1) / PAGE_SIZE);
	if (r)
		return r;
	size_t done = 0;
	while (done < n) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN(n - done, PAGE_SIZE - o);
		if (!ino->pages[p]) {
			struct super_block *sb = ino->sb;
			if (sb && sb->max_pages &&
			    sb->used_pages >= sb->max_pages)
				break; /* tmpfs size= reached */
			ino->pages[p] = pmm_alloc_zeroed_page();
			if (!ino->pages[p])
				break;
			__atomic_add_fetch(&memfs_pages, 1, __ATOMIC_RELAXED);
			if (sb)
				sb->used_pages++;
		}
		memcpy(ino->pages[p] + o, buf + done, k);
		done += k;
	}
	if (done == 0)
		return -ENOSPC;
	if (off + done > ino->size)
		ino->size = off + done;
	inode_touch(ino, true);
	return (long)done;
}
