/* Host tests of the ACPI parsers (drivers/acpi_tables.c): synthetic tables
 * in a fake physical memory (RSDP -> XSDT/RSDT -> FADT -> DSDT, MADT), good
 * and corrupt: bad checksums, absurd lengths, truncated or garbage AML. */
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>

#include "../../drivers/acpi_tables.c"

/* printk shim: counts warnings, keeps the last message. */
static int nr_warnings;
static char last_msg[256];

void printk(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	if (level == LOGLEVEL_WARNING)
		nr_warnings++;
	if (getenv("ACPI_TEST_VERBOSE"))
		printf("  printk(%d): %s\n", level, last_msg);
}

/* Fake physical memory: [PHYS_BASE, PHYS_BASE + PHYS_SIZE), malloc'd with
 * its exact size so that ASan catches any read past a mapped range's end
 * (a table placed at the very end tests that). */
#define PHYS_BASE 0x100000u
#define PHYS_SIZE 0x4000u
static uint8_t *phys;
static size_t max_map_len; /* the longest range ever asked for */

static const void *fake_map(phys_addr_t pa, size_t len)
{
	if (len > max_map_len)
		max_map_len = len;
	if (pa < PHYS_BASE || len > PHYS_SIZE ||
	    pa - PHYS_BASE > PHYS_SIZE - len)
		return NULL;
	return phys + (pa - PHYS_BASE);
}

static uint8_t *P(phys_addr_t pa)
{
	return phys + (pa - PHYS_BASE);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}
static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Sets the byte at csum so that the len bytes from p sum to 0. */
static void fix_checksum(uint8_t *p, size_t len, size_t csum)
{
	p[csum] = 0;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[csum] = (uint8_t)-sum;
}

/* A table at pa: header, then body; returns its start. */
static uint8_t *put_table(phys_addr_t pa, const char *sig, uint8_t rev,
			  const void *body, size_t body_len)
{
	uint8_t *t = P(pa);
	memset(t, 0, 36);
	memcpy(t, sig, 4);
	wr32(t + 4, (uint32_t)(36 + body_len));
	t[8] = rev;
	memcpy(t + 10, "LIMEN ", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	if (body_len)
		memcpy(t + 36, body, body_len);
	fix_checksum(t, 36 + body_len, 9);
	return t;
}

/* Writes 20 bytes for revision 0-1, 36 for revision 2 and later. */
static void put_rsdp(phys_addr_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = P(pa);
	memset(r, 0, rev >= 2 ? 36 : 20);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "LIMEN ", 6);
	r[15] = rev;
	wr32(r + 16, rsdt);
	if (rev >= 2) {
		wr32(r + 20, 36);
		wr64(r + 24, xsdt);
		fix_checksum(r, 36, 32);
	}
	fix_checksum(r, 20, 8);
	if (rev >= 2) /* the v1 checksum byte is inside the extended sum */
		fix_checksum(r, 36, 32);
}

/* Addresses of the synthetic tables (some deliberately unaligned). */
#define A_RSDP 0x100000u
#define A_RSDT 0x100040u
#define A_XSDT 0x100081u
#define A_FADT 0x100103u
#define A_MADT 0x100300u
#define A_BADC 0x100500u
#define A_HUGE 0x100600u
#define A_LONG 0x100700u
#define A_NAMEDBAD 0x100800u
#define A_DSDT 0x101001u
/* The SSDT ends exactly at the end of fake memory. */
#define SSDT_BODY_LEN 20
#define A_SSDT (PHYS_BASE + PHYS_SIZE - 36 - SSDT_BODY_LEN)

/* DefinitionBlock body: noise, then Scope(\) { Name(_S5_, Package(4)
 * {5, 5, Zero, Zero}) }, then more noise. */
static const uint8_t dsdt_aml[] = {
    0x10, 0x0e, '\\', /* Scope (\), PkgLength 14 */
    0x08, '_',	'S',  '5',  '_',  0x12, 0x08, 0x04,
    0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00, /* Name (_S5_, Package (4) {5, 5, Zero,
					   Zero}) */
    0x08, 'X',	'Y',  'Z',  '_',  0x0a, 0x2a, /* Name (XYZ_, 42) */
};

