/* POSIX shared memory and named semaphores through the C library, built
 * with musl and with glibc: shm_open and sem_open keep their objects in
 * /dev/shm (a tmpfs the kernel mounts), sem_wait/sem_post use a futex in
 * a MAP_SHARED mapping. A parent and a child each add to a shared counter
 * ROUNDS times under the semaphore: the count must come out exact. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "check.h"

#define ROUNDS 50000
#define SHM_NAME "/limen-posix-shm"
#define SEM_NAME "/limen-posix-sem"
/* glibc names a semaphore's file sem.NAME, musl plain NAME. */
#ifdef __GLIBC__
#define SEM_FILE "/dev/shm/sem.limen-posix-sem"
#else
#define SEM_FILE "/dev/shm/limen-posix-sem"
#endif

struct shared {
	volatile long counter;
};

static void check_dev_shm(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[256], dev[64], dir[64], type[64];
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %63s %63s", dev, dir, type) == 3 &&
		    !strcmp(dir, "/dev/shm"))
			found = !strcmp(type, "tmpfs") ? 1 : -1;
	if (f)
		fclose(f);
	CHECK("posix_shm.dev_shm_tmpfs", found == 1,
	      found ? "/dev/shm is not a tmpfs"
		    : "/dev/shm not in /proc/mounts");
	struct stat st;
	int r = stat("/dev/shm", &st);
	CHECK("posix_shm.dev_shm_mode",
	      r == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777,
	      "stat %d mode %o", r, st.st_mode);
}

/* Adds to the counter ROUNDS times, each under the semaphore; the read
 * and the write are apart so an unguarded pair loses updates. */
static int work(struct shared *s, sem_t *sem)
{
	for (int i = 0; i < ROUNDS; i++) {
		if (sem_wait(sem))
			return 1;
		long v = s->counter;
		if ((i & 63) == 0)
			sched_yield(); /* give the other side its chance */
		s->counter = v + 1;
		if (sem_post(sem))
			return 1;
	}
	return 0;
}

int main(void)
{
	check_dev_shm();
	shm_unlink(SHM_NAME);
	sem_unlink(SEM_NAME);

	int fd = shm_open(SHM_NAME, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK("posix_shm.shm_open", fd >= 0, "shm_open: %s", errname(errno));
	if (fd < 0)
		return check_summary("posix_shm");
	struct stat st;
	CHECK("posix_shm.in_dev_shm",
	      stat("/dev/shm/limen-posix-shm", &st) == 0, "stat: %s",
	      errname(errno));
	CHECK_OK("posix_shm.ftruncate", ftruncate(fd, sizeof(struct shared)));
	struct shared *s =
	    mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("posix_shm.mmap", s != MAP_FAILED, "mmap: %s", errname(errno));
	if (s == MAP_FAILED)
		return check_summary("posix_shm");
	close(fd);

	sem_t *sem = sem_open(SEM_NAME, O_CREAT | O_EXCL, 0600, 1);
	CHECK("posix_shm.sem_open", sem != SEM_FAILED, "sem_open: %s",
	      errname(errno));
	if (sem == SEM_FAILED)
		return check_summary("posix_shm");
	CHECK("posix_shm.sem_in_dev_shm", stat(SEM_FILE, &st) == 0, "stat: %s",
	      errname(errno));

	pid_t pid = fork();
	if (pid == 0) {
		/* The child opens the semaphore by name, as an unrelated
		 * process would (its inherited mapping would do too). */
		sem_t *csem = sem_open(SEM_NAME, 0);
		_exit(csem == SEM_FAILED ? 2 : work(s, csem));
	}
	CHECK("posix_shm.fork", pid > 0, "fork: %s", errname(errno));
	int parent_ok = work(s, sem) == 0;
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK("posix_shm.parent_ran", parent_ok, "sem_wait/sem_post failed");
	CHECK("posix_shm.child_ran", WIFEXITED(status) && !WEXITSTATUS(status),
	      "child status %#x", status);
	CHECK("posix_shm.count_exact", s->counter == 2L * ROUNDS,
	      "counter %ld, expected %ld", s->counter, 2L * ROUNDS);

	int val = -1;
	CHECK("posix_shm.sem_value", sem_getvalue(sem, &val) == 0 && val == 1,
	      "value %d", val);
	CHECK_OK("posix_shm.shm_unlink", shm_unlink(SHM_NAME));
	CHECK_ERRNO("posix_shm.open_after_unlink",
		    shm_open(SHM_NAME, O_RDWR, 0), ENOENT);
	CHECK_ERRNO("posix_shm.unlink_twice", shm_unlink(SHM_NAME), ENOENT);
	/* The mapping outlives the name. */
	s->counter++;
	CHECK("posix_shm.map_outlives_name", s->counter == 2L * ROUNDS + 1,
	      "counter %ld", s->counter);
	CHECK_OK("posix_shm.sem_close", sem_close(sem));
	CHECK_OK("posix_shm.sem_unlink", sem_unlink(SEM_NAME));
	errno = 0;
	sem_t *gone = sem_open(SEM_NAME, 0);
	CHECK("posix_shm.sem_open_after_unlink",
	      gone == SEM_FAILED && errno == ENOENT, "sem_open: %p %s",
	      (void *)gone, errname(errno));
	CHECK_ERRNO("posix_shm.sem_gone", stat(SEM_FILE, &st), ENOENT);
	munmap(s, sizeof(*s));
	return check_summary("posix_shm");
}
