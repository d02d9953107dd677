/* syslog(2), glibc's klogctl: the kernel log for dmesg and klogd. Only root
 * may use it, as on Linux with kernel.dmesg_restrict=1 (Debian's default):
 * the log holds kernel addresses and other users' traces. */
#include <mm/kmalloc.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* How often a reader waiting for new lines looks again: printk may run
 * with any lock held, even the scheduler's, so it wakes nobody itself. */
#define SYSLOG_POLL_NS (100ULL * 1000 * 1000)

/* SYSLOG_ACTION_READ: waits (interruptibly) until there is something. */
static int syslog_wait(void)
{
	while (printk_log_unread() == 0) {
		irqflags_t f = sched_lock_irqsave();
		int r = sched_sleep_intr_locked(
		    NULL, time_ns() + SYSLOG_POLL_NS, false);
		sched_unlock_irqrestore(f);
		if (r == -EINTR)
			return r;
	}
	return 0;
}

static long syslog_read(int type, char __user *ubuf, int len)
{
	if (!ubuf || len < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	size_t n = MIN((size_t)len, PRINTK_LOG_SIZE);
	if (type == SYSLOG_ACTION_READ) {
		int r = syslog_wait();
		if (r)
			return r;
	}
	char *kbuf = kmalloc(n);
	if (!kbuf)
		return -ENOMEM;
	size_t got = type == SYSLOG_ACTION_READ
			 ? printk_log_read(kbuf, n)
			 : printk_log_read_all(
			       kbuf, n, type == SYSLOG_ACTION_READ_CLEAR);
	long r = copy_to_user(ubuf, kbuf, got) ? -EFAULT : (long)got;
	kfree(kbuf);
	return r;
}

SYSCALL_DEFINE3(syslog, int, type, char __user *, ubuf, int, len)
{
	if (proc_current()->euid != 0)
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		return syslog_read(type, ubuf, len);
	case SYSLOG_ACTION_CLEAR:
		printk_log_clear();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		printk_console(false);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		printk_console(true);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		printk_console_level(len);
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (long)printk_log_unread();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return PRINTK_LOG_SIZE;
	default:
		return -EINVAL;
	}
}
