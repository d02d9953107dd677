/* Segments: the GDT, the TSS (kernel stack for ring-3 interrupts, and IST
 * stacks so a double fault or NMI always has a good stack), and per-CPU data
 * through the GS base. The selector order is fixed by syscall/sysret, which
 * derive CS and SS from the STAR MSR. */
#include <arch.h>
#include <asm/gdt.h>
#include <asm/percpu.h>
#include <lib/string.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IST_STACK_SIZE 8192

static uint64_t gdt[GDT_ENTRIES] __aligned(16);
static struct tss tss0 __aligned(16);
static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
static struct percpu cpu0;

static void gdt_set_tss(struct tss *t)
{
	uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;
	gdt[SEG_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			    (0x89UL << 40) /* present, 64-bit TSS available */
			    | (((limit >> 16) & 0xf) << 48) |
			    (((base >> 24) & 0xff) << 56);
	gdt[(SEG_TSS >> 3) + 1] = base >> 32;
}

void __init gdt_init(void)
{
	gdt[0] = 0;
	gdt[SEG_KCODE >> 3] = 0x00af9a000000ffffUL; /* 64-bit, DPL 0 */
	gdt[SEG_KDATA >> 3] = 0x00cf92000000ffffUL;
	gdt[SEG_UCODE32 >> 3] = 0x00cffa000000ffffUL; /* 32-bit, DPL 3 */
	gdt[SEG_UDATA >> 3] = 0x00cff2000000ffffUL;
	gdt[SEG_UCODE >> 3] = 0x00affa000000ffffUL; /* 64-bit, DPL 3 */

	memset(&tss0, 0, sizeof(tss0));
	for (int i = 0; i < 3; i++)
		tss0.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss0.iomap_base = sizeof(tss0); /* no I/O bitmap: all ports denied */
	gdt_set_tss(&tss0);

	struct gdt_ptr p = {sizeof(gdt) - 1, (uint64_t)gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(SEG_KCODE), "i"(SEG_KDATA),
			   "r"((uint16_t)SEG_TSS)
			 : "rax", "memory");
}

void __init percpu_init_boot(void)
{
	cpu0.self = &cpu0;
	cpu0.cpu_id = 0;
	cpu0.tss = &tss0;
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void arch_set_kernel_stack(uint64_t top)
{
	tss0.rsp[0] = top;
	this_cpu()->kernel_rsp = top;
}
