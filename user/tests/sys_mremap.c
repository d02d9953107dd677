/* mremap: shrink, grow in place, moves (MREMAP_MAYMOVE, MREMAP_FIXED) that
 * keep every byte, the errors Linux gives, a huge sparse mapping moved,
 * copy-on-write across fork after a move, MAP_SHARED memory moved and
 * still shared, locked memory (VmLck), the limits as an unprivileged user
 * (RLIMIT_AS, RLIMIT_MEMLOCK, the VMA limit), and realloc of a large block
 * (glibc and musl both use mremap for it). Runs as init (root); also passes on
 * Linux. Built with musl and with glibc (sys_mremap-glibc). */
#define _GNU_SOURCE
#include "check.h"
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define PG 4096L
#define KB 1024L
#define MB (1024 * KB)
#define TB (1024L * 1024 * MB)
#define NOBODY 65534

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* The raw call: libc wrappers may check arguments themselves (musl
 * refuses sizes past PTRDIFF_MAX before asking the kernel). */
static void *rmap(void *old, size_t olen, size_t nlen, long flags, void *to)
{
	return (void *)syscall(SYS_mremap, old, olen, nlen, flags, to);
}

static char *map(size_t len, int prot, int flags)
{
	void *p =
	    mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Whether [p, p + len) is wholly unmapped: mprotect of a hole is ENOMEM. */
static int unmapped(void *p, size_t len)
{
	return mprotect(p, len, PROT_READ) == -1 && errno == ENOMEM;
}

static uint64_t pattern(uintptr_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 17;
}

static void fill(void *p, size_t len)
{
	uint64_t *w = p;
	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern(i);
}

/* The index of the first word that is not the pattern, or -1. */
static long verify(const void *p, size_t len)
{
	const uint64_t *w = p;
	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != pattern(i))
			return (long)i;
	return -1;
}

