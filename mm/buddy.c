/* Binary buddy allocator over one range of frames: free lists per order,
 * blocks naturally aligned in physical memory, coalescing on free. Pure
 * logic (no locks, no frame access) so tests/unit/test_buddy.c runs it on
 * the host. */
#include <mm/buddy.h>
#include <uapi/errno.h>

static inline uint64_t pa_to_pfn(phys_addr_t pa)
{
	return pa >> PAGE_SHIFT;
}

static inline uint64_t base_pfn(const struct buddy *b)
{
	return pa_to_pfn(b->base);
}

static inline uint64_t end_pfn(const struct buddy *b)
{
	return base_pfn(b) + b->nframes;
}

static inline struct page *pfn_page(struct buddy *b, uint64_t pfn)
{
	return &b->meta[pfn - base_pfn(b)];
}

static inline uint64_t page_pfn(const struct buddy *b, const struct page *p)
{
	return base_pfn(b) + (uint64_t)(p - b->meta);
}

/* Whether the block of 2^order frames at pfn lies inside the range. */
static inline bool block_in_range(const struct buddy *b, uint64_t pfn,
				  unsigned order)
{
	return pfn >= base_pfn(b) && pfn + (1UL << order) <= end_pfn(b);
}

void buddy_init(struct buddy *b, phys_addr_t base, size_t nframes,
		struct page *meta)
{
	b->base = ALIGN_DOWN(base, PAGE_SIZE);
	b->nframes = nframes;
	b->meta = meta;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		list_init(&b->free_list[o]);
		b->nr_free[o] = 0;
	}
	b->free_pages = 0;
	b->managed_pages = 0;
	b->check_why = NULL;
	b->check_pa = 0;
	for (size_t i = 0; i < nframes; i++) {
		list_init(&meta[i].list);
		meta[i].refcount = 0;
		meta[i].order = 0;
		meta[i].flags = PG_RESERVED;
		meta[i].kheap_off = 0;
	}
}

struct page *buddy_page(struct buddy *b, phys_addr_t pa)
{
	uint64_t pfn = pa_to_pfn(pa);
	if (pfn < base_pfn(b) || pfn >= end_pfn(b))
		return NULL;
	return pfn_page(b, pfn);
}

/* Puts the block (whose frames all have flags 0) on the free lists, merging
 * it with its buddy as long as the buddy is a free block of the same order.
 * Does not touch free_pages: the callers account for the block. */
static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t bpfn = pfn ^ (1UL << order);
		if (!block_in_range(b, bpfn, order))
			break;
		struct page *bp = pfn_page(b, bpfn);
		if (!(bp->flags & PG_FREE) || bp->order != order)
			break;
		list_del(&bp->list);
		b->nr_free[order]--;
		bp->flags = 0;
		bp->order = 0;
		pfn &= ~(1UL << order);
		order++;
	}
	struct page *p = pfn_page(b, pfn);
	p->flags = PG_FREE;
	p->order = order;
	p->refcount = 0;
	/* LIFO: the most recently freed block, likely still in cache, is
	 * handed out first. */
	list_add(&p->list, &b->free_list[order]);
	b->nr_free[order]++;
}

static bool all_reserved(struct buddy *b, uint64_t pfn, unsigned order)
{
	for (uint64_t i = 0; i < (1UL << order); i++)
		if (pfn_page(b, pfn + i)->flags != PG_RESERVED)
			return false;
	return true;
}

int buddy_add_free_range(struct buddy *b, phys_addr_t start, phys_addr_t end)
{
	if (end <= start)
		return 0;
	uint64_t pfn = pa_to_pfn(ALIGN_UP(start, PAGE_SIZE));
	uint64_t last = pa_to_pfn(ALIGN_DOWN(end, PAGE_SIZE));
	int ret = 0;

	pfn = MAX(pfn, base_pfn(b));
	last = MIN(last, end_pfn(b));
	/* Frame 0 stays reserved: 0 is the "no memory" return value. */
	if (pfn == 0)
		pfn = 1;
	while (pfn < last) {
		if (pfn_page(b, pfn)->flags != PG_RESERVED) {
			ret = -EEXIST;
			pfn++;
			continue;
		}
		/* The largest aligned block that fits and is wholly reserved;
		 * order 0 always qualifies here. */
		unsigned order = BUDDY_MAX_ORDER;
		for (;; order--) {
			if (IS_ALIGNED(pfn, 1UL << order) &&
			    pfn + (1UL << order) <= last &&
			    all_reserved(b, pfn, order))
				break;
		}
		for (uint64_t i = 0; i < (1UL << order); i++)
			pfn_page(b, pfn + i)->flags = 0;
		free_block(b, pfn, order);
		b->free_pages += 1UL << order;
		b->managed_pages += 1UL << order;
		pfn += 1UL << order;
	}
	return ret;
}

phys_addr_t buddy_alloc(struct buddy *b, unsigned order)
{
	/* free_pages is checked first so an allocator that was never
	 * initialised (zeroed, lists not set up) safely returns 0. */
	if (order > BUDDY_MAX_ORDER || b->free_pages < (1UL << order))
		return 0;
	unsigned o = order;
	while (o <= BUDDY_MAX_ORDER && list_empty(&b->free_list[o]))
		o++;
	if (o > BUDDY_MAX_ORDER)
		return 0;

	struct page *p = list_first_entry(&b->free_list[o], struct page, list);
	uint64_t pfn = page_pfn(b, p);
	if (unlikely(pfn == 0 || p->order != o)) {
		buddy_corrupt("free list holds a bad block", pfn << PAGE_SHIFT);
		return 0;
	}
	list_del(&p->list);
	b->nr_free[o]--;
	/* Split: keep the lower half, give the upper halves back. */
	while (o > order) {
		o--;
		struct page *q = pfn_page(b, pfn + (1UL << o));
		q->flags = PG_FREE;
		q->order = o;
		list_add(&q->list, &b->free_list[o]);
		b->nr_free[o]++;
	}
	p->flags = PG_HEAD;
	p->order = order;
	p->refcount = 1;
	b->free_pages -= 1UL << order;
	return pfn << PAGE_SHIFT;
}

