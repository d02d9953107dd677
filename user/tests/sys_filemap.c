/* mmap of memory files (tmpfs, the initramfs root) and memfd_create, and
 * with a directory argument of the files there (an ext2 mount, through the
 * page cache; tests/storage-suite.sh):
 * MAP_SHARED shows the file's pages (stores are seen by read(), other
 * mappings and other processes), MAP_PRIVATE is a copy-on-write view that
 * never changes the file, an access past the end is SIGBUS, the EACCES,
 * EINVAL and ENODEV cases, truncation, and no pages leak. Also passes on
 * Linux. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MIB (1024 * 1024)

static char dir[64] = "/tmp";
static char path[96];

static int wait_child(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 12) * 13 + 1);
}

/* A tmpfs on /tmp/fmap if we may mount one, else /tmp (Linux as a user);
 * or the directory given (an ext2 mount: the page cache). */
static void setup_dir(const char *given)
{
	if (given) {
		snprintf(dir, sizeof(dir), "%s", given);
		snprintf(path, sizeof(path), "%s/filemap.dat", dir);
		return;
	}
	mkdir("/tmp/fmap", 0777);
	if (mount("tmpfs", "/tmp/fmap", "tmpfs", 0, NULL) == 0)
		strcpy(dir, "/tmp/fmap");
	snprintf(path, sizeof(path), "%s/filemap.dat", dir);
}

static int make_file(size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	static unsigned char buf[65536];
	for (size_t off = 0; off < len; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = pat(off + i);
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
	}
	return fd;
}

static void test_shared(void)
{
	size_t len = MIB;
	int fd = make_file(len);
	CHECK("file.create", fd >= 0, "open/write %s: %s", path,
	      errname(errno));
	if (fd < 0)
		return;
	unsigned char *m =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("shared.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m == MAP_FAILED)
		return;
	size_t bad = len;
	for (size_t i = 0; i < len; i++)
		if (m[i] != pat(i)) {
			bad = i;
			break;
		}
	CHECK("shared.matches_read", bad == len, "byte %zu differs", bad);
	static unsigned char buf[4096];
	m[5000] = 0xAB;
	memcpy(m + 100000, "hello", 5);
	CHECK("shared.store_seen_by_read",
	      pread(fd, buf, 1, 5000) == 1 && buf[0] == 0xAB, "read gives %#x",
	      buf[0]);
	CHECK("shared.store_seen_by_read2",
	      pread(fd, buf, 5, 100000) == 5 && !memcmp(buf, "hello", 5),
	      "read gives %.5s", buf);
	/* A write() is seen through the mapping at once. */
	CHECK("shared.write_seen_by_map",
	      pwrite(fd, "WORLD", 5, 200000) == 5 &&
		  !memcmp(m + 200000, "WORLD", 5),
	      "map has %.5s", m + 200000);
	unsigned char *m2 = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 4096);
	CHECK("shared.second_map_offset",
	      m2 != MAP_FAILED && m2[5000 - 4096] == 0xAB, "second map: %s",
	      m2 == MAP_FAILED ? errname(errno) : "differs");
	/* /proc/self/maps names the file, as Linux does. */
	static char maps[65536];
	int mfd = open("/proc/self/maps", O_RDONLY);
	ssize_t mn = mfd >= 0 ? read(mfd, maps, sizeof(maps) - 1) : -1;
	if (mfd >= 0)
		close(mfd);
	maps[mn > 0 ? mn : 0] = '\0';
	CHECK("shared.maps_names_file", strstr(maps, path) != NULL,
	      "%s not in /proc/self/maps", path);
	pid_t pid = fork();
	if (pid == 0) {
		int ok = m[5000] == 0xAB;
		m[6000] = 0xCD;
		_exit(ok ? 0 : 1);
	}
	CHECK("shared.child_sees", wait_child(pid) == 0, "child saw no store");
	CHECK("shared.parent_sees_child_store",
	      m[6000] == 0xCD && pread(fd, buf, 1, 6000) == 1 && buf[0] == 0xCD,
	      "map %#x read %#x", m[6000], buf[0]);
	/* A child that maps the file itself sees the stores. */
	pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDONLY);
		unsigned char *c =
		    mmap(NULL, len, PROT_READ, MAP_SHARED, cfd, 0);
		_exit(c != MAP_FAILED && c[6000] == 0xCD && c[5000] == 0xAB
			  ? 0
			  : 1);
	}
	CHECK("shared.other_process_map", wait_child(pid) == 0,
	      "child's own mapping differs");
	struct stat st;
	fstat(fd, &st);
	/* A disk file system adds its indirect blocks. */
	CHECK("shared.st_blocks",
	      st.st_blocks >= (blkcnt_t)(len / 512) &&
		  st.st_blocks <= (blkcnt_t)(len / 512) + 64,
	      "st_blocks %ld", (long)st.st_blocks);
	/* Private: the file and other processes never see its stores. */
	unsigned char *p =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("private.map", p != MAP_FAILED, "mmap: %s", errname(errno));
	if (p != MAP_FAILED) {
		CHECK("private.reads_file", p[5000] == 0xAB && p[7] == pat(7),
		      "private sees %#x", p[5000]);
		p[5000] = 0x11;
		p[300000] = 0x22; /* a page not read before */
		CHECK("private.store_local",
		      p[5000] == 0x11 && p[300000] == 0x22, "store lost");
		CHECK("private.not_in_file",
		      pread(fd, buf, 1, 5000) == 1 && buf[0] == 0xAB &&
			  m[5000] == 0xAB && m[300000] == pat(300000),
		      "file has %#x", buf[0]);
		pid = fork();
		if (pid == 0) {
			p[8000] = 0x33; /* the child's own copy */
			_exit(p[5000] == 0x11 ? 0 : 1);
		}
		CHECK("private.fork_copy", wait_child(pid) == 0,
		      "child sees other data");
		CHECK("private.child_store_unseen",
		      p[8000] == pat(8000) && m[8000] == pat(8000),
		      "child store leaked: %#x", p[8000]);
		/* A page never written still follows the file. */
		m[400000] = 0x44;
		CHECK("private.untouched_follows_file", p[400000] == 0x44,
		      "private sees %#x", p[400000]);
		munmap(p, len);
	}
	/* Stores survive munmap and close. */
	munmap(m, len);
	if (m2 != MAP_FAILED)
		munmap(m2, 8192);
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK("shared.persists", pread(fd, buf, 1, 6000) == 1 && buf[0] == 0xCD,
	      "read %#x", buf[0]);
	close(fd);
	unlink(path);
}

