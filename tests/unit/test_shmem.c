/* Host tests of mm/shmem.c, the shared memory objects that are also the
 * page cache of disk files: the sparse page index (allocation, -EEXIST,
 * -ERANGE, truncation, the Shmem and Cached counters), backed objects
 * (filled only by their backing, dirty bits, write-back iteration and
 * when shm_written may clear a page), reclaim (least recently used object
 * first, never dirty or mapped pages, an object put is off the list) and
 * that every frame handed out comes back.
 *
 * The kernel's physical memory is faked: frames come from a page-aligned
 * static array, and "physical" addresses are offsets into it from a base
 * that is not 0. mm/layout.h's phys_to_virt and virt_to_phys are inline
 * functions over the kernel's direct map, so the test defines the header's
 * include guard and its own versions before including mm/shmem.c. The fake
 * allocator keeps a reference count per frame and counts every misuse
 * (a reference on a free frame, a double free, a foreign address), and the
 * fake spinlocks count recursion and unbalanced unlocks. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <types.h>

/* ---- Fake physical memory (replaces mm/layout.h) ---- */

#define LIMEN_MM_LAYOUT_H /* mm/shmem.c's #include <mm/layout.h> is empty */

#define NFRAMES 256
#define FAKE_PHYS_BASE 0x100000UL /* frame 0 is never physical address 0 */

static unsigned char fake_mem[NFRAMES][PAGE_SIZE] __aligned(PAGE_SIZE);
static uint32_t frame_refs[NFRAMES]; /* 0: free */
static int frames_out;		     /* allocated and not yet freed */
static int frames_total;	     /* ever allocated */
static int pmm_errors;		     /* misuses of the fake allocator */
static int pmm_fail;		     /* nonzero: allocations fail */

/* The frame holding pa, or -1 (and an error) if pa is not one. */
static long frame_of(phys_addr_t pa)
{
	if (pa < FAKE_PHYS_BASE || (pa & (PAGE_SIZE - 1)) ||
	    pa >= FAKE_PHYS_BASE + NFRAMES * PAGE_SIZE) {
		pmm_errors++;
		return -1;
	}
	return (long)((pa - FAKE_PHYS_BASE) / PAGE_SIZE);
}

static inline void *phys_to_virt(phys_addr_t pa)
{
	long i = frame_of(pa);
	return i < 0 ? NULL : fake_mem[i];
}

static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va, base = (uintptr_t)fake_mem;
	if (v < base || v >= base + sizeof(fake_mem) || (v & (PAGE_SIZE - 1))) {
		pmm_errors++;
		return 0;
	}
	return FAKE_PHYS_BASE + (v - base);
}

#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <spinlock.h>

void *pmm_alloc_zeroed_page(void)
{
	if (pmm_fail)
		return NULL;
	for (int i = 0; i < NFRAMES; i++) {
		if (frame_refs[i] == 0) {
			frame_refs[i] = 1;
			frames_out++;
			frames_total++;
			memset(fake_mem[i], 0, PAGE_SIZE);
			return fake_mem[i];
		}
	}
	return NULL;
}

static void free_frame(long i)
{
	frame_refs[i] = 0;
	frames_out--;
	memset(fake_mem[i], 0x6b, PAGE_SIZE); /* poison */
}

void pmm_free_page_virt(void *va)
{
	long i = frame_of(virt_to_phys(va));
	/* Only ever called on a page no one else has a reference to. */
	if (i < 0 || frame_refs[i] != 1) {
		pmm_errors++;
		return;
	}
	free_frame(i);
}

void page_ref_get(phys_addr_t pa)
{
	long i = frame_of(pa);
	if (i < 0 || frame_refs[i] == 0) {
		pmm_errors++;
		return;
	}
	frame_refs[i]++;
}

void page_ref_put(phys_addr_t pa)
{
	long i = frame_of(pa);
	if (i < 0 || frame_refs[i] == 0) {
		pmm_errors++;
		return;
	}
	if (--frame_refs[i] == 0)
		free_frame(i);
}

uint32_t page_ref_count(phys_addr_t pa)
{
	long i = frame_of(pa);
	return i < 0 ? 0 : frame_refs[i];
}

static struct pmm_stats fake_stats = {.total_pages = 1000, .free_pages = 1000};

void pmm_get_stats(struct pmm_stats *st)
{
	*st = fake_stats;
}

/* ---- Fake spinlocks: one CPU, so a lock taken twice is a bug ---- */

static int locks_held, lock_errors;

