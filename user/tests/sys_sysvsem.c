/* System V semaphores: semget, semop, semtimedop, semctl and
 * /proc/sysvipc/sem. Two processes counting in shared memory under a
 * semaphore, SEM_UNDO applied at exit (and not inherited by fork),
 * all-or-nothing multi-operation semops, sleepers woken by a change, by
 * IPC_RMID (EIDRM), by a signal (EINTR) and by semtimedop's timeout
 * (EAGAIN), Linux's permission checks against nobody (65534) and its
 * limits. semctl is called raw, with the kernel's own semid64_ds. Runs as
 * init (root); also passes on Linux as root. */
#define _GNU_SOURCE /* semtimedop */
#include "check.h"
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define NOBODY 65534
#define COUNT_EACH 50000 /* two processes: 100,000 increments */

/* Linux x86_64's struct semid64_ds and struct seminfo. */
struct kperm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};
struct ksemid_ds {
	struct kperm perm;
	int64_t otime;
	uint64_t unused1;
	int64_t ctime;
	uint64_t unused2;
	uint64_t nsems, unused3, unused4;
};
struct kseminfo {
	int semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz,
	    semvmx, semaem;
};

static long ksemctl(int id, int num, int cmd, unsigned long arg)
{
	return syscall(SYS_semctl, id, num, cmd, arg);
}

static long getval(int id, int num)
{
	return ksemctl(id, num, GETVAL, 0);
}

static int sop(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = {num, op, flg};
	return semop(id, &b, 1);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(99);
}

/* Runs fn(arg) in a child and passes its exit status on as a check. */
static void in_child(const char *name, void (*fn)(long), long arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0; /* the child's own checks */
		fn(arg);
		_exit(check_nfail ? 1 : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x",
	      st);
}

/* Waits (up to 10 s) until cmd (GETNCNT or GETZCNT) of sem num says n. */
static int wait_count(int id, int num, int cmd, long n)
{
	for (int i = 0; i < 10000; i++) {
		if (ksemctl(id, num, cmd, 0) == n)
			return 1;
		usleep(1000);
	}
	return 0;
}

