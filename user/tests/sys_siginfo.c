/* siginfo_t: what SA_SIGINFO handlers, sigwaitinfo/sigtimedwait and waitid
 * see. Faults (SIGSEGV MAPERR/ACCERR, SIGBUS past the end of a mapped file,
 * SIGILL from ud2, SIGFPE from idiv by zero) give their si_code and the
 * faulting address; kill gives SI_USER with the sender's pid and uid, tgkill
 * and raise SI_TKILL, sigqueue SI_QUEUE with the value; SIGCHLD says how a
 * child exited, died, stopped or continued, and waitid says the same;
 * rt_sigqueueinfo refuses another user's process and forged kernel codes
 * sent to another process. Checked against Linux; runs as init (root), the
 * case about users in a child that becomes nobody (65534). */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define NOBODY 65534

/* The faulting instructions, at addresses the checks can name. */
int fault_load(const volatile int *p);
void fault_store(volatile int *p);
void fault_ud2(void);
int fault_idiv(int a, int b);
extern char fault_load_at[], fault_store_at[], fault_ud2_at[], fault_idiv_at[];
__asm__(".text\n"
	".globl fault_load, fault_load_at\n"
	"fault_load:\n"
	"fault_load_at: movl (%rdi), %eax\n"
	"	ret\n"
	".globl fault_store, fault_store_at\n"
	"fault_store:\n"
	"fault_store_at: movl $1, (%rdi)\n"
	"	ret\n"
	".globl fault_ud2, fault_ud2_at\n"
	"fault_ud2:\n"
	"fault_ud2_at: ud2\n"
	"	ret\n"
	".globl fault_idiv, fault_idiv_at\n"
	"fault_idiv:\n"
	"	movl %edi, %eax\n"
	"	cltd\n"
	"fault_idiv_at: idivl %esi\n"
	"	ret\n");

static sigjmp_buf jb;
static volatile int seen_sig, seen_code, seen_errno_ok;
static void *volatile seen_addr;
static volatile pid_t seen_pid;
static volatile uid_t seen_uid;
static volatile int seen_value;
static volatile int seen_count;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_sig = si->si_signo == sig ? sig : -si->si_signo;
	seen_code = si->si_code;
	seen_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen_sig = si->si_signo == sig ? sig : -si->si_signo;
	seen_code = si->si_code;
	seen_pid = si->si_pid;
	seen_uid = si->si_uid;
	seen_value = si->si_value.sival_int;
	seen_count++;
}

