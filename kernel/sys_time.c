/* Time system calls. CLOCK_MONOTONIC is nanoseconds since boot from the TSC;
 * CLOCK_REALTIME is the CMOS clock read at boot plus that (rtc_boot_epoch,
 * 0 = 1970 if there is no RTC), moved by clock_settime. */
#include <ktimer.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>

/* CLOCK_REALTIME - CLOCK_MONOTONIC: rtc_boot_epoch seconds (set at boot
 * by rtc_init) until clock_settime first runs, realtime_off_ns after;
 * each one word, so a reader never sees half a change. clock_settime
 * writes both under ktimer_lock: realtime_off_ns, then rtc_boot_epoch
 * (its whole seconds, floored) for the code that reads only seconds (file
 * times, IPC times, /proc/stat's btime). */
int64_t rtc_boot_epoch;
static int64_t realtime_off_ns;
static bool realtime_was_set;
#define TIME_SETTOD_SEC_MAX (9223372036LL - 30LL * 31536000)

uint64_t time_realtime_ns(void)
{
	int64_t off = __atomic_load_n(&realtime_was_set, __ATOMIC_ACQUIRE)
			  ? __atomic_load_n(&realtime_off_ns, __ATOMIC_RELAXED)
			  : rtc_boot_epoch * (int64_t)NSEC_PER_SEC;
	uint64_t mono = time_ns();
	/* Before 1970 (a clock set just after the epoch): read as 0. */
	return off < 0 && (uint64_t)-off > mono ? 0 : mono + (uint64_t)off;
}

/* With ktimer_lock held: realtime becomes ns; returns how far it moved. */
static int64_t time_set_realtime_locked(uint64_t ns)
{
	int64_t old = (int64_t)time_realtime_ns();
	int64_t off = (int64_t)ns - (int64_t)time_ns();
	int64_t sec = off / (int64_t)NSEC_PER_SEC;
	if (off % (int64_t)NSEC_PER_SEC < 0)
		sec--;
	__atomic_store_n(&realtime_off_ns, off, __ATOMIC_RELAXED);
	__atomic_store_n(&realtime_was_set, true, __ATOMIC_RELEASE);
	__atomic_store_n(&rtc_boot_epoch, sec, __ATOMIC_RELAXED);
	return (int64_t)ns - old;
}

int time_cpu_clock_decode(long id, int *tid)
{
	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID) {
		*tid = id == CLOCK_THREAD_CPUTIME_ID ? current->utid : 0;
		return (int)id;
	}
	if (id >= 0)
		return -EINVAL;
	/* Linux's encoding (clock_getcpuclockid, pthread_getcpuclockid,
	 * and glibc's own for the two clocks above): ~pid << 3, bit 2 for a
	 * thread, and the low bits PROF 0, VIRT 1, SCHED 2. Ticks count user
	 * and system time together: VIRT is not kept apart. */
	long which = id & 3, pid = ~(id >> 3);
	if (which != 0 && which != 2)
		return -EINVAL;
	struct process *p = proc_current();
	if (id & 4) {
		if (!pid || pid == current->utid) {
			*tid = current->utid;
			return CLOCK_THREAD_CPUTIME_ID;
		}
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct thread *t = proc_find_thread(p->pid, (int)pid);
		spin_unlock_irqrestore(&proc_lock, f);
		*tid = (int)pid;
		return t ? CLOCK_THREAD_CPUTIME_ID : -EINVAL;
	}
	*tid = 0;
	return !pid || pid == p->pid ? CLOCK_PROCESS_CPUTIME_ID : -ESRCH;
}

/* Another process's CPU clock (any process, as Linux lets anyone read
 * one). */
static int cpu_clock_other(long id, uint64_t *ns)
{
	int pid = (int)~(id >> 3);
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = pid > 0 ? proc_find(pid) : NULL;
	if (p)
		*ns = __atomic_load_n(&p->cpu_ticks, __ATOMIC_RELAXED) *
		      (NSEC_PER_SEC / HZ);
	spin_unlock_irqrestore(&proc_lock, f);
	return p ? 0 : -EINVAL;
}

