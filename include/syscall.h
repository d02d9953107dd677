/* The system-call table (kernel/syscall_table.c) and dispatch
 * (kernel/syscall.c). One table, indexed by Linux x86_64 number, is the
 * single source for dispatch, names in traces and docs/syscalls.md. */
#ifndef LIMEN_SYSCALL_H
#define LIMEN_SYSCALL_H

#include <types.h>

#define NR_SYSCALLS 451 /* Linux 6.1: up to set_mempolicy_home_node */

/* Every table entry has this one type: six register-sized arguments.
 * SYSCALL_DEFINEn writes the entry from a handler's real prototype. */
typedef long (*syscall_fn)(long, long, long, long, long, long);

/* SYSCALL_DEFINEn(name, type1, arg1, ..., typen, argn) { body } defines
 * the handler `static long sys_name(type1 arg1, ...)` with its real types
 * (so the compiler and sparse check the body: pointers from user space are
 * `T __user *`), and the table entry `long __se_sys_name(long x6)`, which
 * converts each register to its declared type and calls it. Handlers call
 * each other by their typed names (open calls sys_openat). */
#define SYSCALL_DEFINE0(name)                                                  \
	static long sys_##name(void);                                          \
	long __se_sys_##name(__SC_UNUSED6);                                    \
	long __se_sys_##name(__SC_UNUSED6)                                     \
	{                                                                      \
		return sys_##name();                                           \
	}                                                                      \
	static long sys_##name(void)
#define SYSCALL_DEFINE1(name, ...) __SYSCALL_DEFINEx(1, name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) __SYSCALL_DEFINEx(2, name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) __SYSCALL_DEFINEx(3, name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) __SYSCALL_DEFINEx(4, name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) __SYSCALL_DEFINEx(5, name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) __SYSCALL_DEFINEx(6, name, __VA_ARGS__)

#define __SYSCALL_DEFINEx(n, name, ...)                                        \
	static long sys_##name(__SC_MAP##n(__SC_DECL, __VA_ARGS__));           \
	long __se_sys_##name(long, long, long, long, long, long);              \
	long __se_sys_##name(__SC_MAP##n(__SC_LONG, __VA_ARGS__) __SC_REST##n) \
	{                                                                      \
		return sys_##name(__SC_MAP##n(__SC_CAST, __VA_ARGS__));        \
	}                                                                      \
	static long sys_##name(__SC_MAP##n(__SC_DECL, __VA_ARGS__))

/* Apply m to each (type, name) pair, comma-separated. */
#define __SC_MAP1(m, t, a) m(t, a)
#define __SC_MAP2(m, t, a, ...) m(t, a), __SC_MAP1(m, __VA_ARGS__)
#define __SC_MAP3(m, t, a, ...) m(t, a), __SC_MAP2(m, __VA_ARGS__)
#define __SC_MAP4(m, t, a, ...) m(t, a), __SC_MAP3(m, __VA_ARGS__)
#define __SC_MAP5(m, t, a, ...) m(t, a), __SC_MAP4(m, __VA_ARGS__)
#define __SC_MAP6(m, t, a, ...) m(t, a), __SC_MAP5(m, __VA_ARGS__)
#define __SC_DECL(t, a) t a
#define __SC_LONG(t, a) long a
/* The register holds an integer; the declared type says what it is (an
 * int is its low 32 bits, a pointer a user address). */
#define __SC_CAST(t, a) (__force t)(a)
/* The registers a handler does not take. */
#define __SC_U(i) long __unused_##i __attribute__((unused))
#define __SC_UNUSED6                                                           \
	__SC_U(1), __SC_U(2), __SC_U(3), __SC_U(4), __SC_U(5), __SC_U(6)
#define __SC_REST1 , __SC_U(2), __SC_U(3), __SC_U(4), __SC_U(5), __SC_U(6)
#define __SC_REST2 , __SC_U(3), __SC_U(4), __SC_U(5), __SC_U(6)
#define __SC_REST3 , __SC_U(4), __SC_U(5), __SC_U(6)
#define __SC_REST4 , __SC_U(5), __SC_U(6)
#define __SC_REST5 , __SC_U(6)
#define __SC_REST6

/* Name of every Linux number (NULL for holes) and the handler of each
 * implemented one (NULL: -ENOSYS). */
extern const char *const syscall_names[NR_SYSCALLS];
extern const syscall_fn syscall_fns[NR_SYSCALLS];
/* How often each unimplemented number was called. */
extern uint64_t syscall_enosys_count[NR_SYSCALLS];
void syscall_report_enosys(void);

#endif
