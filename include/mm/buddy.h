/* A binary buddy allocator over one contiguous range of physical frames
 * (mm/buddy.c). Pure logic: no locking (the caller serialises), and it only
 * touches its struct page array, never the frames themselves. */
#ifndef LIMEN_MM_BUDDY_H
#define LIMEN_MM_BUDDY_H

#include <lib/list.h>
#include <mm/page.h>
#include <types.h>

/* Largest block: 2^10 frames = 4 MiB. */
#define BUDDY_MAX_ORDER 10

struct buddy {
	phys_addr_t base; /* page aligned; frame i is at base + i pages */
	size_t nframes;
	struct page *meta; /* nframes entries */
	struct list_head free_list[BUDDY_MAX_ORDER + 1];
	size_t nr_free[BUDDY_MAX_ORDER + 1]; /* blocks on each list */
	size_t free_pages;
	size_t managed_pages; /* frames ever released by add_free_range */
	/* Why the last buddy_check() failed, and where. */
	const char *check_why;
	phys_addr_t check_pa;
};

/* Covers [base, base + nframes pages) with meta[nframes]; every frame starts
 * PG_RESERVED. */
void buddy_init(struct buddy *b, phys_addr_t base, size_t nframes,
		struct page *meta);

/* Releases the whole pages of [start, end) that lie in the range as free
 * memory, coalescing into the largest naturally aligned blocks. Physical
 * frame 0 is never released, so buddy_alloc never returns 0. Frames already
 * released are skipped and make it return -EEXIST (after releasing the
 * rest); otherwise 0. */
int buddy_add_free_range(struct buddy *b, phys_addr_t start, phys_addr_t end);

/* A block of 2^order frames aligned to its size in physical memory, or 0. */
phys_addr_t buddy_alloc(struct buddy *b, unsigned order);

/* Frees a block from buddy_alloc with the same order. Misuse (double free,
 * wrong order, reserved, unaligned or out-of-range address) is reported via
 * buddy_corrupt() and leaves the allocator unchanged. */
void buddy_free(struct buddy *b, phys_addr_t pa, unsigned order);

/* The metadata of the frame holding pa, or NULL if outside the range. */
struct page *buddy_page(struct buddy *b, phys_addr_t pa);

/* Walks the frames and free lists checking every invariant: 0, or -EINVAL
 * with the reason in b->check_why / b->check_pa. O(nframes). */
int buddy_check(struct buddy *b);

/* Provided by the user of buddy.c: mm/pmm.c panics, the unit test records
 * the failure and returns (the allocator then ignores the bad call). */
void buddy_corrupt(const char *why, phys_addr_t pa);

#endif
