/* Host tests of net/udp.c and net/icmp.c over net/ipv4.c and loopback:
 * UDP input with bad lengths and checksums (dropped and counted, never
 * delivered), delivery and the SO_RCVBUF bound, port unreachable for a
 * closed port turned into ECONNREFUSED on a connected socket, ICMP input
 * (truncated, bad checksum, errors quoting too little), echo replies, the
 * ICMP rate limit, and ping sockets.
 *
 * Stubs: kmalloc is malloc; loopback's queue is a list the test pumps
 * into ip_input (netd's job); the socket layer is the proto_ops udp.c
 * registers, called directly with kernel buffers; sleeping never happens
 * (sock_wait answers -EAGAIN when the condition is false). */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mm/kmalloc.h>
#include <net/net.h>
#include <net/socket.h>
#include <proc.h>
#include <uapi/errno.h>

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}

static uint64_t now_ns = 1000000000;
uint64_t time_ns(void)
{
	return now_ns;
}
void net_timer_arm(struct net_timer *t, uint64_t at)
{
	t->expires = at;
}
void net_timer_cancel(struct net_timer *t)
{
	t->expires = 0;
}

struct mutex net_lock;
static int lock_depth, lock_errors;
void mutex_lock(struct mutex *m)
{
	(void)m;
	if (lock_depth++)
		lock_errors++;
}
void mutex_unlock(struct mutex *m)
{
	(void)m;
	if (--lock_depth)
		lock_errors++;
}

static const struct proto_ops *udp_ops_seen;
int sock_register(const struct proto_ops *ops)
{
	if (ops->type == SOCK_DGRAM)
		udp_ops_seen = ops;
	return 0;
}
int sock_wait(struct socket *s, bool nonblock, uint64_t deadline_ns,
	      bool (*cond)(struct socket *s, void *arg), void *arg)
{
	(void)nonblock, (void)deadline_ns;
	return cond(s, arg) ? 0 : -EAGAIN;
}
static int wakes;
void wait_queue_wake_all(struct wait_queue *wq)
{
	(void)wq;
	wakes++;
}
static struct process me;
struct process *proc_current(void)
{
	return &me;
}
int random_fill(void *buf, size_t n)
{
	memset(buf, 0x5a, n);
	return 0;
}
size_t __uaccess_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}

static LIST_HEAD(lo_out);
/* Loopback marks what the stack sent as needing no verification; the
 * tests feed crafted packets through it, so they are verified here as if
 * they came from a wire (lo_csum_ok records the mark). */
static bool lo_csum_ok;
void net_rx_enqueue(struct netif *dev, struct netbuf *nb)
{
	lo_csum_ok = nb->csum_ok;
	nb->csum_ok = false;
	nb->dev = dev;
	list_add_tail(&nb->link, &lo_out);
}

#include "unit_rename_lib.h"
#include "../../lib/string.c"
#include "../../net/core.c"
#include "../../net/icmp.c"
#include "../../net/ipv4.c"
#include "../../net/netif.c"
#include "../../net/udp.c"
#include "../../net/udp_input.c"
#include "unit_unrename_lib.h"

#undef CHECK
#define CHECK(name, cond, ...)                                                 \
	((cond) ? unit_pass(name)                                              \
		: unit_fail(name, __FILE__, __LINE__, __VA_ARGS__))

/* netd's part: everything loopback sent goes through ip_input. */
static int pump(void)
{
	int n = 0;
	while (!list_empty(&lo_out)) {
		struct netbuf *nb =
		    list_first_entry(&lo_out, struct netbuf, link);
		list_del(&nb->link);
		ip_input(nb);
		n++;
	}
	return n;
}

static struct socket *mksock(int proto)
{
	struct socket *s = calloc(1, sizeof(*s));
	s->rcvbuf = 212992;
	list_init(&s->wq.waiters);
	if (udp_ops_seen->create(s, proto)) {
		free(s);
		return NULL;
	}
	return s;
}
static void rmsock(struct socket *s)
{
	udp_ops_seen->release(s);
	free(s);
}

static struct sockaddr_storage_k mksin(uint32_t addr, uint16_t port)
{
	struct sockaddr_storage_k a;
	memset(&a, 0, sizeof(a));
	fill_sin(&a, addr, port);
	return a;
}

