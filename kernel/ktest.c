/* The in-kernel self-test runner: finds the tests in the .ktest section,
 * runs those selected on the command line, and prints one PASS/FAIL line
 * per check plus a summary line. */
#include <err.h>
#include <ktest.h>
#include <mutex.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <printk.h>
#include <sched.h>
#include <time.h>

extern const struct ktest __ktest_start[], __ktest_end[];

static int ktest_passed, ktest_failed;

void ktest_check(bool ok, const char *name, const char *fmt, ...)
{
	char why[200] = "";
	if (ok) {
		ktest_passed++;
		kprintf("PASS %s\n", name);
		return;
	}
	ktest_failed++;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	kprintf("FAIL %s: %s\n", name, why[0] ? why : "check failed");
}

static bool selected(const char *sel, const char *name)
{
	/* "all" leaves out the tests that end in a deliberate panic. */
	if (strcmp(sel, "all") == 0)
		return strncmp(name, "panic_", 6) != 0;
	size_t n = strlen(name);
	for (const char *p = sel; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

int ktest_run(const char *sel)
{
	int ran = 0;
	for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
		if (!selected(sel, t->name))
			continue;
		pr_info("ktest: running %s", t->name);
		t->fn();
		ran++;
	}
	if (ran == 0)
		ktest_check(false, "ktest", "no test matches '%s'", sel);
	pr_info("ktest: %d tests, %d checks passed, %d failed", ran,
		ktest_passed, ktest_failed);
	return ktest_failed;
}

/* Deliberate kernel stack faults (not in "all"): each must end in a panic
 * that names a double fault and a symbolised frame, not in a silent triple
 * fault (tests/run-qemu --expect-panic checks the report). */

/* Never reached: it only keeps the compiler from seeing an endless
 * recursion (a warning) or turning it into a loop. */
static volatile unsigned long recurse_limit = ~0UL;

static __attribute__((noinline)) unsigned long ktest_recurse(unsigned long n)
{
	volatile char frame[256];
	frame[0] = (char)n;
	if (n >= recurse_limit)
		return frame[0];
	return ktest_recurse(n + 1) + frame[0];
}

static void ktest_overflow_thread(void *arg)
{
	(void)arg;
	ktest_recurse(0);
}

/* On a kernel thread, whose stack has an unmapped guard page below: the
 * page fault on the guard cannot be delivered on the same stack, so the CPU
 * raises a double fault, which runs on its own IST stack. */
KTEST(panic_stack_overflow)
{
	struct thread *t =
	    thread_create("overflow", ktest_overflow_thread, NULL);
	KCHECK(!IS_ERR(t), "panic_stack_overflow_thread");
	if (IS_ERR(t))
		return;
	thread_join(t);
	KCHECK(false, "panic_stack_overflow", "the stack did not overflow");
}

#ifdef LOCK_DEBUG
/* Debug builds: two mutexes taken in both orders is a deadlock waiting to
 * happen, and the lock checker says so at the second order. */
static struct mutex ktest_ma = MUTEX_INIT(ktest_ma, "ktest-a");
static struct mutex ktest_mb = MUTEX_INIT(ktest_mb, "ktest-b");

static void ktest_lock_order_thread(void *arg)
{
	(void)arg;
	mutex_lock(&ktest_ma);
	mutex_lock(&ktest_mb);
	mutex_unlock(&ktest_mb);
	mutex_unlock(&ktest_ma);
	mutex_lock(&ktest_mb);
	mutex_lock(&ktest_ma); /* the reverse order: panics */
	mutex_unlock(&ktest_ma);
	mutex_unlock(&ktest_mb);
}

/* A sleep whose wait condition was tested without sched_lock: a wakeup
 * between the test and the sleep would be lost. The checker refuses it
 * before anything sleeps. */
KTEST(panic_wait_unlocked)
{
	sched_sleep_locked(NULL, time_ns() + 1000000);
	KCHECK(false, "panic_wait_unlocked", "no report");
}

KTEST(panic_lock_order)
{
	struct thread *t =
	    thread_create("lockorder", ktest_lock_order_thread, NULL);
	KCHECK(!IS_ERR(t), "panic_lock_order_thread");
	if (IS_ERR(t))
		return;
	thread_join(t);
	KCHECK(false, "panic_lock_order", "no report");
}
#endif

#ifdef KERNEL_SANITIZE
/* SANITIZE=1 kernels: an index past an array's end is caught by the
 * undefined-behaviour sanitizer, an overrun local buffer by the stack
 * protector; both panic. */
static volatile int ktest_index = 8;

KTEST(panic_ubsan_bounds)
{
	int a[8] = {0};
	a[ktest_index] = 1;
	KCHECK(false, "panic_ubsan_bounds", "no report (a[8] = %d)", a[0]);
}

static __attribute__((noinline)) void ktest_smash(volatile char *p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = 0x41;
}

KTEST(panic_stack_protector)
{
	char buf[16];
	ktest_smash(buf, 16 + ktest_index * 4);
	KCHECK(false, "panic_stack_protector", "returned (%d)", buf[0]);
}
#endif

/* A corrupt stack pointer: the push faults, and delivering that page fault
 * needs the same stack. */
KTEST(panic_double_fault)
{
	__asm__ volatile("movq %0, %%rsp\n\t"
			 "pushq $0" ::"r"(0xdead000UL)
			 : "memory");
	KCHECK(false, "panic_double_fault", "the push did not fault");
}

/* The same with the user's GS base loaded, as in the instructions around
 * swapgs on the way into and out of the kernel: the handler must still
 * find its per-CPU data. */
KTEST(panic_double_fault_gs)
{
	__asm__ volatile("swapgs\n\t"
			 "movq %0, %%rsp\n\t"
			 "pushq $0" ::"r"(0xdead000UL)
			 : "memory");
	KCHECK(false, "panic_double_fault_gs", "the push did not fault");
}
