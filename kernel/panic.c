/* panic(): the end of the line for a kernel bug. Prints Linux's
 * "Kernel panic - not syncing" line, the registers, and a backtrace
 * symbolised from the embedded symbol table, then powers off (or halts,
 * with panic=-1... any panic=N value other than 0 powers off at once, since
 * QEMU runs with -no-reboot). */
#include <acpi.h>
#include <arch.h>
#include <asm/trap.h>
#include <ksyms.h>
#include <lib/printf.h>
#include <panic.h>
#include <printk.h>

int arch_probe_read64(const void *addr, uint64_t *out);

static volatile int panic_in_progress;

static void backtrace_from(uint64_t rbp, uint64_t rip)
{
	char sym[128];
	kprintf("Call Trace:\n");
	if (rip) {
		ksyms_format(rip, sym, sizeof(sym));
		kprintf(" [<%016llx>] %s\n", (unsigned long long)rip, sym);
	}
	/* Frame-pointer walk; every read is probed so a corrupt chain ends
	 * the trace instead of faulting again. */
	for (int depth = 0; depth < 32 && rbp; depth++) {
		uint64_t next, ret;
		if ((rbp & 7) || rbp < 0xffff800000000000ULL ||
		    arch_probe_read64((void *)rbp, &next) ||
		    arch_probe_read64((void *)(rbp + 8), &ret) || ret == 0)
			break;
		ksyms_format(ret, sym, sizeof(sym));
		kprintf(" [<%016llx>] %s\n", (unsigned long long)ret, sym);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

static __noreturn void panic_finish(void)
{
	kprintf("---[ end Kernel panic ]---\n");
	kprintf("limen: power off after panic\n");
	acpi_poweroff();
}

static void panic_begin(const char *fmt, va_list ap)
{
	char msg[256];
	arch_irq_disable();
	if (__atomic_exchange_n(&panic_in_progress, 1, __ATOMIC_SEQ_CST)) {
		/* A panic inside the panic path: stop here. */
		arch_halt_forever();
	}
	printk_panicking = true;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	kprintf("Kernel panic - not syncing: %s\n", msg);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	backtrace_from((uint64_t)__builtin_frame_address(0), 0);
	panic_finish();
}

void panic_frame(const struct trap_frame *tf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_begin(fmt, ap);
	va_end(ap);
	trap_print_frame(tf);
	backtrace_from(arch_frame_fp(tf), arch_frame_pc(tf));
	panic_finish();
}
