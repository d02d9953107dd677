/* The system-call table (kernel/syscall_table.c) and dispatch
 * (kernel/syscall.c). One table, indexed by Linux x86_64 number, is the
 * single source for dispatch, names in traces and docs/syscalls.md. */
#ifndef LIMEN_SYSCALL_H
#define LIMEN_SYSCALL_H

#include <types.h>

#define NR_SYSCALLS 451 /* Linux 6.1: up to set_mempolicy_home_node */

/* Handlers take up to six integer arguments; the table stores them as
 * this type and the x86_64 calling convention makes extra arguments
 * harmless. */
typedef long (*syscall_fn)(long, long, long, long, long, long);

/* Name of every Linux number (NULL for holes) and the handler of each
 * implemented one (NULL: -ENOSYS). */
extern const char *const syscall_names[NR_SYSCALLS];
extern const syscall_fn syscall_fns[NR_SYSCALLS];
/* How often each unimplemented number was called. */
extern uint64_t syscall_enosys_count[NR_SYSCALLS];
void syscall_report_enosys(void);

#endif