static uint16_t port_of(struct socket *s)
{
	struct sockaddr_storage_k a;
	uint32_t l = sizeof(a);
	udp_ops_seen->getname(s, &a, &l, false);
	return net_ntohs(((struct sockaddr_in_k *)&a)->sin_port);
}

static long recv1(struct socket *s, char *buf, size_t n, int flags)
{
	struct sockaddr_storage_k a;
	struct sock_msg m = {
	    .addr = &a, .addrlen = sizeof(a), .flags = flags, .nonblock = true};
	return udp_ops_seen->recvmsg(s, buf, n, &m);
}

/* A UDP datagram to 127.0.0.1:dport, as IPv4 hands it to udp_input. */
static struct netbuf *mkudp(uint16_t sport, uint16_t dport, const void *p,
			    size_t n, bool csum)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, UDP_HDR + n);
	struct udphdr *uh = (struct udphdr *)nb->data;
	uh->sport = net_htons(sport);
	uh->dport = net_htons(dport);
	uh->len = net_htons((uint16_t)(UDP_HDR + n));
	uh->check = 0;
	memcpy(uh + 1, p, n);
	if (csum) {
		uint32_t s =
		    net_csum_pseudo(INADDR_LOOPBACK, INADDR_LOOPBACK,
				    IPPROTO_UDP, (uint16_t)(UDP_HDR + n));
		uint16_t c = net_csum_fold(net_csum_add(s, uh, UDP_HDR + n));
		uh->check = net_htons(c ? c : 0xffff);
	}
	/* Through ip_output so the IP header is real (ICMP quotes it). */
	return nb;
}

static void send_raw_udp(struct netbuf *nb)
{
	ip_output(nb, INADDR_LOOPBACK, INADDR_LOOPBACK, IPPROTO_UDP, 0);
	pump();
}

static void t_input(void)
{
	struct socket *s = mksock(0);
	struct sockaddr_storage_k a = mksin(INADDR_LOOPBACK, 5000);
	CHECK("udp.bind",
	      udp_ops_seen->bind(s, &a, sizeof(struct sockaddr_in_k)) == 0,
	      "failed");
	char buf[64];

	send_raw_udp(mkudp(1, 5000, "good", 4, true));
	long n = recv1(s, buf, sizeof(buf), 0);
	CHECK("udp.valid_checksum", n == 4 && !memcmp(buf, "good", 4),
	      "ret %ld", n);
	CHECK("udp.loopback_marks_csum_ok", lo_csum_ok, "not marked");
	send_raw_udp(mkudp(1, 5000, "none", 4, false));
	n = recv1(s, buf, sizeof(buf), 0);
	CHECK("udp.no_checksum_accepted", n == 4, "ret %ld", n);

	memset(&udp_stats, 0, sizeof(udp_stats));
	struct netbuf *nb = mkudp(1, 5000, "bad!", 4, true);
	nb->data[8] ^= 0xff;
	send_raw_udp(nb);
	CHECK("udp.bad_checksum",
	      recv1(s, buf, sizeof(buf), 0) == -EAGAIN &&
		  udp_stats.in_csum_errors == 1,
	      "csum errors %lu", (unsigned long)udp_stats.in_csum_errors);

	/* Length field: below the header, beyond the packet. */
	nb = mkudp(1, 5000, "len", 3, false);
	((struct udphdr *)nb->data)->len = net_htons(7);
	send_raw_udp(nb);
	nb = mkudp(1, 5000, "len", 3, false);
	((struct udphdr *)nb->data)->len = net_htons(12);
	send_raw_udp(nb);
	/* A packet shorter than a UDP header. */
	nb = netbuf_alloc(NET_HEADROOM, 5);
	memset(nb->data, 0, 5);
	send_raw_udp(nb);
	CHECK("udp.bad_lengths",
	      recv1(s, buf, sizeof(buf), 0) == -EAGAIN &&
		  udp_stats.in_errors == 4,
	      "in_errors %lu", (unsigned long)udp_stats.in_errors);
	/* A length shorter than the packet: the rest is padding. */
	nb = mkudp(1, 5000, "abcdef", 6, false);
	((struct udphdr *)nb->data)->len = net_htons(UDP_HDR + 2);
	send_raw_udp(nb);
	n = recv1(s, buf, sizeof(buf), 0);
	CHECK("udp.short_length_trims", n == 2 && !memcmp(buf, "ab", 2),
	      "ret %ld", n);

	/* MSG_TRUNC and MSG_PEEK on the kernel side. */
	send_raw_udp(mkudp(1, 5000, "0123456789", 10, true));
	n = recv1(s, buf, 4, MSG_PEEK);
	long t = recv1(s, buf, 4, MSG_TRUNC);
	CHECK("udp.peek_trunc",
	      n == 4 && t == 10 && recv1(s, buf, 1, 0) == -EAGAIN,
	      "peek %ld trunc %ld", n, t);

	/* SO_RCVBUF: the queue stops growing; drops are counted. */
	s->rcvbuf = 4096;
	memset(&udp_stats, 0, sizeof(udp_stats));
	static char big[1000];
	for (int i = 0; i < 100; i++)
		send_raw_udp(mkudp(1, 5000, big, sizeof(big), true));
	struct dgram_sock *ds = s->sk;
	int q = 0;
	while (recv1(s, buf, sizeof(buf), 0) > 0)
		q++;
	CHECK("udp.rcvbuf_bound",
	      q > 0 && q < 10 && ds->drops == 100 - (uint64_t)q &&
		  udp_stats.rcvbuf_errors == 100 - (uint64_t)q && ds->rmem == 0,
	      "queued %d drops %lu", q, (unsigned long)ds->drops);
	rmsock(s);
}

