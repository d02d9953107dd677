/* The physical page-frame allocator (mm/pmm.c on top of mm/buddy.c).
 * Hands out naturally aligned blocks of 2^order pages. Physical address 0 is
 * never handed out (the first MiB is reserved), so 0 means "no memory". */
#ifndef LIMEN_MM_PMM_H
#define LIMEN_MM_PMM_H

#include <types.h>

/* A range of physical memory reported by the boot loader. */
struct mem_region {
	phys_addr_t base;
	uint64_t len;
	uint32_t type; /* MEM_USABLE, MEM_RESERVED, ... (e820 numbering) */
};
#define MEM_USABLE 1
#define MEM_RESERVED 2
#define MEM_ACPI_RECLAIM 3
#define MEM_ACPI_NVS 4

/* A physical range the allocator must never hand out (kernel image, initrd,
 * boot structures). */
struct phys_range {
	phys_addr_t start, end; /* [start, end) */
};

void pmm_init(const struct mem_region *map, size_t nmap,
	      const struct phys_range *reserved, size_t nreserved);

phys_addr_t pmm_alloc_pages(unsigned order); /* 0 on failure */
void pmm_free_pages(phys_addr_t pa, unsigned order);
/* One zeroed page, as a direct-map pointer, or NULL. */
void *pmm_alloc_zeroed_page(void);
void pmm_free_page_virt(void *va);

struct pmm_stats {
	uint64_t total_pages; /* usable RAM managed by the allocator */
	uint64_t free_pages;
	uint64_t reserved_pages; /* usable RAM held back (kernel, initrd...) */
	phys_addr_t highest;	 /* end of the highest usable region */
};
void pmm_get_stats(struct pmm_stats *st);

struct page;
/* The metadata of the frame holding pa, or NULL if pa is beyond the highest
 * usable address. The array never moves after pmm_init. */
struct page *pmm_page(phys_addr_t pa);

/* Gives the allocator usable RAM that pmm_init was told to keep out (the
 * initrd, once unpacked). The caller makes sure it is usable RAM, no
 * longer used. */
void pmm_release_range(phys_addr_t start, phys_addr_t end);

/* pmm_init only releases RAM below 4 GiB, the part the boot page tables
 * map; this releases the rest. Call once, after paging_init() has
 * direct-mapped all RAM. Without it, RAM above 4 GiB stays unused. */
void pmm_release_high(void);

/* Reference counts of single (order-0) frames shared copy-on-write. A
 * frame from pmm_alloc_pages(0) starts at 1; page_ref_put frees it at 0. */
void page_ref_get(phys_addr_t pa);
void page_ref_put(phys_addr_t pa);
uint32_t page_ref_count(phys_addr_t pa);

#endif
