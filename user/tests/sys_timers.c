/* Timers and clocks: alarm, setitimer/getitimer (ITIMER_REAL, _VIRTUAL,
 * _PROF), their fate across fork and execve, POSIX timers (SIGEV_SIGNAL,
 * SIGEV_NONE, SIGEV_THREAD_ID, TIMER_ABSTIME, overruns, delete, CPU-time
 * clocks, the per-process cap), clock_settime and absolute
 * clock_nanosleep. Counts are checked with generous bounds, never against
 * wall-clock speed (TCG on a loaded host). Also passes on Linux as root.
 * With an argument it is the re-executed image of the execve checks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "check.h"

#define NOBODY 65534
#define SIGEV_THREAD_ID_K 4

/* The kernel's struct sigevent, so SIGEV_THREAD_ID needs nothing of libc. */
struct ksigevent {
	union sigval value;
	int signo, notify, tid, pad[11];
};

static int k_timer_create(clockid_t c, int notify, int signo, long value,
			  int tid, int *id)
{
	struct ksigevent ev = {.notify = notify, .signo = signo, .tid = tid};
	ev.value.sival_ptr = (void *)value;
	return (int)syscall(SYS_timer_create, c, &ev, id);
}
static int k_settime(int id, int flags, long val_ns, long int_ns,
		     struct itimerspec *old)
{
	struct itimerspec its = {{int_ns / 1000000000, int_ns % 1000000000},
				 {val_ns / 1000000000, val_ns % 1000000000}};
	return (int)syscall(SYS_timer_settime, id, flags, &its, old);
}
static int k_gettime(int id, struct itimerspec *cur)
{
	return (int)syscall(SYS_timer_gettime, id, cur);
}
static int k_delete(int id)
{
	return (int)syscall(SYS_timer_delete, id);
}
static int k_overrun(int id)
{
	return (int)syscall(SYS_timer_getoverrun, id);
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static volatile int n_alrm, n_vtalrm, n_prof;
static void on_alrm(int s)
{
	(void)s;
	n_alrm++;
}
static void on_vtalrm(int s)
{
	(void)s;
	n_vtalrm++;
}
static void on_prof(int s)
{
	(void)s;
	n_prof++;
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa = {0};
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* Waits (up to max_ms of monotonic time) until *cnt reaches want. */
static int wait_count(volatile int *cnt, int want, long max_ms)
{
	long long end = now_ns(CLOCK_MONOTONIC) + max_ms * 1000000LL;
	while (*cnt < want && now_ns(CLOCK_MONOTONIC) < end)
		sleep_ms(5);
	return *cnt;
}

/* Spins in user mode until *cnt reaches want or max_ms pass. */
static int spin_count(volatile int *cnt, int want, long max_ms)
{
	long long end = now_ns(CLOCK_MONOTONIC) + max_ms * 1000000LL;
	volatile unsigned long x = 0;
	while (*cnt < want && now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 3000000; i++)
			x += i;
	return *cnt;
}

/* sigtimedwait for sig, up to ms; the signal or -1. */
static int wait_sig(int sig, long ms, siginfo_t *si)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	int r;
	while ((r = sigtimedwait(&s, si, &ts)) < 0 && errno == EINTR)
		;
	return r;
}

static int is_pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

static int child_status(pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_alarm(void)
{
	handle(SIGALRM, on_alrm);
	n_alrm = 0;
	CHECK("alarm.first_returns_0", alarm(100) == 0, "not 0");
	unsigned r = alarm(1);
	CHECK("alarm.returns_remaining", r == 99 || r == 100, "got %u", r);
	wait_count(&n_alrm, 1, 30000);
	CHECK("alarm.fires", n_alrm >= 1, "no SIGALRM in 30 s");
	sleep_ms(1500);
	CHECK("alarm.once", n_alrm == 1, "%d SIGALRMs", n_alrm);
	CHECK("alarm.after_fire_0", alarm(0) == 0, "not 0");
	alarm(50);
	r = alarm(0);
	CHECK("alarm.cancel_returns", r == 50 || r == 49, "got %u", r);
	sleep_ms(100);
	CHECK("alarm.cancelled", n_alrm == 1, "%d SIGALRMs", n_alrm);
}

/* The alarm system call itself (musl's alarm() is setitimer): Linux
 * rounds half a second up, and never says 0 while one is pending. */
static void test_alarm_syscall(void)
{
	struct itimerval it = {{0, 0}, {30, 900000}}, zero = {0};
	block(SIGALRM);
	setitimer(ITIMER_REAL, &it, NULL);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	long r = syscall(SYS_alarm, 0);
	long long dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("alarm.syscall_rounds_up", r == 31 || (r == 30 && dt > 300000000),
	      "30.9 s left gave %ld", r);
	it.it_value.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_ns(CLOCK_MONOTONIC);
	r = syscall(SYS_alarm, 0);
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK("alarm.syscall_never_0", r == 1 || (r == 0 && dt > 800000000),
	      "0.9 s left gave %ld", r);
	r = syscall(SYS_alarm, 0);
	CHECK("alarm.syscall_cancelled", r == 0, "gave %ld", r);
	setitimer(ITIMER_REAL, &zero, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	struct timespec ts = {0, 0};
	sigtimedwait(&s, NULL, &ts);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_itimer_real(void)
{
	struct itimerval it = {{0, 10000}, {0, 10000}}, old, cur;
	n_alrm = 0;
	CHECK_OK("itimer.real.set", setitimer(ITIMER_REAL, &it, NULL));
	int n = wait_count(&n_alrm, 4, 30000);
	CHECK("itimer.real.periodic", n >= 4, "%d firings in 30 s", n);
	CHECK_OK("itimer.real.get", getitimer(ITIMER_REAL, &cur));
	CHECK("itimer.real.get_values",
	      cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 10000 &&
		  cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
		  cur.it_value.tv_usec <= 10000,
	      "interval %ld.%06ld value %ld.%06ld",
	      (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec,
	      (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	struct itimerval zero = {0};
	CHECK_OK("itimer.real.disarm", setitimer(ITIMER_REAL, &zero, &old));
	CHECK("itimer.real.old_value", old.it_interval.tv_usec == 10000,
	      "old interval %ld", (long)old.it_interval.tv_usec);
	sleep_ms(50);
	n = n_alrm;
	sleep_ms(300);
	CHECK("itimer.real.stopped", n_alrm == n, "%d more", n_alrm - n);
	getitimer(ITIMER_REAL, &cur);
	CHECK("itimer.real.get_disarmed",
	      !cur.it_value.tv_sec && !cur.it_value.tv_usec, "still armed");
	/* A long one-shot shows its remaining time going down. */
	struct itimerval big = {{0, 0}, {1000, 0}};
	setitimer(ITIMER_REAL, &big, NULL);
	getitimer(ITIMER_REAL, &cur);
	CHECK("itimer.real.remaining",
	      cur.it_value.tv_sec >= 990 && cur.it_value.tv_sec <= 1000 &&
		  !cur.it_interval.tv_sec,
	      "%ld s", (long)cur.it_value.tv_sec);
	setitimer(ITIMER_REAL, &zero, NULL);

	struct itimerval bad = {{0, 0}, {0, 1000000}};
	CHECK_ERRNO("itimer.einval_usec", setitimer(ITIMER_REAL, &bad, NULL),
		    EINVAL);
	bad.it_value.tv_usec = -1;
	CHECK_ERRNO("itimer.einval_neg", setitimer(ITIMER_REAL, &bad, NULL),
		    EINVAL);
	CHECK_ERRNO("itimer.einval_which", setitimer(7, &zero, NULL), EINVAL);
	CHECK_ERRNO("itimer.einval_which_get", getitimer(-1, &cur), EINVAL);
	CHECK_ERRNO("itimer.efault_new",
		    syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL),
		    EFAULT);
	CHECK_ERRNO("itimer.efault_old",
		    syscall(SYS_setitimer, ITIMER_REAL, &zero, (void *)8),
		    EFAULT);
	CHECK_ERRNO("itimer.efault_get",
		    syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
}

static void test_itimer_cpu(void)
{
	handle(SIGVTALRM, on_vtalrm);
	handle(SIGPROF, on_prof);
	struct itimerval it = {{0, 10000}, {0, 50000}}, cur, zero = {0};
	n_vtalrm = 0;
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	sleep_ms(1000); /* no user time: 50 ms of it never passes */
	CHECK("itimer.virtual.not_while_sleeping", n_vtalrm == 0,
	      "%d firings while asleep", n_vtalrm);
	getitimer(ITIMER_VIRTUAL, &cur);
	CHECK("itimer.virtual.get",
	      cur.it_interval.tv_usec == 10000 && cur.it_value.tv_usec > 0 &&
		  cur.it_value.tv_usec <= 60000,
	      "interval %ld value %ld", (long)cur.it_interval.tv_usec,
	      (long)cur.it_value.tv_usec);
	/* Spinning in user mode: both run at the same rate (PROF counts
	 * system time too); VIRTUAL does not just count kernel ticks. */
	n_prof = 0;
	struct itimerval p10 = {{0, 10000}, {0, 10000}};
	setitimer(ITIMER_PROF, &p10, NULL);
	int n = spin_count(&n_prof, 20, 60000);
	int v = n_vtalrm;
	CHECK("itimer.prof.fires_spinning", n >= 20, "%d firings", n);
	CHECK("itimer.virtual.fires_spinning", v >= 10 && v <= n + 2,
	      "%d SIGVTALRM for %d SIGPROF", v, n);
	setitimer(ITIMER_VIRTUAL, &zero, NULL);
	setitimer(ITIMER_PROF, &zero, &cur);
	CHECK("itimer.prof.old_interval", cur.it_interval.tv_usec == 10000,
	      "%ld", (long)cur.it_interval.tv_usec);
}

static void test_fork(void)
{
	struct itimerval it = {{0, 0}, {1000, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	int id = -1;
	k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id);
	k_settime(id, 0, 1000000000000L, 0, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerval c;
		int bad = 0;
		for (int w = 0; w < 3; w++) {
			getitimer(w, &c);
			if (c.it_value.tv_sec || c.it_value.tv_usec)
				bad |= 1 << w;
		}
		if (alarm(0) != 0)
			bad |= 8;
		struct itimerspec its;
		if (k_gettime(id, &its) != -1 || errno != EINVAL)
			bad |= 16;
		_exit(bad);
	}
	int st = child_status(pid);
	CHECK("fork.child_timers_cleared", st == 0, "child status %d", st);
	struct itimerval c;
	getitimer(ITIMER_REAL, &c);
	CHECK("fork.parent_keeps", c.it_value.tv_sec > 900, "%ld",
	      (long)c.it_value.tv_sec);
	struct itimerval zero = {0};
	for (int w = 0; w < 3; w++)
		setitimer(w, &zero, NULL);
	k_delete(id);
}

/* The re-executed image: the alarm is still armed, the POSIX timer gone. */
static int exec_child(int id)
{
	int bad = 0;
	struct itimerval c;
	getitimer(ITIMER_REAL, &c);
	if (c.it_value.tv_sec < 1 || c.it_value.tv_sec > 30)
		bad |= 1;
	struct itimerspec its;
	if (k_gettime(id, &its) != -1 || errno != EINVAL)
		bad |= 2;
	handle(SIGALRM, on_alrm);
	alarm(1); /* replaces it, and returns what was left */
	wait_count(&n_alrm, 1, 30000);
	if (n_alrm != 1)
		bad |= 4;
	return bad;
}

static void test_exec(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		int id = -1;
		k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id);
		k_settime(id, 0, 1000000000000L, 0, NULL);
		alarm(30);
		char arg[16];
		snprintf(arg, sizeof(arg), "%d", id);
		execl(self, self, "exec-child", arg, (char *)NULL);
		_exit(99);
	}
	int st = child_status(pid);
	CHECK("exec.alarm_kept_posix_timers_gone", st == 0,
	      "child status %d (1: alarm lost, 2: timer kept, 4: no SIGALRM)",
	      st);
}

static void test_posix_signal(void)
{
	int sig = SIGRTMIN;
	block(sig);
	int id = -1;
	CHECK_OK("posix.create", k_timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL,
						sig, 0x1234, 0, &id));
	CHECK_OK("posix.settime", k_settime(id, 0, 10000000, 10000000, NULL));
	int got = 0;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	for (int i = 0; i < 3; i++)
		if (wait_sig(sig, 30000, &si) == sig)
			got++;
	CHECK("posix.periodic_sigwaitinfo", got == 3, "%d of 3", got);
	CHECK("posix.si_code", si.si_code == SI_TIMER, "si_code %d",
	      si.si_code);
	CHECK("posix.si_value", si.si_value.sival_ptr == (void *)0x1234,
	      "si_value %p", si.si_value.sival_ptr);
	CHECK("posix.si_timerid", si.si_timerid == id, "si_timerid %d",
	      si.si_timerid);
	struct itimerspec cur;
	CHECK_OK("posix.gettime", k_gettime(id, &cur));
	CHECK("posix.gettime_values",
	      cur.it_interval.tv_nsec == 10000000 && !cur.it_interval.tv_sec &&
		  !cur.it_value.tv_sec && cur.it_value.tv_nsec > 0 &&
		  cur.it_value.tv_nsec <= 10000000,
	      "interval %ld value %ld.%09ld", cur.it_interval.tv_nsec,
	      (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

	/* Overruns: the signal stays pending (blocked) while it fires on. */
	sleep_ms(400);
	wait_sig(sig, 30000, &si);
	int ov = k_overrun(id);
	CHECK("posix.overrun", ov >= 3, "timer_getoverrun %d after 400 ms", ov);
	CHECK("posix.si_overrun", si.si_overrun == ov, "si_overrun %d vs %d",
	      si.si_overrun, ov);

	/* timer_delete stops it. */
	CHECK_OK("posix.delete", k_delete(id));
	wait_sig(sig, 0, &si); /* one may have been pending */
	sleep_ms(300);
	CHECK("posix.deleted_stops", !is_pending(sig), "signal after delete");
	CHECK_ERRNO("posix.deleted_settime", k_settime(id, 0, 1000, 0, NULL),
		    EINVAL);
	CHECK_ERRNO("posix.deleted_delete", k_delete(id), EINVAL);
	CHECK_ERRNO("posix.bad_getoverrun", k_overrun(id), EINVAL);

	/* Disarm returns the old setting. */
	k_timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL, sig, 0, 0, &id);
	k_settime(id, 0, 500000000000L, 7000000, NULL);
	struct itimerspec old;
	CHECK_OK("posix.disarm", k_settime(id, 0, 0, 0, &old));
	CHECK("posix.disarm_old",
	      old.it_value.tv_sec > 400 && old.it_interval.tv_nsec == 7000000,
	      "old %ld s / %ld ns", (long)old.it_value.tv_sec,
	      old.it_interval.tv_nsec);
	k_gettime(id, &cur);
	CHECK("posix.disarmed", !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "still armed");
	struct itimerspec badv = {{0, 0}, {0, 1000000000}};
	CHECK_ERRNO("posix.settime_einval",
		    syscall(SYS_timer_settime, id, 0, &badv, NULL), EINVAL);
	CHECK_ERRNO("posix.settime_efault",
		    syscall(SYS_timer_settime, id, 0, (void *)8, NULL), EFAULT);
	k_delete(id);

	/* Absolute deadlines, past and future, on both clocks. */
	clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
	for (int c = 0; c < 2; c++) {
		char name[64];
		k_timer_create(clocks[c], SIGEV_SIGNAL, sig, 0, 0, &id);
		k_settime(id, TIMER_ABSTIME, now_ns(clocks[c]) + 50000000, 0,
			  NULL);
		snprintf(name, sizeof(name), "posix.abstime_%d", c);
		CHECK(name, wait_sig(sig, 30000, &si) == sig, "no signal");
		snprintf(name, sizeof(name), "posix.abstime_past_%d", c);
		k_settime(id, TIMER_ABSTIME, 1000, 0, NULL);
		CHECK(name, wait_sig(sig, 30000, &si) == sig, "no signal");
		/* A far one does not fire. */
		k_settime(id, TIMER_ABSTIME,
			  now_ns(clocks[c]) + 3600000000000LL, 0, NULL);
		snprintf(name, sizeof(name), "posix.abstime_far_%d", c);
		CHECK(name, wait_sig(sig, 200, &si) < 0, "fired early");
		k_delete(id);
	}

	/* SIGEV_NONE: nothing is sent, the time still runs. */
	k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, sig, 0, 0, &id);
	k_settime(id, 0, 20000000, 0, NULL);
	sleep_ms(300);
	CHECK("posix.sigev_none_silent", !is_pending(sig), "a signal came");
	k_gettime(id, &cur);
	CHECK("posix.sigev_none_expired",
	      !cur.it_value.tv_sec && !cur.it_value.tv_nsec, "still armed");
	k_delete(id);

	/* NULL sigevent: SIGALRM. Bad arguments. */
	struct sigevent *none = NULL;
	block(SIGALRM);
	CHECK_OK("posix.null_sigevent",
		 syscall(SYS_timer_create, CLOCK_MONOTONIC, none, &id));
	k_settime(id, 0, 10000000, 0, NULL);
	CHECK("posix.null_sigevent_sigalrm",
	      wait_sig(SIGALRM, 30000, &si) == SIGALRM, "no SIGALRM");
	k_delete(id);
	CHECK_ERRNO("posix.bad_clock",
		    k_timer_create(99, SIGEV_SIGNAL, sig, 0, 0, &id), EINVAL);
	CHECK_ERRNO(
	    "posix.bad_signo",
	    k_timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL, 65, 0, 0, &id),
	    EINVAL);
	CHECK_ERRNO("posix.bad_notify",
		    k_timer_create(CLOCK_MONOTONIC, 77, sig, 0, 0, &id),
		    EINVAL);
	CHECK_ERRNO("posix.efault_id",
		    syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, (void *)8),
		    EFAULT);
}

static volatile int sigev_thread_calls;
static void sigev_thread_fn(union sigval v)
{
	if (v.sival_int == 42)
		sigev_thread_calls++;
}

/* libc's SIGEV_THREAD, built on SIGEV_THREAD_ID: its helper thread runs
 * the function only for a signal whose si_code is SI_TIMER. */
static void test_sigev_thread(void)
{
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = sigev_thread_fn;
	ev.sigev_value.sival_int = 42;
	timer_t tm;
	CHECK_OK("sigev_thread.create",
		 timer_create(CLOCK_MONOTONIC, &ev, &tm));
	struct itimerspec its = {{0, 20000000}, {0, 20000000}};
	timer_settime(tm, 0, &its, NULL);
	wait_count(&sigev_thread_calls, 3, 30000);
	CHECK("sigev_thread.called", sigev_thread_calls >= 3, "%d calls",
	      sigev_thread_calls);
	timer_delete(tm);
}

static volatile int tid_of_thread, thread_got;
static void *sig_thread(void *arg)
{
	(void)arg;
	siginfo_t si;
	tid_of_thread = (int)syscall(SYS_gettid);
	thread_got = wait_sig(SIGRTMIN + 1, 30000, &si);
	return NULL;
}

static void test_thread_id(void)
{
	int sig = SIGRTMIN + 1;
	block(sig); /* in every thread: only sigwaitinfo takes it */
	pthread_t th;
	pthread_create(&th, NULL, sig_thread, NULL);
	while (!tid_of_thread)
		sleep_ms(5);
	int id = -1;
	CHECK_OK("thread_id.create",
		 k_timer_create(CLOCK_MONOTONIC, SIGEV_THREAD_ID_K, sig, 0,
				tid_of_thread, &id));
	k_settime(id, 0, 20000000, 0, NULL);
	pthread_join(th, NULL);
	CHECK("thread_id.delivered_to_thread", thread_got == sig, "got %d",
	      thread_got);
	CHECK("thread_id.not_process_wide", !is_pending(sig),
	      "pending in the main thread");
	k_delete(id);
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK_ERRNO("thread_id.other_process",
		    k_timer_create(CLOCK_MONOTONIC, SIGEV_THREAD_ID_K, sig, 0,
				   pid, &id),
		    EINVAL);
	kill(pid, SIGKILL);
	child_status(pid);
	CHECK_ERRNO("thread_id.no_such_thread",
		    k_timer_create(CLOCK_MONOTONIC, SIGEV_THREAD_ID_K, sig, 0,
				   0x3fffffff, &id),
		    EINVAL);
}

static volatile int stop_spin;
static void *spinner(void *arg)
{
	long long end = now_ns(CLOCK_THREAD_CPUTIME_ID) + (long)arg;
	long long wall = now_ns(CLOCK_MONOTONIC) + 60000000000LL;
	volatile unsigned long x = 0;
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) < end &&
	       now_ns(CLOCK_MONOTONIC) < wall && !stop_spin)
		for (int i = 0; i < 10000; i++)
			x += i;
	return NULL;
}

static void test_cpu_clocks(void)
{
	/* The process clock counts every thread; the thread clock one. */
	long long p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	pthread_t th;
	pthread_create(&th, NULL, spinner, (void *)300000000L);
	pthread_join(th, NULL);
	long long p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	long long t1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK("cpuclock.process_counts_threads", p1 - p0 >= 250000000,
	      "process clock +%lld ns while a thread spun 300 ms", p1 - p0);
	CHECK("cpuclock.thread_own", t1 - t0 < 150000000,
	      "thread clock +%lld ns while it waited", t1 - t0);

	/* The clock ids libc makes for a pid or a thread (glibc uses them
	 * for CLOCK_PROCESS_CPUTIME_ID too). */
	clockid_t pc, tc;
	struct timespec cts;
	CHECK("cpuclock.getcpuclockid",
	      clock_getcpuclockid(getpid(), &pc) == 0 &&
		  clock_gettime(pc, &cts) == 0 &&
		  cts.tv_sec * 1000000000LL + cts.tv_nsec >= p1,
	      "process clock id %d unreadable or behind", (int)pc);
	CHECK("cpuclock.pthread_getcpuclockid",
	      pthread_getcpuclockid(pthread_self(), &tc) == 0 &&
		  clock_gettime(tc, &cts) == 0,
	      "thread clock id %d unreadable", (int)tc);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	clockid_t cc;
	CHECK("cpuclock.other_process",
	      clock_getcpuclockid(child, &cc) == 0 &&
		  clock_gettime(cc, &cts) == 0,
	      "child's clock id unreadable");
	kill(child, SIGKILL);
	child_status(child);
	CHECK_ERRNO("cpuclock.gone_process", clock_gettime(cc, &cts), EINVAL);
	CHECK_ERRNO("cpuclock.settime_eperm", clock_settime(pc, &cts), EPERM);

	int sig = SIGRTMIN + 2, id = -1;
	block(sig);
	CHECK_OK("cpuclock.timer_encoded_id",
		 k_timer_create(pc, SIGEV_SIGNAL, sig, 0, 0, &id));
	k_delete(id);
	siginfo_t si;
	CHECK_OK("cpuclock.timer_create",
		 k_timer_create(CLOCK_PROCESS_CPUTIME_ID, SIGEV_SIGNAL, sig, 0,
				0, &id));
	k_settime(id, 0, 100000000, 0, NULL);
	sleep_ms(1000);
	CHECK("cpuclock.timer_not_while_sleeping", !is_pending(sig),
	      "fired while asleep");
	pthread_create(&th, NULL, spinner, (void *)400000000L);
	pthread_join(th, NULL);
	CHECK("cpuclock.timer_fires_spinning", wait_sig(sig, 1000, &si) == sig,
	      "no signal after 400 ms of CPU");
	k_delete(id);

	/* Sleeping on the process's CPU clock while another thread
	 * spins: the sleep ends after (about) that much CPU time. */
	pthread_create(&th, NULL, spinner, (void *)5000000000L);
	long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec req = {0, 200000000};
	int nr = clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, NULL);
	long long c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK("cpuclock.nanosleep", nr == 0 && c1 - c0 >= 190000000,
	      "r %d after %lld ns of CPU", nr, c1 - c0);
	stop_spin = 1;
	pthread_join(th, NULL);
	stop_spin = 0;
	CHECK_ERRNO("cpuclock.nanosleep_thread_eopnotsupp",
		    syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0,
			    &req, NULL),
		    EOPNOTSUPP);
	CHECK_ERRNO(
	    "nanosleep.raw_eopnotsupp",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &req, NULL),
	    EOPNOTSUPP);

	CHECK_OK("cpuclock.thread_timer_create",
		 k_timer_create(CLOCK_THREAD_CPUTIME_ID, SIGEV_SIGNAL, sig, 0,
				0, &id));
	k_settime(id, 0, 100000000, 0, NULL);
	spinner((void *)400000000L);
	CHECK("cpuclock.thread_timer_fires", wait_sig(sig, 1000, &si) == sig,
	      "no signal after 400 ms of CPU");
	k_delete(id);
}

