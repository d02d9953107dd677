/* The size-class heap behind kmalloc: one-page slabs whose header sits at
 * the start of the page (so a pointer masked to its page finds it), big
 * blocks straight from the page allocator behind a 32-byte header, and
 * KHEAP_DEBUG poisoning and self-checks. No locks, no hardware. */
#include <lib/string.h>
#include <mm/kheap.h>
#include <uapi/errno.h>

#define SLAB_MAGIC 0x51ab51abu
#define SLAB_DEAD 0xdead51abu /* written when the page goes back */
#define BIG_MAGIC 0xb16b10c5u
#define BIG_DEAD 0xdeadb16bu

#define SLAB_MAP_WORDS 4 /* free bitmap: up to 256 objects per slab */

/* At the start of each slab page. Free objects are tracked in a bitmap
 * rather than an in-object list so a use-after-free write can neither
 * corrupt allocator state nor hide from the poison check, and a double
 * free is a single bit test. */
struct kheap_slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nr_free;
	struct kheap *heap;    /* owner, to catch frees into the wrong heap */
	struct list_head link; /* on the cache's partial or full list */
	uint64_t free_map[SLAB_MAP_WORDS]; /* bit set: object free */
};

/* Before each big block; the block is at page + sizeof(struct kheap_big),
 * which keeps it 16-byte aligned and never at a slab object offset. */
struct kheap_big {
	uint32_t magic;
	uint32_t order;
	size_t size;
	struct list_head link; /* on h->big */
};

#define SLAB_HDR ALIGN_UP(sizeof(struct kheap_slab), KHEAP_ALIGN)
#define BIG_HDR sizeof(struct kheap_big)

STATIC_ASSERT(BIG_HDR % KHEAP_ALIGN == 0, "big header breaks alignment");
STATIC_ASSERT(BIG_HDR < SLAB_HDR, "big blocks must not look like objects");
STATIC_ASSERT((PAGE_SIZE - SLAB_HDR) / (1 << KHEAP_MIN_SHIFT) <=
		  SLAB_MAP_WORDS * 64,
	      "slab bitmap too small");

static inline struct kheap_slab *page_of(const void *p)
{
	return (struct kheap_slab *)((uintptr_t)p & ~(PAGE_SIZE - 1));
}

static inline char *slab_obj(struct kheap_slab *s, size_t objsize, unsigned i)
{
	return (char *)s + SLAB_HDR + (size_t)i * objsize;
}

static unsigned size_class(size_t size)
{
	if (size <= (1UL << KHEAP_MIN_SHIFT))
		return 0;
	return (unsigned)(64 - __builtin_clzl(size - 1)) - KHEAP_MIN_SHIFT;
}

void kheap_init(struct kheap *h, const struct kheap_ops *ops)
{
	memset(h, 0, sizeof(*h));
	h->ops = *ops;
	list_init(&h->big);
	for (unsigned c = 0; c < KHEAP_NR_CLASSES; c++) {
		struct kheap_cache *kc = &h->caches[c];
		kc->objsize = 1UL << (c + KHEAP_MIN_SHIFT);
		kc->nr_objs = (uint16_t)((PAGE_SIZE - SLAB_HDR) / kc->objsize);
		list_init(&kc->partial);
		list_init(&kc->full);
	}
}

#ifdef KHEAP_DEBUG
/* The first byte that differs from the free poison, or NULL. */
static const void *poison_bad(const void *obj, size_t n)
{
	const unsigned char *c = obj;
	for (size_t i = 0; i < n; i++)
		if (c[i] != KHEAP_POISON_FREE)
			return c + i;
	return NULL;
}
#endif

