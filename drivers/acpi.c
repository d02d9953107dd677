/* ACPI in the running kernel: finds the RSDP (boot loader hint or BIOS
 * scan), loads the tables through the direct map with the parsers of
 * drivers/acpi_tables.c, and powers off (S5) or resets the machine. */
#include <acpi.h>
#include <arch.h>
#include <lib/printf.h>
#include <mm/layout.h>
#include <mm/vm.h>
#include <printk.h>
#include <uapi/errno.h>

#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define PM_TIMER_HZ 3579545u

/* QEMU's isa-debug-exit (tests/run-qemu adds it at 0xf4): writing v makes
 * QEMU exit with status (v << 1) | 1, here 3, which tells a test harness
 * that ACPI power-off did not work but the kernel did end on purpose. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_VALUE 1

/* Written once by acpi_init at boot, read-only afterwards. */
static struct acpi_table_set acpi_set;
static struct acpi_madt_info madt_info;
static bool madt_ready;
static struct acpi_fadt_info fadt_info;
static bool have_fadt;
static uint8_t slp_typa, slp_typb;
static bool have_s5;

/* Table memory through the direct map, only where it is really mapped
 * (paging_init maps RAM, ACPI memory, firmware ranges below 4 GiB and the
 * first MiB): a garbage pointer in a table must not fault. */
static const void *acpi_kmap(phys_addr_t pa, size_t len)
{
	if (len == 0 || pa >= DIRECT_MAP_MAX || len > DIRECT_MAP_MAX - pa)
		return NULL;
	for (phys_addr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len;
	     p += PAGE_SIZE) {
		phys_addr_t got;
		if (vm_kvirt_to_phys((uintptr_t)phys_to_virt(p), &got))
			return NULL;
	}
	return phys_to_virt(pa);
}

/* The RSDP in the first KiB of the EBDA, else in 0xe0000-0xfffff. */
static phys_addr_t acpi_scan_rsdp(void)
{
	const uint8_t *bda = acpi_kmap(0x40e, 2);
	phys_addr_t ebda = bda ? (phys_addr_t)(bda[0] | bda[1] << 8) << 4 : 0;
	phys_addr_t areas[2][2] = {{ebda, 1024}, {0xe0000, 0x20000}};

	if (ebda < 0x80000 || ebda >= 0xa0000) /* not a plausible EBDA */
		areas[0][1] = 0;
	for (int i = 0; i < 2; i++) {
		const void *a =
		    areas[i][1] ? acpi_kmap(areas[i][0], areas[i][1]) : NULL;
		long off = a ? acpi_rsdp_scan(a, areas[i][1]) : -ENOENT;
		if (off >= 0)
			return areas[i][0] + (phys_addr_t)off;
	}
	return 0;
}

static void acpi_log_tables(void)
{
	char line[64 + 5 * ACPI_MAX_TABLES];
	int n =
	    snprintf(line, sizeof(line), "RSDP %#llx (v%u %.6s), %s %#llx:",
		     (unsigned long long)acpi_set.rsdp_pa, acpi_set.rsdp_rev,
		     acpi_set.oem, acpi_set.xsdt ? "XSDT" : "RSDT",
		     (unsigned long long)acpi_set.root_pa);
	for (unsigned i = 0;
	     i < acpi_set.nr && n > 0 && (size_t)n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " %.4s",
			      acpi_set.t[i].sig);
	pr_info("acpi: %s", line);
}

int __init acpi_init(phys_addr_t rsdp_hint)
{
	acpi_madt_defaults(&madt_info);
	madt_ready = true;

	int err = -ENODEV;
	if (rsdp_hint)
		err = acpi_tables_load(rsdp_hint, acpi_kmap, &acpi_set);
	if (err) {
		phys_addr_t pa = acpi_scan_rsdp();
		if (pa)
			err = acpi_tables_load(pa, acpi_kmap, &acpi_set);
	}
	if (err)
		return -ENODEV;
	acpi_log_tables();

	const struct acpi_table_ref *t = acpi_tables_find(&acpi_set, "APIC", 0);
	if (!t)
		pr_warn("acpi: no MADT; assuming a PC's APIC addresses");
	else if (acpi_parse_madt(t->va, t->len, &madt_info))
		pr_warn("acpi: MADT too short; assuming a PC's APIC "
			"addresses");
	else if (madt_info.nr_ioapics == 0)
		pr_warn("acpi: the MADT lists no I/O APIC");

	t = acpi_tables_find(&acpi_set, "FACP", 0);
	have_fadt = t && acpi_parse_fadt(t->va, t->len, &fadt_info) == 0;
	if (!have_fadt)
		pr_warn("acpi: no usable FADT; no ACPI power-off");
	have_s5 = acpi_find_s5(&acpi_set, &slp_typa, &slp_typb) == 0;
	if (have_fadt && !have_s5)
		pr_warn("acpi: no usable \\_S5 in the DSDT or SSDTs");

	pr_info("acpi: %u CPU%s, %u I/O APIC%s, %u ISA override%s, SCI %u, "
		"PM1a_CNT %#x, S5 %s%u/%u",
		madt_info.nr_cpus, madt_info.nr_cpus == 1 ? "" : "s",
		madt_info.nr_ioapics, madt_info.nr_ioapics == 1 ? "" : "s",
		madt_info.nr_overrides, madt_info.nr_overrides == 1 ? "" : "s",
		fadt_info.sci_irq, fadt_info.pm1a_cnt,
		have_s5 ? "SLP_TYP " : "missing ", slp_typa, slp_typb);
	return 0;
}

