/* Faults and exceptions taken in user mode (arch/x86_64/ufault.c), called
 * by the trap dispatcher (arch/x86_64/trap.c). */
#ifndef LIMEN_ASM_UFAULT_H
#define LIMEN_ASM_UFAULT_H

#include <asm/trap.h>
#include <mm/mm.h>

/* A page fault at addr: resolves it through the process's mm; false if
 * it is not the process's to resolve (res says why). */
bool arch_user_page_fault(struct trap_frame *tf, uint64_t addr,
			  enum mm_fault_result *res);
/* Any other exception from user mode: the signal and the fault report. */
void arch_user_exception(struct trap_frame *tf, uint64_t cr2);

#endif
