/* The system console: COM1 behind the tty layer. Receive interrupts (ISA
 * IRQ 4 through the I/O APIC) feed tty_input(); output goes to the UART
 * synchronously. */
#include <asm/apic.h>
#include <asm/trap.h>
#include <drivers/tty.h>
#include <drivers/uart.h>
#include <printk.h>

struct tty console_tty;

static void console_irq(struct trap_frame *tf, void *arg)
{
	(void)tf;
	(void)arg;
	int c;
	while ((c = uart_getc_nowait()) >= 0)
		tty_input(&console_tty, (char)c);
}

void console_init(void)
{
	uint8_t vec;
	tty_init(&console_tty, "console", uart_write_raw);
	if (ioapic_route_isa_irq(4, &vec)) {
		pr_warn("console: cannot route IRQ 4; input disabled");
		return;
	}
	trap_set_handler(vec, console_irq, NULL);
	uart_enable_rx_irq();
	pr_info("console: COM1 input on IRQ 4 (vector %#x)", vec);
}
