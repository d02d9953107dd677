/* x86_64 4-level page tables for the kernel half. The boot tables (2 MiB
 * pages, everything writable and executable) are replaced by paging_init():
 * a non-executable direct map of RAM, the kernel image mapped W^X with 4 KiB
 * pages, all upper-half PML4 slots pre-populated so every future address
 * space can share them by copying one page of entries. */
#include <arch.h>
#include <boot.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <panic.h>
#include <printk.h>
#include <spinlock.h>
#include <uapi/errno.h>

#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_A (1UL << 5) /* accessed: set by the CPU */
#define PTE_D (1UL << 6) /* dirty: set by the CPU on a write */
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_NX (1UL << 63)
/* Software bit in a not-present entry: a PROT_NONE page whose frame is
 * kept (the CPU ignores the other bits when P is clear). */
#define PTE_HIDDEN (1UL << 9)
#define PTE_ADDR 0x000ffffffffff000UL

#define IOREMAP_BASE 0xffffc08000000000UL
#define IOREMAP_SIZE (1UL << 30)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[], __kernel_start[];

static uint64_t *kernel_pml4;
static uint64_t nx_bit; /* PTE_NX when EFER.NXE is on, else 0 */
/* Protects the kernel page tables below the PML4 and the allocators of
 * the ioremap and kernel-stack areas. */
static spinlock_t kvm_lock = SPINLOCK_INIT("kvm");

static uint64_t pte_flags(unsigned flags)
{
	uint64_t f = PTE_P;
	if (flags & VM_WRITE)
		f |= PTE_W;
	if (!(flags & VM_EXEC))
		f |= nx_bit;
	if (flags & VM_USER)
		f |= PTE_U;
	else
		f |= PTE_G;
	if (flags & VM_NOCACHE)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

static unsigned pt_index(uintptr_t va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Walks down to the level-1 table entry for va, allocating intermediate
 * tables if create is set. Returns NULL if missing or if a large page is in
 * the way. */
static uint64_t *pte_walk(uint64_t *pml4, uintptr_t va, bool create)
{
	uint64_t *table = pml4;
	for (int level = 4; level > 1; level--) {
		uint64_t *e = &table[pt_index(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			void *page = pmm_alloc_zeroed_page();
			if (!page)
				return NULL;
			/* Permissions are decided at the leaf. */
			*e = virt_to_phys(page) | PTE_P | PTE_W |
			     (va < USER_TOP ? PTE_U : 0);
		} else if (*e & PTE_PS) {
			return NULL;
		}
		table = phys_to_virt(*e & PTE_ADDR);
	}
	return &table[pt_index(va, 1)];
}

static int map_page_locked(uintptr_t va, phys_addr_t pa, uint64_t f)
{
	uint64_t *pte = pte_walk(kernel_pml4, va, true);
	if (!pte)
		return -ENOMEM;
	*pte = (pa & PTE_ADDR) | f;
	invlpg(va);
	return 0;
}

int vm_kmap(uintptr_t va, phys_addr_t pa, unsigned flags)
{
	irqflags_t fl = spin_lock_irqsave(&kvm_lock);
	int r = map_page_locked(va, pa, pte_flags(flags));
	spin_unlock_irqrestore(&kvm_lock, fl);
	return r;
}

void vm_kunmap(uintptr_t va)
{
	irqflags_t fl = spin_lock_irqsave(&kvm_lock);
	uint64_t *pte = pte_walk(kernel_pml4, va, false);
	if (pte) {
		*pte = 0;
		invlpg(va);
	}
	spin_unlock_irqrestore(&kvm_lock, fl);
}

int vm_kvirt_to_phys(uintptr_t va, phys_addr_t *pa)
{
	uint64_t *table = kernel_pml4;
	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return -EFAULT;
		if (level == 1 || (e & PTE_PS)) {
			uint64_t span = 1UL << (12 + 9 * (level - 1));
			*pa = (e & PTE_ADDR & ~(span - 1)) | (va & (span - 1));
			return 0;
		}
		table = phys_to_virt(e & PTE_ADDR);
	}
	return -EFAULT;
}

/* Direct map of [start, end) with 2 MiB pages, no-execute. */
static void __init map_direct(phys_addr_t start, phys_addr_t end)
{
	start = ALIGN_DOWN(start, 1UL << 21);
	end = ALIGN_UP(end, 1UL << 21);
	for (phys_addr_t pa = start; pa < end; pa += 1UL << 21) {
		uintptr_t va = DIRECT_MAP_BASE + pa;
		uint64_t *table = kernel_pml4;
		for (int level = 4; level > 2; level--) {
			uint64_t *e = &table[pt_index(va, level)];
			if (!(*e & PTE_P)) {
				void *p = pmm_alloc_zeroed_page();
				if (!p)
					panic("paging: out of memory");
				*e = virt_to_phys(p) | PTE_P | PTE_W;
			}
			table = phys_to_virt(*e & PTE_ADDR);
		}
		table[pt_index(va, 2)] =
		    pa | PTE_P | PTE_W | PTE_PS | PTE_G | nx_bit;
	}
}

static void __init map_image(char *start, char *end, unsigned flags)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end;
	     va += PAGE_SIZE)
		if (map_page_locked(va, va - KERNEL_VMA, pte_flags(flags)))
			panic("paging: cannot map the kernel image");
}