void spin_init(spinlock_t *l, const char *name)
{
	l->locked = 0;
	l->cpu = -1;
	l->name = name;
	l->lc_class = 0;
}

irqflags_t spin_lock_irqsave(spinlock_t *l)
{
	if (l->locked)
		lock_errors++;
	l->locked = 1;
	locks_held++;
	return 0x200;
}

void spin_unlock_irqrestore(spinlock_t *l, irqflags_t flags)
{
	if (!l->locked || flags != 0x200)
		lock_errors++;
	l->locked = 0;
	locks_held--;
}

bool spin_is_held(const spinlock_t *l)
{
	return l->locked;
}

/* ---- The kernel heap ---- */

static int kzalloc_fail; /* nonzero: allocations fail */

void *kzalloc(size_t n)
{
	return kzalloc_fail ? NULL : calloc(1, n);
}

void kfree(void *p)
{
	free(p);
}

#include "../../mm/radix.c"
#include "../../mm/shmem.c"

/* ---- A fake backing store ---- */

static int fill_calls, fill_locked;

/* The word a filled page starts with: which object, which page. */
static uint64_t pattern(struct shm_obj *s, uint64_t idx)
{
	return ((uint64_t)(uintptr_t)s->backing_priv << 40) ^ idx ^
	       0x5a5a000000000000ULL;
}

static int fake_fill(struct shm_obj *s, uint64_t idx)
{
	fill_calls++;
	if (locks_held)
		fill_locked++; /* fill may sleep: no lock may be held */
	if (idx >= s->valid)
		return -ERANGE;
	void *page = pmm_alloc_zeroed_page();
	if (!page)
		return -ENOMEM;
	*(uint64_t *)page = pattern(s, idx);
	int e = shm_add_page(s, idx, page);
	if (e)
		pmm_free_page_virt(page);
	return e;
}

static const struct shm_backing fake_backing = {.fill = fake_fill};

static struct shm_obj *backed(uint64_t npages, uintptr_t tag)
{
	struct shm_obj *s = shm_create(npages);
	if (s)
		shm_set_backing(s, &fake_backing, (void *)tag);
	return s;
}

static uint64_t first_word(phys_addr_t pa)
{
	return *(uint64_t *)phys_to_virt(pa);
}

static struct shm_cache_stats cache(void)
{
	struct shm_cache_stats st;
	shm_cache_stats(&st);
	return st;
}

/* ---- 1. The index of an object without a backing store ---- */

