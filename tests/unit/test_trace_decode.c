/* Host tests of the trace tool's decoding (user/trace/decode.c): the text
 * of calls as strace prints them, the name tables, string escapes and
 * truncation, and snprintf-style behaviour with small buffers. */
#include "unit.h"

#include <stdint.h>

#include "../../user/trace/decode.c"

static char out[1024];

/* A call with up to one string argument; ret < -4095 means unfinished. */
static const char *fmt(int nr, uint64_t a0, uint64_t a1, uint64_t a2,
		       uint64_t a3, uint64_t a4, uint64_t a5, int sarg,
		       const char *s, size_t slen, bool cut, long ret,
		       bool finished)
{
	struct trace_call c = {.nr = nr,
			       .args = {a0, a1, a2, a3, a4, a5},
			       .finished = finished,
			       .ret = ret};
	if (s) {
		c.str[0] = (struct trace_str){sarg, s, slen, cut};
		c.nstr = 1;
	}
	trace_format_call(out, sizeof(out), &c);
	return out;
}

#define CALL(nr, a0, a1, a2, a3, a4, a5, ret)                                  \
	fmt(nr, a0, a1, a2, a3, a4, a5, -1, NULL, 0, false, ret, true)
#define CALL_S(nr, a0, a1, a2, a3, sarg, s, ret)                               \
	fmt(nr, a0, a1, a2, a3, 0, 0, sarg, s, sizeof(s) - 1, false, ret, true)

