/* Basic types and helper macros shared by the kernel and its host unit tests.
 * Only compiler-provided freestanding headers are used, so this file works
 * both in the kernel (-ffreestanding) and on the host. */
#ifndef LIMEN_TYPES_H
#define LIMEN_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t phys_addr_t;
typedef uint64_t virt_addr_t;
#ifndef __ssize_t_defined
typedef long ssize_t;
#define __ssize_t_defined
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))

/* User-space addresses: a pointer into user memory is `T __user *`, and
 * sparse (make check) refuses to dereference it or to mix it with kernel
 * pointers; only the accessors in uaccess.h cross. __force marks the few
 * casts that cross on purpose. Both are nothing to the compiler. */
#ifdef __CHECKER__
#define __user __attribute__((noderef, address_space(__user)))
#define __force __attribute__((force))
#else
#define __user
#define __force
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __packed __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __aligned(n) __attribute__((aligned(n)))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __section(s) __attribute__((section(s)))
/* Code and data only needed during boot (kept for now; marked so it can be
 * discarded later, as seL4 and Linux do). */
#define __init __section(".text.init")

#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

#endif
