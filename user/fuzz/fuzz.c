/* The system-call fuzzer's watchdog: forks unprivileged workers (worker.c),
 * counts their calls, sends them SIGALRM so that blocked calls end and
 * signals arrive mid-call, respawns workers that die, asks a worker that
 * stops making progress for its last calls and kills it, and at the end
 * reports calls per second, respawns and memory in the check format.
 *
 * usage: fuzz [--seed S] [--seconds N] [--calls N] [--workers W]
 *             [--verbose] [--deaths-ok]
 * --deaths-ok (with the kernel's fail_alloc=N) does not count workers
 * killed by a failed allocation as failures; --verbose prints every
 * call (w: worker, c: its forked child) before making it, to find the one
 * that hangs. It stops at whichever limit comes first. As init (pid 1) it
 * mounts nothing and returns its status, so the kernel powers off. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/check.h"
#include "fuzz.h"

#define MAXW 32

static struct wk {
	pid_t pid;
	int gen;
	unsigned long calls;
	double last_progress;
	int asked; /* SIGUSR1 sent: dump, then SIGKILL */
} w[MAXW];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static long memfree_kb(void)
{
	char buf[1024];
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strstr(buf, "MemFree:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

static long status_kb(int pid, const char *field)
{
	char path[48];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_kb(path, field);
}

/* A stuck worker's state and signal sets, from /proc/PID/status, and
 * each of its threads' from /proc/PID/task/TID/status. */
static void print_status(const char *path)
{
	char line[128];
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6) || !strncmp(line, "Sig", 3) ||
		    !strncmp(line, "ShdPnd:", 7) || !strncmp(line, "Pid:", 4) ||
		    !strncmp(line, "Threads:", 8))
			printf("fuzz:   %s", line);
	fclose(f);
}

static void print_sig_state(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	print_status(path);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/status", pid,
			 e->d_name);
		print_status(path);
	}
	closedir(d);
}

/* rm -r as root, without following symbolic links. */
static void remove_tree(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		if (d) {
			struct dirent *e;
			while ((e = readdir(d))) {
				if (!strcmp(e->d_name, ".") ||
				    !strcmp(e->d_name, ".."))
					continue;
				if (unlinkat(fd, e->d_name, 0) < 0)
					remove_tree(fd, e->d_name);
			}
			closedir(d);
		} else {
			close(fd);
		}
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* What the kernel says of a process that will not die. */
static void show_proc(pid_t pid);

/* Every process but init, as /proc lists them. */
static int deaths_ok; /* --deaths-ok */

static void show_others(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid > 1) {
			printf("fuzz: pid %d:\n", pid);
			show_proc(pid);
		}
	}
	if (d)
		closedir(d);
}

static void show_proc(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, "State", 5) || !strncmp(l, "Threads", 7) ||
		    !strncmp(l, "SigBlk", 6) || !strncmp(l, "SigPnd", 6) ||
		    !strncmp(l, "ShdPnd", 6))
			printf("fuzz:   %s\n", l);
}

static uint64_t seed = 1;
static int nworkers = 4;

static uint64_t worker_seed(int i, int gen)
{
	uint64_t s = seed * 0x100000001b3ULL + (uint64_t)i * 0x9e3779b9ULL +
		     (uint64_t)gen * 0x85ebca6bULL;
	return rng_next(&s);
}

static int progress_rd;