void buddy_free(struct buddy *b, phys_addr_t pa, unsigned order)
{
	if (order > BUDDY_MAX_ORDER) {
		buddy_corrupt("free with an order above BUDDY_MAX_ORDER", pa);
		return;
	}
	if (!IS_ALIGNED(pa, PAGE_SIZE)) {
		buddy_corrupt("free of an address that is not page aligned",
			      pa);
		return;
	}
	uint64_t pfn = pa_to_pfn(pa);
	if (!block_in_range(b, pfn, order)) {
		buddy_corrupt("free of a frame outside the allocator", pa);
		return;
	}
	if (!IS_ALIGNED(pfn, 1UL << order)) {
		buddy_corrupt("free of a block not aligned to its order", pa);
		return;
	}
	struct page *p = pfn_page(b, pfn);
	if (p->flags & PG_RESERVED) {
		buddy_corrupt("free of a reserved frame", pa);
		return;
	}
	if (!(p->flags & PG_HEAD)) {
		buddy_corrupt("free of a block that is not allocated "
			      "(double free?)",
			      pa);
		return;
	}
	if (p->order != order) {
		buddy_corrupt("free with an order different from the "
			      "allocation",
			      pa);
		return;
	}
	/* Users may have tagged the frames (PG_SLAB...): free frames carry
	 * no flags. */
	for (uint64_t i = 0; i < (1UL << order); i++)
		p[i].flags = 0;
	p->order = 0;
	free_block(b, pfn, order);
	b->free_pages += 1UL << order;
}

static int check_fail(struct buddy *b, const char *why, uint64_t pfn)
{
	b->check_why = why;
	b->check_pa = pfn << PAGE_SHIFT;
	return -EINVAL;
}

int buddy_check(struct buddy *b)
{
	size_t heads[BUDDY_MAX_ORDER + 1] = {0};
	size_t free_pages = 0, managed = 0;

	/* Frame by frame: every frame is reserved or part of exactly one
	 * well-formed block, so blocks cannot overlap. */
	for (size_t i = 0; i < b->nframes;) {
		struct page *p = &b->meta[i];
		uint64_t pfn = base_pfn(b) + i;
		unsigned st = p->flags & PG_STATE_MASK;
		if (st == PG_RESERVED) {
			i++;
			continue;
		}
		if (st != PG_FREE && st != PG_HEAD)
			return check_fail(b, "frame outside any block", pfn);
		unsigned o = p->order;
		if (o > BUDDY_MAX_ORDER)
			return check_fail(b, "block order too large", pfn);
		if (!IS_ALIGNED(pfn, 1UL << o))
			return check_fail(b, "block not aligned", pfn);
		if (!block_in_range(b, pfn, o))
			return check_fail(b, "block past the range end", pfn);
		if (pfn == 0)
			return check_fail(b, "frame 0 is managed", pfn);
		for (uint64_t j = 1; j < (1UL << o); j++) {
			uint8_t f = p[j].flags;
			if ((f & PG_STATE_MASK) || (st == PG_FREE && f))
				return check_fail(b, "bad tail frame flags",
						  pfn + j);
		}
		if (st == PG_FREE) {
			if (p->flags != PG_FREE)
				return check_fail(
				    b, "free block has extra flags", pfn);
			uint64_t bpfn = pfn ^ (1UL << o);
			if (o < BUDDY_MAX_ORDER && block_in_range(b, bpfn, o)) {
				struct page *bp = pfn_page(b, bpfn);
				if ((bp->flags & PG_FREE) && bp->order == o)
					return check_fail(
					    b, "free buddies not merged", pfn);
			}
			heads[o]++;
			free_pages += 1UL << o;
		}
		managed += 1UL << o;
		i += 1UL << o;
	}
	if (free_pages != b->free_pages)
		return check_fail(b, "free page counter is wrong", 0);
	if (managed != b->managed_pages)
		return check_fail(b, "managed page counter is wrong", 0);

	/* The lists: each entry a free head of the right order, each free
	 * head listed (counts match), links consistent. Bounded so a cycle
	 * cannot hang the check. */
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		struct list_head *h = &b->free_list[o], *pos;
		size_t n = 0;
		for (pos = h->next; pos != h; pos = pos->next) {
			if (++n > heads[o])
				return check_fail(b, "free list too long", 0);
			struct page *p = list_entry(pos, struct page, list);
			if (p < b->meta || p >= b->meta + b->nframes)
				return check_fail(b,
						  "free list entry is not "
						  "a frame",
						  0);
			if (pos->next->prev != pos)
				return check_fail(b, "free list links broken",
						  page_pfn(b, p));
			if (p->flags != PG_FREE || p->order != o)
				return check_fail(b,
						  "listed block not free "
						  "at this order",
						  page_pfn(b, p));
		}
		if (n != heads[o])
			return check_fail(b, "free block missing from list", 0);
		if (n != b->nr_free[o])
			return check_fail(b, "per-order counter is wrong", 0);
	}
	return 0;
}
