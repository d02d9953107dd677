/* Storms: many processes forking, exec'ing, exiting, killing each other,
 * polling and piping at once, for a bounded number of rounds (not a
 * time: the machine may be slow). With the debug kernel's lock checks on,
 * any lock-order inversion or sleep under a spinlock panics the run. The
 * checks: every process is reaped, nothing is left running, and the
 * kernel still answers. */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define STORMERS 8
#define ROUNDS 600

static uint64_t rng;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A short-lived leaf: polls a pipe briefly, or spins, or exits at once. */
static int leaf(int kind)
{
	int p[2];
	if (kind == 0 && pipe(p) == 0) {
		struct pollfd pf[2] = {{p[0], POLLIN, 0}, {0, POLLIN, 0}};
		poll(pf, 2, 5);
	} else if (kind == 1) {
		for (volatile int i = 0; i < 20000; i++)
			;
	}
	return 0;
}

static void *thread_leaf(void *arg)
{
	(void)arg;
	leaf(0);
	return NULL;
}

/* One stormer: each round forks a child that does one of several short
 * things, sometimes kills a sibling stormer's child or its own, polls a
 * pipe its child writes, and reaps. */
static void stormer(int id)
{
	rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1);
	pid_t kids[8] = {0};
	for (int r = 0; r < ROUNDS; r++) {
		int p[2];
		if (pipe(p))
			_exit(2);
		int what = (int)rnd(5);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			switch (what) {
			case 0: { /* exec a leaf */
				char k[2] = {(char)('0' + rnd(3)), 0};
				char *argv[] = {"/tests/sys_stress", "--leaf",
						k, NULL};
				write(p[1], "e", 1);
				execv(argv[0], argv);
				_exit(3);
			}
			case 1: { /* threads, then exit_group under them */
				pthread_t t;
				pthread_create(&t, NULL, thread_leaf, NULL);
				pthread_create(&t, NULL, thread_leaf, NULL);
				write(p[1], "t", 1);
				_exit(0);
			}
			case 2: /* wait to be killed */
				write(p[1], "k", 1);
				pause();
				_exit(0);
			default:
				write(p[1], "x", 1);
				_exit(leaf((int)rnd(3)));
			}
		}
		close(p[1]);
		if (pid < 0) {
			close(p[0]);
			continue;
		}
		struct pollfd pf = {p[0], POLLIN, 0};
		poll(&pf, 1, 1000);
		close(p[0]);
		kids[r % 8] = pid;
		/* Kill someone: a child of ours, maybe one already gone. */
		pid_t victim = kids[rnd(8)];
		if (victim > 0)
			kill(victim, rnd(2) ? SIGKILL : SIGTERM);
		if (what == 2)
			kill(pid, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (wait(NULL) > 0)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--leaf"))
		return leaf(atoi(argv[2]));
	pid_t s[STORMERS];
	for (int i = 0; i < STORMERS; i++) {
		s[i] = fork();
		if (s[i] == 0)
			stormer(i);
	}
	int bad = 0;
	for (int i = 0; i < STORMERS; i++) {
		int st = 0;
		waitpid(s[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	CHECK("stress.stormers_finished", bad == 0, "%d stormers failed", bad);
	/* Orphans came to init: reap them all. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	struct timespec d = {0, 200 * 1000 * 1000};
	nanosleep(&d, NULL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = 0;
	CHECK("stress.nothing_left", waitpid(-1, NULL, WNOHANG) == -1 &&
					  errno == ECHILD,
	      "children remain (%s)", errname(errno));
	int p[2];
	CHECK("stress.kernel_still_serves",
	      pipe(p) == 0 && write(p[1], "ok", 2) == 2,
	      "pipe after the storm: %s", errname(errno));
	return check_summary("sys_stress");
}