static void test_basic(void)
{
	struct ksemid_ds ds;
	int id = semget(IPC_PRIVATE, 3, 0600);
	CHECK("semget_private", id >= 0, "errno %s", errname(errno));
	if (id < 0)
		return;
	memset(&ds, 0xa5, sizeof(ds));
	CHECK_OK("ipc_stat", ksemctl(id, 0, IPC_STAT, (unsigned long)&ds));
	CHECK("stat_fields",
	      ds.nsems == 3 && ds.perm.mode == 0600 && ds.perm.uid == 0 &&
		  ds.perm.cuid == 0 && ds.otime == 0 && ds.ctime > 0,
	      "nsems %llu mode %o otime %lld ctime %lld",
	      (unsigned long long)ds.nsems, ds.perm.mode, (long long)ds.otime,
	      (long long)ds.ctime);
	CHECK("fresh_values_zero",
	      getval(id, 0) == 0 && getval(id, 1) == 0 && getval(id, 2) == 0,
	      "values %ld %ld %ld", getval(id, 0), getval(id, 1),
	      getval(id, 2));
	CHECK_OK("setval", ksemctl(id, 1, SETVAL, 5));
	CHECK("getval_5", getval(id, 1) == 5, "value %ld", getval(id, 1));
	CHECK("getpid_setter", ksemctl(id, 1, GETPID, 0) == getpid(), "pid %ld",
	      ksemctl(id, 1, GETPID, 0));
	unsigned short all[3] = {7, 8, 9}, got[3] = {0};
	CHECK_OK("setall", ksemctl(id, 0, SETALL, (unsigned long)all));
	CHECK_OK("getall", ksemctl(id, 0, GETALL, (unsigned long)got));
	CHECK("getall_values", got[0] == 7 && got[1] == 8 && got[2] == 9,
	      "%u %u %u", got[0], got[1], got[2]);

	/* All or nothing: the second operation cannot apply, so the first
	 * is undone. */
	struct sembuf two[2] = {{0, 1, 0}, {1, -9, IPC_NOWAIT}};
	CHECK_ERRNO("multi_op_nowait_eagain", semop(id, two, 2), EAGAIN);
	CHECK("multi_op_all_or_nothing",
	      getval(id, 0) == 7 && getval(id, 1) == 8, "values %ld %ld",
	      getval(id, 0), getval(id, 1));
	two[1].sem_op = -8;
	CHECK_OK("multi_op_applies", semop(id, two, 2));
	CHECK("multi_op_applied", getval(id, 0) == 8 && getval(id, 1) == 0,
	      "values %ld %ld", getval(id, 0), getval(id, 1));
	CHECK_ERRNO("wait_zero_nowait", sop(id, 0, 0, IPC_NOWAIT), EAGAIN);
	CHECK_OK("wait_zero_ready", sop(id, 1, 0, 0));
	memset(&ds, 0, sizeof(ds));
	ksemctl(id, 0, IPC_STAT, (unsigned long)&ds);
	CHECK("otime_set", ds.otime > 0, "otime %lld", (long long)ds.otime);
	CHECK("getpid_semop", ksemctl(id, 0, GETPID, 0) == getpid(), "pid %ld",
	      ksemctl(id, 0, GETPID, 0));

	/* Limits. */
	static struct sembuf many[501];
	for (int i = 0; i < 501; i++)
		many[i] = (struct sembuf){1, 0, IPC_NOWAIT}; /* sem 1 is 0 */
	CHECK_ERRNO("nsops_501_e2big", semop(id, many, 501), E2BIG);
	CHECK_OK("nsops_500_ok", semop(id, many, 500));
	CHECK_ERRNO("nsops_0_einval", semop(id, many, 0), EINVAL);
	CHECK_ERRNO("setval_32768_erange", ksemctl(id, 0, SETVAL, 32768),
		    ERANGE);
	CHECK_ERRNO("setval_negative_erange",
		    ksemctl(id, 0, SETVAL, (unsigned long)-1), ERANGE);
	CHECK_OK("setval_32767", ksemctl(id, 0, SETVAL, 32767));
	CHECK_ERRNO("semop_above_semvmx_erange", sop(id, 0, 1, 0), ERANGE);
	CHECK_ERRNO("sem_num_efbig", sop(id, 3, 1, 0), EFBIG);
	CHECK_ERRNO("getval_bad_num", ksemctl(id, 3, GETVAL, 0), EINVAL);
	CHECK_ERRNO("semget_nsems_32001", semget(IPC_PRIVATE, 32001, 0600),
		    EINVAL);
	CHECK_ERRNO("semget_nsems_0_create", semget(IPC_PRIVATE, 0, 0600),
		    EINVAL);
	struct kseminfo si;
	memset(&si, 0, sizeof(si));
	CHECK("ipc_info",
	      ksemctl(0, 0, IPC_INFO, (unsigned long)&si) >= 0 &&
		  si.semmsl == 32000 && si.semmni == 32000 &&
		  si.semopm == 500 && si.semvmx == 32767,
	      "semmsl %d semmni %d semopm %d semvmx %d", si.semmsl, si.semmni,
	      si.semopm, si.semvmx);

	/* /proc/sysvipc/sem lists the set. */
	FILE *f = fopen("/proc/sysvipc/sem", "r");
	char line[256];
	const char *hdr = "       key      semid perms      nsems   uid   gid "
			  " cuid  cgid      otime      ctime\n";
	int hdr_ok = f && fgets(line, sizeof(line), f) && !strcmp(line, hdr);
	CHECK("proc_sysvipc_sem_header", hdr_ok, "header '%s'",
	      f ? line : "no file");
	int found = 0;
	while (f && fgets(line, sizeof(line), f)) {
		int key, sid;
		unsigned mode, nsems;
		if (sscanf(line, "%d %d %o %u", &key, &sid, &mode, &nsems) ==
			4 &&
		    sid == id)
			found = key == 0 && mode == 0600 && nsems == 3;
	}
	if (f)
		fclose(f);
	CHECK("proc_sysvipc_sem_line", found, "set %d not listed right", id);

	CHECK_OK("rmid", ksemctl(id, 0, IPC_RMID, 0));
	CHECK_ERRNO("getval_after_rmid", getval(id, 0), EINVAL);
}

/* Two processes add 1 to a counter in shared memory COUNT_EACH times
 * each, with a read, a yield now and then and a write: without the
 * semaphore, increments are lost. */
static void count(int semid, volatile long *counter)
{
	for (int i = 0; i < COUNT_EACH; i++) {
		if (sop(semid, 0, -1, 0))
			_exit(3);
		long v = *counter;
		if ((i & 255) == 0)
			sched_yield();
		*counter = v + 1;
		if (sop(semid, 0, 1, 0))
			_exit(4);
	}
}

