/* AF_UNIX sockets as Linux has them: stream, datagram and seqpacket
 * pairs, names in the file system and abstract ones, listen/connect/
 * accept, shutdown, SIGPIPE, timeouts, SCM_RIGHTS and SCM_CREDENTIALS,
 * SO_PEERCRED, poll, and hostile cases (a socket sent over itself). Also
 * runs on Linux (built with musl-gcc or gcc) for comparison. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include "check.h"

#define DIR "/tmp/sys_unix"
#define USER 1000
#define MIN_SIZE(a, b) ((a) < (b) ? (a) : (b))

static volatile int sigpipes;
static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path, path, sizeof(a->sun_path) - 1);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A simple checksum that notices reordering. */
static uint32_t sum_update(uint32_t s, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

static void t_stream_echo(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		CHECK("stream.echo", 0, "socketpair: %s", errname(errno));
		return;
	}
	const size_t total = 10 << 20;
	pid_t pid = fork();
	if (pid == 0) {
		/* The child echoes everything back. */
		close(sv[0]);
		static char buf[65536];
		for (;;) {
			ssize_t n = read(sv[1], buf, sizeof(buf));
			if (n <= 0)
				_exit(n == 0 ? 0 : 1);
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(sv[1], buf + off, n - off);
				if (w <= 0)
					_exit(2);
				off += w;
			}
		}
	}
	close(sv[1]);
	/* Writer and reader in one process: non-blocking writes with poll,
	 * so neither side's buffer fills up for good. */
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	static unsigned char out[32768], in[65536];
	uint32_t sent_sum = 7, got_sum = 7;
	size_t sent = 0, got = 0;
	unsigned seed = 12345;
	size_t pending = 0, pend_off = 0;
	int ok = 1;
	while (got < total && ok) {
		struct pollfd p = {sv[0], POLLIN | (sent < total ? POLLOUT : 0),
				   0};
		if (poll(&p, 1, 10000) <= 0) {
			ok = 0;
			break;
		}
		if ((p.revents & POLLOUT) && sent < total) {
			if (pend_off == pending) {
				pending = MIN_SIZE(sizeof(out), total - sent);
				for (size_t i = 0; i < pending; i++) {
					seed = seed * 1103515245 + 12345;
					out[i] = seed >> 16;
				}
				pend_off = 0;
			}
			ssize_t w =
			    write(sv[0], out + pend_off, pending - pend_off);
			if (w > 0) {
				sent_sum =
				    sum_update(sent_sum, out + pend_off, w);
				pend_off += w;
				sent += w;
			} else if (errno != EAGAIN) {
				ok = 0;
			}
		}
		if (p.revents & POLLIN) {
			ssize_t r = read(sv[0], in, sizeof(in));
			if (r > 0) {
				got_sum = sum_update(got_sum, in, r);
				got += r;
			} else if (r == 0 || errno != EAGAIN) {
				ok = 0;
			}
		}
	}
	shutdown(sv[0], SHUT_WR);
	int st;
	waitpid(pid, &st, 0);
	close(sv[0]);
	CHECK("stream.echo_10MiB",
	      ok && got == total && got_sum == sent_sum && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0,
	      "ok %d sent %zu got %zu sums %x/%x child %x", ok, sent, got,
	      sent_sum, got_sum, st);
}

