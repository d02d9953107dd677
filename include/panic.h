/* Unrecoverable kernel errors: panic() prints the message, registers and a
 * symbolised backtrace, then powers off (kernel/panic.c). */
#ifndef LIMEN_PANIC_H
#define LIMEN_PANIC_H

#include <types.h>

struct trap_frame;

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* Panic from a trap handler, with the trapped register state. */
__noreturn void panic_frame(const struct trap_frame *tf, const char *fmt, ...)
    __printf(2, 3);

#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (unlikely(cond))                                            \
			panic("BUG: %s at %s:%d in %s()", #cond, __FILE__,     \
			      __LINE__, __func__);                             \
	} while (0)

#endif
