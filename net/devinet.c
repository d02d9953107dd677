/* Interface configuration from user space: the SIOC* ioctls busybox
 * ifconfig and route issue on any AF_INET socket, and /proc/net/dev and
 * /proc/net/route, which ifconfig, route and ip read. Under net_lock. */
#include <lib/printf.h>
#include <lib/string.h>
#include <net/ether.h>
#include <net/net.h>
#include <proc.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/if.h>
#include <uapi/socket.h>

static void put_sin(struct sockaddr_k *sa, uint32_t addr)
{
	struct sockaddr_in_k sin = {.sin_family = AF_INET,
				    .sin_addr = net_htonl(addr)};
	memcpy(sa, &sin, sizeof(sin));
}

/* An AF_INET address from a request: 0, or -EINVAL for another family. */
static int get_sin(const struct sockaddr_k *sa, uint32_t *addr)
{
	struct sockaddr_in_k sin;
	memcpy(&sin, sa, sizeof(sin));
	if (sin.sin_family != AF_INET)
		return -EINVAL;
	*addr = net_ntohl(sin.sin_addr);
	return 0;
}

/* The mask's bits must be contiguous from the top (255.255.0.255 is not a
 * netmask). */
static bool mask_ok(uint32_t m)
{
	return (~m & (~m + 1)) == 0;
}

/* The classful default netmask Linux gives a new address. */
static uint32_t default_mask(uint32_t a)
{
	if ((a >> 31) == 0)
		return 0xff000000u;
	if ((a >> 30) == 2)
		return 0xffff0000u;
	return 0xffffff00u;
}

static bool is_root(void)
{
	return proc_current()->euid == 0;
}

static long ifconf(uintptr_t arg)
{
	struct ifconf_k ifc;
	if (copy_from_user(&ifc, (const void __user *)arg, sizeof(ifc)))
		return -EFAULT;
	if (ifc.ifc_len < 0)
		return -EINVAL;
	int len = 0;
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		/* As Linux: only interfaces with an IPv4 address. */
		if (!d->addr)
			continue;
		if (ifc.ifc_buf) {
			if (len + (int)sizeof(struct ifreq_k) > ifc.ifc_len)
				break;
			struct ifreq_k r;
			memset(&r, 0, sizeof(r));
			strlcpy(r.ifr_name, d->name, sizeof(r.ifr_name));
			put_sin(&r.ifr_addr, d->addr);
			if (copy_to_user(
				(void __user *)(uintptr_t)(ifc.ifc_buf + len),
				&r, sizeof(r)))
				return -EFAULT;
		}
		len += sizeof(struct ifreq_k);
	}
	ifc.ifc_len = len;
	if (copy_to_user((void __user *)arg, &ifc, sizeof(ifc)))
		return -EFAULT;
	return 0;
}

void netif_set_addr(struct netif *d, uint32_t addr, uint32_t mask)
{
	if (d->addr != addr || d->netmask != mask)
		arp_flush(d); /* neighbours of the old subnet */
	d->addr = addr;
	d->netmask = mask;
}

void netif_set_up(struct netif *d, bool up)
{
	/* Only UP is ours to change; RUNNING follows it (no carrier to
	 * lose) and the rest describe the hardware. */
	if (up && !(d->flags & IFF_UP)) {
		d->flags |= IFF_UP | IFF_RUNNING;
	} else if (!up && (d->flags & IFF_UP)) {
		d->flags &= ~(unsigned)(IFF_UP | IFF_RUNNING);
		arp_flush(d);
	}
}

int netif_set_mtu(struct netif *d, uint32_t mtu)
{
	/* 68: RFC 791's minimum; an Ethernet device's buffers hold no more
	 * than 1500. */
	if (mtu < 68 ||
	    mtu > ((d->flags & IFF_LOOPBACK) ? 65536 : ETH_DATA_LEN))
		return -EINVAL;
	d->mtu = mtu;
	return 0;
}

bool netif_subnet_route(const struct netif *d, struct ip_route *out)
{
	/* Loopback's are in Linux's local table, not the main one. */
	if ((d->flags & (IFF_UP | IFF_LOOPBACK)) != IFF_UP || !d->addr)
		return false;
	*out = (struct ip_route){.dst = d->addr & d->netmask,
				 .mask = d->netmask,
				 .dev = (struct netif *)d};
	return true;
}

struct netif *netif_route_dev(const struct ip_route *r)
{
	if (r->dev)
		return r->dev;
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		if ((d->flags & IFF_UP) && d->addr &&
		    ((d->addr ^ r->gw) & d->netmask) == 0)
			return d;
	}
	return NULL;
}

