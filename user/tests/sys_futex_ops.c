/* futex(2) beyond WAIT/WAKE: a condition-variable broadcast to 8 waiters
 * (musl requeues them onto the mutex), raw REQUEUE/CMP_REQUEUE counts and
 * errors, WAKE_OP's operations and comparisons, robust mutexes whose owner
 * thread exits or owner process is killed (EOWNERDEAD, then consistent),
 * get_robust_list and a hostile robust list, PI mutexes (4 threads to
 * 100000, EDEADLK, EPERM, ESRCH, handoff, robust PI), FUTEX_*_REQUEUE_PI,
 * futex_waitv, and bad pointers (EFAULT). Built with musl and glibc. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "check.h"

/* From Linux's uapi linux/futex.h (musl-gcc has no kernel headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5
#define NR_futex_waitv 449
#define P FUTEX_PRIVATE_FLAG
#define FOP(op, oparg, cmp, cmparg)                                            \
	((((op)&0xf) << 28) | (((cmp)&0xf) << 24) | (((oparg)&0xfff) << 12) |  \
	 ((cmparg)&0xfff))
#define BAD_PTR ((void *)8)
#define KERNEL_PTR ((void *)0xffff800000001000ul)

/* The watchdog: a child process that, if no section begins for 60 s,
 * names the one that hung and kills this process (alarm() needs
 * setitimer, which Limen lacks, and a LOCK_PI wait does not run
 * handlers anyway). State shared through a MAP_SHARED page. */
struct wd_state {
	volatile int progress;
	char section[64];
};
static struct wd_state *wd;
static pid_t wd_pid;

static void watchdog_start(void)
{
	wd = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wd == MAP_FAILED)
		return;
	pid_t parent = getpid();
	wd_pid = fork();
	if (wd_pid != 0)
		return;
	int last = -1, idle = 0;
	for (;;) {
		sleep(1);
		if (getppid() != parent)
			_exit(0);
		if (wd->progress != last) {
			last = wd->progress;
			idle = 0;
		} else if (++idle >= 60) {
			char line[128];
			int n =
			    snprintf(line, sizeof(line),
				     "FAIL futex.watchdog: %s hung for 60 s\n",
				     wd->section);
			if (write(1, line, n) < 0)
				_exit(2);
			kill(parent, SIGKILL);
			_exit(1);
		}
	}
}

static void watchdog_stop(void)
{
	if (wd_pid > 0) {
		kill(wd_pid, SIGKILL);
		waitpid(wd_pid, NULL, 0);
	}
}

static void begin(const char *name)
{
	if (wd == NULL || wd == MAP_FAILED)
		return;
	snprintf(wd->section, sizeof(wd->section), "%s", name);
	wd->progress++;
}

static long fx(void *u, int op, uint32_t val, long val2, void *u2,
	       uint32_t val3)
{
	return syscall(SYS_futex, u, op, val, val2, u2, val3);
}

static int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

/* A thread making one futex call and recording its outcome. */
struct waiter {
	uint32_t *addr, *addr2;
	int op;
	uint32_t val;
	long ret;
	int err;
	int tid;
	int done;
	pthread_t th;
};

static int nstarted;