static void test_counter(void)
{
	int semid = semget(IPC_PRIVATE, 1, 0600);
	int shmid = shmget(IPC_PRIVATE, 4096, 0600);
	volatile long *counter = shmat(shmid, NULL, 0);
	CHECK("counter_setup", semid >= 0 && counter != (void *)-1, "errno %s",
	      errname(errno));
	if (semid < 0 || counter == (void *)-1)
		return;
	shmctl(shmid, IPC_RMID, NULL);
	ksemctl(semid, 0, SETVAL, 1);
	pid_t pid = fork();
	if (pid == 0) {
		count(semid, counter);
		_exit(0);
	}
	count(semid, counter);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("counter_child_ok", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
	CHECK("counter_exact_100000", *counter == 2 * COUNT_EACH, "counter %ld",
	      *counter);
	CHECK("counter_sem_back_to_1", getval(semid, 0) == 1, "value %ld",
	      getval(semid, 0));
	shmdt((void *)counter);
	ksemctl(semid, 0, IPC_RMID, 0);
}

static void take_with_undo_and_exit(long id)
{
	CHECK_OK("child_take_undo", sop((int)id, 0, -1, SEM_UNDO));
	CHECK_OK("child_add_undo", sop((int)id, 1, 3, SEM_UNDO));
	CHECK("child_sees_taken", getval((int)id, 0) == 0, "value %ld",
	      getval((int)id, 0));
}

static void exit_without_undo(long id)
{
	/* The parent's adjustment is not the child's to apply. */
	CHECK("fork_child_value", getval((int)id, 0) == 0, "value %ld",
	      getval((int)id, 0));
}

static void test_undo(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);
	if (id < 0)
		return;
	ksemctl(id, 0, SETVAL, 1);
	in_child("undo_child", take_with_undo_and_exit, id);
	CHECK("undo_restored_at_exit", getval(id, 0) == 1 && getval(id, 1) == 0,
	      "values %ld %ld", getval(id, 0), getval(id, 1));
	CHECK("undo_pid_is_child", ksemctl(id, 0, GETPID, 0) != getpid(),
	      "pid %ld", ksemctl(id, 0, GETPID, 0));

	/* A forked child does not inherit undo: its exit changes nothing. */
	CHECK_OK("parent_take_undo", sop(id, 0, -1, SEM_UNDO));
	in_child("fork_no_undo_child", exit_without_undo, id);
	CHECK("fork_child_exit_no_undo", getval(id, 0) == 0, "value %ld",
	      getval(id, 0));
	/* SETVAL clears adjustments: the parent's exit would now add 0. */
	ksemctl(id, 0, SETVAL, 0);
	pid_t pid = fork();
	if (pid == 0) {
		sop(id, 0, 2, SEM_UNDO);
		ksemctl(id, 0, SETVAL, 5);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK("setval_clears_undo", getval(id, 0) == 5, "value %ld",
	      getval(id, 0));
	ksemctl(id, 0, SETVAL, 0);
	ksemctl(id, 0, IPC_RMID, 0);
}

static void wait_decrement(long id)
{
	alarm(20); /* a lost wake-up fails rather than hangs */
	CHECK_OK("child_blocked_semop_returns", sop((int)id, 0, -1, 0));
}

static void wait_zero(long id)
{
	alarm(20);
	CHECK_OK("child_wait_zero_returns", sop((int)id, 1, 0, 0));
}

static int child_errno(int id, struct sembuf *b)
{
	alarm(20);
	return semop(id, b, 1) == 0 ? 0 : errno;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_blocking(void)
{
	int id = semget(IPC_PRIVATE, 2, 0600);
	if (id < 0)
		return;
	/* A decrement waits for an increment. */
	pid_t pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0;
		wait_decrement(id);
		_exit(check_nfail ? 1 : 0);
	}
	CHECK("getncnt_1", wait_count(id, 0, GETNCNT, 1), "ncnt %ld",
	      ksemctl(id, 0, GETNCNT, 0));
	CHECK_OK("wake_by_increment", sop(id, 0, 1, 0));
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("blocked_semop_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
	CHECK("value_consumed", getval(id, 0) == 0, "value %ld", getval(id, 0));

	/* A wait for zero waits for a decrement to zero. */
	ksemctl(id, 1, SETVAL, 1);
	pid = fork();
	if (pid == 0) {
		check_npass = check_nfail = 0;
		wait_zero(id);
		_exit(check_nfail ? 1 : 0);
	}
	CHECK("getzcnt_1", wait_count(id, 1, GETZCNT, 1), "zcnt %ld",
	      ksemctl(id, 1, GETZCNT, 0));
	CHECK("getncnt_0_meanwhile", ksemctl(id, 1, GETNCNT, 0) == 0,
	      "ncnt %ld", ksemctl(id, 1, GETNCNT, 0));
	CHECK_OK("wake_by_zero", sop(id, 1, -1, 0));
	waitpid(pid, &st, 0);
	CHECK("wait_zero_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);

	/* A signal ends the wait with EINTR (never restarted, as Linux's
	 * semop after a handler). */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_usr1,
				       .sa_flags = SA_RESTART};
		sigaction(SIGUSR1, &sa, NULL);
		struct sembuf b = {0, -1, 0};
		_exit(child_errno(id, &b));
	}
	CHECK("eintr_child_blocked", wait_count(id, 0, GETNCNT, 1), "ncnt %ld",
	      ksemctl(id, 0, GETNCNT, 0));
	kill(pid, SIGUSR1);
	waitpid(pid, &st, 0);
	CHECK("signal_eintr", WIFEXITED(st) && WEXITSTATUS(st) == EINTR,
	      "status 0x%x", st);
	CHECK("eintr_waiter_gone", ksemctl(id, 0, GETNCNT, 0) == 0, "ncnt %ld",
	      ksemctl(id, 0, GETNCNT, 0));

	/* semtimedop's timeout: EAGAIN after the time. */
	struct sembuf b = {0, -1, 0};
	struct timespec ts = {0, 200 * 1000 * 1000}, t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERRNO("semtimedop_timeout_eagain", semtimedop(id, &b, 1, &ts),
		    EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK("semtimedop_waited", ms >= 190, "waited %ld ms", ms);
	ts.tv_nsec = 1000000000;
	CHECK_ERRNO("semtimedop_bad_timeout", semtimedop(id, &b, 1, &ts),
		    EINVAL);

	/* IPC_RMID wakes sleepers with EIDRM. */
	pid = fork();
	if (pid == 0) {
		struct sembuf d = {0, -1, 0};
		_exit(child_errno(id, &d));
	}
	CHECK("eidrm_child_blocked", wait_count(id, 0, GETNCNT, 1), "ncnt %ld",
	      ksemctl(id, 0, GETNCNT, 0));
	CHECK_OK("rmid_with_sleeper", ksemctl(id, 0, IPC_RMID, 0));
	waitpid(pid, &st, 0);
	CHECK("rmid_wakes_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == EIDRM,
	      "status 0x%x", st);
}

static void nobody_denied(long id)
{
	become_nobody();
	/* Linux checks only the access the flags ask for. */
	CHECK_ERRNO("nobody_semget_key_eacces", semget(0x5e3a, 0, 0400),
		    EACCES);
	CHECK("nobody_semget_key_no_access", semget(0x5e3a, 0, 0) == id,
	      "errno %s", errname(errno));
	CHECK_ERRNO("nobody_getval_eacces", getval((int)id, 0), EACCES);
	CHECK_ERRNO("nobody_semop_eacces", sop((int)id, 0, 1, IPC_NOWAIT),
		    EACCES);
	CHECK_ERRNO("nobody_wait_zero_eacces", sop((int)id, 0, 0, IPC_NOWAIT),
		    EACCES);
	CHECK_ERRNO("nobody_setval_eacces", ksemctl((int)id, 0, SETVAL, 1),
		    EACCES);
	struct ksemid_ds ds;
	CHECK_ERRNO("nobody_stat_eacces",
		    ksemctl((int)id, 0, IPC_STAT, (unsigned long)&ds), EACCES);
	CHECK_ERRNO("nobody_rmid_eperm", ksemctl((int)id, 0, IPC_RMID, 0),
		    EPERM);
}

static void nobody_reads(long id)
{
	become_nobody();
	CHECK("nobody_getval_0644", getval((int)id, 0) == 0, "errno %s",
	      errname(errno));
	CHECK_ERRNO("nobody_semop_0644_eacces", sop((int)id, 0, 1, 0), EACCES);
}

static void test_permissions(void)
{
	int id = semget(0x5e3a, 1, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("semget_key_create", id >= 0, "errno %s", errname(errno));
	if (id < 0)
		return;
	CHECK("semget_key_finds", semget(0x5e3a, 1, 0) == id, "errno %s",
	      errname(errno));
	CHECK_ERRNO("semget_excl_eexist",
		    semget(0x5e3a, 1, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERRNO("semget_more_nsems_einval", semget(0x5e3a, 2, 0), EINVAL);
	CHECK_ERRNO("semget_missing_enoent", semget(0x5e3b, 1, 0), ENOENT);
	in_child("nobody_0600", nobody_denied, id);
	CHECK("value_untouched_by_nobody", getval(id, 0) == 0, "value %ld",
	      getval(id, 0));
	struct ksemid_ds ds;
	ksemctl(id, 0, IPC_STAT, (unsigned long)&ds);
	ds.perm.mode = 0644;
	CHECK_OK("ipc_set_mode", ksemctl(id, 0, IPC_SET, (unsigned long)&ds));
	in_child("nobody_0644", nobody_reads, id);
	CHECK_OK("rmid_key", ksemctl(id, 0, IPC_RMID, 0));
	CHECK_ERRNO("key_gone_after_rmid", semget(0x5e3a, 1, 0), ENOENT);
}

int main(void)
{
	test_basic();
	test_counter();
	test_undo();
	test_blocking();
	test_permissions();
	return check_summary("sys_sysvsem");
}
