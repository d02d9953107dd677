/* Host tests of the trace tool's decoding (user/trace/decode.c): the text
 * of calls as strace prints them, the name tables, string escapes and
 * truncation, and snprintf-style behaviour with small buffers (exact-size
 * heap buffers, so ASan sees any write past the end). */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

#include "../../user/trace/decode.c"
#include "../../user/trace/names.c"

#define FDCWD32 0xffffff9cULL
#define FDCWD64 ((uint64_t)-100)

static char out[1024];

/* A call with up to one string argument (sarg < 0: none). */
static const char *fmt(int nr, const uint64_t a[6], int sarg, const char *s,
		       size_t slen, bool cut, long ret, bool finished)
{
	struct trace_call c = {.nr = nr, .finished = finished, .ret = ret};

	memcpy(c.args, a, sizeof(c.args));
	if (sarg >= 0) {
		c.str[0] = (struct trace_str){sarg, s, slen, cut};
		c.nstr = 1;
	}
	trace_format_call(out, sizeof(out), &c);
	return out;
}

#define ARGS(...) ((const uint64_t[6]){__VA_ARGS__})
/* CALL(nr, ret, args...): no strings. */
#define CALL(nr, ret, ...) fmt(nr, ARGS(__VA_ARGS__), -1, NULL, 0, 0, ret, 1)
/* CALL_S(nr, ret, sarg, "literal", args...): one string, whole. */
#define CALL_S(nr, ret, sarg, s, ...)                                          \
	fmt(nr, ARGS(__VA_ARGS__), sarg, s, sizeof(s) - 1, false, ret, true)

/* Two strings, for rename-like calls. */
static const char *fmt2(int nr, const uint64_t a[6], int arg1, const char *s1,
			int arg2, const char *s2, long ret)
{
	struct trace_call c = {.nr = nr, .finished = true, .ret = ret};

	memcpy(c.args, a, sizeof(c.args));
	c.str[0] = (struct trace_str){arg1, s1, strlen(s1), false};
	c.str[1] = (struct trace_str){arg2, s2, strlen(s2), false};
	c.nstr = 2;
	trace_format_call(out, sizeof(out), &c);
	return out;
}

