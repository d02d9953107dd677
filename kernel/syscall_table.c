/* The system-call table: every Linux x86_64 number's name, and the handler
 * of each one Limen implements. This list is the single source for
 * dispatch, trace output and docs/syscalls.md (tools/gen-syscall-doc.sh). */
#include <syscall.h>
#include <syscall_names.h>

#define NAME(nr, name) [nr] = #name,
const char *const syscall_names[NR_SYSCALLS] = {SYSCALL_NAMES(NAME)};

/* Handlers (kernel/sys_*.c). Their C prototypes have fewer or narrower
 * parameters than syscall_fn; see include/syscall.h for why that is
 * fine on x86_64. */
#define SYS(name) long sys_##name();
#include <syscall_list.h>
#undef SYS

#define SYS(name) [__NR_##name] = (syscall_fn)sys_##name,
const syscall_fn syscall_fns[NR_SYSCALLS] = {
#include <syscall_list.h>
};