static void t_dgram(void)
{
	int sv[2];
	CHECK_OK("dgram.socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	send(sv[0], "one", 3, 0);
	send(sv[0], "twotwo", 6, 0);
	send(sv[0], "", 0, 0);
	char buf[64];
	ssize_t a = recv(sv[1], buf, sizeof(buf), 0);
	ssize_t b = recv(sv[1], buf, sizeof(buf), 0);
	ssize_t c = recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);
	CHECK("dgram.boundaries", a == 3 && b == 6 && c == 0, "got %zd %zd %zd",
	      a, b, c);
	/* A datagram longer than the buffer is cut: MSG_TRUNC says so. */
	send(sv[0], "0123456789", 10, 0);
	struct iovec iov = {buf, 4};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t r = recvmsg(sv[1], &mh, 0);
	CHECK("dgram.msg_trunc",
	      r == 4 && (mh.msg_flags & MSG_TRUNC) && !memcmp(buf, "0123", 4),
	      "got %zd flags %x", r, mh.msg_flags);
	send(sv[0], "0123456789", 10, 0);
	r = recv(sv[1], buf, 4, MSG_TRUNC);
	CHECK("dgram.msg_trunc_flag_len", r == 10, "got %zd", r);
	/* The rest of a cut datagram is gone. */
	CHECK_ERRNO("dgram.rest_dropped", recv(sv[1], buf, 4, MSG_DONTWAIT),
		    EAGAIN);
	/* Peek leaves it. */
	send(sv[0], "peek", 4, 0);
	ssize_t p1 = recv(sv[1], buf, sizeof(buf), MSG_PEEK);
	ssize_t p2 = recv(sv[1], buf, sizeof(buf), 0);
	CHECK("dgram.peek", p1 == 4 && p2 == 4, "got %zd %zd", p1, p2);
	/* read/write keep a datagram whole, even past a page. */
	static char d6k[6000], r8k[8192];
	memset(d6k, 'd', sizeof(d6k));
	ssize_t w6 = write(sv[0], d6k, sizeof(d6k));
	ssize_t r6 = read(sv[1], r8k, sizeof(r8k));
	CHECK("dgram.read_write_6000", w6 == 6000 && r6 == 6000,
	      "wrote %zd read %zd", w6, r6);
	/* Too big for the send buffer. */
	static char big[300000];
	CHECK_ERRNO("dgram.emsgsize", send(sv[0], big, sizeof(big), 0),
		    EMSGSIZE);
	/* Non-blocking: a full receiver makes the sender wait or fail. */
	int n = 0;
	while (n < 1000 && send(sv[0], "x", 1, MSG_DONTWAIT) == 1)
		n++;
	CHECK("dgram.queue_limit_eagain", n < 1000 && errno == EAGAIN,
	      "sent %d, errno %s", n, errname(errno));
	close(sv[0]);
	close(sv[1]);
}

/* As syslogd reads /dev/log: a bound datagram socket that never connects
 * waits in read(2) for the first datagram sent to its name. */
