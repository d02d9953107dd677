/* KASAN-lite for SANITIZE=1 kernels: red zones after heap objects, and a
 * poisoned FIFO quarantine of freed ones, checked when a block is freed and
 * when it leaves the quarantine. Catches writes past an object's end (or
 * into its header), writes after free and double frees, late: at the
 * free, not at the bad store. No locks, no hardware. */
#include <lib/string.h>
#include <mm/kasan.h>
#include <uapi/errno.h>

#ifdef KERNEL_SANITIZE

/* In front of each object. The check word ties magic and size together,
 * so an underflow that changes either is seen. */
struct kasan_hdr {
	uint32_t magic;
	uint32_t check;
	uint64_t size;
};

STATIC_ASSERT(sizeof(struct kasan_hdr) == KASAN_HDR, "kasan header size");
STATIC_ASSERT(KASAN_HDR % KHEAP_ALIGN == 0, "kasan header breaks alignment");

#define KASAN_LIVE 0x6b61736cu
#define KASAN_FREED 0x6b617366u

static uint32_t hdr_check(uint32_t magic, uint64_t size)
{
	return magic ^ (uint32_t)size ^ (uint32_t)(size >> 32) ^ 0x9e3779b9u;
}

static void hdr_set(struct kasan_hdr *hd, uint32_t magic, uint64_t size)
{
	hd->magic = magic;
	hd->size = size;
	hd->check = hdr_check(magic, size);
}

static bool hdr_ok(const struct kasan_hdr *hd, uint32_t magic)
{
	return hd->magic == magic && hd->check == hdr_check(magic, hd->size);
}

/* The first byte in [p, p + n) that is not pat, or NULL. */
static const void *kasan_find_bad(const void *p, size_t n, unsigned char pat)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i] != pat)
			return c + i;
	return NULL;
}

void *kasan_alloc(struct kheap *h, struct kasan_quarantine *q, size_t size)
{
	if (size > SIZE_MAX - KASAN_HDR - KASAN_REDZONE)
		return NULL;
	size_t want = size + KASAN_HDR + KASAN_REDZONE;
	char *base = kheap_alloc(h, want);
	if (!base && q->count) {
		/* Memory held only to catch late writes is not worth an
		 * allocation failure the plain kernel would not have. */
		kasan_drain(h, q);
		base = kheap_alloc(h, want);
	}
	if (!base)
		return NULL;
	size_t block = kheap_size(h, base);
	hdr_set((struct kasan_hdr *)base, KASAN_LIVE, size);
	memset(base + KASAN_HDR + size, KASAN_POISON_REDZONE,
	       block - KASAN_HDR - size);
	return base + KASAN_HDR;
}

int kasan_block_state(const void *base, size_t *size)
{
	const struct kasan_hdr *hd = base;
	*size = hd->size;
	if (hdr_ok(hd, KASAN_LIVE))
		return KASAN_OBJ_LIVE;
	if (hdr_ok(hd, KASAN_FREED))
		return KASAN_OBJ_FREED;
	return -EINVAL;
}

size_t kasan_size(const void *p)
{
	return ((const struct kasan_hdr *)((const char *)p - KASAN_HDR))->size;
}

/* Checks a quarantined block and gives it back to the heap. */
static void kasan_release(struct kheap *h, char *base, size_t block)
{
	struct kasan_hdr *hd = (struct kasan_hdr *)base;
	char *obj = base + KASAN_HDR;
	if (!hdr_ok(hd, KASAN_FREED)) {
		kasan_report("use-after-free", hd, obj, 0);
		return;
	}
	const void *bad =
	    kasan_find_bad(obj, block - KASAN_HDR, KASAN_POISON_FREE);
	if (bad) {
		kasan_report("use-after-free", bad, obj, hd->size);
		return;
	}
	kheap_free(h, base);
}

static void kasan_evict(struct kheap *h, struct kasan_quarantine *q)
{
	char *base = q->ring[q->head];
	size_t block = kheap_size(h, base);
	q->head = (q->head + 1) % KASAN_QUARANTINE_SLOTS;
	q->count--;
	q->bytes -= block;
	kasan_release(h, base, block);
}

void kasan_drain(struct kheap *h, struct kasan_quarantine *q)
{
	while (q->count)
		kasan_evict(h, q);
}

void kasan_free(struct kheap *h, struct kasan_quarantine *q, void *p)
{
	if (!p)
		return;
	if (!IS_ALIGNED((uintptr_t)p, KHEAP_ALIGN)) {
		kasan_report("invalid-free", p, p, 0);
		return;
	}
	char *obj = p;
	char *base = obj - KASAN_HDR;
	struct kasan_hdr *hd = (struct kasan_hdr *)base;
	if (hdr_ok(hd, KASAN_FREED)) {
		kasan_report("double-free", p, p, hd->size);
		return;
	}
	if (hd->magic != KASAN_LIVE) {
		kasan_report("invalid-free", p, p, 0);
		return;
	}
	if (!hdr_ok(hd, KASAN_LIVE)) {
		/* The magic survived but the size did not: a write just
		 * before the object. */
		kasan_report("heap-out-of-bounds", &hd->size, p, 0);
		return;
	}
	size_t block = kheap_size(h, base);
	size_t size = hd->size;
	if (size > block - KASAN_HDR - KASAN_REDZONE) {
		kasan_report("heap-out-of-bounds", &hd->size, p, 0);
		return;
	}
	const void *bad = kasan_find_bad(obj + size, block - KASAN_HDR - size,
					 KASAN_POISON_REDZONE);
	if (bad) {
		kasan_report("heap-out-of-bounds", bad, p, size);
		return;
	}
	hdr_set(hd, KASAN_FREED, size);
	memset(obj, KASAN_POISON_FREE, block - KASAN_HDR);

	/* Oldest out first, until this block fits; a block larger than the
	 * byte bound on its own is held alone. */
	while (q->count == KASAN_QUARANTINE_SLOTS ||
	       (q->count && q->bytes + block > KASAN_QUARANTINE_BYTES))
		kasan_evict(h, q);
	q->ring[(q->head + q->count) % KASAN_QUARANTINE_SLOTS] = base;
	q->count++;
	q->bytes += block;
}

#endif
