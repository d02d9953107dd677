/* rtnetlink (NETLINK_ROUTE): the messages busybox ip sends, answered
 * from and applied to the interface list, addresses and routes through
 * net/devinet.c and net/ipv4.c, as the SIOC* ioctls are. Called by
 * net/netlink.c with net_lock held.
 *
 * The subset: RTM_GETLINK (dump, or one interface), RTM_NEWLINK/SETLINK
 * (IFF_UP and IFLA_MTU), RTM_GETADDR dump, RTM_NEWADDR/DELADDR (one IPv4
 * address per interface), RTM_GETROUTE dump of the main table (each up
 * interface's subnet, then the explicit routes), RTM_NEWROUTE/DELROUTE,
 * RTM_GETNEIGH dump (the ARP cache). Anything else is -EOPNOTSUPP. Every
 * change needs euid 0 (Linux: CAP_NET_ADMIN), else -EPERM. */
#include <lib/string.h>
#include <net/ether.h>
#include <net/net.h>
#include <proc.h>
#include <uapi/errno.h>
#include <uapi/if.h>
#include <uapi/netlink.h>
#include <uapi/socket.h>

#include "netlink_internal.h"

/* Contiguous masks only (as every path that makes one checks). */
static int prefix_len(uint32_t mask)
{
	return mask ? 32 - __builtin_ctz(mask) : 0;
}

