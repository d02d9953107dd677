/* Memory locking: mlock, mlock2, munlock, mlockall, munlockall and
 * MAP_LOCKED, with RLIMIT_MEMLOCK enforced for users (root is exempt, as
 * with Linux's CAP_IPC_LOCK), VmLck in /proc/self/status, and the VMA
 * limit (vm.max_map_count). Runs as init (root) and forks children that
 * become nobody (65534). Also passes on Linux. */
#include "check.h"
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NOBODY 65534
#define KB 1024L
#define MB (1024 * KB)

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* A field of /proc/self/status in kB, or -1. */
/* A field of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
	return proc_kb("/proc/self/status", field);
}

static void *map(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1,
		    0);
}

/* The soft limit; the hard one stays (an unprivileged process could not
 * raise it again). */
static void set_memlock(rlim_t bytes)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_MEMLOCK, &r))
		_exit(97);
	r.rlim_cur = bytes;
	if (setrlimit(RLIMIT_MEMLOCK, &r))
		_exit(98);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

/* Runs fn in a child and passes its exit status on as a check. */
static void in_child(const char *name, void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0; /* the child's own checks */
		fn();
		_exit(check_nfail ? 1 : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x",
	      st);
}

static void test_root_lock(void)
{
	long base = status_kb("VmLck"), rss0 = status_kb("VmRSS");
	char *p = map(MB, PROT_READ | PROT_WRITE, 0);
	CHECK_OK("mlock_1m", mlock(p, MB));
	CHECK("vmlck_counts_1m", status_kb("VmLck") == base + 1024,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base + 1024);
	CHECK("mlock_populates", status_kb("VmRSS") >= rss0 + 1024,
	      "VmRSS %ld kB before, %ld after", rss0, status_kb("VmRSS"));
	/* Locking again counts nothing twice. */
	CHECK_OK("mlock_again", mlock(p + 4096, 8192));
	CHECK("vmlck_no_double_count", status_kb("VmLck") == base + 1024,
	      "VmLck %ld kB", status_kb("VmLck"));
	/* Unlocking the middle splits the mapping. */
	CHECK_OK("munlock_middle", munlock(p + 64 * KB, 64 * KB));
	CHECK("vmlck_after_munlock_middle", status_kb("VmLck") == base + 960,
	      "VmLck %ld kB", status_kb("VmLck"));
	CHECK_ERRNO("madvise_dontneed_locked", madvise(p, 4096, MADV_DONTNEED),
		    EINVAL);
	CHECK_OK("madvise_dontneed_unlocked",
		 madvise(p + 64 * KB, 4096, MADV_DONTNEED));
	/* munmap gives the locked pages back. */
	CHECK_OK("munmap_locked", munmap(p, MB));
	CHECK("vmlck_after_munmap", status_kb("VmLck") == base,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base);
}

static void test_errors(void)
{
	char *p = map(3 * 4096, PROT_READ | PROT_WRITE, 0);
	munmap(p + 4096, 4096); /* a hole in the middle */
	CHECK_ERRNO("mlock_hole_enomem", mlock(p, 3 * 4096), ENOMEM);
	CHECK_ERRNO("munlock_hole_enomem", munlock(p, 3 * 4096), ENOMEM);
	CHECK_OK("mlock_len0", mlock(p, 0));
	CHECK_ERRNO("mlock_kernel_address",
		    mlock((void *)0xffff800000000000UL, 4096), ENOMEM);
	/* The last page of the address space: rounding the end up wraps it
	 * to 0 (the fuzzer found this one: a NULL dereference in the
	 * kernel). */
	CHECK_ERRNO("mlock_end_wraps",
		    mlock((void *)0xfffffffffffff800UL, 0x100), EINVAL);
	CHECK_ERRNO("munlock_end_wraps",
		    munlock((void *)0xfffffffffffff800UL, 0x100), EINVAL);
	CHECK_ERRNO("mlock2_bad_flags", syscall(SYS_mlock2, p, 4096, 2),
		    EINVAL);
	CHECK_ERRNO("mlockall_zero", mlockall(0), EINVAL);
	CHECK_ERRNO("mlockall_onfault_alone", mlockall(MCL_ONFAULT), EINVAL);
	CHECK_ERRNO("mlockall_bad_flag", mlockall(8), EINVAL);
	/* Unaligned: the pages the range touches are locked. */
	long base = status_kb("VmLck");
	CHECK_OK("mlock_unaligned", mlock(p + 100, 2));
	CHECK("mlock_unaligned_one_page", status_kb("VmLck") == base + 4,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base + 4);
	munmap(p, 3 * 4096);
}

static void test_onfault_and_map_locked(void)
{
	long base = status_kb("VmLck"), rss0 = status_kb("VmRSS");
	char *p = map(MB, PROT_READ | PROT_WRITE, 0);
	CHECK_OK("mlock2_onfault", syscall(SYS_mlock2, p, MB, MLOCK_ONFAULT));
	CHECK("mlock2_onfault_counts", status_kb("VmLck") == base + 1024,
	      "VmLck %ld kB", status_kb("VmLck"));
	CHECK("mlock2_onfault_no_populate", status_kb("VmRSS") < rss0 + 512,
	      "VmRSS %ld kB before, %ld after", rss0, status_kb("VmRSS"));
	munmap(p, MB);
	char *q = map(256 * KB, PROT_READ | PROT_WRITE, MAP_LOCKED);
	CHECK("map_locked_counts",
	      q != MAP_FAILED && status_kb("VmLck") == base + 256,
	      "VmLck %ld kB", status_kb("VmLck"));
	munmap(q, 256 * KB);
	/* A huge PROT_NONE range locks at once: nothing to bring in. */
	size_t huge = 1UL << 40;
	char *h = map(huge, PROT_NONE, MAP_NORESERVE);
	CHECK_OK("mlock_1t_prot_none", mlock(h, huge));
	CHECK_OK("munlock_1t_prot_none", munlock(h, huge));
	munmap(h, huge);
}