static void put_fadt(phys_addr_t pa, phys_addr_t dsdt32, uint64_t xdsdt)
{
	uint8_t f[276 - 36];
	memset(f, 0, sizeof(f));
#define F(off) (f + (off)-36)
	wr32(F(40), (uint32_t)dsdt32);
	wr16(F(46), 9);	   /* SCI */
	wr32(F(48), 0xb2); /* SMI_CMD */
	*F(52) = 0xf1;	   /* ACPI_ENABLE */
	wr32(F(56), 0x600);
	wr32(F(64), 0x604); /* PM1a_CNT */
	wr32(F(76), 0x608); /* PM_TMR */
	*F(108) = 0x32;	    /* century */
	wr16(F(109), 0x2);  /* 8042 */
	wr32(F(112), ACPI_FADT_RESET_REG_SUP | ACPI_FADT_TMR_VAL_EXT);
	*F(116) = ACPI_GAS_IO; /* reset register: I/O 0xcf9 */
	*F(117) = 8;
	wr64(F(120), 0xcf9);
	*F(128) = 0x06;
	wr64(F(140), xdsdt);
	*F(172) = ACPI_GAS_IO; /* X_PM1a_CNT_BLK */
	*F(173) = 16;
	wr64(F(176), 0x604);
#undef F
	put_table(pa, "FACP", 6, f, sizeof(f));
}

/* MADT entries. */
static size_t madt_lapic(uint8_t *e, uint8_t uid, uint8_t id, uint32_t flags)
{
	e[0] = 0, e[1] = 8, e[2] = uid, e[3] = id;
	wr32(e + 4, flags);
	return 8;
}
static size_t madt_ioapic(uint8_t *e, uint8_t id, uint32_t addr, uint32_t gsi)
{
	e[0] = 1, e[1] = 12, e[2] = id, e[3] = 0;
	wr32(e + 4, addr);
	wr32(e + 8, gsi);
	return 12;
}
static size_t madt_iso(uint8_t *e, uint8_t bus, uint8_t irq, uint32_t gsi,
		       uint16_t flags)
{
	e[0] = 2, e[1] = 10, e[2] = bus, e[3] = irq;
	wr32(e + 4, gsi);
	wr16(e + 8, flags);
	return 10;
}
static size_t madt_lapic_addr(uint8_t *e, uint64_t addr)
{
	e[0] = 5, e[1] = 12, e[2] = e[3] = 0;
	wr64(e + 4, addr);
	return 12;
}
static size_t madt_x2apic(uint8_t *e, uint32_t id, uint32_t flags)
{
	memset(e, 0, 16);
	e[0] = 9, e[1] = 16;
	wr32(e + 4, id);
	wr32(e + 8, flags);
	return 16;
}

/* A QEMU-like MADT body (after the header): 2 CPUs enabled + 1 off, one
 * I/O APIC, IRQ0 -> GSI2 and IRQ9 level/active-low. */
static size_t madt_body(uint8_t *b)
{
	size_t n = 0;
	wr32(b, 0xfee00000);
	wr32(b + 4, 1); /* PCAT_COMPAT */
	n = 8;
	n += madt_lapic(b + n, 0, 0, 1);
	n += madt_lapic(b + n, 1, 1, 1);
	n += madt_lapic(b + n, 2, 2, 2); /* online capable, not enabled */
	n += madt_ioapic(b + n, 7, 0xfec00000, 0);
	n += madt_iso(b + n, 0, 0, 2, 0);
	n += madt_iso(b + n, 0, 9, 9, 0xd);
	return n;
}

/* The whole good set: RSDP v2 -> XSDT (and an RSDT) -> ... */
static void build_tables(void)
{
	memset(phys, 0xee, PHYS_SIZE);
	uint8_t b[512];

	/* XSDT: FADT, MADT, a bad checksum, an absurd length, a length
	 * past the end of memory, the SSDT, a null entry, an address
	 * outside memory. */
	uint64_t xents[] = {A_FADT, A_MADT, A_BADC, A_HUGE,
			    A_LONG, A_SSDT, 0,	    0xdead00000000ull};
	for (size_t i = 0; i < ARRAY_SIZE(xents); i++)
		wr64(b + 8 * i, xents[i]);
	put_table(A_XSDT, "XSDT", 1, b, 8 * ARRAY_SIZE(xents));
	/* RSDT: FADT and MADT only. */
	wr32(b, A_FADT);
	wr32(b + 4, A_MADT);
	put_table(A_RSDT, "RSDT", 1, b, 8);
	put_rsdp(A_RSDP, 2, A_RSDT, A_XSDT);

	put_fadt(A_FADT, A_NAMEDBAD, A_DSDT); /* X_DSDT wins */
	put_table(A_DSDT, "DSDT", 2, dsdt_aml, sizeof(dsdt_aml));
	put_table(A_NAMEDBAD, "DSDT", 2, NULL, 0);
	put_table(A_MADT, "APIC", 1, b, madt_body(b));

	put_table(A_BADC, "BADC", 1, "x", 1);
	P(A_BADC)[36] ^= 0x40; /* breaks the checksum */
	put_table(A_HUGE, "HUGE", 1, NULL, 0);
	wr32(P(A_HUGE) + 4, 0xfffffff0u);
	put_table(A_LONG, "LONG", 1, NULL, 0);
	wr32(P(A_LONG) + 4, PHYS_SIZE); /* runs past the end of memory */
	memset(b, 0xa5, SSDT_BODY_LEN);
	put_table(A_SSDT, "SSDT", 1, b, SSDT_BODY_LEN);
}

