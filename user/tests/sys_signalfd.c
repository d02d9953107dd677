/* signalfd: pending signals read as struct signalfd_siginfo records, with
 * poll readiness, blocking reads, mask updates and Linux's errors. */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static int drain(int fd)
{
	struct signalfd_siginfo si;
	int n = 0;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		n++;
	return n;
}

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK("signalfd.create", fd >= 0, "errno %s", errname(errno));
	struct signalfd_siginfo si[4];
	errno = 0;
	ssize_t r = read(fd, si, sizeof(si));
	CHECK("signalfd.empty_eagain", r < 0 && errno == EAGAIN,
	      "ret %zd errno %s", r, errname(errno));
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	int pr = poll(&pf, 1, 0);
	CHECK("signalfd.poll_not_ready", pr == 0, "poll %d", pr);

	kill(getpid(), SIGUSR1);
	pr = poll(&pf, 1, 5000);
	CHECK("signalfd.poll_ready", pr == 1 && (pf.revents & POLLIN),
	      "poll %d revents %#x", pr, pf.revents);
	r = read(fd, si, sizeof(si));
	CHECK("signalfd.read_kill",
	      r == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR1 &&
		  si[0].ssi_code == SI_USER &&
		  si[0].ssi_pid == (uint32_t)getpid() &&
		  si[0].ssi_uid == getuid(),
	      "ret %zd signo %u code %d pid %u", r, si[0].ssi_signo,
	      si[0].ssi_code, si[0].ssi_pid);
	sigset_t pend;
	sigpending(&pend);
	CHECK("signalfd.read_consumes", !sigismember(&pend, SIGUSR1),
	      "SIGUSR1 still pending");

	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), SIGRTMIN,
			 (union sigval){.sival_int = 70 + i});
	r = read(fd, si, sizeof(si));
	CHECK("signalfd.read_queued_in_order",
	      r == 3 * (ssize_t)sizeof(si[0]) && si[0].ssi_int == 70 &&
		  si[1].ssi_int == 71 && si[2].ssi_int == 72 &&
		  si[0].ssi_code == SI_QUEUE,
	      "ret %zd values %d %d %d", r, si[0].ssi_int, si[1].ssi_int,
	      si[2].ssi_int);

	char small[64];
	errno = 0;
	kill(getpid(), SIGUSR1);
	r = read(fd, small, sizeof(small));
	CHECK("signalfd.short_buffer_einval", r < 0 && errno == EINVAL,
	      "ret %zd errno %s", r, errname(errno));
	drain(fd);

	pid_t c = fork();
	if (c == 0)
		_exit(7);
	pr = poll(&pf, 1, 30000);
	r = read(fd, si, sizeof(si[0]));
	CHECK("signalfd.sigchld",
	      r == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGCHLD &&
		  si[0].ssi_code == CLD_EXITED && si[0].ssi_status == 7 &&
		  si[0].ssi_pid == (uint32_t)c,
	      "ret %zd signo %u code %d status %d", r, si[0].ssi_signo,
	      si[0].ssi_code, si[0].ssi_status);
	waitpid(c, NULL, 0);

	/* A blocking read sleeps until a signal comes from another process. */
	int bfd = signalfd(-1, &set, 0);
	c = fork();
	if (c == 0) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	r = read(bfd, si, sizeof(si[0]));
	CHECK("signalfd.blocking_read",
	      r == (ssize_t)sizeof(si[0]) && si[0].ssi_signo == SIGUSR2 &&
		  si[0].ssi_pid == (uint32_t)c,
	      "ret %zd signo %u", r, si[0].ssi_signo);
	waitpid(c, NULL, 0);
	drain(fd);

	/* A new mask for the same descriptor. */
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	int fd2 = signalfd(fd, &only2, 0);
	kill(getpid(), SIGUSR1);
	errno = 0;
	r = read(fd, si, sizeof(si[0]));
	CHECK("signalfd.mask_update", fd2 == fd && r < 0 && errno == EAGAIN,
	      "fd2 %d ret %zd errno %s", fd2, r, errname(errno));
	sigpending(&pend);
	CHECK("signalfd.masked_out_stays_pending", sigismember(&pend, SIGUSR1),
	      "SIGUSR1 not pending");

	errno = 0;
	int e = signalfd(0, &set, 0);
	CHECK("signalfd.not_a_signalfd_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = (int)syscall(SYS_signalfd4, -1, (void *)16, 8, 0);
	CHECK("signalfd.bad_mask_efault", e < 0 && errno == EFAULT,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = (int)syscall(SYS_signalfd4, -1, &set, 4, 0);
	CHECK("signalfd.bad_size_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = (int)syscall(SYS_signalfd4, -1, &set, 8, 0x1);
	CHECK("signalfd.bad_flags_einval", e < 0 && errno == EINVAL,
	      "ret %d errno %s", e, errname(errno));
	errno = 0;
	e = (int)syscall(SYS_signalfd4, 9999, &set, 8, 0);
	CHECK("signalfd.bad_fd_ebadf", e < 0 && errno == EBADF,
	      "ret %d errno %s", e, errname(errno));
	return check_summary("sys_signalfd");
}
