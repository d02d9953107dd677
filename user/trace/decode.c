/* strace-style text for system calls, for the trace tool and its host
 * test. This file is responsible for:
 *  - the system-call name table (from syscall_names.h); errno values and
 *    signals are in names.c;
 *  - the Linux x86_64 constants of the flag words and enumerations it
 *    decodes, written out here (no libc or kernel headers, so the host
 *    test and the musl build see the same values);
 *  - one signature per common system call saying how to show each
 *    argument, and the formatting of a call and its result, snprintf
 *    style (never past the buffer, the full length returned).
 * Nothing here reads memory other than what struct trace_call holds. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

#include "../../include/syscall_names.h"

#define NR_MAX 512
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- system call names ------------------------------------------------ */

#define NAME_ENTRY(n, name) [n] = #name,
static const char *const syscall_names[NR_MAX] = {SYSCALL_NAMES(NAME_ENTRY)};
#undef NAME_ENTRY

#define NR_ENTRY(n, name) NR_##name = n,
enum { SYSCALL_NAMES(NR_ENTRY) };
#undef NR_ENTRY

const char *trace_syscall_name(int nr)
{
	return nr >= 0 && nr < NR_MAX ? syscall_names[nr] : NULL;
}

int trace_syscall_nr(const char *name)
{
	for (int i = 0; name && i < NR_MAX; i++)
		if (syscall_names[i] && strcmp(syscall_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- output that never overruns ---------------------------------------- */

struct out {
	char *buf;
	size_t size; /* of buf, including the NUL */
	size_t len;  /* what the whole text needs so far */
};

/* Appends s; keeps buf NUL-terminated within size. */
static void put(struct out *o, const char *s)
{
	for (; *s; s++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = *s;
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static void put_int(struct out *o, long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	put(o, b);
}

static void put_uint(struct out *o, unsigned long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu", v);
	put(o, b);
}

/* 0 as "0", anything else as 0x... */
static void put_hex(struct out *o, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%#llx", (unsigned long long)v);
	put(o, b);
}

static void put_ptr(struct out *o, uint64_t v)
{
	if (v)
		put_hex(o, v);
	else
		put(o, "NULL");
}

/* strace's "%#03o": 0644, 0755, 022, 000. */
static void put_mode(struct out *o, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%#03o", (unsigned)(v & 0xffff));
	put(o, b);
}

/* fds, pids and other ints live in the low 32 bits of the register. */
static int as_int(uint64_t v)
{
	return (int)(uint32_t)v;
}

/* ---- strings ------------------------------------------------------------ */

#define DATA_SHOWN 32 /* strace's default -s 32, for data buffers */

static bool is_octal_digit(int c)
{
	return c >= '0' && c <= '7';
}

/* One byte as strace quotes it: C escapes, printable ASCII as is, the
 * rest in octal, three digits when an octal digit follows. */
static void put_byte(struct out *o, unsigned char c, int next)
{
	static const char escapes[][3] = {
	    ['\n'] = "\\n", ['\t'] = "\\t", ['\r'] = "\\r",  ['\f'] = "\\f",
	    ['\v'] = "\\v", ['"'] = "\\\"", ['\\'] = "\\\\",
	};
	char b[8];

	if (c < COUNT(escapes) && escapes[c][0])
		put(o, escapes[c]);
	else if (c >= 0x20 && c < 0x7f) {
		b[0] = (char)c;
		b[1] = '\0';
		put(o, b);
	} else {
		snprintf(b, sizeof(b), is_octal_digit(next) ? "\\%03o" : "\\%o",
			 c);
		put(o, b);
	}
}

/* skip_nul: a path the kernel copied with its terminating NUL (getcwd). */
static void put_string(struct out *o, const struct trace_str *s, bool data,
		       bool skip_nul)
{
	size_t n = s->len;
	bool cut = s->truncated;

	if (skip_nul && n && s->s[n - 1] == '\0')
		n--;
	if (data && n > DATA_SHOWN) {
		n = DATA_SHOWN;
		cut = true;
	}
	put(o, "\"");
	for (size_t i = 0; i < n; i++)
		put_byte(o, (unsigned char)s->s[i],
			 i + 1 < n ? (unsigned char)s->s[i + 1] : -1);
	put(o, cut ? "\"..." : "\"");
}

static const struct trace_str *string_of(const struct trace_call *c, int arg)
{
	for (int i = 0; i < c->nstr && i < TRACE_MAX_STR; i++)
		if (c->str[i].arg == arg && (c->str[i].s || !c->str[i].len))
			return &c->str[i];
	return NULL;
}

/* ---- flag words and enumerations (Linux x86_64 values) ------------------ */

struct flag {
	uint64_t val;
	const char *name;
};

/* Composite values (O_SYNC, O_TMPFILE, STATX_ALL) come before their
 * parts, so the whole is named once. */
static const struct flag open_modes[] = {
    {0, "O_RDONLY"}, {01, "O_WRONLY"}, {02, "O_RDWR"}, {03, "O_ACCMODE"}};
static const struct flag open_flags[] = {
    {0100, "O_CREAT"},	      {0200, "O_EXCL"},
    {0400, "O_NOCTTY"},	      {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {010000, "O_DSYNC"},
    {020000, "O_ASYNC"},      {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
};
#define O_CREAT 0100
#define O_TMPFILE_BIT 020000000 /* __O_TMPFILE */

static const struct flag fd_flags[] = {{1, "FD_CLOEXEC"}};
static const struct flag prot_flags[] = {
    {1, "PROT_READ"},
    {2, "PROT_WRITE"},
    {4, "PROT_EXEC"},
    {0x1000000, "PROT_GROWSDOWN"},
    {0x2000000, "PROT_GROWSUP"},
};
static const struct flag map_types[] = {
    {1, "MAP_SHARED"}, {2, "MAP_PRIVATE"}, {3, "MAP_SHARED_VALIDATE"}};
static const struct flag map_flags[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};
static const struct flag mremap_flags[] = {
    {1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};
static const struct flag madvise_advice[] = {
    {0, "MADV_NORMAL"},		 {1, "MADV_RANDOM"},
    {2, "MADV_SEQUENTIAL"},	 {3, "MADV_WILLNEED"},
    {4, "MADV_DONTNEED"},	 {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},		 {10, "MADV_DONTFORK"},
    {11, "MADV_DOFORK"},	 {12, "MADV_MERGEABLE"},
    {13, "MADV_UNMERGEABLE"},	 {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},	 {16, "MADV_DONTDUMP"},
    {17, "MADV_DODUMP"},	 {18, "MADV_WIPEONFORK"},
    {19, "MADV_KEEPONFORK"},	 {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},	 {22, "MADV_POPULATE_READ"},
    {23, "MADV_POPULATE_WRITE"}, {24, "MADV_DONTNEED_LOCKED"},
    {25, "MADV_COLLAPSE"},	 {100, "MADV_HWPOISON"},
    {101, "MADV_SOFT_OFFLINE"},
};
static const struct flag at_flags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},
    {0x400, "AT_SYMLINK_FOLLOW"},   {0x800, "AT_NO_AUTOMOUNT"},
    {0x1000, "AT_EMPTY_PATH"},
};
/* faccessat2: 0x200 means AT_EACCESS there. */
static const struct flag faccess_flags[] = {{0x100, "AT_SYMLINK_NOFOLLOW"},
					    {0x200, "AT_EACCESS"},
					    {0x1000, "AT_EMPTY_PATH"}};
static const struct flag statx_flags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"},
    {0x1000, "AT_EMPTY_PATH"},	    {0x2000, "AT_STATX_FORCE_SYNC"},
    {0x4000, "AT_STATX_DONT_SYNC"},
};
static const struct flag statx_mask[] = {
    {0xfff, "STATX_ALL"},     {0x7ff, "STATX_BASIC_STATS"},
    {0x1, "STATX_TYPE"},      {0x2, "STATX_MODE"},
    {0x4, "STATX_NLINK"},     {0x8, "STATX_UID"},
    {0x10, "STATX_GID"},      {0x20, "STATX_ATIME"},
    {0x40, "STATX_MTIME"},    {0x80, "STATX_CTIME"},
    {0x100, "STATX_INO"},     {0x200, "STATX_SIZE"},
    {0x400, "STATX_BLOCKS"},  {0x800, "STATX_BTIME"},
    {0x1000, "STATX_MNT_ID"}, {0x2000, "STATX_DIOALIGN"},
};
static const struct flag access_modes[] = {
    {4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
static const struct flag rename_flags[] = {
    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};
static const struct flag mode_types[] = {
    {0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
    {060000, "S_IFBLK"},   {040000, "S_IFDIR"},	 {020000, "S_IFCHR"},
    {010000, "S_IFIFO"},
};
static const struct flag clone_flags[] = {
    {0x100, "CLONE_VM"},
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
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
};
static const struct flag wait_flags[] = {
    {1, "WNOHANG"},
    {2, "WUNTRACED"},
    {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"},
    {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"},
    {0x80000000, "__WCLONE"},
};
static const struct flag grnd_flags[] = {
    {1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
static const struct flag timer_flags[] = {{1, "TIMER_ABSTIME"}};
static const struct flag flock_ops[] = {
    {1, "LOCK_SH"}, {2, "LOCK_EX"}, {4, "LOCK_NB"}, {8, "LOCK_UN"}};
static const struct flag msg_flags[] = {
    {0x1, "MSG_OOB"},	      {0x2, "MSG_PEEK"},
    {0x4, "MSG_DONTROUTE"},   {0x8, "MSG_CTRUNC"},
    {0x20, "MSG_TRUNC"},      {0x40, "MSG_DONTWAIT"},
    {0x80, "MSG_EOR"},	      {0x100, "MSG_WAITALL"},
    {0x2000, "MSG_ERRQUEUE"}, {0x4000, "MSG_NOSIGNAL"},
    {0x8000, "MSG_MORE"},     {0x40000000, "MSG_CMSG_CLOEXEC"},
};
static const struct flag sock_types[] = {
    {1, "SOCK_STREAM"}, {2, "SOCK_DGRAM"},     {3, "SOCK_RAW"},
    {4, "SOCK_RDM"},	{5, "SOCK_SEQPACKET"}, {10, "SOCK_PACKET"},
};
static const struct flag sock_flags[] = {{04000, "SOCK_NONBLOCK"},
					 {02000000, "SOCK_CLOEXEC"}};
static const struct flag umount_flags[] = {{1, "MNT_FORCE"},
					   {2, "MNT_DETACH"},
					   {4, "MNT_EXPIRE"},
					   {8, "UMOUNT_NOFOLLOW"}};
/* The old magic number in the top half of mount's flags. */
static const struct flag mount_magic[] = {{0xc0ed0000, "MS_MGC_VAL"}};
static const struct flag mount_flags[] = {
    {1, "MS_RDONLY"},
    {2, "MS_NOSUID"},
    {4, "MS_NODEV"},
    {8, "MS_NOEXEC"},
    {16, "MS_SYNCHRONOUS"},
    {32, "MS_REMOUNT"},
    {64, "MS_MANDLOCK"},
    {128, "MS_DIRSYNC"},
    {256, "MS_NOSYMFOLLOW"},
    {1024, "MS_NOATIME"},
    {2048, "MS_NODIRATIME"},
    {4096, "MS_BIND"},
    {8192, "MS_MOVE"},
    {16384, "MS_REC"},
    {32768, "MS_SILENT"},
    {1 << 16, "MS_POSIXACL"},
    {1 << 17, "MS_UNBINDABLE"},
    {1 << 18, "MS_PRIVATE"},
    {1 << 19, "MS_SLAVE"},
    {1 << 20, "MS_SHARED"},
    {1 << 21, "MS_RELATIME"},
    {1 << 22, "MS_KERNMOUNT"},
    {1 << 23, "MS_I_VERSION"},
    {1 << 24, "MS_STRICTATIME"},
    {1 << 25, "MS_LAZYTIME"},
};

static const struct flag whence[] = {
    {0, "SEEK_SET"},  {1, "SEEK_CUR"},	{2, "SEEK_END"},
    {3, "SEEK_DATA"}, {4, "SEEK_HOLE"},
};
static const struct flag sigprocmask_how[] = {
    {0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};
static const struct flag clocks[] = {
    {0, "CLOCK_REALTIME"},
    {1, "CLOCK_MONOTONIC"},
    {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"},
    {4, "CLOCK_MONOTONIC_RAW"},
    {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},
    {7, "CLOCK_BOOTTIME"},
    {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},
    {11, "CLOCK_TAI"},
};
static const struct flag ioctls[] = {
    {0x5401, "TCGETS"},	    {0x5402, "TCSETS"},	   {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},    {0x5409, "TCSBRK"},	   {0x540a, "TCXONC"},
    {0x540b, "TCFLSH"},	    {0x540e, "TIOCSCTTY"}, {0x540f, "TIOCGPGRP"},
    {0x5410, "TIOCSPGRP"},  {0x5411, "TIOCOUTQ"},  {0x5413, "TIOCGWINSZ"},
    {0x5414, "TIOCSWINSZ"}, {0x541b, "FIONREAD"},  {0x5421, "FIONBIO"},
    {0x5422, "TIOCNOTTY"},  {0x5429, "TIOCGSID"},  {0x5450, "FIONCLEX"},
    {0x5451, "FIOCLEX"},
};
static const struct flag arch_prctl_codes[] = {{0x1001, "ARCH_SET_GS"},
					       {0x1002, "ARCH_SET_FS"},
					       {0x1003, "ARCH_GET_FS"},
					       {0x1004, "ARCH_GET_GS"}};
static const struct flag rlimits[] = {
    {0, "RLIMIT_CPU"},	     {1, "RLIMIT_FSIZE"},  {2, "RLIMIT_DATA"},
    {3, "RLIMIT_STACK"},     {4, "RLIMIT_CORE"},   {5, "RLIMIT_RSS"},
    {6, "RLIMIT_NPROC"},     {7, "RLIMIT_NOFILE"}, {8, "RLIMIT_MEMLOCK"},
    {9, "RLIMIT_AS"},	     {10, "RLIMIT_LOCKS"}, {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"},  {14, "RLIMIT_RTPRIO"},
    {15, "RLIMIT_RTTIME"},
};
static const struct flag rusage_who[] = {{0, "RUSAGE_SELF"},
					 {(uint32_t)-1, "RUSAGE_CHILDREN"},
					 {1, "RUSAGE_THREAD"}};
static const struct flag address_families[] = {
    {0, "AF_UNSPEC"}, {1, "AF_UNIX"},	  {2, "AF_INET"},
    {10, "AF_INET6"}, {16, "AF_NETLINK"}, {17, "AF_PACKET"},
};
static const struct flag shutdown_how[] = {
    {0, "SHUT_RD"}, {1, "SHUT_WR"}, {2, "SHUT_RDWR"}};

/* fcntl: the command, and how its third argument shows (0: it has none). */
struct fcntl_cmd {
	int cmd;
	const char *name;
	char arg;
};

static const struct fcntl_cmd fcntl_cmds[] = {
    {0, "F_DUPFD", 'd'},
    {1, "F_GETFD", 0},
    {2, "F_SETFD", 'j'},
    {3, "F_GETFL", 0},
    {4, "F_SETFL", 'O'},
    {5, "F_GETLK", 'p'},
    {6, "F_SETLK", 'p'},
    {7, "F_SETLKW", 'p'},
    {8, "F_SETOWN", 'd'},
    {9, "F_GETOWN", 0},
    {10, "F_SETSIG", 'S'},
    {11, "F_GETSIG", 0},
    {15, "F_SETOWN_EX", 'p'},
    {16, "F_GETOWN_EX", 'p'},
    {36, "F_OFD_GETLK", 'p'},
    {37, "F_OFD_SETLK", 'p'},
    {38, "F_OFD_SETLKW", 'p'},
    {1024, "F_SETLEASE", 'd'},
    {1025, "F_GETLEASE", 0},
    {1026, "F_NOTIFY", 'x'},
    {1030, "F_DUPFD_CLOEXEC", 'd'},
    {1031, "F_SETPIPE_SZ", 'd'},
    {1032, "F_GETPIPE_SZ", 0},
    {1033, "F_ADD_SEALS", 'x'},
    {1034, "F_GET_SEALS", 0},
};
#define F_GETFD 1
#define F_GETFL 3

static const struct fcntl_cmd *fcntl_cmd(uint64_t cmd)
{
	for (int i = 0; i < COUNT(fcntl_cmds); i++)
		if (fcntl_cmds[i].cmd == as_int(cmd))
			return &fcntl_cmds[i];
	return NULL;
}

/* futex: the command in the low 7 bits of op, and the signature of the
 * arguments after uaddr and op, as strace shows them. */
struct futex_cmd {
	const char *name;
	const char *sig;
};

static const struct futex_cmd futex_cmds[] = {
    [0] = {"FUTEX_WAIT", "dp"},
    [1] = {"FUTEX_WAKE", "d"},
    [2] = {"FUTEX_FD", "d"},
    [3] = {"FUTEX_REQUEUE", "dup"},
    [4] = {"FUTEX_CMP_REQUEUE", "dupd"},
    [5] = {"FUTEX_WAKE_OP", "dupx"},
    [6] = {"FUTEX_LOCK_PI", "-p"},
    [7] = {"FUTEX_UNLOCK_PI", ""},
    [8] = {"FUTEX_TRYLOCK_PI", ""},
    [9] = {"FUTEX_WAIT_BITSET", "dp-B"},
    [10] = {"FUTEX_WAKE_BITSET", "d--B"},
    [11] = {"FUTEX_WAIT_REQUEUE_PI", "dpp"},
    [12] = {"FUTEX_CMP_REQUEUE_PI", "dupd"},
    [13] = {"FUTEX_LOCK_PI2", "-p"},
};
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_PRIVATE_FLAG 0x80
#define FUTEX_CLOCK_REALTIME 0x100
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

static const struct futex_cmd *futex_cmd(uint64_t op)
{
	unsigned cmd = (unsigned)(op & FUTEX_CMD_MASK);

	if (cmd < (unsigned)COUNT(futex_cmds) && futex_cmds[cmd].name)
		return &futex_cmds[cmd];
	return NULL;
}

/* ---- kinds of argument shown through the tables above ------------------- */

/* A value looked up in vals (unknown: decimal, or hex if hex), or, when
 * bits is set, a flag word: the part under vmask named from vals, then the
 * bits, the rest in hex; zero is what an all-zero word prints ("0"). */
struct kind {
	char letter;
	bool hex;
	uint64_t vmask;
	const struct flag *vals;
	int nvals;
	const struct flag *bits;
	int nbits;
	const char *zero;
};

#define VALUES(t) .vals = (t), .nvals = COUNT(t)
#define BITS(t) .bits = (t), .nbits = COUNT(t)

static const struct kind kinds[] = {
    {'O', .vmask = 3, VALUES(open_modes), BITS(open_flags)},
    {'o', BITS(open_flags)},
    {'j', BITS(fd_flags)},
    {'P', BITS(prot_flags), .zero = "PROT_NONE"},
    {'M', .vmask = 0xf, VALUES(map_types), BITS(map_flags)},
    {'Y', BITS(mremap_flags)},
    {'V', VALUES(madvise_advice)},
    {'F', BITS(at_flags)},
    {'E', BITS(faccess_flags)},
    {'q', BITS(statx_flags), .zero = "AT_STATX_SYNC_AS_STAT"},
    {'Q', BITS(statx_mask)},
    {'A', BITS(access_modes), .zero = "F_OK"},
    {'r', BITS(rename_flags)},
    {'w', BITS(wait_flags)},
    {'G', BITS(grnd_flags)},
    {'T', BITS(timer_flags)},
    {'k', BITS(flock_ops)},
    {'g', BITS(msg_flags)},
    {'t', .vmask = 0xf, VALUES(sock_types), BITS(sock_flags)},
    {'e', BITS(umount_flags)},
    {'i', .vmask = 0xffff0000, VALUES(mount_magic), BITS(mount_flags)},
    {'W', VALUES(whence)},
    {'H', VALUES(sigprocmask_how)},
    {'K', VALUES(clocks)},
    {'R', VALUES(arch_prctl_codes)},
    {'L', VALUES(rlimits)},
    {'U', VALUES(rusage_who)},
    {'a', VALUES(address_families)},
    {'h', VALUES(shutdown_how)},
    {'I', VALUES(ioctls), .hex = true},
};

static const struct kind *kind_of(char letter)
{
	for (int i = 0; i < COUNT(kinds); i++)
		if (kinds[i].letter == letter)
			return &kinds[i];
	return NULL;
}

static const char *value_name(uint64_t v, const struct flag *f, int n)
{
	for (int i = 0; i < n; i++)
		if (f[i].val == v)
			return f[i].name;
	return NULL;
}

/* The known bits of v joined with '|', the rest in hex; any: something is
 * already printed, so the first name needs a '|'. Returns whether
 * anything is printed now. */
static bool put_bits(struct out *o, uint64_t v, const struct flag *f, int n,
		     bool any)
{
	for (int i = 0; i < n; i++) {
		if (!f[i].val || (v & f[i].val) != f[i].val)
			continue;
		put(o, any ? "|" : "");
		put(o, f[i].name);
		v &= ~f[i].val;
		any = true;
	}
	if (v) {
		put(o, any ? "|" : "");
		put_hex(o, v);
		any = true;
	}
	return any;
}

static void put_kind(struct out *o, const struct kind *k, uint64_t v)
{
	const char *name;
	bool any = false;

	v &= 0xffffffff; /* all of these are ints */
	if (!k->bits) {
		if ((name = value_name(v, k->vals, k->nvals)))
			put(o, name);
		else if (k->hex)
			put_hex(o, v);
		else
			put_int(o, as_int(v));
		return;
	}
	if (!v && k->zero) {
		put(o, k->zero);
		return;
	}
	if (k->vals && (name = value_name(v & k->vmask, k->vals, k->nvals))) {
		put(o, name);
		v &= ~k->vmask;
		any = true;
	}
	if (!put_bits(o, v, k->bits, k->nbits, any))
		put(o, "0");
}

/* ---- signatures --------------------------------------------------------- */

/* One letter per argument. Plain numbers and pointers:
 *   d int (fd, pid)   D dirfd (AT_FDCWD)   u unsigned size   l signed offset
 *   x hex             p pointer (NULL)     - not shown
 * Memory the kernel copied (else the pointer):
 *   s path   b data, at most 32 bytes shown   c getcwd's buffer
 * Decoded here:
 *   m mode (octal)   N mknod mode (type|mode)   n open's mode (shown only
 *   if the flags before it create a file)   S signal   C clone flags
 *   f fcntl command   X futex op   B futex bitset
 * Looked up in kinds[]: O o j P M Y V F E q Q A r w G T k g t e i W H K R
 *   L U a h I (see there). fcntl, futex, open, mremap and mknod have
 *   argument lists that depend on an argument: see signature(). */
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
    [NR_select] = "dpppp",
    [NR_sched_yield] = "",
    [NR_mremap] = "puuYp",
    [NR_madvise] = "puV",
    [NR_dup] = "d",
    [NR_dup2] = "dd",
    [NR_pause] = "",
    [NR_nanosleep] = "pp",
    [NR_getitimer] = "dp",
    [NR_alarm] = "u",
    [NR_setitimer] = "dpp",
    [NR_getpid] = "",
    [NR_sendfile] = "ddpu",
    [NR_socket] = "atd",
    [NR_connect] = "dpu",
    [NR_accept] = "dpp",
    [NR_sendto] = "dbugpu",
    [NR_recvfrom] = "dbugpp",
    [NR_sendmsg] = "dpg",
    [NR_recvmsg] = "dpg",
    [NR_shutdown] = "dh",
    [NR_bind] = "dpu",
    [NR_listen] = "dd",
    [NR_getsockname] = "dpp",
    [NR_getpeername] = "dpp",
    [NR_socketpair] = "atdp",
    [NR_clone] = "Cpppx",
    [NR_fork] = "",
    [NR_vfork] = "",
    [NR_execve] = "spp",
    [NR_exit] = "d",
    [NR_wait4] = "dpwp",
    [NR_kill] = "dS",
    [NR_uname] = "p",
    [NR_fcntl] = "df", /* see signature() */
    [NR_flock] = "dk",
    [NR_fsync] = "d",
    [NR_fdatasync] = "d",
    [NR_truncate] = "sl",
    [NR_ftruncate] = "dl",
    [NR_getdents] = "dpu",
    [NR_getcwd] = "cu",
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
    [NR_getrlimit] = "Lp",
    [NR_getrusage] = "Up",
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
    [NR_mknod] = "sNx",
    [NR_statfs] = "sp",
    [NR_fstatfs] = "dp",
    [NR_arch_prctl] = "Rp",
    [NR_setrlimit] = "Lp",
    [NR_chroot] = "s",
    [NR_sync] = "",
    [NR_mount] = "sspip",
    [NR_umount2] = "se",
    [NR_sethostname] = "bu",
    [NR_gettid] = "",
    [NR_tkill] = "dS",
    [NR_time] = "p",
    [NR_futex] = "pX", /* see signature() */
    [NR_set_tid_address] = "p",
    [NR_clock_gettime] = "Kp",
    [NR_clock_getres] = "Kp",
    [NR_clock_nanosleep] = "KTpp",
    [NR_exit_group] = "d",
    [NR_tgkill] = "ddS",
    [NR_openat] = "DsOn",
    [NR_mkdirat] = "Dsm",
    [NR_mknodat] = "DsNx",
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
    [NR_ppoll] = "puppu",
    [NR_set_robust_list] = "pu",
    [NR_utimensat] = "DspF",
    [NR_accept4] = "dppt",
    [NR_pipe2] = "po",
    [NR_dup3] = "ddo",
    [NR_prlimit64] = "dLpp",
    [NR_getrandom] = "buG",
    [NR_renameat2] = "DsDsr",
    [NR_statx] = "DsqQp",
    [NR_faccessat2] = "DsAE",
    [NR_getdents64] = "dpu",
    [NR_rseq] = "puxx",
};

#define SIG_MAX 8	   /* longest signature plus NUL */
#define MREMAP_FIXED_ANY 6 /* MREMAP_FIXED|MREMAP_DONTUNMAP: new_address */
#define S_IFMT 0170000
#define S_IFCHR 020000
#define S_IFBLK 060000

/* The signature of this call, in buf; NULL if the call has none (all six
 * arguments in hex then). */
static const char *signature(const struct trace_call *c, char buf[SIG_MAX])
{
	const char *sig = c->nr >= 0 && c->nr < NR_MAX ? sigs[c->nr] : NULL;
	const uint64_t *a = c->args;
	size_t n;

	if (!sig)
		return NULL;
	snprintf(buf, SIG_MAX, "%s", sig);
	n = strlen(buf);
	if (c->nr == NR_fcntl) {
		const struct fcntl_cmd *f = fcntl_cmd(a[1]);
		buf[2] = f ? f->arg : 'x';
		buf[3] = '\0';
	} else if (c->nr == NR_futex) {
		const struct futex_cmd *f = futex_cmd(a[1]);
		/* An operation we do not know: its other four in hex. */
		snprintf(buf + 2, SIG_MAX - 2, "%s", f ? f->sig : "xxxx");
	} else if (n && buf[n - 1] == 'n') {
		uint64_t fl = a[n - 2];
		if (!(fl & O_CREAT) && !(fl & O_TMPFILE_BIT))
			buf[n - 1] = '\0';
	} else if (c->nr == NR_mremap && !(a[3] & MREMAP_FIXED_ANY)) {
		buf[4] = '\0';
	} else if (c->nr == NR_mknod || c->nr == NR_mknodat) {
		uint64_t type = a[n - 2] & S_IFMT;
		if (type != S_IFCHR && type != S_IFBLK)
			buf[n - 1] = '\0';
	}
	return buf;
}

/* ---- arguments ---------------------------------------------------------- */

static void put_signal(struct out *o, uint64_t v)
{
	int sig = as_int(v);

	if (trace_signal_name(sig))
		put(o, trace_signal_name(sig));
	else if (sig >= SIGRT_FIRST && sig <= SIGRT_LAST) {
		put(o, "SIGRT_");
		put_int(o, sig - SIGRT_FIRST);
	} else
		put_int(o, sig);
}

/* The low byte is the signal sent to the parent when the child exits. */
static void put_clone_flags(struct out *o, uint64_t v)
{
	bool any =
	    put_bits(o, v & ~0xffULL, clone_flags, COUNT(clone_flags), false);

	if (v & 0xff) {
		put(o, any ? "|" : "");
		put_signal(o, v & 0xff);
	} else if (!any)
		put(o, "0");
}

static void put_mknod_mode(struct out *o, uint64_t v)
{
	const char *type =
	    value_name(v & S_IFMT, mode_types, COUNT(mode_types));

	if (type) {
		put(o, type);
		put(o, "|");
		v &= ~(uint64_t)S_IFMT;
	}
	put_mode(o, v);
}

static void put_futex_op(struct out *o, uint64_t v)
{
	const struct futex_cmd *f = futex_cmd(v);

	v &= 0xffffffff;
	if (!f || (v & ~(uint64_t)(FUTEX_CMD_MASK | FUTEX_PRIVATE_FLAG |
				   FUTEX_CLOCK_REALTIME))) {
		put_hex(o, v);
		return;
	}
	put(o, f->name);
	if (v & FUTEX_PRIVATE_FLAG)
		put(o, "_PRIVATE");
	if (v & FUTEX_CLOCK_REALTIME)
		put(o, "|FUTEX_CLOCK_REALTIME");
}

static void put_memory(struct out *o, const struct trace_call *c, int i,
		       char kind)
{
	const struct trace_str *s = string_of(c, i);

	if (s)
		put_string(o, s, kind == 'b', kind == 'c');
	else
		put_ptr(o, c->args[i]);
}

static void put_arg(struct out *o, const struct trace_call *c, int i, char kind)
{
	uint64_t v = c->args[i];
	const struct fcntl_cmd *f;

	switch (kind) {
	case 'd':
		put_int(o, as_int(v));
		break;
	case 'D':
		if (as_int(v) == -100)
			put(o, "AT_FDCWD");
		else
			put_int(o, as_int(v));
		break;
	case 'u':
		put_uint(o, v);
		break;
	case 'l':
		put_int(o, (long long)v);
		break;
	case 'p':
		put_ptr(o, v);
		break;
	case 's':
	case 'b':
	case 'c':
		put_memory(o, c, i, kind);
		break;
	case 'm':
	case 'n':
		put_mode(o, v);
		break;
	case 'N':
		put_mknod_mode(o, v);
		break;
	case 'S':
		put_signal(o, v);
		break;
	case 'C':
		put_clone_flags(o, v);
		break;
	case 'f':
		if ((f = fcntl_cmd(v)))
			put(o, f->name);
		else
			put_int(o, as_int(v));
		break;
	case 'X':
		put_futex_op(o, v);
		break;
	case 'B':
		if ((v & 0xffffffff) == FUTEX_BITSET_MATCH_ANY)
			put(o, "FUTEX_BITSET_MATCH_ANY");
		else
			put_hex(o, v & 0xffffffff);
		break;
	default:
		if (kind_of(kind))
			put_kind(o, kind_of(kind), v);
		else
			put_hex(o, v);
		break;
	}
}

static void put_args(struct out *o, const struct trace_call *c)
{
	char buf[SIG_MAX];
	const char *sig = signature(c, buf);
	const char *name = trace_syscall_name(c->nr);
	bool first = true;

	if (name)
		put(o, name);
	else {
		put(o, "syscall_");
		put_int(o, c->nr);
	}
	put(o, "(");
	for (int i = 0; i < 6 && (sig ? sig[i] != '\0' : true); i++) {
		if (sig && sig[i] == '-')
			continue;
		put(o, first ? "" : ", ");
		put_arg(o, c, i, sig ? sig[i] : 'x');
		first = false;
	}
	put(o, ")");
}

/* ---- results ------------------------------------------------------------ */

static bool returns_address(int nr)
{
	return nr == NR_mmap || nr == NR_brk || nr == NR_mremap ||
	       nr == NR_shmat;
}

/* fcntl(F_GETFL) and (F_GETFD) return flag words: "0x2 (flags O_RDWR)". */
static bool put_fcntl_result(struct out *o, const struct trace_call *c)
{
	int cmd = as_int(c->args[1]);
	uint64_t r = (uint64_t)c->ret;

	if (c->nr != NR_fcntl || (cmd != F_GETFL && cmd != F_GETFD) ||
	    (cmd == F_GETFD && !r))
		return false;
	put(o, "= ");
	put_hex(o, r);
	put(o, " (flags ");
	put_kind(o, kind_of(cmd == F_GETFL ? 'O' : 'j'), r);
	put(o, ")");
	return true;
}

static void put_result(struct out *o, const struct trace_call *c)
{
	long r = c->ret;

	if (!c->finished)
		put(o, "= ?");
	else if (r < 0 && r >= -4095) {
		put(o, "= -1 ");
		if (trace_errno_name((int)-r)) {
			put(o, trace_errno_name((int)-r));
			put(o, " (");
			put(o, trace_errno_text((int)-r));
			put(o, ")");
		} else {
			put(o, "(errno ");
			put_int(o, -r);
			put(o, ")");
		}
	} else if (returns_address(c->nr)) {
		put(o, "= ");
		put_hex(o, (uint64_t)r);
	} else if (c->nr == NR_umask) {
		put(o, "= ");
		put_mode(o, (uint64_t)r);
	} else if (!put_fcntl_result(o, c)) {
		put(o, "= ");
		put_int(o, r);
	}
}

/* ---- the interface ------------------------------------------------------ */

static struct out out_start(char *buf, size_t n)
{
	struct out o = {buf, buf ? n : 0, 0};

	if (o.size)
		buf[0] = '\0';
	return o;
}

size_t trace_format_args(char *out, size_t n, const struct trace_call *c)
{
	struct out o = out_start(out, n);

	put_args(&o, c);
	return o.len;
}

size_t trace_format_result(char *out, size_t n, const struct trace_call *c)
{
	struct out o = out_start(out, n);

	put_result(&o, c);
	return o.len;
}

size_t trace_format_call(char *out, size_t n, const struct trace_call *c)
{
	struct out o = out_start(out, n);

	put_args(&o, c);
	put(&o, " ");
	put_result(&o, c);
	return o.len;
}
