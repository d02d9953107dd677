/* Pseudo-terminals: posix_openpt, grantpt, unlockpt and ptsname through
 * the libc, TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER, the slave node's owner and
 * mode; the slave's line discipline fed by the master (termios round
 * trips, canonical editing with echo, raw VMIN/VTIME, input and output
 * mapping); sessions on the slave (ISIG signals reach the foreground group,
 * SIGTTOU for a background writer with TOSTOP, SIGWINCH on TIOCSWINSZ,
 * /dev/tty); the hang-up when the master closes and EIO on the master when
 * the slave closes; poll, O_NONBLOCK and bounded buffers; permissions and
 * a thousand pairs made and closed without a leak. Runs on Linux too
 * (the Limen-only limits are skipped there). */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER 0x5441
#endif

static bool on_limen;

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* A pair: the master through posix_openpt and the slave by its name. */
static int open_pair(int *slave, char *name, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, name, size)) {
		close(m);
		return -1;
	}
	*slave = open(name, O_RDWR | O_NOCTTY);
	if (*slave < 0) {
		close(m);
		return -1;
	}
	return m;
}

/* What the master can read now (waits up to 1 s for the first byte). */
static ssize_t drain(int m, char *buf, size_t size)
{
	struct pollfd p = {.fd = m, .events = POLLIN};
	size_t got = 0;
	while (got < size && poll(&p, 1, got ? 50 : 1000) > 0 &&
	       (p.revents & POLLIN)) {
		ssize_t n = read(m, buf + got, size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("short write\n");
}

static void show(char *out, size_t size, const char *s, ssize_t n)
{
	size_t k = 0;
	for (ssize_t i = 0; i < n && k + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 32 || c == 127)
			k += (size_t)snprintf(out + k, size - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	out[k] = 0;
}

#define CHECK_BYTES(name, got, n, want)                                        \
	do {                                                                   \
		char s_[128];                                                  \
		show(s_, sizeof(s_), got, n);                                  \
		CHECK(name,                                                    \
		      (n) == (ssize_t)strlen(want) &&                          \
			  memcmp(got, want, strlen(want)) == 0,                \
		      "got %zd \"%s\"", (ssize_t)(n), s_);                     \
	} while (0)

static void open_checks(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK_OK("pty.posix_openpt", m);
	if (m < 0)
		return;
	CHECK_OK("pty.grantpt", grantpt(m));
	int n = -1, lock = -1;
	CHECK_OK("pty.tiocgptn", ioctl(m, TIOCGPTN, &n));
	char *name = ptsname(m);
	char want[32];
	snprintf(want, sizeof(want), "/dev/pts/%d", n);
	CHECK("pty.ptsname", name && strcmp(name, want) == 0, "%s, TIOCGPTN %d",
	      name ? name : "NULL", n);
	CHECK("pty.locked_at_open",
	      ioctl(m, TIOCGPTLCK, &lock) == 0 && lock == 1, "TIOCGPTLCK %d",
	      lock);
	CHECK_ERRNO("pty.locked_slave_eio", open(want, O_RDWR | O_NOCTTY), EIO);
	CHECK_OK("pty.unlockpt", unlockpt(m));
	int s = open(want, O_RDWR | O_NOCTTY);
	CHECK_OK("pty.open_slave", s);
	int relock = 1;
	ioctl(m, TIOCSPTLCK, &relock);
	CHECK_ERRNO("pty.relocked_slave_eio", open(want, O_RDWR | O_NOCTTY),
		    EIO);
	relock = 0;
	ioctl(m, TIOCSPTLCK, &relock);
	struct stat st;
	CHECK("pty.slave_node",
	      fstat(s, &st) == 0 && S_ISCHR(st.st_mode) &&
		  major(st.st_rdev) == 136 && (int)minor(st.st_rdev) == n &&
		  st.st_uid == getuid() && (st.st_mode & 0600) == 0600 &&
		  (st.st_mode & 0007) == 0,
	      "mode %o rdev %u:%u uid %u", st.st_mode, major(st.st_rdev),
	      minor(st.st_rdev), st.st_uid);
	struct stat dst;
	CHECK("pty.dev_pts_dir",
	      stat("/dev/pts", &dst) == 0 && S_ISDIR(dst.st_mode) &&
		  (dst.st_mode & 0777) == 0755,
	      "mode %o", dst.st_mode);
	CHECK("pty.isatty", isatty(s) && isatty(m), "isatty %d %d", isatty(s),
	      isatty(m));
	CHECK_ERRNO("pty.slave_no_tiocgptn", ioctl(s, TIOCGPTN, &n), ENOTTY);
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK_OK("pty.tiocgptpeer", peer);
	if (peer >= 0) {
		char buf[8];
		put(peer, "p");
		ssize_t k = drain(m, buf, sizeof(buf));
		CHECK_BYTES("pty.tiocgptpeer_writes", buf, k, "p");
		/* The peer is the /dev/pts/N node itself: ttyname finds it
		 * (glibc's matches /proc/self/fd's name with fstat). */
		struct stat ps, ns;
		char want[32], got[32] = "";
		snprintf(want, sizeof(want), "/dev/pts/%d", n);
		CHECK("pty.tiocgptpeer_is_node",
		      fstat(peer, &ps) == 0 && stat(want, &ns) == 0 &&
			  ps.st_ino == ns.st_ino && ps.st_dev == ns.st_dev &&
			  ps.st_rdev == ns.st_rdev,
		      "peer ino %lu dev %lu, %s ino %lu dev %lu",
		      (unsigned long)ps.st_ino, (unsigned long)ps.st_dev, want,
		      (unsigned long)ns.st_ino, (unsigned long)ns.st_dev);
		CHECK("pty.tiocgptpeer_ttyname",
		      ttyname_r(peer, got, sizeof(got)) == 0 &&
			  strcmp(got, want) == 0,
		      "ttyname %s, want %s", got, want);
		close(peer);
	}
	close(s);
	close(m);
	/* openpty: glibc's takes TIOCGPTPEER, musl's the name. */
	struct winsize w = {.ws_row = 12, .ws_col = 34}, w2 = {0};
	CHECK("pty.openpty",
	      openpty(&m, &s, NULL, NULL, &w) == 0 &&
		  ioctl(m, TIOCGWINSZ, &w2) == 0 && w2.ws_row == 12 &&
		  w2.ws_col == 34 && isatty(s),
	      "%s, %dx%d", errname(errno), w2.ws_row, w2.ws_col);
	char buf[8];
	put(m, "o\n");
	ssize_t k = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.openpty_pair", buf, k, "o\n");
	close(s);
	close(m);
}

static void termios_checks(int m, int s)
{
	/* Zeroed first: TCGETS fills 19 control characters, musl's struct
	 * has 32, and the tail would be whatever the stack held. */
	struct termios t, u, v;
	memset(&t, 0, sizeof(t));
	memset(&v, 0, sizeof(v));
	tcgetattr(s, &t);
	CHECK("pty.default_termios",
	      (t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG) &&
		  (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR) &&
		  (t.c_iflag & ICRNL) && t.c_cc[VINTR] == 3,
	      "lflag %o oflag %o iflag %o", t.c_lflag, t.c_oflag, t.c_iflag);
	u = t;
	u.c_lflag &= ~(ECHO | ECHOCTL);
	u.c_cc[VERASE] = 8;
	u.c_cc[VKILL] = 0x18;
	u.c_cc[VMIN] = 5;
	u.c_cc[VTIME] = 7;
	u.c_iflag |= IGNCR;
	CHECK("pty.termios_roundtrip",
	      tcsetattr(s, TCSANOW, &u) == 0 && tcgetattr(s, &v) == 0 &&
		  v.c_lflag == u.c_lflag && v.c_iflag == u.c_iflag &&
		  memcmp(v.c_cc, u.c_cc, sizeof(u.c_cc)) == 0,
	      "lflag %o/%o", v.c_lflag, u.c_lflag);
	tcsetattr(s, TCSANOW, &t);
	(void)m;
}

static void canon_checks(int m, int s)
{
	char buf[128];
	ssize_t n;
	put(m, "ab\x7f"
	       "c\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.canon_erase", buf, n, "ac\n");
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.echo_erase", buf, n, "ab\b \bc\r\n");
	put(m, "xyz\x15ok\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.canon_kill", buf, n, "ok\n");
	drain(m, buf, sizeof(buf));
	put(m, "foo bar\x17"
	       "baz\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.canon_werase", buf, n, "foo baz\n");
	drain(m, buf, sizeof(buf));
	put(m, "x\r");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.icrnl", buf, n, "x\n");
	drain(m, buf, sizeof(buf));
	put(m, "\x04");
	CHECK("pty.veof", read(s, buf, sizeof(buf)) == 0, "no end of file");
	put(m, "\x01\n");
	n = read(s, buf, sizeof(buf));
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.echoctl", buf, n, "^A\r\n");

	struct termios t, u;
	tcgetattr(s, &t);
	u = t;
	u.c_lflag &= ~ECHO;
	tcsetattr(s, TCSANOW, &u);
	put(m, "quiet\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.noecho_reads", buf, n, "quiet\n");
	fcntl(m, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO("pty.noecho_silent", read(m, buf, sizeof(buf)), EAGAIN);
	fcntl(m, F_SETFL, 0);
	u.c_lflag |= ECHONL;
	tcsetattr(s, TCSANOW, &u);
	put(m, "nl\n");
	n = read(s, buf, sizeof(buf));
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.echonl", buf, n, "\r\n");
	u = t;
	u.c_lflag &= ~ECHOKE;
	tcsetattr(s, TCSANOW, &u);
	put(m, "ab\x15");
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.echok", buf, n, "ab^U\r\n");
	u = t;
	u.c_iflag |= IGNCR;
	tcsetattr(s, TCSAFLUSH, &u);
	put(m, "i\r\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.igncr", buf, n, "i\n");
	tcsetattr(s, TCSAFLUSH, &t);
	drain(m, buf, sizeof(buf));
}

static void output_checks(int m, int s)
{
	char buf[64];
	put(s, "a\nb");
	ssize_t n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.onlcr", buf, n, "a\r\nb");
	struct termios t, u;
	tcgetattr(s, &t);
	u = t;
	u.c_oflag &= ~OPOST;
	tcsetattr(s, TCSANOW, &u);
	put(s, "a\nb");
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.no_opost", buf, n, "a\nb");
	tcsetattr(s, TCSANOW, &t);
	int on = 1;
	if (ioctl(m, TIOCPKT, &on) == 0) {
		put(s, "k");
		n = read(m, buf, sizeof(buf));
		CHECK("pty.packet_mode", n == 2 && buf[0] == 0 && buf[1] == 'k',
		      "read %zd", n);
		on = 0;
		ioctl(m, TIOCPKT, &on);
	}
}

static void raw_checks(int m, int s)
{
	struct termios t, u;
	char buf[32];
	struct timespec a, b;
	tcgetattr(s, &t);
	u = t;
	u.c_lflag &= ~(ICANON | ECHO);
	u.c_cc[VMIN] = 0;
	u.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &u);
	CHECK("pty.vmin0_vtime0", read(s, buf, sizeof(buf)) == 0,
	      "read did not return 0");
	u.c_cc[VTIME] = 2;
	tcsetattr(s, TCSANOW, &u);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ssize_t n = read(s, buf, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("pty.vtime_timeout", n == 0 && elapsed_ms(&a, &b) >= 150,
	      "read %zd after %ld ms", n, elapsed_ms(&a, &b));
	u.c_cc[VMIN] = 3;
	u.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &u);
	put(m, "xyzw");
	usleep(50000);
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.vmin3", buf, n, "xyzw");
	u.c_cc[VMIN] = 2;
	u.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &u);
	put(m, "q");
	clock_gettime(CLOCK_MONOTONIC, &a);
	n = read(s, buf, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("pty.vtime_interbyte", n == 1 && elapsed_ms(&a, &b) >= 50,
	      "read %zd after %ld ms", n, elapsed_ms(&a, &b));
	u.c_iflag |= INLCR;
	u.c_cc[VMIN] = 1;
	tcsetattr(s, TCSANOW, &u);
	put(m, "\n");
	n = read(s, buf, sizeof(buf));
	CHECK_BYTES("pty.inlcr", buf, n, "\r");
	tcsetattr(s, TCSAFLUSH, &t);
}

static void poll_checks(int m, int s)
{
	struct pollfd p[2] = {{.fd = m, .events = POLLIN | POLLOUT},
			      {.fd = s, .events = POLLIN | POLLOUT}};
	int r = poll(p, 2, 0);
	CHECK("pty.poll_idle",
	      r == 2 && p[0].revents == POLLOUT && p[1].revents == POLLOUT,
	      "poll %d master %#x slave %#x", r, p[0].revents, p[1].revents);
	put(m, "line\n");
	put(s, "out");
	usleep(20000);
	r = poll(p, 2, 1000);
	CHECK("pty.poll_ready",
	      r == 2 && (p[0].revents & POLLIN) && (p[1].revents & POLLIN),
	      "poll %d master %#x slave %#x", r, p[0].revents, p[1].revents);
	tcflush(s, TCIOFLUSH);
	char buf[64];
	drain(m, buf, sizeof(buf));
	fcntl(s, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO("pty.slave_nonblock_eagain", read(s, buf, sizeof(buf)),
		    EAGAIN);
	fcntl(s, F_SETFL, 0);
}

/* Nobody reads: both directions stop taking bytes, well before 1 MiB. */
static void bound_checks(int m, int s)
{
	static char big[65536];
	memset(big, 'x', sizeof(big));
	struct termios t, u;
	tcgetattr(s, &t);
	u = t;
	u.c_lflag &= ~(ICANON | ECHO);
	tcsetattr(s, TCSANOW, &u);
	fcntl(m, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	long total = 0;
	ssize_t n = 0;
	while (total < (1 << 20) && (n = write(m, big, sizeof(big))) > 0)
		total += n;
	CHECK("pty.master_write_bounded", n < 0 && errno == EAGAIN && total > 0,
	      "took %ld bytes, last %zd %s", total, n, errname(errno));
	total = 0;
	while (total < (1 << 20) && (n = write(s, big, sizeof(big))) > 0)
		total += n;
	CHECK("pty.slave_write_bounded", n < 0 && errno == EAGAIN && total > 0,
	      "took %ld bytes, last %zd %s", total, n, errname(errno));
	struct pollfd p = {.fd = s, .events = POLLOUT};
	/* (Linux moves output to the master's side asynchronously, so room
	 * may come back at once there.) */
	int r = poll(&p, 1, 0);
	if (on_limen)
		CHECK("pty.slave_full_not_pollout", r == 0,
		      "poll %d revents %#x", r, p.revents);
	fcntl(m, F_SETFL, 0);
	fcntl(s, F_SETFL, 0);
	tcsetattr(s, TCSAFLUSH, &t);
	tcflush(m, TCIFLUSH);
	char buf[256];
	fcntl(m, F_SETFL, O_NONBLOCK);
	while (read(m, buf, sizeof(buf)) > 0)
		;
	fcntl(m, F_SETFL, 0);
}

/* Nothing left unread on either side (Linux hands master writes to the
 * slave asynchronously: some may come after a flush). */
static void quiesce(int m, int s)
{
	char junk[4096];
	tcflush(s, TCIOFLUSH);
	fcntl(s, F_SETFL, O_NONBLOCK);
	fcntl(m, F_SETFL, O_NONBLOCK);
	for (int quiet = 0; quiet < 3;) {
		usleep(20000);
		quiet++;
		while (read(s, junk, sizeof(junk)) > 0 ||
		       read(m, junk, sizeof(junk)) > 0)
			quiet = 0;
	}
	fcntl(s, F_SETFL, 0);
	fcntl(m, F_SETFL, 0);
}

/* Canonical mode with a reader that does not read: master writes stop
 * (EAGAIN) before a line is lost, and every line written comes out. */
static void canon_bound_checks(int m, int s)
{
	const char *line = "0123456789abcdefghijklmnopqrstuvwxyz\n";
	size_t len = strlen(line);
	quiesce(m, s);
	fcntl(m, F_SETFL, O_NONBLOCK);
	long lines = 0;
	ssize_t n = 0;
	while (lines < 100000 && (n = write(m, line, len)) == (ssize_t)len)
		lines++;
	int e = errno;
	fcntl(m, F_SETFL, 0);
	CHECK("pty.canon_write_bounded",
	      lines < 100000 && (n >= 0 || e == EAGAIN), "%ld lines, %s", lines,
	      errname(e));
	/* Every whole line written is read whole (a partial last one goes
	 * with quiesce). */
	long got = 0, bad = 0;
	char buf[128];
	for (long i = 0; i < lines; i++) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 1000) != 1)
			break; /* lost: a read would wait for ever */
		ssize_t r = read(s, buf, sizeof(buf));
		if (r == (ssize_t)len && !memcmp(buf, line, len))
			got++;
		else
			bad++;
	}
	CHECK("pty.canon_no_loss", got == lines && bad == 0,
	      "wrote %ld lines, read %ld whole and %ld broken", lines, got,
	      bad);
	quiesce(m, s);
}

/* 64 KiB through each direction with blocking writes: writers wait for
 * the reader rather than lose bytes. */
static void blocking_checks(int m, int s)
{
	static char big[65536], got[65536];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	struct termios t, u;
	tcgetattr(s, &t);
	u = t;
	u.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	u.c_iflag &= ~(ICRNL | IXON);
	u.c_oflag &= ~OPOST;
	u.c_cc[VMIN] = 1;
	u.c_cc[VTIME] = 0;
	tcsetattr(s, TCSAFLUSH, &u);
	quiesce(m, s);
	for (int dir = 0; dir < 2; dir++) {
		int wfd = dir ? s : m, rfd = dir ? m : s;
		pid_t pid = fork();
		if (pid == 0) {
			ssize_t n = write(wfd, big, sizeof(big));
			_exit(n == (ssize_t)sizeof(big) ? 0 : 1);
		}
		size_t total = 0;
		struct pollfd p = {.fd = rfd, .events = POLLIN};
		while (total < sizeof(got) && poll(&p, 1, 5000) == 1) {
			ssize_t n = read(rfd, got + total, sizeof(got) - total);
			if (n <= 0)
				break;
			total += (size_t)n;
		}
		int st = 0;
		waitpid(pid, &st, 0);
		CHECK(dir ? "pty.slave_blocking_write_64k"
			  : "pty.master_blocking_write_64k",
		      total == sizeof(big) && !memcmp(got, big, total) &&
			  WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "read %zu bytes, writer status %#x", total, st);
	}
	tcsetattr(s, TCSAFLUSH, &t);
}

/* ---- sessions on the slave ---------------------------------------------- */

static volatile sig_atomic_t got[NSIG];
static void on_signal(int sig)
{
	got[sig]++;
}

/* In a child: a new session whose controlling terminal is the slave
 * (opened by name, without O_NOCTTY). Returns its fd or -1. */
static int become_session(const char *name)
{
	if (setsid() < 0)
		return -1;
	int fd = open(name, O_RDWR);
	if (fd < 0)
		return -1;
	pid_t sid = -1;
	if (ioctl(fd, TIOCGSID, &sid) || sid != getpid() ||
	    tcgetpgrp(fd) != getpid())
		return -1;
	return fd;
}

/* Runs fn(name, ready) in a child; waits for it to write a byte on
 * ready, then runs then(master) and returns the child's wait status. */
static int with_child(const char *name, int m, int (*fn)(const char *, int),
		      void (*then)(int))
{
	int pfd[2];
	if (pipe(pfd))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(m); /* only the parent holds the master */
		_exit(fn(name, pfd[1]));
	}
	close(pfd[1]);
	char c;
	ssize_t r = read(pfd[0], &c, 1);
	close(pfd[0]);
	if (r == 1)
		then(m);
	int st = 0;
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return st;
}

static int child_reads(const char *name, int ready)
{
	int fd = become_session(name);
	if (fd < 0)
		return 10;
	if (write(ready, "r", 1) != 1)
		return 11;
	char buf[16];
	read(fd, buf, sizeof(buf));
	return 0; /* ^C never came */
}

static void send_intr(int m)
{
	usleep(50000); /* the child is in read by now, or will be */
	put(m, "\x03");
}

static void send_quit(int m)
{
	usleep(50000);
	put(m, "\x1c");
}

static int child_background_write(const char *name, int ready)
{
	int fd = become_session(name);
	if (fd < 0)
		return 10;
	struct termios t;
	tcgetattr(fd, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(fd, TCSANOW, &t);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(write(fd, "bg", 2) == 2 ? 0 : 1);
	}
	setpgid(pid, pid);
	int st = 0;
	waitpid(pid, &st, WUNTRACED);
	int r = WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU ? 0 : 20;
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	/* Without TOSTOP the background write goes through. */
	t.c_lflag &= ~TOSTOP;
	tcsetattr(fd, TCSANOW, &t);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(write(fd, "ok", 2) == 2 ? 0 : 1);
	}
	setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		r = r ? r : 21;
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	write(ready, "r", 1);
	return r;
}

