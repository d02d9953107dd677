/* The kernel's physical page allocator: turns the boot memory map into one
 * global buddy allocator (mm/buddy.c), places its struct page array in RAM,
 * and serialises access with a spinlock. */
#include <failinject.h>
#include <lib/string.h>
#include <mm/buddy.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <panic.h>
#include <printk.h>
#include <spinlock.h>

/* Nothing below 1 MiB is handed out (real-mode IVT, BIOS data, EBDA,
 * option ROMs; and 0 must stay "no memory"). */
#define PMM_LOW_LIMIT (1UL << 20)
/* The boot page tables direct-map only the first 4 GiB: the page array
 * must live there, and RAM above waits for pmm_release_high(). */
#define PMM_BOOT_MAP_LIMIT (4UL << 30)
#define PMM_MAX_DEFERRED 32

/* Protects pmm_buddy (free lists, counters, and the flags/order of every
 * struct page), pmm_deferred and pmm_ndeferred. Taken with interrupts off:
 * pages are allocated from interrupt context. kmalloc_lock nests outside
 * it; nothing is called with it held that could take another lock. */
static spinlock_t pmm_lock = SPINLOCK_INIT("pmm");
static struct buddy pmm_buddy;
static struct phys_range pmm_deferred[PMM_MAX_DEFERRED];
static size_t pmm_ndeferred;
static uint64_t pmm_deferred_pages;
/* Set once by pmm_init, read-only afterwards. */
static uint64_t pmm_total_pages;
static phys_addr_t pmm_highest;

void buddy_corrupt(const char *why, phys_addr_t pa)
{
	panic("pmm: %s (%#llx)", why, (unsigned long long)pa);
}

/* Everything pmm_init must not release or use for the page array: the
 * caller's reserved ranges, non-usable map entries (firmware maps may
 * overlap), the first MiB and, once placed, the page array itself. */
struct pmm_layout {
	const struct mem_region *map;
	size_t nmap;
	const struct phys_range *reserved;
	size_t nreserved;
	struct phys_range meta; /* empty until placed */
};

static phys_addr_t region_end(const struct mem_region *r)
{
	/* Saturate instead of wrapping on a bogus length. */
	if (r->len > UINT64_MAX - r->base)
		return UINT64_MAX;
	return r->base + r->len;
}

static size_t nr_exclusions(const struct pmm_layout *l)
{
	return l->nreserved + l->nmap + 2;
}

static struct phys_range exclusion(const struct pmm_layout *l, size_t i)
{
	if (i < l->nreserved)
		return l->reserved[i];
	i -= l->nreserved;
	if (i < l->nmap) {
		const struct mem_region *r = &l->map[i];
		if (r->type == MEM_USABLE)
			return (struct phys_range){0, 0};
		return (struct phys_range){r->base, region_end(r)};
	}
	i -= l->nmap;
	if (i == 0)
		return (struct phys_range){0, PMM_LOW_LIMIT};
	return l->meta;
}

/* The first exclusion overlapping [start, end), by start address; false if
 * none. Of exclusions starting at the same place, the longest. */
static bool first_overlap(const struct pmm_layout *l, phys_addr_t start,
			  phys_addr_t end, struct phys_range *out)
{
	bool found = false;
	for (size_t i = 0; i < nr_exclusions(l); i++) {
		struct phys_range x = exclusion(l, i);
		if (x.start >= x.end || x.start >= end || x.end <= start)
			continue;
		x.start = MAX(x.start, start);
		if (!found || x.start < out->start ||
		    (x.start == out->start && x.end > out->end)) {
			*out = x;
			found = true;
		}
	}
	return found;
}

/* Lowest page-aligned [pa, pa + size) inside a usable region, below limit
 * and clear of every exclusion; 0 if none. */
