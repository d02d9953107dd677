/* Self-tests of the page-frame allocator and the kernel heap under pressure
 * (ktest=...): allocate until memory runs out, free everything, and check
 * that the counters come back to where they started; and of the user
 * page-table walk. */
#include <ktest.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/vm.h>

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

/* The user page-table walk that munmap, exit and fork use: it finds each
 * mapped page once, in order, across leaf tables and empty upper levels,
 * and uvm_unmap_next removes what it finds. */
KTEST(uvm_walk)
{
	static const uintptr_t va[] = {
	    0x400000,		  /* first slot of a leaf table */
	    0x5ff000,		  /* last slot of the same table */
	    0x600000,		  /* first slot of the next table */
	    0x7f0000000000,	  /* another PML4 slot, far away */
	    USER_TOP - PAGE_SIZE, /* the last user page */
	};
	const size_t n = sizeof(va) / sizeof(va[0]);
	uint64_t *root = uvm_create();
	void *page = pmm_alloc_zeroed_page();
	KCHECK(root && page, "uvm_walk_setup", "out of memory");
	if (!root || !page)
		return;
	phys_addr_t pa = virt_to_phys(page);
	bool mapped = true;
	for (size_t i = 0; i < n; i++)
		mapped &= uvm_map(root, va[i], pa, VM_USER | VM_WRITE) == 0;
	KCHECK(mapped, "uvm_walk_map", "uvm_map failed");
	size_t seen = 0;
	bool in_order = true;
	for (uintptr_t a = uvm_next_mapped(root, 0, USER_TOP); a < USER_TOP;
	     a = uvm_next_mapped(root, a + PAGE_SIZE, USER_TOP))
		in_order &= seen < n && a == va[seen++];
	KCHECK(in_order && seen == n, "uvm_next_mapped_finds_each",
	       "%zu of %zu pages, in order: %d", seen, n, in_order);
	/* A range that starts mid-table and ends before the next page. */
	KCHECK(uvm_next_mapped(root, 0x401000, 0x5ff000) == 0x5ff000,
	       "uvm_next_mapped_stops_at_end", "found a page past end");
	seen = 0;
	in_order = true;
	phys_addr_t got;
	for (uintptr_t a = 0; uvm_unmap_next(root, &a, USER_TOP, &got);
	     a += PAGE_SIZE)
		in_order &= seen < n && a == va[seen++] && got == pa;
	KCHECK(in_order && seen == n, "uvm_unmap_next_removes_each",
	       "%zu of %zu pages, in order: %d", seen, n, in_order);
	KCHECK(uvm_next_mapped(root, 0, USER_TOP) == USER_TOP,
	       "uvm_unmap_next_leaves_none", "a page is still mapped");
	uvm_destroy(root);
	pmm_free_page_virt(page);
}
