/* FIFOs (fifo(7)): opened by name, every opener shares one pipe buffer;
 * open's waiting rules (O_RDONLY waits for a writer and vice versa,
 * O_NONBLOCK readers do not, O_NONBLOCK writers without a reader get ENXIO,
 * O_RDWR never waits, a signal interrupts the wait), EOF, EPIPE/SIGPIPE,
 * ESPIPE, fstat and poll, and 10 MiB between two processes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "check.h"

#define BIG (10u << 20)

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The byte stream both sides of the big transfer agree on. */
static uint32_t rng_state;
static uint8_t next_byte(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (uint8_t)(rng_state >> 16);
}

static uint32_t sum_step(uint32_t s, uint8_t b)
{
	return (s ^ b) * 16777619u; /* FNV-1a */
}

static int child_status(pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		; /* an alarm_later signal */
	if (r != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_big(const char *path, const char *name)
{
	char cname[96];
	unlink(path);
	snprintf(cname, sizeof(cname), "fifo.%s.mkfifo", name);
	CHECK_OK(cname, mkfifo(path, 0600));
	struct stat st;
	snprintf(cname, sizeof(cname), "fifo.%s.stat_is_fifo", name);
	CHECK(cname, stat(path, &st) == 0 && S_ISFIFO(st.st_mode), "mode %o",
	      (unsigned)st.st_mode);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(2);
		static char buf[70000];
		rng_state = 1;
		size_t sent = 0, k = 1;
		while (sent < BIG) {
			size_t n = k < BIG - sent ? k : BIG - sent;
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)next_byte();
			for (size_t off = 0; off < n;) {
				ssize_t w = write(fd, buf + off, n - off);
				if (w <= 0)
					_exit(3);
				off += (size_t)w;
			}
			sent += n;
			k = k * 7 % 69997 + 1; /* sizes from 1 to ~70000 */
		}
		_exit(close(fd) ? 4 : 0);
	}
	int fd = open(path, O_RDONLY);
	snprintf(cname, sizeof(cname), "fifo.%s.open_reader", name);
	CHECK(cname, fd >= 0, "open: %s", errname(errno));
	uint32_t want = 2166136261u, got = 2166136261u;
	size_t total = 0;
	rng_state = 1;
	for (size_t i = 0; i < BIG; i++)
		want = sum_step(want, next_byte());
	static char rbuf[32768];
	ssize_t r;
	while (fd >= 0 && (r = read(fd, rbuf, sizeof(rbuf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			got = sum_step(got, (uint8_t)rbuf[i]);
		total += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	int cs = child_status(pid);
	snprintf(cname, sizeof(cname), "fifo.%s.10MiB_checksum", name);
	CHECK(cname, total == BIG && got == want && cs == 0,
	      "%zu bytes, sum %08x want %08x, writer status %d", total, got,
	      want, cs);
	unlink(path);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int s)
{
	got_sig = s;
}

/* SIGALRM to this process in ms milliseconds, from a child (Limen has no
 * alarm or setitimer); reap it with child_status. */
static pid_t alarm_later(int ms)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(ms * 1000);
		kill(parent, SIGALRM);
		_exit(0);
	}
	return pid;
}

static void test_open_waits(const char *path)
{
	char buf[8];
	unlink(path);
	mkfifo(path, 0600);
	/* The reader's open waits for the writer, who comes 300 ms late. */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		int fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "hi", 2) != 2)
			_exit(1);
		usleep(100000);
		_exit(0); /* closes: the reader sees EOF */
	}
	long t0 = now_ms();
	int fd = open(path, O_RDONLY);
	long waited = now_ms() - t0;
	CHECK("fifo.rdonly_open_waits_for_writer", fd >= 0 && waited >= 200,
	      "fd %d (%s) after %ld ms", fd, errname(errno), waited);
	ssize_t r = read(fd, buf, sizeof(buf));
	CHECK("fifo.read_what_was_written", r == 2 && !memcmp(buf, "hi", 2),
	      "read %zd", r);
	r = read(fd, buf, sizeof(buf));
	CHECK("fifo.eof_after_writer_closes", r == 0, "read %zd (%s)", r,
	      errname(errno));
	close(fd);
	child_status(pid);

	/* And the writer's open waits for a reader. */
	pid = fork();
	if (pid == 0) {
		usleep(300000);
		int rfd = open(path, O_RDONLY);
		char c;
		_exit(rfd >= 0 && read(rfd, &c, 1) == 1 && c == 'w' ? 0 : 1);
	}
	t0 = now_ms();
	fd = open(path, O_WRONLY);
	waited = now_ms() - t0;
	CHECK("fifo.wronly_open_waits_for_reader", fd >= 0 && waited >= 200,
	      "fd %d (%s) after %ld ms", fd, errname(errno), waited);
	CHECK("fifo.writer_to_waiting_reader",
	      write(fd, "w", 1) == 1 && child_status(pid) == 0, "write/child");
	close(fd);

	/* O_NONBLOCK: a reader opens at once and reads EOF (no writer); a
	 * writer finds it. */
	t0 = now_ms();
	int rfd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK("fifo.nonblock_reader_opens", rfd >= 0 && now_ms() - t0 < 200,
	      "fd %d (%s)", rfd, errname(errno));
	CHECK("fifo.nonblock_reader_no_writer_eof", read(rfd, buf, 1) == 0,
	      "read: %s", errname(errno));
	struct pollfd pf = {.fd = rfd, .events = POLLIN};
	int pr0 = poll(&pf, 1, 0);
	CHECK("fifo.poll_no_hup_before_any_writer", pr0 == 0,
	      "poll %d revents %#x", pr0, pf.revents);
	int wfd = open(path, O_WRONLY | O_NONBLOCK);
	CHECK("fifo.nonblock_writer_with_reader", wfd >= 0, "open: %s",
	      errname(errno));
	CHECK_ERRNO("fifo.nonblock_read_empty_eagain", read(rfd, buf, 1),
		    EAGAIN);
	CHECK("fifo.poll_empty", poll(&pf, 1, 0) == 0, "revents %#x",
	      pf.revents);
	CHECK("fifo.nonblock_write", write(wfd, "ab", 2) == 2, "write: %s",
	      errname(errno));
	CHECK("fifo.poll_readable",
	      poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN), "revents %#x",
	      pf.revents);
	CHECK("fifo.nonblock_read", read(rfd, buf, 8) == 2 && buf[1] == 'b',
	      "read: %s", errname(errno));
	CHECK_ERRNO("fifo.lseek_espipe", lseek(rfd, 0, SEEK_SET), ESPIPE);
	CHECK_ERRNO("fifo.pread_espipe", pread(rfd, buf, 1, 0), ESPIPE);
	struct stat st;
	CHECK("fifo.fstat_is_fifo",
	      fstat(wfd, &st) == 0 && S_ISFIFO(st.st_mode), "mode %o",
	      (unsigned)st.st_mode);
	close(wfd);
	pf.revents = 0;
	CHECK("fifo.poll_hup_after_writer",
	      poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP), "revents %#x",
	      pf.revents);
	close(rfd);

	/* No reader at all: ENXIO, and the failed open leaves nothing. */
	CHECK_ERRNO("fifo.nonblock_writer_enxio",
		    open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	CHECK_ERRNO("fifo.nonblock_writer_enxio_again",
		    open(path, O_WRONLY | O_NONBLOCK), ENXIO);

	/* O_RDWR never waits, and is both ends. */
	t0 = now_ms();
	fd = open(path, O_RDWR);
	CHECK("fifo.rdwr_does_not_wait", fd >= 0 && now_ms() - t0 < 200,
	      "fd %d (%s)", fd, errname(errno));
	CHECK("fifo.rdwr_loops_back",
	      write(fd, "rw", 2) == 2 && read(fd, buf, 8) == 2 &&
		  !memcmp(buf, "rw", 2),
	      "write/read: %s", errname(errno));
	/* A read returns what there is, even exactly one page of it, rather
	 * than wait for more (the alarm would end such a wait). */
	static char page[8192];
	pid_t killer = alarm_later(1000);
	t0 = now_ms();
	ssize_t pr = write(fd, page, 4096) == 4096 ? read(fd, page, 8192) : -2;
	CHECK("fifo.read_returns_one_page_at_once",
	      pr == 4096 && now_ms() - t0 < 500, "read %zd after %ld ms", pr,
	      now_ms() - t0);
	child_status(killer);
	/* A writer-only open finds the O_RDWR reader. */
	wfd = open(path, O_WRONLY | O_NONBLOCK);
	CHECK("fifo.rdwr_counts_as_reader", wfd >= 0, "open: %s",
	      errname(errno));
	close(wfd);
	/* Unread data goes with the last close. */
	CHECK("fifo.write_stale", write(fd, "stale", 5) == 5, "write");
	close(fd);
	fd = open(path, O_RDWR | O_NONBLOCK);
	CHECK_ERRNO("fifo.unread_data_discarded", read(fd, buf, 8), EAGAIN);
	close(fd);
	unlink(path);
}

