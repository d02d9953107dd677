/* epoll: level- and edge-triggered reports, EPOLLONESHOT, watches that go
 * with the open file description, hangups, timeouts, signal masks, nesting
 * and its limits, Linux's errors, and waits woken from elsewhere. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int add(int ep, int fd, uint32_t ev, uint64_t data)
{
	struct epoll_event e = {.events = ev, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* One wait; *ev gets the first event. */
static int wait1(int ep, struct epoll_event *ev, int ms)
{
	memset(ev, 0, sizeof(*ev));
	return epoll_wait(ep, ev, 1, ms);
}

static void drain(int fd)
{
	char buf[4096];
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static void test_create_and_errors(void)
{
	int ep = epoll_create1(0);
	CHECK("epoll.create1", ep >= 0, "errno %s", errname(errno));
	CHECK_ERRNO("epoll.create_size0_einval", syscall(SYS_epoll_create, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.create1_badflag_einval", epoll_create1(1), EINVAL);
	int ep2 = syscall(SYS_epoll_create, 10);
	CHECK("epoll.create", ep2 >= 0, "errno %s", errname(errno));
	int epc = epoll_create1(EPOLL_CLOEXEC);
	CHECK("epoll.cloexec", fcntl(epc, F_GETFD) == FD_CLOEXEC, "F_GETFD %d",
	      fcntl(epc, F_GETFD));
	close(epc);

	int p[2];
	pipe(p);
	int reg = open("/tmp/epoll_reg", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_ERRNO("epoll.regular_file_eperm", add(ep, reg, EPOLLIN, 0),
		    EPERM);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERRNO("epoll.directory_eperm", add(ep, dir, EPOLLIN, 0), EPERM);
	CHECK_ERRNO("epoll.not_epoll_einval", add(reg, p[0], EPOLLIN, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.self_einval", add(ep, ep, EPOLLIN, 0), EINVAL);
	CHECK_ERRNO("epoll.bad_fd_ebadf", add(ep, 999, EPOLLIN, 0), EBADF);
	CHECK_ERRNO("epoll.bad_epfd_ebadf", add(999, p[0], EPOLLIN, 0), EBADF);
	CHECK_OK("epoll.add", add(ep, p[0], EPOLLIN, 1));
	CHECK_ERRNO("epoll.add_twice_eexist", add(ep, p[0], EPOLLIN, 1),
		    EEXIST);
	struct epoll_event e = {.events = EPOLLIN};
	CHECK_ERRNO("epoll.bad_op_einval", epoll_ctl(ep, 7, p[0], &e), EINVAL);
	CHECK_ERRNO("epoll.add_efault",
		    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], (void *)8), EFAULT);
	CHECK_ERRNO("epoll.mod_missing_enoent",
		    epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), ENOENT);
	CHECK_ERRNO("epoll.del_missing_enoent",
		    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
	CHECK_OK("epoll.del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK_ERRNO("epoll.del_again_enoent",
		    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK_OK("epoll.exclusive_add",
		 add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0));
	CHECK_ERRNO("epoll.exclusive_mod_einval",
		    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e), EINVAL);
	CHECK_ERRNO("epoll.exclusive_oneshot_einval",
		    add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.exclusive_epoll_einval",
		    add(ep, ep2, EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
	CHECK_OK("epoll.rdhup_wakeup_accepted",
		 add(ep, p[1], EPOLLOUT | EPOLLRDHUP | EPOLLWAKEUP, 0));

	struct epoll_event evs[2];
	CHECK_ERRNO("epoll.maxevents0_einval", epoll_wait(ep, evs, 0, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.maxevents_neg_einval",
		    syscall(SYS_epoll_wait, ep, evs, -1, 0), EINVAL);
	CHECK_ERRNO("epoll.maxevents_huge_einval",
		    syscall(SYS_epoll_wait, ep, evs, 0x7fffffff / 12 + 1, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.wait_not_epoll_einval", epoll_wait(reg, evs, 1, 0),
		    EINVAL);
	CHECK_ERRNO("epoll.wait_bad_fd_ebadf", epoll_wait(999, evs, 1, 0),
		    EBADF);
	CHECK_ERRNO("epoll.wait_kernel_ptr_efault",
		    epoll_wait(ep, (void *)0xffff800000000000ULL, 1, 0),
		    EFAULT);
	/* p[1] is ready (EPOLLOUT): an unmapped buffer is EFAULT, and the
	 * event is not lost. */
	CHECK_ERRNO("epoll.wait_unmapped_efault",
		    epoll_wait(ep, (void *)4096, 1, 0), EFAULT);
	int n = wait1(ep, evs, 0);
	CHECK("epoll.efault_keeps_event", n == 1 && evs[0].events & EPOLLOUT,
	      "n %d events %#x", n, evs[0].events);
	close(reg);
	close(dir);
	close(p[0]);
	close(p[1]);
	close(ep);
	close(ep2);
	unlink("/tmp/epoll_reg");
}

static void test_layout_and_partial(void)
{
	int ep = epoll_create1(0), a[2], b[2];
	pipe(a);
	pipe(b);
	add(ep, a[0], EPOLLIN, 0x1122334455667788ULL);
	add(ep, b[0], EPOLLIN, 0x99);
	write(a[1], "x", 1);
	write(b[1], "y", 1);
	unsigned char buf[40];
	memset(buf, 0xee, sizeof(buf));
	int n = epoll_wait(ep, (struct epoll_event *)buf, 1, 0);
	uint32_t ev;
	uint64_t data;
	memcpy(&ev, buf, 4);
	memcpy(&data, buf + 4, 8);
	CHECK("epoll.packed_layout",
	      n == 1 && ev == EPOLLIN && data == 0x1122334455667788ULL &&
		  buf[12] == 0xee,
	      "n %d events %#x data %#llx byte12 %#x", n, ev,
	      (unsigned long long)data, buf[12]);
	/* Two events ready, room for one before an unmapped page: one
	 * reported, the other on the next call. */
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pg + 4096, 4096);
	struct epoll_event *evs = (struct epoll_event *)(pg + 4096 - 12);
	n = epoll_wait(ep, evs, 2, 0);
	struct epoll_event e2[2];
	int m = epoll_wait(ep, e2, 2, 0);
	CHECK("epoll.partial_buffer", n == 1 && m == 2,
	      "first %d (want 1), then %d (want 2)", n, m);
	munmap(pg, 4096);
	close(ep);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void test_triggers(void)
{
	int p[2], ep = epoll_create1(0);
	struct epoll_event e;
	pipe(p);
	add(ep, p[0], EPOLLIN, 5);
	int n = wait1(ep, &e, 0);
	CHECK("epoll.lt_empty", n == 0, "n %d", n);
	write(p[1], "ab", 2);
	n = wait1(ep, &e, 0);
	CHECK("epoll.lt_ready",
	      n == 1 && e.events == EPOLLIN && e.data.u64 == 5,
	      "n %d events %#x data %llu", n, e.events,
	      (unsigned long long)e.data.u64);
	n = wait1(ep, &e, 0);
	CHECK("epoll.lt_again", n == 1 && e.events == EPOLLIN, "n %d", n);
	drain(p[0]);
	n = wait1(ep, &e, 0);
	CHECK("epoll.lt_drained", n == 0, "n %d", n);

	/* Edge-triggered: once per new arrival, even while still readable. */
	struct epoll_event m = {.events = EPOLLIN | EPOLLET, .data.u64 = 6};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &m);
	write(p[1], "a", 1);
	n = wait1(ep, &e, 0);
	CHECK("epoll.et_first", n == 1 && e.data.u64 == 6, "n %d", n);
	n = wait1(ep, &e, 0);
	CHECK("epoll.et_not_again", n == 0, "n %d (readable, no new data)", n);
	n = wait1(ep, &e, 0);
	CHECK("epoll.et_still_not", n == 0, "n %d", n);
	write(p[1], "b", 1);
	n = wait1(ep, &e, 0);
	CHECK("epoll.et_new_data", n == 1 && e.events == EPOLLIN, "n %d", n);
	n = wait1(ep, &e, 0);
	CHECK("epoll.et_once_more_not", n == 0, "n %d", n);
	drain(p[0]);

	/* One-shot: disarmed after one report until EPOLL_CTL_MOD. */
	m.events = EPOLLIN | EPOLLONESHOT;
	m.data.u64 = 7;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &m);
	write(p[1], "a", 1);
	n = wait1(ep, &e, 0);
	CHECK("epoll.oneshot_first", n == 1 && e.data.u64 == 7, "n %d", n);
	write(p[1], "b", 1);
	n = wait1(ep, &e, 0);
	CHECK("epoll.oneshot_disarmed", n == 0, "n %d", n);
	CHECK_ERRNO("epoll.oneshot_still_registered", add(ep, p[0], EPOLLIN, 0),
		    EEXIST);
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &m);
	n = wait1(ep, &e, 0);
	CHECK("epoll.oneshot_mod_rearms", n == 1 && e.events == EPOLLIN, "n %d",
	      n);
	n = wait1(ep, &e, 0);
	CHECK("epoll.oneshot_rearmed_once", n == 0, "n %d", n);
	drain(p[0]);

	/* EPOLLOUT on the write end until the pipe is full; EPOLLERR once
	 * the reader is gone. */
	m.events = EPOLLOUT;
	m.data.u64 = 8;
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &m);
	n = wait1(ep, &e, 0);
	CHECK("epoll.pollout",
	      n == 1 && e.events == EPOLLOUT && e.data.u64 == 8,
	      "n %d events %#x", n, e.events);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	char big[4096] = {0};
	while (write(p[1], big, sizeof(big)) > 0)
		;
	n = wait1(ep, &e, 0);
	CHECK("epoll.pollout_full", n == 0, "n %d events %#x", n, e.events);
	close(p[0]);
	n = wait1(ep, &e, 0);
	CHECK("epoll.pollerr_no_reader", n == 1 && (e.events & EPOLLERR),
	      "n %d events %#x", n, e.events);
	close(p[1]);

	/* EPOLLHUP when the writer goes, though only EPOLLIN was asked. */
	pipe(p);
	add(ep, p[0], EPOLLIN, 9);
	close(p[1]);
	n = wait1(ep, &e, 1000);
	CHECK("epoll.pollhup",
	      n == 1 && e.events == EPOLLHUP && e.data.u64 == 9,
	      "n %d events %#x", n, e.events);
	close(p[0]);
	close(ep);
}

static void test_close(void)
{
	int p[2], ep = epoll_create1(0);
	struct epoll_event e;
	pipe(p);
	add(ep, p[0], EPOLLIN, 1);
	write(p[1], "x", 1);
	/* The watch is on the open file description: a dup keeps it. */
	int d = dup(p[0]);
	close(p[0]);
	int n = wait1(ep, &e, 0);
	CHECK("epoll.dup_keeps_watch", n == 1 && e.data.u64 == 1, "n %d", n);
	close(d);
	n = wait1(ep, &e, 0);
	CHECK("epoll.last_close_removes", n == 0, "n %d events %#x", n,
	      e.events);
	/* The same descriptor number, a new file: no EEXIST. */
	int q[2];
	pipe(q);
	int r = 0;
	if (q[0] != p[0])
		r = dup2(q[0], p[0]) < 0;
	CHECK("epoll.readd_after_close", !r && add(ep, p[0], EPOLLIN, 2) == 0,
	      "errno %s", errname(errno));
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(p[0]);
	close(ep);
}

static void test_timeouts(void)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event e;
	pipe(p);
	add(ep, p[0], EPOLLIN, 0);
	long long t0 = now_ms();
	int n = wait1(ep, &e, 0);
	CHECK("epoll.timeout0", n == 0, "n %d", n);
	t0 = now_ms();
	n = wait1(ep, &e, 50);
	long long dt = now_ms() - t0;
	CHECK("epoll.timeout50", n == 0 && dt >= 50, "n %d after %lld ms", n,
	      dt);
	struct timespec ts = {0, 30 * 1000000};
	t0 = now_ms();
	n = syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8);
	dt = now_ms() - t0;
	CHECK("epoll.pwait2_timeout", n == 0 && dt >= 30, "n %d after %lld ms",
	      n, dt);
	ts.tv_nsec = 1000000000;
	CHECK_ERRNO("epoll.pwait2_bad_timespec",
		    syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8), EINVAL);
	write(p[1], "x", 1);
	n = syscall(SYS_epoll_pwait2, ep, &e, 1, NULL, NULL, 8);
	CHECK("epoll.pwait2_null_ready", n == 1, "n %d", n);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int s)
{
	(void)s;
	got_usr1++;
}

