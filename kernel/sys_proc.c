/* Process-identity and process-control system calls for a single-threaded
 * process: exit, ids, TLS base, uname, resource limits, reboot. */
#include <acpi.h>
#include <asm/user.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <percpu.h>
#include <power.h>
#include <proc.h>
#include <random.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/misc.h>

SYSCALL_DEFINE1(exit, long, code)
{
	proc_thread_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, long, code)
{
	proc_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE0(getpid)
{
	return proc_current()->pid;
}
/* The parent of pid 1 is the kernel (0), as on Linux. */
SYSCALL_DEFINE0(getppid)
{
	struct process *p = proc_current();
	return p->parent ? p->parent->pid : 0;
}
SYSCALL_DEFINE0(gettid)
{
	return current->utid;
}
SYSCALL_DEFINE0(getuid)
{
	return proc_current()->uid;
}
SYSCALL_DEFINE0(geteuid)
{
	return proc_current()->euid;
}
SYSCALL_DEFINE0(getgid)
{
	return proc_current()->gid;
}
SYSCALL_DEFINE0(getegid)
{
	return proc_current()->egid;
}

SYSCALL_DEFINE1(set_tid_address, uintptr_t, tidptr)
{
	current->clear_child_tid = tidptr;
	return proc_current()->pid;
}

SYSCALL_DEFINE2(arch_prctl, long, code, uintptr_t, addr)
{
	struct thread *t = current;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		arch_set_fs_base(addr);
		return 0;
	case ARCH_GET_FS:
		return put_user((uint64_t)t->fs_base, (uint64_t __user *)addr);
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		/* User GS is not kept per thread yet. */
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

/* The host and domain names (one UTS namespace), set by root. */
static char uts_nodename[65] = "limen";
static char uts_domainname[65] = "(none)";

static long set_uts_name(char *dst, const char __user *uname, long len)
{
	char k[65];
	if (proc_current()->euid != 0)
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_from_user(k, uname, (size_t)len))
		return -EFAULT;
	k[len] = '\0';
	memcpy(dst, k, (size_t)len + 1);
	return 0;
}

SYSCALL_DEFINE2(sethostname, const char __user *, name, long, len)
{
	return set_uts_name(uts_nodename, name, len);
}

SYSCALL_DEFINE2(setdomainname, const char __user *, name, long, len)
{
	return set_uts_name(uts_domainname, name, len);
}

SYSCALL_DEFINE1(uname, struct new_utsname __user *, u)
{
	struct new_utsname k;
	memset(&k, 0, sizeof(k));
	strlcpy(k.sysname, "Linux", sizeof(k.sysname));
	strlcpy(k.nodename, uts_nodename, sizeof(k.nodename));
	/* glibc refuses to run on kernels older than its minimum (3.2). */
	strlcpy(k.release, "6.1.0-limen", sizeof(k.release));
	strlcpy(k.version, "#1 limen 0.1", sizeof(k.version));
	strlcpy(k.machine, "x86_64", sizeof(k.machine));
	strlcpy(k.domainname, uts_domainname, sizeof(k.domainname));
	return copy_to_user(u, &k, sizeof(k));
}

SYSCALL_DEFINE4(prlimit64, long, pid, long, res, const struct rlimit64 __user *,
		newl, struct rlimit64 __user *, oldl)
{
	struct process *p = proc_current();
	struct rlimit64 want;
	if (pid != 0 && pid != p->pid)
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (newl) {
		if (copy_from_user(&want, newl, sizeof(want)))
			return -EFAULT;
		if (want.rlim_cur > want.rlim_max)
			return -EINVAL;
		/* Raising a hard limit needs privilege; descriptors are
		 * also capped by the table size (Linux's nr_open). */
		if (want.rlim_max > p->rlim[res].rlim_max && p->euid != 0)
			return -EPERM;
		if (res == RLIMIT_NOFILE && want.rlim_max > PROC_FD_MAX)
			return -EPERM;
	}
	struct rlimit64 cur = p->rlim[res];
	if (newl) {
		p->rlim[res] = want;
		if (res == RLIMIT_STACK && p->mm)
			p->mm->stack_limit = MIN(want.rlim_cur, 1UL << 40);
	}
	if (oldl && copy_to_user(oldl, &cur, sizeof(cur)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, long, res, struct rlimit64 __user *, r)
{
	return sys_prlimit64(0, res, NULL, r);
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield_cpu();
	return 0;
}

SYSCALL_DEFINE3(getrandom, void __user *, buf, size_t, len, unsigned, flags)
{
	uint8_t tmp[256];
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > 33554431)
		len = 33554431; /* Linux's per-call cap */
	size_t done = 0;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(tmp));
		random_fill(tmp, n);
		if (copy_to_user((uint8_t __user *)buf + done, tmp, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

SYSCALL_DEFINE3(reboot, long, magic1, long, magic2, long, cmd)
{
	if ((uint32_t)magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (proc_current()->euid != 0)
		return -EPERM;
	switch ((uint32_t)cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
		kernel_power_off("reboot(2) power off");
	case LINUX_REBOOT_CMD_RESTART:
		/* QEMU runs with -no-reboot: a restart ends the run too. */
		kernel_power_off("reboot(2) restart");
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

/* The list of robust futexes the thread holds: kernel/futex.c
 * (futex_exit_robust) walks it when the thread exits or execs. */
SYSCALL_DEFINE2(set_robust_list, uintptr_t, head, size_t, len)
{
	if (len != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	current->robust_list = head;
	return 0;
}

#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
/* Limen's own, for make bench: until turned off, every system call of this
 * thread except prctl returns at once, unperformed, with rax unchanged, so
 * a loop of `syscall` times the bare syscall+sysretq pair. Linux answers
 * EINVAL (an option it lacks), so the same binary knows where it runs. */
#define PR_LIMEN_BARE_SYSCALLS 0x4c4d0001

/* The thread name (comm), the dumpable flag (docs/users.md) and the
 * bare-syscall switch are all prctl offers today; other options return -EINVAL,
 * as Linux does for an option it lacks. */
SYSCALL_DEFINE2(prctl, long, option, uintptr_t, arg2)
{
	struct process *p = proc_current();
	char name[PROC_COMM_MAX];
	switch (option) {
	case PR_SET_NAME: {
		long r = strncpy_from_user(name, (const char __user *)arg2,
					   sizeof(name));
		if (r == -EFAULT)
			return r;
		/* Longer names are cut to 15 bytes, as Linux does. */
		name[sizeof(name) - 1] = '\0';
		/* The name is the thread's, as on Linux (/proc/PID/task/TID/
		 * comm); the process's comm is its main thread's. */
		strlcpy(current->name, name, sizeof(current->name));
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		if (p->main_thread == current)
			strlcpy(p->comm, name, sizeof(p->comm));
		spin_unlock_irqrestore(&proc_lock, f);
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user((void __user *)arg2, current->name,
				    sizeof(current->name));
	case PR_GET_DUMPABLE:
		return p->dumpable ? 1 : 0;
	case PR_SET_DUMPABLE:
		/* 2 (SUID_DUMP_ROOT) is refused, as Linux refuses it. */
		if (arg2 > 1)
			return -EINVAL;
		p->dumpable = arg2;
		return 0;
	case PR_LIMEN_BARE_SYSCALLS:
		if (arg2 > 1)
			return -EINVAL;
		preempt_disable();
		current->bare_syscalls = arg2;
		arch_set_bare_syscalls(arg2);
		preempt_enable();
		return 0;
	default:
		return -EINVAL;
	}
}
