/* The terminal layer (drivers/tty.c): termios, the canonical-mode line
 * editor with echo, and output processing, between a character driver (the
 * UART) and read/write/ioctl from user space. */
#ifndef LIMEN_DRIVERS_TTY_H
#define LIMEN_DRIVERS_TTY_H

#include <sched.h>
#include <spinlock.h>
#include <types.h>
#include <uapi/termios.h>

#define TTY_BUF 1024

struct tty {
	const char *name;
	struct ktermios termios;
	struct winsize winsize;
	/* Protects the buffers and counters below. */
	spinlock_t lock;
	char line[TTY_BUF]; /* the line being edited (canonical mode) */
	size_t line_len;
	char ready[TTY_BUF]; /* bytes readers may take */
	size_t ready_head, ready_len;
	size_t eof_pending; /* ^D seen: a read returns 0 at this point */
	struct wait_queue readers;
	int pgrp; /* foreground process group (TIOCSPGRP) */
	void (*output)(const char *s, size_t n); /* driver's raw output */
};

void tty_init(struct tty *t, const char *name,
	      void (*output)(const char *, size_t));
/* A byte arrived from the hardware (interrupt context). */
void tty_input(struct tty *t, char c);
/* Blocks until input is available (unless nonblock: -EAGAIN). Returns
 * bytes read into the kernel buffer, 0 at end of file. */
long tty_read(struct tty *t, char *buf, size_t n, bool nonblock);
long tty_write(struct tty *t, const char *buf, size_t n);
/* arg is a user pointer. */
long tty_ioctl(struct tty *t, unsigned long cmd, uintptr_t arg);
bool tty_readable(struct tty *t);

/* The console: COM1 through this tty (drivers/console.c). */
extern struct tty console_tty;
void console_init(void);

#endif
