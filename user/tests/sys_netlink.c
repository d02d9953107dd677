/* rtnetlink (AF_NETLINK, NETLINK_ROUTE): ports and names, dumps of links,
 * addresses and routes (lo: name, flags, MTU, 127.0.0.1/8), a single
 * RTM_GETLINK, acknowledgements and errors as NLMSG_ERROR, malformed
 * requests, EPERM for a user, a dump read in parts with MSG_PEEK/
 * MSG_TRUNC, ENOBUFS from a bounded queue, poll; as root on Limen also
 * changes: an address on lo, routes, lo's MTU. Runs on Linux too: there
 * nothing is changed (the changes run only where uname says limen). */
#include <net/if.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "check.h"

/* Linux's uapi (musl has no kernel headers). */
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif
#define NETLINK_ROUTE 0
struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	uint32_t nl_pid, nl_groups;
};
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};
struct ifinfomsg {
	unsigned char ifi_family, ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};
struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};
struct rtmsg {
	unsigned char rtm_family, rtm_dst_len, rtm_src_len, rtm_tos;
	unsigned char rtm_table, rtm_protocol, rtm_scope, rtm_type;
	unsigned rtm_flags;
};
#define NLM_F_REQUEST 1
#define NLM_F_MULTI 2
#define NLM_F_ACK 4
#define NLM_F_DUMP 0x300
#define NLM_F_EXCL 0x200
#define NLM_F_CREATE 0x400
#define NLM_F_CAPPED 0x100
#define NLMSG_NOOP 1
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_STATS64 23
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define A4(x) (((x) + 3u) & ~3u)

static bool limen;
static ssize_t max_part; /* the longest datagram dump() read */
static uint32_t seqno = 1000;

static int nl_open(uint32_t *port)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	socklen_t l = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &l))
		return -1;
	if (port)
		*port = sa.nl_pid;
	return fd;
}

/* A request being built. */
struct req {
	union {
		struct nlmsghdr h;
		char buf[512];
	};
};

static void req_init(struct req *r, uint16_t type, uint16_t flags,
		     const void *hdr, size_t hl)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = A4(16 + hl);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	r->h.nlmsg_seq = ++seqno;
	memcpy(r->buf + 16, hdr, hl);
}

static void req_attr(struct req *r, uint16_t type, const void *d, size_t n)
{
	struct rtattr *a = (struct rtattr *)(r->buf + r->h.nlmsg_len);
	a->rta_len = 4 + n;
	a->rta_type = type;
	memcpy(a + 1, d, n);
	r->h.nlmsg_len += A4(4 + n);
}

static int nl_send(int fd, const void *buf, size_t n)
{
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	return sendto(fd, buf, n, 0, (struct sockaddr *)&k, sizeof(k)) ==
		       (ssize_t)n
		   ? 0
		   : -1;
}

/* Reads one datagram of up to cap bytes (non-blocking after 5 s). */
static ssize_t nl_read(int fd, char *buf, size_t cap, int flags)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1)
		return -1;
	return recv(fd, buf, cap, flags | MSG_DONTWAIT);
}

/* Sends r and reads the reply to it: the NLMSG_ERROR's error (0: ack),
 * 1 when the first reply was something else (copied to out), -1000 on
 * no answer. */
static int talk(int fd, struct req *r, char *out, size_t cap)
{
	static char buf[8192];
	if (nl_send(fd, r->buf, r->h.nlmsg_len))
		return -1000;
	for (;;) {
		ssize_t n = nl_read(fd, buf, sizeof(buf), 0);
		if (n < 16)
			return -1000;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		if (h->nlmsg_seq != r->h.nlmsg_seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)(h + 1))->error;
		if (out)
			memcpy(out, buf, (size_t)n < cap ? (size_t)n : cap);
		return 1;
	}
}

/* A whole dump into out (messages back to back); returns the bytes, -1
 * on error. *parts counts datagrams; peek: each read sized by MSG_PEEK |
 * MSG_TRUNC first, else reads of cap bytes. */
