/* File locks: fcntl's POSIX record locks (F_GETLK, F_SETLK, F_SETLKW),
 * OFD locks (F_OFD_*) and flock(2), between processes sequenced by pipes:
 * conflicts, the holder reported by F_GETLK, blocking until an unlock or
 * the holder's death, EDEADLK for a two-process cycle, splitting and
 * merging, POSIX's release on any close and at exit, no inheritance by
 * fork, EBADF for the wrong access mode, EINTR, OFD and flock ownership
 * by the open file description, and ENOLCK past the per-process cap
 * (LOCK_MAX_PER_OWNER, 1024 records). Runs as init; passes on Linux too
 * except the cap (Linux has none by default). */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#define PATH "/tmp/sys_flock.dat"

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type,
			   .l_whence = SEEK_SET,
			   .l_start = start,
			   .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type,
			   .l_whence = SEEK_SET,
			   .l_start = start,
			   .l_len = len};
	if (fcntl(fd, cmd, &fl) < 0)
		fl.l_type = -1;
	return fl;
}

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int child_status(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A child's checks: it exits 0 iff they held, 1 + the number failed. */
#define CHILD_END() _exit(check_nfail ? 1 : 0)

/* fork, the child counting its own failures from zero. */
static pid_t xfork(void)
{
	pid_t c = fork();
	if (c == 0)
		check_nfail = 0;
	return c;
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(void)
{
	pid_t me = getpid();
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[200] = {0};
	CHECK("setup", fd >= 0 && write(fd, buf, sizeof(buf)) == 200,
	      "open/write failed: %s", errname(errno));

	/* Conflict, F_GETLK, no inheritance by fork. */
	CHECK_OK("setlk_wr", lk(fd, F_SETLK, F_WRLCK, 0, 100));
	pid_t c = xfork();
	if (c == 0) {
		int f2 = open(PATH, O_RDWR);
		CHECK_ERRNO("child_conflict_eagain",
			    lk(f2, F_SETLK, F_WRLCK, 50, 10), EAGAIN);
		CHECK_ERRNO("child_rd_conflict_eagain",
			    lk(f2, F_SETLK, F_RDLCK, 99, 1), EAGAIN);
		/* Inherited fd, but not the lock. */
		CHECK_ERRNO("not_inherited_by_fork",
			    lk(fd, F_SETLK, F_WRLCK, 0, 100), EAGAIN);
		struct flock g = getlk(f2, F_GETLK, F_RDLCK, 10, 0);
		CHECK("getlk_holder",
		      g.l_type == F_WRLCK && g.l_pid == me && g.l_start == 0 &&
			  g.l_len == 100 && g.l_whence == SEEK_SET,
		      "type %d pid %d (want %d) start %ld len %ld", g.l_type,
		      g.l_pid, me, (long)g.l_start, (long)g.l_len);
		CHECK_OK("child_lock_after_range",
			 lk(f2, F_SETLK, F_WRLCK, 100, 10));
		g = getlk(f2, F_GETLK, F_WRLCK, 150, 10);
		CHECK("getlk_free", g.l_type == F_UNLCK, "type %d", g.l_type);
		CHILD_END();
	}
	CHECK("child_conflicts", child_status(c) == 0, "child failed");

	/* Split and merge: unlock 40-59 of 0-99. */
	CHECK_OK("unlock_middle", lk(fd, F_SETLK, F_UNLCK, 40, 20));
	c = xfork();
	if (c == 0) {
		struct flock a = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
		struct flock m = getlk(fd, F_GETLK, F_WRLCK, 40, 20);
		struct flock b = getlk(fd, F_GETLK, F_WRLCK, 40, 0);
		CHECK("split_pieces",
		      a.l_start == 0 && a.l_len == 40 && m.l_type == F_UNLCK &&
			  b.l_start == 60 && b.l_len == 40,
		      "first %ld+%ld, middle type %d, second %ld+%ld",
		      (long)a.l_start, (long)a.l_len, m.l_type, (long)b.l_start,
		      (long)b.l_len);
		CHILD_END();
	}
	CHECK("split_child", child_status(c) == 0, "child failed");
	CHECK_OK("relock_middle", lk(fd, F_SETLK, F_WRLCK, 40, 20));
	c = xfork();
	if (c == 0) {
		struct flock a = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
		CHECK("merged", a.l_start == 0 && a.l_len == 100, "got %ld+%ld",
		      (long)a.l_start, (long)a.l_len);
		CHILD_END();
	}
	CHECK("merge_child", child_status(c) == 0, "child failed");

	/* F_SETLKW blocks until the holder unlocks. */
	int p1[2], p2[2];
	if (pipe(p1) || pipe(p2))
		return 1;
	c = xfork();
	if (c == 0) {
		int f2 = open(PATH, O_RDWR);
		write(p1[1], "r", 1);
		int r = lk(f2, F_SETLKW, F_WRLCK, 10, 1);
		write(p2[1], r == 0 ? "g" : "e", 1);
		_exit(0);
	}
	char ch = 0;
	read(p1[0], &ch, 1);
	msleep(200);
	fcntl(p2[0], F_SETFL, O_NONBLOCK);
	CHECK_ERRNO("setlkw_blocks", read(p2[0], &ch, 1), EAGAIN);
	fcntl(p2[0], F_SETFL, 0);
	CHECK_OK("unlock_all", lk(fd, F_SETLK, F_UNLCK, 0, 0));
	ch = 0;
	CHECK("setlkw_granted", read(p2[0], &ch, 1) == 1 && ch == 'g',
	      "child said %c", ch);
	child_status(c);

	/* EDEADLK: parent holds byte 0, child byte 1, each wants the other's.
	 */
	CHECK_OK("dl_lock0", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	c = xfork();
	if (c == 0) {
		lk(fd, F_SETLK, F_WRLCK, 1, 1);
		write(p1[1], "r", 1);
		msleep(200);
		int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1);
		_exit(r == -1 && errno == EDEADLK ? 10 : r == 0 ? 11 : 12);
	}
	read(p1[0], &ch, 1);
	int r = lk(fd, F_SETLKW, F_WRLCK, 1, 1);
	int e = errno;
	if (r == 0) {
		CHECK("edeadlk", child_status(c) == 10,
		      "child did not get EDEADLK");
	} else {
		CHECK("edeadlk", e == EDEADLK, "parent got %s", errname(e));
		lk(fd, F_SETLK, F_UNLCK, 0, 0);
		CHECK("edeadlk_other_granted", child_status(c) == 11,
		      "child was not granted");
	}
	lk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* Closing another descriptor for the file releases the locks. */
	CHECK_OK("close_lock", lk(fd, F_SETLK, F_WRLCK, 0, 0));
	int other = open(PATH, O_RDONLY);
	close(other);
	c = xfork();
	if (c == 0) {
		struct flock g = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
		CHECK("released_on_other_close", g.l_type == F_UNLCK,
		      "still locked by %d", g.l_pid);
		CHILD_END();
	}
	CHECK("close_child", child_status(c) == 0, "child failed");

	/* Released at exit, and the death wakes a waiter. */
	c = xfork();
	if (c == 0) {
		lk(fd, F_SETLK, F_WRLCK, 0, 0);
		write(p1[1], "r", 1);
		msleep(200);
		_exit(0);
	}
	read(p1[0], &ch, 1);
	CHECK_ERRNO("exit_held", lk(fd, F_SETLK, F_WRLCK, 5, 5), EAGAIN);
	CHECK_OK("exit_wakes_waiter", lk(fd, F_SETLKW, F_WRLCK, 5, 5));
	child_status(c);
	lk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* Access modes. */
	int ro = open(PATH, O_RDONLY), wo = open(PATH, O_WRONLY);
	CHECK_ERRNO("wrlck_rdonly_ebadf", lk(ro, F_SETLK, F_WRLCK, 0, 1),
		    EBADF);
	CHECK_ERRNO("rdlck_wronly_ebadf", lk(wo, F_SETLK, F_RDLCK, 0, 1),
		    EBADF);
	CHECK_ERRNO("bad_type_einval", lk(fd, F_SETLK, 7, 0, 1), EINVAL);
	CHECK_ERRNO("negative_start_einval", lk(fd, F_SETLK, F_WRLCK, -1, 1),
		    EINVAL);
	close(ro);
	close(wo);

	/* Negative l_len and SEEK_END. */
	CHECK_OK("neg_len", lk(fd, F_SETLK, F_WRLCK, 50, -10));
	struct flock fe = {.l_type = F_RDLCK,
			   .l_whence = SEEK_END,
			   .l_start = -10,
			   .l_len = 0};
	CHECK_OK("seek_end", fcntl(fd, F_SETLK, &fe));
	c = xfork();
	if (c == 0) {
		struct flock g = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
		struct flock h = getlk(fd, F_GETLK, F_WRLCK, 100, 0);
		CHECK("neg_len_range", g.l_start == 40 && g.l_len == 10,
		      "got %ld+%ld", (long)g.l_start, (long)g.l_len);
		CHECK("seek_end_range",
		      h.l_type == F_RDLCK && h.l_start == 190 && h.l_len == 0,
		      "got type %d %ld+%ld", h.l_type, (long)h.l_start,
		      (long)h.l_len);
		CHILD_END();
	}
	CHECK("range_child", child_status(c) == 0, "child failed");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* EINTR: a blocked F_SETLKW ends with a signal (no SA_RESTART). */
	CHECK_OK("eintr_hold", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	c = xfork();
	if (c == 0) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGUSR1, &sa, NULL);
		write(p1[1], "r", 1);
		CHECK_ERRNO("setlkw_eintr", lk(fd, F_SETLKW, F_WRLCK, 0, 1),
			    EINTR);
		CHILD_END();
	}
	read(p1[0], &ch, 1);
	msleep(200);
	kill(c, SIGUSR1);
	CHECK("eintr_child", child_status(c) == 0, "child failed");

	/* SA_RESTART: the handler runs, then F_SETLKW waits on and gets the
	 * lock once it is released (Linux's -ERESTARTSYS). */
	c = xfork();
	if (c == 0) {
		struct sigaction sa = {.sa_handler = on_signal,
				       .sa_flags = SA_RESTART};
		sigaction(SIGUSR1, &sa, NULL);
		write(p1[1], "r", 1);
		int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1);
		CHECK("setlkw_sa_restart", r == 0, "ret %d errno %s", r,
		      errname(errno));
		CHILD_END();
	}
	read(p1[0], &ch, 1);
	msleep(200);
	kill(c, SIGUSR1);
	msleep(200);
	lk(fd, F_SETLK, F_UNLCK, 0, 1);
	CHECK("sa_restart_child", child_status(c) == 0, "child failed");
	CHECK_OK("eintr_hold_again", lk(fd, F_SETLK, F_WRLCK, 0, 1));

	/* OFD locks: owned by the open file description. */
	int a = open(PATH, O_RDWR), b = open(PATH, O_RDWR);
	CHECK_ERRNO("ofd_vs_own_posix", lk(a, F_OFD_SETLK, F_WRLCK, 0, 10),
		    EAGAIN);
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	CHECK_OK("ofd_lock", lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	CHECK_OK("ofd_same_ofd_again", lk(a, F_OFD_SETLK, F_RDLCK, 0, 10));
	CHECK_OK("ofd_same_ofd_wr", lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
	CHECK_ERRNO("ofd_other_ofd", lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
	CHECK_ERRNO("posix_vs_ofd", lk(b, F_SETLK, F_RDLCK, 5, 1), EAGAIN);
	struct flock o = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
	CHECK_ERRNO("ofd_pid_einval", fcntl(b, F_OFD_SETLK, &o), EINVAL);
	o = getlk(b, F_OFD_GETLK, F_WRLCK, 0, 0);
	CHECK("ofd_getlk",
	      o.l_type == F_WRLCK && o.l_pid == -1 && o.l_len == 10,
	      "type %d pid %d len %ld", o.l_type, o.l_pid, (long)o.l_len);
	int a2 = dup(a);
	close(a);
	CHECK_ERRNO("ofd_survives_dup_close", lk(b, F_OFD_SETLK, F_WRLCK, 5, 1),
		    EAGAIN);
	close(a2);
	CHECK_OK("ofd_released_last_close", lk(b, F_OFD_SETLK, F_WRLCK, 5, 1));
	close(b);

	/* flock(2). */
	a = open(PATH, O_RDONLY);
	b = open(PATH, O_RDONLY);
	CHECK_OK("flock_ex", flock(a, LOCK_EX));
	CHECK_ERRNO("flock_ex_nb", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERRNO("flock_sh_vs_ex", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_OK("flock_independent_of_posix", lk(fd, F_SETLK, F_WRLCK, 0, 0));
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	CHECK_OK("flock_downgrade", flock(a, LOCK_SH));
	CHECK_OK("flock_sh_sh", flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERRNO("flock_ex_vs_sh", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK("flock_un", flock(b, LOCK_UN));
	CHECK_OK("flock_upgrade", flock(a, LOCK_EX | LOCK_NB));
	c = xfork();
	if (c == 0) {
		int cc = open(PATH, O_RDONLY);
		CHECK_OK("flock_inherited", flock(a, LOCK_EX | LOCK_NB));
		CHECK_ERRNO("flock_child_other", flock(cc, LOCK_SH | LOCK_NB),
			    EWOULDBLOCK);
		CHILD_END();
	}
	CHECK("flock_child", child_status(c) == 0, "child failed");
	CHECK_ERRNO("flock_kept_after_child", flock(b, LOCK_EX | LOCK_NB),
		    EWOULDBLOCK);
	c = xfork();
	if (c == 0) {
		close(a); /* the parent's close must be the last */
		write(p1[1], "r", 1);
		int bb = open(PATH, O_RDONLY);
		int r2 = flock(bb, LOCK_EX);
		write(p2[1], r2 == 0 ? "g" : "e", 1);
		_exit(0);
	}
	read(p1[0], &ch, 1);
	msleep(100);
	close(a);
	ch = 0;
	CHECK("flock_wait_woken_by_close",
	      read(p2[0], &ch, 1) == 1 && ch == 'g', "child said %c", ch);
	child_status(c);
	CHECK_OK("flock_after_child_exit", flock(b, LOCK_EX | LOCK_NB));
	CHECK_ERRNO("flock_bad_op", flock(b, 0), EINVAL);
	close(b);

	/* Merging keeps contiguous locks one record; ENOLCK past the cap. */
	int ok = 1;
	for (int i = 0; i < 3000 && ok; i++)
		ok = lk(fd, F_SETLK, F_WRLCK, i, 1) == 0;
	CHECK("adjacent_merge_no_cap", ok, "failed: %s", errname(errno));
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	int n = 0;
	for (; n < 5000; n++)
		if (lk(fd, F_SETLK, F_WRLCK, 2 * n, 1) < 0)
			break;
	e = errno;
	CHECK("enolck", n >= 1000 && n < 5000 && e == ENOLCK,
	      "stopped after %d with %s", n, errname(e));
	CHECK_OK("enolck_unlock_all", lk(fd, F_SETLK, F_UNLCK, 0, 0));
	CHECK_OK("after_enolck", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	close(fd);
	unlink(PATH);
	return check_summary("sys_flock");
}
