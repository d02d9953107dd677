/* The pure half of ACPI: finding and checksumming tables through a map
 * callback, and reading the MADT, the FADT and \_S5 in AML. Nothing here
 * touches hardware, so tests/unit/test_acpi.c runs it on the host. Every
 * length comes from firmware and is checked before it is trusted. */
#include <acpi.h>
#include <lib/string.h>
#include <printk.h>
#include <uapi/errno.h>

#define SDT_HEADER_LEN 36
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

/* Unaligned little-endian reads: tables sit at any byte address. */
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* RSDP: "RSD PTR " @0, checksum @8 (first 20 bytes), OEM @9, revision @15,
 * RSDT @16; from revision 2: length @20, XSDT @24, extended checksum @32
 * (over length bytes). */
int acpi_rsdp_valid(const void *p, size_t avail)
{
	const uint8_t *r = p;
	if (avail < RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(r, RSDP_V1_LEN))
		return -EINVAL;
	if (r[15] < 2)
		return 0;
	uint32_t len = avail >= RSDP_V2_LEN ? rd32(r + 20) : 0;
	if (len < RSDP_V2_LEN || len > avail || !acpi_checksum_ok(r, len))
		return -EINVAL;
	return 0;
}

long acpi_rsdp_scan(const void *area, size_t len)
{
	const uint8_t *a = area;
	for (size_t off = 0; off + RSDP_V1_LEN <= len; off += 16) {
		/* A v2 RSDP is 36 bytes; near the end, fewer may be left. */
		if (acpi_rsdp_valid(a + off, len - off) == 0)
			return (long)off;
	}
	return -ENOENT;
}

const void *acpi_map_table(phys_addr_t pa, acpi_map_fn map)
{
	if (!pa)
		return NULL;
	const uint8_t *h = map(pa, SDT_HEADER_LEN);
	if (!h) {
		pr_warn("acpi: table at %#llx cannot be read: ignored",
			(unsigned long long)pa);
		return NULL;
	}
	uint32_t len = rd32(h + 4);
	if (len < SDT_HEADER_LEN || len > ACPI_MAX_TABLE_LEN) {
		pr_warn("acpi: %.4s at %#llx has a bad length %u: ignored",
			(const char *)h, (unsigned long long)pa, len);
		return NULL;
	}
	const uint8_t *t = map(pa, len);
	if (!t) {
		pr_warn("acpi: %.4s at %#llx (%u bytes) cannot be read: "
			"ignored",
			(const char *)h, (unsigned long long)pa, len);
		return NULL;
	}
	if (!acpi_checksum_ok(t, len)) {
		pr_warn("acpi: %.4s at %#llx has a bad checksum: ignored",
			(const char *)t, (unsigned long long)pa);
		return NULL;
	}
	return t;
}

static void set_add(struct acpi_table_set *set, phys_addr_t pa, const void *t)
{
	for (unsigned i = 0; i < set->nr; i++)
		if (set->t[i].pa == pa)
			return;
	if (set->nr == ACPI_MAX_TABLES) {
		pr_warn("acpi: more than %d tables; %.4s ignored",
			ACPI_MAX_TABLES, (const char *)t);
		return;
	}
	struct acpi_table_ref *ref = &set->t[set->nr++];
	memcpy(ref->sig, t, 4);
	ref->len = rd32((const uint8_t *)t + 4);
	ref->pa = pa;
	ref->va = t;
}

/* The root table (RSDT or XSDT, by its expected signature), or NULL. */
static const uint8_t *map_root(phys_addr_t pa, const char *sig, acpi_map_fn map)
{
	const uint8_t *t = acpi_map_table(pa, map);
	if (t && memcmp(t, sig, 4) != 0) {
		pr_warn("acpi: %s at %#llx is signed %.4s: ignored", sig,
			(unsigned long long)pa, (const char *)t);
		return NULL;
	}
	return t;
}

