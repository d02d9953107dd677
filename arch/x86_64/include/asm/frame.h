/* Assembly helpers that build and take apart the general-register part of
 * struct trap_frame (asm/trap.h), shared by the interrupt and system-call
 * entry paths so the two frames can never drift apart. */
#ifndef LIMEN_ASM_FRAME_H
#define LIMEN_ASM_FRAME_H
#ifdef __ASSEMBLER__
/* clang-format off */

/* Offset of tf->rip from the frame start, with the registers pushed. */
#define TF_RIP 136

	.macro PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro POP_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm

/* clang-format on */
#endif
#endif
