/* How threads and processes end: a thread's exit, exit_group (the other
 * threads killed and waited for), execve's de_thread, and the last
 * thread's turning its process into a zombie for its parent's wait4
 * (orphans go to init). */
#include <acct.h>
#include <arch.h>
#include <drivers/tty.h>
#include <failinject.h>
#include <fd.h>
#include <fs/lock.h>
#include <futex.h>
#include <ipc.h>
#include <ktimer.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <percpu.h>
#include <power.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/signal.h>

/* Everything a dead process holds except its struct (kept for wait4). */
/* A user thread's own pages: its FPU state and its I/O bounce page. */
static void thread_free_user_pages(struct thread *t)
{
	/* Each pointer is cleared before its page goes: a preemption in
	 * between would have proc_switch save the FPU into a freed page. */
	void *fpu = t->fpu, *io = t->io_page;
	t->fpu = NULL;
	t->io_page = NULL;
	if (fpu)
		pmm_free_page_virt(fpu);
	if (io)
		pmm_free_page_virt(io);
}

static void proc_release(struct process *p)
{
	struct thread *t = current;
	ptimer_exit(p); /* before p can be reaped and freed */
	ipc_sem_exit(p);
	fd_close_all(p);
	lock_proc_exit(p);
	/* Off this address space before it goes, and p->mm cleared first:
	 * a preemption during mm_destroy would otherwise switch back into
	 * the mm being freed (proc_switch activates p->mm), loading a
	 * poisoned CR3 and wedging the CPU (the applets layer's hang). */
	struct mm *mm = proc_swap_mm(p, NULL);
	uvm_activate_kernel();
	if (mm && !p->mm_borrowed) /* a vfork child's is its parent's */
		mm_destroy(mm);
	p->mm_borrowed = false;
	thread_free_user_pages(t);
}

/* CLONE_CHILD_CLEARTID is honoured once, as a thread ends: zero the tid
 * word and wake a futex waiter (that is how pthread_join wakes). */
