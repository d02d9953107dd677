/* The boundary holds against hostile and careless programs (issue "The
 * boundary holds"): signals respect users and init, time arithmetic
 * saturates, RLIMIT_NPROC is enforced, huge sparse mappings cost nothing,
 * poll wakes on any descriptor, and execve with running threads starts the
 * new program cleanly. Runs as init (root); the cases about users run in
 * children that become nobody (65534). */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define NOBODY 65534

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

/* A child that waits for a signal; returns its pid. */
static pid_t sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static bool alive(pid_t pid)
{
	int st;
	return waitpid(pid, &st, WNOHANG) == 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Runs fn in a child (which exits 0 if fn returns) and gives its wait
 * status. */
static int child_status(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return st;
}

/* fn in a child as one check: the child prints its own detail to the
 * console before exiting non-zero. */
static void in_child(const char *name, void (*fn)(void))
{
	int st = child_status(fn);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
	      st);
}

/* --- signals and users ------------------------------------------------ */

static pid_t root_target;

#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(1, __VA_ARGS__);                               \
			dprintf(1, "\n");                                      \
			_exit(1);                                              \
		}                                                              \
	} while (0)

static void nobody_signals_root(void)
{
	become_nobody();
	errno = 0;
	long r = kill(root_target, SIGTERM);
	EXPECT(r == -1 && errno == EPERM, "kill root: %ld %s", r,
	       errname(errno));
	r = kill(root_target, 0);
	EXPECT(r == -1 && errno == EPERM, "kill 0 root: %ld %s", r,
	       errname(errno));
	r = syscall(SYS_tgkill, root_target, root_target, SIGTERM);
	EXPECT(r == -1 && errno == EPERM, "tgkill root: %ld %s", r,
	       errname(errno));
	r = syscall(SYS_tkill, root_target, SIGTERM);
	EXPECT(r == -1 && errno == EPERM, "tkill root: %ld %s", r,
	       errname(errno));
	r = kill(1, SIGKILL);
	EXPECT(r == -1 && errno == EPERM, "kill init: %ld %s", r,
	       errname(errno));
	/* kill(-1) reaches nobody it may not signal and, as on Linux,
	 * still says 0 when it found processes. */
	r = kill(-1, SIGTERM);
	EXPECT(r == 0, "kill -1: %ld %s", r, errname(errno));
	/* SIGCONT is allowed within the session. */
	r = kill(root_target, SIGCONT);
	EXPECT(r == 0, "SIGCONT in session: %ld %s", r, errname(errno));
	/* Its own kind it may signal. */
	pid_t peer = sleeper();
	r = kill(peer, SIGTERM);
	int st = 0;
	waitpid(peer, &st, 0);
	EXPECT(r == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	       "nobody to nobody: %ld status %#x", r, st);
}

static void signal_permissions(void)
{
	root_target = sleeper();
	in_child("kill.nobody_cannot_signal_root", nobody_signals_root);
	CHECK("kill.root_process_survives", alive(root_target),
	      "the root process died");
	/* A setuid-dropped process whose saved uid is still 0 may. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setresuid(NOBODY, NOBODY, 0))
			_exit(2);
		_exit(kill(root_target, SIGTERM) == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("kill.saved_uid_counts", WIFEXITED(st) && WEXITSTATUS(st) == 1,
	      "status %#x (the sender's saved uid does not count, the "
	      "target's does)",
	      st);
	reap(root_target);
}

static void root_kills_init(void)
{
	EXPECT(kill(1, SIGKILL) == 0, "kill -9 1: %s", errname(errno));
	EXPECT(kill(1, SIGSTOP) == 0, "kill -STOP 1: %s", errname(errno));
	EXPECT(syscall(SYS_tgkill, 1, 1, SIGKILL) == 0, "tgkill 1: %s",
	       errname(errno));
	EXPECT(syscall(SYS_tkill, 1, SIGTERM) == 0, "tkill 1: %s",
	       errname(errno));
	EXPECT(kill(1, SIGTERM) == 0, "kill -TERM 1: %s", errname(errno));
}

static void init_protection(void)
{
	/* If any of these reached init, the machine would power off now. */
	in_child("kill.init_ignores_fatal_signals", root_kills_init);
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	CHECK("kill.init_still_runs", 1, "unreachable");
}