static void t_dgram_unconnected(void)
{
	struct sockaddr_un a;
	socklen_t alen = path_addr(&a, "/tmp/unix-dgram-log");
	unlink(a.sun_path);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("dgram_unconnected.bind",
		 bind(s, (struct sockaddr *)&a, alen));
	char buf[256];
	CHECK_ERRNO("dgram_unconnected.empty_eagain",
		    recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	pid_t pid = fork();
	if (pid == 0) {
		/* The parent is (very likely) asleep in read by now; the
		 * check holds either way. */
		usleep(100 * 1000);
		int c = socket(AF_UNIX, SOCK_DGRAM, 0);
		_exit(sendto(c, "<13>hello", 9, 0, (struct sockaddr *)&a,
			     alen) == 9
			  ? 0
			  : 1);
	}
	ssize_t n = read(s, buf, sizeof(buf) - 1);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("dgram_unconnected.read_waits",
	      n == 9 && memcmp(buf, "<13>hello", 9) == 0 && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0,
	      "read %zd (%s), sender status %#x", n,
	      n < 0 ? errname(errno) : "", st);
	close(s);
	unlink(a.sun_path);
}

static void t_seqpacket(void)
{
	int sv[2];
	CHECK_OK("seqpacket.socketpair",
		 socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	write(sv[0], "abc", 3);
	write(sv[0], "defgh", 5);
	char buf[64];
	ssize_t a = read(sv[1], buf, sizeof(buf));
	ssize_t b = read(sv[1], buf, 2);
	CHECK("seqpacket.boundaries", a == 3 && b == 2, "got %zd %zd", a, b);
	close(sv[0]);
	ssize_t e = read(sv[1], buf, sizeof(buf));
	CHECK("seqpacket.eof", e == 0, "got %zd %s", e, errname(errno));
	close(sv[1]);
	/* Records over a listening socket too. */
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, "\0limen-seq", 10);
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 10;
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	int lr = bind(l, (struct sockaddr *)&sa, len);
	lr = lr ? lr : listen(l, 2);
	int acc = -1;
	socklen_t al = sizeof(acc);
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	int cr = connect(c, (struct sockaddr *)&sa, len);
	int s = accept(l, NULL, NULL);
	send(c, "rec1", 4, 0);
	send(c, "record2", 7, 0);
	ssize_t r1 = recv(s, buf, sizeof(buf), 0);
	ssize_t r2 = recv(s, buf, sizeof(buf), 0);
	CHECK("seqpacket.listen_connect_accept",
	      lr == 0 && acc == 1 && cr == 0 && s >= 0 && r1 == 4 && r2 == 7,
	      "bind/listen %d acceptconn %d connect %d accept %d recv %zd %zd",
	      lr, acc, cr, s, r1, r2);
	close(s);
	close(c);
	close(l);
}

static int listener(const struct sockaddr_un *a, socklen_t len, int type)
{
	int s = socket(AF_UNIX, type, 0);
	if (s < 0)
		return -1;
	if (bind(s, (const struct sockaddr *)a, len) || listen(s, 4)) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static void t_path(void)
{
	struct sockaddr_un a, got;
	socklen_t len = path_addr(&a, DIR "/srv");
	unlink(DIR "/srv");
	mode_t old = umask(022);
	int l = listener(&a, len, SOCK_STREAM);
	umask(old);
	CHECK("path.bind_listen", l >= 0, "%s", errname(errno));
	struct stat st;
	int sr = stat(DIR "/srv", &st);
	CHECK("path.node_is_socket",
	      sr == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0755,
	      "stat %d mode %o", sr, st.st_mode);
	CHECK_ERRNO("path.open_enxio", open(DIR "/srv", O_RDWR), ENXIO);
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERRNO("path.eaddrinuse", bind(s2, (struct sockaddr *)&a, len),
		    EADDRINUSE);
	close(s2);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("path.connect", connect(c, (struct sockaddr *)&a, len));
	socklen_t gl = sizeof(got);
	int s = accept(l, (struct sockaddr *)&got, &gl);
	CHECK("path.accept", s >= 0, "%s", errname(errno));
	/* An unbound client: only the family. */
	CHECK("path.accept_addr_len",
	      gl == offsetof(struct sockaddr_un, sun_path), "len %u", gl);
	gl = sizeof(got);
	getsockname(l, (struct sockaddr *)&got, &gl);
	CHECK("path.getsockname_len",
	      gl == len && !strcmp(got.sun_path, DIR "/srv"), "len %u vs %u",
	      gl, len);
	gl = sizeof(got);
	int pr = getpeername(c, (struct sockaddr *)&got, &gl);
	CHECK("path.getpeername",
	      pr == 0 && gl == len && !strcmp(got.sun_path, DIR "/srv"),
	      "r %d len %u", pr, gl);
	gl = sizeof(got);
	getsockname(s, (struct sockaddr *)&got, &gl);
	CHECK("path.accepted_name_is_listener", gl == len, "len %u", gl);
	/* Short room: truncated, full length reported. */
	gl = 4;
	memset(&got, 0, sizeof(got));
	getsockname(l, (struct sockaddr *)&got, &gl);
	CHECK("path.getsockname_short", gl == len && got.sun_path[2] == 0,
	      "len %u", gl);
	write(c, "hello", 5);
	char buf[16] = {0};
	ssize_t n = read(s, buf, sizeof(buf));
	CHECK("path.data", n == 5 && !memcmp(buf, "hello", 5), "got %zd", n);
	close(s);
	close(c);
	close(l);
	/* The name outlives the socket: connecting is refused. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERRNO("path.econnrefused_closed",
		    connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);
	struct sockaddr_un nx;
	socklen_t nl = path_addr(&nx, DIR "/nonexistent");
	CHECK_ERRNO("path.enoent", connect(c, (struct sockaddr *)&nx, nl),
		    ENOENT);
	/* A bound socket that does not listen. */
	struct sockaddr_un b;
	socklen_t bl = path_addr(&b, DIR "/nolisten");
	unlink(DIR "/nolisten");
	int nb = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(nb, (struct sockaddr *)&b, bl);
	CHECK_ERRNO("path.econnrefused_not_listening",
		    connect(c, (struct sockaddr *)&b, bl), ECONNREFUSED);
	/* Wrong type. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERRNO("path.eprototype", connect(d, (struct sockaddr *)&b, bl),
		    EPROTOTYPE);
	close(d);
	close(nb);
	close(c);
	/* Bad addresses. */
	int e = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un bad = {.sun_family = AF_INET};
	CHECK_ERRNO("path.bind_wrong_family",
		    bind(e, (struct sockaddr *)&bad, sizeof(bad)), EINVAL);
	CHECK_ERRNO("path.bind_short", bind(e, (struct sockaddr *)&a, 1),
		    EINVAL);
	CHECK_ERRNO("path.bind_efault", bind(e, (struct sockaddr *)8, len),
		    EFAULT);
	CHECK_ERRNO("path.listen_unbound", listen(e, 1), EINVAL);
	CHECK_ERRNO("path.accept_not_listening", accept(e, NULL, NULL), EINVAL);
	close(e);
}

static void t_eacces(void)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, DIR "/private");
	unlink(DIR "/private");
	mode_t old = umask(022);
	int l = listener(&a, len, SOCK_STREAM);
	umask(old);
	if (getuid() != 0) {
		CHECK("path.eacces", 1, "-");
		close(l);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(USER) || setuid(USER))
			_exit(3);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		int r = connect(c, (struct sockaddr *)&a, len);
		_exit(r == -1 && errno == EACCES ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("path.eacces", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %x", st);
	close(l);
}

static void t_abstract(void)
{
	struct sockaddr_un a, got;
	socklen_t len = abstract_addr(&a, "limen-test");
	int l = listener(&a, len, SOCK_STREAM);
	CHECK("abstract.bind", l >= 0, "%s", errname(errno));
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERRNO("abstract.eaddrinuse", bind(l2, (struct sockaddr *)&a, len),
		    EADDRINUSE);
	close(l2);
	socklen_t gl = sizeof(got);
	getsockname(l, (struct sockaddr *)&got, &gl);
	CHECK("abstract.getsockname_exact", gl == len && !memcmp(&got, &a, len),
	      "len %u vs %u", gl, len);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("abstract.connect", connect(c, (struct sockaddr *)&a, len));
	int s = accept(l, NULL, NULL);
	write(s, "x", 1);
	char ch = 0;
	CHECK("abstract.data", read(c, &ch, 1) == 1 && ch == 'x', "-");
	close(s);
	close(c);
	close(l);
	/* Gone with its socket. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERRNO("abstract.gone", connect(c, (struct sockaddr *)&a, len),
		    ECONNREFUSED);
	/* Autobind: an empty address gets a five-hex-digit abstract name. */
	struct sockaddr_un e = {.sun_family = AF_UNIX};
	int r = bind(c, (struct sockaddr *)&e, sizeof(sa_family_t));
	gl = sizeof(got);
	getsockname(c, (struct sockaddr *)&got, &gl);
	CHECK("abstract.autobind", r == 0 && gl == 8 && got.sun_path[0] == 0,
	      "r %d len %u", r, gl);
	close(c);
}

static void t_backlog(void)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "limen-backlog");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, len);
	listen(l, 1);
	int cs[8], n = 0;
	for (; n < 8; n++) {
		cs[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(cs[n], (struct sockaddr *)&a, len)) {
			close(cs[n]);
			break;
		}
	}
	/* Linux lets backlog + 1 wait. */
	CHECK("backlog.full_eagain", n == 2 && errno == EAGAIN,
	      "connected %d, errno %s", n, errname(errno));
	int s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK("backlog.accept4_flags",
	      s >= 0 && (fcntl(s, F_GETFD) & FD_CLOEXEC) &&
		  (fcntl(s, F_GETFL) & O_NONBLOCK),
	      "s %d", s);
	close(s);
	for (int i = 0; i < n; i++)
		close(cs[i]);
	close(l);
}

