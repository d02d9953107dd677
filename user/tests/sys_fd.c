/* System calls about file descriptors and inodes: the stat family (stat,
 * lstat, fstat, newfstatat, statx), access/faccessat, dup/dup2/dup3, fcntl,
 * terminal ioctls on the console, and running out of descriptors (EMFILE). */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "check.h"

#define KPTR ((void *)0xffff800000000000UL)
#define BADPTR ((void *)0x1)

/* Linux's struct statx (musl 1.2.3 has none). */
struct lt_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
struct lt_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct lt_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define LT_STATX_TYPE 0x1U
#define LT_STATX_MODE 0x2U
#define LT_STATX_INO 0x100U
#define LT_STATX_SIZE 0x200U
#define LT_STATX_BASIC_STATS 0x7ffU
#define LT_STATX_RESERVED 0x80000000U

static char path[64], link_path[64], dangling[64];

static int fd_flags(int fd)
{
	return syscall(SYS_fcntl, fd, F_GETFD);
}

static void test_stat(void)
{
	struct stat st, st2;
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	write(fd, "0123456789", 10);
	int r = fstat(fd, &st);
	CHECK("stat.fstat_regular",
	      r == 0 && S_ISREG(st.st_mode) && st.st_size == 10 &&
		  (st.st_mode & 07777) == 0600 && st.st_nlink == 1 &&
		  st.st_uid == getuid() && st.st_blksize > 0,
	      "expected regular 0600 size 10 nlink 1, got r=%d mode %o size "
	      "%ld nlink %ld uid %d blksize %ld",
	      r, st.st_mode, (long)st.st_size, (long)st.st_nlink, st.st_uid,
	      (long)st.st_blksize);
	r = stat(path, &st2);
	CHECK("stat.stat_matches_fstat",
	      r == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
	      "r=%d ino %lu vs %lu", r, (unsigned long)st2.st_ino,
	      (unsigned long)st.st_ino);
	r = stat("/dev/null", &st2);
	CHECK("stat.dev_null_chr",
	      r == 0 && S_ISCHR(st2.st_mode) && st2.st_rdev == makedev(1, 3),
	      "expected char device 1:3, got r=%d mode %o rdev %u:%u", r,
	      st2.st_mode, major(st2.st_rdev), minor(st2.st_rdev));
	r = stat("/tmp", &st2);
	CHECK("stat.dir", r == 0 && S_ISDIR(st2.st_mode) && st2.st_nlink >= 2,
	      "expected directory nlink >= 2, got r=%d mode %o nlink %ld", r,
	      st2.st_mode, (long)st2.st_nlink);

	/* A symlink's own size is the length of its target. */
	symlink(path, link_path);
	r = lstat(link_path, &st2);
	CHECK("stat.lstat_symlink",
	      r == 0 && S_ISLNK(st2.st_mode) &&
		  st2.st_size == (off_t)strlen(path),
	      "expected symlink of size %zu, got r=%d mode %o size %ld",
	      strlen(path), r, st2.st_mode, (long)st2.st_size);
	r = stat(link_path, &st2);
	CHECK("stat.stat_follows_symlink", r == 0 && st2.st_ino == st.st_ino,
	      "r=%d %s, ino %lu vs %lu", r, errname(errno),
	      (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
	symlink("/tmp/lt-no-such-target", dangling);
	CHECK_ERRNO("stat.stat_dangling_enoent", stat(dangling, &st2), ENOENT);
	CHECK_OK("stat.lstat_dangling", lstat(dangling, &st2));

	/* newfstatat, raw: AT_FDCWD, a dirfd, AT_EMPTY_PATH, NOFOLLOW. */
	r = syscall(SYS_newfstatat, AT_FDCWD, path, &st2, 0);
	CHECK("stat.newfstatat_fdcwd", r == 0 && st2.st_ino == st.st_ino,
	      "r=%d %s", r, errname(errno));
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	r = syscall(SYS_newfstatat, dfd, path + 5, &st2, 0);
	CHECK("stat.newfstatat_dirfd", r == 0 && st2.st_ino == st.st_ino,
	      "r=%d %s", r, errname(errno));
	close(dfd);
	memset(&st2, 0, sizeof(st2));
	r = syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH);
	CHECK("stat.newfstatat_empty_path",
	      r == 0 && st2.st_ino == st.st_ino && st2.st_size == 10, "r=%d %s",
	      r, errname(errno));
	CHECK_ERRNO("stat.newfstatat_empty_no_flag",
		    syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT);
	r = syscall(SYS_newfstatat, 1, "", &st2, AT_EMPTY_PATH);
	CHECK("stat.newfstatat_stdout_chr", r == 0 && S_ISCHR(st2.st_mode),
	      "expected char device on fd 1, got r=%d mode %o", r, st2.st_mode);
	r = syscall(SYS_newfstatat, AT_FDCWD, link_path, &st2,
		    AT_SYMLINK_NOFOLLOW);
	CHECK("stat.newfstatat_nofollow", r == 0 && S_ISLNK(st2.st_mode),
	      "r=%d mode %o", r, st2.st_mode);
	CHECK_ERRNO("stat.newfstatat_bad_flags",
		    syscall(SYS_newfstatat, AT_FDCWD, path, &st2, 0x1), EINVAL);

	/* EFAULT for the path and for the result buffer. */
	CHECK_ERRNO("stat.stat_buf_efault", syscall(SYS_stat, path, BADPTR),
		    EFAULT);
	CHECK_ERRNO("stat.stat_buf_kernel", syscall(SYS_stat, path, KPTR),
		    EFAULT);
	CHECK_ERRNO("stat.stat_path_efault", syscall(SYS_stat, BADPTR, &st2),
		    EFAULT);
	CHECK_ERRNO("stat.fstat_buf_kernel", syscall(SYS_fstat, fd, KPTR),
		    EFAULT);
	CHECK_ERRNO("stat.stat_enoent", stat("/tmp/lt-no-such-file", &st2),
		    ENOENT);
	CHECK_ERRNO("stat.stat_enotdir", stat("/etc/motd/x", &st2), ENOTDIR);
	CHECK_ERRNO("stat.fstat_ebadf", syscall(SYS_fstat, 9999, &st2), EBADF);

	struct lt_statx sx;
	memset(&sx, 0, sizeof(sx));
	r = syscall(SYS_statx, AT_FDCWD, path, 0, LT_STATX_BASIC_STATS, &sx);
	unsigned need =
	    LT_STATX_TYPE | LT_STATX_MODE | LT_STATX_INO | LT_STATX_SIZE;
	CHECK("stat.statx",
	      r == 0 && (sx.stx_mask & need) == need && sx.stx_size == 10 &&
		  S_ISREG(sx.stx_mode) && sx.stx_ino == st.st_ino &&
		  sx.stx_nlink == 1,
	      "r=%d %s mask %x size %lu mode %o", r, errname(errno),
	      sx.stx_mask, (unsigned long)sx.stx_size, sx.stx_mode);
	memset(&sx, 0, sizeof(sx));
	r = syscall(SYS_statx, fd, "", AT_EMPTY_PATH, LT_STATX_BASIC_STATS,
		    &sx);
	CHECK("stat.statx_empty_path", r == 0 && sx.stx_ino == st.st_ino,
	      "r=%d %s", r, errname(errno));
	CHECK_ERRNO(
	    "stat.statx_reserved_mask",
	    syscall(SYS_statx, AT_FDCWD, path, 0, LT_STATX_RESERVED, &sx),
	    EINVAL);
	CHECK_ERRNO(
	    "stat.statx_efault",
	    syscall(SYS_statx, AT_FDCWD, path, 0, LT_STATX_BASIC_STATS, BADPTR),
	    EFAULT);
	close(fd);
}

static void test_access(void)
{
	CHECK_OK("access.f_ok", access(path, F_OK));
	CHECK_OK("access.rw_ok", access(path, R_OK | W_OK));
	/* Even root needs at least one x bit for X_OK on a regular file. */
	CHECK_ERRNO("access.x_ok_no_x_bit", access(path, X_OK), EACCES);
	CHECK_OK("access.x_ok_busybox", access("/bin/busybox", X_OK));
	CHECK_OK("access.x_ok_dir", access("/tmp", X_OK));
	CHECK_ERRNO("access.enoent", access("/tmp/lt-no-such-file", F_OK),
		    ENOENT);
	CHECK_ERRNO("access.bad_mode", syscall(SYS_access, path, 8), EINVAL);
	CHECK_OK("access.faccessat_fdcwd",
		 syscall(SYS_faccessat, AT_FDCWD, path, R_OK));
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_OK("access.faccessat_dirfd",
		 syscall(SYS_faccessat, dfd, path + 5, R_OK));
	close(dfd);
	CHECK_OK("access.faccessat2",
		 syscall(SYS_faccessat2, AT_FDCWD, path, R_OK, 0));
	CHECK_ERRNO("access.faccessat2_bad_flags",
		    syscall(SYS_faccessat2, AT_FDCWD, path, R_OK, 0x1), EINVAL);
}

static void test_dup(long nofile)
{
	char buf[8];
	int fd = open(path, O_RDWR);
	int a = open("/dev/null", O_RDONLY);
	int b = open("/dev/null", O_RDONLY);
	close(a);
	int d = dup(fd);
	CHECK("dup.lowest_free", d == a, "expected %d, got %d %s", a, d,
	      errname(errno));
	lseek(fd, 4, SEEK_SET);
	long off = lseek(d, 0, SEEK_CUR);
	CHECK("dup.shares_offset", off == 4, "expected 4, got %ld", off);
	close(d);
	close(b);
	CHECK_ERRNO("dup.ebadf", dup(d), EBADF);
	int c = open(path, O_RDONLY | O_CLOEXEC);
	d = dup(c);
	CHECK(
	    "dup.clears_cloexec", fd_flags(c) == FD_CLOEXEC && fd_flags(d) == 0,
	    "expected FD_CLOEXEC then 0, got %d, %d", fd_flags(c), fd_flags(d));
	close(d);

	d = dup2(fd, 100);
	long n = pread(100, buf, 3, 0);
	CHECK("dup.dup2", d == 100 && n == 3 && !memcmp(buf, "012", 3),
	      "expected 100 then read \"012\", got %d %ld", d, n);
	CHECK("dup.dup2_same_fd", dup2(fd, fd) == fd, "dup2(fd, fd) != fd: %s",
	      errname(errno));
	d = dup2(c, 100); /* replaces the open 100 silently */
	struct stat s1, s2;
	fstat(100, &s1);
	fstat(c, &s2);
	CHECK("dup.dup2_replaces_open",
	      d == 100 && s1.st_ino == s2.st_ino && fd_flags(100) == 0,
	      "d=%d, flags %d", d, fd_flags(100));
	close(100);
	CHECK_ERRNO("dup.dup2_closed_old", dup2(100, 101), EBADF);
	CHECK_ERRNO("dup.dup2_negative_new", syscall(SYS_dup2, fd, -1), EBADF);
	CHECK_ERRNO("dup.dup2_new_at_rlimit", syscall(SYS_dup2, fd, nofile),
		    EBADF);

	CHECK_ERRNO("dup.dup3_same_fd", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	d = syscall(SYS_dup3, fd, 101, O_CLOEXEC);
	CHECK("dup.dup3_cloexec", d == 101 && fd_flags(101) == FD_CLOEXEC,
	      "expected 101 with FD_CLOEXEC, got %d flags %d", d,
	      fd_flags(101));
	close(101);
	CHECK_ERRNO("dup.dup3_bad_flags", syscall(SYS_dup3, fd, 101, O_APPEND),
		    EINVAL);
	close(c);
	close(fd);
}

static void test_fcntl(long nofile)
{
	int fd = open(path, O_RDWR);
	CHECK("fcntl.getfd_default", fd_flags(fd) == 0, "expected 0, got %d",
	      fd_flags(fd));
	long r = syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	CHECK("fcntl.setfd", r == 0 && fd_flags(fd) == FD_CLOEXEC,
	      "r=%ld, flags %d", r, fd_flags(fd));
	syscall(SYS_fcntl, fd, F_SETFD, 0);
	CHECK("fcntl.setfd_clear", fd_flags(fd) == 0, "flags %d", fd_flags(fd));

	long fl = syscall(SYS_fcntl, fd, F_GETFL);
	CHECK("fcntl.getfl",
	      fl >= 0 && (fl & O_ACCMODE) == O_RDWR &&
		  !(fl & (O_APPEND | O_NONBLOCK)),
	      "expected O_RDWR, got %#lx", fl);
	r = syscall(SYS_fcntl, fd, F_SETFL, O_WRONLY | O_APPEND | O_NONBLOCK);
	fl = syscall(SYS_fcntl, fd, F_GETFL);
	CHECK("fcntl.setfl",
	      r == 0 && (fl & O_ACCMODE) == O_RDWR && (fl & O_APPEND) &&
		  (fl & O_NONBLOCK),
	      "expected O_RDWR|O_APPEND|O_NONBLOCK, got r=%ld fl %#lx", r, fl);
	syscall(SYS_fcntl, fd, F_SETFL, 0);
	fl = syscall(SYS_fcntl, fd, F_GETFL);
	CHECK("fcntl.setfl_clear", !(fl & (O_APPEND | O_NONBLOCK)),
	      "expected flags cleared, got %#lx", fl);

	int d = syscall(SYS_fcntl, fd, F_DUPFD, 50);
	CHECK("fcntl.dupfd", d >= 50 && fd_flags(d) == 0,
	      "expected >= 50 without FD_CLOEXEC, got %d flags %d", d,
	      fd_flags(d));
	int d2 = syscall(SYS_fcntl, fd, F_DUPFD, 50);
	CHECK("fcntl.dupfd_next", d2 > d, "expected > %d, got %d", d, d2);
	close(d);
	close(d2);
	d = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 10);
	CHECK("fcntl.dupfd_cloexec", d >= 10 && fd_flags(d) == FD_CLOEXEC,
	      "expected >= 10 with FD_CLOEXEC, got %d flags %d", d,
	      fd_flags(d));
	close(d);
	CHECK_ERRNO("fcntl.dupfd_at_rlimit",
		    syscall(SYS_fcntl, fd, F_DUPFD, nofile), EINVAL);
	CHECK_ERRNO("fcntl.bad_cmd", syscall(SYS_fcntl, fd, 9999), EINVAL);
	CHECK_ERRNO("fcntl.ebadf", syscall(SYS_fcntl, 9999, F_GETFD), EBADF);
	close(fd);
}

static void test_ioctl(void)
{
	char t[64]; /* struct termios as the kernel writes it is 36 bytes */
	struct winsize ws;
	int fd = open(path, O_RDONLY);
	CHECK_ERRNO("ioctl.tcgets_file_enotty",
		    syscall(SYS_ioctl, fd, TCGETS, t), ENOTTY);
	CHECK_ERRNO("ioctl.tiocgwinsz_file_enotty",
		    syscall(SYS_ioctl, fd, TIOCGWINSZ, &ws), ENOTTY);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	CHECK_ERRNO("ioctl.tcgets_devnull_enotty",
		    syscall(SYS_ioctl, fd, TCGETS, t), ENOTTY);
	close(fd);
	CHECK_OK("ioctl.tcgets_stdin", syscall(SYS_ioctl, 0, TCGETS, t));
	CHECK_OK("ioctl.tcgets_stdout", syscall(SYS_ioctl, 1, TCGETS, t));
	CHECK_OK("ioctl.tiocgwinsz_stdout",
		 syscall(SYS_ioctl, 1, TIOCGWINSZ, &ws));
	CHECK_ERRNO("ioctl.tcgets_efault", syscall(SYS_ioctl, 1, TCGETS, KPTR),
		    EFAULT);
	CHECK_ERRNO("ioctl.ebadf", syscall(SYS_ioctl, 9999, TCGETS, t), EBADF);
}

/* Opens /dev/null until it fails; the last fd must be RLIMIT_NOFILE - 1. */
static void test_emfile(long nofile)
{
	static int fds[1 << 16];
	int n = 0, fd = -1, e = 0;
	while (n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			e = errno;
			break;
		}
		fds[n++] = fd;
	}
	int last = n ? fds[n - 1] : -1;
	CHECK("fd.emfile", fd < 0 && e == EMFILE,
	      "expected EMFILE after %d opens, got %d %s", n, fd, errname(e));
	CHECK("fd.emfile_at_rlimit", last == nofile - 1,
	      "expected last fd %ld, got %d", nofile - 1, last);
	CHECK_ERRNO("fd.dup_emfile", dup(0), EMFILE);
	while (n > 0)
		close(fds[--n]);
	fd = open("/dev/null", O_RDONLY);
	CHECK("fd.open_after_close_all", fd >= 0 && fd < 16,
	      "expected a small fd, got %d %s", fd, errname(errno));
	close(fd);
}

