/* ubench: lmbench-style micro-benchmarks of the user/kernel boundary, the
 * same static binary on Limen and on Linux (tools/bench). Each result is
 * the median of BATCHES batches timed with CLOCK_MONOTONIC, printed as
 *   ubench NAME VALUE UNIT
 * Under QEMU's -icount shift=0 guest time counts instructions, so the
 * values are path lengths and repeatable.
 * usage: ubench [--quick] [--dir DIR] [--disk | --ext2dir DIR]
 *   --disk: mount /dev/vda (ext2, via devtmpfs on /bdev) on /mnt for the
 *   ext2_* rows; --ext2dir: a directory already on ext2 for them.
 * As init, it powers off at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* musl has no <linux/futex.h> */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

#define BATCHES 5

static int scale = 1; /* --quick divides the work */
static const char *dir = "/tmp";
static const char *self = "/init";

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median over BATCHES of (time of fn(n)) / n, in ns per operation. */
static double per_op(int (*fn)(long), long n)
{
	double v[BATCHES];
	n = n / scale > 0 ? n / scale : 1;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();
		if (fn(n) < 0)
			return -1;
		v[b] = (now_ns() - t0) / n;
	}
	qsort(v, BATCHES, sizeof(v[0]), cmp);
	return v[BATCHES / 2];
}

static void report(const char *name, double v, const char *unit)
{
	if (v < 0)
		printf("ubench %s FAILED %s\n", name, strerror(errno));
	else
		printf("ubench %s %.3f %s\n", name, v, unit);
	fflush(stdout);
}

__attribute__((noinline)) static long callee(long x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

static int b_call(long n)
{
	long x = 0;
	for (long i = 0; i < n; i++)
		x = callee(x);
	return x == n ? 0 : -1;
}

static int b_getppid(long n)
{
	for (long i = 0; i < n; i++)
		getppid();
	return 0;
}

/* Limen only: prctl(PR_LIMEN_BARE_SYSCALLS) makes every call but prctl
 * return at once, so this loop times the syscall+sysretq pair itself.
 * Linux lacks the option (EINVAL) and gets no such line. The clock is read
 * outside (clock_gettime would not run inside), once per batch. */
#define PR_LIMEN_BARE_SYSCALLS 0x4c4d0001

static double bare_pair(long n)
{
	double v[BATCHES];
	n = n / scale > 0 ? n / scale : 1;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();
		if (prctl(PR_LIMEN_BARE_SYSCALLS, 1, 0, 0, 0))
			return -1;
		for (long i = 0; i < n; i++) {
			long r = 110; /* getppid, not performed */
			__asm__ volatile("syscall"
					 : "+a"(r)
					 :
					 : "rcx", "r11", "memory");
		}
		prctl(PR_LIMEN_BARE_SYSCALLS, 0, 0, 0, 0);
		v[b] = (now_ns() - t0) / n;
	}
	qsort(v, BATCHES, sizeof(v[0]), cmp);
	return v[BATCHES / 2];
}

static int fd_zero, fd_null;
static int b_read_zero(long n)
{
	char c;
	for (long i = 0; i < n; i++)
		if (read(fd_zero, &c, 1) != 1)
			return -1;
	return 0;
}

static int b_write_null(long n)
{
	for (long i = 0; i < n; i++)
		if (write(fd_null, "x", 1) != 1)
			return -1;
	return 0;
}