static void t_shutdown(void)
{
	int sv[2];
	char buf[8];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "ab", 2);
	shutdown(sv[0], SHUT_WR);
	ssize_t a = read(sv[1], buf, sizeof(buf));
	ssize_t b = read(sv[1], buf, sizeof(buf));
	CHECK("shutdown.wr_then_eof", a == 2 && b == 0, "got %zd %zd", a, b);
	struct pollfd p = {sv[1], POLLIN | POLLRDHUP, 0};
	poll(&p, 1, 0);
	CHECK("shutdown.pollrdhup",
	      (p.revents & POLLRDHUP) && (p.revents & POLLIN) &&
		  !(p.revents & POLLHUP),
	      "revents %x", p.revents);
	signal(SIGPIPE, on_sigpipe);
	sigpipes = 0;
	errno = 0;
	ssize_t w = write(sv[0], "x", 1);
	CHECK("shutdown.epipe_sigpipe",
	      w == -1 && errno == EPIPE && sigpipes == 1,
	      "got %zd %s, %d SIGPIPE", w, errname(errno), sigpipes);
	errno = 0;
	w = send(sv[0], "x", 1, MSG_NOSIGNAL);
	CHECK("shutdown.msg_nosignal",
	      w == -1 && errno == EPIPE && sigpipes == 1,
	      "got %zd %s, %d SIGPIPE", w, errname(errno), sigpipes);
	shutdown(sv[1], SHUT_WR);
	p.fd = sv[0];
	p.events = POLLIN;
	poll(&p, 1, 0);
	CHECK("shutdown.both_pollhup", (p.revents & POLLHUP) != 0, "revents %x",
	      p.revents);
	CHECK_ERRNO("shutdown.einval", shutdown(sv[0], 7), EINVAL);
	int un = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_OK("shutdown.unconnected_ok", shutdown(un, SHUT_RD));
	close(un);
	un = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERRNO("stream.recv_unconnected_einval", recv(un, buf, 1, 0),
		    EINVAL);
	CHECK_ERRNO("stream.send_unconnected_enotconn",
		    send(un, buf, 1, MSG_NOSIGNAL), ENOTCONN);
	struct pollfd up = {un, POLLIN | POLLOUT, 0};
	poll(&up, 1, 0);
	CHECK("stream.poll_unconnected_hup", (up.revents & POLLHUP) != 0,
	      "revents %x", up.revents);
	close(un);
	un = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERRNO("seqpacket.recv_unconnected_enotconn", recv(un, buf, 1, 0),
		    ENOTCONN);
	close(un);
	close(sv[0]);
	close(sv[1]);
	/* The peer closed: EPIPE for its writer, EOF for its reader. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	sigpipes = 0;
	errno = 0;
	w = write(sv[0], "x", 1);
	CHECK("shutdown.peer_closed_epipe",
	      w == -1 && errno == EPIPE && sigpipes == 1, "got %zd %s %d", w,
	      errname(errno), sigpipes);
	CHECK("shutdown.peer_closed_eof", read(sv[0], buf, 1) == 0, "-");
	/* A peer that closes with our data unread: ECONNRESET once, then
	 * EOF. */
	int rs[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, rs);
	write(rs[0], "u", 1);
	close(rs[1]);
	errno = 0;
	ssize_t c1 = recv(rs[0], buf, 1, MSG_DONTWAIT);
	int e1 = errno;
	ssize_t c2 = recv(rs[0], buf, 1, MSG_DONTWAIT);
	CHECK("shutdown.econnreset_then_eof",
	      c1 == -1 && e1 == ECONNRESET && c2 == 0, "got %zd %s, %zd", c1,
	      errname(e1), c2);
	close(rs[0]);
	p.fd = sv[0];
	p.events = POLLIN | POLLOUT;
	poll(&p, 1, 0);
	CHECK("shutdown.peer_closed_pollhup", (p.revents & POLLHUP) != 0,
	      "revents %x", p.revents);
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
}