static struct kheap_slab *slab_new(struct kheap *h, unsigned cls)
{
	struct kheap_cache *kc = &h->caches[cls];
	struct kheap_slab *s = h->ops.page_alloc(h->ops.ctx, 0);
	if (!s)
		return NULL;
	if (!IS_ALIGNED((uintptr_t)s, PAGE_SIZE)) {
		kheap_corrupt("page_alloc returned an unaligned page", s);
		return NULL;
	}
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nr_free = kc->nr_objs;
	s->heap = h;
	list_init(&s->link);
	for (unsigned w = 0; w < SLAB_MAP_WORDS; w++) {
		unsigned first = w * 64;
		if (kc->nr_objs >= first + 64)
			s->free_map[w] = ~0ULL;
		else if (kc->nr_objs > first)
			s->free_map[w] = (1ULL << (kc->nr_objs - first)) - 1;
		else
			s->free_map[w] = 0;
	}
#ifdef KHEAP_DEBUG
	memset(slab_obj(s, kc->objsize, 0), KHEAP_POISON_FREE,
	       (size_t)kc->nr_objs * kc->objsize);
#endif
	kc->nr_slabs++;
	h->pages_held++;
	return s;
}

static void slab_release(struct kheap *h, struct kheap_slab *s)
{
	struct kheap_cache *kc = &h->caches[s->cls];
	/* Left in the page so a late kfree of one of its objects is
	 * recognised as a double free (until the page is reused). */
	s->magic = SLAB_DEAD;
	kc->nr_slabs--;
	h->pages_held--;
	h->ops.page_free(h->ops.ctx, s, 0);
}

static void *alloc_small(struct kheap *h, unsigned cls)
{
	struct kheap_cache *kc = &h->caches[cls];
	struct kheap_slab *s;

	if (!list_empty(&kc->partial)) {
		s = list_first_entry(&kc->partial, struct kheap_slab, link);
	} else {
		if (kc->empty) {
			s = kc->empty;
			kc->empty = NULL;
		} else {
			s = slab_new(h, cls);
			if (!s)
				return NULL;
		}
		list_add(&s->link, &kc->partial);
	}

	unsigned w = 0;
	while (w < SLAB_MAP_WORDS && !s->free_map[w])
		w++;
	if (w == SLAB_MAP_WORDS || s->nr_free == 0) {
		/* Counter and bitmap disagree: the header was overwritten. */
		kheap_corrupt("slab on the partial list has no free object", s);
		return NULL;
	}
	unsigned i = w * 64 + (unsigned)__builtin_ctzll(s->free_map[w]);
	s->free_map[w] &= ~(1ULL << (i % 64));
	if (--s->nr_free == 0) {
		list_del(&s->link);
		list_add(&s->link, &kc->full);
	}
	char *obj = slab_obj(s, kc->objsize, i);
#ifdef KHEAP_DEBUG
	const void *bad = poison_bad(obj, kc->objsize);
	if (bad)
		kheap_corrupt("freed object was written to (use after free)",
			      bad);
	memset(obj, KHEAP_POISON_ALLOC, kc->objsize);
#endif
	h->bytes_in_use += kc->objsize;
	return obj;
}

static void *alloc_big(struct kheap *h, size_t size)
{
	if (size > (PAGE_SIZE << KHEAP_MAX_ORDER) - BIG_HDR)
		return NULL;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < size + BIG_HDR)
		order++;
	struct kheap_big *b = h->ops.page_alloc(h->ops.ctx, order);
	if (!b)
		return NULL;
	if (!IS_ALIGNED((uintptr_t)b, PAGE_SIZE)) {
		kheap_corrupt("page_alloc returned an unaligned page", b);
		return NULL;
	}
	b->magic = BIG_MAGIC;
	b->order = order;
	b->size = size;
	list_add(&b->link, &h->big);
	h->pages_held += 1UL << order;
	h->bytes_in_use += size;
#ifdef KHEAP_DEBUG
	memset(b + 1, KHEAP_POISON_ALLOC, size);
#endif
	return b + 1;
}

