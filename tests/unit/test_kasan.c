/* Host unit tests for the heap checker (mm/kasan.c over mm/kheap.c, both
 * included directly, as in a SANITIZE=1 kernel): clean use reports
 * nothing; writes past an object or before it, writes after free, double
 * and invalid frees are each reported with the right kind, address and
 * size; the quarantine stays within its bounds and is drained when the
 * heap runs out of memory. */
#ifndef KHEAP_DEBUG
#define KHEAP_DEBUG
#endif
#define KERNEL_SANITIZE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mm/kheap.c"
#include "../../mm/kasan.c"

#include "unit.h"

static int corrupt_count;
void kheap_corrupt(const char *why, const void *p)
{
	(void)why;
	(void)p;
	corrupt_count++;
}

/* The last report, and how many there were. */
static int nr_reports;
static const char *rep_kind;
static const void *rep_addr, *rep_obj;
static size_t rep_size;

void kasan_report(const char *kind, const void *addr, const void *obj,
		  size_t size)
{
	nr_reports++;
	rep_kind = kind;
	rep_addr = addr;
	rep_obj = obj;
	rep_size = size;
}

/* Pages from an arena that is never given back, so stale headers stay
 * readable; freed blocks are reused per order, and pool_cap pages at most
 * may be out at once. */
#define POOL_PAGES 8192
#define POOL_STACK 4096
static unsigned char *pool;
static size_t pool_next, pool_out, pool_cap = POOL_PAGES;
static void *pool_freed[KHEAP_MAX_ORDER + 1][POOL_STACK];
static size_t pool_nfreed[KHEAP_MAX_ORDER + 1];

static void *pool_alloc(void *ctx, unsigned order)
{
	(void)ctx;
	size_t n = 1UL << order;
	if (pool_out + n > pool_cap)
		return NULL;
	void *p;
	if (pool_nfreed[order]) {
		p = pool_freed[order][--pool_nfreed[order]];
	} else {
		pool_next = ALIGN_UP(pool_next, n);
		if (pool_next + n > POOL_PAGES)
			return NULL;
		p = pool + pool_next * PAGE_SIZE;
		pool_next += n;
	}
	pool_out += n;
	return p;
}

static void pool_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	if (pool_nfreed[order] < POOL_STACK)
		pool_freed[order][pool_nfreed[order]++] = p;
	pool_out -= 1UL << order;
}

static const struct kheap_ops pool_ops = {pool_alloc, pool_free, NULL};
static struct kheap heap;
static struct kasan_quarantine quar;

/* One report of kind at addr about an object of size bytes at obj. */
static void expect_report(const char *name, int before, const char *kind,
			  const void *addr, const void *obj, size_t size)
{
	char why[200];
	snprintf(why, sizeof(why), "%d reports, last %s at %p obj %p size %zu",
		 nr_reports - before, rep_kind ? rep_kind : "-", rep_addr,
		 rep_obj, rep_size);
	unit_report(nr_reports == before + 1 && rep_kind &&
			strcmp(rep_kind, kind) == 0 && rep_addr == addr &&
			rep_obj == obj && rep_size == size,
		    name, __FILE__, __LINE__, why);
}

static void test_clean(void)
{
	static const size_t sizes[] = {0,    1,	   15,	 16,   17,   24,   100,
				       2000, 2032, 2048, 4096, 5000, 70000};
	bool ok = true;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			char *p = kasan_alloc(&heap, &quar, sizes[i]);
			if (!p || !IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN) ||
			    kasan_size(p) != sizes[i]) {
				ok = false;
				continue;
			}
			memset(p, round, sizes[i]);
			kasan_free(&heap, &quar, p);
		}
	}
	CHECK("kasan_clean_alloc_free", ok);
	CHECK_EQ_INT("kasan_clean_no_reports", nr_reports, 0);
	CHECK("kasan_quarantine_within_slots",
	      quar.count <= KASAN_QUARANTINE_SLOTS);
	CHECK("kasan_quarantine_within_bytes",
	      quar.bytes <= KASAN_QUARANTINE_BYTES);
	kasan_drain(&heap, &quar);
	CHECK_EQ_INT("kasan_drain_no_reports", nr_reports, 0);
	CHECK_EQ_UINT("kasan_drain_empties_heap", heap.nr_live, 0);
	CHECK_EQ_INT("kasan_heap_check_clean", kheap_check(&heap), 0);
}