static void t_nonblock_timeout(void)
{
	int sv[2];
	char buf[8];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	CHECK_ERRNO("nonblock.read_eagain", read(sv[0], buf, 1), EAGAIN);
	static char big[65536];
	size_t total = 0;
	ssize_t w;
	while ((w = write(sv[0], big, sizeof(big))) > 0 && total < (64u << 20))
		total += w;
	CHECK("nonblock.write_fills_eagain",
	      w == -1 && errno == EAGAIN && total >= 65536 &&
		  total < (8u << 20),
	      "wrote %zu, last %zd %s", total, w, errname(errno));
	/* One-byte writes: each message's overhead counts, so their number
	 * (and the memory they pin) stays bounded. */
	int tiny[2], ntiny = 0;
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, tiny);
	while (ntiny < 1000000 && write(tiny[0], "t", 1) == 1)
		ntiny++;
	CHECK("nonblock.tiny_writes_bounded",
	      errno == EAGAIN && ntiny > 10 && ntiny < 10000, "%d writes, %s",
	      ntiny, errname(errno));
	close(tiny[0]);
	close(tiny[1]);
	struct pollfd p = {sv[0], POLLOUT, 0};
	poll(&p, 1, 0);
	CHECK("nonblock.full_not_pollout", !(p.revents & POLLOUT), "revents %x",
	      p.revents);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int fl = 1;
	ioctl(sv[0], FIONBIO, &fl);
	CHECK_ERRNO("nonblock.fionbio", read(sv[0], buf, 1), EAGAIN);
	fl = 0;
	ioctl(sv[0], FIONBIO, &fl);
	CHECK_ERRNO("nonblock.msg_dontwait", recv(sv[0], buf, 1, MSG_DONTWAIT),
		    EAGAIN);
	struct timeval tv = {0, 200000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct timeval tv2;
	socklen_t tl = sizeof(tv2);
	getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl);
	CHECK("timeout.getsockopt",
	      tl == sizeof(tv2) && tv2.tv_sec == 0 && tv2.tv_usec == 200000,
	      "len %u %ld.%06ld", tl, (long)tv2.tv_sec, (long)tv2.tv_usec);
	uint64_t t0 = now_ns();
	errno = 0;
	ssize_t r = read(sv[0], buf, 1);
	uint64_t dt = now_ns() - t0;
	/* At least the timeout; the upper bound only says it ended. */
	CHECK("timeout.so_rcvtimeo",
	      r == -1 && errno == EAGAIN && dt >= 190000000ull,
	      "got %zd %s after %llu ns", r, errname(errno),
	      (unsigned long long)dt);
	write(sv[1], "q", 1);
	int avail = -1;
	ioctl(sv[0], FIONREAD, &avail);
	CHECK("ioctl.fionread", avail == 1, "got %d", avail);
	close(sv[0]);
	close(sv[1]);
}

