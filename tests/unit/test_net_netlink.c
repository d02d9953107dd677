/* Host tests of netlink and rtnetlink (net/netlink.c, net/rtnetlink.c,
 * with net/devinet.c's configuration helpers, included directly, over a
 * fake lo and eth0): well-formed replies, dumps in parts of the reader's
 * size, the bounded queue under a flood, and 20000 mutated requests
 * (lengths, attributes, flags), each reply checked, under ASan. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/core.c"
#include "../../net/devinet.c"
#include "../../net/netlink.c"
#include "../../net/rtnetlink.c"

/* ---- shims --------------------------------------------------------------- */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}
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
void wait_queue_wake_all(struct wait_queue *wq)
{
	(void)wq;
}
struct mutex net_lock;
void mutex_lock(struct mutex *m)
{
	(void)m;
}
void mutex_unlock(struct mutex *m)
{
	(void)m;
}
int sock_register(const struct proto_ops *ops)
{
	(void)ops;
	return 0;
}
int sock_wait(struct socket *s, bool nonblock, uint64_t deadline_ns,
	      bool (*cond)(struct socket *s, void *arg), void *arg)
{
	(void)s, (void)nonblock, (void)deadline_ns, (void)cond, (void)arg;
	return -EAGAIN;
}
LIST_HEAD(netif_list);
struct netif *netif_by_name(const char *name)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}
struct netif *netif_by_index(int index)
{
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if (d->index == index)
			return d;
	}
	return NULL;
}
void arp_flush(struct netif *dev)
{
	(void)dev;
}
int arp_get(unsigned i, struct arp_info *out)
{
	if (i >= 4)
		return -ENOENT;
	if (i != 1)
		return 0;
	*out = (struct arp_info){.dev = netif_by_index(2),
				 .ip = 0x0a000202,
				 .mac = {0x52, 0x55, 10, 0, 2, 2},
				 .resolved = true};
	return 1;
}
static struct ip_route routes[IP_ROUTES_MAX];
static int nroutes;
int ip_route_add(const struct ip_route *r)
{
	if (r->dst & ~r->mask)
		return -EINVAL;
	for (int i = 0; i < nroutes; i++)
		if (routes[i].dst == r->dst && routes[i].mask == r->mask &&
		    routes[i].metric == r->metric)
			return -EEXIST;
	if (nroutes == IP_ROUTES_MAX)
		return -ENOSPC;
	routes[nroutes++] = *r;
	return 0;
}
int ip_route_del(uint32_t dst, uint32_t mask)
{
	for (int i = 0; i < nroutes; i++)
		if (routes[i].dst == dst && routes[i].mask == mask) {
			routes[i] = routes[--nroutes];
			return 0;
		}
	return -ESRCH;
}
int ip_route_get(int i, struct ip_route *out)
{
	if (i < 0 || i >= nroutes)
		return -ENOENT;
	*out = routes[i];
	return 0;
}
static struct process me = {.pid = 42};
struct process *proc_current(void)
{
	return &me;
}
size_t __uaccess_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}
long __uaccess_strncpy(char *dst, const char *src, size_t max)
{
	size_t i;
	for (i = 0; i < max; i++) {
		dst[i] = src[i];
		if (!src[i])
			return (long)i;
	}
	return (long)max;
}

/* ---- the world ---------------------------------------------------------- */
static struct netif lo = {.name = "lo",
			  .index = 1,
			  .flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING,
			  .mtu = 65536,
			  .addr = 0x7f000001,
			  .netmask = 0xff000000};
static struct netif eth = {.name = "eth0",
			   .index = 2,
			   .flags = IFF_BROADCAST | IFF_MULTICAST,
			   .mtu = 1500,
			   .mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56}};
static struct socket sock = {.rcvbuf = 212992, .sndbuf = 212992};

static long snd(const void *buf, size_t n)
{
	struct sock_msg m = {.nonblock = true};
	return nl_sendmsg(&sock, buf, n, &m);
}

static long rcv(void *buf, size_t n, int flags, int *out_flags)
{
	struct sock_msg m = {.nonblock = true, .flags = flags};
	long r = nl_recvmsg(&sock, buf, n, &m);
	if (out_flags)
		*out_flags = m.out_flags;
	return r;
}

/* Whether a datagram is whole messages back to back, each for port. */
static bool well_formed(const uint8_t *p, long n, uint32_t port)
{
	while (n > 0) {
		struct nlmsghdr_k h;
		if (n < 16)
			return false;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < 16 || h.nlmsg_len > n || h.nlmsg_pid != port)
			return false;
		long step = NLMSG_ALIGN(h.nlmsg_len);
		p += step;
		n -= step;
	}
	return n == 0;
}

