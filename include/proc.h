/* Processes (kernel/proc.c): an address space, open files, credentials and
 * the threads that run in them. User-mode state of a thread (its saved
 * registers, FPU state, FS base) lives in struct thread.
 *
 * Locking (docs/locking.md): each field says what guards it. "own" means
 * written only by the process's own threads, in system calls, and read by
 * others as single words (a racing reader sees the old or the new value);
 * "const" means set before the process is visible and never changed. */
#ifndef LIMEN_PROC_H
#define LIMEN_PROC_H

#include <asm/trap.h>
#include <lib/list.h>
#include <sched.h>
#include <signal.h>
#include <spinlock.h>
#include <types.h>
#include <uapi/misc.h>

#define PROC_COMM_MAX 16
#define PROC_FD_MAX 1024 /* RLIMIT_NOFILE */

struct mm;
struct file;
struct thread;
struct vfs_ctx;
struct tty;
struct sem_undo;
struct proc_timers;

struct fd_entry {
	struct file *file;
	bool cloexec;
};

struct process {
	int pid;		  /* const */
	char comm[PROC_COMM_MAX]; /* own (execve) */
	/* Changed only by proc_swap_mm, under proc_lock; another process
	 * may use it only while holding proc_lock. The mm's own lock
	 * guards its inside. */
	struct mm *mm;
	struct fd_entry *fds;	/* PROC_FD_MAX entries, under fd_lock */
	struct vfs_ctx *fs;	/* root and cwd: VFS lock; umask, ids: own */
	struct process *parent; /* proc_lock */
	uint32_t uid, euid, gid, egid; /* own */
	uint32_t suid, sgid;	       /* own: saved set-user/group ids */
	int ngroups;		       /* own */
	uint32_t groups[32];	       /* own: supplementary groups, sorted */
	/* own: the filesystem ids (fsuid/fsgid) are fs->uid and fs->gid;
	 * fs->groups points at groups. */
	/* own: Linux's dumpable flag: false once the ids changed (a
	 * set-user-ID execve, a setuid-family change of the effective or
	 * filesystem ids) or PR_SET_DUMPABLE 0; then only root may look
	 * into /proc/PID (ptrace access mode). */
	bool dumpable;
	int exit_code; /* wait status: proc_lock once a zombie */
	bool exiting;  /* killed: exits on the way back to user mode */
	bool in_exit; /* own: proc_exit has begun (closing files lingers not) */
	bool zombie;  /* proc_lock: exited, waiting for wait4 */
	bool vfork_pending; /* a vfork parent sleeps until this clears */
	/* clone(CLONE_VM | CLONE_VFORK), posix_spawn's: mm is the parent's,
	 * lent until this process execs or exits (the parent sleeps till
	 * then), which drop it without destroying it. Own. */
	bool mm_borrowed;
	struct thread *main_thread; /* proc_lock */
	struct list_head link;	    /* proc_list, under proc_lock */
	struct list_head children;  /* proc_lock: struct process.sibling */
	struct list_head sibling;   /* proc_lock */
	struct wait_queue child_wq; /* the parent's wait4 sleeps here */
	int pgid, sid;		    /* proc_lock: group and session */
	struct tty *ctty; /* controlling tty (proc_lock; drivers/tty_job.c) */
	/* own; read by senders under proc_lock (kernel/signal.c) */
	struct k_sigaction sigactions[NSIG];
	/* Threads (clone with CLONE_THREAD): all share this process. The
	 * count and the list change together under proc_lock; the thread
	 * that finds itself last ends the process (kernel/proc.c). */
	int nr_threads;
	/* Signals directed at the process as a whole, taken by whichever
	 * thread does not block them (sig_lock; the mask is also read
	 * without it, as a hint), and how many queue entries the process's
	 * pending sets hold (RLIMIT_SIGPENDING). */
	uint64_t sig_shared_pending;
	struct list_head sig_shared_queue;
	int sigq_count;
	/* Woken whenever a signal becomes pending for the process or one of
	 * its threads: signalfd's readers and pollers sleep here. */
	struct wait_queue sig_wq;
	/* Job control (sig_lock): a group stop is on (from the stop signal
	 * until SIGCONT), by which signal, how many threads have parked, and
	 * whether the continue is still to be reported. */
	bool stopped;
	int stop_sig, nr_parked;
	bool stop_done, cont_notify;
	/* proc_lock: what wait4 with WUNTRACED / WCONTINUED has yet to
	 * report. */
	int stop_report;
	bool cont_report;
	struct list_head threads;      /* proc_lock: struct thread.proc_link */
	struct wait_queue thread_wq;   /* exit_group and execve wait here */
	struct thread *group_exiter;   /* proc_lock: exit_group's or execve's */
	spinlock_t fd_lock;	       /* protects fds[] */
	uint64_t utime_ns, stime_ns;   /* own, final once a zombie */
	uint64_t cutime_ns, cstime_ns; /* own: reaped children's, with theirs */
	uint64_t cpu_ticks; /* atomic: timer ticks of all its threads */
	bool oom_killed;    /* proc_lock: the OOM killer chose it */
	char exe[256];	    /* own: the executable's path, for /proc/self/exe */
	/* own: enforced: NOFILE, STACK, NPROC, FSIZE, CPU, AS, DATA */
	struct rlimit64 rlim[RLIM_NLIMITS];
	/* ipc_sem_lock: SEM_UNDO adjustments (kernel/ipc_sem.c), shared by
	 * the threads, none in a forked child (Linux without CLONE_SYSVSEM),
	 * applied by the last thread's exit. */
	struct sem_undo *sem_undo;
	int nlocks; /* fs/lock.c file_lock: its POSIX lock records */
	struct proc_timers *timers; /* kernel/ptimer.c: ktimer_lock */
};

