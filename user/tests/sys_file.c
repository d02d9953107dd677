/* System calls on open files, seen from user space: open/openat/close,
 * read/write and their vector and positioned forms, lseek, the open flags,
 * the /dev character devices, and the errors of bad fds, pointers and paths. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "check.h"

#define KPTR ((void *)0xffff800000000000UL) /* first kernel-half address */
#define BADPTR ((void *)0x1)

static char path[64], path2[64];

static void test_basic_io(void)
{
	char buf[64];
	int fd = open("/etc/motd", O_RDONLY);
	CHECK("file.open_existing", fd >= 0, "open /etc/motd: %s",
	      errname(errno));
	long n = read(fd, buf, sizeof(buf));
	CHECK("file.read_existing", n > 0,
	      "read /etc/motd: expected > 0, got %ld %s", n, errname(errno));
	CHECK_OK("file.close", close(fd));
	CHECK_ERRNO("file.close_twice_ebadf", close(fd), EBADF);

	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK("file.open_creat", fd >= 0, "open O_CREAT %s: %s", path,
	      errname(errno));
	n = write(fd, "hello world\n", 12);
	CHECK("file.write", n == 12, "expected 12, got %ld %s", n,
	      errname(errno));
	long off = lseek(fd, 0, SEEK_CUR);
	CHECK("file.lseek_cur", off == 12, "expected 12, got %ld", off);
	off = lseek(fd, 6, SEEK_SET);
	CHECK("file.lseek_set", off == 6, "expected 6, got %ld", off);
	memset(buf, 0, sizeof(buf));
	n = read(fd, buf, 5);
	CHECK("file.read_after_seek", n == 5 && !memcmp(buf, "world", 5),
	      "expected 5 \"world\", got %ld \"%.5s\"", n, buf);
	off = lseek(fd, -2, SEEK_END);
	CHECK("file.lseek_end", off == 10, "expected 10, got %ld", off);
	off = lseek(fd, 0, SEEK_END);
	n = read(fd, buf, sizeof(buf));
	CHECK("file.read_eof", off == 12 && n == 0,
	      "expected offset 12 and 0 bytes, got %ld and %ld", off, n);
	CHECK_ERRNO("file.lseek_negative_set", lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO("file.lseek_negative_cur", lseek(fd, -100, SEEK_CUR),
		    EINVAL);
	CHECK_ERRNO("file.lseek_negative_end", lseek(fd, -13, SEEK_END),
		    EINVAL);
	CHECK_ERRNO("file.lseek_bad_whence", lseek(fd, 0, 42), EINVAL);
	off = lseek(fd, 0, SEEK_CUR);
	CHECK("file.lseek_error_keeps_offset", off == 12,
	      "expected 12, got %ld", off);

	/* Writing past the end leaves a hole that reads as zeros. */
	off = lseek(fd, 100, SEEK_SET);
	n = write(fd, "!", 1);
	struct stat st;
	fstat(fd, &st);
	CHECK("file.write_past_end", off == 100 && n == 1 && st.st_size == 101,
	      "expected offset 100, 1 byte, size 101, got %ld, %ld, %ld", off,
	      n, (long)st.st_size);
	memset(buf, 'x', sizeof(buf));
	n = pread(fd, buf, 20, 20);
	int zeros = 1;
	for (int i = 0; i < 20; i++)
		zeros &= buf[i] == 0;
	CHECK("file.hole_reads_zero", n == 20 && zeros,
	      "expected 20 zero bytes, got %ld (zeros=%d)", n, zeros);
	CHECK_OK("file.ftruncate", ftruncate(fd, 12));

	/* pread/pwrite use their own offset and leave the file's alone. */
	lseek(fd, 3, SEEK_SET);
	n = pwrite(fd, "HELLO", 5, 0);
	memset(buf, 0, sizeof(buf));
	long n2 = pread(fd, buf, 12, 0);
	off = lseek(fd, 0, SEEK_CUR);
	CHECK("file.pwrite64", n == 5, "expected 5, got %ld %s", n,
	      errname(errno));
	CHECK("file.pread64", n2 == 12 && !memcmp(buf, "HELLO world\n", 12),
	      "expected 12 \"HELLO world\\n\", got %ld \"%.12s\"", n2, buf);
	CHECK("file.pread_keeps_offset", off == 3, "expected 3, got %ld", off);
	n = pread(fd, buf, 10, 8);
	CHECK("file.pread_short_at_end", n == 4, "expected 4, got %ld", n);
	CHECK_ERRNO("file.pread_negative_offset", pread(fd, buf, 1, -1),
		    EINVAL);

	/* Vectors, including an empty first element as musl's perror sends. */
	char a[4], b[8];
	struct iovec wv[3] = {{"", 0}, {"abc", 3}, {"defghij", 7}};
	lseek(fd, 0, SEEK_SET);
	n = writev(fd, wv, 3);
	CHECK("file.writev", n == 10, "expected 10, got %ld %s", n,
	      errname(errno));
	struct iovec rv[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	lseek(fd, 0, SEEK_SET);
	n = readv(fd, rv, 2);
	CHECK("file.readv",
	      n == 12 && !memcmp(a, "abcd", 4) && !memcmp(b, "efghijd\n", 8),
	      "expected 12 \"abcd\" \"efghijd\\n\", got %ld \"%.4s\" \"%.8s\"",
	      n, a, b);
	CHECK_ERRNO("file.readv_bad_iov", readv(fd, BADPTR, 2), EFAULT);
	struct iovec bv[1] = {{BADPTR, 4}};
	CHECK_ERRNO("file.writev_bad_base", writev(fd, bv, 1), EFAULT);
	CHECK_ERRNO("file.readv_negative_count", readv(fd, rv, -1), EINVAL);

	/* EFAULT from the kernel, not a crash: the file has bytes to read. */
	lseek(fd, 0, SEEK_SET);
	CHECK_ERRNO("file.read_efault_low", read(fd, BADPTR, 4), EFAULT);
	CHECK_ERRNO("file.read_efault_kernel", read(fd, KPTR, 4), EFAULT);
	CHECK_ERRNO("file.write_efault_low", write(fd, BADPTR, 4), EFAULT);
	CHECK_ERRNO("file.write_efault_kernel", write(fd, KPTR, 4), EFAULT);
	off = lseek(fd, 0, SEEK_CUR);
	CHECK("file.efault_keeps_offset", off == 0, "expected 0, got %ld", off);
	n = read(fd, NULL, 0);
	CHECK("file.read_zero_count_null", n == 0, "expected 0, got %ld %s", n,
	      errname(errno));
	close(fd);

	/* Access mode is enforced per open file. */
	fd = open(path, O_RDONLY);
	CHECK_ERRNO("file.write_on_rdonly", write(fd, "x", 1), EBADF);
	close(fd);
	fd = open(path, O_WRONLY);
	CHECK_ERRNO("file.read_on_wronly", read(fd, buf, 1), EBADF);
	close(fd);

	/* openat relative to a directory fd, and AT_FDCWD. */
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	fd = syscall(SYS_openat, dfd, path + 5, O_RDONLY);
	n = read(fd, buf, 3);
	CHECK("file.openat_dirfd", fd >= 0 && n == 3 && !memcmp(buf, "abc", 3),
	      "openat(/tmp fd, %s): fd %d, read %ld", path + 5, fd, n);
	close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	CHECK("file.openat_fdcwd", fd >= 0, "got %d %s", fd, errname(errno));
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK_ERRNO("file.openat_relative_on_file_fd",
		    syscall(SYS_openat, fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
	CHECK_ERRNO("file.openat_bad_dirfd",
		    syscall(SYS_openat, 9999, "x", O_RDONLY), EBADF);
	fd = syscall(SYS_openat, 9999, path, O_RDONLY);
	CHECK("file.openat_absolute_ignores_dirfd", fd >= 0, "got %d %s", fd,
	      errname(errno));
	close(fd);
	close(dfd);
}

static void test_open_flags(void)
{
	char buf[32];
	CHECK_ERRNO("file.o_excl_eexist",
		    open(path, O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	int fd = open(path2, O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHECK("file.o_excl_new", fd >= 0, "got %d %s", fd, errname(errno));
	close(fd);
	CHECK_ERRNO("file.open_no_creat_enoent",
		    open("/tmp/lt-does-not-exist", O_RDONLY), ENOENT);

	fd = open(path, O_WRONLY | O_TRUNC);
	struct stat st;
	fstat(fd, &st);
	CHECK("file.o_trunc", st.st_size == 0, "expected size 0, got %ld",
	      (long)st.st_size);
	write(fd, "abc", 3);
	close(fd);

	fd = open(path, O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	long n = write(fd, "de", 2);
	long off = lseek(fd, 0, SEEK_CUR);
	close(fd);
	fd = open(path, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	long r = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK("file.o_append",
	      n == 2 && off == 5 && r == 5 && !memcmp(buf, "abcde", 5),
	      "expected write 2, offset 5, \"abcde\"; got %ld, %ld, \"%.*s\"",
	      n, off, (int)(r > 0 ? r : 0), buf);

	CHECK_ERRNO("file.o_directory_on_file",
		    open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK("file.o_directory_on_dir", fd >= 0, "got %d %s", fd,
	      errname(errno));
	CHECK_ERRNO("file.read_dir_eisdir", read(fd, buf, sizeof(buf)), EISDIR);
	close(fd);
	CHECK_ERRNO("file.open_dir_wronly", open("/tmp", O_WRONLY), EISDIR);
	CHECK_ERRNO("file.open_dir_rdwr", open("/tmp", O_RDWR), EISDIR);
	CHECK_ERRNO("file.open_dir_creat",
		    open("/tmp", O_RDONLY | O_CREAT, 0600), EISDIR);
}

static void test_dev(void)
{
	char buf[16];
	int fd = open("/dev/null", O_RDWR);
	long n = write(fd, "abc", 3);
	long r = read(fd, buf, sizeof(buf));
	CHECK("dev.null", fd >= 0 && n == 3 && r == 0,
	      "expected fd, write 3, read 0; got %d, %ld, %ld", fd, n, r);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 'x', sizeof(buf));
	r = read(fd, buf, sizeof(buf));
	int zeros = 1;
	for (unsigned i = 0; i < sizeof(buf); i++)
		zeros &= buf[i] == 0;
	CHECK("dev.zero", r == sizeof(buf) && zeros,
	      "expected 16 zero bytes, got %ld (zeros=%d)", r, zeros);
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	CHECK_ERRNO("dev.full_enospc", write(fd, "x", 1), ENOSPC);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	r = read(fd, buf, sizeof(buf));
	int nonzero = 0;
	for (unsigned i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	CHECK("dev.urandom", r == sizeof(buf) && nonzero > 4,
	      "expected 16 random bytes, got %ld (%d nonzero)", r, nonzero);
	close(fd);
}

static void test_errors(void)
{
	char buf[8];
	struct stat st;
	CHECK_ERRNO("file.read_ebadf_9999", read(9999, buf, 1), EBADF);
	CHECK_ERRNO("file.write_ebadf_negative", write(-1, "x", 1), EBADF);
	CHECK_ERRNO("file.close_ebadf_negative", close(-1), EBADF);
	CHECK_ERRNO("file.lseek_ebadf", lseek(9999, 0, SEEK_SET), EBADF);
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	CHECK_ERRNO("file.read_closed_fd", read(fd, buf, 1), EBADF);
	CHECK_ERRNO("file.fstat_closed_fd", fstat(fd, &st), EBADF);

	CHECK_ERRNO("file.open_path_efault",
		    syscall(SYS_open, BADPTR, O_RDONLY), EFAULT);
	CHECK_ERRNO("file.open_path_kernel", syscall(SYS_open, KPTR, O_RDONLY),
		    EFAULT);
	CHECK_ERRNO("file.open_empty_path", open("", O_RDONLY), ENOENT);
	CHECK_ERRNO("file.open_enoent_dir", open("/no-such-dir/file", O_RDONLY),
		    ENOENT);
	CHECK_ERRNO("file.open_creat_enoent_dir",
		    open("/no-such-dir/file", O_CREAT | O_WRONLY, 0600),
		    ENOENT);
	CHECK_ERRNO("file.open_through_file_enotdir",
		    open("/etc/motd/x", O_RDONLY), ENOTDIR);
	CHECK_ERRNO("file.open_file_trailing_slash",
		    open("/etc/motd/", O_RDONLY), ENOTDIR);

	/* PATH_MAX (4096 with its NUL) and NAME_MAX (255). */
	static char lp[5000];
	for (int i = 0; i < 4998; i += 2)
		memcpy(lp + i, "/a", 2);
	lp[4998] = 0;
	CHECK_ERRNO("file.path_too_long", open(lp, O_RDONLY), ENAMETOOLONG);
	memset(lp, 'n', 305);
	memcpy(lp, "/tmp/", 5);
	lp[305] = 0;
	CHECK_ERRNO("file.name_too_long", open(lp, O_RDONLY), ENAMETOOLONG);
	CHECK_ERRNO("file.name_too_long_creat",
		    open(lp, O_CREAT | O_WRONLY, 0600), ENAMETOOLONG);
	lp[5 + 255] = 0;
	CHECK_ERRNO("file.name_255_ok_enoent", open(lp, O_RDONLY), ENOENT);
}

/* Every length 0..300 at every alignment 0..8 of both buffers, through a
 * pipe: the user copies go eight bytes a step plus a tail, so each seam
 * must hold. And a copy whose tail crosses into an unmapped page fails. */
static void copy_seams(void)
{
	static unsigned char src[320], dst[320];
	int p[2], bad = 0;
	pipe(p);
	for (int len = 0; len <= 300 && !bad; len++)
		for (int a = 0; a < 9 && !bad; a++) {
			for (int i = 0; i < 320; i++)
				src[i] = (unsigned char)(i * 7 + len + a);
			memset(dst, 0xee, sizeof(dst));
			if (write(p[1], src + a, len) != len ||
			    read(p[0], dst + (8 - a), len) != (len ? len : 0))
				bad = 1;
			else if (memcmp(dst + (8 - a), src + a, len) ||
				 dst[8 - a + len] != 0xee ||
				 (8 - a > 0 && dst[7 - a] != 0xee))
				bad = 2;
		}
	CHECK("copy.all_seams", !bad, "failed (%d)", bad);
	/* 4 bytes before an unmapped page, asked for 12: EFAULT. */
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pg + 4096, 4096);
	memset(pg + 4092, 'x', 4);
	CHECK_ERRNO("copy.tail_crosses_hole", write(p[1], pg + 4092, 12),
		    EFAULT);
	int zero = open("/dev/zero", O_RDONLY);
	CHECK_ERRNO("copy.read_into_hole", read(zero, pg + 4092, 12), EFAULT);
	close(zero);
	munmap(pg, 4096);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	copy_seams();
	snprintf(path, sizeof(path), "/tmp/lt-file-%d", (int)getpid());
	snprintf(path2, sizeof(path2), "/tmp/lt-file2-%d", (int)getpid());
	unlink(path);
	unlink(path2);
	test_basic_io();
	test_open_flags();
	test_dev();
	test_errors();
	CHECK_OK("file.unlink", unlink(path));
	CHECK_ERRNO("file.open_after_unlink", open(path, O_RDONLY), ENOENT);
	unlink(path2);
	return check_summary("sys_file");
}
