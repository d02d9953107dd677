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
/* Interrupt-driven tick counter, advanced by the timer interrupt. */
extern volatile uint64_t jiffies;

/* Set by the architecture once it knows its counter frequency; base is the
 * counter's value at boot, so timestamps count from kernel entry. */
void time_set_clocksource(uint64_t (*read)(void), uint64_t freq_hz,
			  uint64_t base);
uint64_t time_clocksource_hz(void);
/* Busy-wait (with interrupts as they are) for at least ns nanoseconds. */
void time_delay_ns(uint64_t ns);

#endif
