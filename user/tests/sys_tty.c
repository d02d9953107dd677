/* The console as a terminal and poll(2): termios defaults and changes,
 * window size, poll timeouts on a terminal with no input, always-ready
 * files, and POLLNVAL for a closed descriptor. Then the console as a
 * controlling terminal: sessions (TIOCSCTTY, TIOCNOTTY, TIOCGSID, /dev/tty),
 * the foreground group (TIOCGPGRP/TIOCSPGRP and their errors), background
 * reads and TOSTOP writes (SIGTTIN, SIGTTOU, EIO), ISIG and the canonical
 * line editor fed by TIOCSTI, VMIN/VTIME, SIGWINCH, and the hang-up when a
 * session leader exits. The test runs as init, outside any session, as
 * Linux's init does; the session tests run in a child. */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* tty_nr and tpgid (fields 7 and 8) of /proc/self/stat. */
static int stat_tty(int *tty_nr, int *tpgid)
{
	char buf[512];
	int fd = open("/proc/self/stat", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %d %d", tty_nr, tpgid) != 2)
		return -1;
	return 0;
}

static volatile sig_atomic_t got[NSIG];
static void on_signal(int sig)
{
	got[sig]++;
}

static void catch (int sig, void (*h)(int))
{
	struct sigaction sa = {.sa_handler = h};
	sigaction(sig, &sa, NULL);
}

static void sti(const char *s)
{
	for (; *s; s++)
		ioctl(0, TIOCSTI, s);
}

/* Runs fn in a child of its own process group (a background group of the
 * caller's session); returns its wait status (WUNTRACED: a stop shows). */
static int in_background(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(fn());
	}
	setpgid(pid, pid);
	int st = 0;
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return st;
}

static int bg_read_handler(void)
{
	char c;
	catch (SIGTTIN, on_signal);
	errno = 0;
	int r = read(0, &c, 1);
	return r == -1 && errno == EINTR && got[SIGTTIN] == 1 ? 0 : 1;
}

static int bg_read_ignored(void)
{
	char c;
	signal(SIGTTIN, SIG_IGN);
	errno = 0;
	int r = read(0, &c, 1);
	return r == -1 && errno == EIO ? 0 : 1;
}

static int bg_read_default(void)
{
	char c;
	read(0, &c, 1); /* stops here */
	return 3;
}

static int bg_write_tostop(void)
{
	write(1, "", 0);
	write(1, "x\n", 2); /* stops here */
	return 3;
}

static int bg_write_tostop_ignored(void)
{
	signal(SIGTTOU, SIG_IGN);
	return write(1, "tostop-ignored\n", 15) == 15 ? 0 : 1;
}

/* A background group takes the terminal, as a shell's fg does. */
static int bg_take_foreground(void)
{
	signal(SIGTTOU, SIG_IGN);
	if (tcsetpgrp(0, getpgrp()) != 0)
		return 1;
	return tcgetpgrp(0) == getpgrp() ? 0 : 2;
}

/* Stopped by SIGTTIN, then moved to the foreground and continued: the
 * read carries on (restarted) and gets the line. */
static int bg_read_then_fg(void)
{
	char b[8];
	ssize_t n = read(0, b, sizeof(b));
	return n == 3 && memcmp(b, "ok\n", 3) == 0 ? 0 : 1;
}

static void stop_and_continue_check(pid_t me)
{
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(bg_read_then_fg());
	}
	setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	tcsetpgrp(0, pid);
	sti("ok\n");
	kill(pid, SIGCONT);
	int st2 = -1;
	waitpid(pid, &st2, 0);
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, me);
	signal(SIGTTOU, SIG_DFL);
	CHECK("tty.read_restarts_after_sigcont",
	      WIFSTOPPED(st) && WIFEXITED(st2) && !WEXITSTATUS(st2),
	      "status %#x then %#x", st, st2);
}

/* A group whose parent left (reparented to init) is orphaned: its read
 * fails with EIO instead of stopping. The result comes back through
 * orphan_pipe, as the reader is no longer our child. */
static int orphan_pipe[2];
static int bg_read_orphaned(void)
{
	if (fork() == 0) {
		while (getppid() != 1)
			usleep(1000);
		char c;
		errno = 0;
		int r = read(0, &c, 1);
		c = (r == -1 && errno == EIO) ? 'E' : 'x';
		write(orphan_pipe[1], &c, 1);
		_exit(0);
	}
	return 0; /* leaving makes the group orphaned */
}

