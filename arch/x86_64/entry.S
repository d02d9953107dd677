/* Interrupt and exception entry: 256 stubs that give every vector the same
 * frame (struct trap_frame), the common path into trap_dispatch(), and the
 * kernel-thread context switch. swapgs is done only when the interrupted
 * code was in ring 3, so GS always points at per-CPU data in the kernel
 * (double fault, NMI and machine check ask the GS base instead: see
 * trap_paranoid). */

#include <asm/frame.h>

	.text

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro ISR vec
	.p2align 4
isr_\vec:
	.if !((\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30))
	pushq $0
	.endif
	pushq $\vec
	.if (\vec == 2) || (\vec == 8) || (\vec == 18)
	jmp trap_paranoid
	.else
	jmp trap_common
	.endif
	.endm

	.altmacro
	.macro ISR_ALL from=0, to=255
	ISR \from
	.if \to-\from
	ISR_ALL %(\from+1), \to
	.endif
	.endm

	/* Recursion depth limits force a few batches. */
	ISR_ALL 0, 63
	ISR_ALL 64, 127
	ISR_ALL 128, 191
	ISR_ALL 192, 255

	.macro ISR_ADDR vec
	.quad isr_\vec
	.endm
	.macro ISR_TABLE from=0, to=255
	ISR_ADDR %(\from)
	.if \to-\from
	ISR_TABLE %(\from+1), \to
	.endif
	.endm

	.section .rodata
	.p2align 3
	.globl isr_table
isr_table:
	ISR_TABLE 0, 63
	ISR_TABLE 64, 127
	ISR_TABLE 128, 191
	ISR_TABLE 192, 255
	.noaltmacro

	.text
	.globl trap_common
trap_common:
	/* rsp -> vector, error, rip, cs, ... */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	PUSH_REGS
trap_common_regs_saved:
	cld
	movq %rsp, %rdi
	/* Frame-pointer chain through the trapped rip, so backtraces from a
	 * handler continue into the interrupted code. */
	pushq TF_RIP(%rsp)		/* tf->rip */
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
	.globl trap_return
trap_return:
	cli			/* nothing may interrupt between swapgs and iret */
	POP_REGS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp		/* vector, error */
	iretq

/* Double fault, NMI and machine check (each on its own IST stack) can
 * arrive in ring 0 while GS still holds the user's base: on the first
 * instruction of syscall_entry, or between the swapgs and the sysretq or
 * iretq of the way out. The CPL test would then leave the user's GS, and
 * the handler's first per-CPU access would fault on the way to its panic.
 * So these ask the GS base MSR: a kernel address (sign bit set; user bases
 * are below USER_TOP and FSGSBASE is off) means GS is already ours. Ring 0
 * never resumes from these vectors (exception() panics), and from ring 3
 * the two tests agree, so trap_return's CPL test stays right. */
trap_paranoid:
	PUSH_REGS
	movl $0xc0000101, %ecx		/* MSR_GS_BASE; rcx, rdx, rax are saved */
	rdmsr
	testl %edx, %edx
	js trap_common_regs_saved
	swapgs
	jmp trap_common_regs_saved

/* void arch_context_switch(struct arch_context **save, struct arch_context *next)
 * Saves the callee-saved registers on the current stack, stores the stack
 * pointer in *save, and resumes next's stack the same way. */
	.globl arch_context_switch
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First code a new kernel thread runs: r12 = function, r13 = argument
 * (placed by arch_thread_init). */
	.globl arch_thread_trampoline
arch_thread_trampoline:
	movq %r12, %rdi
	movq %r13, %rsi
	xorl %ebp, %ebp
	pushq $0		/* end of backtrace */
	call thread_entry	/* never returns */
	ud2

/* int arch_probe_read64(const void *addr, uint64_t *out): reads 8 bytes and
 * returns 0, or -EFAULT (-14) if the read faults. The fault is recovered
 * through the exception table: the mechanism user-memory accessors use. */
	.globl arch_probe_read64
arch_probe_read64:
	xorl %eax, %eax
1:	movq (%rdi), %rdx
	movq %rdx, (%rsi)
	ret
2:	movl $-14, %eax
	ret
	.section __ex_table, "a"
	.p2align 3
	.quad 1b, 2b
	.text

/* int arch_probe_write64(void *addr, uint64_t val): 0 or -EFAULT. */
	.globl arch_probe_write64
arch_probe_write64:
	xorl %eax, %eax
1:	movq %rsi, (%rdi)
	ret
2:	movl $-14, %eax
	ret
	.section __ex_table, "a"
	.p2align 3
	.quad 1b, 2b
	.text

	.section .note.GNU-stack, "", @progbits
