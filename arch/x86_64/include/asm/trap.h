/* The register frame saved on every interrupt, exception and (later) system
 * call entry, in the order arch/x86_64/entry.S pushes it. */
#ifndef LIMEN_ASM_TRAP_H
#define LIMEN_ASM_TRAP_H

#include <types.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	/* Pushed by the CPU. */
	uint64_t rip, cs, rflags, rsp, ss;
};

STATIC_ASSERT(sizeof(struct trap_frame) == 176, "see ARCH_USER_FRAME_RESERVE");

#define TRAP_DE 0
#define TRAP_DB 1
#define TRAP_NMI 2
#define TRAP_BP 3
#define TRAP_OF 4
#define TRAP_BR 5
#define TRAP_UD 6
#define TRAP_NM 7
#define TRAP_DF 8
#define TRAP_TS 10
#define TRAP_NP 11
#define TRAP_SS 12
#define TRAP_GP 13
#define TRAP_PF 14
#define TRAP_MF 16
#define TRAP_AC 17
#define TRAP_MC 18
#define TRAP_XM 19
#define TRAP_VE 20
#define TRAP_CP 21

#define VEC_IRQ_BASE 0x30 /* I/O APIC GSI n arrives as vector 0x30 + n */
#define VEC_TIMER 0x20	  /* local APIC timer */
#define VEC_SPURIOUS 0xff

/* Page-fault error code bits. */
#define PF_PRESENT (1 << 0)
#define PF_WRITE (1 << 1)
#define PF_USER (1 << 2)
#define PF_RSVD (1 << 3)
#define PF_INSTR (1 << 4)
#define PF_PK (1 << 5)

static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

/* The system-call view of a frame, for portable code (kernel/syscall.c,
 * kernel/signal.c, kernel/fork.c): which registers carry the number, the
 * arguments and the result is x86-64's business. */
#define ARCH_VEC_SYSCALL 0x100 /* trap_frame.vector of a system call */
static inline long arch_syscall_nr(const struct trap_frame *tf)
{
	return (long)tf->rax;
}
static inline long arch_syscall_ret(const struct trap_frame *tf)
{
	return (long)tf->rax;
}
static inline void arch_set_syscall_ret(struct trap_frame *tf, long v)
{
	tf->rax = (uint64_t)v;
}
/* Where the interrupted code was and its stack (for reports, sigaltstack)
 * and its frame pointer (for backtraces). */
static inline uint64_t arch_frame_pc(const struct trap_frame *tf)
{
	return tf->rip;
}
static inline uint64_t arch_frame_sp(const struct trap_frame *tf)
{
	return tf->rsp;
}
static inline uint64_t arch_frame_fp(const struct trap_frame *tf)
{
	return tf->rbp;
}
/* The six argument registers, in order, as a C argument list. */
#define ARCH_SYSCALL_ARGS(tf)                                                  \
	(long)(tf)->rdi, (long)(tf)->rsi, (long)(tf)->rdx, (long)(tf)->r10,    \
	    (long)(tf)->r8, (long)(tf)->r9
static inline bool arch_from_syscall(const struct trap_frame *tf)
{
	return tf->vector == ARCH_VEC_SYSCALL;
}
/* Back onto the `syscall` instruction (2 bytes), to make call nr again. */
static inline void arch_syscall_restart(struct trap_frame *tf, long nr)
{
	tf->rax = (uint64_t)nr;
	tf->rip -= 2;
}

typedef void (*irq_handler_t)(struct trap_frame *tf, void *arg);
/* Install a handler for an interrupt vector (IRQs and the timer). */
void trap_set_handler(uint8_t vector, irq_handler_t h, void *arg);
/* Vectors for MSI/MSI-X, above the I/O APIC's range: installs h on a free
 * one and returns it, or -ENOSPC. */
#define VEC_DYN_FIRST 0x50
#define VEC_DYN_LAST 0xef
int trap_alloc_vector(irq_handler_t h, void *arg);
void trap_print_frame(const struct trap_frame *tf);

/* Exception table: an instruction that may fault on purpose (user-memory
 * accessors, probes) records where to resume. */
struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};
/* Returns the fixup address for a faulting rip, or 0. */
uint64_t extable_lookup(uint64_t rip);

#endif
