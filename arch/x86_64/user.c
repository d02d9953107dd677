/* x86_64 user-mode support: the syscall/sysret MSRs, fresh ring-3 frames,
 * the sysret safety rule, and per-thread FPU/SSE/AVX state (XSAVE when the
 * CPU has it, else FXSAVE), which glibc's and musl's string functions use. */
#include <arch.h>
#include <asm/cpufeature.h>
#include <asm/gdt.h>
#include <asm/user.h>
#include <lib/string.h>
#include <panic.h>
#include <printk.h>

extern char syscall_entry[];

#define RFLAGS_TF (1UL << 8)
#define RFLAGS_DF (1UL << 10)
#define RFLAGS_NT (1UL << 14)
#define RFLAGS_RF (1UL << 16)
#define RFLAGS_VM (1UL << 17)

void __init syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* syscall: CS = 0x08, SS = 0x10. sysret (64-bit): CS = base + 16,
	 * SS = base + 8, with base = the 32-bit user code selector. */
	wrmsr(MSR_STAR, ((uint64_t)(SEG_UCODE32 | 3) << 48) |
			    ((uint64_t)SEG_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Entered with interrupts off, no single-step, DF and AC clear. */
	wrmsr(MSR_FMASK,
	      RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
}

extern char syscall_bare_entry[];

void arch_set_bare_syscalls(bool on)
{
	wrmsr(MSR_LSTAR,
	      on ? (uint64_t)syscall_bare_entry : (uint64_t)syscall_entry);
}

void arch_user_frame_init(struct trap_frame *tf, uint64_t rip, uint64_t rsp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->rsp = rsp;
	tf->cs = SEG_UCODE | 3;
	tf->ss = SEG_UDATA | 3;
	tf->rflags = RFLAGS_IF | 0x2; /* bit 1 is always set */
}

int arch_sysret_ok(const struct trap_frame *tf)
{
	/* sysret faults in ring 0 on a non-canonical rip (CVE-2012-0217),
	 * so anything near the top of user space goes through iret. */
	return tf->vector == VEC_SYSCALL && tf->cs == (SEG_UCODE | 3) &&
	       tf->ss == (SEG_UDATA | 3) && tf->rip < 0x00007ffffffff000UL &&
	       !(tf->rflags & (RFLAGS_TF | RFLAGS_RF | RFLAGS_VM));
}

static size_t fpu_size = 512;
static uint64_t xcr0;
static struct fpu_state fpu_initial;

static inline void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(idx), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

void __init fpu_init(void)
{
	uint64_t cr0 = read_cr0();
	cr0 &= ~(1UL << 2); /* EM: no emulation */
	cr0 |= (1UL << 1);  /* MP */
	cr0 &= ~(1UL << 3); /* TS: no lazy switching */
	write_cr0(cr0);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (cpu_features.xsave) {
		uint32_t a, b, c, d;
		write_cr4(read_cr4() | CR4_OSXSAVE);
		cpuid(0xd, 0, &a, &b, &c, &d);
		xcr0 = (((uint64_t)d << 32) | a) & 0x7; /* x87, SSE, AVX */
		xsetbv(0, xcr0);
		cpuid(0xd, 0, &a, &b, &c, &d);
		fpu_size = b; /* size for the features enabled in XCR0 */
		if (fpu_size > FPU_STATE_MAX)
			panic("fpu: XSAVE area of %zu bytes too large",
			      fpu_size);
	}
	/* The clean state every new user thread starts from. */
	__asm__ volatile("fninit");
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	memset(&fpu_initial, 0, sizeof(fpu_initial));
	fpu_save(&fpu_initial);
	pr_info("fpu: %s, %zu-byte state, XCR0 %#llx",
		xcr0 ? "XSAVE" : "FXSAVE", fpu_size, (unsigned long long)xcr0);
}

size_t fpu_state_size(void)
{
	return fpu_size;
}

void fpu_state_init(struct fpu_state *st)
{
	memcpy(st->area, fpu_initial.area, fpu_size);
}

void fpu_save(struct fpu_state *st)
{
	if (xcr0)
		__asm__ volatile("xsave64 %0"
				 : "=m"(*st)
				 : "a"((uint32_t)xcr0),
				   "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 %0" : "=m"(*st)::"memory");
}

void fpu_restore(const struct fpu_state *st)
{
	if (xcr0)
		__asm__ volatile("xrstor64 %0" ::"m"(*st), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 %0" ::"m"(*st) : "memory");
}
