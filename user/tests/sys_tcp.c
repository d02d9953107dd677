/* TCP over loopback (127.0.0.1): a large echo with a checksum between two
 * processes, 200 concurrent connections, half-close, refused and
 * non-blocking connects, accept4 flags, backlog, resets, SIGPIPE, MSG_PEEK,
 * names, address reuse, options and privileged ports. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	return a;
}

/* A listener on 127.0.0.1 at an ephemeral port; *port gets it. */
static int listener(int backlog, int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(0);
	socklen_t l = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(port);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return got ? (int)got : (int)r;
		got += r;
	}
	return (int)got;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void test_echo(size_t total)
{
	int port, lfd = listener(1, &port);
	pid_t pid = fork();
	if (pid == 0) {
		int c = accept(lfd, NULL, NULL);
		static char buf[65536];
		ssize_t r;
		while ((r = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, r) != r)
				_exit(2);
		_exit(r == 0 ? 0 : 1);
	}
	close(lfd);
	int fd = connect_to(port);
	CHECK("echo.connect", fd >= 0, "connect: %s", errname(errno));
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	static unsigned char out[65536], in[65536];
	uint64_t hs = 0xcbf29ce484222325ull, hr = hs, seed = 12345;
	size_t sent = 0, recvd = 0, off = 0, avail = 0;
	double t0 = now();
	bool err = false;
	while (recvd < total && !err && now() - t0 < 300) {
		struct pollfd p = {
		    .fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};
		if (poll(&p, 1, 10000) <= 0) {
			err = true;
			break;
		}
		if ((p.revents & POLLOUT) && sent < total) {
			if (off == avail) {
				avail = total - sent < sizeof(out)
					    ? total - sent
					    : sizeof(out);
				for (size_t i = 0; i < avail; i++) {
					seed =
					    seed * 6364136223846793005ull + 1;
					out[i] = seed >> 56;
				}
				off = 0;
			}
			ssize_t w = write(fd, out + off, avail - off);
			if (w > 0) {
				hs = fnv(hs, out + off, w);
				off += w;
				sent += w;
				if (sent == total)
					shutdown(fd, SHUT_WR);
			} else if (errno != EAGAIN)
				err = true;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(fd, in, sizeof(in));
			if (r > 0) {
				hr = fnv(hr, in, r);
				recvd += r;
			} else if (r == 0 || errno != EAGAIN)
				err = true;
		}
	}
	double dt = now() - t0;
	CHECK("echo.checksum", !err && recvd == total && hs == hr,
	      "sent %zu recvd %zu err %d hash %s", sent, recvd, err,
	      hs == hr ? "same" : "differs");
	char msg[128];
	int n = snprintf(msg, sizeof(msg),
			 "INFO echo %zu MiB in %.2f s: %.2f MiB/s each way\n",
			 total >> 20, dt, (total / 1048576.0) / dt);
	if (write(1, msg, n) < 0)
		return;
	char c;
	fcntl(fd, F_SETFL, 0);
	CHECK("echo.eof", read(fd, &c, 1) == 0, "no EOF");
	close(fd);
	int st;
	waitpid(pid, &st, 0);
	CHECK("echo.server", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
}

#define NCONN 200
static void test_many(void)
{
	int port, lfd = listener(NCONN, &port);
	struct rlimit rl = {1024, 1024};
	setrlimit(RLIMIT_NOFILE, &rl);
	pid_t pid = fork();
	if (pid == 0) {
		/* A poll-based echo server for NCONN clients. */
		static struct pollfd p[NCONN + 1];
		int n = 1, done = 0;
		p[0].fd = lfd;
		p[0].events = POLLIN;
		while (done < NCONN) {
			if (poll(p, n, 20000) <= 0)
				_exit(1);
			if ((p[0].revents & POLLIN) && n <= NCONN) {
				int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (c >= 0) {
					p[n].fd = c;
					p[n++].events = POLLIN;
				}
			}
			for (int i = 1; i < n; i++) {
				char b[64];
				if (p[i].fd < 0 || !p[i].revents)
					continue;
				ssize_t r = read(p[i].fd, b, sizeof(b));
				if (r > 0 && write(p[i].fd, b, r) != r)
					_exit(2);
				if (r == 0) {
					close(p[i].fd);
					p[i].fd = -1;
					done++;
				}
			}
		}
		_exit(0);
	}
	close(lfd);
	static int fds[NCONN];
	int ok = 0, conn = 0;
	for (int i = 0; i < NCONN; i++) {
		fds[i] = connect_to(port);
		conn += fds[i] >= 0;
	}
	CHECK("many.connect", conn == NCONN, "%d of %d connected", conn, NCONN);
	for (int i = 0; i < NCONN; i++) {
		char b[16], r[16];
		snprintf(b, sizeof(b), "conn%05d", i);
		if (fds[i] >= 0 && write(fds[i], b, 10) == 10)
			ok +=
			    read_full(fds[i], r, 10) == 10 && !memcmp(b, r, 10);
	}
	CHECK("many.echo", ok == NCONN, "%d of %d echoed", ok, NCONN);
	for (int i = 0; i < NCONN; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	int st;
	waitpid(pid, &st, 0);
	CHECK("many.server", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
}

/* A connected pair over loopback: *a the client, *b the accepted. */
static int pair(int *a, int *b)
{
	int port, lfd = listener(4, &port);
	if (lfd < 0)
		return -1;
	*a = connect_to(port);
	*b = accept(lfd, NULL, NULL);
	close(lfd);
	return *a >= 0 && *b >= 0 ? 0 : -1;
}

static void test_halfclose(void)
{
	int a, b;
	char buf[32];
	if (pair(&a, &b) < 0) {
		CHECK("halfclose.pair", 0, "%s", errname(errno));
		return;
	}
	write(a, "ping", 4);
	shutdown(a, SHUT_WR);
	int n = read_full(b, buf, sizeof(buf));
	CHECK("halfclose.eof_after_data", n == 4 && !memcmp(buf, "ping", 4),
	      "read %d", n);
	CHECK("halfclose.write_back", write(b, "pong", 4) == 4, "%s",
	      errname(errno));
	n = read(a, buf, sizeof(buf));
	CHECK("halfclose.read_back", n == 4 && !memcmp(buf, "pong", 4),
	      "read %d", n);
	errno = 0;
	signal(SIGPIPE, SIG_IGN);
	CHECK("shutdown.write_epipe", write(a, "x", 1) < 0 && errno == EPIPE,
	      "errno %s", errname(errno));
	close(b);
	CHECK("halfclose.final_eof", read(a, buf, sizeof(buf)) == 0, "no EOF");
	close(a);

	if (pair(&a, &b) < 0)
		return;
	shutdown(b, SHUT_RD);
	CHECK("shutdown.rd_eof", read(b, buf, sizeof(buf)) == 0, "not EOF");
	struct pollfd p = {.fd = b, .events = POLLIN | POLLRDHUP};
	poll(&p, 1, 0);
	CHECK("shutdown.rd_poll", p.revents & POLLIN, "revents %#x", p.revents);
	close(a);
	p.fd = b;
	p.events = POLLIN | POLLRDHUP;
	poll(&p, 1, 2000);
	CHECK("poll.rdhup", p.revents & POLLRDHUP, "revents %#x", p.revents);
	close(b);
}

static void test_refused(void)
{
	int port, lfd = listener(1, &port);
	close(lfd); /* now nobody listens there */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(port);
	errno = 0;
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	CHECK("refused.econnrefused", r < 0 && errno == ECONNREFUSED,
	      "connect %d %s", r, errname(errno));
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	poll(&p, 1, 2000);
	int soe = -1;
	socklen_t l = sizeof(soe);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soe, &l);
	CHECK("nonblock.refused_so_error",
	      (r < 0 && e == EINPROGRESS && soe == ECONNREFUSED) ||
		  (r < 0 && e == ECONNREFUSED),
	      "connect %d %s, SO_ERROR %s", r, errname(e), errname(soe));
	close(fd);
}

static void test_nonblock(void)
{
	int port, lfd = listener(4, &port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = lo(port);
	errno = 0;
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	CHECK("nonblock.einprogress", r < 0 && errno == EINPROGRESS,
	      "connect %d %s", r, errname(errno));
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int pr = poll(&p, 1, 5000);
	CHECK("nonblock.pollout", pr == 1 && (p.revents & POLLOUT),
	      "poll %d revents %#x", pr, p.revents);
	int soe = -1;
	socklen_t l = sizeof(soe);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soe, &l);
	CHECK("nonblock.so_error_0", soe == 0, "SO_ERROR %s", errname(soe));
	errno = 0;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	CHECK("nonblock.eisconn", r < 0 && errno == EISCONN, "%d %s", r,
	      errname(errno));
	char c;
	errno = 0;
	CHECK("nonblock.read_eagain", read(fd, &c, 1) < 0 && errno == EAGAIN,
	      "%s", errname(errno));

	int c1 = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK("accept4.flags",
	      c1 >= 0 && (fcntl(c1, F_GETFL) & O_NONBLOCK) &&
		  (fcntl(c1, F_GETFD) & FD_CLOEXEC),
	      "fd %d fl %#x fd %#x", c1, fcntl(c1, F_GETFL),
	      fcntl(c1, F_GETFD));
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	errno = 0;
	int c2 = accept4(lfd, NULL, NULL, 0);
	CHECK("accept4.eagain", c2 < 0 && errno == EAGAIN, "%d %s", c2,
	      errname(errno));

	/* getsockname / getpeername agree across the pair. */
	struct sockaddr_in sa, pa, sb, pb;
	socklen_t l1 = sizeof(sa), l2 = sizeof(pa), l3 = sizeof(sb),
		  l4 = sizeof(pb);
	getsockname(fd, (struct sockaddr *)&sa, &l1);
	getpeername(fd, (struct sockaddr *)&pa, &l2);
	getsockname(c1, (struct sockaddr *)&sb, &l3);
	getpeername(c1, (struct sockaddr *)&pb, &l4);
	CHECK("names.match",
	      l1 == sizeof(sa) && sa.sin_port == pb.sin_port &&
		  pa.sin_port == htons(port) && sb.sin_port == htons(port) &&
		  sa.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		  ntohs(sa.sin_port) >= 32768 && ntohs(sa.sin_port) <= 60999,
	      "local %d peer %d / %d %d", ntohs(sa.sin_port),
	      ntohs(pa.sin_port), ntohs(sb.sin_port), ntohs(pb.sin_port));
	int u = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	CHECK("names.peer_enotconn",
	      getpeername(u, (struct sockaddr *)&pa, &l2) < 0 &&
		  errno == ENOTCONN,
	      "%s", errname(errno));
	close(u);

	/* MSG_PEEK leaves the data; FIONREAD counts it. */
	write(fd, "hello", 5);
	char buf[8] = {0};
	p.fd = c1;
	p.events = POLLIN;
	poll(&p, 1, 2000);
	int nr = -1;
	ioctl(c1, FIONREAD, &nr);
	CHECK("fionread", nr == 5, "FIONREAD %d", nr);
	int n1 = recv(c1, buf, 3, MSG_PEEK);
	int n2 = recv(c1, buf + 3, 5, 0);
	CHECK("msg_peek", n1 == 3 && n2 == 5 && !memcmp(buf, "helhello", 8),
	      "peek %d read %d", n1, n2);

	int one = 1, v = -1;
	socklen_t vl = sizeof(v);
	getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
	CHECK("nodelay.default_off", v == 0, "got %d", v);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
	CHECK("nodelay.set", v == 1, "got %d", v);
	struct tcp_info ti;
	socklen_t til = sizeof(ti);
	CHECK("tcp_info.established",
	      getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &til) == 0 &&
		  ti.tcpi_state == 1,
	      "state %d", ti.tcpi_state);
	int ttl = 5, got = 0;
	socklen_t gl = sizeof(got);
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	getsockopt(fd, IPPROTO_IP, IP_TTL, &got, &gl);
	CHECK("ip_ttl", got == 5, "got %d", got);
	int idle = 30;
	errno = 0;
	CHECK("keepidle",
	      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ==
		      0 &&
		  getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &got, &gl) == 0 &&
		  got == 30,
	      "got %d %s", got, errname(errno));
	/* SIOCOUTQ: data the peer has not acknowledged; none once it has. */
	int outq = -1;
	usleep(100000);
	ioctl(fd, TIOCOUTQ, &outq);
	CHECK("siocoutq", outq == 0, "SIOCOUTQ %d", outq);
	close(fd);
	close(c1);

	/* TCP_MAXSEG before connect bounds the segment size. */
	int mss = 1000;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
	fcntl(lfd, F_SETFL, 0);
	connect(fd, (struct sockaddr *)&a, sizeof(a));
	c1 = accept(lfd, NULL, NULL);
	got = 0;
	getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &got, &gl);
	CHECK("maxseg", got > 0 && got <= 1000, "TCP_MAXSEG %d", got);
	close(fd);
	close(c1);
	close(lfd);
}

