/* poll(2) events and struct pollfd, Linux values. */
#ifndef LIMEN_UAPI_POLL_H
#define LIMEN_UAPI_POLL_H

#include <types.h>

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

struct pollfd_k {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

#endif
