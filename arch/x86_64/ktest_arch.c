/* Self-tests of the x86_64 protections and the fault path (ktest=...). */
#include <arch.h>
#include <asm/cpufeature.h>
#include <ksyms.h>
#include <ktest.h>
#include <lib/string.h>
#include <mm/vm.h>
#include <uapi/errno.h>

int arch_probe_read64(const void *addr, uint64_t *out);
int arch_probe_write64(void *addr, uint64_t val);

KTEST(fault_recovery)
{
	uint64_t v = 0;
	/* An unmapped kernel address: the page fault is caught by the
	 * exception table instead of panicking. */
	int r = arch_probe_read64((void *)0xffffc07ffff00000UL, &v);
	KCHECK(r == -EFAULT, "pf_unmapped_read_recovered", "returned %d", r);
	r = arch_probe_read64((void *)0x1000, &v);
	KCHECK(r == -EFAULT, "pf_low_address_recovered", "returned %d", r);
	/* A non-canonical address raises #GP, recovered the same way. */
	r = arch_probe_read64((void *)0x8000000000000000UL, &v);
	KCHECK(r == -EFAULT, "gp_noncanonical_recovered", "returned %d", r);
	r = arch_probe_read64(&v, &v);
	KCHECK(r == 0, "probe_mapped_ok", "returned %d", r);
}

KTEST(wx)
{
	extern char __text_start[], __rodata_start[];
	uint64_t v, t = 0, ro = 0;
	/* Write back what is there, so a W^X bug corrupts nothing. */
	arch_probe_read64(__text_start + 64, &t);
	arch_probe_read64(__rodata_start, &ro);
	int r = arch_probe_write64(__text_start + 64, t);
	KCHECK(r == -EFAULT, "kernel_text_read_only", "write returned %d", r);
	r = arch_probe_write64(__rodata_start, ro);
	KCHECK(r == -EFAULT, "kernel_rodata_read_only", "write returned %d", r);
	r = arch_probe_read64(__text_start, &v);
	KCHECK(r == 0, "kernel_text_readable", "read returned %d", r);
	KCHECK(read_cr0() & CR0_WP, "cr0_wp_on");
	KCHECK(!cpu_features.smep || (read_cr4() & CR4_SMEP), "smep_on");
	KCHECK(!cpu_features.smap || (read_cr4() & CR4_SMAP), "smap_on");
	KCHECK(!cpu_features.umip || (read_cr4() & CR4_UMIP), "umip_on");
	KCHECK(!cpu_features.nx || (rdmsr(MSR_EFER) & EFER_NXE), "nx_on");
}

KTEST(kstack_guard)
{
	void *top = vm_kstack_alloc();
	KCHECK(top != NULL, "kstack_alloc");
	if (!top)
		return;
	uint64_t v;
	char *base = (char *)top - KSTACK_SIZE;
	KCHECK(arch_probe_read64(base, &v) == 0, "kstack_bottom_mapped");
	KCHECK(arch_probe_read64(base - 8, &v) == -EFAULT,
	       "kstack_guard_unmapped");
	KCHECK(vm_kstack_is_guard((uintptr_t)base - 8), "kstack_guard_known");
	vm_kstack_free(top);
}

KTEST(ksyms)
{
	uint64_t off = 1;
	const char *n = ksyms_lookup((uint64_t)&arch_probe_read64 + 2, &off);
	KCHECK(n && strcmp(n, "arch_probe_read64") == 0 && off == 2,
	       "ksyms_lookup", "got %s+%llu", n ? n : "(none)",
	       (unsigned long long)off);
	KCHECK(ksyms_address("kmain") != 0, "ksyms_address");
}

/* Not in "all": a deliberate, unrecovered kernel page fault, so the
 * harness can check the panic report (tests/run-qemu --expect-panic). */
KTEST(panic_page_fault)
{
	*(volatile uint64_t *)0xdead000UL = 1;
	KCHECK(false, "panic_page_fault", "the write did not fault");
}
