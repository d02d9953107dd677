/* Processes: the pid table and its queries (groups, sessions, limits, the
 * OOM killer's choice), creating pid 1 from an executable, per-thread user
 * state across context switches, and user faults (report and kill). How
 * threads and processes end is kernel/exit.c. */
#include <acct.h>
#include <arch.h>
#include <drivers/tty.h>
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
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <trace.h>
#include <uaccess.h>
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
	if (unlikely(prev->bare_syscalls || next->bare_syscalls))
		arch_set_bare_syscalls(next->bare_syscalls);
	if (next->proc && next->proc->mm) {
		mm_activate(next->proc->mm);
		fpu_restore(next->fpu);
		arch_set_fs_base(next->fs_base);
	} else if (prev->proc || next->proc) {
		/* Kernel threads run on the kernel's own tables, so an
		 * address space can be freed while they run. */
		uvm_activate_kernel();
	}
}

spinlock_t proc_lock = SPINLOCK_INIT("proc");
static LIST_HEAD(proc_list);
static int next_pid = 2; /* pid 1 is init's, given by proc_exec_init */
static struct process *init_proc;

struct process *proc_init(void)
{
	return init_proc;
}

/* Opens path for execution: a regular file with an x bit for us. */
int proc_open_exec(struct vfs_ctx *ctx, const char *path, struct file **out)
{
	struct file *f;
	int r = vfs_open(ctx, NULL, path, O_RDONLY, 0, &f);
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

static struct process *proc_alloc_pid(int pid)
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
	p->fs->groups = p->groups;
	p->dumpable = true;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->sig_shared_queue);
	wait_queue_init(&p->sig_wq);
	wait_queue_init(&p->thread_wq);
	spin_init(&p->fd_lock, "fd");
	wait_queue_init(&p->child_wq);
	p->fs->root = inode_get(vfs_root());
	p->fs->cwd = inode_get(vfs_root());
	p->fs->umask = 022;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i].rlim_cur = p->rlim[i].rlim_max = RLIM_INFINITY;
	p->rlim[RLIMIT_STACK].rlim_cur = USER_STACK_MAX;
	p->rlim[RLIMIT_NOFILE].rlim_cur = PROC_FD_MAX;
	p->rlim[RLIMIT_NOFILE].rlim_max = PROC_FD_MAX;
	p->rlim[RLIMIT_CORE].rlim_cur = 0;
	/* Queued real-time signals (Linux derives it from RAM size). */
	p->rlim[RLIMIT_SIGPENDING].rlim_cur = SIGPENDING_DEFAULT;
	p->rlim[RLIMIT_SIGPENDING].rlim_max = SIGPENDING_DEFAULT;
	/* Linux's default since 5.16: 8 MiB may be locked without privilege. */
	p->rlim[RLIMIT_MEMLOCK].rlim_cur = 8UL << 20;
	p->rlim[RLIMIT_MEMLOCK].rlim_max = 8UL << 20;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	p->pid = pid ? pid : next_pid++;
	list_add_tail(&p->link, &proc_list);
	spin_unlock_irqrestore(&proc_lock, f);
	return p;
}

int proc_alloc_tid(void)
{
	return next_pid++;
}

int proc_last_pid(void)
{
	return next_pid - 1;
}

struct process *proc_alloc(void)
{
	return proc_alloc_pid(0);
}

int proc_count_live(void)
{
	struct process *p;
	int n = 0;
	list_for_each_entry(p, &proc_list, link) n += !p->zombie;
	return n;
}

bool proc_pgrp_used(int pgid, int sid, struct process *except)
{
	struct process *p;
	/* A zombie not yet reaped still holds its group, as on Linux: a
	 * shell's tcsetpgrp for a pipeline whose first member has already
	 * exited must still find the group. */
	list_for_each_entry(p, &proc_list, link)
	{
		if (p != except && p->pgid == pgid &&
		    (sid < 0 || p->sid == sid))
			return true;
	}
	return false;
}

bool proc_pgrp_orphaned(int pgid)
{
	struct process *p;
	list_for_each_entry(p, &proc_list, link)
	{
		struct process *q = p->parent;
		if (p->zombie || p->pgid != pgid || !q || q->pid == 1)
			continue;
		if (q->pgid != pgid && q->sid == p->sid)
			return false;
	}
	return true;
}

void proc_clear_ctty(int sid, struct tty *t)
{
	struct process *p;
	list_for_each_entry(p, &proc_list, link)
	{
		if (p->sid == sid && p->ctty == t)
			p->ctty = NULL;
	}
}