static void test_sigbus(void)
{
	int fd = make_file(5000);
	unsigned char *m = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("eof.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m == MAP_FAILED)
		return;
	CHECK("eof.tail_zero",
	      m[4999] == pat(4999) && m[5000] == 0 && m[8191] == 0, "tail %#x",
	      m[5000]);
	pid_t pid = fork();
	if (pid == 0) {
		volatile unsigned char c = m[8192];
		(void)c;
		_exit(0);
	}
	CHECK("eof.sigbus", wait_child(pid) == 128 + SIGBUS,
	      "child did not die of SIGBUS");
	/* Shrink, then grow: the old tail reads as zeros. In between, the
	 * page past the new end is gone from the mapping too: SIGBUS. */
	CHECK_OK("trunc.shrink", ftruncate(fd, 100));
	pid = fork();
	if (pid == 0) {
		volatile unsigned char c = m[4500];
		(void)c;
		_exit(0);
	}
	CHECK("trunc.sigbus_past_new_end", wait_child(pid) == 128 + SIGBUS,
	      "a mapped page past the new end could still be read");
	CHECK_OK("trunc.grow", ftruncate(fd, 8192));
	unsigned char buf[200];
	CHECK("trunc.zeros_read",
	      pread(fd, buf, 200, 0) == 200 && buf[99] == pat(99) &&
		  buf[100] == 0 && buf[199] == 0,
	      "read %#x %#x", buf[100], buf[199]);
	/* The kept page was zeroed in place; the page dropped by the shrink
	 * comes back as zeros, in the old mapping and in a new one. */
	unsigned char *n = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("trunc.zeros_map",
	      n != MAP_FAILED && m[100] == 0 && m[99] == pat(99) &&
		  n[100] == 0 && n[4500] == 0 && m[4500] == 0,
	      "map %#x %#x %#x", m[100], n == MAP_FAILED ? 0xff : n[4500],
	      m[4500]);
	if (n != MAP_FAILED)
		munmap(n, 8192);
	munmap(m, 3 * 4096);
	close(fd);
	unlink(path);
}

static void test_errors(void)
{
	int fd = make_file(8192);
	close(fd);
	int wo = open(path, O_WRONLY), ro = open(path, O_RDONLY);
	CHECK_ERRNO("err.wronly",
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	CHECK_ERRNO("err.shared_write_rdonly",
		    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
		    EACCES);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK("err.private_write_rdonly_ok", p != MAP_FAILED, "mmap: %s",
	      errname(errno));
	void *s = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	CHECK("err.shared_read_rdonly_ok", s != MAP_FAILED, "mmap: %s",
	      errname(errno));
	if (s != MAP_FAILED)
		CHECK_ERRNO("err.mprotect_write_rdonly",
			    mprotect(s, 4096, PROT_READ | PROT_WRITE), EACCES);
	CHECK_ERRNO("err.unaligned",
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 100), EINVAL);
	int pfd[2];
	pipe(pfd);
	CHECK_ERRNO("err.pipe",
		    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pfd[0], 0),
		    ENODEV);
	int dn = open("/dev/null", O_RDWR);
	CHECK_ERRNO("err.devnull",
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, dn, 0), ENODEV);
	int dd = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERRNO("err.dir", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dd, 0),
		    ENODEV);
	CHECK_ERRNO("err.badfd",
		    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	/* sync_file_range: the argument checks, then a real range. */
	CHECK_ERRNO("sfr.bad_flags", sync_file_range(fd, 0, 0, 8), EINVAL);
	CHECK_ERRNO("sfr.negative", sync_file_range(fd, -1, 0, 2), EINVAL);
	CHECK_ERRNO("sfr.overflow", sync_file_range(fd, 1, INT64_MAX, 2),
		    EINVAL);
	CHECK_ERRNO("sfr.badfd", sync_file_range(999, 0, 0, 2), EBADF);
	CHECK_ERRNO("sfr.pipe", sync_file_range(pfd[0], 0, 0, 2), ESPIPE);
	CHECK_OK("sfr.write_wait",
		 sync_file_range(fd, 0, 8192,
				 SYNC_FILE_RANGE_WAIT_BEFORE |
				     SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER));
	CHECK_OK("sfr.nothing", sync_file_range(fd, 0, 0, 0));
	close(pfd[0]);
	close(pfd[1]);
	close(dn);
	close(dd);
	close(wo);
	close(ro);
	unlink(path);
}