struct req {
	struct nlmsghdr_k h;
	uint8_t body[240];
};

static size_t put_attr(struct req *r, uint16_t type, const void *d, size_t n)
{
	struct nlattr_k *a = (struct nlattr_k *)((uint8_t *)r + r->h.nlmsg_len);
	a->nla_len = (uint16_t)(4 + n);
	a->nla_type = type;
	memcpy(a + 1, d, n);
	r->h.nlmsg_len += NLA_ALIGN(4 + n);
	return r->h.nlmsg_len;
}

static void mk(struct req *r, uint16_t type, uint16_t flags, const void *hdr,
	       size_t hl)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_ALIGN(16 + hl);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	r->h.nlmsg_seq = 7;
	memcpy(r->body, hdr, hl);
}

static uint8_t rbuf[65536];

/* Reads everything queued or dumped in reads of cap bytes; false if a
 * datagram that fit was not whole messages for our port. */
static bool drain(size_t cap, int *parts)
{
	uint32_t port = ((struct nl_sock *)sock.sk)->portid;
	long n;
	int fl;
	*parts = 0;
	while ((n = rcv(rbuf, cap, MSG_TRUNC, &fl)) != -EAGAIN) {
		if (n == -ENOBUFS)
			continue;
		if (n < 0 || (!(fl & MSG_TRUNC) && !well_formed(rbuf, n, port)))
			return false;
		(*parts)++;
	}
	return true;
}