/* --- time arithmetic saturates ---------------------------------------- */

/* tv_sec * 10^9 is 2^64 + 0.29 s: a conversion that wraps sleeps 0.29 s. */
#define WRAPS_SMALL 18446744074LL

static void sleep_forever_nanosleep(void)
{
	struct timespec ts = {INT64_MAX, 999999999};
	nanosleep(&ts, NULL);
}

static void sleep_forever_clock_nanosleep(void)
{
	struct timespec ts = {WRAPS_SMALL, 0};
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

static void sleep_forever_ppoll(void)
{
	int p[2];
	pipe(p);
	struct pollfd pfd = {p[0], POLLIN, 0};
	struct timespec ts = {WRAPS_SMALL, 0};
	ppoll(&pfd, 1, &ts, NULL);
}

static void sleep_forever_select(void)
{
	int p[2];
	pipe(p);
	fd_set in;
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	struct timeval tv = {WRAPS_SMALL, 0};
	select(p[0] + 1, &in, NULL, NULL, &tv);
}

static void sleep_forever_futex(void)
{
	static int word;
	struct timespec ts = {WRAPS_SMALL, 0};
	syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, 0, &ts, NULL, 0);
}

static void sleep_forever_sigtimedwait(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct timespec ts = {WRAPS_SMALL, 0};
	sigtimedwait(&set, NULL, &ts);
}

/* Each sleeper must still be asleep after a while, where the overflow made
 * it return at once. */
static void huge_timeouts(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} cases[] = {
	    {"time.nanosleep_huge_sleeps", sleep_forever_nanosleep},
	    {"time.clock_nanosleep_huge_sleeps", sleep_forever_clock_nanosleep},
	    {"time.ppoll_huge_sleeps", sleep_forever_ppoll},
	    {"time.select_huge_sleeps", sleep_forever_select},
	    {"time.futex_huge_sleeps", sleep_forever_futex},
	    {"time.sigtimedwait_huge_sleeps", sleep_forever_sigtimedwait},
	};
	pid_t pids[sizeof(cases) / sizeof(cases[0])];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			cases[i].fn();
			_exit(3); /* returned: the deadline wrapped */
		}
	}
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(cases[i].name, alive(pids[i]), "returned at once");
		reap(pids[i]);
	}
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* nanosleep cut short by a handled signal says how much was left. */
static void nanosleep_remainder(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t self = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = {0, 100 * 1000 * 1000};
		nanosleep(&d, NULL);
		kill(self, SIGUSR1);
		_exit(0);
	}
	struct timespec req = {1000, 0}, rem = {-1, -1};
	errno = 0;
	int r = nanosleep(&req, &rem);
	int e = errno;
	waitpid(pid, NULL, 0);
	CHECK("time.nanosleep_eintr_writes_rem",
	      r == -1 && e == EINTR && rem.tv_sec >= 0 && rem.tv_sec < 1000 &&
		  rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000,
	      "r %d %s, rem {%lld, %ld}", r, errname(e), (long long)rem.tv_sec,
	      rem.tv_nsec);
	signal(SIGUSR1, SIG_DFL);
}