static int sigs_are(const struct acpi_table_set *set, const char *want)
{
	char got[5 * ACPI_MAX_TABLES + 1] = "";
	for (unsigned i = 0; i < set->nr; i++) {
		strncat(got, set->t[i].sig, 4);
		if (i + 1 < set->nr)
			strcat(got, " ");
	}
	if (strcmp(got, want) != 0)
		printf("  tables: \"%s\", expected \"%s\"\n", got, want);
	return strcmp(got, want) == 0;
}

static void test_checksum(void)
{
	uint8_t ok[8] = {1, 2, 3, 4, 5, 6, 7, 0};
	fix_checksum(ok, 8, 7);
	CHECK("acpi_checksum_good", acpi_checksum_ok(ok, 8));
	ok[3] ^= 1;
	CHECK("acpi_checksum_bad", !acpi_checksum_ok(ok, 8));
}

static void test_load_xsdt(void)
{
	struct acpi_table_set set;
	build_tables();
	nr_warnings = 0;
	max_map_len = 0;
	int r = acpi_tables_load(A_RSDP, fake_map, &set);
	CHECK_EQ_INT("acpi_load_v2", r, 0);
	CHECK("acpi_load_uses_xsdt", set.xsdt && set.root_pa == A_XSDT);
	CHECK_EQ_INT("acpi_load_rsdp_rev", set.rsdp_rev, 2);
	CHECK_EQ_STR("acpi_load_oem", set.oem, "LIMEN ");
	/* BADC, HUGE and LONG are dropped, the FADT's DSDT is added. */
	CHECK("acpi_load_table_list", sigs_are(&set, "FACP APIC SSDT DSDT"));
	CHECK_EQ_INT("acpi_load_bad_tables_warned", nr_warnings, 4);
	/* HUGE's length is refused before anything that long is mapped. */
	CHECK("acpi_load_never_maps_absurd_length",
	      max_map_len <= ACPI_MAX_TABLE_LEN);
	const struct acpi_table_ref *d = acpi_tables_find(&set, "DSDT", 0);
	CHECK("acpi_load_dsdt_from_x_dsdt", d && d->pa == A_DSDT);
	CHECK("acpi_find_index", acpi_tables_find(&set, "SSDT", 0) &&
				     !acpi_tables_find(&set, "SSDT", 1));
	CHECK("acpi_find_absent", !acpi_tables_find(&set, "BADC", 0) &&
				      !acpi_tables_find(&set, "HPET", 0));
	uint8_t a = 9, b = 9;
	CHECK_EQ_INT("acpi_find_s5_dsdt", acpi_find_s5(&set, &a, &b), 0);
	CHECK("acpi_find_s5_values", a == 5 && b == 5);

	struct acpi_fadt_info f;
	const struct acpi_table_ref *ft = acpi_tables_find(&set, "FACP", 0);
	CHECK_EQ_INT("acpi_fadt_parse", acpi_parse_fadt(ft->va, ft->len, &f),
		     0);
	CHECK_EQ_INT("acpi_fadt_pm1a", f.pm1a_cnt, 0x604);
	CHECK_EQ_INT("acpi_fadt_pm1b", f.pm1b_cnt, 0);
	CHECK_EQ_INT("acpi_fadt_pm_tmr", f.pm_tmr, 0x608);
	CHECK_EQ_INT("acpi_fadt_sci", f.sci_irq, 9);
	CHECK_EQ_INT("acpi_fadt_century", f.century, 0x32);
	CHECK_EQ_INT("acpi_fadt_smi", f.smi_cmd, 0xb2);
	CHECK_EQ_INT("acpi_fadt_acpi_enable", f.acpi_enable, 0xf1);
	CHECK_EQ_INT("acpi_fadt_dsdt", f.dsdt, A_DSDT);
	CHECK_EQ_INT("acpi_fadt_boot_arch", f.iapc_boot_arch, 2);
	CHECK("acpi_fadt_reset",
	      f.has_reset && f.reset_reg.space == ACPI_GAS_IO &&
		  f.reset_reg.addr == 0xcf9 && f.reset_value == 6);
}