static void test_index(void)
{
	static const uint64_t idx[] = {0, 511, 512, 1ULL << 20,
				       (1ULL << 32) - 1};
	const int n = ARRAY_SIZE(idx);
	phys_addr_t pa[ARRAY_SIZE(idx)];
	uint64_t shm0 = shm_total_pages(), cached0 = cache().cached;
	int out0 = frames_out;

	struct shm_obj *s = shm_create(1ULL << 32);
	CHECK("index_create", s && s->resident == 0 && s->refs == 1);
	CHECK_EQ_UINT("index_get_past_end", shm_get_page(s, 1ULL << 32, false),
		      0);

	int ok = 1, distinct = 1;
	for (int i = 0; i < n; i++) {
		pa[i] = shm_get_page(s, idx[i], false);
		/* The index's reference and the caller's mapping's. */
		ok &= pa[i] != 0 && page_ref_count(pa[i]) == 2;
		for (int j = 0; j < i; j++)
			distinct &= pa[i] != pa[j];
	}
	CHECK("index_get_sparse_allocates", ok);
	CHECK("index_frames_distinct", distinct);
	CHECK_EQ_UINT("index_resident", s->resident, n);
	CHECK_EQ_INT("index_frames_out", frames_out - out0, n);
	CHECK_EQ_UINT("index_shmem_counts", shm_total_pages() - shm0, n);
	CHECK_EQ_UINT("index_not_cached", cache().cached - cached0, 0);

	/* A page stays the same page; its contents are zeroes, and a store
	 * through one lookup is seen through the next. */
	*(uint64_t *)phys_to_virt(pa[3]) = 0xfeedULL;
	phys_addr_t again = shm_get_page(s, idx[3], false);
	CHECK("index_get_again_same_frame", again == pa[3] &&
						page_ref_count(pa[3]) == 3 &&
						first_word(again) == 0xfeedULL);
	page_ref_put(again);
	CHECK_EQ_UINT("index_get_again_no_alloc", s->resident, n);

	/* shm_file_page: no reference taken; allocates only when asked. */
	bool created = true;
	CHECK("file_page_present",
	      shm_file_page(s, idx[4], false, &created) == pa[4] && !created &&
		  page_ref_count(pa[4]) == 2);
	created = true;
	CHECK("file_page_missing_no_alloc",
	      shm_file_page(s, 7, false, &created) == 0 && !created &&
		  s->resident == (uint64_t)n);
	phys_addr_t p7 = shm_file_page(s, 7, true, &created);
	CHECK("file_page_alloc", p7 && created && page_ref_count(p7) == 1 &&
				     s->resident == (uint64_t)n + 1 &&
				     first_word(p7) == 0);
	CHECK("file_page_alloc_existing",
	      shm_file_page(s, 7, true, &created) == p7 && !created &&
		  s->resident == (uint64_t)n + 1);
	CHECK_EQ_UINT("file_page_past_end",
		      shm_file_page(s, 1ULL << 32, true, &created), 0);

	/* shm_add_page: a taken index is -EEXIST and the object does not
	 * take the page; past the end is -ERANGE. */
	void *extra = pmm_alloc_zeroed_page();
	CHECK_EQ_INT("add_taken_eexist", shm_add_page(s, 511, extra), -EEXIST);
	CHECK_EQ_INT("add_past_end_erange", shm_add_page(s, 1ULL << 32, extra),
		     -ERANGE);
	CHECK("add_failed_leaves_page",
	      page_ref_count(virt_to_phys(extra)) == 1 &&
		  s->resident == (uint64_t)n + 1);
	CHECK_EQ_INT("add_free_index", shm_add_page(s, 100, extra), 0);
	CHECK("add_takes_the_page",
	      shm_file_page(s, 100, false, NULL) == virt_to_phys(extra) &&
		  page_ref_count(virt_to_phys(extra)) == 1 &&
		  s->resident == (uint64_t)n + 2);
	CHECK_EQ_UINT("add_shmem_counts", shm_total_pages() - shm0, n + 2);

	/* valid bounds faults (shm_get_page), not the owner's shm_file_page. */
	shm_set_valid(s, 600);
	CHECK("valid_bounds_get", shm_page_valid(s, 599) &&
				      !shm_page_valid(s, 600) &&
				      shm_get_page(s, 1ULL << 20, false) == 0);
	CHECK("valid_not_file_page",
	      shm_file_page(s, 1ULL << 20, false, NULL) == pa[3]);
	shm_set_valid(s, 1ULL << 40);
	CHECK_EQ_UINT("valid_capped_at_npages", s->valid, 1ULL << 32);

	/* Out of memory: 0, nothing stored, nothing leaked. */
	pmm_fail = 1;
	CHECK_EQ_UINT("get_enomem", shm_get_page(s, 9, false), 0);
	pmm_fail = 0;
	kzalloc_fail = 1;
	int before = frames_out;
	CHECK_EQ_UINT("get_index_enomem", shm_get_page(s, 1ULL << 30, false),
		      0);
	kzalloc_fail = 0;
	CHECK("get_enomem_nothing_kept",
	      frames_out == before && s->resident == (uint64_t)n + 2 &&
		  shm_file_page(s, 9, false, NULL) == 0);

	/* Truncate at 512: drops 512, 2^20 and 2^32-1; the pages a mapping
	 * still references live on until it drops them. */
	CHECK_EQ_UINT("truncate_count", shm_truncate(s, 512), 3);
	CHECK_EQ_UINT("truncate_resident", s->resident, n - 1);
	CHECK_EQ_UINT("truncate_shmem_counts", shm_total_pages() - shm0, n - 1);
	CHECK("truncate_gone",
	      shm_file_page(s, 512, false, NULL) == 0 &&
		  shm_file_page(s, 1ULL << 20, false, NULL) == 0 &&
		  shm_file_page(s, (1ULL << 32) - 1, false, NULL) == 0);
	CHECK("truncate_kept_below",
	      shm_file_page(s, 0, false, NULL) == pa[0] &&
		  shm_file_page(s, 511, false, NULL) == pa[1]);
	CHECK("truncate_mapped_pages_alive", page_ref_count(pa[2]) == 1 &&
						 page_ref_count(pa[3]) == 1 &&
						 page_ref_count(pa[4]) == 1);
	CHECK_EQ_UINT("truncate_nothing_left", shm_truncate(s, 512), 0);
	/* A truncated index can be filled again. */
	phys_addr_t re = shm_get_page(s, 512, false);
	CHECK("truncate_refill", re && re != pa[2] && page_ref_count(re) == 2);
	page_ref_put(re);

	/* The mappings go away, then the object. */
	for (int i = 0; i < n; i++)
		page_ref_put(pa[i]);
	shm_get(s);
	shm_put(s);
	CHECK("put_not_last_keeps", s->refs == 1 && s->resident == (uint64_t)n);
	shm_put(s);
	CHECK_EQ_UINT("put_shmem_counts", shm_total_pages(), shm0);
	CHECK_EQ_INT("put_frees_all_frames", frames_out, out0);
}

