/* The kernel's virtual memory layout (see docs/architecture.md).
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (per process)
 *   0xffff800000000000 - ...                 direct map of all physical RAM
 *   0xffffc00000000000 - 0xffffc07fffffffff  kernel stacks, each with an
 *                                             unmapped guard page below it
 *   0xffffffff80000000 - ...                 kernel image (linked at
 *                                             KERNEL_VMA + 1 MiB)
 */
#ifndef LIMEN_MM_LAYOUT_H
#define LIMEN_MM_LAYOUT_H

#define USER_TOP 0x0000800000000000UL
#define DIRECT_MAP_BASE 0xffff800000000000UL
#define DIRECT_MAP_MAX (64UL << 40) /* 64 TiB of RAM at most */
#define KSTACK_AREA_BASE 0xffffc00000000000UL
#define KSTACK_AREA_SIZE (1UL << 39)
#define KERNEL_VMA 0xffffffff80000000UL
#define KERNEL_PHYS 0x100000UL

#ifndef __ASSEMBLER__
#include <types.h>

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Valid for direct-map and kernel-image addresses. */
static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - DIRECT_MAP_BASE;
}
#endif

#endif
