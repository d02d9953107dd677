/* Interrupt controllers: the legacy 8259 PICs are remapped and masked, the
 * local APIC is enabled (it delivers the timer tick and takes EOIs), and
 * the first I/O APIC routes device IRQs, honouring ACPI's interrupt source
 * overrides. */
#include <acpi.h>
#include <arch.h>
#include <asm/apic.h>
#include <asm/trap.h>
#include <mm/vm.h>
#include <panic.h>
#include <printk.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ESR 0x280
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

static volatile uint8_t *lapic;
static volatile uint8_t *ioapic;
static unsigned ioapic_gsi_base, ioapic_nr_pins;

static uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(lapic + reg);
}
static void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(lapic + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(ioapic + IOAPIC_REGSEL, reg);
	return mmio_read32(ioapic + IOAPIC_WIN);
}
static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(ioapic + IOAPIC_REGSEL, reg);
	mmio_write32(ioapic + IOAPIC_WIN, v);
}

static void __init pic_disable(void)
{
	/* Remap first so a stray PIC interrupt cannot look like a CPU
	 * exception, then mask every line. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0xe0);
	outb(0xa1, 0xe8);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void __init apic_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();

	pic_disable();
	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | (1UL << 11)); /* global enable */
	lapic = ioremap(madt->lapic_addr, PAGE_SIZE);
	if (!lapic)
		panic("apic: cannot map the local APIC");
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();

	if (madt->nr_ioapics == 0)
		panic("apic: no I/O APIC");
	ioapic = ioremap(madt->ioapics[0].addr, PAGE_SIZE);
	if (!ioapic)
		panic("apic: cannot map the I/O APIC");
	ioapic_gsi_base = madt->ioapics[0].gsi_base;
	ioapic_nr_pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < ioapic_nr_pins; i++) {
		ioapic_write(IOAPIC_REDTBL(i), LVT_MASKED);
		ioapic_write(IOAPIC_REDTBL(i) + 1, 0);
	}
	pr_info("apic: local APIC id %u at %#llx (version %#x), I/O APIC at "
		"%#llx with %u pins, 8259 PIC masked",
		lapic_read(LAPIC_ID) >> 24,
		(unsigned long long)madt->lapic_addr,
		lapic_read(LAPIC_VERSION) & 0xff,
		(unsigned long long)madt->ioapics[0].addr, ioapic_nr_pins);
}

int ioapic_route_isa_irq(unsigned irq, uint8_t *vector_out)
{
	unsigned gsi = irq, flags = 0;
	bool active_low = false, level = false;
	const struct acpi_madt_info *madt = acpi_madt();

	for (unsigned i = 0; i < madt->nr_overrides; i++) {
		if (madt->overrides[i].isa_irq == irq) {
			gsi = madt->overrides[i].gsi;
			flags = madt->overrides[i].flags;
		}
	}
	/* MPS INTI flags: polarity bits 0-1 (3 = active low), trigger bits
	 * 2-3 (3 = level). ISA default is active high, edge. */
	active_low = (flags & 3) == 3;
	level = ((flags >> 2) & 3) == 3;
	if (gsi < ioapic_gsi_base || gsi - ioapic_gsi_base >= ioapic_nr_pins)
		return -EINVAL;
	unsigned pin = gsi - ioapic_gsi_base;
	uint8_t vec = VEC_IRQ_BASE + gsi;
	uint32_t lo =
	    vec | (active_low ? (1u << 13) : 0) | (level ? (1u << 15) : 0);
	ioapic_write(IOAPIC_REDTBL(pin) + 1, (lapic_read(LAPIC_ID) >> 24)
						 << 24);
	ioapic_write(IOAPIC_REDTBL(pin), lo);
	*vector_out = vec;
	return 0;
}

/* Timer: the TSC and the LAPIC timer are both measured against 10 ms of PIT
 * channel 2, whose frequency (1.193182 MHz) is fixed by the PC design. */
#define PIT_HZ 1193182
#define CAL_MS 10

static uint64_t lapic_hz;

static uint64_t tsc_read(void)
{
	return rdtsc();
}

/* The TSC at kernel entry (set by kmain), the zero of kernel time. */
uint64_t boot_tsc;

uint64_t timer_lapic_hz(void)
{
	return lapic_hz;
}

static void timer_tick(struct trap_frame *tf, void *arg)
{
	(void)arg;
	jiffies++;
	sched_tick(trap_from_user(tf));
}

void __init timer_init(void)
{
	uint16_t count = PIT_HZ * CAL_MS / 1000;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	/* Restart the count by toggling the gate. */
	uint8_t g = inb(0x61) & ~0x01;
	outb(0x61, g);
	outb(0x61, g | 0x01);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	uint64_t t1 = rdtsc();
	uint32_t lapic_ticks = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);

	uint64_t tsc_hz = (t1 - t0) * 1000 / CAL_MS;
	lapic_hz = (uint64_t)lapic_ticks * 1000 / CAL_MS;
	if (tsc_hz == 0 || lapic_hz == 0)
		panic("timer: calibration failed (tsc %llu Hz, lapic %llu Hz)",
		      (unsigned long long)tsc_hz, (unsigned long long)lapic_hz);
	time_set_clocksource(tsc_read, tsc_hz, boot_tsc);

	trap_set_handler(VEC_TIMER, timer_tick, NULL);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | (1u << 17)); /* periodic */
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_hz / HZ));
	pr_info("timer: TSC %llu.%03llu MHz, local APIC timer %llu.%03llu "
		"MHz (bus/16), tick %d Hz",
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000),
		(unsigned long long)(lapic_hz / 1000000),
		(unsigned long long)(lapic_hz / 1000 % 1000), HZ);
}
