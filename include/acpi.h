/* ACPI tables (drivers/acpi.c): found from the RSDP, checksummed, and read
 * for what the kernel needs: the interrupt controllers (MADT) and how to
 * power off (FADT PM1 control blocks, the DSDT's \_S5 sleep type). */
#ifndef LIMEN_ACPI_H
#define LIMEN_ACPI_H

#include <types.h>

#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
	uint8_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

/* An ISA interrupt routed to another GSI, with MPS INTI flags
 * (polarity bits 0-1, trigger mode bits 2-3). */
struct acpi_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_madt_info {
	uint64_t lapic_addr;
	unsigned nr_cpus;
	unsigned nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
};

/* rsdp_hint: the RSDP's physical address from the boot loader, or 0 to
 * search the BIOS areas. Returns 0 or -ENODEV. */
int acpi_init(uint64_t rsdp_hint);
/* The MADT facts, or PC defaults when there is no MADT. */
const struct acpi_madt_info *acpi_madt(void);
/* Table sig (4 chars), index-th of that name; NULL if absent. */
const void *acpi_find_table(const char *sig, int index);
/* ACPI S5, then QEMU's debug-exit port, then halt. */
__noreturn void acpi_poweroff(void);

/* Pure parsers, also used by the host unit test. */
int acpi_checksum_ok(const void *p, size_t len);
/* Finds \_S5's SLP_TYPa/SLP_TYPb in DSDT AML; 0 or -EINVAL. */
int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);
void acpi_parse_madt(const uint8_t *madt, size_t len,
		     struct acpi_madt_info *out);

#endif
