/* The network stack's shared core (net/core.c, net/netif.c): packet
 * buffers, interfaces, the network thread and the stack's one lock.
 *
 * Locking and context: all protocol state (interfaces' addresses and
 * routes, the ARP cache, IP reassembly, UDP and TCP sockets and
 * connections) is guarded by net_lock, a sleeping mutex, in the way
 * Linux's early stacks and the BSDs used one network lock. Received
 * frames are queued from the driver's interrupt (net_rx_enqueue, a
 * spinlock) and processed by the network thread ("netd") under net_lock;
 * system calls take net_lock themselves. Protocol timers (net_timer) fire
 * in netd under net_lock too, never in interrupt context. Nobody sleeps
 * for long with net_lock held: a socket call that must wait drops it and
 * sleeps on its socket's wait queue (net/socket.h sock_wait).
 *
 * Addresses and ports inside the kernel are in host byte order; they are
 * converted at the wire (headers) and at the user boundary (sockaddr). */
#ifndef LIMEN_NET_NET_H
#define LIMEN_NET_NET_H

#include <lib/list.h>
#include <mutex.h>
#include <types.h>

extern struct mutex net_lock;

/* A packet: one contiguous buffer with room in front for headers, so each
 * layer going down pushes its header and each going up pulls its own. */
struct netbuf {
	struct list_head link; /* whichever queue holds it (its owner's lock) */
	uint8_t *head;	       /* the allocation */
	uint8_t *data;	       /* the current layer's first byte */
	size_t len;	       /* bytes from data */
	size_t size;	       /* bytes from head */
	struct netif *dev;     /* receive: the interface it came in on */
	/* Receive, set by IPv4 for the transport (host order). */
	uint32_t ip_src, ip_dst;
	uint8_t ip_proto, ip_ttl;
};

/* Headroom every locally made packet reserves: Ethernet + IPv4 + TCP with
 * options, rounded. */
#define NET_HEADROOM 128

/* A buffer of headroom + len bytes with data at head + headroom and len
 * bytes of (uninitialised) payload; NULL when memory is short. */
struct netbuf *netbuf_alloc(size_t headroom, size_t len);
void netbuf_free(struct netbuf *nb);
/* Grows the packet at the front by n (NULL if no headroom) / drops n from
 * the front (NULL if shorter than n); both return the new data. */
void *netbuf_push(struct netbuf *nb, size_t n);
void *netbuf_pull(struct netbuf *nb, size_t n);
/* Cuts the packet to len bytes (no-op if already shorter). */
void netbuf_trim(struct netbuf *nb, size_t len);

/* The Internet checksum (RFC 1071): the ones'-complement sum folded to
 * 16 bits, over len bytes starting from sum (0 at first), in network
 * byte order as stored in headers; net_csum_fold gives the final field. */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);
/* The TCP/UDP pseudo-header's sum (addresses host order). */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len);

#define IFNAMSIZ 16
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000

struct netif_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

/* A network interface. Fields under net_lock unless said. */
struct netif {
	char name[IFNAMSIZ];
	int index;
	unsigned flags;
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t addr, netmask; /* IPv4, host order; 0: none */
	/* Sends one frame (Ethernet header already on, or none for
	 * loopback); takes nb whatever the result. Called under net_lock,
	 * must not sleep. */
	int (*xmit)(struct netif *dev, struct netbuf *nb);
	struct netif_stats stats; /* under net_lock */
	void *priv;
	struct list_head link;
};

/* Adds dev to the interface list (index assigned). */
int netif_register(struct netif *dev);
struct netif *netif_by_name(const char *name);
struct netif *netif_by_index(int index);
/* The interface ioctls (SIOCGIFCONF, SIOCGIFFLAGS/SIOCSIFFLAGS,
 * SIOC[GS]IFADDR, NETMASK, BRDADDR, MTU, HWADDR, INDEX, NAME, SIOCADDRT
 * and SIOCDELRT) that ifconfig and route issue on any AF_INET socket
 * (net/devinet.c); takes net_lock; -ENOTTY for other commands. */
long netif_ioctl(unsigned long cmd, uintptr_t arg);
/* From a driver's interrupt: queue a received frame for netd. */
void net_rx_enqueue(struct netif *dev, struct netbuf *nb);
/* netd hands each frame received on an Ethernet interface (one without
 * IFF_LOOPBACK) to eth_input (net/ethernet.c), which passes IPv4 on to
 * ip_input (net/ipv4.c, data at the IP header); both under net_lock and
 * take nb. */
void eth_input(struct netbuf *nb);
void ip_input(struct netbuf *nb);

/* Protocol timers: fn runs in netd with net_lock held. Arm and cancel
 * under net_lock. */
struct net_timer {
	struct list_head link;
	uint64_t expires; /* monotonic ns; 0: not armed */
	void (*fn)(struct net_timer *t);
};
void net_timer_arm(struct net_timer *t, uint64_t expires_ns);
void net_timer_cancel(struct net_timer *t);

/* IPv4 (net/ipv4.c), under net_lock. Sends payload nb (data at the
 * transport header) from src (0: the route's interface address) to dst,
 * adding the IP header (and fragmenting to the route's MTU); takes nb.
 * Returns 0 or -errno (-ENETUNREACH: no route; -EHOSTUNREACH). */
int ip_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
	      uint8_t ttl);
/* The source address a packet to dst would leave with (0: no route). */
uint32_t ip_route_src(uint32_t dst);
/* The smallest MTU on the route to dst (for TCP's MSS), 0: no route. */
uint32_t ip_route_mtu(uint32_t dst);
/* Whether addr is one of ours (any interface, or 127/8). */
bool ip_is_local(uint32_t addr);
/* The route table (net/ipv4.c), for SIOCADDRT/SIOCDELRT (net/devinet.c)
 * under net_lock: dst/mask (host order), gw 0 for a direct route, dev NULL
 * to pick the interface whose subnet holds gw. 0, -EEXIST, -ENETUNREACH
 * (no interface for gw) / -ESRCH (no such route). */
int ip_route_add(uint32_t dst, uint32_t mask, uint32_t gw, struct netif *dev);
int ip_route_del(uint32_t dst, uint32_t mask, uint32_t gw, struct netif *dev);
/* The i-th route (0, 1, ...) for /proc/net/route: 0, or -ENOENT past the
 * last. Under net_lock. */
int ip_route_get(int i, uint32_t *dst, uint32_t *mask, uint32_t *gw,
		 struct netif **dev);

/* Transport input, called by IPv4 with net_lock held, nb->data at the
 * transport header and ip_* filled; each takes nb. */
void tcp_input(struct netbuf *nb);
void udp_input(struct netbuf *nb);
void icmp_input(struct netbuf *nb);
/* ICMP errors that concern a transport (destination unreachable): the
 * original datagram's header and first bytes, for udp/tcp to find the
 * socket. */
void tcp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *th,
		    size_t len, int err);
void udp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *uh,
		    size_t len, int err);
/* Sends ICMP destination unreachable (code) about the received nb. */
void icmp_send_unreach(struct netbuf *nb, uint8_t code);

#endif
