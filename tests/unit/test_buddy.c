/* Host unit tests for the buddy allocator (mm/buddy.c, included directly):
 * range release with odd boundaries, full coalescing, alignment, exhaustion,
 * misuse detection through buddy_corrupt, and a seeded random stress run
 * checked against a shadow bitmap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mm/buddy.c"

#include "unit.h"

/* The allocators' own checks return a reason; report it as unit.h does. */
static void check(bool ok, const char *name, const char *why)
{
	unit_report(ok, name, __FILE__, __LINE__, why);
}

/* buddy_corrupt: record instead of panicking. */
static int corrupt_count, corrupt_expected;
static const char *corrupt_why;
static const char *corrupt_unexpected;

void buddy_corrupt(const char *why, phys_addr_t pa)
{
	(void)pa;
	corrupt_count++;
	corrupt_why = why;
	if (!corrupt_expected)
		corrupt_unexpected = why;
}

/* Runs stmt, which must report exactly one misuse whose message contains
 * needle. */
#define EXPECT_CORRUPT(stmt, needle)                                           \
	({                                                                     \
		int before_ = corrupt_count;                                   \
		corrupt_expected = 1;                                          \
		stmt;                                                          \
		corrupt_expected = 0;                                          \
		corrupt_count == before_ + 1 && strstr(corrupt_why, needle);   \
	})

static uint64_t rng_state;
static uint64_t rng(void)
{
	/* xorshift64*: reproducible across hosts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const char *check_why(struct buddy *b)
{
	static char buf[128];
	if (buddy_check(b) == 0)
		return "ok";
	snprintf(buf, sizeof(buf), "buddy_check: %s at %#llx", b->check_why,
		 (unsigned long long)b->check_pa);
	return buf;
}

#define CHECK_CLEAN(b, name) check(buddy_check(b) == 0, name, check_why(b))

static struct buddy *new_buddy(phys_addr_t base, size_t nframes)
{
	struct buddy *b = calloc(1, sizeof(*b));
	struct page *meta = calloc(nframes, sizeof(struct page));
	buddy_init(b, base, nframes, meta);
	return b;
}

static void free_buddy(struct buddy *b)
{
	free(b->meta);
	free(b);
}

static bool same_shape(const struct buddy *b, const size_t *nr_free)
{
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		if (b->nr_free[o] != nr_free[o])
			return false;
	return true;
}

static void test_init(void)
{
	struct buddy *b = new_buddy(0x3000, 100);
	bool all_reserved = true;
	for (size_t i = 0; i < 100; i++)
		all_reserved &= b->meta[i].flags == PG_RESERVED;
	check(all_reserved && b->free_pages == 0, "buddy_init_reserved",
	      "frames not all reserved");
	check(buddy_alloc(b, 0) == 0, "buddy_init_empty_alloc",
	      "allocation from an empty allocator");
	check(buddy_page(b, 0x3000) == &b->meta[0] &&
		  buddy_page(b, 0x3fff) == &b->meta[0] &&
		  buddy_page(b, 0x3000 + 99 * PAGE_SIZE) == &b->meta[99] &&
		  !buddy_page(b, 0x2fff) &&
		  !buddy_page(b, 0x3000 + 100 * PAGE_SIZE),
	      "buddy_page_lookup", "wrong metadata for an address");
	CHECK_CLEAN(b, "buddy_init_check");

	/* A zeroed, never initialised allocator must not crash. */
	struct buddy zero;
	memset(&zero, 0, sizeof(zero));
	check(buddy_alloc(&zero, 0) == 0, "buddy_uninitialised_alloc",
	      "returned memory");
	free_buddy(b);
}