void *kheap_alloc(struct kheap *h, size_t size)
{
	void *p;
	if (size <= KHEAP_MAX_SMALL)
		p = alloc_small(h, size_class(size));
	else
		p = alloc_big(h, size);
	if (p) {
		h->nr_live++;
		h->nr_allocs++;
	}
	return p;
}

/* The slab object p, validated; NULL (after reporting) if p is not a live
 * object of this heap. *idx gets its index. */
static struct kheap_slab *find_slab_obj(struct kheap *h, const void *p,
					unsigned *idx)
{
	struct kheap_slab *s = page_of(p);
	size_t off = (uintptr_t)p - (uintptr_t)s;

	if (s->heap != h) {
		kheap_corrupt("pointer belongs to another heap", p);
		return NULL;
	}
	if (s->cls >= KHEAP_NR_CLASSES) {
		kheap_corrupt("slab header overwritten", p);
		return NULL;
	}
	struct kheap_cache *kc = &h->caches[s->cls];
	if (off < SLAB_HDR || (off - SLAB_HDR) % kc->objsize ||
	    (off - SLAB_HDR) / kc->objsize >= kc->nr_objs) {
		kheap_corrupt("pointer is not the start of an object", p);
		return NULL;
	}
	*idx = (unsigned)((off - SLAB_HDR) / kc->objsize);
	return s;
}

/* False (after reporting) if p is not a live object of this heap. */
static bool free_small(struct kheap *h, void *p)
{
	unsigned i;
	struct kheap_slab *s = find_slab_obj(h, p, &i);
	if (!s)
		return false;
	struct kheap_cache *kc = &h->caches[s->cls];
	uint64_t bit = 1ULL << (i % 64);
	if (s->free_map[i / 64] & bit) {
		kheap_corrupt("double free", p);
		return false;
	}
#ifdef KHEAP_DEBUG
	memset(p, KHEAP_POISON_FREE, kc->objsize);
#endif
	s->free_map[i / 64] |= bit;
	s->nr_free++;
	h->bytes_in_use -= kc->objsize;
	if (s->nr_free == kc->nr_objs) {
		/* All free: keep one such slab to absorb alloc/free churn at
		 * a slab boundary, give the others back. */
		list_del(&s->link);
		if (!kc->empty)
			kc->empty = s;
		else
			slab_release(h, s);
	} else if (s->nr_free == 1) {
		list_del(&s->link);
		list_add(&s->link, &kc->partial);
	}
	return true;
}

static void free_big(struct kheap *h, struct kheap_big *b)
{
	list_del(&b->link);
	h->pages_held -= 1UL << b->order;
	h->bytes_in_use -= b->size;
	b->magic = BIG_DEAD;
	h->ops.page_free(h->ops.ctx, b, b->order);
}

/* Whether big block header b (for pointer p) is live in this heap. */
static bool big_valid(struct kheap *h, struct kheap_big *b, const void *p)
{
	if (b->order > KHEAP_MAX_ORDER || b->size <= KHEAP_MAX_SMALL ||
	    b->size + BIG_HDR > (PAGE_SIZE << b->order)) {
		kheap_corrupt("big block header overwritten", p);
		return false;
	}
	/* The header carries no owner; the list does. Only walked in debug
	 * builds: the number of big blocks is unbounded. */
#ifdef KHEAP_DEBUG
	struct kheap_big *it;
	list_for_each_entry(it, &h->big, link) if (it == b) return true;
	kheap_corrupt("pointer belongs to another heap", p);
	return false;
#else
	(void)h;
	return true;
#endif
}

