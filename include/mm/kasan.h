/* KASAN-lite, the heap checker of SANITIZE=1 kernels (mm/kasan.c): every
 * kmalloc block gets a header in front and a red zone behind, freed blocks
 * are poisoned and held in a FIFO quarantine, and the patterns are checked
 * on free and when the quarantine lets a block go. Pure logic over a
 * struct kheap, unlocked: mm/kmalloc.c calls it under its lock, and
 * tests/unit/test_kasan.c runs it on the host. */
#ifndef LIMEN_MM_KASAN_H
#define LIMEN_MM_KASAN_H

#include <mm/kheap.h>
#include <types.h>

/* Bytes in front of each object: magic, size and a check word. A multiple
 * of KHEAP_ALIGN, so objects keep the heap's alignment. */
#define KASAN_HDR 16
/* Smallest red zone after an object; it extends to the end of the heap
 * block, so a size class's slack is red zone too. */
#define KASAN_REDZONE 16
/* Written into red zones, and over freed objects while quarantined. */
#define KASAN_POISON_REDZONE 0xfc
#define KASAN_POISON_FREE 0xfb

/* The quarantine holds at most this many freed blocks, of at most this
 * many bytes in all (one block larger than that is held alone). */
#define KASAN_QUARANTINE_SLOTS 4096
#define KASAN_QUARANTINE_BYTES (2UL << 20)

struct kasan_quarantine {
	void *ring[KASAN_QUARANTINE_SLOTS]; /* heap blocks (headers), FIFO */
	unsigned head;			    /* oldest entry */
	unsigned count;
	size_t bytes; /* heap block sizes of the entries */
};

/* A checked block of size bytes from h, or NULL. When the heap is out of
 * memory the quarantine is drained and the allocation tried again. */
void *kasan_alloc(struct kheap *h, struct kasan_quarantine *q, size_t size);
/* Checks p's header and red zone, poisons the block and quarantines it,
 * releasing the oldest blocks (after checking their poison) to stay
 * within bounds. NULL is a no-op. */
void kasan_free(struct kheap *h, struct kasan_quarantine *q, void *p);
/* Checks and releases every quarantined block to the heap. */
void kasan_drain(struct kheap *h, struct kasan_quarantine *q);
/* The object size kasan_alloc was asked for. */
size_t kasan_size(const void *p);

/* Whether base (the start of a heap block, where the header is) holds a
 * live object (KASAN_OBJ_LIVE), a quarantined one (KASAN_OBJ_FREED), or
 * neither (-EINVAL). The object's size goes in *size. */
#define KASAN_OBJ_LIVE 1
#define KASAN_OBJ_FREED 2
int kasan_block_state(const void *base, size_t *size);

/* The compiler's access checks (mm/kasan_check.c, SANITIZE=1 kernels):
 * off while nonzero, as it is inside the allocator, whose own accesses
 * to headers, red zones and poison are deliberate. Changed only with
 * interrupts off (under kmalloc_lock), and there is one CPU. */
extern unsigned kasan_check_off;
/* After kmalloc_init: from now on heap accesses are checked. */
void kasan_check_init(void);
/* The check of one access of n bytes at p, for code that is not
 * instrumented (memcpy, memset): the first and last pages of the range
 * are checked, so a range that starts in an object and runs past it is
 * caught. */
void kasan_check_range(const void *p, size_t n, bool write);

/* Provided by the user of kasan.c: mm/kmalloc.c panics, the unit test
 * records the report and returns. kind is "heap-out-of-bounds",
 * "use-after-free", "double-free" or "invalid-free"; addr the first bad
 * byte (or the pointer freed); obj and size the object (size 0 when it is
 * not known). */
void kasan_report(const char *kind, const void *addr, const void *obj,
		  size_t size);

#endif
