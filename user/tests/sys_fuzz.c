/* Robustness at the boundary: children make thousands of system calls with
 * random numbers and arguments (random pointers into user, kernel and
 * non-canonical space). Whatever a child does to itself, the kernel must
 * answer with an error or kill that child, never panic; the parent kills
 * any child that blocks and checks it can carry on. */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static uint64_t rng;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long arg(void)
{
	static const uint64_t pool[] = {
	    0,
	    1,
	    2,
	    3,
	    4096,
	    (uint64_t)-1,
	    0x7fffffff,
	    0xffff800000000000ULL,
	    0xffffffff80100000ULL,
	    0x8000000000000000ULL,
	    0x0000800000000000ULL,
	    0x400000,
	    0x10,
	};
	switch (next() % 4) {
	case 0:
		return (long)pool[next() % (sizeof(pool) / sizeof(pool[0]))];
	case 1:
		return (long)(next() % 64);
	case 2:
		return (long)next();
	default:
		return (long)(0x7ffffffde000ULL + (next() % 0x20000));
	}
}

/* Calls that would end the child, hang it, spawn processes, or write
 * random bytes to the console (which the test harness reads). */
static int skip(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_reboot:
	case SYS_kill:
	case SYS_tkill:
	case SYS_tgkill:
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
	case SYS_execve:
	case SYS_execveat:
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_futex:
	case SYS_read:
	case SYS_readv:
	case SYS_pread64:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_rt_sigreturn:
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_sendfile:
	case SYS_ioctl:
		return 1;
	default:
		return 0;
	}
}

static void child(uint64_t seed)
{
	rng = seed;
	for (int i = 0; i < 5000; i++) {
		long nr = (long)(next() % 460);
		if (skip(nr))
			continue;
		syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
	}
	_exit(0);
}

int main(void)
{
	int survived = 0, killed = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		pid_t pid = fork();
		if (pid == 0)
			child(seed * 0x9e3779b97f4a7c15ULL);
		int st = 0;
		/* Up to ~3 s per child, then it is killed. */
		for (int w = 0; w < 300; w++) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				goto done;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	done:
		if (WIFEXITED(st))
			survived++;
		else
			killed++;
	}
	CHECK("fuzz.parent_carries_on", survived + killed == 40,
	      "%d survived, %d killed", survived, killed);
	/* The system still works afterwards. */
	int p[2];
	CHECK("fuzz.kernel_still_serves",
	      pipe(p) == 0 && write(p[1], "ok", 2) == 2, "errno %d", errno);
	printf("fuzz: %d children finished, %d were killed\n", survived,
	       killed);
	return check_summary("sys_fuzz");
}
