/* Fault injection: with fail_alloc=N on the kernel command line, one in N
 * memory allocations (kmalloc and pages) made while an unprivileged process
 * (real uid other than 0) is running fails, as if memory had run out. Its
 * purpose is the error paths: every one must return an error and leak
 * nothing, never panic. Root's processes (init, the test harness) are left
 * alone so a run can still report.
 *
 * fail_blk=N: one in N virtio-blk requests completes with an I/O error, as
 * if the device had answered VIRTIO_BLK_S_IOERR (drivers/virtio_blk.c asks
 * when it reads the status byte). Every request counts, whoever made it:
 * the write-back thread's too. A PRNG with a fixed seed, so the same boot
 * fails the same requests; not a plain counter, which falls into step with
 * an operation that always makes N requests (a mount would then fail at
 * the same request every time). */
#include <failinject.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <uapi/errno.h>

unsigned failinject_every;
static uint64_t fail_state = 0x2545f4914f6cdd1dULL;
static uint64_t fail_tried, fail_failed;

unsigned failinject_blk_every;
static spinlock_t blk_lock = SPINLOCK_INIT("failinject_blk");
/* Under blk_lock: the PRNG, requests seen while injecting, and failed. */
static uint64_t blk_state = 0x9e3779b97f4a7c15ULL;
static uint64_t blk_seen, blk_failed;

void failinject_init(unsigned every, unsigned blk_every)
{
	failinject_every = every;
	failinject_blk_every = blk_every;
	if (every)
		pr_notice("failinject: one in %u allocations of unprivileged "
			  "processes fails",
			  every);
	if (blk_every)
		pr_notice("failinject: one in %u virtio-blk requests fails "
			  "with an I/O error",
			  blk_every);
}

bool failinject_blk_slow(void)
{
	irqflags_t f = spin_lock_irqsave(&blk_lock);
	bool fail = false;
	unsigned every = failinject_blk_every;
	if (every) {
		uint64_t x = blk_state;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		blk_state = x;
		blk_seen++;
		fail = x % every == 0;
		blk_failed += fail;
	}
	spin_unlock_irqrestore(&blk_lock, f);
	return fail;
}

void failinject_blk_set(unsigned every)
{
	irqflags_t f = spin_lock_irqsave(&blk_lock);
	failinject_blk_every = every;
	spin_unlock_irqrestore(&blk_lock, f);
}

long failinject_show(char *buf, size_t size)
{
	irqflags_t f = spin_lock_irqsave(&blk_lock);
	uint64_t seen = blk_seen, failed = blk_failed;
	unsigned every = failinject_blk_every;
	spin_unlock_irqrestore(&blk_lock, f);
	int n = snprintf(buf, size,
			 "fail_alloc %u\nalloc_tried %llu\nalloc_failed %llu\n"
			 "fail_blk %u\nblk_requests %llu\nblk_failed %llu\n",
			 failinject_every, (unsigned long long)fail_tried,
			 (unsigned long long)fail_failed, every,
			 (unsigned long long)seen, (unsigned long long)failed);
	return n < 0 ? 0 : MIN((long)n, (long)size - 1);
}

int failinject_command(const char *cmd, size_t n)
{
	char text[32];
	unsigned long long v;
	if (n >= sizeof(text))
		return -EINVAL;
	memcpy(text, cmd, n);
	text[n] = '\0';
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (strncmp(text, "fail_blk ", 9) != 0 || kstrtoull(text + 9, 10, &v) ||
	    v > 1000000000)
		return -EINVAL;
	failinject_blk_set((unsigned)v);
	return 0;
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
	if (blk_seen)
		pr_notice("failinject: %llu of %llu virtio-blk requests failed "
			  "on purpose",
			  (unsigned long long)blk_failed,
			  (unsigned long long)blk_seen);
}
