/* Powering the machine off (kernel/power.c): flushes what needs flushing,
 * says so on the console, then asks the firmware (ACPI S5). */
#ifndef LIMEN_POWER_H
#define LIMEN_POWER_H

#include <types.h>

__noreturn void kernel_power_off(const char *why);

#endif