static int b_pipe_rt(long n)
{
	int a[2], b[2];
	char c = 0;
	if (pipe(a) || pipe(b))
		return -1;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		/* Only our ends, so the parent's close is our EOF. */
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1 && write(b[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return -1;
	close(a[1]);
	close(b[0]);
	waitpid(p, NULL, 0);
	return 0;
}

static int b_fork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return -1;
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return 0;
}

static int b_fork_exec(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return -1;
		if (p == 0) {
			execl(self, self, "--exit", (char *)NULL);
			_exit(127);
		}
		int st;
		waitpid(p, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return errno = ENOEXEC, -1;
	}
	return 0;
}

static char path[256];
static int b_open_close(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int b_stat(long n)
{
	struct stat st;
	for (long i = 0; i < n; i++)
		if (stat(path, &st))
			return -1;
	return 0;
}

static int b_mmap_page(long n)
{
	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		p[0] = 1;
		munmap(p, 4096);
	}
	return 0;
}

static int b_fault(long n)
{
	char *p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (long i = 0; i < n; i++)
		p[i * 4096] = 1;
	munmap(p, n * 4096);
	return 0;
}

#define CHUNK 65536
static char chunk[CHUNK];

/* MB/s of moving total bytes through fn; after (if any) runs between
 * batches, outside the timing. */
static double bandwidth_then(int (*fn)(long), long mb, int (*after)(void))
{
	mb = mb / scale > 0 ? mb / scale : 1;
	double v[3];
	for (int b = 0; b < 3; b++) {
		double t0 = now_ns();
		if (fn(mb) < 0)
			return -1;
		v[b] = mb / ((now_ns() - t0) / 1e9);
		if (after && after() < 0)
			return -1;
	}
	qsort(v, 3, sizeof(v[0]), cmp);
	return v[1];
}

static double bandwidth(int (*fn)(long), long mb)
{
	return bandwidth_then(fn, mb, NULL);
}

static int b_pipe_bw(long mb)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		close(fd[1]);
		while (read(fd[0], chunk, CHUNK) > 0)
			;
		_exit(0);
	}
	close(fd[0]);
	for (long i = 0; i < mb * (1 << 20) / CHUNK; i++)
		if (write(fd[1], chunk, CHUNK) != CHUNK)
			return -1;
	close(fd[1]);
	waitpid(p, NULL, 0);
	return 0;
}

static char fpath[256];
static int b_file_write(long mb)
{
	int fd = open(fpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (long i = 0; i < mb * (1 << 20) / CHUNK; i++)
		if (write(fd, chunk, CHUNK) != CHUNK)
			return -1;
	fsync(fd);
	return close(fd);
}

static int b_file_read(long mb)
{
	int fd = open(fpath, O_RDONLY);
	if (fd < 0)
		return -1;
	for (long i = 0; i < mb * (1 << 20) / CHUNK; i++)
		if (read(fd, chunk, CHUNK) != CHUNK)
			return -1;
	return close(fd);
}

static int b_byte_writes(long n)
{
	int fd = open(fpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (long i = 0; i < n; i++)
		if (write(fd, "x", 1) != 1)
			return -1;
	return close(fd);
}

static int b_stdio_writes(long n)
{
	FILE *f = fopen(fpath, "w");
	if (!f)
		return -1;
	for (long i = 0; i < n; i++)
		putc('x', f);
	return fclose(f);
}

/* ---- The page cache: a file on ext2, already cached ---------------------
 * tools/bench attaches a fresh ext2 image as the virtio disk vda and passes
 * --disk: ubench loads the modules Linux needs for it (the list
 * /lib/modules/order, which only Linux's initramfs has), mounts devtmpfs
 * on /bdev and /bdev/vda (ext2) on /mnt. --ext2dir DIR instead uses a
 * directory already on ext2 (e.g. / under make run). */
static const char *edir; /* a directory on ext2, or NULL: no ext2 rows */
static char epath[256];
static int efd = -1;
#define EFILE_MB 8
#define EFILE (EFILE_MB << 20)
#define MAP_BYTES (4 << 20)

static int load_modules(void)
{
	FILE *f = fopen("/lib/modules/order", "r");
	char line[256];
	if (!f)
		return 0; /* nothing to load (Limen's initramfs) */
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		int fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0 ||
		    (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)) {
			printf("ubench: loading %s: %s\n", line,
			       strerror(errno));
			fclose(f);
			return -1;
		}
		close(fd);
	}
	fclose(f);
	return 0;
}

static int mount_disk(void)
{
	if (load_modules())
		return -1;
	mkdir("/bdev", 0755);
	mkdir("/mnt", 0755);
	if (mount("devtmpfs", "/bdev", "devtmpfs", 0, NULL) && errno != EBUSY) {
		printf("ubench: mount devtmpfs: %s\n", strerror(errno));
		return -1;
	}
	if (mount("/bdev/vda", "/mnt", "ext2", 0, NULL)) {
		printf("ubench: mount /bdev/vda (ext2) on /mnt: %s\n",
		       strerror(errno));
		return -1;
	}
	edir = "/mnt";
	return 0;
}

