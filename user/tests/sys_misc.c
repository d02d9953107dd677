/* Process identity, system information, randomness, clocks and sleeps,
 * resource limits, the TLS and tid set-up calls musl makes at start, and
 * what unknown system call numbers return. All through raw syscall(). */
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include "check.h"

#define KPTR ((void *)0xffff800000000000UL)
#define BADPTR ((void *)0x1)
#define LT_ARCH_SET_FS 0x1002
#define LT_ARCH_GET_FS 0x1003
#define LT_GRND_NONBLOCK 0x1
#define LT_TIMER_ABSTIME 1
#define MS 1000000L

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long mono_ns(void)
{
	struct timespec t;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
	return ns(&t);
}

static void test_ids(void)
{
	long pid = syscall(SYS_getpid);
	long ppid = syscall(SYS_getppid);
	long tid = syscall(SYS_gettid);
	CHECK("misc.getpid", pid > 0, "expected > 0, got %ld", pid);
	CHECK("misc.getpid_stable", syscall(SYS_getpid) == pid,
	      "getpid changed");
	CHECK("misc.getppid", ppid >= 0 && ppid != pid,
	      "expected >= 0 and not %ld, got %ld", pid, ppid);
	CHECK("misc.gettid_is_pid", tid == pid, "expected %ld, got %ld", pid,
	      tid);
	long u = syscall(SYS_getuid), eu = syscall(SYS_geteuid);
	long g = syscall(SYS_getgid), eg = syscall(SYS_getegid);
	CHECK("misc.getuid_root", u == 0 && eu == 0,
	      "expected uid 0 euid 0, got %ld %ld", u, eu);
	CHECK("misc.getgid_root", g == 0 && eg == 0,
	      "expected gid 0 egid 0, got %ld %ld", g, eg);
	long old = syscall(SYS_umask, 022);
	long now = syscall(SYS_umask, old);
	CHECK("misc.umask", old >= 0 && old <= 0777 && now == 022,
	      "expected old mask then 022, got %#lo %#lo", old, now);
}

static void test_uname(void)
{
	struct utsname u;
	memset(&u, 0x7f, sizeof(u));
	long r = syscall(SYS_uname, &u);
	int a = -1, b = -1;
	int fields = sscanf(u.release, "%d.%d", &a, &b);
	CHECK("misc.uname", r == 0, "expected 0, got %ld %s", r,
	      errname(errno));
	CHECK("misc.uname_sysname", !strcmp(u.sysname, "Linux"),
	      "expected \"Linux\", got \"%.64s\"", u.sysname);
	CHECK("misc.uname_machine", !strcmp(u.machine, "x86_64"),
	      "expected \"x86_64\", got \"%.64s\"", u.machine);
	CHECK("misc.uname_release", fields == 2 && a >= 2 && b >= 0,
	      "expected N.N, got \"%.64s\"", u.release);
	CHECK("misc.uname_terminated",
	      memchr(u.nodename, 0, sizeof(u.nodename)) &&
		  memchr(u.version, 0, sizeof(u.version)),
	      "nodename or version not NUL-terminated");
	CHECK_ERRNO("misc.uname_efault", syscall(SYS_uname, KPTR), EFAULT);
}

static void test_getrandom(void)
{
	unsigned char a[64], b[64];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	long ra = syscall(SYS_getrandom, a, sizeof(a), 0);
	long rb = syscall(SYS_getrandom, b, sizeof(b), 0);
	int nz = 0;
	for (unsigned i = 0; i < sizeof(a); i++)
		nz += a[i] != 0;
	CHECK("misc.getrandom", ra == 64 && nz > 32,
	      "expected 64 random bytes, got %ld (%d nonzero)", ra, nz);
	CHECK("misc.getrandom_differs", rb == 64 && memcmp(a, b, 64),
	      "two calls gave the same bytes");
	long r = syscall(SYS_getrandom, a, 16, LT_GRND_NONBLOCK);
	CHECK("misc.getrandom_nonblock", r == 16, "expected 16, got %ld %s", r,
	      errname(errno));
	r = syscall(SYS_getrandom, NULL, 0, 0);
	CHECK("misc.getrandom_len_0", r == 0, "expected 0, got %ld", r);
	CHECK_ERRNO("misc.getrandom_bad_flags",
		    syscall(SYS_getrandom, a, 16, 0x100), EINVAL);
	CHECK_ERRNO("misc.getrandom_efault",
		    syscall(SYS_getrandom, BADPTR, 16, 0), EFAULT);
	CHECK_ERRNO("misc.getrandom_kernel",
		    syscall(SYS_getrandom, KPTR, 16, 0), EFAULT);
}