/* close_range(2): closes what is open in the range (skipping gaps), or
 * marks it close-on-exec; the range may reach past every descriptor. */
static void test_close_range(void)
{
	int a = open("/dev/null", O_RDONLY);
	int b = dup2(a, 40), c = dup2(a, 42), d = dup2(a, 50);
	CHECK("close_range.setup", a >= 0 && b == 40 && c == 42 && d == 50,
	      "%s", errname(errno));
	CHECK_OK("close_range.close", syscall(SYS_close_range, 40, 45, 0));
	CHECK("close_range.closed",
	      fcntl(40, F_GETFD) == -1 && fcntl(42, F_GETFD) == -1 &&
		  fcntl(50, F_GETFD) == 0 && fcntl(a, F_GETFD) == 0,
	      "a range of descriptors was not closed as asked");
	CHECK_OK("close_range.cloexec",
		 syscall(SYS_close_range, 50, ~0U, 4 /* CLOEXEC */));
	CHECK("close_range.cloexec_set",
	      fcntl(50, F_GETFD) == FD_CLOEXEC && fcntl(a, F_GETFD) == 0,
	      "flags %d", fcntl(50, F_GETFD));
	CHECK_OK("close_range.to_max", syscall(SYS_close_range, 50, ~0U, 0));
	CHECK("close_range.to_max_closed", fcntl(50, F_GETFD) == -1,
	      "fd 50 still open");
	CHECK_ERRNO("close_range.first_after_last",
		    syscall(SYS_close_range, 9, 8, 0), EINVAL);
	CHECK_ERRNO("close_range.bad_flags",
		    syscall(SYS_close_range, 40, 41, 1), EINVAL);
	CHECK_OK("close_range.unshare",
		 syscall(SYS_close_range, 4000, 5000, 2 /* UNSHARE */));
	close(a);
}

int main(void)
{
	/* Without a limit to read, use one no fd table reaches: the checks
	 * that compare with it then fail instead of clobbering fd 0. */
	struct rlimit rl;
	long nofile = 1L << 20;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1UL << 20))
		nofile = rl.rlim_cur;
	snprintf(path, sizeof(path), "/tmp/lt-fd-%d", (int)getpid());
	snprintf(link_path, sizeof(link_path), "/tmp/lt-fd-link-%d",
		 (int)getpid());
	snprintf(dangling, sizeof(dangling), "/tmp/lt-fd-dangling-%d",
		 (int)getpid());
	unlink(path);
	unlink(link_path);
	unlink(dangling);
	test_stat();
	test_access();
	test_dup(nofile);
	test_fcntl(nofile);
	test_ioctl();
	test_emfile(nofile);
	test_close_range();
	unlink(path);
	unlink(link_path);
	unlink(dangling);
	return check_summary("sys_fd");
}
