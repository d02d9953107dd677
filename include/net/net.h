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
	/* Receive: the IPv4 header inside the buffer (for ICMP errors, which
	 * quote it), set by ip_input; NULL otherwise. */
	uint8_t *ip_hdr;
	/* The transport checksum need not be verified: this host's stack
	 * made the packet and sent it over loopback (Linux's lo marks its
	 * packets CHECKSUM_UNNECESSARY). Set by ip_send_dev; a packet
	 * written whole by a user (AF_PACKET) is verified. */
	bool csum_ok;
	/* Scratch for whichever layer holds the buffer (IPv4 reassembly:
	 * the fragment's first and end offsets). */
	uint32_t cb[2];
};

/* Headroom every locally made packet reserves: Ethernet + IPv4 + TCP with
 * options, rounded. */
#define NET_HEADROOM 128

/* A buffer of headroom + len bytes with data at head + headroom and len
 * bytes of (uninitialised) payload; NULL when memory is short. */
struct netbuf *netbuf_alloc(size_t headroom, size_t len);
void netbuf_free(struct netbuf *nb);
/* Frees every netbuf on queue q (linked by their link field). */
void netbuf_queue_purge(struct list_head *q);
/* Grows the packet at the front by n (NULL if no headroom) / drops n from
 * the front (NULL if shorter than n); both return the new data. */
void *netbuf_push(struct netbuf *nb, size_t n);
void *netbuf_pull(struct netbuf *nb, size_t n);
/* Cuts the packet to len bytes (no-op if already shorter). */
void netbuf_trim(struct netbuf *nb, size_t len);

/* The Internet checksum (RFC 1071): the ones'-complement sum of the
 * big-endian 16-bit words of len bytes as stored on the wire, added to sum
 * (0 at first; chain calls over pieces of even length). net_csum_fold
 * gives the field's value in host order (store it with net_htons); over
 * data that includes a correct checksum field it gives 0. */
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
	/* Receive in netd, under net_lock, for each frame net_rx_enqueue
	 * queued: strips the link header and calls ip_input (or ARP); takes
	 * nb. NULL: the frame is a bare IPv4 packet (loopback). */
	void (*input)(struct netif *dev, struct netbuf *nb);
	struct netif_stats stats; /* under net_lock */
	void *priv;
	struct list_head link; /* netif_list, under net_lock */
};

/* Every registered interface, in index order; under net_lock. */
extern struct list_head netif_list;
/* "lo", 127.0.0.1/8, MTU 65536, index 1 (net/netif.c). */
extern struct netif *netif_loopback;

/* Adds dev to the interface list (index assigned); under net_lock. */
int netif_register(struct netif *dev);
struct netif *netif_by_name(const char *name);
struct netif *netif_by_index(int index);
/* The interface ioctls (SIOCGIFCONF, SIOCGIFFLAGS/SIOCSIFFLAGS,
 * SIOC[GS]IFADDR, NETMASK, BRDADDR, MTU, HWADDR, INDEX, NAME, SIOCADDRT
 * and SIOCDELRT) that ifconfig and route issue on any AF_INET socket
 * (net/devinet.c); takes net_lock; -ENOTTY for other commands. */
long netif_ioctl(unsigned long cmd, uintptr_t arg);
/* Configuration shared by the ioctls and rtnetlink (net/devinet.c), under
 * net_lock; the caller checks the user may (root). */
/* Raises or lowers IFF_UP (IFF_RUNNING follows; down empties its ARP
 * entries). */
void netif_set_up(struct netif *d, bool up);
/* 68..1500 (65536 for loopback), else -EINVAL. */
int netif_set_mtu(struct netif *d, uint32_t mtu);
/* The interface's one IPv4 address (0: none); a change empties its ARP
 * entries. */
void netif_set_addr(struct netif *d, uint32_t addr, uint32_t mask);
/* The route to d's own subnet, which IPv4 reaches without a table entry
 * (an up interface other than loopback, with an address): true and *out,
 * or false. */
struct ip_route;
bool netif_subnet_route(const struct netif *d, struct ip_route *out);
/* The interface a route leaves by: its own, or the up one whose subnet
 * holds its gateway; NULL if none. */
struct netif *netif_route_dev(const struct ip_route *r);
/* From a driver's interrupt (or loopback's xmit): queue a received
 * frame for netd, which calls dev->input (or ip_input) under net_lock.
 * Takes nb; the queue is bounded (NET_RX_MAX frames, NET_RX_MAX_BYTES),
 * beyond which frames are dropped and counted in net_rx_overflows. Any
 * context, no lock needed (an IRQ-safe spinlock inside). */
#define NET_RX_MAX 1024
#define NET_RX_MAX_BYTES (8u << 20)
void net_rx_enqueue(struct netif *dev, struct netbuf *nb);
extern uint64_t net_rx_overflows; /* the rx queue's spinlock */

/* Hands an IPv4 packet (data at the IP header) to a non-loopback dev for
 * nexthop: net/ethernet.c resolves it with ARP and adds the Ethernet
 * header. ip_output calls it under net_lock for every interface without
 * IFF_LOOPBACK (loopback goes straight to dev->xmit). Takes nb. A weak
 * default in net/netif.c, for builds without net/ethernet.c, drops it
 * (-ENETUNREACH). */
int netif_output_ip(struct netif *dev, struct netbuf *nb, uint32_t nexthop);

/* Boot: registers loopback and starts netd (kernel/main.c's kinit). */
void net_init(void);
/* For net_init, under net_lock: registers "lo" (net/netif.c). */
void netif_loopback_init(void);
/* For net_init: registers AF_INET SOCK_DGRAM (UDP and ping sockets). */
void udp_init(void);
/* For net_init: registers AF_PACKET (net/af_packet.c; weak in netd.c). */
void packet_init(void) __attribute__((weak));

