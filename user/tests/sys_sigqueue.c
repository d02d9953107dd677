/* Real-time signals queue: 100 sigqueues of SIGRTMIN while blocked give 100
 * handler runs with the values in order, 100 pthread_kills 100 runs, while
 * 100 SIGUSR1s give one; pending signals are delivered lowest number first;
 * RLIMIT_SIGPENDING bounds the queue (EAGAIN) until sigwaitinfo drains it;
 * sigwaitinfo takes RT signals one at a time, in order, with their values; a
 * process-directed signal blocked everywhere goes to the thread waiting in
 * sigwaitinfo; SIG_IGN discards what is queued. Checked against Linux. */
#define _GNU_SOURCE
#include "check.h"

#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define N 100

static volatile int runs;
static volatile int values[N];
static volatile int order[16];
static volatile int norder;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (runs < N)
		values[runs] = si->si_value.sival_int;
	runs++;
}

static void on_plain(int sig)
{
	(void)sig;
	runs++;
}

static void on_order(int sig)
{
	if (norder < 16)
		order[norder] = sig;
	norder++;
}

static void handle(int sig, void (*fn)(int), int full_mask)
{
	struct sigaction sa = {0};
	sa.sa_handler = fn;
	if (full_mask)
		sigfillset(&sa.sa_mask);
	else
		sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void handle_info(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = {0};
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int pending(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigpending(&s);
	return sigismember(&s, sig);
}

static int wait_sig(const sigset_t *set, siginfo_t *si)
{
	struct timespec ts = {30, 0};
	memset(si, 0, sizeof(*si));
	return sigtimedwait(set, si, &ts);
}

static volatile int waiter_ready;
static volatile pid_t waiter_tid;
static siginfo_t waiter_info;
static volatile int waiter_ret;

static void *waiter(void *arg)
{
	sigset_t *set = arg;
	waiter_tid = (pid_t)syscall(SYS_gettid);
	waiter_ready = 1;
	waiter_ret = wait_sig(set, &waiter_info);
	return NULL;
}

static void check_rlimit_sigpending(void)
{
	/* In a child, so the limit stays there. Linux counts queued
	 * signals per user, not per process: the child becomes a user of
	 * its own, 50000 + pid % 10000, with nothing else queued (root may
	 * have, and so may nobody in a parallel run on a host). */
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		int res[4] = {0, 0, 0, 0};
		struct rlimit rl = {10, 10};
		int sig = SIGRTMIN + 1;
		uid_t uid = 50000 + getpid() % 10000;
		block(sig, SIG_BLOCK);
		if (setrlimit(RLIMIT_SIGPENDING, &rl) == 0 &&
		    (getuid() != 0 || (setgroups(0, NULL) == 0 &&
				       setgid(uid) == 0 && setuid(uid) == 0))) {
			int ok = 0, err = 0;
			for (int i = 0; i < 20; i++) {
				union sigval v = {.sival_int = i};
				if (sigqueue(getpid(), sig, v) == 0)
					ok++;
				else if (err == 0)
					err = errno;
			}
			res[0] = ok;
			res[1] = err;
			/* Take them all, then queue again. */
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, sig);
			struct timespec zero = {0, 0};
			siginfo_t si;
			int taken = 0;
			while (sigtimedwait(&s, &si, &zero) == sig)
				taken++;
			res[2] = taken;
			union sigval v = {.sival_int = 99};
			res[3] = sigqueue(getpid(), sig, v) == 0;
		} else {
			res[0] = -1;
			res[1] = errno;
		}
		if (write(p[1], res, sizeof(res)) < 0)
			_exit(1);
		_exit(0);
	}
	int res[4] = {-2, 0, 0, 0};
	if (read(p[0], res, sizeof(res)) != sizeof(res))
		res[0] = -2;
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	CHECK("sigqueue.rlimit_sigpending_10", res[0] == 10 && res[1] == EAGAIN,
	      "%d queued (want 10), then %s (want EAGAIN)", res[0],
	      errname(res[1]));
	CHECK("sigqueue.rlimit_drained_then_ok", res[2] == 10 && res[3] == 1,
	      "took %d (want 10), queued again: %d", res[2], res[3]);
}