/* Is edir on ext2 (or ext3/4, one magic)? The rows say ext2. */
static int on_ext2(void)
{
	struct statfs sf;
	if (statfs(edir, &sf))
		return 0;
	if (sf.f_type != 0xef53) {
		printf("ubench: %s is not ext2 (f_type %#lx)\n", edir,
		       (unsigned long)sf.f_type);
		return errno = EXDEV, 0;
	}
	return 1;
}

/* The 8 MiB file, written, synced and read once: every page cached. */
static int efile_setup(void)
{
	snprintf(epath, sizeof(epath), "%s/ubench.cached", edir);
	efd = open(epath, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (efd < 0)
		return -1;
	memset(chunk, 0x5a, CHUNK);
	for (long off = 0; off < EFILE; off += CHUNK)
		if (pwrite(efd, chunk, CHUNK, off) != CHUNK)
			return -1;
	if (fsync(efd))
		return -1;
	for (long off = 0; off < EFILE; off += CHUNK)
		if (pread(efd, chunk, CHUNK, off) != CHUNK)
			return -1;
	return 0;
}

/* mb MiB in 64 KiB reads, through the file again and again. */
static int b_ext2_read(long mb)
{
	for (long i = 0; i < mb * (1 << 20) / CHUNK; i++)
		if (pread(efd, chunk, CHUNK, i * CHUNK % EFILE) != CHUNK)
			return -1;
	return 0;
}

/* The same, overwriting the cached pages: no new blocks, no writeback in
 * the timing (efile_sync runs between batches). */
static int b_ext2_write(long mb)
{
	for (long i = 0; i < mb * (1 << 20) / CHUNK; i++)
		if (pwrite(efd, chunk, CHUNK, i * CHUNK % EFILE) != CHUNK)
			return -1;
	return 0;
}

static int efile_sync(void)
{
	return fsync(efd);
}

/* n pages: map 4 MiB of the cached file, read a byte of each page, unmap;
 * again until n pages are read. */
static int ext2_mmap_read(long n, int flags)
{
	volatile char sink = 0;
	long pages = MAP_BYTES / 4096;
	for (long done = 0; done < n; done += pages) {
		char *p = mmap(NULL, MAP_BYTES, PROT_READ, flags, efd, 0);
		if (p == MAP_FAILED)
			return -1;
		for (long i = 0; i < pages && done + i < n; i++)
			sink += p[i * 4096];
		munmap(p, MAP_BYTES);
	}
	(void)sink;
	return 0;
}

static int b_ext2_mmap_private(long n)
{
	return ext2_mmap_read(n, MAP_PRIVATE);
}

static int b_ext2_mmap_shared(long n)
{
	return ext2_mmap_read(n, MAP_SHARED);
}

/* ---- the network: loopback TCP, UDP and AF_UNIX -------------------- */

/* Linux's init starts with lo down; Limen's is up, and this is a no-op. */
static int lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A bound socket on 127.0.0.1 with a port the kernel chose; *a is it. */
static int lo_bound(int type, struct sockaddr_in *a)
{
	int s = socket(AF_INET, type, 0);
	*a = lo_addr(0);
	socklen_t len = sizeof(*a);
	if (s < 0 || bind(s, (struct sockaddr *)a, len) ||
	    getsockname(s, (struct sockaddr *)a, &len)) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* One byte there and back between two processes, n times, over a and b
 * (a's peer is the child's end b). */
static int sock_round_trips(int a, int b, long n)
{
	char c = 0;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		close(a);
		while (recv(b, &c, 1, 0) == 1 && send(b, &c, 1, 0) == 1)
			;
		_exit(0);
	}
	int r = 0;
	for (long i = 0; i < n && r == 0; i++)
		if (send(a, &c, 1, 0) != 1 || recv(a, &c, 1, 0) != 1)
			r = -1;
	/* A datagram socket sees no end of stream: the child is killed. */
	kill(p, SIGKILL);
	close(a);
	close(b);
	waitpid(p, NULL, 0);
	return r;
}

static int b_unix_rt(long n)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	return sock_round_trips(sv[0], sv[1], n);
}

