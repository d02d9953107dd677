/* Local APIC (timer, EOI) and I/O APIC (device IRQ routing). */
#ifndef LIMEN_ASM_APIC_H
#define LIMEN_ASM_APIC_H

#include <types.h>

void apic_init(void);
void lapic_eoi(void);
/* This CPU's local APIC id (MSI destinations). */
uint32_t lapic_id(void);
/* Calibrates the TSC and the LAPIC timer against the PIT and starts the
 * periodic tick at HZ. */
void timer_init(void);
uint64_t timer_lapic_hz(void);
extern uint64_t boot_tsc;
/* Route ISA IRQ irq (after ACPI overrides) to vector VEC_IRQ_BASE + gsi. */
int ioapic_route_isa_irq(unsigned irq, uint8_t *vector_out);

#endif
