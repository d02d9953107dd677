/* One fuzzing worker: an unprivileged process that makes random system calls
 * with structured arguments (live, stale and absurd descriptors; buffers,
 * NULL, kernel, unmapped and cut-off pointers; lengths from 0 to SIZE_MAX;
 * paths that exist, loop or are too long) from a seeded PRNG, with an
 * optional second thread that closes and unmaps what the first one uses.
 * It keeps its last RING calls and prints them if something goes wrong. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE 4096UL
#define ARENA_PAGES 16
#define STRUCT_PAGES 8
#define RING 32
#define NSLOT 12 /* descriptors of known kinds, reopened when lost */
#define NEXTRA 8 /* descriptors the fuzzed calls returned */

/* --- state ------------------------------------------------------------ */

static uint64_t rng;
static int widx;
static uint64_t wseed;
static int in_child; /* a fork of the worker: no logging, no forking */
int fuzz_verbose;    /* --verbose: every call on the console before it runs */

struct call {
	long nr, a[6], ret;
};
static struct call ring[RING];
static volatile unsigned long ncalls;

/* [guard][arena][guard][structs][guard]: the arena is what pointer
 * arguments point into (and the only memory munmap/mprotect/MAP_FIXED and
 * the racing thread may touch); the struct pages hold the iovecs, paths,
 * timespecs... built for one call. Guards are PROT_NONE mappings, so a
 * length too long for a buffer ends in EFAULT, never in our own data. */
static char *arena, *arena_end, *sarea, *sarea_end;
static size_t soff;

static int slot_fd[NSLOT];
static int extra_fd[NEXTRA];
static int extra_next;
static int stale[8];
static int stale_next;
static volatile long racer_tid;

static char scratch[64];

/* --- PRNG helpers ------------------------------------------------------ */

static uint64_t rnd(void)
{
	return rng_next(&rng);
}
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}
static int chance(int pct)
{
	return (int)below(100) < pct;
}
#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* --- reports ----------------------------------------------------------- */

static void say(const char *s)
{
	raw3(SYS_write, FD_REPORT, s, strlen(s));
}

static void dump_ring(const char *why)
{
	char line[256];
	snprintf(line, sizeof(line),
		 "fuzz: worker %d (pid %ld, seed 0x%llx) %s after %lu calls; "
		 "last calls, oldest first:\n",
		 widx, raw3(SYS_getpid, 0, 0, 0), (unsigned long long)wseed,
		 why, ncalls);
	say(line);
	unsigned long n = ncalls;
	/* Up to and including the call in flight (ret still -999999). */
	for (unsigned long i = n >= RING ? n - RING + 1 : 0; i <= n; i++) {
		struct call *c = &ring[i % RING];
		if (i == n && c->ret != -999999)
			break;
		const char *nm = fuzz_syscall_name(c->nr);
		snprintf(
		    line, sizeof(line),
		    "fuzz:   #%lu %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = "
		    "%ld\n",
		    i, nm, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5],
		    c->ret);
		say(line);
	}
}

static volatile unsigned long alarms;
static void on_alarm(int s)
{
	(void)s, alarms++;
}
static void on_dump(int s)
{
	(void)s;
	dump_ring("was asked for its calls (no progress?)");
}
static void on_fatal(int s)
{
	char why[48];
	snprintf(why, sizeof(why), "got fatal signal %d", s);
	dump_ring(why);
	/* SA_RESETHAND: returning re-runs the faulting instruction and the
	 * default action ends the process with the signal. */
	if (s != SIGSEGV && s != SIGBUS && s != SIGILL && s != SIGFPE)
		raw3(SYS_kill, raw3(SYS_getpid, 0, 0, 0), s, 0);
}

static void handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: blocked calls end */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_dump;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	int fatal[] = {SIGSEGV, SIGBUS,	 SIGILL, SIGFPE,  SIGTRAP, SIGSYS,
		       SIGABRT, SIGTERM, SIGINT, SIGQUIT, SIGUSR2};
	for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	/* Signals a worker may legitimately bring on itself. */
	int ign[] = {
	    SIGPIPE, SIGXFSZ, SIGXCPU,	 SIGHUP, SIGTTIN,
	    SIGTTOU, SIGTSTP, SIGVTALRM, SIGPROF}; /* the last two: a fuzzed
						      setitimer's */
	for (unsigned i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		signal(ign[i], SIG_IGN);
}

/* --- scratch directory and descriptors -------------------------------- */

static char longpath[5200], longname[400];

static void make_scratch(void)
{
	static const char *files[] = {"f0", "f1", "f2", "d0/inner"};
	mkdir("d0", 0755);
	mkdir("d1", 0755);
	chmod(".", 0755);
	chmod("d0", 0755);
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDWR | O_CREAT, 0644);
		if (fd >= 0) {
			if (write(fd, "limen fuzz scratch\n", 19) < 0)
				(void)0;
			close(fd);
		}
		chmod(files[i], 0644);
	}
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	symlink("self", "self");
	symlink("nowhere/at/all", "dangle");
	symlink("..", "up");
	symlink("f0", "lf0");
	mknod("p0", S_IFIFO | 0644, 0);
}

static void build_long_paths(void)
{
	size_t n = 0;
	while (n + 6 < sizeof(longpath) - 1) {
		memcpy(longpath + n, "d0/../", 6);
		n += 6;
	}
	longpath[n] = 0;			     /* > PATH_MAX */
	memset(longname, 'x', sizeof(longname) - 1); /* > NAME_MAX */
	longname[sizeof(longname) - 1] = 0;
}

static int is_protected(long fd)
{
	return fd == FD_REPORT || fd == FD_PROGRESS;
}

static int open_slot(int i)
{
	int p[2];
	switch (i) {
	case 0:
		return open("f0", O_RDWR | O_CREAT, 0644);
	case 1:
		return open("f1", O_RDONLY | O_CREAT, 0644);
	case 2:
		return open("d0", O_RDONLY | O_DIRECTORY);
	case 3:
		return open(".", O_RDONLY | O_DIRECTORY);
	case 4:
		return open("/dev/null", O_RDWR);
	case 5:
		return open("/dev/zero", O_RDWR);
	case 6:
	case 7:
		/* A pipe: both ends in slots 6 and 7. */
		if (slot_fd[6] >= 0 && fcntl(slot_fd[6], F_GETFD) >= 0)
			close(slot_fd[6]);
		if (slot_fd[7] >= 0 && fcntl(slot_fd[7], F_GETFD) >= 0)
			close(slot_fd[7]);
		if (pipe2(p, O_NONBLOCK) < 0)
			return -1;
		slot_fd[6] = p[0];
		slot_fd[7] = p[1];
		return i == 6 ? p[0] : p[1];
	case 8:
		return open("/proc/self/stat", O_RDONLY);
	case 9:
		return open("/etc/passwd", O_RDONLY);
	case 10:
		return open("/", O_RDONLY | O_DIRECTORY);
	default:
		return open("f2", O_WRONLY | O_APPEND | O_CREAT, 0644);
	}
}

/* Descriptors the fuzzed calls closed or replaced come back; a slot that
 * now holds something else is fine too (it is still a live descriptor). */
static void refill_fds(void)
{
	for (int i = 0; i < NSLOT; i++) {
		if (slot_fd[i] >= 0 && fcntl(slot_fd[i], F_GETFD) >= 0)
			continue;
		int fd = open_slot(i);
		if (i == 6 || i == 7)
			continue;
		slot_fd[i] = fd;
	}
}

static int known_fd(int fd)
{
	for (int i = 0; i < NSLOT; i++)
		if (slot_fd[i] == fd)
			return 1;
	for (int i = 0; i < NEXTRA; i++)
		if (extra_fd[i] == fd)
			return 1;
	return 0;
}

static void keep_fd(long fd)
{
	if (fd < 0 || fd >= 1024 || is_protected(fd) || known_fd((int)fd))
		return;
	int old = extra_fd[extra_next];
	extra_fd[extra_next] = (int)fd;
	extra_next = (extra_next + 1) % NEXTRA;
	if (old >= 3 && !known_fd(old))
		close(old);
}

