/* The undefined-behaviour sanitizer's handlers, for kernels built with
 * SANITIZE=1 (the compiler's -fsanitize checks, as Linux's CONFIG_UBSAN
 * picks them: array bounds, shifts, division by zero, unreachable code,
 * invalid bool and enum loads). Any report is a kernel bug: it panics with
 * the source position and a backtrace. Also the stack protector's failure
 * handler and its canary. */
#include <panic.h>
#include <types.h>

#ifdef KERNEL_SANITIZE

/* The handlers' operands (the values involved) are not printed. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct ubsan_source {
	const char *file;
	uint32_t line, column;
};

/* Every handler's data starts with the source position. */
static __noreturn void ubsan_report(const char *what, const void *data)
{
	const struct ubsan_source *s = data;
	panic("UBSAN: %s at %s:%u:%u", what, s->file, s->line, s->column);
}

#define UBSAN_HANDLER(name, what, ...)                                         \
	void __ubsan_handle_##name(void *data, ##__VA_ARGS__);                 \
	void __ubsan_handle_##name(void *data, ##__VA_ARGS__)                  \
	{                                                                      \
		ubsan_report(what, data);                                      \
	}

UBSAN_HANDLER(out_of_bounds, "array index out of bounds", void *index)
UBSAN_HANDLER(shift_out_of_bounds, "shift out of bounds", void *l, void *r)
UBSAN_HANDLER(divrem_overflow, "division by zero or overflow", void *l, void *r)
UBSAN_HANDLER(builtin_unreachable, "unreachable code reached")
UBSAN_HANDLER(load_invalid_value, "invalid bool or enum value loaded", void *v)
UBSAN_HANDLER(type_mismatch_v1, "misaligned or null access", void *p)
UBSAN_HANDLER(add_overflow, "signed addition overflow", void *l, void *r)
UBSAN_HANDLER(sub_overflow, "signed subtraction overflow", void *l, void *r)
UBSAN_HANDLER(mul_overflow, "signed multiplication overflow", void *l, void *r)
UBSAN_HANDLER(negate_overflow, "signed negation overflow", void *v)
UBSAN_HANDLER(pointer_overflow, "pointer arithmetic overflow", void *b, void *r)
UBSAN_HANDLER(vla_bound_not_positive, "variable-length array bound <= 0",
	      void *b)

/* -fstack-protector-strong with -mstack-protector-guard=global: one
 * canary for the whole kernel, set once at boot. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL;

__noreturn void __stack_chk_fail(void);
__noreturn void __stack_chk_fail(void)
{
	panic("stack protector: a kernel stack frame was overwritten");
}

#endif
