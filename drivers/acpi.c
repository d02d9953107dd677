/* ACPI table discovery and power-off. Every table is checksummed and
 * bounds-checked before use; a bad one is reported and ignored, never
 * trusted. The parsers of the MADT and of \_S5 in the DSDT's AML are pure
 * functions (unit-tested on the host in tests/unit/test_acpi.c). */
#include <acpi.h>
#include <arch.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <printk.h>
#include <uapi/errno.h>

struct acpi_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __packed;

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length; /* revision >= 2 from here */
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __packed;

#define MAX_TABLES 32
#define MAX_TABLE_LEN (16u << 20)

static const struct acpi_sdt *tables[MAX_TABLES];
static int nr_tables;
static struct acpi_madt_info madt_info = {
    .lapic_addr = 0xfee00000,
    .nr_cpus = 1,
    .nr_ioapics = 1,
    .ioapics = {{0, 0xfec00000, 0}},
};
static uint16_t pm1a_cnt, pm1b_cnt;
static uint8_t slp_typa, slp_typb;
static bool have_s5;

int acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* AML PkgLength: 1 to 4 bytes; returns bytes used or 0 if malformed. */
static size_t aml_pkglen(const uint8_t *p, size_t avail, uint32_t *len)
{
	if (avail < 1)
		return 0;
	size_t extra = p[0] >> 6;
	if (avail < 1 + extra)
		return 0;
	if (extra == 0) {
		*len = p[0] & 0x3f;
		return 1;
	}
	uint32_t v = p[0] & 0x0f;
	for (size_t i = 0; i < extra; i++)
		v |= (uint32_t)p[1 + i] << (4 + 8 * i);
	*len = v;
	return 1 + extra;
}

/* One integer element: ZeroOp, OneOp, BytePrefix n, or WordPrefix n. */
static size_t aml_small_int(const uint8_t *p, size_t avail, uint8_t *v)
{
	if (avail < 1)
		return 0;
	switch (p[0]) {
	case 0x00:
		*v = 0;
		return 1;
	case 0x01:
		*v = 1;
		return 1;
	case 0x0a:
		if (avail < 2)
			return 0;
		*v = p[1];
		return 2;
	case 0x0b:
		if (avail < 3)
			return 0;
		*v = p[1];
		return 3;
	default:
		return 0;
	}
}

int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		/* NameOp (0x08) right before, possibly with a root '\'. */
		if (!(i >= 1 && aml[i - 1] == 0x08) &&
		    !(i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08))
			continue;
		size_t p = i + 4;
		if (p >= len || aml[p] != 0x12) /* PackageOp */
			continue;
		p++;
		uint32_t pkglen;
		size_t n = aml_pkglen(aml + p, len - p, &pkglen);
		if (!n)
			return -EINVAL;
		p += n;
		if (p >= len) /* NumElements */
			return -EINVAL;
		p++;
		n = aml_small_int(aml + p, len - p, typa);
		if (!n)
			return -EINVAL;
		p += n;
		if (!aml_small_int(aml + p, len - p, typb))
			*typb = 0;
		return 0;
	}
	return -EINVAL;
}

void acpi_parse_madt(const uint8_t *madt, size_t len,
		     struct acpi_madt_info *out)
{
	if (len < 44)
		return;
	out->lapic_addr = *(const uint32_t *)(madt + 36);
	out->nr_cpus = 0;
	out->nr_ioapics = 0;
	out->nr_overrides = 0;
	for (size_t p = 44; p + 2 <= len;) {
		uint8_t type = madt[p], elen = madt[p + 1];
		if (elen < 2 || p + elen > len)
			break;
		const uint8_t *e = madt + p;
		if (type == 0 && elen >= 8 && (e[4] & 1)) {
			out->nr_cpus++;
		} else if (type == 1 && elen >= 12 &&
			   out->nr_ioapics < ACPI_MAX_IOAPICS) {
			struct acpi_ioapic *io =
			    &out->ioapics[out->nr_ioapics++];
			io->id = e[2];
			io->addr = *(const uint32_t *)(e + 4);
			io->gsi_base = *(const uint32_t *)(e + 8);
		} else if (type == 2 && elen >= 10 &&
			   out->nr_overrides < ACPI_MAX_OVERRIDES) {
			struct acpi_override *o =
			    &out->overrides[out->nr_overrides++];
			o->isa_irq = e[3];
			o->gsi = *(const uint32_t *)(e + 4);
			o->flags = *(const uint16_t *)(e + 8);
		} else if (type == 5 && elen >= 12) {
			out->lapic_addr = *(const uint64_t *)(e + 4);
		}
		p += elen;
	}
	if (out->nr_cpus == 0)
		out->nr_cpus = 1;
}

/* A table at pa, checked; NULL (with a warning) if it is not sane. */
static const struct acpi_sdt *map_table(uint64_t pa)
{
	if (!pa || pa >= (1ULL << 32))
		return NULL;
	const struct acpi_sdt *t = phys_to_virt(pa);
	if (t->length < sizeof(*t) || t->length > MAX_TABLE_LEN) {
		pr_warn("acpi: table at %#llx has a bad length %u: ignored",
			(unsigned long long)pa, t->length);
		return NULL;
	}
	if (!acpi_checksum_ok(t, t->length)) {
		pr_warn("acpi: %.4s at %#llx has a bad checksum: ignored",
			t->sig, (unsigned long long)pa);
		return NULL;
	}
	return t;
}