static void test_examples(void)
{
	CHECK_EQ_STR(
	    "openat_enoent",
	    CALL_S(NR_openat, 0xffffff9c, 0x1000, 0, 0, 1, "example.txt", -2),
	    "openat(AT_FDCWD, \"example.txt\", O_RDONLY) = -1 ENOENT "
	    "(No such file or directory)");
	CHECK_EQ_STR("openat_fdcwd_64bit",
		     CALL_S(NR_openat, (uint64_t)-100, 0x1000, 0, 0, 1, "x", 3),
		     "openat(AT_FDCWD, \"x\", O_RDONLY) = 3");
	CHECK_EQ_STR("openat_creat_mode",
		     CALL_S(NR_openat, 0xffffff9c, 0x1000, 02001101, 0644, 1,
			    "/tmp/x", 3),
		     "openat(AT_FDCWD, \"/tmp/x\", "
		     "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3");
	CHECK_EQ_STR(
	    "open_sync_unknown_bit",
	    CALL_S(NR_open, 0x1000, 04010002 | 0x40000000, 0, 0, 0, "f", 3),
	    "open(\"f\", O_RDWR|O_SYNC|0x40000000) = 3");
	CHECK_EQ_STR("write_data",
		     CALL_S(NR_write, 1, 0x1000, 6, 0, 1, "hello\n", 6),
		     "write(1, \"hello\\n\", 6) = 6");
	CHECK_EQ_STR("read_uncaptured_ebadf",
		     CALL(NR_read, 3, 0x7ffc1234, 4096, 0, 0, 0, -9),
		     "read(3, 0x7ffc1234, 4096) = -1 EBADF (Bad file "
		     "descriptor)");
	CHECK_EQ_STR("close", CALL(NR_close, 3, 0, 0, 0, 0, 0, 0),
		     "close(3) = 0");
	CHECK_EQ_STR("close_minus_one",
		     CALL(NR_close, 0xffffffff, 0, 0, 0, 0, 0, -9),
		     "close(-1) = -1 EBADF (Bad file descriptor)");
	CHECK_EQ_STR("getppid_no_args", CALL(NR_getppid, 7, 7, 7, 7, 7, 7, 1),
		     "getppid() = 1");
	CHECK_EQ_STR(
	    "mmap_hex_result",
	    CALL(NR_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0, 0x7f5c2a000000),
	    "mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
	    "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5c2a000000");
	CHECK_EQ_STR("mmap_enomem",
		     CALL(NR_mmap, 0, 4096, 0, 0x22, (uint64_t)-1, 0, -12),
		     "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, "
		     "-1, 0) = -1 ENOMEM (Cannot allocate memory)");
	CHECK_EQ_STR("brk", CALL(NR_brk, 0, 0, 0, 0, 0, 0, 0x404000),
		     "brk(NULL) = 0x404000");
	CHECK_EQ_STR("rt_sigprocmask",
		     CALL(NR_rt_sigprocmask, 0, 0x7ffc10, 0, 8, 0, 0, 0),
		     "rt_sigprocmask(SIG_BLOCK, 0x7ffc10, NULL, 8) = 0");
	CHECK_EQ_STR("kill", CALL(NR_kill, 5, 15, 0, 0, 0, 0, 0),
		     "kill(5, SIGTERM) = 0");
	CHECK_EQ_STR("lseek", CALL(NR_lseek, 3, 0, 2, 0, 0, 0, 42),
		     "lseek(3, 0, SEEK_END) = 42");
	CHECK_EQ_STR("access_f_ok",
		     CALL_S(NR_access, 0x10, 0, 0, 0, 0, "/e", 0),
		     "access(\"/e\", F_OK) = 0");
	CHECK_EQ_STR("access_rw", CALL_S(NR_access, 0x10, 6, 0, 0, 0, "/e", 0),
		     "access(\"/e\", R_OK|W_OK) = 0");
	CHECK_EQ_STR("unlinkat_removedir",
		     CALL_S(NR_unlinkat, 0xffffff9c, 0x10, 0x200, 0, 1, "d", 0),
		     "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0");
	CHECK_EQ_STR("fcntl_getfl_two_args",
		     CALL(NR_fcntl, 3, 3, 99, 0, 0, 0, 2),
		     "fcntl(3, F_GETFL) = 2");
	CHECK_EQ_STR("clone_flags",
		     CALL(NR_clone, 0x1200011, 0, 0, 0x4000, 0, 0, 7),
		     "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		     "NULL, NULL, 0x4000, NULL) = 7");
	CHECK_EQ_STR("ioctl_tcgets",
		     CALL(NR_ioctl, 1, 0x5401, 0x10, 0, 0, 0, 0),
		     "ioctl(1, TCGETS, 0x10) = 0");
	CHECK_EQ_STR("ioctl_unknown",
		     CALL(NR_ioctl, 1, 0x1234, 0x10, 0, 0, 0, -25),
		     "ioctl(1, 0x1234, 0x10) = -1 ENOTTY (Inappropriate ioctl "
		     "for device)");
	CHECK_EQ_STR("clock_gettime",
		     CALL(NR_clock_gettime, 1, 0x10, 0, 0, 0, 0, 0),
		     "clock_gettime(CLOCK_MONOTONIC, 0x10) = 0");
	CHECK_EQ_STR("wait4_wnohang",
		     CALL(NR_wait4, (uint64_t)-1, 0x10, 1, 0, 0, 0, 0),
		     "wait4(-1, 0x10, WNOHANG, NULL) = 0");
	CHECK_EQ_STR("arch_prctl",
		     CALL(NR_arch_prctl, 0x1002, 0x4c5b40, 0, 0, 0, 0, 0),
		     "arch_prctl(ARCH_SET_FS, 0x4c5b40) = 0");
	CHECK_EQ_STR("futex", CALL(NR_futex, 0x10, 128, 2, 0, 0, 0, 0),
		     "futex(0x10, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0) = 0");
	CHECK_EQ_STR("pipe2", CALL(NR_pipe2, 0x10, 02000000, 0, 0, 0, 0, 0),
		     "pipe2(0x10, O_CLOEXEC) = 0");
	CHECK_EQ_STR("mkdir_mode",
		     CALL_S(NR_mkdir, 0x10, 0755, 0, 0, 0, "d", 0),
		     "mkdir(\"d\", 0755) = 0");
	CHECK_EQ_STR(
	    "exit_group_unfinished",
	    fmt(NR_exit_group, 0, 0, 0, 0, 0, 0, -1, NULL, 0, false, 0, false),
	    "exit_group(0) = ?");
	CHECK_EQ_STR("unknown_syscall",
		     CALL(NR_io_setup, 1, 2, 0, 0, 0, 0, -38),
		     "io_setup(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not "
		     "implemented)");
	CHECK_EQ_STR("no_name", CALL(460, 1, 0, 0, 0, 0, 0, 0),
		     "syscall_460(0x1, 0, 0, 0, 0, 0) = 0");
	CHECK_EQ_STR("unknown_errno", CALL(NR_close, 3, 0, 0, 0, 0, 0, -300),
		     "close(3) = -1 (errno 300)");
}

