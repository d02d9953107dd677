/* Job control and fatal signals act on the whole process, every thread:
 * SIGSTOP stops all the threads of a busy multi-threaded child (counters
 * freeze, /proc shows each task stopped), SIGCONT starts them all again,
 * SIGTSTP stops them too, SIGKILL kills the stopped process; a terminating
 * signal sent to a process whose threads all sleep (pthread_join, pause,
 * pthread_cond_wait) kills it, as does SIGALRM from alarm(); a fatal signal
 * blocked by the main thread but not by another still kills the process.
 * Nothing here depends on speed: waits poll for up to 30 s and no check has
 * an upper bound on time. Checked against Linux. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define NCOUNT 4 /* the main thread and 3 more, each with its counter */
/* Waits poll up to 30 s; once one has timed out (the kernel lacks
 * something), later ones give up after 2 s, so that every check still
 * reports before the guest's time runs out. */
static int poll_ms = 30000;
static void timed_out(void)
{
	poll_ms = 2000;
}

struct shared {
	volatile unsigned long count[NCOUNT];
	volatile int ready;
};
static struct shared *sh;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *count_loop(void *arg)
{
	int i = (int)(long)arg;
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		sh->count[i]++;
		if ((sh->count[i] & 1023) == 0)
			sched_yield();
	}
	return NULL;
}

static void snapshot(unsigned long *c)
{
	for (int i = 0; i < NCOUNT; i++)
		c[i] = sh->count[i];
}

/* Every counter moved past what c says, within poll_ms. */
static int all_move(const unsigned long *c)
{
	for (int t = 0; t < poll_ms / 10; t++) {
		int moved = 0;
		for (int i = 0; i < NCOUNT; i++)
			moved += sh->count[i] != c[i];
		if (moved == NCOUNT)
			return 1;
		sleep_ms(10);
	}
	timed_out();
	return 0;
}

/* waitpid, but giving up (0) after poll_ms rather than hanging. */
static pid_t wait_poll(pid_t pid, int *st, int opts)
{
	for (int t = 0; t < poll_ms / 10; t++) {
		pid_t r = waitpid(pid, st, opts | WNOHANG);
		if (r != 0)
			return r;
		sleep_ms(10);
	}
	timed_out();
	return 0;
}

/* Wait for a child that should die; SIGKILL it if it does not. */
static pid_t wait_death(pid_t pid, int *st)
{
	pid_t r = wait_poll(pid, st, 0);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		*st = -1;
	}
	return r;
}

/* The state letter of every task of pid, from /proc/PID/task/TID/stat:
 * how many tasks, how many in state want. */
static int task_states(pid_t pid, char want, int *nwant)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	int n = 0;
	*nwant = 0;
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char sp[400], buf[512];
		snprintf(sp, sizeof(sp), "%s/%s/stat", path, e->d_name);
		FILE *f = fopen(sp, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		char *rp = strrchr(buf, ')');
		n++;
		if (rp && rp[1] == ' ' && rp[2] == want)
			(*nwant)++;
	}
	closedir(d);
	return n;
}

static void check_stop_continue(void)
{
	memset((void *)sh, 0, sizeof(*sh));
	pid_t pid = fork();
	if (pid == 0) {
		/* Its own process group, in the parent's session: not an
		 * orphaned group, so SIGTSTP stops it (Linux discards
		 * SIGTSTP/SIGTTIN/SIGTTOU sent to an orphaned group). */
		setpgid(0, 0);
		pthread_t th;
		for (long i = 1; i < NCOUNT; i++)
			if (pthread_create(&th, NULL, count_loop, (void *)i))
				_exit(2);
		count_loop((void *)0);
	}
	setpgid(pid, pid);
	unsigned long zero[NCOUNT] = {0};
	int started = all_move(zero);
	CHECK("groupstop.threads_running", started && sh->ready == NCOUNT,
	      "ready %d counters %lu %lu %lu %lu", sh->ready, sh->count[0],
	      sh->count[1], sh->count[2], sh->count[3]);

	kill(pid, SIGSTOP);
	int st = 0;
	pid_t r = wait_poll(pid, &st, WUNTRACED);
	CHECK("groupstop.sigstop_reported",
	      r == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "waitpid %d status %#x", (int)r, st);

	unsigned long a[NCOUNT], b[NCOUNT];
	snapshot(a);
	sleep_ms(300);
	snapshot(b);
	int still = 1;
	for (int i = 0; i < NCOUNT; i++)
		still &= a[i] == b[i];
	CHECK("groupstop.sigstop_all_threads_frozen", still,
	      "counters moved: %lu->%lu %lu->%lu %lu->%lu %lu->%lu", a[0], b[0],
	      a[1], b[1], a[2], b[2], a[3], b[3]);

	int nt, ns = 0;
	nt = task_states(pid, 'T', &ns);
	CHECK("groupstop.proc_tasks_state_T", nt == NCOUNT && ns == NCOUNT,
	      "%d tasks, %d in state T (want %d)", nt, ns, NCOUNT);
	char sp[64], line[256];
	snprintf(sp, sizeof(sp), "/proc/%d/status", (int)pid);
	FILE *f = fopen(sp, "r");
	int status_ok = 0;
	line[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6)) {
			status_ok = strstr(line, "T (stopped)") != NULL;
			break;
		}
	if (f)
		fclose(f);
	CHECK("groupstop.proc_status_stopped", status_ok, "%s", line);

	kill(pid, SIGCONT);
	r = wait_poll(pid, &st, WCONTINUED);
	CHECK("groupstop.sigcont_reported", r == pid && WIFCONTINUED(st),
	      "waitpid %d status %#x", (int)r, st);
	snapshot(a);
	CHECK("groupstop.sigcont_all_threads_run", all_move(a),
	      "counters stuck at %lu %lu %lu %lu", sh->count[0], sh->count[1],
	      sh->count[2], sh->count[3]);

	nt = task_states(pid, 'T', &ns);
	CHECK("groupstop.proc_tasks_not_T_after_cont", nt == NCOUNT && ns == 0,
	      "%d tasks, %d still in state T", nt, ns);

	/* SIGTSTP with its default action stops the whole process too. */
	kill(pid, SIGTSTP);
	r = wait_poll(pid, &st, WUNTRACED);
	CHECK("groupstop.sigtstp_reported",
	      r == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
	      "waitpid %d status %#x", (int)r, st);
	snapshot(a);
	sleep_ms(300);
	snapshot(b);
	still = 1;
	for (int i = 0; i < NCOUNT; i++)
		still &= a[i] == b[i];
	CHECK("groupstop.sigtstp_all_threads_frozen", still,
	      "counters moved: %lu->%lu %lu->%lu %lu->%lu %lu->%lu", a[0], b[0],
	      a[1], b[1], a[2], b[2], a[3], b[3]);

	/* SIGKILL while stopped. */
	kill(pid, SIGKILL);
	r = wait_death(pid, &st);
	CHECK("groupstop.sigkill_while_stopped",
	      r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "waitpid %d status %#x", (int)r, st);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void *pauser(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pthread_cond_wait(&cv, &mu);
	return NULL;
}