static void spawn(int i, int progress_wr)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/fuzz/w%d.%d", i, w[i].gen);
	mkdir(dir, 0755);
	if (chown(dir, 65534, 65534))
		(void)0;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(1, FD_REPORT);
		dup2(progress_wr, FD_PROGRESS);
		close(progress_wr);
		close(progress_rd);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
		if (nul > 2)
			close(nul);
		/* Half the workers race a second thread against the first. */
		worker_main(i, worker_seed(i, w[i].gen), dir, i % 2 == 1);
		_exit(0);
	}
	w[i].pid = pid;
	w[i].last_progress = now();
	w[i].asked = 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz [--seed S] [--seconds N] [--calls N] "
			"[--workers W] [--verbose] [--deaths-ok]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 60;
	unsigned long max_calls = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--verbose")) {
			fuzz_verbose = 1;
			continue;
		}
		if (!strcmp(argv[i], "--deaths-ok")) {
			deaths_ok = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--calls"))
			max_calls = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--workers"))
			nworkers = atoi(argv[++i]);
		else
			usage();
	}
	if (nworkers < 1 || nworkers > MAXW)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_IGN);

	long mem0 = memfree_kb();
	if (max_calls)
		printf("fuzz: seed %llu, %d workers, up to %g s or %lu calls\n",
		       (unsigned long long)seed, nworkers, seconds, max_calls);
	else
		printf("fuzz: seed %llu, %d workers, up to %g s\n",
		       (unsigned long long)seed, nworkers, seconds);
	mkdir("/tmp", 01777);
	mkdir("/tmp/fuzz", 0755);
	/* The workers' files on a bounded tmpfs: on an initramfs, /tmp is
	 * the root's ramfs, and an hour of random writes there filled
	 * memory that no OOM kill can give back. */
	if (mount("tmpfs", "/tmp/fuzz", "tmpfs", 0, "size=32m,mode=0755"))
		printf("fuzz: no tmpfs for the scratch files (%s)\n",
		       strerror(errno));

	int pfd[2];
	if (pipe2(pfd, O_NONBLOCK) < 0) {
		CHECK("fuzz.setup", 0, "pipe: %s", strerror(errno));
		return 1;
	}
	progress_rd = pfd[0];
	/* Workers block on a full pipe rather than lose counts. */
	fcntl(pfd[1], F_SETFL, 0);

	double t0 = now(), last_kick = t0;
	for (int i = 0; i < nworkers; i++)
		spawn(i, pfd[1]);

	unsigned long total = 0;
	int respawns = 0, unexpected = 0, hangs = 0;
	double last_mem = now();
	uint64_t r = seed ^ 0x1234;
	for (;;) {
		sleep_ms(20);
		double t = now();
		struct progress pr[64];
		ssize_t n;
		while ((n = read(progress_rd, pr, sizeof(pr))) > 0)
			for (unsigned k = 0; k < n / sizeof(pr[0]); k++) {
				int i = pr[k].worker;
				if (i >= 0 && i < nworkers) {
					w[i].calls += pr[k].calls;
					w[i].last_progress = t;
				}
				total += pr[k].calls;
			}
		if (t - t0 >= seconds || (max_calls && total >= max_calls))
			break;

		/* Every minute, where the memory is: free, and each worker's
		 * resident size (a long run's out-of-memory kills are then
		 * explained in its log). */
		if (t - last_mem >= 60) {
			last_mem = t;
			char line[256];
			int o = snprintf(
			    line, sizeof(line),
			    "fuzz: %.0f s: MemFree %ld kB, Shmem %ld kB, "
			    "VmRSS/VmPTE",
			    t - t0, memfree_kb(),
			    proc_kb("/proc/meminfo", "Shmem"));
			for (int i = 0; i < nworkers && o < 200; i++)
				o += snprintf(line + o, sizeof(line) - o,
					      " %ld/%ld",
					      status_kb(w[i].pid, "VmRSS"),
					      status_kb(w[i].pid, "VmPTE"));
			printf("%s kB\n", line);
			fflush(stdout);
		}

		/* A signal now and then, mid-call: it also ends calls that
		 * block (pause, a read on an empty pipe, a futex wait). */
		if (t - last_kick >= 0.05) {
			last_kick = t;
			for (int i = 0; i < nworkers; i++)
				if (w[i].pid > 0 && rng_next(&r) % 2 == 0)
					kill(w[i].pid, SIGALRM);
		}

		for (int i = 0; i < nworkers; i++) {
			if (w[i].pid <= 0)
				continue;
			double idle = t - w[i].last_progress;
			if (idle > 20 && !w[i].asked) {
				printf(
				    "fuzz: worker %d (pid %d) made no progress "
				    "for %.0f s; asking for its calls\n",
				    i, w[i].pid, idle);
				print_sig_state(w[i].pid);
				kill(w[i].pid, SIGUSR1);
				w[i].asked = 1;
			} else if (idle > 25 && w[i].asked == 1) {
				kill(w[i].pid, SIGKILL);
				w[i].asked = 2;
				hangs++;
			} else if (idle > 60 && w[i].asked == 2) {
				printf("fuzz: worker %d (pid %d) survives "
				       "SIGKILL for 35 s\n",
				       i, w[i].pid);
				w[i].asked = 3;
				hangs++;
			}
		}

		/* Reap workers, their orphans, and respawn. */
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			for (int i = 0; i < nworkers; i++) {
				if (w[i].pid != pid)
					continue;
				if (!w[i].asked) {
					unexpected++;
					if (WIFSIGNALED(st))
						printf(
						    "fuzz: worker %d (pid %d) "
						    "killed by signal %d\n",
						    i, pid, WTERMSIG(st));
					else
						printf(
						    "fuzz: worker %d (pid %d) "
						    "exited with status %d\n",
						    i, pid, WEXITSTATUS(st));
				}
				w[i].gen++;
				respawns++;
				spawn(i, pfd[1]);
			}
		}
	}
	double elapsed = now() - t0;

	/* The end: kill every worker and reap everything (orphans of the
	 * workers are ours too, as init). */
	for (int i = 0; i < nworkers; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGKILL);
	/* And whatever they left behind (orphans a worker forked, now
	 * init's): everyone but init. */
	kill(-1, SIGKILL);
	int stuck = 0;
	double tend = now();
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG | __WALL);
		if (pid > 0) {
			for (int i = 0; i < nworkers; i++)
				if (w[i].pid == pid)
					w[i].pid = 0;
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		if (now() - tend > 30) {
			for (int i = 0; i < nworkers; i++)
				if (w[i].pid > 0) {
					printf("fuzz: worker %d (pid %d) still "
					       "alive 30 s after SIGKILL\n",
					       i, w[i].pid);
					show_proc(w[i].pid);
					stuck++;
				}
			if (!stuck) {
				printf("fuzz: processes other than the workers "
				       "survive SIGKILL for 30 s\n");
				show_others();
			}
			stuck++;
			break;
		}
		sleep_ms(10);
	}
	if (!stuck) {
		remove_tree(AT_FDCWD, "/tmp/fuzz");
		umount("/tmp/fuzz");
	}
	long mem1 = memfree_kb();

	printf("fuzz: seed %llu, %lu calls in %.1f s (%.0f calls/s), %d "
	       "workers, %d respawns\n",
	       (unsigned long long)seed, total, elapsed, total / elapsed,
	       nworkers, respawns);
	for (int i = 0; i < nworkers; i++)
		printf("fuzz: worker %d: %lu calls, %d respawns\n", i,
		       w[i].calls, w[i].gen);
	printf("fuzz: MemFree %ld kB before, %ld kB after (%+ld kB)\n", mem0,
	       mem1, mem1 - mem0);

	/* Reaching this line means the kernel did not panic or hang. */
	CHECK("fuzz.no_panic", 1, "%s", "");
	/* A time limit reached before the call count is the host's
	 * slowness, not the kernel's fault: said above, not failed. */
	CHECK("fuzz.calls_made", total > 0, "no calls counted");
	CHECK("fuzz.no_hang", hangs == 0 && stuck == 0,
	      "%d workers stopped making progress, %d survived SIGKILL", hangs,
	      stuck);
	if (deaths_ok)
		printf("fuzz: %d workers died (allocations fail on purpose)\n",
		       unexpected);
	else
		CHECK("fuzz.no_unexpected_death", unexpected == 0,
		      "%d workers died of something they did not provoke",
		      unexpected);
	int p[2];
	CHECK("fuzz.kernel_still_serves",
	      pipe(p) == 0 && write(p[1], "ok", 2) == 2 && memfree_kb() > 0,
	      "errno %d", errno);
	return check_summary("fuzz");
}
