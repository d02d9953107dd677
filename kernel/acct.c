/* Per-thread CPU time accounting at the boundary (see include/acct.h). The
 * clock is the TSC-based monotonic clock, so a stretch costs one rdtsc. */
#include <acct.h>
#include <sched.h>
#include <time.h>

void acct_enter_kernel(struct thread *t)
{
	uint64_t now = time_ns();
	t->utime_ns += now - t->acct_mark_ns;
	t->acct_mark_ns = now;
}

void acct_exit_kernel(struct thread *t)
{
	uint64_t now = time_ns();
	t->stime_ns += now - t->acct_mark_ns;
	t->acct_mark_ns = now;
}

/* A switch always happens in kernel mode: the outgoing thread's stretch
 * was system time, and the incoming one starts a new stretch now. */
void acct_switch(struct thread *prev, struct thread *next)
{
	uint64_t now = time_ns();
	prev->stime_ns += now - prev->acct_mark_ns;
	next->acct_mark_ns = now;
}
