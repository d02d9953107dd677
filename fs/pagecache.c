/* The page cache of files on disk (ext2). A regular file's pages live in
 * a shared memory object (mm/shmem.c) hung on its inode (ino->data), the
 * same object a memory file keeps its data in, so read, write and every
 * mapping of the file see the same pages:
 *  - read copies from the cache, bringing missing pages in through the
 *    file system (super_ops.read, through the block cache), with
 *    readahead that grows while reads are sequential;
 *  - write goes through to the file system at once (blocks allocated,
 *    ENOSPC and EFBIG said by write itself, the size on disk current),
 *    then updates the pages the cache holds: the block cache's own dirty
 *    buffers carry the data to the disk;
 *  - a store through a MAP_SHARED mapping dirties the page (the first
 *    store faults: mm/mm.c's write_notify); dirty pages are written to
 *    the file system by msync, fsync, sync, umount and every few seconds
 *    by the block cache's write-back thread (its sync of every file
 *    system); a page stays dirty while a
 *    mapping could still store to it;
 *  - under memory pressure shm_reclaim drops clean pages nothing maps.
 * A mapping holds a reference on the inode (vma_file), dropped through
 * vfs_inode_put_async, so the file cannot go while it is mapped.
 *
 * Locking: everything here runs under the VFS lock, which also guards the
 * list of inodes with a cache (pcache_inodes) and ino->data; the object
 * guards its own index (shm->lock). */
#include <fs/bcache.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/mm.h>
#include <mm/shmem.h>
#include <proc.h>
#include <uapi/errno.h>

#define FILE_PAGES(size) (((size) + PAGE_SIZE - 1) / PAGE_SIZE)
#define RA_MIN 4  /* pages read ahead after a random miss */
#define RA_MAX 32 /* the most: 128 KiB */

static LIST_HEAD(pcache_inodes); /* VFS lock: inodes with ino->data */

static int pcache_fill(struct shm_obj *s, uint64_t idx);
static const struct shm_backing pcache_backing = {.fill = pcache_fill};

bool inode_has_pcache(struct inode *ino)
{
	return S_ISREG(ino->mode) && ino->sb && ino->sb->ops &&
	       ino->sb->ops->read;
}

struct shm_obj *pcache_obj(struct inode *ino)
{
	if (ino->data)
		return ino->data;
	struct shm_obj *s = shm_create(PCACHE_MAX_PAGES);
	if (!s)
		return NULL;
	shm_set_valid(s, FILE_PAGES(ino->size));
	shm_set_backing(s, &pcache_backing, ino);
	ino->data = s;
	list_add_tail(&ino->pc_link, &pcache_inodes);
	return s;
}

void pcache_detach(struct inode *ino)
{
	if (!ino->data || !ino->data->backing)
		return;
	/* A mapping may outlive the inode only after umount: its missing
	 * pages then read as an I/O error (SIGBUS). */
	ino->data->backing_priv = NULL;
	list_del(&ino->pc_link);
}

/* Reads page idx of ino into a new page of s. 0, -ERANGE past the end of
 * the file, -ENOMEM, -EIO. */
static int read_page(struct inode *ino, struct shm_obj *s, uint64_t idx)
{
	uint64_t off = idx * PAGE_SIZE;
	if (off >= ino->size)
		return -ERANGE;
	void *page = pmm_alloc_zeroed_page();
	if (!page && (shm_reclaim(64) || bcache_shrink(64 * PAGE_SIZE)))
		page = pmm_alloc_zeroed_page();
	if (!page)
		return -ENOMEM;
	size_t n = (size_t)MIN((uint64_t)PAGE_SIZE, ino->size - off);
	long r = ino->sb->ops->read(ino, page, n, off);
	/* A short read inside the file is an I/O error part-way (holes
	 * read as zeros, not short): such a page must not be cached. */
	if (r >= 0 && (size_t)r < n)
		r = -EIO;
	if (r >= 0)
		r = shm_add_page(s, idx, page);
	if (r < 0)
		pmm_free_page_virt(page);
	return r < 0 ? (int)r : 0;
}

/* Brings pages [idx, idx + n) in, those not there yet; stops at the end
 * of the file. An error on the first page is returned; later ones only
 * end the readahead. */
static int fill_range(struct inode *ino, struct shm_obj *s, uint64_t idx,
		      uint64_t n)
{
	shm_reclaim_if_low();
	for (uint64_t i = idx; i < idx + n; i++) {
		if (shm_file_page(s, i, false, NULL))
			continue;
		int r = read_page(ino, s, i);
		if (r && i == idx)
			return r;
		if (r)
			break;
	}
	return 0;
}

static int pcache_fill(struct shm_obj *s, uint64_t idx)
{
	/* A kernel accessor faulting on a mapped file page while the VFS
	 * lock is held (a system call copying out under it) cannot wait for
	 * the file system: it fails with EFAULT. */
	if (vfs_locked())
		return -EDEADLK;
	vfs_lock();
	struct inode *ino = s->backing_priv;
	int r = ino ? fill_range(ino, s, idx, 1) : -EIO;
	vfs_unlock();
	return r;
}

/* The readahead window for a miss at page p: doubled while misses follow
 * one another, RA_MIN after a jump. */
static uint64_t readahead(struct inode *ino, uint64_t p, uint64_t want)
{
	if (p == ino->ra_next && ino->ra_pages)
		ino->ra_pages = MIN(ino->ra_pages * 2, (uint32_t)RA_MAX);
	else
		ino->ra_pages = RA_MIN;
	uint64_t n = MAX(want, (uint64_t)ino->ra_pages);
	ino->ra_next = p + n;
	return n;
}

