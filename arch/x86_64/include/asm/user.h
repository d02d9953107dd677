/* The x86_64 side of user mode: entering ring 3, the syscall MSRs, the
 * per-thread FS base and FPU/SSE state. */
#ifndef LIMEN_ASM_USER_H
#define LIMEN_ASM_USER_H

#include <asm/trap.h>
#include <types.h>

#define VEC_SYSCALL ARCH_VEC_SYSCALL

void syscall_init(void);
/* Starts executing the user context in *tf (at the top of the current
 * kernel stack). Never returns. */
__noreturn void arch_enter_user(struct trap_frame *tf);
/* Fills a frame for a fresh ring-3 start at rip with stack rsp. */
void arch_user_frame_init(struct trap_frame *tf, uint64_t rip, uint64_t rsp);
/* Nonzero when the frame can return through sysret. */
int arch_sysret_ok(const struct trap_frame *tf);
/* This CPU's system-call door: the real one, or (on) the one that returns
 * at once, for measuring the bare instruction pair. */
void arch_set_bare_syscalls(bool on);

/* FPU/SSE/AVX state, saved with XSAVE (or FXSAVE) on every switch away
 * from a thread that uses user mode. */
#define FPU_STATE_MAX 4096
struct fpu_state {
	uint8_t area[FPU_STATE_MAX] __aligned(64);
};
void fpu_init(void);
void fpu_state_init(struct fpu_state *st);
void fpu_save(struct fpu_state *st);
void fpu_restore(const struct fpu_state *st);
size_t fpu_state_size(void);

static inline void arch_set_fs_base(uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(0xc0000100), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

#endif