static void test_sigmask(void)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event e;
	pipe(p);
	add(ep, p[0], EPOLLIN, 0);
	signal(SIGUSR1, on_usr1);
	sigset_t bl, old;
	sigemptyset(&bl);
	sigaddset(&bl, SIGUSR1);
	sigprocmask(SIG_BLOCK, &bl, &old);
	kill(getpid(), SIGUSR1); /* pending, blocked */
	uint64_t none = 0;
	long long t0 = now_ms();
	errno = 0;
	long n = syscall(SYS_epoll_pwait, ep, &e, 1, 5000, &none, 8);
	int err = errno;
	CHECK("epoll.pwait_sigmask_eintr",
	      n == -1 && err == EINTR && got_usr1 == 1 && now_ms() - t0 < 4000,
	      "n %ld errno %s handler ran %d times", n, errname(err),
	      (int)got_usr1);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK("epoll.pwait_mask_restored", sigismember(&cur, SIGUSR1),
	      "SIGUSR1 unblocked after the call");
	/* With the signal blocked during the wait, it times out. */
	kill(getpid(), SIGUSR1);
	uint64_t blk = 1ULL << (SIGUSR1 - 1);
	n = syscall(SYS_epoll_pwait, ep, &e, 1, 20, &blk, 8);
	CHECK("epoll.pwait_blocked_timeout", n == 0 && got_usr1 == 1,
	      "n %ld handler ran %d", n, (int)got_usr1);
	CHECK_ERRNO("epoll.pwait_bad_sigsetsize",
		    syscall(SYS_epoll_pwait, ep, &e, 1, 0, &none, 4), EINVAL);
	sigprocmask(SIG_SETMASK, &old, NULL); /* the pending one runs */
	signal(SIGUSR1, SIG_DFL);

	/* A signalfd is a watched file like any other. */
	sigset_t s2;
	sigemptyset(&s2);
	sigaddset(&s2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s2, NULL);
	int sfd = signalfd(-1, &s2, SFD_NONBLOCK);
	add(ep, sfd, EPOLLIN, 42);
	n = wait1(ep, &e, 0);
	CHECK("epoll.signalfd_idle", n == 0, "n %ld", n);
	kill(getpid(), SIGUSR2);
	n = wait1(ep, &e, 1000);
	CHECK("epoll.signalfd_ready", n == 1 && e.data.u64 == 42, "n %ld", n);
	struct signalfd_siginfo si;
	read(sfd, &si, sizeof(si));
	close(sfd);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void test_nesting(void)
{
	int outer = epoll_create1(0), inner = epoll_create1(0), p[2];
	struct epoll_event e;
	pipe(p);
	add(inner, p[0], EPOLLIN, 1);
	CHECK_OK("epoll.nest_add", add(outer, inner, EPOLLIN, 2));
	int n = wait1(outer, &e, 0);
	CHECK("epoll.nest_idle", n == 0, "n %d", n);
	struct pollfd pf = {.fd = inner, .events = POLLIN};
	CHECK("epoll.poll_epoll_idle", poll(&pf, 1, 0) == 0, "revents %#x",
	      pf.revents);
	write(p[1], "x", 1);
	n = wait1(outer, &e, 1000);
	CHECK("epoll.nest_ready",
	      n == 1 && e.data.u64 == 2 && e.events == EPOLLIN,
	      "n %d data %llu", n, (unsigned long long)e.data.u64);
	CHECK("epoll.poll_epoll_ready",
	      poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN), "revents %#x",
	      pf.revents);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(inner, &rs);
	struct timeval tv = {0, 0};
	CHECK("epoll.select_epoll",
	      select(inner + 1, &rs, NULL, NULL, &tv) == 1, "not readable");
	/* Looking at the inner set from outside consumes nothing. */
	n = wait1(inner, &e, 0);
	CHECK("epoll.nest_inner_still", n == 1 && e.data.u64 == 1, "n %d", n);
	drain(p[0]);
	n = wait1(outer, &e, 0);
	CHECK("epoll.nest_drained", n == 0, "n %d", n);
	/* A blocked outer wait woken through the inner set. */
	pid_t c = fork();
	if (c == 0) {
		usleep(50000);
		write(p[1], "y", 1);
		_exit(0);
	}
	n = wait1(outer, &e, 5000);
	CHECK("epoll.nest_wakeup", n == 1 && e.data.u64 == 2, "n %d", n);
	waitpid(c, NULL, 0);

	CHECK_ERRNO("epoll.cycle_eloop", add(inner, outer, EPOLLIN, 0), ELOOP);
	/* Chains: five epolls deep is allowed, six is not. */
	int ch[7];
	for (int i = 0; i < 7; i++)
		ch[i] = epoll_create1(0);
	int r = 0;
	for (int i = 0; i < 4; i++)
		r |= add(ch[i], ch[i + 1], EPOLLIN, 0);
	CHECK("epoll.depth5_ok", r == 0, "errno %s", errname(errno));
	CHECK_ERRNO("epoll.depth6_eloop", add(ch[4], ch[5], EPOLLIN, 0), ELOOP);
	CHECK_ERRNO("epoll.depth6_above_eloop", add(ch[5], ch[0], EPOLLIN, 0),
		    ELOOP);
	CHECK_ERRNO("epoll.long_cycle_eloop", add(ch[3], ch[0], EPOLLIN, 0),
		    ELOOP);
	for (int i = 0; i < 7; i++)
		close(ch[i]);
	close(outer);
	close(inner);
	close(p[0]);
	close(p[1]);
}

