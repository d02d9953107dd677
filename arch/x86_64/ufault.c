/* CPU exceptions raised by user code: a page fault is first resolved
 * against the process's VMAs (demand paging, stack growth); anything else
 * becomes the signal Linux would send, with a sentence saying which
 * protection stopped the program. The same VMA lookup serves kernel-mode
 * faults on user addresses inside the user-memory accessors. */
#include <arch.h>
#include <asm/trap.h>
#include <asm/ufault.h>
#include <fs/bcache.h>
#include <lib/printf.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <mm/shmem.h>
#include <oom.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <trace.h>
#include <uaccess.h>
#include <uapi/signal.h>

static const char *access_word(uint64_t err)
{
	if (err & PF_INSTR)
		return "instruction fetch";
	return (err & PF_WRITE) ? "write" : "read";
}

/* Tries to resolve a page fault on a user address; true if resolved. */
bool arch_user_page_fault(struct trap_frame *tf, uint64_t addr,
			  enum mm_fault_result *res)
{
	struct process *p = proc_current();
	uint64_t start = unlikely(trace_enabled) ? time_ns() : 0;
	*res = MM_FAULT_UNMAPPED;
	/* A present page that faults is a protection violation, except for
	 * the race of two threads populating the same page. */
	if (p && p->mm && addr < USER_TOP) {
		*res = mm_fault(p->mm, addr, tf->error & PF_WRITE,
				tf->error & PF_INSTR);
		/* Out of memory: a victim dies, and a user access is
		 * retried once it has (or this process was the victim, and
		 * dies on the way); a kernel accessor's fails (-EFAULT), as
		 * it may hold locks the victim needs. */
		bool user = trap_from_user(tf);
		/* Clean file pages nothing maps go first, then clean
		 * file-system blocks: then the access is tried again, by
		 * the kernel accessor too. */
		if (*res == MM_FAULT_NOMEM &&
		    (shm_reclaim(256) || bcache_shrink(256 * PAGE_SIZE)))
			*res = MM_FAULT_OK;
		else if (*res == MM_FAULT_NOMEM && oom_kill(user) && user)
			*res = MM_FAULT_OK;
	}
	if (unlikely(trace_enabled))
		trace_fault(addr, tf->rip, tf->error, *res, start);
	return *res == MM_FAULT_OK;
}

static void page_fault_report(struct trap_frame *tf, uint64_t addr,
			      enum mm_fault_result res, char *buf, size_t n)
{
	const char *acc = access_word(tf->error);
	if (addr >= USER_TOP)
		snprintf(buf, n,
			 "user-mode %s of kernel address %#llx (page is "
			 "supervisor-only)",
			 acc, (unsigned long long)addr);
	else if (res == MM_FAULT_STACK_LIMIT)
		snprintf(buf, n,
			 "stack overflow: %s at %#llx is beyond the 8 MiB "
			 "stack limit",
			 acc, (unsigned long long)addr);
	else if (res == MM_FAULT_UNMAPPED)
		snprintf(buf, n, "%s of unmapped address %#llx%s", acc,
			 (unsigned long long)addr,
			 addr < PAGE_SIZE ? " (NULL pointer)" : "");
	else if (res == MM_FAULT_NOMEM)
		snprintf(buf, n, "out of memory paging in %#llx",
			 (unsigned long long)addr);
	else if (res == MM_FAULT_IO)
		snprintf(buf, n,
			 "%s at %#llx: the file page could not be read (I/O "
			 "error)",
			 acc, (unsigned long long)addr);
	else if (res == MM_FAULT_BEYOND)
		snprintf(buf, n,
			 "%s at %#llx is past the end of the shared memory "
			 "it maps",
			 acc, (unsigned long long)addr);
	else if (tf->error & PF_INSTR)
		snprintf(buf, n,
			 "instruction fetch from non-executable page %#llx "
			 "(NX)",
			 (unsigned long long)addr);
	else if (tf->error & PF_WRITE)
		snprintf(buf, n, "write to read-only page %#llx",
			 (unsigned long long)addr);
	else
		snprintf(buf, n, "read of inaccessible page %#llx (PROT_NONE)",
			 (unsigned long long)addr);
}

/* Names the instruction behind a user #GP when it is one of the usual
 * privileged ones, so the report says what the program tried. */