void __init paging_init(const struct boot_info *bi)
{
	nx_bit = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
	kernel_pml4 = pmm_alloc_zeroed_page();
	if (!kernel_pml4)
		panic("paging: no memory for the PML4");
	/* Every upper-half slot gets its PDPT now, so address spaces made
	 * later share all kernel mappings, present and future. */
	for (int i = 256; i < 512; i++) {
		void *p = pmm_alloc_zeroed_page();
		if (!p)
			panic("paging: out of memory");
		kernel_pml4[i] = virt_to_phys(p) | PTE_P | PTE_W;
	}
	for (size_t i = 0; i < bi->nmap; i++) {
		const struct mem_region *r = &bi->map[i];
		/* RAM and ACPI memory anywhere; firmware-reserved ranges
		 * below 4 GiB too, since ACPI tables may sit there. */
		if (r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIM ||
		    r->type == MEM_ACPI_NVS || r->base + r->len <= (1UL << 32))
			map_direct(r->base, r->base + r->len);
	}
	/* The legacy area (BIOS data, EBDA, ROMs) for ACPI table scans. */
	map_direct(0, 1UL << 20);

	map_image(__text_start, __text_end, VM_EXEC);
	map_image(__rodata_start, __data_start, 0);
	map_image(__data_start, __kernel_end, VM_WRITE);

	write_cr3(virt_to_phys(kernel_pml4));
	pr_info("paging: kernel W^X (text %lu KiB, rodata %lu KiB, data %lu "
		"KiB), direct map at %#lx%s",
		(unsigned long)(__text_end - __text_start) / 1024,
		(unsigned long)(__data_start - __rodata_start) / 1024,
		(unsigned long)(__kernel_end - __data_start) / 1024,
		DIRECT_MAP_BASE, nx_bit ? ", NX on" : ", no NX");
}

void *ioremap(phys_addr_t pa, size_t size)
{
	static uintptr_t next = IOREMAP_BASE;
	phys_addr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	irqflags_t fl = spin_lock_irqsave(&kvm_lock);
	uintptr_t va = next;
	if (va + len > IOREMAP_BASE + IOREMAP_SIZE) {
		spin_unlock_irqrestore(&kvm_lock, fl);
		return NULL;
	}
	next += len + PAGE_SIZE;
	for (size_t off = 0; off < len; off += PAGE_SIZE)
		if (map_page_locked(va + off, base + off,
				    pte_flags(VM_WRITE | VM_NOCACHE))) {
			spin_unlock_irqrestore(&kvm_lock, fl);
			return NULL;
		}
	spin_unlock_irqrestore(&kvm_lock, fl);
	return (void *)(va + (pa - base));
}