/* fork: the child's memory is not locked (locks are not inherited). */
static void child_not_locked(void)
{
	CHECK("fork_child_vmlck_0", status_kb("VmLck") == 0, "VmLck %ld kB",
	      status_kb("VmLck"));
}

static void test_fork(void)
{
	char *p = map(64 * KB, PROT_READ | PROT_WRITE, 0);
	mlock(p, 64 * KB);
	in_child("fork_not_inherited", child_not_locked);
	munlock(p, 64 * KB);
	munmap(p, 64 * KB);
}

static void nobody_limits(void)
{
	struct rlimit hard = {64 * KB, 64 * KB};
	if (setrlimit(RLIMIT_MEMLOCK, &hard))
		_exit(96);
	become_nobody();
	char *p = map(MB, PROT_READ | PROT_WRITE, 0);
	CHECK_OK("nobody_mlock_within_limit", mlock(p, 64 * KB));
	CHECK_ERRNO("nobody_mlock_past_limit", mlock(p + 64 * KB, 4096),
		    ENOMEM);
	CHECK_ERRNO("nobody_map_locked_past_limit",
		    map(4096, PROT_READ, MAP_LOCKED), EAGAIN);
	CHECK_OK("nobody_munlock", munlock(p, 64 * KB));
	CHECK_OK("nobody_mlock_after_munlock", mlock(p + 64 * KB, 64 * KB));
	munlock(p, MB);
	/* The whole address space is more than 64 KiB. */
	CHECK_ERRNO("nobody_mlockall_current", mlockall(MCL_CURRENT), ENOMEM);
	CHECK("nobody_mlockall_failed_locks_nothing", status_kb("VmLck") == 0,
	      "VmLck %ld kB", status_kb("VmLck"));
	/* MCL_FUTURE: later mappings count, and past the limit fail. */
	CHECK_OK("nobody_mlockall_future", mlockall(MCL_FUTURE));
	char *q = map(32 * KB, PROT_READ | PROT_WRITE, 0);
	/* At least: stdio's own buffers are locked too. */
	CHECK("nobody_future_mapping_locked",
	      q != MAP_FAILED && status_kb("VmLck") >= 32, "VmLck %ld kB",
	      status_kb("VmLck"));
	CHECK_ERRNO("nobody_future_mapping_past_limit",
		    map(MB, PROT_READ | PROT_WRITE, 0), EAGAIN);
	CHECK_OK("nobody_munlockall", munlockall());
	CHECK("nobody_munlockall_unlocks", status_kb("VmLck") == 0,
	      "VmLck %ld kB", status_kb("VmLck"));
	void *r = map(MB, PROT_READ | PROT_WRITE, 0);
	CHECK("nobody_map_after_munlockall", r != MAP_FAILED, "mmap failed");
	/* A limit of zero: locking is not permitted at all. */
	set_memlock(0);
	CHECK_ERRNO("nobody_mlock_limit0_eperm", mlock(p, 4096), EPERM);
	CHECK_ERRNO("nobody_mlockall_limit0_eperm", mlockall(MCL_CURRENT),
		    EPERM);
	CHECK_OK("nobody_munlock_limit0", munlock(p, 4096));
	/* A huge request is refused by the limit before any work. */
	set_memlock(64 * KB);
	size_t huge = 1UL << 45;
	char *h = map(huge, PROT_NONE, MAP_NORESERVE);
	CHECK_ERRNO("nobody_mlock_32t_enomem", mlock(h, huge), ENOMEM);
}

/* vm.max_map_count (65530): splitting a mapping page by page ends in
 * ENOMEM instead of a VMA list of unbounded length. */
static void nobody_vma_limit(void)
{
	become_nobody();
	size_t pages = 70000;
	char *p = map(pages * 4096, PROT_READ, MAP_NORESERVE);
	long i, n = 0, err = 0;
	/* From the top down: the kernel's VMA list is sorted by address, so
	 * each split is then near its front and the test stays quick. */
	for (i = (long)pages - 2; i > 0; i -= 2, n++)
		if (mprotect(p + i * 4096, 4096, PROT_NONE)) {
			err = errno;
			break;
		}
	CHECK("nobody_vma_limit_enomem", err == ENOMEM && n > 30000,
	      "stopped after %ld splits with %s", n, errname((int)err));
	CHECK_OK("vma_limit_munmap", munmap(p, pages * 4096));
	char *q = map(4096, PROT_READ, 0);
	CHECK("vma_limit_map_after_munmap", q != MAP_FAILED, "mmap failed");
}

int main(void)
{
	test_root_lock();
	test_errors();
	test_onfault_and_map_locked();
	test_fork();
	in_child("nobody_limits", nobody_limits);
	in_child("nobody_vma_limit", nobody_vma_limit);
	return check_summary("sys_mlock");
}