static void test_clocks(void)
{
	struct timespec t1 = {0, 0}, t2 = {0, 0}, rt = {0, 0}, res = {0, 0};
	long r1 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t1);
	for (volatile int i = 0; i < 1000000; i++)
		;
	long r2 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t2);
	CHECK("misc.clock_monotonic",
	      r1 == 0 && r2 == 0 && t1.tv_nsec >= 0 && t1.tv_nsec < 1000000000,
	      "r=%ld,%ld nsec %ld", r1, r2, t1.tv_nsec);
	/* A busy loop may fit in one coarse tick; a 2 ms sleep may not. */
	struct timespec two = {0, 2 * MS};
	syscall(SYS_nanosleep, &two, NULL);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t2);
	CHECK("misc.clock_monotonic_advances", ns(&t2) > ns(&t1),
	      "%lld then %lld", ns(&t1), ns(&t2));
	long r = syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt);
	CHECK("misc.clock_realtime_after_2020",
	      r == 0 && rt.tv_sec > 1577836800,
	      "expected > 1577836800, got %ld", (long)rt.tv_sec);
	CHECK_ERRNO("misc.clock_gettime_bad_clock",
		    syscall(SYS_clock_gettime, 100, &rt), EINVAL);
	CHECK_ERRNO("misc.clock_gettime_efault",
		    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR),
		    EFAULT);
	r = syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res);
	CHECK("misc.clock_getres",
	      r == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
		  res.tv_nsec <= 10 * MS,
	      "expected 0 < res <= 10 ms, got %ld %ld.%09ld", r,
	      (long)res.tv_sec, res.tv_nsec);
	CHECK_OK("misc.clock_getres_null",
		 syscall(SYS_clock_getres, CLOCK_REALTIME, NULL));
	CHECK_ERRNO("misc.clock_getres_bad_clock",
		    syscall(SYS_clock_getres, 100, &res), EINVAL);

	struct timeval tv = {0, 0};
	r = syscall(SYS_gettimeofday, &tv, NULL);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt);
	CHECK("misc.gettimeofday",
	      r == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 &&
		  llabs((long long)tv.tv_sec - rt.tv_sec) <= 2,
	      "r=%ld %ld.%06ld vs realtime %ld", r, (long)tv.tv_sec,
	      (long)tv.tv_usec, (long)rt.tv_sec);
	long tloc = 0;
	long t = syscall(SYS_time, &tloc);
	CHECK("misc.time",
	      t > 1577836800 && tloc == t &&
		  llabs((long long)t - rt.tv_sec) <= 2,
	      "expected realtime seconds stored too, got %ld and %ld", t, tloc);
	CHECK_ERRNO("misc.time_efault", syscall(SYS_time, KPTR), EFAULT);
}

static void test_sleep(void)
{
	struct timespec d = {0, 20 * MS};
	long long t0 = mono_ns();
	long r = syscall(SYS_nanosleep, &d, NULL);
	long long el = mono_ns() - t0;
	CHECK("misc.nanosleep_20ms", r == 0 && el >= 20 * MS,
	      "expected >= 20 ms, got r=%ld %lld ns", r, el);

	struct timespec until;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &until);
	until.tv_nsec += 20 * MS;
	if (until.tv_nsec >= 1000000000) {
		until.tv_nsec -= 1000000000;
		until.tv_sec++;
	}
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, LT_TIMER_ABSTIME,
		    &until, NULL);
	long long now = mono_ns();
	CHECK("misc.clock_nanosleep_abstime", r == 0 && now >= ns(&until),
	      "expected to wake after %lld, got r=%ld at %lld", ns(&until), r,
	      now);
	struct timespec past = {1, 0};
	t0 = mono_ns();
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, LT_TIMER_ABSTIME,
		    &past, NULL);
	el = mono_ns() - t0;
	CHECK("misc.clock_nanosleep_past", r == 0 && el < 1000 * MS,
	      "expected an immediate return, got r=%ld after %lld ns", r, el);
	d.tv_nsec = 5 * MS;
	t0 = mono_ns();
	r = syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &d, NULL);
	el = mono_ns() - t0;
	CHECK("misc.clock_nanosleep_relative", r == 0 && el >= 5 * MS,
	      "expected >= 5 ms, got r=%ld %lld ns", r, el);

	struct timespec bad = {0, 1000000000};
	CHECK_ERRNO("misc.nanosleep_bad_nsec",
		    syscall(SYS_nanosleep, &bad, NULL), EINVAL);
	bad.tv_nsec = -1;
	CHECK_ERRNO("misc.nanosleep_negative_nsec",
		    syscall(SYS_nanosleep, &bad, NULL), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_ERRNO("misc.nanosleep_negative_sec",
		    syscall(SYS_nanosleep, &bad, NULL), EINVAL);
	bad.tv_sec = 0;
	bad.tv_nsec = 1000000000;
	CHECK_ERRNO(
	    "misc.clock_nanosleep_bad_nsec",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL),
	    EINVAL);
	CHECK_ERRNO("misc.clock_nanosleep_bad_clock",
		    syscall(SYS_clock_nanosleep, 100, 0, &d, NULL), EINVAL);
	CHECK_ERRNO("misc.nanosleep_efault",
		    syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);
	CHECK_OK("misc.sched_yield", syscall(SYS_sched_yield));
}

