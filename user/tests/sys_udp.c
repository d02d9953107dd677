/* UDP over loopback: datagrams, boundaries and truncation, connected
 * sockets and their filter, ICMP port unreachable as ECONNREFUSED, port
 * rules (in use, privileged, ephemeral), timeouts, poll, a bounded receive
 * queue under a flood, and ICMP ping sockets echoing 127.0.0.1. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static struct sockaddr_in lo(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	return a;
}

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; *port gets it. */
static int bound_sock(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = lo(0);
	socklen_t l = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &l))
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static void t_basic(void)
{
	uint16_t pa, pb;
	int a = bound_sock(&pa), b = bound_sock(&pb);
	CHECK("udp.socket_bind", a >= 0 && b >= 0, "errno %s", errname(errno));
	CHECK("udp.ephemeral_port", pa >= 32768 && pa <= 60999 && pa != pb,
	      "ports %u %u", pa, pb);
	struct sockaddr_in to = lo(pb), from;
	socklen_t fl = sizeof(from);
	ssize_t n =
	    sendto(a, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to));
	CHECK("udp.sendto", n == 5, "ret %zd errno %s", n, errname(errno));
	char buf[64] = {0};
	n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	CHECK("udp.recvfrom",
	      n == 5 && !memcmp(buf, "hello", 5) && fl == sizeof(from) &&
		  from.sin_family == AF_INET && ntohs(from.sin_port) == pa &&
		  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "ret %zd port %u", n, ntohs(from.sin_port));

	/* Three datagrams stay three, in order, whatever the read size. */
	sendto(a, "1", 1, 0, (struct sockaddr *)&to, sizeof(to));
	sendto(a, "22", 2, 0, (struct sockaddr *)&to, sizeof(to));
	sendto(a, "", 0, 0, (struct sockaddr *)&to, sizeof(to));
	ssize_t r1 = recv(b, buf, sizeof(buf), 0);
	ssize_t r2 = recv(b, buf + 1, sizeof(buf) - 1, 0);
	ssize_t r3 = recv(b, buf + 3, sizeof(buf) - 3, 0);
	CHECK("udp.boundaries",
	      r1 == 1 && r2 == 2 && r3 == 0 && !memcmp(buf, "122", 3),
	      "got %zd %zd %zd", r1, r2, r3);

	/* MSG_PEEK leaves it; MSG_TRUNC reports the whole length. */
	sendto(a, "abcdefgh", 8, 0, (struct sockaddr *)&to, sizeof(to));
	n = recv(b, buf, 3, MSG_PEEK);
	int avail = -1;
	ioctl(b, FIONREAD, &avail);
	CHECK("udp.peek_fionread", n == 3 && avail == 8, "peek %zd fionread %d",
	      n, avail);
	n = recv(b, buf, 3, MSG_TRUNC);
	CHECK("udp.msg_trunc_len", n == 8 && !memcmp(buf, "abc", 3), "ret %zd",
	      n);
	sendto(a, "abcdefgh", 8, 0, (struct sockaddr *)&to, sizeof(to));
	struct iovec iov = {buf, 4};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	n = recvmsg(b, &mh, 0);
	CHECK("udp.msg_trunc_flag", n == 4 && (mh.msg_flags & MSG_TRUNC),
	      "ret %zd flags %#x", n, mh.msg_flags);

	/* The largest datagram, 65535 - 20 - 8 bytes, arrives whole. */
	size_t big = 65535 - 28;
	char *p = malloc(big + 1), *q = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		p[i] = (char)(i * 7);
	n = sendto(a, p, big, 0, (struct sockaddr *)&to, sizeof(to));
	ssize_t m = recv(b, q, big + 1, 0);
	CHECK("udp.max_datagram",
	      n == (ssize_t)big && m == (ssize_t)big && !memcmp(p, q, big),
	      "sent %zd got %zd", n, m);
	CHECK_ERRNO(
	    "udp.too_big_emsgsize",
	    sendto(a, p, big + 1, 0, (struct sockaddr *)&to, sizeof(to)),
	    EMSGSIZE);
	free(p);
	free(q);

	/* Non-blocking, then a receive timeout, on an empty queue. */
	CHECK_ERRNO("udp.nonblock_eagain", recv(b, buf, 1, MSG_DONTWAIT),
		    EAGAIN);
	struct timeval tv = {0, 100000};
	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	n = recv(b, buf, 1, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK("udp.rcvtimeo",
	      n == -1 && errno == EAGAIN && ms >= 90 && ms < 2000,
	      "ret %zd errno %s after %ld ms", n, errname(errno), ms);

	struct pollfd pf = {.fd = b, .events = POLLIN};
	int pr = poll(&pf, 1, 0);
	CHECK("udp.poll_empty", pr == 0, "poll %d revents %#x", pr, pf.revents);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	pr = poll(&pf, 1, 2000);
	CHECK("udp.poll_readable", pr == 1 && (pf.revents & POLLIN),
	      "poll %d revents %#x", pr, pf.revents);
	recv(b, buf, 1, 0);
	close(a);
	close(b);
}

