/* The console as a terminal and poll(2): termios defaults and changes,
 * window size, poll timeouts on a terminal with no input, always-ready
 * files, and POLLNVAL for a closed descriptor. */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
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
	return check_summary("sys_tty");
}