static void test_strings(void)
{
	CHECK_EQ_STR("escapes",
		     CALL_S(NR_write, 1, 0x10, 7, 0, 1, "a\nb\t\"\\\0", 7),
		     "write(1, \"a\\nb\\t\\\"\\\\\\0\", 7) = 7");
	CHECK_EQ_STR("octal_before_digit",
		     CALL_S(NR_write, 1, 0x10, 3, 0, 1, "\0331", 3),
		     "write(1, \"\\0331\", 3) = 3");
	CHECK_EQ_STR("octal_short",
		     CALL_S(NR_write, 1, 0x10, 3, 0, 1, "\33[", 3),
		     "write(1, \"\\33[\", 3) = 3");
	CHECK_EQ_STR(
	    "kernel_truncated_path",
	    fmt(NR_chdir, 0x10, 0, 0, 0, 0, 0, 0, "abc", 3, true, 0, true),
	    "chdir(\"abc\"...) = 0");
	const char *big = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
	CHECK_EQ_STR(
	    "data_cut_at_32",
	    fmt(NR_write, 1, 0x10, 40, 0, 0, 0, 1, big, 40, false, 40, true),
	    "write(1, \"0123456789abcdefghijklmnopqrstuv\"..., 40) = "
	    "40");
	CHECK_EQ_STR(
	    "path_not_cut_at_32",
	    fmt(NR_chdir, 0x10, 0, 0, 0, 0, 0, 0, big, 40, false, 0, true),
	    "chdir(\"0123456789abcdefghijklmnopqrstuvwxyzABCD\") = 0");
}

static void test_tables(void)
{
	CHECK_EQ_STR("name_openat", trace_syscall_name(257), "openat");
	CHECK_EQ_INT("nr_openat", trace_syscall_nr("openat"), 257);
	CHECK_EQ_INT("nr_unknown", trace_syscall_nr("nosuch"), -1);
	CHECK("name_out_of_range", trace_syscall_name(-1) == NULL &&
				       trace_syscall_name(100000) == NULL);
	CHECK_EQ_STR("errno_enoent", trace_errno_name(2), "ENOENT");
	CHECK_EQ_STR("errno_eopnotsupp", trace_errno_name(95), "EOPNOTSUPP");
	CHECK_EQ_STR("errno_text_efault", trace_errno_text(14), "Bad address");
	CHECK("errno_out_of_range",
	      trace_errno_name(0) == NULL && trace_errno_name(5000) == NULL);
	CHECK_EQ_STR("signal_sigchld", trace_signal_name(17), "SIGCHLD");
	CHECK_EQ_STR("signal_sigsys", trace_signal_name(31), "SIGSYS");
	CHECK("signal_out_of_range",
	      trace_signal_name(0) == NULL && trace_signal_name(65) == NULL);
}

/* A small buffer gets a terminated prefix; the length is the whole. */
static void test_small_buffers(void)
{
	struct trace_call c = {.nr = NR_openat,
			       .args = {0xffffff9c, 0x10, 0},
			       .finished = true,
			       .ret = -2};
	char full[256], small[10];
	size_t want = trace_format_call(full, sizeof(full), &c);
	memset(small, 'x', sizeof(small));
	size_t got = trace_format_call(small, sizeof(small), &c);
	CHECK_EQ_UINT("small_length", got, want);
	CHECK_EQ_UINT("full_length", strlen(full), want);
	CHECK("small_prefix", memcmp(small, full, 9) == 0 && small[9] == '\0');
	got = trace_format_args(small, 1, &c);
	CHECK("one_byte", small[0] == '\0' && got == strlen("openat(AT_FDCWD, "
							    "0x10, O_RDONLY)"));
	got = trace_format_result(NULL, 0, &c);
	CHECK_EQ_UINT("zero_bytes", got,
		      strlen("= -1 ENOENT (No such file or directory)"));
}

int main(void)
{
	test_examples();
	test_strings();
	test_tables();
	test_small_buffers();
	return unit_done();
}