static void test_coalesce_on_add(void)
{
	/* 8 MiB from physical 0: frame 0 stays reserved, the rest forms one
	 * block of each order 0..9 (1, 2-3, 4-7, ... 512-1023) and one
	 * order-10 block at 1024. */
	struct buddy *b = new_buddy(0, 2048);
	int r = buddy_add_free_range(b, 0, 8UL << 20);
	check(r == 0 && b->free_pages == 2047 && b->managed_pages == 2047,
	      "buddy_add_skips_frame0", "frame 0 released");
	bool shape = b->meta[0].flags == PG_RESERVED;
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		shape &= b->nr_free[o] == 1 &&
			 b->meta[1UL << o].flags == PG_FREE &&
			 b->meta[1UL << o].order == o;
	shape &= b->nr_free[BUDDY_MAX_ORDER] == 1;
	check(shape, "buddy_add_largest_blocks",
	      "not split into the largest aligned blocks");
	CHECK_CLEAN(b, "buddy_add_check");

	/* Releasing again skips what is already free. */
	r = buddy_add_free_range(b, 0x5000, 0x9000);
	check(r == -EEXIST && b->free_pages == 2047, "buddy_add_twice",
	      "overlapping release not refused");

	/* Adjacent releases in two pieces merge across the seam. */
	struct buddy *c = new_buddy(0x400000, 1024);
	buddy_add_free_range(c, 0x400000, 0x400000 + 300 * PAGE_SIZE);
	buddy_add_free_range(c, 0x400000 + 300 * PAGE_SIZE,
			     0x400000 + 1024 * PAGE_SIZE);
	check(c->nr_free[BUDDY_MAX_ORDER] == 1 && c->free_pages == 1024,
	      "buddy_add_merges_seams", "two halves did not merge");
	CHECK_CLEAN(c, "buddy_add_merges_check");
	free_buddy(c);
	free_buddy(b);
}

static void test_odd_boundaries(void)
{
	/* Base not aligned to any large order, ranges with partial pages at
	 * both ends, and a range running past the end. */
	phys_addr_t base = 0x3000;
	size_t n = 5000;
	struct buddy *b = new_buddy(base, n);
	buddy_add_free_range(b, 0x4800, 0x9000);	/* pfn 5..8 */
	buddy_add_free_range(b, 0x200123, 0x1000ff0);	/* pfn 513..4095 */
	buddy_add_free_range(b, 0x1200000, 0x10000000); /* pfn 4608..5002 */
	buddy_add_free_range(b, 0x0, 0x2000);		/* below the range */
	buddy_add_free_range(b, 0x7000, 0x7000);	/* empty */
	size_t want = 4 + (4096 - 513) + (5003 - 4608);
	check(b->free_pages == want, "buddy_odd_count",
	      "wrong number of pages released");
	bool ok = buddy_page(b, 0x4000)->flags == PG_RESERVED &&
		  buddy_page(b, 0x9000)->flags == PG_RESERVED &&
		  buddy_page(b, 0x200000)->flags == PG_RESERVED &&
		  buddy_page(b, 0x1000000)->flags == PG_RESERVED &&
		  buddy_page(b, 0xfff000)->flags != PG_RESERVED;
	check(ok, "buddy_odd_partial_pages",
	      "a partial page at a range edge was released");
	CHECK_CLEAN(b, "buddy_odd_check");

	/* Every page is handed out exactly once, inside the ranges. */
	size_t got = 0;
	bool inside = true;
	phys_addr_t pa;
	while ((pa = buddy_alloc(b, 0))) {
		uint64_t pfn = pa >> PAGE_SHIFT;
		inside &= (pfn >= 5 && pfn < 9) || (pfn >= 513 && pfn < 4096) ||
			  (pfn >= 4608 && pfn < 5003);
		got++;
	}
	check(got == want && inside, "buddy_odd_alloc_all",
	      "allocations outside the released ranges");
	free_buddy(b);
}