static volatile int npipe;
static void on_pipe(int s)
{
	(void)s;
	npipe++;
}

static void test_reset(void)
{
	int a, b;
	if (pair(&a, &b) < 0)
		return;
	struct linger lg = {1, 0};
	setsockopt(b, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(b); /* abortive: RST */
	usleep(100000);
	char c;
	errno = 0;
	int r = read(a, &c, 1);
	CHECK("reset.read_econnreset", r < 0 && errno == ECONNRESET,
	      "read %d %s", r, errname(errno));
	signal(SIGPIPE, on_pipe);
	errno = 0;
	r = write(a, "x", 1);
	CHECK("reset.write_epipe_sigpipe",
	      r < 0 && errno == EPIPE && npipe == 1, "write %d %s, %d SIGPIPE",
	      r, errname(errno), npipe);
	signal(SIGPIPE, SIG_DFL);
	close(a);

	/* close() with unread data resets the peer. */
	if (pair(&a, &b) < 0)
		return;
	write(a, "unread", 6);
	usleep(50000);
	close(b);
	usleep(100000);
	errno = 0;
	r = read(a, &c, 1);
	CHECK("reset.close_unread", r < 0 && errno == ECONNRESET, "read %d %s",
	      r, errname(errno));
	close(a);
}

static void test_backlog(void)
{
	int port, lfd = listener(1, &port);
	int c[6], ok = 0;
	for (int i = 0; i < 6; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = lo(port);
		connect(c[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(300000);
	int queued = 0;
	/* Only backlog+1 finish while nobody accepts. */
	for (int i = 0; i < 6; i++) {
		int fl = fcntl(lfd, F_GETFL);
		(void)fl;
	}
	int acc[6], na = 0;
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	while (na < 6 && (acc[na] = accept(lfd, NULL, NULL)) >= 0)
		na++;
	queued = na;
	CHECK("backlog.bounded", queued >= 1 && queued <= 2,
	      "%d accepted at once with backlog 1", queued);
	/* The rest get in by retransmitting their SYNs. */
	double t0 = now();
	while (na < 6 && now() - t0 < 20) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		poll(&p, 1, 1000);
		int f = accept(lfd, NULL, NULL);
		if (f >= 0)
			acc[na++] = f;
	}
	CHECK("backlog.all_later", na == 6, "%d of 6 accepted", na);
	for (int i = 0; i < 6; i++) {
		struct pollfd p = {.fd = c[i], .events = POLLOUT};
		ok += poll(&p, 1, 1000) == 1;
		close(c[i]);
	}
	for (int i = 0; i < na; i++)
		close(acc[i]);
	close(lfd);
}

static void test_reuse(void)
{
	int port, lfd = listener(2, &port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(port);
	errno = 0;
	CHECK("bind.eaddrinuse",
	      bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
		  errno == EADDRINUSE,
	      "%s", errname(errno));
	close(fd);
	/* A connection the server closes first leaves TIME-WAIT on port. */
	int c = connect_to(port), s = accept(lfd, NULL, NULL);
	close(lfd);
	close(s);
	char ch;
	read(c, &ch, 1);
	close(c);
	usleep(100000);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	CHECK("bind.timewait_inuse",
	      bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
		  errno == EADDRINUSE,
	      "%s", errname(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	CHECK("bind.reuseaddr",
	      bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		  listen(fd, 1) == 0,
	      "%s", errname(errno));
	close(fd);
}

static void test_privport(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(3);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = lo(80);
		errno = 0;
		int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
		_exit(r < 0 && errno == EACCES ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("bind.eacces_port80_nonroot", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(80);
	CHECK("bind.port80_root",
	      bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "%s",
	      errname(errno));
	close(fd);
}

static double secs_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* SO_LINGER with a time: close waits for the peer to acknowledge our FIN,
 * at most that long. */
static void test_linger(void)
{
	int a, b;
	struct timespec t0;
	if (pair(&a, &b) < 0)
		return;
	/* b never reads: fill its window and a's send buffer, so the FIN
	 * cannot be acknowledged; close waits out the one second. */
	fcntl(a, F_SETFL, O_NONBLOCK);
	static char junk[65536];
	long sent = 0, w;
	for (int idle = 0; idle < 2;) {
		bool any = false;
		while ((w = write(a, junk, sizeof(junk))) > 0) {
			sent += w;
			any = true;
		}
		idle = any ? 0 : idle + 1;
		usleep(50000); /* the stack moves what it can to b */
	}
	struct linger lg = {1, 1};
	setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(a);
	double el = secs_since(&t0);
	CHECK("linger.waits_for_ack", el >= 0.9,
	      "close took %.2f s (%ld queued)", el, sent);
	close(b);

	/* The peer's kernel acknowledges at once: close returns long
	 * before the thirty seconds, and the data and the end arrive. */
	if (pair(&a, &b) < 0)
		return;
	lg.l_linger = 30;
	setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	write(a, "bye", 3);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(a);
	el = secs_since(&t0);
	char buf[8];
	int n = read_full(b, buf, sizeof(buf));
	CHECK("linger.acked_returns",
	      el < 10 && n == 3 && !memcmp(buf, "bye", 3),
	      "close took %.2f s, read %d", el, n);
	close(b);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 100;
	test_refused();
	test_nonblock();
	test_halfclose();
	test_reset();
	test_linger();
	test_reuse();
	test_privport();
	test_backlog();
	test_many();
	test_echo(mib << 20);
	return check_summary("sys_tcp");
}
