/* fork, vfork and clone (process-style), and wait4. A child starts as a
 * kernel thread that copies its parent's saved registers onto its own
 * kernel stack and returns to user mode with rax = 0. Threads
 * (CLONE_THREAD) start the same way inside the caller's process. */
#include <acct.h>
#include <arch.h>
#include <asm/user.h>
#include <err.h>
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000
#define CSIGNAL 0xff

struct fork_start {
	struct process *proc;
	int __user
	    *child_settid; /* CLONE_CHILD_SETTID: where the child's tid goes */
	struct trap_frame tf;
	struct fpu_state *fpu;
	uint64_t fs_base;
	uintptr_t clear_child_tid;
	uint64_t sig_blocked;
	/* A forked process keeps its parent's alternate signal stack (a
	 * thread starts without one). */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
};

/* First code of a forked child, in its own kernel thread. */
static void fork_child(void *arg)
{
	struct fork_start *fs = arg;
	struct thread *t = current;
	struct trap_frame *tf =
	    (struct trap_frame *)((uintptr_t)t->kstack_top - sizeof(*tf));
	*tf = fs->tf;
	arch_set_syscall_ret(tf, 0); /* fork returns 0 in the child */
	t->utf = tf;
	t->fpu = fs->fpu;
	t->fs_base = fs->fs_base;
	t->clear_child_tid = fs->clear_child_tid;
	t->sig_blocked = fs->sig_blocked;
	t->altstack_sp = fs->altstack_sp;
	t->altstack_size = fs->altstack_size;
	t->altstack_flags = fs->altstack_flags;
	arch_irq_disable();
	signal_attach(t, fs->proc);
	int __user *settid = fs->child_settid;
	kfree(fs);
	mm_activate(t->proc->mm);
	fpu_restore(t->fpu);
	arch_set_fs_base(t->fs_base);
	/* Written from the child's side, so copy-on-write gives the child
	 * its own page. A bad address is ignored, as Linux does. */
	if (settid) {
		arch_irq_enable();
		put_user(t->proc->pid, settid);
		arch_irq_disable();
	}
	arch_enter_user(tf);
}

static int copy_files(struct process *dst, struct process *src)
{
	fd_copy_table(dst, src);
	vfs_lock();
	struct inode *oldroot = dst->fs->root, *oldcwd = dst->fs->cwd;
	dst->fs->root = inode_get(src->fs->root);
	dst->fs->cwd = inode_get(src->fs->cwd);
	inode_put(oldroot);
	inode_put(oldcwd);
	vfs_unlock();
	dst->fs->umask = src->fs->umask;
	dst->fs->uid = src->fs->uid;
	dst->fs->gid = src->fs->gid;
	dst->fs->ngroups = src->fs->ngroups;
	return 0;
}