static const char *gp_instruction(const struct trap_frame *tf)
{
	uint8_t b[3] = {0};
	if (copy_from_user(b, (const void __user *)tf->rip, 1))
		return NULL;
	copy_from_user(b + 1, (const void __user *)(tf->rip + 1), 2);
	switch (b[0]) {
	case 0xf4:
		return "hlt (privileged: CPL 0 only)";
	case 0xfa:
		return "cli (IOPL 0: interrupts are the kernel's)";
	case 0xfb:
		return "sti (IOPL 0: interrupts are the kernel's)";
	case 0xe4:
	case 0xe5:
	case 0xe6:
	case 0xe7:
	case 0xec:
	case 0xed:
	case 0xee:
	case 0xef:
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f:
		return "port I/O (no I/O permission bitmap in the TSS)";
	case 0x0f:
		if (b[1] == 0x20 || b[1] == 0x22)
			return "mov to/from a control register (CPL 0 only)";
		if (b[1] == 0x01)
			return "a system-table instruction (CPL 0 only or "
			       "UMIP)";
		if (b[1] == 0x30 || b[1] == 0x32)
			return "wrmsr/rdmsr (CPL 0 only)";
		return NULL;
	default:
		return NULL;
	}
}

/* si_code of an x87 (#MF) or SSE (#XM) exception: the first unmasked
 * exception flag, in Linux's order (fpu__exception_code). The user's FPU
 * state is still in the registers: the kernel does not use them. */
static int fpu_exception_code(const struct trap_frame *tf)
{
	uint32_t err;
	if (tf->vector == TRAP_XM) {
		uint32_t mxcsr;
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		err = mxcsr & ~(mxcsr >> 7) & 0x3f;
	} else {
		uint16_t sw, cw;
		__asm__ volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
		err = sw & ~cw & 0x3f;
	}
	if (err & 0x01)
		return FPE_FLTINV;
	if (err & 0x04)
		return FPE_FLTDIV;
	if (err & 0x08)
		return FPE_FLTOVF;
	if (err & 0x12)
		return FPE_FLTUND;
	if (err & 0x20)
		return FPE_FLTRES;
	return 0;
}

/* cr2: the faulting address, read before interrupts were enabled. The
 * signal's si_code and si_addr are Linux's for the same exception. */
void arch_user_exception(struct trap_frame *tf, uint64_t cr2)
{
	char what[160];
	struct ksiginfo info = {.fault.addr = tf->rip};
	switch (tf->vector) {
	case TRAP_PF: {
		uint64_t addr = cr2;
		enum mm_fault_result res;
		if (arch_user_page_fault(tf, addr, &res))
			return;
		page_fault_report(tf, addr, res, what, sizeof(what));
		info.fault.addr = addr;
		if (res == MM_FAULT_NOMEM || res == MM_FAULT_BEYOND ||
		    res == MM_FAULT_IO) {
			info.signo = SIGBUS;
			info.code = BUS_ADRERR;
		} else {
			info.signo = SIGSEGV;
			/* A present page refused the access, or nothing is
			 * mapped there. */
			info.code =
			    (res == MM_FAULT_PROT) ? SEGV_ACCERR : SEGV_MAPERR;
		}
		break;
	}
	case TRAP_DE:
		snprintf(what, sizeof(what), "divide error");
		info.signo = SIGFPE;
		info.code = FPE_INTDIV;
		break;
	case TRAP_MF:
	case TRAP_XM:
		snprintf(what, sizeof(what), "floating-point exception");
		info.signo = SIGFPE;
		info.code = fpu_exception_code(tf);
		break;
	case TRAP_UD:
		snprintf(what, sizeof(what), "invalid opcode");
		info.signo = SIGILL;
		info.code = ILL_ILLOPN;
		break;
	case TRAP_GP: {
		const char *insn = gp_instruction(tf);
		if (insn)
			snprintf(what, sizeof(what),
				 "general protection fault: %s", insn);
		else
			snprintf(what, sizeof(what),
				 "general protection fault (non-canonical "
				 "address or privileged operation)");
		info.signo = SIGSEGV;
		info.code = SI_KERNEL;
		info.fault.addr = 0;
		break;
	}
	case TRAP_SS:
		snprintf(what, sizeof(what), "stack-segment fault");
		info.signo = SIGBUS;
		info.code = SI_KERNEL;
		info.fault.addr = 0;
		break;
	case TRAP_AC:
		snprintf(what, sizeof(what), "alignment check");
		info.signo = SIGBUS;
		info.code = BUS_ADRALN;
		info.fault.addr = 0;
		break;
	case TRAP_BP:
		snprintf(what, sizeof(what), "breakpoint (int3)");
		info.signo = SIGTRAP;
		info.code = SI_KERNEL;
		info.fault.addr = 0;
		break;
	case TRAP_DB:
		snprintf(what, sizeof(what), "debug trap");
		info.signo = SIGTRAP;
		info.code = TRAP_TRACE;
		break;
	default:
		snprintf(what, sizeof(what), "exception %llu",
			 (unsigned long long)tf->vector);
		info.signo = SIGSEGV;
		info.code = SI_KERNEL;
		info.fault.addr = 0;
	}
	signal_fault(tf, &info, what);
}
