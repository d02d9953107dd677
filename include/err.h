/* Error pointers: a function returning a pointer encodes -errno in the top
 * 4095 values of the address space, as Linux does. */
#ifndef LIMEN_ERR_H
#define LIMEN_ERR_H

#include <types.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err)
{
	return (void *)err;
}
static inline long PTR_ERR(const void *p)
{
	return (long)p;
}
static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}
static inline bool IS_ERR_OR_NULL(const void *p)
{
	return !p || IS_ERR(p);
}

#endif
