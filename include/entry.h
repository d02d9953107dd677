/* The return to user mode (kernel/entry.c). */
#ifndef LIMEN_ENTRY_H
#define LIMEN_ENTRY_H

#include <acct.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>

struct trap_frame;

/* Interrupts off: is there anything to do before user mode? The common
 * answer (nothing pending at all) costs a few loads, inline: make bench's
 * null system call pays it on every call. */
static inline bool exit_work(struct thread *t)
{
	struct percpu *cpu = this_cpu();
	if (unlikely(cpu->need_resched) && cpu->preempt_count == 0)
		return true;
	struct process *p = t->proc;
	if (likely(!(t->sig_pending | *t->sig_shared) && !t->restore_mask &&
		   !t->stop_pending) &&
	    p && !p->exiting)
		return false;
	return p && (p->exiting || signal_pending(t) || t->restore_mask);
}

/* C functions entered from assembly: the system-call and trap entries
 * (arch/x86_64/syscall_entry.S, entry.S), a new kernel thread's first
 * frame, and the boot path (boot.S). */
int syscall_dispatch(struct trap_frame *tf); /* nonzero: sysret may return */
void trap_dispatch(struct trap_frame *tf);
void thread_entry(void (*fn)(void *), void *arg);
void kmain(phys_addr_t start_info);

/* The loop for when there is work (kernel/entry.c). */
void exit_to_user_work(struct thread *t, struct trap_frame *tf);

/* Called with interrupts off on every way back to user mode (system
 * calls, interrupts and exceptions from user mode); returns with them off
 * and no work left: no reschedule due, no deliverable signal, no exit. */
static inline void exit_to_user(struct trap_frame *tf)
{
	struct thread *t = current;
	if (unlikely(exit_work(t)))
		exit_to_user_work(t, tf);
	if (t->proc)
		acct_exit_kernel(t);
}

#endif
