/* The trace facility's recording side: events at the boundary built on the
 * stack by the hooks below and copied into one ring buffer per CPU
 * (docs/trace.md). A ring keeps the newest events: when it is full, the
 * oldest is overwritten and counted as dropped. Recording copies an event
 * into the ring under the ring's lock, so an interrupt that records too (a
 * page fault or an interrupt inside a traced system call) never sees a
 * half-written slot. Reading the rings as text is kernel/trace_format.c;
 * the trace_ctl commands are kernel/trace_ctl.c. */
#include <arch.h>
#include <lib/string.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <syscall.h>
#include <syscall_names.h>
#include <time.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include "trace_ring.h"

/* The control state; kernel/trace_ring.h says who writes and reads it. */
bool trace_enabled;
bool trace_all;
bool trace_follow;
bool trace_wait;
int trace_wait_owner;
struct wait_queue trace_reader_wq = WAIT_QUEUE_INIT(trace_reader_wq);
uint32_t trace_gen = 1;
struct trace_ring trace_rings[TRACE_MAX_CPUS];
struct mutex trace_mutex = MUTEX_INIT(trace_mutex, "trace");

static bool traced(const struct thread *t)
{
	if (trace_all)
		return true;
	return t && t->proc && t->trace_gen == trace_gen;
}

static void event_init(struct trace_event *e, int type, struct thread *t)
{
	e->type = (uint8_t)type;
	e->ts = 0;
	e->nstr = 0;
	e->strunc = 0;
	e->nr = 0;
	memset(e->a, 0, sizeof(e->a));
	e->pid = t && t->proc ? t->proc->pid : 0;
	e->tid = t && t->proc ? t->utid : 0;
}

static void record(struct trace_event *e)
{
	struct percpu *cpu = this_cpu();
	int id = cpu->cpu_id < TRACE_MAX_CPUS ? cpu->cpu_id : 0;
	struct trace_ring *r = &trace_rings[id];
	irqflags_t f = spin_lock_irqsave(&r->lock);
	if (!r->ev) {
		spin_unlock_irqrestore(&r->lock, f);
		return;
	}
	if (!e->ts)
		e->ts = time_ns();
	e->cpu = (uint8_t)id;
	if (r->head - r->tail == r->size) {
		r->tail++;
		r->dropped++;
		r->dropped_unseen++;
	}
	size_t slot = e->nstr ? sizeof(*e) : offsetof(struct trace_event, s);
	memcpy(&r->ev[r->head % r->size], e, slot);
	r->head++;
	spin_unlock_irqrestore(&r->lock, f);
}

/* ---- what each system call's strings are ----------------------------- */

#define NR_ENUM(n, name) NR_##name = n,
enum { SYSCALL_NAMES(NR_ENUM) };

/* Argument numbers plus one (0: none): up to two NUL-terminated paths
 * copied at entry; a buffer and its length at entry (write); a buffer
 * whose length is the result, copied at exit (read). */
struct capture {
	uint8_t path1, path2, in_buf, in_len, out_buf;
};

