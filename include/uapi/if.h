/* The interface and route ioctls' ABI as Linux x86_64 has it (net/if.h,
 * linux/sockios.h, linux/route.h): struct ifreq, struct ifconf, struct
 * rtentry and the SIOC* numbers busybox ifconfig, route and ip use. */
#ifndef LIMEN_UAPI_IF_H
#define LIMEN_UAPI_IF_H

#include <types.h>
#include <uapi/socket.h>

#define SIOCADDRT 0x890B
#define SIOCDELRT 0x890C
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFADDR 0x8915
#define SIOCSIFADDR 0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCSIFBRDADDR 0x891A
#define SIOCGIFNETMASK 0x891B
#define SIOCSIFNETMASK 0x891C
#define SIOCGIFMETRIC 0x891D
#define SIOCSIFMETRIC 0x891E
#define SIOCGIFMTU 0x8921
#define SIOCSIFMTU 0x8922
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFTXQLEN 0x8942
#define SIOCGIFMAP 0x8970

#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

#define IFNAMSIZ_K 16

/* struct ifmap: 24 bytes with its tail padding. */
struct ifmap_k {
	uint64_t mem_start, mem_end;
	uint16_t base_addr;
	uint8_t irq, dma, port;
};

/* struct ifreq: the name, then a 24-byte union (40 bytes). */
struct ifreq_k {
	char ifr_name[IFNAMSIZ_K];
	union {
		struct sockaddr_k
		    ifr_addr; /* addr, netmask, broadaddr, hwaddr */
		int16_t ifr_flags;
		int32_t ifr_ivalue; /* ifindex, metric, mtu, qlen */
		struct ifmap_k ifr_map;
		char ifr_newname[IFNAMSIZ_K];
		uint64_t ifr_data;
	};
};

/* struct ifconf: 16 bytes. */
struct ifconf_k {
	int32_t ifc_len;
	int32_t pad;
	uint64_t ifc_buf; /* user pointer; 0: just tell the length */
};

#define RTF_UP 0x0001
#define RTF_GATEWAY 0x0002
#define RTF_HOST 0x0004

/* struct rtentry: 120 bytes. */
struct rtentry_k {
	uint64_t rt_pad1;
	struct sockaddr_k rt_dst;
	struct sockaddr_k rt_gateway;
	struct sockaddr_k rt_genmask;
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;
	uint64_t rt_dev; /* user pointer to the interface's name, or 0 */
	uint64_t rt_mtu;
	uint64_t rt_window;
	uint16_t rt_irtt;
};

_Static_assert(sizeof(struct ifreq_k) == 40, "struct ifreq is 40 bytes");
_Static_assert(sizeof(struct ifconf_k) == 16, "struct ifconf is 16 bytes");
_Static_assert(sizeof(struct rtentry_k) == 120, "struct rtentry is 120");

#endif