static void test_load_fallbacks(void)
{
	struct acpi_table_set set;

	/* Bad extended checksum: the XSDT is not trusted, the RSDT is. */
	build_tables();
	P(A_RSDP)[33] ^= 1;
	nr_warnings = 0;
	CHECK_EQ_INT("acpi_rsdp_bad_ext_checksum_loads",
		     acpi_tables_load(A_RSDP, fake_map, &set), 0);
	CHECK("acpi_rsdp_bad_ext_checksum_uses_rsdt",
	      !set.xsdt && set.root_pa == A_RSDT &&
		  sigs_are(&set, "FACP APIC DSDT"));
	CHECK("acpi_rsdp_bad_ext_checksum_warned", nr_warnings >= 1);

	/* Absurd extended length. */
	build_tables();
	wr32(P(A_RSDP) + 20, 0x7fffffff);
	fix_checksum(P(A_RSDP), 20, 8);
	CHECK("acpi_rsdp_absurd_length_uses_rsdt",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 && !set.xsdt);

	/* A corrupt XSDT: fall back to the RSDT. */
	build_tables();
	P(A_XSDT)[40] ^= 0x10;
	CHECK("acpi_bad_xsdt_uses_rsdt",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 && !set.xsdt &&
		  set.root_pa == A_RSDT);

	/* An "XSDT" that is some other table. */
	build_tables();
	put_rsdp(A_RSDP, 2, A_RSDT, A_MADT);
	CHECK("acpi_xsdt_wrong_signature_uses_rsdt",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 && !set.xsdt);

	/* Revision 0: the XSDT field is not even read. */
	build_tables();
	put_rsdp(A_RSDP, 0, A_RSDT, 0);
	wr64(P(A_RSDP) + 24, A_XSDT); /* garbage past a v1 RSDP */
	CHECK("acpi_rsdp_v1_uses_rsdt",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 && !set.xsdt &&
		  set.rsdp_rev == 0 && sigs_are(&set, "FACP APIC DSDT"));

	/* A table listed twice, and the DSDT listed too, appear once. */
	build_tables();
	uint8_t ents[12];
	wr32(ents, A_FADT);
	wr32(ents + 4, A_DSDT);
	wr32(ents + 8, A_FADT);
	put_table(A_RSDT, "RSDT", 1, ents, sizeof(ents));
	put_rsdp(A_RSDP, 0, A_RSDT, 0);
	CHECK("acpi_duplicates_listed_once",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 &&
		  sigs_are(&set, "FACP DSDT"));

	/* Nothing usable. */
	build_tables();
	P(A_RSDP)[1] = 'X';
	CHECK_EQ_INT("acpi_rsdp_bad_signature",
		     acpi_tables_load(A_RSDP, fake_map, &set), -ENODEV);
	build_tables();
	P(A_RSDP)[8] ^= 1;
	CHECK_EQ_INT("acpi_rsdp_bad_checksum",
		     acpi_tables_load(A_RSDP, fake_map, &set), -ENODEV);
	CHECK_EQ_INT("acpi_rsdp_unmapped",
		     acpi_tables_load(0x42, fake_map, &set), -ENODEV);
	build_tables();
	P(A_XSDT)[40] ^= 0x10;
	P(A_RSDT)[40] ^= 0x10;
	CHECK_EQ_INT("acpi_both_roots_bad",
		     acpi_tables_load(A_RSDP, fake_map, &set), -ENODEV);
	build_tables();
	wr32(P(A_RSDT) + 4, 8); /* shorter than a header */
	put_rsdp(A_RSDP, 0, A_RSDT, 0);
	CHECK_EQ_INT("acpi_root_too_short",
		     acpi_tables_load(A_RSDP, fake_map, &set), -ENODEV);

	/* The FADT points at a table that is not a DSDT: not added, and
	 * \_S5 is then looked for (and here found) in the SSDTs. */
	build_tables();
	put_fadt(A_FADT, A_NAMEDBAD, 0);
	put_table(A_NAMEDBAD, "SSDT", 2, dsdt_aml, sizeof(dsdt_aml));
	nr_warnings = 0;
	CHECK("acpi_dsdt_wrong_signature",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 &&
		  !acpi_tables_find(&set, "DSDT", 0) && nr_warnings == 5);
	uint8_t a, b;
	CHECK_EQ_INT("acpi_find_s5_absent", acpi_find_s5(&set, &a, &b),
		     -ENOENT);
	set.t[set.nr].pa = A_NAMEDBAD; /* hand it over as an SSDT */
	set.t[set.nr].len = 36 + sizeof(dsdt_aml);
	set.t[set.nr].va = P(A_NAMEDBAD);
	memcpy(set.t[set.nr++].sig, "SSDT", 4);
	CHECK("acpi_find_s5_in_ssdt",
	      acpi_find_s5(&set, &a, &b) == 0 && a == 5 && b == 5);

	/* The DSDT's length runs off the end of memory. */
	build_tables();
	wr32(P(A_DSDT) + 4, PHYS_SIZE);
	CHECK("acpi_dsdt_too_long_ignored",
	      acpi_tables_load(A_RSDP, fake_map, &set) == 0 &&
		  !acpi_tables_find(&set, "DSDT", 0));
}