long pcache_read(struct inode *ino, char *buf, size_t n, uint64_t off)
{
	if (off >= ino->size)
		return 0;
	n = (size_t)MIN((uint64_t)n, ino->size - off);
	struct shm_obj *s = pcache_obj(ino);
	if (!s)
		return ino->sb->ops->read(ino, buf, n, off);
	shm_touch(s);
	size_t done = 0;
	while (done < n) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN(n - done, PAGE_SIZE - o);
		/* A reference, so reclaim cannot take the page mid-copy. */
		phys_addr_t pa = shm_get_page(s, p, false);
		if (!pa) {
			uint64_t last = (off + n - 1) / PAGE_SIZE;
			int r = fill_range(ino, s, p,
					   readahead(ino, p, last - p + 1));
			if (r)
				return done ? (long)done : r;
			pa = shm_get_page(s, p, false);
			if (!pa) /* reclaimed at once: read it directly */
				return done ? (long)done
					    : ino->sb->ops->read(ino, buf, k,
								 off);
		}
		memcpy(buf + done, (uint8_t *)phys_to_virt(pa) + o, k);
		page_ref_put(pa);
		done += k;
	}
	return (long)done;
}

/* Zeroes the cached page holding byte pos from pos to its end: what lies
 * past the end of a file must read as zeros when the file grows (a store
 * through a mapping may have left bytes there). */
static void zero_tail(struct shm_obj *s, uint64_t pos)
{
	if (!s || pos % PAGE_SIZE == 0)
		return;
	phys_addr_t pa = shm_file_page(s, pos / PAGE_SIZE, false, NULL);
	if (pa)
		memset((uint8_t *)phys_to_virt(pa) + pos % PAGE_SIZE, 0,
		       PAGE_SIZE - pos % PAGE_SIZE);
}

long pcache_write(struct inode *ino, const char *buf, size_t n, uint64_t off)
{
	struct shm_obj *s = ino->data;
	uint64_t old = ino->size;
	if (off > old)
		zero_tail(s, old);
	long r = ino->sb->ops->write(ino, buf, n, off);
	if (r <= 0 || !s)
		return r;
	shm_set_valid(s, FILE_PAGES(ino->size));
	/* The pages the cache holds take the new bytes too; the others are
	 * read from the block cache when next needed. */
	for (size_t done = 0; done < (size_t)r;) {
		uint64_t p = (off + done) / PAGE_SIZE,
			 o = (off + done) % PAGE_SIZE;
		size_t k = MIN((size_t)r - done, PAGE_SIZE - o);
		phys_addr_t pa = shm_file_page(s, p, false, NULL);
		if (pa)
			memcpy((uint8_t *)phys_to_virt(pa) + o, buf + done, k);
		done += k;
	}
	return r;
}

struct unmap_arg {
	struct shm_obj *s;
	uint64_t from;
};

static bool unmap_one(struct mm *mm, void *arg)
{
	struct unmap_arg *a = arg;
	mm_unmap_object(mm, a->s, a->from);
	return false;
}

void file_pages_truncated(struct shm_obj *s, uint64_t from)
{
	/* No new mapping of a page past the end can be made meanwhile:
	 * valid is lowered before the page tables are visited. */
	shm_set_valid(s, from);
	struct unmap_arg a = {s, from};
	proc_each_mm(unmap_one, &a);
	shm_truncate(s, from);
}

void pcache_truncate(struct inode *ino, uint64_t old, uint64_t len)
{
	struct shm_obj *s = ino->data;
	if (!s)
		return;
	/* Pages past the new end leave the cache, dirty or not, and every
	 * mapping of them: an access there is SIGBUS, as on Linux. */
	if (FILE_PAGES(len) < FILE_PAGES(old))
		file_pages_truncated(s, FILE_PAGES(len));
	else
		shm_set_valid(s, FILE_PAGES(len));
	zero_tail(s, MIN(old, len));
}

int pcache_writeback(struct inode *ino, uint64_t from, uint64_t to)
{
	struct shm_obj *s = ino->data;
	int err = 0;
	uint64_t idx;
	phys_addr_t pa;
	if (!s || !s->backing)
		return 0;
	while ((pa = shm_next_dirty(s, from, to, &idx))) {
		uint64_t off = idx * PAGE_SIZE;
		long r = 0;
		/* Only what lies inside the file: the rest of its last page
		 * is not the file's. */
		if (off < ino->size)
			r = ino->sb->ops->write(
			    ino, phys_to_virt(pa),
			    (size_t)MIN((uint64_t)PAGE_SIZE, ino->size - off),
			    off);
		if (r < 0) {
			page_ref_put(pa); /* stays dirty: tried again */
			err = err ? err : (int)r;
		} else {
			shm_written(s, idx, pa);
		}
		from = idx + 1;
	}
	return err;
}

int pcache_sync_sb(struct super_block *sb)
{
	int err = 0;
	struct inode *ino;
	list_for_each_entry(ino, &pcache_inodes, pc_link)
	{
		if ((sb && ino->sb != sb) || (ino->sb->flags & MS_RDONLY))
			continue;
		int r = pcache_writeback(ino, 0, PCACHE_MAX_PAGES);
		err = err ? err : r;
	}
	return err;
}

int pcache_sync_obj(struct shm_obj *s, uint64_t from, uint64_t to, bool wait)
{
	vfs_lock();
	struct inode *ino = s->backing_priv;
	int r = ino ? pcache_writeback(ino, from, to) : 0;
	if (ino && wait && !r)
		r = vfs_sync_sb(ino->sb);
	vfs_unlock();
	return r;
}