/* Protects proc_list, every process's children list, parent pointer and
 * zombie state. */
extern spinlock_t proc_lock;

struct process *proc_current(void);
/* Init (pid 1), the reaper of orphans; NULL before it exists. */
struct process *proc_init(void);
/* The live process with this pid, or NULL. Caller holds proc_lock. */
struct process *proc_find(int pid);
struct process *proc_find_any(int pid); /* zombies too */
/* Thread tid of process tgid (any process if tgid <= 0), or NULL. Caller
 * holds proc_lock. */
struct thread *proc_find_thread(int tgid, int tid);
/* With proc_lock held: live processes, and whether a process other than
 * except is in group pgid (of session sid, or any if sid < 0); a zombie
 * not yet reaped counts, as on Linux. */
int proc_count_live(void);
/* Up to max live pids, in creation order. Caller holds proc_lock. */
int proc_list_pids(int *out, int max);
/* Sends sig to group pgid (or, with all, to everyone but init and from),
 * as process from (NULL: the kernel, which needs no permission). Returns
 * 0, -ESRCH if nobody is there, or -EPERM by Linux's kill(2) rules. Takes
 * proc_lock. */
int proc_signal_group(int pgid, bool all, struct process *from, int sig);
bool proc_pgrp_used(int pgid, int sid, struct process *except);
/* With proc_lock held: POSIX's orphaned process group, no member of which
 * has a parent in another group of the same session (init's children do
 * not count, as on Linux). */
bool proc_pgrp_orphaned(int pgid);
/* With proc_lock held: every process of session sid whose controlling
 * terminal is t loses it. */
void proc_clear_ctty(int sid, struct tty *t);
/* The out-of-memory killer's choice: the live process, init aside, with
 * the most resident and page-table pages (*pages), or NULL. Caller holds
 * proc_lock. */
struct process *proc_largest_locked(uint64_t *pages);
/* Gives p the address space mm (NULL: none) and returns the one it had,
 * for the caller to destroy. The swap is under proc_lock, so a reader
 * holding proc_lock (procfs, the OOM killer) never sees an mm freed. */
struct mm *proc_swap_mm(struct process *p, struct mm *mm);
/* Whether some process maps obj shared with the right to write it (a
 * VMA_SHARED VMA without VMA_NOWRITE, even if PROT_WRITE is off now, as
 * Linux's VM_MAYWRITE): F_SEAL_WRITE's test. Takes proc_lock, then each
 * address space's lock. */
struct shm_obj;
bool proc_maps_shared_writable(const struct shm_obj *obj);
/* Calls fn on the address space of every live process (an mm shared by
 * threads once per thread) until it returns true; whether one did. Takes
 * proc_lock: fn takes mm->lock inside it and must not sleep. */
struct mm;
bool proc_each_mm(bool (*fn)(struct mm *mm, void *arg), void *arg);
/* RLIMIT_NPROC: whether p's real user already runs as many tasks
 * (threads, and zombies not yet reaped) as p's limit allows; root is
 * exempt. Caller holds proc_lock. */
bool proc_nproc_exceeded(const struct process *p);
struct process *proc_alloc(void);
/* A new thread id from the pid space. Caller holds proc_lock. */
int proc_alloc_tid(void);
int proc_last_pid(void); /* the most recently given pid or tid */
void proc_free(struct process *p);
/* Opens path for execve: a regular file we may execute. */
int proc_open_exec(struct vfs_ctx *ctx, const char *path, struct file **out);
/* Replaces the calling process's image (kernel/execve.c). */
int proc_execve(const char *path, const char *const *argv,
		const char *const *envp);
/* Turns the calling kernel thread into pid 1 running path. Returns only on
 * failure (-errno); on success the thread is in user mode. */
int proc_exec_init(const char *path, const char *const *argv,
		   const char *const *envp);
/* execve's first step (Linux's de_thread): the caller's other threads are
 * killed and waited for, and the caller takes the process's id. 0, or
 * -EAGAIN if an exit_group or another execve got there first. */
int proc_de_thread(void);
/* Ends the calling process with a wait status; never returns. */
__noreturn void proc_exit(int status);
/* Ends only the calling thread (exit(2) with other threads left). */
__noreturn void proc_thread_exit(int status);
/* Saves and restores per-thread user state around a context switch. */
void proc_switch(struct thread *prev, struct thread *next);

#endif
