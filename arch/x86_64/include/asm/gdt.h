/* GDT selectors. syscall loads CS=STAR[47:32], SS=+8; sysret loads
 * SS=STAR[63:48]+8 and CS=STAR[63:48]+16, hence user data before user
 * code. */
#ifndef LIMEN_ASM_GDT_H
#define LIMEN_ASM_GDT_H

#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UCODE32 0x18
#define SEG_UDATA 0x20
#define SEG_UCODE 0x28
#define SEG_TSS 0x30
#define GDT_ENTRIES 8

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
#include <types.h>
void gdt_init(void);
void idt_init(void);
#endif

#endif