static uint32_t prefix_mask(int len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

static uint64_t stat_rd(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* ---- Requests: the fixed header and the attributes ---- */

/* The request's fixed header (hdrlen bytes) and its attributes parsed
 * into tb: -EINVAL when the message is shorter than the header or an
 * attribute runs past it. */
static int parse(const struct nlmsghdr_k *h, size_t hdrlen,
		 const struct nlattr_k **tb, int max)
{
	size_t plen = h->nlmsg_len - NLMSG_HDRLEN;
	if (plen < hdrlen)
		return -EINVAL;
	size_t off = NLMSG_ALIGN(hdrlen);
	if (off >= plen) {
		for (int i = 0; i <= max; i++)
			tb[i] = NULL;
		return 0;
	}
	return nl_attr_parse((const uint8_t *)h + NLMSG_HDRLEN + off,
			     plen - off, tb, max);
}

/* A 4-byte attribute (an IPv4 address in network order, or a u32): 0,
 * or -EINVAL for another size. Absent: 0, *v untouched. */
static int attr_u32(const struct nlattr_k *a, uint32_t *v)
{
	if (!a)
		return 0;
	if (nl_attr_len(a) != 4)
		return -EINVAL;
	memcpy(v, nl_attr_data(a), 4);
	return 0;
}

static int attr_ip(const struct nlattr_k *a, uint32_t *ip, bool *present)
{
	uint32_t v;
	*present = a != NULL;
	if (!a)
		return 0;
	if (attr_u32(a, &v))
		return -EINVAL;
	*ip = net_ntohl(v);
	return 0;
}

/* An IFLA_IFNAME/IFA_LABEL string: NUL within the attribute and the
 * name's size. */
static int attr_name(const struct nlattr_k *a, char name[IFNAMSIZ])
{
	size_t n = nl_attr_len(a);
	const char *s = nl_attr_data(a);
	size_t l = strnlen(s, n);
	if (l >= IFNAMSIZ)
		return -EINVAL;
	memcpy(name, s, l);
	name[l] = 0;
	return 0;
}

static bool may_admin(void)
{
	return proc_current()->euid == 0;
}

/* ---- Interfaces ---- */

static int fill_link(struct nl_buf *b, struct netif *d, uint16_t flags,
		     uint32_t seq, uint32_t portid)
{
	size_t start = b->len;
	struct nlmsghdr_k *h = nl_msg_put(b, RTM_NEWLINK, flags, seq, portid,
					  sizeof(struct ifinfomsg_k));
	if (!h)
		return -EMSGSIZE;
	bool lo = d->flags & IFF_LOOPBACK;
	struct ifinfomsg_k *ifi = nl_msg_data(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
	ifi->ifi_index = d->index;
	ifi->ifi_flags =
	    d->flags | ((d->flags & IFF_RUNNING) ? IFF_LOWER_UP : 0);
	uint8_t mac[ETH_ALEN], brd[ETH_ALEN];
	memset(mac, 0, sizeof(mac));
	memset(brd, lo ? 0 : 0xff, sizeof(brd));
	if (!lo)
		memcpy(mac, d->mac, ETH_ALEN);
	uint8_t oper = lo			  ? IF_OPER_UNKNOWN
		       : (d->flags & IFF_RUNNING) ? IF_OPER_UP
						  : IF_OPER_DOWN;
	/* rtnl_link_stats64's first eight, then the error details. */
	const struct netif_stats *st = &d->stats;
	uint64_t s64[RTNL_LINK_STATS_N] = {
	    stat_rd(&st->rx_packets), stat_rd(&st->tx_packets),
	    stat_rd(&st->rx_bytes),   stat_rd(&st->tx_bytes),
	    stat_rd(&st->rx_errors),  stat_rd(&st->tx_errors),
	    stat_rd(&st->rx_dropped), stat_rd(&st->tx_dropped)};
	uint32_t s32[RTNL_LINK_STATS_N];
	for (int i = 0; i < RTNL_LINK_STATS_N; i++)
		s32[i] = (uint32_t)s64[i];
	if (nl_attr_put(b, IFLA_IFNAME, d->name, strlen(d->name) + 1) ||
	    nl_attr_put_u32(b, IFLA_TXQLEN, 1000) ||
	    nl_attr_put_u8(b, IFLA_OPERSTATE, oper) ||
	    nl_attr_put_u32(b, IFLA_MTU, d->mtu) ||
	    nl_attr_put(b, IFLA_ADDRESS, mac, sizeof(mac)) ||
	    nl_attr_put(b, IFLA_BROADCAST, brd, sizeof(brd)) ||
	    nl_attr_put(b, IFLA_STATS64, s64, sizeof(s64)) ||
	    nl_attr_put(b, IFLA_STATS, s32, sizeof(s32))) {
		b->len = start;
		return -EMSGSIZE;
	}
	nl_msg_end(b, h);
	return 0;
}

/* The interface a link request names: ifi_index, else IFLA_IFNAME. */
static int link_dev(const struct ifinfomsg_k *ifi, const struct nlattr_k **tb,
		    struct netif **out)
{
	struct netif *d = NULL;
	if (ifi->ifi_index > 0) {
		d = netif_by_index(ifi->ifi_index);
	} else if (tb[IFLA_IFNAME]) {
		char name[IFNAMSIZ];
		if (attr_name(tb[IFLA_IFNAME], name))
			return -EINVAL;
		d = netif_by_name(name);
	} else {
		return -EINVAL;
	}
	*out = d;
	return d ? 0 : -ENODEV;
}

static int get_link(const struct nlmsghdr_k *h, uint32_t portid,
		    struct nl_buf *out)
{
	const struct nlattr_k *tb[IFLA_MAX + 1];
	int err = parse(h, sizeof(struct ifinfomsg_k), tb, IFLA_MAX);
	if (err)
		return err;
	struct netif *d;
	if ((err = link_dev(nl_msg_data((struct nlmsghdr_k *)h), tb, &d)))
		return err;
	return fill_link(out, d, 0, h->nlmsg_seq, portid);
}

/* ip link set DEV up|down|mtu N. Linux applies what it can; here the
 * MTU is checked before anything changes. */
static int new_link(const struct nlmsghdr_k *h)
{
	/* Before anything is read, as Linux's rtnetlink_rcv_msg. */
	if (!may_admin())
		return -EPERM;
	const struct nlattr_k *tb[IFLA_MAX + 1];
	int err = parse(h, sizeof(struct ifinfomsg_k), tb, IFLA_MAX);
	if (err)
		return err;
	const struct ifinfomsg_k *ifi = nl_msg_data((struct nlmsghdr_k *)h);
	struct netif *d;
	if ((err = link_dev(ifi, tb, &d)))
		return err;
	if (tb[IFLA_MTU]) {
		uint32_t mtu;
		if (attr_u32(tb[IFLA_MTU], &mtu))
			return -EINVAL;
		if (mtu != d->mtu && (err = netif_set_mtu(d, mtu)))
			return err;
	}
	/* As Linux's do_setlink: flags only when the message has some;
	 * ifi_change selects them, 0 meaning all (old programs). */
	if (ifi->ifi_flags || ifi->ifi_change) {
		uint32_t want = ifi->ifi_change
				    ? (d->flags & ~ifi->ifi_change) |
					  (ifi->ifi_flags & ifi->ifi_change)
				    : ifi->ifi_flags;
		netif_set_up(d, want & IFF_UP);
	}
	return 0;
}

/* ---- Addresses ---- */

static int fill_addr(struct nl_buf *b, struct netif *d, uint16_t flags,
		     uint32_t seq, uint32_t portid)
{
	size_t start = b->len;
	struct nlmsghdr_k *h = nl_msg_put(b, RTM_NEWADDR, flags, seq, portid,
					  sizeof(struct ifaddrmsg_k));
	if (!h)
		return -EMSGSIZE;
	bool lo = d->flags & IFF_LOOPBACK;
	int plen = prefix_len(d->netmask);
	struct ifaddrmsg_k *ifa = nl_msg_data(h);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope =
	    (d->addr >> 24) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)d->index;
	uint32_t a = net_htonl(d->addr);
	uint32_t brd = net_htonl(d->addr | ~d->netmask);
	if (nl_attr_put(b, IFA_ADDRESS, &a, 4) ||
	    nl_attr_put(b, IFA_LOCAL, &a, 4) ||
	    (!lo && plen < 31 && nl_attr_put(b, IFA_BROADCAST, &brd, 4)) ||
	    nl_attr_put(b, IFA_LABEL, d->name, strlen(d->name) + 1)) {
		b->len = start;
		return -EMSGSIZE;
	}
	nl_msg_end(b, h);
	return 0;
}

/* ip addr add|del ADDR/LEN [brd B] dev DEV. An interface holds one IPv4
 * address: adding a second is -ENOSPC. */
static int change_addr(const struct nlmsghdr_k *h, bool add)
{
	/* Before anything is read, as Linux's rtnetlink_rcv_msg. */
	if (!may_admin())
		return -EPERM;
	const struct nlattr_k *tb[IFA_MAX + 1];
	int err = parse(h, sizeof(struct ifaddrmsg_k), tb, IFA_MAX);
	if (err)
		return err;
	const struct ifaddrmsg_k *ifa = nl_msg_data((struct nlmsghdr_k *)h);
	if (ifa->ifa_family != AF_INET)
		return -EAFNOSUPPORT;
	if (ifa->ifa_prefixlen > 32)
		return -EINVAL;
	uint32_t local = 0, addr = 0, brd = 0;
	bool has_local, has_addr, has_brd;
	char label[IFNAMSIZ];
	if (attr_ip(tb[IFA_LOCAL], &local, &has_local) ||
	    attr_ip(tb[IFA_ADDRESS], &addr, &has_addr) ||
	    attr_ip(tb[IFA_BROADCAST], &brd, &has_brd) ||
	    (tb[IFA_LABEL] && attr_name(tb[IFA_LABEL], label)))
		return -EINVAL;
	struct netif *d = netif_by_index((int)ifa->ifa_index);
	if (!d)
		return -ENODEV;
	uint32_t mask = prefix_mask(ifa->ifa_prefixlen);
	if (!add) {
		/* Linux's inet_rtm_deladdr: what the request names must
		 * match. */
		if (!d->addr || (has_local && local != d->addr) ||
		    (tb[IFA_LABEL] && strncmp(label, d->name, IFNAMSIZ)) ||
		    (has_addr &&
		     (mask != d->netmask || ((addr ^ d->addr) & mask) != 0)))
			return -EADDRNOTAVAIL;
		netif_set_addr(d, 0, 0);
		return 0;
	}
	if (!has_local)
		local = addr;
	if (!has_local && !has_addr)
		return -EINVAL;
	if (!local ||
	    (has_brd && brd != (local | ~mask) && ifa->ifa_prefixlen < 31))
		return -EINVAL;
	if (d->addr == local) {
		/* Linux's inet_rtm_newaddr: replacing needs NLM_F_REPLACE
		 * and no NLM_F_EXCL. */
		if ((h->nlmsg_flags & NLM_F_EXCL) ||
		    !(h->nlmsg_flags & NLM_F_REPLACE))
			return -EEXIST;
	} else if (d->addr) {
		return -ENOSPC;
	}
	netif_set_addr(d, local, mask);
	return 0;
}

/* ---- Routes ---- */

static int fill_route(struct nl_buf *b, const struct ip_route *r,
		      bool connected, uint32_t seq, uint32_t portid)
{
	size_t start = b->len;
	struct nlmsghdr_k *h = nl_msg_put(b, RTM_NEWROUTE, NLM_F_MULTI, seq,
					  portid, sizeof(struct rtmsg_k));
	if (!h)
		return -EMSGSIZE;
	struct rtmsg_k *rtm = nl_msg_data(h);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)prefix_len(r->mask);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = connected ? RTPROT_KERNEL : RTPROT_BOOT;
	rtm->rtm_scope = r->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	struct netif *dev = netif_route_dev(r);
	uint32_t dst = net_htonl(r->dst), gw = net_htonl(r->gw);
	uint32_t src = dev ? net_htonl(dev->addr) : 0;
	if (nl_attr_put_u32(b, RTA_TABLE, RT_TABLE_MAIN) ||
	    (rtm->rtm_dst_len && nl_attr_put(b, RTA_DST, &dst, 4)) ||
	    (r->gw && nl_attr_put(b, RTA_GATEWAY, &gw, 4)) ||
	    (connected && nl_attr_put(b, RTA_PREFSRC, &src, 4)) ||
	    (r->metric && nl_attr_put_u32(b, RTA_PRIORITY, r->metric)) ||
	    (dev && nl_attr_put_u32(b, RTA_OIF, (uint32_t)dev->index))) {
		b->len = start;
		return -EMSGSIZE;
	}
	nl_msg_end(b, h);
	return 0;
}

/* ip route add|del PREFIX [via GW] [dev DEV] [metric N], main table,
 * unicast routes only. */
static int change_route(const struct nlmsghdr_k *h, bool add)
{
	/* Before anything is read, as Linux's rtnetlink_rcv_msg. */
	if (!may_admin())
		return -EPERM;
	const struct nlattr_k *tb[RTA_MAX + 1];
	int err = parse(h, sizeof(struct rtmsg_k), tb, RTA_MAX);
	if (err)
		return err;
	const struct rtmsg_k *rtm = nl_msg_data((struct nlmsghdr_k *)h);
	if (rtm->rtm_family != AF_INET)
		return -EAFNOSUPPORT;
	if (rtm->rtm_dst_len > 32 || rtm->rtm_src_len || tb[RTA_SRC])
		return -EINVAL;
	uint32_t table = rtm->rtm_table, oif = 0;
	if (attr_u32(tb[RTA_TABLE], &table) || attr_u32(tb[RTA_OIF], &oif))
		return -EINVAL;
	if (table != RT_TABLE_MAIN && table != RT_TABLE_UNSPEC)
		return -EOPNOTSUPP;
	if (add && rtm->rtm_type != RTN_UNICAST)
		return -EOPNOTSUPP;
	struct ip_route r = {.mask = prefix_mask(rtm->rtm_dst_len)};
	bool has_dst, has_gw;
	if (attr_ip(tb[RTA_DST], &r.dst, &has_dst) ||
	    attr_ip(tb[RTA_GATEWAY], &r.gw, &has_gw) ||
	    attr_u32(tb[RTA_PRIORITY], &r.metric))
		return -EINVAL;
	if (r.dst & ~r.mask)
		return -EINVAL;
	if (oif && !(r.dev = netif_by_index((int)oif)))
		return -ENODEV;
	if (!add) {
		/* The first explicit route to the prefix, if it is the one
		 * the request describes. */
		struct ip_route o;
		for (int i = 0; ip_route_get(i, &o) == 0; i++) {
			if (o.dst != r.dst || o.mask != r.mask)
				continue;
			if ((has_gw && o.gw != r.gw) ||
			    (tb[RTA_PRIORITY] && o.metric != r.metric) ||
			    (r.dev && netif_route_dev(&o) != r.dev))
				return -ESRCH;
			return ip_route_del(r.dst, r.mask);
		}
		return -ESRCH;
	}
	/* Linux's fib_table_insert: one that exists is EEXIST (there is no
	 * NLM_F_REPLACE here), a new one needs NLM_F_CREATE. */
	if (!(h->nlmsg_flags & NLM_F_CREATE)) {
		struct ip_route o;
		for (int i = 0; ip_route_get(i, &o) == 0; i++) {
			if (o.dst == r.dst && o.mask == r.mask &&
			    o.metric == r.metric)
				return -EEXIST;
		}
		return -ENOENT;
	}
	return ip_route_add(&r);
}

/* ---- Dumps ---- */

static int dump_links(struct nl_dump *d, struct nl_buf *b)
{
	long i = 0;
	struct netif *dev;
	list_for_each_entry(dev, &netif_list, link)
	{
		if (i++ < d->idx)
			continue;
		if (fill_link(b, dev, NLM_F_MULTI, d->seq, d->portid))
			return 0;
		d->idx++;
	}
	return 1;
}

static int dump_addrs(struct nl_dump *d, struct nl_buf *b)
{
	if (d->family != AF_UNSPEC && d->family != AF_INET)
		return 1;
	long i = 0;
	struct netif *dev;
	list_for_each_entry(dev, &netif_list, link)
	{
		if (i++ < d->idx)
			continue;
		if (dev->addr &&
		    fill_addr(b, dev, NLM_F_MULTI, d->seq, d->portid))
			return 0;
		d->idx++;
	}
	return 1;
}

/* Entries: each interface (its subnet route, if it has one), then each
 * explicit route. */
static int dump_routes(struct nl_dump *d, struct nl_buf *b)
{
	if (d->family != AF_UNSPEC && d->family != AF_INET)
		return 1;
	long i = 0;
	struct netif *dev;
	struct ip_route r;
	list_for_each_entry(dev, &netif_list, link)
	{
		if (i++ < d->idx)
			continue;
		if (netif_subnet_route(dev, &r) &&
		    fill_route(b, &r, true, d->seq, d->portid))
			return 0;
		d->idx++;
	}
	for (int k = 0; ip_route_get(k, &r) == 0; k++) {
		if (i++ < d->idx)
			continue;
		if (fill_route(b, &r, false, d->seq, d->portid))
			return 0;
		d->idx++;
	}
	return 1;
}

static int fill_neigh(struct nl_buf *b, const struct arp_info *e, uint32_t seq,
		      uint32_t portid)
{
	size_t start = b->len;
	struct nlmsghdr_k *h = nl_msg_put(b, RTM_NEWNEIGH, NLM_F_MULTI, seq,
					  portid, sizeof(struct ndmsg_k));
	if (!h)
		return -EMSGSIZE;
	struct ndmsg_k *nd = nl_msg_data(h);
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = e->dev->index;
	nd->ndm_state = e->resolved ? NUD_REACHABLE : NUD_INCOMPLETE;
	nd->ndm_type = RTN_UNICAST;
	uint32_t ip = net_htonl(e->ip);
	if (nl_attr_put(b, NDA_DST, &ip, 4) ||
	    (e->resolved && nl_attr_put(b, NDA_LLADDR, e->mac, ETH_ALEN))) {
		b->len = start;
		return -EMSGSIZE;
	}
	nl_msg_end(b, h);
	return 0;
}

/* Entries: the ARP cache's slots. */
static int dump_neigh(struct nl_dump *d, struct nl_buf *b)
{
	if (d->family != AF_UNSPEC && d->family != AF_INET)
		return 1;
	struct arp_info e;
	int r;
	while ((r = arp_get((unsigned)d->idx, &e)) >= 0) {
		if (r && fill_neigh(b, &e, d->seq, d->portid))
			return 0;
		d->idx++;
	}
	return 1;
}

int rtnl_dump(struct nl_dump *d, struct nl_buf *b)
{
	switch (d->type) {
	case RTM_GETLINK:
		return dump_links(d, b);
	case RTM_GETADDR:
		return dump_addrs(d, b);
	case RTM_GETROUTE:
		return dump_routes(d, b);
	case RTM_GETNEIGH:
		return dump_neigh(d, b);
	}
	return 1;
}

int rtnl_request(const struct nlmsghdr_k *h, uint32_t portid, struct nl_dump *d,
		 struct nl_buf *out)
{
	uint16_t type = h->nlmsg_type;
	bool get = type == RTM_GETLINK || type == RTM_GETADDR ||
		   type == RTM_GETROUTE || type == RTM_GETNEIGH;
	if (get && (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		/* A dump needs at least the family byte (rtgenmsg, which
		 * every request header starts with). */
		if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(struct rtgenmsg_k))
			return -EINVAL;
		if (d->active)
			return -EBUSY; /* one dump at a time, as Linux */
		*d = (struct nl_dump){
		    .active = true,
		    .type = type,
		    .family =
			*(const uint8_t *)nl_msg_data((struct nlmsghdr_k *)h),
		    .seq = h->nlmsg_seq,
		    .portid = portid,
		};
		return RTNL_DUMP_STARTED;
	}
	switch (type) {
	case RTM_GETLINK:
		return get_link(h, portid, out);
	case RTM_NEWLINK:
	case RTM_SETLINK:
		return new_link(h);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return change_addr(h, type == RTM_NEWADDR);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return change_route(h, type == RTM_NEWROUTE);
	}
	/* RTM_DELLINK, single RTM_GETADDR/GETROUTE/GETNEIGH (ip route get),
	 * neighbour changes and every other family. */
	return -EOPNOTSUPP;
}
