/* The monotonic clock: converts a free-running counter (the TSC on x86) into
 * nanoseconds since the counter was registered, with a fixed-point
 * multiplier so the hot path is one multiply and one shift. */
#include <time.h>
#include <uapi/errno.h>
#include <uapi/misc.h>

volatile uint64_t jiffies;

static uint64_t (*clock_read)(void);
static uint64_t clock_base;
static uint64_t clock_hz;
/* ns = (ticks * mult) >> 32, exact enough for counters from 1 MHz to
 * 10 GHz; ticks are split to avoid overflowing 64 bits. */
static uint64_t clock_mult;

void time_set_clocksource(uint64_t (*read)(void), uint64_t freq_hz,
			  uint64_t base)
{
	clock_mult = (NSEC_PER_SEC << 32) / freq_hz;
	clock_hz = freq_hz;
	clock_base = base;
	clock_read = read;
}

uint64_t time_clocksource_hz(void)
{
	return clock_hz;
}

uint64_t time_ns(void)
{
	if (!clock_read)
		return 0;
	uint64_t d = clock_read() - clock_base;
	/* (d * mult) >> 32 without a 128-bit overflow. */
	uint64_t hi = d >> 32, lo = d & 0xffffffffULL;
	return hi * clock_mult + ((lo * clock_mult) >> 32);
}

void time_delay_ns(uint64_t ns)
{
	uint64_t end = time_ns() + ns;
	while (time_ns() < end)
		__asm__ volatile("pause");
}

/* sec * NSEC_PER_SEC + sub_ns, or TIME_NS_NEVER past 2^64 ns (584 years). */
static uint64_t time_sat_ns(int64_t sec, uint64_t sub_ns)
{
	uint64_t ns;
	if (__builtin_mul_overflow((uint64_t)sec, NSEC_PER_SEC, &ns))
		return TIME_NS_NEVER;
	return time_add_sat(ns, sub_ns);
}

int time_timespec_ns(const struct timespec_k *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*ns = time_sat_ns(ts->tv_sec, (uint64_t)ts->tv_nsec);
	return 0;
}

int time_timeval_ns(const struct timeval_k *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = time_sat_ns(tv->tv_sec, (uint64_t)tv->tv_usec * NSEC_PER_USEC);
	return 0;
}
