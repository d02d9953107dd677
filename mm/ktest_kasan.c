/* Proof that the heap checker of SANITIZE=1 kernels (mm/kasan.c, and the
 * access checks of mm/kasan_check.c) is live:
 * each test makes one heap error and must end in its KASAN panic. They run
 * only when named; tests/sanitize.sh boots each with --expect-panic. */
#include <ktest.h>
#include <mm/kmalloc.h>

#ifdef KERNEL_SANITIZE
/* Volatile so the compiler neither sees the error (-Wuse-after-free,
 * -Warray-bounds) nor folds the store away. */
static volatile size_t ktest_kasan_off = 24;

/* Not instrumented, so the store itself is not caught and the red zone
 * or quarantine check must find it later, as it would a write from code
 * the compiler cannot see (assembly, a device). */
static __attribute__((noinline, no_sanitize_address)) void
ktest_kasan_poke(char *p, size_t off)
{
	((volatile char *)p)[off] = 0x41;
}

/* Instrumented: the access check catches the read itself. */
static __attribute__((noinline)) char ktest_kasan_peek(const char *p,
						       size_t off)
{
	return ((const volatile char *)p)[off];
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

/* Reads are only caught by the access checks. */
KTEST(panic_kasan_oob_read)
{
	char *p = kmalloc(24);
	KCHECK(p != NULL, "panic_kasan_oob_read_alloc");
	if (!p)
		return;
	char c = ktest_kasan_peek(p, ktest_kasan_off);
	kfree(p);
	KCHECK(false, "panic_kasan_oob_read", "no report (%d)", c);
}

KTEST(panic_kasan_uaf_read)
{
	char *p = kmalloc(64);
	KCHECK(p != NULL, "panic_kasan_uaf_read_alloc");
	if (!p)
		return;
	char *volatile stale = p;
	kfree(p);
	char c = ktest_kasan_peek(stale, 8);
	KCHECK(false, "panic_kasan_uaf_read", "no report (%d)", c);
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