/* Sends fds with one byte of data. */
static ssize_t send_fds(int s, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	memset(cbuf, 0, sizeof(cbuf));
	struct iovec iov = {"F", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(s, &mh, 0);
}

/* Receives up to max fds; returns how many came, flags in *flags. */
static int recv_fds(int s, int *fds, int max, size_t room, int *flags,
		    int rflags)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	char d;
	struct iovec iov = {&d, 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = room};
	if (recvmsg(s, &mh, rflags) < 0)
		return -1;
	*flags = mh.msg_flags;
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (int i = 0; i < k && n < max; i++)
				memcpy(&fds[n++],
				       CMSG_DATA(c) + i * sizeof(int),
				       sizeof(int));
		}
	}
	return n;
}

static void t_scm_rights(void)
{
	int sv[2], pp[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(pp);
	ssize_t s = send_fds(sv[0], &pp[1], 1);
	close(pp[1]);
	int got[8], fl = 0;
	int n = recv_fds(sv[1], got, 8, CMSG_SPACE(sizeof(int) * 8), &fl, 0);
	int ok = s == 1 && n == 1;
	if (ok) {
		ok = write(got[0], "via", 3) == 3;
		close(got[0]);
		char b[4] = {0};
		ok = ok && read(pp[0], b, 3) == 3 && !memcmp(b, "via", 3);
		/* Every write end closed: EOF. */
		ok = ok && read(pp[0], b, 1) == 0;
	}
	CHECK("scm_rights.pipe", ok, "sent %zd got %d", s, n);
	close(pp[0]);
	/* Several at once, with MSG_CMSG_CLOEXEC. */
	int three[3];
	for (int i = 0; i < 3; i++)
		three[i] = open("/dev/null", O_RDONLY);
	send_fds(sv[0], three, 3);
	n = recv_fds(sv[1], got, 8, CMSG_SPACE(sizeof(int) * 8), &fl,
		     MSG_CMSG_CLOEXEC);
	int cloexec = n == 3;
	for (int i = 0; i < n; i++) {
		cloexec &= (fcntl(got[i], F_GETFD) & FD_CLOEXEC) != 0;
		close(got[i]);
	}
	CHECK("scm_rights.several_cloexec",
	      n == 3 && cloexec && !(fl & MSG_CTRUNC), "got %d flags %x", n,
	      fl);
	/* A short control buffer: MSG_CTRUNC, the rest closed. */
	send_fds(sv[0], three, 3);
	n = recv_fds(sv[1], got, 8, CMSG_SPACE(sizeof(int) * 1), &fl, 0);
	CHECK("scm_rights.ctrunc", (fl & MSG_CTRUNC) && n >= 1 && n < 3,
	      "got %d flags %x", n, fl);
	for (int i = 0; i < n; i++)
		close(got[i]);
	/* No control buffer at all. */
	send_fds(sv[0], three, 3);
	n = recv_fds(sv[1], got, 8, 0, &fl, 0);
	CHECK("scm_rights.no_buffer_ctrunc", n == 0 && (fl & MSG_CTRUNC),
	      "got %d flags %x", n, fl);
	/* A bad descriptor. */
	int bad = 999;
	errno = 0;
	CHECK_ERRNO("scm_rights.ebadf", send_fds(sv[0], &bad, 1), EBADF);
	for (int i = 0; i < 3; i++)
		close(three[i]);
	/* Bad control length. */
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {"F", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = sizeof(cbuf) + 64;
	CHECK_ERRNO("scm_rights.bad_cmsg_len", sendmsg(sv[0], &mh, 0), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static void t_creds(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct ucred uc;
	socklen_t l = sizeof(uc);
	int r = getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l);
	CHECK("creds.so_peercred_pair",
	      r == 0 && l == sizeof(uc) && uc.pid == getpid() &&
		  uc.uid == geteuid() && uc.gid == getegid(),
	      "r %d pid %d uid %u", r, uc.pid, uc.uid);
	int on = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	int v = 0;
	l = sizeof(v);
	getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l);
	CHECK("creds.so_passcred_get", v == 1, "got %d", v);
	/* Explicit credentials, checked and delivered. */
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {"C", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred mine = {getpid(), getuid(), getgid()};
	memcpy(CMSG_DATA(c), &mine, sizeof(mine));
	CHECK_OK("creds.send_own", sendmsg(sv[0], &mh, 0));
	char rb[CMSG_SPACE(sizeof(struct ucred)) + 16];
	char d;
	struct iovec riov = {&d, 1};
	struct msghdr rh = {.msg_iov = &riov,
			    .msg_iovlen = 1,
			    .msg_control = rb,
			    .msg_controllen = sizeof(rb)};
	ssize_t n = recvmsg(sv[1], &rh, 0);
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
	struct ucred got = {0};
	if (rc && rc->cmsg_type == SCM_CREDENTIALS)
		memcpy(&got, CMSG_DATA(rc), sizeof(got));
	CHECK("creds.scm_credentials",
	      n == 1 && rc && rc->cmsg_level == SOL_SOCKET &&
		  got.pid == getpid() && got.uid == getuid(),
	      "n %zd cmsg %p pid %d", n, (void *)rc, got.pid);
	/* Without SCM_CREDENTIALS, the receiver still learns who sent. */
	write(sv[0], "D", 1);
	rh.msg_controllen = sizeof(rb);
	n = recvmsg(sv[1], &rh, 0);
	rc = CMSG_FIRSTHDR(&rh);
	CHECK("creds.implicit",
	      n == 1 && rc && rc->cmsg_type == SCM_CREDENTIALS, "n %zd", n);
	/* Someone else's pid is refused (as a non-root user). */
	pid_t pid = fork();
	if (pid == 0) {
		if (getuid() == 0 && (setgid(USER) || setuid(USER)))
			_exit(3);
		struct ucred other = {1, getuid(), getgid()};
		memcpy(CMSG_DATA(c), &other, sizeof(other));
		int rr = sendmsg(sv[0], &mh, 0);
		_exit(rr == -1 && errno == EPERM ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("creds.forged_pid_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %x", st);
	close(sv[0]);
	close(sv[1]);
	/* SO_PEERCRED over connect: the listener's and the connecter's. */
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "limen-cred");
	int lsn = listener(&a, len, SOCK_STREAM);
	pid = fork();
	if (pid == 0) {
		int cl = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(cl, (struct sockaddr *)&a, len))
			_exit(1);
		struct ucred pc;
		socklen_t pl = sizeof(pc);
		getsockopt(cl, SOL_SOCKET, SO_PEERCRED, &pc, &pl);
		char x;
		read(cl, &x, 1);
		_exit(pc.pid == getppid() ? 0 : 2);
	}
	int s = accept(lsn, NULL, NULL);
	l = sizeof(uc);
	getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l);
	write(s, "k", 1);
	waitpid(pid, &st, 0);
	CHECK("creds.so_peercred_connect",
	      uc.pid == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "peer pid %d child %d status %x", uc.pid, pid, st);
	close(s);
	close(lsn);
}

static void t_poll(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct pollfd p = {sv[1], POLLIN, 0};
	CHECK("poll.empty_not_readable", poll(&p, 1, 0) == 0, "revents %x",
	      p.revents);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		write(sv[0], "w", 1);
		_exit(0);
	}
	p.revents = 0;
	int r = poll(&p, 1, 10000);
	CHECK("poll.wakes_on_data", r == 1 && (p.revents & POLLIN),
	      "r %d revents %x", r, p.revents);
	waitpid(pid, NULL, 0);
	/* A listener is readable when a connection waits. */
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "limen-poll");
	int l = listener(&a, len, SOCK_STREAM);
	struct pollfd lp = {l, POLLIN, 0};
	int before = poll(&lp, 1, 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, len);
	int after = poll(&lp, 1, 0);
	CHECK("poll.listener",
	      before == 0 && after == 1 && (lp.revents & POLLIN),
	      "before %d after %d", before, after);
	close(c);
	close(l);
	close(sv[0]);
	close(sv[1]);
}