static void test_files(void)
{
	CHECK_EQ_STR("openat_enoent",
		     CALL_S(NR_openat, -2, 1, "example.txt", FDCWD32, 0x1000),
		     "openat(AT_FDCWD, \"example.txt\", O_RDONLY) = -1 ENOENT "
		     "(No such file or directory)");
	CHECK_EQ_STR("openat_fdcwd_64bit",
		     CALL_S(NR_openat, 3, 1, "x", FDCWD64, 0x1000),
		     "openat(AT_FDCWD, \"x\", O_RDONLY) = 3");
	CHECK_EQ_STR("openat_dirfd_not_fdcwd",
		     CALL_S(NR_openat, 4, 1, "x", 3, 0x1000, 0200000),
		     "openat(3, \"x\", O_RDONLY|O_DIRECTORY) = 4");
	CHECK_EQ_STR(
	    "openat_creat_mode",
	    CALL_S(NR_openat, 3, 1, "/tmp/x", FDCWD32, 0x1000, 02001101, 0644),
	    "openat(AT_FDCWD, \"/tmp/x\", "
	    "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3");
	CHECK_EQ_STR(
	    "openat_tmpfile_mode",
	    CALL_S(NR_openat, 3, 1, "/tmp", FDCWD32, 0x1000, 020200002, 0600),
	    "openat(AT_FDCWD, \"/tmp\", O_RDWR|O_TMPFILE, 0600) = 3");
	CHECK_EQ_STR("open_sync_unknown_bit",
		     CALL_S(NR_open, 3, 0, "f", 0x1000, 04010002 | 0x40000000),
		     "open(\"f\", O_RDWR|O_SYNC|0x40000000) = 3");
	CHECK_EQ_STR("open_dsync_only", CALL_S(NR_open, 3, 0, "f", 0, 010001),
		     "open(\"f\", O_WRONLY|O_DSYNC) = 3");
	CHECK_EQ_STR("write_data",
		     CALL_S(NR_write, 6, 1, "hello\n", 1, 0x1000, 6),
		     "write(1, \"hello\\n\", 6) = 6");
	CHECK_EQ_STR("read_data", CALL_S(NR_read, 3, 1, "abc", 3, 0x10, 4096),
		     "read(3, \"abc\", 4096) = 3");
	CHECK_EQ_STR("read_uncaptured_ebadf",
		     CALL(NR_read, -9, 3, 0x7ffc1234, 4096),
		     "read(3, 0x7ffc1234, 4096) = -1 EBADF (Bad file "
		     "descriptor)");
	CHECK_EQ_STR("close", CALL(NR_close, 0, 3), "close(3) = 0");
	CHECK_EQ_STR("close_minus_one", CALL(NR_close, -9, 0xffffffff),
		     "close(-1) = -1 EBADF (Bad file descriptor)");
	CHECK_EQ_STR("lseek", CALL(NR_lseek, 42, 3, 0, 2),
		     "lseek(3, 0, SEEK_END) = 42");
	CHECK_EQ_STR("lseek_negative_offset",
		     CALL(NR_lseek, 0, 3, (uint64_t)-5, 1),
		     "lseek(3, -5, SEEK_CUR) = 0");
	CHECK_EQ_STR("access_f_ok", CALL_S(NR_access, 0, 0, "/e", 0x10, 0),
		     "access(\"/e\", F_OK) = 0");
	CHECK_EQ_STR("access_rw",
		     CALL_S(NR_access, 0, 0, "/etc/passwd", 0x10, 6),
		     "access(\"/etc/passwd\", R_OK|W_OK) = 0");
	CHECK_EQ_STR(
	    "newfstatat_nofollow",
	    CALL_S(NR_newfstatat, 0, 1, "/x", FDCWD32, 0x10, 0x7ffc10, 0x100),
	    "newfstatat(AT_FDCWD, \"/x\", 0x7ffc10, "
	    "AT_SYMLINK_NOFOLLOW) = 0");
	CHECK_EQ_STR("newfstatat_flags_zero",
		     CALL_S(NR_newfstatat, 0, 1, "/x", FDCWD32, 0x10, 0x20, 0),
		     "newfstatat(AT_FDCWD, \"/x\", 0x20, 0) = 0");
	CHECK_EQ_STR("unlinkat_removedir",
		     CALL_S(NR_unlinkat, 0, 1, "d", FDCWD32, 0x10, 0x200),
		     "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0");
	CHECK_EQ_STR("faccessat2_eaccess",
		     CALL_S(NR_faccessat2, 0, 1, "f", FDCWD32, 0x10, 1, 0x200),
		     "faccessat2(AT_FDCWD, \"f\", X_OK, AT_EACCESS) = 0");
	CHECK_EQ_STR("fcntl_getfl_flags", CALL(NR_fcntl, 2, 3, 3, 99),
		     "fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)");
	CHECK_EQ_STR("fcntl_setfd_cloexec", CALL(NR_fcntl, 0, 3, 2, 1),
		     "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	CHECK_EQ_STR("fcntl_setfl", CALL(NR_fcntl, 0, 3, 4, 04002),
		     "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
	CHECK_EQ_STR("fcntl_dupfd_cloexec", CALL(NR_fcntl, 10, 3, 1030, 10),
		     "fcntl(3, F_DUPFD_CLOEXEC, 10) = 10");
	CHECK_EQ_STR("fcntl_getfd_zero", CALL(NR_fcntl, 0, 3, 1, 5),
		     "fcntl(3, F_GETFD) = 0");
	CHECK_EQ_STR("pipe2", CALL(NR_pipe2, 0, 0x10, 02000000),
		     "pipe2(0x10, O_CLOEXEC) = 0");
	CHECK_EQ_STR("dup3", CALL(NR_dup3, 1, 3, 1, 02000000),
		     "dup3(3, 1, O_CLOEXEC) = 1");
	CHECK_EQ_STR("chdir", CALL_S(NR_chdir, 0, 0, "/tmp", 0x10),
		     "chdir(\"/tmp\") = 0");
	CHECK_EQ_STR("mkdir_mode", CALL_S(NR_mkdir, 0, 0, "d", 0x10, 0755),
		     "mkdir(\"d\", 0755) = 0");
	CHECK_EQ_STR("mkdirat_mode",
		     CALL_S(NR_mkdirat, 0, 1, "d", FDCWD32, 0x10, 0755),
		     "mkdirat(AT_FDCWD, \"d\", 0755) = 0");
	CHECK_EQ_STR("umask_octal", CALL(NR_umask, 022, 077),
		     "umask(077) = 022");
	CHECK_EQ_STR("mknodat_fifo",
		     CALL_S(NR_mknodat, 0, 1, "p", FDCWD32, 0x10, 010644, 0),
		     "mknodat(AT_FDCWD, \"p\", S_IFIFO|0644) = 0");
	CHECK_EQ_STR("rename", fmt2(NR_rename, ARGS(1, 2), 0, "a", 1, "b", 0),
		     "rename(\"a\", \"b\") = 0");
	CHECK_EQ_STR("renameat2",
		     fmt2(NR_renameat2, ARGS(FDCWD32, 1, FDCWD64, 2, 0), 1, "a",
			  3, "b", 0),
		     "renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0) = 0");
	CHECK_EQ_STR("symlink", fmt2(NR_symlink, ARGS(1, 2), 0, "t", 1, "l", 0),
		     "symlink(\"t\", \"l\") = 0");
	CHECK_EQ_STR("readlink",
		     fmt2(NR_readlink, ARGS(1, 2, 4096), 0, "/proc/self/exe", 1,
			  "/bin/busybox", 12),
		     "readlink(\"/proc/self/exe\", \"/bin/busybox\", 4096) = "
		     "12");
	CHECK_EQ_STR(
	    "getcwd_drops_nul",
	    fmt(NR_getcwd, ARGS(0x10, 4096), 0, "/tmp", 5, false, 5, true),
	    "getcwd(\"/tmp\", 4096) = 5");
	CHECK_EQ_STR(
	    "statx_sync_as_stat",
	    CALL_S(NR_statx, 0, 1, "/x", FDCWD32, 0x10, 0, 0x7ff, 0x20),
	    "statx(AT_FDCWD, \"/x\", AT_STATX_SYNC_AS_STAT, "
	    "STATX_BASIC_STATS, 0x20) = 0");
	CHECK_EQ_STR("getdents64", CALL(NR_getdents64, 48, 3, 0x10, 32768),
		     "getdents64(3, 0x10, 32768) = 48");
	CHECK_EQ_STR(
	    "execve",
	    CALL_S(NR_execve, 0, 0, "/bin/ls", 0x10, 0x7ffc20, 0x7ffc30),
	    "execve(\"/bin/ls\", 0x7ffc20, 0x7ffc30) = 0");
	CHECK_EQ_STR("ioctl_tcgets", CALL(NR_ioctl, 0, 1, 0x5401, 0x10),
		     "ioctl(1, TCGETS, 0x10) = 0");
	CHECK_EQ_STR("ioctl_tiocgwinsz", CALL(NR_ioctl, 0, 1, 0x5413, 0x10),
		     "ioctl(1, TIOCGWINSZ, 0x10) = 0");
	CHECK_EQ_STR("ioctl_unknown", CALL(NR_ioctl, -25, 1, 0x1234, 0x10),
		     "ioctl(1, 0x1234, 0x10) = -1 ENOTTY (Inappropriate ioctl "
		     "for device)");
}

static void test_memory_and_processes(void)
{
	CHECK_EQ_STR(
	    "mmap_hex_result",
	    CALL(NR_mmap, 0x7f5c2a000000, 0, 4096, 3, 0x22, (uint64_t)-1, 0),
	    "mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
	    "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5c2a000000");
	CHECK_EQ_STR("mmap_enomem",
		     CALL(NR_mmap, -12, 0, 4096, 0, 0x22, (uint64_t)-1, 0),
		     "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, "
		     "-1, 0) = -1 ENOMEM (Cannot allocate memory)");
	CHECK_EQ_STR(
	    "mmap_file_offset",
	    CALL(NR_mmap, 0x7f0000000000, 0x400000, 8192, 5, 0x812, 3, 0x2000),
	    "mmap(0x400000, 8192, PROT_READ|PROT_EXEC, "
	    "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x2000) = "
	    "0x7f0000000000");
	CHECK_EQ_STR("brk", CALL(NR_brk, 0x404000, 0), "brk(NULL) = 0x404000");
	CHECK_EQ_STR("munmap", CALL(NR_munmap, 0, 0x7f5c2a000000, 4096),
		     "munmap(0x7f5c2a000000, 4096) = 0");
	CHECK_EQ_STR("mprotect_none", CALL(NR_mprotect, 0, 0x7f00, 4096, 0),
		     "mprotect(0x7f00, 4096, PROT_NONE) = 0");
	CHECK_EQ_STR("mremap_maymove",
		     CALL(NR_mremap, 0x7f10, 0x7f00, 4096, 8192, 1, 0x55),
		     "mremap(0x7f00, 4096, 8192, MREMAP_MAYMOVE) = 0x7f10");
	CHECK_EQ_STR("rt_sigaction",
		     CALL(NR_rt_sigaction, 0, 2, 0x7ffc10, 0, 8),
		     "rt_sigaction(SIGINT, 0x7ffc10, NULL, 8) = 0");
	CHECK_EQ_STR("rt_sigprocmask",
		     CALL(NR_rt_sigprocmask, 0, 0, 0x7ffc10, 0, 8),
		     "rt_sigprocmask(SIG_BLOCK, 0x7ffc10, NULL, 8) = 0");
	CHECK_EQ_STR("kill", CALL(NR_kill, 0, 5, 15), "kill(5, SIGTERM) = 0");
	CHECK_EQ_STR("kill_rt_signal", CALL(NR_kill, 0, 5, 35),
		     "kill(5, SIGRT_3) = 0");
	CHECK_EQ_STR("getppid_no_args", CALL(NR_getppid, 1, 7, 7, 7, 7, 7, 7),
		     "getppid() = 1");
	CHECK_EQ_STR("clock_gettime", CALL(NR_clock_gettime, 0, 1, 0x10),
		     "clock_gettime(CLOCK_MONOTONIC, 0x10) = 0");
	CHECK_EQ_STR("wait4", CALL(NR_wait4, 7, (uint64_t)-1, 0x10, 0, 0),
		     "wait4(-1, 0x10, 0, NULL) = 7");
	CHECK_EQ_STR("wait4_wnohang",
		     CALL(NR_wait4, 0, (uint64_t)-1, 0x10, 1, 0),
		     "wait4(-1, 0x10, WNOHANG, NULL) = 0");
	CHECK_EQ_STR("arch_prctl", CALL(NR_arch_prctl, 0, 0x1002, 0x4c5b40),
		     "arch_prctl(ARCH_SET_FS, 0x4c5b40) = 0");
	CHECK_EQ_STR("futex_wait", CALL(NR_futex, 0, 0x10, 128, 2, 0, 7, 7),
		     "futex(0x10, FUTEX_WAIT_PRIVATE, 2, NULL) = 0");
	CHECK_EQ_STR("futex_wake", CALL(NR_futex, 1, 0x10, 129, 1, 7, 7, 7),
		     "futex(0x10, FUTEX_WAKE_PRIVATE, 1) = 1");
	CHECK_EQ_STR(
	    "futex_wait_bitset",
	    CALL(NR_futex, 0, 0x10, 9 | 128 | 256, 0, 0x20, 7, 0xffffffff),
	    "futex(0x10, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
	    ", 0, 0x20, FUTEX_BITSET_MATCH_ANY) = 0");
	CHECK_EQ_STR("clone_flags",
		     CALL(NR_clone, 7, 0x1200011, 0, 0, 0x4000, 0),
		     "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		     "NULL, NULL, 0x4000, 0) = 7");
	CHECK_EQ_STR("clone_signal_only", CALL(NR_clone, 7, 17, 0, 0, 0, 0),
		     "clone(SIGCHLD, NULL, NULL, NULL, 0) = 7");
	CHECK_EQ_STR(
	    "clone_thread_flags",
	    CALL(NR_clone, 8, 0x3d0f00 | 10, 0x7f00, 0x7f10, 0x7f20, 0x7f30),
	    "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
	    "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
	    "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|SIGUSR1, 0x7f00, "
	    "0x7f10, 0x7f20, 0x7f30) = 8");
	CHECK_EQ_STR("getrandom", CALL(NR_getrandom, 16, 0x10, 16, 1),
		     "getrandom(0x10, 16, GRND_NONBLOCK) = 16");
	CHECK_EQ_STR("nanosleep", CALL(NR_nanosleep, 0, 0x10, 0),
		     "nanosleep(0x10, NULL) = 0");
	CHECK_EQ_STR("set_tid_address", CALL(NR_set_tid_address, 5, 0x10),
		     "set_tid_address(0x10) = 5");
	CHECK_EQ_STR("uname", CALL(NR_uname, 0, 0x10), "uname(0x10) = 0");
	CHECK_EQ_STR("socket", CALL(NR_socket, 3, 1, 1 | 02000000, 0),
		     "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3");
	CHECK_EQ_STR("exit_group_unfinished",
		     fmt(NR_exit_group, ARGS(0), -1, NULL, 0, 0, 0, false),
		     "exit_group(0) = ?");
	CHECK_EQ_STR("exit_unfinished",
		     fmt(NR_exit, ARGS(1, 9), -1, NULL, 0, 0, 0, false),
		     "exit(1) = ?");
}

static void test_fallbacks(void)
{
	CHECK_EQ_STR("unknown_syscall", CALL(NR_io_setup, -38, 1, 2),
		     "io_setup(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not "
		     "implemented)");
	CHECK_EQ_STR("no_name", CALL(460, 0, 1),
		     "syscall_460(0x1, 0, 0, 0, 0, 0) = 0");
	CHECK_EQ_STR("negative_nr", CALL(-1, 0, 0),
		     "syscall_-1(0, 0, 0, 0, 0, 0) = 0");
	CHECK_EQ_STR("unknown_errno", CALL(NR_close, -300, 3),
		     "close(3) = -1 (errno 300)");
	CHECK_EQ_STR("large_negative_not_errno", CALL(NR_lseek, -4096, 3),
		     "lseek(3, 0, SEEK_SET) = -4096");
	CHECK_EQ_STR("unknown_fcntl_cmd", CALL(NR_fcntl, -22, 3, 999, 0x10),
		     "fcntl(3, 999, 0x10) = -1 EINVAL (Invalid argument)");
	CHECK_EQ_STR("string_for_other_arg_ignored",
		     CALL_S(NR_read, 0, 0, "zz", 3, 0x10, 4),
		     "read(3, 0x10, 4) = 0");
}

static void test_strings(void)
{
	CHECK_EQ_STR("escapes",
		     CALL_S(NR_write, 7, 1, "a\nb\t\"\\\0", 1, 0x10, 7),
		     "write(1, \"a\\nb\\t\\\"\\\\\\0\", 7) = 7");
	CHECK_EQ_STR("escapes_cr_ff_vt",
		     CALL_S(NR_write, 3, 1, "\r\f\v", 1, 0x10, 3),
		     "write(1, \"\\r\\f\\v\", 3) = 3");
	CHECK_EQ_STR("octal_before_digit",
		     CALL_S(NR_write, 2, 1, "\0331", 1, 0x10, 2),
		     "write(1, \"\\0331\", 2) = 2");
	CHECK_EQ_STR("octal_short", CALL_S(NR_write, 2, 1, "\33[", 1, 0x10, 2),
		     "write(1, \"\\33[\", 2) = 2");
	CHECK_EQ_STR("octal_nul_before_digit",
		     CALL_S(NR_write, 2, 1, "\0007", 1, 0x10, 2),
		     "write(1, \"\\0007\", 2) = 2");
	CHECK_EQ_STR("octal_high_byte",
		     CALL_S(NR_write, 2, 1, "\xff\x7f", 1, 0x10, 2),
		     "write(1, \"\\377\\177\", 2) = 2");
	CHECK_EQ_STR("kernel_truncated_path",
		     fmt(NR_chdir, ARGS(0x10), 0, "abc", 3, true, 0, true),
		     "chdir(\"abc\"...) = 0");
	const char *big = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
	CHECK_EQ_STR(
	    "data_cut_at_32",
	    fmt(NR_write, ARGS(1, 0x10, 40), 1, big, 40, false, 40, true),
	    "write(1, \"0123456789abcdefghijklmnopqrstuv\"..., 40) = "
	    "40");
	CHECK_EQ_STR(
	    "data_32_not_cut",
	    fmt(NR_write, ARGS(1, 0x10, 32), 1, big, 32, false, 32, true),
	    "write(1, \"0123456789abcdefghijklmnopqrstuv\", 32) = 32");
	CHECK_EQ_STR("path_not_cut_at_32",
		     fmt(NR_chdir, ARGS(0x10), 0, big, 40, false, 0, true),
		     "chdir(\"0123456789abcdefghijklmnopqrstuvwxyzABCD\") = 0");
}

/* Every required call has a signature, so it does not fall back to six
 * hex arguments; calls without arguments print "()". */
static void test_coverage(void)
{
	static const char *const required[] = {
	    "read",
	    "write",
	    "open",
	    "close",
	    "stat",
	    "fstat",
	    "lstat",
	    "poll",
	    "lseek",
	    "mmap",
	    "mprotect",
	    "munmap",
	    "brk",
	    "rt_sigaction",
	    "rt_sigprocmask",
	    "rt_sigreturn",
	    "ioctl",
	    "pread64",
	    "pwrite64",
	    "readv",
	    "writev",
	    "access",
	    "pipe",
	    "select",
	    "sched_yield",
	    "mremap",
	    "madvise",
	    "dup",
	    "dup2",
	    "pause",
	    "nanosleep",
	    "getpid",
	    "sendfile",
	    "socket",
	    "connect",
	    "accept",
	    "sendto",
	    "recvfrom",
	    "shutdown",
	    "bind",
	    "listen",
	    "clone",
	    "fork",
	    "vfork",
	    "execve",
	    "exit",
	    "wait4",
	    "kill",
	    "uname",
	    "fcntl",
	    "flock",
	    "fsync",
	    "fdatasync",
	    "truncate",
	    "ftruncate",
	    "getdents",
	    "getcwd",
	    "chdir",
	    "fchdir",
	    "rename",
	    "mkdir",
	    "rmdir",
	    "creat",
	    "link",
	    "unlink",
	    "symlink",
	    "readlink",
	    "chmod",
	    "fchmod",
	    "chown",
	    "fchown",
	    "lchown",
	    "umask",
	    "gettimeofday",
	    "getrlimit",
	    "getrusage",
	    "sysinfo",
	    "times",
	    "getuid",
	    "getgid",
	    "setuid",
	    "setgid",
	    "geteuid",
	    "getegid",
	    "setpgid",
	    "getppid",
	    "getpgrp",
	    "setsid",
	    "getpgid",
	    "getsid",
	    "rt_sigpending",
	    "rt_sigtimedwait",
	    "rt_sigsuspend",
	    "sigaltstack",
	    "statfs",
	    "fstatfs",
	    "arch_prctl",
	    "setrlimit",
	    "chroot",
	    "sync",
	    "mount",
	    "umount2",
	    "sethostname",
	    "gettid",
	    "tkill",
	    "time",
	    "futex",
	    "set_tid_address",
	    "clock_gettime",
	    "clock_getres",
	    "clock_nanosleep",
	    "exit_group",
	    "tgkill",
	    "openat",
	    "mkdirat",
	    "mknodat",
	    "fchownat",
	    "newfstatat",
	    "unlinkat",
	    "renameat",
	    "linkat",
	    "symlinkat",
	    "readlinkat",
	    "fchmodat",
	    "faccessat",
	    "pselect6",
	    "ppoll",
	    "set_robust_list",
	    "utimensat",
	    "pipe2",
	    "dup3",
	    "prlimit64",
	    "getrandom",
	    "renameat2",
	    "statx",
	    "faccessat2",
	    "getdents64",
	    "rseq",
	};
	char why[200] = "";

	for (int i = 0; i < COUNT(required) && !why[0]; i++) {
		int nr = trace_syscall_nr(required[i]);
		if (nr < 0 || !sigs[nr])
			snprintf(why, sizeof(why), "%s has no signature",
				 required[i]);
	}
	unit_report(!why[0], "required_signatures", __FILE__, __LINE__, why);
	CHECK_EQ_STR("getpid_no_args", CALL(NR_getpid, 5, 1, 2, 3),
		     "getpid() = 5");
	CHECK_EQ_STR("sched_yield_no_args", CALL(NR_sched_yield, 0, 1),
		     "sched_yield() = 0");
	CHECK_EQ_STR("tgkill_three_args", CALL(NR_tgkill, 0, 5, 6, 9, 1),
		     "tgkill(5, 6, SIGKILL) = 0");
}

static void test_tables(void)
{
	char why[200] = "";

	CHECK_EQ_STR("name_openat", trace_syscall_name(257), "openat");
	CHECK_EQ_STR("name_faccessat2", trace_syscall_name(439), "faccessat2");
	CHECK_EQ_INT("nr_openat", trace_syscall_nr("openat"), 257);
	CHECK_EQ_INT("nr_read", trace_syscall_nr("read"), 0);
	CHECK_EQ_INT("nr_unknown", trace_syscall_nr("nosuch"), -1);
	CHECK("name_out_of_range", trace_syscall_name(-1) == NULL &&
				       trace_syscall_name(100000) == NULL &&
				       trace_syscall_name(400) == NULL);
	CHECK_EQ_STR("errno_enoent", trace_errno_name(2), "ENOENT");
	CHECK_EQ_STR("errno_eagain_text", trace_errno_text(11),
		     "Resource temporarily unavailable");
	CHECK_EQ_STR("errno_eopnotsupp", trace_errno_name(95), "EOPNOTSUPP");
	CHECK_EQ_STR("errno_text_efault", trace_errno_text(14), "Bad address");
	CHECK_EQ_STR("errno_text_eloop", trace_errno_text(40),
		     "Too many levels of symbolic links");
	CHECK_EQ_STR("errno_econnrefused", trace_errno_name(111),
		     "ECONNREFUSED");
	CHECK_EQ_STR("errno_ehwpoison", trace_errno_name(133), "EHWPOISON");
	CHECK_EQ_STR("errno_unknown_text", trace_errno_text(1000),
		     "Unknown error");
	CHECK("errno_out_of_range", trace_errno_name(0) == NULL &&
					trace_errno_name(41) == NULL &&
					trace_errno_name(134) == NULL &&
					trace_errno_name(-2) == NULL);
	/* Every errno 1..133 Linux defines has a name starting with E and a
	 * text, and no name is used twice. */
	for (int e = 1; e <= 133 && !why[0]; e++) {
		const char *n = trace_errno_name(e);
		if (e == 41 || e == 58)
			continue;
		if (!n || n[0] != 'E' || !errnos[e].text)
			snprintf(why, sizeof(why), "errno %d: %s", e,
				 n ? n : "no name");
		for (int f = 1; f < e && !why[0] && n; f++)
			if (trace_errno_name(f) &&
			    strcmp(trace_errno_name(f), n) == 0)
				snprintf(why, sizeof(why), "%s twice", n);
	}
	unit_report(!why[0], "errno_table_complete", __FILE__, __LINE__, why);
	CHECK_EQ_STR("signal_sigchld", trace_signal_name(17), "SIGCHLD");
	CHECK_EQ_STR("signal_sigsys", trace_signal_name(31), "SIGSYS");
	CHECK("signal_out_of_range", trace_signal_name(0) == NULL &&
					 trace_signal_name(65) == NULL &&
					 trace_signal_name(-1) == NULL);
}

/* Every buffer size from 0 to the whole text plus one, in an exact-size
 * heap buffer: a NUL-terminated prefix, and the full length returned. */
static bool sizes_ok(size_t (*f)(char *, size_t, const struct trace_call *),
		     const struct trace_call *c, char *why, size_t wsize)
{
	char full[512];
	size_t want = f(full, sizeof(full), c);

	if (want != strlen(full)) {
		snprintf(why, wsize, "full length %zu, strlen %zu", want,
			 strlen(full));
		return false;
	}
	for (size_t n = 0; n <= want + 1; n++) {
		char *b = malloc(n ? n : 1);
		size_t got = f(n ? b : NULL, n, c);
		bool ok =
		    got == want &&
		    (n == 0 || (strlen(b) == (n - 1 < want ? n - 1 : want) &&
				memcmp(b, full, strlen(b)) == 0));
		free(b);
		if (!ok) {
			snprintf(why, wsize, "size %zu: returned %zu of %zu", n,
				 got, want);
			return false;
		}
	}
	return true;
}

static void test_small_buffers(void)
{
	static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct trace_call c = {.nr = NR_openat,
			       .args = {FDCWD32, 0x10, 0},
			       .finished = true,
			       .ret = -2};
	struct trace_call w = {.nr = NR_write,
			       .args = {1, 0x10, 36},
			       .str = {{1, text, 36, false}},
			       .nstr = 1,
			       .finished = true,
			       .ret = 36};
	char small[10], why[200] = "";
	size_t got;

	memset(small, 'x', sizeof(small));
	got = trace_format_call(small, sizeof(small), &c);
	CHECK_EQ_UINT("small_length", got,
		      strlen("openat(AT_FDCWD, 0x10, O_RDONLY) = -1 ENOENT (No "
			     "such file or directory)"));
	CHECK_EQ_STR("small_prefix", small, "openat(AT");
	got = trace_format_args(small, 1, &c);
	CHECK("one_byte",
	      small[0] == '\0' &&
		  got == strlen("openat(AT_FDCWD, 0x10, O_RDONLY)"));
	got = trace_format_result(NULL, 0, &c);
	CHECK_EQ_UINT("zero_bytes", got,
		      strlen("= -1 ENOENT (No such file or directory)"));
	unit_report(sizes_ok(trace_format_call, &c, why, sizeof(why)),
		    "every_size_call", __FILE__, __LINE__, why);
	unit_report(sizes_ok(trace_format_call, &w, why, sizeof(why)),
		    "every_size_call_string", __FILE__, __LINE__, why);
	unit_report(sizes_ok(trace_format_args, &w, why, sizeof(why)),
		    "every_size_args", __FILE__, __LINE__, why);
	unit_report(sizes_ok(trace_format_result, &c, why, sizeof(why)),
		    "every_size_result", __FILE__, __LINE__, why);
}

int main(void)
{
	test_files();
	test_memory_and_processes();
	test_fallbacks();
	test_strings();
	test_coverage();
	test_tables();
	test_small_buffers();
	return unit_done();
}
