/* A size-class heap (mm/kheap.c): one-page slabs for objects of 16..2048
 * bytes, whole page blocks for larger ones. Pure logic over page callbacks
 * and unlocked, so mm/kmalloc.c wraps it for the kernel and
 * tests/unit/test_kheap.c runs it on the host. */
#ifndef LIMEN_MM_KHEAP_H
#define LIMEN_MM_KHEAP_H

#include <lib/list.h>
#include <types.h>

#define KHEAP_MIN_SHIFT 4  /* 16-byte objects, the alignment of every block */
#define KHEAP_NR_CLASSES 8 /* 16, 32, ..., 2048 */
#define KHEAP_MAX_SMALL (1UL << (KHEAP_MIN_SHIFT + KHEAP_NR_CLASSES - 1))
/* Largest block asked of page_alloc (4 MiB, BUDDY_MAX_ORDER). */
#define KHEAP_MAX_ORDER 10
#define KHEAP_ALIGN 16

/* Debug-build patterns: freed objects are filled with POISON_FREE and must
 * still hold it when reallocated; new objects get POISON_ALLOC so reads of
 * uninitialised memory stand out. */
#define KHEAP_POISON_FREE 0x6b
#define KHEAP_POISON_ALLOC 0xa5

struct kheap_ops {
	/* 2^order pages, page aligned, or NULL. */
	void *(*page_alloc)(void *ctx, unsigned order);
	void (*page_free)(void *ctx, void *p, unsigned order);
	void *ctx;
};

struct kheap_cache {
	size_t objsize;
	uint16_t nr_objs;	  /* objects per slab */
	struct list_head partial; /* slabs with used and free objects */
	struct list_head full;	  /* slabs with no free object */
	struct kheap_slab *empty; /* at most one all-free slab kept */
	size_t nr_slabs;	  /* including the empty one */
};

struct kheap {
	struct kheap_ops ops;
	struct kheap_cache caches[KHEAP_NR_CLASSES];
	struct list_head big; /* live allocations above KHEAP_MAX_SMALL */
	/* Stats. */
	size_t bytes_in_use; /* objects at their class size, big ones exact */
	size_t pages_held;   /* slab pages plus big-allocation pages */
	size_t nr_live;	     /* allocations not yet freed */
	uint64_t nr_allocs, nr_frees; /* since kheap_init */
	/* Why the last kheap_check() failed, and where. */
	const char *check_why;
	const void *check_ptr;
};

struct kheap_stats {
	size_t bytes_in_use;
	size_t pages_held;
	size_t nr_live;
	uint64_t nr_allocs, nr_frees;
};

void kheap_init(struct kheap *h, const struct kheap_ops *ops);
/* A 16-byte-aligned block of at least size bytes (size 0 gives a minimal
 * unique block), or NULL if the page allocator fails or size is too big. */
void *kheap_alloc(struct kheap *h, size_t size);
/* NULL is a no-op. Pointers that are not live blocks of this heap are
 * reported through kheap_corrupt() and otherwise ignored. */
void kheap_free(struct kheap *h, void *p);
/* The usable size of a live block (its class size, or the size asked for
 * a big one); 0 for NULL. */
size_t kheap_size(struct kheap *h, const void *p);
/* For the heap checker (mm/kasan_check.c): the block holding addr, a byte
 * of the page block head that the heap got from page_alloc; its size
 * (class size, or the size asked for a big one) in *size and whether it
 * is allocated in *live. NULL if addr is in a header or in no block.
 * Reads without a lock: the caller must keep the heap still. */
void *kheap_block_at(const void *head, const void *addr, size_t *size,
		     bool *live);
/* Verifies every slab (magic, owner, counts, list placement, poison of free
 * objects in debug builds) and big block, and the page count: 0, or -EINVAL
 * with the reason in h->check_why / h->check_ptr. */
int kheap_check(struct kheap *h);
/* Gives back the empty slab each cache keeps; returns the pages freed. */
size_t kheap_trim(struct kheap *h);
void kheap_get_stats(const struct kheap *h, struct kheap_stats *st);

/* Provided by the user of kheap.c: mm/kmalloc.c panics, the unit test
 * records the failure and returns. */
void kheap_corrupt(const char *why, const void *p);

#endif