static void test_basic(void)
{
	struct nl_sock *nk = sock.sk;
	struct req r;
	uint8_t fam = AF_UNSPEC;
	mk(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	CHECK_EQ_INT("send dump", snd(&r, r.h.nlmsg_len), r.h.nlmsg_len);
	CHECK_EQ_INT("autobound to the pid", nk->portid, 42);
	int parts;
	long n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	CHECK("first part has both links",
	      n > 32 && well_formed(rbuf, n, 42) &&
		  ((struct nlmsghdr_k *)rbuf)->nlmsg_flags == NLM_F_MULTI);
	n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	CHECK("done alone",
	      n == 20 && ((struct nlmsghdr_k *)rbuf)->nlmsg_type == NLMSG_DONE);
	CHECK_EQ_INT("then nothing", rcv(rbuf, sizeof(rbuf), 0, NULL), -EAGAIN);

	/* A small reader: one message a part, cut when it cannot hold one. */
	snd(&r, r.h.nlmsg_len);
	int fl = 0;
	n = rcv(rbuf, 40, 0, &fl);
	CHECK("cut part", n == 40 && (fl & MSG_TRUNC));
	CHECK("rest well formed", drain(sizeof(rbuf), &parts) && parts == 2);

	/* Address and route changes, then dumps. */
	struct ifaddrmsg_k ifa = {
	    .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 2};
	uint32_t a = net_htonl(0x0a00020f);
	mk(&r, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, &ifa,
	   sizeof(ifa));
	put_attr(&r, IFA_LOCAL, &a, 4);
	snd(&r, r.h.nlmsg_len);
	n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	struct nlmsgerr_k *e = (struct nlmsgerr_k *)(rbuf + 16);
	CHECK("addr add acked", n == 36 && e->error == 0 &&
				    eth.addr == 0x0a00020f &&
				    eth.netmask == 0xffffff00);
	me.euid = 1000;
	snd(&r, r.h.nlmsg_len);
	n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	CHECK_EQ_INT("user eperm", e->error, -EPERM);
	me.euid = 0;
	eth.flags |= IFF_UP | IFF_RUNNING;
	mk(&r, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	snd(&r, r.h.nlmsg_len);
	n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	struct rtmsg_k *rt = (struct rtmsg_k *)(rbuf + 16);
	CHECK("subnet route", n > 16 && rt->rtm_dst_len == 24 &&
				  rt->rtm_protocol == RTPROT_KERNEL);
	CHECK("route dump ends", drain(sizeof(rbuf), &parts) && parts == 1);
	mk(&r, RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	snd(&r, r.h.nlmsg_len);
	n = rcv(rbuf, sizeof(rbuf), 0, NULL);
	struct ndmsg_k *nd = (struct ndmsg_k *)(rbuf + 16);
	CHECK("neighbour",
	      n > 16 && nd->ndm_ifindex == 2 && nd->ndm_state == NUD_REACHABLE);
	drain(sizeof(rbuf), &parts);
}

static void test_flood(void)
{
	struct nl_sock *nk = sock.sk;
	static struct nlmsghdr_k noops[4096];
	for (int i = 0; i < 4096; i++)
		noops[i] = (struct nlmsghdr_k){16, NLMSG_NOOP,
					       NLM_F_REQUEST | NLM_F_ACK, 0, 0};
	size_t peak = 0;
	for (int k = 0; k < 50; k++) {
		snd(noops, sizeof(noops));
		if (nk->rmem > peak)
			peak = nk->rmem;
	}
	CHECK("queue bounded", peak <= sock.rcvbuf && nk->err == ENOBUFS);
	CHECK_EQ_INT("enobufs first", rcv(rbuf, sizeof(rbuf), 0, NULL),
		     -ENOBUFS);
	int parts;
	CHECK("then acks",
	      drain(sizeof(rbuf), &parts) && parts > 100 && nk->rmem == 0);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Valid requests, then each mutated: bytes, lengths, flags. Nothing may
 * read outside what was sent (ASan) and every reply must be whole. */
static void test_fuzz(void)
{
	struct req base[8];
	uint8_t fam = AF_INET;
	struct ifinfomsg_k ifi = {
	    .ifi_index = 2, .ifi_change = IFF_UP, .ifi_flags = IFF_UP};
	struct ifaddrmsg_k ifa = {
	    .ifa_family = AF_INET, .ifa_prefixlen = 16, .ifa_index = 2};
	struct rtmsg_k rtm = {.rtm_family = AF_INET,
			      .rtm_dst_len = 16,
			      .rtm_table = RT_TABLE_MAIN,
			      .rtm_type = RTN_UNICAST};
	uint32_t a = net_htonl(0x0a010000), mtu = 1400, oif = 2;
	mk(&base[0], RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	mk(&base[1], RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	put_attr(&base[1], IFLA_MTU, &mtu, 4);
	put_attr(&base[1], IFLA_IFNAME, "eth0", 5);
	mk(&base[2], RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE, &ifa,
	   sizeof(ifa));
	put_attr(&base[2], IFA_LOCAL, &a, 4);
	put_attr(&base[2], IFA_LABEL, "eth0", 5);
	mk(&base[3], RTM_DELADDR, NLM_F_REQUEST, &ifa, sizeof(ifa));
	put_attr(&base[3], IFA_LOCAL, &a, 4);
	mk(&base[4], RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE, &rtm,
	   sizeof(rtm));
	put_attr(&base[4], RTA_DST, &a, 4);
	put_attr(&base[4], RTA_OIF, &oif, 4);
	mk(&base[5], RTM_DELROUTE, NLM_F_REQUEST, &rtm, sizeof(rtm));
	put_attr(&base[5], RTA_DST, &a, 4);
	mk(&base[6], RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &fam, 1);
	mk(&base[7], RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	put_attr(&base[7], IFLA_IFNAME, "lo", 3);
	bool ok = true;
	for (int it = 0; it < 20000 && ok; it++) {
		struct req r = base[rnd() % 8];
		size_t len = r.h.nlmsg_len;
		int muts = 1 + rnd() % 4;
		for (int k = 0; k < muts; k++) {
			switch (rnd() % 4) {
			case 0: /* a byte */
				((uint8_t *)&r)[rnd() % len] = (uint8_t)rnd();
				break;
			case 1: /* the header's length */
				r.h.nlmsg_len = rnd() % (len + 32);
				break;
			case 2: /* what is sent */
				len = 1 + rnd() % sizeof(r);
				break;
			case 3: /* an attribute's length */
				if (len > 36)
					((struct nlattr_k *)((uint8_t *)&r +
							     32))
					    ->nla_len = (uint16_t)(rnd() % 300);
				break;
			}
		}
		/* Exactly len bytes, so ASan sees any read past them. */
		uint8_t *copy = malloc(len);
		memcpy(copy, &r, len);
		snd(copy, len);
		free(copy);
		int parts;
		ok = drain(1 + rnd() % 4096, &parts);
		if (!ok)
			printf("iteration %d: type %u len %zu: bad reply\n", it,
			       r.h.nlmsg_type, len);
	}
	CHECK("20000 mutated requests", ok);
}

int main(void)
{
	list_add_tail(&lo.link, &netif_list);
	list_add_tail(&eth.link, &netif_list);
	CHECK_EQ_INT("create", nl_create(&sock, NETLINK_ROUTE), 0);
	struct socket other = {0};
	CHECK_EQ_INT("other protocols", nl_create(&other, 16),
		     -EPROTONOSUPPORT);
	test_basic();
	test_flood();
	test_fuzz();
	nl_release(&sock);
	return unit_done();
}