static int clock_read(long id, uint64_t *ns)
{
	int tid = 0;
	if (id < 0) {
		int c = time_cpu_clock_decode(id, &tid);
		if (c == -ESRCH)
			return cpu_clock_other(id, ns);
		if (c < 0)
			return c;
		id = c;
	}
	switch (id) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_ns();
		return 0;
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		/* Tick resolution (10 ms), as docs/syscalls.md says: the
		 * ticks charged to any thread of the process. */
		*ns = __atomic_load_n(&proc_current()->cpu_ticks,
				      __ATOMIC_RELAXED) *
		      (NSEC_PER_SEC / HZ);
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		if (tid && tid != current->utid) {
			irqflags_t f = spin_lock_irqsave(&proc_lock);
			struct thread *t =
			    proc_find_thread(proc_current()->pid, tid);
			*ns = t ? t->ticks * (NSEC_PER_SEC / HZ) : 0;
			spin_unlock_irqrestore(&proc_lock, f);
			return t ? 0 : -EINVAL;
		}
		*ns = current->ticks * (NSEC_PER_SEC / HZ);
		return 0;
	default:
		return -EINVAL;
	}
}

static struct timespec_k ns_to_ts(uint64_t ns)
{
	return (struct timespec_k){(int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC)};
}

SYSCALL_DEFINE2(clock_gettime, int, id, struct timespec_k __user *, ts)
{
	uint64_t ns;
	int r = clock_read(id, &ns);
	if (r)
		return r;
	struct timespec_k k = ns_to_ts(ns);
	return copy_to_user(ts, &k, sizeof(k));
}

/* Only CLOCK_REALTIME is settable, by euid 0 (Linux's CAP_SYS_TIME); the
 * checks come in Linux's order. */
SYSCALL_DEFINE2(clock_settime, int, id, const struct timespec_k __user *, ts)
{
	struct timespec_k k;
	uint64_t ns;
	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ||
	    id < 0)
		return -EPERM; /* Linux's posix_cpu_clock_set */
	if (id != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(&k, ts, sizeof(k)))
		return -EFAULT;
	if (k.tv_sec >= TIME_SETTOD_SEC_MAX || time_timespec_ns(&k, &ns))
		return -EINVAL;
	if (proc_current()->euid != 0)
		return -EPERM;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	ktimer_clock_was_set_locked(time_set_realtime_locked(ns));
	spin_unlock_irqrestore(&ktimer_lock, f);
	return 0;
}

SYSCALL_DEFINE2(clock_getres, int, id, struct timespec_k __user *, ts)
{
	uint64_t ns;
	int r = clock_read(id, &ns);
	if (r)
		return r;
	struct timespec_k k = {0, 1};
	if (id == CLOCK_MONOTONIC_COARSE || id == CLOCK_REALTIME_COARSE ||
	    id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ||
	    id < 0)
		k.tv_nsec = NSEC_PER_SEC / HZ;
	return ts ? copy_to_user(ts, &k, sizeof(k)) : 0;
}

/* struct timezone: kept for gettimeofday, used for nothing else (as on
 * Linux, where only the FAT driver and the RTC warp look at it). */
struct timezone_k {
	int32_t tz_minuteswest, tz_dsttime;
};
static struct timezone_k sys_tz; /* ktimer_lock for writes */

SYSCALL_DEFINE2(gettimeofday, struct timeval_k __user *, tv,
		struct timezone_k __user *, tz)
{
	if (tv) {
		uint64_t ns;
		clock_read(CLOCK_REALTIME, &ns);
		struct timeval_k k = {(int64_t)(ns / NSEC_PER_SEC),
				      (int64_t)(ns % NSEC_PER_SEC / 1000)};
		if (copy_to_user(tv, &k, sizeof(k)))
			return -EFAULT;
	}
	if (tz) {
		struct timezone_k z = sys_tz;
		return copy_to_user(tz, &z, sizeof(z));
	}
	return 0;
}

/* Linux's checks in Linux's order: EFAULT, EINVAL for the time, EPERM
 * (not euid 0), EINVAL for the zone. */
SYSCALL_DEFINE2(settimeofday, const struct timeval_k __user *, tv,
		const struct timezone_k __user *, tz)
{
	struct timeval_k k;
	struct timezone_k z;
	uint64_t ns = 0;
	if (tv) {
		if (copy_from_user(&k, tv, sizeof(k)))
			return -EFAULT;
		if (time_timeval_ns(&k, &ns) || k.tv_sec >= TIME_SETTOD_SEC_MAX)
			return -EINVAL;
	}
	if (tz && copy_from_user(&z, tz, sizeof(z)))
		return -EFAULT;
	if (proc_current()->euid != 0)
		return -EPERM;
	if (tz && (z.tz_minuteswest > 15 * 60 || z.tz_minuteswest < -15 * 60))
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);
	if (tz)
		sys_tz = z;
	if (tv)
		ktimer_clock_was_set_locked(time_set_realtime_locked(ns));
	spin_unlock_irqrestore(&ktimer_lock, f);
	return 0;
}

