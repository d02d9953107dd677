/* Shared anonymous memory (and mincore, msync, Shmem in /proc/meminfo):
 * MAP_SHARED|MAP_ANONYMOUS is one object that fork's children see and change,
 * while private memory stays copy-on-write; it survives the parent's munmap,
 * keeps its contents through madvise(MADV_DONTNEED), is sparse (1 TiB costs the
 * pages touched), and a futex in it wakes a waiter in another process. Also
 * passes on Linux. */
#include "check.h"
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define FUTEX_WAIT 0 /* shared: no FUTEX_PRIVATE_FLAG */
#define FUTEX_WAKE 1

static void *map_shared(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* The child's exit status, or -1 if it did not exit normally. */
static int wait_child(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_fork_sees_writes(void)
{
	volatile int *sh = map_shared(4096);
	volatile int *pr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("shm.map", sh != MAP_FAILED && pr != MAP_FAILED, "mmap: %s",
	      errname(errno));
	sh[0] = 1;
	pr[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		int saw = sh[0];
		sh[0] = 42;
		pr[0] = 42;
		sh[1] = saw;
		_exit(0);
	}
	wait_child(pid);
	CHECK("shm.child_saw_parent_write", sh[1] == 1, "child saw %d", sh[1]);
	CHECK("shm.parent_sees_child_write", sh[0] == 42, "parent sees %d",
	      sh[0]);
	CHECK("shm.private_stays_private", pr[0] == 1, "private is %d", pr[0]);
	/* A grandchild, after the parent wrote once more. */
	sh[0] = 7;
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(sh[0] == 7 ? 0 : 1);
		_exit(wait_child(g));
	}
	CHECK("shm.grandchild_sees_it", wait_child(pid) == 0, "no");
	munmap((void *)sh, 4096);
	munmap((void *)pr, 4096);
}

/* The parent unmaps; the child's mapping keeps the object alive. */
static void test_outlives_parent_mapping(void)
{
	volatile int *sh = map_shared(8192);
	int pfd[2];
	if (pipe(pfd))
		return;
	sh[1024] = 5;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(pfd[0], &c, 1) != 1)
			_exit(2);
		_exit(sh[1024] == 6 ? 0 : 1);
	}
	sh[1024] = 6;
	munmap((void *)sh, 8192);
	if (write(pfd[1], "x", 1) != 1)
		return;
	CHECK("shm.outlives_parent_munmap", wait_child(pid) == 0,
	      "child saw the wrong value");
	close(pfd[0]);
	close(pfd[1]);
}

static void test_dontneed_keeps_contents(void)
{
	char *sh = map_shared(3 * 4096);
	memset(sh, 'a', 3 * 4096);
	CHECK_OK("shm.madvise_dontneed", madvise(sh, 3 * 4096, MADV_DONTNEED));
	CHECK("shm.dontneed_keeps_shared_contents",
	      sh[0] == 'a' && sh[3 * 4096 - 1] == 'a', "got %d", sh[0]);
	char *pr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pr[0] = 'b';
	CHECK_OK("shm.madvise_dontneed_private",
		 madvise(pr, 4096, MADV_DONTNEED));
	CHECK("shm.dontneed_zeroes_private", pr[0] == 0, "got %d", pr[0]);
	munmap(sh, 3 * 4096);
	munmap(pr, 4096);
}

/* mprotect of a shared mapping, and a split: each part keeps its place in
 * the object. */
static void test_protect_and_split(void)
{
	int *sh = map_shared(4 * 4096);
	for (int i = 0; i < 4; i++)
		sh[i * 1024] = i + 10;
	CHECK_OK("shm.mprotect_middle_ro",
		 mprotect(sh + 1024, 4096, PROT_READ));
	pid_t pid = fork();
	if (pid == 0) {
		sh[3 * 1024] = 99; /* writable part */
		sh[1024] = 98;	   /* read-only: SIGSEGV */
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("shm.readonly_part_faults",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x", st);
	CHECK("shm.split_parts_keep_offsets",
	      sh[0] == 10 && sh[1024] == 11 && sh[2048] == 12 &&
		  sh[3 * 1024] == 99,
	      "%d %d %d %d", sh[0], sh[1024], sh[2048], sh[3 * 1024]);
	munmap(sh, 4 * 4096);
}

/* Two processes add to one counter with atomic instructions: the sum is
 * exact only if they really share the page. */
static void test_atomic_counter(void)
{
	enum { N = 100000 };
	atomic_long *c = map_shared(4096);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < N; i++)
			atomic_fetch_add(c, 1);
		_exit(0);
	}
	for (int i = 0; i < N; i++)
		atomic_fetch_add(c, 1);
	wait_child(pid);
	CHECK("shm.atomic_counter_exact", atomic_load(c) == 2 * N,
	      "counter %ld, expected %d", (long)atomic_load(c), 2 * N);
	munmap(c, 4096);
}

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* A shared futex: the child waits, the parent wakes it; the child maps the
 * page at another address too, to show the key is the memory, not the
 * address. */
