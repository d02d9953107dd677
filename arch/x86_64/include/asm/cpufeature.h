/* CPU features discovered with CPUID and the protections turned on. */
#ifndef LIMEN_ASM_CPUFEATURE_H
#define LIMEN_ASM_CPUFEATURE_H

#include <types.h>

struct cpu_features {
	bool nx, smep, smap, umip, pge, pdpe1gb, rdrand, rdseed, xsave, fxsr,
	    fsgsbase, invariant_tsc, x2apic, syscall;
	uint32_t hwcap; /* CPUID.1:EDX, Linux's AT_HWCAP on x86 */
	char vendor[13];
	char brand[49];
};

extern struct cpu_features cpu_features;
void cpu_features_init(void);
static inline uint64_t cpu_hwcap(void)
{
	return cpu_features.hwcap;
}

#endif
