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

/* What a signal says about itself: the first 48 bytes of Linux's
 * x86_64 siginfo_t, which hold every field any si_code fills (the rest of
 * the 128 bytes is zero). Kept with a pending signal and handed to its
 * handler (SA_SIGINFO), rt_sigtimedwait, signalfd and waitid. */
struct ksiginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct { /* SI_USER, SI_TKILL, SI_QUEUE, SI_MESGQ */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* sigval */
		} rt;
		struct { /* SI_TIMER */
			int32_t tid, overrun;
			uint64_t value;
		} timer;
		struct { /* SIGCHLD: CLD_* */
			int32_t pid;
			uint32_t uid;
			int32_t status, pad;
			int64_t utime, stime; /* clock ticks */
		} chld;
		struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
		} fault;
		struct { /* SIGIO, SIGPOLL */
			int64_t band;
			int32_t fd;
		} poll;
		uint8_t raw[32];
	};
};

/* si_code values (Linux's uapi asm-generic/siginfo.h). */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)
#define SI_ASYNCIO (-4)
#define SI_SIGIO (-5)
#define SI_TKILL (-6)
#define ILL_ILLOPC 1
#define ILL_ILLOPN 2
#define ILL_PRVOPC 5
#define ILL_BADSTK 8
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define SEGV_PKUERR 4
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

#define SIGRTMIN 32
#define SIGRTMAX NSIG
/* RLIMIT_SIGPENDING's default: queued signals per process. */
#define SIGPENDING_DEFAULT 4096

struct process;
struct thread;

/* "SIGSEGV" and the like, for console reports ("signal" if unnamed). */
const char *signal_name(int sig);
/* Sends info->signo to process p (process-directed: any thread that does
 * not block it takes it), with no permission check: the kernel's own
 * signals and the paths that checked already. A real-time signal queues
 * (-EAGAIN past RLIMIT_SIGPENDING when info->code is SI_QUEUE, as
 * sigqueue's; otherwise it is still marked pending, without its info);
 * a standard one pending already is not queued twice. Callable from any
 * context, interrupt handlers included; the caller keeps p alive (holds
 * proc_lock, or is p). 0 or -errno. */
int signal_send_info(struct process *p, const struct ksiginfo *info);
/* The same, directed at thread t only (tgkill, a fault, a timer with
 * SIGEV_THREAD_ID). The caller keeps t alive. */
int signal_send_thread(struct thread *t, const struct ksiginfo *info);
/* Takes t's next pending signal of allowed (its own, then its process's)
 * with its information; the signal number, or 0 if none is pending. */
int signal_dequeue(struct thread *t, uint64_t allowed, struct ksiginfo *info);
/* signal_send_info for sig from the kernel (SI_KERNEL). */
int signal_send(struct process *p, int sig);
/* From user space, init only gets the signals it handles: as on Linux,
 * kill -9 1 does nothing rather than bring the system down. */
bool signal_user_may_send(struct process *p, int sig);
/* kill(2)'s path: sig from process from (NULL: the kernel) to p, with
 * Linux's permission rule (-EPERM) and init's protection (dropped, 0).
 * Caller holds proc_lock, which keeps p alive. */
int signal_send_from(struct process *from, struct process *p, int sig);
/* Delivers pending signals before returning to user mode, and parks the
 * thread while its process is stopped. */
void signal_deliver(struct trap_frame *tf);
/* A fault in user mode that nothing resolves (info: SIGSEGV and its
 * si_code and si_addr, say): a handler takes it, or the process dies
 * with one line on the console saying what it did. */
void signal_fault(struct trap_frame *tf, const struct ksiginfo *info,
		  const char *what);
/* proc_lock held: parent's children exit without a zombie. */
bool signal_child_autoreap(const struct process *parent);
/* SIGCHLD to parent for the exit of its child p (status: wait status).
 * The caller keeps both alive. */
void signal_notify_exit(struct process *parent, struct process *p, int status);
/* Makes t a thread of p (NULL: of no process), with p's pending set. */
void signal_attach(struct thread *t, struct process *p);
/* Thread t has left p's thread list: its pending signals go, and a group
 * stop waiting only for it is complete. */
void signal_thread_left(struct process *p, struct thread *t);
/* p is freed: its process-wide pending signals go. */
void signal_proc_free(struct process *p);
/* Guards pending sets, struct process's job-control state and (with
 * proc_lock) thread lists; taken after proc_lock, before sched_lock. */
#include <spinlock.h>
extern spinlock_t sig_lock;
/* The empty process-wide pending set kernel threads point at. */
extern const uint64_t signal_none;
/* Dispositions after execve: handlers reset, ignored stay ignored. */
void signal_exec_reset(struct process *p);

/* An alternate signal stack as sigaltstack and the signal frame's
 * uc_stack lay it out. */
struct sigaltstack_k {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};
/* Whether sp is on t's alternate stack (never, with SS_AUTODISARM, as
 * Linux's on_sig_stack). */
bool signal_on_altstack(const struct thread *t, uint64_t sp);
/* For a handler's frame: t's alternate stack as uc_stack shows it; with
 * SS_AUTODISARM the stack is then disarmed until the handler returns. */
void signal_altstack_save(struct thread *t, uint64_t sp,
			  struct sigaltstack_k *out);
/* rt_sigreturn: the frame's uc_stack becomes t's alternate stack again
 * (silently not, if sigaltstack would refuse it). */
void signal_altstack_restore(struct thread *t, uint64_t sp,
			     const struct sigaltstack_k *ss);

/* arch: build the handler's frame / undo it. 0 or -EFAULT. */
int arch_signal_setup(struct trap_frame *tf, const struct ksiginfo *info,
		      const struct k_sigaction *ka, uint64_t oldmask);
int arch_signal_return(struct trap_frame *tf, uint64_t *mask);

#endif