static int th_ep, th_fd;
static void *th_wait(void *arg)
{
	(void)arg;
	struct epoll_event e = {0};
	long n = epoll_wait(th_ep, &e, 1, 5000);
	return (void *)(n == 1 ? (intptr_t)e.data.u64 : -1 - (intptr_t)n);
}

static void *th_write(void *arg)
{
	(void)arg;
	usleep(50000);
	write(th_fd, "t", 1);
	return NULL;
}

static void test_threads(void)
{
	int p[2];
	pipe(p);
	th_ep = epoll_create1(0);
	add(th_ep, p[0], EPOLLIN, 77);
	th_fd = p[1];
	pthread_t t, w;
	pthread_create(&t, NULL, th_wait, NULL);
	pthread_create(&w, NULL, th_write, NULL);
	void *res;
	pthread_join(t, &res);
	pthread_join(w, NULL);
	CHECK("epoll.thread_wakeup", (intptr_t)res == 77, "result %ld",
	      (long)(intptr_t)res);
	drain(p[0]);
	/* The epoll fd closed while another thread waits on it: the
	 * waiter's reference keeps the set, and a write still wakes it. */
	pthread_create(&t, NULL, th_wait, NULL);
	usleep(30000);
	close(th_ep);
	write(p[1], "u", 1);
	pthread_join(t, &res);
	CHECK("epoll.close_epfd_while_waiting", (intptr_t)res == 77,
	      "result %ld", (long)(intptr_t)res);
	/* A watched fd closed while another thread waits: the watch goes,
	 * the waiter times out (nothing else is watched). */
	drain(p[0]);
	th_ep = epoll_create1(0);
	add(th_ep, p[0], EPOLLIN, 78);
	pthread_create(&t, NULL, th_wait, NULL);
	usleep(30000);
	close(p[0]);
	write(p[1], "v", 1); /* EPIPE: no reader */
	struct epoll_event e;
	int n = wait1(th_ep, &e, 0);
	CHECK("epoll.close_watched_while_waiting", n == 0, "n %d", n);
	int q[2];
	pipe(q);
	add(th_ep, q[0], EPOLLIN, 79);
	write(q[1], "w", 1);
	pthread_join(t, &res);
	CHECK("epoll.waiter_after_close", (intptr_t)res == 79, "result %ld",
	      (long)(intptr_t)res);
	close(q[0]);
	close(q[1]);
	close(p[1]);
	close(th_ep);
}