/* In a child as an ordinary user with few descriptors, so that files in
 * flight are limited (RLIMIT_NOFILE): returns the child's exit status. */
static int as_user_nofile(int nofile, int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {nofile, nofile};
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(100);
		if (getuid() == 0 && (setgid(USER) || setuid(USER)))
			_exit(101);
		_exit(fn());
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

/* Sockets sent over themselves and closed, many times over: without a
 * collector each cycle stays in flight and the user's limit (32 files)
 * ends it with ETOOMANYREFS. */
/* send_fds, but when the limit is reached gives the collector a chance:
 * Linux's runs from a work queue that closing a unix socket schedules. */
static ssize_t send_fds_patient(int s, const int *fds, int n)
{
	ssize_t r = -1;
	for (int tries = 0; tries < 200; tries++) {
		r = send_fds(s, fds, n);
		if (r >= 0 || errno != ETOOMANYREFS)
			break;
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0) {
			close(sv[0]);
			close(sv[1]);
		}
		usleep(10000);
		errno = ETOOMANYREFS;
	}
	return r;
}

static int self_send_cycles(void)
{
	for (int i = 0; i < 400; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return 1;
		if (send_fds_patient(sv[0], &sv[1], 1) < 0)
			return errno == ETOOMANYREFS ? 2 : 3;
		if (send_fds_patient(sv[1], &sv[0], 1) < 0)
			return errno == ETOOMANYREFS ? 2 : 3;
		close(sv[0]);
		close(sv[1]);
	}
	/* A datagram socket's own fd in its own queue. */
	for (int i = 0; i < 400; i++) {
		int d[2];
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, d))
			return 4;
		if (send_fds_patient(d[1], &d[0], 1) < 0 ||
		    send_fds_patient(d[0], &d[0], 1) < 0)
			return errno == ETOOMANYREFS ? 5 : 6;
		close(d[0]);
		close(d[1]);
	}
	return 0;
}

