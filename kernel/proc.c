/* Processes: creating pid 1 from an executable, per-thread user state
 * across context switches, user faults (report and kill), and exit. Until
 * fork exists (issue #4) there is one user process at a time: pid 1. */
#include <arch.h>
#include <asm/user.h>
#include <err.h>
#include <exec.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <panic.h>
#include <percpu.h>
#include <power.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
	[SIGSEGV] = "SIGSEGV", [SIGPIPE] = "SIGPIPE", [SIGTERM] = "SIGTERM",
	[SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig)
{
	if (sig > 0 && sig < (int)ARRAY_SIZE(signal_names) &&
	    signal_names[sig])
		return signal_names[sig];
	return "signal";
}

struct process *proc_current(void)
{
	struct thread *t = current;
	return t ? t->proc : NULL;
}

void proc_switch(struct thread *prev, struct thread *next)
{
	if (prev->fpu)
		fpu_save(prev->fpu);
	if (next->proc) {
		mm_activate(next->proc->mm);
		fpu_restore(next->fpu);
		arch_set_fs_base(next->fs_base);
	} else if (prev->proc) {
		/* Kernel threads run on the kernel's own tables, so an
		 * address space can be freed while they run. */
		uvm_activate_kernel();
	}
}

void proc_return_to_user(struct trap_frame *tf)
{
	(void)tf;
	struct process *p = proc_current();
	if (p && p->exiting)
		proc_exit(p->exit_code);
}

void proc_user_fault(struct trap_frame *tf, int sig, const char *what)
{
	struct process *p = proc_current();
	/* One line that says what the program did and what stopped it. */
	printk(LOGLEVEL_ERR,
	       "limen: pid %d (%s) killed by %s: %s at rip %#llx", p->pid,
	       p->comm, signal_name(sig), what, (unsigned long long)tf->rip);
	p->exiting = true;
	p->exit_code = sig; /* wait status: terminated by signal sig */
}

void proc_exit(int status)
{
	struct process *p = proc_current();
	struct thread *t = current;
	if (p->pid == 1) {
		/* As Linux, losing init is fatal; here it is how a test run
		 * or a session ends, so say why and power off. */
		if ((status & 0x7f) == 0)
			pr_notice("limen: init (pid 1) exited with status %d",
				  (status >> 8) & 0xff);
		else
			pr_notice("limen: init (pid 1) killed by %s",
				  signal_name(status & 0x7f));
		kernel_power_off("init exited");
	}
	/* Only pid 1 exists before fork: nothing else can get here. */
	t->proc = NULL;
	thread_exit(status);
}

/* Reader for exec_load over an in-memory image. */
struct mem_image {
	const uint8_t *data;
	size_t len;
};

static long mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct mem_image *m = ctx;
	if (off >= m->len)
		return 0;
	size_t n = MIN(len, m->len - off);
	memcpy(buf, m->data + off, n);
	return (long)n;
}

/* Becomes process pid with the image loaded; enters user mode. */
static int proc_start(int pid, exec_read_fn read, void *ctx,
		      const char *path, const char *const *argv,
		      const char *const *envp)
{
	struct thread *t = current;
	struct process *p = kzalloc(sizeof(*p));
	struct exec_image img;
	if (!p)
		return -ENOMEM;
	p->fds = kzalloc(sizeof(struct fd_entry) * PROC_FD_MAX);
	t->fpu = (struct fpu_state *)pmm_alloc_zeroed_page();
	if (!p->fds || !t->fpu) {
		kfree(p->fds);
		kfree(p);
		if (t->fpu)
			pmm_free_page_virt(t->fpu);
		t->fpu = NULL;
		return -ENOMEM;
	}
	int r = exec_load(read, ctx, path, argv, envp, &img);
	if (r) {
		kfree(p->fds);
		kfree(p);
		pmm_free_page_virt(t->fpu);
		t->fpu = NULL;
		return r;
	}
	p->pid = pid;
	p->mm = img.mm;
	p->main_thread = t;
	p->rlimit_stack = USER_STACK_MAX;
	strlcpy(p->exe, path, sizeof(p->exe));
	const char *base = strrchr(path, '/');
	strlcpy(p->comm, base ? base + 1 : path, sizeof(p->comm));
	strlcpy(t->name, p->comm, sizeof(t->name));
	fpu_state_init(t->fpu);

	struct trap_frame *tf =
		(struct trap_frame *)((uintptr_t)t->kstack_top - sizeof(*tf));
	arch_user_frame_init(tf, img.entry, img.sp);
	t->utf = tf;
	arch_irq_disable();
	t->proc = p;
	mm_activate(p->mm);
	fpu_restore(t->fpu);
	arch_set_fs_base(0);
	arch_enter_user(tf);
}

int proc_exec_image(const void *data, size_t len, const char *path,
		    const char *const *argv, const char *const *envp)
{
	struct mem_image m = {data, len};
	return proc_start(1, mem_read, &m, path, argv, envp);
}
