/* The system console: COM1 behind the tty layer. Receive interrupts (ISA
 * IRQ 4 through the I/O APIC) feed tty_input(); output goes to the UART
 * synchronously. */
#include <asm/apic.h>
#include <asm/trap.h>
#include <drivers/tty.h>
#include <drivers/uart.h>
#include <fs/vfs.h>
#include <uapi/poll.h>
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

static long con_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	return tty_read(&console_tty, b, n, f->flags & O_NONBLOCK);
}

static long con_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)f, (void)pos;
	return tty_write(&console_tty, b, n);
}

static long con_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	(void)f;
	return tty_ioctl(&console_tty, cmd, arg);
}

static unsigned con_poll(struct file *f)
{
	(void)f;
	return (tty_readable(&console_tty) ? POLLIN : 0) | POLLOUT;
}

static struct wait_queue *con_poll_wq(struct file *f)
{
	(void)f;
	return &console_tty.readers;
}

/* /dev/console (5:1), /dev/tty (5:0) and /dev/ttyS0 (4:64) are all the
 * serial console until there are sessions and controlling terminals. */
static const struct file_ops console_ops = {
    .read = con_read,
    .write = con_write,
    .ioctl = con_ioctl,
    .poll = con_poll,
    .poll_wq = con_poll_wq,
};

void console_init(void)
{
	chrdev_register(5, 1, &console_ops);
	chrdev_register(5, 0, &console_ops);
	chrdev_register(4, 64, &console_ops);
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
