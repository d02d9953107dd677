/* Processes: creating pid 1 from an executable, per-thread user state
 * across context switches, user faults (report and kill), and exit. Until
 * fork exists (issue #4) there is one user process at a time: pid 1. */
#include <arch.h>
#include <asm/user.h>
#include <err.h>
#include <exec.h>
#include <fd.h>
#include <fs/vfs.h>
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
#include <syscall.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

static const char *const signal_names[] = {
    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",	  [SIGQUIT] = "SIGQUIT",
    [SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
    [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",	  [SIGKILL] = "SIGKILL",
    [SIGSEGV] = "SIGSEGV", [SIGPIPE] = "SIGPIPE", [SIGTERM] = "SIGTERM",
    [SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig)
{
	if (sig > 0 && sig < (int)ARRAY_SIZE(signal_names) && signal_names[sig])
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
	printk(LOGLEVEL_ERR, "limen: pid %d (%s) killed by %s: %s at rip %#llx",
	       p->pid, p->comm, signal_name(sig), what,
	       (unsigned long long)tf->rip);
	p->exiting = true;
	p->exit_code = sig; /* wait status: terminated by signal sig */
}

void proc_exit(int status)
{
	struct process *p = proc_current();
	struct thread *t = current;
	if (p->pid == 1) {
		syscall_report_enosys();
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

/* Reader for exec_load over an open file. */
static long file_read_at(void *ctx, void *buf, size_t len, uint64_t off)
{
	return vfs_pread(ctx, buf, len, off);
}

/* Opens path for execution: a regular file with an x bit for us. */
int proc_open_exec(struct vfs_ctx *ctx, const char *path, struct file **out)
{
	struct file *f;
	int r = vfs_open(ctx, ctx->cwd, path, O_RDONLY, 0, &f);
	if (r)
		return r;
	if (!S_ISREG(f->inode->mode))
		r = -EACCES;
	else
		r = inode_permission(ctx, f->inode, MAY_EXEC);
	if (r) {
		file_put(f);
		return r;
	}
	*out = f;
	return 0;
}

static struct process *proc_alloc(int pid)
{
	struct process *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->fds = kzalloc(sizeof(struct fd_entry) * PROC_FD_MAX);
	p->fs = kzalloc(sizeof(*p->fs));
	if (!p->fds || !p->fs) {
		kfree(p->fds);
		kfree(p->fs);
		kfree(p);
		return NULL;
	}
	p->pid = pid;
	p->fs->root = inode_get(vfs_root());
	p->fs->cwd = inode_get(vfs_root());
	p->fs->umask = 022;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i].rlim_cur = p->rlim[i].rlim_max = RLIM_INFINITY;
	p->rlim[RLIMIT_STACK].rlim_cur = USER_STACK_MAX;
	p->rlim[RLIMIT_NOFILE].rlim_cur = PROC_FD_MAX;
	p->rlim[RLIMIT_NOFILE].rlim_max = PROC_FD_MAX;
	p->rlim[RLIMIT_CORE].rlim_cur = 0;
	return p;
}

static void proc_free(struct process *p)
{
	fd_close_all(p);
	inode_put(p->fs->root);
	inode_put(p->fs->cwd);
	kfree(p->fs);
	kfree(p->fds);
	kfree(p);
}

/* Linux opens /dev/console as fds 0, 1 and 2 of init. */
static void open_console(struct process *p)
{
	struct file *f;
	if (vfs_open(p->fs, p->fs->root, "/dev/console", O_RDWR, 0, &f)) {
		pr_warn("Warning: unable to open an initial console.");
		return;
	}
	fd_install(p, f, 0, false);
	fd_install(p, file_get(f), 1, false);
	fd_install(p, file_get(f), 2, false);
}

int proc_exec_init(const char *path, const char *const *argv,
		   const char *const *envp)
{
	struct thread *t = current;
	struct exec_image img;
	struct file *exe;
	struct process *p = proc_alloc(1);
	if (!p)
		return -ENOMEM;
	int r = proc_open_exec(p->fs, path, &exe);
	if (r) {
		proc_free(p);
		return r;
	}
	t->fpu = (struct fpu_state *)pmm_alloc_zeroed_page();
	r = t->fpu ? exec_load(file_read_at, exe, path, argv, envp, &img)
		   : -ENOMEM;
	file_put(exe);
	if (r) {
		if (t->fpu)
			pmm_free_page_virt(t->fpu);
		t->fpu = NULL;
		proc_free(p);
		return r;
	}
	open_console(p);
	p->mm = img.mm;
	p->main_thread = t;
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
