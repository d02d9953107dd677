/* PCI enumeration through configuration mechanism #1 (ports 0xCF8/0xCFC),
 * which both QEMU machines (pc's i440FX and q35's ICH9) decode. Every bus
 * number is probed, so functions behind bridges set up by the firmware are
 * found without walking the bridges themselves. */
#include <arch.h>
#include <asm/apic.h>
#include <asm/io.h>
#include <drivers/pci.h>
#include <mm/vm.h>
#include <printk.h>
#include <spinlock.h>
#include <uapi/errno.h>

#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

/* The address/data port pair is one shared register window. */
static spinlock_t pci_lock = SPINLOCK_INIT("pci");
static struct pci_dev pci_devs[PCI_MAX_DEVICES];
static unsigned pci_ndevs;

static uint32_t cfg_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return (1u << 31) | ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
	       ((uint32_t)fn << 8) | (off & 0xfc);
}

static uint32_t cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	irqflags_t f = spin_lock_irqsave(&pci_lock);
	outl(PCI_CONFIG_ADDR, cfg_addr(bus, dev, fn, off));
	uint32_t v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&pci_lock, f);
	return v;
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return cfg_read32(d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return pci_read32(d, off) >> ((off & 2) * 8);
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return pci_read32(d, off) >> ((off & 3) * 8);
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	irqflags_t f = spin_lock_irqsave(&pci_lock);
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	outl(PCI_CONFIG_DATA, v);
	spin_unlock_irqrestore(&pci_lock, f);
}

void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	irqflags_t f = spin_lock_irqsave(&pci_lock);
	outl(PCI_CONFIG_ADDR, cfg_addr(d->bus, d->dev, d->fn, off));
	outw(PCI_CONFIG_DATA + (off & 2), v);
	spin_unlock_irqrestore(&pci_lock, f);
}

static void pci_add(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	if (pci_ndevs == PCI_MAX_DEVICES) {
		pr_warn("pci: more than %d functions, %02x:%02x.%x ignored",
			PCI_MAX_DEVICES, bus, dev, fn);
		return;
	}
	struct pci_dev *d = &pci_devs[pci_ndevs++];
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	d->class_rev = pci_read32(d, PCI_CLASS_REV);
	pr_info("pci 0000:%02x:%02x.%x: [%04x:%04x] class %06x", bus, dev, fn,
		d->vendor, d->device, d->class_rev >> 8);
}

void pci_init(void)
{
	for (unsigned bus = 0; bus < 256; bus++) {
		for (unsigned dev = 0; dev < 32; dev++) {
			uint32_t id = cfg_read32(bus, dev, 0, PCI_VENDOR_ID);
			if ((id & 0xffff) == 0xffff)
				continue;
			pci_add(bus, dev, 0, id);
			uint8_t ht = cfg_read32(bus, dev, 0, 0x0c) >> 16;
			if (!(ht & 0x80))
				continue; /* single-function device */
			for (unsigned fn = 1; fn < 8; fn++) {
				id = cfg_read32(bus, dev, fn, PCI_VENDOR_ID);
				if ((id & 0xffff) != 0xffff)
					pci_add(bus, dev, fn, id);
			}
		}
	}
	pr_info("pci: %u functions found", pci_ndevs);
}

struct pci_dev *pci_next(struct pci_dev *prev)
{
	size_t i = prev ? (size_t)(prev - pci_devs) + 1 : 0;
	return i < pci_ndevs ? &pci_devs[i] : NULL;
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	uint8_t off = from ? pci_read8(d, from + 1) : pci_read8(d, PCI_CAP_PTR);
	/* 48 capabilities at most fit in the 192 bytes: stops a loop. */
	for (int n = 0; off >= 0x40 && n < 48; n++) {
		off &= 0xfc;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

phys_addr_t pci_bar_addr(const struct pci_dev *d, unsigned n)
{
	if (n > 5)
		return 0;
	uint32_t lo = pci_read32(d, PCI_BAR0 + 4 * n);
	if (lo & 1)
		return 0; /* I/O space */
	phys_addr_t pa = lo & ~0xfu;
	if (((lo >> 1) & 3) == 2 && n < 5)
		pa |= (phys_addr_t)pci_read32(d, PCI_BAR0 + 4 * (n + 1)) << 32;
	return pa;
}

void pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	cmd |=
	    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;
	pci_write16(d, PCI_COMMAND, cmd);
}

#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_CTRL_MASKALL (1u << 14)
#define MSI_ADDR_BASE 0xfee00000u

int pci_msix_enable(struct pci_dev *d, uint8_t vector, unsigned nvec)
{
	uint8_t cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	if (!cap)
		return -ENODEV;
	uint16_t ctrl = pci_read16(d, cap + 2);
	unsigned size = (ctrl & 0x7ff) + 1;
	if (nvec > size)
		return -ENOSPC;
	uint32_t table = pci_read32(d, cap + 4);
	phys_addr_t bar = pci_bar_addr(d, table & 7);
	if (!bar)
		return -ENODEV;
	volatile uint8_t *t = ioremap(bar + (table & ~7u), size * 16);
	if (!t)
		return -ENOMEM;
	/* Mask everything while the entries change. */
	pci_write16(d, cap + 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (unsigned i = 0; i < size; i++) {
		volatile uint8_t *e = t + 16 * i;
		mmio_write32(e + 0, MSI_ADDR_BASE | (lapic_id() << 12));
		mmio_write32(e + 4, 0);
		mmio_write32(e + 8, vector); /* fixed delivery, edge */
		mmio_write32(e + 12, i < nvec ? 0 : 1);
	}
	pci_write16(d, cap + 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return 0;
}