static int b_udp_rt(long n)
{
	struct sockaddr_in aa, ba;
	int a = lo_bound(SOCK_DGRAM, &aa), b = lo_bound(SOCK_DGRAM, &ba);
	if (a < 0 || b < 0 || connect(a, (struct sockaddr *)&ba, sizeof(ba)) ||
	    connect(b, (struct sockaddr *)&aa, sizeof(aa)))
		return -1;
	return sock_round_trips(a, b, n);
}

/* A connected pair of TCP sockets over loopback: *c the client's end,
 * *s the server's. */
static int tcp_pair(int *c, int *s)
{
	struct sockaddr_in la;
	int l = lo_bound(SOCK_STREAM, &la);
	if (l < 0 || listen(l, 8))
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	if (*c < 0 || connect(*c, (struct sockaddr *)&la, sizeof(la)))
		return -1;
	*s = accept(l, NULL, NULL);
	close(l);
	if (*s < 0)
		return -1;
	setsockopt(*c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(*s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

static int b_tcp_rt(long n)
{
	int c, s;
	if (tcp_pair(&c, &s))
		return -1;
	return sock_round_trips(c, s, n);
}

/* Connection set-up and tear-down: connect, accept and both closes, the
 * server's first (so the client's ports do not pile up in TIME_WAIT). */
static int b_tcp_connect(long n)
{
	struct sockaddr_in la;
	int l = lo_bound(SOCK_STREAM, &la);
	if (l < 0 || listen(l, 8))
		return -1;
	int r = 0;
	for (long i = 0; i < n && r == 0; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&la, sizeof(la))) {
			r = -1;
		} else {
			int a = accept(l, NULL, NULL);
			if (a < 0)
				r = -1;
			else
				close(a);
		}
		if (c >= 0)
			close(c);
	}
	close(l);
	return r;
}

static int b_tcp_bw(long mb)
{
	int c, s;
	if (tcp_pair(&c, &s))
		return -1;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		close(c);
		while (read(s, chunk, CHUNK) > 0)
			;
		_exit(0);
	}
	close(s);
	int r = 0;
	for (long i = 0; i < mb * (1048576 / CHUNK) && r == 0; i++)
		for (size_t off = 0; off < CHUNK && r == 0;) {
			ssize_t w = write(c, chunk + off, CHUNK - off);
			if (w <= 0)
				r = -1;
			else
				off += (size_t)w;
		}
	close(c);
	waitpid(p, NULL, 0);
	return r;
}

/* ---- MAP_SHARED ping-pong between two processes --------------------------
 * Parent and child share an anonymous MAP_SHARED page; the parent sets the
 * word to 1, the child sees it and sets it back to 0: one round trip. With
 * -smp 1 (tools/bench) each round trip is two switches. Waiting is either a
 * shared futex (FUTEX_WAIT/FUTEX_WAKE, no PRIVATE flag: two address spaces)
 * or spinning on sched_yield. */
static volatile unsigned *pp;

static long futex(volatile unsigned *w, int op, unsigned val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* Waits until *pp == want. */
static void pp_wait(unsigned want, int use_futex)
{
	unsigned v;
	while ((v = __atomic_load_n(pp, __ATOMIC_ACQUIRE)) != want) {
		if (use_futex)
			futex(pp, FUTEX_WAIT, v);
		else
			sched_yield();
	}
}

static void pp_set(unsigned v, int use_futex)
{
	__atomic_store_n(pp, v, __ATOMIC_RELEASE);
	if (use_futex)
		futex(pp, FUTEX_WAKE, 1);
}

static int pingpong(long n, int use_futex)
{
	pp = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pp == MAP_FAILED)
		return -1;
	*pp = 0;
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		for (long i = 0; i < n; i++) {
			pp_wait(1, use_futex);
			pp_set(0, use_futex);
		}
		_exit(0);
	}
	for (long i = 0; i < n; i++) {
		pp_set(1, use_futex);
		pp_wait(0, use_futex);
	}
	int st;
	waitpid(p, &st, 0);
	munmap((void *)pp, 4096);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int b_pingpong_futex(long n)
{
	return pingpong(n, 1);
}

static int b_pingpong_yield(long n)
{
	return pingpong(n, 0);
}