static phys_addr_t place_meta(const struct pmm_layout *l, uint64_t size,
			      phys_addr_t limit)
{
	phys_addr_t best = 0;
	for (size_t i = 0; i < l->nmap; i++) {
		const struct mem_region *r = &l->map[i];
		if (r->type != MEM_USABLE)
			continue;
		phys_addr_t lo =
		    ALIGN_UP(MAX(r->base, PMM_LOW_LIMIT), PAGE_SIZE);
		phys_addr_t hi =
		    ALIGN_DOWN(MIN(region_end(r), limit), PAGE_SIZE);
		phys_addr_t cand = lo;
		struct phys_range x;
		while (cand < hi && size <= hi - cand) {
			if (!first_overlap(l, cand, cand + size, &x)) {
				if (!best || cand < best)
					best = cand;
				break;
			}
			cand = ALIGN_UP(x.end, PAGE_SIZE);
		}
	}
	return best;
}

static void defer_range(phys_addr_t start, phys_addr_t end)
{
	if (pmm_ndeferred == PMM_MAX_DEFERRED) {
		pr_warn("pmm: too many RAM ranges above 4 GiB, dropping "
			"[%#llx-%#llx)",
			(unsigned long long)start, (unsigned long long)end);
		return;
	}
	pmm_deferred[pmm_ndeferred++] = (struct phys_range){start, end};
	pmm_deferred_pages += (end - start) >> PAGE_SHIFT;
}

/* Hands [start, end) (already clear of exclusions) to the buddy, or keeps
 * it for pmm_release_high if the boot page tables do not map it. */
static void release_piece(phys_addr_t start, phys_addr_t end)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (start >= end)
		return;
	if (start < PMM_BOOT_MAP_LIMIT) {
		phys_addr_t e = MIN(end, PMM_BOOT_MAP_LIMIT);
		if (buddy_add_free_range(&pmm_buddy, start, e))
			pr_warn("pmm: RAM [%#llx-%#llx) listed twice in the "
				"memory map",
				(unsigned long long)start,
				(unsigned long long)e);
		start = e;
	}
	if (start < end)
		defer_range(start, end);
}

/* Releases usable [start, end) minus every exclusion. */
static void release_region(const struct pmm_layout *l, phys_addr_t start,
			   phys_addr_t end)
{
	struct phys_range x;
	while (start < end) {
		if (!first_overlap(l, start, end, &x)) {
			release_piece(start, end);
			return;
		}
		if (x.start > start)
			release_piece(start, x.start);
		start = x.end;
	}
}

void __init pmm_init(const struct mem_region *map, size_t nmap,
		     const struct phys_range *reserved, size_t nreserved)
{
	struct pmm_layout l = {map, nmap, reserved, nreserved, {0, 0}};
	phys_addr_t highest = 0;

	for (size_t i = 0; i < nmap; i++)
		if (map[i].type == MEM_USABLE && map[i].len)
			highest = MAX(highest, region_end(&map[i]));
	highest = ALIGN_DOWN(MIN(highest, DIRECT_MAP_MAX), PAGE_SIZE);
	pmm_highest = highest;

	/* One struct page per frame from physical 0, so a frame's metadata
	 * is a plain index. The array must be reachable now, through the
	 * boot direct map; if RAM is too large for it to fit below 4 GiB,
	 * manage only the first 4 GiB rather than fail. */
	phys_addr_t managed_end = highest;
	uint64_t meta_size, meta_pa;
	for (;;) {
		meta_size =
		    ALIGN_UP((managed_end >> PAGE_SHIFT) * sizeof(struct page),
			     PAGE_SIZE);
		meta_pa = place_meta(&l, meta_size, PMM_BOOT_MAP_LIMIT);
		if (meta_pa || managed_end <= PMM_BOOT_MAP_LIMIT)
			break;
		pr_warn("pmm: no room below 4 GiB for the page array of "
			"%llu MiB of RAM; using the first 4 GiB only",
			(unsigned long long)(highest >> 20));
		managed_end = PMM_BOOT_MAP_LIMIT;
	}
	if (!meta_pa)
		panic("pmm: no usable RAM for the page array (%llu KiB)",
		      (unsigned long long)(meta_size >> 10));
	l.meta = (struct phys_range){meta_pa, meta_pa + meta_size};

	for (size_t i = 0; i < nmap; i++) {
		if (map[i].type != MEM_USABLE)
			continue;
		phys_addr_t s = ALIGN_UP(map[i].base, PAGE_SIZE);
		phys_addr_t e = ALIGN_DOWN(
		    MIN(region_end(&map[i]), managed_end), PAGE_SIZE);
		if (s < e)
			pmm_total_pages += (e - s) >> PAGE_SHIFT;
	}

	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	buddy_init(&pmm_buddy, 0, managed_end >> PAGE_SHIFT,
		   phys_to_virt(meta_pa));
	for (size_t i = 0; i < nmap; i++)
		if (map[i].type == MEM_USABLE)
			release_region(&l, map[i].base,
				       MIN(region_end(&map[i]), managed_end));
	spin_unlock_irqrestore(&pmm_lock, fl);

	pr_info("pmm: page array for %llu MiB at %#llx (%llu KiB)%s",
		(unsigned long long)(managed_end >> 20),
		(unsigned long long)meta_pa,
		(unsigned long long)(meta_size >> 10),
		pmm_ndeferred ? ", RAM above 4 GiB deferred" : "");
}

