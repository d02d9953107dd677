/* Host unit tests for the size-class heap (mm/kheap.c, included directly,
 * with KHEAP_DEBUG): size classes, big blocks, alignment, page return,
 * a seeded random stress with content patterns, and detection of poison
 * damage, double frees and bad pointers through kheap_corrupt. */
#ifndef KHEAP_DEBUG
#define KHEAP_DEBUG
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mm/kheap.c"

#include "unit.h"

/* The allocators' own checks return a reason; report it as unit.h does. */
static void check(bool ok, const char *name, const char *why)
{
	unit_report(ok, name, __FILE__, __LINE__, why);
}

/* kheap_corrupt: record instead of panicking. */
static int corrupt_count, corrupt_expected;
static const char *corrupt_why;
static const char *corrupt_unexpected;

void kheap_corrupt(const char *why, const void *p)
{
	(void)p;
	corrupt_count++;
	corrupt_why = why;
	if (!corrupt_expected)
		corrupt_unexpected = why;
}

/* Runs stmt, which must report exactly one problem whose message contains
 * needle. */
#define EXPECT_CORRUPT(stmt, needle)                                           \
	({                                                                     \
		int before_ = corrupt_count;                                   \
		corrupt_expected = 1;                                          \
		stmt;                                                          \
		corrupt_expected = 0;                                          \
		corrupt_count == before_ + 1 && strstr(corrupt_why, needle);   \
	})

/* The page allocator behind the heap: a fixed arena, so memory handed back
 * stays readable (the heap's double-free detection reads stale headers,
 * as it may in the kernel's direct map) and every call is validated. */
#define POOL_PAGES 8192
static unsigned char *pool;
static int8_t pool_state[POOL_PAGES]; /* -1 free, -2 tail, else order */
static size_t pool_out;		      /* pages handed out */
static int pool_fail; /* fail this many upcoming page_alloc calls */
static const char *pool_error;

static void *pool_alloc(void *ctx, unsigned order)
{
	(void)ctx;
	if (pool_fail > 0) {
		pool_fail--;
		return NULL;
	}
	size_t n = 1UL << order;
	for (size_t i = 0; i + n <= POOL_PAGES; i += n) {
		size_t j = 0;
		while (j < n && pool_state[i + j] == -1)
			j++;
		if (j < n)
			continue;
		pool_state[i] = (int8_t)order;
		for (j = 1; j < n; j++)
			pool_state[i + j] = -2;
		pool_out += n;
		/* Stale bytes, as a reused page would have. */
		memset(pool + i * PAGE_SIZE, 0x3c, n * PAGE_SIZE);
		return pool + i * PAGE_SIZE;
	}
	return NULL;
}

static void pool_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	size_t off = (unsigned char *)p - pool;
	size_t i = off / PAGE_SIZE;
	if ((unsigned char *)p < pool || i >= POOL_PAGES || off % PAGE_SIZE) {
		pool_error = "page_free of a pointer outside the pool";
		return;
	}
	if (pool_state[i] != (int8_t)order) {
		pool_error = "page_free with a wrong order or of a free page";
		return;
	}
	for (size_t j = 0; j < (1UL << order); j++)
		pool_state[i + j] = -1;
	pool_out -= 1UL << order;
}

static const struct kheap_ops pool_ops = {pool_alloc, pool_free, NULL};

static const char *check_why(struct kheap *h)
{
	static char buf[160];
	if (kheap_check(h) == 0)
		return "ok";
	snprintf(buf, sizeof(buf), "kheap_check: %s", h->check_why);
	return buf;
}

#define CHECK_CLEAN(h, name) check(kheap_check(h) == 0, name, check_why(h))

/* pool_out when the current test started: each test ends by trimming its
 * heap and freeing everything, so it must come back to this. */
static size_t pool_base;

static bool pool_matches(const struct kheap *h)
{
	return pool_out == pool_base + h->pages_held && !pool_error;
}

