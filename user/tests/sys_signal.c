/* Signals: handlers run and return, masks block and unblock, SA_RESTART
 * against EINTR, SIGCHLD, SIGPIPE, a SIGSEGV handler that longjmps out,
 * default actions in wait4 statuses. */
#define _GNU_SOURCE
#include "check.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got;
static volatile int got_sig, got_code_ok;

static void on_usr1(int sig)
{
	got = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	got_sig = sig;
	got_code_ok = si->si_signo == sig && uc != NULL;
}

static sigjmp_buf jb;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

static void on_alarm_like(int sig)
{
	(void)sig;
}

static char alt[65536];
static volatile int alt_used;
static void on_alt(int sig)
{
	char here;
	(void)sig;
	alt_used = &here >= alt && &here < alt + sizeof(alt);
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
static volatile int in_flags = -1;
static void on_alt_disarm(int sig)
{
	char here;
	stack_t o;
	(void)sig;
	alt_used = &here >= alt && &here < alt + sizeof(alt);
	if (sigaltstack(NULL, &o) == 0)
		in_flags = o.ss_flags;
}

/* SS_AUTODISARM: the handler runs on the alternate stack with it
 * disarmed (sigaltstack says SS_DISABLE); it comes back at sigreturn.
 * A forked child keeps it. */
static void check_autodisarm(void)
{
	stack_t ss = {.ss_sp = alt,
		      .ss_size = sizeof(alt),
		      .ss_flags = (int)SS_AUTODISARM};
	CHECK("sig.autodisarm_set", sigaltstack(&ss, NULL) == 0, "errno %d",
	      errno);
	struct sigaction so = {0};
	so.sa_handler = on_alt_disarm;
	so.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR2, &so, NULL);
	alt_used = 0;
	raise(SIGUSR2);
	stack_t o = {0};
	sigaltstack(NULL, &o);
	CHECK("sig.autodisarm_in_handler", alt_used && in_flags == SS_DISABLE,
	      "on alt %d, flags in handler %#x", alt_used, in_flags);
	CHECK("sig.autodisarm_restored",
	      o.ss_sp == alt && o.ss_size == sizeof(alt) &&
		  (unsigned)o.ss_flags == SS_AUTODISARM,
	      "sp %p size %zu flags %#x", o.ss_sp, o.ss_size, o.ss_flags);
	pid_t c = fork();
	if (c == 0) {
		stack_t k = {0};
		sigaltstack(NULL, &k);
		_exit(k.ss_sp == alt && k.ss_size == sizeof(alt) ? 0 : 1);
	}
	int st = 0;
	waitpid(c, &st, 0);
	CHECK("sig.altstack_inherited_by_fork",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	CHECK("sig.sigaction", sigaction(SIGUSR1, &sa, NULL) == 0, "errno %d",
	      errno);
	kill(getpid(), SIGUSR1);
	CHECK("sig.handler_ran", got == SIGUSR1, "got %d", (int)got);

	/* Registers and FPU survive a handler. */
	volatile double d = 1.5;
	got = 0;
	raise(SIGUSR1);
	CHECK("sig.fpu_preserved", d * 2 == 3.0 && got == SIGUSR1, "d=%f", d);

	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	CHECK("sig.siginfo", got_sig == SIGUSR2 && got_code_ok, "sig %d ok %d",
	      got_sig, got_code_ok);

	/* Blocked signals wait until unblocked. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	got = 0;
	raise(SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	CHECK("sig.blocked_pending", got == 0 && sigismember(&pend, SIGUSR1),
	      "got %d", (int)got);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("sig.delivered_on_unblock", got == SIGUSR1, "got %d", (int)got);
	CHECK_ERRNO("sig.cannot_catch_kill", sigaction(SIGKILL, &sa, NULL),
		    EINVAL);

	/* SIGSEGV handler that longjmps out. */
	signal(SIGSEGV, on_segv);
	int jumped = 0;
	int *volatile bad = (int *)8;
	if (sigsetjmp(jb, 1) == 0)
		*bad = 1;
	else
		jumped = 1;
	CHECK("sig.segv_longjmp", jumped, "handler did not run");
	signal(SIGSEGV, SIG_DFL);

	/* Default action: a child killed by SIGTERM; SIGCHLD ignored. */
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	CHECK("sig.default_terminate",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
	pid = fork();
	if (pid == 0)
		abort();
	waitpid(pid, &st, 0);
	CHECK("sig.abort_core", WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
	      "status %#x", st);

	/* SIGCHLD reaches a handler. */
	got = 0;
	signal(SIGCHLD, on_usr1);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	CHECK("sig.sigchld", got == SIGCHLD, "got %d", (int)got);
	signal(SIGCHLD, SIG_DFL);

	/* EINTR without SA_RESTART, restart with it: a child signals us
	 * while we block reading an empty pipe, then writes. */
	for (int restart = 0; restart < 2; restart++) {
		int p[2];
		pipe(p);
		struct sigaction s2 = {0};
		s2.sa_handler = on_alarm_like;
		s2.sa_flags = restart ? SA_RESTART : 0;
		sigaction(SIGUSR1, &s2, NULL);
		pid_t parent = getpid();
		pid = fork();
		if (pid == 0) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
			kill(parent, SIGUSR1);
			nanosleep(&ts, NULL);
			write(p[1], "x", 1);
			_exit(0);
		}
		char c;
		errno = 0;
		ssize_t n = read(p[0], &c, 1);
		if (restart)
			CHECK("sig.sa_restart", n == 1, "read %zd errno %d", n,
			      errno);
		else
			CHECK("sig.eintr", n == -1 && errno == EINTR,
			      "read %zd errno %d", n, errno);
		waitpid(pid, &st, 0);
		close(p[0]);
		close(p[1]);
	}

	/* A handler installed with SA_ONSTACK runs on the alternate stack. */
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0};
	CHECK("sig.sigaltstack", sigaltstack(&ss, NULL) == 0, "errno %d",
	      errno);
	struct sigaction so = {0};
	so.sa_handler = on_alt;
	so.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &so, NULL);
	raise(SIGUSR1);
	CHECK("sig.onstack_used", alt_used,
	      "handler ran off the alternate stack");
	check_autodisarm();

	/* sigsuspend: wait with USR1 unblocked, return EINTR after the
	 * handler, with USR1 blocked again. */
	struct sigaction su = {0};
	su.sa_handler = on_usr1;
	sigaction(SIGUSR1, &su, NULL);
	sigset_t blk, empty, after;
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR1);
	sigprocmask(SIG_BLOCK, &blk, NULL);
	got = 0;
	pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&empty);
	int sr = sigsuspend(&empty);
	int serr = errno;
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK("sig.sigsuspend",
	      sr == -1 && serr == EINTR && got == SIGUSR1 &&
		  sigismember(&after, SIGUSR1),
	      "r=%d errno %d got %d", sr, serr, (int)got);
	waitpid(pid, &st, 0);
	sigprocmask(SIG_UNBLOCK, &blk, NULL);

	/* ppoll with a signal mask: the signal gets through during the
	 * wait only, and the old mask is back afterwards. */
	sigprocmask(SIG_BLOCK, &blk, NULL);
	got = 0;
	pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	struct timespec lim = {2, 0};
	int pr = ppoll(NULL, 0, &lim, &empty);
	int perr = errno;
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK("sig.ppoll_mask",
	      pr == -1 && perr == EINTR && got == SIGUSR1 &&
		  sigismember(&after, SIGUSR1),
	      "r=%d errno %d got %d", pr, perr, (int)got);
	waitpid(pid, &st, 0);
	sigprocmask(SIG_UNBLOCK, &blk, NULL);

	/* Stop and continue, seen by the parent through waitpid. */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	int ws = 0;
	pid_t wp = waitpid(pid, &ws, WUNTRACED);
	CHECK("sig.stop_reported",
	      wp == pid && WIFSTOPPED(ws) && WSTOPSIG(ws) == SIGSTOP,
	      "pid %d status %#x", wp, ws);
	kill(pid, SIGCONT);
	wp = waitpid(pid, &ws, WCONTINUED);
	CHECK("sig.continue_reported", wp == pid && WIFCONTINUED(ws),
	      "pid %d status %#x", wp, ws);
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	CHECK("sig.kill_after_continue",
	      WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "status %#x", ws);

	/* SIGPIPE kills by default. */
	pid = fork();
	if (pid == 0) {
		int p[2];
		pipe(p);
		close(p[0]);
		write(p[1], "x", 1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("sig.sigpipe", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	      "status %#x", st);
	return check_summary("sys_signal");
}