static void nothing(int m)
{
	(void)m;
}

static int child_winch(const char *name, int ready)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGWINCH, &sa, NULL);
	int fd = become_session(name);
	if (fd < 0)
		return 10;
	/* /dev/tty is the slave now. */
	int tty = open("/dev/tty", O_RDWR);
	if (tty < 0 || write(tty, "T", 1) != 1)
		return 12;
	close(tty);
	if (write(ready, "r", 1) != 1)
		return 11;
	for (int i = 0; i < 200 && !got[SIGWINCH]; i++)
		usleep(10000);
	struct winsize w;
	if (!got[SIGWINCH])
		return 13;
	if (ioctl(fd, TIOCGWINSZ, &w) || w.ws_row != 33 || w.ws_col != 101)
		return 14;
	return 0;
}

static void resize(int m)
{
	struct winsize w = {.ws_row = 33, .ws_col = 101};
	ioctl(m, TIOCSWINSZ, &w);
}

static int child_hangup(const char *name, int ready)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigaction(SIGHUP, &sa, NULL);
	int fd = become_session(name);
	if (fd < 0)
		return 10;
	if (write(ready, "r", 1) != 1)
		return 11;
	char buf[16];
	/* As Linux: the read the hang-up interrupts fails with EIO, the
	 * ones after it find end of file. */
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n != 0 && !(n == -1 && errno == EIO))
		return 12;
	if (read(fd, buf, sizeof(buf)) != 0)
		return 17;
	if (!got[SIGHUP])
		return 13;
	errno = 0;
	if (write(fd, "x", 1) != -1 || errno != EIO)
		return 14;
	if (tcgetpgrp(fd) != -1)
		return 15;
	if (open("/dev/tty", O_RDWR) >= 0)
		return 16; /* the session lost its terminal */
	return 0;
}

