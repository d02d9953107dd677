/* Kernel threads: creation with a guarded kernel stack, exit, join and the
 * idle thread, which also frees detached threads that have exited (a thread
 * cannot free the stack it is running on). */
#include <arch.h>
#include <err.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/vm.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <sched.h>
#include <signal.h>
#include <uapi/errno.h>

/* Protects all_threads and next_tid. Never taken with sched_lock held. */
static spinlock_t threads_lock = SPINLOCK_INIT("threads");
static LIST_HEAD(all_threads);
static int next_tid = 1;
static struct thread idle_thread;
static struct wait_queue idle_wq; /* joiners of the idle thread: none */

static void thread_init_common(struct thread *t, const char *name)
{
	strlcpy(t->name, name, sizeof(t->name));
	list_init(&t->run_link);
	list_init(&t->sleep_link);
	list_init(&t->proc_link);
	list_init(&t->sig_queue);
	t->sig_shared = &signal_none;
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_link, &all_threads);
	spin_unlock_irqrestore(&threads_lock, f);
}

void sched_init(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = &idle_thread;
	extern char boot_stack_top[];

	strlcpy(t->name, "idle", sizeof(t->name));
	list_init(&t->run_link);
	list_init(&t->sleep_link);
	list_init(&t->all_link);
	list_init(&t->sig_queue);
	t->sig_shared = &signal_none;
	wait_queue_init(&idle_wq);
	t->join_wq = &idle_wq;
	t->tid = 0;
	t->state = THREAD_RUNNING;
	t->kstack_top = boot_stack_top;
	cpu->idle = t;
	cpu->curr = t;
}

static void reap_detached(void);

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	reap_detached();
	struct thread *t = kzalloc(sizeof(*t) + sizeof(struct wait_queue));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->kstack_top = vm_kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->join_wq = (struct wait_queue *)(t + 1);
	wait_queue_init(t->join_wq);
	t->fn = fn;
	t->arg = arg;
	t->ctx = arch_thread_init(t->kstack_top, fn, arg);
	thread_init_common(t, name);
	sched_enqueue_new(t);
	return t;
}

/* Frees a thread already taken off all_threads. */
static void thread_free_unlisted(struct thread *t)
{
	vm_kstack_free(t->kstack_top);
	kfree(t);
}

static void thread_free(struct thread *t)
{
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	list_del(&t->all_link);
	spin_unlock_irqrestore(&threads_lock, f);
	thread_free_unlisted(t);
}

void thread_exit(int code)
{
	struct thread *t = current;
	if (t == this_cpu()->idle)
		panic("thread_exit: the idle thread cannot exit");
	t->exit_code = code;
	sched_exit_current(t->join_wq);
}

int thread_join(struct thread *t)
{
	wait_event(t->join_wq, t->state == THREAD_ZOMBIE);
	int code = t->exit_code;
	thread_free(t);
	return code;
}

void thread_detach(struct thread *t)
{
	t->detached = true;
}

/* Frees detached zombies. Runs in the idle thread only. */
/* Frees one detached zombie; false if there was none. */
static bool reap_one(void)
{
	struct thread *t, *tmp, *victim = NULL;
	irqflags_t f = spin_lock_irqsave(&threads_lock);
	list_for_each_entry_safe(t, tmp, &all_threads, all_link)
	{
		/* The state is read under sched_lock: a zombie is off its
		 * stack once the switch away from it has released it. */
		irqflags_t g = sched_lock_irqsave();
		bool dead = t->detached && t->state == THREAD_ZOMBIE;
		sched_unlock_irqrestore(g);
		if (dead) {
			/* Off the list before threads_lock is dropped: two
			 * reapers run (the idle thread, and thread_create in
			 * whoever forks), and the idle thread can be preempted
			 * right after unlocking. Left on the list, the victim
			 * was found and freed by both (a double free: a GP
			 * fault on the poisoned links in list_del, hit under
			 * ab's fork-per-request load on busybox httpd). */
			list_del(&t->all_link);
			victim = t;
			break;
		}
	}
	spin_unlock_irqrestore(&threads_lock, f);
	if (victim)
		thread_free_unlisted(victim);
	return victim != NULL;
}

/* Detached threads that exited are freed here, by the idle thread and by
 * whoever creates the next thread, so exited stacks never pile up. */
static void reap_detached(void)
{
	while (reap_one())
		;
}

void sched_idle_loop(void)
{
	for (;;) {
		reap_detached();
		sched_yield_cpu();
		arch_wait_for_irq();
	}
}