static void t_connect(void)
{
	uint16_t pa, pb, pc;
	int a = bound_sock(&pa), b = bound_sock(&pb), c = bound_sock(&pc);
	struct sockaddr_in ta = lo(pa), tb = lo(pb);
	CHECK_OK("udp.connect", connect(b, (struct sockaddr *)&ta, sizeof(ta)));
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int g = getpeername(b, (struct sockaddr *)&peer, &pl);
	CHECK("udp.getpeername", g == 0 && ntohs(peer.sin_port) == pa,
	      "ret %d port %u", g, ntohs(peer.sin_port));
	/* A connected socket takes datagrams from its peer only. */
	sendto(c, "no", 2, 0, (struct sockaddr *)&tb, sizeof(tb));
	sendto(a, "yes", 3, 0, (struct sockaddr *)&tb, sizeof(tb));
	char buf[8] = {0};
	ssize_t n = recv(b, buf, sizeof(buf), 0);
	int more = (int)recv(b, buf + 4, 4, MSG_DONTWAIT);
	CHECK("udp.connect_filter",
	      n == 3 && !memcmp(buf, "yes", 3) && more < 0,
	      "ret %zd '%s', then %d", n, buf, more);
	n = send(b, "back", 4, 0);
	n = n == 4 ? recv(a, buf, sizeof(buf), 0) : -1;
	CHECK("udp.connected_send", n == 4 && !memcmp(buf, "back", 4),
	      "ret %zd", n);
	close(a); /* pa is now closed */
	n = send(b, "ping", 4, 0);
	errno = 0;
	ssize_t r = recv(b, buf, sizeof(buf), 0);
	CHECK("udp.econnrefused", n == 4 && r == -1 && errno == ECONNREFUSED,
	      "send %zd recv %zd errno %s", n, r, errname(errno));
	/* The error is reported once. */
	CHECK_ERRNO("udp.econnrefused_once", recv(b, buf, 1, MSG_DONTWAIT),
		    EAGAIN);
	close(b);
	close(c);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERRNO("udp.send_unconnected_edestaddrreq", send(u, "x", 1, 0),
		    EDESTADDRREQ);
	CHECK_ERRNO("udp.getpeername_enotconn",
		    getpeername(u, (struct sockaddr *)&peer, &pl), ENOTCONN);
	close(u);
}

