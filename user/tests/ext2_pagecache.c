/* The page cache of a disk file system, run by tests/storage-suite.sh on
 * an ext2 mount (argv[1]; argv[2]: the big file's size in MiB): a big file
 * read through mmap matches read() byte for byte; /proc/meminfo's Cached,
 * Mapped and Dirty follow; stores through MAP_SHARED are seen by read() at
 * once and reach the disk after msync (mmap.txt, which the host reads
 * back with debugfs after the guest unmounted and powered off); a mapping
 * keeps its file (umount is EBUSY, an unlinked file's blocks are freed
 * only when the mapping goes); fork shares the pages. Also passes on
 * Linux. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#define MIB (1024 * 1024)
#define STORED "stored through mmap\n"

static const char *dir;

static char *in_dir(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static unsigned char pat(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 12) * 7 + (i >> 20));
}

static void test_big(size_t mib)
{
	size_t len = mib * MIB;
	static unsigned char buf[MIB];
	int fd = open(in_dir("big.dat"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0;
	for (size_t off = 0; ok && off < len; off += MIB) {
		for (size_t i = 0; i < MIB; i++)
			buf[i] = pat(off + i);
		ok = write(fd, buf, MIB) == MIB;
	}
	CHECK("big.write", ok, "%zu MiB: %s", mib, errname(errno));
	if (!ok)
		return;
	long cached0 = proc_kb("/proc/meminfo", "Cached");
	unsigned char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("big.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m == MAP_FAILED)
		return;
	/* Through the mapping first (faults fill the cache), then read()
	 * compares, from the cache. */
	size_t bad = len;
	for (size_t i = 0; i < len && bad == len; i++)
		if (m[i] != pat(i))
			bad = i;
	CHECK("big.map_matches", bad == len, "byte %zu is %#x, not %#x", bad,
	      bad < len ? m[bad] : 0, bad < len ? pat(bad) : 0);
	/* A second mapping has touched nothing, yet every page is in the
	 * page cache: mincore says resident, as Linux does for files. */
	unsigned char *m2 = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	static unsigned char vec[64 * 256];
	size_t np = len / 4096 < sizeof(vec) ? len / 4096 : sizeof(vec);
	size_t notres = np;
	if (m2 != MAP_FAILED && mincore(m2, np * 4096, vec) == 0) {
		notres = 0;
		for (size_t i = 0; i < np; i++)
			notres += !(vec[i] & 1);
	}
	CHECK("big.mincore_page_cache", notres == 0,
	      "%zu of %zu pages not resident", notres, np);
	if (m2 != MAP_FAILED)
		munmap(m2, len);
	long mapped = proc_kb("/proc/meminfo", "Mapped");
	CHECK("big.meminfo_mapped", mapped >= (long)(len / 1024 / 2),
	      "Mapped %ld kB with %zu MiB mapped", mapped, mib);
	long cached = proc_kb("/proc/meminfo", "Cached");
	CHECK("big.meminfo_cached", cached - cached0 >= (long)(len / 1024 / 2),
	      "Cached %ld kB -> %ld kB", cached0, cached);
	bad = len;
	for (size_t off = 0; off < len && bad == len; off += MIB) {
		if (pread(fd, buf, MIB, (off_t)off) != MIB ||
		    memcmp(buf, m + off, MIB) != 0)
			bad = off;
	}
	CHECK("big.read_matches_map", bad == len, "differs in MiB %zu",
	      bad / MIB);
	munmap(m, len);
	close(fd);
	unlink(in_dir("big.dat"));
}

/* mmap.txt: its line replaced through a shared mapping, left for the
 * host to read. */
