/* kmalloc: the kernel's global heap. Wraps the pure size-class heap of
 * mm/kheap.c with a lock and feeds it pages from the physical allocator
 * through the direct map. */
#include <lib/string.h>
#include <mm/buddy.h>
#include <failinject.h>
#include <mm/kasan.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/page.h>
#include <mm/pmm.h>
#include <panic.h>
#include <printk.h>
#include <spinlock.h>

STATIC_ASSERT(KHEAP_MAX_ORDER <= BUDDY_MAX_ORDER,
	      "kheap asks for blocks the buddy allocator cannot give");

/* Protects kmalloc_heap (its caches, slab lists, big list and stats) and
 * the free bitmaps inside every slab page. Taken with interrupts off so
 * interrupt handlers may allocate. Lock order: kmalloc_lock, then
 * pmm_lock (kheap calls the page callbacks with it held). */
static spinlock_t kmalloc_lock = SPINLOCK_INIT("kmalloc");
static struct kheap kmalloc_heap;
static bool kmalloc_ready;

void kheap_corrupt(const char *why, const void *p)
{
	panic("kmalloc: heap corruption: %s (%p)", why, p);
}

#ifdef KERNEL_SANITIZE
/* SANITIZE=1: every block goes through the heap checker (mm/kasan.c).
 * Protected by kmalloc_lock, like the heap it holds blocks of. */
static struct kasan_quarantine kmalloc_quarantine;

void kasan_report(const char *kind, const void *addr, const void *obj,
		  size_t size)
{
	long off = (long)((uintptr_t)addr - (uintptr_t)obj);
	if (size)
		panic("KASAN: %s at %p: offset %ld of a %zu-byte object at %p",
		      kind, addr, off, size, obj);
	panic("KASAN: %s at %p: offset %ld of the object at %p (size "
	      "unknown)",
	      kind, addr, off, obj);
}

/* The allocator's accesses to headers, red zones and poison are not
 * checked (kasan_check_off); callers hold kmalloc_lock. */
static void *heap_alloc(size_t size)
{
	kasan_check_off++;
	void *p = kasan_alloc(&kmalloc_heap, &kmalloc_quarantine, size);
	kasan_check_off--;
	return p;
}

static void heap_free(void *p)
{
	kasan_check_off++;
	kasan_free(&kmalloc_heap, &kmalloc_quarantine, p);
	kasan_check_off--;
}

/* Quarantined blocks are live to the heap; checks and counts want them
 * gone (and their poison checked). */
static void heap_settle(void)
{
	kasan_check_off++;
	kasan_drain(&kmalloc_heap, &kmalloc_quarantine);
	kasan_check_off--;
}

/* Every frame of a heap page block is tagged, with its distance to the
 * block's first frame, so an access check finds the block's header in two
 * loads. The buddy allocator clears the tags on free. */
static void heap_tag_pages(phys_addr_t pa, unsigned order)
{
	for (unsigned i = 0; i < (1u << order); i++) {
		struct page *pg = pmm_page(pa + (phys_addr_t)i * PAGE_SIZE);
		pg->flags |= PG_SLAB;
		pg->kheap_off = (uint16_t)i;
	}
}
#else
static void heap_tag_pages(phys_addr_t pa, unsigned order)
{
	(void)pa;
	(void)order;
}

static void *heap_alloc(size_t size)
{
	return kheap_alloc(&kmalloc_heap, size);
}

static void heap_free(void *p)
{
	kheap_free(&kmalloc_heap, p);
}

static void heap_settle(void) {}
#endif

static void *kmalloc_page_alloc(void *ctx, unsigned order)
{
	(void)ctx;
	phys_addr_t pa = pmm_alloc_pages(order);
	if (!pa)
		return NULL;
	heap_tag_pages(pa, order);
	return phys_to_virt(pa);
}

static void kmalloc_page_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	pmm_free_pages(virt_to_phys(p), order);
}

void __init kmalloc_init(void)
{
	static const struct kheap_ops ops = {
	    .page_alloc = kmalloc_page_alloc,
	    .page_free = kmalloc_page_free,
	    .ctx = NULL,
	};
	irqflags_t fl = spin_lock_irqsave(&kmalloc_lock);
	kheap_init(&kmalloc_heap, &ops);
	kmalloc_ready = true;
#ifdef KERNEL_SANITIZE
	kasan_check_init();
#endif
	spin_unlock_irqrestore(&kmalloc_lock, fl);
}

void *kmalloc(size_t size)
{
	BUG_ON(!kmalloc_ready);
	if (unlikely(failinject_alloc()))
		return NULL;
	irqflags_t fl = spin_lock_irqsave(&kmalloc_lock);
	void *p = heap_alloc(size);
	spin_unlock_irqrestore(&kmalloc_lock, fl);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	irqflags_t fl = spin_lock_irqsave(&kmalloc_lock);
	heap_free(p);
	spin_unlock_irqrestore(&kmalloc_lock, fl);
}

void kmalloc_stats(struct kheap_stats *st)
{
	irqflags_t fl = spin_lock_irqsave(&kmalloc_lock);
	kheap_get_stats(&kmalloc_heap, st);
	spin_unlock_irqrestore(&kmalloc_lock, fl);
}

int kmalloc_selfcheck(void)
{
	irqflags_t fl = spin_lock_irqsave(&kmalloc_lock);
	heap_settle();
	int r = kheap_check(&kmalloc_heap);
	const char *why = kmalloc_heap.check_why;
	const void *where = kmalloc_heap.check_ptr;
	spin_unlock_irqrestore(&kmalloc_lock, fl);
	if (r)
		pr_err("kmalloc: self-check failed: %s (%p)", why, where);
	return r;
}