static void test_shared_futex(void)
{
	atomic_int *w = map_shared(4096);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {20, 0};
		/* Wait while the word is 0; a timeout means no wake came. */
		while (atomic_load(w) == 0) {
			long r = futex(w, FUTEX_WAIT, 0, &ts);
			if (r == -1 && errno == ETIMEDOUT)
				_exit(1);
		}
		_exit(0);
	}
	/* Let the child get to sleep; if it has not yet, it sees 1 and
	 * returns without sleeping, which also passes. */
	struct timespec d = {0, 50 * 1000 * 1000};
	nanosleep(&d, NULL);
	atomic_store(w, 1);
	long woke = futex(w, FUTEX_WAKE, 1, NULL);
	CHECK("shm.futex_wake_other_process", wait_child(pid) == 0,
	      "the child timed out (wake returned %ld)", woke);
	munmap(w, 4096);
}

/* 1 TiB of shared memory costs the pages touched. */
static void test_sparse_huge(void)
{
	size_t len = 1UL << 40;
	char *h = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK("shm.map_1t", h != MAP_FAILED, "mmap: %s", errname(errno));
	if (h == MAP_FAILED)
		return;
	h[0] = 1;
	h[len - 1] = 2;
	pid_t pid = fork();
	if (pid == 0)
		_exit(h[0] == 1 && h[len - 1] == 2 ? 0 : 1);
	CHECK("shm.huge_ends_shared", wait_child(pid) == 0, "no");
	CHECK_OK("shm.munmap_1t", munmap(h, len));
}

static long mem_free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree");
}

/* Mapping, touching, forking and unmapping 16 MiB of shared memory many
 * times gives every page back. */
static void test_no_leak(void)
{
	size_t len = 16 << 20;
	long before = mem_free_kb();
	for (int round = 0; round < 8; round++) {
		char *sh = map_shared(len);
		for (size_t o = 0; o < len; o += 4096)
			sh[o] = 1;
		pid_t pid = fork();
		if (pid == 0) {
			sh[len / 2] = 2;
			_exit(0);
		}
		wait_child(pid);
		munmap(sh, len);
	}
	long after = mem_free_kb();
	CHECK("shm.no_leak", before > 0 && after >= before - 1024,
	      "MemFree %ld kB before, %ld kB after", before, after);
}

static long meminfo_kb(const char *field)
{
	return proc_kb("/proc/meminfo", field);
}

/* /proc/meminfo's Shmem counts shared memory that is in use. */
static void test_meminfo_shmem(void)
{
	long before = meminfo_kb("Shmem");
	size_t len = 4 << 20;
	char *sh = map_shared(len);
	for (size_t o = 0; o < len; o += 4096)
		sh[o] = 1;
	long during = meminfo_kb("Shmem");
	munmap(sh, len);
	long after = meminfo_kb("Shmem");
	CHECK("shm.meminfo_shmem_counts",
	      before >= 0 && during >= before + 4096,
	      "Shmem %ld kB before, %ld kB with 4 MiB touched", before, during);
	CHECK("shm.meminfo_shmem_returns", after <= before + 64,
	      "Shmem %ld kB before, %ld kB after munmap", before, after);
}

/* mincore says which pages are resident; msync validates its range. */
static void test_mincore_msync(void)
{
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[4] = {9, 9, 9, 9};
	p[0] = 1;
	p[2 * 4096] = 1;
	CHECK_OK("mincore.ok", mincore(p, 4 * 4096, vec));
	CHECK("mincore.touched_pages_only",
	      vec[0] == 1 && vec[1] == 0 && vec[2] == 1 && vec[3] == 0,
	      "%d %d %d %d", vec[0], vec[1], vec[2], vec[3]);
	CHECK_ERRNO("mincore.unaligned", mincore(p + 1, 4096, vec), EINVAL);
	CHECK_ERRNO("mincore.bad_vector", mincore(p, 4096, (unsigned char *)16),
		    EFAULT);
	munmap(p + 3 * 4096, 4096);
	CHECK_ERRNO("mincore.unmapped", mincore(p, 4 * 4096, vec), ENOMEM);
	CHECK_OK("msync.sync", msync(p, 3 * 4096, MS_SYNC));
	CHECK_OK("msync.async", msync(p, 4096, MS_ASYNC));
	CHECK_ERRNO("msync.both", msync(p, 4096, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERRNO("msync.bad_flag", msync(p, 4096, 8), EINVAL);
	CHECK_ERRNO("msync.unaligned", msync(p + 1, 4096, MS_SYNC), EINVAL);
	CHECK_ERRNO("msync.unmapped", msync(p, 4 * 4096, MS_SYNC), ENOMEM);
	if (mlock(p, 4096) == 0) {
		CHECK_ERRNO("msync.invalidate_locked",
			    msync(p, 4096, MS_INVALIDATE), EBUSY);
		munlock(p, 4096);
	}
	munmap(p, 3 * 4096);
	/* A 1 TiB sparse range answers at the cost of its pages. */
	size_t huge = 1UL << 40;
	char *h = mmap(NULL, huge, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK_OK("msync.huge_sparse", msync(h, huge, MS_SYNC));
	munmap(h, huge);
}

int main(void)
{
	test_fork_sees_writes();
	test_outlives_parent_mapping();
	test_dontneed_keeps_contents();
	test_protect_and_split();
	test_atomic_counter();
	test_shared_futex();
	test_sparse_huge();
	test_no_leak();
	test_meminfo_shmem();
	test_mincore_msync();
	return check_summary("sys_shmem");
}
