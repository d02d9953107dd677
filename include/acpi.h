/* ACPI (drivers/acpi.c, parsers in drivers/acpi_tables.c): tables found from
 * the RSDP and checksummed, the interrupt controllers (MADT), the fixed
 * hardware (FADT) and the DSDT's \_S5 sleep type, for power-off and reboot. */
#ifndef LIMEN_ACPI_H
#define LIMEN_ACPI_H

#include <types.h>

#define ACPI_MAX_TABLES 32
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_CPUS 64
/* Longer than any real table; a bigger length field is garbage. */
#define ACPI_MAX_TABLE_LEN (16u << 20)

struct acpi_ioapic {
	uint8_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

/* An ISA interrupt routed to another GSI, with MPS INTI flags
 * (polarity bits 0-1, trigger mode bits 2-3; 0 = bus default,
 * 1 = active high / edge, 3 = active low / level). */
struct acpi_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;
};
#define ACPI_INTI_POLARITY_MASK 0x3
#define ACPI_INTI_ACTIVE_LOW 0x3
#define ACPI_INTI_TRIGGER_MASK 0xc
#define ACPI_INTI_LEVEL 0xc

/* What the interrupt code needs from the MADT. An ISA irq without an
 * override is identity-mapped (GSI = irq, edge, active high). */
struct acpi_madt_info {
	uint64_t lapic_addr;
	bool pcat_compat; /* dual 8259 PICs present (must be masked) */
	unsigned nr_cpus; /* enabled local APICs / x2APICs, at least 1 */
	uint32_t cpu_apic_ids[ACPI_MAX_CPUS]; /* the first ACPI_MAX_CPUS */
	unsigned nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
};

/* Generic Address Structure (a register in I/O, memory or PCI space). */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI 2
struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access_size;
	uint64_t addr;
};

/* FADT flags the kernel looks at. */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED (1u << 20)

/* What the kernel needs from the FADT; a port of 0 means absent. */
struct acpi_fadt_info {
	uint8_t revision;
	uint32_t flags;
	uint16_t iapc_boot_arch; /* bit 1: an 8042 keyboard controller */
	uint16_t sci_irq;
	uint32_t smi_cmd; /* port to write acpi_enable to (0: none) */
	uint8_t acpi_enable;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t pm_tmr; /* 3.579545 MHz, 24 bits (32 with TMR_VAL_EXT) */
	uint8_t century; /* CMOS index of the century, 0 if none */
	bool has_reset;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	phys_addr_t dsdt; /* X_DSDT when non-zero, else DSDT */
};

/* rsdp_hint: the RSDP's physical address from the boot loader (PVH
 * start_info), or 0 to search the EBDA and the BIOS area. Call once, after
 * paging_init() and before apic_init(). Returns 0 or -ENODEV; without
 * tables the getters below still answer with PC defaults. */
int acpi_init(phys_addr_t rsdp_hint);
/* The MADT facts, or PC defaults (LAPIC 0xfee00000, one I/O APIC at
 * 0xfec00000 with GSI base 0, no overrides) when there is no MADT. */
const struct acpi_madt_info *acpi_madt(void);
/* The FADT facts, or NULL when there is no usable FADT. */
const struct acpi_fadt_info *acpi_fadt(void);
/* The index-th checksummed table called sig (e.g. "APIC", "FACP", "DSDT",
 * "SSDT"), as a pointer to its header (length at offset 4); or NULL. */
const void *acpi_find_table(const char sig[4], int index);
/* ACPI S5; then QEMU's isa-debug-exit (exit status 3), the old QEMU/Bochs
 * ports, and at last halting with interrupts off. */
__noreturn void acpi_poweroff(void);
/* FADT reset register, then the 8042 and port 0xcf9. Returns only if the
 * machine did not reset. */
void acpi_reboot(void);

/*
 * Pure parsers (drivers/acpi_tables.c), also used by the host unit test.
 * Table memory is reached only through the map callback, which returns a
 * pointer to [pa, pa + len) or NULL if that range cannot be read.
 */
typedef const void *(*acpi_map_fn)(phys_addr_t pa, size_t len);

struct acpi_table_ref {
	char sig[4];
	uint32_t len;
	phys_addr_t pa;
	const void *va;
};

struct acpi_table_set {
	phys_addr_t rsdp_pa;
	uint8_t rsdp_rev;
	char oem[7];
	bool xsdt; /* the root table used is an XSDT (else RSDT) */
	phys_addr_t root_pa;
	unsigned nr;
	struct acpi_table_ref t[ACPI_MAX_TABLES];
};

bool acpi_checksum_ok(const void *p, size_t len);
/* Whether p (avail readable bytes) holds a valid RSDP: signature, the v1
 * checksum and, for revision >= 2, the extended checksum. 0 or -EINVAL. */
int acpi_rsdp_valid(const void *p, size_t avail);
/* Offset of the first valid RSDP on a 16-byte boundary of area, or
 * -ENOENT. */
long acpi_rsdp_scan(const void *area, size_t len);
/* A table's header and body through map, length and checksum checked;
 * NULL (with a warning) if it is unusable. */
const void *acpi_map_table(phys_addr_t pa, acpi_map_fn map);
/* RSDP -> XSDT (revision >= 2) or RSDT -> every listed table, plus the
 * DSDT named by the FADT. Bad tables are reported and skipped. 0 or
 * -ENODEV (no valid RSDP or root table). */
int acpi_tables_load(phys_addr_t rsdp_pa, acpi_map_fn map,
		     struct acpi_table_set *set);
const struct acpi_table_ref *acpi_tables_find(const struct acpi_table_set *set,
					      const char sig[4], int index);
void acpi_madt_defaults(struct acpi_madt_info *out);
/* madt: the whole table, header included. 0 or -EINVAL (out untouched). */
int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt_info *out);
/* fadt: the whole table, header included. 0 or -EINVAL. */
int acpi_parse_fadt(const void *fadt, size_t len, struct acpi_fadt_info *out);
/* Finds Name(\_S5_, Package() {SLP_TYPa, SLP_TYPb, ...}) in AML (a table
 * body, after the 36-byte header). 0 or -EINVAL. */
int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);
/* \_S5 from the DSDT, else from an SSDT. 0 or -ENOENT. */
int acpi_find_s5(const struct acpi_table_set *set, uint8_t *typa,
		 uint8_t *typb);

#endif
