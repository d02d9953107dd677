/* AF_PACKET sockets over loopback (Linux shows lo's IPv4 packets behind an
 * all-zero Ethernet header): root only, sockaddr_ll checking, a UDP send
 * on lo seen by SOCK_DGRAM and SOCK_RAW sockets with the from-address,
 * MSG_TRUNC, poll, sending a hand-made IPv4 packet, the bounded queue and
 * PACKET_STATISTICS, classic BPF filters (validation and effect), and the
 * AF_INET IPPROTO_RAW socket busybox udhcpc opens for its ioctls. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "check.h"

/* Classic BPF as <linux/filter.h> has it (musl has no kernel headers). */
struct sock_filter {
	unsigned short code;
	unsigned char jt, jf;
	unsigned int k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
struct tpacket_stats {
	unsigned int tp_packets, tp_drops;
};
#define SO_ATTACH_FILTER 26
#define SO_DETACH_FILTER 27
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_H 0x08
#define BPF_B 0x10
#define BPF_IMM 0x00
#define BPF_ABS 0x20
#define BPF_IND 0x40
#define BPF_MSH 0xa0
#define BPF_DIV 0x30
#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_JSET 0x40
#define BPF_K 0x00
#define BPF_STMT(code, k)                                                      \
	{                                                                      \
		(unsigned short)(code), 0, 0, k                                \
	}
#define BPF_JUMP(code, k, jt, jf)                                              \
	{                                                                      \
		(unsigned short)(code), jt, jf, k                              \
	}

#define ETH_P_IP_ 0x0800
#define ETH_P_ALL_ 0x0003

static int lo_index;

static struct sockaddr_ll sll(int ifindex, uint16_t proto)
{
	struct sockaddr_ll a = {.sll_family = AF_PACKET,
				.sll_protocol = htons(proto),
				.sll_ifindex = ifindex};
	return a;
}

static int udp_sock(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &l))
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static void udp_send(uint16_t port, const char *msg)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof(to));
	close(s);
}

/* A packet socket of type bound to lo for proto (host order). */
static int packet_lo(int type, uint16_t proto)
{
	int s = socket(AF_PACKET, type, htons(proto));
	struct sockaddr_ll a = sll(lo_index, proto);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return s;
}

/* Reads until a datagram to UDP port arrives (others may pass on lo);
 * off: the IPv4 header's offset in what the socket returns. */
static ssize_t recv_udp_to(int s, uint16_t port, size_t off, char *buf,
			   size_t n, struct sockaddr_ll *from, socklen_t *fl)
{
	for (int i = 0; i < 16; i++) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 5000) != 1)
			return -1;
		ssize_t r = recvfrom(s, buf, n, MSG_DONTWAIT,
				     (struct sockaddr *)from, fl);
		if (r >= (ssize_t)(off + 28) &&
		    (unsigned char)buf[off + 9] == IPPROTO_UDP &&
		    ((unsigned char)buf[off + 22] << 8 |
		     (unsigned char)buf[off + 23]) == port)
			return r;
	}
	return -1;
}

static void t_perm(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534))
			_exit(2);
		int a = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP_));
		int ea = errno;
		int b = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL_));
		int eb = errno;
		_exit(a == -1 && ea == EPERM && b == -1 && eb == EPERM ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("packet.user_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
	int s = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP_));
	CHECK("packet.root_dgram", s >= 0, "errno %s", errname(errno));
	close(s);
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL_));
	CHECK("packet.root_raw", s >= 0, "errno %s", errname(errno));
	close(s);
	CHECK_ERRNO("packet.no_stream", socket(AF_PACKET, SOCK_STREAM, 0),
		    ESOCKTNOSUPPORT);
}

