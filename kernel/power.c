/* Orderly power-off. The "limen: power off" line is a contract with the test
 * harness (tests/run-qemu): it means the kernel ended on purpose. */
#include <acpi.h>
#include <arch.h>
#include <fs/vfs.h>
#include <power.h>
#include <printk.h>

void kernel_power_off(const char *why)
{
	/* Write the disks back first, from a thread (interrupts on) that
	 * may sleep for them; panic paths have interrupts off and skip it. */
	if (arch_irq_enabled())
		vfs_shutdown();
	pr_notice("limen: power off (%s)", why);
	arch_irq_disable();
	acpi_poweroff();
}