/* A signalfd's queue is its process's: an epoll that outlives the
 * process that registered the watch must not touch the freed queue. */
static void test_pollfree(void)
{
	int go[2], st = -1;
	pipe(go);
	pid_t a = fork();
	if (a == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_BLOCK, &s, NULL);
		int sfd = signalfd(-1, &s, SFD_NONBLOCK);
		int ep = epoll_create1(0);
		add(ep, sfd, EPOLLIN, 1);
		if (fork() == 0) {
			/* B: waits until A is reaped, then lets go. */
			char c;
			close(go[1]);
			read(go[0], &c, 1);
			struct epoll_event e;
			wait1(ep, &e, 0);
			epoll_ctl(ep, EPOLL_CTL_DEL, sfd, NULL);
			close(ep);
			close(sfd);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(a, NULL, 0); /* A is freed: its signal queue with it */
	close(go[0]);
	write(go[1], "g", 1);
	close(go[1]);
	pid_t b;
	while ((b = wait(&st)) > 0 && !(WIFEXITED(st) || WIFSIGNALED(st)))
		;
	CHECK("epoll.signalfd_owner_freed",
	      b > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "grandchild %d status %#x", (int)b, st);
}

/* The system-wide watch cap (4% of memory, at most 1 << 20: about 60000
 * watches on the 256 MiB test machine): ENOSPC past it, and watches freed
 * with their set count no more. */
static void test_watch_cap(void)
{
	enum { ND = 200, NE = 800 };
	static int dfd[ND], eps[NE];
	int p[2], nd = 0, ne = 0, err = 0;
	long adds = 0;
	pipe(p);
	for (int i = 0; i < ND; i++)
		if ((dfd[nd] = dup(p[0])) >= 0)
			nd++;
	for (int i = 0; i < NE && !err; i++) {
		if ((eps[ne] = epoll_create1(0)) < 0)
			break;
		ne++;
		for (int j = 0; j < nd; j++) {
			if (add(eps[ne - 1], dfd[j], EPOLLIN, 0)) {
				err = errno;
				break;
			}
			adds++;
		}
	}
	CHECK("epoll.watch_cap_enospc", err == ENOSPC && adds > 10000,
	      "%ld watches in %d sets of %d fds, then %s", adds, ne, nd,
	      errname(err));
	close(eps[0]);
	int r = add(eps[ne - 1], p[0], EPOLLIN, 0);
	CHECK("epoll.watch_cap_freed", r == 0, "errno %s", errname(errno));
	for (int i = 1; i < ne; i++)
		close(eps[i]);
	for (int j = 0; j < nd; j++)
		close(dfd[j]);
	close(p[0]);
	close(p[1]);
}

/* Many watches, one ready: both ends of 500 pipes, 1000 watches. */
static void test_many(void)
{
	enum { NP = 500 };
	static int p[NP][2];
	int ep = epoll_create1(0), r = 0, np = 0;
	for (int i = 0; i < NP; i++) {
		if (pipe(p[i]))
			break;
		np++;
		r |= add(ep, p[i][0], EPOLLIN, (uint64_t)i * 2);
		r |= add(ep, p[i][1], EPOLLIN, (uint64_t)i * 2 + 1);
	}
	CHECK("epoll.many_add", np == NP && r == 0, "%d pipes, errno %s", np,
	      errname(errno));
	static struct epoll_event evs[2 * NP];
	int n = epoll_wait(ep, evs, 2 * NP, 0);
	CHECK("epoll.many_idle", n == 0, "n %d", n);
	write(p[321][1], "x", 1);
	n = epoll_wait(ep, evs, 2 * NP, 1000);
	CHECK("epoll.many_one", n == 1 && evs[0].data.u64 == 642,
	      "n %d data %llu", n, (unsigned long long)evs[0].data.u64);
	for (int i = 0; i < np; i++)
		write(p[i][1], "y", 1);
	n = epoll_wait(ep, evs, 2 * NP, 0);
	CHECK("epoll.many_all", n == NP, "n %d", n);
	n = epoll_wait(ep, evs, 7, 0);
	CHECK("epoll.many_maxevents", n == 7, "n %d", n);
	for (int i = 0; i < np; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	n = epoll_wait(ep, evs, 2 * NP, 0);
	CHECK("epoll.many_closed", n == 0, "n %d", n);
	close(ep);
}

/* Sockets wake epoll as pipes do: a listener on a connection, a stream
 * on data and on the peer's half-close, a datagram socket on a datagram,
 * a non-blocking connect on completion and on refusal. */
static int tcp_listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)a, sizeof(*a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)a, &len))
		return -1;
	return l;
}