/* Kernel stack slots: [guard page][KSTACK_SIZE of stack], one slot per
 * stack, recycled through a free list of slot numbers. */
#define KSTACK_SLOT (KSTACK_SIZE + PAGE_SIZE)
#define KSTACK_MAX_SLOTS 4096
static uint32_t kstack_free_slots[KSTACK_MAX_SLOTS];
static uint32_t kstack_nfree, kstack_next_slot;

void *vm_kstack_alloc(void)
{
	irqflags_t fl = spin_lock_irqsave(&kvm_lock);
	uint32_t slot;
	if (kstack_nfree)
		slot = kstack_free_slots[--kstack_nfree];
	else if (kstack_next_slot < KSTACK_MAX_SLOTS)
		slot = kstack_next_slot++;
	else {
		spin_unlock_irqrestore(&kvm_lock, fl);
		return NULL;
	}
	uintptr_t base =
	    KSTACK_AREA_BASE + (uintptr_t)slot * KSTACK_SLOT + PAGE_SIZE;
	for (uintptr_t va = base; va < base + KSTACK_SIZE; va += PAGE_SIZE) {
		phys_addr_t pa = pmm_alloc_pages(0);
		if (!pa || map_page_locked(va, pa, pte_flags(VM_WRITE))) {
			if (pa)
				pmm_free_pages(pa, 0);
			/* Undo what was mapped so far. */
			for (uintptr_t u = base; u < va; u += PAGE_SIZE) {
				uint64_t *pte = pte_walk(kernel_pml4, u, false);
				pmm_free_pages(*pte & PTE_ADDR, 0);
				*pte = 0;
				invlpg(u);
			}
			kstack_free_slots[kstack_nfree++] = slot;
			spin_unlock_irqrestore(&kvm_lock, fl);
			return NULL;
		}
	}
	spin_unlock_irqrestore(&kvm_lock, fl);
	return (void *)(base + KSTACK_SIZE);
}

void vm_kstack_free(void *top)
{
	uintptr_t base = (uintptr_t)top - KSTACK_SIZE;
	uint32_t slot = (base - PAGE_SIZE - KSTACK_AREA_BASE) / KSTACK_SLOT;
	irqflags_t fl = spin_lock_irqsave(&kvm_lock);
	for (uintptr_t va = base; va < base + KSTACK_SIZE; va += PAGE_SIZE) {
		uint64_t *pte = pte_walk(kernel_pml4, va, false);
		if (!pte || !(*pte & PTE_P))
			panic("vm_kstack_free: stack %p not mapped", top);
		pmm_free_pages(*pte & PTE_ADDR, 0);
		*pte = 0;
		invlpg(va);
	}
	kstack_free_slots[kstack_nfree++] = slot;
	spin_unlock_irqrestore(&kvm_lock, fl);
}

bool vm_kstack_is_guard(uintptr_t addr)
{
	if (addr < KSTACK_AREA_BASE ||
	    addr >=
		KSTACK_AREA_BASE + (uintptr_t)KSTACK_MAX_SLOTS * KSTACK_SLOT)
		return false;
	return (addr - KSTACK_AREA_BASE) % KSTACK_SLOT < PAGE_SIZE;
}

/* ---- User address spaces ------------------------------------------------
 * The lower 256 PML4 slots are the process's own; the upper 256 are copied
 * from the kernel's, which never change after paging_init. Callers
 * serialise edits of one address space (the process's mm lock). */

uint64_t *uvm_create(void)
{
	uint64_t *root = pmm_alloc_zeroed_page();
	if (!root)
		return NULL;
	memcpy(root + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
	return root;
}

static void uvm_free_level(uint64_t *table, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(table[i] & PTE_P))
			continue;
		if (level > 2)
			uvm_free_level(phys_to_virt(table[i] & PTE_ADDR),
				       level - 1);
		if (level > 1)
			pmm_free_pages(table[i] & PTE_ADDR, 0);
	}
}