static void *waiter_fn(void *p)
{
	struct waiter *w = p;
	w->tid = gettid_();
	__atomic_add_fetch(&nstarted, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	w->ret = fx(w->addr, w->op, w->val, 0, w->addr2, 0);
	w->err = errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Starts n waiters and gives them time to go to sleep. */
static void start_waiters(struct waiter *w, int n, uint32_t *addr, int op,
			  uint32_t val, uint32_t *addr2)
{
	nstarted = 0;
	for (int i = 0; i < n; i++) {
		w[i] = (struct waiter){
		    .addr = addr, .op = op, .val = val, .addr2 = addr2};
		pthread_create(&w[i].th, NULL, waiter_fn, &w[i]);
	}
	while (__atomic_load_n(&nstarted, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	usleep(200000);
}

static int count_done(struct waiter *w, int n)
{
	usleep(100000);
	int c = 0;
	for (int i = 0; i < n; i++)
		c += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
	return c;
}

static void join_waiters(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
}

/* ---- condition variable broadcast ---- */

static pthread_mutex_t cv_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cv_round, cv_waiting, cv_woken;

static void *cv_fn(void *arg)
{
	(void)arg;
	for (int r = 1; r <= 3; r++) {
		pthread_mutex_lock(&cv_m);
		cv_waiting++;
		while (cv_round < r)
			pthread_cond_wait(&cv, &cv_m);
		cv_woken++;
		pthread_mutex_unlock(&cv_m);
	}
	return NULL;
}

static void test_cond_broadcast(void)
{
	begin("cond_broadcast");
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, cv_fn, NULL);
	int ok = 1;
	for (int r = 1; r <= 3 && ok; r++) {
		for (int i = 0; i < 500; i++) {
			pthread_mutex_lock(&cv_m);
			int n = cv_waiting;
			pthread_mutex_unlock(&cv_m);
			if (n == 8 * r)
				break;
			usleep(10000);
		}
		usleep(50000);
		pthread_mutex_lock(&cv_m);
		cv_round = r;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&cv_m);
		int woken = 0;
		for (int i = 0; i < 500 && woken < 8 * r; i++) {
			usleep(10000);
			pthread_mutex_lock(&cv_m);
			woken = cv_woken;
			pthread_mutex_unlock(&cv_m);
		}
		if (woken != 8 * r) {
			CHECK("futex.cond_broadcast_8", 0,
			      "round %d: %d of %d woken", r, woken, 8 * r);
			ok = 0;
		}
	}
	if (!ok)
		_exit(check_summary("sys_futex_ops"));
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	CHECK("futex.cond_broadcast_8", 1, "%s", "ok");
}

/* ---- REQUEUE and CMP_REQUEUE ---- */

static void test_requeue(void)
{
	begin("requeue");
	static uint32_t f1, f2;
	struct waiter w[4];
	CHECK_ERRNO("futex.cmp_requeue_nr_wake_negative",
		    fx(&f1, FUTEX_CMP_REQUEUE | P, (uint32_t)-1, 1, &f2, 0),
		    EINVAL);
	CHECK_ERRNO("futex.cmp_requeue_nr_requeue_negative",
		    fx(&f1, FUTEX_CMP_REQUEUE | P, 1, -1, &f2, 0), EINVAL);
	CHECK_ERRNO("futex.requeue_negative",
		    fx(&f1, FUTEX_REQUEUE | P, 1, INT_MIN, &f2, 0), EINVAL);
	start_waiters(w, 4, &f1, FUTEX_WAIT | P, 0, NULL);
	CHECK_ERRNO("futex.cmp_requeue_mismatch_eagain",
		    fx(&f1, FUTEX_CMP_REQUEUE | P, 1, 2, &f2, 1), EAGAIN);
	long r = fx(&f1, FUTEX_CMP_REQUEUE | P, 1, 2, &f2, 0);
	CHECK("futex.cmp_requeue_count", r == 3, "returned %ld (%s), want 3", r,
	      errname(errno));
	int d = count_done(w, 4);
	CHECK("futex.cmp_requeue_woke_one", d == 1, "%d done, want 1", d);
	r = fx(&f2, FUTEX_WAKE | P, INT_MAX, 0, NULL, 0);
	CHECK("futex.requeued_wake_on_uaddr2", r == 2,
	      "wake on uaddr2 returned %ld, want 2", r);
	d = count_done(w, 4);
	CHECK("futex.requeued_woke", d == 3, "%d done, want 3", d);
	r = fx(&f1, FUTEX_REQUEUE | P, 0, INT_MAX, &f2, 0);
	CHECK("futex.requeue_count", r == 1, "returned %ld, want 1", r);
	r = fx(&f1, FUTEX_WAKE | P, INT_MAX, 0, NULL, 0);
	CHECK("futex.requeue_left_uaddr", r == 0, "wake on uaddr %ld", r);
	r = fx(&f2, FUTEX_WAKE | P, INT_MAX, 0, NULL, 0);
	CHECK("futex.requeue_moved_to_uaddr2", r == 1, "wake on uaddr2 %ld", r);
	join_waiters(w, 4);
	/* Requeued onto its own futex with INT_MAX: counted once, and the
	 * kernel does not go round forever. */
	start_waiters(w, 1, &f1, FUTEX_WAIT | P, 0, NULL);
	r = fx(&f1, FUTEX_REQUEUE | P, 0, INT_MAX, &f1, 0);
	CHECK("futex.requeue_to_itself", r == 1, "returned %ld, want 1", r);
	r = fx(&f1, FUTEX_WAKE | P, INT_MAX, 0, NULL, 0);
	CHECK("futex.requeue_to_itself_still_waits", r == 1, "woke %ld", r);
	join_waiters(w, 1);
	int ok = 1;
	for (int i = 0; i < 4; i++)
		ok &= w[i].ret == 0;
	CHECK("futex.requeue_waiters_returned_0", ok, "a wait failed");
	CHECK_ERRNO("futex.cmp_requeue_bad_uaddr_efault",
		    fx(BAD_PTR, FUTEX_CMP_REQUEUE | P, 1, 1, &f2, 0), EFAULT);
}

/* ---- WAKE_OP ---- */

static void test_wake_op(void)
{
	begin("wake_op");
	static uint32_t u1, u2;
	struct waiter a[2], b[2];
	CHECK_ERRNO("futex.wake_op_bad_op_enosys",
		    fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
		       FOP(7, 0, FUTEX_OP_CMP_EQ, 0)),
		    ENOSYS);
	CHECK_ERRNO(
	    "futex.wake_op_bad_cmp_enosys",
	    fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2, FOP(FUTEX_OP_SET, 0, 9, 0)),
	    ENOSYS);
	start_waiters(a, 2, &u1, FUTEX_WAIT | P, 0, NULL);
	start_waiters(b, 2, &u2, FUTEX_WAIT | P, 0, NULL);
	long r = fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
		    FOP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
	CHECK("futex.wake_op_add_eq_wakes_both", r == 2 && u2 == 5,
	      "returned %ld, *uaddr2 %u; want 2 and 5", r, u2);
	r = fx(
	    &u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
	    FOP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_GT, 100));
	CHECK("futex.wake_op_or_shift_gt_false", r == 1 && u2 == 21,
	      "returned %ld, *uaddr2 %u; want 1 and 21", r, u2);
	r = fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
	       FOP(FUTEX_OP_XOR, 3, FUTEX_OP_CMP_GE, -5));
	CHECK("futex.wake_op_xor_ge_negative_cmparg", r == 1 && u2 == 22,
	      "returned %ld, *uaddr2 %u; want 1 and 22", r, u2);
	int d = count_done(a, 2) + count_done(b, 2);
	CHECK("futex.wake_op_all_woken", d == 4, "%d of 4 woken", d);
	join_waiters(a, 2);
	join_waiters(b, 2);
	r = fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
	       FOP(FUTEX_OP_ANDN, 6, FUTEX_OP_CMP_NE, 22));
	CHECK("futex.wake_op_andn_ne", r == 0 && u2 == 16,
	      "returned %ld, *uaddr2 %u; want 0 and 16", r, u2);
	r = fx(&u1, FUTEX_WAKE_OP | P, 1, 1, &u2,
	       FOP(FUTEX_OP_SET, -1, FUTEX_OP_CMP_LE, 16));
	CHECK("futex.wake_op_set_negative_oparg", r == 0 && u2 == 0xffffffffu,
	      "returned %ld, *uaddr2 %#x; want 0 and 0xffffffff", r, u2);
	CHECK_ERRNO("futex.wake_op_bad_uaddr2_efault",
		    fx(&u1, FUTEX_WAKE_OP | P, 1, 1, BAD_PTR,
		       FOP(FUTEX_OP_SET, 0, 0, 0)),
		    EFAULT);
	CHECK_ERRNO("futex.wake_op_kernel_uaddr2_efault",
		    fx(&u1, FUTEX_WAKE_OP | P, 1, 1, KERNEL_PTR,
		       FOP(FUTEX_OP_SET, 0, 0, 0)),
		    EFAULT);
	uint32_t *ro =
	    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_ERRNO(
	    "futex.wake_op_readonly_uaddr2_efault",
	    fx(&u1, FUTEX_WAKE_OP | P, 1, 1, ro, FOP(FUTEX_OP_SET, 1, 0, 0)),
	    EFAULT);
	munmap(ro, 4096);
}