/* Trims h and checks every page went back to the pool. */
static void finish(struct kheap *h, const char *name)
{
	size_t held = h->pages_held;
	size_t n = kheap_trim(h);
	check(n == held && h->pages_held == 0 && pool_out == pool_base &&
		  !pool_error,
	      name, pool_error ? pool_error : "pages not all given back");
}

static void test_size_classes(void)
{
	struct kheap h;
	kheap_init(&h, &pool_ops);
	pool_base = pool_out;
	bool ok = true, aligned = true, sized = true;
	char why[128] = "";
	for (unsigned c = 0; c < KHEAP_NR_CLASSES; c++) {
		size_t cs = 16UL << c;
		size_t sizes[] = {cs / 2 + 1, cs - 1, cs};
		for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
			size_t sz = sizes[k];
			unsigned char *p = kheap_alloc(&h, sz);
			if (!p) {
				ok = false;
				snprintf(why, sizeof(why), "size %zu: NULL",
					 sz);
				continue;
			}
			aligned &= IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN);
			if (kheap_size(&h, p) != cs) {
				sized = false;
				snprintf(why, sizeof(why),
					 "size %zu got class %zu", sz,
					 kheap_size(&h, p));
			}
			memset(p, 0x11, sz);
			kheap_free(&h, p);
		}
	}
	check(ok, "kheap_every_class_allocates", why);
	check(aligned, "kheap_class_alignment", "pointer not 16-byte aligned");
	check(sized, "kheap_class_sizes", why);
	check(kheap_size(&h, NULL) == 0, "kheap_size_null", "nonzero");

	unsigned char *z = kheap_alloc(&h, 0), *z2 = kheap_alloc(&h, 0);
	check(z && z2 && z != z2 && kheap_size(&h, z) == 16, "kheap_size_zero",
	      "kheap_alloc(0) not a unique minimal block");
	kheap_free(&h, z);
	kheap_free(&h, z2);
	kheap_free(&h, NULL);
	check(h.nr_live == 0 && h.bytes_in_use == 0, "kheap_free_null_noop",
	      "counters moved");

	/* Objects of one slab are distinct and do not overlap. */
	unsigned char *objs[300];
	size_t n = 0;
	bool distinct = true;
	for (n = 0; n < 300; n++) {
		objs[n] = kheap_alloc(&h, 16);
		memset(objs[n], (int)n, 16);
	}
	for (n = 0; n < 300; n++)
		for (size_t k = 0; k < 16; k++)
			distinct &= objs[n][k] == (unsigned char)n;
	check(distinct, "kheap_objects_disjoint", "objects overlap");
	check(h.caches[0].nr_slabs == 2, "kheap_slab_capacity",
	      "300 16-byte objects should take two slabs");
	for (n = 0; n < 300; n++)
		kheap_free(&h, objs[n]);
	check(pool_matches(&h), "kheap_pool_consistent",
	      pool_error ? pool_error : "page counts differ");
	CHECK_CLEAN(&h, "kheap_classes_check");
	finish(&h, "kheap_classes_trim");
}

