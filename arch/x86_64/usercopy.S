/* The only instructions in the kernel that touch user memory. Each access
 * that may fault has an exception-table entry, so a bad user pointer becomes
 * -EFAULT instead of a kernel fault; with SMAP on, user pages are opened
 * (stac) only for the duration of one copy. Range checks against the
 * user/kernel split are done by the C wrappers in include/uaccess.h. */

	.macro USER_OPEN
	testb $1, uaccess_smap(%rip)
	jz 98f
	stac
98:
	.endm
	.macro USER_CLOSE
	testb $1, uaccess_smap(%rip)
	jz 99f
	clac
99:
	.endm

	.text
/* size_t __uaccess_copy(void *dst, const void *src, size_t n):
 * returns the number of bytes NOT copied (0 on success; after a fault, up
 * to 7 bytes more than were really left, which callers treat alike).
 * Eight bytes a step, then the tail a byte at a time: rep movsb counts one
 * step per byte under QEMU's icount and in TCG (make bench: the 4 KiB read
 * of a file went from 1.5x Linux's path to below it). */
	.globl __uaccess_copy
__uaccess_copy:
	USER_OPEN
	movq %rdx, %rcx
	shrq $3, %rcx
1:	rep movsq
	movl %edx, %ecx
	andl $7, %ecx
2:	rep movsb
	USER_CLOSE
	movq %rcx, %rax
	ret
3:	USER_CLOSE			/* a fault in the 8-byte steps */
	andl $7, %edx
	leaq (%rdx, %rcx, 8), %rax
	ret
4:	USER_CLOSE			/* a fault in the tail */
	movq %rcx, %rax
	ret
	.section __ex_table, "a"
	.p2align 3
	.quad 1b, 3b
	.quad 2b, 4b
	.text

/* size_t __uaccess_clear(void *dst, size_t n): bytes NOT cleared. */
	.globl __uaccess_clear
__uaccess_clear:
	USER_OPEN
	movq %rsi, %rcx
	xorl %eax, %eax
3:	rep stosb
	USER_CLOSE
	movq %rcx, %rax
	ret
4:	USER_CLOSE
	movq %rcx, %rax
	ret
	.section __ex_table, "a"
	.p2align 3
	.quad 3b, 4b
	.text

/* long __uaccess_strncpy(char *dst, const char *src, size_t max):
 * copies up to max bytes, stopping after a NUL. Returns the string's length
 * (without the NUL) if a NUL was copied, max if none was found, or -14
 * (-EFAULT) on a fault. */
	.globl __uaccess_strncpy
__uaccess_strncpy:
	USER_OPEN
	xorl %eax, %eax
5:	cmpq %rdx, %rax
	je 7f
6:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	testb %cl, %cl
	jz 7f
	incq %rax
	jmp 5b
7:	USER_CLOSE
	ret
8:	USER_CLOSE
	movq $-14, %rax
	ret
	.section __ex_table, "a"
	.p2align 3
	.quad 6b, 8b
	.text

	.section .note.GNU-stack, "", @progbits