int main(int argc, char **argv)
{
	double boot_ms = now_ns() / 1e6; /* kernel clock at init's start */
	int disk = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--exit") == 0)
			return 0;
		if (strcmp(argv[i], "--quick") == 0)
			scale = 20;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--ext2dir") == 0 && i + 1 < argc)
			edir = argv[++i];
		else if (strcmp(argv[i], "--disk") == 0)
			disk = 1;
	}
	self = argv[0][0] == '/' ? argv[0] : "/proc/self/exe";
	if (getpid() == 1)
		report("boot_to_init", boot_ms, "ms");
	fd_zero = open("/dev/zero", O_RDONLY);
	fd_null = open("/dev/null", O_WRONLY);
	snprintf(path, sizeof(path), "%s/ubench.stat", dir);
	snprintf(fpath, sizeof(fpath), "%s/ubench.data", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	report("function_call", per_op(b_call, 1000000), "ns");
	double null_call = per_op(b_getppid, 200000);
	report("null_syscall", null_call, "ns");
	double pair = bare_pair(200000);
	if (pair > 0) {
		report("bare_syscall_sysret", pair, "ns");
		report("null_syscall_vs_bare_pair", null_call / pair, "x");
	}
	report("read_dev_zero_1b", per_op(b_read_zero, 100000), "ns");
	report("write_dev_null_1b", per_op(b_write_null, 100000), "ns");
	report("pipe_round_trip", per_op(b_pipe_rt, 20000), "ns");
	report("fork_exit_wait", per_op(b_fork, 400) / 1000, "us");
	report("fork_exec_wait", per_op(b_fork_exec, 100) / 1000, "us");
	report("open_close", per_op(b_open_close, 50000), "ns");
	report("stat", per_op(b_stat, 50000), "ns");
	report("mmap_touch_munmap", per_op(b_mmap_page, 20000), "ns");
	report("page_fault", per_op(b_fault, 4096), "ns");
	report("pipe_bandwidth", bandwidth(b_pipe_bw, 64), "MB/s");
	report("file_write_bandwidth", bandwidth(b_file_write, 32), "MB/s");
	report("file_read_bandwidth", bandwidth(b_file_read, 32), "MB/s");
	double one = per_op(b_byte_writes, 100000);
	double buffered = per_op(b_stdio_writes, 100000);
	report("write_1b_per_byte", one, "ns");
	report("stdio_per_byte", buffered, "ns");
	report("unbuffered_vs_stdio",
	       one > 0 && buffered > 0 ? one / buffered : -1, "x");
	unlink(fpath);
	unlink(path);
	report("shm_pingpong_futex", per_op(b_pingpong_futex, 20000), "ns");
	report("shm_pingpong_yield", per_op(b_pingpong_yield, 20000), "ns");
	if (lo_up())
		printf("ubench: lo is down: the network rows fail\n");
	report("unix_stream_round_trip", per_op(b_unix_rt, 20000), "ns");
	report("udp_loopback_round_trip", per_op(b_udp_rt, 20000), "ns");
	report("tcp_loopback_round_trip", per_op(b_tcp_rt, 20000), "ns");
	report("tcp_connect_accept_close", per_op(b_tcp_connect, 400) / 1000,
	       "us");
	report("tcp_loopback_bandwidth", bandwidth(b_tcp_bw, 64), "MB/s");
	if (disk && !edir && mount_disk())
		printf("ubench: no ext2 disk: the ext2 rows fail\n");
	if (disk || edir) {
		int ok = edir && on_ext2() && efile_setup() == 0;
		report("ext2_cached_read_bandwidth",
		       ok ? bandwidth(b_ext2_read, 128) : -1, "MB/s");
		report("ext2_cached_overwrite_bandwidth",
		       ok ? bandwidth_then(b_ext2_write, 128, efile_sync) : -1,
		       "MB/s");
		report("ext2_mmap_private_read_per_page",
		       ok ? per_op(b_ext2_mmap_private, 8192) : -1, "ns");
		report("ext2_mmap_shared_read_per_page",
		       ok ? per_op(b_ext2_mmap_shared, 8192) : -1, "ns");
		if (efd >= 0) {
			close(efd);
			unlink(epath);
		}
		if (disk && edir)
			umount("/mnt");
	}
	printf("ubench done\n");
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