/* ---- 2. Backed objects: filling, dirty bits, write-back ---- */

static void test_backed(void)
{
	uint64_t shm0 = shm_total_pages();
	struct shm_cache_stats c0 = cache();
	int out0 = frames_out;

	struct shm_obj *s = backed(1ULL << 32, 1);
	shm_set_valid(s, 1ULL << 32);

	/* Missing pages are never made up as zeroes. */
	CHECK_EQ_UINT("backed_get_missing", shm_get_page(s, 5, false), 0);
	CHECK_EQ_UINT("backed_get_missing_dirty", shm_get_page(s, 5, true), 0);
	CHECK("backed_get_no_alloc",
	      s->resident == 0 && frames_out == out0 && fill_calls == 0);

	/* shm_fill calls the backing, without a lock held. */
	static const uint64_t idx[] = {0,   3,		511,
				       512, 1ULL << 20, (1ULL << 32) - 1};
	const int n = ARRAY_SIZE(idx);
	int ok = 1;
	for (int i = 0; i < n; i++)
		ok &= shm_fill(s, idx[i]) == 0;
	CHECK("fill_ok", ok);
	CHECK_EQ_INT("fill_calls_backing", fill_calls, n);
	CHECK_EQ_INT("fill_without_locks", fill_locked, 0);
	CHECK_EQ_UINT("fill_resident", s->resident, n);
	CHECK_EQ_INT("fill_taken_eexist", shm_fill(s, 3), -EEXIST);
	CHECK_EQ_UINT("fill_taken_resident", s->resident, n);
	CHECK_EQ_INT("fill_taken_no_leak", frames_out - out0, n);

	CHECK_EQ_UINT("cached_counts", cache().cached - c0.cached, n);
	CHECK_EQ_UINT("cached_not_shmem", shm_total_pages(), shm0);
	CHECK_EQ_UINT("cached_clean", cache().dirty - c0.dirty, 0);

	/* A filled page is the backing's page, with a mapping reference. */
	phys_addr_t p3 = shm_get_page(s, 3, false);
	CHECK("backed_get_filled",
	      p3 && first_word(p3) == pattern(s, 3) && page_ref_count(p3) == 2);
	CHECK("backed_get_clean", !shm_page_dirty(s, 3));
	CHECK_EQ_UINT("mapped_counts", cache().mapped - c0.mapped, 1);

	/* Dirty bits: through shm_get_page(dirty) and shm_set_dirty. */
	phys_addr_t p512 = shm_get_page(s, 512, true);
	CHECK("get_dirty_marks",
	      p512 && shm_page_dirty(s, 512) && !shm_page_dirty(s, 511));
	CHECK("set_dirty", shm_set_dirty(s, (1ULL << 32) - 1) &&
			       shm_set_dirty(s, 0) && shm_page_dirty(s, 0));
	CHECK("set_dirty_missing",
	      !shm_set_dirty(s, 4) && !shm_page_dirty(s, 4));
	CHECK("set_dirty_twice_counts_once", shm_set_dirty(s, 0));
	CHECK_EQ_UINT("dirty_object_count", s->dirty, 3);
	CHECK_EQ_UINT("dirty_stats", cache().dirty - c0.dirty, 3);
	CHECK_EQ_UINT("dirty_mapped_stats", cache().mapped - c0.mapped, 2);

	/* shm_next_dirty: in index order, within [from, to), each with a
	 * reference for the caller. */
	uint64_t at = 0, got[8];
	int k = 0;
	for (uint64_t from = 0; k < 8; from = at + 1) {
		phys_addr_t pa = shm_next_dirty(s, from, UINT64_MAX, &at);
		if (!pa)
			break;
		got[k++] = at;
		ok = ok && page_ref_count(pa) >= 2 &&
		     pa == shm_file_page(s, at, false, NULL);
		page_ref_put(pa);
	}
	CHECK("next_dirty_refs", ok);
	CHECK("next_dirty_order", k == 3 && got[0] == 0 && got[1] == 512 &&
				      got[2] == (1ULL << 32) - 1);
	CHECK_EQ_UINT("next_dirty_range_empty", shm_next_dirty(s, 1, 512, &at),
		      0);
	phys_addr_t pa = shm_next_dirty(s, 1, 513, &at);
	CHECK("next_dirty_range",
	      pa == p512 && at == 512 && page_ref_count(p512) == 3);
	page_ref_put(pa);
	CHECK_EQ_UINT("next_dirty_to_exclusive",
		      shm_next_dirty(s, 513, (1ULL << 32) - 1, &at), 0);

	/* shm_written on a page a mapping still references: stays dirty
	 * (the mapping may store to it again); the caller's reference goes. */
	pa = shm_next_dirty(s, 512, 513, &at);
	shm_written(s, at, pa);
	CHECK("written_mapped_stays_dirty",
	      shm_page_dirty(s, 512) && page_ref_count(p512) == 2);
	/* Unmapped: now clean. */
	page_ref_put(p512);
	pa = shm_next_dirty(s, 512, 513, &at);
	CHECK("written_unmapped_ref", pa == p512 && page_ref_count(pa) == 2);
	shm_written(s, at, pa);
	CHECK("written_unmapped_clean",
	      !shm_page_dirty(s, 512) && page_ref_count(p512) == 1);
	CHECK_EQ_UINT("written_dirty_stats", cache().dirty - c0.dirty, 2);
	/* A stale frame (the page was replaced) does not clean the index. */
	pa = shm_next_dirty(s, 0, 1, &at);
	page_ref_get(p3);
	shm_written(s, 0, p3);
	CHECK("written_other_frame",
	      shm_page_dirty(s, 0) && page_ref_count(p3) == 2);
	shm_written(s, 0, pa);
	CHECK("written_clean_again", !shm_page_dirty(s, 0) && s->dirty == 1);
	/* Already clean: nothing to do. */
	page_ref_get(pa);
	shm_written(s, 0, pa);
	CHECK("written_clean_noop", s->dirty == 1 && page_ref_count(pa) == 1);

	/* Past the backing's end (valid): the fill's error, nothing stored. */
	shm_set_valid(s, 10);
	CHECK_EQ_INT("fill_past_valid", shm_fill(s, 20), -ERANGE);
	CHECK_EQ_UINT("get_past_valid", shm_get_page(s, 511, false), 0);
	CHECK_EQ_UINT("fill_past_valid_resident", s->resident, n);

	/* Truncation drops dirty pages from the dirty counts too. */
	CHECK_EQ_UINT("backed_truncate", shm_truncate(s, 10), 4);
	CHECK("backed_truncate_counts", s->dirty == 0 &&
					    cache().dirty == c0.dirty &&
					    cache().cached - c0.cached == 2);

	page_ref_put(p3);
	shm_set_dirty(s, 3);
	shm_put(s);
	struct shm_cache_stats c1 = cache();
	CHECK("backed_put_stats", c1.cached == c0.cached &&
				      c1.dirty == c0.dirty &&
				      c1.mapped == c0.mapped);
	CHECK_EQ_INT("backed_put_frees_all_frames", frames_out, out0);
}

