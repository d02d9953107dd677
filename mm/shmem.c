/* Shared memory objects (include/mm/shmem.h). Each index item is a frame
 * address with page flags in its low bits (a frame is page aligned and
 * never 0 for a page the buddy allocator hands out, so an item is never
 * NULL, which the tree cannot store). */
#include <lib/list.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/shmem.h>
#include <uapi/errno.h>

#define SHM_PG_DIRTY 1UL
#define SHM_PG_FLAGS (PAGE_SIZE - 1)

/* Atomic: pages held by the indexes of objects without, and with, a
 * backing store; dirty pages of backed objects. */
static uint64_t shm_pages, cache_pages, cache_dirty;

/* Guards lru: every backed object, least recently used first. */
static spinlock_t shm_lru_lock = SPINLOCK_INIT("shm_lru");
static LIST_HEAD(lru);

static phys_addr_t item_pa(void *item)
{
	return (phys_addr_t)(uintptr_t)item & ~(phys_addr_t)SHM_PG_FLAGS;
}

static uintptr_t item_flags(void *item)
{
	return (uintptr_t)item & SHM_PG_FLAGS;
}

static uint64_t *page_counter(struct shm_obj *s)
{
	return s->backing ? &cache_pages : &shm_pages;
}

uint64_t shm_total_pages(void)
{
	return __atomic_load_n(&shm_pages, __ATOMIC_RELAXED);
}

struct shm_obj *shm_create(uint64_t npages)
{
	struct shm_obj *s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->refs = 1;
	s->npages = npages;
	s->valid = npages;
	spin_init(&s->lock, "shm");
	list_init(&s->lru);
	return s;
}

void shm_set_backing(struct shm_obj *s, const struct shm_backing *b, void *priv)
{
	s->backing = b;
	s->backing_priv = priv;
	irqflags_t f = spin_lock_irqsave(&shm_lru_lock);
	list_add_tail(&s->lru, &lru);
	spin_unlock_irqrestore(&shm_lru_lock, f);
}

