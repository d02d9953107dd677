/* The heap checker's access checks for SANITIZE=1 kernels: the compiler
 * (-fsanitize=kernel-address, outline) calls a hook before every load and
 * store; a byte of a kmalloc page is checked against the object that holds
 * it, everything else passes at once. Reads and writes past an object or
 * after free are caught at the access, not later at free. */
#include <mm/kasan.h>
#include <mm/layout.h>
#include <mm/page.h>
#include <mm/pmm.h>
#include <panic.h>

#ifdef KERNEL_SANITIZE

/* There is no shadow memory: whether a byte is addressable is worked out
 * from the allocator's own metadata (the frame's PG_SLAB tag and offset,
 * the slab or big-block header, the kasan header). That costs a few loads
 * per heap access but no memory and no page-table set-up, and it is
 * byte-precise. */

unsigned kasan_check_off;
static bool kasan_check_ready;

void kasan_check_init(void)
{
	kasan_check_ready = true;
}

static __noreturn void kasan_bad_access(const char *kind, uintptr_t addr,
					size_t len, bool write, const char *obj,
					size_t size, bool known)
{
	kasan_check_off++; /* the panic path reads the heap too */
	const char *rw = write ? "write" : "read";
	if (known)
		panic("KASAN: %s %s of %zu bytes at %#lx: offset %ld of a "
		      "%zu-byte object at %p",
		      kind, rw, len, addr, (long)(addr - (uintptr_t)obj), size,
		      obj);
	panic("KASAN: %s %s of %zu bytes at %#lx: not in a live object "
	      "(heap block of %zu bytes at %p)",
	      kind, rw, len, addr, size, obj);
}

/* [addr, addr + len), which starts in a kmalloc page. */
static void kasan_check_heap(uintptr_t addr, size_t len, bool write,
			     const struct page *pg)
{
	uintptr_t head =
	    (addr & PAGE_MASK) - (uintptr_t)pg->kheap_off * PAGE_SIZE;
	size_t bsize = 0;
	bool live = false;
	char *block = kheap_block_at((const void *)head, (const void *)addr,
				     &bsize, &live);
	if (!block || !live) {
		/* Allocator headers, or a slot that is free in the heap
		 * (never used, or already out of the quarantine). */
		kasan_bad_access("heap-out-of-bounds", addr, len, write, block,
				 bsize, false);
	}
	size_t size;
	int st = kasan_block_state(block, &size);
	char *obj = block + KASAN_HDR;
	if (st == KASAN_OBJ_FREED)
		kasan_bad_access("use-after-free", addr, len, write, obj, size,
				 true);
	if (st != KASAN_OBJ_LIVE)
		kasan_bad_access("heap-out-of-bounds", addr, len, write, block,
				 bsize, false);
	if (addr < (uintptr_t)obj || addr + len > (uintptr_t)obj + size)
		kasan_bad_access("heap-out-of-bounds", addr, len, write, obj,
				 size, true);
}

static void kasan_check_byte_page(uintptr_t addr, size_t len, bool write)
{
	const struct page *pg = pmm_page(addr - DIRECT_MAP_BASE);
	if (pg && (pg->flags & PG_SLAB))
		kasan_check_heap(addr, len, write, pg);
}

static void kasan_access(uintptr_t addr, size_t len, bool write)
{
	/* Only the direct map holds heap pages. */
	if (!kasan_check_ready || kasan_check_off || len == 0 ||
	    addr < DIRECT_MAP_BASE || addr >= DIRECT_MAP_BASE + DIRECT_MAP_MAX)
		return;
	uintptr_t last = addr + len - 1;
	if ((addr & PAGE_MASK) == (last & PAGE_MASK)) {
		kasan_check_byte_page(addr, len, write);
		return;
	}
	/* Across a page boundary: each end on its own page. */
	kasan_check_byte_page(addr, PAGE_SIZE - (addr & ~PAGE_MASK), write);
	if (last < DIRECT_MAP_BASE + DIRECT_MAP_MAX)
		kasan_check_byte_page(last & PAGE_MASK, (last & ~PAGE_MASK) + 1,
				      write);
}

void kasan_check_range(const void *p, size_t n, bool write)
{
	kasan_access((uintptr_t)p, n, write);
}

/* The compiler's hooks. In outline mode only the load/store ones are
 * called; the report ones belong to inline mode and check the same way. */
#define KASAN_HOOKS(n)                                                         \
	void __asan_load##n##_noabort(uintptr_t a);                            \
	void __asan_load##n##_noabort(uintptr_t a)                             \
	{                                                                      \
		kasan_access(a, n, false);                                     \
	}                                                                      \
	void __asan_store##n##_noabort(uintptr_t a);                           \
	void __asan_store##n##_noabort(uintptr_t a)                            \
	{                                                                      \
		kasan_access(a, n, true);                                      \
	}                                                                      \
	void __asan_report_load##n##_noabort(uintptr_t a);                     \
	void __asan_report_load##n##_noabort(uintptr_t a)                      \
	{                                                                      \
		kasan_access(a, n, false);                                     \
	}                                                                      \
	void __asan_report_store##n##_noabort(uintptr_t a);                    \
	void __asan_report_store##n##_noabort(uintptr_t a)                     \
	{                                                                      \
		kasan_access(a, n, true);                                      \
	}

KASAN_HOOKS(1)
KASAN_HOOKS(2)
KASAN_HOOKS(4)
KASAN_HOOKS(8)
KASAN_HOOKS(16)

void __asan_loadN_noabort(uintptr_t a, size_t n);
void __asan_loadN_noabort(uintptr_t a, size_t n)
{
	kasan_access(a, n, false);
}

void __asan_storeN_noabort(uintptr_t a, size_t n);
void __asan_storeN_noabort(uintptr_t a, size_t n)
{
	kasan_access(a, n, true);
}

void __asan_report_load_n_noabort(uintptr_t a, size_t n);
void __asan_report_load_n_noabort(uintptr_t a, size_t n)
{
	kasan_access(a, n, false);
}

void __asan_report_store_n_noabort(uintptr_t a, size_t n);
void __asan_report_store_n_noabort(uintptr_t a, size_t n)
{
	kasan_access(a, n, true);
}

/* Called before noreturn calls to unpoison the stack; there is no stack
 * poisoning here (asan-stack=0). */
void __asan_handle_no_return(void);
void __asan_handle_no_return(void) {}

#endif