/* Out of descriptors (the fuzzed pipe() into a buffer we cannot read
 * leaks them): close everything we do not know. */
static void sweep_fds(void)
{
	for (int fd = 3; fd < 1024; fd++)
		if (!is_protected(fd) && !known_fd(fd))
			raw3(SYS_close, fd, 0, 0);
}

/* --- the memory the fuzzer owns --------------------------------------- */

static void setup_regions(void)
{
	size_t total = (ARENA_PAGES + STRUCT_PAGES + 3) * PAGE;
	char *r =
	    mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		say("fuzz: worker cannot map its arena\n");
		_exit(3);
	}
	arena = r + PAGE;
	arena_end = arena + ARENA_PAGES * PAGE;
	sarea = arena_end + PAGE;
	sarea_end = sarea + STRUCT_PAGES * PAGE;
	mprotect(arena, ARENA_PAGES * PAGE, PROT_READ | PROT_WRITE);
	mprotect(sarea, STRUCT_PAGES * PAGE, PROT_READ | PROT_WRITE);
}

/* The arena back to read-write, whatever the calls did to it. */
static void restore_arena(void)
{
	mmap(arena, ARENA_PAGES * PAGE, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

/* What the worker's calls left behind outside the arena: mappings (mmap,
 * shmat) and System V segments. The oldest goes back when a newer one
 * needs its slot, so a worker's memory stays bounded and an out-of-memory
 * kill in a long run points at the kernel, not at a worker that kept
 * everything it ever mapped. */
#define KEEP 16
static struct {
	long addr, len; /* len 0: a shmat attachment */
} kept_maps[KEEP];
static long kept_shm[KEEP];
static unsigned kept_map_next, kept_shm_next;

static void keep_map(long addr, long len)
{
	unsigned i = kept_map_next++ % KEEP;
	if (kept_maps[i].addr) {
		if (kept_maps[i].len)
			raw3(SYS_munmap, kept_maps[i].addr, kept_maps[i].len,
			     0);
		else
			raw3(SYS_shmdt, kept_maps[i].addr, 0, 0);
	}
	kept_maps[i].addr = addr;
	kept_maps[i].len = len;
}

static void keep_shm(long id)
{
	unsigned i = kept_shm_next++ % KEEP;
	if (kept_shm[i] > 0)
		raw3(SYS_shmctl, kept_shm[i], 0 /* IPC_RMID */, 0);
	kept_shm[i] = id;
}

static int outside_arena(long addr)
{
	return (char *)addr < arena || (char *)addr >= arena_end;
}

/* Per-call allocations in the struct pages; the last 64 bytes are kept for
 * objects placed to run into the guard page. */
static void *salloc(size_t n)
{
	n = (n + 15) & ~15UL;
	if (soff + n > STRUCT_PAGES * PAGE - 64)
		soff = 0;
	void *p = sarea + soff;
	soff += n;
	return p;
}

/* --- argument generators ---------------------------------------------- */

static long bad_ptr(void)
{
	static const uint64_t bad[] = {
	    0,
	    0xffffffff80000000ULL,
	    0xffff800000000000ULL,
	    0xffffffffffffffffULL,
	    0x0000800000000000ULL, /* first non-canonical */
	    0x00007ffffffff000ULL, /* last user page */
	    0x8000000000000000ULL,
	    0x10000,
	    0x1000,
	    1,
	};
	switch (below(4)) {
	case 0:
		return (long)(arena - PAGE + below(PAGE)); /* guard */
	case 1:
		return (long)(sarea_end + below(PAGE)); /* guard */
	default:
		return (long)PICK(bad);
	}
}

static long buf_ptr(void)
{
	switch (below(10)) {
	case 0:
	case 1:
		return bad_ptr();
	case 2:
		return (long)(arena_end - 1 - below(16)); /* cut by guard */
	case 3:
		return (long)(arena + 1 + below(7)); /* misaligned */
	case 4:
		return (long)(void *)buf_ptr; /* our text */
	default:
		return (long)(arena + (below(ARENA_PAGES * PAGE) & ~7UL));
	}
}

static long len_arg(void)
{
	static const uint64_t lens[] = {0,
					1,
					2,
					7,
					8,
					16,
					64,
					255,
					4095,
					4096,
					4097,
					65536,
					1ULL << 40,
					0xffffffffffffffffULL,
					0xfffffffffffff000ULL,
					0x7fffffff,
					0x80000000,
					0x7fffffffffffffffULL};
	if (chance(30))
		return (long)below(512);
	return (long)PICK(lens);
}

static long fd_arg(void)
{
	static const long huge[] = {1023,	 1024,	     4096,
				    65536,	 0x7fffffff, 0x80000000L,
				    0xffffffffL, -2,	     -100};
	long fd;
	switch (below(20)) {
	case 0:
	case 1:
		fd = -1;
		break;
	case 2:
	case 3:
		fd = stale[below(8)];
		break;
	case 4:
	case 5:
		fd = PICK(huge);
		break;
	case 6:
	case 7:
		fd = (long)below(32);
		break;
	case 8:
	case 9:
	case 10:
		fd = extra_fd[below(NEXTRA)];
		break;
	default:
		fd = slot_fd[below(NSLOT)];
		break;
	}
	return is_protected(fd) ? -1 : fd;
}

static long dirfd_arg(void)
{
	if (chance(40))
		return -100; /* AT_FDCWD */
	if (chance(30))
		return slot_fd[2 + below(2)];
	return fd_arg();
}

static long path_arg(void)
{
	static const char *const paths[] = {
	    "f0",
	    "f1",
	    "f2",
	    "d0",
	    "d1",
	    "d0/inner",
	    "loop1",
	    "loop1/x",
	    "self",
	    "dangle",
	    "up",
	    "lf0",
	    "p0",
	    "new",
	    "d1/new",
	    "nx/y/z",
	    ".",
	    "..",
	    "",
	    "/",
	    "/tmp",
	    "/proc/self/stat",
	    "/proc/self/maps",
	    "/proc/self/fd/3",
	    "/proc/meminfo",
	    "/proc/1/status",
	    "/dev/null",
	    "/dev/zero",
	    "/etc/passwd",
	    "/bin/busybox",
	    "d0/../f0",
	    "f0/",
	    "f0/x",
	    "//d0//inner",
	    "/proc/self/exe",
	    "/dev/",
	    "/proc",
	    "new2",
	    "d0/new3",
	    "fifo",
	};
	switch (below(16)) {
	case 0:
		return bad_ptr();
	case 1:
		return (long)longpath;
	case 2:
		return (long)longname;
	case 3: {
		/* No NUL before the guard page. */
		char *p = sarea_end - 1 - below(8);
		memset(p, 'a', sarea_end - p);
		return (long)p;
	}
	case 4: {
		/* Random bytes, NUL-terminated. */
		size_t n = 1 + below(24);
		char *p = salloc(n + 1);
		for (size_t i = 0; i < n; i++)
			p[i] = (char)(1 + below(255));
		p[n] = 0;
		return (long)p;
	}
	default: {
		const char *s = PICK(paths);
		char *p = salloc(strlen(s) + 1);
		strcpy(p, s);
		return (long)p;
	}
	}
}

static long flags_arg(void)
{
	switch (below(4)) {
	case 0:
		return 0;
	case 1:
		return (long)(1UL << below(32));
	case 2:
		return (long)(rnd() & 0xffffffff);
	default:
		return (long)(rnd() & 0xfff);
	}
}

static long oflags_arg(void)
{
	static const long f[] = {O_RDONLY,    O_WRONLY,	  O_RDWR,    O_CREAT,
				 O_EXCL,      O_TRUNC,	  O_APPEND,  O_NONBLOCK,
				 O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH,
				 O_TMPFILE,   O_NOCTTY,	  O_SYNC,    3};
	long fl = 0;
	int n = (int)below(4);
	for (int i = 0; i < n; i++)
		fl |= PICK(f);
	if (chance(5))
		fl = (long)(rnd() & 0xffffffff);
	/* A FIFO opened for reading waits for a writer: only with a signal
	 * to end it, and most of the time not at all. */
	if (chance(80))
		fl |= O_NONBLOCK;
	return fl;
}

static long mode_arg(void)
{
	if (chance(10))
		return (long)rnd();
	return (long)(below(010000) |
		      (chance(20) ? (long)PICK(((long[]){
					S_IFREG, S_IFIFO, S_IFDIR, S_IFCHR,
					S_IFBLK, S_IFSOCK, S_IFLNK}))
				  : 0));
}

static long off_arg(void)
{
	static const long o[] = {0,
				 1,
				 4096,
				 1L << 31,
				 1L << 40,
				 -1,
				 -4096,
				 0x7fffffffffffffffL,
				 (long)0x8000000000000000UL};
	return chance(40) ? (long)below(8192) : PICK(o);
}

static long uid_arg(void)
{
	static const long u[] = {0, 65534, -1, 1000, 0xffffffffL, 1};
	return chance(10) ? (long)rnd() : PICK(u);
}

static long pid_arg(void)
{
	switch (below(9)) {
	case 0:
		return 0;
	case 1:
		return -1;
	case 2:
		return raw3(SYS_getpid, 0, 0, 0);
	case 3:
		return raw3(SYS_getppid, 0, 0, 0);
	case 4:
		return 1;
	case 5:
		return 99999;
	case 6:
		return (long)(int)0x80000000;
	case 7:
		return racer_tid ? racer_tid : 2;
	default:
		return (long)below(64);
	}
}

/* Signals a worker may send itself: caught, ignored or harmless. */
static long safe_sig(void)
{
	static const long s[] = {0,	  SIGALRM, SIGCHLD, SIGWINCH, SIGURG,
				 SIGCONT, SIGPIPE, 65,	    -1,	      1000};
	return PICK(s);
}

static long ts_arg(void)
{
	if (chance(10))
		return bad_ptr();
	long *ts;
	if (chance(5)) {
		ts = (long *)(sarea_end - 8); /* tv_nsec in the guard */
		ts[0] = 0;
		return (long)ts;
	}
	ts = salloc(16);
	switch (below(8)) {
	case 0:
		ts[0] = 0, ts[1] = 0;
		break;
	case 1:
		ts[0] = 0, ts[1] = 1000000000;
		break; /* EINVAL */
	case 2:
		ts[0] = -1, ts[1] = 0;
		break;
	case 3:
		ts[0] = 0x7fffffffffffffffL, ts[1] = 999999999;
		break;
	case 4:
		ts[0] = (long)rnd(), ts[1] = (long)rnd();
		break;
	default:
		ts[0] = 0, ts[1] = (long)below(2000000);
		break;
	}
	return (long)ts;
}

static long sigset_arg(void)
{
	/* A bad set is a kernel address: bad_ptr() may name a page that a
	 * fuzzed mmap made readable, and its bytes would block SIGALRM
	 * (a worker then sleeps in pause() for good, rightly). */
	if (chance(10))
		return (long)0xffffffff80000000UL;
	uint64_t *s = salloc(16);
	s[0] = rnd();
	s[1] = rnd();
	/* SIGALRM ends blocked calls, SIGUSR1 asks for the ring. */
	s[0] &= ~((1ULL << (SIGALRM - 1)) | (1ULL << (SIGUSR1 - 1)));
	return (long)s;
}

static long sigsetsize_arg(void)
{
	return chance(85) ? 8 : (long)PICK(((long[]){0, 4, 16, 128, -1}));
}

static long iov_arg(void)
{
	if (chance(10))
		return bad_ptr();
	int n = 1 + (int)below(16);
	long *v = salloc(16 * n);
	for (int i = 0; i < n; i++) {
		v[2 * i] = buf_ptr();
		v[2 * i + 1] = chance(60) ? (long)below(600) : len_arg();
	}
	return (long)v;
}

static long iovcnt_arg(void)
{
	static const long c[] = {0, 1, 2, 3, 16, 1024, 1025, -1, 0x7fffffff};
	return chance(60) ? 1 + (long)below(16) : PICK(c);
}

static long pollfds_arg(long *nfds)
{
	if (chance(10)) {
		*nfds = (long)below(4);
		return bad_ptr();
	}
	int n = (int)below(8);
	int *p = salloc(8 * (n + 1));
	for (int i = 0; i < n; i++) {
		p[2 * i] = (int)fd_arg();
		p[2 * i + 1] = (int)(rnd() & 0xffff);
	}
	*nfds = chance(90) ? n : (long)PICK(((long[]){1025, 1L << 20, -1}));
	return (long)p;
}

static long fdset_arg(void)
{
	if (chance(30))
		return 0;
	if (chance(10))
		return bad_ptr();
	uint64_t *s = salloc(128);
	for (int i = 0; i < 16; i++)
		s[i] = chance(50) ? 0 : rnd();
	return (long)s;
}

static long timeout_ms(void)
{
	return chance(70) ? 0 : chance(80) ? (long)below(20) : -1;
}

static long any_arg(void)
{
	switch (below(5)) {
	case 0:
		return buf_ptr();
	case 1:
		return len_arg();
	case 2:
		return (long)rnd();
	default:
		return (long)below(64);
	}
}

/* Sockets: AF_UNIX names the workers share (abstract, and paths in the
 * worker's directory), message headers with SCM_RIGHTS/SCM_CREDENTIALS,
 * and flags that keep most calls from blocking. */
static long sockaddr_arg(long *len)
{
	if (chance(10)) {
		*len = len_arg();
		return bad_ptr();
	}
	char *a = salloc(112);
	memset(a, 0, 112);
	a[0] = chance(90) ? 1 /* AF_UNIX */ : (char)below(4);
	int k = (int)below(4);
	switch (below(4)) {
	case 0: /* empty: autobind */
		*len = 2;
		break;
	case 1: /* abstract */
		a[3] = 'f';
		a[4] = (char)('0' + k);
		*len = 5;
		break;
	default: /* a path in the worker's directory */
		a[2] = 's';
		a[3] = (char)('0' + k);
		*len = 5;
		break;
	}
	if (chance(10))
		*len = chance(50) ? (long)below(130) : len_arg();
	return (long)a;
}

static long msgflags_arg(void)
{
	static const long f[] = {0x40 /* MSG_DONTWAIT */,
				 0x4040 /* +NOSIGNAL */,
				 0x42 /* +PEEK */,
				 0x60 /* +TRUNC */,
				 0x40000040 /* +CMSG_CLOEXEC */,
				 0x10040 /* +WAITFORONE */};
	return chance(90) ? PICK(f) : (long)(rnd() | 0x40);
}

static long msghdr_arg(void)
{
	if (chance(5))
		return bad_ptr();
	long *m = salloc(56);
	memset(m, 0, 56);
	long nl = 0;
	if (chance(30)) {
		m[0] = sockaddr_arg(&nl);
		m[1] = nl;
	}
	m[2] = iov_arg();
	m[3] = chance(80) ? 1 + (long)below(4) : iovcnt_arg();
	if (chance(40)) {
		/* One control message: rights (a few descriptors) or
		 * credentials, with a length that is sometimes wrong. */
		long *c = salloc(16 + 32);
		int n = 1 + (int)below(4);
		int creds = chance(30);
		c[0] = creds ? 16 + 12 : 16 + 4 * n;
		((int *)c)[2] =
		    chance(95) ? 1 /* SOL_SOCKET */ : (int)below(300);
		((int *)c)[3] = creds ? 2 : 1;
		int *d = (int *)(c + 2);
		for (int i = 0; i < (creds ? 3 : n); i++)
			d[i] = creds ? (i == 0 ? (int)getpid() : (int)below(2))
				     : (int)fd_arg();
		if (chance(10))
			c[0] = len_arg();
		m[4] = chance(5) ? bad_ptr() : (long)c;
		m[5] = chance(90) ? 48 : len_arg();
	} else if (chance(30)) {
		m[4] = buf_ptr();
		m[5] = chance(70) ? (long)below(128) : len_arg();
	}
	return (long)m;
}

/* --- the call table ---------------------------------------------------- */

/* Every system call Limen implements (include/syscall_list.h), except:
 *   exit, exit_group: would end the worker (done by the watchdog instead);
 *   reboot: root only, and ends the run;
 *   execve, execveat: would replace the fuzzer by random programs;
 *   vfork: the child would run on the parent's stack;
 *   rt_sigreturn: outside a handler it loads random registers (the worker
 *     jumps to garbage: a death the worker caused itself).
 * kill/tkill/tgkill, rt_sigaction, arch_prctl, prctl, prlimit64, mmap,
 * munmap, mremap, mprotect, madvise, brk, shmat, fork and clone have
 * arguments restricted to what cannot kill or corrupt the worker itself
 * (see build_call). */
#ifndef SYS_futex_waitv /* newer than musl's headers */
#define SYS_futex_waitv 449
#endif
static const long table[] = {
#define SYS(name) SYS_##name,
#include "../../include/syscall_list.h"
#undef SYS
};

static int excluded(long nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_reboot ||
	       nr == SYS_execve || nr == SYS_execveat || nr == SYS_vfork ||
	       nr == SYS_rt_sigreturn;
}

static long table_ok[sizeof(table) / sizeof(table[0])];
static int ntable_ok;

static void sa_act(long *a, int sig)
{
	long *act = salloc(32);
	/* Only SIGUSR2 is never raised by the worker: any handler will do.
	 * SIGWINCH/SIGURG are sent to itself: ignored or default only. */
	if (sig == SIGUSR2)
		act[0] = PICK(((long[]){(long)SIG_IGN, (long)SIG_DFL,
					(long)on_fatal, (long)rnd()}));
	else
		act[0] = chance(50) ? (long)SIG_IGN : (long)SIG_DFL;
	act[1] = (long)(rnd() & 0xffffffff);
	act[2] = (long)rnd();
	act[3] = (long)rnd();
	*a = (long)act;
}

static pid_t children[4];

static void child_body(void);

/* Builds the arguments of call nr in a[]; returns 0 to skip it. */
static int build_call(long nr, long *a)
{
	long n;
	memset(a, 0, 6 * sizeof(long));
	switch (nr) {
	case SYS_getpid:
	case SYS_getppid:
	case SYS_gettid:
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
	case SYS_sched_yield:
	case SYS_sync:
	case SYS_setsid:
	case SYS_getpgrp:
	case SYS_pause:
		break;
	case SYS_set_tid_address:
		a[0] = buf_ptr();
		break;
	case SYS_set_robust_list:
		a[0] = buf_ptr();
		a[1] = chance(50) ? 24 : len_arg();
		break;
	case SYS_arch_prctl: {
		static const long codes[] = {0x1001 /* SET_GS */,
					     0x1003,
					     0x1004,
					     0x1011,
					     0x1012,
					     0,
					     0x3001,
					     0x2001};
		a[0] = chance(10) ? (long)below(0x4000) : PICK(codes);
		if (a[0] == 0x1002) /* ARCH_SET_FS: musl's TLS */
			a[0] = 0x1003;
		a[1] = any_arg();
		break;
	}
	case SYS_uname:
	case SYS_times:
	case SYS_sysinfo:
	case SYS_time:
		a[0] = buf_ptr();
		break;
	case SYS_prlimit64: {
		a[0] = chance(70) ? 0 : pid_arg();
		a[1] = chance(90) ? (long)below(16) : (long)rnd();
		if (chance(60)) {
			a[2] = 0;
		} else if (chance(30)) {
			a[2] = bad_ptr();
		} else {
			/* Never lower a limit: the worker would starve or
			 * get SIGXCPU/SIGKILL from RLIMIT_CPU. */
			long *r = salloc(16);
			r[0] = r[1] = -1;
			if (chance(30))
				r[0] = 1 + (long)below(1 << 20), r[1] = 0;
			a[2] = (long)r;
		}
		a[3] = buf_ptr();
		break;
	}
	case SYS_getrlimit:
		a[0] = chance(90) ? (long)below(16) : (long)rnd();
		a[1] = buf_ptr();
		break;
	case SYS_getrandom:
		a[0] = buf_ptr();
		a[1] = len_arg();
		a[2] = flags_arg() & (chance(80) ? 1 : ~0L);
		break;
	case SYS_brk: {
		long cur = raw3(SYS_brk, 0, 0, 0);
		/* Only grow (musl's malloc uses the heap), or ask, or absurd
		 * values below the program that must be refused. */
		a[0] = PICK(
		    ((long[]){0, cur + (long)below(1 << 20), cur + (1L << 40),
			      0x1000, (long)(-1UL << 41), cur}));
		/* An address in the last page: rounding it up once wrapped
		 * and unmapped the whole program (user/fuzz/repro/
		 * brk_wrap.c, fixed in mm_brk). */
		if (chance(20))
			a[0] = -1 - (long)below(PAGE);
		break;
	}
	case SYS_mmap: {
		a[1] = chance(80) ? (long)((1 + below(8)) * PAGE) : len_arg();
		a[2] = chance(80) ? (long)below(8) : (long)rnd();
		a[3] =
		    (chance(80) ? (MAP_PRIVATE | MAP_ANONYMOUS) : flags_arg()) |
		    (chance(30) ? MAP_FIXED : 0);
		a[4] = chance(80) ? -1 : fd_arg();
		a[5] = chance(80) ? 0 : off_arg();
		if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			/* Only inside the arena. */
			long pg = (long)below(ARENA_PAGES);
			a[0] = (long)(arena + pg * PAGE);
			if ((unsigned long)a[1] > (ARENA_PAGES - pg) * PAGE)
				a[1] = (long)((ARENA_PAGES - pg) * PAGE);
			if (a[1] == 0)
				a[1] = PAGE;
		} else {
			/* No hint: the kernel may honour one, and a page
			 * mapped at a hint such as 0x10000 or a guard page
			 * would turn bad_ptr()'s pointers into readable
			 * garbage (masks, limits, handlers). */
			a[0] = 0;
		}
		/* MAP_POPULATE (0x8000) of a huge length fills memory until
		 * the out-of-memory killer takes the worker, as on Linux: a
		 * death the worker caused, which a long run would count as
		 * unexpected. Only small mappings are populated. */
		if ((unsigned long)a[1] > (1UL << 20))
			a[3] &= ~0x8000L;
		break;
	}
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_madvise: {
		if (chance(15)) {
			/* Kernel and non-canonical addresses, any length;
			 * NULL only with lengths that stay below our code. */
			a[0] = PICK(((long[]){(long)0xffffffff80000000UL,
					      (long)0xffff800000000000UL,
					      (long)0x0000800000000000UL}));
			a[1] = len_arg();
			if (chance(30))
				a[0] = 0, a[1] = (long)below(0x10000);
		} else {
			long off = (long)below(ARENA_PAGES * PAGE);
			if (chance(80))
				off &= ~(long)(PAGE - 1);
			a[0] = (long)(arena + off);
			a[1] = (long)below(ARENA_PAGES * PAGE - off + 1);
		}
		if (nr == SYS_mprotect)
			a[2] = chance(80) ? (long)below(8) : (long)rnd();
		else if (nr == SYS_madvise)
			a[2] = chance(80) ? (long)below(24) : (long)rnd();
		break;
	}
	case SYS_shmget:
		/* A few keys, so workers meet each other's segments. */
		a[0] = chance(50)   ? 0
		       : chance(90) ? (long)below(8)
				    : (long)rnd();
		a[1] = chance(80) ? (long)((1 + below(8)) * PAGE) : len_arg();
		a[2] = chance(80)
			   ? (long)(below(0777 + 1) | (chance(50) ? 01000 : 0) |
				    (chance(20) ? 02000 : 0))
			   : flags_arg();
		break;
	case SYS_shmat:
		/* Anywhere the kernel picks, or in the arena; never
		 * SHM_REMAP (040000), which could replace the worker's own
		 * memory past the arena's end. */
		a[0] = chance(80) ? (long)below(1 << 20) : any_arg();
		a[1] =
		    chance(60) ? 0 : (long)(arena + below(ARENA_PAGES * PAGE));
		a[2] = (chance(80) ? (long)below(0200000) : flags_arg()) &
		       ~040000L;
		break;
	case SYS_mremap: {
		/* The old range inside the arena (a shrink unmaps its tail,
		 * which must not reach the struct pages), or a kernel
		 * address. A move without MREMAP_FIXED lands in free space;
		 * with it (flag 2), only inside the arena. */
		long off = (long)below(ARENA_PAGES * PAGE);
		if (chance(80))
			off &= ~(long)(PAGE - 1);
		a[0] = (long)(arena + off);
		a[1] = (long)below(ARENA_PAGES * PAGE - off + 1);
		if (chance(10))
			a[0] = PICK(((long[]){(long)0xffffffff80000000UL,
					      (long)0x0000800000000000UL}));
		a[2] = chance(70) ? (long)below(4 * ARENA_PAGES * PAGE)
				  : len_arg();
		a[3] = chance(80) ? (long)below(8) : (long)rnd();
		if (a[3] & 2) {
			long pg = (long)below(ARENA_PAGES);
			a[4] = (long)(arena + pg * PAGE);
			if ((unsigned long)a[2] > (ARENA_PAGES - pg) * PAGE)
				a[2] = (long)((ARENA_PAGES - pg) * PAGE);
		}
		break;
	}
	case SYS_clock_gettime:
	case SYS_clock_getres:
		a[0] = chance(80) ? (long)below(12) : (long)rnd();
		a[1] = buf_ptr();
		break;
	case SYS_gettimeofday:
		a[0] = buf_ptr();
		a[1] = chance(50) ? 0 : buf_ptr();
		break;
	case SYS_nanosleep:
		a[0] = ts_arg();
		a[1] = chance(50) ? 0 : buf_ptr();
		break;
	case SYS_clock_nanosleep:
		a[0] = chance(80) ? (long)below(12) : (long)rnd();
		a[1] = chance(80) ? 0 : flags_arg();
		a[2] = ts_arg();
		a[3] = chance(50) ? 0 : buf_ptr();
		break;
	case SYS_read:
	case SYS_write:
	case SYS_getdents64:
		a[0] = fd_arg();
		a[1] = buf_ptr();
		a[2] = len_arg();
		break;
	case SYS_readv:
	case SYS_writev:
		a[0] = fd_arg();
		a[1] = iov_arg();
		a[2] = iovcnt_arg();
		break;
	case SYS_pread64:
	case SYS_pwrite64:
		a[0] = fd_arg();
		a[1] = buf_ptr();
		a[2] = len_arg();
		a[3] = off_arg();
		break;
	case SYS_open:
		a[0] = path_arg();
		a[1] = oflags_arg();
		a[2] = mode_arg();
		break;
	case SYS_openat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = oflags_arg();
		a[3] = mode_arg();
		break;
	case SYS_creat:
		a[0] = path_arg();
		a[1] = mode_arg();
		break;
	case SYS_close:
	case SYS_dup:
	case SYS_fchdir:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_syncfs:
		a[0] = fd_arg();
		break;
	case SYS_lseek:
		a[0] = fd_arg();
		a[1] = off_arg();
		a[2] = chance(80) ? (long)below(5) : (long)rnd();
		break;
	case SYS_ioctl: {
		static const long cmds[] = {
		    0x5401, 0x5402,	0x5403,	    0x5404, 0x540b,
		    0x540e, 0x540f,	0x5410,	    0x5412, 0x5413,
		    0x5414, 0x541b,	0x5421,	    0x5422, 0x5429,
		    0x5422, 0x80045430, 0x40045431, 0};
		a[0] = fd_arg();
		a[1] = chance(85) ? PICK(cmds) : (long)(rnd() & 0xffffffff);
		a[2] = any_arg();
		break;
	}
	case SYS_close_range:
		/* Any range that leaves the report and progress pipes
		 * (FD_REPORT, FD_PROGRESS) open: below them, or above. */
		if (chance(80)) {
			a[0] = (long)below(FD_REPORT);
			a[1] = a[0] + (long)below(64);
			if (a[1] >= FD_REPORT)
				a[1] = FD_REPORT - 1;
		} else {
			a[0] = FD_PROGRESS + 1 + (long)below(4096);
			a[1] = chance(50) ? (long)~0U : a[0] + (long)below(64);
		}
		if (chance(5)) { /* first > last: EINVAL */
			long t = a[0];
			a[0] = a[1];
			a[1] = t > 0 ? t - 1 : 0;
		}
		a[2] = chance(90) ? PICK(((long[]){0, 2, 4, 6}))
				  : (long)(rnd() & 0xffffffff);
		break;
	case SYS_dup2:
		a[0] = fd_arg();
		a[1] = fd_arg();
		break;
	case SYS_dup3:
		a[0] = fd_arg();
		a[1] = fd_arg();
		a[2] = chance(70) ? (chance(50) ? O_CLOEXEC : 0) : flags_arg();
		break;
	case SYS_fcntl: {
		static const long cmds[] = {0,	  1,	2,    3,    4,	  5,
					    6,	  7,	8,    9,    1030, 1031,
					    1032, 1033, 1024, 1025, 1026};
		a[0] = fd_arg();
		a[1] = chance(90) ? PICK(cmds) : (long)(rnd() & 0xffff);
		if (a[1] == 7 || a[1] == 38 /* F_SETLKW, F_OFD_SETLKW */)
			a[1] = 6;
		a[2] = chance(50) ? (long)below(2048) : any_arg();
		break;
	}
	case SYS_newfstatat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = buf_ptr();
		a[3] = chance(70)
			   ? (long)PICK(((long[]){0, 0x100, 0x1000, 0x800}))
			   : flags_arg();
		break;
	case SYS_stat:
	case SYS_lstat:
	case SYS_statfs:
		a[0] = path_arg();
		a[1] = buf_ptr();
		break;
	case SYS_fstat:
	case SYS_fstatfs:
		a[0] = fd_arg();
		a[1] = buf_ptr();
		break;
	case SYS_statx:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = chance(70)
			   ? (long)PICK(((long[]){0, 0x100, 0x1000, 0x800}))
			   : flags_arg();
		a[3] = chance(50) ? 0xfff : flags_arg();
		a[4] = buf_ptr();
		break;
	case SYS_faccessat2:
	case SYS_faccessat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = (long)below(9);
		a[3] = chance(50) ? 0 : flags_arg();
		break;
	case SYS_access:
		a[0] = path_arg();
		a[1] = (long)below(9);
		break;
	case SYS_readlinkat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = buf_ptr();
		a[3] = len_arg();
		break;
	case SYS_readlink:
		a[0] = path_arg();
		a[1] = buf_ptr();
		a[2] = len_arg();
		break;
	case SYS_getcwd:
		a[0] = buf_ptr();
		a[1] = len_arg();
		break;
	case SYS_chdir:
	case SYS_rmdir:
	case SYS_unlink:
		a[0] = path_arg();
		break;
	case SYS_mkdirat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = mode_arg();
		break;
	case SYS_mkdir:
	case SYS_chmod:
		a[0] = path_arg();
		a[1] = mode_arg();
		break;
	case SYS_mknodat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = mode_arg();
		a[3] = any_arg();
		break;
	case SYS_mknod:
		a[0] = path_arg();
		a[1] = mode_arg();
		a[2] = any_arg();
		break;
	case SYS_unlinkat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = chance(70) ? (chance(50) ? 0x200 : 0) : flags_arg();
		break;
	case SYS_symlinkat:
		a[0] = path_arg();
		a[1] = dirfd_arg();
		a[2] = path_arg();
		break;
	case SYS_symlink:
	case SYS_link:
	case SYS_rename:
		a[0] = path_arg();
		a[1] = path_arg();
		break;
	case SYS_linkat:
	case SYS_renameat2:
	case SYS_renameat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = dirfd_arg();
		a[3] = path_arg();
		a[4] = chance(60) ? 0 : flags_arg();
		break;
	case SYS_ftruncate:
		a[0] = fd_arg();
		a[1] = off_arg();
		break;
	case SYS_truncate:
		a[0] = path_arg();
		a[1] = off_arg();
		break;
	case SYS_umask:
		a[0] = mode_arg();
		break;
	case SYS_fchmodat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = mode_arg();
		a[3] = chance(60) ? 0 : flags_arg();
		break;
	case SYS_fchmod:
		a[0] = fd_arg();
		a[1] = mode_arg();
		break;
	case SYS_chown:
	case SYS_lchown:
		a[0] = path_arg();
		a[1] = uid_arg();
		a[2] = uid_arg();
		break;
	case SYS_fchown:
		a[0] = fd_arg();
		a[1] = uid_arg();
		a[2] = uid_arg();
		break;
	case SYS_fchownat:
		a[0] = dirfd_arg();
		a[1] = path_arg();
		a[2] = uid_arg();
		a[3] = uid_arg();
		a[4] = chance(60) ? 0 : flags_arg();
		break;
	case SYS_mount: {
		a[0] = path_arg();
		a[1] = path_arg();
		char *t = salloc(16);
		strcpy(t, PICK(((const char *[]){"tmpfs", "proc", "ext2",
						 "devtmpfs", "bogus"})));
		a[2] = chance(80) ? (long)t : bad_ptr();
		a[3] = flags_arg();
		a[4] = chance(50) ? 0 : buf_ptr();
		break;
	}
	case SYS_umount2:
		a[0] = path_arg();
		a[1] = chance(50) ? 0 : flags_arg();
		break;
	case SYS_rt_sigtimedwait:
		a[0] = sigset_arg();
		a[1] = chance(50) ? 0 : buf_ptr();
		a[2] = chance(10) ? 0 : ts_arg();
		a[3] = sigsetsize_arg();
		break;
	case SYS_sethostname:
	case SYS_setdomainname:
		a[0] = buf_ptr();
		a[1] = len_arg();
		break;
	case SYS_poll:
		a[0] = pollfds_arg(&n);
		a[1] = n;
		a[2] = timeout_ms();
		break;
	case SYS_ppoll:
		a[0] = pollfds_arg(&n);
		a[1] = n;
		a[2] = chance(30) ? 0 : ts_arg();
		a[3] = chance(50) ? 0 : sigset_arg();
		a[4] = sigsetsize_arg();
		if (a[2] == 0 && chance(70)) /* would block until a signal */
			a[2] = ts_arg();
		break;
	case SYS_select:
	case SYS_pselect6:
		a[0] = chance(80)
			   ? (long)below(64)
			   : PICK(((long[]){1024, 1025, -1, 0x7fffffff}));
		a[1] = fdset_arg();
		a[2] = fdset_arg();
		a[3] = fdset_arg();
		a[4] = chance(20) ? 0 : ts_arg(); /* a timeval for select */
		if (nr == SYS_pselect6) {
			long *ss = salloc(16);
			ss[0] = chance(50) ? 0 : sigset_arg();
			ss[1] = sigsetsize_arg();
			a[5] = chance(80) ? (long)ss : bad_ptr();
		}
		break;
	case SYS_prctl: {
		static const long opts[] = {2,	3,  4,	15, 16, 23, 24,	 36,
					    37, 38, 39, 8,  0,	59, 1000};
		a[0] = chance(90) ? PICK(opts) : (long)below(80);
		/* seccomp, TSC and death signal could kill the worker. */
		if (a[0] == 22 || a[0] == 26 || a[0] == 1 || a[0] == 25)
			a[0] = 16;
		a[1] = any_arg();
		a[2] = any_arg();
		a[3] = any_arg();
		a[4] = any_arg();
		break;
	}
	case SYS_fork:
		if (in_child)
			return 0;
		break;
	case SYS_clone:
		if (in_child)
			return 0;
		/* The child exits in assembly before touching memory, so any
		 * flags are safe but the exit signal (it goes to us). */
		a[0] = (long)((rnd() & ~0xffUL & 0xffffffffUL) &
			      (chance(60) ? 0x7fff00UL : ~0UL)) |
		       PICK(((long[]){0, SIGCHLD, SIGWINCH, SIGALRM}));
		a[1] = chance(70) ? 0 : any_arg();
		a[2] = buf_ptr();
		a[3] = buf_ptr();
		a[4] = any_arg();
		break;
	case SYS_wait4:
		a[0] = chance(30) && children[0] > 0 ? children[below(4)]
						     : pid_arg();
		a[1] = chance(30) ? 0 : buf_ptr();
		a[2] = 1 | (chance(20) ? flags_arg() : 0); /* WNOHANG mostly */
		if (chance(10))
			a[2] &= ~1L;
		a[3] = chance(50) ? 0 : buf_ptr();
		break;
	case SYS_waitid:
		a[0] = (long)below(5);
		a[1] = pid_arg();
		a[2] = buf_ptr();
		a[3] = 4 | 1 |
		       (chance(30) ? flags_arg() : 0); /* WEXITED|WNOHANG */
		a[4] = chance(50) ? 0 : buf_ptr();
		break;
	case SYS_pipe:
		a[0] = chance(60) ? (long)salloc(8) : buf_ptr();
		break;
	case SYS_pipe2:
		a[0] = chance(60) ? (long)salloc(8) : buf_ptr();
		a[1] = chance(50) ? (chance(50) ? O_NONBLOCK : O_CLOEXEC)
				  : flags_arg();
		break;
	case SYS_getrusage:
		a[0] = PICK(((long[]){0, -1, 1, 2, 99}));
		a[1] = buf_ptr();
		break;
	case SYS_sched_getaffinity:
		a[0] = pid_arg();
		a[1] = len_arg();
		a[2] = buf_ptr();
		break;
	case SYS_getpgid:
	case SYS_getsid:
		a[0] = pid_arg();
		break;
	case SYS_setpgid:
		a[0] = pid_arg();
		a[1] = pid_arg();
		break;
	case SYS_rt_sigaction: {
		int sig = (int)PICK(((long[]){SIGUSR2, SIGWINCH, SIGURG, 0, 64,
					      65, SIGKILL, SIGSTOP, -1}));
		a[0] = sig;
		/* The bad act is a kernel address: bad_ptr() may name a page
		 * a fuzzed mmap made readable, whose bytes would become the
		 * handler of a signal the worker raises (a self-inflicted
		 * SIGSEGV, as on Linux). */
		if (chance(40))
			a[1] = 0;
		else if (chance(20))
			a[1] = (long)0xffffffff80000000UL;
		else
			sa_act(&a[1], sig);
		a[2] = chance(50) ? 0 : buf_ptr();
		a[3] = sigsetsize_arg();
		break;
	}
	case SYS_rt_sigprocmask:
		a[0] = chance(90) ? (long)below(3) : (long)rnd();
		a[1] = chance(30) ? 0 : sigset_arg();
		a[2] = chance(50) ? 0 : buf_ptr();
		a[3] = sigsetsize_arg();
		break;
	case SYS_rt_sigpending:
		a[0] = buf_ptr();
		a[1] = sigsetsize_arg();
		break;
	case SYS_rt_sigsuspend:
		/* sigset_arg leaves SIGALRM unblocked, so the call ends. */
		a[0] = sigset_arg();
		a[1] = sigsetsize_arg();
		break;
	case SYS_kill:
		a[0] = chance(80)
			   ? raw3(SYS_getpid, 0, 0, 0)
			   : PICK(((long[]){99999, (long)(int)0x80000000,
					    raw3(SYS_getppid, 0, 0, 0)}));
		a[1] = safe_sig();
		break;
	case SYS_tkill:
		a[0] = chance(50) ? raw3(SYS_gettid, 0, 0, 0)
		       : chance(50) && racer_tid
			   ? racer_tid
			   : PICK(((long[]){0, -1, 99999}));
		a[1] = safe_sig();
		break;
	case SYS_rt_sigqueueinfo:
		a[0] = chance(80) ? raw3(SYS_getpid, 0, 0, 0) : pid_arg();
		a[1] = safe_sig();
		a[2] = buf_ptr();
		break;
	case SYS_rt_tgsigqueueinfo:
		a[0] = chance(80) ? raw3(SYS_getpid, 0, 0, 0) : pid_arg();
		a[1] = chance(50) ? raw3(SYS_gettid, 0, 0, 0) : pid_arg();
		a[2] = safe_sig();
		a[3] = buf_ptr();
		break;
	case SYS_timer_create: {
		/* A timer's signal is one the worker may take: a fuzzed one
		 * could be SIGSTOP or SIGKILL, which Linux allows too. */
		a[0] = PICK(((long[]){0, 1, 2, 3, 7, -6, 99}));
		if (chance(20)) {
			a[1] = chance(50) ? 0 : bad_ptr();
		} else {
			int *ev = salloc(64);
			for (int i = 0; i < 16; i++)
				ev[i] = (int)rnd();
			ev[2] = (int)safe_sig(); /* sigev_signo */
			ev[3] = (int)PICK(((long[]){0, 1, 4, 2, 7}));
			ev[4] = (int)raw3(SYS_gettid, 0, 0, 0);
			a[1] = (long)ev;
		}
		a[2] = buf_ptr();
		break;
	}
	case SYS_tgkill:
		a[0] = chance(80) ? raw3(SYS_getpid, 0, 0, 0)
				  : PICK(((long[]){0, -1, 99999}));
		a[1] = chance(50)  ? raw3(SYS_gettid, 0, 0, 0)
		       : racer_tid ? racer_tid
				   : 99999;
		a[2] = safe_sig();
		break;
	case SYS_futex: {
		static const long ops[] = {0, 1, 2, 3,	4,  5,	6,
					   7, 8, 9, 10, 11, 12, 13};
		a[0] = chance(80)
			   ? (long)(arena + (below(ARENA_PAGES * PAGE) & ~3UL))
			   : buf_ptr();
		a[1] =
		    PICK(ops) | (chance(50) ? 128 : 0) | (chance(10) ? 256 : 0);
		a[2] = chance(50) ? 0 : (long)rnd();
		a[3] = chance(70) ? ts_arg() : any_arg();
		a[4] = buf_ptr();
		a[5] = chance(50) ? (long)below(4) : (long)rnd();
		/* FUTEX_WAIT without a timeout on a zero word waits for the
		 * next SIGALRM; fine, but not too often. */
		break;
	}
	case SYS_utimensat: {
		a[0] = dirfd_arg();
		a[1] = chance(10) ? 0 : path_arg();
		if (chance(50)) {
			long *t = salloc(32);
			for (int i = 0; i < 4; i++)
				t[i] = chance(50)
					   ? (long)below(1 << 30)
					   : PICK(((long[]){(1L << 30) - 1,
							    (1L << 30) - 2, -1,
							    (long)rnd()}));
			a[2] = (long)t;
		} else {
			a[2] = chance(50) ? 0 : bad_ptr();
		}
		a[3] = chance(60) ? 0 : flags_arg();
		break;
	}
	case SYS_setresuid:
	case SYS_setresgid:
		a[0] = uid_arg();
		a[1] = uid_arg();
		a[2] = uid_arg();
		break;
	case SYS_setuid:
	case SYS_setgid:
		a[0] = uid_arg();
		break;
	case SYS_setreuid:
	case SYS_setregid:
		a[0] = uid_arg();
		a[1] = uid_arg();
		break;
	case SYS_getresuid:
	case SYS_getresgid:
		a[0] = buf_ptr();
		a[1] = buf_ptr();
		a[2] = buf_ptr();
		break;
	case SYS_getgroups:
	case SYS_setgroups:
		a[0] = chance(50)
			   ? (long)below(70)
			   : (long)PICK(((long[]){-1, 65536, 0x7fffffff}));
		a[1] = buf_ptr();
		break;
	case SYS_sigaltstack: {
		/* No handler uses SA_ONSTACK, so any stack is harmless. */
		long *ss = salloc(24);
		ss[0] = buf_ptr();
		ss[1] = (long)below(4);
		ss[2] = len_arg();
		a[0] = chance(20) ? 0 : chance(80) ? (long)ss : bad_ptr();
		a[1] = chance(50) ? 0 : buf_ptr();
		break;
	}
	case SYS_socket:
		a[0] = chance(85) ? 1 : (long)below(50);
		a[1] = PICK(((long[]){1, 2, 5, 1 | 04000, 2 | 04000 | 02000000,
				      5 | 04000, 3, (long)rnd()}));
		a[2] = chance(90) ? 0 : (long)below(300);
		break;
	case SYS_socketpair:
		a[0] = chance(90) ? 1 : (long)below(50);
		a[1] = PICK(((long[]){1 | 04000, 2 | 04000, 5 | 04000,
				      1 | 04000 | 02000000, (long)rnd()}));
		a[2] = chance(95) ? 0 : (long)below(300);
		a[3] = chance(90) ? (long)salloc(8) : bad_ptr();
		break;
	case SYS_bind:
	case SYS_connect:
		a[0] = fd_arg();
		a[1] = sockaddr_arg(&n);
		a[2] = n;
		break;
	case SYS_listen:
		a[0] = fd_arg();
		a[1] = chance(80) ? (long)below(8) : (long)rnd();
		break;
	case SYS_accept:
	case SYS_accept4:
	case SYS_getsockname:
	case SYS_getpeername: {
		a[0] = fd_arg();
		int *l = salloc(8);
		*l = chance(80) ? 110 : (int)len_arg();
		a[1] = chance(20) ? 0 : buf_ptr();
		a[2] = chance(90) ? (long)l : bad_ptr();
		/* accept4: non-blocking, so a listener without callers does
		 * not hold the worker. */
		a[3] = chance(90) ? 04000 | (chance(50) ? 02000000 : 0)
				  : (long)rnd();
		if (nr == SYS_accept)
			a[0] = -1; /* blocking: only its errors */
		break;
	}
	case SYS_sendto:
	case SYS_recvfrom: {
		a[0] = fd_arg();
		a[1] = buf_ptr();
		a[2] = chance(70) ? (long)below(600) : len_arg();
		a[3] = msgflags_arg();
		int *l = salloc(8);
		*l = 110;
		if (chance(40)) {
			a[4] = sockaddr_arg(&n);
			a[5] = nr == SYS_sendto ? n : (long)l;
		}
		break;
	}
	case SYS_sendmsg:
	case SYS_recvmsg:
		a[0] = fd_arg();
		a[1] = msghdr_arg();
		a[2] = msgflags_arg();
		break;
	case SYS_sendmmsg:
	case SYS_recvmmsg: {
		a[0] = fd_arg();
		int k = 1 + (int)below(4);
		long *v = salloc(64 * k);
		for (int i = 0; i < k; i++) {
			long *m = (long *)msghdr_arg();
			if ((char *)m >= sarea && (char *)m < sarea_end)
				memcpy(v + 8 * i, m, 56);
			v[8 * i + 7] = 0;
		}
		a[1] = chance(95) ? (long)v : bad_ptr();
		a[2] =
		    chance(90) ? k : (long)PICK(((long[]){0, 1024, 1025, -1}));
		a[3] = msgflags_arg();
		if (nr == SYS_recvmmsg && chance(30)) {
			long *ts = salloc(16);
			ts[0] = 0;
			ts[1] = chance(80) ? (long)below(1000000) : (long)rnd();
			a[4] = (long)ts;
		}
		break;
	}
	case SYS_shutdown:
		a[0] = fd_arg();
		a[1] = (long)below(4);
		break;
	case SYS_setsockopt:
	case SYS_getsockopt: {
		a[0] = fd_arg();
		a[1] = chance(80) ? 1 : (long)below(300);
		a[2] = (long)below(50);
		int *l = salloc(8);
		*l = chance(80) ? (int)PICK(((long[]){4, 8, 12, 16}))
				: (int)len_arg();
		a[3] = buf_ptr();
		a[4] = nr == SYS_setsockopt
			   ? (long)*l
			   : (chance(90) ? (long)l : bad_ptr());
		break;
	}
	default:
		for (int i = 0; i < 6; i++)
			a[i] = any_arg();
		break;
	}
	return 1;
}

/* A fork of the worker: a few calls on the copied descriptors and memory
 * (copy-on-write under a racing exit), then exit. */
static void child_body(void)
{
	in_child = 1;
	rng ^= 0x5555;
	for (int i = 0; i < 24; i++) {
		long nr = table_ok[below(ntable_ok)], a[6];
		if (nr == SYS_pause || nr == SYS_rt_sigsuspend ||
		    nr == SYS_futex || nr == SYS_nanosleep ||
		    nr == SYS_clock_nanosleep || nr == SYS_rt_sigtimedwait ||
		    nr == SYS_read || nr == SYS_readv || nr == SYS_wait4 ||
		    nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill ||
		    nr == SYS_ppoll || nr == SYS_pselect6 || nr == SYS_select ||
		    nr == SYS_poll || nr == SYS_open || nr == SYS_openat ||
		    nr == SYS_pread64 || nr == SYS_waitid)
			continue;
		if (build_call(nr, a)) {
			if (fuzz_verbose) {
				char l[200];
				snprintf(l, sizeof l,
					 "c%d %s(%#lx, %#lx, %#lx, %#lx, %#lx, "
					 "%#lx)\n",
					 widx, fuzz_syscall_name(nr), a[0],
					 a[1], a[2], a[3], a[4], a[5]);
				say(l);
			}
			long r = raw6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (fuzz_verbose) {
				char l[200];
				snprintf(l, sizeof l, "c%d = %ld\n", widx, r);
				say(l);
			}
		}
	}
	raw3(SYS_exit_group, 0, 0, 0);
}

static void reap(void)
{
	for (int i = 0; i < 4; i++)
		if (children[i] > 0 &&
		    raw6(SYS_wait4, children[i], 0, WNOHANG, 0, 0, 0) != 0)
			children[i] = 0;
	/* Children of clone() and ones the fuzzed calls did not reap. */
	while (raw6(SYS_wait4, -1, 0, WNOHANG | __WALL, 0, 0, 0) > 0)
		;
}

static void do_fork(long *ret)
{
	int slot = -1;
	for (int i = 0; i < 4; i++)
		if (children[i] <= 0)
			slot = i;
	if (slot < 0) {
		*ret = -11; /* counted as EAGAIN: no fork */
		return;
	}
	long pid = raw3(SYS_fork, 0, 0, 0);
	if (pid == 0)
		child_body();
	if (pid > 0)
		children[slot] = (pid_t)pid;
	*ret = pid;
}

/* --- the racing thread ------------------------------------------------- */

static void racer(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg;
	racer_tid = raw3(SYS_gettid, 0, 0, 0);
	for (;;) {
		uint64_t r = rng_next(&s);
		long pg = (long)((r >> 8) % ARENA_PAGES);
		char *p = arena + pg * PAGE;
		switch (r % 8) {
		case 0: {
			/* Close a descriptor the other thread may be using;
			 * it reopens it later. */
			int fd = slot_fd[(r >> 20) % NSLOT];
			if (fd >= 3 && !is_protected(fd))
				raw3(SYS_close, fd, 0, 0);
			break;
		}
		case 1: {
			long len = PAGE * (1 + (r >> 30) % 3);
			if (p + len > arena_end)
				len = arena_end - p;
			raw3(SYS_munmap, p, len, 0);
			break;
		}
		case 2:
			raw6(SYS_mmap, (long)p, PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 3:
			raw3(SYS_mprotect, p, PAGE, (r >> 40) % 4);
			break;
		case 4:
			raw3(SYS_dup2, slot_fd[(r >> 20) % NSLOT],
			     slot_fd[(r >> 24) % NSLOT], 0);
			break;
		case 5:
			raw3(SYS_madvise, p, PAGE, 4 /* DONTNEED */);
			break;
		default:
			raw3(SYS_sched_yield, 0, 0, 0);
			break;
		}
		if (pg > ARENA_PAGES / 2 && (r & 0x100))
			raw3(SYS_sched_yield, 0, 0, 0);
	}
}

/* --- the worker -------------------------------------------------------- */

static void progress(unsigned long n)
{
	struct progress p = {widx, (uint32_t)n};
	raw3(SYS_write, FD_PROGRESS, &p, sizeof(p));
}

void worker_main(int idx, uint64_t seed, const char *dir, int with_racer)
{
	widx = idx;
	wseed = rng = seed;
	handlers();
	/* Our own process group, so kill(0, ...) reaches only us. */
	setpgid(0, 0);
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		say("fuzz: worker cannot drop privileges\n");
		_exit(3);
	}
	snprintf(scratch, sizeof(scratch), "%s", dir);
	if (chdir(scratch)) {
		say("fuzz: worker cannot enter its scratch directory\n");
		_exit(3);
	}
	make_scratch();
	build_long_paths();
	setup_regions();
	for (int i = 0; i < NSLOT; i++)
		slot_fd[i] = -1;
	for (int i = 0; i < NEXTRA; i++)
		extra_fd[i] = -1;
	for (int i = 0; i < 8; i++)
		stale[i] = 40 + i;
	refill_fds();
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!excluded(table[i]))
			table_ok[ntable_ok++] = table[i];

	if (with_racer) {
		size_t sz = 64 * 1024;
		char *stack = malloc(sz);
		static int ctid;
		if (stack)
			fuzz_clone_thread(
			    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				CLONE_THREAD | CLONE_SYSVSEM |
				CLONE_CHILD_CLEARTID,
			    stack + sz, racer,
			    (void *)(uintptr_t)(seed ^ 0xabcdef), &ctid);
	}

	unsigned long reported = 0;
	for (;;) {
		unsigned long n = ncalls;
		if ((n & 127) == 0) {
			refill_fds();
			reap();
			if (chdir(scratch))
				(void)0;
		}
		if ((n & 1023) == 512) {
			make_scratch();
			restore_arena();
		}
		long nr = table_ok[below(ntable_ok)], a[6], ret;
		soff = 0;
		if (!build_call(nr, a))
			continue;
		struct call *c = &ring[n % RING];
		c->nr = nr;
		memcpy(c->a, a, sizeof(c->a));
		c->ret = -999999; /* "in progress" in a dump */
		if (fuzz_verbose) {
			char l[200];
			snprintf(
			    l, sizeof l,
			    "w%d #%lu %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
			    widx, n, fuzz_syscall_name(nr), a[0], a[1], a[2],
			    a[3], a[4], a[5]);
			say(l);
		}
		if (nr == SYS_fork)
			do_fork(&ret);
		else if (nr == SYS_clone)
			ret = fuzz_clone_exit(a[0], a[1], a[2], a[3], a[4]);
		else
			ret = raw6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		c->ret = ret;
		ncalls = n + 1;
		switch (nr) {
		case SYS_open:
		case SYS_openat:
		case SYS_creat:
		case SYS_dup:
		case SYS_dup2:
		case SYS_dup3:
			keep_fd(ret);
			break;
		case SYS_fcntl:
			if (a[1] == 0 || a[1] == 1030)
				keep_fd(ret);
			break;
		case SYS_close:
			if (ret == 0) {
				stale[stale_next] = (int)a[0];
				stale_next = (stale_next + 1) % 8;
			}
			break;
		case SYS_mremap:
			/* Pages moved out of the arena: given back, or moves
			 * would pile up the arena's memory elsewhere. */
			if (ret > 0 &&
			    ((char *)ret < arena || (char *)ret >= arena_end))
				raw3(SYS_munmap, ret, a[2], 0);
			break;
		case SYS_mmap:
			if (ret > 0 && outside_arena(ret))
				keep_map(ret, a[1]);
			break;
		case SYS_shmat:
			if (ret > 0 && outside_arena(ret))
				keep_map(ret, 0);
			break;
		case SYS_shmget:
			if (ret > 0)
				keep_shm(ret);
			break;
		case SYS_socket:
		case SYS_accept:
		case SYS_accept4:
			keep_fd(ret);
			break;
		case SYS_socketpair:
			if (ret == 0 && (char *)a[3] >= sarea &&
			    (char *)a[3] < sarea_end) {
				keep_fd(((int *)a[3])[0]);
				keep_fd(((int *)a[3])[1]);
			}
			break;
		case SYS_pipe:
		case SYS_pipe2:
			if (ret == 0 && (char *)a[0] >= sarea &&
			    (char *)a[0] < sarea_end) {
				keep_fd(((int *)a[0])[0]);
				keep_fd(((int *)a[0])[1]);
			}
			break;
		}
		if (ret == -24 /* EMFILE */ || ret == -23 /* ENFILE */)
			sweep_fds();
		if (ncalls - reported >= PROGRESS_EVERY) {
			progress(ncalls - reported);
			reported = ncalls;
		}
	}
}