static void test_big(void)
{
	struct kheap h;
	kheap_init(&h, &pool_ops);
	pool_base = pool_out;
	size_t before = pool_out;
	struct {
		size_t size;
		unsigned order;
	} cases[] = {
	    {KHEAP_MAX_SMALL + 1, 0},
	    {PAGE_SIZE - BIG_HDR, 0},
	    {PAGE_SIZE - BIG_HDR + 1, 1},
	    {PAGE_SIZE, 1},
	    {100000, 5},
	    {(PAGE_SIZE << KHEAP_MAX_ORDER) - BIG_HDR, KHEAP_MAX_ORDER},
	};
	bool ok = true;
	char why[128] = "";
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t held = h.pages_held;
		unsigned char *p = kheap_alloc(&h, cases[i].size);
		if (!p || !IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN) ||
		    h.pages_held - held != (1UL << cases[i].order) ||
		    kheap_size(&h, p) != cases[i].size) {
			ok = false;
			snprintf(why, sizeof(why), "size %zu", cases[i].size);
			continue;
		}
		/* The whole block is usable. */
		memset(p, 0x77, cases[i].size);
		kheap_free(&h, p);
	}
	check(ok, "kheap_big_orders", why);
	check(pool_out == before && h.pages_held == 0, "kheap_big_returned",
	      "big blocks not given back");
	check(kheap_alloc(&h, (PAGE_SIZE << KHEAP_MAX_ORDER) - BIG_HDR + 1) ==
		      NULL &&
		  kheap_alloc(&h, SIZE_MAX) == NULL &&
		  kheap_alloc(&h, SIZE_MAX - 8) == NULL,
	      "kheap_big_too_large", "oversized request served");

	void *a = kheap_alloc(&h, 5000), *b = kheap_alloc(&h, 70000);
	check(h.bytes_in_use == 75000 && h.nr_live == 2 &&
		  h.pages_held == 2 + 32,
	      "kheap_big_stats", "bytes/pages/live wrong");
	CHECK_CLEAN(&h, "kheap_big_check");
	kheap_free(&h, a);
	kheap_free(&h, b);
	CHECK_CLEAN(&h, "kheap_big_check_after_free");
	check(pool_matches(&h), "kheap_big_pool_consistent",
	      pool_error ? pool_error : "page counts differ");
	finish(&h, "kheap_big_trim");
}

static void test_pages_returned(void)
{
	struct kheap h;
	kheap_init(&h, &pool_ops);
	pool_base = pool_out;
	size_t before = pool_out;
	void *p[2000];
	for (int i = 0; i < 2000; i++)
		p[i] = kheap_alloc(&h, 64);
	size_t held = h.pages_held;
	check(held == (2000 + 62) / 63, "kheap_slab_pages",
	      "unexpected page count for 2000 64-byte objects");
	for (int i = 0; i < 2000; i += 2)
		kheap_free(&h, p[i]);
	check(h.pages_held == held, "kheap_partial_slabs_kept",
	      "a slab with live objects was released");
	for (int i = 1; i < 2000; i += 2)
		kheap_free(&h, p[i]);
	check(h.pages_held == 1 && h.caches[2].empty && pool_out - before == 1,
	      "kheap_empty_slabs_returned",
	      "empty slabs not returned (one may be kept)");
	/* The kept slab is reused rather than a new page taken. */
	void *q = kheap_alloc(&h, 64);
	check(h.pages_held == 1 && !h.caches[2].empty, "kheap_empty_reused",
	      "kept empty slab not reused");
	kheap_free(&h, q);
	/* One empty slab per cache at most. */
	for (unsigned c = 0; c < KHEAP_NR_CLASSES; c++) {
		void *a = kheap_alloc(&h, 16UL << c);
		void *b = kheap_alloc(&h, 16UL << c);
		kheap_free(&h, a);
		kheap_free(&h, b);
	}
	check(h.pages_held == KHEAP_NR_CLASSES, "kheap_one_empty_per_class",
	      "more than one empty slab kept");
	CHECK_CLEAN(&h, "kheap_pages_check");
	check(pool_matches(&h), "kheap_pages_pool_consistent",
	      pool_error ? pool_error : "page counts differ");
	finish(&h, "kheap_pages_trim");
}