void shm_get(struct shm_obj *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

/* With s->lock held (or s unreachable): removes the item at idx from the
 * counts and drops the index's reference on its frame. */
static void drop_item(struct shm_obj *s, void *item)
{
	if (item_flags(item) & SHM_PG_DIRTY) {
		s->dirty--;
		__atomic_sub_fetch(&cache_dirty, 1, __ATOMIC_RELAXED);
	}
	s->resident--;
	__atomic_sub_fetch(page_counter(s), 1, __ATOMIC_RELAXED);
	page_ref_put(item_pa(item));
}

static void put_item(void *item, void *arg)
{
	drop_item(arg, item);
}

void shm_put(struct shm_obj *s)
{
	if (s && s->release) {
		s->release(s);
		return;
	}
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* The last reference: no one can reach the index any more, but
	 * reclaim may still be looking at the object through the list. */
	if (s->backing) {
		irqflags_t f = spin_lock_irqsave(&shm_lru_lock);
		list_del(&s->lru);
		spin_unlock_irqrestore(&shm_lru_lock, f);
	}
	radix_destroy(&s->pages, put_item, s);
	kfree(s);
}

/* With s->lock held: stores the frame pa at idx. */
static int insert_locked(struct shm_obj *s, uint64_t idx, phys_addr_t pa)
{
	int e = radix_insert(&s->pages, idx, (void *)(uintptr_t)pa);
	if (e)
		return e;
	s->resident++;
	__atomic_add_fetch(page_counter(s), 1, __ATOMIC_RELAXED);
	return 0;
}

/* With s->lock held: the frame at idx, allocated (zeroed) if missing and
 * alloc is set (0 if out of memory). */
static phys_addr_t lookup_locked(struct shm_obj *s, uint64_t idx, bool alloc,
				 bool *created)
{
	phys_addr_t pa = item_pa(radix_lookup(&s->pages, idx));
	if (pa || !alloc)
		return pa;
	void *page = pmm_alloc_zeroed_page();
	if (!page)
		return 0;
	pa = virt_to_phys(page);
	if (insert_locked(s, idx, pa)) {
		pmm_free_page_virt(page);
		return 0;
	}
	if (created)
		*created = true;
	return pa;
}

/* With s->lock held: sets the dirty bit of the page at idx, if present. */
static bool set_dirty_locked(struct shm_obj *s, uint64_t idx)
{
	void *item = radix_lookup(&s->pages, idx);
	if (!item)
		return false;
	if (!(item_flags(item) & SHM_PG_DIRTY)) {
		radix_replace(&s->pages, idx,
			      (void *)((uintptr_t)item | SHM_PG_DIRTY));
		s->dirty++;
		__atomic_add_fetch(&cache_dirty, 1, __ATOMIC_RELAXED);
	}
	return true;
}

phys_addr_t shm_get_page(struct shm_obj *s, uint64_t idx, bool dirty)
{
	if (idx >= s->npages)
		return 0;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	/* A backed object's missing page comes from its store, never as
	 * zeros: the caller fills it. */
	phys_addr_t pa =
	    idx < s->valid ? lookup_locked(s, idx, !s->backing, NULL) : 0;
	if (pa) {
		page_ref_get(pa); /* the mapping's */
		if (dirty && s->backing)
			set_dirty_locked(s, idx);
	}
	spin_unlock_irqrestore(&s->lock, f);
	return pa;
}

int shm_fill(struct shm_obj *s, uint64_t idx)
{
	shm_touch(s);
	return s->backing->fill(s, idx);
}

int shm_add_page(struct shm_obj *s, uint64_t idx, void *page)
{
	if (idx >= s->npages)
		return -ERANGE;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	int e = insert_locked(s, idx, virt_to_phys(page));
	spin_unlock_irqrestore(&s->lock, f);
	return e;
}

bool shm_set_dirty(struct shm_obj *s, uint64_t idx)
{
	irqflags_t f = spin_lock_irqsave(&s->lock);
	bool r = set_dirty_locked(s, idx);
	spin_unlock_irqrestore(&s->lock, f);
	return r;
}

bool shm_page_dirty(struct shm_obj *s, uint64_t idx)
{
	irqflags_t f = spin_lock_irqsave(&s->lock);
	bool r = item_flags(radix_lookup(&s->pages, idx)) & SHM_PG_DIRTY;
	spin_unlock_irqrestore(&s->lock, f);
	return r;
}

phys_addr_t shm_next_dirty(struct shm_obj *s, uint64_t from, uint64_t to,
			   uint64_t *idx)
{
	phys_addr_t pa = 0;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	/* Walks only while dirty pages remain: most of a cache is clean. */
	for (uint64_t left = s->dirty; left && from < to; from = *idx + 1) {
		void *item = radix_next(&s->pages, from, idx);
		if (!item || *idx >= to)
			break;
		if (item_flags(item) & SHM_PG_DIRTY) {
			pa = item_pa(item);
			page_ref_get(pa);
			break;
		}
	}
	spin_unlock_irqrestore(&s->lock, f);
	return pa;
}

void shm_written(struct shm_obj *s, uint64_t idx, phys_addr_t pa)
{
	irqflags_t f = spin_lock_irqsave(&s->lock);
	void *item = radix_lookup(&s->pages, idx);
	/* The index's reference and the caller's: nothing maps it, and a
	 * new mapping marks it dirty again under this lock. */
	if (item_pa(item) == pa && (item_flags(item) & SHM_PG_DIRTY) &&
	    page_ref_count(pa) == 2) {
		radix_replace(&s->pages, idx,
			      (void *)((uintptr_t)item & ~SHM_PG_DIRTY));
		s->dirty--;
		__atomic_sub_fetch(&cache_dirty, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&s->lock, f);
	page_ref_put(pa);
}

void shm_touch(struct shm_obj *s)
{
	if (!s->backing)
		return;
	irqflags_t f = spin_lock_irqsave(&shm_lru_lock);
	list_del(&s->lru);
	list_add_tail(&s->lru, &lru);
	spin_unlock_irqrestore(&shm_lru_lock, f);
}

/* With shm_lru_lock held: drops up to want clean, unmapped pages of s. */
static uint64_t reclaim_obj(struct shm_obj *s, uint64_t want)
{
	uint64_t n = 0, idx, from = 0;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	void *item;
	while (n < want && (item = radix_next(&s->pages, from, &idx))) {
		from = idx + 1;
		if ((item_flags(item) & SHM_PG_DIRTY) ||
		    page_ref_count(item_pa(item)) != 1)
			continue;
		drop_item(s, radix_remove(&s->pages, idx));
		n++;
	}
	spin_unlock_irqrestore(&s->lock, f);
	return n;
}

uint64_t shm_reclaim(uint64_t want)
{
	uint64_t n = 0;
	irqflags_t f = spin_lock_irqsave(&shm_lru_lock);
	struct shm_obj *s;
	list_for_each_entry(s, &lru, lru)
	{
		if (n >= want)
			break;
		n += reclaim_obj(s, want - n);
	}
	spin_unlock_irqrestore(&shm_lru_lock, f);
	return n;
}

/* Free memory below an sixty-fourth of RAM (at least 1 MiB) makes a
 * page-cache fill reclaim up to twice that much first, so the cache never
 * takes the last pages that programs and the kernel need. */
void shm_reclaim_if_low(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	uint64_t low = MAX(st.total_pages / 64, (uint64_t)256);
	if (st.free_pages < low)
		shm_reclaim(2 * low - st.free_pages);
}

void shm_cache_stats(struct shm_cache_stats *st)
{
	st->cached = __atomic_load_n(&cache_pages, __ATOMIC_RELAXED);
	st->dirty = __atomic_load_n(&cache_dirty, __ATOMIC_RELAXED);
	st->mapped = 0;
	irqflags_t f = spin_lock_irqsave(&shm_lru_lock);
	struct shm_obj *s;
	list_for_each_entry(s, &lru, lru)
	{
		uint64_t idx, from = 0;
		void *item;
		irqflags_t g = spin_lock_irqsave(&s->lock);
		while ((item = radix_next(&s->pages, from, &idx))) {
			from = idx + 1;
			if (page_ref_count(item_pa(item)) > 1)
				st->mapped++;
		}
		spin_unlock_irqrestore(&s->lock, g);
	}
	spin_unlock_irqrestore(&shm_lru_lock, f);
}

bool shm_page_valid(struct shm_obj *s, uint64_t idx)
{
	return idx < __atomic_load_n(&s->valid, __ATOMIC_RELAXED);
}

void shm_set_valid(struct shm_obj *s, uint64_t pages)
{
	irqflags_t f = spin_lock_irqsave(&s->lock);
	s->valid = pages < s->npages ? pages : s->npages;
	spin_unlock_irqrestore(&s->lock, f);
}

phys_addr_t shm_file_page(struct shm_obj *s, uint64_t idx, bool alloc,
			  bool *created)
{
	if (created)
		*created = false;
	if (idx >= s->npages)
		return 0;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	phys_addr_t pa = lookup_locked(s, idx, alloc, created);
	spin_unlock_irqrestore(&s->lock, f);
	return pa;
}

uint64_t shm_truncate(struct shm_obj *s, uint64_t from)
{
	uint64_t n = 0, idx;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	while (radix_next(&s->pages, from, &idx)) {
		drop_item(s, radix_remove(&s->pages, idx));
		n++;
		from = idx + 1;
	}
	spin_unlock_irqrestore(&s->lock, f);
	return n;
}
