/* Reads the PVH boot protocol's hvm_start_info (Xen's public
 * arch-x86/hvm/start_info.h layout, which QEMU's -kernel also uses) into the
 * portable struct boot_info. Runs on the boot page tables, where physical
 * memory below 4 GiB is reachable through the direct map. */
#include <boot.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <uapi/errno.h>

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct boot_info boot_info;

int __init arch_boot_parse(phys_addr_t info)
{
	const struct hvm_start_info *si = phys_to_virt(info);

	if (si->magic != HVM_START_MAGIC)
		return -EINVAL;
	boot_info.protocol = "PVH";
	if (si->cmdline_paddr)
		strlcpy(boot_info.cmdline, phys_to_virt(si->cmdline_paddr),
			sizeof(boot_info.cmdline));
	if (si->nr_modules > 0 && si->modlist_paddr) {
		const struct hvm_modlist_entry *m =
		    phys_to_virt(si->modlist_paddr);
		boot_info.initrd_base = m->paddr;
		boot_info.initrd_size = m->size;
	}
	boot_info.rsdp = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *e =
		    phys_to_virt(si->memmap_paddr);
		size_t n = MIN((size_t)si->memmap_entries, BOOT_MAX_REGIONS);
		for (size_t i = 0; i < n; i++) {
			boot_info.map[i].base = e[i].addr;
			boot_info.map[i].len = e[i].size;
			boot_info.map[i].type = e[i].type;
		}
		boot_info.nmap = n;
	}
	return boot_info.nmap ? 0 : -ENODEV;
}