static void t_unreach(void)
{
	struct socket *a = mksock(0), *b = mksock(0);
	struct sockaddr_storage_k la = mksin(INADDR_LOOPBACK, 6000),
				  lb = mksin(INADDR_LOOPBACK, 6001);
	udp_ops_seen->bind(a, &la, sizeof(struct sockaddr_in_k));
	udp_ops_seen->bind(b, &lb, sizeof(struct sockaddr_in_k));
	udp_ops_seen->connect(a, &lb, sizeof(struct sockaddr_in_k), false);
	rmsock(b); /* 6001 is closed now */
	memset(&icmp_stats, 0, sizeof(icmp_stats));
	memset(&udp_stats, 0, sizeof(udp_stats));
	struct sock_msg m = {.nonblock = true};
	long n = udp_ops_seen->sendmsg(a, "x", 1, &m);
	pump();
	char buf[8];
	long r = recv1(a, buf, sizeof(buf), 0);
	CHECK("udp.port_unreach_econnrefused",
	      n == 1 && r == -ECONNREFUSED && udp_stats.no_ports == 1 &&
		  icmp_stats.out_dest_unreachs == 1,
	      "send %ld recv %ld no_ports %lu", n, r,
	      (unsigned long)udp_stats.no_ports);
	CHECK("udp.error_once", recv1(a, buf, sizeof(buf), 0) == -EAGAIN,
	      "again");

	/* An unconnected socket hears nothing of it. */
	struct socket *c = mksock(0);
	struct sockaddr_storage_k to = mksin(INADDR_LOOPBACK, 6001);
	m.addr = &to;
	m.addrlen = sizeof(struct sockaddr_in_k);
	now_ns += NSEC_PER_SEC;
	udp_ops_seen->sendmsg(c, "x", 1, &m);
	pump();
	CHECK("udp.unconnected_no_error",
	      recv1(c, buf, sizeof(buf), 0) == -EAGAIN, "error reported");

	/* The rate limit: a burst, then nothing until time passes. */
	memset(&icmp_stats, 0, sizeof(icmp_stats));
	now_ns += NSEC_PER_SEC;
	for (int i = 0; i < 200; i++) {
		udp_ops_seen->sendmsg(c, "x", 1, &m);
		pump();
	}
	CHECK("icmp.ratelimit",
	      icmp_stats.out_dest_unreachs == ICMP_BURST &&
		  icmp_stats.ratelimited == 200 - ICMP_BURST,
	      "sent %lu", (unsigned long)icmp_stats.out_dest_unreachs);
	rmsock(a);
	rmsock(c);
}

/* An ICMP message from 127.0.0.1 to us, checksummed. */
static void send_icmp(const uint8_t *p, size_t n, bool fix)
{
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, n);
	memcpy(nb->data, p, n);
	if (fix && n >= 4) {
		nb->data[2] = nb->data[3] = 0;
		uint16_t c = net_csum_fold(net_csum_add(0, nb->data, n));
		nb->data[2] = (uint8_t)(c >> 8);
		nb->data[3] = (uint8_t)c;
	}
	ip_output(nb, INADDR_LOOPBACK, INADDR_LOOPBACK, IPPROTO_ICMP, 0);
	pump();
}

