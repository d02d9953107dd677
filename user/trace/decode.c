/* strace-style text for system calls: the name tables (system calls,
 * errno values, signals, flag words, all with Linux x86_64 values written
 * out here), one signature per common system call saying how to show each
 * argument, and the formatting of a call and its result. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

#include "../../include/syscall_names.h"

#define NR_MAX 512

/* ---- names ------------------------------------------------------------ */

#define NAME_ENTRY(n, name) [n] = #name,
static const char *const syscall_names[NR_MAX] = {SYSCALL_NAMES(NAME_ENTRY)};

#define NR_ENTRY(n, name) NR_##name = n,
enum { SYSCALL_NAMES(NR_ENTRY) };

const char *trace_syscall_name(int nr)
{
	return nr >= 0 && nr < NR_MAX ? syscall_names[nr] : NULL;
}

int trace_syscall_nr(const char *name)
{
	for (int i = 0; i < NR_MAX; i++)
		if (syscall_names[i] && strcmp(syscall_names[i], name) == 0)
			return i;
	return -1;
}

struct errno_name {
	const char *name, *text;
};

static const struct errno_name errnos[] = {
    [1] = {"EPERM", "Operation not permitted"},
    [2] = {"ENOENT", "No such file or directory"},
    [3] = {"ESRCH", "No such process"},
    [4] = {"EINTR", "Interrupted system call"},
    [5] = {"EIO", "Input/output error"},
    [6] = {"ENXIO", "No such device or address"},
    [7] = {"E2BIG", "Argument list too long"},
    [8] = {"ENOEXEC", "Exec format error"},
    [9] = {"EBADF", "Bad file descriptor"},
    [10] = {"ECHILD", "No child processes"},
    [11] = {"EAGAIN", "Resource temporarily unavailable"},
    [12] = {"ENOMEM", "Cannot allocate memory"},
    [13] = {"EACCES", "Permission denied"},
    [14] = {"EFAULT", "Bad address"},
    [15] = {"ENOTBLK", "Block device required"},
    [16] = {"EBUSY", "Device or resource busy"},
    [17] = {"EEXIST", "File exists"},
    [18] = {"EXDEV", "Invalid cross-device link"},
    [19] = {"ENODEV", "No such device"},
    [20] = {"ENOTDIR", "Not a directory"},
    [21] = {"EISDIR", "Is a directory"},
    [22] = {"EINVAL", "Invalid argument"},
    [23] = {"ENFILE", "Too many open files in system"},
    [24] = {"EMFILE", "Too many open files"},
    [25] = {"ENOTTY", "Inappropriate ioctl for device"},
    [26] = {"ETXTBSY", "Text file busy"},
    [27] = {"EFBIG", "File too large"},
    [28] = {"ENOSPC", "No space left on device"},
    [29] = {"ESPIPE", "Illegal seek"},
    [30] = {"EROFS", "Read-only file system"},
    [31] = {"EMLINK", "Too many links"},
    [32] = {"EPIPE", "Broken pipe"},
    [33] = {"EDOM", "Numerical argument out of domain"},
    [34] = {"ERANGE", "Numerical result out of range"},
    [35] = {"EDEADLK", "Resource deadlock avoided"},
    [36] = {"ENAMETOOLONG", "File name too long"},
    [37] = {"ENOLCK", "No locks available"},
    [38] = {"ENOSYS", "Function not implemented"},
    [39] = {"ENOTEMPTY", "Directory not empty"},
    [40] = {"ELOOP", "Too many levels of symbolic links"},
    [42] = {"ENOMSG", "No message of desired type"},
    [43] = {"EIDRM", "Identifier removed"},
    [61] = {"ENODATA", "No data available"},
    [62] = {"ETIME", "Timer expired"},
    [71] = {"EPROTO", "Protocol error"},
    [75] = {"EOVERFLOW", "Value too large for defined data type"},
    [84] = {"EILSEQ", "Invalid or incomplete multibyte or wide character"},
    [88] = {"ENOTSOCK", "Socket operation on non-socket"},
    [89] = {"EDESTADDRREQ", "Destination address required"},
    [90] = {"EMSGSIZE", "Message too long"},
    [91] = {"EPROTOTYPE", "Protocol wrong type for socket"},
    [92] = {"ENOPROTOOPT", "Protocol not available"},
    [93] = {"EPROTONOSUPPORT", "Protocol not supported"},
    [94] = {"ESOCKTNOSUPPORT", "Socket type not supported"},
    [95] = {"EOPNOTSUPP", "Operation not supported"},
    [96] = {"EPFNOSUPPORT", "Protocol family not supported"},
    [97] = {"EAFNOSUPPORT", "Address family not supported by protocol"},
    [98] = {"EADDRINUSE", "Address already in use"},
    [99] = {"EADDRNOTAVAIL", "Cannot assign requested address"},
    [100] = {"ENETDOWN", "Network is down"},
    [101] = {"ENETUNREACH", "Network is unreachable"},
    [102] = {"ENETRESET", "Network dropped connection on reset"},
    [103] = {"ECONNABORTED", "Software caused connection abort"},
    [104] = {"ECONNRESET", "Connection reset by peer"},
    [105] = {"ENOBUFS", "No buffer space available"},
    [106] = {"EISCONN", "Transport endpoint is already connected"},
    [107] = {"ENOTCONN", "Transport endpoint is not connected"},
    [110] = {"ETIMEDOUT", "Connection timed out"},
    [111] = {"ECONNREFUSED", "Connection refused"},
    [112] = {"EHOSTDOWN", "Host is down"},
    [113] = {"EHOSTUNREACH", "No route to host"},
    [114] = {"EALREADY", "Operation already in progress"},
    [115] = {"EINPROGRESS", "Operation now in progress"},
    [122] = {"EDQUOT", "Disk quota exceeded"},
    [125] = {"ECANCELED", "Operation canceled"},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *trace_errno_name(int err)
{
	return err > 0 && err < COUNT(errnos) ? errnos[err].name : NULL;
}

const char *trace_errno_text(int err)
{
	return err > 0 && err < COUNT(errnos) && errnos[err].text
		   ? errnos[err].text
		   : "Unknown error";
}

static const char *const signals[] = {
    NULL,      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",
    "SIGABRT", "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV",
    "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",
    "SIGPWR",  "SIGSYS",
};

const char *trace_signal_name(int sig)
{
	return sig > 0 && sig < COUNT(signals) ? signals[sig] : NULL;
}

/* ---- an output buffer that never overruns ------------------------------ */

struct out {
	char *buf;
	size_t size, len; /* len: what the whole text needs */
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* ---- flag words --------------------------------------------------------- */

struct flag {
	uint64_t bit;
	const char *name;
};

/* Known bits joined with '|', the rest in hex; none set: "0". */
static void put_flags(struct out *o, uint64_t v, const struct flag *f, int n)
{
	bool any = false;
	for (int i = 0; i < n; i++)
		if (f[i].bit && (v & f[i].bit) == f[i].bit) {
			put(o, "%s%s", any ? "|" : "", f[i].name);
			v &= ~f[i].bit;
			any = true;
		}
	if (v)
		put(o, "%s%#llx", any ? "|" : "", (unsigned long long)v);
	else if (!any)
		put(o, "0");
}

/* One value of a list, or the number. */
static void put_value(struct out *o, long v, const struct flag *f, int n)
{
	for (int i = 0; i < n; i++)
		if ((long)f[i].bit == v) {
			put(o, "%s", f[i].name);
			return;
		}
	put(o, "%ld", v);
}

#define O_CREAT 0100
#define O_TMPFILE_BIT 020000000

static const struct flag open_flags[] = {
    {04010000, "O_SYNC"},     {020200000, "O_TMPFILE"},
    {0100, "O_CREAT"},	      {0200, "O_EXCL"},
    {0400, "O_NOCTTY"},	      {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},
    {010000, "O_DSYNC"},      {020000, "O_ASYNC"},
    {040000, "O_DIRECT"},     {0100000, "O_LARGEFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
};

static void put_open_flags(struct out *o, uint64_t v, bool access_mode)
{
	v &= 0xffffffff;
	if (access_mode) {
		static const char *const acc[] = {"O_RDONLY", "O_WRONLY",
						  "O_RDWR", "O_ACCMODE"};
		put(o, "%s", acc[v & 3]);
		v &= ~3ULL;
		if (!v)
			return;
		put(o, "|");
	}
	put_flags(o, v, open_flags, COUNT(open_flags));
}

static const struct flag prot_flags[] = {{1, "PROT_READ"},
					 {2, "PROT_WRITE"},
					 {4, "PROT_EXEC"},
					 {0x1000000, "PROT_GROWSDOWN"},
					 {0x2000000, "PROT_GROWSUP"}};
static const struct flag map_flags[] = {
    {1, "MAP_SHARED"},		{2, "MAP_PRIVATE"},
    {0x10, "MAP_FIXED"},	{0x20, "MAP_ANONYMOUS"},
    {0x100, "MAP_GROWSDOWN"},	{0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},	{0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},	{0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},	{0x100000, "MAP_FIXED_NOREPLACE"}};
static const struct flag at_flags[] = {{0x100, "AT_SYMLINK_NOFOLLOW"},
				       {0x200, "AT_REMOVEDIR"},
				       {0x400, "AT_SYMLINK_FOLLOW"},
				       {0x800, "AT_NO_AUTOMOUNT"},
				       {0x1000, "AT_EMPTY_PATH"}};
static const struct flag access_flags[] = {
    {4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
static const struct flag clone_flags[] = {{0x100, "CLONE_VM"},
					  {0x200, "CLONE_FS"},
					  {0x400, "CLONE_FILES"},
					  {0x800, "CLONE_SIGHAND"},
					  {0x1000, "CLONE_PIDFD"},
					  {0x2000, "CLONE_PTRACE"},
					  {0x4000, "CLONE_VFORK"},
					  {0x8000, "CLONE_PARENT"},
					  {0x10000, "CLONE_THREAD"},
					  {0x20000, "CLONE_NEWNS"},
					  {0x40000, "CLONE_SYSVSEM"},
					  {0x80000, "CLONE_SETTLS"},
					  {0x100000, "CLONE_PARENT_SETTID"},
					  {0x200000, "CLONE_CHILD_CLEARTID"},
					  {0x400000, "CLONE_DETACHED"},
					  {0x800000, "CLONE_UNTRACED"},
					  {0x1000000, "CLONE_CHILD_SETTID"}};
static const struct flag wait_flags[] = {
    {1, "WNOHANG"},	    {2, "WUNTRACED"},	    {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"}, {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"}};
static const struct flag grnd_flags[] = {
    {1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};

static const struct flag whence[] = {{0, "SEEK_SET"},
				     {1, "SEEK_CUR"},
				     {2, "SEEK_END"},
				     {3, "SEEK_DATA"},
				     {4, "SEEK_HOLE"}};
static const struct flag sighow[] = {
    {0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};
static const struct flag clocks[] = {
    {0, "CLOCK_REALTIME"},	     {1, "CLOCK_MONOTONIC"},
    {2, "CLOCK_PROCESS_CPUTIME_ID"}, {3, "CLOCK_THREAD_CPUTIME_ID"},
    {4, "CLOCK_MONOTONIC_RAW"},	     {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},   {7, "CLOCK_BOOTTIME"}};
static const struct flag fcntl_cmds[] = {
    {0, "F_DUPFD"},  {1, "F_GETFD"},  {2, "F_SETFD"},		{3, "F_GETFL"},
    {4, "F_SETFL"},  {5, "F_GETLK"},  {6, "F_SETLK"},		{7, "F_SETLKW"},
    {8, "F_SETOWN"}, {9, "F_GETOWN"}, {1030, "F_DUPFD_CLOEXEC"}};
static const struct flag ioctls[] = {
    {0x5401, "TCGETS"},	   {0x5402, "TCSETS"},	   {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},   {0x540e, "TIOCSCTTY"},  {0x540f, "TIOCGPGRP"},
    {0x5410, "TIOCSPGRP"}, {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"},
    {0x541b, "FIONREAD"},  {0x5421, "FIONBIO"},	   {0x5422, "TIOCNOTTY"}};
static const struct flag arch_prctls[] = {{0x1001, "ARCH_SET_GS"},
					  {0x1002, "ARCH_SET_FS"},
					  {0x1003, "ARCH_GET_FS"},
					  {0x1004, "ARCH_GET_GS"}};
static const struct flag futex_ops[] = {{0, "FUTEX_WAIT"},
					{1, "FUTEX_WAKE"},
					{9, "FUTEX_WAIT_BITSET"},
					{10, "FUTEX_WAKE_BITSET"},
					{128, "FUTEX_WAIT_PRIVATE"},
					{129, "FUTEX_WAKE_PRIVATE"},
					{137, "FUTEX_WAIT_BITSET_PRIVATE"},
					{138, "FUTEX_WAKE_BITSET_PRIVATE"}};

/* ---- strings ------------------------------------------------------------ */

#define DATA_SHOWN 32 /* strace's default -s 32, for data buffers */

static void put_string(struct out *o, const struct trace_str *s, bool data)
{
	size_t n = s->len;
	bool cut = s->truncated;
	if (data && n > DATA_SHOWN) {
		n = DATA_SHOWN;
		cut = true;
	}
	put(o, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s->s[i];
		unsigned char next = i + 1 < n ? (unsigned char)s->s[i + 1] : 0;
		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c == '\n')
			put(o, "\\n");
		else if (c == '\t')
			put(o, "\\t");
		else if (c == '\r')
			put(o, "\\r");
		else if (c == '\f')
			put(o, "\\f");
		else if (c == '\v')
			put(o, "\\v");
		else if (c >= 0x20 && c < 0x7f)
			put(o, "%c", c);
		else if (next >= '0' && next <= '7')
			put(o, "\\%03o",
			    c); /* so the next digit is not eaten */
		else
			put(o, "\\%o", c);
	}
	put(o, "\"%s", cut ? "..." : "");
}

static const struct trace_str *string_of(const struct trace_call *c, int arg)
{
	for (int i = 0; i < c->nstr && i < TRACE_MAX_STR; i++)
		if (c->str[i].arg == arg)
			return &c->str[i];
	return NULL;
}

/* ---- signatures --------------------------------------------------------- */

/* One letter per argument:
 *  d int     D dirfd   u unsigned  l long     x hex      p pointer
 *  s path    b data    O open flags (access mode first)   o open flags
 *  n mode, shown only if the open flags before it create  m mode (octal)
 *  P prot    M mmap flags  S signal  H sigprocmask how     W whence
 *  A access mode  F AT_* flags  C clone flags  f fcntl cmd  I ioctl
 *  K clock   w wait options  R arch_prctl code  X futex op  G getrandom */
static const char *const sigs[NR_MAX] = {
    [NR_read] = "dbu",
    [NR_write] = "dbu",
    [NR_open] = "sOn",
    [NR_close] = "d",
    [NR_stat] = "sp",
    [NR_fstat] = "dp",
    [NR_lstat] = "sp",
    [NR_poll] = "pud",
    [NR_lseek] = "dlW",
    [NR_mmap] = "puPMdx",
    [NR_mprotect] = "puP",
    [NR_munmap] = "pu",
    [NR_brk] = "p",
    [NR_rt_sigaction] = "Sppu",
    [NR_rt_sigprocmask] = "Hppu",
    [NR_rt_sigreturn] = "",
    [NR_ioctl] = "dIp",
    [NR_pread64] = "dbul",
    [NR_pwrite64] = "dbul",
    [NR_readv] = "dpd",
    [NR_writev] = "dpd",
    [NR_access] = "sA",
    [NR_pipe] = "p",
    [NR_select] = "ppppp",
    [NR_sched_yield] = "",
    [NR_mremap] = "puuxp",
    [NR_madvise] = "pud",
    [NR_dup] = "d",
    [NR_dup2] = "dd",
    [NR_pause] = "",
    [NR_nanosleep] = "pp",
    [NR_getpid] = "",
    [NR_sendfile] = "ddpu",
    [NR_socket] = "ddd",
    [NR_connect] = "dpu",
    [NR_accept] = "dpp",
    [NR_sendto] = "dbuxpu",
    [NR_recvfrom] = "dbuxpp",
    [NR_shutdown] = "dd",
    [NR_bind] = "dpu",
    [NR_listen] = "dd",
    [NR_clone] = "Cppxp",
    [NR_fork] = "",
    [NR_vfork] = "",
    [NR_execve] = "spp",
    [NR_exit] = "d",
    [NR_wait4] = "dpwp",
    [NR_kill] = "dS",
    [NR_uname] = "p",
    [NR_fcntl] = "dfx",
    [NR_flock] = "dd",
    [NR_fsync] = "d",
    [NR_fdatasync] = "d",
    [NR_truncate] = "sl",
    [NR_ftruncate] = "dl",
    [NR_getdents] = "dpu",
    [NR_getcwd] = "bu",
    [NR_chdir] = "s",
    [NR_fchdir] = "d",
    [NR_rename] = "ss",
    [NR_mkdir] = "sm",
    [NR_rmdir] = "s",
    [NR_creat] = "sm",
    [NR_link] = "ss",
    [NR_unlink] = "s",
    [NR_symlink] = "ss",
    [NR_readlink] = "sbu",
    [NR_chmod] = "sm",
    [NR_fchmod] = "dm",
    [NR_chown] = "sdd",
    [NR_fchown] = "ddd",
    [NR_lchown] = "sdd",
    [NR_umask] = "m",
    [NR_gettimeofday] = "pp",
    [NR_getrlimit] = "dp",
    [NR_getrusage] = "dp",
    [NR_sysinfo] = "p",
    [NR_times] = "p",
    [NR_getuid] = "",
    [NR_getgid] = "",
    [NR_setuid] = "d",
    [NR_setgid] = "d",
    [NR_geteuid] = "",
    [NR_getegid] = "",
    [NR_setpgid] = "dd",
    [NR_getppid] = "",
    [NR_getpgrp] = "",
    [NR_setsid] = "",
    [NR_getpgid] = "d",
    [NR_getsid] = "d",
    [NR_rt_sigpending] = "pu",
    [NR_rt_sigtimedwait] = "pppu",
    [NR_rt_sigsuspend] = "pu",
    [NR_sigaltstack] = "pp",
    [NR_statfs] = "sp",
    [NR_fstatfs] = "dp",
    [NR_arch_prctl] = "Rp",
    [NR_setrlimit] = "dp",
    [NR_chroot] = "s",
    [NR_sync] = "",
    [NR_mount] = "sspxp",
    [NR_umount2] = "sx",
    [NR_sethostname] = "bu",
    [NR_gettid] = "",
    [NR_tkill] = "dS",
    [NR_time] = "p",
    [NR_futex] = "pXdppd",
    [NR_set_tid_address] = "p",
    [NR_clock_gettime] = "Kp",
    [NR_clock_getres] = "Kp",
    [NR_clock_nanosleep] = "Kdpp",
    [NR_exit_group] = "d",
    [NR_tgkill] = "ddS",
    [NR_openat] = "DsOn",
    [NR_mkdirat] = "Dsm",
    [NR_mknodat] = "Dsmx",
    [NR_fchownat] = "DsddF",
    [NR_newfstatat] = "DspF",
    [NR_unlinkat] = "DsF",
    [NR_renameat] = "DsDs",
    [NR_linkat] = "DsDsF",
    [NR_symlinkat] = "sDs",
    [NR_readlinkat] = "Dsbu",
    [NR_fchmodat] = "Dsm",
    [NR_faccessat] = "DsA",
    [NR_pselect6] = "dppppp",
    [NR_ppoll] = "pupp",
    [NR_set_robust_list] = "pu",
    [NR_utimensat] = "DspF",
    [NR_pipe2] = "po",
    [NR_dup3] = "ddo",
    [NR_prlimit64] = "ddpp",
    [NR_getrandom] = "buG",
    [NR_renameat2] = "DsDsx",
    [NR_statx] = "DsFxp",
    [NR_faccessat2] = "DsAF",
    [NR_getdents64] = "dpu",
    [NR_rseq] = "puxx",
};

static void put_ptr(struct out *o, uint64_t v)
{
	if (v)
		put(o, "%#llx", (unsigned long long)v);
	else
		put(o, "NULL");
}

static void put_arg(struct out *o, const struct trace_call *c, int i, char kind)
{
	uint64_t v = c->args[i];
	const struct trace_str *s;
	switch (kind) {
	case 'd':
		put(o, "%d", (int)v);
		break;
	case 'D':
		if ((int)v == -100)
			put(o, "AT_FDCWD");
		else
			put(o, "%d", (int)v);
		break;
	case 'u':
		put(o, "%llu", (unsigned long long)v);
		break;
	case 'l':
		put(o, "%lld", (long long)v);
		break;
	case 'x':
		if (v)
			put(o, "%#llx", (unsigned long long)v);
		else
			put(o, "0");
		break;
	case 'p':
		put_ptr(o, v);
		break;
	case 's':
	case 'b':
		if ((s = string_of(c, i)))
			put_string(o, s, kind == 'b');
		else
			put_ptr(o, v);
		break;
	case 'O':
		put_open_flags(o, v, true);
		break;
	case 'o':
		put_open_flags(o, v, false);
		break;
	case 'm':
	case 'n':
		if (v & 07777)
			put(o, "0%03llo", (unsigned long long)(v & 07777));
		else
			put(o, "000");
		break;
	case 'P':
		if (v == 0)
			put(o, "PROT_NONE");
		else
			put_flags(o, v, prot_flags, COUNT(prot_flags));
		break;
	case 'M':
		put_flags(o, v & 0xffffffff, map_flags, COUNT(map_flags));
		break;
	case 'S':
		if (trace_signal_name((int)v))
			put(o, "%s", trace_signal_name((int)v));
		else if ((int)v >= 32 && (int)v <= 64)
			put(o, "SIGRT_%d", (int)v - 32);
		else
			put(o, "%d", (int)v);
		break;
	case 'H':
		put_value(o, (int)v, sighow, COUNT(sighow));
		break;
	case 'W':
		put_value(o, (int)v, whence, COUNT(whence));
		break;
	case 'A':
		if ((int)v == 0)
			put(o, "F_OK");
		else
			put_flags(o, v & 0xffffffff, access_flags,
				  COUNT(access_flags));
		break;
	case 'F':
		put_flags(o, v & 0xffffffff, at_flags, COUNT(at_flags));
		break;
	case 'C': {
		/* The low byte is the signal sent to the parent at exit. */
		uint64_t sig = v & 0xff;
		put_flags(o, v & ~0xffULL, clone_flags, COUNT(clone_flags));
		if (sig && trace_signal_name((int)sig))
			put(o, "|%s", trace_signal_name((int)sig));
		else if (sig)
			put(o, "|%llu", (unsigned long long)sig);
		break;
	}
	case 'f':
		put_value(o, (int)v, fcntl_cmds, COUNT(fcntl_cmds));
		break;
	case 'I': {
		bool known = false;
		for (int k = 0; k < COUNT(ioctls); k++)
			if (ioctls[k].bit == (v & 0xffffffff)) {
				put(o, "%s", ioctls[k].name);
				known = true;
			}
		if (!known)
			put(o, "%#llx", (unsigned long long)(v & 0xffffffff));
		break;
	}
	case 'K':
		put_value(o, (int)v, clocks, COUNT(clocks));
		break;
	case 'w':
		put_flags(o, v & 0xffffffff, wait_flags, COUNT(wait_flags));
		break;
	case 'R':
		put_value(o, (int)v, arch_prctls, COUNT(arch_prctls));
		break;
	case 'X':
		put_value(o, (int)v, futex_ops, COUNT(futex_ops));
		break;
	case 'G':
		put_flags(o, v & 0xffffffff, grnd_flags, COUNT(grnd_flags));
		break;
	default:
		put(o, "%#llx", (unsigned long long)v);
		break;
	}
}

/* fcntl's third argument exists only for some commands. */
static int arg_count(const struct trace_call *c, const char *sig)
{
	int n = (int)strlen(sig);
	if (c->nr == NR_fcntl) {
		int cmd = (int)c->args[1];
		return cmd == 1 || cmd == 3 || cmd == 9 ? 2 : 3;
	}
	/* open's mode only with O_CREAT or O_TMPFILE, as strace shows it. */
	if (n && sig[n - 1] == 'n') {
		uint64_t fl = c->args[n - 2];
		if (!(fl & O_CREAT) && (fl & O_TMPFILE_BIT) != O_TMPFILE_BIT)
			n--;
	}
	return n;
}

size_t trace_format_args(char *out, size_t n, const struct trace_call *c)
{
	struct out o = {out, n, 0};
	const char *name = trace_syscall_name(c->nr);
	const char *sig = c->nr >= 0 && c->nr < NR_MAX ? sigs[c->nr] : NULL;
	if (name)
		put(&o, "%s(", name);
	else
		put(&o, "syscall_%d(", c->nr);
	if (!sig) {
		for (int i = 0; i < 6; i++) {
			put(&o, i ? ", " : "");
			put_arg(&o, c, i, 'x');
		}
	} else {
		int k = arg_count(c, sig);
		for (int i = 0; i < k; i++) {
			put(&o, i ? ", " : "");
			put_arg(&o, c, i, sig[i]);
		}
	}
	put(&o, ")");
	if (n && o.len >= n)
		out[n - 1] = '\0';
	return o.len;
}

static bool returns_address(int nr)
{
	return nr == NR_mmap || nr == NR_brk || nr == NR_mremap ||
	       nr == NR_shmat;
}

size_t trace_format_result(char *out, size_t n, const struct trace_call *c)
{
	struct out o = {out, n, 0};
	if (n)
		out[0] = '\0';
	if (!c->finished)
		put(&o, "= ?");
	else if (c->ret < 0 && c->ret >= -4095) {
		int e = (int)-c->ret;
		if (trace_errno_name(e))
			put(&o, "= -1 %s (%s)", trace_errno_name(e),
			    trace_errno_text(e));
		else
			put(&o, "= -1 (errno %d)", e);
	} else if (returns_address(c->nr))
		put(&o, "= %#lx", (unsigned long)c->ret);
	else
		put(&o, "= %ld", c->ret);
	if (n && o.len >= n)
		out[n - 1] = '\0';
	return o.len;
}

size_t trace_format_call(char *out, size_t n, const struct trace_call *c)
{
	size_t a = trace_format_args(out, n, c);
	size_t at = a < n ? a : (n ? n - 1 : 0);
	if (at + 1 < n)
		out[at++] = ' ', out[at] = '\0';
	char res[128];
	size_t r = trace_format_result(res, sizeof(res), c);
	if (at < n)
		snprintf(out + at, n - at, "%s", res);
	return a + 1 + r;
}
