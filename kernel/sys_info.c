/* Accounting and information calls: times, getrusage, sysinfo,
 * sched_getaffinity, and process groups and sessions. */
#include <acct.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define NS_PER_CLOCK (NSEC_PER_SEC / USER_HZ)

struct tms_k {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

struct rusage_k {
	struct {
		int64_t tv_sec, tv_usec;
	} ru_utime, ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt,
	    ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals,
	    ru_nvcsw, ru_nivcsw;
};
STATIC_ASSERT(sizeof(struct rusage_k) == 144, "struct rusage is 144 bytes");

struct sysinfo_k {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char _f[4];
};
STATIC_ASSERT(sizeof(struct sysinfo_k) == 112, "struct sysinfo is 112 bytes");

SYSCALL_DEFINE1(times, struct tms_k __user *, ut)
{
	struct process *p = proc_current();
	struct thread *t = current;
	struct tms_k k = {
	    (int64_t)(t->utime_ns / NS_PER_CLOCK),
	    (int64_t)(t->stime_ns / NS_PER_CLOCK),
	    (int64_t)(p->cutime_ns / NS_PER_CLOCK),
	    (int64_t)(p->cstime_ns / NS_PER_CLOCK),
	};
	if (ut && copy_to_user(ut, &k, sizeof(k)))
		return -EFAULT;
	/* Clock ticks since boot; Linux starts near -300 s, any origin is
	 * allowed. */
	return (long)(time_ns() / NS_PER_CLOCK);
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

static void rusage_times(struct rusage_k *k, uint64_t u, uint64_t s)
{
	k->ru_utime.tv_sec = (int64_t)(u / NSEC_PER_SEC);
	k->ru_utime.tv_usec = (int64_t)(u % NSEC_PER_SEC / 1000);
	k->ru_stime.tv_sec = (int64_t)(s / NSEC_PER_SEC);
	k->ru_stime.tv_usec = (int64_t)(s % NSEC_PER_SEC / 1000);
}

/* wait4's rusage: the reaped child's times, its children's included. */
int rusage_put_times(void __user *ur, uint64_t u, uint64_t s)
{
	struct rusage_k k = {0};
	rusage_times(&k, u, s);
	return copy_to_user(ur, &k, sizeof(k));
}

SYSCALL_DEFINE2(getrusage, int, who, struct rusage_k __user *, ur)
{
	struct process *p = proc_current();
	struct thread *t = current;
	struct rusage_k k = {0};
	uint64_t u, s;
	if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
		u = t->utime_ns;
		s = t->stime_ns;
		k.ru_maxrss = (int64_t)(p->mm ? p->mm->pages * 4 : 0);
		k.ru_nvcsw = (int64_t)t->switches;
	} else if (who == RUSAGE_CHILDREN) {
		u = p->cutime_ns;
		s = p->cstime_ns;
	} else {
		return -EINVAL;
	}
	rusage_times(&k, u, s);
	return copy_to_user(ur, &k, sizeof(k));
}

SYSCALL_DEFINE1(sysinfo, struct sysinfo_k __user *, ui)
{
	struct pmm_stats st;
	struct sysinfo_k k = {0};
	pmm_get_stats(&st);
	k.uptime = (int64_t)(time_ns() / NSEC_PER_SEC);
	sched_loadavg(k.loads, 16); /* SI_LOAD_SHIFT */
	k.totalram = st.total_pages;
	k.freeram = st.free_pages;
	k.mem_unit = PAGE_SIZE;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int n = proc_count_live();
	spin_unlock_irqrestore(&proc_lock, f);
	k.procs = (uint16_t)n;
	return copy_to_user(ui, &k, sizeof(k));
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned long, len,
		uint64_t __user *, umask)
{
	if (len < sizeof(uint64_t) || (len & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	uint64_t mask = 1; /* one CPU */
	if (clear_user(umask, len) || copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	struct process *p = proc_current();
	if (pid == 0 || pid == p->pid)
		return p->pgid;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *q = proc_find(pid);
	long r = q ? q->pgid : -ESRCH;
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

SYSCALL_DEFINE0(getpgrp)
{
	return proc_current()->pgid;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	struct process *p = proc_current();
	if (pid == 0 || pid == p->pid)
		return p->sid;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *q = proc_find(pid);
	long r = q ? q->sid : -ESRCH;
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

SYSCALL_DEFINE0(setsid)
{
	struct process *p = proc_current();
	long r;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	/* A group leader cannot start a session: its group would split. */
	if (p->pgid == p->pid || proc_pgrp_used(p->pid, -1, p)) {
		r = -EPERM;
	} else {
		p->sid = p->pgid = p->pid;
		p->ctty = NULL; /* a new session starts without a terminal */
		r = p->sid;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	struct process *self = proc_current(), *p;
	long r = 0;
	if (pgid < 0)
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	p = (pid == 0) ? self : proc_find(pid);
	if (!p || (p != self && p->parent != self)) {
		r = -ESRCH;
	} else if (p->sid == p->pid) {
		r = -EPERM; /* a session leader keeps its group */
	} else if (p->sid != self->sid) {
		r = -EPERM;
	} else {
		if (pgid == 0)
			pgid = p->pid;
		/* The group must exist in the caller's session, or be new. */
		if (pgid == p->pid || proc_pgrp_used(pgid, self->sid, NULL))
			p->pgid = pgid;
		else
			r = -EPERM;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}