static int hangup_master;
static void close_master(int m)
{
	(void)m;
	usleep(50000);
	close(hangup_master);
}

static void session_checks(void)
{
	char name[64];
	int s, m = open_pair(&s, name, sizeof(name));
	if (m < 0) {
		CHECK("pty.session_pair", 0, "no pair: %s", errname(errno));
		return;
	}
	close(s);
	int st = with_child(name, m, child_reads, send_intr);
	CHECK("pty.isig_sigint_fg_group",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %#x", st);
	char buf[64];
	ssize_t n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.isig_echo", buf, n, "^C");
	/* (^Z would be discarded: a session leader's group is orphaned.) */
	st = with_child(name, m, child_reads, send_quit);
	CHECK("pty.isig_sigquit", WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT,
	      "status %#x", st);
	drain(m, buf, sizeof(buf));
	st = with_child(name, m, child_background_write, nothing);
	CHECK("pty.tostop_sigttou", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.background_write_without_tostop", buf, n, "ok");
	st = with_child(name, m, child_winch, resize);
	CHECK("pty.sigwinch", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	n = drain(m, buf, sizeof(buf));
	CHECK_BYTES("pty.dev_tty_is_slave", buf, n, "T");
	hangup_master = m;
	st = with_child(name, m, child_hangup, close_master);
	CHECK("pty.hangup", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x",
	      st);
	CHECK("pty.hangup_removes_node",
	      access(name, F_OK) == -1 && errno == ENOENT,
	      "%s still there (%s)", name, errname(errno));
}

/* What the master reads until want shows up, EIO/EOF or timeout_ms. */
static bool expect(int m, char *buf, size_t size, size_t *len, const char *want,
		   int timeout_ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (;;) {
		buf[*len] = 0;
		if (strstr(buf, want))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &b);
		int left = timeout_ms - (int)elapsed_ms(&a, &b);
		struct pollfd p = {.fd = m, .events = POLLIN};
		if (left <= 0 || *len + 1 >= size || poll(&p, 1, left) != 1)
			return false;
		ssize_t n = read(m, buf + *len, size - 1 - *len);
		if (n <= 0)
			return false;
		*len += (size_t)n;
	}
}

/* An interactive shell on the slave, as script or a terminal emulator
 * runs one: it answers, and ^C stops its foreground job, not itself. */
static void shell_checks(void)
{
	char name[64];
	int s, m = open_pair(&s, name, sizeof(name));
	if (m < 0)
		return;
	/* s stays open here: with no slave open, master reads fail. */
	pid_t pid = fork();
	if (pid == 0) {
		close(m);
		close(s);
		setsid();
		int fd = open(name, O_RDWR);
		if (fd < 0)
			_exit(1);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		_exit(127);
	}
	static char buf[8192];
	size_t len = 0;
	put(m, "echo $((6*7))x\n");
	CHECK("pty.shell_answers",
	      expect(m, buf, sizeof(buf), &len, "42x", 5000),
	      "no 42x in %zu bytes", len);
	struct timespec a, b;
	put(m, "sleep 10\n");
	usleep(300000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	put(m, "\x03");
	put(m, "echo back$((1+1))\n");
	bool back = expect(m, buf, sizeof(buf), &len, "back2", 9000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("pty.shell_ctrl_c_job", back && elapsed_ms(&a, &b) < 8000,
	      "back2 %d after %ld ms", back, elapsed_ms(&a, &b));
	put(m, "exit\n");
	int st = 0;
	for (int i = 0; i < 100 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(50000);
	CHECK("pty.shell_exits", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(s);
	close(m);
}

/* The slave closes: a master read gives EIO, poll POLLHUP; a reader
 * blocked in the master's read wakes with EIO. */
static void slave_close_checks(void)
{
	char name[64], buf[16];
	int s, m = open_pair(&s, name, sizeof(name));
	if (m < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(s);
		ssize_t n = read(m, buf, sizeof(buf));
		_exit(n == -1 && errno == EIO ? 0 : 1);
	}
	usleep(100000);
	close(s);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("pty.blocked_master_read_eio",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	CHECK_ERRNO("pty.master_read_eio", read(m, buf, sizeof(buf)), EIO);
	struct pollfd p = {.fd = m, .events = POLLIN};
	CHECK("pty.master_pollhup",
	      poll(&p, 1, 0) == 1 && (p.revents & POLLHUP), "revents %#x",
	      p.revents);
	close(m);
}

/* The tty group's gid in /etc/group, or 0. */
static gid_t tty_gid(void)
{
	FILE *f = fopen("/etc/group", "r");
	char line[256];
	gid_t g = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned v;
		if (!strncmp(line, "tty:", 4) &&
		    sscanf(strchr(line + 4, ':') ? strchr(line + 4, ':') + 1
						 : "",
			   "%u", &v) == 1) {
			g = v;
			break;
		}
	}
	if (f)
		fclose(f);
	return g;
}

static gid_t slave_gid(void)
{
	char name[64];
	struct stat st;
	int s, m = open_pair(&s, name, sizeof(name));
	if (m < 0 || fstat(s, &st))
		return (gid_t)-1;
	close(s);
	close(m);
	return st.st_gid;
}

/* The slave's group is tty if /etc/group has one, else 0 (Limen; Linux
 * takes devpts's gid= option). The Limen run also tries a group file
 * with a tty group (gid 5), then puts the old one back. */
static void group_checks(void)
{
	if (!on_limen)
		return;
	gid_t want = tty_gid(), got = slave_gid();
	CHECK("pty.slave_group", got == want, "gid %d, tty is %d", (int)got,
	      (int)want);
	if (want != 0 || geteuid() != 0 ||
	    rename("/etc/group", "/etc/group.pty-test"))
		return;
	FILE *f = fopen("/etc/group", "w");
	if (f) {
		fputs("root:x:0:\nwheel:x:10:\ntty:x:5:\n", f);
		fclose(f);
	}
	got = slave_gid();
	rename("/etc/group.pty-test", "/etc/group");
	CHECK("pty.slave_group_tty", got == 5, "gid %d", (int)got);
}

/* An ordinary user cannot open root's slave (0620, group tty). */
static void permission_checks(void)
{
	if (geteuid() != 0)
		return;
	char name[64];
	int s, m = open_pair(&s, name, sizeof(name));
	if (m < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(1000))
			_exit(2);
		int fd = open(name, O_RDWR | O_NOCTTY);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("pty.other_user_eacces", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	close(s);
	close(m);
}

/* A "name value" line of a /proc/limen file, or -1. */
static long limen_stat(const char *path, const char *field)
{
	FILE *f = fopen(path, "r");
	char line[128];
	long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static long limen_ptys(void)
{
	FILE *f = fopen("/proc/limen/ptys", "r");
	long v = -1;
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/* A thousand pairs made and closed: the index comes back, no pair and no
 * kernel heap stays behind (Limen: the pair count is bounded, ENOSPC
 * past it). */
static void leak_checks(void)
{
	int first = -1, last = -1, failures = 0;
	long live0 = limen_stat("/proc/limen/kheap", "live");
	long bytes0 = limen_stat("/proc/limen/kheap", "bytes_in_use");
	for (int i = 0; i < 1000; i++) {
		char name[64];
		int s, m = open_pair(&s, name, sizeof(name));
		if (m < 0) {
			failures++;
			continue;
		}
		int n = -1;
		ioctl(m, TIOCGPTN, &n);
		if (first < 0)
			first = n;
		last = n;
		put(m, "data\n");
		put(s, "back\n");
		if (i & 1) { /* either side may close first */
			close(m);
			close(s);
		} else {
			close(s);
			close(m);
		}
	}
	long live1 = limen_stat("/proc/limen/kheap", "live");
	long bytes1 = limen_stat("/proc/limen/kheap", "bytes_in_use");
	CHECK("pty.cycle_1000", failures == 0 && (!on_limen || first == last),
	      "%d failures, index %d then %d", failures, first, last);
	if (on_limen) {
		CHECK("pty.cycle_no_pair_left", limen_ptys() == 0, "%ld pairs",
		      limen_ptys());
		/* A leaked pair would be 7 KiB each: 7 MiB. */
		CHECK("pty.cycle_no_leak",
		      live1 - live0 < 64 && bytes1 - bytes0 < 64 * 1024,
		      "kheap live %ld -> %ld, bytes %ld -> %ld", live0, live1,
		      bytes0, bytes1);
	}
	if (!on_limen)
		return;
	static int ms[300];
	int k = 0, err = 0;
	/* open, not posix_openpt: musl turns ENOSPC into POSIX's EAGAIN. */
	for (; k < 300; k++) {
		ms[k] = open("/dev/ptmx", O_RDWR | O_NOCTTY);
		if (ms[k] < 0) {
			err = errno;
			break;
		}
	}
	CHECK("pty.max_enospc", k == 256 && err == ENOSPC, "%d pairs, then %s",
	      k, errname(err));
	for (int i = 0; i < k; i++)
		close(ms[i]);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK_OK("pty.after_max", m);
	close(m);
}

int main(void)
{
	struct stat st;
	on_limen = stat("/proc/limen", &st) == 0;
	/* A run as Linux's init may have no /dev/ptmx there. */
	open_checks();
	char name[64];
	int s, m = open_pair(&s, name, sizeof(name));
	if (m >= 0) {
		termios_checks(m, s);
		canon_checks(m, s);
		output_checks(m, s);
		raw_checks(m, s);
		poll_checks(m, s);
		bound_checks(m, s);
		canon_bound_checks(m, s);
		blocking_checks(m, s);
		close(s);
		close(m);
	}
	session_checks();
	slave_close_checks();
	shell_checks();
	permission_checks();
	group_checks();
	leak_checks();
	return check_summary("sys_pty");
}
