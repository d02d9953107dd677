/* epoll(7): struct epoll_event and the EPOLL* constants, Linux x86_64
 * values. The event is packed on x86_64 (12 bytes), as Linux's
 * EPOLL_PACKED. */
#ifndef LIMEN_UAPI_EPOLL_H
#define LIMEN_UAPI_EPOLL_H

#include <types.h>

#define EPOLL_CLOEXEC 02000000 /* O_CLOEXEC */

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* The readiness bits are poll(2)'s. */
#define EPOLLIN 0x00000001u
#define EPOLLPRI 0x00000002u
#define EPOLLOUT 0x00000004u
#define EPOLLERR 0x00000008u
#define EPOLLHUP 0x00000010u
#define EPOLLNVAL 0x00000020u
#define EPOLLRDNORM 0x00000040u
#define EPOLLRDBAND 0x00000080u
#define EPOLLWRNORM 0x00000100u
#define EPOLLWRBAND 0x00000200u
#define EPOLLMSG 0x00000400u
#define EPOLLRDHUP 0x00002000u
/* Input flags of epoll_ctl. */
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
STATIC_ASSERT(sizeof(struct epoll_event_k) == 12, "epoll_event is packed");

#endif
