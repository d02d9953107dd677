/* Resource limits as the kernel's other parts apply them: the calling
 * process's soft limits, and the file-size limit's rule (Linux's
 * generic_write_check_limits and inode_newsize_ok). The system calls that
 * set limits are in kernel/sys_proc.c. */
#include <mm/mm.h>
#include <proc.h>
#include <rlimit.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

uint64_t rlimit_cur(int res)
{
	struct process *p = proc_current();
	return p ? p->rlim[res].rlim_cur : RLIM_INFINITY;
}

long rlimit_fsize(uint64_t pos, size_t n)
{
	uint64_t lim = rlimit_cur(RLIMIT_FSIZE);
	if (lim == RLIM_INFINITY || n == 0 || pos + n <= lim)
		return (long)n;
	if (pos >= lim) {
		signal_send(proc_current(), SIGXFSZ);
		return -EFBIG;
	}
	return (long)(lim - pos); /* a short write up to the limit */
}

void rlimit_cpu_tick(struct thread *t)
{
	struct process *p = t->proc;
	if (!p)
		return;
	uint64_t ticks = __atomic_add_fetch(&p->cpu_ticks, 1, __ATOMIC_RELAXED);
	uint64_t soft = p->rlim[RLIMIT_CPU].rlim_cur;
	uint64_t hard = p->rlim[RLIMIT_CPU].rlim_max;
	if (soft == RLIM_INFINITY && hard == RLIM_INFINITY)
		return;
	if (ticks % HZ)
		return; /* limits are whole seconds: look once a second */
	uint64_t secs = ticks / HZ;
	int sig = 0;
	if (hard != RLIM_INFINITY && secs >= hard)
		sig = SIGKILL;
	else if (soft != RLIM_INFINITY && secs >= soft)
		sig = SIGXCPU; /* and again every second, as Linux */
	/* The running thread takes it on its way back to user mode. */
	if (sig) {
		struct ksiginfo info = {.signo = sig, .code = SI_KERNEL};
		signal_send_thread(t, &info);
	}
}

static bool vm_exceeded(struct mm *mm, uint64_t len, bool data, bool locked)
{
	uint64_t as = rlimit_cur(RLIMIT_AS), dl = rlimit_cur(RLIMIT_DATA);
	if (as == RLIM_INFINITY && (dl == RLIM_INFINITY || !data))
		return false;
	uint64_t total, dvm;
	if (locked)
		mm_vm_size_locked(mm, &total, &dvm);
	else
		mm_vm_size(mm, &total, &dvm);
	if (as != RLIM_INFINITY && (len > as || total > as - len))
		return true;
	return data && dl != RLIM_INFINITY && (len > dl || dvm > dl - len);
}

bool rlimit_vm_exceeded(struct mm *mm, uint64_t len, bool data)
{
	return vm_exceeded(mm, len, data, false);
}

bool rlimit_vm_exceeded_locked(struct mm *mm, uint64_t len, bool data)
{
	return vm_exceeded(mm, len, data, true);
}

uint64_t rlimit_memlock_pages(void)
{
	struct process *p = proc_current();
	if (!p || p->euid == 0)
		return UINT64_MAX;
	uint64_t lim = p->rlim[RLIMIT_MEMLOCK].rlim_cur;
	return lim == RLIM_INFINITY ? UINT64_MAX : lim / PAGE_SIZE;
}

int rlimit_fsize_truncate(uint64_t len)
{
	uint64_t lim = rlimit_cur(RLIMIT_FSIZE);
	if (lim != RLIM_INFINITY && len > lim) {
		signal_send(proc_current(), SIGXFSZ);
		return -EFBIG;
	}
	return 0;
}