static void test_cap(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int n = 0, id, e = 0;
		for (; n < 100000; n++) {
			if (k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0,
					   &id) < 0) {
				e = errno;
				break;
			}
		}
		printf("sys_timers: %d timers, then %s\n", n, errname(e));
		fflush(stdout);
		/* Limen's cap is 1024; Linux's is RLIMIT_SIGPENDING, shared
		 * with queued signals. */
		struct rlimit rl = {0, 0};
		getrlimit(RLIMIT_SIGPENDING, &rl);
		if (e != EAGAIN || (n != 1024 && (n > (long)rl.rlim_cur ||
						  n < (long)rl.rlim_cur / 2)))
			_exit(1);
		if (k_delete(5) ||
		    k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id))
			_exit(2);
		_exit(0); /* exit deletes them all */
	}
	int st = child_status(pid);
	CHECK("posix.cap_eagain", st == 0, "child status %d", st);
	/* And the exited child's timers went back to the global pool. */
	int id;
	CHECK_OK("posix.cap_released",
		 k_timer_create(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, 0, &id));
	k_delete(id);
}

static void *short_thread(void *arg)
{
	int *id = arg;
	/* Aimed at this thread, which ends while it keeps firing. */
	k_timer_create(CLOCK_MONOTONIC, SIGEV_THREAD_ID_K, SIGRTMIN + 4, 0,
		       (int)syscall(SYS_gettid), id);
	k_settime(*id, 0, 1, 1, NULL);
	return NULL;
}