static void test_slot_bound(void)
{
	static void *ptrs[KASAN_QUARANTINE_SLOTS + 100];
	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++)
		ptrs[i] = kasan_alloc(&heap, &quar, 8);
	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++)
		kasan_free(&heap, &quar, ptrs[i]);
	CHECK_EQ_UINT("kasan_quarantine_full", quar.count,
		      KASAN_QUARANTINE_SLOTS);
	CHECK_EQ_UINT("kasan_quarantine_releases_oldest", heap.nr_live,
		      KASAN_QUARANTINE_SLOTS);
	kasan_drain(&heap, &quar);
	CHECK_EQ_INT("kasan_slot_bound_no_reports", nr_reports, 0);
}

static void test_errors(void)
{
	int n = nr_reports;
	char *p = kasan_alloc(&heap, &quar, 24);
	p[24] = 1; /* in the 32-byte class's slack */
	kasan_free(&heap, &quar, p);
	expect_report("kasan_oob_small", n, "heap-out-of-bounds", p + 24, p,
		      24);

	n = nr_reports;
	p = kasan_alloc(&heap, &quar, 5000);
	p[5003] = 1;
	kasan_free(&heap, &quar, p);
	expect_report("kasan_oob_big", n, "heap-out-of-bounds", p + 5003, p,
		      5000);

	n = nr_reports;
	p = kasan_alloc(&heap, &quar, 32);
	p[-1] = 1;
	kasan_free(&heap, &quar, p);
	expect_report("kasan_underflow", n, "heap-out-of-bounds",
		      p - KASAN_HDR + 8, p, 0);

	n = nr_reports;
	p = kasan_alloc(&heap, &quar, 64);
	kasan_free(&heap, &quar, p);
	p[8] = 1;
	kasan_drain(&heap, &quar);
	expect_report("kasan_use_after_free", n, "use-after-free", p + 8, p,
		      64);

	n = nr_reports;
	p = kasan_alloc(&heap, &quar, 40);
	kasan_free(&heap, &quar, p);
	kasan_free(&heap, &quar, p);
	expect_report("kasan_double_free", n, "double-free", p, p, 40);
	kasan_drain(&heap, &quar);

	n = nr_reports;
	p = kasan_alloc(&heap, &quar, 100);
	kasan_free(&heap, &quar, p + 16);
	expect_report("kasan_invalid_free_inside", n, "invalid-free", p + 16,
		      p + 16, 0);
	kasan_free(&heap, &quar, p + 3);
	expect_report("kasan_invalid_free_misaligned", n + 1, "invalid-free",
		      p + 3, p + 3, 0);
	kasan_free(&heap, &quar, p);
	kasan_drain(&heap, &quar);
	CHECK_EQ_INT("kasan_after_errors_no_reports", nr_reports, n + 2);
}

/* Memory held in the quarantine is given back before an allocation
 * fails. */
static void test_oom_drains(void)
{
	kasan_drain(&heap, &quar);
	kheap_trim(&heap);
	pool_cap = pool_out + 300; /* the quarantine's 2 MiB is 512 pages */
	void *p;
	int n = 0;
	while ((p = kasan_alloc(&heap, &quar, 3000)) != NULL && n < 1000) {
		kasan_free(&heap, &quar, p);
		n++;
	}
	CHECK("kasan_oom_drains_quarantine", p != NULL);
	if (p)
		kasan_free(&heap, &quar, p);
	kasan_drain(&heap, &quar);
	pool_cap = POOL_PAGES;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pool = aligned_alloc(PAGE_SIZE, (size_t)POOL_PAGES * PAGE_SIZE);
	kheap_init(&heap, &pool_ops);
	test_clean();
	test_slot_bound();
	test_oom_drains();
	test_errors();
	CHECK_EQ_INT("kasan_no_heap_corruption", corrupt_count, 0);
	free(pool);
	return unit_done();
}
