/* Kernel time: a monotonic clock in nanoseconds since boot, derived from the
 * TSC once it has been calibrated (kernel/time.c, arch/x86_64/tsc.c), and the
 * timer tick count. */
#ifndef LIMEN_TIME_H
#define LIMEN_TIME_H

#include <types.h>

#define HZ 100
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

/* 0 until the clock source is calibrated. */
uint64_t time_ns(void);
/* The wall-clock time at boot, in seconds since the epoch (read from
 * the RTC by rtc_init, drivers/rtc.c). */
extern int64_t rtc_boot_epoch;
/* CLOCK_REALTIME in ns since the epoch (kernel/sys_time.c). */
uint64_t time_realtime_ns(void);
/* A CPU-time clock id of the caller's (CLOCK_PROCESS_CPUTIME_ID,
 * CLOCK_THREAD_CPUTIME_ID, or Linux's encoding of a pid or tid in a
 * negative id): which of the two it is, and for a thread clock its tid in
 * *tid. -ESRCH for another process's clock, -EINVAL otherwise. */
int time_cpu_clock_decode(long id, int *tid);
void rtc_init(void);
/* Interrupt-driven tick counter, advanced by the timer interrupt. */
extern volatile uint64_t jiffies;

/* Set by the architecture once it knows its counter frequency; base is the
 * counter's value at boot, so timestamps count from kernel entry. */
void time_set_clocksource(uint64_t (*read)(void), uint64_t freq_hz,
			  uint64_t base);
uint64_t time_clocksource_hz(void);
/* Time arithmetic that a user's numbers cannot wrap: a duration or a
 * deadline that does not fit saturates at TIME_NS_NEVER, which no clock
 * reaches. */
#define TIME_NS_NEVER UINT64_MAX
struct timespec_k;
struct timeval_k;
/* A user's timespec as nanoseconds: -EINVAL if tv_sec or tv_nsec is
 * negative or tv_nsec is not below a second, saturating otherwise. */
int time_timespec_ns(const struct timespec_k *ts, uint64_t *ns);
int time_timeval_ns(const struct timeval_k *tv, uint64_t *ns);
/* a + b, or TIME_NS_NEVER if that does not fit. */
static inline uint64_t time_add_sat(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_add_overflow(a, b, &r) ? TIME_NS_NEVER : r;
}
/* The monotonic deadline ns from now (never 0, which means "none"). */
static inline uint64_t time_deadline(uint64_t ns)
{
	uint64_t d = time_add_sat(time_ns(), ns);
	return d ? d : 1;
}

/* Busy-wait (with interrupts as they are) for at least ns nanoseconds. */
void time_delay_ns(uint64_t ns);

#endif
