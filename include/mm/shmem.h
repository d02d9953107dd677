/* Shared memory objects (mm/shmem.c): the pages behind MAP_SHARED
 * anonymous memory, which every process mapping it sees, fork's children
 * included, and the data of memory files (tmpfs, ramfs, the initramfs
 * root, memfd_create; fs/inode.c), which mmap maps shared or
 * copy-on-write. Pages are indexed by their page offset in the object and
 * allocated zeroed when first touched. The object holds one reference on
 * each of its pages, and every page-table entry mapping one holds
 * another, so a page lives while anything maps it.
 *
 * An object may have a backing store (a file on disk: fs/pagecache.c):
 * then it is that file's page cache. A missing page is never made up as
 * zeros but read in by backing->fill, which sleeps for the disk and so is
 * called without locks (a fault drops mm->lock first); each page carries
 * a dirty bit (stores through a shared mapping not yet written back);
 * and under memory pressure shm_reclaim drops clean pages nothing maps,
 * from the least recently used object first.
 *
 * Locking: shm->lock guards the page index; it nests inside mm->lock (a
 * fault looks a page up with its mm locked) and inside shm_lru_lock (the
 * list of backed objects, which reclaim walks). The reference count is
 * atomic. */
#ifndef LIMEN_MM_SHMEM_H
#define LIMEN_MM_SHMEM_H

#include <mm/radix.h>
#include <spinlock.h>
#include <types.h>

struct shm_obj;

/* A backing store's operations. */
struct shm_backing {
	/* Brings page idx of s in (shm_add_page). Called with no lock held;
	 * may sleep. 0, or -ENOMEM, -EIO, -ERANGE (past the end of the
	 * file), -EDEADLK (the caller holds a lock the backing needs). */
	int (*fill)(struct shm_obj *s, uint64_t idx);
};

struct shm_obj {
	int refs;	    /* atomic: the VMAs that map it */
	uint64_t npages;    /* const: its size in pages */
	spinlock_t lock;    /* guards pages */
	struct radix pages; /* lock: page index -> frame (as a pointer) */
	uint64_t resident;  /* lock (read as a word): pages allocated */
	/* lock (read as a word): the pages a fault may bring in, npages
	 * except for a file's object, where it follows the file's size
	 * (rounded up): a fault at or past it is SIGBUS. */
	uint64_t valid;
	/* Set once, before any VMA maps the object: a System V segment
	 * (kernel/ipc_shm.c) counts its attachments by these references and
	 * is destroyed by the last one after IPC_RMID, so when release is
	 * set, shm_put calls it instead (it drops the reference itself). */
	void (*release)(struct shm_obj *s);
	void *owner; /* const: release's object */
	/* Set once, before any VMA maps the object (shm_set_backing). */
	const struct shm_backing *backing;
	void *backing_priv;
	uint64_t dirty;	      /* lock: pages with the dirty bit */
	struct list_head lru; /* shm_lru_lock: backed objects, oldest first */
};

/* A new object of npages zero pages (none allocated yet); NULL if out of
 * memory. Its one reference is the caller's. */
struct shm_obj *shm_create(uint64_t npages);
void shm_get(struct shm_obj *s); /* NULL is fine for both */
/* Drops a reference; the last frees the object and its references on
 * its pages. */
void shm_put(struct shm_obj *s);
/* The frame at page idx, allocated (zeroed) if it was not there yet, with
 * a reference taken for the caller's mapping: 0 if out of memory or past
 * the object's end (npages, or valid), or for a backed object if the page
 * is not in memory (the caller fills it: shm_fill). With dirty, the page
 * is marked dirty in the same step (a writable shared mapping of a
 * backed object). */
phys_addr_t shm_get_page(struct shm_obj *s, uint64_t idx, bool dirty);
/* Makes s the page cache of a backing store; before anything maps it. */
void shm_set_backing(struct shm_obj *s, const struct shm_backing *b,
		     void *priv);
/* Reads page idx of a backed object in (backing->fill): no lock held. */
int shm_fill(struct shm_obj *s, uint64_t idx);
/* For a backing's fill: stores page (a kernel address of a frame the
 * caller allocated and filled) at idx; the object takes the caller's
 * reference. -EEXIST if idx is taken, -ENOMEM. */
int shm_add_page(struct shm_obj *s, uint64_t idx, void *page);
/* Sets the dirty bit of page idx (a store through a shared mapping);
 * false if the page is not in the object. */
bool shm_set_dirty(struct shm_obj *s, uint64_t idx);
bool shm_page_dirty(struct shm_obj *s, uint64_t idx);
/* Write-back: the first dirty page at an index in [from, to) (its index
 * in *idx), with a reference for the caller; 0 if none. */
phys_addr_t shm_next_dirty(struct shm_obj *s, uint64_t from, uint64_t to,
			   uint64_t *idx);
/* After writing page idx (frame pa, the caller's reference from
 * shm_next_dirty, dropped here) back: the page is clean unless some
 * mapping may still store to it (it is mapped: a writable shared mapping
 * keeps its pages dirty until it goes away). */
void shm_written(struct shm_obj *s, uint64_t idx, phys_addr_t pa);
/* Marks s recently used (a read or a fill), for reclaim's order. */
void shm_touch(struct shm_obj *s);
/* Memory pressure: drops up to want clean pages that nothing maps from
 * backed objects, least recently used object first; returns how many. */
uint64_t shm_reclaim(uint64_t want);
/* Reclaims if free memory is below the low watermark. */
void shm_reclaim_if_low(void);
struct shm_cache_stats {
	uint64_t cached; /* pages of backed objects (the page cache) */
	uint64_t dirty;	 /* of them with the dirty bit */
	uint64_t mapped; /* of them mapped by some process */
};
void shm_cache_stats(struct shm_cache_stats *st);
/* Whether a fault may bring in page idx (idx < valid). */
bool shm_page_valid(struct shm_obj *s, uint64_t idx);
/* A file's object: the pages its size covers, rounded up (at most
 * npages). */
void shm_set_valid(struct shm_obj *s, uint64_t pages);
/* For a file's data, whose owner keeps the pages alive while it uses them
 * (the VFS lock, which truncation takes): the frame at idx without taking
 * a reference; 0 if none. With alloc, a missing page is allocated
 * (zeroed; *created says so), whatever valid says; 0 if out of memory. */
phys_addr_t shm_file_page(struct shm_obj *s, uint64_t idx, bool alloc,
			  bool *created);
/* Drops the object's pages at index from and above (a truncated file):
 * pages a process still maps stay alive through its mapping's reference.
 * Returns how many were dropped. */
uint64_t shm_truncate(struct shm_obj *s, uint64_t from);
/* Pages held by the shared memory objects without a backing store (for
 * /proc/meminfo's Shmem). */
uint64_t shm_total_pages(void);

#endif
