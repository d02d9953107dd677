/* The system console: COM1 behind the tty layer. Receive interrupts (ISA
 * IRQ 4 through the I/O APIC) feed tty_input(); output goes to the UART
 * synchronously. /dev/ttyS0, /dev/console and /dev/tty all reach it; they
 * differ at open, in the controlling-terminal rules. */
#include <asm/apic.h>
#include <asm/trap.h>
#include <drivers/tty.h>
#include <drivers/uart.h>
#include <fs/vfs.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/stat.h>
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

/* The tty an open file reaches (set at open). */
static struct tty *file_tty(struct file *f)
{
	return f->priv ? f->priv : &console_tty;
}

static bool file_readable(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return acc == O_RDONLY || acc == O_RDWR;
}

/* As Linux's tty_open: /dev/tty is the caller's controlling terminal
 * (ENXIO without one); /dev/console never becomes a controlling terminal;
 * other opens may make it one (tty_open_ctty). */
static int con_open(struct file *f)
{
	uint64_t rdev = f->inode->rdev;
	if (rdev == MKDEV(5, 0)) {
		struct tty *t = tty_current_ctty_get();
		if (!t)
			return -ENXIO;
		if (t->drv->reopen) /* a pty slave: its file operations */
			return t->drv->reopen(t, f);
		f->priv = t;
		return 0;
	}
	f->priv = &console_tty;
	tty_open_ctty(&console_tty,
		      (f->flags & O_NOCTTY) || rdev == MKDEV(5, 1),
		      file_readable(f));
	return 0;
}

static long con_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	return tty_read(file_tty(f), b, n, f->flags & O_NONBLOCK);
}

static long con_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	return tty_write(file_tty(f), b, n, f->flags & O_NONBLOCK);
}

static long con_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	return tty_ioctl(file_tty(f), cmd, arg, file_readable(f));
}

static unsigned con_poll(struct file *f)
{
	return tty_poll(file_tty(f));
}

static struct wait_queue *con_poll_wq(struct file *f)
{
	return &file_tty(f)->readers;
}

/* /dev/tty (5:0), /dev/console (5:1) and /dev/ttyS0 (4:64). */
static const struct file_ops console_ops = {
    .open = con_open,
    .read = con_read,
    .write = con_write,
    .ioctl = con_ioctl,
    .poll = con_poll,
    .poll_wq = con_poll_wq,
};

static size_t con_drv_write(struct tty *t, const char *s, size_t n)
{
	(void)t;
	uart_write_raw(s, n);
	return n;
}

static const struct tty_driver console_driver = {.write = con_drv_write};

void console_init(void)
{
	chrdev_register(5, 1, &console_ops);
	chrdev_register(5, 0, &console_ops);
	chrdev_register(4, 64, &console_ops);
	uint8_t vec;
	tty_init(&console_tty, "ttyS0", 4, 64, &console_driver, NULL);
	if (ioapic_route_isa_irq(4, &vec)) {
		pr_warn("console: cannot route IRQ 4; input disabled");
		return;
	}
	trap_set_handler(vec, console_irq, NULL);
	uart_enable_rx_irq();
	pr_info("console: COM1 input on IRQ 4 (vector %#x)", vec);
}