/* A child whose threads all sleep: main in pthread_join, one in pause(),
 * one in pthread_cond_wait. block_in_main: main blocks sig (the others do
 * not); alarm_s: main calls alarm(alarm_s) once they are set up. */
static pid_t sleeping_child(int block_in_main, int sig, unsigned alarm_s)
{
	sh->ready = 0;
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	pthread_t a, b;
	if (pthread_create(&a, NULL, pauser, NULL) ||
	    pthread_create(&b, NULL, cond_waiter, NULL))
		_exit(2);
	if (block_in_main) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < 2)
		sched_yield();
	if (alarm_s)
		alarm(alarm_s);
	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	pthread_join(a, NULL);
	_exit(3);
}

/* The child's threads are all set up (ready == 3), up to poll_ms. */
static int child_ready(void)
{
	for (int t = 0; t < poll_ms / 10; t++) {
		if (sh->ready >= 3)
			return 1;
		sleep_ms(10);
	}
	timed_out();
	return 0;
}

static void check_fatal(void)
{
	int st = 0;
	pid_t pid = sleeping_child(0, 0, 0);
	int ready = child_ready();
	sleep_ms(100); /* let them reach their waits */
	kill(pid, SIGTERM);
	pid_t r = wait_death(pid, &st);
	CHECK("groupstop.sigterm_kills_sleeping_threads",
	      ready && r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "threads set up %d, waitpid %d status %#x", ready, (int)r, st);

	pid = sleeping_child(0, 0, 1);
	ready = child_ready();
	r = wait_death(pid, &st);
	CHECK("groupstop.alarm_kills_sleeping_threads",
	      ready && r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM,
	      "threads set up %d, waitpid %d status %#x", ready, (int)r, st);

	pid = sleeping_child(1, SIGTERM, 0);
	ready = child_ready();
	sleep_ms(100);
	kill(pid, SIGTERM);
	r = wait_death(pid, &st);
	CHECK("groupstop.sigterm_blocked_in_main_still_kills",
	      ready && r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "threads set up %d, waitpid %d status %#x", ready, (int)r, st);

	/* SIGSTOP and SIGCONT to a process whose threads all sleep. */
	pid = sleeping_child(0, 0, 0);
	ready = child_ready();
	kill(pid, SIGSTOP);
	r = wait_poll(pid, &st, WUNTRACED);
	int stopped = r == pid && WIFSTOPPED(st);
	kill(pid, SIGCONT);
	r = wait_poll(pid, &st, WCONTINUED);
	int cont = r == pid && WIFCONTINUED(st);
	kill(pid, SIGTERM);
	r = wait_death(pid, &st);
	CHECK(
	    "groupstop.sleeping_threads_stop_cont_term",
	    ready && stopped && cont && r == pid && WIFSIGNALED(st) &&
		WTERMSIG(st) == SIGTERM,
	    "threads set up %d, stopped %d continued %d waitpid %d status %#x",
	    ready, stopped, cont, (int)r, st);
}

int main(void)
{
	/* Run as init, the test's children would have init for a parent:
	 * their process groups would be orphaned, where SIGTSTP does not
	 * stop (POSIX, Linux's will_become_orphaned_pgrp). A child of init
	 * runs the checks instead. */
	if (getpid() == 1) {
		pid_t runner = fork();
		if (runner > 0) {
			int st = 0;
			while (waitpid(runner, &st, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		}
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		CHECK("groupstop.mmap_shared", 0, "errno %s", errname(errno));
		return check_summary("sys_groupstop");
	}
	check_stop_continue();
	check_fatal();
	return check_summary("sys_groupstop");
}