static void t_icmp(void)
{
	memset(&icmp_stats, 0, sizeof(icmp_stats));
	uint8_t p[64] = {ICMP_ECHO, 0};
	send_icmp(p, 3, true); /* shorter than a header */
	send_icmp(p, 16, false);
	p[2] = 0x12;
	send_icmp(p, 16, false); /* bad checksum */
	CHECK("icmp.malformed_dropped",
	      icmp_stats.in_errors == 3 && icmp_stats.out_echo_reps == 0,
	      "errors %lu", (unsigned long)icmp_stats.in_errors);
	send_icmp(p, 16, true);
	CHECK("icmp.echo_replied",
	      icmp_stats.in_echos == 1 && icmp_stats.out_echo_reps == 1 &&
		  icmp_stats.in_msgs == 5,
	      "replies %lu", (unsigned long)icmp_stats.out_echo_reps);

	/* Errors quoting less than an IP header + 8, or a bad header. */
	struct socket *a = mksock(0);
	struct sockaddr_storage_k peer = mksin(INADDR_LOOPBACK, 7001);
	udp_ops_seen->connect(a, &peer, sizeof(struct sockaddr_in_k), false);
	uint16_t pa = port_of(a);
	uint8_t e[8 + 28] = {ICMP_DEST_UNREACH, ICMP_UNREACH_PORT};
	uint8_t *q = e + 8;
	q[0] = 0x45;
	q[9] = IPPROTO_UDP;
	q[12] = q[16] = 127;
	q[15] = q[19] = 1;
	q[20] = (uint8_t)(pa >> 8);
	q[21] = (uint8_t)pa;
	q[22] = 7001 >> 8;
	q[23] = 7001 & 0xff;
	memset(&icmp_stats, 0, sizeof(icmp_stats));
	send_icmp(e, 8 + 27, true);
	q[0] = 0x4f;
	send_icmp(e, 8 + 28, true);
	q[0] = 0x55;
	send_icmp(e, 8 + 28, true);
	char buf[4];
	CHECK("icmp.short_quote_ignored",
	      recv1(a, buf, 4, 0) == -EAGAIN && icmp_stats.in_errors == 3,
	      "errors %lu", (unsigned long)icmp_stats.in_errors);
	q[0] = 0x45;
	send_icmp(e, 8 + 28, true);
	CHECK("icmp.error_to_udp", recv1(a, buf, 4, 0) == -ECONNREFUSED,
	      "not delivered");
	rmsock(a);

	/* Ping sockets: the request goes out with the socket's id and a
	 * checksum, the reply comes back to it with the header. */
	struct socket *ps = mksock(IPPROTO_ICMP);
	struct sockaddr_storage_k to = mksin(INADDR_LOOPBACK, 0);
	struct sock_msg m = {.addr = &to,
			     .addrlen = sizeof(struct sockaddr_in_k)};
	uint8_t req[12] = {ICMP_ECHO, 0, 0, 0, 0, 0, 0, 9, 'p', 'i', 'n', 'g'};
	long n = udp_ops_seen->sendmsg(ps, (char *)req, sizeof(req), &m);
	pump();
	uint8_t rep[32];
	long r = recv1(ps, (char *)rep, sizeof(rep), 0);
	CHECK("ping.reply",
	      n == 12 && r == 12 && rep[0] == ICMP_ECHOREPLY &&
		  ((rep[4] << 8) | rep[5]) == port_of(ps) && rep[7] == 9 &&
		  !memcmp(rep + 8, "ping", 4),
	      "send %ld recv %ld", n, r);
	req[0] = ICMP_ECHOREPLY;
	CHECK("ping.only_requests",
	      udp_ops_seen->sendmsg(ps, (char *)req, sizeof(req), &m) ==
		      -EINVAL &&
		  udp_ops_seen->sendmsg(ps, (char *)req, 7, &m) == -EINVAL,
	      "accepted");
	rmsock(ps);
}

