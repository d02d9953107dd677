/* The IDT and the C side of every interrupt and exception: IRQ handlers are
 * looked up by vector; CPU exceptions in the kernel are recovered through
 * the exception table or become a panic that says what happened. */
#include <acct.h>
#include <arch.h>
#include <asm/apic.h>
#include <asm/gdt.h>
#include <asm/trap.h>
#include <asm/ufault.h>
#include <entry.h>
#include <ksyms.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/vm.h>
#include <panic.h>
#include <percpu.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <time.h>
#include <trace.h>
#include <uapi/errno.h>

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __packed;

static struct idt_entry idt[256] __aligned(16);
extern const uint64_t isr_table[256];
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

static struct {
	irq_handler_t fn;
	void *arg;
} handlers[256];

static const char *const exc_names[32] = {"divide error",
					  "debug",
					  "NMI",
					  "breakpoint",
					  "overflow",
					  "bound range exceeded",
					  "invalid opcode",
					  "device not available",
					  "double fault",
					  "coprocessor segment overrun",
					  "invalid TSS",
					  "segment not present",
					  "stack-segment fault",
					  "general protection",
					  "page fault",
					  "reserved",
					  "x87 floating-point error",
					  "alignment check",
					  "machine check",
					  "SIMD floating-point error",
					  "virtualization exception",
					  "control protection"};

static void idt_set(int vec, uint64_t fn, int ist, int dpl)
{
	idt[vec] = (struct idt_entry){
	    .off_lo = fn & 0xffff,
	    .sel = SEG_KCODE,
	    .ist = ist,
	    .type = 0x8e | (dpl << 5), /* present, 64-bit interrupt gate */
	    .off_mid = (fn >> 16) & 0xffff,
	    .off_hi = fn >> 32,
	};
}

void __init idt_init(void)
{
	for (int v = 0; v < 256; v++)
		idt_set(v, isr_table[v], 0, 0);
	idt_set(TRAP_DF, isr_table[TRAP_DF], IST_DOUBLE_FAULT, 0);
	idt_set(TRAP_NMI, isr_table[TRAP_NMI], IST_NMI, 0);
	idt_set(TRAP_MC, isr_table[TRAP_MC], IST_MACHINE_CHECK, 0);
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed p = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(p));
}

void trap_set_handler(uint8_t vector, irq_handler_t h, void *arg)
{
	handlers[vector].arg = arg;
	handlers[vector].fn = h;
}

int trap_alloc_vector(irq_handler_t h, void *arg)
{
	static spinlock_t lock = SPINLOCK_INIT("vectors");
	irqflags_t f = spin_lock_irqsave(&lock);
	for (int v = VEC_DYN_FIRST; v <= VEC_DYN_LAST; v++) {
		if (!handlers[v].fn) {
			trap_set_handler(v, h, arg);
			spin_unlock_irqrestore(&lock, f);
			return v;
		}
	}
	spin_unlock_irqrestore(&lock, f);
	return -ENOSPC;
}

uint64_t extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = __ex_table_start;
	     e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

