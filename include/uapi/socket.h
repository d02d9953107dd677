/* The sockets ABI: address families, socket types, options, message flags
 * and the structures of sys/socket.h, sys/un.h and netinet/in.h, with
 * Linux x86_64 values and layouts. */
#ifndef LIMEN_UAPI_SOCKET_H
#define LIMEN_UAPI_SOCKET_H

#include <types.h>
#include <uapi/fcntl.h>

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_MAX 46

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

#define SOMAXCONN 4096

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_RAW 255

#define SOL_IP 0
#define IP_TOS 1
#define IP_TTL 2
#define IP_HDRINCL 3
#define IP_RECVERR 11
#define SOL_TCP 6
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define SOL_UDP 17

#define INADDR_ANY 0x00000000u
#define INADDR_BROADCAST 0xffffffffu
#define INADDR_LOOPBACK 0x7f000001u

typedef uint32_t socklen_t_k;

struct sockaddr_k {
	uint16_t sa_family;
	char sa_data[14];
};

/* The largest address any family uses (Linux's sockaddr_storage). */
struct sockaddr_storage_k {
	uint16_t ss_family;
	char ss_data[126];
};

#define UNIX_PATH_MAX 108
struct sockaddr_un_k {
	uint16_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};

/* sin_port and sin_addr are in network byte order. */
struct sockaddr_in_k {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};

/* AF_PACKET (net/af_packet.c): sll_protocol in network byte order. */
struct sockaddr_ll_k {
	uint16_t sll_family;
	uint16_t sll_protocol;
	int32_t sll_ifindex;
	uint16_t sll_hatype; /* ARPHRD_* */
	uint8_t sll_pkttype; /* PACKET_* */
	uint8_t sll_halen;
	uint8_t sll_addr[8];
};
#define SOL_PACKET 263
#define ETH_P_ALL 0x0003
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING 4
#define PACKET_ADD_MEMBERSHIP 1
#define PACKET_DROP_MEMBERSHIP 2
#define PACKET_STATISTICS 6
#define PACKET_AUXDATA 8
#define SO_BINDTODEVICE 25
#define SO_ATTACH_FILTER 26
#define SO_DETACH_FILTER 27
struct tpacket_stats_k {
	uint32_t tp_packets, tp_drops;
};

struct msghdr_k {
	void __user *msg_name;
	uint32_t msg_namelen;
	uint32_t pad0;
	struct iovec_k __user *msg_iov;
	uint64_t msg_iovlen;
	void __user *msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};

struct mmsghdr_k {
	struct msghdr_k msg_hdr;
	uint32_t msg_len;
	uint32_t pad;
};

/* Control messages are 8-byte aligned, header then data. */
struct cmsghdr_k {
	uint64_t cmsg_len; /* header plus data, unaligned */
	int32_t cmsg_level;
	int32_t cmsg_type;
};
#define CMSG_ALIGN_K(len) (((len) + 7) & ~(uint64_t)7)
#define CMSG_SPACE_K(len) (sizeof(struct cmsghdr_k) + CMSG_ALIGN_K(len))
#define CMSG_LEN_K(len) (sizeof(struct cmsghdr_k) + (len))

struct ucred_k {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

struct linger_k {
	int32_t l_onoff;
	int32_t l_linger;
};

/* Byte order: x86 is little-endian, the wire big-endian. */
static inline uint16_t net_htons(uint16_t v)
{
	return __builtin_bswap16(v);
}
static inline uint32_t net_htonl(uint32_t v)
{
	return __builtin_bswap32(v);
}
#define net_ntohs net_htons
#define net_ntohl net_htonl

#endif