/* Frees the tables below entry *e (a table of the given level, 1 being a
 * page table, that maps [base, base + its span)) which lie wholly inside
 * [start, end), and the table itself if it does: after an unmap they map
 * nothing. Only the entries the range touches are visited, so a small
 * munmap costs a few loads per level. Depth: at most three levels. */
static void free_tables_in(uint64_t *e, int level, uintptr_t base,
			   uintptr_t start, uintptr_t end)
{
	uint64_t *table = phys_to_virt(*e & PTE_ADDR);
	uintptr_t span = 1UL << (12 + 9 * level);
	if (level > 1) {
		uintptr_t child = span >> 9;
		uintptr_t lo = MAX(start, base), hi = MIN(end, base + span);
		for (uintptr_t i = (lo - base) / child;
		     i <= (hi - 1 - base) / child; i++)
			if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
				free_tables_in(&table[i], level - 1,
					       base + i * child, start, end);
	}
	if (base >= start && base + span <= end) {
		*e = 0;
		pmm_free_page_virt(table);
	}
}

void uvm_free_tables(uint64_t *root, uintptr_t start, uintptr_t end)
{
	if (end > USER_TOP)
		end = USER_TOP;
	if (start >= end)
		return;
	const uintptr_t span = 1UL << 39; /* one PML4 entry */
	for (uintptr_t i = start / span; i <= (end - 1) / span; i++)
		if (root[i] & PTE_P)
			free_tables_in(&root[i], 3, i * span, start, end);
	/* invlpg also drops every cached upper-level entry (paging-structure
	 * caches), so no stale walk can reach a freed table. */
	invlpg(start);
}

/* Table pages below a table of the given level (3: a PML4 entry's). */
static uint64_t count_tables(const uint64_t *table, int level)
{
	uint64_t n = 0;
	for (unsigned i = 0; level > 1 && i < 512; i++)
		if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
			n += 1 + count_tables(phys_to_virt(table[i] & PTE_ADDR),
					      level - 1);
	return n;
}

uint64_t uvm_table_pages(uint64_t *root)
{
	uint64_t n = 1; /* the root */
	for (unsigned i = 0; i < 256; i++)
		if (root[i] & PTE_P)
			n += 1 +
			     count_tables(phys_to_virt(root[i] & PTE_ADDR), 3);
	return n;
}

void uvm_destroy(uint64_t *root)
{
	for (int i = 0; i < 256; i++) {
		if (!(root[i] & PTE_P))
			continue;
		uvm_free_level(phys_to_virt(root[i] & PTE_ADDR), 3);
		pmm_free_pages(root[i] & PTE_ADDR, 0);
	}
	pmm_free_page_virt(root);
}

void uvm_activate(uint64_t *root)
{
	phys_addr_t pa = virt_to_phys(root);
	if (read_cr3() != pa)
		write_cr3(pa);
}

void uvm_activate_kernel(void)
{
	uvm_activate(kernel_pml4);
}

int uvm_map(uint64_t *root, uintptr_t va, phys_addr_t pa, unsigned flags)
{
	if (va >= USER_TOP)
		return -EFAULT;
	uint64_t *pte = pte_walk(root, va, true);
	if (!pte)
		return -ENOMEM;
	if (flags & VM_HIDDEN)
		*pte = (pa & PTE_ADDR) | PTE_HIDDEN;
	else
		*pte = (pa & PTE_ADDR) | pte_flags(flags | VM_USER);
	invlpg(va);
	return 0;
}

int uvm_protect(uint64_t *root, uintptr_t va, unsigned flags)
{
	uint64_t *pte = pte_walk(root, va, false);
	if (!pte || !(*pte & (PTE_P | PTE_HIDDEN)))
		return -EFAULT;
	/* The accessed and dirty bits the CPU set stay (as on Linux, where
	 * mprotect and fork's write-protection keep a page dirty): they
	 * are what /proc/PID/smaps reports. A PROT_NONE entry is not
	 * present, so the CPU ignores them there. */
	uint64_t keep = *pte & (PTE_ADDR | PTE_A | PTE_D);
	if (flags & VM_HIDDEN)
		*pte = keep | PTE_HIDDEN;
	else
		*pte = keep | pte_flags(flags | VM_USER);
	invlpg(va);
	return 0;
}

