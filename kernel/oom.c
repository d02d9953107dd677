/* Out of memory: when a user page fault finds no free page, the kernel
 * kills the process with the most resident pages (never init), with a
 * console line naming it and its size, as Linux's OOM killer does, and the
 * faulting thread tries again once the victim has let go. A fault that
 * fails while pages are still free (fault injection, a transient
 * shortage) is not an out-of-memory: it ends in SIGBUS as before. */
#include <fs/bcache.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/shmem.h>
#include <oom.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <uapi/signal.h>

/* Fewer free pages than this and a failed fault is memory running out. */
#define OOM_FREE_PAGES 64

/* Where the memory was, as Linux's OOM report shows it: what the page
 * cache held that reclaim could not drop (dirty or mapped pages), memory
 * file systems and shared memory, and the block cache. */
static void oom_report_memory(void)
{
	struct pmm_stats st;
	struct shm_cache_stats cs;
	struct bcache_stats bs;
	pmm_get_stats(&st);
	shm_cache_stats(&cs);
	bcache_stats(&bs);
	printk(LOGLEVEL_ERR,
	       "Mem-Info: total:%llukB free:%llukB cache:%llukB "
	       "(dirty:%llukB mapped:%llukB) shmem:%llukB buffers:%llukB "
	       "(dirty:%llukB)",
	       (unsigned long long)st.total_pages * 4,
	       (unsigned long long)st.free_pages * 4,
	       (unsigned long long)cs.cached * 4,
	       (unsigned long long)cs.dirty * 4,
	       (unsigned long long)cs.mapped * 4,
	       (unsigned long long)shm_total_pages() * 4,
	       (unsigned long long)bs.bytes / 1024,
	       (unsigned long long)bs.dirty_bytes / 1024);
}

bool oom_kill(bool wait)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	if (st.free_pages >= OOM_FREE_PAGES)
		return false;
	char comm[PROC_COMM_MAX];
	uint64_t pages = 0;
	int pid = 0;
	bool again = false;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *v = proc_largest_locked(&pages);
	if (v && v->oom_killed) {
		again = true; /* still on its way out: wait for it */
	} else if (v) {
		v->oom_killed = true;
		pid = v->pid;
		memcpy(comm, v->comm, sizeof(comm));
		signal_send(v, SIGKILL);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!v)
		return false;
	if (!again) {
		printk(LOGLEVEL_ERR,
		       "Out of memory: Killed process %d (%s) "
		       "rss+pgtables:%llukB",
		       pid, comm,
		       (unsigned long long)(pages * (PAGE_SIZE / 1024)));
		oom_report_memory();
	}
	/* Let the victim run to its exit before the fault is tried again. */
	if (wait)
		sched_yield_cpu();
	return true;
}
