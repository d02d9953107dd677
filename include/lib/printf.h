/* Formatted output into buffers (lib/printf.c). Supports the C conversions
 * the kernel uses: %d %i %u %x %X %o %c %s %p %%, the flags '-', '0', '+',
 * ' ', '#', a width and precision (also '*'), and the length modifiers hh, h,
 * l, ll, z, t, j. Returns the length the full output would have had, as C's
 * snprintf does. */
#ifndef LIMEN_LIB_PRINTF_H
#define LIMEN_LIB_PRINTF_H

#include <types.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