static void *block(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* --- RLIMIT_NPROC ---------------------------------------------------- */

static void nproc_limited(void)
{
	become_nobody();
	struct rlimit rl = {5, 5};
	EXPECT(setrlimit(RLIMIT_NPROC, &rl) == 0, "setrlimit: %s",
	       errname(errno));
	pid_t kids[64];
	int n = 0, e = 0;
	for (; n < 64; n++) {
		kids[n] = fork();
		if (kids[n] == 0) {
			for (;;)
				pause();
		}
		if (kids[n] < 0) {
			e = errno;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		reap(kids[i]);
	/* Itself plus four children make five. */
	EXPECT(n == 4 && e == EAGAIN, "forked %d children, then %s", n,
	       errname(e));
	/* Threads count too. */
	rl.rlim_cur = rl.rlim_max = 1;
	setrlimit(RLIMIT_NPROC, &rl);
	pthread_t th;
	int pr = pthread_create(&th, NULL, block, NULL);
	EXPECT(pr == EAGAIN, "pthread_create at the limit: %d", pr);
}

static void nproc_root_exempt(void)
{
	struct rlimit rl = {1, 1};
	setrlimit(RLIMIT_NPROC, &rl);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	EXPECT(pid > 0, "root fork at NPROC 1: %s", errname(errno));
	waitpid(pid, NULL, 0);
}

/* --- RLIMIT_FSIZE and RLIMIT_CPU ------------------------------------- */

static void fsize_limited(void)
{
	struct rlimit rl = {100, 100};
	signal(SIGXFSZ, SIG_IGN);
	EXPECT(setrlimit(RLIMIT_FSIZE, &rl) == 0, "setrlimit: %s",
	       errname(errno));
	int fd = open("/tmp/fsize", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	char buf[150] = {0};
	long r = write(fd, buf, sizeof(buf));
	EXPECT(r == 100, "write across the limit: %ld %s", r, errname(errno));
	r = write(fd, buf, 1);
	EXPECT(r == -1 && errno == EFBIG, "write at the limit: %ld %s", r,
	       errname(errno));
	r = ftruncate(fd, 200);
	EXPECT(r == -1 && errno == EFBIG, "ftruncate past it: %ld %s", r,
	       errname(errno));
	EXPECT(ftruncate(fd, 50) == 0, "ftruncate below: %s", errname(errno));
	/* Not ignored: SIGXFSZ's default action ends the process. */
	signal(SIGXFSZ, SIG_DFL);
	lseek(fd, 100, SEEK_SET);
	write(fd, buf, 1);
	_exit(3);
}

static void fsize_limit(void)
{
	int st = child_status(fsize_limited);
	CHECK("rlimit.fsize_efbig_then_sigxfsz",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ, "status %#x", st);
	unlink("/tmp/fsize");
}

static void vm_limited(void)
{
	struct rlimit rl = {64 << 20, 64 << 20};
	EXPECT(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit AS: %s",
	       errname(errno));
	void *p = mmap(NULL, 128 << 20, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	EXPECT(p == MAP_FAILED && errno == ENOMEM, "mmap 128 MiB under AS: %p",
	       p);
	p = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p != MAP_FAILED, "mmap 1 MiB under AS: %s", errname(errno));
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	EXPECT(setrlimit(RLIMIT_DATA, &rl) == 0, "setrlimit DATA: %s",
	       errname(errno));
	void *brk0 = sbrk(0);
	EXPECT(sbrk(4 << 20) == (void *)-1 && sbrk(0) == brk0,
	       "brk grew 4 MiB past RLIMIT_DATA");
	p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p == MAP_FAILED && errno == ENOMEM,
	       "private writable 4 MiB under DATA: %p", p);
	p = mmap(NULL, 4 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p != MAP_FAILED, "read-only 4 MiB is not data: %s",
	       errname(errno));
}

static int xcpu_pipe;
static void on_xcpu(int sig)
{
	(void)sig;
	write(xcpu_pipe, "x", 1);
}

/* Soft limit 1 s: SIGXCPU (handled); hard limit 2 s: SIGKILL. */
static void cpu_limit(void)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		xcpu_pipe = p[1];
		signal(SIGXCPU, on_xcpu);
		struct rlimit rl = {1, 2};
		setrlimit(RLIMIT_CPU, &rl);
		for (volatile unsigned long i = 0;; i++)
			;
	}
	close(p[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	char buf[16];
	long n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	CHECK("rlimit.cpu_sigxcpu_then_sigkill",
	      n >= 1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "%ld SIGXCPU seen, status %#x", n, st);
}

/* --- tmpfs charges its pages and inodes ------------------------------- */

static void tmpfs_limits(void)
{
	mkdir("/tmp/lim", 0777);
	int r = mount("tmpfs", "/tmp/lim", "tmpfs", 0, "size=64k,nr_inodes=8");
	CHECK("tmpfs.mount_with_limits", r == 0, "mount: %s", errname(errno));
	if (r)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		become_nobody();
		char name[32], buf[4096] = {0};
		int files = 0;
		for (; files < 100; files++) {
			snprintf(name, sizeof(name), "/tmp/lim/f%d", files);
			int fd = open(name, O_CREAT | O_WRONLY, 0644);
			if (fd < 0)
				break;
			close(fd);
		}
		int e = errno;
		EXPECT(files == 7 && e == ENOSPC,
		       "%d files, then %s (the root is the 8th inode)", files,
		       errname(e));
		/* Hard links count too (as Linux's tmpfs counts them):
		 * with every inode used, no new name either. */
		errno = 0;
		long l = link("/tmp/lim/f0", "/tmp/lim/hard");
		EXPECT(l == -1 && errno == ENOSPC, "link at nr_inodes: %ld %s",
		       l, errname(errno));
		unlink("/tmp/lim/f6");
		EXPECT(link("/tmp/lim/f0", "/tmp/lim/hard") == 0,
		       "link after an unlink: %s", errname(errno));
		EXPECT(link("/tmp/lim/f0", "/tmp/lim/hard2") == -1 &&
			   errno == ENOSPC,
		       "a second link past nr_inodes: %s", errname(errno));
		unlink("/tmp/lim/hard");
		EXPECT(link("/tmp/lim/f0", "/tmp/lim/hard2") == 0,
		       "the link's charge came back on unlink: %s",
		       errname(errno));
		int fd = open("/tmp/lim/f0", O_WRONLY);
		long total = 0, w;
		while ((w = write(fd, buf, sizeof(buf))) > 0 &&
		       total < (1 << 20))
			total += w;
		EXPECT(total == 64 << 10 && w == -1 && errno == ENOSPC,
		       "wrote %ld bytes, then %ld %s", total, w,
		       errname(errno));
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("tmpfs.nobody_stops_at_size_and_nr_inodes",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	umount("/tmp/lim");
	/* Without options: Linux's defaults, half of RAM. */
	struct statfs sf;
	mount("tmpfs", "/tmp/lim", "tmpfs", 0, NULL);
	r = statfs("/tmp/lim", &sf);
	struct sysinfo si;
	sysinfo(&si);
	unsigned long half = si.totalram * si.mem_unit / 2 / 4096;
	CHECK("tmpfs.default_half_of_ram",
	      r == 0 && sf.f_blocks + 64 >= half && sf.f_blocks <= half + 64 &&
		  sf.f_files > 0,
	      "blocks %lu files %lu, RAM/2 %lu pages",
	      (unsigned long)sf.f_blocks, (unsigned long)sf.f_files, half);
	umount("/tmp/lim");
}

/* --- a deep tree: umount walks it without recursion ------------------- */

/* nobody makes a directory chain 5000 deep (and hard links across it) on
 * a tmpfs and stays inside it: umount is EBUSY; once it has gone, umount
 * frees the tree. A recursive walk would overflow the kernel stack. */
static void deep_tree_umount(void)
{
	enum { DEPTH = 5000 };
	mkdir("/tmp/deep", 0777);
	int r = mount("tmpfs", "/tmp/deep", "tmpfs", 0, "mode=0777");
	CHECK("deep.mount", r == 0, "mount: %s", errname(errno));
	if (r)
		return;
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		become_nobody();
		int fd = open("/tmp/deep/f", O_CREAT | O_WRONLY, 0644);
		close(fd);
		int depth = 0;
		if (chdir("/tmp/deep") == 0)
			for (; depth < DEPTH; depth++) {
				if (mkdir("d", 0755) || chdir("d"))
					break;
				if (depth % 500 == 0 &&
				    link("/tmp/deep/f", "l"))
					break;
			}
		char c = depth == DEPTH ? 'y' : 'n';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	char c = 0;
	if (read(pfd[0], &c, 1) != 1)
		c = 0;
	close(pfd[0]);
	CHECK("deep.nobody_made_5000_levels", c == 'y', "child said '%c'", c);
	errno = 0;
	r = umount("/tmp/deep");
	CHECK("deep.umount_busy_while_inside", r == -1 && errno == EBUSY,
	      "umount: %d %s", r, errname(errno));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_OK("deep.umount_frees_tree", umount("/tmp/deep"));
	rmdir("/tmp/deep");
}

/* --- huge sparse mappings --------------------------------------------- */

#define HUGE_MAP (32ULL << 40) /* 32 TiB */

static void huge_map_unmap(void)
{
	void *p = mmap(NULL, HUGE_MAP, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	EXPECT(p != MAP_FAILED, "mmap 32 TiB: %s", errname(errno));
	/* A few touched pages in the middle, so the walk has tables. */
	char *mid = (char *)p + HUGE_MAP / 2;
	EXPECT(mprotect(mid, 8192, PROT_READ | PROT_WRITE) == 0, "mprotect: %s",
	       errname(errno));
	mid[0] = 1;
	mid[4096] = 2;
	pid_t pid = fork();
	if (pid == 0)
		_exit(mid[4096] == 2 ? 0 : 1);
	int st = 0;
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child: %#x", st);
	EXPECT(mprotect(p, HUGE_MAP, PROT_READ) == 0, "mprotect all: %s",
	       errname(errno));
	EXPECT(munmap(p, HUGE_MAP) == 0, "munmap: %s", errname(errno));
}

/* --- page tables of unmapped memory go back ------------------------------ */

static long mem_free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree");
}

/* nobody maps 1 GiB, touches one page somewhere in it and unmaps, 4000
 * times at 4000 places: each touch needs new page tables (a page at each
 * of two levels), and if
 * munmap kept them, the process would hold megabytes that no RSS shows
 * and the OOM killer would not see (it killed innocent processes in a
 * one-hour fuzz run). */
static void page_tables_freed(void)
{
	become_nobody();
	long before = mem_free_kb();
	for (int i = 0; i < 4000; i++) {
		/* Each time 1 GiB further on: new tables at two levels. */
		size_t len = 1UL << 30;
		char *want = (char *)0x100000000000UL + (size_t)i * len;
		char *p = mmap(want, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				   MAP_FIXED_NOREPLACE,
			       -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		p[((size_t)i * 2654435761u % (len / 4096)) * 4096] = 1;
		munmap(p, len);
	}
	long after = mem_free_kb();
	/* 4000 rounds of at least one page-table page: 16 MiB if kept. */
	EXPECT(before > 0 && after >= before - 2048,
	       "MemFree %ld kB before, %ld kB after", before, after);
	_exit(0);
}

/* nobody touches one byte per GiB of a huge mapping, each touch costing
 * two new page tables besides the page, until memory runs out: the
 * out-of-memory killer must pick it (its tables count, not only its
 * resident pages) and the kernel go on. */
static void page_table_hog(void)
{
	become_nobody();
	size_t len = 1UL << 46;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	for (size_t off = 0; off < len; off += 1UL << 30)
		p[off] = 1;
	_exit(3); /* 64 Ki touches survived: RAM larger than expected */
}

static void oom_kills_table_hog(void)
{
	int st = child_status(page_table_hog);
	CHECK("mm.oom_kills_page_table_hog",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status %#x",
	      st);
}

/* --- poll waits on every descriptor ------------------------------------ */

/* A child that writes to pipe b soon, and to pipe a only much later: the
 * rescue of a poll that did not wake for b, which then sees both ready. */
static pid_t late_writer(int a[2], int b[2])
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = {0, 100 * 1000 * 1000};
		nanosleep(&d, NULL);
		write(b[1], "x", 1);
		d.tv_sec = 20;
		d.tv_nsec = 0;
		nanosleep(&d, NULL);
		write(a[1], "y", 1);
		_exit(0);
	}
	return pid;
}

static void poll_second_pipe(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	pid_t pid = late_writer(a, b);
	struct pollfd pfd[2] = {{a[0], POLLIN, 0}, {b[0], POLLIN, 0}};
	int r = poll(pfd, 2, -1);
	CHECK("poll.wakes_on_second_fd",
	      r == 1 && !(pfd[0].revents & POLLIN) && (pfd[1].revents & POLLIN),
	      "poll %d, revents %#x %#x", r, pfd[0].revents, pfd[1].revents);
	char c;
	if (pfd[0].revents & POLLIN)
		read(a[0], &c, 1);
	read(b[0], &c, 1);
	reap(pid);
	fd_set in;
	FD_ZERO(&in);
	FD_SET(a[0], &in);
	FD_SET(b[0], &in);
	pid = late_writer(a, b);
	r = select((a[0] > b[0] ? a[0] : b[0]) + 1, &in, NULL, NULL, NULL);
	CHECK("select.wakes_on_second_fd",
	      r == 1 && !FD_ISSET(a[0], &in) && FD_ISSET(b[0], &in),
	      "select %d, a %d b %d", r, FD_ISSET(a[0], &in),
	      FD_ISSET(b[0], &in));
	reap(pid);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* --- execve with running threads --------------------------------------- */

static void *spin(void *arg)
{
	volatile unsigned long *n = arg;
	for (;;)
		(*n)++;
	return NULL;
}

static void exec_with_threads(void)
{
	static volatile unsigned long counter;
	pthread_t th;
	for (int i = 0; i < 3; i++)
		pthread_create(&th, NULL, spin, (void *)&counter);
	pthread_create(&th, NULL, block, NULL);
	while (counter < 100000)
		;
	char *argv[] = {"/tests/sys_boundary", "--exec-child", NULL};
	execv(argv[0], argv);
	_exit(2);
}

static void execve_threads(void)
{
	int st = child_status(exec_with_threads);
	CHECK("execve.kills_sibling_threads",
	      WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "status %#x (the new program did not run cleanly)", st);
}

/* The program execve started: alone in its process, with its own pid. */
static int exec_child(void)
{
	char buf[512];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "Threads:\t1\n") ? 42 : 1;
}

/* --- the exit path acts on a reschedule at once ---------------------- */

static int wake_pipe[2];
static volatile int woke;

static void *wake_reader(void *arg)
{
	(void)arg;
	char c;
	read(wake_pipe[0], &c, 1);
	woke = 1;
	return NULL;
}

/* One CPU, round robin: a write that wakes a blocked reader makes the
 * reader runnable and asks for a reschedule; the writer's way back to user
 * mode must switch at once, so the reader has run before write returns
 * (before, it ran at the next timer tick, up to 20 ms later). */
static void exit_path_reschedules(void)
{
	pthread_t t;
	pipe(wake_pipe);
	pthread_create(&t, NULL, wake_reader, NULL);
	/* Let the reader block in read. */
	for (int i = 0; i < 20; i++)
		sched_yield();
	write(wake_pipe[1], "x", 1);
	int seen = woke; /* no system call, no tick in between */
	pthread_join(t, NULL);
	CHECK("entry.wakeup_runs_before_return", seen == 1,
	      "the woken reader had not run when write returned");
	close(wake_pipe[0]);
	close(wake_pipe[1]);
}

/* --- path walks with many symlinks -----------------------------------------
 */

/* A chain of n links, l0 -> l1 -> ... -> l(n-1) -> d, in a fresh dir. */
static void make_chain(const char *top, int n)
{
	char from[64], to[64];
	mkdir(top, 0755);
	snprintf(to, sizeof(to), "%s/d", top);
	mkdir(to, 0755);
	snprintf(to, sizeof(to), "%s/d/f", top);
	close(open(to, O_CREAT | O_WRONLY, 0644));
	for (int i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "%s/l%d", top, i);
		if (i == n - 1)
			snprintf(to, sizeof(to), "d");
		else
			snprintf(to, sizeof(to), "l%d", i + 1);
		symlink(to, from);
	}
}

static void symlink_walks(void)
{
	/* 40 links is Linux's limit: still resolved, the 41st is ELOOP.
	 * Each link is a middle component, so a recursive walk nests 40
	 * deep on the kernel stack. */
	make_chain("/tmp/c40", 40);
	make_chain("/tmp/c41", 41);
	int fd = open("/tmp/c40/l0/f", O_RDONLY);
	CHECK("path.forty_links_resolve", fd >= 0, "open: %s", errname(errno));
	close(fd);
	CHECK_ERRNO("path.forty_one_links_eloop",
		    open("/tmp/c41/l0/f", O_RDONLY), ELOOP);
	/* "link/" must name a directory. */
	symlink("d/f", "/tmp/c40/tofile");
	CHECK_ERRNO("path.link_slash_to_file_enotdir",
		    open("/tmp/c40/tofile/", O_RDONLY), ENOTDIR);
	fd = open("/tmp/c40/l39/", O_RDONLY | O_DIRECTORY);
	CHECK("path.link_slash_to_dir", fd >= 0, "open: %s", errname(errno));
	close(fd);
	/* A loop, and links met again and again through "..". */
	symlink("loop", "/tmp/c40/loop");
	CHECK_ERRNO("path.self_loop_eloop", open("/tmp/c40/loop", O_RDONLY),
		    ELOOP);
	symlink("../../c40/d", "/tmp/c40/d/up");
	fd = open("/tmp/c40/d/up/up/up/up/f", O_RDONLY);
	CHECK("path.relative_link_chain", fd >= 0, "open: %s", errname(errno));
	close(fd);
	/* A name that a racing process keeps replacing is a symlink with
	 * its target or nothing, never a link without a target. */
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			symlink("d/f", "/tmp/c40/racy");
			unlink("/tmp/c40/racy");
		}
	}
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		struct stat st;
		char buf[16];
		if (stat("/tmp/c40/racy", &st) == 0 && !S_ISREG(st.st_mode))
			bad++;
		ssize_t n = readlink("/tmp/c40/racy", buf, sizeof(buf));
		if (n >= 0 && (n != 3 || memcmp(buf, "d/f", 3)))
			bad++;
	}
	reap(pid);
	CHECK("path.symlink_complete_when_visible", bad == 0,
	      "%d looks at a half-made link", bad);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exec-child"))
		return exec_child();
	signal_permissions();
	init_protection();
	huge_timeouts();
	nanosleep_remainder();
	in_child("rlimit.nproc_enforced", nproc_limited);
	in_child("rlimit.nproc_root_exempt", nproc_root_exempt);
	fsize_limit();
	cpu_limit();
	in_child("rlimit.as_and_data", vm_limited);
	tmpfs_limits();
	deep_tree_umount();
	in_child("mm.huge_sparse_map_unmap", huge_map_unmap);
	in_child("mm.munmap_frees_page_tables", page_tables_freed);
	oom_kills_table_hog();
	poll_second_pipe();
	execve_threads();
	symlink_walks();
	exit_path_reschedules();
	return check_summary("sys_boundary");
}
