/* Shared memory objects (mm/shmem.c): the pages behind MAP_SHARED
 * anonymous memory, which every process mapping it sees, fork's children
 * included. Pages are indexed by their page offset in the object and
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
 * the object's end. */
phys_addr_t shm_get_page(struct shm_obj *s, uint64_t idx);
/* Pages held by all shared memory objects (for /proc/meminfo's Shmem). */
uint64_t shm_total_pages(void);

#endif