static long ifreq_cmd(unsigned long cmd, struct ifreq_k *r)
{
	r->ifr_name[IFNAMSIZ_K - 1] = 0;
	struct netif *d;
	if (cmd == SIOCGIFNAME) {
		d = netif_by_index(r->ifr_ivalue);
		if (!d)
			return -ENODEV;
		strlcpy(r->ifr_name, d->name, sizeof(r->ifr_name));
		return 0;
	}
	d = netif_by_name(r->ifr_name);
	if (!d)
		return -ENODEV;
	bool lo = d->flags & IFF_LOOPBACK;
	uint32_t a;
	int err;
	switch (cmd) {
	case SIOCSIFFLAGS:
	case SIOCSIFADDR:
	case SIOCSIFNETMASK:
	case SIOCSIFBRDADDR:
	case SIOCSIFMTU:
	case SIOCSIFMETRIC:
		if (!is_root())
			return -EPERM;
		break;
	}
	switch (cmd) {
	case SIOCGIFFLAGS:
		r->ifr_flags = (int16_t)d->flags;
		return 0;
	case SIOCSIFFLAGS: {
		/* Only UP is ours to change; RUNNING follows it (no carrier
		 * to lose) and the rest describe the hardware. */
		netif_set_up(d, (uint16_t)r->ifr_flags & IFF_UP);
		return 0;
	}
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
		if (!d->addr)
			return -EADDRNOTAVAIL;
		a = cmd == SIOCGIFADDR	    ? d->addr
		    : cmd == SIOCGIFNETMASK ? d->netmask
		    : cmd == SIOCGIFBRDADDR ? (lo ? 0 : d->addr | ~d->netmask)
					    : 0;
		memset(&r->ifr_addr, 0, sizeof(r->ifr_addr));
		put_sin(&r->ifr_addr, a);
		return 0;
	case SIOCSIFADDR:
		if ((err = get_sin(&r->ifr_addr, &a)))
			return err;
		/* As Linux: a new address gets its class's netmask; 0 takes
		 * the address away. */
		netif_set_addr(d, a,
			       a ? (lo ? 0xff000000u : default_mask(a)) : 0);
		return 0;
	case SIOCSIFNETMASK:
		if ((err = get_sin(&r->ifr_addr, &a)))
			return err;
		if (!mask_ok(a))
			return -EINVAL;
		if (!d->addr)
			return -EADDRNOTAVAIL;
		netif_set_addr(d, d->addr, a);
		return 0;
	case SIOCSIFBRDADDR:
		/* The broadcast address is always the subnet's (there is no
		 * field for another): accept the matching one. */
		if ((err = get_sin(&r->ifr_addr, &a)))
			return err;
		if (!d->addr)
			return -EADDRNOTAVAIL;
		return a == (d->addr | ~d->netmask) ? 0 : -EINVAL;
	case SIOCGIFMTU:
		r->ifr_ivalue = (int32_t)d->mtu;
		return 0;
	case SIOCSIFMTU:
		if (r->ifr_ivalue < 0)
			return -EINVAL;
		return netif_set_mtu(d, (uint32_t)r->ifr_ivalue);
	case SIOCGIFHWADDR:
		memset(&r->ifr_addr, 0, sizeof(r->ifr_addr));
		r->ifr_addr.sa_family = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		if (!lo)
			memcpy(r->ifr_addr.sa_data, d->mac, ETH_ALEN);
		return 0;
	case SIOCGIFINDEX:
		r->ifr_ivalue = d->index;
		return 0;
	case SIOCGIFMETRIC:
		r->ifr_ivalue = 0;
		return 0;
	case SIOCSIFMETRIC:
		return r->ifr_ivalue == 0 ? 0 : -EOPNOTSUPP;
	case SIOCGIFTXQLEN:
		r->ifr_ivalue = 1000;
		return 0;
	}
	return -ENOTTY;
}

static long route_cmd(unsigned long cmd, uintptr_t arg)
{
	struct rtentry_k rt;
	if (copy_from_user(&rt, (const void __user *)arg, sizeof(rt)))
		return -EFAULT;
	if (!is_root())
		return -EPERM;
	uint32_t dst, mask = 0, gw = 0;
	if (get_sin(&rt.rt_dst, &dst))
		return -EAFNOSUPPORT;
	if (rt.rt_flags & RTF_HOST)
		mask = 0xffffffffu;
	else if (rt.rt_genmask.sa_family == AF_INET)
		get_sin(&rt.rt_genmask, &mask);
	else if (dst)
		return -EINVAL;
	if (!mask_ok(mask) || (dst & ~mask))
		return -EINVAL;
	if ((rt.rt_flags & RTF_GATEWAY) && get_sin(&rt.rt_gateway, &gw))
		return -EAFNOSUPPORT;
	struct ip_route r = {.dst = dst, .mask = mask, .gw = gw};
	if (rt.rt_metric > 0)
		r.metric = (uint32_t)rt.rt_metric - 1; /* route(8) adds 1 */
	if (rt.rt_dev) {
		char name[IFNAMSIZ];
		long n = strncpy_from_user(
		    name, (const char __user *)(uintptr_t)rt.rt_dev, IFNAMSIZ);
		if (n < 0)
			return -EFAULT;
		if (n >= IFNAMSIZ)
			return -ENODEV;
		mutex_lock(&net_lock);
		r.dev = netif_by_name(name);
		mutex_unlock(&net_lock);
		if (!r.dev)
			return -ENODEV;
	}
	mutex_lock(&net_lock);
	int err = cmd == SIOCADDRT ? ip_route_add(&r) : ip_route_del(dst, mask);
	mutex_unlock(&net_lock);
	return err;
}

