/* The only door from portable kernel code into arch/: port and MMIO access,
 * interrupt control, the CPU's time stamp, halting, the kernel-thread
 * context switch. Each architecture provides arch/<arch>/include/asm/. */
#ifndef LIMEN_ARCH_H
#define LIMEN_ARCH_H

#include <asm/context.h>
#include <asm/cpu.h>
#include <asm/io.h>

#endif
