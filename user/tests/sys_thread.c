/* Threads: pthread create/join, 8 threads contending on a mutex, thread
 * ids, TLS per thread, a condition variable with a timeout. Built with
 * musl here; tests/guest-suite.sh also runs the glibc build. */
#include "check.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

#define NTHREADS 8
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_value;
static int tids[NTHREADS];

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	tls_value = id;
	tids[id] = (int)syscall(SYS_gettid);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		long c = counter;
		if (i % 256 == 0)
			sched_yield(); /* invite contention inside the lock */
		counter = c + 1;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(long)(tls_value == id);
}

int main(void)
{
	pthread_t th[NTHREADS];
	int created = 0;
	for (long i = 0; i < NTHREADS; i++)
		created += pthread_create(&th[i], NULL, worker, (void *)i) == 0;
	CHECK("thread.create_8", created == NTHREADS, "created %d", created);
	int tls_ok = 0;
	for (int i = 0; i < created; i++) {
		void *ret;
		if (pthread_join(th[i], &ret) == 0 && ret)
			tls_ok++;
	}
	CHECK("thread.join_all_tls", tls_ok == NTHREADS, "%d ok", tls_ok);
	CHECK("thread.mutex_counter", counter == (long)NTHREADS * ROUNDS,
	      "counter %ld, expected %d", counter, NTHREADS * ROUNDS);
	int distinct = 1;
	for (int i = 0; i < NTHREADS; i++)
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j] || tids[i] == getpid())
				distinct = 0;
	CHECK("thread.distinct_tids", distinct, "thread ids repeat");

	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lock);
	int r = pthread_cond_timedwait(&cv, &lock, &ts);
	pthread_mutex_unlock(&lock);
	CHECK("thread.cond_timedwait_timeout", r == ETIMEDOUT, "returned %d",
	      r);
	return check_summary("sys_thread");
}