/* The test's own binary on the root file system, mapped read-only. */
static void test_rootfs(const char *self)
{
	int fd = open(self, O_RDONLY);
	struct stat st;
	CHECK("root.open", fd >= 0 && fstat(fd, &st) == 0, "open %s: %s", self,
	      errname(errno));
	if (fd < 0)
		return;
	size_t len = (size_t)st.st_size;
	unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("root.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m == MAP_FAILED)
		return;
	unsigned char *buf = malloc(len);
	size_t got = 0;
	ssize_t n;
	while (got < len && (n = pread(fd, buf + got, len - got, got)) > 0)
		got += (size_t)n;
	CHECK("root.matches_read", got == len && !memcmp(buf, m, len),
	      "got %zu of %zu, or differs", got, len);
	free(buf);
	munmap(m, len);
	close(fd);
}

static void test_memfd(void)
{
	int fd = memfd_create("fmtest", 0);
	CHECK("memfd.create", fd >= 0, "memfd_create: %s", errname(errno));
	if (fd < 0)
		return;
	CHECK("memfd.no_cloexec", fcntl(fd, F_GETFD) == 0, "FD_CLOEXEC set");
	CHECK_OK("memfd.ftruncate", ftruncate(fd, 65536));
	CHECK("memfd.write", pwrite(fd, "memfd!", 6, 10) == 6, "write: %s",
	      errname(errno));
	char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("memfd.map", m != MAP_FAILED, "mmap: %s", errname(errno));
	if (m != MAP_FAILED) {
		pid_t pid = fork();
		if (pid == 0) {
			int ok = !memcmp(m + 10, "memfd!", 6);
			m[60000] = 'Z';
			_exit(ok ? 0 : 1);
		}
		CHECK("memfd.child_sees", wait_child(pid) == 0,
		      "child saw other data");
		char c = 0;
		CHECK("memfd.parent_reads_child_store",
		      pread(fd, &c, 1, 60000) == 1 && c == 'Z', "read %#x", c);
		munmap(m, 65536);
	}
	struct stat st;
	fstat(fd, &st);
	CHECK("memfd.regular", S_ISREG(st.st_mode) && st.st_size == 65536,
	      "mode %o size %ld", st.st_mode, (long)st.st_size);
	close(fd);
	fd = memfd_create("cl", MFD_CLOEXEC);
	CHECK("memfd.cloexec", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "fd %d flags %d", fd, fcntl(fd, F_GETFD));
	close(fd);
	CHECK_ERRNO("memfd.bad_flags", syscall(SYS_memfd_create, "x", 0x100),
		    EINVAL);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK_ERRNO("memfd.long_name", memfd_create(longname, 0), EINVAL);
	longname[249] = 0;
	fd = memfd_create(longname, 0);
	CHECK("memfd.name_249", fd >= 0, "memfd_create: %s", errname(errno));
	close(fd);
}

static long memfree_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree");
}

static void test_no_leak(void)
{
	size_t len = 4 * MIB;
	long before = memfree_kb();
	for (int round = 0; round < 8; round++) {
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, len))
			break;
		unsigned char *m =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		unsigned char *p =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED || p == MAP_FAILED)
			break;
		for (size_t i = 0; i < len; i += 4096) {
			m[i] = (unsigned char)i;
			p[i + 1] = 1;
		}
		munmap(m, len);
		munmap(p, len);
		close(fd);
		unlink(path);
	}
	long after = memfree_kb();
	CHECK("leak.memfree", before > 0 && after >= before - 1024,
	      "MemFree %ld kB before, %ld kB after", before, after);
}

int main(int argc, char **argv)
{
	setup_dir(argc > 1 ? argv[1] : NULL);
	test_shared();
	test_sigbus();
	test_errors();
	test_rootfs(argv[0][0] == '/' ? argv[0] : "/proc/self/exe");
	test_memfd();
	test_no_leak();
	if (argc == 1 && strcmp(dir, "/tmp") != 0)
		umount("/tmp/fmap");
	return check_summary("sys_filemap");
}
