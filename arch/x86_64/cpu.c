/* CPU feature discovery and the protection bits of CR0/CR4/EFER: NX, SMEP,
 * SMAP, UMIP and global pages are turned on when CPUID reports them, and
 * the boot log says which are on. */
#include <arch.h>
#include <asm/cpufeature.h>
#include <lib/string.h>
#include <printk.h>
#include <uaccess.h>

struct cpu_features cpu_features;
/* Read by the user-memory accessors: stac/clac exist only with SMAP. */
bool uaccess_smap;

void __init cpu_features_init(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t a, b, c, d, max;

	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	cpuid(1, 0, &a, &b, &c, &d);
	f->hwcap = d;
	f->pge = d & (1u << 13);
	f->fxsr = d & (1u << 24);
	f->xsave = c & (1u << 26);
	f->rdrand = c & (1u << 30);
	f->x2apic = c & (1u << 21);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->fsgsbase = b & (1u << 0);
		f->smep = b & (1u << 7);
		f->rdseed = b & (1u << 18);
		f->smap = b & (1u << 20);
		f->umip = c & (1u << 2);
	}
	cpuid(0x80000000, 0, &max, &b, &c, &d);
	if (max >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->nx = d & (1u << 20);
		f->pdpe1gb = d & (1u << 26);
		f->syscall = d & (1u << 11);
	}
	if (max >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, &a, &b, &c, &d);
			memcpy(f->brand + 16 * i, &a, 4);
			memcpy(f->brand + 16 * i + 4, &b, 4);
			memcpy(f->brand + 16 * i + 8, &c, 4);
			memcpy(f->brand + 16 * i + 12, &d, 4);
		}
	}
	if (max >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}

	uint64_t cr4 = read_cr4();
	if (f->pge)
		cr4 |= CR4_PGE;
	if (f->smep)
		cr4 |= CR4_SMEP;
	if (f->smap) {
		cr4 |= CR4_SMAP;
		uaccess_smap = true;
	}
	if (f->umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
	write_cr0(read_cr0() | CR0_WP);

	const char *brand = f->brand;
	while (*brand == ' ')
		brand++;
	pr_info("cpu: %s, %s", f->vendor, *brand ? brand : "unknown model");
	pr_info("cpu: protections: NX %s, SMEP %s, SMAP %s, UMIP %s, WP on",
		(rdmsr(MSR_EFER) & EFER_NXE) ? "on" : "off (no CPU support)",
		f->smep ? "on" : "off (no CPU support)",
		f->smap ? "on" : "off (no CPU support)",
		f->umip ? "on" : "off (no CPU support)");
	pr_info("cpu: features:%s%s%s%s%s%s%s", f->rdrand ? " rdrand" : "",
		f->rdseed ? " rdseed" : "", f->xsave ? " xsave" : "",
		f->fxsr ? " fxsr" : "", f->fsgsbase ? " fsgsbase" : "",
		f->pdpe1gb ? " pdpe1gb" : "",
		f->invariant_tsc ? " invariant_tsc" : "");
}
