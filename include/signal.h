/* Signals (kernel/signal.c, arch/x86_64/signal.c): dispositions per process,
 * pending and blocked sets per thread, delivery on the way back to user mode
 * with a signal frame laid out as Linux's, and rt_sigreturn. */
#ifndef LIMEN_SIGNAL_H
#define LIMEN_SIGNAL_H

#include <asm/trap.h>
#include <types.h>
#include <uapi/signal.h>

#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SIGBIT(sig) (1ULL << ((sig)-1))

/* The kernel's struct sigaction, as rt_sigaction passes it on x86_64. */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct process;
struct thread;

/* "SIGSEGV" and the like, for console reports ("signal" if unnamed). */
const char *signal_name(int sig);
/* Queues sig for p's thread; 0 or -errno. */
int signal_send(struct process *p, int sig);
/* From user space, init only gets the signals it handles: as on Linux,
 * kill -9 1 does nothing rather than bring the system down. */
bool signal_user_may_send(struct process *p, int sig);
/* kill(2)'s path: sig from process from (NULL: the kernel) to p, with
 * Linux's permission rule (-EPERM) and init's protection (dropped, 0).
 * Caller holds proc_lock, which keeps p alive. */
int signal_send_from(struct process *from, struct process *p, int sig);
/* Delivers pending signals before returning to user mode. */
void signal_deliver(struct trap_frame *tf);
/* Dispositions after execve: handlers reset, ignored stay ignored. */
void signal_exec_reset(struct process *p);

/* arch: build the handler's frame / undo it. 0 or -EFAULT. */
int arch_signal_setup(struct trap_frame *tf, int sig,
		      const struct k_sigaction *ka, uint64_t oldmask);
int arch_signal_return(struct trap_frame *tf, uint64_t *mask);

#endif
