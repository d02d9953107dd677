/* Memory system calls: brk, anonymous mmap (with a hint, MAP_FIXED over an
 * existing mapping, a large sparse one), munmap, mprotect, madvise. Reading
 * /dev/zero into a range shows from the kernel side whether it is writable. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "check.h"

#define PG 4096UL

static int zero_fd;

/* Whether the kernel can store into addr: 1 byte from /dev/zero. */
static long kernel_store(void *addr)
{
	return read(zero_fd, addr, 1);
}

static int all_bytes(const volatile char *p, unsigned long len, char c)
{
	for (unsigned long i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void test_brk(void)
{
	unsigned long cur = syscall(SYS_brk, 0);
	CHECK("mem.brk_query", cur > 0 && cur < (1UL << 47),
	      "expected a user address, got %#lx", cur);
	unsigned long want = cur + 64 * 1024;
	unsigned long got = syscall(SYS_brk, want);
	CHECK("mem.brk_grow", got == want, "expected %#lx, got %#lx", want,
	      got);
	/* The heap starts at the (unaligned) old break. */
	volatile char *h = (char *)cur;
	int zero = all_bytes(h, want - cur, 0);
	for (unsigned long i = 0; i < want - cur; i++)
		h[i] = (char)i;
	int kept = 1;
	for (unsigned long i = 0; i < want - cur; i++)
		kept &= h[i] == (char)i;
	CHECK("mem.brk_touch", zero && kept,
	      "expected zeroed then writable heap, zero=%d kept=%d", zero,
	      kept);
	got = syscall(SYS_brk, cur + 100);
	CHECK("mem.brk_unaligned", got == cur + 100,
	      "expected %#lx exactly, got %#lx", cur + 100, got);
	got = syscall(SYS_brk, cur);
	CHECK("mem.brk_shrink", got == cur, "expected %#lx, got %#lx", cur,
	      got);
	unsigned long page_end = (cur + PG - 1) & ~(PG - 1);
	CHECK("mem.brk_shrunk_unmapped", kernel_store((void *)page_end) == -1,
	      "expected EFAULT storing at %#lx after shrink", page_end);
	got = syscall(SYS_brk, want);
	CHECK("mem.brk_regrow_zeroed",
	      got == want && all_bytes((char *)page_end, want - page_end, 0),
	      "expected pages freed by the shrink to come back zeroed");
	syscall(SYS_brk, cur);
	/* A failed brk returns the current break, never an errno. */
	got = syscall(SYS_brk, 1UL << 46);
	CHECK("mem.brk_too_big_returns_old", got == cur,
	      "expected %#lx, got %#lx", cur, got);
	got = syscall(SYS_brk, 4096);
	CHECK("mem.brk_below_start_returns_old", got == cur,
	      "expected %#lx, got %#lx", cur, got);
}

static void test_mmap(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mem.mmap_anon", p != MAP_FAILED && !((uintptr_t)p & (PG - 1)),
	      "expected a page-aligned address, got %p %s", (void *)p,
	      errname(errno));
	if (p == MAP_FAILED)
		return;
	CHECK("mem.mmap_zeroed", all_bytes(p, 4 * PG, 0),
	      "anonymous memory not zero");
	memset(p, 'x', 4 * PG);
	CHECK("mem.mmap_write", all_bytes(p, 4 * PG, 'x'), "write lost");
	CHECK_OK("mem.munmap", munmap(p, 4 * PG));
	CHECK_ERRNO("mem.munmapped_efault", kernel_store(p + PG), EFAULT);
	CHECK_OK("mem.munmap_unmapped_ok", munmap(p, 4 * PG));

	/* A free hint is honoured. */
	void *hint = (void *)0x200000000000UL;
	void *q = mmap(hint, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mem.mmap_hint", q == hint, "expected %p, got %p", hint, q);
	munmap(q, PG);

	/* MAP_FIXED over the middle of a mapping replaces just that page. */
	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'A', 3 * PG);
	q = mmap(p + PG, PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK("mem.mmap_fixed_replaces",
	      q == p + PG && all_bytes(p + PG, PG, 0) &&
		  all_bytes(p, PG, 'A') && all_bytes(p + 2 * PG, PG, 'A'),
	      "expected %p with a zero middle page and 'A' around, got %p",
	      (void *)(p + PG), q);
	/* Unmapping the middle leaves a hole between two live pages. */
	munmap(p + PG, PG);
	CHECK("mem.munmap_middle",
	      kernel_store(p + PG) == -1 && kernel_store(p) == 1 &&
		  kernel_store(p + 2 * PG) == 1,
	      "expected only the middle page gone");
	munmap(p, 3 * PG);

	/* mprotect: the kernel's stores respect it too. */
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'r';
	CHECK_OK("mem.mprotect_ro", mprotect(p, PG, PROT_READ));
	CHECK("mem.mprotect_ro_readable", p[0] == 'r', "read back '%c'", p[0]);
	CHECK_ERRNO("mem.mprotect_ro_kernel_efault", kernel_store(p), EFAULT);
	CHECK("mem.mprotect_only_range", kernel_store(p + PG) == 1,
	      "second page should stay writable");
	CHECK_OK("mem.mprotect_rw", mprotect(p, PG, PROT_READ | PROT_WRITE));
	p[1] = 'w';
	CHECK("mem.mprotect_rw_write", p[0] == 'r' && p[1] == 'w',
	      "expected \"rw\", got \"%c%c\"", p[0], p[1]);
	CHECK_OK("mem.mprotect_none", mprotect(p, PG, PROT_NONE));
	CHECK_ERRNO("mem.prot_none_kernel_efault", kernel_store(p), EFAULT);
	mprotect(p, PG, PROT_READ | PROT_WRITE);
	CHECK("mem.prot_none_keeps_data", p[0] == 'r', "got '%c'", p[0]);
	CHECK_ERRNO("mem.mprotect_unaligned",
		    syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL);
	CHECK_ERRNO("mem.mprotect_unmapped",
		    syscall(SYS_mprotect, 0x300000000000UL, PG, PROT_READ),
		    ENOMEM);

	/* MADV_DONTNEED on private anonymous memory gives zero pages back. */
	memset(p, 'd', 2 * PG);
	CHECK_OK("mem.madvise_dontneed", madvise(p, 2 * PG, MADV_DONTNEED));
	CHECK("mem.madvise_zeroes", all_bytes(p, 2 * PG, 0),
	      "expected zeros after MADV_DONTNEED");
	munmap(p, 2 * PG);

	CHECK_ERRNO("mem.munmap_unaligned", syscall(SYS_munmap, p + 1, PG),
		    EINVAL);
	CHECK_ERRNO("mem.munmap_len_0", syscall(SYS_munmap, p, 0), EINVAL);
	CHECK_ERRNO("mem.mmap_len_0",
		    syscall(SYS_mmap, NULL, 0, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		    EINVAL);
	CHECK_ERRNO("mem.mmap_fixed_unaligned",
		    syscall(SYS_mmap, p + 1, PG, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		    EINVAL);
	CHECK_ERRNO(
	    "mem.mmap_no_type",
	    syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0),
	    EINVAL);
	CHECK_ERRNO(
	    "mem.mmap_bad_fd",
	    syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_PRIVATE, 9999, 0),
	    EBADF);

	/* 64 MiB, touched once per MiB: only what is touched needs memory. */
	unsigned long big = 64UL << 20;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	CHECK("mem.mmap_64m", p != MAP_FAILED, "mmap 64 MiB: %s",
	      errname(errno));
	if (p == MAP_FAILED)
		return;
	for (unsigned long off = 0; off < big; off += 1UL << 20)
		p[off + 7] = (char)(off >> 20) + 1;
	int ok = 1;
	for (unsigned long off = 0; off < big; off += 1UL << 20)
		ok &= p[off + 7] == (char)((off >> 20) + 1) && p[off] == 0;
	ok &= p[big - 1] == 0;
	CHECK("mem.mmap_64m_sparse", ok, "sparse pattern not read back");
	CHECK_OK("mem.munmap_64m", munmap(p, big));
}

int main(void)
{
	zero_fd = open("/dev/zero", O_RDONLY);
	test_brk();
	test_mmap();
	close(zero_fd);
	return check_summary("sys_mem");
}