/* ---- robust mutexes ---- */

static pthread_mutex_t rm;
static volatile int rm_locked;

static void *robust_owner(void *arg)
{
	pthread_mutex_t *m = arg;
	pthread_mutex_lock(m);
	rm_locked = 1;
	usleep(200000); /* the main thread blocks meanwhile */
	return NULL;	/* exits holding m */
}

static void robust_init(pthread_mutex_t *m, int pshared, int pi)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (pi)
		pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static void robust_thread_case(const char *tag, int pi)
{
	char name[80];
	robust_init(&rm, 0, pi);
	rm_locked = 0;
	pthread_t th;
	pthread_create(&th, NULL, robust_owner, &rm);
	while (!rm_locked)
		usleep(1000);
	/* Blocks until the owner exits; timed, so a kernel that never
	 * wakes it fails here rather than at the watchdog. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	int e = pthread_mutex_timedlock(&rm, &ts);
	snprintf(name, sizeof(name), "futex.%s_owner_exit_eownerdead", tag);
	CHECK(name, e == EOWNERDEAD, "lock returned %s", errname(e));
	pthread_join(th, NULL);
	if (e == EOWNERDEAD) {
		e = pthread_mutex_consistent(&rm);
		snprintf(name, sizeof(name), "futex.%s_consistent", tag);
		CHECK(name, e == 0, "consistent returned %s", errname(e));
		pthread_mutex_unlock(&rm);
		e = pthread_mutex_lock(&rm);
		snprintf(name, sizeof(name), "futex.%s_relock_after_consistent",
			 tag);
		CHECK(name, e == 0, "lock returned %s", errname(e));
		pthread_mutex_unlock(&rm);
	}
	/* Owner gone with nobody waiting: the next locker finds it so. */
	rm_locked = 0;
	pthread_create(&th, NULL, robust_owner, &rm);
	pthread_join(th, NULL);
	e = pthread_mutex_lock(&rm);
	snprintf(name, sizeof(name), "futex.%s_owner_gone_eownerdead", tag);
	CHECK(name, e == EOWNERDEAD, "lock returned %s", errname(e));
	if (e == EOWNERDEAD)
		pthread_mutex_consistent(&rm);
	pthread_mutex_unlock(&rm);
}

