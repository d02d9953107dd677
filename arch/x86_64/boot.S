/* PVH entry: QEMU's -kernel finds the XEN_ELFNOTE_PHYS32_ENTRY note below and
 * jumps to pvh_start32 in 32-bit protected mode, paging off, with %ebx
 * holding the physical address of the hvm_start_info structure. This file
 * builds boot page tables, enters long mode and calls kmain() in the higher
 * half. Everything here runs at physical addresses until the far jump. */
#include <mm/layout.h>

#define PHYS(x) ((x) - KERNEL_VMA)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define HVM_START_MAGIC 0x336ec578

	.section .note.Xen, "a"
	.p2align 2
	.long 4			/* name size: "Xen\0" */
	.long 8			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.quad PHYS(pvh_start32)

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl $PHYS(boot_stack_top), %esp
	cmpl $HVM_START_MAGIC, (%ebx)
	jne boot_fail32
	movl %ebx, %ebp			/* keep start_info across the setup */

	/* Zero .bss (the page tables below live there). */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* Boot page tables: the first 4 GiB identity-mapped (to survive the
	 * switch), the same 4 GiB at DIRECT_MAP_BASE, and the first 1 GiB at
	 * KERNEL_VMA for the kernel image. 2 MiB pages throughout; the
	 * kernel replaces these with finer, W^X tables in paging_init(). */
	movl $PHYS(boot_pd), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* high bits of (i << 21) */
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	movl $PHYS(boot_pdpt_low), %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(PHYS(boot_pd) + PTE_P + PTE_W), %eax
	movl %eax, (%edi, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b

	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_high) + 510 * 8
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4) + 256 * 8
	movl $(PHYS(boot_pdpt_high) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	/* EFER: long mode, and NX if the CPU has it (our later page tables
	 * set NX on data). */
	movl $0x80000001, %eax
	cpuid
	movl %edx, %esi
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	btl $20, %esi
	jnc 3f
	orl $(1 << 11), %eax		/* NXE */
3:	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(boot_start64)

boot_fail32:
	/* Not started through PVH: nothing sensible can be reported yet. */
	hlt
	jmp boot_fail32

	.code64
boot_start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_high, %rax
	jmp *%rax

boot_high:
	movabsq $boot_stack_top, %rsp
	movl %ebp, %edi			/* start_info physical address */
	xorl %ebp, %ebp
	pushq $0			/* end of the frame-pointer chain */
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .boot.data, "aw"
	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit kernel code */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .boot.bss, "aw", @nobits
	.p2align 12
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096 * 4
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