/* ---- 3. Reclaim ---- */

static void fill_range(struct shm_obj *s, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		fake_fill(s, i); /* not shm_fill: no touch */
}

static void test_reclaim(void)
{
	struct shm_cache_stats c0 = cache();
	int out0 = frames_out;

	/* Each object: clean pages 0-3, a dirty page 10, and a page 11 a
	 * mapping references. */
	struct shm_obj *a = backed(64, 0xa), *b = backed(64, 0xb),
		       *c = backed(64, 0xc);
	struct shm_obj *objs[] = {a, b, c};
	phys_addr_t mapped[3];
	for (int i = 0; i < 3; i++) {
		fill_range(objs[i], 0, 4);
		fill_range(objs[i], 10, 12);
		shm_set_dirty(objs[i], 10);
		mapped[i] = shm_get_page(objs[i], 11, false);
	}
	CHECK_EQ_UINT("reclaim_setup", cache().cached - c0.cached, 18);

	/* Used: C (oldest), then B, then A, then C again: B is the least
	 * recently used, then A, then C. shm_fill touches too. */
	shm_touch(c);
	shm_touch(b);
	CHECK_EQ_INT("touch_by_fill", shm_fill(a, 5), 0);
	shm_touch(c);

	CHECK_EQ_UINT("reclaim_none", shm_reclaim(0), 0);
	CHECK_EQ_UINT("reclaim_two", shm_reclaim(2), 2);
	CHECK("reclaim_two_from_b",
	      b->resident == 4 && a->resident == 7 && c->resident == 6);
	CHECK_EQ_UINT("reclaim_three", shm_reclaim(3), 3);
	CHECK("reclaim_then_a",
	      b->resident == 2 && a->resident == 6 && c->resident == 6);
	CHECK_EQ_UINT("reclaim_four", shm_reclaim(4), 4);
	CHECK("reclaim_then_c",
	      b->resident == 2 && a->resident == 2 && c->resident == 6);
	CHECK_EQ_UINT("reclaim_rest", shm_reclaim(100), 4);
	CHECK_EQ_UINT("reclaim_nothing_left", shm_reclaim(100), 0);

	int ok = 1;
	for (int i = 0; i < 3; i++) {
		struct shm_obj *s = objs[i];
		ok &= s->resident == 2 && shm_page_dirty(s, 10) &&
		      shm_file_page(s, 11, false, NULL) == mapped[i] &&
		      page_ref_count(mapped[i]) == 2 &&
		      shm_file_page(s, 0, false, NULL) == 0 &&
		      first_word(shm_file_page(s, 10, false, NULL)) ==
			  pattern(s, 10);
	}
	CHECK("reclaim_keeps_dirty_and_mapped", ok);
	struct shm_cache_stats c1 = cache();
	CHECK("reclaim_stats", c1.cached - c0.cached == 6 &&
				   c1.dirty - c0.dirty == 3 &&
				   c1.mapped - c0.mapped == 3);
	CHECK_EQ_INT("reclaim_frees_frames", frames_out - out0, 6);

	/* Once unmapped and written back, they can go too. */
	page_ref_put(mapped[0]);
	uint64_t at;
	phys_addr_t pa = shm_next_dirty(a, 0, 64, &at);
	shm_written(a, at, pa);
	CHECK_EQ_UINT("reclaim_after_writeback", shm_reclaim(100), 2);
	CHECK_EQ_UINT("reclaim_after_writeback_resident", a->resident, 0);

	/* An object put is off the list: reclaim must not touch it (ASan
	 * sees a use after free otherwise). */
	page_ref_put(mapped[1]);
	shm_written(b, 10, shm_next_dirty(b, 0, 64, &at));
	shm_put(b);
	fill_range(a, 0, 3);
	CHECK_EQ_UINT("reclaim_after_put", shm_reclaim(100), 3);
	CHECK_EQ_INT("reclaim_after_put_frames", frames_out - out0, 2);

	/* Below the low watermark (256 pages of 1000 here), reclaim runs;
	 * above it, not. */
	fill_range(c, 0, 4);
	fake_stats.free_pages = 256;
	shm_reclaim_if_low();
	CHECK_EQ_UINT("reclaim_if_low_not_low", c->resident, 6);
	fake_stats.free_pages = 255;
	shm_reclaim_if_low();
	CHECK_EQ_UINT("reclaim_if_low", c->resident, 2);
	fake_stats.free_pages = fake_stats.total_pages;

	page_ref_put(mapped[2]);
	shm_put(a);
	shm_put(c);
	CHECK_EQ_UINT("reclaim_list_empty", shm_reclaim(100), 0);
	CHECK("reclaim_put_stats",
	      cache().cached == c0.cached && cache().dirty == c0.dirty);
	CHECK_EQ_INT("reclaim_put_frees_all_frames", frames_out, out0);
}

int main(void)
{
	test_index();
	test_backed();
	test_reclaim();

	/* 4. Every frame handed out came back, and nothing was misused. */
	CHECK("frames_were_used", frames_total > 0);
	CHECK_EQ_INT("no_frames_leaked", frames_out, 0);
	int held = 0;
	for (int i = 0; i < NFRAMES; i++)
		held += frame_refs[i] != 0;
	CHECK_EQ_INT("no_frame_referenced", held, 0);
	CHECK_EQ_INT("no_pmm_misuse", pmm_errors, 0);
	CHECK_EQ_INT("locks_balanced", locks_held, 0);
	CHECK_EQ_INT("no_lock_misuse", lock_errors, 0);
	CHECK("lru_empty", list_empty(&lru));
	return unit_done();
}