static void test_epipe_eintr(const char *path)
{
	unlink(path);
	mkfifo(path, 0600);
	struct sigaction sa = {.sa_handler = on_sig};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART */

	int rfd = open(path, O_RDONLY | O_NONBLOCK);
	int wfd = open(path, O_WRONLY | O_NONBLOCK);
	close(rfd);
	got_sig = 0;
	CHECK_ERRNO("fifo.epipe_no_reader", write(wfd, "x", 1), EPIPE);
	CHECK("fifo.sigpipe", got_sig == SIGPIPE, "signal %d", (int)got_sig);
	close(wfd);

	/* A waiting open is interrupted by a signal whose handler has no
	 * SA_RESTART; it leaves no reader behind. */
	got_sig = 0;
	pid_t killer = alarm_later(200);
	long t0 = now_ms();
	CHECK_ERRNO("fifo.open_rdonly_eintr", open(path, O_RDONLY), EINTR);
	CHECK("fifo.open_eintr_by_alarm",
	      got_sig == SIGALRM && now_ms() - t0 >= 150,
	      "signal %d after %ld ms", (int)got_sig, now_ms() - t0);
	CHECK_ERRNO("fifo.eintr_leaves_no_reader",
		    open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	child_status(killer);
	killer = alarm_later(200);
	CHECK_ERRNO("fifo.open_wronly_eintr", open(path, O_WRONLY), EINTR);
	child_status(killer);

	/* With SA_RESTART the open carries on and meets its writer. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(500000);
		int fd = open(path, O_WRONLY);
		_exit(fd >= 0 && write(fd, "r", 1) == 1 ? 0 : 1);
	}
	got_sig = 0;
	killer = alarm_later(200);
	int fd = open(path, O_RDONLY);
	char c = 0;
	CHECK("fifo.open_sa_restart",
	      fd >= 0 && got_sig == SIGALRM && read(fd, &c, 1) == 1 && c == 'r',
	      "fd %d (%s) signal %d", fd, errname(errno), (int)got_sig);
	close(fd);
	child_status(pid);
	child_status(killer);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	unlink(path);
}

static void test_two_fifos(void)
{
	unlink("/tmp/fifo_a");
	unlink("/tmp/fifo_b");
	mkfifo("/tmp/fifo_a", 0600);
	mkfifo("/tmp/fifo_b", 0600);
	int a = open("/tmp/fifo_a", O_RDWR | O_NONBLOCK);
	int b = open("/tmp/fifo_b", O_RDWR | O_NONBLOCK);
	/* A second name for a: the same FIFO. */
	link("/tmp/fifo_a", "/tmp/fifo_a2");
	int a2 = open("/tmp/fifo_a2", O_WRONLY | O_NONBLOCK);
	char buf[8] = {0};
	ssize_t w = write(a, "A", 1) + write(b, "B", 1) + write(a2, "a", 1);
	ssize_t ra = read(a, buf, 8);
	ssize_t rb = read(b, buf + 4, 4);
	CHECK("fifo.two_fifos_do_not_mix",
	      w == 3 && ra == 2 && rb == 1 && !memcmp(buf, "Aa", 2) &&
		  buf[4] == 'B',
	      "w %zd ra %zd rb %zd '%.2s' '%c'", w, ra, rb, buf, buf[4]);
	close(a);
	close(a2);
	close(b);
	unlink("/tmp/fifo_a");
	unlink("/tmp/fifo_a2");
	unlink("/tmp/fifo_b");
}

/* Many openers, then all gone: the FIFO works as new. */
static void test_many(const char *path)
{
	unlink(path);
	mkfifo(path, 0600);
	int fds[64], n = 0;
	for (int i = 0; i < 64; i++) {
		fds[i] = open(path, (i & 1) ? O_WRONLY | O_NONBLOCK
					    : O_RDONLY | O_NONBLOCK);
		n += fds[i] >= 0;
	}
	CHECK("fifo.many_openers", n == 64, "%d of 64 opened", n);
	CHECK("fifo.many_write", write(fds[1], "m", 1) == 1, "write");
	char c = 0;
	CHECK("fifo.many_shared", read(fds[62], &c, 1) == 1 && c == 'm',
	      "read");
	for (int i = 0; i < 64; i++)
		close(fds[i]);
	CHECK_ERRNO("fifo.many_all_closed", open(path, O_WRONLY | O_NONBLOCK),
		    ENXIO);
	unlink(path);
}

static void test_shell(void)
{
	int p[2];
	if (pipe(p))
		return;
	unlink("/tmp/shfifo");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		char *argv[] = {"sh", "-c",
				"cd /tmp && mkfifo shfifo && "
				"{ echo x > shfifo & cat shfifo; wait; }",
				NULL};
		execve("/bin/sh", argv, NULL);
		_exit(99);
	}
	close(p[1]);
	char buf[32] = {0};
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(buf) - 1 &&
	       (r = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(p[0]);
	int cs = child_status(pid);
	CHECK("fifo.busybox_echo_to_cat", cs == 0 && !strcmp(buf, "x\n"),
	      "status %d output '%s'", cs, buf);
	unlink("/tmp/shfifo");
}

/* sys_fifo DIR [DEV]: only the checks on FIFOs in DIR (storage-guest.sh
 * runs them on ext2), after mounting the ext2 DEV there if given. */
static int in_dir(const char *dir, const char *dev)
{
	char a[256], b[256];
	if (dev)
		CHECK_OK("fifo.dir.mount_ext2",
			 mount(dev, dir, "ext2", 0, NULL));
	snprintf(a, sizeof(a), "%s/fifo_w", dir);
	test_open_waits(a);
	snprintf(b, sizeof(b), "%s/fifo_big", dir);
	test_big(b, "dir");
	/* The node stays a FIFO on the disk when nobody has it open. */
	struct stat st;
	CHECK("fifo.dir.node_stays",
	      mkfifo(a, 0640) == 0 && stat(a, &st) == 0 &&
		  S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0640,
	      "mode %o (%s)", (unsigned)st.st_mode, errname(errno));
	unlink(a);
	if (dev)
		CHECK_OK("fifo.dir.umount", umount(dir));
	return check_summary("sys_fifo");
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_sig}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (argc > 1)
		return in_dir(argv[1], argc > 2 ? argv[2] : NULL);
	mkdir("/tmp", 01777);
	test_open_waits("/tmp/fifo_w");
	test_epipe_eintr("/tmp/fifo_e");
	test_two_fifos();
	test_many("/tmp/fifo_m");
	test_big("/tmp/fifo_big", "tmp");
	test_big("/fifo_root", "rootfs");
	/* A tmpfs of its own, if one can be mounted. */
	mkdir("/fifo_tmpfs", 0755);
	if (mount("none", "/fifo_tmpfs", "tmpfs", 0, NULL) == 0) {
		test_big("/fifo_tmpfs/f", "tmpfs");
		umount("/fifo_tmpfs");
	}
	test_shell();
	return check_summary("sys_fifo");
}