long netif_ioctl(unsigned long cmd, uintptr_t arg)
{
	switch (cmd) {
	case SIOCGIFCONF: {
		mutex_lock(&net_lock);
		long r = ifconf(arg);
		mutex_unlock(&net_lock);
		return r;
	}
	case SIOCADDRT:
	case SIOCDELRT:
		return route_cmd(cmd, arg);
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCSIFFLAGS:
	case SIOCGIFADDR:
	case SIOCSIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFNETMASK:
	case SIOCSIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCSIFBRDADDR:
	case SIOCGIFMTU:
	case SIOCSIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
	case SIOCGIFMETRIC:
	case SIOCSIFMETRIC:
	case SIOCGIFTXQLEN:
		break;
	default:
		return -ENOTTY;
	}
	struct ifreq_k r;
	if (copy_from_user(&r, (const void __user *)arg, sizeof(r)))
		return -EFAULT;
	mutex_lock(&net_lock);
	long err = ifreq_cmd(cmd, &r);
	mutex_unlock(&net_lock);
	if (err)
		return err;
	if (copy_to_user((void __user *)arg, &r, sizeof(r)))
		return -EFAULT;
	return 0;
}

#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)

static uint64_t rd(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

long netif_proc_dev(char *buf, size_t size)
{
	long len = 0;
	EMIT("Inter-|   Receive                                            "
	     "    |  Transmit\n"
	     " face |bytes    packets errs drop fifo frame compressed "
	     "multicast|bytes    packets errs drop fifo colls carrier "
	     "compressed\n");
	mutex_lock(&net_lock);
	struct netif *d;
	list_for_each_entry(d, &netif_list, link)
	{
		const struct netif_stats *s = &d->stats;
		EMIT(
		    "%6s:%8llu %7llu %4llu %4llu    0     0          0         "
		    "0 %8llu %7llu %4llu %4llu    0     0       0          0\n",
		    d->name, (unsigned long long)rd(&s->rx_bytes),
		    (unsigned long long)rd(&s->rx_packets),
		    (unsigned long long)rd(&s->rx_errors),
		    (unsigned long long)rd(&s->rx_dropped),
		    (unsigned long long)rd(&s->tx_bytes),
		    (unsigned long long)rd(&s->tx_packets),
		    (unsigned long long)rd(&s->tx_errors),
		    (unsigned long long)rd(&s->tx_dropped));
	}
	mutex_unlock(&net_lock);
	return len < (long)size ? len : (long)size - 1;
}

/* One line of /proc/net/route: Linux pads each to 127 characters. */
static long route_line(char *buf, size_t size, long len, const char *name,
		       const struct ip_route *r)
{
	unsigned flags = RTF_UP | (r->gw ? RTF_GATEWAY : 0) |
			 (r->mask == 0xffffffffu ? RTF_HOST : 0);
	char line[128];
	snprintf(line, sizeof(line),
		 "%s\t%08X\t%08X\t%04X\t0\t0\t%u\t%08X\t0\t0\t0", name,
		 net_htonl(r->dst), net_htonl(r->gw), flags, r->metric,
		 net_htonl(r->mask));
	EMIT("%-127s\n", line);
	return len;
}

long netif_proc_route(char *buf, size_t size)
{
	long len = 0;
	EMIT("%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
			 "Metric\tMask\t\tMTU\tWindow\tIRTT");
	mutex_lock(&net_lock);
	/* Each up interface's own subnet first, as Linux lists its prefix
	 * routes (IPv4 reaches them without a table entry); loopback's are
	 * in Linux's local table, which this file does not show. */
	struct netif *d;
	struct ip_route r;
	list_for_each_entry(d, &netif_list, link)
	{
		if (netif_subnet_route(d, &r))
			len = route_line(buf, size, len, d->name, &r);
	}
	for (int i = 0; ip_route_get(i, &r) == 0; i++) {
		struct netif *dev = netif_route_dev(&r);
		len = route_line(buf, size, len, dev ? dev->name : "*", &r);
	}
	mutex_unlock(&net_lock);
	return len < (long)size ? len : (long)size - 1;
}
