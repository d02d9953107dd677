/* The kernel trace facility (kernel/trace.c, trace_format.c, trace_ctl.c):
 * events at the boundary — system-call entry with its arguments, exit with
 * its result and the time spent in the kernel, context switches, page
 * faults, signal delivery, interrupts and exits — kept in per-CPU ring
 * buffers and read as text through /proc/limen/trace, controlled through
 * /proc/limen/trace_ctl (docs/trace.md). When tracing is off, the only cost
 * is one test of trace_enabled on each path. */
#ifndef LIMEN_TRACE_H
#define LIMEN_TRACE_H

#include <types.h>

struct trap_frame;
struct thread;
struct process;

/* Set while anything is traced; every hook is behind unlikely(it). */
extern bool trace_enabled;

typedef long (*trace_syscall_fn)(struct trap_frame *tf);

/* Runs the system call in tf through run, recording entry and exit. */
long trace_syscall(struct trap_frame *tf, trace_syscall_fn run);
void trace_switch(struct thread *prev, struct thread *next);
/* A page fault on a user address, resolved (result 0) or not, which
 * began at start_ns. */
void trace_fault(uint64_t addr, uint64_t rip, uint64_t err, int result,
		 uint64_t start_ns);
/* action: what delivery did (TRACE_SIG_*). */
void trace_signal(int sig, int action);
void trace_irq(uint64_t vector, uint64_t start_ns);
void trace_exit(int status, bool whole_process);
/* A new user thread: traced if its creator is and children are followed. */
void trace_inherit(struct thread *child, struct thread *parent);

enum {
	TRACE_SIG_HANDLER,
	TRACE_SIG_IGNORE,
	TRACE_SIG_STOP,
	TRACE_SIG_KILL,
};

/* For procfs: the status text of trace_ctl, a command written to it, and
 * the events recorded before `before_ns` as text lines (consumed). */
long trace_ctl_show(char *buf, size_t size);
long trace_ctl_command(const char *cmd, size_t len);
long trace_read(char *buf, size_t n, uint64_t before_ns);

#endif