static void test_rsdp_scan(void)
{
	const size_t len = 0x2000;
	uint8_t *area = malloc(len);
	memset(area, 0, len);
	uint8_t *save = phys;
	/* Reuse put_rsdp by pointing the fake memory at the area. */
	phys = area;
	memcpy(area + 0x105, "RSD PTR ", 8); /* not 16-byte aligned */
	put_rsdp(PHYS_BASE + 0x200, 0, 0x1234, 0);
	area[0x200 + 19] ^= 1; /* bad checksum */
	put_rsdp(PHYS_BASE + 0x400, 2, 0x1234, 0x5678);
	area[0x400 + 35] ^= 1; /* bad extended checksum */
	put_rsdp(PHYS_BASE + 0x1230, 2, 0x1234, 0x5678);
	CHECK_EQ_INT("acpi_rsdp_scan_finds_valid", acpi_rsdp_scan(area, len),
		     0x1230);
	memset(area + 0x1230, 0, 36);
	CHECK_EQ_INT("acpi_rsdp_scan_none", acpi_rsdp_scan(area, len), -ENOENT);
	/* A v2 RSDP cut short by the end of the area; a v1 one that fits. */
	uint8_t v2[36];
	phys = v2;
	put_rsdp(PHYS_BASE, 2, 0x1234, 0x5678);
	phys = area;
	memcpy(area + len - 32, v2, 32);
	CHECK_EQ_INT("acpi_rsdp_scan_v2_cut_short", acpi_rsdp_scan(area, len),
		     -ENOENT);
	put_rsdp(PHYS_BASE + len - 32, 0, 0x1234, 0);
	CHECK_EQ_INT("acpi_rsdp_scan_v1_at_end", acpi_rsdp_scan(area, len),
		     (long)len - 32);
	CHECK_EQ_INT("acpi_rsdp_scan_tiny", acpi_rsdp_scan(area, 19), -ENOENT);
	phys = save;
	free(area);
}