/* Processes that exit (and threads that end) with timers firing every
 * tick: the kernel must take them off before the process goes. */
static void test_exit_race(void)
{
	int bad = 0, first = 0;
	for (int i = 0; i < 60; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			signal(SIGALRM, SIG_IGN);
			block(SIGRTMIN + 4);
			struct itimerval it = {{0, 1}, {0, 1}};
			setitimer(ITIMER_REAL, &it, NULL);
			setitimer(ITIMER_PROF, &it, NULL);
			int id;
			k_timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL,
				       SIGRTMIN + 4, 0, 0, &id);
			k_settime(id, 0, 1, 1, NULL);
			pthread_t th;
			pthread_create(&th, NULL, short_thread, &id);
			pthread_join(th, NULL);
			volatile unsigned long x = 0;
			for (int j = 0; j < (i % 4) * 100000; j++)
				x += j;
			_exit(0);
		}
		int cs = child_status(pid);
		if (cs != 0 && !bad++)
			first = cs;
	}
	CHECK("exit_race.children_exit", bad == 0,
	      "%d of 60 failed, the first with %d (128 + signal)", bad, first);
}

static void test_settime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		errno = 0;
		if (clock_settime(CLOCK_REALTIME, &ts) != -1 || errno != EPERM)
			_exit(1);
		struct timeval tv = {ts.tv_sec, 0};
		if (settimeofday(&tv, NULL) != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	int st = child_status(pid);
	CHECK("settime.nonroot_eperm", st == 0, "child status %d", st);
	CHECK_ERRNO("settime.monotonic_einval",
		    clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
	struct timespec bad = {ts.tv_sec, 1000000000};
	struct timespec huge = {(time_t)1 << 62, 0};
	CHECK_ERRNO("settime.huge", clock_settime(CLOCK_REALTIME, &huge),
		    EINVAL);
	CHECK_ERRNO("settime.bad_nsec", clock_settime(CLOCK_REALTIME, &bad),
		    EINVAL);
	CHECK_ERRNO("settime.efault",
		    syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8),
		    EFAULT);

	/* As root: forward by 1000 s, seen by clock_gettime, gettimeofday
	 * and time; an absolute realtime timer follows; then restore. */
	int sig = SIGRTMIN + 3, id = -1;
	block(sig);
	siginfo_t si;
	k_timer_create(CLOCK_REALTIME, SIGEV_SIGNAL, sig, 0, 0, &id);
	k_settime(id, TIMER_ABSTIME, now_ns(CLOCK_REALTIME) + 500000000000LL, 0,
		  NULL);
	long long m0 = now_ns(CLOCK_MONOTONIC), r0 = now_ns(CLOCK_REALTIME);
	struct timespec fwd = {r0 / 1000000000 + 1000, r0 % 1000000000};
	CHECK_OK("settime.root", clock_settime(CLOCK_REALTIME, &fwd));
	long long r1 = now_ns(CLOCK_REALTIME);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	CHECK("settime.realtime_moved",
	      r1 - r0 >= 1000000000000LL && r1 - r0 < 1100000000000LL,
	      "moved %lld ns", r1 - r0);
	CHECK("settime.gettimeofday_moved",
	      tv.tv_sec >= r0 / 1000000000 + 1000 &&
		  tv.tv_sec < r0 / 1000000000 + 1100,
	      "%ld vs %lld", (long)tv.tv_sec, r0 / 1000000000);
	CHECK("settime.time_moved", time(NULL) >= r0 / 1000000000 + 1000,
	      "time() did not move");
	CHECK("settime.abs_realtime_timer_follows",
	      wait_sig(sig, 30000, &si) == sig,
	      "absolute timer 500 s ahead did not fire after +1000 s");
	k_delete(id);
	long long back = r0 + (now_ns(CLOCK_MONOTONIC) - m0);
	struct timespec rs = {back / 1000000000, back % 1000000000};
	CHECK_OK("settime.restore", clock_settime(CLOCK_REALTIME, &rs));
	long long r2 = now_ns(CLOCK_REALTIME);
	CHECK("settime.restored", r2 - r0 >= 0 && r2 - r0 < 60000000000LL,
	      "off by %lld ns", r2 - r0);

	/* settimeofday moves it too, and keeps a time zone for
	 * gettimeofday. */
	m0 = now_ns(CLOCK_MONOTONIC);
	r0 = now_ns(CLOCK_REALTIME);
	struct timeval ftv = {r0 / 1000000000 + 2000, 0};
	CHECK_OK("settimeofday.root", settimeofday(&ftv, NULL));
	r1 = now_ns(CLOCK_REALTIME);
	CHECK("settimeofday.moved",
	      r1 - r0 >= 1998000000000LL && r1 - r0 < 2100000000000LL,
	      "moved %lld ns", r1 - r0);
	back = r0 + (now_ns(CLOCK_MONOTONIC) - m0);
	rs = (struct timespec){back / 1000000000, back % 1000000000};
	clock_settime(CLOCK_REALTIME, &rs);
	struct timezone tz = {-120, 0}, tz2 = {1, 1};
	CHECK_OK("settimeofday.tz", syscall(SYS_settimeofday, NULL, &tz));
	syscall(SYS_gettimeofday, NULL, &tz2);
	CHECK("settimeofday.tz_kept",
	      tz2.tz_minuteswest == -120 && tz2.tz_dsttime == 0, "%d %d",
	      tz2.tz_minuteswest, tz2.tz_dsttime);
	tz.tz_minuteswest = 0;
	syscall(SYS_settimeofday, NULL, &tz);
	tz.tz_minuteswest = 16 * 60;
	CHECK_ERRNO("settimeofday.tz_einval",
		    syscall(SYS_settimeofday, NULL, &tz), EINVAL);
	struct timeval btv = {r0 / 1000000000, 1000000};
	CHECK_ERRNO("settimeofday.usec_einval",
		    syscall(SYS_settimeofday, &btv, NULL), EINVAL);

	/* Absolute clock_nanosleep on both clocks. */
	clockid_t clocks[2] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
	for (int c = 0; c < 2; c++) {
		long long want = now_ns(clocks[c]) + 100000000;
		struct timespec w = {want / 1000000000, want % 1000000000};
		int r = clock_nanosleep(clocks[c], TIMER_ABSTIME, &w, NULL);
		char name[64];
		snprintf(name, sizeof(name), "nanosleep.abstime_%d", c);
		CHECK(name, r == 0 && now_ns(clocks[c]) >= want,
		      "r %d, %lld ns early", r, want - now_ns(clocks[c]));
	}
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "exec-child"))
		return exec_child(atoi(argv[2]));
	test_alarm();
	test_alarm_syscall();
	test_itimer_real();
	test_itimer_cpu();
	test_fork();
	test_exec(argv[0]);
	test_posix_signal();
	test_thread_id();
	test_sigev_thread();
	test_cpu_clocks();
	test_cap();
	test_exit_race();
	/* On a host, leave its clock alone: SYS_TIMERS_NO_SETTIME=1. */
	if (!getenv("SYS_TIMERS_NO_SETTIME"))
		test_settime();
	return check_summary("sys_timers");
}