static void t_ports(void)
{
	uint16_t pa;
	int a = bound_sock(&pa);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ta = lo(pa), any = lo(pa);
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK_ERRNO("udp.eaddrinuse",
		    bind(b, (struct sockaddr *)&ta, sizeof(ta)), EADDRINUSE);
	CHECK_ERRNO("udp.eaddrinuse_any",
		    bind(b, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	CHECK_ERRNO("udp.bind_twice_einval",
		    bind(a, (struct sockaddr *)&any, sizeof(any)), EINVAL);
	close(a);
	close(b);
	/* Both with SO_REUSEADDR: UDP lets them share the port. */
	int one = 1;
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int r1 = bind(a, (struct sockaddr *)&ta, sizeof(ta));
	int r2 = bind(b, (struct sockaddr *)&ta, sizeof(ta));
	CHECK("udp.reuseaddr", r1 == 0 && r2 == 0, "binds %d %d errno %s", r1,
	      r2, errname(errno));
	close(a);
	close(b);
	struct sockaddr_in other = lo(4000);
	other.sin_addr.s_addr = htonl(0x0a0b0c0d);
	a = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_ERRNO("udp.eaddrnotavail",
		    bind(a, (struct sockaddr *)&other, sizeof(other)),
		    EADDRNOTAVAIL);
	close(a);

	/* Below 1024 needs root: as root it works, as a user EACCES. */
	struct sockaddr_in low = lo(999);
	a = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK("udp.low_port_root",
		 bind(a, (struct sockaddr *)&low, sizeof(low)));
	close(a);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in l2 = lo(998);
		int r = bind(s, (struct sockaddr *)&l2, sizeof(l2));
		_exit(r == -1 && errno == EACCES ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("udp.low_port_user_eacces", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);

	/* Options: IP_TTL, SO_BROADCAST. */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	int ttl = 0;
	socklen_t tl = sizeof(ttl);
	getsockopt(a, IPPROTO_IP, IP_TTL, &ttl, &tl);
	int t7 = 7, bad = 256;
	int sr = setsockopt(a, IPPROTO_IP, IP_TTL, &t7, sizeof(t7));
	int t2 = 0;
	getsockopt(a, IPPROTO_IP, IP_TTL, &t2, &tl);
	CHECK("udp.ip_ttl", ttl == 64 && sr == 0 && t2 == 7,
	      "default %d set %d then %d", ttl, sr, t2);
	CHECK_ERRNO("udp.ip_ttl_einval",
		    setsockopt(a, IPPROTO_IP, IP_TTL, &bad, sizeof(bad)),
		    EINVAL);
	struct sockaddr_in bc = lo(9);
	bc.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	CHECK_ERRNO("udp.broadcast_eacces",
		    sendto(a, "x", 1, 0, (struct sockaddr *)&bc, sizeof(bc)),
		    EACCES);
	close(a);
}

/* More datagrams than the receive buffer holds: the excess is dropped,
 * the rest read back intact, and nothing blocks or crashes. */
static void t_flood(void)
{
	uint16_t pa, pb;
	int a = bound_sock(&pa), b = bound_sock(&pb);
	int rcv = 16384;
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	struct sockaddr_in tb = lo(pb);
	char buf[1000];
	memset(buf, 'f', sizeof(buf));
	int sent = 0;
	for (int i = 0; i < 2000; i++)
		if (sendto(a, buf, sizeof(buf), 0, (struct sockaddr *)&tb,
			   sizeof(tb)) == (ssize_t)sizeof(buf))
			sent++;
	/* Let the network thread drain its queue. */
	struct timespec ts = {0, 200000000};
	nanosleep(&ts, NULL);
	int got = 0;
	while (recv(b, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)sizeof(buf))
		got++;
	CHECK("udp.flood_bounded", sent == 2000 && got > 0 && got < 200,
	      "sent %d received %d", sent, got);
	/* Still works afterwards. */
	sendto(a, "ok", 2, 0, (struct sockaddr *)&tb, sizeof(tb));
	ssize_t n = recv(b, buf, sizeof(buf), 0);
	CHECK("udp.after_flood", n == 2, "ret %zd", n);
	close(a);
	close(b);
}

static void t_ping(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	CHECK("ping.socket", s >= 0, "errno %s", errname(errno));
	if (s < 0)
		return;
	struct sockaddr_in to = lo(0), from;
	unsigned char pkt[64] = {0}, rep[128];
	struct icmphdr *h = (struct icmphdr *)pkt;
	h->type = ICMP_ECHO;
	h->un.echo.sequence = htons(7);
	memcpy(pkt + 8, "limen-ping", 10);
	ssize_t n = sendto(s, pkt, 18, 0, (struct sockaddr *)&to, sizeof(to));
	socklen_t fl = sizeof(from);
	struct timeval tv = {2, 0};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t m =
	    recvfrom(s, rep, sizeof(rep), 0, (struct sockaddr *)&from, &fl);
	struct icmphdr *r = (struct icmphdr *)rep;
	CHECK("ping.echo_reply",
	      n == 18 && m == 18 && r->type == ICMP_ECHOREPLY &&
		  ntohs(r->un.echo.sequence) == 7 &&
		  !memcmp(rep + 8, "limen-ping", 10) &&
		  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "sent %zd got %zd type %d errno %s", n, m, m > 0 ? r->type : -1,
	      errname(errno));
	h->type = 13; /* a timestamp request is not the ping socket's */
	CHECK_ERRNO("ping.only_echo",
		    sendto(s, pkt, 18, 0, (struct sockaddr *)&to, sizeof(to)),
		    EINVAL);
	close(s);

	/* Raw ICMP sockets: root only; input comes with the IP header. */
	s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	CHECK("raw.root_socket", s >= 0, "errno %s", errname(errno));
	if (s >= 0) {
		h->type = ICMP_ECHO;
		h->un.echo.id = htons(0x4242);
		h->checksum = 0;
		unsigned sum = 0;
		for (int i = 0; i < 18; i += 2)
			sum += pkt[i] | pkt[i + 1] << 8;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		h->checksum = (uint16_t)~sum;
		n = sendto(s, pkt, 18, 0, (struct sockaddr *)&to, sizeof(to));
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* The request itself comes by first, then the reply. */
		int found = 0;
		for (int i = 0; i < 4 && !found; i++) {
			m = recv(s, rep, sizeof(rep), 0);
			r = (struct icmphdr *)(rep + 20);
			found = m == 38 && (rep[0] >> 4) == 4 &&
				r->type == ICMP_ECHOREPLY &&
				r->un.echo.id == htons(0x4242);
		}
		CHECK("raw.echo_reply_with_ip_header", n == 18 && found,
		      "sent %zd last %zd", n, m);
		close(s);
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		int t = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		_exit(t == -1 && errno == EPERM ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("raw.user_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
}

int main(void)
{
	t_basic();
	t_connect();
	t_ports();
	t_flood();
	t_ping();
	return check_summary("sys_udp");
}