void kheap_free(struct kheap *h, void *p)
{
	if (!p)
		return;
	if (!IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN)) {
		kheap_corrupt("kfree of a misaligned pointer", p);
		return;
	}
	struct kheap_slab *s = page_of(p);
	size_t off = (uintptr_t)p - (uintptr_t)s;
	uint32_t magic = s->magic;

	if (off == BIG_HDR && (magic == BIG_MAGIC || magic == BIG_DEAD)) {
		struct kheap_big *b = (struct kheap_big *)s;
		if (magic == BIG_DEAD) {
			kheap_corrupt("double free", p);
			return;
		}
		if (!big_valid(h, b, p))
			return;
		free_big(h, b);
	} else if (magic == SLAB_MAGIC) {
		if (!free_small(h, p))
			return;
	} else if (magic == SLAB_DEAD) {
		kheap_corrupt("double free", p);
		return;
	} else {
		kheap_corrupt("kfree of a pointer not from the heap", p);
		return;
	}
	h->nr_live--;
	h->nr_frees++;
}

size_t kheap_size(struct kheap *h, const void *p)
{
	if (!p)
		return 0;
	struct kheap_slab *s = page_of(p);
	if ((uintptr_t)p - (uintptr_t)s == BIG_HDR && s->magic == BIG_MAGIC)
		return ((const struct kheap_big *)s)->size;
	unsigned i;
	if (s->magic != SLAB_MAGIC || !find_slab_obj(h, p, &i)) {
		kheap_corrupt("size of a pointer not from the heap", p);
		return 0;
	}
	return h->caches[s->cls].objsize;
}

void *kheap_block_at(const void *head, const void *addr, size_t *size,
		     bool *live)
{
	const struct kheap_slab *s = head;
	size_t off = (uintptr_t)addr - (uintptr_t)head;
	if (s->magic == SLAB_MAGIC && s->cls < KHEAP_NR_CLASSES && s->heap) {
		const struct kheap_cache *kc = &s->heap->caches[s->cls];
		if (off < SLAB_HDR || off >= PAGE_SIZE)
			return NULL;
		size_t i = (off - SLAB_HDR) / kc->objsize;
		if (i >= kc->nr_objs)
			return NULL;
		*size = kc->objsize;
		*live = !(s->free_map[i / 64] & (1ULL << (i % 64)));
		return slab_obj((struct kheap_slab *)s, kc->objsize,
				(unsigned)i);
	}
	const struct kheap_big *b = head;
	if (b->magic == BIG_MAGIC && b->order <= KHEAP_MAX_ORDER) {
		if (off < BIG_HDR || off >= BIG_HDR + b->size)
			return NULL;
		*size = b->size;
		*live = true;
		return (void *)(b + 1);
	}
	return NULL;
}

size_t kheap_trim(struct kheap *h)
{
	size_t n = 0;
	for (unsigned c = 0; c < KHEAP_NR_CLASSES; c++) {
		struct kheap_cache *kc = &h->caches[c];
		if (kc->empty) {
			slab_release(h, kc->empty);
			kc->empty = NULL;
			n++;
		}
	}
	return n;
}

static int check_fail(struct kheap *h, const char *why, const void *p)
{
	h->check_why = why;
	h->check_ptr = p;
	return -EINVAL;
}

/* Which list a slab is on, i.e. how many free objects it must have. */
enum slab_state { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY };

/* One slab: header, bitmap vs counter, and (debug) poison of free objects. */
static int check_slab(struct kheap *h, struct kheap_slab *s, unsigned cls,
		      enum slab_state want)
{
	struct kheap_cache *kc = &h->caches[cls];
	if (!IS_ALIGNED((uintptr_t)s, PAGE_SIZE) || s->magic != SLAB_MAGIC)
		return check_fail(h, "slab magic overwritten", s);
	if (s->heap != h || s->cls != cls)
		return check_fail(h, "slab header overwritten", s);
	unsigned n = 0;
	for (unsigned w = 0; w < SLAB_MAP_WORDS; w++) {
		uint64_t m = s->free_map[w];
		for (; m; m &= m - 1) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
			if (i >= kc->nr_objs)
				return check_fail(h, "slab bitmap overwritten",
						  s);
			n++;
#ifdef KHEAP_DEBUG
			const void *bad = poison_bad(
			    slab_obj(s, kc->objsize, i), kc->objsize);
			if (bad)
				return check_fail(h,
						  "freed object was written "
						  "to (use after free)",
						  bad);
#endif
		}
	}
	if (n != s->nr_free)
		return check_fail(h, "slab free count is wrong", s);
	if ((want == SLAB_PARTIAL && (n == 0 || n == kc->nr_objs)) ||
	    (want == SLAB_FULL && n != 0) ||
	    (want == SLAB_EMPTY && n != kc->nr_objs))
		return check_fail(h, "slab on the wrong list", s);
	return 0;
}