int proc_signal_group(int pgid, bool all, struct process *from, int sig)
{
	struct process *p;
	int n = 0, ok = 0, r = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	list_for_each_entry(p, &proc_list, link)
	{
		if (p->zombie)
			continue;
		if (all ? (p->pid != 1 && p != from) : p->pgid == pgid) {
			int e = signal_send_from(from, p, sig);
			n++;
			ok += !e;
			/* Linux's rules: a group succeeds if one member
			 * did; kill(-1) reports any error but EPERM. */
			if (e && !(all && e == -EPERM))
				r = e;
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!n)
		return -ESRCH;
	return (!all && ok) ? 0 : r;
}

struct mm *proc_swap_mm(struct process *p, struct mm *mm)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct mm *old = p->mm;
	p->mm = mm;
	spin_unlock_irqrestore(&proc_lock, f);
	return old;
}

struct process *proc_largest_locked(uint64_t *pages)
{
	struct process *p, *best = NULL;
	*pages = 0;
	list_for_each_entry(p, &proc_list, link)
	{
		/* Safe under proc_lock: proc_swap_mm. */
		if (p->zombie || p->pid == 1 || !p->mm || p->mm_borrowed)
			continue; /* a vfork child's mm is its parent's */
		/* Resident pages and the page tables that map them, as
		 * Linux's badness counts: a process touching one page in
		 * each of many far-apart places holds more in tables. */
		uint64_t n = p->mm->pages + uvm_table_pages(p->mm->root);
		if (!best || n > *pages) {
			best = p;
			*pages = n;
		}
	}
	return best;
}

bool proc_each_mm(bool (*fn)(struct mm *mm, void *arg), void *arg)
{
	struct process *p;
	bool stop = false;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	list_for_each_entry(p, &proc_list, link)
	{
		/* Threads share their mm: seen once per thread, harmless. */
		if (!p->zombie && p->mm && fn(p->mm, arg)) {
			stop = true;
			break;
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return stop;
}

static bool maps_writable(struct mm *mm, void *obj)
{
	return mm_maps_object_writable(mm, obj);
}

bool proc_maps_shared_writable(const struct shm_obj *obj)
{
	return proc_each_mm(maps_writable, (void *)obj);
}

bool proc_nproc_exceeded(const struct process *p)
{
	uint64_t lim = p->rlim[RLIMIT_NPROC].rlim_cur;
	if (p->uid == 0 || lim == RLIM_INFINITY)
		return false;
	/* Linux counts tasks: every thread, and a zombie until reaped. */
	uint64_t n = 0;
	struct process *q;
	list_for_each_entry(q, &proc_list, link)
	{
		if (q->uid == p->uid)
			n += q->zombie ? 1 : (uint64_t)MAX(q->nr_threads, 1);
	}
	return n >= lim;
}

struct thread *proc_find_thread(int tgid, int tid)
{
	struct process *p;
	struct thread *t;
	list_for_each_entry(p, &proc_list, link)
	{
		if (p->zombie || (tgid > 0 && p->pid != tgid))
			continue;
		list_for_each_entry(t, &p->threads, proc_link)
		{
			if (t->utid == tid)
				return t;
		}
	}
	return NULL;
}

int proc_list_pids(int *out, int max)
{
	struct process *p;
	int n = 0;
	list_for_each_entry(p, &proc_list, link)
	{
		if (!p->zombie && n < max)
			out[n++] = p->pid;
	}
	return n;
}

/* proc_lock held: pid's process, a zombie not yet reaped included. */
struct process *proc_find_any(int pid)
{
	struct process *p;
	list_for_each_entry(p, &proc_list, link) if (p->pid == pid) return p;
	return NULL;
}

struct process *proc_find(int pid)
{
	struct process *p;
	list_for_each_entry(p, &proc_list,
			    link) if (p->pid == pid && !p->zombie) return p;
	return NULL;
}

/* Frees a reaped (or never started) process. */
void proc_free(struct process *p)
{
	signal_proc_free(p);
	fd_close_all(p);
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	list_del(&p->link);
	list_del(&p->sibling);
	spin_unlock_irqrestore(&proc_lock, f);
	vfs_lock();
	inode_put(p->fs->root);
	inode_put(p->fs->cwd);
	vfs_unlock();
	kfree(p->fs);
	kfree(p->fds);
	/* An epoll elsewhere may still watch a signalfd through sig_wq. */
	wait_queue_pollfree(&p->sig_wq);
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
	struct process *p = proc_alloc_pid(1);
	if (!p)
		return -ENOMEM;
	t->fpu = (struct fpu_state *)pmm_alloc_zeroed_page();
	if (!t->fpu) {
		proc_free(p);
		return -ENOMEM;
	}
	t->utf = (struct trap_frame *)((uintptr_t)t->kstack_top -
				       sizeof(struct trap_frame));
	signal_attach(t, p);
	int r = proc_execve(path, argv, envp);
	if (r) {
		signal_attach(t, NULL);
		uvm_activate_kernel();
		pmm_free_page_virt(t->fpu);
		t->fpu = NULL;
		proc_free(p);
		return r;
	}
	open_console(p);
	init_proc = p;
	p->main_thread = t;
	t->utid = 1;
	list_add_tail(&t->proc_link, &p->threads);
	p->nr_threads = 1;
	arch_irq_disable();
	arch_enter_user(t->utf);
}