static long dump(int fd, uint16_t type, uint8_t family, char *out,
		 size_t outcap, size_t cap, bool peek, int *parts, bool *done)
{
	struct req r;
	req_init(&r, type, NLM_F_REQUEST | NLM_F_DUMP, &family, 1);
	*parts = 0;
	*done = false;
	if (nl_send(fd, r.buf, r.h.nlmsg_len))
		return -1;
	long len = 0;
	char *buf = malloc(65536);
	while (!*done) {
		size_t want = cap;
		if (peek) {
			char tiny[16];
			ssize_t n = nl_read(fd, tiny, sizeof(tiny),
					    MSG_PEEK | MSG_TRUNC);
			if (n <= 0 || n > 65536)
				break;
			want = (size_t)n;
		}
		ssize_t n = nl_read(fd, buf, want, 0);
		if (n <= 0)
			break;
		(*parts)++;
		if (n > max_part)
			max_part = n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     (char *)h + 16 <= buf + n && h->nlmsg_len >= 16 &&
		     (char *)h + h->nlmsg_len <= buf + n;
		     h = (struct nlmsghdr *)((char *)h + A4(h->nlmsg_len))) {
			if (h->nlmsg_seq != r.h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				*done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR ||
			    !(h->nlmsg_flags & NLM_F_MULTI)) {
				free(buf);
				return -1;
			}
			if ((size_t)len + h->nlmsg_len <= outcap) {
				memcpy(out + len, h, h->nlmsg_len);
				len += A4(h->nlmsg_len);
			}
		}
	}
	free(buf);
	return len;
}

#define FOR_MSG(h, buf, len)                                                   \
	for (struct nlmsghdr *h = (struct nlmsghdr *)(buf);                    \
	     (char *)h < (buf) + (len);                                        \
	     h = (struct nlmsghdr *)((char *)h + A4(h->nlmsg_len)))

/* The attribute of type t in message h after a fixed header of hl bytes. */
static struct rtattr *attr(struct nlmsghdr *h, size_t hl, int t)
{
	char *p = (char *)h + 16 + A4(hl), *end = (char *)h + h->nlmsg_len;
	while (p + 4 <= end) {
		struct rtattr *a = (struct rtattr *)p;
		if (a->rta_len < 4 || p + a->rta_len > end)
			return NULL;
		if ((a->rta_type & 0x3fff) == t)
			return a;
		p += A4(a->rta_len);
	}
	return NULL;
}

static char dbuf[65536];

static void t_socket(void)
{
	uint32_t port = 0, port2 = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl sa;
	socklen_t l = sizeof(sa);
	memset(&sa, 0xff, sizeof(sa));
	int r = getsockname(fd, (struct sockaddr *)&sa, &l);
	CHECK("nl.unbound_name",
	      fd >= 0 && r == 0 && l == 12 && sa.nl_family == AF_NETLINK &&
		  sa.nl_pid == 0,
	      "fd %d r %d len %u pid %u", fd, r, l, sa.nl_pid);
	sa = (struct sockaddr_nl){.nl_family = AF_NETLINK};
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &l);
	port = sa.nl_pid;
	CHECK("nl.autobind_pid", r == 0 && port == (uint32_t)getpid(),
	      "bind %d port %u pid %d", r, port, getpid());
	int fd2 = nl_open(&port2);
	CHECK("nl.autobind_unique", fd2 >= 0 && port2 != 0 && port2 != port,
	      "port %u and %u", port, port2);
	int fd3 = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	sa = (struct sockaddr_nl){.nl_family = AF_NETLINK, .nl_pid = port};
	CHECK_ERRNO("nl.bind_in_use",
		    bind(fd3, (struct sockaddr *)&sa, sizeof(sa)), EADDRINUSE);
	CHECK_ERRNO("nl.bind_short", bind(fd3, (struct sockaddr *)&sa, 4),
		    EINVAL);
	close(fd3);
	CHECK_ERRNO("nl.protocol", socket(AF_NETLINK, SOCK_RAW, 33),
		    EPROTONOSUPPORT);
	close(fd);
	close(fd2);
}