void trap_print_frame(const struct trap_frame *tf)
{
	char sym[128];
	ksyms_format(tf->rip, sym, sizeof(sym));
	kprintf("RIP: %04llx:%016llx %s\n", (unsigned long long)tf->cs,
		(unsigned long long)tf->rip, sym);
	kprintf("RSP: %04llx:%016llx EFLAGS: %08llx\n",
		(unsigned long long)tf->ss, (unsigned long long)tf->rsp,
		(unsigned long long)tf->rflags);
	kprintf("RAX: %016llx RBX: %016llx RCX: %016llx\n",
		(unsigned long long)tf->rax, (unsigned long long)tf->rbx,
		(unsigned long long)tf->rcx);
	kprintf("RDX: %016llx RSI: %016llx RDI: %016llx\n",
		(unsigned long long)tf->rdx, (unsigned long long)tf->rsi,
		(unsigned long long)tf->rdi);
	kprintf("RBP: %016llx R08: %016llx R09: %016llx\n",
		(unsigned long long)tf->rbp, (unsigned long long)tf->r8,
		(unsigned long long)tf->r9);
	kprintf("R10: %016llx R11: %016llx R12: %016llx\n",
		(unsigned long long)tf->r10, (unsigned long long)tf->r11,
		(unsigned long long)tf->r12);
	kprintf("R13: %016llx R14: %016llx R15: %016llx\n",
		(unsigned long long)tf->r13, (unsigned long long)tf->r14,
		(unsigned long long)tf->r15);
	kprintf("CR2: %016llx CR3: %016llx CR4: %016llx\n",
		(unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
		(unsigned long long)read_cr4());
	kprintf("vector %llu, error code 0x%llx\n",
		(unsigned long long)tf->vector, (unsigned long long)tf->error);
}

/* Says in words what a kernel-mode page fault was. */
static __noreturn void kernel_page_fault(struct trap_frame *tf, uint64_t addr)
{
	const char *access = (tf->error & PF_INSTR)   ? "instruction fetch"
			     : (tf->error & PF_WRITE) ? "write"
						      : "read";
	const char *why;
	if (tf->error & PF_RSVD)
		why = "reserved bit set in a page-table entry";
	else if (!(tf->error & PF_PRESENT))
		why = "page not present";
	else if (addr < USER_TOP && (read_cr4() & (1UL << 21)))
		why = "SMAP: supervisor access to a user page";
	else if (tf->error & PF_INSTR)
		why = "page is no-execute";
	else if (tf->error & PF_WRITE)
		why = "page is read-only";
	else
		why = "protection violation";
	const char *where = "";
	if (vm_kstack_is_guard(addr))
		where = " (kernel stack overflow: guard page)";
	else if (addr < PAGE_SIZE)
		where = " (NULL pointer dereference)";
	panic_frame(tf, "kernel page fault: %s at 0x%llx: %s%s", access,
		    (unsigned long long)addr, why, where);
}

/* A double fault is nearly always a fault the CPU could not deliver because
 * the stack it would push the frame on is unusable; it runs on its own IST
 * stack (gdt.c), so it can say which stack. CR2 tells only when the first
 * fault was a page fault just below RSP (the frame's 40 bytes, aligned). */
static __noreturn void double_fault(struct trap_frame *tf)
{
	uint64_t rsp = tf->rsp, cr2 = read_cr2();
	bool on_stack = cr2 < rsp && rsp - cr2 <= 64;
	if (vm_kstack_is_guard(cr2) && on_stack)
		panic_frame(tf,
			    "double fault: kernel stack overflow (RSP 0x%llx, "
			    "guard page hit at 0x%llx)",
			    (unsigned long long)rsp, (unsigned long long)cr2);
	if (on_stack)
		panic_frame(tf,
			    "double fault: the stack is not usable (RSP "
			    "0x%llx, page fault at 0x%llx)",
			    (unsigned long long)rsp, (unsigned long long)cr2);
	panic_frame(tf,
		    "double fault (a fault while delivering a fault; RSP "
		    "0x%llx)",
		    (unsigned long long)rsp);
}

static void exception(struct trap_frame *tf)
{
	/* The kernel touching user memory (only the accessors do): demand
	 * paging applies as for the user itself. */
	if (tf->vector == TRAP_PF && read_cr2() < USER_TOP &&
	    extable_lookup(tf->rip)) {
		enum mm_fault_result res;
		uint64_t cr2 = read_cr2();
		/* Interrupts on again if the accessor ran with them on (it
		 * held no spinlock), so a file page can be read from the
		 * disk; else the fault may not sleep and mm_fault says so. */
		bool irq = tf->rflags & RFLAGS_IF;
		if (irq)
			arch_irq_enable();
		bool ok = arch_user_page_fault(tf, cr2, &res);
		if (irq)
			arch_irq_disable();
		if (ok)
			return;
	}
	uint64_t fixup = extable_lookup(tf->rip);
	if (fixup && (tf->vector == TRAP_PF || tf->vector == TRAP_GP)) {
		tf->rip = fixup;
		return;
	}
	if (tf->vector == TRAP_PF)
		kernel_page_fault(tf, read_cr2());
	if (tf->vector == TRAP_DF)
		double_fault(tf);
	const char *name = tf->vector < 32 && exc_names[tf->vector]
			       ? exc_names[tf->vector]
			       : "exception";
	panic_frame(tf, "%s (vector %llu) in kernel mode", name,
		    (unsigned long long)tf->vector);
}

/* Called from entry.S for every vector. */
void trap_dispatch(struct trap_frame *tf)
{
	struct percpu *cpu = this_cpu();

	if (trap_from_user(tf) && cpu->curr->proc)
		acct_enter_kernel(cpu->curr);
	if (tf->vector < 32) {
		if (trap_from_user(tf)) {
			/* CR2 first: once interrupts are on, a preemption lets
			 * another thread fault and overwrite it (which killed
			 * a program for an address of someone else's heap,
			 * about once in 40 runs of the applets test). */
			uint64_t cr2 = tf->vector == TRAP_PF ? read_cr2() : 0;
			arch_irq_enable();
			arch_user_exception(tf, cr2);
			arch_irq_disable();
			exit_to_user(tf);
		} else {
			exception(tf);
		}
		return;
	}
	cpu->irq_depth++;
	cpu->irq_count++;
	uint64_t start = unlikely(trace_enabled) ? time_ns() : 0;
	if (handlers[tf->vector].fn)
		handlers[tf->vector].fn(tf, handlers[tf->vector].arg);
	else if (tf->vector != VEC_SPURIOUS)
		pr_warn("unexpected interrupt vector %llu",
			(unsigned long long)tf->vector);
	if (tf->vector != VEC_SPURIOUS)
		lapic_eoi();
	if (unlikely(trace_enabled))
		trace_irq(tf->vector, start);
	cpu->irq_depth--;
	/* To user mode: the one exit loop (it preempts too). Else preempt
	 * on the way out of the outermost interrupt. */
	if (trap_from_user(tf))
		exit_to_user(tf);
	else if (cpu->irq_depth == 0 && cpu->need_resched &&
		 cpu->preempt_count == 0)
		sched_preempt();
}