static void test_robust_process(void)
{
	begin("robust_process");
	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	robust_init(m, 1, 0);
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t owner = fork();
	if (owner == 0) {
		pthread_mutex_lock(m);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char c;
	if (read(pfd[0], &c, 1) != 1)
		return;
	pid_t waiter = fork();
	if (waiter == 0) {
		int e = pthread_mutex_lock(m); /* blocks until owner dies */
		if (e == EOWNERDEAD) {
			pthread_mutex_consistent(m);
			pthread_mutex_unlock(m);
		}
		_exit(e == EOWNERDEAD ? 0 : 10 + e);
	}
	usleep(300000);
	kill(owner, SIGKILL);
	int st;
	waitpid(owner, &st, 0);
	waitpid(waiter, &st, 0);
	CHECK("futex.robust_shared_owner_killed_eownerdead",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "waiter status %#x (exit 10+errno)", st);
	int e = pthread_mutex_lock(m);
	CHECK("futex.robust_shared_relock", e == 0, "lock returned %s",
	      errname(e));
	pthread_mutex_unlock(m);
	close(pfd[0]);
	close(pfd[1]);
	munmap(m, 4096);
}

/* A thread installs a hostile robust list and exits: a loop, whose futex
 * word holds its TID, and then a list ending in a bad pointer. */
static uint32_t loop_word, bad_word;
struct rl {
	void *next;
	long off;
	void *pending;
};

static void *hostile_list_fn(void *arg)
{
	int kind = (int)(long)arg;
	static struct rl head;
	static void *entry[1];
	uint32_t *w = kind ? &bad_word : &loop_word;
	*w = (uint32_t)gettid_();
	if (kind == 0) {
		entry[0] = entry; /* points to itself: a loop */
		head.next = entry;
	} else {
		entry[0] = BAD_PTR;
		head.next = entry;
	}
	head.off = (char *)w - (char *)entry;
	head.pending = NULL;
	syscall(SYS_set_robust_list, &head, sizeof(head));
	return NULL;
}

static void test_robust_list_syscalls(void)
{
	begin("robust_list");
	void *head = NULL;
	size_t len = 0;
	long r = syscall(SYS_get_robust_list, 0, &head, &len);
	CHECK("futex.get_robust_list_self", r == 0 && len == 24,
	      "returned %ld %s, len %zu", r, errname(errno), len);
	CHECK_ERRNO("futex.get_robust_list_esrch",
		    syscall(SYS_get_robust_list, 999999, &head, &len), ESRCH);
	CHECK_ERRNO("futex.get_robust_list_efault",
		    syscall(SYS_get_robust_list, 0, BAD_PTR, &len), EFAULT);
	if (getuid() == 0) {
		pid_t parent = getpid();
		pid_t c = fork();
		if (c == 0) {
			if (setuid(1000))
				_exit(3);
			void *h;
			size_t l;
			long x = syscall(SYS_get_robust_list, parent, &h, &l);
			_exit(x == -1 && errno == EPERM ? 0 : 1);
		}
		int st;
		waitpid(c, &st, 0);
		CHECK("futex.get_robust_list_eperm",
		      WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
		      st);
	}
	pthread_t th;
	pthread_create(&th, NULL, hostile_list_fn, (void *)0);
	pthread_join(th, NULL);
	CHECK("futex.robust_list_loop_bounded", loop_word == FUTEX_OWNER_DIED,
	      "word %#x, want OWNER_DIED", loop_word);
	pthread_create(&th, NULL, hostile_list_fn, (void *)1);
	pthread_join(th, NULL);
	CHECK("futex.robust_list_bad_pointer", bad_word == FUTEX_OWNER_DIED,
	      "word %#x, want OWNER_DIED", bad_word);
}

/* ---- PI ---- */

static pthread_mutex_t pim;
static long pi_count;

static void *pi_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 25000; i++) {
		pthread_mutex_lock(&pim);
		long c = pi_count;
		if (i % 128 == 0)
			sched_yield();
		pi_count = c + 1;
		pthread_mutex_unlock(&pim);
	}
	return NULL;
}