static void shuffle(phys_addr_t *a, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng() % (i + 1);
		phys_addr_t t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

static void test_alloc_all_free_random(void)
{
	size_t n = 4096 + 77;
	struct buddy *b = new_buddy(0, n);
	buddy_add_free_range(b, 0, n * PAGE_SIZE);
	size_t shape[BUDDY_MAX_ORDER + 1];
	memcpy(shape, b->nr_free, sizeof(shape));
	size_t total = b->free_pages;

	phys_addr_t *pages = calloc(n, sizeof(*pages));
	uint8_t *seen = calloc(n, 1);
	size_t count = 0;
	bool unique = true, nonzero = true;
	phys_addr_t pa;
	while ((pa = buddy_alloc(b, 0))) {
		uint64_t pfn = pa >> PAGE_SHIFT;
		unique &= pfn < n && !seen[pfn];
		if (pfn < n)
			seen[pfn] = 1;
		pages[count++] = pa;
	}
	nonzero = !seen[0];
	check(count == total && unique && nonzero, "buddy_alloc_all_order0",
	      "pages missing, duplicated or frame 0 returned");
	check(b->free_pages == 0 && buddy_alloc(b, 0) == 0,
	      "buddy_exhausted_returns_0", "allocation after exhaustion");
	bool head = true;
	for (size_t i = 0; i < count; i++) {
		struct page *p = buddy_page(b, pages[i]);
		head &=
		    p->flags == PG_HEAD && p->order == 0 && p->refcount == 1;
	}
	check(head, "buddy_alloc_marks_head", "allocated frame metadata");
	CHECK_CLEAN(b, "buddy_alloc_all_check");

	rng_state = 12345;
	shuffle(pages, count);
	for (size_t i = 0; i < count; i++)
		buddy_free(b, pages[i], 0);
	check(b->free_pages == total && same_shape(b, shape),
	      "buddy_free_random_coalesces",
	      "free blocks did not merge back to the initial blocks");
	CHECK_CLEAN(b, "buddy_free_random_check");
	free(pages);
	free(seen);
	free_buddy(b);
}

static void test_mixed_orders(void)
{
	size_t n = 8192;
	struct buddy *b = new_buddy(0x100000, n);
	buddy_add_free_range(b, 0x100000, 0x100000 + n * PAGE_SIZE);
	size_t shape[BUDDY_MAX_ORDER + 1];
	memcpy(shape, b->nr_free, sizeof(shape));
	size_t total = b->free_pages;

	struct {
		phys_addr_t pa;
		unsigned order;
	} blocks[8192];
	size_t nb = 0;
	bool aligned = true;
	rng_state = 777;
	/* Random orders until an order-0 request fails: fills everything. */
	for (;;) {
		unsigned order = rng() % (BUDDY_MAX_ORDER + 1);
		phys_addr_t pa = buddy_alloc(b, order);
		if (!pa) {
			if (b->free_pages == 0)
				break;
			continue;
		}
		aligned &=
		    IS_ALIGNED(pa, PAGE_SIZE << order) && pa >= 0x100000 &&
		    pa + (PAGE_SIZE << order) <= 0x100000 + n * PAGE_SIZE;
		blocks[nb].pa = pa;
		blocks[nb].order = order;
		nb++;
	}
	check(aligned, "buddy_mixed_alignment",
	      "a block not aligned to its size or outside the range");
	CHECK_CLEAN(b, "buddy_mixed_full_check");
	for (size_t i = nb; i > 1; i--) {
		size_t j = rng() % i;
		__typeof__(blocks[0]) t = blocks[i - 1];
		blocks[i - 1] = blocks[j];
		blocks[j] = t;
	}
	for (size_t i = 0; i < nb; i++)
		buddy_free(b, blocks[i].pa, blocks[i].order);
	check(b->free_pages == total && same_shape(b, shape),
	      "buddy_mixed_coalesces", "blocks did not merge back");
	CHECK_CLEAN(b, "buddy_mixed_check");

	/* Fragmentation: every other page free leaves no order-1 block. */
	phys_addr_t *pages = calloc(n, sizeof(*pages));
	size_t count = 0;
	phys_addr_t pa;
	while ((pa = buddy_alloc(b, 0)))
		pages[count++] = pa;
	for (size_t i = 0; i < count; i++)
		if ((pages[i] >> PAGE_SHIFT) % 2 == 0)
			buddy_free(b, pages[i], 0);
	check(b->free_pages == n / 2 && buddy_alloc(b, 1) == 0 &&
		  buddy_alloc(b, BUDDY_MAX_ORDER) == 0,
	      "buddy_fragmented_exhaustion",
	      "a higher-order block out of fragmented memory");
	check(buddy_alloc(b, BUDDY_MAX_ORDER + 1) == 0, "buddy_order_too_big",
	      "order above BUDDY_MAX_ORDER served");
	CHECK_CLEAN(b, "buddy_fragmented_check");
	free(pages);
	free_buddy(b);
}

static void test_misuse(void)
{
	struct buddy *b = new_buddy(0, 1024);
	buddy_add_free_range(b, 0x10000, 1024 * PAGE_SIZE);
	size_t total = b->free_pages;

	phys_addr_t a = buddy_alloc(b, 0);
	buddy_free(b, a, 0);
	check(EXPECT_CORRUPT(buddy_free(b, a, 0), "double free") &&
		  b->free_pages == total,
	      "buddy_double_free", "not detected or state changed");

	/* Double free of a block that has merged into a bigger one, as
	 * the upper (non-head) half. */
	phys_addr_t x = buddy_alloc(b, 2), y = buddy_alloc(b, 2);
	phys_addr_t upper = MAX(x, y);
	bool buddies = (x ^ y) == (PAGE_SIZE << 2);
	buddy_free(b, x, 2);
	buddy_free(b, y, 2);
	check(buddies && EXPECT_CORRUPT(buddy_free(b, upper, 2), "double free"),
	      "buddy_double_free_merged", "free of a merged tail not caught");

	check(EXPECT_CORRUPT(buddy_free(b, 0x5000, 0), "reserved"),
	      "buddy_free_reserved", "free of a reserved frame not caught");
	check(EXPECT_CORRUPT(buddy_free(b, 0, 0), "reserved"),
	      "buddy_free_frame0", "free of frame 0 not caught");
	check(EXPECT_CORRUPT(buddy_free(b, 4096UL * PAGE_SIZE, 0), "outside"),
	      "buddy_free_out_of_range", "free outside the range not caught");
	check(EXPECT_CORRUPT(buddy_free(b, 1023UL * PAGE_SIZE, 1), "outside"),
	      "buddy_free_past_end", "block running past the end not caught");

	phys_addr_t c = buddy_alloc(b, 1);
	check(EXPECT_CORRUPT(buddy_free(b, c, 0), "order different"),
	      "buddy_free_wrong_order", "order mismatch not caught");
	check(EXPECT_CORRUPT(buddy_free(b, c + PAGE_SIZE, 1), "not aligned"),
	      "buddy_free_misaligned", "free of a misaligned block not caught");
	check(EXPECT_CORRUPT(buddy_free(b, c + PAGE_SIZE, 0), "not allocated"),
	      "buddy_free_tail", "free of a tail page not caught");
	check(EXPECT_CORRUPT(buddy_free(b, c + 8, 1), "page aligned"),
	      "buddy_free_unaligned", "unaligned address not caught");
	check(EXPECT_CORRUPT(buddy_free(b, c, BUDDY_MAX_ORDER + 1),
			     "order above"),
	      "buddy_free_bad_order", "order above the maximum not caught");
	buddy_free(b, c, 1);
	check(b->free_pages == total, "buddy_misuse_no_leak",
	      "misuse changed the counters");
	CHECK_CLEAN(b, "buddy_misuse_check");

	/* buddy_check itself must notice damage. */
	phys_addr_t d = buddy_alloc(b, 3);
	struct page *tail = buddy_page(b, d + PAGE_SIZE);
	tail->flags = PG_FREE;
	check(buddy_check(b) == -EINVAL, "buddy_check_detects_tail",
	      "corrupted tail flags not reported");
	tail->flags = 0;
	b->free_pages++;
	check(buddy_check(b) == -EINVAL, "buddy_check_detects_count",
	      "wrong free counter not reported");
	b->free_pages--;
	struct page *h = buddy_page(b, d);
	h->flags = PG_FREE; /* "free" but on no list */
	b->free_pages += 8;
	check(buddy_check(b) == -EINVAL, "buddy_check_detects_unlisted",
	      "free block missing from its list not reported");
	h->flags = PG_HEAD;
	b->free_pages -= 8;
	CHECK_CLEAN(b, "buddy_check_restored");
	free_buddy(b);
}

static void test_stress(void)
{
	size_t n = 16384 + 333;
	phys_addr_t base = 0x7000;
	struct buddy *b = new_buddy(base, n);
	/* A few ranges with holes between them. */
	buddy_add_free_range(b, base, base + 3000 * PAGE_SIZE);
	buddy_add_free_range(b, base + 3100 * PAGE_SIZE + 5,
			     base + 9000 * PAGE_SIZE);
	buddy_add_free_range(b, base + 9001 * PAGE_SIZE, base + n * PAGE_SIZE);
	size_t total = b->free_pages;
	size_t shape[BUDDY_MAX_ORDER + 1];
	memcpy(shape, b->nr_free, sizeof(shape));

	uint8_t *shadow = calloc(n, 1);
	struct live {
		phys_addr_t pa;
		unsigned order;
	} *live = calloc(n, sizeof(*live));
	size_t nlive = 0, used = 0;
	bool overlap = false, aligned = true, counts = true;
	const char *bad_check = NULL;
	rng_state = 0xdecafbad;
	for (int step = 0; step < 200000; step++) {
		bool do_alloc = nlive == 0 || (rng() % 100) < 55;
		if (do_alloc) {
			/* Mostly small orders, as real use is. */
			unsigned order = rng() % 100 < 80
					     ? rng() % 3
					     : rng() % (BUDDY_MAX_ORDER + 1);
			phys_addr_t pa = buddy_alloc(b, order);
			if (!pa)
				continue;
			aligned &= IS_ALIGNED(pa, PAGE_SIZE << order);
			size_t first = (pa - base) >> PAGE_SHIFT;
			for (size_t i = 0; i < (1UL << order); i++) {
				overlap |= shadow[first + i];
				shadow[first + i] = 1;
			}
			live[nlive].pa = pa;
			live[nlive].order = order;
			nlive++;
			used += 1UL << order;
		} else {
			size_t k = rng() % nlive;
			struct live l = live[k];
			live[k] = live[--nlive];
			size_t first = (l.pa - base) >> PAGE_SHIFT;
			for (size_t i = 0; i < (1UL << l.order); i++)
				shadow[first + i] = 0;
			buddy_free(b, l.pa, l.order);
			used -= 1UL << l.order;
		}
		counts &= b->free_pages + used == total;
		if (step % 5000 == 0 && !bad_check && buddy_check(b))
			bad_check = b->check_why;
	}
	check(!overlap, "buddy_stress_no_overlap",
	      "a frame was handed out twice");
	check(aligned, "buddy_stress_alignment", "misaligned block");
	check(counts, "buddy_stress_counts", "free + used != total");
	check(!bad_check, "buddy_stress_periodic_check",
	      bad_check ? bad_check : "");
	while (nlive) {
		nlive--;
		buddy_free(b, live[nlive].pa, live[nlive].order);
	}
	check(b->free_pages == total && same_shape(b, shape),
	      "buddy_stress_coalesces", "memory did not merge back");
	CHECK_CLEAN(b, "buddy_stress_check");
	free(shadow);
	free(live);
	free_buddy(b);
}

int main(void)
{
	/* Line-buffered so the results so far survive a crash. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_init();
	test_coalesce_on_add();
	test_odd_boundaries();
	test_alloc_all_free_random();
	test_mixed_orders();
	test_misuse();
	test_stress();
	check(!corrupt_unexpected, "buddy_no_unexpected_corruption",
	      corrupt_unexpected ? corrupt_unexpected : "");
	return unit_done();
}
