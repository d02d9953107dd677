/* Raw clone(2) for the fuzzer: threads on their own stacks, and copies of
 * the process that exit at once. See fuzz.h. */
	.text
/* long fuzz_clone_thread(flags, stack_top, fn, arg, ctid) */
	.globl fuzz_clone_thread
	.type fuzz_clone_thread, @function
fuzz_clone_thread:
	and $-16, %rsi
	sub $16, %rsi
	mov %rdx, 0(%rsi)
	mov %rcx, 8(%rsi)
	mov %r8, %r10		/* child_tid */
	xor %edx, %edx		/* parent_tid */
	xor %r8d, %r8d		/* tls */
	mov $56, %eax		/* clone */
	syscall
	test %rax, %rax
	jnz 1f
	xor %ebp, %ebp
	pop %rax
	pop %rdi
	call *%rax
	mov $60, %eax		/* exit: this thread only */
	xor %edi, %edi
	syscall
	ud2
1:	ret
	.size fuzz_clone_thread, .-fuzz_clone_thread

/* long fuzz_clone_exit(flags, stack, ptid, ctid, tls) */
	.globl fuzz_clone_exit
	.type fuzz_clone_exit, @function
fuzz_clone_exit:
	mov %rcx, %r10
	mov $56, %eax
	syscall
	test %rax, %rax
	jnz 1f
	mov $60, %eax		/* exit(0): only the child, even with CLONE_THREAD */
	xor %edi, %edi
	syscall
	ud2
1:	ret
	.size fuzz_clone_exit, .-fuzz_clone_exit
	.section .note.GNU-stack,"",@progbits
