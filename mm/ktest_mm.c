/* Self-tests of the page-frame allocator and the kernel heap under pressure
 * (ktest=...): allocate until memory runs out, free everything, and check
 * that the counters come back to where they started. */
#include <ktest.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>

/* Singly linked through the first word of each free page: the pages
 * themselves hold the list, so exhausting memory needs no other memory. */
KTEST(pmm_pressure)
{
	struct pmm_stats before, during, after;
	pmm_get_stats(&before);
	phys_addr_t head = 0;
	uint64_t n = 0;
	bool bad = false;
	for (;;) {
		phys_addr_t pa = pmm_alloc_pages(0);
		if (!pa)
			break;
		if (pa & (PAGE_SIZE - 1) || pa < (1UL << 20))
			bad = true;
		*(phys_addr_t *)phys_to_virt(pa) = head;
		head = pa;
		n++;
	}
	pmm_get_stats(&during);
	KCHECK(!bad, "pmm_pages_aligned_above_1mib");
	KCHECK(n == before.free_pages, "pmm_exhaust_all_free_pages",
	       "allocated %llu pages, %llu were free", (unsigned long long)n,
	       (unsigned long long)before.free_pages);
	KCHECK(during.free_pages == 0, "pmm_free_count_zero", "%llu free",
	       (unsigned long long)during.free_pages);
	while (head) {
		phys_addr_t next = *(phys_addr_t *)phys_to_virt(head);
		pmm_free_pages(head, 0);
		head = next;
	}
	pmm_get_stats(&after);
	KCHECK(after.free_pages == before.free_pages, "pmm_all_pages_back",
	       "%llu free after, %llu before",
	       (unsigned long long)after.free_pages,
	       (unsigned long long)before.free_pages);
	/* After full coalescing a large block must be available again. */
	phys_addr_t big = pmm_alloc_pages(10);
	KCHECK(big && IS_ALIGNED(big, PAGE_SIZE << 10), "pmm_coalesced_4mib",
	       "got %#llx", (unsigned long long)big);
	if (big)
		pmm_free_pages(big, 10);
}

KTEST(kmalloc_pressure)
{
	static void *ptrs[4096];
	static const size_t sizes[] = {1,   8,	  16,	24,   100,  256,
				       700, 2048, 3000, 9000, 70000};
	struct pmm_stats before, after;
	pmm_get_stats(&before);
	bool ok = true;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 4096; i++) {
			size_t sz = sizes[(i * 7 + round) % ARRAY_SIZE(sizes)];
			ptrs[i] = kmalloc(sz);
			if (!ptrs[i]) {
				ok = false;
				continue;
			}
			memset(ptrs[i], i & 0xff, sz);
		}
		for (int i = 0; i < 4096; i += 2)
			kfree(ptrs[i]);
		for (int i = 1; i < 4096; i += 2) {
			size_t sz = sizes[(i * 7 + round) % ARRAY_SIZE(sizes)];
			const uint8_t *p = ptrs[i];
			if (p &&
			    (p[0] != (i & 0xff) || p[sz - 1] != (i & 0xff)))
				ok = false;
			kfree(ptrs[i]);
		}
	}
	KCHECK(ok, "kmalloc_alloc_write_free_rounds");
	KCHECK(kmalloc_selfcheck() == 0, "kmalloc_selfcheck_clean");
	pmm_get_stats(&after);
	/* Caches may keep one empty slab per size class. */
	int64_t kept = (int64_t)before.free_pages - (int64_t)after.free_pages;
	KCHECK(kept <= 16, "kmalloc_returns_pages", "%lld pages kept",
	       (long long)kept);
	void *huge = kmalloc(1UL << 40);
	KCHECK(huge == NULL, "kmalloc_huge_fails_cleanly");
}
