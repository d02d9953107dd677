/* syslog(2) through klogctl, as dmesg and klogd use it: the sizes, reading
 * the whole log (Linux's "<level>[time] text" lines), clearing it, reading
 * what is new (waiting for a line: a child killed by SIGSEGV makes the
 * kernel log one), the console level, bad arguments, and that a user who
 * is not root gets EPERM (Linux with kernel.dmesg_restrict=1). Run as root
 * (init). */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/klog.h>
#include <sys/wait.h>

#define LOG_SIZE 65536

static char buf[LOG_SIZE + 1];
/* An address nothing is mapped at, hidden from the compiler's bounds
 * checks. */
static volatile uintptr_t unmapped = 8;

/* A child that dies of SIGSEGV after delay_ms: the kernel logs it. */
static pid_t segfault_child(int delay_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		usleep(delay_ms * 1000);
		*(volatile int *)unmapped = 1;
		_exit(0);
	}
	return pid;
}

static void read_checks(void)
{
	int size = klogctl(10, NULL, 0);
	CHECK("syslog.size_buffer", size == LOG_SIZE, "got %d", size);
	int n = klogctl(3, buf, LOG_SIZE);
	buf[n > 0 ? n : 0] = '\0';
	CHECK("syslog.read_all_has_boot",
	      n > 0 && strstr(buf, "Command line: ") && buf[0] == '<' &&
		  buf[2] == '>' && buf[3] == '[' && buf[n - 1] == '\n',
	      "read %d bytes: %.40s", n, buf);
	int small = klogctl(3, buf, 100);
	CHECK("syslog.read_all_small_whole_lines",
	      small > 0 && small <= 100 && buf[0] == '<' &&
		  buf[small - 1] == '\n',
	      "read %d: %.20s", small, buf);
	CHECK_ERRNO("syslog.read_all_null", klogctl(3, NULL, 10), EINVAL);
	CHECK_ERRNO("syslog.read_all_negative", klogctl(3, buf, -1), EINVAL);
	CHECK_ERRNO("syslog.read_all_efault", klogctl(3, (char *)8, 100),
		    EFAULT);
	CHECK("syslog.read_all_zero", klogctl(3, buf, 0) == 0, "not 0");
	CHECK_ERRNO("syslog.bad_action", klogctl(11, buf, 10), EINVAL);
	CHECK_ERRNO("syslog.console_level_0", klogctl(8, NULL, 0), EINVAL);
	CHECK_ERRNO("syslog.console_level_9", klogctl(8, NULL, 9), EINVAL);
	CHECK_OK("syslog.console_level_7", klogctl(8, NULL, 7));
	CHECK_OK("syslog.console_off", klogctl(6, NULL, 0));
	CHECK_OK("syslog.console_on", klogctl(7, NULL, 0));
}

static void consume_checks(void)
{
	/* Consume everything, then the next line must be waited for. */
	int unread = klogctl(9, NULL, 0);
	CHECK("syslog.size_unread", unread > 0, "got %d", unread);
	int total = 0, n;
	while (klogctl(9, NULL, 0) > 0 && (n = klogctl(2, buf, 4096)) > 0)
		total += n;
	CHECK("syslog.read_consumes",
	      total >= unread && klogctl(9, NULL, 0) == 0,
	      "read %d of %d, %d left", total, unread, klogctl(9, NULL, 0));
	pid_t pid = segfault_child(200);
	n = klogctl(2, buf, LOG_SIZE);
	buf[n > 0 ? n : 0] = '\0';
	CHECK("syslog.read_waits_for_line",
	      n > 0 && strstr(buf, "killed by SIGSEGV"), "read %d: %.60s", n,
	      buf);
	waitpid(pid, NULL, 0);
	/* Clear: the old lines are gone from READ_ALL, new ones come. */
	CHECK_OK("syslog.clear", klogctl(5, NULL, 0));
	n = klogctl(3, buf, LOG_SIZE);
	buf[n > 0 ? n : 0] = '\0';
	CHECK("syslog.clear_empties", n >= 0 && !strstr(buf, "Command line: "),
	      "read %d: %.60s", n, buf);
	pid = segfault_child(0);
	waitpid(pid, NULL, 0);
	n = klogctl(4, buf, LOG_SIZE);
	buf[n > 0 ? n : 0] = '\0';
	CHECK("syslog.read_clear", n > 0 && strstr(buf, "killed by SIGSEGV"),
	      "read %d", n);
	CHECK("syslog.read_clear_cleared", klogctl(3, buf, LOG_SIZE) == 0,
	      "not empty after READ_CLEAR");
}

static void nobody_checks(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534) != 0)
			_exit(2);
		int bad = 0;
		int actions[] = {0, 1, 3, 4, 5, 6, 7, 9, 10};
		for (unsigned i = 0; i < sizeof(actions) / sizeof(actions[0]);
		     i++)
			if (klogctl(actions[i], buf, 100) != -1 ||
			    errno != EPERM)
				bad++;
		if (klogctl(8, NULL, 1) != -1 || errno != EPERM)
			bad++;
		_exit(bad ? 1 : 0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("syslog.nobody_eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
}

int main(void)
{
	if (getuid() != 0) {
		printf("sys_syslog: must run as root\n");
		return 1;
	}
	read_checks();
	nobody_checks();
	consume_checks();
	return check_summary("sys_syslog");
}