void pmm_release_range(phys_addr_t start, phys_addr_t end)
{
	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	release_piece(start, end);
	spin_unlock_irqrestore(&pmm_lock, fl);
}

void pmm_release_high(void)
{
	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	for (size_t i = 0; i < pmm_ndeferred; i++)
		buddy_add_free_range(&pmm_buddy, pmm_deferred[i].start,
				     pmm_deferred[i].end);
	pmm_ndeferred = 0;
	pmm_deferred_pages = 0;
	spin_unlock_irqrestore(&pmm_lock, fl);
}

phys_addr_t pmm_alloc_pages(unsigned order)
{
	if (unlikely(failinject_alloc()))
		return 0;
	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	phys_addr_t pa = buddy_alloc(&pmm_buddy, order);
	spin_unlock_irqrestore(&pmm_lock, fl);
	return pa;
}

void pmm_free_pages(phys_addr_t pa, unsigned order)
{
	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	buddy_free(&pmm_buddy, pa, order);
	spin_unlock_irqrestore(&pmm_lock, fl);
}

void *pmm_alloc_zeroed_page(void)
{
	phys_addr_t pa = pmm_alloc_pages(0);
	if (!pa)
		return NULL;
	void *va = phys_to_virt(pa);
	memset(va, 0, PAGE_SIZE);
	return va;
}

void pmm_free_page_virt(void *va)
{
	pmm_free_pages(virt_to_phys(va), 0);
}

struct page *pmm_page(phys_addr_t pa)
{
	/* No lock: base, size and location of the array are fixed. */
	return buddy_page(&pmm_buddy, pa);
}

void pmm_get_stats(struct pmm_stats *st)
{
	irqflags_t fl = spin_lock_irqsave(&pmm_lock);
	uint64_t held = pmm_buddy.managed_pages + pmm_deferred_pages;
	st->total_pages = pmm_total_pages;
	st->free_pages = pmm_buddy.free_pages;
	st->reserved_pages =
	    pmm_total_pages > held ? pmm_total_pages - held : 0;
	st->highest = pmm_highest;
	spin_unlock_irqrestore(&pmm_lock, fl);
}

/* Sharing of single frames between address spaces (copy-on-write): the
 * buddy allocator sets refcount to 1 on allocation; the last put frees. */
void page_ref_get(phys_addr_t pa)
{
	irqflags_t f = spin_lock_irqsave(&pmm_lock);
	pmm_page(pa)->refcount++;
	spin_unlock_irqrestore(&pmm_lock, f);
}

void page_ref_put(phys_addr_t pa)
{
	irqflags_t f = spin_lock_irqsave(&pmm_lock);
	uint32_t left = --pmm_page(pa)->refcount;
	spin_unlock_irqrestore(&pmm_lock, f);
	if (left == 0)
		pmm_free_pages(pa, 0);
}

uint32_t page_ref_count(phys_addr_t pa)
{
	return __atomic_load_n(&pmm_page(pa)->refcount, __ATOMIC_RELAXED);
}