int acpi_tables_load(phys_addr_t rsdp_pa, acpi_map_fn map,
		     struct acpi_table_set *set)
{
	memset(set, 0, sizeof(*set));
	const uint8_t *r = map(rsdp_pa, RSDP_V1_LEN);
	if (!r || memcmp(r, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(r, RSDP_V1_LEN)) {
		pr_warn("acpi: no valid RSDP at %#llx",
			(unsigned long long)rsdp_pa);
		return -ENODEV;
	}
	set->rsdp_pa = rsdp_pa;
	set->rsdp_rev = r[15];
	memcpy(set->oem, r + 9, 6);
	phys_addr_t rsdt = rd32(r + 16), xsdt = 0;
	const uint8_t *root = NULL;

	if (set->rsdp_rev >= 2) {
		const uint8_t *r2 = map(rsdp_pa, RSDP_V2_LEN);
		uint32_t len = r2 ? rd32(r2 + 20) : 0;
		r2 = len >= RSDP_V2_LEN && len <= PAGE_SIZE ? map(rsdp_pa, len)
							    : NULL;
		if (!r2 || acpi_rsdp_valid(r2, len) != 0)
			pr_warn("acpi: RSDP revision %u has a bad extended "
				"checksum or length; using the RSDT",
				set->rsdp_rev);
		else
			xsdt = rd64(r2 + 24);
	}
	if (xsdt) {
		root = map_root(xsdt, "XSDT", map);
		if (root) {
			set->xsdt = true;
			set->root_pa = xsdt;
		}
	}
	if (!root && rsdt) {
		root = map_root(rsdt, "RSDT", map);
		set->root_pa = rsdt;
	}
	if (!root) {
		pr_warn("acpi: no usable RSDT or XSDT");
		return -ENODEV;
	}

	size_t esz = set->xsdt ? 8 : 4;
	size_t n = (rd32(root + 4) - SDT_HEADER_LEN) / esz;
	const uint8_t *ents = root + SDT_HEADER_LEN;
	for (size_t i = 0; i < n; i++) {
		phys_addr_t pa =
		    set->xsdt ? rd64(ents + 8 * i) : rd32(ents + 4 * i);
		const void *t = acpi_map_table(pa, map);
		if (t)
			set_add(set, pa, t);
	}

	/* The DSDT is named by the FADT, not by the root table. */
	const struct acpi_table_ref *f = acpi_tables_find(set, "FACP", 0);
	struct acpi_fadt_info fi;
	if (f && acpi_parse_fadt(f->va, f->len, &fi) == 0 && fi.dsdt) {
		const uint8_t *d = acpi_map_table(fi.dsdt, map);
		if (d && memcmp(d, "DSDT", 4) != 0)
			pr_warn("acpi: the FADT's DSDT at %#llx is signed "
				"%.4s: ignored",
				(unsigned long long)fi.dsdt, (const char *)d);
		else if (d)
			set_add(set, fi.dsdt, d);
	}
	return 0;
}

const struct acpi_table_ref *acpi_tables_find(const struct acpi_table_set *set,
					      const char sig[4], int index)
{
	for (unsigned i = 0; i < set->nr; i++)
		if (memcmp(set->t[i].sig, sig, 4) == 0 && index-- == 0)
			return &set->t[i];
	return NULL;
}

void acpi_madt_defaults(struct acpi_madt_info *out)
{
	memset(out, 0, sizeof(*out));
	out->lapic_addr = 0xfee00000;
	out->pcat_compat = true;
	out->nr_cpus = 1;
	out->nr_ioapics = 1;
	out->ioapics[0].id = 0;
	out->ioapics[0].addr = 0xfec00000;
	out->ioapics[0].gsi_base = 0;
}

/* MADT entry types and the fields read (offsets within the entry). */
#define MADT_LAPIC 0	      /* len 8: APIC id @3, flags @4 */
#define MADT_IOAPIC 1	      /* len 12: id @2, address @4, GSI base @8 */
#define MADT_OVERRIDE 2	      /* len 10: bus @2, irq @3, GSI @4, flags @8 */
#define MADT_LAPIC_ADDR 5     /* len 12: 64-bit address @4 */
#define MADT_X2APIC 9	      /* len 16: x2APIC id @4, flags @8 */
#define MADT_CPU_ENABLED 0x1u /* bit 1 (online capable) is hot-plug */

static void madt_add_cpu(struct acpi_madt_info *out, uint32_t apic_id)
{
	if (out->nr_cpus < ACPI_MAX_CPUS)
		out->cpu_apic_ids[out->nr_cpus] = apic_id;
	out->nr_cpus++;
}

static void madt_add_override(struct acpi_madt_info *out, const uint8_t *e)
{
	if (e[2] != 0) /* only bus 0, ISA, is defined */
		return;
	struct acpi_override o = {
	    .isa_irq = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8)};
	for (unsigned i = 0; i < out->nr_overrides; i++) {
		if (out->overrides[i].isa_irq == o.isa_irq) {
			out->overrides[i] = o;
			return;
		}
	}
	if (out->nr_overrides < ACPI_MAX_OVERRIDES)
		out->overrides[out->nr_overrides++] = o;
}