static long do_fork(unsigned long flags, uintptr_t stack,
		    int __user *parent_tid, int __user *child_tid,
		    unsigned long tls)
{
	struct process *parent = proc_current(), *child;
	struct thread *t = current;
	long r = -ENOMEM;

	child = proc_alloc();
	if (!child)
		return -EAGAIN;
	/* The limit check and the child's counting as its user's happen
	 * under one lock hold, so racing forks cannot both slip past. */
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool over = proc_nproc_exceeded(parent);
	if (!over)
		child->uid = parent->uid;
	spin_unlock_irqrestore(&proc_lock, f);
	if (over) {
		proc_free(child);
		return -EAGAIN;
	}
	struct fork_start *fs = kzalloc(sizeof(*fs));
	if (!fs)
		goto fail;
	fs->fpu = (struct fpu_state *)pmm_alloc_zeroed_page();
	/* CLONE_VM (only with CLONE_VFORK; vfork is that): the child runs
	 * in the parent's address space, as on Linux, so what it writes
	 * there before its exec (posix_spawn: the exec's errno) the parent
	 * sees. */
	child->mm_borrowed = flags & CLONE_VM;
	proc_swap_mm(child,
		     child->mm_borrowed ? parent->mm : mm_clone(parent->mm));
	if (!fs->fpu || !child->mm)
		goto fail;
	copy_files(child, parent);
	/* Named as the thread that forks, as on Linux. */
	strlcpy(child->comm, current->name, sizeof(child->comm));
	strlcpy(child->exe, parent->exe, sizeof(child->exe));
	memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
	child->uid = parent->uid;
	child->euid = parent->euid;
	child->gid = parent->gid;
	child->egid = parent->egid;
	child->suid = parent->suid;
	child->sgid = parent->sgid;
	child->ngroups = parent->ngroups;
	memcpy(child->groups, parent->groups, sizeof(child->groups));
	child->dumpable = parent->dumpable;
	memcpy(child->sigactions, parent->sigactions,
	       sizeof(child->sigactions));
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->ctty = parent->ctty;
	fpu_save(t->fpu);
	memcpy(fs->fpu, t->fpu, fpu_state_size());
	fs->tf = *t->utf;
	if (stack)
		fs->tf.rsp = stack;
	fs->fs_base = (flags & CLONE_SETTLS) ? tls : t->fs_base;
	fs->sig_blocked = t->sig_blocked;
	fs->altstack_sp = t->altstack_sp;
	fs->altstack_size = t->altstack_size;
	fs->altstack_flags = t->altstack_flags;
	fs->proc = child;
	if (flags & CLONE_CHILD_SETTID)
		fs->child_settid = child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		fs->clear_child_tid = (uintptr_t)child_tid;
	child->vfork_pending = flags & CLONE_VFORK;

	f = spin_lock_irqsave(&proc_lock);
	child->parent = parent;
	list_add_tail(&child->sibling, &parent->children);
	spin_unlock_irqrestore(&proc_lock, f);

	int pid = child->pid;
	if ((flags & CLONE_PARENT_SETTID) && parent_tid)
		put_user(pid, parent_tid);
	/* No preemption until the thread is on its process's list: the
	 * child may otherwise run, and exit, before it is registered. */
	preempt_disable();
	struct thread *ct = thread_create(child->comm, fork_child, fs);
	if (IS_ERR(ct)) {
		preempt_enable();
		r = PTR_ERR(ct);
		f = spin_lock_irqsave(&proc_lock);
		list_del(&child->sibling);
		spin_unlock_irqrestore(&proc_lock, f);
		goto fail;
	}
	child->main_thread = ct;
	ct->utid = pid;
	trace_inherit(ct, current);
	f = spin_lock_irqsave(&proc_lock);
	irqflags_t sf = spin_lock_irqsave(&sig_lock);
	/* Its mask before anyone can pick it for a signal: a signal its
	 * creator blocks must not find it open (and kill the process) in
	 * the moment before fork_child runs. */
	ct->sig_blocked = current->sig_blocked;
	list_add_tail(&ct->proc_link, &child->threads);
	child->nr_threads = 1;
	spin_unlock_irqrestore(&sig_lock, sf);
	spin_unlock_irqrestore(&proc_lock, f);
	preempt_enable();
	/* vfork: the parent waits until the child has exec'd or exited. */
	if (flags & CLONE_VFORK)
		wait_event(&child->child_wq, !child->vfork_pending);
	return pid;
fail:
	if (fs && fs->fpu)
		pmm_free_page_virt(fs->fpu);
	kfree(fs);
	if (child->mm && !child->mm_borrowed)
		mm_destroy(child->mm);
	proc_free(child);
	return r;
}

SYSCALL_DEFINE0(fork)
{
	return do_fork(SIGCHLD, 0, NULL, NULL, 0);
}

/* Linux's vfork is clone(CLONE_VM | CLONE_VFORK | SIGCHLD): the child
 * borrows the parent's address space, and runs on the parent's stack,
 * until it execs or exits; the parent sleeps until then. The kernel writes
 * nothing to that stack on the way (no settid): keeping the parent's frame
 * intact when the child returns through it is the libc wrapper's part. */
SYSCALL_DEFINE0(vfork)
{
	return do_fork(SIGCHLD | CLONE_VM | CLONE_VFORK, 0, NULL, NULL, 0);
}

#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_DETACHED 0x00400000

/* A new thread in the caller's process: same memory, files and signal
 * handlers, its own stack, TLS and registers. */