/* The first mapped user page in [*va, end): its entry, with *va moved to
 * it; NULL (and *va = end) if there is none. Empty upper levels are
 * skipped whole (an empty PML4 slot is 512 GiB in one step), and a leaf
 * table is scanned in place rather than walked again from the root for
 * each page. */
static uint64_t *next_user_pte(uint64_t *root, uintptr_t *vap, uintptr_t end)
{
	uintptr_t va = ALIGN_DOWN(*vap, PAGE_SIZE);
	if (end > USER_TOP)
		end = USER_TOP;
	while (va < end) {
		uint64_t *table = root;
		int level = 4;
		for (; level > 1; level--) {
			uint64_t e = table[pt_index(va, level)];
			if (!(e & PTE_P) || (e & PTE_PS))
				break;
			table = phys_to_virt(e & PTE_ADDR);
		}
		if (level == 1) {
			for (unsigned i = pt_index(va, 1); i < 512 && va < end;
			     i++, va += PAGE_SIZE)
				if (table[i] & (PTE_P | PTE_HIDDEN)) {
					*vap = va;
					return &table[i];
				}
			continue; /* va is at the next leaf table, or at end */
		}
		uintptr_t span = 1UL << (12 + 9 * (level - 1));
		uintptr_t next = ALIGN_DOWN(va, span) + span;
		if (next <= va)
			break;
		va = next;
	}
	*vap = end;
	return NULL;
}

uintptr_t uvm_next_mapped(uint64_t *root, uintptr_t va, uintptr_t end)
{
	return next_user_pte(root, &va, end) ? va : end;
}

bool uvm_unmap_next(uint64_t *root, uintptr_t *va, uintptr_t end,
		    phys_addr_t *pa)
{
	uint64_t *pte = next_user_pte(root, va, end);
	if (!pte)
		return false;
	*pa = *pte & PTE_ADDR;
	*pte = 0;
	invlpg(*va);
	return true;
}

int uvm_move_next(uint64_t *root, uintptr_t *va, uintptr_t end, uintptr_t off)
{
	uint64_t *src = next_user_pte(root, va, end);
	if (!src)
		return 0;
	uintptr_t to = *va + off;
	if (to >= USER_TOP)
		return -EFAULT;
	uint64_t *dst = pte_walk(root, to, true);
	if (!dst)
		return -ENOMEM;
	/* The whole entry moves: frame, rights (a copy-on-write page stays
	 * read-only) and the PROT_NONE marker. */
	*dst = *src;
	*src = 0;
	invlpg(*va);
	invlpg(to);
	return 1;
}

int uvm_lookup(uint64_t *root, uintptr_t va, phys_addr_t *pa, unsigned *flags)
{
	uint64_t *pte = pte_walk(root, va, false);
	if (!pte || !(*pte & (PTE_P | PTE_HIDDEN)))
		return -EFAULT;
	*pa = *pte & PTE_ADDR;
	if (*pte & PTE_HIDDEN) {
		*flags = VM_USER | VM_HIDDEN;
		return 0;
	}
	*flags = VM_USER | ((*pte & PTE_W) ? VM_WRITE : 0) |
		 ((*pte & PTE_NX) ? 0 : VM_EXEC);
	return 0;
}

int uvm_lookup_state(uint64_t *root, uintptr_t va, phys_addr_t *pa,
		     unsigned *flags)
{
	int r = uvm_lookup(root, va, pa, flags);
	if (r)
		return r;
	uint64_t e = *pte_walk(root, va, false);
	*flags |=
	    ((e & PTE_A) ? VM_ACCESSED : 0) | ((e & PTE_D) ? VM_DIRTY : 0);
	return 0;
}
