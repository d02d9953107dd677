/* Shared memory objects (include/mm/shmem.h). Frames are stored in the
 * radix tree as pointers (a frame number never is 0 for a page the buddy
 * allocator hands out, and the tree stores non-NULL items only). */
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/pmm.h>
#include <mm/shmem.h>

/* Atomic: pages held by every object's index. */
static uint64_t shm_pages;

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
	return s;
}

void shm_get(struct shm_obj *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void put_frame(void *item, void *arg)
{
	(void)arg;
	page_ref_put((phys_addr_t)(uintptr_t)item);
	__atomic_sub_fetch(&shm_pages, 1, __ATOMIC_RELAXED);
}

void shm_put(struct shm_obj *s)
{
	if (s && s->release) {
		s->release(s);
		return;
	}
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* The last reference: no one can reach the index any more. */
	radix_destroy(&s->pages, put_frame, NULL);
	kfree(s);
}

/* With s->lock held: the frame at idx, allocated if missing and alloc is
 * set (0 if out of memory). */
static phys_addr_t lookup_locked(struct shm_obj *s, uint64_t idx, bool alloc,
				 bool *created)
{
	phys_addr_t pa = (phys_addr_t)(uintptr_t)radix_lookup(&s->pages, idx);
	if (pa || !alloc)
		return pa;
	void *page = pmm_alloc_zeroed_page();
	if (!page)
		return 0;
	pa = virt_to_phys(page);
	if (radix_insert(&s->pages, idx, (void *)(uintptr_t)pa)) {
		pmm_free_page_virt(page);
		return 0;
	}
	s->resident++;
	__atomic_add_fetch(&shm_pages, 1, __ATOMIC_RELAXED);
	if (created)
		*created = true;
	return pa;
}

phys_addr_t shm_get_page(struct shm_obj *s, uint64_t idx)
{
	if (idx >= s->npages)
		return 0;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	phys_addr_t pa = idx < s->valid ? lookup_locked(s, idx, true, NULL) : 0;
	if (pa)
		page_ref_get(pa); /* the mapping's */
	spin_unlock_irqrestore(&s->lock, f);
	return pa;
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
		put_frame(radix_remove(&s->pages, idx), NULL);
		s->resident--;
		n++;
		from = idx + 1;
	}
	spin_unlock_irqrestore(&s->lock, f);
	return n;
}