static void test_persist(void)
{
	int fd = open(in_dir("mmap.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	const char *before = "-------------------\n";
	CHECK("persist.create", fd >= 0 && write(fd, before, 20) == 20, "%s",
	      errname(errno));
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("persist.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m == MAP_FAILED)
		return;
	memcpy(m, STORED, 20);
	char got[21] = {0};
	CHECK("persist.read_sees_store",
	      pread(fd, got, 20, 0) == 20 && memcmp(got, STORED, 20) == 0,
	      "read '%s'", got);
	long dirty = proc_kb("/proc/meminfo", "Dirty");
	CHECK("persist.meminfo_dirty", dirty >= 4, "Dirty %ld kB", dirty);
	CHECK_OK("persist.msync", msync(m, 4096, MS_SYNC));
	struct stat st;
	CHECK("persist.size_kept", fstat(fd, &st) == 0 && st.st_size == 20,
	      "size %lld", (long long)st.st_size);
	munmap(m, 4096);
	/* Unmapped, the page is written back for good: Dirty goes down. */
	CHECK_OK("persist.sync_file_range",
		 sync_file_range(fd, 0, 0,
				 SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER));
	long after = proc_kb("/proc/meminfo", "Dirty");
	CHECK("persist.dirty_written", after < dirty, "Dirty %ld kB -> %ld kB",
	      dirty, after);
	close(fd);
}

static void test_private_and_fork(void)
{
	int fd = open(in_dir("share.dat"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("share.create", fd >= 0 && ftruncate(fd, 8192) == 0, "%s",
	      errname(errno));
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *s = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("share.map", p != MAP_FAILED && s != MAP_FAILED, "%s",
	      errname(errno));
	if (p == MAP_FAILED || s == MAP_FAILED)
		return;
	p[10] = 'p';
	char c = 1;
	CHECK("private.not_in_file",
	      pread(fd, &c, 1, 10) == 1 && c == 0 && s[10] == 0,
	      "file byte %#x, shared view %#x", c, s[10]);
	pid_t pid = fork();
	if (pid == 0) {
		s[5000] = 'c';
		_exit(0);
	}
	int wst;
	waitpid(pid, &wst, 0);
	CHECK("fork.shared_store_seen",
	      s[5000] == 'c' && pread(fd, &c, 1, 5000) == 1 && c == 'c',
	      "parent sees %#x, file %#x", s[5000], c);
	CHECK("private.unchanged_by_shared", p[5000] == 'c' || p[5000] == 0,
	      "private view %#x", p[5000]);
	munmap(p, 8192);
	munmap(s, 8192);
	close(fd);
	unlink(in_dir("share.dat"));
}

/* A mapping holds its file: the mount is busy, and an unlinked file's
 * blocks come back only when the mapping goes. */
static void test_lifetime(void)
{
	struct statfs a, b, c;
	int fd = open(in_dir("held.dat"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char buf[MIB];
	memset(buf, 'h', sizeof(buf));
	CHECK("held.create",
	      fd >= 0 && statfs(dir, &a) == 0 && write(fd, buf, MIB) == MIB,
	      "%s", errname(errno));
	char *m = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CHECK("held.map", m != MAP_FAILED, "%s", errname(errno));
	if (m == MAP_FAILED)
		return;
	if (chdir("/") == 0)
		CHECK_ERRNO("held.umount_busy", umount(dir), EBUSY);
	CHECK_OK("held.unlink", unlink(in_dir("held.dat")));
	m[4096] = 'x';
	CHECK("held.still_mapped", m[0] == 'h' && m[4096] == 'x',
	      "bytes %#x %#x", m[0], m[4096]);
	CHECK("held.blocks_kept",
	      statfs(dir, &b) == 0 && b.f_bfree + 64 < a.f_bfree,
	      "free blocks %llu -> %llu", (unsigned long long)a.f_bfree,
	      (unsigned long long)b.f_bfree);
	munmap(m, MIB);
	CHECK("held.blocks_freed",
	      statfs(dir, &c) == 0 && c.f_bfree + 16 >= a.f_bfree,
	      "free blocks %llu -> %llu", (unsigned long long)a.f_bfree,
	      (unsigned long long)c.f_bfree);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ext2_pagecache DIR [MiB]\n");
		return 2;
	}
	dir = argv[1];
	test_big(argc > 2 ? (size_t)atoi(argv[2]) : 64);
	test_persist();
	test_private_and_fork();
	test_lifetime();
	return check_summary("ext2_pagecache");
}