/* Protocol timers: fn runs in netd with net_lock held. Arm and cancel
 * under net_lock. */
struct net_timer {
	struct list_head link;
	uint64_t expires; /* monotonic ns; 0: not armed */
	void (*fn)(struct net_timer *t);
};
void net_timer_arm(struct net_timer *t, uint64_t expires_ns);
void net_timer_cancel(struct net_timer *t);

/* IPv4 (net/ipv4.c), under net_lock. Receives one packet, data at the
 * IPv4 header and nb->dev set; validates it (drops counted in ip_stats),
 * reassembles fragments and delivers to the transport; takes nb. */
void ip_input(struct netbuf *nb);

/* The route table (under net_lock): explicit routes, such as a default
 * gateway (dst 0, mask 0, gw the router) added by SIOCADDRT. Besides
 * them, 127/8 goes to loopback and every up interface with an address
 * reaches its own subnet directly; the longest prefix wins. */
struct ip_route {
	uint32_t dst, mask, gw; /* host order; gw 0: directly reachable */
	struct netif *dev;	/* NULL: the interface that reaches gw */
	uint32_t metric;
};
#define IP_ROUTES_MAX 32
/* -EEXIST for the same dst/mask/metric, -ENOSPC when full, -ENETUNREACH
 * when gw is not on a subnet of an up interface (and dev is NULL). */
int ip_route_add(const struct ip_route *r);
/* -ESRCH when no route has dst/mask. */
int ip_route_del(uint32_t dst, uint32_t mask);
/* The i-th explicit route (for /proc/net/route): 0, or -ENOENT past the
 * end. */
int ip_route_get(int i, struct ip_route *out);

/* Counters (under net_lock), Linux's /proc/net/snmp names. */
struct ip_stats {
	uint64_t in_receives, in_hdr_errors, in_addr_errors, in_delivers;
	uint64_t in_unknown_protos, in_discards, in_truncated;
	uint64_t reasm_reqds, reasm_oks, reasm_fails, reasm_timeouts;
	uint64_t reasm_overlaps, reasm_oversize;
	uint64_t out_requests, out_no_routes, out_discards;
	uint64_t frag_oks, frag_creates, frag_fails;
};
extern struct ip_stats ip_stats;
/* Reassembly limits: queues and bytes held, and how long a datagram may
 * take (Linux: ipfrag_high_thresh 4 MiB, ipfrag_time 30 s). */
#define IP_FRAG_QUEUES_MAX 64
#define IP_FRAG_BYTES_MAX (4u << 20)
#define IP_FRAG_TIMEOUT_NS (30 * 1000000000ull)
#define IP_DEFAULT_TTL 64

/* Sends payload nb (data at the
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
/* Whether addr is 255.255.255.255 or an up interface's subnet broadcast. */
bool ip_is_broadcast(uint32_t addr);

/* Transport input, called by IPv4 with net_lock held, nb->data at the
 * transport header and ip_* filled; each takes nb. */
void tcp_input(struct netbuf *nb);
void udp_input(struct netbuf *nb);
void icmp_input(struct netbuf *nb);
/* ICMP errors that concern a transport (destination unreachable): the
 * original datagram's header and first bytes, for udp/tcp to find the
 * socket. */
void tcp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *th, size_t len,
		    int err);
void udp_icmp_error(uint32_t src, uint32_t dst, const uint8_t *uh, size_t len,
		    int err);
/* Sends ICMP destination unreachable (code) about the received nb (does
 * not take it; nb->ip_hdr must be set). Rate limited (as Linux's
 * icmp_ratelimit: a token bucket), never about an ICMP error, a
 * broadcast or a fragment other than the first. */
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_NEEDFRAG 4
void icmp_send_unreach(struct netbuf *nb, uint8_t code);

/* Counters (under net_lock), as /proc/net/snmp's Udp line. */
struct udp_stats {
	uint64_t in_datagrams, no_ports, in_errors, out_datagrams;
	uint64_t rcvbuf_errors, in_csum_errors;
};
extern struct udp_stats udp_stats;
struct icmp_stats {
	uint64_t in_msgs, in_errors, in_echos, out_msgs, out_echo_reps;
	uint64_t out_dest_unreachs, ratelimited;
};
extern struct icmp_stats icmp_stats;
/* Packets the weak tcp_input stub in net/ipv4.c dropped (only in a build
 * without net/tcp_input.c, such as the host tests of IPv4 and UDP). */
extern uint64_t tcp_stub_drops;

/* /proc/net/tcp, udp and unix (net/inet_proc.c, net/unix_proc.c): the
 * records from p->idx on (0: the header), whole lines into buf's size
 * bytes, p advanced past each; returns the bytes written, 0 when none is
 * left (fs/procfs.c's record files). Take net_lock or unix_lock. */
struct seq_pos;
long tcp_proc_show(char *buf, size_t size, struct seq_pos *p);
long udp_proc_show(char *buf, size_t size, struct seq_pos *p);
long unix_proc_show(char *buf, size_t size, struct seq_pos *p);
/* For them, with the list's lock held: where to go on showing list head
 * from (the node after p->last while the list's removal count is still
 * p->gen, else the first), and in *k the records shown before it. */
struct list_head *seq_list_start(struct list_head *head,
				 const struct seq_pos *p, uint64_t gen,
				 uint64_t *k);
/* Removals from tcp_all and udp_socks (net_lock; unix_all's count is in
 * net/unix_internal.h), which seq_list_start's hint depends on. */
extern uint64_t tcp_all_gen, udp_socks_gen;

#endif