int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt_info *out)
{
	const uint8_t *m = madt;
	/* Header, then local APIC address @36 and flags @40. */
	if (len < SDT_HEADER_LEN + 8)
		return -EINVAL;
	struct acpi_madt_info info;
	memset(&info, 0, sizeof(info));
	info.lapic_addr = rd32(m + 36);
	info.pcat_compat = rd32(m + 40) & 1;
	size_t p = SDT_HEADER_LEN + 8;
	while (p + 2 <= len) {
		const uint8_t *e = m + p;
		uint8_t type = e[0], elen = e[1];
		if (elen < 2 || elen > len - p) {
			pr_warn("acpi: MADT entry at offset %zu has a bad "
				"length %u; rest ignored",
				p, elen);
			break;
		}
		if (type == MADT_LAPIC && elen >= 8) {
			if (rd32(e + 4) & MADT_CPU_ENABLED)
				madt_add_cpu(&info, e[3]);
		} else if (type == MADT_X2APIC && elen >= 16) {
			if (rd32(e + 8) & MADT_CPU_ENABLED)
				madt_add_cpu(&info, rd32(e + 4));
		} else if (type == MADT_IOAPIC && elen >= 12) {
			if (info.nr_ioapics < ACPI_MAX_IOAPICS) {
				struct acpi_ioapic *io =
				    &info.ioapics[info.nr_ioapics++];
				io->id = e[2];
				io->addr = rd32(e + 4);
				io->gsi_base = rd32(e + 8);
			}
		} else if (type == MADT_OVERRIDE && elen >= 10) {
			madt_add_override(&info, e);
		} else if (type == MADT_LAPIC_ADDR && elen >= 12) {
			info.lapic_addr = rd64(e + 4);
		}
		p += elen;
	}
	if (info.nr_cpus == 0)
		info.nr_cpus = 1; /* the CPU running this code */
	*out = info;
	return 0;
}

/* FADT field offsets (from the start of the table). */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM_TMR 76
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184
#define FADT_X_PM_TMR 208
#define GAS_LEN 12

static void read_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->addr = rd64(p + 4);
}

/* An I/O port from the 32-bit block field, overridden by the X_ field when
 * that one is present, non-zero and in I/O space (the spec prefers X_; a
 * memory-space X_ register is beyond this kernel, so the port stays). */
static uint16_t fadt_port(const uint8_t *f, size_t len, size_t legacy,
			  size_t xoff)
{
	uint32_t port = rd32(f + legacy);
	if (len >= xoff + GAS_LEN) {
		struct acpi_gas g;
		read_gas(f + xoff, &g);
		if (g.addr && g.space == ACPI_GAS_IO)
			port = g.addr <= 0xffff ? (uint32_t)g.addr : 0;
	}
	return port <= 0xffff ? (uint16_t)port : 0;
}