static const struct capture captures[NR_SYSCALLS] = {
    [NR_read] = {.out_buf = 2},
    [NR_pread64] = {.out_buf = 2},
    [NR_recvfrom] = {.out_buf = 2},
    [NR_getcwd] = {.out_buf = 1},
    [NR_write] = {.in_buf = 2, .in_len = 3},
    [NR_pwrite64] = {.in_buf = 2, .in_len = 3},
    [NR_sendto] = {.in_buf = 2, .in_len = 3},
    [NR_sethostname] = {.in_buf = 1, .in_len = 2},
    [NR_setdomainname] = {.in_buf = 1, .in_len = 2},
    [NR_open] = {.path1 = 1},
    [NR_creat] = {.path1 = 1},
    [NR_stat] = {.path1 = 1},
    [NR_lstat] = {.path1 = 1},
    [NR_access] = {.path1 = 1},
    [NR_execve] = {.path1 = 1},
    [NR_chdir] = {.path1 = 1},
    [NR_mkdir] = {.path1 = 1},
    [NR_rmdir] = {.path1 = 1},
    [NR_unlink] = {.path1 = 1},
    [NR_readlink] = {.path1 = 1, .out_buf = 2},
    [NR_chmod] = {.path1 = 1},
    [NR_chown] = {.path1 = 1},
    [NR_lchown] = {.path1 = 1},
    [NR_truncate] = {.path1 = 1},
    [NR_statfs] = {.path1 = 1},
    [NR_chroot] = {.path1 = 1},
    [NR_mknod] = {.path1 = 1},
    [NR_utime] = {.path1 = 1},
    [NR_utimes] = {.path1 = 1},
    [NR_umount2] = {.path1 = 1},
    [NR_openat] = {.path1 = 2},
    [NR_newfstatat] = {.path1 = 2},
    [NR_faccessat] = {.path1 = 2},
    [NR_faccessat2] = {.path1 = 2},
    [NR_mkdirat] = {.path1 = 2},
    [NR_unlinkat] = {.path1 = 2},
    [NR_readlinkat] = {.path1 = 2, .out_buf = 3},
    [NR_fchmodat] = {.path1 = 2},
    [NR_fchownat] = {.path1 = 2},
    [NR_mknodat] = {.path1 = 2},
    [NR_utimensat] = {.path1 = 2},
    [NR_statx] = {.path1 = 2},
    [NR_execveat] = {.path1 = 2},
    [NR_futimesat] = {.path1 = 2},
    [NR_rename] = {.path1 = 1, .path2 = 2},
    [NR_link] = {.path1 = 1, .path2 = 2},
    [NR_symlink] = {.path1 = 1, .path2 = 2},
    [NR_mount] = {.path1 = 1, .path2 = 2},
    [NR_renameat] = {.path1 = 2, .path2 = 4},
    [NR_renameat2] = {.path1 = 2, .path2 = 4},
    [NR_linkat] = {.path1 = 2, .path2 = 4},
    [NR_symlinkat] = {.path1 = 1, .path2 = 3},
};

static void add_string(struct trace_event *e, int arg, size_t len,
		       bool truncated)
{
	int i = e->nstr++;
	e->sarg[i] = (uint8_t)arg;
	e->slen[i] = (uint8_t)len;
	if (truncated)
		e->strunc |= (uint8_t)(1 << i);
}

/* A string argument as far as it is readable; a bad pointer leaves the
 * argument as a number, as strace shows it. */
static void grab_path(struct trace_event *e, int arg)
{
	const char __user *u = (const char __user *)e->a[arg];
	if (!u)
		return;
	long r = strncpy_from_user(e->s[e->nstr], u, TRACE_STR);
	if (r == -ENAMETOOLONG)
		add_string(e, arg, TRACE_STR, true);
	else if (r >= 0)
		add_string(e, arg, (size_t)r, false);
}

static void grab_buf(struct trace_event *e, int arg, uint64_t uptr,
		     uint64_t len)
{
	size_t n = len < TRACE_STR ? len : TRACE_STR;
	if (copy_from_user(e->s[e->nstr], (const void __user *)uptr, n) == 0)
		add_string(e, arg, n, len > TRACE_STR);
}

static void capture_enter(struct trace_event *e, uint64_t nr)
{
	if (nr >= NR_SYSCALLS)
		return;
	const struct capture *c = &captures[nr];
	if (c->path1)
		grab_path(e, c->path1 - 1);
	if (c->path2)
		grab_path(e, c->path2 - 1);
	if (c->in_buf)
		grab_buf(e, c->in_buf - 1, e->a[c->in_buf - 1],
			 e->a[c->in_len - 1]);
}

static void capture_exit(struct trace_event *e, uint64_t nr,
			 const uint64_t *args, long ret)
{
	if (nr >= NR_SYSCALLS || !captures[nr].out_buf || ret <= 0)
		return;
	int arg = captures[nr].out_buf - 1;
	grab_buf(e, arg, args[arg], (uint64_t)ret);
}

#define THROTTLE_WAIT_NS (200 * 1000 * 1000ULL)

/* Whether the process that asked for "wait" still lives: once it is gone,
 * nobody will drain the ring, and waiting would only slow the traced. */
static bool wait_owner_alive(void)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct process *p = proc_find(trace_wait_owner);
	bool alive = p && !p->zombie;
	spin_unlock_irqrestore(&proc_lock, f);
	return alive;
}