static void test_rlimits(void)
{
	struct rlimit st = {0, 0}, nf = {0, 0}, nf2 = {0, 0};
	long r = syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &st);
	CHECK("misc.prlimit64_stack",
	      r == 0 && st.rlim_cur >= 65536 && st.rlim_cur <= st.rlim_max,
	      "expected 64 KiB <= cur <= max, got r=%ld cur %#lx max %#lx", r,
	      (unsigned long)st.rlim_cur, (unsigned long)st.rlim_max);
	r = syscall(SYS_getrlimit, RLIMIT_NOFILE, &nf);
	CHECK("misc.getrlimit_nofile",
	      r == 0 && nf.rlim_cur >= 64 && nf.rlim_cur <= nf.rlim_max,
	      "expected 64 <= cur <= max, got r=%ld cur %lu max %lu", r,
	      (unsigned long)nf.rlim_cur, (unsigned long)nf.rlim_max);
	r = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &nf2);
	CHECK("misc.prlimit64_matches_getrlimit",
	      r == 0 && nf2.rlim_cur == nf.rlim_cur &&
		  nf2.rlim_max == nf.rlim_max,
	      "prlimit64 %lu/%lu vs getrlimit %lu/%lu",
	      (unsigned long)nf2.rlim_cur, (unsigned long)nf2.rlim_max,
	      (unsigned long)nf.rlim_cur, (unsigned long)nf.rlim_max);
	/* Lower the soft limit and put it back, only if it could be read. */
	struct rlimit low = {32, nf.rlim_max}, old = {0, 0};
	r = -1;
	nf2.rlim_cur = 0;
	if (syscall(SYS_getrlimit, RLIMIT_NOFILE, &nf) == 0) {
		r = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &low, &old);
		syscall(SYS_getrlimit, RLIMIT_NOFILE, &nf2);
		syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nf, NULL);
	}
	CHECK("misc.prlimit64_set",
	      r == 0 && old.rlim_cur == nf.rlim_cur && nf2.rlim_cur == 32,
	      "expected old %lu and new 32, got r=%ld old %lu new %lu",
	      (unsigned long)nf.rlim_cur, r, (unsigned long)old.rlim_cur,
	      (unsigned long)nf2.rlim_cur);
	struct rlimit inv = {nf.rlim_max, 16};
	CHECK_ERRNO("misc.prlimit64_cur_above_max",
		    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &inv, NULL),
		    EINVAL);
	CHECK_ERRNO("misc.prlimit64_bad_resource",
		    syscall(SYS_prlimit64, 0, 99, NULL, &old), EINVAL);
	CHECK_ERRNO("misc.prlimit64_efault",
		    syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, KPTR),
		    EFAULT);
}

static int tid_word;

static void test_startup_calls(void)
{
	uintptr_t fs = 0, self;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	long r = syscall(SYS_arch_prctl, LT_ARCH_GET_FS, &fs);
	CHECK("misc.arch_prctl_get_fs", r == 0 && fs == self && fs != 0,
	      "expected %#lx (musl's TCB), got r=%ld %#lx", (unsigned long)self,
	      r, (unsigned long)fs);
	r = syscall(SYS_arch_prctl, LT_ARCH_SET_FS, fs);
	CHECK("misc.arch_prctl_set_fs_same", r == 0, "expected 0, got %ld %s",
	      r, errname(errno));
	CHECK_ERRNO("misc.arch_prctl_get_fs_efault",
		    syscall(SYS_arch_prctl, LT_ARCH_GET_FS, KPTR), EFAULT);
	CHECK_ERRNO("misc.arch_prctl_bad_code",
		    syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
	r = syscall(SYS_set_tid_address, &tid_word);
	CHECK("misc.set_tid_address", r == syscall(SYS_gettid),
	      "expected the tid %ld, got %ld", syscall(SYS_gettid), r);

	/* musl registers no rseq area; bad arguments must just fail. */
	errno = 0;
	r = syscall(SYS_rseq, NULL, 0, 0, 0);
	CHECK("misc.rseq_bad_args", r == -1 && errno != 0,
	      "expected an error, got %ld", r);
}

/* 400 lies in the x86_64 gap 337..423 (335 and 336 are uretprobe and uprobe
 * since Linux 6.11/6.16: 335 called directly gets SIGILL, so avoid it). */
static void test_enosys(void)
{
	CHECK_ERRNO("misc.syscall_1000_enosys", syscall(1000, 0, 0, 0), ENOSYS);
	CHECK_ERRNO("misc.syscall_400_enosys", syscall(400, 0, 0, 0), ENOSYS);
	CHECK_ERRNO("misc.syscall_minus_1_enosys", syscall(-1L, 0, 0, 0),
		    ENOSYS);
	CHECK_ERRNO("misc.syscall_huge_enosys", syscall(0x7fffffffL, 0, 0, 0),
		    ENOSYS);
}

int main(void)
{
	test_ids();
	test_uname();
	test_getrandom();
	test_clocks();
	test_sleep();
	test_rlimits();
	test_startup_calls();
	test_enosys();
	return check_summary("sys_misc");
}
