/* eventfd2 and timerfd_create/timerfd_settime flags, Linux x86_64 values
 * (the creation flags are O_CLOEXEC and O_NONBLOCK, as on Linux). */
#ifndef LIMEN_UAPI_EVENTFD_H
#define LIMEN_UAPI_EVENTFD_H

#include <uapi/fcntl.h>

#define EFD_SEMAPHORE 00000001
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK
#define TFD_TIMER_ABSTIME (1 << 0)
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)

/* Linux's alarm clocks (wake the system from suspend). */
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9

#endif