SYSCALL_DEFINE1(time, int64_t __user *, t)
{
	uint64_t ns;
	clock_read(CLOCK_REALTIME, &ns);
	int64_t s = (int64_t)(ns / NSEC_PER_SEC);
	if (t && copy_to_user(t, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

static long sleep_until(uint64_t deadline)
{
	while (time_ns() < deadline) {
		irqflags_t f = sched_lock_irqsave();
		int r = sched_sleep_intr_locked(NULL, deadline, false);
		sched_unlock_irqrestore(f);
		if (r == -EINTR)
			return r;
	}
	return 0;
}

/* Sleeps until the process's CPU clock reaches end (other threads must
 * run for that), looking once a tick, which is its resolution. */
static long cpu_nanosleep(uint64_t end, long flags,
			  struct timespec_k __user *rem)
{
	uint64_t now;
	for (;;) {
		clock_read(CLOCK_PROCESS_CPUTIME_ID, &now);
		if (now >= end)
			return 0;
		if (sleep_until(time_deadline(NSEC_PER_SEC / HZ)))
			break;
	}
	if (rem && !(flags & TIMER_ABSTIME)) {
		struct timespec_k lk = ns_to_ts(end - now);
		if (copy_to_user(rem, &lk, sizeof(lk)))
			return -EFAULT;
	}
	return -EINTR;
}

SYSCALL_DEFINE4(clock_nanosleep, int, id, int, flags,
		const struct timespec_k __user *, req,
		struct timespec_k __user *, rem)
{
	struct timespec_k k;
	uint64_t now, want, deadline;
	int r = clock_read(id, &now);
	if (r)
		return r;
	if (id < 0) {
		/* glibc sleeps on CLOCK_PROCESS_CPUTIME_ID this way; a thread
		 * cannot sleep on a thread's clock (Linux: EINVAL), nor here
		 * on another process's. */
		int tid;
		id = time_cpu_clock_decode(id, &tid);
		if (id != CLOCK_PROCESS_CPUTIME_ID)
			return -EINVAL;
	}
	/* Linux's clocks without nsleep (the man page says EINVAL for the
	 * thread clock; Linux 6.18 says EOPNOTSUPP). */
	if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE ||
	    id == CLOCK_MONOTONIC_COARSE || id == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP;
	if (copy_from_user(&k, req, sizeof(k)))
		return -EFAULT;
	if ((r = time_timespec_ns(&k, &want)))
		return r;
	if (id == CLOCK_PROCESS_CPUTIME_ID)
		return cpu_nanosleep(
		    flags & TIMER_ABSTIME ? want : time_add_sat(now, want),
		    flags, rem);
	if (flags & TIMER_ABSTIME)
		deadline = want > now ? time_deadline(want - now) : time_ns();
	else
		deadline = time_deadline(want);
	long ret;
	if ((flags & TIMER_ABSTIME) && id == CLOCK_REALTIME) {
		/* The clock may be set while we sleep: look again at least
		 * once a second, as Linux's absolute realtime sleeps follow
		 * clock_settime. */
		while ((now = time_realtime_ns()) < want) {
			uint64_t d = want - now;
			ret = sleep_until(
			    time_deadline(d < NSEC_PER_SEC ? d : NSEC_PER_SEC));
			if (ret)
				return ret;
		}
		return 0;
	}
	ret = sleep_until(deadline);
	/* A relative sleep cut short by a signal says how much was left. */
	if (ret == -EINTR && rem && !(flags & TIMER_ABSTIME)) {
		uint64_t t = time_ns(), left = deadline > t ? deadline - t : 0;
		struct timespec_k lk = {(int64_t)(left / NSEC_PER_SEC),
					(int64_t)(left % NSEC_PER_SEC)};
		if (copy_to_user(rem, &lk, sizeof(lk)))
			return -EFAULT;
	}
	return ret;
}

SYSCALL_DEFINE2(nanosleep, const struct timespec_k __user *, req,
		struct timespec_k __user *, rem)
{
	return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
