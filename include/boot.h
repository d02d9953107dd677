/* What the boot loader told us, in a form independent of the boot protocol
 * (filled by arch/x86_64/pvh.c from the PVH hvm_start_info). */
#ifndef LIMEN_BOOT_H
#define LIMEN_BOOT_H

#include <mm/pmm.h>
#include <types.h>

#define BOOT_MAX_REGIONS 64
#define BOOT_CMDLINE_MAX 1024

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	struct mem_region map[BOOT_MAX_REGIONS];
	size_t nmap;
	phys_addr_t initrd_base;
	uint64_t initrd_size;
	phys_addr_t rsdp;
	const char *protocol;
};

extern struct boot_info boot_info;

/* Parse the boot loader's hand-over structure (physical address). */
int arch_boot_parse(phys_addr_t info);

#endif