int acpi_parse_fadt(const void *fadt, size_t len, struct acpi_fadt_info *out)
{
	const uint8_t *f = fadt;
	/* Through PM_TMR_BLK: the least a usable FADT has. */
	if (len < FADT_PM_TMR + 4)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->revision = f[8];
	out->dsdt = rd32(f + FADT_DSDT);
	out->sci_irq = rd16(f + FADT_SCI_INT);
	out->smi_cmd = rd32(f + FADT_SMI_CMD);
	out->acpi_enable = f[FADT_ACPI_ENABLE];
	out->pm1a_cnt = fadt_port(f, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	out->pm1b_cnt = fadt_port(f, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	out->pm_tmr = fadt_port(f, len, FADT_PM_TMR, FADT_X_PM_TMR);
	if (len > FADT_CENTURY)
		out->century = f[FADT_CENTURY];
	if (len >= FADT_IAPC_BOOT_ARCH + 2)
		out->iapc_boot_arch = rd16(f + FADT_IAPC_BOOT_ARCH);
	if (len >= FADT_FLAGS + 4)
		out->flags = rd32(f + FADT_FLAGS);
	if (len > FADT_RESET_VALUE) {
		read_gas(f + FADT_RESET_REG, &out->reset_reg);
		out->reset_value = f[FADT_RESET_VALUE];
		out->has_reset = (out->flags & ACPI_FADT_RESET_REG_SUP) &&
				 out->reset_reg.addr != 0;
	}
	if (len >= FADT_X_DSDT + 8 && rd64(f + FADT_X_DSDT))
		out->dsdt = rd64(f + FADT_X_DSDT);
	return 0;
}

/* AML opcodes used by Name(_S5_, Package() {...}). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR '\\'
#define AML_ONES_OP 0xff

/* PkgLength: bits 7-6 of the lead byte count the bytes that follow (0-3).
 * With none, bits 5-0 are the length; otherwise bits 3-0 are its low
 * nibble (bits 5-4 must be 0) and each following byte adds 8 bits. The
 * length counts the PkgLength bytes themselves. Returns the bytes used,
 * or 0 if malformed. */
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
	if (p[0] & 0x30)
		return 0;
	uint32_t v = p[0] & 0x0f;
	for (size_t i = 0; i < extra; i++)
		v |= (uint32_t)p[1 + i] << (4 + 8 * i);
	*len = v;
	return 1 + extra;
}

/* One integer package element; returns the bytes used, or 0 if it is not
 * a constant integer (or runs past avail). */
static size_t aml_int(const uint8_t *p, size_t avail, uint64_t *v)
{
	if (avail < 1)
		return 0;
	size_t n;
	switch (p[0]) {
	case AML_ZERO_OP:
		*v = 0;
		return 1;
	case AML_ONE_OP:
		*v = 1;
		return 1;
	case AML_ONES_OP:
		*v = ~0ull;
		return 1;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default:
		return 0;
	}
	if (avail < 1 + n)
		return 0;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return 1 + n;
}

/* The package after "_S5_" at aml[pos]; 0 or -EINVAL. */
static int s5_package(const uint8_t *aml, size_t len, size_t pos, uint8_t *typa,
		      uint8_t *typb)
{
	if (pos >= len || aml[pos] != AML_PACKAGE_OP)
		return -EINVAL;
	size_t start = ++pos;
	uint32_t pkglen;
	size_t n = aml_pkglen(aml + pos, len - pos, &pkglen);
	if (!n || pkglen < n + 1 || pkglen > len - start)
		return -EINVAL;
	size_t end = start + pkglen; /* the package ends here */
	pos += n;
	uint8_t count = aml[pos++];
	if (count == 0)
		return -EINVAL;
	uint64_t a, b;
	n = aml_int(aml + pos, end - pos, &a);
	if (!n || a > 7) /* SLP_TYP is a 3-bit field */
		return -EINVAL;
	pos += n;
	b = a; /* a single element gives both */
	if (count >= 2) {
		n = aml_int(aml + pos, end - pos, &b);
		if (!n || b > 7)
			return -EINVAL;
	}
	*typa = (uint8_t)a;
	*typb = (uint8_t)b;
	return 0;
}

int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		/* NameOp right before, possibly with a root '\' between. */
		bool name = aml[i - 1] == AML_NAME_OP ||
			    (i >= 2 && aml[i - 1] == AML_ROOT_CHAR &&
			     aml[i - 2] == AML_NAME_OP);
		/* A malformed candidate may be data that happens to look
		 * like one; keep looking. */
		if (name && s5_package(aml, len, i + 4, typa, typb) == 0)
			return 0;
	}
	return -EINVAL;
}

int acpi_find_s5(const struct acpi_table_set *set, uint8_t *typa, uint8_t *typb)
{
	static const char *const sigs[] = {"DSDT", "SSDT"};
	for (size_t s = 0; s < ARRAY_SIZE(sigs); s++) {
		const struct acpi_table_ref *t;
		for (int i = 0; (t = acpi_tables_find(set, sigs[s], i)); i++) {
			const uint8_t *aml = (const uint8_t *)t->va;
			if (acpi_parse_s5(aml + SDT_HEADER_LEN,
					  t->len - SDT_HEADER_LEN, typa,
					  typb) == 0)
				return 0;
		}
	}
	return -ENOENT;
}