/* With "wait" on, a traced call that finds its ring 3/4 full waits for the
 * reader to drain it, as strace's tracee waits for strace: a reader that
 * keeps up loses nothing. The wait is bounded (a reader tracing itself
 * costs time, never a hang) and ends with the reader's process. */
static void throttle(void)
{
	struct trace_ring *r = &trace_rings[0];
	if (r->ev && r->head - r->tail > r->size / 4 * 3 &&
	    !wait_owner_alive()) {
		trace_wait = false;
		return;
	}
	uint64_t deadline = time_ns() + THROTTLE_WAIT_NS;
	irqflags_t f = sched_lock_irqsave();
	while (trace_wait && r->ev && r->head - r->tail > r->size / 4 * 3)
		if (sched_sleep_locked(&trace_reader_wq, deadline) ==
		    -ETIMEDOUT)
			break;
	sched_unlock_irqrestore(f);
}

long trace_syscall(struct trap_frame *tf, trace_syscall_fn run)
{
	struct thread *t = current;
	if (!traced(t))
		return run(tf);
	if (trace_wait)
		throttle();
	struct trace_event e;
	uint64_t nr = (uint64_t)arch_syscall_nr(tf);
	uint64_t args[6] = {ARCH_SYSCALL_ARGS(tf)};
	event_init(&e, EV_SYS_ENTER, t);
	e.nr = (uint16_t)nr;
	memcpy(e.a, args, sizeof(args));
	capture_enter(&e, nr);
	uint64_t stime0 = t->stime_ns;
	record(&e);
	uint64_t start = e.ts;
	/* Kernel time the tracing itself took so far (copying strings), to
	 * leave out of the call's CPU time. */
	uint64_t overhead = start - t->acct_mark_ns;

	long ret = run(tf);

	if (!trace_enabled || !traced(t))
		return ret;
	uint64_t now = time_ns();
	event_init(&e, EV_SYS_EXIT, t);
	e.nr = (uint16_t)nr;
	capture_exit(&e, nr, args, ret);
	e.ts = now;
	e.a[0] = (uint64_t)ret;
	e.a[1] = now - start;
	/* CPU time in the kernel: charged stretches plus the current one
	 * (acct_enter_kernel started it at entry, a switch restarts it). */
	uint64_t cpu = t->stime_ns - stime0 + (now - t->acct_mark_ns);
	e.a[2] = cpu > overhead ? cpu - overhead : 0;
	record(&e);
	return ret;
}

void trace_switch(struct thread *prev, struct thread *next)
{
	if (!traced(prev) && !traced(next))
		return;
	struct trace_event e;
	event_init(&e, EV_SWITCH, prev);
	e.a[0] = prev->state == THREAD_SLEEPING ? 'S'
		 : prev->state == THREAD_ZOMBIE ? 'Z'
						: 'R';
	e.a[1] = (uint64_t)(next->proc ? next->proc->pid : 0);
	e.a[2] = (uint64_t)(next->proc ? next->utid : 0);
	record(&e);
}

/* An event of the current thread, with up to five fields. */
static void record_current(int type, uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t a3, uint64_t a4)
{
	struct thread *t = current;
	if (!traced(t))
		return;
	struct trace_event e;
	event_init(&e, type, t);
	e.a[0] = a0;
	e.a[1] = a1;
	e.a[2] = a2;
	e.a[3] = a3;
	e.a[4] = a4;
	record(&e);
}

void trace_fault(uint64_t addr, uint64_t rip, uint64_t err, int result,
		 uint64_t start_ns)
{
	record_current(EV_FAULT, addr, rip, err, (uint64_t)result,
		       time_ns() - start_ns);
}

void trace_signal(int sig, int action)
{
	record_current(EV_SIGNAL, (uint64_t)sig, (uint64_t)action, 0, 0, 0);
}

void trace_irq(uint64_t vector, uint64_t start_ns)
{
	record_current(EV_IRQ, vector, time_ns() - start_ns, 0, 0, 0);
}

void trace_exit(int status, bool whole_process)
{
	record_current(EV_EXIT, (uint64_t)(uint32_t)status, whole_process, 0, 0,
		       0);
}

void trace_inherit(struct thread *child, struct thread *parent)
{
	child->trace_gen =
	    trace_follow && parent->trace_gen == trace_gen ? trace_gen : 0;
}
