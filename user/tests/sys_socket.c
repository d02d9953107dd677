/* The socket layer, whatever the family (AF_UNIX serves as the family
 * here): socket's errors and flags, descriptors that are not sockets,
 * bad pointers and lengths, SOL_SOCKET options, fstat and /proc links,
 * readv/writev, sendmmsg/recvmmsg, MSG_WAITALL, and signals during a
 * blocked receive (EINTR, SA_RESTART). Also passes on Linux. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include "check.h"

/* A pointer to nothing, hidden from the compiler's checks. */
static void *volatile bad_ptr = (void *)8;
#define BADPTR (bad_ptr)

static void t_create(void)
{
	CHECK_ERRNO("socket.eafnosupport", socket(1234, SOCK_STREAM, 0),
		    EAFNOSUPPORT);
	CHECK_ERRNO("socket.esocktnosupport", socket(AF_UNIX, 9, 0),
		    ESOCKTNOSUPPORT);
	CHECK_ERRNO("socket.eprotonosupport", socket(AF_UNIX, SOCK_STREAM, 77),
		    EPROTONOSUPPORT);
	CHECK_ERRNO("socket.bad_flags",
		    socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK("socket.flags",
	      s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) &&
		  (fcntl(s, F_GETFD) & FD_CLOEXEC),
	      "fd %d", s);
	struct stat st;
	int r = fstat(s, &st);
	CHECK("socket.fstat_issock",
	      r == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0777,
	      "r %d mode %o", r, st.st_mode);
	char path[64], link[64] = {0}, want[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK("socket.proc_fd_link", n > 0 && !strcmp(link, want),
	      "got '%s' want '%s'", link, want);
	CHECK_ERRNO("socket.lseek_espipe", lseek(s, 0, SEEK_SET), ESPIPE);
	char b;
	CHECK_ERRNO("socket.pread_espipe", pread(s, &b, 1, 0), ESPIPE);
	close(s);
	int sv[2];
	r = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
	CHECK("socketpair.cloexec",
	      r == 0 && (fcntl(sv[0], F_GETFD) & FD_CLOEXEC) &&
		  (fcntl(sv[1], F_GETFD) & FD_CLOEXEC),
	      "r %d", r);
	close(sv[0]);
	close(sv[1]);
	CHECK_ERRNO("socketpair.efault",
		    socketpair(AF_UNIX, SOCK_STREAM, 0, BADPTR), EFAULT);
	CHECK_ERRNO("socketpair.eafnosupport",
		    socketpair(4321, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
}

static void t_notsock(void)
{
	int p[2];
	pipe(p);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t l = sizeof(a);
	int v = 0;
	socklen_t vl = sizeof(v);
	char b = 0;
	CHECK_ERRNO("notsock.bind", bind(p[0], (struct sockaddr *)&a, 3),
		    ENOTSOCK);
	CHECK_ERRNO("notsock.connect", connect(p[0], (struct sockaddr *)&a, 3),
		    ENOTSOCK);
	CHECK_ERRNO("notsock.listen", listen(p[0], 1), ENOTSOCK);
	CHECK_ERRNO("notsock.accept", accept(p[0], NULL, NULL), ENOTSOCK);
	CHECK_ERRNO("notsock.send", send(p[1], &b, 1, 0), ENOTSOCK);
	CHECK_ERRNO("notsock.recv", recv(p[0], &b, 1, 0), ENOTSOCK);
	CHECK_ERRNO("notsock.getsockname",
		    getsockname(p[0], (struct sockaddr *)&a, &l), ENOTSOCK);
	CHECK_ERRNO("notsock.getsockopt",
		    getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &vl), ENOTSOCK);
	CHECK_ERRNO("notsock.shutdown", shutdown(p[0], SHUT_RD), ENOTSOCK);
	CHECK_ERRNO("notsock.ebadf", send(999, &b, 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
}

static void t_faults(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	CHECK_ERRNO("efault.send", send(sv[0], BADPTR, 10, 0), EFAULT);
	write(sv[0], "abc", 3);
	CHECK_ERRNO("efault.recv", recv(sv[1], BADPTR, 10, 0), EFAULT);
	CHECK_ERRNO("efault.sendmsg_hdr",
		    syscall(SYS_sendmsg, sv[0], BADPTR, 0), EFAULT);
	struct msghdr mh = {.msg_iov = BADPTR, .msg_iovlen = 1};
	CHECK_ERRNO("efault.sendmsg_iov", syscall(SYS_sendmsg, sv[0], &mh, 0),
		    EFAULT);
	struct iovec iov = {"x", 1};
	mh.msg_iov = &iov;
	mh.msg_control = BADPTR;
	mh.msg_controllen = 64;
	CHECK_ERRNO("efault.sendmsg_control",
		    syscall(SYS_sendmsg, sv[0], &mh, 0), EFAULT);
	mh.msg_control = NULL;
	mh.msg_controllen = 0;
	mh.msg_iovlen = 1025;
	CHECK_ERRNO("emsgsize.iovlen", syscall(SYS_sendmsg, sv[0], &mh, 0),
		    EMSGSIZE);
	socklen_t l;
	CHECK_ERRNO(
	    "efault.getsockname_len",
	    getsockname(sv[0], BADPTR, (socklen_t *)((char *)BADPTR + 64)),
	    EFAULT);
	l = sizeof(struct sockaddr_un);
	CHECK_ERRNO("efault.getsockname_addr", getsockname(sv[0], BADPTR, &l),
		    EFAULT);
	int v;
	CHECK_ERRNO("efault.getsockopt_len",
		    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, BADPTR), EFAULT);
	CHECK_ERRNO("efault.setsockopt",
		    setsockopt(sv[0], SOL_SOCKET, SO_KEEPALIVE, BADPTR, 4),
		    EFAULT);
	l = (socklen_t)-1;
	CHECK_ERRNO("einval.getsockopt_negative_len",
		    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l), EINVAL);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	CHECK_ERRNO("einval.bind_negative_len",
		    bind(sv[0], (struct sockaddr *)&a, (socklen_t)-1), EINVAL);
	CHECK_ERRNO("einval.accept4_flags",
		    accept4(sv[0], NULL, NULL, 0x4000000), EINVAL);
	CHECK_ERRNO("einval.socketpair_flags",
		    socketpair(AF_UNIX, SOCK_STREAM | 0x200000, 0, sv), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static void t_options(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	int v = -1;
	socklen_t l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l);
	CHECK("opt.so_type", v == SOCK_DGRAM && l == sizeof(int), "got %d", v);
	l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l);
	CHECK("opt.so_domain", v == AF_UNIX, "got %d", v);
	l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l);
	CHECK("opt.so_protocol", v == 0, "got %d", v);
	v = 10000;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l);
	CHECK("opt.so_rcvbuf_doubled", v == 20000, "got %d", v);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l);
	CHECK("opt.so_sndbuf_minimum", v == 4608, "got %d", v);
	v = 1 << 30;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	l = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l);
	CHECK("opt.so_rcvbuf_clamped", v > 20000 && v < (1 << 30), "got %d", v);
	struct linger lg = {1, 5}, lg2 = {0, 0};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	l = sizeof(lg2);
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &l);
	CHECK("opt.so_linger",
	      lg2.l_onoff == 1 && lg2.l_linger == 5 && l == sizeof(lg2),
	      "got %d %d", lg2.l_onoff, lg2.l_linger);
	int on = 1;
	static const int bools[] = {SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST,
				    SO_PASSCRED};
	int ok = 1;
	for (unsigned i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		setsockopt(s, SOL_SOCKET, bools[i], &on, sizeof(on));
		v = 0;
		l = sizeof(v);
		getsockopt(s, SOL_SOCKET, bools[i], &v, &l);
		ok &= v == 1;
	}
	CHECK("opt.booleans", ok, "-");
	CHECK_ERRNO("opt.so_type_readonly",
		    setsockopt(s, SOL_SOCKET, SO_TYPE, &on, sizeof(on)),
		    ENOPROTOOPT);
	CHECK_ERRNO("opt.unknown", setsockopt(s, SOL_SOCKET, 999, &on, 4),
		    ENOPROTOOPT);
	CHECK_ERRNO("opt.short_int",
		    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, 2), EINVAL);
	struct timeval tv = {0, 2000000};
	CHECK_ERRNO("opt.rcvtimeo_edom",
		    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
		    EDOM);
	CHECK_ERRNO("opt.rcvtimeo_short",
		    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL);
	/* A short room: truncated to it. */
	v = 0;
	l = 1;
	int r = getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l);
	CHECK("opt.getsockopt_short_room", r == 0 && l == 1, "r %d l %u", r, l);
	/* SO_ERROR reads as 0 and SO_ACCEPTCONN as 0 here. */
	l = sizeof(v);
	v = -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l);
	CHECK("opt.so_error", v == 0, "got %d", v);
	/* SO_SNDTIMEO on a full datagram receiver. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct timeval st = {0, 100000};
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &st, sizeof(st));
	int n = 0;
	errno = 0;
	while (n < 10000 && send(sv[0], "z", 1, 0) == 1)
		n++;
	CHECK("opt.so_sndtimeo", n < 10000 && errno == EAGAIN, "sent %d %s", n,
	      errname(errno));
	close(sv[0]);
	close(sv[1]);
	close(s);
}

static void t_vectors(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct iovec out[2] = {{"hello ", 6}, {"world", 5}};
	ssize_t w = writev(sv[0], out, 2);
	char a[4], b[20] = {0};
	struct iovec in[2] = {{a, 4}, {b, sizeof(b) - 1}};
	ssize_t r = readv(sv[1], in, 2);
	CHECK("vec.writev_one_datagram",
	      w == 11 && r == 11 && !memcmp(a, "hell", 4) &&
		  !strcmp(b, "o world"),
	      "w %zd r %zd", w, r);
	/* sendmmsg / recvmmsg. */
	struct iovec iv[3] = {{"a", 1}, {"bb", 2}, {"ccc", 3}};
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int sent = sendmmsg(sv[0], mm, 3, 0);
	CHECK("vec.sendmmsg", sent == 3 && mm[2].msg_len == 3, "sent %d", sent);
	char rb[5][8];
	struct iovec riv[5];
	struct mmsghdr rm[5];
	memset(rm, 0, sizeof(rm));
	for (int i = 0; i < 5; i++) {
		riv[i].iov_base = rb[i];
		riv[i].iov_len = sizeof(rb[i]);
		rm[i].msg_hdr.msg_iov = &riv[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	int got = recvmmsg(sv[1], rm, 5, MSG_DONTWAIT, NULL);
	CHECK("vec.recvmmsg",
	      got == 3 && rm[0].msg_len == 1 && rm[1].msg_len == 2 &&
		  rm[2].msg_len == 3,
	      "got %d", got);
	sendmmsg(sv[0], mm, 1, 0);
	got = recvmmsg(sv[1], rm, 5, MSG_WAITFORONE, NULL);
	CHECK("vec.recvmmsg_waitforone", got == 1, "got %d", got);
	CHECK_ERRNO("vec.recvmmsg_empty",
		    recvmmsg(sv[1], rm, 5, MSG_DONTWAIT, NULL), EAGAIN);
	struct timespec bad = {0, 2000000000};
	CHECK_ERRNO("vec.recvmmsg_bad_timeout", recvmmsg(sv[1], rm, 5, 0, &bad),
		    EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static volatile int got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm++;
}

static void t_signals(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	char b;
	errno = 0;
	ssize_t r = recv(sv[0], &b, 1, 0);
	CHECK("signal.recv_eintr", r == -1 && errno == EINTR && got_alarm == 1,
	      "r %zd %s alarms %d", r, errname(errno), got_alarm);
	/* With SA_RESTART the receive goes on and gets the data. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		write(sv[1], "R", 1);
		_exit(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	r = recv(sv[0], &b, 1, 0);
	CHECK("signal.recv_sa_restart", r == 1 && b == 'R' && got_alarm == 2,
	      "r %zd %s alarms %d", r, errname(errno), got_alarm);
	waitpid(pid, NULL, 0);
	/* MSG_WAITALL waits for the whole length. */
	pid = fork();
	if (pid == 0) {
		write(sv[1], "12", 2);
		usleep(100000);
		write(sv[1], "345", 3);
		_exit(0);
	}
	char wb[8] = {0};
	r = recv(sv[0], wb, 5, MSG_WAITALL);
	CHECK("recv.msg_waitall", r == 5 && !memcmp(wb, "12345", 5), "r %zd",
	      r);
	waitpid(pid, NULL, 0);
	signal(SIGALRM, SIG_DFL);
	close(sv[0]);
	close(sv[1]);
}

static void t_names(void)
{
	/* recvfrom on a datagram: the sender's bound name. */
	int a = socket(AF_UNIX, SOCK_DGRAM, 0);
	int b = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un an = {.sun_family = AF_UNIX}, bn = an, from;
	memcpy(an.sun_path, "\0sock-a", 7);
	memcpy(bn.sun_path, "\0sock-b", 7);
	socklen_t al = offsetof(struct sockaddr_un, sun_path) + 7;
	bind(a, (struct sockaddr *)&an, al);
	bind(b, (struct sockaddr *)&bn, al);
	sendto(a, "d", 1, 0, (struct sockaddr *)&bn, al);
	socklen_t fl = sizeof(from);
	char c;
	ssize_t r = recvfrom(b, &c, 1, 0, (struct sockaddr *)&from, &fl);
	CHECK("names.recvfrom_sender",
	      r == 1 && fl == al && !memcmp(from.sun_path, "\0sock-a", 7),
	      "r %zd len %u", r, fl);
	/* A connected datagram socket refuses others' datagrams. */
	connect(b, (struct sockaddr *)&an, al);
	int c3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERRNO("names.dgram_connected_eperm",
		    sendto(c3, "x", 1, 0, (struct sockaddr *)&bn, al), EPERM);
	CHECK_ERRNO("names.getpeername_unconnected",
		    getpeername(c3, (struct sockaddr *)&from, &fl), ENOTCONN);
	CHECK_ERRNO("names.dgram_no_dest", send(c3, "x", 1, 0), ENOTCONN);
	close(c3);
	close(a);
	close(b);
}

int main(void)
{
	t_create();
	t_notsock();
	t_faults();
	t_options();
	t_vectors();
	t_signals();
	t_names();
	return check_summary("sys_socket");
}