static int check_list(struct kheap *h, struct list_head *head, unsigned cls,
		      enum slab_state want, size_t *count)
{
	struct list_head *pos;
	for (pos = head->next; pos != head; pos = pos->next) {
		/* Bounded by the page count so a cycle cannot hang us. */
		if (++*count > h->pages_held)
			return check_fail(h,
					  "slab list longer than the pages "
					  "held",
					  pos);
		if (pos->next->prev != pos)
			return check_fail(h, "slab list links broken", pos);
		int r = check_slab(h, list_entry(pos, struct kheap_slab, link),
				   cls, want);
		if (r)
			return r;
	}
	return 0;
}

int kheap_check(struct kheap *h)
{
	size_t pages = 0, bytes = 0, live = 0;
	for (unsigned c = 0; c < KHEAP_NR_CLASSES; c++) {
		struct kheap_cache *kc = &h->caches[c];
		size_t n = 0;
		int r = check_list(h, &kc->partial, c, SLAB_PARTIAL, &n);
		if (!r)
			r = check_list(h, &kc->full, c, SLAB_FULL, &n);
		if (!r && kc->empty) {
			n++;
			r = check_slab(h, kc->empty, c, SLAB_EMPTY);
		}
		if (r)
			return r;
		if (n != kc->nr_slabs)
			return check_fail(h, "slab count is wrong", kc);
		pages += n;
		size_t live_before = live;
		/* Live objects are what the partial and full slabs lack. */
		struct kheap_slab *s;
		list_for_each_entry(s, &kc->partial, link) live +=
		    kc->nr_objs - s->nr_free;
		list_for_each_entry(s, &kc->full, link) live += kc->nr_objs;
		bytes += (live - live_before) * kc->objsize;
	}
	struct list_head *pos;
	for (pos = h->big.next; pos != &h->big; pos = pos->next) {
		struct kheap_big *b = list_entry(pos, struct kheap_big, link);
		if (pages > h->pages_held)
			return check_fail(h,
					  "big list longer than the pages "
					  "held",
					  pos);
		if (pos->next->prev != pos)
			return check_fail(h, "big list links broken", pos);
		if (!IS_ALIGNED((uintptr_t)b, PAGE_SIZE) ||
		    b->magic != BIG_MAGIC)
			return check_fail(h, "big block magic overwritten", b);
		if (b->order > KHEAP_MAX_ORDER || b->size <= KHEAP_MAX_SMALL ||
		    b->size + BIG_HDR > (PAGE_SIZE << b->order))
			return check_fail(h, "big block header overwritten", b);
		pages += 1UL << b->order;
		bytes += b->size;
		live++;
	}
	if (pages != h->pages_held)
		return check_fail(h, "pages held counter is wrong", NULL);
	if (bytes != h->bytes_in_use)
		return check_fail(h, "bytes in use counter is wrong", NULL);
	if (live != h->nr_live)
		return check_fail(h, "live allocation counter is wrong", NULL);
	return 0;
}

void kheap_get_stats(const struct kheap *h, struct kheap_stats *st)
{
	st->bytes_in_use = h->bytes_in_use;
	st->pages_held = h->pages_held;
	st->nr_live = h->nr_live;
	st->nr_allocs = h->nr_allocs;
	st->nr_frees = h->nr_frees;
}
