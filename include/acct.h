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

#endif
