/* The kernel's own symbol table, embedded at build time (tools/mksyms.sh
 * generates it from the first link; kernel/ksyms.c looks addresses up). */
#ifndef LIMEN_KSYMS_H
#define LIMEN_KSYMS_H

#include <types.h>

/* Name of the function containing addr, or NULL; *offset gets addr - start. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Writes "name+0xoff/0xsize"-style text (or "?" if unknown) into buf. */
void ksyms_format(uint64_t addr, char *buf, size_t size);
/* Address of a symbol by name, or 0. */
uint64_t ksyms_address(const char *name);

#endif