const struct acpi_madt_info *acpi_madt(void)
{
	if (!madt_ready) {
		acpi_madt_defaults(&madt_info);
		madt_ready = true;
	}
	return &madt_info;
}

const struct acpi_fadt_info *acpi_fadt(void)
{
	return have_fadt ? &fadt_info : NULL;
}

const void *acpi_find_table(const char sig[4], int index)
{
	const struct acpi_table_ref *t =
	    acpi_tables_find(&acpi_set, sig, index);
	return t ? t->va : NULL;
}

/* Gives the machine time to act on a power-off or reset write before the
 * next way is tried: QEMU stops the CPU asynchronously, and a later
 * isa-debug-exit write would replace its exit status 0. About half a
 * second on the PM timer when there is one; bounded either way. */
static void acpi_settle(void)
{
	if (have_fadt && fadt_info.pm_tmr) {
		uint32_t mask = fadt_info.flags & ACPI_FADT_TMR_VAL_EXT
				    ? 0xffffffffu
				    : 0xffffffu;
		uint32_t start = inl(fadt_info.pm_tmr);
		for (long i = 0; i < 5000000; i++) {
			if (((inl(fadt_info.pm_tmr) - start) & mask) >=
			    PM_TIMER_HZ / 2)
				return;
			arch_cpu_relax();
		}
		return;
	}
	for (long i = 0; i < 1000000; i++)
		io_wait();
}

/* Firmware may leave the chipset in legacy (SMM) mode, where PM1 writes
 * can be ignored: hand it to the OS first, as Linux does at boot. */
static void acpi_enable_mode(void)
{
	uint16_t cnt = fadt_info.pm1a_cnt;
	if ((inw(cnt) & PM1_SCI_EN) || !fadt_info.smi_cmd ||
	    fadt_info.smi_cmd > 0xffff || !fadt_info.acpi_enable)
		return;
	outb((uint16_t)fadt_info.smi_cmd, fadt_info.acpi_enable);
	for (long i = 0; i < 1000000 && !(inw(cnt) & PM1_SCI_EN); i++)
		arch_cpu_relax();
}

static void pm1_write_sleep(uint16_t port, uint8_t typ, bool enable)
{
	uint16_t v = inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	v |= (uint16_t)((typ << PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK);
	if (enable)
		v |= PM1_SLP_EN;
	outw(port, v);
}

void acpi_poweroff(void)
{
	arch_irq_disable();
	if (have_fadt && have_s5 && fadt_info.pm1a_cnt) {
		acpi_enable_mode();
		/* SLP_TYP first, then SLP_EN with it, on both blocks. */
		pm1_write_sleep(fadt_info.pm1a_cnt, slp_typa, false);
		if (fadt_info.pm1b_cnt)
			pm1_write_sleep(fadt_info.pm1b_cnt, slp_typb, false);
		pm1_write_sleep(fadt_info.pm1a_cnt, slp_typa, true);
		if (fadt_info.pm1b_cnt)
			pm1_write_sleep(fadt_info.pm1b_cnt, slp_typb, true);
		acpi_settle();
	}
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_VALUE); /* if the device is there */
	/* QEMU's PIIX4 PM (SLP_EN, SLP_TYP 0), then Bochs and old QEMU. */
	outw(0x604, PM1_SLP_EN);
	acpi_settle();
	outw(0xb004, PM1_SLP_EN);
	acpi_settle();
	pr_emerg("power-off failed, halting");
	arch_halt_forever();
}

/* A byte to a reset register in I/O or PCI configuration space (bus 0:
 * device in address bits 47-32, function 31-16, offset 15-0). */
static bool acpi_write_reset_reg(const struct acpi_gas *r, uint8_t val)
{
	if (r->space == ACPI_GAS_IO && r->addr <= 0xffff) {
		outb((uint16_t)r->addr, val);
		return true;
	}
	if (r->space == ACPI_GAS_PCI && !(r->addr >> 48)) {
		uint32_t dev = (r->addr >> 32) & 0x1f, fn = (r->addr >> 16) & 7;
		uint32_t off = r->addr & 0xff;
		outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
		outb((uint16_t)(0xcfc + (off & 3)), val);
		return true;
	}
	return false; /* memory space would need ioremap: not worth it */
}

void acpi_reboot(void)
{
	arch_irq_disable();
	if (have_fadt && fadt_info.has_reset &&
	    acpi_write_reset_reg(&fadt_info.reset_reg, fadt_info.reset_value))
		acpi_settle();
	/* The 8042 keyboard controller pulses the CPU's reset line. */
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		io_wait();
	outb(0x64, 0xfe);
	acpi_settle();
	/* The chipset's reset control register: hard reset. */
	outb(0xcf9, 0x02);
	io_wait();
	outb(0xcf9, 0x06);
	acpi_settle();
}
