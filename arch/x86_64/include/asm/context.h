/* Kernel-thread context: callee-saved registers pushed on the thread's own
 * stack by arch_context_switch (arch/x86_64/entry.S). */
#ifndef LIMEN_ASM_CONTEXT_H
#define LIMEN_ASM_CONTEXT_H

#include <types.h>

struct arch_context {
	uint64_t r15, r14, r13, r12, rbx, rbp, rip;
};

void arch_context_switch(struct arch_context **save, struct arch_context *next);
void arch_thread_trampoline(void);

/* Space kept free at the top of every kernel stack for the saved user
 * registers (struct trap_frame, 176 bytes), so that a thread entering
 * user mode can build its frame there without touching its own calls. */
#define ARCH_USER_FRAME_RESERVE 176

/* Lays out a new thread's stack so the first switch to it enters
 * thread_entry(fn, arg). */
static inline struct arch_context *
arch_thread_init(void *stack_top, void (*fn)(void *), void *arg)
{
	struct arch_context *c =
	    (struct arch_context *)((uintptr_t)stack_top -
				    ARCH_USER_FRAME_RESERVE - 8 - sizeof(*c));
	*c = (struct arch_context){
	    .r12 = (uint64_t)fn,
	    .r13 = (uint64_t)arg,
	    .rip = (uint64_t)arch_thread_trampoline,
	};
	return c;
}

/* Kernel stack the CPU switches to on an interrupt from user mode. */
void arch_set_kernel_stack(uint64_t top);

#endif
