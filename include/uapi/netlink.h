/* Netlink and rtnetlink as Linux x86_64 user space sees them: the layouts
 * and numbers of linux/netlink.h, linux/rtnetlink.h, linux/if_link.h,
 * linux/if_addr.h and linux/neighbour.h that Limen's subset uses
 * (net/netlink.c, net/rtnetlink.c). */
#ifndef LIMEN_UAPI_NETLINK_H
#define LIMEN_UAPI_NETLINK_H

#include <types.h>

#define NETLINK_ROUTE 0
#define SOL_NETLINK 270
#define NETLINK_ADD_MEMBERSHIP 1
#define NETLINK_DROP_MEMBERSHIP 2
#define NETLINK_CAP_ACK 10
#define NETLINK_EXT_ACK 11

struct sockaddr_nl_k {
	uint16_t nl_family; /* AF_NETLINK */
	uint16_t nl_pad;
	uint32_t nl_pid; /* port id; 0: the kernel */
	uint32_t nl_groups;
};

struct nlmsghdr_k {
	uint32_t nlmsg_len; /* header included */
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

#define NLM_F_REQUEST 0x01
#define NLM_F_MULTI 0x02
#define NLM_F_ACK 0x04
#define NLM_F_ECHO 0x08
#define NLM_F_DUMP_INTR 0x10
#define NLM_F_ROOT 0x100
#define NLM_F_MATCH 0x200
#define NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_REPLACE 0x100 /* for NEW requests */
#define NLM_F_EXCL 0x200
#define NLM_F_CREATE 0x400
#define NLM_F_APPEND 0x800
#define NLM_F_CAPPED 0x100 /* for NLMSG_ERROR */

#define NLMSG_ALIGNTO 4u
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN ((uint32_t)NLMSG_ALIGN(sizeof(struct nlmsghdr_k)))

#define NLMSG_NOOP 0x1
#define NLMSG_ERROR 0x2
#define NLMSG_DONE 0x3
#define NLMSG_OVERRUN 0x4
#define NLMSG_MIN_TYPE 0x10

struct nlmsgerr_k {
	int32_t error; /* -errno, 0 for an acknowledgement */
	struct nlmsghdr_k msg;
};

struct nlattr_k {
	uint16_t nla_len; /* header included */
	uint16_t nla_type;
};
#define NLA_F_NESTED (1 << 15)
#define NLA_F_NET_BYTEORDER (1 << 14)
#define NLA_TYPE_MASK (~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff)
#define NLA_ALIGN(len) NLMSG_ALIGN(len)
#define NLA_HDRLEN 4u

/* rtnetlink message types. */
#define RTM_NEWLINK 16
#define RTM_DELLINK 17
#define RTM_GETLINK 18
#define RTM_SETLINK 19
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26
#define RTM_NEWNEIGH 28
#define RTM_DELNEIGH 29
#define RTM_GETNEIGH 30
#define RTM_MAX 127

struct rtgenmsg_k {
	uint8_t rtgen_family;
};

struct ifinfomsg_k {
	uint8_t ifi_family;
	uint8_t ifi_pad;
	uint16_t ifi_type; /* ARPHRD_* */
	int32_t ifi_index;
	uint32_t ifi_flags;
	uint32_t ifi_change;
};

#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_STATS64 23
#define IFLA_MAX 64

#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6
#define IFF_LOWER_UP 0x10000

/* IFLA_STATS: struct rtnl_link_stats, 24 32-bit counters; IFLA_STATS64:
 * struct rtnl_link_stats64, the same 24 as 64-bit counters (Linux 4.6 to
 * 5.18's size; later kernels append one, readers take what they know). */
#define RTNL_LINK_STATS_N 24

struct ifaddrmsg_k {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_MAX 12
#define IFA_F_PERMANENT 0x80

struct rtmsg_k {
	uint8_t rtm_family;
	uint8_t rtm_dst_len;
	uint8_t rtm_src_len;
	uint8_t rtm_tos;
	uint8_t rtm_table;
	uint8_t rtm_protocol;
	uint8_t rtm_scope;
	uint8_t rtm_type;
	uint32_t rtm_flags;
};

#define RT_TABLE_UNSPEC 0
#define RT_TABLE_MAIN 254
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RT_SCOPE_NOWHERE 255
#define RTN_UNSPEC 0
#define RTN_UNICAST 1

#define RTA_DST 1
#define RTA_SRC 2
#define RTA_IIF 3
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RTA_MAX 30

struct ndmsg_k {
	uint8_t ndm_family;
	uint8_t ndm_pad1;
	uint16_t ndm_pad2;
	int32_t ndm_ifindex;
	uint16_t ndm_state;
	uint8_t ndm_flags;
	uint8_t ndm_type;
};

#define NDA_DST 1
#define NDA_LLADDR 2
#define NUD_INCOMPLETE 0x01
#define NUD_REACHABLE 0x02

#endif
