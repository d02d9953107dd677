/* The terminal layer: termios, the canonical-mode line editor with echo,
 * output processing and ISIG signals (drivers/tty.c), job control, the
 * controlling terminal of a session (drivers/tty_job.c), and the ioctls
 * (drivers/tty_ioctl.c), between a character driver (the UART) and
 * read/write/ioctl from user space. */
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
	/* The session this is the controlling terminal of (0: none) and its
	 * foreground process group. Protected by proc_lock, as are the
	 * processes' ctty pointers that must agree with them. */
	int session;
	int pgrp;
	uint32_t major, minor; /* the device, for /proc/PID/stat tty_nr */
	void (*output)(const char *s, size_t n); /* driver's raw output */
};

struct process;

void tty_init(struct tty *t, const char *name, uint32_t major, uint32_t minor,
	      void (*output)(const char *, size_t));
/* An open of the tty by the current process: a session leader without a
 * controlling terminal acquires this one if it is free (Linux's rule),
 * unless noctty (O_NOCTTY, /dev/console) or it cannot read. */
void tty_open_ctty(struct tty *t, bool noctty, bool readable);
/* The current process's controlling terminal, or NULL (/dev/tty). */
struct tty *tty_current_ctty(void);
/* The session leader p is exiting: its foreground group gets SIGHUP and
 * the terminal forgets the session (Linux's disassociate_ctty(1)). */
void tty_session_leader_exit(struct process *p);
/* For /proc/PID/stat, with proc_lock held: tty_nr (Linux's encoding, 0 if
 * none); *tpgid is the foreground group of that terminal, or -1. */
int tty_proc_stat(struct process *p, int *tpgid);
/* A byte arrived from the hardware (interrupt context). */
void tty_input(struct tty *t, char c);
/* Blocks until input is available (unless nonblock: -EAGAIN). Returns
 * bytes read into the kernel buffer, 0 at end of file. */
long tty_read(struct tty *t, char *buf, size_t n, bool nonblock);
/* Returns bytes written, or -errno (job control: SIGTTOU with TOSTOP). */
long tty_write(struct tty *t, const char *buf, size_t n);
/* arg is a user pointer or a number; readable: the file was opened for
 * reading (needed for TIOCSCTTY and TIOCSTI without privilege). */
long tty_ioctl(struct tty *t, unsigned long cmd, uintptr_t arg, bool readable);
bool tty_readable(struct tty *t);

/* The console: COM1 through this tty (drivers/console.c). */
extern struct tty console_tty;
void console_init(void);

#endif