static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_stress(void)
{
	struct kheap h;
	kheap_init(&h, &pool_ops);
	pool_base = pool_out;
	enum { MAXLIVE = 3000, STEPS = 150000 };
	static struct {
		unsigned char *p;
		size_t size;
		unsigned char tag;
	} live[MAXLIVE];
	size_t nlive = 0, bytes_asked = 0;
	bool content = true, aligned = true, nulls = false;
	const char *bad_check = NULL;
	rng_state = 0x5eed;
	for (int step = 0; step < STEPS; step++) {
		bool do_alloc =
		    nlive == 0 || (nlive < MAXLIVE && rng() % 100 < 52);
		if (do_alloc) {
			size_t size;
			uint64_t r = rng() % 100;
			if (r < 85)
				size = rng() % 300;
			else if (r < 98)
				size = rng() % 2049;
			else
				size = 2049 + rng() % 40000;
			unsigned char *p = kheap_alloc(&h, size);
			if (!p) {
				nulls = true;
				continue;
			}
			aligned &= IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN);
			unsigned char tag = (unsigned char)rng();
			for (size_t i = 0; i < size; i++)
				p[i] = (unsigned char)(tag + i);
			live[nlive].p = p;
			live[nlive].size = size;
			live[nlive].tag = tag;
			nlive++;
			bytes_asked += size;
		} else {
			size_t k = rng() % nlive;
			for (size_t i = 0; i < live[k].size; i++)
				content &= live[k].p[i] ==
					   (unsigned char)(live[k].tag + i);
			kheap_free(&h, live[k].p);
			bytes_asked -= live[k].size;
			live[k] = live[--nlive];
		}
		if (step % 10000 == 0 && !bad_check && kheap_check(&h))
			bad_check = h.check_why;
	}
	check(!nulls, "kheap_stress_no_oom", "allocation failed");
	check(aligned, "kheap_stress_alignment", "misaligned pointer");
	check(content, "kheap_stress_contents",
	      "an object's contents changed while live");
	check(!bad_check, "kheap_stress_periodic_check",
	      bad_check ? bad_check : "");
	check(h.nr_live == nlive && h.bytes_in_use >= bytes_asked,
	      "kheap_stress_stats", "live count or bytes in use wrong");
	CHECK_CLEAN(&h, "kheap_stress_check_loaded");
	while (nlive) {
		nlive--;
		kheap_free(&h, live[nlive].p);
	}
	check(h.nr_live == 0 && h.bytes_in_use == 0 &&
		  h.nr_allocs == h.nr_frees && h.pages_held <= KHEAP_NR_CLASSES,
	      "kheap_stress_all_freed", "memory still held after freeing all");
	CHECK_CLEAN(&h, "kheap_stress_check_empty");
	check(pool_matches(&h), "kheap_stress_pool_consistent",
	      pool_error ? pool_error : "page counts differ");
	finish(&h, "kheap_stress_trim");
}

