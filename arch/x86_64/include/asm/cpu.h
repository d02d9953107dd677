/* x86_64 CPU primitives: interrupt flag, halting, MSRs, control registers,
 * CPUID and the time stamp counter. */
#ifndef LIMEN_ASM_CPU_H
#define LIMEN_ASM_CPU_H

#include <types.h>

#define RFLAGS_IF (1UL << 9)
/* Saved interrupt flags that mean "on" (a new thread's first unlock). */
#define ARCH_IRQFLAGS_ON RFLAGS_IF
#define RFLAGS_AC (1UL << 18)

static inline uint64_t arch_irq_save(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f;
}
static inline void arch_irq_restore(uint64_t f)
{
	if (f & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}
static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline bool arch_irq_enabled(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & RFLAGS_IF;
}
/* Wait for the next interrupt with interrupts enabled (idle loop). */
static inline void arch_wait_for_irq(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}
static inline __noreturn void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)(v & 0xffffffffu)),
			 "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                           \
	static inline uint64_t read_cr##n(void)                                \
	{                                                                      \
		uint64_t v;                                                    \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(uint64_t v)                             \
	{                                                                      \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");       \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_UMIP (1UL << 11)
#define CR4_FSGSBASE (1UL << 16)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)

#endif
