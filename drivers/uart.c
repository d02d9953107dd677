/* 16550 UART driver for COM1 (I/O port 0x3f8): polled output for the kernel
 * console, 115200 8N1, and receive interrupts once the I/O APIC routes IRQ 4.
 */
#include <arch.h>
#include <drivers/uart.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static bool uart_present;

void uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);  /* DLAB: set the divisor */
	outb(COM1 + UART_DATA, 0x01); /* 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFOs on, cleared, 14-byte level */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line enable) */
	/* An absent UART reads back 0xff from every register. */
	uart_present = inb(COM1 + UART_LSR) != 0xff;
}

void uart_putc(char c)
{
	if (!uart_present)
		return;
	/* Bounded wait: a wedged UART must not hang the kernel. */
	for (int i = 0; i < 100000; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
		arch_cpu_relax();
	}
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

int uart_getc_nowait(void)
{
	if (!uart_present || !(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}

void uart_enable_rx_irq(void)
{
	if (uart_present)
		outb(COM1 + UART_IER, 0x01); /* received-data-available */
}

/* Bytes exactly as given: the tty layer does its own newline processing. */
void uart_write_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(s[i]);
}