static void test_madt(void)
{
	uint8_t buf[600];
	uint8_t *m = buf + 1; /* unaligned on purpose */
	memset(buf, 0, sizeof(buf));
	size_t len = 36 + madt_body(m + 36);
	size_t n = len;
	n += madt_iso(m + n, 1, 4, 20, 0);  /* bus 1: not ISA, ignored */
	n += madt_iso(m + n, 0, 9, 9, 0xf); /* replaces the first IRQ9 */
	n += madt_x2apic(m + n, 300, 1);    /* an enabled x2APIC */
	n += madt_x2apic(m + n, 301, 0);    /* a disabled one */
	n += madt_ioapic(m + n, 8, 0xfec01000, 24);
	n += madt_lapic_addr(m + n, 0x1fee00000ull);
	m[n] = 4, m[n + 1] = 6; /* LAPIC NMI: skipped */
	n += 6;
	struct acpi_madt_info info;
	memset(&info, 0x5a, sizeof(info));
	CHECK_EQ_INT("acpi_madt_parse", acpi_parse_madt(m, n, &info), 0);
	CHECK_EQ_INT("acpi_madt_lapic_override", info.lapic_addr,
		     0x1fee00000ull);
	CHECK("acpi_madt_pcat", info.pcat_compat);
	CHECK_EQ_INT("acpi_madt_enabled_cpus", info.nr_cpus, 3);
	CHECK("acpi_madt_cpu_ids", info.cpu_apic_ids[0] == 0 &&
				       info.cpu_apic_ids[1] == 1 &&
				       info.cpu_apic_ids[2] == 300);
	CHECK_EQ_INT("acpi_madt_ioapics", info.nr_ioapics, 2);
	CHECK_EQ_INT("acpi_madt_ioapic_id", info.ioapics[0].id, 7);
	CHECK_EQ_INT("acpi_madt_ioapic_addr", info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ_INT("acpi_madt_ioapic2_gsi_base", info.ioapics[1].gsi_base,
		     24);
	CHECK_EQ_INT("acpi_madt_overrides", info.nr_overrides, 2);
	CHECK("acpi_madt_override_irq0", info.overrides[0].isa_irq == 0 &&
					     info.overrides[0].gsi == 2 &&
					     info.overrides[0].flags == 0);
	CHECK("acpi_madt_override_irq9_replaced",
	      info.overrides[1].isa_irq == 9 && info.overrides[1].gsi == 9 &&
		  info.overrides[1].flags == 0xf);

	/* The plain header address without the type-5 entry. */
	memset(&info, 0, sizeof(info));
	acpi_parse_madt(m, len, &info);
	CHECK_EQ_INT("acpi_madt_lapic_32bit", info.lapic_addr, 0xfee00000);

	/* A zero-length entry stops the walk instead of looping. */
	n = len;
	m[n] = 1, m[n + 1] = 0;
	n += 2;
	n += madt_ioapic(m + n, 9, 0xfec02000, 48);
	nr_warnings = 0;
	acpi_parse_madt(m, n, &info);
	CHECK("acpi_madt_zero_length_entry",
	      info.nr_ioapics == 1 && nr_warnings == 1);
	/* An entry running past the table's end is not read. */
	n = len;
	m[n] = 1, m[n + 1] = 12;
	acpi_parse_madt(m, n + 6, &info);
	CHECK_EQ_INT("acpi_madt_entry_past_end", info.nr_ioapics, 1);
	/* Every truncation parses without reading past the end (ASan). */
	int bad = 0;
	for (size_t l = 0; l <= len; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		memcpy(copy, m, l);
		int r = acpi_parse_madt(copy, l, &info);
		if ((l < 44) != (r == -EINVAL))
			bad++;
		free(copy);
	}
	CHECK_EQ_INT("acpi_madt_every_truncation", bad, 0);
	/* Too short: -EINVAL and the output left alone. */
	acpi_madt_defaults(&info);
	CHECK("acpi_madt_too_short", acpi_parse_madt(m, 43, &info) == -EINVAL &&
					 info.lapic_addr == 0xfee00000 &&
					 info.nr_ioapics == 1);
	/* More I/O APICs than fit: capped. */
	n = 44;
	for (int i = 0; i < ACPI_MAX_IOAPICS + 3; i++)
		n += madt_ioapic(m + n, (uint8_t)i, 0xfec00000 + 0x1000 * i,
				 24 * i);
	acpi_parse_madt(m, n, &info);
	CHECK("acpi_madt_ioapics_capped",
	      info.nr_ioapics == ACPI_MAX_IOAPICS && info.nr_cpus == 1);

	acpi_madt_defaults(&info);
	CHECK("acpi_madt_defaults",
	      info.lapic_addr == 0xfee00000 && info.nr_ioapics == 1 &&
		  info.ioapics[0].addr == 0xfec00000 &&
		  info.ioapics[0].gsi_base == 0 && info.nr_overrides == 0 &&
		  info.nr_cpus == 1);
}

static void test_fadt(void)
{
	uint8_t f[300];
	/* QEMU -machine pc: revision 1, 116 bytes, no X_ fields. */
	memset(f, 0, sizeof(f));
	memcpy(f, "FACP", 4);
	f[8] = 1;
	wr32(f + 40, 0x7fe0040);
	wr16(f + 46, 9);
	wr32(f + 64, 0x604);
	wr32(f + 76, 0x608);
	f[108] = 0x32;
	wr32(f + 112, 0x80a5);
	memset(f + 116, 0xcc, sizeof(f) - 116); /* beyond the table */
	struct acpi_fadt_info fi;
	CHECK_EQ_INT("acpi_fadt_v1", acpi_parse_fadt(f, 116, &fi), 0);
	CHECK("acpi_fadt_v1_fields",
	      fi.pm1a_cnt == 0x604 && fi.dsdt == 0x7fe0040 &&
		  fi.century == 0x32 && !fi.has_reset && fi.sci_irq == 9);
	CHECK_EQ_INT("acpi_fadt_too_short", acpi_parse_fadt(f, 79, &fi),
		     -EINVAL);
	CHECK_EQ_INT("acpi_fadt_minimal", acpi_parse_fadt(f, 80, &fi), 0);
	CHECK("acpi_fadt_minimal_fields",
	      fi.pm1a_cnt == 0x604 && fi.century == 0 && fi.flags == 0);

	/* X_PM1a in I/O space overrides the 32-bit field... */
	memset(f + 116, 0, sizeof(f) - 116);
	f[172] = ACPI_GAS_IO;
	wr64(f + 176, 0xb004);
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_x_pm1a_io", fi.pm1a_cnt, 0xb004);
	/* ...but not in memory space; and an empty one changes nothing. */
	f[172] = ACPI_GAS_MEMORY;
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_x_pm1a_memory", fi.pm1a_cnt, 0x604);
	memset(f + 172, 0, 12);
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_x_pm1a_empty", fi.pm1a_cnt, 0x604);
	/* Only X_: legacy field 0. */
	wr32(f + 64, 0);
	f[172] = ACPI_GAS_IO;
	wr64(f + 176, 0x404);
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_x_only", fi.pm1a_cnt, 0x404);
	/* A port that does not fit in 16 bits is no port. */
	wr64(f + 176, 0x12345);
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_port_too_big", fi.pm1a_cnt, 0);
	/* Reset register present but RESET_REG_SUP clear. */
	f[116] = ACPI_GAS_IO;
	wr64(f + 120, 0xcf9);
	acpi_parse_fadt(f, 244, &fi);
	CHECK("acpi_fadt_reset_needs_flag", !fi.has_reset);
	/* X_DSDT zero: the 32-bit DSDT stays. */
	acpi_parse_fadt(f, 244, &fi);
	CHECK_EQ_INT("acpi_fadt_x_dsdt_zero", fi.dsdt, 0x7fe0040);
}

static int s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	/* An exact-size heap copy, so ASan sees any overread. */
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, aml, len);
	int r = acpi_parse_s5(copy, len, a, b);
	free(copy);
	return r;
}

