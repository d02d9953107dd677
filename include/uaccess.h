/* User-memory accessors: the one way the kernel reads or writes memory
 * whose address came from user space (DESIGN.md §1). Each checks that the
 * range lies below the user/kernel split, then copies with fault recovery
 * (arch/x86_64/usercopy.S). All return 0 or -EFAULT unless said otherwise. */
#ifndef LIMEN_UACCESS_H
#define LIMEN_UACCESS_H

#include <mm/layout.h>
#include <types.h>
#include <uapi/errno.h>

/* The copy loops with fault recovery (usercopy.S). They take plain
 * pointers because one serves both directions; the inline functions
 * below are the only callers, and the __force casts there are where
 * user addresses cross. */
size_t __uaccess_copy(void *dst, const void *src, size_t n);
size_t __uaccess_clear(void *dst, size_t n);
long __uaccess_strncpy(char *dst, const char *src, size_t max);
extern bool uaccess_smap;

static inline bool access_ok(const void __user *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	return n <= USER_TOP && a <= USER_TOP - n;
}

static inline int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!access_ok(src, n))
		return -EFAULT;
	return __uaccess_copy(dst, (__force const void *)src, n) ? -EFAULT : 0;
}

static inline int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!access_ok(dst, n))
		return -EFAULT;
	return __uaccess_copy((__force void *)dst, src, n) ? -EFAULT : 0;
}

static inline int clear_user(void __user *dst, size_t n)
{
	if (!access_ok(dst, n))
		return -EFAULT;
	return __uaccess_clear((__force void *)dst, n) ? -EFAULT : 0;
}

/* Copies a NUL-terminated string of at most max-1 characters. Returns its
 * length, -EFAULT, or -ENAMETOOLONG if no NUL came within max bytes. */
static inline long strncpy_from_user(char *dst, const char __user *src,
				     size_t max)
{
	uintptr_t a = (uintptr_t)src;
	if (a >= USER_TOP)
		return -EFAULT;
	size_t lim = MIN(max, USER_TOP - a);
	long r = __uaccess_strncpy(dst, (__force const char *)src, lim);
	if (r < 0)
		return r;
	if ((size_t)r == lim)
		return lim < max ? -EFAULT : -ENAMETOOLONG;
	return r;
}

#define get_user(var, ptr) copy_from_user(&(var), (ptr), sizeof(var))
#define put_user(var, ptr)                                                     \
	({                                                                     \
		__typeof__(*(ptr)) __v = (var);                                \
		copy_to_user((ptr), &__v, sizeof(__v));                        \
	})

#endif