static void t_bind(void)
{
	int s = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP_));
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	CHECK_OK("packet.siocgifindex", ioctl(s, SIOCGIFINDEX, &ifr));
	lo_index = ifr.ifr_ifindex;
	struct sockaddr_ll a = sll(lo_index, ETH_P_IP_);
	CHECK_ERRNO("packet.bind_short",
		    bind(s, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sll_family = AF_INET;
	CHECK_ERRNO("packet.bind_family",
		    bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a = sll(999, ETH_P_IP_);
	CHECK_ERRNO("packet.bind_no_dev",
		    bind(s, (struct sockaddr *)&a, sizeof(a)), ENODEV);
	CHECK_ERRNO("packet.bind_efault",
		    bind(s, (struct sockaddr *)8, sizeof(a)), EFAULT);
	a = sll(lo_index, ETH_P_IP_);
	CHECK_OK("packet.bind_lo", bind(s, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_ll g;
	socklen_t gl = sizeof(g);
	CHECK("packet.getsockname",
	      getsockname(s, (struct sockaddr *)&g, &gl) == 0 &&
		  gl == sizeof(g) && g.sll_family == AF_PACKET &&
		  g.sll_ifindex == lo_index &&
		  g.sll_protocol == htons(ETH_P_IP_),
	      "len %u ifindex %d", gl, g.sll_ifindex);
	int one = 1;
	CHECK_ERRNO(
	    "packet.auxdata_enoprotoopt",
	    setsockopt(s, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)),
	    ENOPROTOOPT);
	close(s);
}

static void t_receive(void)
{
	uint16_t port;
	int u = udp_sock(&port);
	int d = packet_lo(SOCK_DGRAM, ETH_P_IP_);
	int r = packet_lo(SOCK_RAW, ETH_P_ALL_);
	CHECK("packet.sockets", u >= 0 && d >= 0 && r >= 0, "errno %s",
	      errname(errno));
	char buf[256];
	CHECK_ERRNO("packet.empty_eagain",
		    recv(d, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	udp_send(port, "hello");
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n = recv_udp_to(d, port, 0, buf, sizeof(buf), &from, &fl);
	CHECK("packet.dgram_sees_ip",
	      n == 33 && (buf[0] & 0xf0) == 0x40 &&
		  !memcmp(buf + 28, "hello", 5),
	      "ret %zd", n);
	CHECK("packet.dgram_from",
	      fl == sizeof(from) && from.sll_family == AF_PACKET &&
		  from.sll_ifindex == lo_index &&
		  from.sll_protocol == htons(ETH_P_IP_) &&
		  from.sll_pkttype == PACKET_HOST && from.sll_hatype == 772 &&
		  from.sll_halen == 6,
	      "len %u ifindex %d proto %#x type %d hatype %d", fl,
	      from.sll_ifindex, ntohs(from.sll_protocol), from.sll_pkttype,
	      from.sll_hatype);
	fl = sizeof(from);
	n = recv_udp_to(r, port, 14, buf, sizeof(buf), &from, &fl);
	static const char hdr[14] = {[12] = 0x08, [13] = 0x00};
	CHECK("packet.raw_sees_frame",
	      n == 47 && !memcmp(buf, hdr, 14) && !memcmp(buf + 42, "hello", 5),
	      "ret %zd", n);
	char got[8];
	CHECK("packet.udp_still_delivered",
	      recv(u, got, sizeof(got), MSG_DONTWAIT) == 5, "errno %s",
	      errname(errno));

	/* Truncation: the rest is lost; MSG_TRUNC asks for the real size. */
	udp_send(port, "truncated");
	struct pollfd p = {.fd = d, .events = POLLIN};
	CHECK("packet.poll_in", poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
	      "revents %#x", p.revents);
	char small[10];
	struct iovec iov = {small, sizeof(small)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	n = recvmsg(d, &mh, MSG_TRUNC);
	CHECK("packet.msg_trunc", n == 37 && (mh.msg_flags & MSG_TRUNC),
	      "ret %zd flags %#x", n, mh.msg_flags);
	n = recv(u, got, sizeof(got), MSG_DONTWAIT);

	/* epoll wakes on the socket's wait queue. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = d}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev);
	CHECK("packet.epoll_idle", epoll_wait(ep, &out, 1, 0) == 0,
	      "ready while empty");
	udp_send(port, "epoll");
	int e = epoll_wait(ep, &out, 1, 5000);
	CHECK("packet.epoll_in",
	      e == 1 && out.data.fd == d && (out.events & EPOLLIN), "ret %d",
	      e);
	close(ep);
	n = recv(u, got, sizeof(got), MSG_DONTWAIT);
	close(d);
	close(r);
	close(u);
}

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void t_send(void)
{
	uint16_t port;
	int u = udp_sock(&port);
	int d = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP_));
	unsigned char pkt[32] = {0x45, 0,    0, 32, 0,
				 0,    0x40, 0, 64, IPPROTO_UDP};
	uint32_t lo = htonl(INADDR_LOOPBACK);
	memcpy(pkt + 12, &lo, 4);
	memcpy(pkt + 16, &lo, 4);
	uint16_t c = htons(csum(pkt, 20));
	memcpy(pkt + 10, &c, 2);
	pkt[20] = 0x12, pkt[21] = 0x34; /* source port */
	pkt[22] = (unsigned char)(port >> 8), pkt[23] = (unsigned char)port;
	pkt[25] = 12; /* UDP length; checksum 0: none */
	memcpy(pkt + 28, "sent", 4);
	struct sockaddr_ll to = sll(lo_index, ETH_P_IP_);
	to.sll_halen = 6;
	CHECK_ERRNO("packet.send_unbound_enxio", send(d, pkt, sizeof(pkt), 0),
		    ENXIO);
	to.sll_family = AF_UNIX;
	CHECK_ERRNO(
	    "packet.sendto_bad_family",
	    sendto(d, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)),
	    EINVAL);
	to.sll_family = AF_PACKET;
	CHECK_ERRNO("packet.sendto_short_addr",
		    sendto(d, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, 8),
		    EINVAL);
	CHECK_ERRNO("packet.sendto_efault",
		    sendto(d, (void *)8, sizeof(pkt), 0, (struct sockaddr *)&to,
			   sizeof(to)),
		    EFAULT);
	ssize_t n =
	    sendto(d, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
	CHECK("packet.sendto_lo", n == (ssize_t)sizeof(pkt), "ret %zd %s", n,
	      errname(errno));
	struct pollfd p = {.fd = u, .events = POLLIN};
	char buf[16];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	n = poll(&p, 1, 5000) == 1 ? recvfrom(u, buf, sizeof(buf), 0,
					      (struct sockaddr *)&from, &fl)
				   : -1;
	CHECK("packet.sent_arrives_as_udp",
	      n == 4 && !memcmp(buf, "sent", 4) &&
		  ntohs(from.sin_port) == 0x1234,
	      "ret %zd", n);
	close(d);
	close(u);
}

static void t_queue(void)
{
	uint16_t port;
	int u = udp_sock(&port);
	int d = packet_lo(SOCK_DGRAM, ETH_P_IP_);
	int zero = 0;
	setsockopt(d, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero));
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	getsockopt(d, SOL_PACKET, PACKET_STATISTICS, &st, &sl); /* reset */
	for (int i = 0; i < 40; i++)
		udp_send(port, "flood");
	/* Let netd hand them all over (the UDP socket sees them after). */
	int got_udp = 0;
	struct pollfd p = {.fd = u, .events = POLLIN};
	char buf[2048];
	while (got_udp < 40 && poll(&p, 1, 3000) == 1)
		if (recv(u, buf, sizeof(buf), 0) == 5)
			got_udp++;
	int got = 0;
	while (recv(d, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	sl = sizeof(st);
	int r = getsockopt(d, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	CHECK("packet.queue_bounded", got_udp == 40 && got > 0 && got < 40,
	      "udp %d packet %d", got_udp, got);
	CHECK("packet.statistics",
	      r == 0 && sl == sizeof(st) && st.tp_drops > 0 &&
		  st.tp_packets == (unsigned)got + st.tp_drops,
	      "r %d packets %u drops %u got %d", r, st.tp_packets, st.tp_drops,
	      got);
	sl = sizeof(st);
	getsockopt(d, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	CHECK("packet.statistics_reset", st.tp_packets == 0 && st.tp_drops == 0,
	      "packets %u drops %u", st.tp_packets, st.tp_drops);
	close(d);
	close(u);
}

static int attach(int s, struct sock_filter *f, unsigned len)
{
	struct sock_fprog fp = {.len = (unsigned short)len, .filter = f};
	return setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
}

static void t_filter(void)
{
	int d = packet_lo(SOCK_DGRAM, ETH_P_IP_);
	struct sock_filter ret0[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_filter bad_op[] = {{0xff, 0, 0, 0},
				       BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_filter bad_jump[] = {
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_filter bad_ja[] = {BPF_STMT(BPF_JMP | BPF_JA, 5),
				       BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
				     BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_filter no_ret[] = {BPF_STMT(BPF_LD | BPF_IMM, 1)};
	struct sock_filter bad_mem[] = {BPF_STMT(BPF_ST, 16),
					BPF_STMT(BPF_RET | BPF_K, 0)};
	CHECK_ERRNO("bpf.empty", attach(d, ret0, 0), EINVAL);
	CHECK_ERRNO("bpf.too_long", attach(d, ret0, 4097), EINVAL);
	CHECK_ERRNO("bpf.unknown_opcode", attach(d, bad_op, 2), EINVAL);
	CHECK_ERRNO("bpf.jump_out_of_range", attach(d, bad_jump, 2), EINVAL);
	CHECK_ERRNO("bpf.ja_out_of_range", attach(d, bad_ja, 2), EINVAL);
	CHECK_ERRNO("bpf.div_by_zero", attach(d, div0, 2), EINVAL);
	CHECK_ERRNO("bpf.no_return", attach(d, no_ret, 1), EINVAL);
	CHECK_ERRNO("bpf.bad_scratch", attach(d, bad_mem, 2), EINVAL);
	CHECK_ERRNO("bpf.bad_pointer", attach(d, (void *)8, 1), EFAULT);
	struct sock_fprog fp = {.len = 1, .filter = ret0};
	CHECK_ERRNO("bpf.short_option",
		    setsockopt(d, SOL_SOCKET, SO_ATTACH_FILTER, &fp, 8),
		    EINVAL);
	CHECK_ERRNO("bpf.detach_none",
		    setsockopt(d, SOL_SOCKET, SO_DETACH_FILTER, &fp, 4),
		    ENOENT);

	/* busybox 1.22's udhcpc filter, for port instead of 68, and the
	 * first 40 bytes only. */
	uint16_t port, other;
	int u = udp_sock(&port), v = udp_sock(&other);
	struct sock_filter dhcp[] = {
	    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
	    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, 40),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	};
	CHECK_OK("bpf.attach", attach(d, dhcp, 9));
	udp_send(other, "not for the filter");
	udp_send(port, "for the filter, and long");
	struct pollfd p = {.fd = d, .events = POLLIN};
	char buf[128];
	ssize_t n = poll(&p, 1, 5000) == 1
			? recv(d, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)
			: -1;
	CHECK("bpf.filter_passes_port_cut_to_40",
	      n == 40 && !memcmp(buf + 28, "for the filt", 12), "ret %zd", n);
	CHECK_ERRNO("bpf.filter_dropped_other",
		    recv(d, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_OK("bpf.detach",
		 setsockopt(d, SOL_SOCKET, SO_DETACH_FILTER, &fp, sizeof(fp)));
	udp_send(other, "now seen");
	n = recv_udp_to(d, other, 0, buf, sizeof(buf), NULL, NULL);
	CHECK("bpf.detached_sees_all", n == 36, "ret %zd", n);
	close(d);
	close(u);
	close(v);
}

static void t_inet_raw(void)
{
	/* busybox udhcpc's udhcp_read_interface. */
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	CHECK("inet_raw.create", s >= 0, "errno %s", errname(errno));
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	CHECK("inet_raw.siocgifindex",
	      ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == lo_index,
	      "errno %s index %d", errname(errno), ifr.ifr_ifindex);
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK_ERRNO("inet_raw.send_eopnotsupp",
		    sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)),
		    EOPNOTSUPP);
	close(s);
}

/* busybox udhcpc's listening socket: SO_BINDTODEVICE on UDP. */
static void t_bindtodevice(void)
{
	uint16_t port;
	int u = udp_sock(&port);
	CHECK_ERRNO("bindtodevice.enodev",
		    setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "eth9", 5),
		    ENODEV);
	CHECK_OK("bindtodevice.lo",
		 setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2));
	char name[IFNAMSIZ] = {0};
	socklen_t l = sizeof(name);
	CHECK("bindtodevice.get",
	      getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name, &l) == 0 &&
		  l == 3 && !strcmp(name, "lo"),
	      "len %u name %.16s", l, name);
	udp_send(port, "bound");
	struct pollfd p = {.fd = u, .events = POLLIN};
	char buf[16];
	CHECK("bindtodevice.lo_receives",
	      poll(&p, 1, 5000) == 1 && recv(u, buf, sizeof(buf), 0) == 5,
	      "errno %s", errname(errno));
	CHECK_OK("bindtodevice.unbind",
		 setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
	l = sizeof(name);
	CHECK("bindtodevice.get_unbound",
	      getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name, &l) == 0 &&
		  l == 0,
	      "len %u", l);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534))
			_exit(2);
		int r = setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2);
		_exit(r == -1 && errno == EPERM ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("bindtodevice.user_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
	close(u);
}

/* On a real card (net-guest.sh runs "sys_packet eth0" with eth0 up on
 * QEMU's network): an ARP request for the gateway sent from a SOCK_RAW
 * socket and one from a SOCK_DGRAM socket (the kernel adds the header);
 * an ETH_P_ALL socket sees both as PACKET_OUTGOING and the replies as
 * PACKET_HOST from the gateway's MAC; an ETH_P_ARP SOCK_DGRAM socket sees
 * the replies' ARP payload only. */
static void t_eth(const char *ifname)
{
	int all = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL_));
	int arp = socket(AF_PACKET, SOCK_DGRAM, htons(0x0806));
	struct ifreq ifr = {0};
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	int ok = all >= 0 && arp >= 0 && !ioctl(all, SIOCGIFINDEX, &ifr);
	int idx = ifr.ifr_ifindex;
	ok = ok && !ioctl(all, SIOCGIFHWADDR, &ifr);
	unsigned char mac[6];
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	struct sockaddr_ll a = sll(idx, ETH_P_ALL_);
	ok = ok && !bind(all, (struct sockaddr *)&a, sizeof(a));
	a = sll(idx, 0x0806);
	ok = ok && !bind(arp, (struct sockaddr *)&a, sizeof(a));
	CHECK("eth.sockets", ok, "errno %s", errname(errno));
	if (!ok)
		return;
	unsigned char f[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	static const unsigned char hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	memcpy(f + 14, hdr, 8);
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, (unsigned char[]){10, 0, 2, 15}, 4);
	memcpy(f + 38, (unsigned char[]){10, 0, 2, 2}, 4);
	CHECK("eth.raw_send", send(all, f, sizeof(f), 0) == (ssize_t)sizeof(f),
	      "errno %s", errname(errno));
	struct sockaddr_ll to = sll(idx, 0x0806);
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	CHECK("eth.dgram_send",
	      sendto(arp, f + 14, 28, 0, (struct sockaddr *)&to, sizeof(to)) ==
		  28,
	      "errno %s", errname(errno));
	static const unsigned char gw[6] = {0x52, 0x55, 10, 0, 2, 2};
	int outgoing = 0, replies = 0, other = 0;
	for (int i = 0; i < 32 && (outgoing < 2 || replies < 2); i++) {
		struct pollfd p = {.fd = all, .events = POLLIN};
		if (poll(&p, 1, 5000) != 1)
			break;
		unsigned char b[1600];
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(all, b, sizeof(b), 0,
				     (struct sockaddr *)&from, &fl);
		if (n < 42 || b[12] != 8 || b[13] != 6)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING && !memcmp(b, f, 42))
			outgoing++;
		else if (from.sll_pkttype == PACKET_HOST &&
			 !memcmp(from.sll_addr, gw, 6) && b[21] == 2 &&
			 from.sll_ifindex == idx &&
			 from.sll_protocol == htons(0x0806))
			replies++;
		else
			other++;
	}
	CHECK("eth.all_sees_outgoing", outgoing == 2, "outgoing %d", outgoing);
	CHECK("eth.all_sees_replies", replies == 2, "replies %d other %d",
	      replies, other);
	int got = 0, bad = 0;
	unsigned char b[1600];
	ssize_t n;
	while ((n = recv(arp, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		if (n >= 28 && b[7] == 2 && !memcmp(b + 8, gw, 6))
			got++;
		else
			bad++; /* an outgoing frame or a header: wrong */
	}
	CHECK("eth.dgram_sees_arp_payload", got == 2 && bad == 0,
	      "replies %d other %d", got, bad);
	close(all);
	close(arp);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		t_eth(argv[1]);
		return check_summary("sys_packet eth");
	}
	t_perm();
	t_bind();
	t_receive();
	t_send();
	t_queue();
	t_filter();
	t_inet_raw();
	t_bindtodevice();
	return check_summary("sys_packet");
}
