/* The terminal layer: termios, the canonical-mode line editor with echo,
 * output processing and ISIG signals (drivers/tty.c), job control, the
 * controlling terminal of a session (drivers/tty_job.c), and the ioctls
 * (drivers/tty_ioctl.c), between a driver (the UART of the console,
 * drivers/console.c; the master side of a pseudo-terminal, drivers/pty.c)
 * and read/write/ioctl from user space. One line discipline serves every
 * terminal; what differs is struct tty_driver. */
#ifndef LIMEN_DRIVERS_TTY_H
#define LIMEN_DRIVERS_TTY_H

#include <sched.h>
#include <spinlock.h>
#include <types.h>
#include <uapi/termios.h>

#define TTY_BUF 1024
#define TTY_OCHUNK 128 /* output is processed and handed over in chunks */

struct tty;
struct file;

/* What a terminal's driver does for the line discipline. */
struct tty_driver {
	/* Takes up to n bytes of processed output and returns how many it
	 * took (the console takes all). Called with t->lock held when
	 * echoing, from interrupt context for the console. */
	size_t (*write)(struct tty *t, const char *s, size_t n);
	/* How many bytes write would take now; NULL: no limit. Echo is
	 * dropped rather than exceed it, writers wait for room. */
	size_t (*write_room)(struct tty *t);
	/* Readers took input: the sender may send more (a pty master's
	 * writers wait for this). Called without t->lock. Optional. */
	void (*unthrottle)(struct tty *t);
	/* /dev/tty is being opened on t, the caller's controlling terminal:
	 * the file becomes one of t's (f->ops, f->priv, references). NULL:
	 * t is static and the console's file operations serve it. */
	int (*reopen)(struct tty *t, struct file *f);
	/* With proc_lock held: a reference on t for the caller (it was found
	 * through a process's ctty pointer). NULL for static terminals. */
	void (*get)(struct tty *t);
};

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
	/* Everything a reader, writer or poller of this terminal waits for:
	 * input, room for output, hang-up, the writer's turn. */
	struct wait_queue readers;
	bool writing; /* a writer is in tty_write (sched_lock) */
	bool hungup;  /* reads give 0, writes -EIO (a pty's master closed) */
	/* The session this is the controlling terminal of (0: none) and its
	 * foreground process group. Protected by proc_lock, as are the
	 * processes' ctty pointers that must agree with them. */
	int session;
	int pgrp;
	uint32_t major, minor; /* the device, for /proc/PID/stat tty_nr */
	const struct tty_driver *drv;
	void *driver_data;
};

struct process;

void tty_init(struct tty *t, const char *name, uint32_t major, uint32_t minor,
	      const struct tty_driver *drv, void *driver_data);
/* An open of the tty by the current process: a session leader without a
 * controlling terminal acquires this one if it is free (Linux's rule),
 * unless noctty (O_NOCTTY, /dev/console) or it cannot read. */
void tty_open_ctty(struct tty *t, bool noctty, bool readable);
/* The current process's controlling terminal, or NULL (/dev/tty). */
struct tty *tty_current_ctty(void);
/* The same with a reference taken through t->drv->get (if it has one),
 * for an open file of /dev/tty. */
struct tty *tty_current_ctty_get(void);
/* The terminal's other end went away (a pty's last master closed): as
 * Linux's tty_vhangup, the session leader gets SIGHUP and SIGCONT, every
 * process of the session loses t, reads return 0 and writes -EIO. */
void tty_hangup(struct tty *t);
/* The session leader p is exiting: its foreground group gets SIGHUP and
 * the terminal forgets the session (Linux's disassociate_ctty(1)). */
void tty_session_leader_exit(struct process *p);
/* For /proc/PID/stat, with proc_lock held: tty_nr (Linux's encoding, 0 if
 * none); *tpgid is the foreground group of that terminal, or -1. */
int tty_proc_stat(struct process *p, int *tpgid);
/* A byte arrived from the hardware (interrupt context) or a pty master. */
void tty_input(struct tty *t, char c);
/* How many input bytes t can take before its buffers are full (a pty
 * master's writers wait while it is 0). Read without t->lock: bytes past
 * the buffers (two writers racing for the last room) are dropped. */
size_t tty_input_room(struct tty *t);
/* Blocks until input is available (unless nonblock: -EAGAIN). Returns
 * bytes read into the kernel buffer, 0 at end of file. */
long tty_read(struct tty *t, char *buf, size_t n, bool nonblock);
/* Returns bytes written, or -errno (job control: SIGTTOU with TOSTOP;
 * -EAGAIN with nonblock when the driver has no room; -EIO once hung up). */
long tty_write(struct tty *t, const char *buf, size_t n, bool nonblock);
/* Poll bits of the terminal (POLLIN, POLLOUT, POLLHUP). */
unsigned tty_poll(struct tty *t);
/* arg is a user pointer or a number; readable: the file was opened for
 * reading (needed for TIOCSCTTY and TIOCSTI without privilege). */
long tty_ioctl(struct tty *t, unsigned long cmd, uintptr_t arg, bool readable);
bool tty_readable(struct tty *t);

/* The console: COM1 through this tty (drivers/console.c). */
extern struct tty console_tty;
void console_init(void);

/* Pseudo-terminals (drivers/pty.c): /dev/ptmx (5:2) makes a pair; the
 * slave is /dev/pts/N (136:N) on a devpts (fs/devpts.c). */
#define PTY_MAX 256
#define PTY_SLAVE_MAJOR 136
struct pty_node {
	int index;
	uint64_t gen; /* which pair had this index (the node's gen_key) */
	uint32_t uid, gid;
};
/* The live pairs (master open), up to max; for devpts. */
int pty_nodes(struct pty_node *out, int max);
/* How many pairs exist (/proc/limen/ptys, the leak checks). */
int pty_count(void);
extern const struct file_ops pty_slave_ops;
void pty_init(void);

#endif