static void test_sockets(void)
{
	struct sockaddr_in a;
	struct epoll_event e;
	int ep = epoll_create1(0), l = tcp_listener(&a);
	CHECK("epoll.sock_listener", l >= 0, "errno %s", errname(errno));
	add(ep, l, EPOLLIN | EPOLLET, 1);
	int n = wait1(ep, &e, 0);
	CHECK("epoll.sock_listener_idle", n == 0, "n %d", n);

	/* A non-blocking connect reports EPOLLOUT once established. */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK("epoll.sock_connect_started", r == 0 || errno == EINPROGRESS,
	      "r %d errno %s", r, errname(errno));
	add(ep, c, EPOLLOUT | EPOLLONESHOT, 2);
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_listener_or_connect", n == 1, "n %d", n);
	int seen = n == 1 ? (int)e.data.u64 : 0;
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_both_reported",
	      n == 1 && (int)e.data.u64 + seen == 3 && (int)e.data.u64 != seen,
	      "n %d first %d second %llu", n, seen,
	      (unsigned long long)e.data.u64);
	n = wait1(ep, &e, 0);
	CHECK("epoll.sock_et_and_oneshot_quiet", n == 0, "n %d events %#x", n,
	      e.events);
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	CHECK("epoll.sock_accept", s >= 0, "errno %s", errname(errno));

	/* Edge-triggered stream: once per arrival, then the half-close. */
	add(ep, s, EPOLLIN | EPOLLRDHUP | EPOLLET, 3);
	write(c, "x", 1);
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_stream_data",
	      n == 1 && e.data.u64 == 3 && e.events == EPOLLIN,
	      "n %d events %#x", n, e.events);
	n = wait1(ep, &e, 0);
	CHECK("epoll.sock_stream_et_quiet", n == 0, "n %d", n);
	shutdown(c, SHUT_WR);
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_stream_rdhup",
	      n == 1 &&
		  (e.events & (EPOLLIN | EPOLLRDHUP)) == (EPOLLIN | EPOLLRDHUP),
	      "n %d events %#x", n, e.events);
	close(s);
	close(c);
	n = wait1(ep, &e, 0);
	CHECK("epoll.sock_closed_gone", n == 0, "n %d", n);

	/* A refused non-blocking connect: EPOLLERR and EPOLLHUP. */
	close(l);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&a, sizeof(a));
	add(ep, c, EPOLLOUT, 4);
	n = wait1(ep, &e, 10000);
	int err = 0;
	socklen_t el = sizeof(err);
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
	CHECK("epoll.sock_refused",
	      n == 1 &&
		  (e.events & (EPOLLERR | EPOLLHUP)) == (EPOLLERR | EPOLLHUP) &&
		  err == ECONNREFUSED,
	      "n %d events %#x SO_ERROR %s", n, e.events, errname(err));
	close(c);

	/* UDP and AF_UNIX datagrams. */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0),
	    u2 = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(a);
	a.sin_port = 0;
	bind(u1, (struct sockaddr *)&a, sizeof(a));
	getsockname(u1, (struct sockaddr *)&a, &len);
	add(ep, u1, EPOLLIN, 5);
	sendto(u2, "d", 1, 0, (struct sockaddr *)&a, sizeof(a));
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_udp",
	      n == 1 && e.data.u64 == 5 && e.events == EPOLLIN,
	      "n %d events %#x", n, e.events);
	close(u1);
	close(u2);
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	add(ep, sv[0], EPOLLIN | EPOLLET, 6);
	send(sv[1], "u", 1, 0);
	n = wait1(ep, &e, 10000);
	CHECK("epoll.sock_unix", n == 1 && e.data.u64 == 6, "n %d", n);
	n = wait1(ep, &e, 0);
	CHECK("epoll.sock_unix_et_quiet", n == 0, "n %d", n);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_create_and_errors();
	test_layout_and_partial();
	test_triggers();
	test_close();
	test_timeouts();
	test_sigmask();
	test_nesting();
	test_threads();
	test_pollfree();
	test_many();
	test_sockets();
	test_watch_cap();
	return check_summary("sys_epoll");
}
