/* /proc/PID/task: a process with 3 threads besides the main one lists 4
 * tasks, named by the ids gettid() gives; each task's status and stat
 * describe that thread (Pid: its id, Tgid: the process's, its own state),
 * comm is the name the thread gave itself with PR_SET_NAME (per thread, as
 * on Linux: the process's comm stays the main thread's, and a child forked
 * by a thread is named as that thread), /proc/thread-self
 * leads to the caller's task, a thread that has exited leaves the listing,
 * and an id that is not a thread of the process is ENOENT. Checked against
 * Linux. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define NTHREADS 3

static int tids[NTHREADS];
static char got_name[NTHREADS][16];
static char self_link[NTHREADS][64];
static int gate[NTHREADS][2]; /* each thread waits to read its pipe */
static volatile int ready;
static int fork_comm_ok; /* a child forked by worker 0 has its name */

static void *worker(void *arg)
{
	int i = (int)(long)arg;
	char name[16];
	snprintf(name, sizeof(name), "worker-%d", i);
	prctl(PR_SET_NAME, name);
	prctl(PR_GET_NAME, got_name[i]);
	ssize_t n = readlink("/proc/thread-self", self_link[i],
			     sizeof(self_link[i]) - 1);
	self_link[i][n > 0 ? n : 0] = '\0';
	tids[i] = (int)syscall(SYS_gettid);
	if (i == 0) {
		pid_t c = fork();
		if (c == 0) {
			char buf[32] = "";
			int fd = open("/proc/self/comm", O_RDONLY);
			ssize_t k =
			    fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			_exit(k == 9 && memcmp(buf, "worker-0\n", 9) == 0 ? 0
									  : 1);
		}
		int st = 1;
		waitpid(c, &st, 0);
		fork_comm_ok = st == 0;
	}
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	char c;
	while (read(gate[i][0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* Milliseconds on the monotonic clock: polls end by time, not count. */
static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The tasks of /proc/PID/task: how many (-1 if it cannot be opened), their
 * ids in out (up to max). */
static int list_tasks(int pid, int *out, int max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n < max)
			out[n] = atoi(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static bool listed(const int *ids, int n, int id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The value of "Field:\t" in /proc/self/task/TID/status, or -1. */
static long status_field(int pid, int tid, const char *field)
{
	char path[96], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	char *p = strstr(buf, field);
	return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

/* The pid field and state letter of /proc/PID/task/TID/stat. */
static int task_stat(int pid, int tid, char *state)
{
	char path[96], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	*state = '?';
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	char *rp = strrchr(buf, ')');
	if (rp && rp[1] == ' ')
		*state = rp[2];
	return atoi(buf);
}

int main(int argc, char **argv)
{
	(void)argc;
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	int pid = getpid(), mytid = (int)syscall(SYS_gettid);
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++) {
		if (pipe(gate[i]) ||
		    pthread_create(&th[i], NULL, worker, (void *)i)) {
			printf("FAIL task.setup: thread %ld\n", i);
			return 1;
		}
	}
	for (long end = now_ms() + 30000; now_ms() < end && ready < NTHREADS;)
		sleep_ms(1);

	int ids[16];
	int n = list_tasks(pid, ids, 16);
	bool all = listed(ids, n, pid);
	for (int i = 0; i < NTHREADS; i++)
		all = all && listed(ids, n, tids[i]);
	CHECK("task.list_4", n == NTHREADS + 1, "%d tasks listed", n);
	CHECK("task.list_gettid", n == NTHREADS + 1 && all,
	      "listed %d %d %d %d; gettid gave %d %d %d %d", ids[0], ids[1],
	      ids[2], ids[3], pid, tids[0], tids[1], tids[2]);
	DIR *sd = opendir("/proc/self/task");
	int self_n = 0; /* with . and .. */
	while (sd && readdir(sd))
		self_n++;
	if (sd)
		closedir(sd);
	CHECK("task.self_task", self_n == NTHREADS + 3, "%d entries", self_n);

	int pid_ok = 0, tgid_ok = 0, stat_ok = 0, sleep_ok = 0;
	for (int i = 0; i < NTHREADS; i++) {
		pid_ok += status_field(pid, tids[i], "\nPid:\t") == tids[i];
		tgid_ok += status_field(pid, tids[i], "\nTgid:\t") == pid;
		char st = '?';
		stat_ok += task_stat(pid, tids[i], &st) == tids[i];
		/* Blocked in read: sleeping (poll, it may not be there yet). */
		for (long end = now_ms() + 3000; now_ms() < end && st != 'S';) {
			sleep_ms(1);
			task_stat(pid, tids[i], &st);
		}
		sleep_ok += st == 'S';
	}
	CHECK("task.status_pid_tid", pid_ok == NTHREADS, "%d of %d", pid_ok,
	      NTHREADS);
	CHECK("task.status_tgid_pid", tgid_ok == NTHREADS, "%d of %d", tgid_ok,
	      NTHREADS);
	CHECK("task.stat_pid_tid", stat_ok == NTHREADS, "%d of %d", stat_ok,
	      NTHREADS);
	CHECK("task.stat_state_S", sleep_ok == NTHREADS, "%d of %d sleeping",
	      sleep_ok, NTHREADS);
	char st = '?';
	int me = task_stat(pid, mytid, &st);
	CHECK("task.stat_self_R", me == pid && st == 'R',
	      "main task %d state %c", me, st);
	CHECK("task.status_main",
	      status_field(pid, pid, "\nPid:\t") == pid &&
		  status_field(pid, pid, "\nTgid:\t") == pid,
	      "main thread's status");

	/* comm: each thread's own name; the process keeps the main one's. */
	char path[96], buf[64], want[32], pcomm[64], mcomm[64];
	int comm_ok = 0, get_ok = 0;
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm",
			 tids[i]);
		snprintf(want, sizeof(want), "worker-%d\n", i);
		comm_ok += read_file(path, buf, sizeof(buf)) > 0 &&
			   strcmp(buf, want) == 0;
		want[strlen(want) - 1] = '\0';
		get_ok += strcmp(got_name[i], want) == 0;
	}
	CHECK("task.comm_per_thread", comm_ok == NTHREADS, "%d of %d", comm_ok,
	      NTHREADS);
	CHECK("task.get_name_per_thread", get_ok == NTHREADS, "%d of %d",
	      get_ok, NTHREADS);
	CHECK("task.fork_takes_thread_name", fork_comm_ok,
	      "a child forked by worker-0 has another comm");
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", pid);
	read_file(path, mcomm, sizeof(mcomm));
	read_file("/proc/self/comm", pcomm, sizeof(pcomm));
	snprintf(want, sizeof(want), "%.15s\n", base);
	CHECK("task.comm_process_main",
	      strcmp(pcomm, want) == 0 && strcmp(mcomm, pcomm) == 0,
	      "/proc/self/comm '%s', main task's '%s'", pcomm, mcomm);

	int link_ok = 0;
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(want, sizeof(want), "%d/task/%d", pid, tids[i]);
		link_ok += strcmp(self_link[i], want) == 0;
	}
	CHECK("task.thread_self", link_ok == NTHREADS, "thread 0 saw '%s'",
	      self_link[0]);

	/* A thread that exits leaves the listing. */
	if (write(gate[1][1], "x", 1) != 1 || pthread_join(th[1], NULL))
		printf("FAIL task.setup: join\n");
	for (long end = now_ms() + 10000; now_ms() < end;) {
		n = list_tasks(pid, ids, 16);
		if (n == NTHREADS && !listed(ids, n, tids[1]))
			break;
		sleep_ms(1);
	}
	CHECK("task.exited_gone", n == NTHREADS && !listed(ids, n, tids[1]),
	      "%d listed, the exited one %s", n,
	      listed(ids, n, tids[1]) ? "among them" : "not");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tids[1]);
	CHECK_ERRNO("task.exited_enoent", open(path, O_RDONLY), ENOENT);

	CHECK_ERRNO("task.bad_tid_enoent",
		    open("/proc/self/task/999999/stat", O_RDONLY), ENOENT);
	/* Another process's id is no thread of this one. */
	int p2[2];
	if (pipe(p2))
		return 1;
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(p2[1]);
		read(p2[0], &c, 1);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)child);
	struct stat sb;
	CHECK_ERRNO("task.other_pid_enoent", stat(path, &sb), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)child, tids[0]);
	CHECK_ERRNO("task.other_tid_enoent", stat(path, &sb), ENOENT);
	/* (Linux shows a zombie's one task in state Z; Limen has no /proc
	 * entry for a zombie, so that is not checked here.) */
	close(p2[1]);
	waitpid(child, NULL, 0);

	for (int i = 0; i < NTHREADS; i++) {
		if (i != 1 && write(gate[i][1], "x", 1) == 1)
			pthread_join(th[i], NULL);
	}
	return check_summary("sys_proctask");
}