static void canon_checks(void)
{
	char buf[64];
	ssize_t n;
	tcflush(0, TCIFLUSH);
	sti("ab\x7f"
	    "c\x08"
	    "d\n");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.canon_erase", n == 3 && memcmp(buf, "ad\n", 3) == 0,
	      "read %zd", n);
	sti("xy\x15z\n");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.canon_kill", n == 2 && memcmp(buf, "z\n", 2) == 0,
	      "read %zd", n);
	sti("foo bar\x17"
	    "baz\n");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.canon_werase", n == 8 && memcmp(buf, "foo baz\n", 8) == 0,
	      "read %zd", n);
	sti("\r");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.icrnl", n == 1 && buf[0] == '\n', "read %zd", n);
	sti("\x04");
	CHECK("tty.veof_empty_line", read(0, buf, sizeof(buf)) == 0,
	      "no end of file");
	sti("ab\x04");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.veof_partial_line", n == 2 && memcmp(buf, "ab", 2) == 0,
	      "read %zd", n);
}

static void raw_checks(void)
{
	struct termios old, t;
	char buf[16];
	struct timespec a, b;
	tcgetattr(0, &old);
	t = old;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	CHECK("tty.vmin0_vtime0_polls", read(0, buf, sizeof(buf)) == 0,
	      "read did not return 0");
	t.c_cc[VTIME] = 2;
	tcsetattr(0, TCSANOW, &t);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ssize_t n = read(0, buf, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("tty.vtime_timeout", n == 0 && elapsed_ms(&a, &b) >= 190,
	      "read %zd after %ld ms", n, elapsed_ms(&a, &b));
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	sti("xyz");
	n = read(0, buf, sizeof(buf));
	CHECK("tty.vmin3", n == 3 && memcmp(buf, "xyz", 3) == 0, "read %zd", n);
	tcsetattr(0, TCSANOW, &old);
}

/* ISIG characters signal the foreground group and flush the input. */
static void isig_checks(void)
{
	int fionread = -1;
	catch (SIGINT, on_signal);
	catch (SIGQUIT, on_signal);
	catch (SIGTSTP, on_signal);
	sti("abc\n");
	ioctl(0, FIONREAD, &fionread);
	CHECK("tty.sti_fionread", fionread == 4, "FIONREAD %d", fionread);
	sti("\x03");
	CHECK("tty.vintr_sigint", got[SIGINT] == 1, "SIGINT %d", got[SIGINT]);
	ioctl(0, FIONREAD, &fionread);
	CHECK("tty.vintr_flushes", fionread == 0, "FIONREAD %d", fionread);
	sti("\x1c");
	CHECK("tty.vquit_sigquit", got[SIGQUIT] == 1, "SIGQUIT %d",
	      got[SIGQUIT]);
	sti("\x1a");
	CHECK("tty.vsusp_sigtstp", got[SIGTSTP] == 1, "SIGTSTP %d",
	      got[SIGTSTP]);
	struct termios old, t;
	tcgetattr(0, &old);
	t = old;
	t.c_lflag &= ~ISIG;
	tcsetattr(0, TCSANOW, &t);
	sti("\x03\n");
	ioctl(0, FIONREAD, &fionread);
	CHECK("tty.no_isig_is_data", got[SIGINT] == 1 && fionread == 2,
	      "SIGINT %d FIONREAD %d", got[SIGINT], fionread);
	tcsetattr(0, TCSAFLUSH, &old);
	t = old;
	t.c_lflag |= NOFLSH;
	tcsetattr(0, TCSANOW, &t);
	sti("q\n\x03");
	ioctl(0, FIONREAD, &fionread);
	CHECK("tty.noflsh_keeps_input", got[SIGINT] == 2 && fionread == 2,
	      "SIGINT %d FIONREAD %d", got[SIGINT], fionread);
	tcsetattr(0, TCSAFLUSH, &old);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
}

/* A child not leading a session: TIOCSCTTY fails, TIOCNOTTY drops the
 * terminal for it alone. */
static int member_checks(void)
{
	pid_t me = getpid();
	(void)me;
	CHECK_ERRNO("tty.sctty_not_leader", ioctl(0, TIOCSCTTY, 0), EPERM);
	CHECK_OK("tty.notty_member", ioctl(0, TIOCNOTTY));
	CHECK_ERRNO("tty.gpgrp_after_notty", tcgetpgrp(0), ENOTTY);
	CHECK_ERRNO("tty.dev_tty_after_notty", open("/dev/tty", O_RDWR), ENXIO);
	return check_nfail ? 1 : 0;
}

/* The session leader's view. */
static int leader_checks(pid_t other_pgrp)
{
	pid_t me = getpid();
	int st, nr = -2, tpgid = -2;
	CHECK("tty.setsid", setsid() == me, "errno %s", errname(errno));
	CHECK_ERRNO("tty.gpgrp_new_session", tcgetpgrp(0), ENOTTY);
	CHECK_ERRNO("tty.dev_tty_new_session", open("/dev/tty", O_RDWR), ENXIO);
	CHECK_OK("tty.sctty", ioctl(0, TIOCSCTTY, 0));
	CHECK_OK("tty.sctty_again", ioctl(0, TIOCSCTTY, 0));
	CHECK("tty.gpgrp_is_leader", tcgetpgrp(0) == me, "got %d",
	      (int)tcgetpgrp(0));
	pid_t sid = -1;
	CHECK("tty.gsid", ioctl(0, TIOCGSID, &sid) == 0 && sid == me,
	      "got %d errno %s", (int)sid, errname(errno));
	int fd = open("/dev/tty", O_RDWR);
	CHECK("tty.dev_tty_open", fd >= 0 && isatty(fd), "errno %s",
	      errname(errno));
	CHECK("tty.dev_tty_same_tty", tcgetpgrp(fd) == me, "got %d",
	      (int)tcgetpgrp(fd));
	close(fd);
	CHECK("tty.proc_stat_tty",
	      stat_tty(&nr, &tpgid) == 0 && nr == (4 << 8 | 64) && tpgid == me,
	      "tty_nr %d tpgid %d", nr, tpgid);
	CHECK_ERRNO("tty.spgrp_other_session", tcsetpgrp(0, other_pgrp), EPERM);
	CHECK_ERRNO("tty.spgrp_no_such_group", tcsetpgrp(0, 99999), ESRCH);
	pid_t neg = -1;
	CHECK_ERRNO("tty.spgrp_negative", ioctl(0, TIOCSPGRP, &neg), EINVAL);
	CHECK_OK("tty.spgrp_own", tcsetpgrp(0, me));

	st = in_background(bg_read_handler);
	CHECK("tty.bg_read_sigttin_eintr", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	st = in_background(bg_read_ignored);
	CHECK("tty.bg_read_ignored_eio", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	st = in_background(bg_read_default);
	CHECK("tty.bg_read_stops", WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN,
	      "status %#x", st);
	pipe(orphan_pipe);
	in_background(bg_read_orphaned);
	close(orphan_pipe[1]);
	char oc = 0;
	read(orphan_pipe[0], &oc, 1);
	close(orphan_pipe[0]);
	CHECK("tty.bg_read_orphaned_eio", oc == 'E', "got %#x", oc);
	struct termios old, t;
	tcgetattr(0, &old);
	t = old;
	t.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	st = in_background(bg_write_tostop);
	int st2 = in_background(bg_write_tostop_ignored);
	tcsetattr(0, TCSANOW, &old);
	CHECK("tty.tostop_write_stops",
	      WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU, "status %#x", st);
	CHECK("tty.tostop_ignored_writes", WIFEXITED(st2) && !WEXITSTATUS(st2),
	      "status %#x", st2);
	st = in_background(bg_take_foreground);
	CHECK("tty.bg_spgrp_sigttou_ignored", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	signal(SIGTTOU, SIG_IGN);
	CHECK_OK("tty.spgrp_back", tcsetpgrp(0, me));
	signal(SIGTTOU, SIG_DFL);

	/* Without echo, typed-in bytes stay off the result lines. */
	struct termios quiet = old;
	quiet.c_lflag &= ~ECHO;
	tcsetattr(0, TCSANOW, &quiet);
	canon_checks();
	raw_checks();
	isig_checks();
	stop_and_continue_check(me);
	tcsetattr(0, TCSAFLUSH, &old);

	struct winsize ws, big = {.ws_row = 30, .ws_col = 100};
	catch (SIGWINCH, on_signal);
	ioctl(0, TIOCGWINSZ, &ws);
	ioctl(0, TIOCSWINSZ, &big);
	struct winsize now;
	ioctl(0, TIOCGWINSZ, &now);
	CHECK("tty.swinsz_sigwinch",
	      got[SIGWINCH] == 1 && now.ws_row == 30 && now.ws_col == 100,
	      "SIGWINCH %d size %dx%d", got[SIGWINCH], now.ws_row, now.ws_col);
	ioctl(0, TIOCSWINSZ, &ws);

	pid_t pid = fork();
	if (pid == 0)
		_exit(member_checks());
	waitpid(pid, &st, 0);
	CHECK("tty.member_checks", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	CHECK("tty.leader_keeps_ctty", tcgetpgrp(0) == me, "got %d",
	      (int)tcgetpgrp(0));

	/* The leader lets go: its foreground group (itself) hears SIGHUP. */
	catch (SIGHUP, on_signal);
	CHECK_OK("tty.notty_leader", ioctl(0, TIOCNOTTY));
	CHECK("tty.notty_leader_sighup", got[SIGHUP] == 1, "SIGHUP %d",
	      got[SIGHUP]);
	CHECK_ERRNO("tty.gsid_after_notty", ioctl(0, TIOCGSID, &sid), ENOTTY);
	return check_nfail ? 1 : 0;
}

static void session_checks(void)
{
	pid_t other = fork();
	if (other == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(other, other);
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(leader_checks(other));
	waitpid(pid, &st, 0);
	CHECK("tty.leader_checks", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);

	/* Hang-up on exit: the leader waits until its child is ready. */
	int pp[2], go[2];
	pipe(pp);
	pipe(go);
	pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(0, TIOCSCTTY, 0);
		if (fork() == 0) {
			sigset_t m;
			sigemptyset(&m);
			sigaddset(&m, SIGHUP);
			sigprocmask(SIG_BLOCK, &m, NULL);
			catch (SIGHUP, on_signal);
			char c = 'r';
			write(pp[1], &c, 1);
			sigemptyset(&m);
			alarm(60);
			while (!got[SIGHUP])
				sigsuspend(&m);
			c = 'H';
			write(pp[1], &c, 1);
			_exit(0);
		}
		char c;
		read(go[0], &c, 1);
		_exit(0);
	}
	close(pp[1]);
	close(go[0]);
	char c = 0;
	read(pp[0], &c, 1);
	write(go[1], "x", 1);
	waitpid(pid, &st, 0);
	c = 0;
	read(pp[0], &c, 1);
	close(pp[0]);
	close(go[1]);
	CHECK("tty.leader_exit_sighup_fg", c == 'H', "got %#x", c);

	/* Free again: a new leader takes it without stealing; a second
	 * session takes it only by stealing, as root. */
	pid = fork();
	if (pid == 0) {
		setsid();
		CHECK_OK("tty.sctty_after_hangup", ioctl(0, TIOCSCTTY, 0));
		pid_t q = fork();
		if (q == 0) {
			setsid();
			CHECK_ERRNO("tty.sctty_taken", ioctl(0, TIOCSCTTY, 0),
				    EPERM);
			CHECK_OK("tty.sctty_steal_root",
				 ioctl(0, TIOCSCTTY, 1));
			_exit(check_nfail ? 1 : 0);
		}
		int s;
		waitpid(q, &s, 0);
		CHECK("tty.stealer_ok", WIFEXITED(s) && !WEXITSTATUS(s),
		      "status %#x", s);
		CHECK_ERRNO("tty.stolen_from", tcgetpgrp(0), ENOTTY);
		_exit(check_nfail ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK("tty.steal_checks", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
}

int main(void)
{
	struct termios t, t2;
	CHECK("tty.tcgetattr", tcgetattr(0, &t) == 0, "errno %d", errno);
	CHECK("tty.default_canonical_echo",
	      (t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO) &&
		  (t.c_oflag & ONLCR),
	      "lflag %#x oflag %#x", t.c_lflag, t.c_oflag);
	CHECK("tty.default_vmin_veof", t.c_cc[VMIN] == 1 && t.c_cc[VEOF] == 4,
	      "VMIN %d VEOF %d", t.c_cc[VMIN], t.c_cc[VEOF]);
	t2 = t;
	cfmakeraw(&t2);
	CHECK("tty.tcsetattr_raw", tcsetattr(0, TCSANOW, &t2) == 0, "errno %d",
	      errno);
	struct termios t3;
	tcgetattr(0, &t3);
	CHECK("tty.raw_took_effect", !(t3.c_lflag & (ICANON | ECHO)),
	      "lflag %#x", t3.c_lflag);
	tcsetattr(0, TCSANOW, &t);
	struct winsize ws;
	CHECK("tty.winsize", ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0,
	      "errno %d", errno);
	CHECK("tty.isatty", isatty(0) && isatty(2), "isatty false");

	struct pollfd p = {.fd = 0, .events = POLLIN};
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int r = poll(&p, 1, 50);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("poll.tty_timeout", r == 0 && elapsed_ms(&a, &b) >= 50,
	      "returned %d after %ld ms", r, elapsed_ms(&a, &b));
	p.events = POLLOUT;
	CHECK("poll.tty_writable", poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
	      "revents %#x", p.revents);
	int fd = open("/dev/null", O_RDWR);
	struct pollfd q[2] = {{.fd = fd, .events = POLLIN | POLLOUT},
			      {.fd = 999, .events = POLLIN}};
	r = poll(q, 2, 1000);
	CHECK("poll.file_ready_and_nval",
	      r == 2 &&
		  (q[0].revents & (POLLIN | POLLOUT)) == (POLLIN | POLLOUT) &&
		  q[1].revents == POLLNVAL,
	      "r=%d revents %#x %#x", r, q[0].revents, q[1].revents);
	struct pollfd neg = {.fd = -1, .events = POLLIN};
	CHECK("poll.negative_fd_ignored",
	      poll(&neg, 1, 0) == 0 && neg.revents == 0, "revents %#x",
	      neg.revents);
	CHECK_ERRNO("poll.efault", poll((struct pollfd *)1, 1, 0), EFAULT);
	struct timespec ts = {0, 20 * 1000 * 1000};
	p.fd = 0;
	p.events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = ppoll(&p, 1, &ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("ppoll.timeout", r == 0 && elapsed_ms(&a, &b) >= 20,
	      "returned %d after %ld ms", r, elapsed_ms(&a, &b));
	close(fd);

	/* select: timeout on the idle terminal, ready pipe, bad fd. */
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(0, &rs);
	struct timeval tv = {0, 30000};
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = select(1, &rs, NULL, NULL, &tv);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("select.tty_timeout",
	      r == 0 && !FD_ISSET(0, &rs) && elapsed_ms(&a, &b) >= 30,
	      "returned %d after %ld ms", r, elapsed_ms(&a, &b));
	int pp[2];
	pipe(pp);
	write(pp[1], "x", 1);
	FD_ZERO(&rs);
	FD_SET(pp[0], &rs);
	fd_set wset;
	FD_ZERO(&wset);
	FD_SET(pp[1], &wset);
	r = select(pp[1] + 1, &rs, &wset, NULL, NULL);
	CHECK("select.pipe_ready",
	      r == 2 && FD_ISSET(pp[0], &rs) && FD_ISSET(pp[1], &wset),
	      "returned %d", r);
	close(pp[0]);
	close(pp[1]);
	FD_ZERO(&rs);
	FD_SET(pp[0], &rs);
	tv.tv_usec = 0;
	CHECK_ERRNO("select.ebadf", select(pp[0] + 1, &rs, NULL, NULL, &tv),
		    EBADF);

	/* Init is in no session and /dev/console does not make one. */
	struct winsize w0;
	CHECK("tty.winsize_default",
	      ioctl(0, TIOCGWINSZ, &w0) == 0 && w0.ws_row == 24 &&
		  w0.ws_col == 80,
	      "%dx%d", w0.ws_row, w0.ws_col);
	CHECK_ERRNO("tty.init_no_ctty_dev_tty", open("/dev/tty", O_RDWR),
		    ENXIO);
	CHECK_ERRNO("tty.init_no_ctty_gpgrp", tcgetpgrp(0), ENOTTY);
	pid_t sid;
	CHECK_ERRNO("tty.init_no_ctty_gsid", ioctl(0, TIOCGSID, &sid), ENOTTY);
	CHECK_ERRNO("tty.init_no_ctty_notty", ioctl(0, TIOCNOTTY), ENOTTY);
	int nr = -2, tpgid = -2;
	CHECK("tty.init_proc_stat_no_tty",
	      stat_tty(&nr, &tpgid) == 0 && nr == 0 && tpgid == -1,
	      "tty_nr %d tpgid %d", nr, tpgid);
	CHECK_ERRNO("tty.sctty_not_leader_init", ioctl(0, TIOCSCTTY, 0), EPERM);
	session_checks();
	return check_summary("sys_tty");
}
