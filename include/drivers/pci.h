/* PCI: configuration space through the legacy 0xCF8/0xCFC ports, a list of
 * the functions found at boot (drivers/pci.c), capability walking, BAR
 * addresses and MSI-X set-up for drivers. */
#ifndef LIMEN_DRIVERS_PCI_H
#define LIMEN_DRIVERS_PCI_H

#include <types.h>

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 4)

#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VNDR 0x09

#define PCI_MAX_DEVICES 64

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class_rev; /* class << 8 | revision */
	bool claimed;	    /* a driver owns it */
};

uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);

/* Scans every bus and logs what it finds. Call once, from kinit. */
void pci_init(void);
/* Iterates over the functions found: pass NULL first. */
struct pci_dev *pci_next(struct pci_dev *prev);
/* Offset of the next capability with id after offset 'from' (0: from the
 * start), or 0 if none. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from);
/* Physical address of memory BAR n (64-bit BARs read as one); 0 if the BAR
 * is unset or an I/O BAR. */
phys_addr_t pci_bar_addr(const struct pci_dev *d, unsigned n);
/* Turns on memory decoding and bus mastering, and masks INTx. */
void pci_enable(struct pci_dev *d);
/* Enables MSI-X with table entry i delivering 'vector' to the boot CPU's
 * local APIC, for i < nvec (every entry the same vector). 0 or -errno. */
int pci_msix_enable(struct pci_dev *d, uint8_t vector, unsigned nvec);

#endif
