/* System-call dispatch: called from arch/x86_64/syscall_entry.S with the
 * saved user registers. Looks the number up in the table, runs the handler
 * with interrupts on, stores the result in rax, and says whether the fast
 * sysret path may be used to return. */
#include <acct.h>
#include <arch.h>
#include <entry.h>
#include <lib/printf.h>
#include <asm/user.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <trace.h>
#include <uapi/errno.h>

uint64_t syscall_enosys_count[NR_SYSCALLS];

static long syscall_run(struct trap_frame *tf)
{
	uint64_t nr = (uint64_t)arch_syscall_nr(tf);
	if (nr < NR_SYSCALLS && syscall_fns[nr])
		return syscall_fns[nr](ARCH_SYSCALL_ARGS(tf));
	if (nr < NR_SYSCALLS && syscall_enosys_count[nr]++ == 0)
		pr_debug("syscall %llu (%s) not implemented: -ENOSYS",
			 (unsigned long long)nr,
			 syscall_names[nr] ? syscall_names[nr] : "?");
	return -ENOSYS;
}

int syscall_dispatch(struct trap_frame *tf)
{
	struct thread *t = current;
	long ret;

	t->utf = tf;
	t->syscall_nr = arch_syscall_nr(tf);
	acct_enter_kernel(t);
	arch_irq_enable();
	/* The one test tracing costs when it is off. */
	if (unlikely(trace_enabled))
		ret = trace_syscall(tf, syscall_run);
	else
		ret = syscall_run(tf);
	arch_set_syscall_ret(tf, ret);
	arch_irq_disable();
	exit_to_user(tf);
	return arch_sysret_ok(tf);
}

/* One line naming every unimplemented system call that was asked for, and
 * how often: printed when init exits, so a run shows what it was missing. */
void syscall_report_enosys(void)
{
	char line[400];
	size_t n = 0;
	line[0] = '\0';
	for (int i = 0; i < NR_SYSCALLS && n < sizeof(line) - 40; i++) {
		if (!syscall_enosys_count[i])
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %s(%llu)",
			      syscall_names[i] ? syscall_names[i] : "?",
			      (unsigned long long)syscall_enosys_count[i]);
	}
	if (n)
		pr_info("limen: unimplemented system calls used:%s", line);
}
