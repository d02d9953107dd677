/* The system-call table: every Linux x86_64 number's name, and the handler
 * of each one Limen implements. This list is the single source for
 * dispatch, trace output and docs/syscalls.md (tools/gen-syscall-doc.sh). */
#include <syscall.h>
#include <syscall_names.h>

#define NAME(nr, name) [nr] = #name,
const char *const syscall_names[NR_SYSCALLS] = {SYSCALL_NAMES(NAME)};

/* The entries SYSCALL_DEFINEn writes next to each handler (kernel/sys_*.c
 * and others); each has exactly the type syscall_fn. */
#define SYS(name) long __se_sys_##name(long, long, long, long, long, long);
#include <syscall_list.h>
#undef SYS

#define SYS(name) [__NR_##name] = __se_sys_##name,
const syscall_fn syscall_fns[NR_SYSCALLS] = {
#include <syscall_list.h>
};
