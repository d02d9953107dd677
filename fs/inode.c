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
#include <mm/shmem.h>
#include <proc.h>
#include <time.h>
#include <uapi/errno.h>

static struct mutex fs_mutex = MUTEX_INIT(fs_mutex, "fs");

/* Guards deferred: inodes whose last reference vfs_inode_put_async may
 * have dropped, each holding one reference still. */
static spinlock_t defer_lock = SPINLOCK_INIT("inode_defer");
static LIST_HEAD(deferred);

void vfs_lock(void)
{
	mutex_lock(&fs_mutex);
	/* Unlocked peek: an inode added meanwhile waits for the next
	 * vfs_lock, which costs nothing but its memory until then. */
	while (__atomic_load_n(&deferred.next, __ATOMIC_ACQUIRE) != &deferred) {
		irqflags_t f = spin_lock_irqsave(&defer_lock);
		struct inode *ino =
		    list_empty(&deferred)
			? NULL
			: list_entry(deferred.next, struct inode, defer_link);
		if (ino)
			list_del(&ino->defer_link);
		spin_unlock_irqrestore(&defer_lock, f);
		if (!ino)
			break;
		inode_put(ino);
	}
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

void inode_remove_privs(struct inode *ino, uint32_t fsuid)
{
	uint32_t kill = S_ISUID;
	if ((ino->mode & (S_ISGID | 010)) == (S_ISGID | 010))
		kill |= S_ISGID;
	if (!S_ISREG(ino->mode) || !(ino->mode & kill) || fsuid == 0)
		return;
	ino->mode &= ~kill;
	inode_touch(ino, false);
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
	list_init(&ino->pc_link);
	list_init(&ino->defer_link);
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

struct inode *inode_get(struct inode *ino)
{
	__atomic_fetch_add(&ino->refs, 1, __ATOMIC_RELAXED);
	return ino;
}

static void inode_free(struct inode *ino)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops && ops->evict)
		ops->evict(ino);
	if (ino->sb && ino->sb->used_inodes)
		ino->sb->used_inodes--;
	if (ino->sb)
		ino->sb->used_pages -= MIN(ino->sb->used_pages, ino->charged);
	pcache_detach(ino);
	/* Pages a process still maps live on through its mapping. */
	shm_put(ino->data);
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

void vfs_inode_put_async(struct inode *ino)
{
	int r = __atomic_load_n(&ino->refs, __ATOMIC_RELAXED);
	while (r > 1)
		if (__atomic_compare_exchange_n(&ino->refs, &r, r - 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return;
	/* Perhaps the last: while it waits on the list the reference is
	 * still counted, so no other put can find it here twice. */
	irqflags_t f = spin_lock_irqsave(&defer_lock);
	list_add_tail(&ino->defer_link, &deferred);
	spin_unlock_irqrestore(&defer_lock, f);
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

bool vfs_in_group(const struct vfs_ctx *ctx, uint32_t gid)
{
	if (gid == ctx->gid)
		return true;
	for (int i = 0; i < ctx->ngroups; i++)
		if (ctx->groups[i] == gid)
			return true;
	return false;
}

bool vfs_owner_or_root(const struct vfs_ctx *ctx, const struct inode *ino)
{
	return ctx->uid == 0 || ctx->uid == ino->uid;
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
	if (ino->gen_self_ok && proc_current() &&
	    proc_current()->pid == ino->gen_pid)
		return 0;
	uint32_t bits;
	if (ctx->uid == ino->uid)
		bits = (m >> 6) & 7;
	else if (vfs_in_group(ctx, ino->gid))
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
	return ino->data
		   ? __atomic_load_n(&ino->data->resident, __ATOMIC_RELAXED)
		   : 0;
}

/* Larger files are -EFBIG; a file's object spans this many pages. */
#define MAX_FILE_SIZE (1ULL << 40)
#define FILE_PAGES(size) (((size) + PAGE_SIZE - 1) / PAGE_SIZE)

/* A memory file's data object, made if needed; NULL if out of memory. */
static struct shm_obj *inode_data(struct inode *ino)
{
	if (!ino->data) {
		ino->data = shm_create(MAX_FILE_SIZE / PAGE_SIZE);
		if (ino->data)
			shm_set_valid(ino->data, FILE_PAGES(ino->size));
	}
	return ino->data;
}

bool inode_is_memfile(struct inode *ino)
{
	return S_ISREG(ino->mode) && !ino->fops && !disk_ops(ino);
}

struct shm_obj *inode_shm(struct inode *ino)
{
	struct shm_obj *s =
	    inode_has_pcache(ino) ? pcache_obj(ino) : inode_data(ino);
	shm_get(s);
	return s;
}

/* Memory files: pages past the new end leave the file's object and every
 * mapping of them (a later access there is SIGBUS, as on Linux); those
 * write() allocated are given back to the file system's count. */
int inode_truncate(struct inode *ino, uint64_t len)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops) {
		uint64_t old = ino->size;
		int r = ops->truncate(ino, len);
		if (!r && inode_has_pcache(ino))
			pcache_truncate(ino, old, ino->size);
		if (!r)
			inode_touch(ino, true);
		return r;
	}
	if (len > MAX_FILE_SIZE)
		return -EFBIG;
	uint64_t keep = FILE_PAGES(len);
	struct shm_obj *s = ino->data;
	if (s) {
		if (keep < FILE_PAGES(ino->size))
			file_pages_truncated(s, keep);
		else
			shm_set_valid(s, keep);
		uint64_t res = inode_present_pages(ino);
		if (ino->charged > res) {
			if (ino->sb)
				ino->sb->used_pages -= MIN(ino->sb->used_pages,
							   ino->charged - res);
			ino->charged = res;
		}
		/* Zero the tail of the last kept page so a later extension
		 * reads zeros, as POSIX requires. */
		phys_addr_t pa = len % PAGE_SIZE
				     ? shm_file_page(s, keep - 1, false, NULL)
				     : 0;
		if (pa)
			memset((uint8_t *)phys_to_virt(pa) + len % PAGE_SIZE, 0,
			       PAGE_SIZE - len % PAGE_SIZE);
	}
	ino->size = len;
	inode_touch(ino, true);
	return 0;
}

long inode_read_data(struct inode *ino, char *buf, size_t n, uint64_t off)
{
	const struct super_ops *ops = disk_ops(ino);
	if (ops && inode_has_pcache(ino))
		return pcache_read(ino, buf, n, off);
	if (ops)
		return ops->read(ino, buf, n, off);
	if (off >= ino->size)
		return 0;
	n = MIN(n, ino->size - off);
	for (size_t done = 0; done < n;) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN(n - done, PAGE_SIZE - o);
		phys_addr_t pa =
		    ino->data ? shm_file_page(ino->data, p, false, NULL) : 0;
		if (pa)
			memcpy(buf + done, (uint8_t *)phys_to_virt(pa) + o, k);
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
		long r = inode_has_pcache(ino) ? pcache_write(ino, buf, n, off)
					       : ops->write(ino, buf, n, off);
		if (r > 0)
			inode_touch(ino, true);
		return r;
	}
	if (off + n > MAX_FILE_SIZE || off + n < off)
		return -EFBIG;
	if (n == 0)
		return 0;
	struct shm_obj *s = inode_data(ino);
	if (!s)
		return -ENOSPC;
	size_t done = 0;
	while (done < n) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN(n - done, PAGE_SIZE - o);
		phys_addr_t pa = shm_file_page(s, p, false, NULL);
		if (!pa) {
			struct super_block *sb = ino->sb;
			bool created;
			if (sb && sb->max_pages &&
			    sb->used_pages >= sb->max_pages)
				break; /* tmpfs size= reached */
			pa = shm_file_page(s, p, true, &created);
			if (!pa)
				break;
			if (created) {
				ino->charged++;
				if (sb)
					sb->used_pages++;
			}
		}
		memcpy((uint8_t *)phys_to_virt(pa) + o, buf + done, k);
		done += k;
	}
	if (done == 0)
		return -ENOSPC;
	if (off + done > ino->size) {
		ino->size = off + done;
		shm_set_valid(s, FILE_PAGES(ino->size));
	}
	inode_touch(ino, true);
	return (long)done;
}