static int lo_index(void)
{
	return (int)if_nametoindex("lo");
}

static void t_links(void)
{
	uint32_t port;
	int fd = nl_open(&port), parts;
	bool done;
	long n = dump(fd, RTM_GETLINK, AF_UNSPEC, dbuf, sizeof(dbuf), 32768,
		      false, &parts, &done);
	bool found = false, pids = true;
	FOR_MSG(h, dbuf, n)
	{
		struct ifinfomsg *ifi = (struct ifinfomsg *)(h + 1);
		pids &= h->nlmsg_pid == port && h->nlmsg_type == RTM_NEWLINK;
		struct rtattr *nm = attr(h, sizeof(*ifi), IFLA_IFNAME);
		struct rtattr *mtu = attr(h, sizeof(*ifi), IFLA_MTU);
		if (!nm || strcmp((char *)(nm + 1), "lo"))
			continue;
		found = true;
		CHECK("nl.link_lo",
		      ifi->ifi_index == lo_index() && ifi->ifi_type == 772 &&
			  (ifi->ifi_flags & (IFF_UP | IFF_LOOPBACK)) ==
			      (IFF_UP | IFF_LOOPBACK) &&
			  mtu && *(uint32_t *)(mtu + 1) == 65536 &&
			  attr(h, sizeof(*ifi), IFLA_STATS64),
		      "index %d type %u flags %#x mtu %u", ifi->ifi_index,
		      ifi->ifi_type, ifi->ifi_flags,
		      mtu ? *(uint32_t *)(mtu + 1) : 0);
	}
	CHECK("nl.link_dump", n > 0 && done && found && pids,
	      "len %ld done %d lo %d pids %d", n, done, found, pids);

	/* One interface by name: RTM_NEWLINK, then the ack asked for. */
	struct req r;
	struct ifinfomsg ifi = {0};
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	req_attr(&r, IFLA_IFNAME, "lo", 3);
	nl_send(fd, r.buf, r.h.nlmsg_len);
	ssize_t k = nl_read(fd, dbuf, sizeof(dbuf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)dbuf;
	struct ifinfomsg *got = (struct ifinfomsg *)(h + 1);
	CHECK("nl.getlink_one",
	      k > 32 && h->nlmsg_type == RTM_NEWLINK &&
		  h->nlmsg_seq == r.h.nlmsg_seq && got->ifi_index == lo_index(),
	      "read %zd type %u index %d", k, h->nlmsg_type, got->ifi_index);
	k = nl_read(fd, dbuf, sizeof(dbuf), 0);
	struct nlmsgerr *e = (struct nlmsgerr *)(h + 1);
	CHECK("nl.ack_format",
	      k == 36 && h->nlmsg_len == 36 && h->nlmsg_type == NLMSG_ERROR &&
		  (h->nlmsg_flags & NLM_F_CAPPED) && h->nlmsg_pid == port &&
		  h->nlmsg_seq == r.h.nlmsg_seq && e->error == 0 &&
		  e->msg.nlmsg_type == RTM_GETLINK &&
		  e->msg.nlmsg_len == r.h.nlmsg_len &&
		  e->msg.nlmsg_seq == r.h.nlmsg_seq,
	      "read %zd len %u type %u flags %#x error %d", k, h->nlmsg_len,
	      h->nlmsg_type, h->nlmsg_flags, e->error);

	/* An error echoes the whole request. */
	ifi.ifi_index = 99999;
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	nl_send(fd, r.buf, r.h.nlmsg_len);
	k = nl_read(fd, dbuf, sizeof(dbuf), 0);
	CHECK("nl.error_format",
	      k == (ssize_t)(20 + r.h.nlmsg_len) &&
		  h->nlmsg_type == NLMSG_ERROR && e->error == -ENODEV &&
		  !memcmp(&e->msg, r.buf, r.h.nlmsg_len),
	      "read %zd type %u error %d", k, h->nlmsg_type, e->error);
	close(fd);
}

/* lo's IPv4 address in an address dump: 1 if it is a/plen, 0 if lo has
 * none, -1 on anything else. */
static int lo_addr(int fd, uint32_t a, int plen)
{
	int parts, res = 0;
	bool done;
	long n = dump(fd, RTM_GETADDR, AF_INET, dbuf, sizeof(dbuf), 32768,
		      false, &parts, &done);
	if (n < 0 || !done)
		return -1;
	FOR_MSG(h, dbuf, n)
	{
		struct ifaddrmsg *ifa = (struct ifaddrmsg *)(h + 1);
		if ((int)ifa->ifa_index != lo_index() || ifa->ifa_family != 2)
			continue;
		struct rtattr *l = attr(h, sizeof(*ifa), IFA_LOCAL);
		struct rtattr *lb = attr(h, sizeof(*ifa), IFA_LABEL);
		if (l && *(uint32_t *)(l + 1) == htonl(a) &&
		    ifa->ifa_prefixlen == plen && lb &&
		    !strcmp((char *)(lb + 1), "lo") &&
		    attr(h, sizeof(*ifa), IFA_ADDRESS))
			return 1;
		res = -1;
	}
	return res;
}

static int addr_req(int fd, uint16_t type, uint16_t flags, uint32_t a, int plen)
{
	struct req r;
	struct ifaddrmsg ifa = {.ifa_family = 2,
				.ifa_prefixlen = (uint8_t)plen,
				.ifa_index = (uint32_t)lo_index()};
	req_init(&r, type, NLM_F_REQUEST | NLM_F_ACK | flags, &ifa,
		 sizeof(ifa));
	uint32_t na = htonl(a);
	req_attr(&r, IFA_LOCAL, &na, 4);
	req_attr(&r, IFA_ADDRESS, &na, 4);
	return talk(fd, &r, NULL, 0);
}

static void t_addrs(void)
{
	int fd = nl_open(NULL);
	CHECK("nl.addr_lo", lo_addr(fd, 0x7f000001, 8) == 1,
	      "127.0.0.1/8 not on lo");
	if (limen && getuid() == 0) {
		int r1 = addr_req(fd, RTM_DELADDR, 0, 0x7f000001, 8);
		int gone = lo_addr(fd, 0, 0);
		int r2 = addr_req(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				  0x7f000002, 8);
		int there = lo_addr(fd, 0x7f000002, 8);
		int r3 = addr_req(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				  0x7f000002, 8);
		int r4 = addr_req(fd, RTM_DELADDR, 0, 0x7f000002, 8);
		int r5 = addr_req(fd, RTM_DELADDR, 0, 0x7f000002, 8);
		int r6 = addr_req(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				  0x7f000001, 8);
		CHECK("nl.addr_change",
		      r1 == 0 && gone == 0 && r2 == 0 && there == 1 &&
			  r3 == -EEXIST && r4 == 0 && r5 == -EADDRNOTAVAIL &&
			  r6 == 0 && lo_addr(fd, 0x7f000001, 8) == 1,
		      "del %d gone %d add %d there %d again %d del %d %d "
		      "restore %d",
		      r1, gone, r2, there, r3, r4, r5, r6);
	}
	close(fd);
}

/* Whether the main table's dump has dst/len on lo. */
static int has_route(int fd, uint32_t dst, int len)
{
	int parts;
	bool done;
	long n = dump(fd, RTM_GETROUTE, AF_INET, dbuf, sizeof(dbuf), 32768,
		      false, &parts, &done);
	if (n < 0 || !done)
		return -1;
	FOR_MSG(h, dbuf, n)
	{
		struct rtmsg *rt = (struct rtmsg *)(h + 1);
		struct rtattr *d = attr(h, sizeof(*rt), RTA_DST);
		struct rtattr *o = attr(h, sizeof(*rt), RTA_OIF);
		if (h->nlmsg_type == RTM_NEWROUTE && rt->rtm_dst_len == len &&
		    d && *(uint32_t *)(d + 1) == htonl(dst) && o &&
		    *(int *)(o + 1) == lo_index())
			return 1;
	}
	return 0;
}

static int route_req(int fd, uint16_t type, uint16_t flags, uint32_t dst,
		     int len)
{
	struct req r;
	struct rtmsg rt = {.rtm_family = 2,
			   .rtm_dst_len = (uint8_t)len,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = 3,
			   .rtm_scope = 253,
			   .rtm_type = 1};
	req_init(&r, type, NLM_F_REQUEST | NLM_F_ACK | flags, &rt, sizeof(rt));
	uint32_t nd = htonl(dst);
	int oif = lo_index();
	req_attr(&r, RTA_DST, &nd, 4);
	req_attr(&r, RTA_OIF, &oif, 4);
	return talk(fd, &r, NULL, 0);
}

static void t_routes(void)
{
	int fd = nl_open(NULL), parts;
	bool done;
	long n = dump(fd, RTM_GETROUTE, AF_INET, dbuf, sizeof(dbuf), 32768,
		      false, &parts, &done);
	bool main_only = true;
	FOR_MSG(h, dbuf, n)
	{
		struct rtmsg *rt = (struct rtmsg *)(h + 1);
		struct rtattr *t = attr(h, sizeof(*rt), RTA_TABLE);
		if (rt->rtm_family == 2 && rt->rtm_table == RT_TABLE_MAIN &&
		    (!t || *(uint32_t *)(t + 1) != RT_TABLE_MAIN))
			main_only = false;
	}
	CHECK("nl.route_dump", n >= 0 && done && main_only,
	      "len %ld done %d table attrs %d", n, done, main_only);
	if (limen && getuid() == 0) {
		uint32_t net = 0x0a630000; /* 10.99.0.0/16 */
		int r1 = route_req(fd, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
				   net, 16);
		int seen = has_route(fd, net, 16);
		int r2 = route_req(fd, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
				   net, 16);
		int r3 = route_req(fd, RTM_DELROUTE, 0, net, 16);
		int gone = has_route(fd, net, 16);
		int r4 = route_req(fd, RTM_DELROUTE, 0, net, 16);
		int r5 = route_req(fd, RTM_NEWROUTE, 0, net, 16);
		int r6 = route_req(fd, RTM_NEWROUTE, NLM_F_CREATE, net | 1, 16);
		CHECK("nl.route_change",
		      r1 == 0 && seen == 1 && r2 == -EEXIST && r3 == 0 &&
			  gone == 0 && r4 == -ESRCH && r5 == -ENOENT &&
			  r6 == -EINVAL,
		      "add %d seen %d again %d del %d gone %d del %d "
		      "nocreate %d hostbits %d",
		      r1, seen, r2, r3, gone, r4, r5, r6);

		/* MTU through RTM_NEWLINK, read back with RTM_GETLINK. */
		struct req r;
		struct ifinfomsg ifi = {.ifi_index = lo_index()};
		uint32_t mtu = 16000;
		req_init(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi,
			 sizeof(ifi));
		req_attr(&r, IFLA_MTU, &mtu, 4);
		int m1 = talk(fd, &r, NULL, 0);
		req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
		static char one[4096];
		int g = talk(fd, &r, one, sizeof(one));
		struct rtattr *a =
		    attr((struct nlmsghdr *)one, sizeof(ifi), IFLA_MTU);
		uint32_t got = a ? *(uint32_t *)(a + 1) : 0;
		/* Only the MTU changed: lo is still up. */
		unsigned flags =
		    ((struct ifinfomsg *)(one + 16))->ifi_flags & IFF_UP;
		mtu = 10;
		req_init(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi,
			 sizeof(ifi));
		req_attr(&r, IFLA_MTU, &mtu, 4);
		int m2 = talk(fd, &r, NULL, 0);
		mtu = 65536;
		req_init(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi,
			 sizeof(ifi));
		req_attr(&r, IFLA_MTU, &mtu, 4);
		int m3 = talk(fd, &r, NULL, 0);
		CHECK("nl.link_mtu",
		      m1 == 0 && g == 1 && got == 16000 && flags &&
			  m2 == -EINVAL && m3 == 0,
		      "set %d get %d mtu %u up %u bad %d restore %d", m1, g,
		      got, flags, m2, m3);
	}
	close(fd);
}

static void t_malformed(void)
{
	int fd = nl_open(NULL);
	struct req r;
	struct ifinfomsg ifi = {0};
	/* Shorter than the ifinfomsg a single RTM_GETLINK needs. */
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, 4);
	CHECK("nl.short_payload_einval", talk(fd, &r, NULL, 0) == -EINVAL,
	      "not EINVAL");
	/* No interface named: EINVAL too. */
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
	CHECK("nl.no_ifindex_einval", talk(fd, &r, NULL, 0) == -EINVAL,
	      "not EINVAL");
	/* nlmsg_len below the header, or past what was sent: dropped
	 * without a reply; the ack of the next request comes first. */
	struct nlmsghdr bad[2] = {{.nlmsg_len = 8,
				   .nlmsg_type = NLMSG_NOOP,
				   .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				   .nlmsg_seq = 1},
				  {0}};
	nl_send(fd, bad, sizeof(bad));
	bad[0].nlmsg_len = 200;
	nl_send(fd, bad, sizeof(bad));
	req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, &ifi, 0);
	CHECK("nl.bad_len_dropped", talk(fd, &r, NULL, 0) == 0,
	      "the noop was not acked first");
	/* No NLM_F_REQUEST: only acknowledged. */
	req_init(&r, RTM_NEWADDR, NLM_F_ACK, &ifi, sizeof(ifi));
	CHECK("nl.not_request_acked", talk(fd, &r, NULL, 0) == 0,
	      "not acked with 0");
	if (limen) {
		/* An attribute running past the message (Linux's lenient
		 * parser ignores the rest). */
		req_init(&r, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof(ifi));
		req_attr(&r, IFLA_IFNAME, "lo", 3);
		((struct rtattr *)(r.buf + 32))->rta_len = 200;
		CHECK("nl.attr_overrun_einval",
		      talk(fd, &r, NULL, 0) == -EINVAL, "not EINVAL");
		req_init(&r, 0x70, NLM_F_REQUEST, &ifi, sizeof(ifi));
		CHECK("nl.unknown_type", talk(fd, &r, NULL, 0) == -EOPNOTSUPP,
		      "not EOPNOTSUPP");
		/* A wrong-sized attribute. */
		req_init(&r, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &ifi, 0);
		r.h.nlmsg_len = 16;
		CHECK("nl.dump_no_family_einval",
		      talk(fd, &r, NULL, 0) == -EINVAL, "not EINVAL");
	}
	close(fd);
}