static void thread_clear_tid(struct process *p, struct thread *t)
{
	futex_exit_robust(t);
	if (t->clear_child_tid) {
		int zero = 0;
		if (!copy_to_user((void __user *)t->clear_child_tid, &zero,
				  sizeof(zero)))
			futex_wake(p->mm, t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
}

/* t leaves p's thread list. With only_if_others, it refuses (false) when
 * t is the last thread: the count is read and changed in one proc_lock
 * hold, so exactly one thread of a process finds itself last and turns
 * the process into a zombie. */
static bool thread_unlink(struct process *p, struct thread *t,
			  bool only_if_others)
{
	bool left = false;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (!only_if_others || p->nr_threads > 1) {
		irqflags_t sf = spin_lock_irqsave(&sig_lock);
		list_del(&t->proc_link);
		p->nr_threads--;
		/* /proc then speaks for the process without a thread. */
		if (p->main_thread == t)
			p->main_thread = NULL;
		spin_unlock_irqrestore(&sig_lock, sf);
		left = true;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (left) {
		signal_thread_left(p, t);
		wait_queue_wake_all(&p->thread_wq);
	}
	return left;
}

/* The end of a thread that is not its process's last. */
static __noreturn void thread_die(struct thread *t, int status)
{
	if (unlikely(trace_enabled))
		trace_exit(status, false);
	uvm_activate_kernel();
	signal_attach(t, NULL);
	thread_free_user_pages(t);
	thread_detach(t);
	thread_exit(status);
}

void proc_thread_exit(int status)
{
	struct process *p = proc_current();
	struct thread *t = current;
	thread_clear_tid(p, t);
	if (!thread_unlink(p, t, true))
		proc_exit(status);
	thread_die(t, status);
}

/* Makes t the one thread of p: the others are sent SIGKILL and leave on
 * their way back to user mode (exit_to_user); t waits until they
 * have. -EAGAIN if another thread already leads an exit_group or an
 * execve: that one wins, and t is to leave. */
static int kill_other_threads(struct process *p, struct thread *self)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->group_exiter && p->group_exiter != self) {
		spin_unlock_irqrestore(&proc_lock, f);
		return -EAGAIN;
	}
	p->group_exiter = self;
	p->exiting = true;
	struct thread *o;
	list_for_each_entry(o, &p->threads, proc_link)
	{
		if (o != self) {
			__atomic_or_fetch(&o->sig_pending, SIGBIT(SIGKILL),
					  __ATOMIC_RELAXED);
			sched_signal_wake(o);
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	wait_queue_wake_all(&p->thread_wq); /* those parked in a stop */
	wait_event(&p->thread_wq, p->nr_threads == 1);
	return 0;
}

int proc_de_thread(void)
{
	struct process *p = proc_current();
	struct thread *t = current;
	/* Alone (or init, not yet on its list): nothing to do. Only this
	 * thread could add threads, and it is busy here. */
	if (p->nr_threads <= 1)
		return 0;
	int r = kill_other_threads(p, t);
	if (r)
		return r;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	p->exiting = false;
	p->group_exiter = NULL;
	/* The survivor takes the process's id, as on Linux. */
	t->utid = p->pid;
	p->main_thread = t;
	spin_unlock_irqrestore(&proc_lock, f);
	return 0;
}

void proc_exit(int status)
{
	struct process *p = proc_current();
	struct thread *t = current;
	if (p->nr_threads > 1 && kill_other_threads(p, t)) {
		/* Another thread is ending the process (or execs): this
		 * one just goes. */
		thread_clear_tid(p, t);
		thread_unlink(p, t, false);
		thread_die(t, status);
	}
	p->in_exit = true;
	if (unlikely(trace_enabled))
		trace_exit(status, true);
	if (p->pid == 1) {
		syscall_report_enosys();
		failinject_report();
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
	/* A controlling process hangs up its terminal (Linux's
	 * disassociate_ctty(1) from do_exit). */
	if (p->sid == p->pid && p->ctty)
		tty_session_leader_exit(p);
	thread_clear_tid(p, t);
	thread_unlink(p, t, false);
	proc_release(p);
	p->utime_ns = t->utime_ns;
	p->stime_ns = t->stime_ns;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	/* Orphans go to init, which reaps them. */
	struct process *c, *tmp;
	list_for_each_entry_safe(c, tmp, &p->children, sibling)
	{
		list_del(&c->sibling);
		c->parent = proc_init();
		list_add_tail(&c->sibling, &proc_init()->children);
	}
	p->exit_code = status;
	p->zombie = true;
	/* A parent that ignores SIGCHLD or set SA_NOCLDWAIT never waits:
	 * the child goes without leaving a zombie (Linux's autoreap), taken
	 * off the parent's list now so wait4 cannot find it. Not a vfork
	 * child whose parent still sleeps on its child_wq, reading it. */
	bool autoreap = !p->vfork_pending && signal_child_autoreap(p->parent);
	if (autoreap)
		list_del(&p->sibling);
	p->vfork_pending = false;
	p->main_thread = NULL;
	signal_attach(t, NULL);
	struct process *parent = p->parent;
	/* Once p is a zombie its parent may reap (free) it, and the parent
	 * itself may exit and be freed, as soon as either runs. Nothing may
	 * preempt us until both are done with: the wakes below run without
	 * a switch in between (a use-after-free seen in the applets test). */
	preempt_disable();
	spin_unlock_irqrestore(&proc_lock, f);
	signal_notify_exit(parent, p, status);
	wait_queue_wake_all(&p->child_wq); /* a vfork parent */
	wait_queue_wake_all(&parent->child_wq);
	wait_queue_wake_all(&proc_init()->child_wq);
	preempt_enable(); /* parent is not used after this */
	/* t no longer belongs to p (signal_attach above), so p can go while
	 * t finishes on the kernel's tables. */
	if (autoreap)
		proc_free(p);
	thread_detach(t);
	thread_exit(status);
}
