/* Host tests of the ACPI parsers (drivers/acpi.c): checksums, the MADT
 * walk and the \_S5 package in AML, on good and on corrupt input. */
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>

#include "../../drivers/acpi.c"
#include "../../lib/string.c"

void printk(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void madt_add(uint8_t *m, size_t *len, const uint8_t *e, size_t n)
{
	memcpy(m + *len, e, n);
	*len += n;
}

int main(void)
{
	uint8_t ok[8] = {1, 2, 3, 4, 5, 6, 7, 0};
	ok[7] = (uint8_t)(0 - (1 + 2 + 3 + 4 + 5 + 6 + 7));
	CHECK("acpi_checksum_good", acpi_checksum_ok(ok, 8));
	ok[3] ^= 1;
	CHECK("acpi_checksum_bad", !acpi_checksum_ok(ok, 8));

	/* Name(\_S5_, Package(4) {5, Zero, Zero, Zero}) */
	const uint8_t s5[] = {0x10, 0x08, '\\', '_',  'S',  '5',  '_', 0x12,
			      0x0a, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00};
	uint8_t a = 9, b = 9;
	CHECK_EQ_INT("acpi_s5_parse", acpi_parse_s5(s5, sizeof(s5), &a, &b), 0);
	CHECK_EQ_INT("acpi_s5_typa", a, 5);
	CHECK_EQ_INT("acpi_s5_typb", b, 0);
	/* Name(_S5_, Package() {One, One}) without the root prefix. */
	const uint8_t s5b[] = {0x08, '_',  'S',	 '5',  '_',
			       0x12, 0x05, 0x02, 0x01, 0x01};
	CHECK_EQ_INT("acpi_s5_no_root_prefix",
		     acpi_parse_s5(s5b, sizeof(s5b), &a, &b), 0);
	CHECK("acpi_s5_ones", a == 1 && b == 1);
	/* Truncated after PackageOp, and "_S5_" that is not a Name. */
	CHECK_EQ_INT("acpi_s5_truncated", acpi_parse_s5(s5, 8, &a, &b),
		     -EINVAL);
	const uint8_t notname[] = {0x99, '_', 'S', '5', '_', 0x12, 0x05};
	CHECK_EQ_INT("acpi_s5_not_a_name",
		     acpi_parse_s5(notname, sizeof(notname), &a, &b), -EINVAL);
	/* Every prefix of a valid encoding fails cleanly (ASan watches). */
	int crashes = 0;
	for (size_t n = 0; n < sizeof(s5); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, s5, n);
		if (acpi_parse_s5(copy, n, &a, &b) == 0 && n < 12)
			crashes++;
		free(copy);
	}
	CHECK_EQ_INT("acpi_s5_every_prefix", crashes, 0);

	uint8_t m[256] = {0};
	size_t len = 44;
	*(uint32_t *)(m + 36) = 0xfee00000;
	const uint8_t cpu0[] = {0, 8, 0, 0, 1, 0, 0, 0};
	const uint8_t cpu1_off[] = {0, 8, 1, 1, 0, 0, 0, 0};
	const uint8_t ioapic[] = {1, 12, 7, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0};
	const uint8_t iso[] = {2, 10, 0, 0, 2, 0, 0, 0, 0x0f, 0};
	madt_add(m, &len, cpu0, sizeof(cpu0));
	madt_add(m, &len, cpu1_off, sizeof(cpu1_off));
	madt_add(m, &len, ioapic, sizeof(ioapic));
	madt_add(m, &len, iso, sizeof(iso));
	struct acpi_madt_info info;
	memset(&info, 0, sizeof(info));
	acpi_parse_madt(m, len, &info);
	CHECK_EQ_INT("acpi_madt_lapic", info.lapic_addr, 0xfee00000);
	CHECK_EQ_INT("acpi_madt_enabled_cpus", info.nr_cpus, 1);
	CHECK_EQ_INT("acpi_madt_ioapics", info.nr_ioapics, 1);
	CHECK_EQ_INT("acpi_madt_ioapic_addr", info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ_INT("acpi_madt_ioapic_id", info.ioapics[0].id, 7);
	CHECK_EQ_INT("acpi_madt_override_gsi", info.overrides[0].gsi, 2);
	CHECK_EQ_INT("acpi_madt_override_flags", info.overrides[0].flags, 15);
	/* A zero-length entry must stop the walk, not loop forever. */
	const uint8_t bad[] = {1, 0};
	madt_add(m, &len, bad, sizeof(bad));
	memset(&info, 0, sizeof(info));
	acpi_parse_madt(m, len, &info);
	CHECK_EQ_INT("acpi_madt_zero_length_entry", info.nr_ioapics, 1);
	/* An entry running past the table is ignored. */
	const uint8_t past[] = {1, 60, 0, 0};
	size_t l2 = len - 2;
	madt_add(m, &l2, past, sizeof(past));
	memset(&info, 0, sizeof(info));
	acpi_parse_madt(m, l2, &info);
	CHECK_EQ_INT("acpi_madt_entry_past_end", info.nr_ioapics, 1);
	return unit_done();
}