static void catch_info(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = {0};
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void reset_seen(void)
{
	seen_sig = seen_code = seen_value = seen_count = 0;
	seen_addr = NULL;
	seen_pid = -1;
	seen_uid = (uid_t)-1;
}

/* Run fn(arg) expecting a fault: 1 if the handler caught one. */
static int faults(void (*fn)(void *), void *arg)
{
	reset_seen();
	if (sigsetjmp(jb, 1) == 0) {
		fn(arg);
		return 0;
	}
	return 1;
}

static void do_load(void *p)
{
	fault_load(p);
}
static void do_store(void *p)
{
	fault_store(p);
}
static void do_ud2(void *p)
{
	(void)p;
	fault_ud2();
}
static void do_idiv(void *p)
{
	volatile int a = 7, b = 0;
	(void)p;
	fault_idiv(a, b);
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Waits give up after 30 s rather than hang; once one has timed out (the
 * kernel lacks something), later ones give up after 2 s, so that every
 * check still reports before the guest's time runs out. */
static int wait_s = 30;

/* A signal of set, or -1 EAGAIN after wait_s. */
static int wait_sig(const sigset_t *set, siginfo_t *si)
{
	struct timespec ts = {wait_s, 0};
	memset(si, 0, sizeof(*si));
	int r = sigtimedwait(set, si, &ts);
	if (r < 0 && errno == EAGAIN)
		wait_s = 2;
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* waitid(P_PID, pid) polled with WNOHANG: 0 with si filled, -1 with errno,
 * or 0 with si_pid 0 after wait_s. */
static int waitid_poll(pid_t pid, siginfo_t *si, int opts)
{
	for (int t = 0; t < wait_s * 100; t++) {
		memset(si, 0, sizeof(*si));
		int r = waitid(P_PID, pid, si, opts | WNOHANG);
		if (r < 0 || si->si_pid != 0)
			return r;
		sleep_ms(10);
	}
	wait_s = 2;
	return 0;
}

/* waitpid polled with WNOHANG: 0 after wait_s. */
static pid_t waitpid_poll(pid_t pid, int *st, int opts)
{
	for (int t = 0; t < wait_s * 100; t++) {
		pid_t r = waitpid(pid, st, opts | WNOHANG);
		if (r != 0)
			return r;
		sleep_ms(10);
	}
	wait_s = 2;
	return 0;
}

static void check_fault_signals(void)
{
	catch_info(SIGSEGV, on_fault);
	catch_info(SIGBUS, on_fault);
	catch_info(SIGILL, on_fault);
	catch_info(SIGFPE, on_fault);

	int hit = faults(do_load, (void *)0x10);
	CHECK("siginfo.segv_maperr",
	      hit && seen_sig == SIGSEGV && seen_code == SEGV_MAPERR &&
		  seen_addr == (void *)0x10,
	      "hit %d sig %d code %d addr %p", hit, seen_sig, seen_code,
	      seen_addr);

	long pg = sysconf(_SC_PAGESIZE);
	char *ro =
	    mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hit = ro != MAP_FAILED && faults(do_store, ro + 8);
	CHECK("siginfo.segv_accerr",
	      hit && seen_sig == SIGSEGV && seen_code == SEGV_ACCERR &&
		  seen_addr == ro + 8,
	      "hit %d sig %d code %d addr %p (page %p)", hit, seen_sig,
	      seen_code, seen_addr, (void *)ro);
	if (ro != MAP_FAILED)
		munmap(ro, pg);

	/* SIGBUS: the second page of a shared mapping of a 1-byte file. */
	char path[] = "/tmp/sys_siginfo.XXXXXX";
	int fd = mkstemp(path);
	char *m = MAP_FAILED;
	if (fd >= 0) {
		unlink(path);
		if (write(fd, "x", 1) == 1)
			m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
	}
	hit = m != MAP_FAILED && faults(do_load, m + pg);
	CHECK("siginfo.sigbus_adrerr",
	      hit && seen_sig == SIGBUS && seen_code == BUS_ADRERR &&
		  seen_addr == m + pg,
	      "fd %d map %p hit %d sig %d code %d addr %p (want %p)", fd,
	      (void *)m, hit, seen_sig, seen_code, seen_addr,
	      m == MAP_FAILED ? NULL : (void *)(m + pg));
	/* The first page, inside the file, still works after the SIGBUS. */
	CHECK("siginfo.sigbus_first_page_ok", m != MAP_FAILED && m[0] == 'x',
	      "map %p", (void *)m);
	if (m != MAP_FAILED)
		munmap(m, 2 * pg);
	if (fd >= 0)
		close(fd);

	hit = faults(do_ud2, NULL);
	CHECK("siginfo.sigill_illopn",
	      hit && seen_sig == SIGILL && seen_code == ILL_ILLOPN &&
		  seen_addr == (void *)fault_ud2_at,
	      "hit %d sig %d code %d addr %p (want %p)", hit, seen_sig,
	      seen_code, seen_addr, (void *)fault_ud2_at);

	hit = faults(do_idiv, NULL);
	CHECK("siginfo.sigfpe_intdiv",
	      hit && seen_sig == SIGFPE && seen_code == FPE_INTDIV &&
		  seen_addr == (void *)fault_idiv_at,
	      "hit %d sig %d code %d addr %p (want %p)", hit, seen_sig,
	      seen_code, seen_addr, (void *)fault_idiv_at);

	/* The handler longjmped out each time: the faults stay catchable
	 * (siglongjmp restored the mask that blocked the signal). */
	hit = faults(do_load, (void *)0x10);
	CHECK("siginfo.segv_again_after_longjmp",
	      hit && seen_sig == SIGSEGV && seen_code == SEGV_MAPERR,
	      "hit %d sig %d code %d", hit, seen_sig, seen_code);

	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

static void check_sender_info(void)
{
	catch_info(SIGUSR1, on_info);
	catch_info(SIGUSR2, on_info);

	reset_seen();
	kill(getpid(), SIGUSR1);
	CHECK("siginfo.kill_si_user",
	      seen_count == 1 && seen_sig == SIGUSR1 && seen_code == SI_USER &&
		  seen_pid == getpid() && seen_uid == getuid(),
	      "count %d sig %d code %d pid %d (want %d) uid %d", seen_count,
	      seen_sig, seen_code, (int)seen_pid, (int)getpid(), (int)seen_uid);

	reset_seen();
	syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
	CHECK("siginfo.tgkill_si_tkill",
	      seen_count == 1 && seen_sig == SIGUSR1 && seen_code == SI_TKILL &&
		  seen_pid == getpid() && seen_uid == getuid(),
	      "count %d sig %d code %d pid %d uid %d", seen_count, seen_sig,
	      seen_code, (int)seen_pid, (int)seen_uid);

	/* musl's and glibc's raise() both use tkill/tgkill. */
	reset_seen();
	raise(SIGUSR1);
	CHECK("siginfo.raise_si_tkill",
	      seen_count == 1 && seen_sig == SIGUSR1 && seen_code == SI_TKILL &&
		  seen_pid == getpid(),
	      "count %d sig %d code %d pid %d", seen_count, seen_sig, seen_code,
	      (int)seen_pid);

	reset_seen();
	union sigval v = {.sival_int = 1234};
	int r = sigqueue(getpid(), SIGUSR2, v);
	CHECK("siginfo.sigqueue_si_queue",
	      r == 0 && seen_count == 1 && seen_sig == SIGUSR2 &&
		  seen_code == SI_QUEUE && seen_value == 1234 &&
		  seen_pid == getpid() && seen_uid == getuid(),
	      "r %d count %d sig %d code %d value %d pid %d uid %d", r,
	      seen_count, seen_sig, seen_code, seen_value, (int)seen_pid,
	      (int)seen_uid);

	/* From a child: the child's pid, taken by sigwaitinfo. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	siginfo_t si;
	int s = wait_sig(&set, &si);
	CHECK("siginfo.kill_from_child",
	      s == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_code == SI_USER &&
		  si.si_pid == pid && si.si_uid == getuid(),
	      "ret %d errno %s signo %d code %d pid %d (want %d) uid %d", s,
	      errname(errno), si.si_signo, si.si_code, (int)si.si_pid, (int)pid,
	      (int)si.si_uid);
	waitpid(pid, NULL, 0);

	/* sigwaitinfo itself, on a signal already pending. */
	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	sigset_t pend;
	sigpending(&pend);
	/* Only when it is pending: never wait forever. */
	s = sigismember(&pend, SIGUSR1) ? sigwaitinfo(&set, &si) : -1;
	CHECK("siginfo.sigwaitinfo_pending",
	      s == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_code == SI_USER &&
		  si.si_pid == getpid(),
	      "ret %d errno %s signo %d code %d pid %d", s, errname(errno),
	      si.si_signo, si.si_code, (int)si.si_pid);

	/* Nothing pending, zero timeout: EAGAIN at once. */
	struct timespec zero = {0, 0};
	CHECK_ERRNO("siginfo.sigtimedwait_zero_eagain",
		    sigtimedwait(&set, &si, &zero), EAGAIN);

	/* A bad siginfo pointer. (Linux has dequeued the signal by then:
	 * it is gone, not left pending; not checked.) */
	kill(getpid(), SIGUSR1);
	CHECK_ERRNO(
	    "siginfo.sigtimedwait_bad_info_efault",
	    syscall(SYS_rt_sigtimedwait, &set, (void *)16, &zero, _NSIG / 8),
	    EFAULT);
	/* Drop whatever is left, quietly. */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	catch_info(SIGUSR1, on_info);
}

/* A child for the SIGCHLD checks: exits, dies or waits to be stopped. */
static pid_t child(int how)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	switch (how) {
	case 0:
		_exit(3);
	case 1: {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		abort();
	}
	default:
		for (;;)
			pause();
	}
}

static void check_sigchld(void)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, &set, &old);
	siginfo_t si;
	int s, st;

	pid_t pid = child(0);
	s = wait_sig(&set, &si);
	CHECK("siginfo.sigchld_exited",
	      s == SIGCHLD && si.si_signo == SIGCHLD &&
		  si.si_code == CLD_EXITED && si.si_status == 3 &&
		  si.si_pid == pid && si.si_uid == getuid(),
	      "ret %d errno %s code %d status %d pid %d (want %d) uid %d", s,
	      errname(errno), si.si_code, si.si_status, (int)si.si_pid,
	      (int)pid, (int)si.si_uid);
	waitpid(pid, &st, 0);

	/* abort() with no core dump (RLIMIT_CORE 0, not dumpable): killed,
	 * not dumped. */
	pid = child(1);
	s = wait_sig(&set, &si);
	CHECK("siginfo.sigchld_abort_killed",
	      s == SIGCHLD && si.si_code == CLD_KILLED &&
		  si.si_status == SIGABRT && si.si_pid == pid,
	      "ret %d errno %s code %d status %d pid %d (want %d)", s,
	      errname(errno), si.si_code, si.si_status, (int)si.si_pid,
	      (int)pid);
	waitpid(pid, &st, 0);

	pid = child(2);
	kill(pid, SIGSTOP);
	s = wait_sig(&set, &si);
	CHECK("siginfo.sigchld_stopped",
	      s == SIGCHLD && si.si_code == CLD_STOPPED &&
		  si.si_status == SIGSTOP && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "ret %d errno %s code %d status %d pid %d (want %d) uid %d", s,
	      errname(errno), si.si_code, si.si_status, (int)si.si_pid,
	      (int)pid, (int)si.si_uid);
	waitpid_poll(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	s = wait_sig(&set, &si);
	CHECK("siginfo.sigchld_continued",
	      s == SIGCHLD && si.si_code == CLD_CONTINUED &&
		  si.si_status == SIGCONT && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "ret %d errno %s code %d status %d pid %d (want %d) uid %d", s,
	      errname(errno), si.si_code, si.si_status, (int)si.si_pid,
	      (int)pid, (int)si.si_uid);
	waitpid_poll(pid, &st, WCONTINUED);
	kill(pid, SIGKILL);
	s = wait_sig(&set, &si);
	CHECK("siginfo.sigchld_killed",
	      s == SIGCHLD && si.si_code == CLD_KILLED &&
		  si.si_status == SIGKILL && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "ret %d errno %s code %d status %d pid %d (want %d) uid %d", s,
	      errname(errno), si.si_code, si.si_status, (int)si.si_pid,
	      (int)pid, (int)si.si_uid);
	waitpid(pid, &st, 0);

	/* waitid reports the same fields, one state change at a time. */
	pid = child(2);
	kill(pid, SIGSTOP);
	int opts = WEXITED | WSTOPPED | WCONTINUED;
	int r = waitid_poll(pid, &si, opts);
	CHECK("siginfo.waitid_stopped",
	      r == 0 && si.si_signo == SIGCHLD && si.si_code == CLD_STOPPED &&
		  si.si_status == SIGSTOP && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "r %d errno %s signo %d code %d status %d pid %d uid %d", r,
	      errname(errno), si.si_signo, si.si_code, si.si_status,
	      (int)si.si_pid, (int)si.si_uid);
	kill(pid, SIGCONT);
	r = waitid_poll(pid, &si, opts);
	CHECK("siginfo.waitid_continued",
	      r == 0 && si.si_signo == SIGCHLD && si.si_code == CLD_CONTINUED &&
		  si.si_status == SIGCONT && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "r %d errno %s signo %d code %d status %d pid %d uid %d", r,
	      errname(errno), si.si_signo, si.si_code, si.si_status,
	      (int)si.si_pid, (int)si.si_uid);
	kill(pid, SIGKILL);
	r = waitid_poll(pid, &si, opts);
	CHECK("siginfo.waitid_killed",
	      r == 0 && si.si_signo == SIGCHLD && si.si_code == CLD_KILLED &&
		  si.si_status == SIGKILL && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "r %d errno %s signo %d code %d status %d pid %d uid %d", r,
	      errname(errno), si.si_signo, si.si_code, si.si_status,
	      (int)si.si_pid, (int)si.si_uid);
	CHECK_ERRNO("siginfo.waitid_reaped", waitpid(pid, &st, WNOHANG),
		    ECHILD);

	/* An exit is not reported to a waitid that asks only for stops: the
	 * zombie is nothing to wait for (ECHILD, as Linux says). */
	pid = child(0);
	r = waitid_poll(pid, &si, WEXITED | WNOWAIT);
	memset(&si, 0, sizeof(si));
	errno = 0;
	int w = waitid(P_PID, pid, &si, WSTOPPED | WNOHANG);
	CHECK("siginfo.waitid_stops_only_skips_exit",
	      r == 0 && w == -1 && errno == ECHILD && si.si_pid == 0,
	      "r %d waitid %d errno %s pid %d", r, w, errname(errno),
	      (int)si.si_pid);
	r = waitid_poll(pid, &si, opts);
	CHECK("siginfo.waitid_exited",
	      r == 0 && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
		  si.si_status == 3 && si.si_pid == pid &&
		  si.si_uid == getuid(),
	      "r %d errno %s signo %d code %d status %d pid %d uid %d", r,
	      errname(errno), si.si_signo, si.si_code, si.si_status,
	      (int)si.si_pid, (int)si.si_uid);

	/* Drop the SIGCHLDs left pending by the waitid children. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static long queueinfo(pid_t pid, int sig, int code, int value)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static void check_queueinfo_perms(void)
{
	/* Another user's process: nobody may not signal init (root). */
	pid_t parent = getpid();
	int p[2];
	if (pipe(p) < 0)
		p[0] = p[1] = -1;
	pid_t pid = fork();
	if (pid == 0) {
		char res = 'x';
		if (setgroups(0, NULL) == 0 && setgid(NOBODY) == 0 &&
		    setuid(NOBODY) == 0) {
			long r = queueinfo(parent, SIGUSR2, SI_QUEUE, 1);
			res = r == -1 && errno == EPERM ? 'y'
			      : r == 0			? 'n'
							: 'e';
		}
		if (write(p[1], &res, 1) < 0)
			_exit(1);
		_exit(0);
	}
	char res = 0;
	if (read(p[0], &res, 1) != 1)
		res = 0;
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	CHECK("siginfo.queueinfo_other_user_eperm", res == 'y',
	      "child said %c (y = EPERM, n = sent, e = other error, x = "
	      "setuid failed)",
	      res ? res : '?');

	/* Forged kernel or kill/tkill codes to another process: EPERM,
	 * even for root. A child waiting with the signal blocked. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_ERRNO("siginfo.queueinfo_si_user_other_eperm",
		    queueinfo(pid, SIGUSR2, SI_USER, 1), EPERM);
	CHECK_ERRNO("siginfo.queueinfo_si_tkill_other_eperm",
		    queueinfo(pid, SIGUSR2, SI_TKILL, 1), EPERM);
	CHECK_ERRNO("siginfo.queueinfo_si_kernel_other_eperm",
		    queueinfo(pid, SIGUSR2, SI_KERNEL, 1), EPERM);
	CHECK_OK("siginfo.queueinfo_si_queue_other_ok",
		 queueinfo(pid, SIGUSR2, SI_QUEUE, 1));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* To itself any code goes, and arrives as sent. */
	siginfo_t si;
	long r = queueinfo(getpid(), SIGUSR2, SI_USER, 77);
	int s = wait_sig(&set, &si);
	CHECK("siginfo.queueinfo_si_user_self",
	      r == 0 && s == SIGUSR2 && si.si_code == SI_USER &&
		  si.si_pid == getpid(),
	      "r %ld ret %d code %d pid %d", r, s, si.si_code, (int)si.si_pid);
	r = queueinfo(getpid(), SIGUSR2, -42, 78);
	s = wait_sig(&set, &si);
	CHECK("siginfo.queueinfo_negative_code_self",
	      r == 0 && s == SIGUSR2 && si.si_code == -42 &&
		  si.si_value.sival_int == 78,
	      "r %ld ret %d code %d value %d", r, s, si.si_code,
	      si.si_value.sival_int);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	check_fault_signals();
	check_sender_info();
	check_sigchld();
	check_queueinfo_perms();
	return check_summary("sys_siginfo");
}