static void test_s5(void)
{
	uint8_t a = 9, b = 9;
	/* Name(\_S5_, Package(4) {5, Zero, Zero, Zero}) in a Scope. */
	const uint8_t root[] = {0x10, 0x08, '\\', 0x08, '\\', '_',
				'S',  '5',  '_',  0x12, 0x07, 0x04,
				0x0a, 0x05, 0x00, 0x00, 0x00};
	CHECK_EQ_INT("acpi_s5_root_prefix", s5(root, sizeof(root), &a, &b), 0);
	CHECK("acpi_s5_root_prefix_values", a == 5 && b == 0);
	/* QEMU's bytes (pc and q35): Name(_S5_, Package(4) {0, 0, 0, 0}). */
	const uint8_t qemu[] = {0x02, 0x00, 0x00, 0x08, '_',  'S',
				'5',  '_',  0x12, 0x06, 0x04, 0x00,
				0x00, 0x00, 0x00, 0x10, 0x3b};
	a = b = 9;
	CHECK("acpi_s5_qemu",
	      s5(qemu, sizeof(qemu), &a, &b) == 0 && a == 0 && b == 0);
	/* One, WordPrefix, a 2-byte PkgLength. */
	const uint8_t wide[] = {0x08, '_',  'S',  '5',	'_',  0x12, 0x47,
				0x00, 0x02, 0x01, 0x0b, 0x07, 0x00};
	CHECK("acpi_s5_word_and_long_pkglen",
	      s5(wide, sizeof(wide), &a, &b) == 0 && a == 1 && b == 7);
	/* A single element gives both values. */
	const uint8_t one[] = {0x08, '_',  'S',	 '5',  '_',
			       0x12, 0x04, 0x01, 0x0a, 0x03};
	CHECK("acpi_s5_single_element",
	      s5(one, sizeof(one), &a, &b) == 0 && a == 3 && b == 3);

	/* Not a Name: a Method called _S5_, or plain data. */
	const uint8_t method[] = {0x14, 0x08, '_',  'S', '5',
				  '_',	0x00, 0xa4, 0x00};
	CHECK_EQ_INT("acpi_s5_method_is_not_name",
		     s5(method, sizeof(method), &a, &b), -EINVAL);
	const uint8_t notname[] = {0x99, '_',  'S',  '5',  '_',
				   0x12, 0x05, 0x02, 0x01, 0x01};
	CHECK_EQ_INT("acpi_s5_not_a_name", s5(notname, sizeof(notname), &a, &b),
		     -EINVAL);
	/* At offset 0 there is no room for a NameOp before it. */
	CHECK_EQ_INT("acpi_s5_at_start", s5(notname + 1, 9, &a, &b), -EINVAL);
	/* Name(_S5_, 5): not a package. */
	const uint8_t notpkg[] = {0x08, '_', 'S', '5', '_', 0x0a, 0x05};
	CHECK_EQ_INT("acpi_s5_not_a_package",
		     s5(notpkg, sizeof(notpkg), &a, &b), -EINVAL);
	/* SLP_TYP is 3 bits wide; a bigger value is garbage. */
	const uint8_t big[] = {0x08, '_',  'S',	 '5',  '_', 0x12,
			       0x05, 0x02, 0x0a, 0x08, 0x00};
	CHECK_EQ_INT("acpi_s5_value_too_big", s5(big, sizeof(big), &a, &b),
		     -EINVAL);
	/* Zero elements; a PkgLength longer than the AML; one too short
	 * for its own elements; reserved PkgLength bits set. */
	const uint8_t empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00};
	CHECK_EQ_INT("acpi_s5_no_elements", s5(empty, sizeof(empty), &a, &b),
		     -EINVAL);
	uint8_t longpkg[sizeof(root)];
	memcpy(longpkg, root, sizeof(root));
	longpkg[10] = 0x3f;
	CHECK_EQ_INT("acpi_s5_pkglen_past_end",
		     s5(longpkg, sizeof(longpkg), &a, &b), -EINVAL);
	const uint8_t shortpkg[] = {0x08, '_',	'S',  '5',  '_', 0x12,
				    0x02, 0x02, 0x0a, 0x05, 0x00};
	CHECK_EQ_INT("acpi_s5_elements_past_pkglen",
		     s5(shortpkg, sizeof(shortpkg), &a, &b), -EINVAL);
	uint8_t resv[sizeof(wide)];
	memcpy(resv, wide, sizeof(wide));
	resv[6] |= 0x10;
	CHECK_EQ_INT("acpi_s5_pkglen_reserved_bits",
		     s5(resv, sizeof(resv), &a, &b), -EINVAL);

	/* A bad candidate first does not hide a good one after it. */
	uint8_t two[sizeof(notpkg) + sizeof(qemu)];
	memcpy(two, notpkg, sizeof(notpkg));
	memcpy(two + sizeof(notpkg), qemu, sizeof(qemu));
	a = b = 9;
	CHECK("acpi_s5_skips_bad_candidate",
	      s5(two, sizeof(two), &a, &b) == 0 && a == 0 && b == 0);

	/* Every truncation of a valid encoding fails cleanly (ASan
	 * watches) until the two values are complete. */
	int wrong = 0;
	for (size_t n = 0; n <= sizeof(root); n++) {
		int r = s5(root, n, &a, &b);
		if ((r == 0) != (n == sizeof(root)))
			wrong++;
	}
	CHECK_EQ_INT("acpi_s5_every_truncation", wrong, 0);

	/* Garbage with planted candidates: no crash, no overread. */
	srand(1);
	int found = 0, out_of_range = 0;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t g[48];
		size_t n = 1 + (size_t)rand() % sizeof(g);
		for (size_t i = 0; i < n; i++)
			g[i] = (uint8_t)rand();
		if (n > 8) {
			size_t at = (size_t)rand() % (n - 5);
			g[at] = 0x08;
			memcpy(g + at + 1, "_S5_", MIN(4, n - at - 1));
			if (at + 5 < n)
				g[at + 5] = 0x12;
		}
		if (s5(g, n, &a, &b) == 0) {
			found++;
			if (a > 7 || b > 7)
				out_of_range++;
		}
	}
	CHECK_EQ_INT("acpi_s5_fuzz_values_in_range", out_of_range, 0);
	CHECK("acpi_s5_fuzz_some_parse", found > 0);
}

int main(void)
{
	phys = malloc(PHYS_SIZE);
	test_checksum();
	test_load_xsdt();
	test_load_fallbacks();
	test_rsdp_scan();
	test_madt();
	test_fadt();
	test_s5();
	free(phys);
	return unit_done();
}
