/* User and system time, charged at each crossing of the boundary rather
 * than sampled at timer ticks (kernel/acct.c): entering the kernel closes a
 * stretch of user time, returning to user mode closes a stretch of system
 * time, and a context switch closes the outgoing thread's stretch. */
#ifndef LIMEN_ACCT_H
#define LIMEN_ACCT_H

#include <types.h>

struct thread;

void acct_enter_kernel(struct thread *t); /* from user mode */
void acct_exit_kernel(struct thread *t);  /* back to user mode */
void acct_switch(struct thread *prev, struct thread *next);
/* Writes user and system time (ns) as a struct rusage to user memory
 * (kernel/sys_info.c; wait4 and waitid use it too). */
int rusage_put_times(void __user *ur, uint64_t utime_ns, uint64_t stime_ns);

#endif