static uint32_t piw;
static volatile int pi_holder_tid;
static void *pi_locker(void *arg)
{
	(void)arg;
	long r = fx(&piw, FUTEX_LOCK_PI | P, 0, 0, NULL, 0);
	int mine = (piw & FUTEX_TID_MASK) == (uint32_t)gettid_();
	pi_holder_tid = mine ? gettid_() : -1;
	if (r == 0)
		fx(&piw, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	return (void *)(long)(r == 0 && mine);
}

static void *pi_exiting_owner(void *arg)
{
	(void)arg;
	fx(&piw, FUTEX_LOCK_PI | P, 0, 0, NULL, 0);
	pi_holder_tid = gettid_();
	usleep(300000); /* the main thread blocks on piw meanwhile */
	return NULL;
}

static void test_pi(void)
{
	begin("pi_mutex_count");
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&pim, &a);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, pi_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK("futex.pi_mutex_4_threads_100000", pi_count == 100000,
	      "count %ld", pi_count);
	pthread_mutex_lock(&pim);
	int e = pthread_mutex_lock(&pim);
	CHECK("futex.pi_errorcheck_relock_edeadlk", e == EDEADLK,
	      "relock returned %s", errname(e));
	pthread_mutex_unlock(&pim);

	begin("pi_raw");
	uint32_t me = (uint32_t)gettid_();
	piw = 0;
	long r = fx(&piw, FUTEX_LOCK_PI | P, 0, 0, NULL, 0);
	CHECK("futex.lock_pi_free", r == 0 && piw == me,
	      "returned %ld, word %#x, tid %u", r, piw, me);
	CHECK_ERRNO("futex.lock_pi_self_edeadlk",
		    fx(&piw, FUTEX_LOCK_PI | P, 0, 0, NULL, 0), EDEADLK);
	CHECK_ERRNO("futex.trylock_pi_self_edeadlk",
		    fx(&piw, FUTEX_TRYLOCK_PI | P, 0, 0, NULL, 0), EDEADLK);
	pthread_t t;
	pthread_create(&t, NULL, pi_locker, NULL);
	usleep(300000);
	CHECK("futex.lock_pi_waiter_sets_waiters", piw == (me | FUTEX_WAITERS),
	      "word %#x", piw);
	r = fx(&piw, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	void *ok;
	pthread_join(t, &ok);
	CHECK("futex.unlock_pi_hands_off", r == 0 && ok,
	      "unlock %ld, waiter owned it: %d", r, ok != NULL);
	CHECK("futex.unlock_pi_by_new_owner_frees", piw == 0, "word %#x", piw);
	piw = 0x3ffffff0; /* a TID nobody has */
	CHECK_ERRNO("futex.unlock_pi_non_owner_eperm",
		    fx(&piw, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0), EPERM);
	CHECK_ERRNO("futex.lock_pi_dead_owner_esrch",
		    fx(&piw, FUTEX_LOCK_PI | P, 0, 0, NULL, 0), ESRCH);
	/* Held by a live thread that never unlocks it. */
	static uint32_t park;
	struct waiter pk;
	start_waiters(&pk, 1, &park, FUTEX_WAIT | P, 0, NULL);
	piw = (uint32_t)pk.tid;
	CHECK_ERRNO("futex.trylock_pi_held_eagain",
		    fx(&piw, FUTEX_TRYLOCK_PI | P, 0, 0, NULL, 0), EAGAIN);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERRNO("futex.lock_pi_realtime_timeout",
		    fx(&piw, FUTEX_LOCK_PI | P, 0, (long)&ts, NULL, 0),
		    ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERRNO(
	    "futex.lock_pi2_monotonic_timeout",
	    fx(&piw, 13 /* FUTEX_LOCK_PI2 */ | P, 0, (long)&ts, NULL, 0),
	    ETIMEDOUT);
	/* The timed-out waiters left nothing queued: an unlock finds no
	 * one to hand the lock to. */
	piw = me | FUTEX_WAITERS;
	r = fx(&piw, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	CHECK("futex.lock_pi_timeout_leaves_no_waiter", r == 0 && piw == 0,
	      "unlock %ld, word %#x", r, piw);
	piw = 0;
	fx(&park, FUTEX_WAKE | P, 1, 0, NULL, 0);
	join_waiters(&pk, 1);
	/* A PI owner exiting without unlocking (no robust list): as on
	 * Linux, the waiter gets the lock. */
	piw = 0;
	pi_holder_tid = 0;
	pthread_create(&t, NULL, pi_exiting_owner, NULL);
	while (!pi_holder_tid)
		usleep(1000);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	r = fx(&piw, FUTEX_LOCK_PI | P, 0, (long)&ts, NULL, 0);
	pthread_join(t, NULL);
	CHECK("futex.lock_pi_owner_exit_hands_over",
	      r == 0 && (piw & FUTEX_TID_MASK) == me,
	      "returned %ld %s, word %#x, tid %u", r, errname(errno), piw, me);
	if (r == 0)
		fx(&piw, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	CHECK_ERRNO("futex.lock_pi_efault",
		    fx(BAD_PTR, FUTEX_LOCK_PI | P, 0, 0, NULL, 0), EFAULT);
	CHECK_ERRNO("futex.unlock_pi_efault",
		    fx(KERNEL_PTR, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0), EFAULT);
}

/* ---- WAIT_REQUEUE_PI / CMP_REQUEUE_PI ---- */

static uint32_t rq_cond, rq_lock;
static void *rq_waiter(void *arg)
{
	(void)arg;
	long r = fx(&rq_cond, FUTEX_WAIT_REQUEUE_PI | P, 0, 0, &rq_lock, 0);
	int mine = (rq_lock & FUTEX_TID_MASK) == (uint32_t)gettid_();
	if (r == 0)
		fx(&rq_lock, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	return (void *)(long)(r == 0 && mine);
}

static void test_requeue_pi(void)
{
	begin("requeue_pi");
	CHECK_ERRNO("futex.wait_requeue_pi_same_einval",
		    fx(&rq_cond, FUTEX_WAIT_REQUEUE_PI | P, 0, 0, &rq_cond, 0),
		    EINVAL);
	CHECK_ERRNO("futex.cmp_requeue_pi_nr_wake_einval",
		    fx(&rq_cond, FUTEX_CMP_REQUEUE_PI | P, 2, 1, &rq_lock, 0),
		    EINVAL);
	uint32_t me = (uint32_t)gettid_();
	rq_lock = me; /* held by this thread */
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, rq_waiter, NULL);
	usleep(300000);
	long r =
	    fx(&rq_cond, FUTEX_CMP_REQUEUE_PI | P, 1, INT_MAX, &rq_lock, 0);
	CHECK("futex.cmp_requeue_pi_moves_both", r == 2, "returned %ld %s", r,
	      errname(errno));
	CHECK("futex.cmp_requeue_pi_sets_waiters",
	      rq_lock == (me | FUTEX_WAITERS), "word %#x", rq_lock);
	r = fx(&rq_lock, FUTEX_UNLOCK_PI | P, 0, 0, NULL, 0);
	void *ok0, *ok1;
	pthread_join(t[0], &ok0);
	pthread_join(t[1], &ok1);
	CHECK("futex.requeue_pi_waiters_own_lock", r == 0 && ok0 && ok1,
	      "unlock %ld, %d %d", r, ok0 != NULL, ok1 != NULL);
	/* A free lock goes to the first waiter at once. */
	rq_lock = 0;
	pthread_create(&t[0], NULL, rq_waiter, NULL);
	usleep(300000);
	r = fx(&rq_cond, FUTEX_CMP_REQUEUE_PI | P, 1, 0, &rq_lock, 0);
	pthread_join(t[0], &ok0);
	CHECK("futex.cmp_requeue_pi_takes_free_lock", r == 1 && ok0,
	      "returned %ld, owned %d", r, ok0 != NULL);
}

/* ---- futex_waitv ---- */

struct fwv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};
static uint32_t v3[3];
static struct fwv wv[3];

static long waitv(struct fwv *w, unsigned n, unsigned flags,
		  struct timespec *ts, int clk)
{
	return syscall(NR_futex_waitv, w, n, flags, ts, clk);
}

static void *waitv_fn(void *arg)
{
	(void)arg;
	return (void *)waitv(wv, 3, 0, NULL, 0);
}

static void *waitv128_fn(void *arg)
{
	return (void *)waitv(arg, 128, 0, NULL, 0);
}

static void test_waitv(void)
{
	begin("waitv");
	for (int i = 0; i < 3; i++)
		wv[i] = (struct fwv){.val = 0,
				     .uaddr = (uintptr_t)&v3[i],
				     .flags = 2 | FUTEX_PRIVATE_FLAG};
	pthread_t t;
	pthread_create(&t, NULL, waitv_fn, NULL);
	usleep(300000);
	long w = fx(&v3[1], FUTEX_WAKE | P, 1, 0, NULL, 0);
	void *ret;
	pthread_join(t, &ret);
	CHECK("futex.waitv_returns_index_1", w == 1 && (long)ret == 1,
	      "wake %ld, waitv %ld", w, (long)ret);
	w = fx(&v3[0], FUTEX_WAKE | P, 1, 0, NULL, 0) +
	    fx(&v3[2], FUTEX_WAKE | P, 1, 0, NULL, 0);
	CHECK("futex.waitv_leaves_nothing_queued", w == 0, "woke %ld", w);
	/* 128 futexes, the last one woken. */
	static uint32_t many[128];
	static struct fwv wv128[128];
	for (int i = 0; i < 128; i++)
		wv128[i] = (struct fwv){.uaddr = (uintptr_t)&many[i],
					.flags = 2 | FUTEX_PRIVATE_FLAG};
	pthread_create(&t, NULL, waitv128_fn, wv128);
	usleep(300000);
	w = fx(&many[127], FUTEX_WAKE | P, 1, 0, NULL, 0);
	pthread_join(t, &ret);
	CHECK("futex.waitv_128_returns_index_127", w == 1 && (long)ret == 127,
	      "wake %ld, waitv %ld", w, (long)ret);
	v3[2] = 7;
	CHECK_ERRNO("futex.waitv_mismatch_eagain", waitv(wv, 3, 0, NULL, 0),
		    EAGAIN);
	v3[2] = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_ERRNO("futex.waitv_timeout", waitv(wv, 3, 0, &ts, 1), ETIMEDOUT);
	w = fx(&v3[0], FUTEX_WAKE | P, 3, 0, NULL, 0) +
	    fx(&v3[1], FUTEX_WAKE | P, 3, 0, NULL, 0) +
	    fx(&v3[2], FUTEX_WAKE | P, 3, 0, NULL, 0);
	CHECK("futex.waitv_timeout_leaves_nothing_queued", w == 0, "woke %ld",
	      w);
	CHECK_ERRNO("futex.waitv_bad_clock_einval",
		    waitv(wv, 3, 0, &ts, 4 /* BOOTTIME */), EINVAL);
	CHECK_ERRNO("futex.waitv_flags_einval", waitv(wv, 3, 1, NULL, 0),
		    EINVAL);
	CHECK_ERRNO("futex.waitv_zero_einval", waitv(wv, 0, 0, NULL, 0),
		    EINVAL);
	CHECK_ERRNO("futex.waitv_129_einval", waitv(wv, 129, 0, NULL, 0),
		    EINVAL);
	wv[1].flags = FUTEX_PRIVATE_FLAG; /* no size */
	CHECK_ERRNO("futex.waitv_no_size_einval", waitv(wv, 3, 0, NULL, 0),
		    EINVAL);
	wv[1].flags = 3; /* U64 */
	CHECK_ERRNO("futex.waitv_u64_einval", waitv(wv, 3, 0, NULL, 0), EINVAL);
	wv[1].flags = 2;
	wv[1].reserved = 1;
	CHECK_ERRNO("futex.waitv_reserved_einval", waitv(wv, 3, 0, NULL, 0),
		    EINVAL);
	wv[1].reserved = 0;
	CHECK_ERRNO("futex.waitv_bad_array_efault",
		    waitv(BAD_PTR, 3, 0, NULL, 0), EFAULT);
	wv[1].uaddr = (uintptr_t)BAD_PTR;
	CHECK_ERRNO("futex.waitv_bad_uaddr_efault", waitv(wv, 3, 0, NULL, 0),
		    EFAULT);
}

static void test_efault(void)
{
	begin("efault");
	static uint32_t u;
	CHECK_ERRNO("futex.wait_bad_efault",
		    fx(BAD_PTR, FUTEX_WAIT | P, 0, 0, NULL, 0), EFAULT);
	CHECK_ERRNO("futex.wait_kernel_efault",
		    fx(KERNEL_PTR, FUTEX_WAIT, 0, 0, NULL, 0), EFAULT);
	CHECK_ERRNO("futex.wait_requeue_pi_bad_efault",
		    fx(BAD_PTR, FUTEX_WAIT_REQUEUE_PI | P, 0, 0, &u, 0),
		    EFAULT);
	CHECK_ERRNO("futex.cmp_requeue_pi_bad_uaddr2_efault",
		    fx(&u, FUTEX_CMP_REQUEUE_PI | P, 1, 1, KERNEL_PTR, 0),
		    EFAULT);
	CHECK_ERRNO("futex.unknown_op_enosys", fx(&u, 14 | P, 0, 0, NULL, 0),
		    ENOSYS);
}

int main(void)
{
	watchdog_start();
	test_efault();
	test_requeue();
	test_wake_op();
	test_cond_broadcast();
	robust_thread_case("robust", 0);
	robust_thread_case("robust_pi", 1);
	test_robust_process();
	test_robust_list_syscalls();
	test_pi();
	test_requeue_pi();
	test_waitv();
	watchdog_stop();
	return check_summary("sys_futex_ops");
}
