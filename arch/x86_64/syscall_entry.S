/* The system-call door: the `syscall` instruction lands in syscall_entry
 * with interrupts masked (FMASK), the user's rip in %rcx and rflags in %r11,
 * and the user stack still in %rsp. We switch to the thread's kernel stack
 * through per-CPU data, build the same struct trap_frame as interrupts do,
 * and call syscall_dispatch(). The way back is sysretq when it is safe (the
 * frame is unchanged in the ways sysret cannot express), else iretq. */
#include <asm/frame.h>
#include <asm/gdt.h>

#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define VEC_SYSCALL 0x100	/* not a CPU vector: marks a syscall frame */

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KERNEL_RSP, %rsp
	pushq $(SEG_UDATA | 3)		/* ss */
	pushq %gs:PERCPU_USER_RSP	/* rsp */
	pushq %r11			/* rflags */
	pushq $(SEG_UCODE | 3)		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error */
	pushq $VEC_SYSCALL		/* vector */
	PUSH_REGS
	cld
	movq %rsp, %rdi
	pushq TF_RIP(%rsp)			/* backtraces continue into user rip */
	pushq %rbp
	movq %rsp, %rbp
	call syscall_dispatch		/* returns nonzero if sysret is safe */
	addq $16, %rsp			/* interrupts are off (exit_to_user) */
	testl %eax, %eax
	jz trap_return
	/* sysret: rcx <- rip, r11 <- rflags; both were clobbered for the user
	 * anyway, as the ABI says. */
	POP_REGS			/* rcx and r11 are replaced below */
	addq $16, %rsp			/* vector, error */
	movq 0(%rsp), %rcx		/* rip */
	movq 16(%rsp), %r11		/* rflags */
	movq 24(%rsp), %rsp		/* user rsp: no kernel stack from here */
	swapgs
	sysretq

/* For measuring only (prctl PR_LIMEN_BARE_SYSCALLS; user/bench/ubench.c):
 * a door that leads straight back out, so the `syscall`+`sysretq` pair can
 * be timed on its own. Only a thread that asked gets it (the context
 * switch sets LSTAR). prctl still comes in, so the thread can turn it off;
 * so does a return to a non-canonical rip, which sysretq would fault on in
 * ring 0 (the Intel sysret hazard): the full path handles both. Nothing
 * here touches memory or the stack, and interrupts stay masked (FMASK). */
	.globl syscall_bare_entry
syscall_bare_entry:
	cmpl $157, %eax			/* __NR_prctl */
	je syscall_entry
	btq $47, %rcx
	jc syscall_entry
	sysretq

/* Enter user mode for the first time: rdi = struct trap_frame * at the top
 * of the kernel stack, filled by the ELF loader. */
	.globl arch_enter_user
arch_enter_user:
	movq %rdi, %rsp
	jmp trap_return

	.section .note.GNU-stack, "", @progbits
