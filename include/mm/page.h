/* struct page: the metadata kept for every physical frame (one array of them,
 * placed by mm/pmm.c). Kept small (24 bytes, ~0.6% of RAM) because there is
 * one per 4 KiB frame. */
#ifndef LIMEN_MM_PAGE_H
#define LIMEN_MM_PAGE_H

#include <lib/list.h>
#include <types.h>

/* flags. A frame is in exactly one of these states:
 *  - PG_RESERVED: never handed to the allocator (firmware, kernel image,
 *    holes, the page array itself); freeing it is a bug;
 *  - PG_FREE: head of a free block of 2^order frames, on a free list;
 *  - PG_HEAD: head of an allocated block of 2^order frames;
 *  - no state flag: a tail frame inside a free or allocated block. */
#define PG_FREE (1u << 0)
#define PG_RESERVED (1u << 1)
#define PG_HEAD (1u << 2)
#define PG_STATE_MASK (PG_FREE | PG_RESERVED | PG_HEAD)
/* Users of allocated frames may set the bits above the state bits (slab,
 * page table...); the buddy allocator clears them on free. */
#define PG_SLAB (1u << 3) /* held by the kernel heap (SANITIZE=1 only) */

struct page {
	struct list_head list; /* free list link while PG_FREE */
	/* Users of an allocated block (later: copy-on-write sharing). The
	 * buddy allocator sets it to 1 on allocation and 0 on free and
	 * never looks at it otherwise. */
	uint32_t refcount;
	uint8_t order; /* block order, valid for PG_FREE and PG_HEAD */
	uint8_t flags;
	/* SANITIZE=1 kernels, PG_SLAB frames: how many frames after the
	 * first of its kmalloc page block this one is (mm/kasan_check.c). */
	uint16_t kheap_off;
};

STATIC_ASSERT(sizeof(struct page) == 24, "struct page grew");

#endif