static void t_ports(void)
{
	struct socket *a = mksock(0), *b = mksock(0);
	struct sockaddr_storage_k any = mksin(0, 0);
	udp_ops_seen->bind(a, &any, sizeof(struct sockaddr_in_k));
	struct sockaddr_storage_k same = mksin(INADDR_LOOPBACK, port_of(a));
	CHECK("port.ephemeral_range",
	      port_of(a) >= 32768 && port_of(a) <= 60999, "port %u",
	      port_of(a));
	CHECK("port.in_use",
	      udp_ops_seen->bind(b, &same, sizeof(struct sockaddr_in_k)) ==
		  -EADDRINUSE,
	      "bound");
	me.euid = 1000;
	struct sockaddr_storage_k low = mksin(0, 80);
	CHECK("port.privileged",
	      udp_ops_seen->bind(b, &low, sizeof(struct sockaddr_in_k)) ==
		  -EACCES,
	      "bound");
	me.euid = 0;
	CHECK("port.short_addr", udp_ops_seen->bind(b, &low, 8) == -EINVAL,
	      "accepted");
	rmsock(a);
	rmsock(b);
}

/* A broadcast reaches every socket on the port (a copy each), and a
 * closed port gets no ICMP answer. */
static void t_broadcast(void)
{
	static struct netif eth = {.name = "eth0",
				   .flags = IFF_UP | IFF_BROADCAST,
				   .mtu = 1500,
				   .addr = 0x0a000205,
				   .netmask = 0xffffff00};
	netif_register(&eth);
	struct socket *a = mksock(0), *b = mksock(0), *c = mksock(0);
	a->reuseaddr = b->reuseaddr = true;
	struct sockaddr_storage_k any = mksin(0, 6700),
				  mine = mksin(0x0a000205, 6700),
				  other = mksin(0, 6701);
	udp_ops_seen->bind(a, &any, sizeof(struct sockaddr_in_k));
	udp_ops_seen->bind(b, &any, sizeof(struct sockaddr_in_k));
	udp_ops_seen->bind(c, &other, sizeof(struct sockaddr_in_k));
	(void)mine;
	memset(&udp_stats, 0, sizeof(udp_stats));
	memset(&icmp_stats, 0, sizeof(icmp_stats));
	for (int i = 0; i < 2; i++) {
		/* To 255.255.255.255, then to the subnet's 10.0.2.255. */
		struct netbuf *nb = netbuf_alloc(NET_HEADROOM, UDP_HDR + 2);
		struct udphdr *uh = (struct udphdr *)nb->data;
		uh->sport = net_htons(68);
		uh->dport = net_htons(6700);
		uh->len = net_htons(UDP_HDR + 2);
		uh->check = 0;
		memcpy(uh + 1, "bc", 2);
		struct iphdr *h = netbuf_push(nb, 20);
		ip_fill(h, nb->len, 1, 0, 64, IPPROTO_UDP, 0x0a000201,
			i ? 0x0a0002ff : INADDR_BROADCAST);
		nb->dev = &eth;
		ip_input(nb);
	}
	char buf[4];
	long ra = recv1(a, buf, 4, 0), rb = recv1(b, buf, 4, 0);
	long ra2 = recv1(a, buf, 4, 0), rb2 = recv1(b, buf, 4, 0);
	CHECK("udp.broadcast_to_all",
	      ra == 2 && rb == 2 && ra2 == 2 && rb2 == 2 &&
		  recv1(c, buf, 4, 0) == -EAGAIN && udp_stats.in_datagrams == 4,
	      "a %ld %ld b %ld %ld", ra, ra2, rb, rb2);
	rmsock(a);
	rmsock(b);
	struct netbuf *nb = netbuf_alloc(NET_HEADROOM, UDP_HDR);
	struct udphdr *uh = (struct udphdr *)nb->data;
	uh->sport = net_htons(68);
	uh->dport = net_htons(6700);
	uh->len = net_htons(UDP_HDR);
	uh->check = 0;
	ip_fill(netbuf_push(nb, 20), 28, 2, 0, 64, IPPROTO_UDP, 0x0a000201,
		INADDR_BROADCAST);
	nb->dev = &eth;
	ip_input(nb);
	CHECK("udp.broadcast_closed_no_icmp",
	      udp_stats.no_ports == 1 && icmp_stats.out_msgs == 0,
	      "no_ports %lu icmp %lu", (unsigned long)udp_stats.no_ports,
	      (unsigned long)icmp_stats.out_msgs);
	rmsock(c);
	list_del(&eth.link);
}

int main(void)
{
	netif_loopback_init();
	udp_init();
	t_input();
	t_unreach();
	t_icmp();
	t_ports();
	t_broadcast();
	CHECK("lock.balanced", lock_errors == 0 && lock_depth == 0,
	      "errors %d depth %d", lock_errors, lock_depth);
	return unit_done();
}