static long clone_thread(unsigned long flags, uintptr_t stack,
			 int __user *parent_tid, int __user *child_tid,
			 unsigned long tls)
{
	struct process *p = proc_current();
	struct thread *t = current;
	/* Checked before the thread exists: each thread clones one at a
	 * time, so racing clones overshoot by at most the threads counted. */
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool over = proc_nproc_exceeded(p);
	spin_unlock_irqrestore(&proc_lock, f);
	if (over)
		return -EAGAIN;
	struct fork_start *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -EAGAIN;
	fs->fpu = (struct fpu_state *)pmm_alloc_zeroed_page();
	if (!fs->fpu) {
		kfree(fs);
		return -EAGAIN;
	}
	fpu_save(t->fpu);
	memcpy(fs->fpu, t->fpu, fpu_state_size());
	fs->tf = *t->utf;
	if (stack)
		fs->tf.rsp = stack;
	fs->fs_base = (flags & CLONE_SETTLS) ? tls : t->fs_base;
	fs->proc = p;
	fs->sig_blocked = t->sig_blocked;
	if (flags & CLONE_CHILD_SETTID)
		fs->child_settid = child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		fs->clear_child_tid = (uintptr_t)child_tid;

	f = spin_lock_irqsave(&proc_lock);
	int tid = proc_alloc_tid();
	spin_unlock_irqrestore(&proc_lock, f);
	if ((flags & CLONE_PARENT_SETTID) && put_user(tid, parent_tid)) {
		pmm_free_page_virt(fs->fpu);
		kfree(fs);
		return -EFAULT;
	}
	/* Created with preemption held off, so the thread is on the list
	 * before it can run (and exit). */
	preempt_disable();
	/* Named as the thread that made it, as on Linux. */
	struct thread *ct = thread_create(current->name, fork_child, fs);
	if (IS_ERR(ct)) {
		preempt_enable();
		pmm_free_page_virt(fs->fpu);
		kfree(fs);
		return PTR_ERR(ct);
	}
	ct->utid = tid;
	trace_inherit(ct, current);
	f = spin_lock_irqsave(&proc_lock);
	irqflags_t sf = spin_lock_irqsave(&sig_lock);
	/* Its mask before anyone can pick it for a signal: a signal its
	 * creator blocks must not find it open (and kill the process) in
	 * the moment before fork_child runs. */
	ct->sig_blocked = current->sig_blocked;
	list_add_tail(&ct->proc_link, &p->threads);
	p->nr_threads++;
	/* Born into a group stop: it parks before its first user code. */
	ct->stop_pending = p->stopped;
	spin_unlock_irqrestore(&sig_lock, sf);
	spin_unlock_irqrestore(&proc_lock, f);
	preempt_enable();
	return tid;
}

SYSCALL_DEFINE5(clone, unsigned long, flags, uintptr_t, stack, int __user *,
		parent_tid, int __user *, child_tid, unsigned long, tls)
{
	if (flags & CLONE_THREAD) {
		/* Linux's rules: a thread shares handlers, which needs
		 * shared memory. */
		if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM))
			return -EINVAL;
		if (!(flags & CLONE_FS) || !(flags & CLONE_FILES))
			return -EINVAL; /* separate tables per thread: no */
		return clone_thread(flags, stack, parent_tid, child_tid, tls);
	}
	/* Process-style clones only; shared-memory threads need futex. */
	unsigned long allowed = CSIGNAL | CLONE_VFORK | CLONE_VM |
				CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
				CLONE_CHILD_CLEARTID | CLONE_SETTLS;
	if (flags & ~allowed)
		return -ENOSYS;
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
		return -ENOSYS;
	/* posix_spawn's clone(CLONE_VM|CLONE_VFORK): the child borrows the
	 * parent's address space and runs on the stack it was given in it
	 * until it execs or exits. */
	return do_fork(flags, stack, parent_tid, child_tid, tls);
}

#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define __WALL 0x40000000
#define __WCLONE 0x80000000

/* A zombie child of p matching pid (-1: any), or NULL; *any says whether
 * p has a matching child at all. Caller holds proc_lock. */
/* An exit, a stop or a continue, as the waiter asked for (flags:
 * WEXITED, WUNTRACED, WCONTINUED). */
static bool reportable(struct process *c, int flags)
{
	return (c->zombie && (flags & WEXITED)) ||
	       (!c->zombie && (flags & WUNTRACED) && c->stop_report) ||
	       (!c->zombie && (flags & WCONTINUED) && c->cont_report);
}

static struct process *find_zombie(struct process *p, int pid, int flags,
				   bool *any)
{
	struct process *c;
	*any = false;
	list_for_each_entry(c, &p->children, sibling)
	{
		if (pid > 0 && c->pid != pid)
			continue;
		if (pid == 0 && c->pgid != p->pgid)
			continue;
		if (pid < -1 && c->pgid != -pid)
			continue;
		/* A zombie is nothing to wait for without WEXITED: alone, it
		 * makes ECHILD, as on Linux. */
		if (c->zombie && !(flags & WEXITED))
			continue;
		*any = true;
		if (reportable(c, flags))
			return c;
	}
	return NULL;
}

