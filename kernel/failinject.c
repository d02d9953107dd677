/* Fault injection: with fail_alloc=N on the kernel command line, one in N
 * memory allocations (kmalloc and pages) made while an unprivileged process
 * (real uid other than 0) is running fails, as if memory had run out. Its
 * purpose is the error paths: every one must return an error and leak
 * nothing, never panic. Root's processes (init, the test harness) are left
 * alone so a run can still report. */
#include <failinject.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>

unsigned failinject_every;
static uint64_t fail_state = 0x2545f4914f6cdd1dULL;
static uint64_t fail_tried, fail_failed;

void failinject_init(unsigned every)
{
	failinject_every = every;
	if (every)
		pr_notice("failinject: one in %u allocations of unprivileged "
			  "processes fails",
			  every);
}

bool failinject_alloc_slow(void)
{
	struct thread *t = current;
	if (!t || !t->proc || t->proc->uid == 0)
		return false;
	/* Racy on several CPUs, harmless: a lost update only changes which
	 * allocation fails. */
	uint64_t x = fail_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	fail_state = x;
	fail_tried++;
	if (x % failinject_every)
		return false;
	fail_failed++;
	return true;
}

void failinject_report(void)
{
	if (failinject_every)
		pr_notice(
		    "failinject: %llu of %llu allocations failed on purpose",
		    (unsigned long long)fail_failed,
		    (unsigned long long)fail_tried);
}
