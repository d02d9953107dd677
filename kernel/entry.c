/* The way back to user mode, one loop for system calls, interrupts and
 * faults (Linux's exit_to_user_mode_loop): entered with interrupts off, it
 * does the pending work (a reschedule, the process's exit, a signal, a
 * temporary signal mask to put back) with interrupts on, then looks again
 * with them off, and returns only when nothing is left, so whatever
 * arrives meanwhile is acted on now, not at the next entry. */
#include <arch.h>
#include <entry.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>

void exit_to_user_work(struct thread *t, struct trap_frame *tf)
{
	do {
		arch_irq_enable();
		struct process *p = t->proc;
		if (this_cpu()->need_resched && this_cpu()->preempt_count == 0)
			sched_preempt();
		if (p && p->exiting) {
			/* Another thread runs exit_group (or execve): just
			 * leave; else this process is the one ending. */
			if (p->group_exiter && p->group_exiter != t)
				proc_thread_exit(p->exit_code);
			proc_exit(p->exit_code);
		}
		if (p && signal_pending(t)) {
			signal_deliver(tf);
		} else if (p && t->restore_mask) {
			/* A temporary mask (ppoll, pselect6, sigsuspend)
			 * whose signal was not delivered after all: put it
			 * back, and look again: it may unblock a signal. */
			t->sig_blocked = t->sig_saved_mask;
			t->restore_mask = false;
		}
		arch_irq_disable();
	} while (exit_work(t));
}
