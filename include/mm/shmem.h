/* Shared memory objects (mm/shmem.c): the pages behind MAP_SHARED
 * anonymous memory, which every process mapping it sees, fork's children
 * included, and the data of memory files (tmpfs, ramfs, the initramfs
 * root, memfd_create; fs/inode.c), which mmap maps shared or
 * copy-on-write. Pages are indexed by their page offset in the object and
 * allocated zeroed when first touched. The object holds one reference on
 * each of its pages, and every page-table entry mapping one holds
 * another, so a page lives while anything maps it.
 *
 * Locking: shm->lock guards the page index; it nests inside mm->lock (a
 * fault looks a page up with its mm locked). The reference count is
 * atomic. */
#ifndef LIMEN_MM_SHMEM_H
#define LIMEN_MM_SHMEM_H

#include <mm/radix.h>
#include <spinlock.h>
#include <types.h>

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
 * the object's end (npages, or valid). */
phys_addr_t shm_get_page(struct shm_obj *s, uint64_t idx);
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
/* Pages held by all shared memory objects (for /proc/meminfo's Shmem). */
uint64_t shm_total_pages(void);

#endif
