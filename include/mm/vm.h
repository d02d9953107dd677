/* Kernel virtual memory: the kernel's page tables, mapping and unmapping
 * pages in the upper half, MMIO mappings and guarded kernel stacks.
 * The page-table format is the architecture's (arch/x86_64/paging.c). */
#ifndef LIMEN_MM_VM_H
#define LIMEN_MM_VM_H

#include <mm/layout.h>
#include <types.h>

/* Portable mapping flags. Readable is implied. */
#define VM_WRITE (1u << 0)
#define VM_EXEC (1u << 1)
#define VM_USER (1u << 2)
#define VM_NOCACHE (1u << 3)
/* User pages only: keep the frame but make every access fault
 * (PROT_NONE). */
#define VM_HIDDEN (1u << 4)

struct boot_info;

/* Builds the final kernel page tables: the direct map of RAM and the
 * kernel image mapped W^X. Called once, after pmm_init. */
void paging_init(const struct boot_info *bi);

/* Map/unmap one 4 KiB page in the kernel half. */
int vm_kmap(uintptr_t va, phys_addr_t pa, unsigned flags);
void vm_kunmap(uintptr_t va);
/* Physical address behind a kernel virtual address, or -EFAULT. */
int vm_kvirt_to_phys(uintptr_t va, phys_addr_t *pa);

/* Map device registers uncached; returns a kernel pointer or NULL. */
void *ioremap(phys_addr_t pa, size_t size);

/* Kernel stacks: KSTACK_SIZE bytes with an unmapped guard page below, so an
 * overflow faults instead of corrupting memory. Returns the stack's top. */
#define KSTACK_SIZE (16 * 1024)
void *vm_kstack_alloc(void);
void vm_kstack_free(void *top);
bool vm_kstack_is_guard(uintptr_t addr);

#endif

/* User page tables (arch/x86_64/uvm.c). A user root table shares the
 * kernel half with every other address space. */
uint64_t *uvm_create(void);
void uvm_destroy(uint64_t *root); /* frees tables, not the mapped frames */
void uvm_activate(uint64_t *root);
void uvm_activate_kernel(void);
int uvm_map(uint64_t *root, uintptr_t va, phys_addr_t pa, unsigned flags);
/* Changes the permissions of an existing mapping; -EFAULT if none. */
int uvm_protect(uint64_t *root, uintptr_t va, unsigned flags);
/* The first mapped page (present or PROT_NONE) at or after va and below
 * end, or end if none. Empty tables are skipped whole, so a walk over a
 * huge sparse range costs its mapped pages, not its size. */
uintptr_t uvm_next_mapped(uint64_t *root, uintptr_t va, uintptr_t end);
/* After [start, end) was unmapped: frees the page tables (at every level
 * below the root) that lie wholly inside it, so a process that maps and
 * unmaps memory all over its address space does not keep tables no one
 * uses. Tables that also map addresses outside the range stay (they are
 * counted in VmPTE and by the out-of-memory killer). */
void uvm_free_tables(uint64_t *root, uintptr_t start, uintptr_t end);
/* How many pages the user half's tables take, the root included (for the
 * out-of-memory killer: memory a process holds that no RSS shows). */
uint64_t uvm_table_pages(uint64_t *root);
/* Finds the first mapped page in [*va, end) as uvm_next_mapped does and
 * removes it in the same walk: true with *va at it and *pa its frame;
 * false (*va = end) if there was none. */
bool uvm_unmap_next(uint64_t *root, uintptr_t *va, uintptr_t end,
		    phys_addr_t *pa);
/* mremap's step: moves the entry of the first mapped page in [*va, end)
 * to *va + off (modulo 2^64, so off may move it down), whose entry must
 * be empty. 1 with *va at the page moved; 0 (*va = end) if there was
 * none; -ENOMEM if the destination's page table could not be allocated
 * (nothing moved, *va at the page). Moving back to where entries came
 * from cannot fail: their tables are still there. */
int uvm_move_next(uint64_t *root, uintptr_t *va, uintptr_t end, uintptr_t off);
/* The frame behind va and its VM_ flags (VM_HIDDEN for a PROT_NONE page),
 * or -EFAULT if not mapped. */
int uvm_lookup(uint64_t *root, uintptr_t va, phys_addr_t *pa, unsigned *flags);
/* Reported by uvm_lookup_state only (never taken by uvm_map): the
 * entry's accessed and dirty bits, which the CPU sets on the first access
 * and the first write through it. uvm_protect keeps them; a new entry
 * (uvm_map, fork's copy in the child) starts with both clear. */
#define VM_ACCESSED (1u << 5)
#define VM_DIRTY (1u << 6)
/* uvm_lookup plus VM_ACCESSED and VM_DIRTY (for /proc/PID/smaps). */
int uvm_lookup_state(uint64_t *root, uintptr_t va, phys_addr_t *pa,
		     unsigned *flags);