static void test_detection(void)
{
	struct kheap h, other;
	kheap_init(&h, &pool_ops);
	pool_base = pool_out;
	kheap_init(&other, &pool_ops);

	/* Use after free: the write shows in kheap_check and when the object
	 * is handed out again (the only object of its slab, so it is the
	 * one reused). */
	unsigned char *x = kheap_alloc(&h, 100);
	if (!x) {
		check(false, "kheap_detection_setup", "allocation failed");
		return;
	}
	kheap_free(&h, x);
	x[50] = 0; /* deliberate write after free */
	check(kheap_check(&h) == -EINVAL &&
		  strstr(h.check_why, "use after free"),
	      "kheap_check_finds_uaf", "poison damage not reported");
	unsigned char *y;
	check(EXPECT_CORRUPT(y = kheap_alloc(&h, 100), "use after free") &&
		  y == x,
	      "kheap_uaf_on_realloc", "poison damage not reported on reuse");
	check(y[50] == KHEAP_POISON_ALLOC, "kheap_alloc_pattern",
	      "new object not filled with the alloc pattern");
	CHECK_CLEAN(&h, "kheap_uaf_check_after");

	/* Double frees: slab object, big block, object of a released slab. */
	void *keep = kheap_alloc(&h, 100);
	check(EXPECT_CORRUPT(
		  {
			  kheap_free(&h, y);
			  kheap_free(&h, y);
		  },
		  "double free") &&
		  h.nr_live == 1,
	      "kheap_double_free", "not detected or counters changed");
	kheap_free(&h, keep);
	void *big = kheap_alloc(&h, 10000);
	kheap_free(&h, big);
	check(EXPECT_CORRUPT(kheap_free(&h, big), "double free"),
	      "kheap_double_free_big", "not detected");
	void *s1 = kheap_alloc(&h, 2048), *s2 = kheap_alloc(&h, 2048);
	kheap_free(&h, s1); /* kept as the empty slab */
	kheap_free(&h, s2); /* page given back */
	check(EXPECT_CORRUPT(kheap_free(&h, s2), "double free"),
	      "kheap_double_free_released_slab", "not detected");
	CHECK_CLEAN(&h, "kheap_double_free_check");

	/* Bad pointers. */
	unsigned char *o = kheap_alloc(&h, 64);
	check(EXPECT_CORRUPT(kheap_free(&h, o + 16), "not the start"),
	      "kheap_free_interior", "interior pointer not caught");
	check(EXPECT_CORRUPT(kheap_free(&h, o + 1), "misaligned"),
	      "kheap_free_misaligned", "misaligned pointer not caught");
	check(EXPECT_CORRUPT(kheap_free(&other, o), "another heap"),
	      "kheap_free_wrong_heap", "pointer of another heap not caught");
	unsigned char *raw = pool_alloc(NULL, 0);
	check(EXPECT_CORRUPT(kheap_free(&h, raw + 64), "not from the heap"),
	      "kheap_free_foreign", "foreign pointer not caught");
	pool_free(NULL, raw, 0);
	void *ob = kheap_alloc(&other, 9000);
	check(EXPECT_CORRUPT(kheap_free(&h, ob), "another heap"),
	      "kheap_free_wrong_heap_big", "big block of another heap");
	kheap_free(&other, ob);
	kheap_free(&h, o);
	CHECK_CLEAN(&h, "kheap_bad_pointer_check");

	/* kheap_check sees header damage. */
	void *m = kheap_alloc(&h, 32);
	struct kheap_slab *s = page_of(m);
	s->magic ^= 1;
	check(kheap_check(&h) == -EINVAL && strstr(h.check_why, "magic"),
	      "kheap_check_finds_magic", "slab magic damage not reported");
	check(EXPECT_CORRUPT(kheap_free(&h, m), "not from the heap"),
	      "kheap_free_bad_magic", "free into a damaged slab");
	s->magic ^= 1;
	s->nr_free--;
	check(kheap_check(&h) == -EINVAL, "kheap_check_finds_count",
	      "free count damage not reported");
	s->nr_free++;
	kheap_free(&h, m);
	CHECK_CLEAN(&h, "kheap_check_restored");

	/* Out of pages: NULL, nothing changes. */
	struct kheap_stats st0, st1;
	kheap_get_stats(&h, &st0);
	pool_fail = 2;
	void *n1 = kheap_alloc(&h, 512); /* needs a new slab */
	void *n2 = kheap_alloc(&h, 50000);
	kheap_get_stats(&h, &st1);
	check(!n1 && !n2 && st0.pages_held == st1.pages_held &&
		  st0.nr_live == st1.nr_live && st0.nr_allocs == st1.nr_allocs,
	      "kheap_oom", "failure not clean");
	pool_fail = 0;
	CHECK_CLEAN(&h, "kheap_oom_check");
	check(pool_out == pool_base + h.pages_held && other.pages_held == 0 &&
		  !pool_error,
	      "kheap_detection_pool_consistent",
	      pool_error ? pool_error : "page counts differ");
	kheap_trim(&other);
	finish(&h, "kheap_detection_trim");
}

int main(void)
{
	/* Line-buffered so the results so far survive a crash. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	pool = aligned_alloc(PAGE_SIZE, (size_t)POOL_PAGES * PAGE_SIZE);
	memset(pool_state, -1, sizeof(pool_state));
	test_size_classes();
	test_big();
	test_pages_returned();
	test_stress();
	test_detection();
	check(!corrupt_unexpected, "kheap_no_unexpected_corruption",
	      corrupt_unexpected ? corrupt_unexpected : "");
	free(pool);
	return unit_done();
}
