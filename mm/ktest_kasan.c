/* Proof that the heap checker of SANITIZE=1 kernels (mm/kasan.c) is live:
 * each test makes one heap error and must end in its KASAN panic. They run
 * only when named; tests/sanitize.sh boots each with --expect-panic. */
#include <ktest.h>
#include <mm/kmalloc.h>

#ifdef KERNEL_SANITIZE
/* Volatile so the compiler neither sees the error (-Wuse-after-free,
 * -Warray-bounds) nor folds the store away. */
static volatile size_t ktest_kasan_off = 24;

static __attribute__((noinline)) void ktest_kasan_poke(char *p, size_t off)
{
	((volatile char *)p)[off] = 0x41;
}

/* One byte past a 24-byte object: inside its 32-byte size class, so only
 * the red zone can tell. */
KTEST(panic_kasan_oob)
{
	char *p = kmalloc(24);
	KCHECK(p != NULL, "panic_kasan_oob_alloc");
	if (!p)
		return;
	ktest_kasan_poke(p, ktest_kasan_off);
	kfree(p);
	KCHECK(false, "panic_kasan_oob", "no report");
}

/* A write into a freed object, found when the self-check drains the
 * quarantine. */
KTEST(panic_kasan_uaf)
{
	char *p = kmalloc(64);
	KCHECK(p != NULL, "panic_kasan_uaf_alloc");
	if (!p)
		return;
	char *volatile stale = p;
	kfree(p);
	ktest_kasan_poke(stale, 8);
	kmalloc_selfcheck();
	KCHECK(false, "panic_kasan_uaf", "no report");
}

KTEST(panic_kasan_double_free)
{
	char *p = kmalloc(40);
	KCHECK(p != NULL, "panic_kasan_double_free_alloc");
	if (!p)
		return;
	char *volatile again = p;
	kfree(p);
	kfree(again);
	KCHECK(false, "panic_kasan_double_free", "no report");
}
#endif