int main(void)
{
	int rt = SIGRTMIN;

	/* 100 sigqueues while blocked: 100 runs, values in order. */
	handle_info(rt, on_rt);
	block(rt, SIG_BLOCK);
	int sent = 0;
	for (int i = 0; i < N; i++) {
		union sigval v = {.sival_int = i};
		sent += sigqueue(getpid(), rt, v) == 0;
	}
	runs = 0;
	block(rt, SIG_UNBLOCK);
	int inorder = 1;
	for (int i = 0; i < N && i < runs; i++)
		if (values[i] != i)
			inorder = 0;
	CHECK("sigqueue.rt_100_queued", sent == N && runs == N,
	      "sent %d, handler ran %d times (want %d)", sent, (int)runs, N);
	CHECK("sigqueue.rt_values_in_order", runs == N && inorder,
	      "runs %d, values[0..2] %d %d %d", (int)runs, values[0], values[1],
	      values[2]);

	/* 100 pthread_kills of an RT signal: 100 runs. */
	block(rt, SIG_BLOCK);
	sent = 0;
	for (int i = 0; i < N; i++)
		sent += pthread_kill(pthread_self(), rt) == 0;
	runs = 0;
	block(rt, SIG_UNBLOCK);
	CHECK("sigqueue.rt_pthread_kill_100", sent == N && runs == N,
	      "sent %d, handler ran %d times", sent, (int)runs);

	/* A standard signal does not queue: 100 sends, 1 run. */
	handle(SIGUSR1, on_plain, 0);
	block(SIGUSR1, SIG_BLOCK);
	for (int i = 0; i < N; i++)
		kill(getpid(), SIGUSR1);
	runs = 0;
	block(SIGUSR1, SIG_UNBLOCK);
	CHECK("sigqueue.standard_not_queued", runs == 1,
	      "handler ran %d times (want 1)", (int)runs);

	/* Order: all pending, unblocked at once, each handler blocking all
	 * signals while it runs: lowest number first, the standard
	 * signals before the RT ones, whatever order they were sent in. */
	int sigs[4] = {rt + 2, rt, SIGUSR2, SIGUSR1};
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < 4; i++) {
		handle(sigs[i], on_order, 1);
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), sigs[i], v);
	}
	norder = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("sigqueue.order_lowest_first",
	      norder == 4 && order[0] == SIGUSR1 && order[1] == SIGUSR2 &&
		  order[2] == rt && order[3] == rt + 2,
	      "%d runs: %d %d %d %d (want %d %d %d %d)", (int)norder, order[0],
	      order[1], order[2], order[3], SIGUSR1, SIGUSR2, rt, rt + 2);

	/* sigwaitinfo: one at a time, lowest signal first, each signal's
	 * values in the order sent. */
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, rt);
	sigaddset(&w, rt + 1);
	sigprocmask(SIG_BLOCK, &w, &old);
	union sigval v10 = {.sival_int = 10}, v11 = {.sival_int = 11},
		     v5 = {.sival_int = 5};
	sigqueue(getpid(), rt + 1, v10);
	sigqueue(getpid(), rt + 1, v11);
	sigqueue(getpid(), rt, v5);
	siginfo_t si[3];
	int got[3];
	for (int i = 0; i < 3; i++) {
		memset(&si[i], 0, sizeof(si[i]));
		/* Only when something is pending: never wait forever. */
		got[i] = pending(rt) || pending(rt + 1)
			     ? sigwaitinfo(&w, &si[i])
			     : -1;
	}
	CHECK("sigqueue.sigwaitinfo_one_at_a_time",
	      got[0] == rt && si[0].si_value.sival_int == 5 &&
		  si[0].si_code == SI_QUEUE && got[1] == rt + 1 &&
		  si[1].si_value.sival_int == 10 && got[2] == rt + 1 &&
		  si[2].si_value.sival_int == 11,
	      "got %d/%d %d/%d %d/%d", got[0], si[0].si_value.sival_int, got[1],
	      si[1].si_value.sival_int, got[2], si[2].si_value.sival_int);
	CHECK("sigqueue.sigwaitinfo_drained", !pending(rt) && !pending(rt + 1),
	      "still pending");
	sigprocmask(SIG_SETMASK, &old, NULL);

	check_rlimit_sigpending();

	/* A process-directed signal blocked in every thread: taken by the
	 * thread waiting for it in sigwaitinfo, not left to main. */
	sigset_t u;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	sigprocmask(SIG_BLOCK, &u, &old);
	pthread_t th;
	int cr = pthread_create(&th, NULL, waiter, &u);
	if (cr == 0) {
		for (int i = 0; i < 30000 && !waiter_ready; i++)
			usleep(1000);
		usleep(100 * 1000); /* let it block in sigtimedwait */
		kill(getpid(), SIGUSR1);
		pthread_join(th, NULL);
	}
	CHECK("sigqueue.process_signal_to_waiting_thread",
	      cr == 0 && waiter_ret == SIGUSR1 &&
		  waiter_info.si_code == SI_USER &&
		  waiter_info.si_pid == getpid() && waiter_tid != getpid() &&
		  !pending(SIGUSR1),
	      "create %d ret %d errno %d code %d pid %d tid %d", cr, waiter_ret,
	      errno, waiter_info.si_code, (int)waiter_info.si_pid,
	      (int)waiter_tid);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* SIG_IGN discards queued RT signals. */
	handle_info(rt, on_rt);
	block(rt, SIG_BLOCK);
	for (int i = 0; i < 5; i++) {
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), rt, v);
	}
	int was = pending(rt);
	signal(rt, SIG_IGN);
	int after = pending(rt);
	handle_info(rt, on_rt);
	runs = 0;
	block(rt, SIG_UNBLOCK);
	CHECK("sigqueue.sig_ign_discards", was && !after && runs == 0,
	      "pending before %d after %d, handler ran %d", was, after,
	      (int)runs);
	return check_summary("sys_sigqueue");
}