static const struct acpi_rsdp *find_rsdp(uint64_t hint)
{
	if (hint) {
		const struct acpi_rsdp *r = phys_to_virt(hint);
		if (memcmp(r->sig, "RSD PTR ", 8) == 0 &&
		    acpi_checksum_ok(r, 20))
			return r;
	}
	/* The EBDA's first KiB, then the BIOS ROM area. */
	uint64_t ebda = (uint64_t) * (const uint16_t *)phys_to_virt(0x40e) << 4;
	uint64_t ranges[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
	for (int i = 0; i < 2; i++) {
		if (ranges[i][0] == 0)
			continue;
		for (uint64_t pa = ranges[i][0]; pa + 20 <= ranges[i][1];
		     pa += 16) {
			const struct acpi_rsdp *r = phys_to_virt(pa);
			if (memcmp(r->sig, "RSD PTR ", 8) == 0 &&
			    acpi_checksum_ok(r, 20))
				return r;
		}
	}
	return NULL;
}

const void *acpi_find_table(const char *sig, int index)
{
	for (int i = 0; i < nr_tables; i++)
		if (memcmp(tables[i]->sig, sig, 4) == 0 && index-- == 0)
			return tables[i];
	return NULL;
}

const struct acpi_madt_info *acpi_madt(void)
{
	return &madt_info;
}

static void read_fadt(const uint8_t *f, uint32_t len)
{
	if (len < 76)
		return;
	pm1a_cnt = (uint16_t) * (const uint32_t *)(f + 64);
	pm1b_cnt = (uint16_t) * (const uint32_t *)(f + 68);
	uint64_t dsdt = *(const uint32_t *)(f + 40);
	if (len >= 148 && *(const uint64_t *)(f + 140))
		dsdt = *(const uint64_t *)(f + 140);
	const struct acpi_sdt *d = map_table(dsdt);
	if (!d)
		return;
	if (nr_tables < MAX_TABLES)
		tables[nr_tables++] = d;
	have_s5 =
	    acpi_parse_s5((const uint8_t *)d + sizeof(*d),
			  d->length - sizeof(*d), &slp_typa, &slp_typb) == 0;
	if (!have_s5)
		pr_warn("acpi: no usable \\_S5 in the DSDT");
}

int acpi_init(uint64_t rsdp_hint)
{
	const struct acpi_rsdp *r = find_rsdp(rsdp_hint);
	if (!r)
		return -ENODEV;
	bool x = r->revision >= 2 && r->xsdt &&
		 acpi_checksum_ok(r, MIN(r->length, 36u));
	const struct acpi_sdt *root = map_table(x ? r->xsdt : r->rsdt);
	if (!root)
		return -ENODEV;
	size_t esz = x ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / esz;
	const uint8_t *ents = (const uint8_t *)root + sizeof(*root);
	char names[5 * MAX_TABLES + 1] = "";
	for (size_t i = 0; i < n && nr_tables < MAX_TABLES; i++) {
		uint64_t pa = x ? *(const uint64_t *)(ents + 8 * i)
				: *(const uint32_t *)(ents + 4 * i);
		const struct acpi_sdt *t = map_table(pa);
		if (!t)
			continue;
		tables[nr_tables++] = t;
		strlcat(names, " ", sizeof(names));
		size_t l = strlen(names);
		if (l + 4 < sizeof(names)) {
			memcpy(names + l, t->sig, 4);
			names[l + 4] = '\0';
		}
	}
	pr_info("acpi: RSDP rev %u, %s with%s", r->revision,
		x ? "XSDT" : "RSDT", names);
	const struct acpi_sdt *m = acpi_find_table("APIC", 0);
	if (m)
		acpi_parse_madt((const uint8_t *)m, m->length, &madt_info);
	const struct acpi_sdt *f = acpi_find_table("FACP", 0);
	if (f)
		read_fadt((const uint8_t *)f, f->length);
	pr_info("acpi: %u CPU(s), %u I/O APIC(s), %u override(s), S5 %s",
		madt_info.nr_cpus, madt_info.nr_ioapics, madt_info.nr_overrides,
		have_s5 ? "found" : "missing");
	return 0;
}

void acpi_poweroff(void)
{
	arch_irq_disable();
	if (have_s5 && pm1a_cnt) {
		outw(pm1a_cnt, (uint16_t)(slp_typa << 10) | (1u << 13));
		if (pm1b_cnt)
			outw(pm1b_cnt, (uint16_t)(slp_typb << 10) | (1u << 13));
		for (volatile int i = 0; i < 1000000; i++)
			;
	}
	/* QEMU's isa-debug-exit (if the device was added). */
	outb(0xf4, 0);
	/* Bochs/old-QEMU and QEMU q35 shutdown ports. */
	outw(0x604, 0x2000);
	outw(0xb004, 0x2000);
	pr_emerg("power-off failed, halting");
	arch_halt_forever();
}
