/* eventfd and timerfd: the counter (plain and EFD_SEMAPHORE), blocking and
 * non-blocking reads and writes, overflow, poll readiness, wake-ups from
 * another process, timer expiration counts, absolute and past deadlines,
 * gettime/settime values and Linux's errors. Timing bounds only ever ask
 * for "at least" what a sleep guarantees, never for speed. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define MS 1000000LL

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * MS};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Arms a one-shot SIGALRM after ms, whose handler makes a slow call fail
 * with EINTR (no SA_RESTART). */
static void alarm_ms(long ms)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void *thread_write(void *arg)
{
	int fd = *(int *)arg;
	sleep_ms(50);
	uint64_t v = 9;
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		return (void *)1;
	return NULL;
}

static void test_eventfd(void)
{
	uint64_t v;
	ssize_t r;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK("eventfd.create", fd >= 0, "errno %s", errname(errno));
	CHECK("eventfd.cloexec",
	      fcntl(fd, F_GETFD) == FD_CLOEXEC &&
		  (fcntl(fd, F_GETFL) & O_NONBLOCK),
	      "F_GETFD %d F_GETFL %#x", fcntl(fd, F_GETFD), fcntl(fd, F_GETFL));
	errno = 0;
	r = read(fd, &v, sizeof(v));
	CHECK("eventfd.empty_eagain", r < 0 && errno == EAGAIN,
	      "ret %zd errno %s", r, errname(errno));

	struct pollfd pf = {.fd = fd, .events = POLLIN | POLLOUT};
	int pr = poll(&pf, 1, 0);
	CHECK("eventfd.poll_empty", pr == 1 && pf.revents == POLLOUT,
	      "poll %d revents %#x", pr, pf.revents);

	v = 3;
	r = write(fd, &v, sizeof(v));
	v = 4;
	r += write(fd, &v, sizeof(v));
	CHECK("eventfd.write", r == 16, "two writes returned %zd", r);
	pr = poll(&pf, 1, 0);
	CHECK("eventfd.poll_readable",
	      pr == 1 && pf.revents == (POLLIN | POLLOUT),
	      "poll %d revents %#x", pr, pf.revents);
	v = 0;
	char big[16] = {0};
	r = read(fd, big, sizeof(big));
	memcpy(&v, big, sizeof(v));
	CHECK("eventfd.read_sum", r == 8 && v == 7, "ret %zd value %llu", r,
	      (unsigned long long)v);
	errno = 0;
	r = read(fd, &v, sizeof(v));
	CHECK("eventfd.read_resets", r < 0 && errno == EAGAIN,
	      "ret %zd errno %s", r, errname(errno));

	errno = 0;
	r = read(fd, &v, 4);
	CHECK("eventfd.short_read_einval", r < 0 && errno == EINVAL,
	      "ret %zd errno %s", r, errname(errno));
	errno = 0;
	r = write(fd, &v, 7);
	CHECK("eventfd.short_write_einval", r < 0 && errno == EINVAL,
	      "ret %zd errno %s", r, errname(errno));
	v = UINT64_MAX;
	errno = 0;
	r = write(fd, &v, sizeof(v));
	CHECK("eventfd.write_max_einval", r < 0 && errno == EINVAL,
	      "ret %zd errno %s", r, errname(errno));

	/* The counter holds at most 0xfffffffffffffffe. */
	v = UINT64_MAX - 1;
	r = write(fd, &v, sizeof(v));
	CHECK("eventfd.write_to_limit", r == 8, "ret %zd errno %s", r,
	      errname(errno));
	v = 1;
	errno = 0;
	r = write(fd, &v, sizeof(v));
	CHECK("eventfd.overflow_eagain", r < 0 && errno == EAGAIN,
	      "ret %zd errno %s", r, errname(errno));
	pr = poll(&pf, 1, 0);
	CHECK("eventfd.poll_full", pr == 1 && pf.revents == POLLIN,
	      "poll %d revents %#x", pr, pf.revents);
	v = 0;
	r = write(fd, &v, sizeof(v));
	CHECK("eventfd.write_zero_when_full", r == 8, "ret %zd errno %s", r,
	      errname(errno));
	r = read(fd, &v, sizeof(v));
	CHECK("eventfd.read_limit", r == 8 && v == UINT64_MAX - 1,
	      "ret %zd value %#llx", r, (unsigned long long)v);

	int sfd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	int got = 0;
	while (read(sfd, &v, sizeof(v)) == 8 && v == 1 && got < 10)
		got++;
	CHECK("eventfd.semaphore", got == 3 && errno == EAGAIN,
	      "read %d ones, then %s", got, errname(errno));
	close(sfd);

	int ifd = (int)syscall(SYS_eventfd, 42);
	r = read(ifd, &v, sizeof(v));
	CHECK("eventfd.syscall_initval", ifd >= 0 && r == 8 && v == 42,
	      "fd %d ret %zd value %llu", ifd, r, (unsigned long long)v);
	close(ifd);

	errno = 0;
	int e = (int)syscall(SYS_eventfd2, 0, 0x4);
	CHECK("eventfd.bad_flags_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	v = 1;
	write(fd, &v, sizeof(v));
	errno = 0;
	r = syscall(SYS_read, fd, (void *)16, 8);
	CHECK("eventfd.read_efault", r < 0 && errno == EFAULT,
	      "ret %zd errno %s", r, errname(errno));
	errno = 0;
	r = syscall(SYS_write, fd, (void *)16, 8);
	CHECK("eventfd.write_efault", r < 0 && errno == EFAULT,
	      "ret %zd errno %s", r, errname(errno));
	close(fd);

	/* A blocking reader sleeps until another process writes. */
	int bfd = eventfd(0, 0);
	pid_t c = fork();
	if (c == 0) {
		sleep_ms(50);
		uint64_t w = 5;
		_exit(write(bfd, &w, sizeof(w)) == 8 ? 0 : 1);
	}
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	r = read(bfd, &v, sizeof(v));
	int64_t dt = now_ns(CLOCK_MONOTONIC) - t0;
	int st = -1;
	waitpid(c, &st, 0);
	CHECK("eventfd.child_wakes_reader",
	      r == 8 && v == 5 && dt >= 40 * MS && st == 0,
	      "ret %zd value %llu after %lld ms, child status %#x", r,
	      (unsigned long long)v, (long long)(dt / MS), st);

	/* A thread's write wakes a blocked reader of the same process. */
	pthread_t th;
	void *tr = (void *)1;
	pthread_create(&th, NULL, thread_write, &bfd);
	r = read(bfd, &v, sizeof(v));
	pthread_join(th, &tr);
	CHECK("eventfd.thread_wakes_reader", r == 8 && v == 9 && !tr,
	      "ret %zd value %llu thread %p", r, (unsigned long long)v, tr);

	/* A writer blocked on a full counter goes on once a read drains
	 * it. */
	v = UINT64_MAX - 1;
	fcntl(bfd, F_SETFL, O_NONBLOCK); /* a broken limit must not hang */
	ssize_t fill = write(bfd, &v, sizeof(v));
	fcntl(bfd, F_SETFL, 0);
	c = fork();
	if (c == 0) {
		uint64_t w = 1;
		_exit(write(bfd, &w, sizeof(w)) == 8 ? 0 : 1);
	}
	sleep_ms(50);
	pid_t w0 = waitpid(c, &st, WNOHANG);
	r = read(bfd, &v, sizeof(v));
	waitpid(c, &st, 0);
	uint64_t after = 0;
	fcntl(bfd, F_SETFL, O_NONBLOCK);
	ssize_t r2 = read(bfd, &after, sizeof(after));
	fcntl(bfd, F_SETFL, 0);
	CHECK("eventfd.full_writer_blocks", fill == 8 && w0 == 0,
	      "fill %zd, writer did not block (waitpid %d)", fill, (int)w0);
	CHECK("eventfd.full_writer_woken",
	      r == 8 && st == 0 && r2 == 8 && after == 1,
	      "read %zd status %#x then %zd value %llu", r, st, r2,
	      (unsigned long long)after);

	/* poll sleeps until a write from another process. */
	c = fork();
	if (c == 0) {
		sleep_ms(50);
		uint64_t w = 1;
		_exit(write(bfd, &w, sizeof(w)) == 8 ? 0 : 1);
	}
	pf = (struct pollfd){.fd = bfd, .events = POLLIN};
	pr = poll(&pf, 1, 30000);
	waitpid(c, &st, 0);
	CHECK("eventfd.poll_woken", pr == 1 && pf.revents == POLLIN,
	      "poll %d revents %#x", pr, pf.revents);
	read(bfd, &v, sizeof(v));

	/* A signal with a handler (no SA_RESTART) ends a blocked read. */
	alarm_ms(50);
	errno = 0;
	r = read(bfd, &v, sizeof(v));
	CHECK("eventfd.read_eintr", r < 0 && errno == EINTR, "ret %zd errno %s",
	      r, errname(errno));
	close(bfd);
}

static int settime(int fd, int flags, int64_t value, int64_t interval,
		   struct itimerspec *old)
{
	struct itimerspec its = {
	    .it_interval = {interval / 1000000000LL, interval % 1000000000LL},
	    .it_value = {value / 1000000000LL, value % 1000000000LL}};
	return timerfd_settime(fd, flags, &its, old);
}

static void test_timerfd(void)
{
	uint64_t v = 0;
	ssize_t r;
	struct itimerspec g, o;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	CHECK("timerfd.create", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "fd %d errno %s", fd, errname(errno));
	int nfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	errno = 0;
	r = read(nfd, &v, sizeof(v));
	CHECK("timerfd.unarmed_eagain", r < 0 && errno == EAGAIN,
	      "ret %zd errno %s", r, errname(errno));
	memset(&g, 0xff, sizeof(g));
	int e = timerfd_gettime(nfd, &g);
	CHECK("timerfd.unarmed_gettime",
	      e == 0 && ts_ns(&g.it_value) == 0 && ts_ns(&g.it_interval) == 0,
	      "ret %d value %lld", e, (long long)ts_ns(&g.it_value));

	/* One-shot: a blocking read returns 1 no sooner than the deadline,
	 * and the timer is disarmed after. */
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	settime(fd, 0, 30 * MS, 0, NULL);
	r = read(fd, &v, sizeof(v));
	int64_t dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("timerfd.oneshot", r == 8 && v == 1 && dt >= 30 * MS,
	      "ret %zd count %llu after %lld us", r, (unsigned long long)v,
	      (long long)(dt / 1000));
	timerfd_gettime(fd, &g);
	CHECK("timerfd.oneshot_disarmed", ts_ns(&g.it_value) == 0,
	      "value %lld ns", (long long)ts_ns(&g.it_value));

	/* Periodic: the expirations missed while nobody read are counted,
	 * never more than the time passed allows. */
	t0 = now_ns(CLOCK_MONOTONIC);
	settime(nfd, 0, 10 * MS, 10 * MS, NULL);
	sleep_ms(100);
	r = read(nfd, &v, sizeof(v));
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("timerfd.interval_count",
	      r == 8 && v >= 5 && (int64_t)v <= dt / (10 * MS) + 1,
	      "ret %zd count %llu after %lld ms", r, (unsigned long long)v,
	      (long long)(dt / MS));
	/* Shorter than the kernel's tick: only overrun counting can reach
	 * one per millisecond. */
	t0 = now_ns(CLOCK_MONOTONIC);
	settime(nfd, 0, 1 * MS, 1 * MS, NULL);
	sleep_ms(100);
	r = read(nfd, &v, sizeof(v));
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("timerfd.interval_overruns",
	      r == 8 && v >= 50 && (int64_t)v <= dt / MS + 1,
	      "ret %zd count %llu after %lld ms", r, (unsigned long long)v,
	      (long long)(dt / MS));
	settime(nfd, 0, 10 * MS, 10 * MS, NULL);
	struct pollfd pf = {.fd = nfd, .events = POLLIN};
	int pr = poll(&pf, 1, 30000);
	r = read(nfd, &v, sizeof(v));
	CHECK("timerfd.interval_poll",
	      pr == 1 && pf.revents == POLLIN && r == 8 && v >= 1,
	      "poll %d revents %#x read %zd count %llu", pr, pf.revents, r,
	      (unsigned long long)v);
	timerfd_gettime(nfd, &g);
	CHECK("timerfd.interval_gettime",
	      ts_ns(&g.it_interval) == 10 * MS && ts_ns(&g.it_value) > 0 &&
		  ts_ns(&g.it_value) <= 10 * MS,
	      "interval %lld value %lld", (long long)ts_ns(&g.it_interval),
	      (long long)ts_ns(&g.it_value));
	/* settime disarms with a zero value and returns the old one. */
	e = settime(nfd, 0, 0, 0, &o);
	CHECK("timerfd.disarm_old_value",
	      e == 0 && ts_ns(&o.it_interval) == 10 * MS &&
		  ts_ns(&o.it_value) > 0 && ts_ns(&o.it_value) <= 10 * MS,
	      "ret %d interval %lld value %lld", e,
	      (long long)ts_ns(&o.it_interval), (long long)ts_ns(&o.it_value));
	sleep_ms(30);
	errno = 0;
	r = read(nfd, &v, sizeof(v));
	CHECK("timerfd.disarmed_no_expiry", r < 0 && errno == EAGAIN,
	      "ret %zd count %llu errno %s", r, (unsigned long long)v,
	      errname(errno));

	/* An absolute deadline in the past expires at once; with an interval,
	 * the periods since count too (1 s ago, every 100 ms: 11). */
	int rfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	settime(rfd, TFD_TIMER_ABSTIME, now_ns(CLOCK_REALTIME) - 1000 * MS,
		100 * MS, NULL);
	pf = (struct pollfd){.fd = rfd, .events = POLLIN};
	pr = poll(&pf, 1, 30000);
	r = read(rfd, &v, sizeof(v));
	CHECK("timerfd.abstime_past", pr == 1 && r == 8 && v >= 11 && v <= 12,
	      "poll %d read %zd count %llu", pr, r, (unsigned long long)v);
	settime(rfd, TFD_TIMER_ABSTIME, 1, 0, NULL); /* 1970 */
	pr = poll(&pf, 1, 30000);
	r = read(rfd, &v, sizeof(v));
	CHECK("timerfd.abstime_epoch", pr == 1 && r == 8 && v == 1,
	      "poll %d read %zd count %llu", pr, r, (unsigned long long)v);
	close(rfd);

	/* An absolute deadline ahead, on each clock. */
	static const struct {
		const char *name;
		clockid_t clock;
	} clocks[] = {{"timerfd.abstime_monotonic", CLOCK_MONOTONIC},
		      {"timerfd.abstime_realtime", CLOCK_REALTIME},
		      {"timerfd.abstime_boottime", CLOCK_BOOTTIME}};
	for (int i = 0; i < 3; i++) {
		int cfd = timerfd_create(clocks[i].clock, 0);
		int64_t start = now_ns(clocks[i].clock);
		e = settime(cfd, TFD_TIMER_ABSTIME, start + 30 * MS, 0, NULL);
		r = read(cfd, &v, sizeof(v));
		int64_t end = now_ns(clocks[i].clock);
		CHECK(clocks[i].name,
		      cfd >= 0 && e == 0 && r == 8 && v == 1 &&
			  end >= start + 30 * MS,
		      "fd %d settime %d read %zd count %llu after %lld us", cfd,
		      e, r, (unsigned long long)v,
		      (long long)((end - start) / 1000));
		close(cfd);
	}

	/* gettime counts down; settime hands back the old setting. */
	settime(fd, 0, 10000 * MS, 3000 * MS, NULL);
	timerfd_gettime(fd, &g);
	sleep_ms(30);
	struct itimerspec g2;
	timerfd_gettime(fd, &g2);
	CHECK("timerfd.gettime_decreases",
	      ts_ns(&g.it_value) <= 10000 * MS &&
		  ts_ns(&g.it_value) > 9000 * MS &&
		  ts_ns(&g2.it_value) <= ts_ns(&g.it_value) - 30 * MS &&
		  ts_ns(&g.it_interval) == 3000 * MS,
	      "first %lld then %lld ns, interval %lld",
	      (long long)ts_ns(&g.it_value), (long long)ts_ns(&g2.it_value),
	      (long long)ts_ns(&g.it_interval));
	e = settime(fd, 0, 5000 * MS, 0, &o);
	CHECK("timerfd.settime_old",
	      e == 0 && ts_ns(&o.it_value) <= ts_ns(&g2.it_value) &&
		  ts_ns(&o.it_value) > 9000 * MS &&
		  ts_ns(&o.it_interval) == 3000 * MS,
	      "ret %d old value %lld interval %lld", e,
	      (long long)ts_ns(&o.it_value), (long long)ts_ns(&o.it_interval));
	timerfd_gettime(fd, &g);
	CHECK("timerfd.settime_new",
	      ts_ns(&g.it_value) <= 5000 * MS &&
		  ts_ns(&g.it_value) > 4000 * MS && ts_ns(&g.it_interval) == 0,
	      "value %lld interval %lld", (long long)ts_ns(&g.it_value),
	      (long long)ts_ns(&g.it_interval));

	/* A new setting forgets the expirations not yet read. */
	settime(nfd, 0, 1, 0, NULL);
	sleep_ms(30);
	settime(nfd, 0, 10000 * MS, 0, NULL);
	errno = 0;
	r = read(nfd, &v, sizeof(v));
	CHECK("timerfd.settime_resets_count", r < 0 && errno == EAGAIN,
	      "ret %zd count %llu errno %s", r, (unsigned long long)v,
	      errname(errno));

	/* Huge values saturate: no overflow, no early expiry. */
	struct itimerspec huge = {.it_interval = {INT64_MAX, 999999999},
				  .it_value = {0, 1}};
	e = timerfd_settime(nfd, 0, &huge, NULL);
	pf = (struct pollfd){.fd = nfd, .events = POLLIN};
	pr = poll(&pf, 1, 30000);
	r = read(nfd, &v, sizeof(v));
	timerfd_gettime(nfd, &g);
	CHECK("timerfd.huge_interval",
	      e == 0 && r == 8 && v == 1 && g.it_value.tv_sec > 1000000000LL,
	      "settime %d read %zd count %llu left %lld s", e, r,
	      (unsigned long long)v, (long long)g.it_value.tv_sec);
	huge.it_value = huge.it_interval;
	e = timerfd_settime(nfd, TFD_TIMER_ABSTIME, &huge, NULL);
	sleep_ms(20);
	errno = 0;
	r = read(nfd, &v, sizeof(v));
	CHECK("timerfd.huge_value", e == 0 && r < 0 && errno == EAGAIN,
	      "settime %d read %zd %s", e, r, errname(errno));

	/* A signal with a handler ends a blocked read with EINTR. */
	settime(fd, 0, 10000 * MS, 0, NULL);
	alarm_ms(50);
	errno = 0;
	r = read(fd, &v, sizeof(v));
	CHECK("timerfd.read_eintr", r < 0 && errno == EINTR, "ret %zd errno %s",
	      r, errname(errno));

	/* Closing armed timers, fast periodic ones too, leaves nothing
	 * behind that fires into freed memory; so does a child's exit. */
	int many[64];
	for (int i = 0; i < 64; i++) {
		many[i] = timerfd_create(CLOCK_MONOTONIC, 0);
		settime(many[i], 0, 1 + i * 100000, 1000000, NULL);
	}
	sleep_ms(15);
	for (int i = 0; i < 64; i++)
		close(many[i]);
	pid_t c = fork();
	if (c == 0) {
		int cfd = timerfd_create(CLOCK_MONOTONIC, 0);
		settime(cfd, 0, 1, 1000000, NULL);
		sleep_ms(5);
		_exit(0);
	}
	int st = -1;
	waitpid(c, &st, 0);
	sleep_ms(30);
	int lfd = timerfd_create(CLOCK_MONOTONIC, 0);
	settime(lfd, 0, 1, 0, NULL);
	r = read(lfd, &v, sizeof(v));
	CHECK("timerfd.close_armed", st == 0 && r == 8 && v == 1,
	      "child %#x read %zd", st, r);
	close(lfd);

	/* Errors, as Linux. */
	errno = 0;
	e = timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0);
	CHECK("timerfd.cpu_clock_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = timerfd_create(99, 0);
	CHECK("timerfd.bad_clock_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = timerfd_create(CLOCK_MONOTONIC, 0x4);
	CHECK("timerfd.bad_create_flags_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	struct itimerspec bad = {.it_value = {1, 1000000000}};
	CHECK_ERRNO("timerfd.nsec_1e9_einval",
		    timerfd_settime(fd, 0, &bad, NULL), EINVAL);
	bad = (struct itimerspec){.it_value = {1, -1}};
	CHECK_ERRNO("timerfd.nsec_negative_einval",
		    timerfd_settime(fd, 0, &bad, NULL), EINVAL);
	bad = (struct itimerspec){.it_value = {-1, 0}};
	CHECK_ERRNO("timerfd.sec_negative_einval",
		    timerfd_settime(fd, 0, &bad, NULL), EINVAL);
	bad = (struct itimerspec){.it_value = {1, 0},
				  .it_interval = {0, 1000000000}};
	CHECK_ERRNO("timerfd.interval_nsec_einval",
		    timerfd_settime(fd, 0, &bad, NULL), EINVAL);
	struct itimerspec ok = {.it_value = {1, 0}};
	CHECK_ERRNO("timerfd.bad_settime_flags_einval",
		    timerfd_settime(fd, 0x10, &ok, NULL), EINVAL);
	int efd = eventfd(0, 0);
	CHECK_ERRNO("timerfd.settime_not_timerfd_einval",
		    timerfd_settime(efd, 0, &ok, NULL), EINVAL);
	CHECK_ERRNO("timerfd.gettime_not_timerfd_einval",
		    timerfd_gettime(efd, &g), EINVAL);
	close(efd);
	CHECK_ERRNO("timerfd.settime_ebadf",
		    timerfd_settime(9999, 0, &ok, NULL), EBADF);
	CHECK_ERRNO("timerfd.gettime_ebadf", timerfd_gettime(-1, &g), EBADF);
	CHECK_ERRNO("timerfd.settime_null_efault",
		    syscall(SYS_timerfd_settime, fd, 0, NULL, NULL), EFAULT);
	CHECK_ERRNO("timerfd.settime_old_efault",
		    syscall(SYS_timerfd_settime, fd, 0, &ok, (void *)16),
		    EFAULT);
	CHECK_ERRNO("timerfd.gettime_efault",
		    syscall(SYS_timerfd_gettime, fd, (void *)16), EFAULT);
	CHECK_ERRNO("timerfd.short_read_einval", read(fd, &v, 7), EINVAL);
	CHECK_ERRNO("timerfd.write_einval", write(fd, &v, 8), EINVAL);
	close(fd);
	close(nfd);
}

int main(void)
{
	test_eventfd();
	test_timerfd();
	return check_summary("sys_eventfd");
}