/* Files kept in flight (never received) past the limit: ETOOMANYREFS. */
static int inflight_limit(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return 1;
	int one[1] = {sv[0]};
	for (int i = 0; i < 10; i++) {
		int many[8];
		for (int k = 0; k < 8; k++)
			many[k] = one[0];
		/* 10 x 8 = 80 files for a limit of 32. */
		if (send_fds(sv[0], many, 8) < 0)
			return errno == ETOOMANYREFS ? 0 : 2;
	}
	return 3;
}

static void t_hostile(void)
{
	int st = as_user_nofile(32, self_send_cycles);
	CHECK("hostile.self_send_collected", st == 0, "child status %d", st);
	st = as_user_nofile(32, inflight_limit);
	CHECK("hostile.inflight_etoomanyrefs", st == 0, "child status %d", st);
	/* Root sends its own socket into its own queue and closes it. */
	int d[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
	int ok = send_fds(d[0], &d[1], 1) == 1 && send_fds(d[1], &d[1], 1) == 1;
	close(d[0]);
	close(d[1]);
	CHECK("hostile.own_queue", ok, "%s", errname(errno));
}

static void t_many(void)
{
	static int fds[1000];
	int n = 0;
	struct rlimit rl = {1100, 1100};
	setrlimit(RLIMIT_NOFILE, &rl);
	for (; n < 1000; n += 2)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, &fds[n]))
			break;
	int ok = n == 1000;
	for (int i = 0; i < n; i += 2) {
		if (write(fds[i], "m", 1) != 1)
			ok = 0;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	CHECK("many.500_socketpairs", ok, "made %d, %s", n / 2, errname(errno));
}

int main(void)
{
	mkdir("/tmp", 01777);
	mkdir(DIR, 0755);
	chmod(DIR, 0755);
	t_stream_echo();
	t_dgram();
	t_dgram_unconnected();
	t_seqpacket();
	t_path();
	t_eacces();
	t_abstract();
	t_backlog();
	t_shutdown();
	t_nonblock_timeout();
	t_scm_rights();
	t_creds();
	t_poll();
	t_hostile();
	t_many();
	return check_summary("sys_unix");
}