struct reaped {
	int pid, status;
	uint32_t uid;
	uint64_t utime, stime;
};

/* Waits for a zombie child matching pid (wait4's encoding); reaps it
 * unless nowait. 0 with out filled, 1 if WNOHANG found nothing, or -errno. */
static long wait_child(int pid, int flags, bool nohang, bool nowait,
		       struct reaped *out)
{
	struct process *p = proc_current();
	for (;;) {
		bool any;
		irqflags_t f = spin_lock_irqsave(&proc_lock);
		struct process *z = find_zombie(p, pid, flags, &any);
		if (z && !z->zombie) {
			/* A stop or a continue: reported, never reaped. */
			out->pid = z->pid;
			out->status = z->stop_report ? z->stop_report : 0xffff;
			out->uid = z->uid;
			out->utime = out->stime = 0;
			if (!nowait) {
				z->stop_report = 0;
				z->cont_report = false;
			}
			spin_unlock_irqrestore(&proc_lock, f);
			return 0;
		}
		if (z) {
			out->pid = z->pid;
			out->status = z->exit_code;
			out->uid = z->uid;
			out->utime = z->utime_ns + z->cutime_ns;
			out->stime = z->stime_ns + z->cstime_ns;
			if (!nowait)
				list_del(&z->sibling);
		}
		spin_unlock_irqrestore(&proc_lock, f);
		if (z) {
			if (!nowait) {
				p->cutime_ns += out->utime;
				p->cstime_ns += out->stime;
				proc_free(z);
			}
			return 0;
		}
		if (!any)
			return -ECHILD;
		if (nohang)
			return 1;
		/* The condition runs under sched_lock with interrupts off;
		 * on one CPU that excludes every writer of the lists. */
		if (wait_event_interruptible(
			&p->child_wq,
			find_zombie(p, pid, flags, &any) != NULL || !any))
			return -EINTR;
	}
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, ustatus, int, options,
		void __user *, rusage)
{
	struct reaped r;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	long ret =
	    wait_child(pid, WEXITED | (options & (WUNTRACED | WCONTINUED)),
		       options & WNOHANG, false, &r);
	if (ret < 0)
		return ret;
	if (ret == 1)
		return 0;
	if (ustatus && put_user(r.status, ustatus))
		return -EFAULT;
	if (rusage && rusage_put_times(rusage, r.utime, r.stime))
		return -EFAULT;
	return r.pid;
}

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define WNOWAIT 0x01000000

SYSCALL_DEFINE5(waitid, int, idtype, int, id, void __user *, uinfo, int,
		options, void __user *, rusage)
{
	struct reaped r;
	int pid;
	if (options & ~(WNOHANG | WEXITED | WUNTRACED | WCONTINUED | WNOWAIT |
			__WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
		return -EINVAL;
	if (idtype == P_ALL)
		pid = -1;
	else if (idtype == P_PID && id > 0)
		pid = id;
	else if (idtype == P_PGID && id >= 0)
		pid = id ? -id : 0;
	else
		return -EINVAL;
	/* Exits, stops and continues, each only when asked for (waitid's
	 * WSTOPPED has WUNTRACED's value). */
	long ret = wait_child(pid, options & (WEXITED | WUNTRACED | WCONTINUED),
			      options & WNOHANG, options & WNOWAIT, &r);
	if (ret < 0)
		return ret;
	int32_t info[32] = {0}; /* siginfo_t, 128 bytes */
	if (ret == 0) {
		bool sig = (r.status & 0x7f) != 0;
		info[0] = SIGCHLD;
		info[2] = !sig ? CLD_EXITED
			       : ((r.status & 0x80) ? CLD_DUMPED : CLD_KILLED);
		info[6] = sig ? (r.status & 0x7f) : ((r.status >> 8) & 0xff);
		if ((r.status & 0xff) == 0x7f) {
			info[2] = CLD_STOPPED;
			info[6] = (r.status >> 8) & 0xff;
		} else if (r.status == 0xffff) {
			info[2] = CLD_CONTINUED;
			info[6] = SIGCONT;
		}
		info[4] = r.pid;
		info[5] = (int32_t)r.uid;
	}
	if (uinfo && copy_to_user(uinfo, info, sizeof(info)))
		return -EFAULT;
	if (ret == 0 && rusage && rusage_put_times(rusage, r.utime, r.stime))
		return -EFAULT;
	return 0;
}