static int all_zero(const void *p, size_t len)
{
	const uint64_t *w = p;
	for (size_t i = 0; i < len / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

/* A field of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
	return proc_kb("/proc/self/status", field);
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

/* Whether touching p in a child kills it with SIGSEGV. */
static int touch_segv(volatile char *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		(void)*p;
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

/* A mapping of len bytes whose next page is mapped too (a separate VMA,
 * read-only), so it cannot grow in place. The blocker is at p + len. */
static char *map_blocked(size_t len)
{
	char *p = map(len + PG, PROT_READ | PROT_WRITE, 0);
	if (p && mprotect(p + len, PG, PROT_READ))
		return NULL;
	return p;
}

static void test_grow_in_place(void)
{
	char *p = map(8 * PG, PROT_READ | PROT_WRITE, 0);
	fill(p, 4 * PG);
	munmap(p + 4 * PG, 4 * PG);
	char *q = rmap(p, 4 * PG, 8 * PG, 0, NULL);
	CHECK("grow_in_place", q == p, "got %p, expected %p", q, p);
	if (q != p)
		return;
	CHECK("grow_in_place_keeps", verify(p, 4 * PG) < 0, "word %ld",
	      verify(p, 4 * PG));
	CHECK("grow_in_place_new_zero", all_zero(p + 4 * PG, 4 * PG),
	      "new pages not zero");
	p[8 * PG - 1] = 1; /* the new part is writable */
	CHECK_OK("grow_in_place_munmap", munmap(p, 8 * PG));
}

static void test_grow_move(void)
{
	size_t len = 4 * MB;
	char *p = map_blocked(len);
	fill(p, len);
	CHECK_ERRNO("grow_blocked_no_maymove_enomem",
		    rmap(p, len, 2 * len, 0, NULL), ENOMEM);
	CHECK("grow_blocked_unchanged", verify(p, len) < 0, "word %ld",
	      verify(p, len));
	long rss = status_kb("VmRSS");
	char *q = rmap(p, len, 2 * len, MREMAP_MAYMOVE, NULL);
	CHECK("grow_maymove_moves", q != MAP_FAILED && q != p, "got %p (%s)", q,
	      errname(errno));
	if (q == MAP_FAILED)
		return;
	/* The pages moved, none was copied or dropped. */
	long rss_moved = status_kb("VmRSS");
	CHECK("grow_maymove_rss_kept",
	      rss_moved > rss - 256 && rss_moved < rss + 256,
	      "VmRSS %ld kB before, %ld after", rss, rss_moved);
	CHECK("grow_maymove_keeps_every_byte", verify(q, len) < 0, "word %ld",
	      verify(q, len));
	CHECK("grow_maymove_new_zero", all_zero(q + len, len),
	      "new part not zero");
	CHECK("grow_maymove_old_unmapped", unmapped(p, len),
	      "old range still mapped");
	CHECK("grow_maymove_blocker_kept",
	      mprotect(p + len, PG, PROT_READ) == 0,
	      "the mapping after it went: %s", errname(errno));
	q[2 * len - 1] = 1;
	munmap(q, 2 * len);
	CHECK("grow_maymove_munmap_frees",
	      status_kb("VmRSS") <= rss_moved - (long)(len / KB) + 64,
	      "VmRSS %ld kB after munmap, %ld before", status_kb("VmRSS"),
	      rss_moved);
	munmap(p + len, PG);
}

static void test_shrink(void)
{
	char *p = map(8 * PG, PROT_READ | PROT_WRITE, 0);
	fill(p, 8 * PG);
	/* Sizes are rounded up to pages: 3 pages less 100 bytes is 3. */
	char *q = rmap(p, 8 * PG - 100, 3 * PG - 100, 0, NULL);
	CHECK("shrink_same_address", q == p, "got %p, expected %p", q, p);
	CHECK("shrink_keeps", verify(p, 3 * PG) < 0, "word %ld",
	      verify(p, 3 * PG));
	CHECK("shrink_tail_unmapped", unmapped(p + 3 * PG, 5 * PG),
	      "tail still mapped");
	CHECK("shrink_same_size", rmap(p, 3 * PG, 3 * PG, 0, NULL) == p,
	      "same size is a no-op returning the address");
	munmap(p, 3 * PG);
}

static void test_fixed(void)
{
	char *p = map(16 * PG, PROT_READ | PROT_WRITE, 0);
	fill(p, 16 * PG);
	/* A reserved area to land in: what was at the target goes. */
	char *t = map(32 * PG, PROT_NONE, 0);
	char *to = t + 8 * PG;
	char *q = rmap(p, 16 * PG, 20 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	CHECK("fixed_exact_address", q == to, "got %p, expected %p", q, to);
	if (q != to)
		return;
	CHECK("fixed_keeps", verify(q, 16 * PG) < 0, "word %ld",
	      verify(q, 16 * PG));
	CHECK("fixed_new_zero", all_zero(q + 16 * PG, 4 * PG), "not zero");
	CHECK("fixed_old_unmapped", unmapped(p, 16 * PG), "old still mapped");
	CHECK("fixed_old_segv", touch_segv(p), "touching the old range");
	/* The rest of the reservation is still there, PROT_NONE. */
	CHECK("fixed_neighbours_kept",
	      mprotect(t, 8 * PG, PROT_NONE) == 0 &&
		  mprotect(t + 28 * PG, 4 * PG, PROT_NONE) == 0,
	      "reservation around the target: %s", errname(errno));
	CHECK("fixed_reservation_segv", touch_segv(t), "PROT_NONE below");
	/* A FIXED shrink: the first 4 pages move, the rest goes. */
	char *to2 = t;
	q = rmap(to, 20 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to2);
	CHECK("fixed_shrink", q == to2 && verify(q, 4 * PG) < 0,
	      "got %p, expected %p", q, to2);
	CHECK("fixed_shrink_old_unmapped", unmapped(to, 20 * PG),
	      "old still mapped");
	munmap(t, 32 * PG);
}

static void test_errors(void)
{
	char *p = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	/* Targets for MREMAP_FIXED inside a reservation of our own: Linux
	 * unmaps the target before some of these checks. */
	char *t = map(4 * PG, PROT_NONE, 0);
	CHECK_ERRNO("einval_unaligned", rmap(p + 1, PG, 2 * PG, 1, NULL),
		    EINVAL);
	CHECK_ERRNO("einval_new_size_0", rmap(p, PG, 0, 1, NULL), EINVAL);
	CHECK_ERRNO("einval_new_size_wraps", rmap(p, PG, -1UL, 1, NULL),
		    EINVAL);
	CHECK_ERRNO("einval_unknown_flag", rmap(p, PG, 2 * PG, 8, NULL),
		    EINVAL);
	CHECK_ERRNO("einval_fixed_without_maymove",
		    rmap(p, PG, PG, MREMAP_FIXED, t), EINVAL);
	CHECK_ERRNO(
	    "einval_fixed_overlap",
	    rmap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG),
	    EINVAL);
	CHECK_ERRNO("einval_fixed_unaligned",
		    rmap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, t + 1),
		    EINVAL);
	CHECK_ERRNO("einval_fixed_past_top",
		    rmap(p, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			 (void *)(0x800000000000UL - PG)),
		    EINVAL);
	/* old_size 0 duplicates a shared mapping; a private one is EINVAL. */
	CHECK_ERRNO("einval_old_size_0_private",
		    rmap(p, 0, PG, MREMAP_MAYMOVE, NULL), EINVAL);
	CHECK_ERRNO("einval_dontunmap_without_maymove",
		    rmap(p, PG, PG, MREMAP_DONTUNMAP, NULL), EINVAL);
	CHECK_ERRNO(
	    "einval_dontunmap_resize",
	    rmap(p, PG, 2 * PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL),
	    EINVAL);
	/* A new size past the user address space: EINVAL on recent Linux
	 * (ENOMEM before, from the search for room). */
	CHECK_ERRNO("einval_huge_new_size",
		    rmap(p, PG, 1UL << 62, MREMAP_MAYMOVE, NULL), EINVAL);

	/* Two VMAs (different protections), grown as one: EFAULT. */
	mprotect(p + 2 * PG, 2 * PG, PROT_READ);
	CHECK_ERRNO("efault_two_vmas",
		    rmap(p + PG, 2 * PG, 8 * PG, MREMAP_MAYMOVE, NULL), EFAULT);
	/* Recent Linux (6.18 here) moves several VMAs at once when the size
	 * stays (MREMAP_FIXED, old_size == new_size); a resize across
	 * VMAs is still EFAULT. */
	CHECK_ERRNO(
	    "efault_two_vmas_fixed_grow",
	    rmap(p + PG, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t),
	    EFAULT);
	munmap(p, 4 * PG);
	munmap(t, 4 * PG);
	CHECK_ERRNO("efault_unmapped",
		    rmap(p, PG, 2 * PG, MREMAP_MAYMOVE, NULL), EFAULT);
}

/* 1 TiB reserved (MAP_NORESERVE), three pages touched, then PROT_NONE:
 * a move must carry the hidden pages and cost the mapped pages, not the
 * size. */
static void test_huge(void)
{
	char *p = map(TB + PG, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	CHECK("huge_map", p != NULL, "mmap 1 TiB: %s", errname(errno));
	if (!p)
		return;
	size_t offs[3] = {0, TB / 2 + 12345, TB - 1};
	for (int i = 0; i < 3; i++)
		p[offs[i]] = (char)(0x40 + i);
	CHECK_OK("huge_prot_none", mprotect(p, TB, PROT_NONE));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *q = rmap(p, TB, TB + PG, MREMAP_MAYMOVE, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK("huge_moves", q != MAP_FAILED && q != p, "got %p (%s)", q,
	      errname(errno));
	if (q == MAP_FAILED)
		return;
	CHECK("huge_move_fast", secs < 10, "took %.2f s", secs);
	CHECK("huge_prot_none_moved", touch_segv(q), "PROT_NONE lost");
	CHECK_OK("huge_prot_back",
		 mprotect(q, TB + PG, PROT_READ | PROT_WRITE));
	int ok = 1;
	for (int i = 0; i < 3; i++)
		ok &= q[offs[i]] == (char)(0x40 + i);
	CHECK("huge_contents_kept", ok, "bytes %#x %#x %#x", q[offs[0]],
	      q[offs[1]], q[offs[2]]);
	CHECK("huge_old_unmapped", unmapped(p, PG), "old still mapped");
	munmap(q, TB + PG);
	munmap(p + TB, PG);
}

/* fork shares the pages copy-on-write; moving them in the parent must
 * keep them write-protected, so the child keeps its copy. */
static void test_fork_cow(void)
{
	size_t len = 64 * PG;
	char *p = map_blocked(len);
	fill(p, len);
	int ready[2];
	if (pipe(ready))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(ready[0], &c, 1) != 1) /* the parent moved and wrote */
			_exit(3);
		_exit(verify(p, len) < 0 ? 0 : 1);
	}
	char *q = rmap(p, len, 2 * len, MREMAP_MAYMOVE, NULL);
	CHECK("fork_cow_move", q != MAP_FAILED && q != p, "got %p", q);
	if (q != MAP_FAILED) {
		CHECK("fork_cow_parent_sees", verify(q, len) < 0, "word %ld",
		      verify(q, len));
		memset(q, 0x5a, len);
	}
	if (write(ready[1], "x", 1) != 1)
		return;
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("fork_cow_child_unchanged", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status 0x%x", st);

	/* The other way round: the child moves and writes; the parent's
	 * copy stays. */
	fill(q, len);
	pid = fork();
	if (pid == 0) {
		char *r = rmap(q, len, 4 * len, MREMAP_MAYMOVE, NULL);
		if (r == MAP_FAILED || verify(r, len) >= 0)
			_exit(2);
		memset(r, 0xa5, len);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("fork_cow_child_moved", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status 0x%x", st);
	CHECK("fork_cow_parent_unchanged", verify(q, len) < 0, "word %ld",
	      verify(q, len));
	munmap(q, 2 * len);
	munmap(p + len, PG);
	close(ready[0]);
	close(ready[1]);
}

static void test_locked(void)
{
	long base = status_kb("VmLck");
	char *p = map_blocked(MB);
	CHECK_OK("locked_mlock", mlock(p, MB));
	fill(p, MB);
	long rss = status_kb("VmRSS");
	char *q = rmap(p, MB, 2 * MB, MREMAP_MAYMOVE, NULL);
	CHECK("locked_moved", q != MAP_FAILED && q != p, "got %p", q);
	if (q == MAP_FAILED)
		return;
	CHECK("locked_vmlck_after_move", status_kb("VmLck") == base + 2048,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base + 2048);
	CHECK("locked_growth_populated", status_kb("VmRSS") >= rss + 1024,
	      "VmRSS %ld kB before, %ld after", rss, status_kb("VmRSS"));
	CHECK("locked_keeps", verify(q, MB) < 0, "word %ld", verify(q, MB));
	/* Shrinking gives locked pages back. */
	CHECK("locked_shrink", rmap(q, 2 * MB, MB, 0, NULL) == q, "shrink");
	CHECK("locked_vmlck_after_shrink", status_kb("VmLck") == base + 1024,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base + 1024);
	/* And growing in place counts the new pages. */
	CHECK("locked_grow_in_place", rmap(q, MB, 2 * MB, 0, NULL) == q,
	      "grow in place");
	CHECK("locked_vmlck_after_grow", status_kb("VmLck") == base + 2048,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base + 2048);
	munmap(q, 2 * MB);
	munmap(p + MB, PG);
	CHECK("locked_vmlck_after_munmap", status_kb("VmLck") == base,
	      "VmLck %ld kB, expected %ld", status_kb("VmLck"), base);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

static void nobody_limits(void)
{
	become_nobody();
	struct rlimit as = {256 * MB, 256 * MB};
	if (setrlimit(RLIMIT_AS, &as))
		_exit(98);
	char *p = map(MB, PROT_READ | PROT_WRITE, 0);
	fill(p, MB);
	CHECK_ERRNO("rlimit_as_grow_enomem",
		    rmap(p, MB, 512 * MB, MREMAP_MAYMOVE, NULL), ENOMEM);
	CHECK("rlimit_as_unchanged", verify(p, MB) < 0, "word %ld",
	      verify(p, MB));
	char *q = rmap(p, MB, 2 * MB, MREMAP_MAYMOVE, NULL);
	CHECK("rlimit_as_small_grow_ok", q != MAP_FAILED, "%s", errname(errno));
	if (q != MAP_FAILED)
		munmap(q, 2 * MB);

	struct rlimit ml = {128 * KB, 128 * KB};
	if (setrlimit(RLIMIT_MEMLOCK, &ml))
		_exit(97);
	p = map(64 * KB, PROT_READ | PROT_WRITE, 0);
	CHECK_OK("rlimit_memlock_mlock", mlock(p, 64 * KB));
	CHECK_ERRNO("rlimit_memlock_grow_eagain",
		    rmap(p, 64 * KB, 256 * KB, MREMAP_MAYMOVE, NULL), EAGAIN);
	q = rmap(p, 64 * KB, 128 * KB, MREMAP_MAYMOVE, NULL);
	CHECK("rlimit_memlock_grow_to_limit", q != MAP_FAILED, "%s",
	      errname(errno));
}

/* MAP_SHARED memory moved by MREMAP_FIXED stays shared: with a child
 * forked before the move (which still maps the old address) and with one
 * forked after it. */
static void test_shared(void)
{
	char *s = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *t = map(8 * PG, PROT_NONE, 0);
	if (s == MAP_FAILED || !t)
		return;
	fill(s, 2 * PG); /* half the pages present, half not yet */
	int go[2];
	if (pipe(go))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		s[0] = 'a';	 /* a page the parent moved */
		s[3 * PG] = 'b'; /* one no one had touched */
		_exit(0);
	}
	char *q = rmap(s, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	CHECK("shared_fixed_move", q == t, "got %p, expected %p", q, t);
	if (q != t)
		return;
	CHECK("shared_keeps", verify(q, 2 * PG) < 0, "word %ld",
	      verify(q, 2 * PG));
	if (write(go[1], "x", 1) != 1)
		return;
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("shared_child_before_move_writes_seen",
	      WIFEXITED(st) && q[0] == 'a' && q[3 * PG] == 'b',
	      "status 0x%x, bytes %#x %#x", st, q[0], q[3 * PG]);
	pid = fork();
	if (pid == 0) {
		q[PG] = 'c';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("shared_child_after_move_writes_seen", q[PG] == 'c', "byte %#x",
	      q[PG]);
	/* Growing past the shared object: the mapping grows, and an access
	 * past the object is SIGBUS (as on Linux). */
	char *g = rmap(q, 4 * PG, 8 * PG, MREMAP_MAYMOVE, NULL);
	CHECK("shared_grow_past_object_maps", g != MAP_FAILED, "%s",
	      errname(errno));
	if (g != MAP_FAILED) {
		pid = fork();
		if (pid == 0) {
			signal(SIGBUS, SIG_DFL);
			g[5 * PG] = 1;
			_exit(0);
		}
		waitpid(pid, &st, 0);
		CHECK("shared_grow_past_object",
		      WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
		      "access past the object: status 0x%x", st);
		q = rmap(g, 8 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	}
	/* A shrink keeps the head shared. */
	CHECK("shared_shrink", rmap(q, 4 * PG, 2 * PG, 0, NULL) == q, "shrink");
	CHECK("shared_shrink_tail_unmapped", unmapped(q + 2 * PG, 2 * PG),
	      "tail still mapped");
	munmap(t, 8 * PG);
	close(go[0]);
	close(go[1]);
}

/* At the VMA limit (vm.max_map_count, 65530) a move that must split a
 * mapping is ENOMEM, and the mapping is left as it was. */
static void vma_limit(void)
{
	char *m = map(4 * PG, PROT_READ | PROT_WRITE, 0);
	fill(m, 4 * PG);
	char *t = map(PG, PROT_NONE, 0); /* a MREMAP_FIXED target */
	size_t pages = 70000;
	char *p = map(pages * PG, PROT_READ, MAP_NORESERVE);
	long i, err = 0;
	/* From the top down: each split is near the front of the kernel's
	 * sorted VMA list, so this stays quick. */
	for (i = (long)pages - 2; i > 0; i -= 2)
		if (mprotect(p + i * PG, PG, PROT_NONE)) {
			err = errno;
			break;
		}
	CHECK("vma_limit_reached", err == ENOMEM, "splitting stopped with %s",
	      errname((int)err));
	CHECK_ERRNO("vma_limit_move_enomem",
		    rmap(m + PG, PG, 2 * PG, MREMAP_MAYMOVE, NULL), ENOMEM);
	/* Checked before the target is unmapped: a failure must not leave
	 * it gone. */
	CHECK_ERRNO("vma_limit_fixed_enomem",
		    rmap(m + PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, t),
		    ENOMEM);
	CHECK("vma_limit_fixed_target_kept", mprotect(t, PG, PROT_NONE) == 0,
	      "target unmapped: %s", errname(errno));
	CHECK("vma_limit_unchanged", verify(m, 4 * PG) < 0, "word %ld",
	      verify(m, 4 * PG));
	munmap(p, pages * PG);
	char *q = rmap(m + PG, PG, 2 * PG, MREMAP_MAYMOVE, NULL);
	CHECK("vma_limit_move_after_munmap", q != MAP_FAILED, "%s",
	      errname(errno));
}

/* realloc of an mmap'd block: both glibc and musl move it with mremap. */
static void test_realloc(void)
{
	size_t len = 64 * MB;
	char *p = malloc(len);
	CHECK("realloc_malloc", p != NULL, "malloc 64 MiB");
	if (!p)
		return;
	fill(p, len);
	char *q = realloc(p, 2 * len);
	CHECK("realloc_grow", q && verify(q, len) < 0, "q %p word %ld", q,
	      q ? verify(q, len) : -2);
	if (!q)
		return;
	/* A byte per MiB of the new half (all of it would not fit
	 * twice in a small guest). */
	for (size_t off = len; off < 2 * len; off += MB)
		q[off] = 0x77;
	char *r = realloc(q, len);
	CHECK("realloc_shrink", r && verify(r, len) < 0, "r %p word %ld", r,
	      r ? verify(r, len) : -2);
	free(r);
}

int main(void)
{
	in_child("nobody_limits", nobody_limits);
	test_grow_in_place();
	test_grow_move();
	test_shrink();
	test_fixed();
	test_errors();
	test_huge();
	test_fork_cow();
	test_shared();
	test_locked();
	test_realloc();
	in_child("vma_limit", vma_limit);
	return check_summary("sys_mremap");
}