/* A user may read but not change: EPERM (Linux: CAP_NET_ADMIN). */
static void t_eperm(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534))
			_exit(2);
		int fd = nl_open(NULL);
		int a = addr_req(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				 0x0a090909, 32);
		int b =
		    route_req(fd, RTM_NEWROUTE, NLM_F_CREATE, 0x0a090000, 16);
		int c = lo_addr(fd, 0x7f000001, 8);
		_exit(a == -EPERM && b == -EPERM && c == 1 ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK("nl.user_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
}

/* Reading in parts: MSG_PEEK|MSG_TRUNC sizes each datagram, a short
 * buffer gets MSG_TRUNC. */
static void t_parts(void)
{
	int fd = nl_open(NULL), parts;
	bool done;
	long n = dump(fd, RTM_GETLINK, AF_UNSPEC, dbuf, sizeof(dbuf), 0, true,
		      &parts, &done);
	CHECK("nl.dump_peek_parts", n > 0 && done && parts >= 2,
	      "len %ld done %d parts %d", n, done, parts);

	struct req r;
	uint8_t fam = 0;
	req_init(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	nl_send(fd, r.buf, r.h.nlmsg_len);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int pr = poll(&p, 1, 5000);
	char small[40];
	struct iovec iov = {small, sizeof(small)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t k = recvmsg(fd, &mh, MSG_DONTWAIT);
	CHECK("nl.short_read_trunc",
	      pr == 1 && k == (ssize_t)sizeof(small) &&
		  (mh.msg_flags & MSG_TRUNC),
	      "poll %d read %zd flags %#x", pr, k, mh.msg_flags);
	/* The dump goes on after the cut datagram. */
	while (nl_read(fd, dbuf, sizeof(dbuf), 0) > 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)dbuf;
		if (h->nlmsg_type == NLMSG_DONE)
			break;
	}
	p.revents = 0;
	CHECK("nl.poll_drained", poll(&p, 1, 0) == 0, "still readable");

	if (limen && getuid() == 0) {
		/* Twenty routes read through a 200-byte buffer: every part
		 * whole, the dump continued over many reads. */
		for (int i = 0; i < 20; i++)
			route_req(fd, RTM_NEWROUTE, NLM_F_CREATE,
				  0x0a640000 | (i << 8), 24);
		max_part = 0;
		n = dump(fd, RTM_GETROUTE, AF_INET, dbuf, sizeof(dbuf), 200,
			 false, &parts, &done);
		int seen = 0;
		FOR_MSG(h, dbuf, n)
		{
			struct rtmsg *rt = (struct rtmsg *)(h + 1);
			struct rtattr *d = attr(h, sizeof(*rt), RTA_DST);
			if (d && (ntohl(*(uint32_t *)(d + 1)) & 0xffff0000) ==
				     0x0a640000)
				seen++;
		}
		for (int i = 0; i < 20; i++)
			route_req(fd, RTM_DELROUTE, 0, 0x0a640000 | (i << 8),
				  24);
		/* Route messages are 52 bytes: three a part. */
		CHECK("nl.dump_continues",
		      done && seen == 20 && parts >= 8 && max_part <= 200,
		      "done %d routes %d parts %d longest %zd", done, seen,
		      parts, max_part);
	}
	close(fd);
}

/* Requests nobody reads the answers of: the queue stops at SO_RCVBUF,
 * the reader sees ENOBUFS, and the socket works on. */
static void t_enobufs(void)
{
	int fd = nl_open(NULL);
	static struct nlmsghdr noops[1000];
	for (int i = 0; i < 1000; i++)
		noops[i] =
		    (struct nlmsghdr){.nlmsg_len = 16,
				      .nlmsg_type = NLMSG_NOOP,
				      .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				      .nlmsg_seq = (uint32_t)i};
	int sent = 0;
	for (int i = 0; i < 5; i++)
		sent += nl_send(fd, noops, sizeof(noops)) == 0;
	int acks = 0, enobufs = 0;
	char buf[256];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			enobufs++;
			continue;
		}
		if (n <= 0)
			break;
		acks++;
	}
	CHECK("nl.enobufs",
	      sent == 5 && enobufs == 1 && acks > 10 && acks < 5000,
	      "sent %d enobufs %d acks %d", sent, enobufs, acks);
	struct req r;
	req_init(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, buf, 0);
	CHECK("nl.after_enobufs", talk(fd, &r, NULL, 0) == 0, "no ack");
	close(fd);
}

int main(void)
{
	struct utsname u;
	limen = uname(&u) == 0 && strstr(u.release, "limen");
	t_socket();
	t_links();
	t_addrs();
	t_routes();
	t_malformed();
	t_eperm();
	t_parts();
	t_enobufs();
	return check_summary("sys_netlink");
}
