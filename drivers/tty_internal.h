/* What the three parts of the terminal layer share: the line discipline
 * (drivers/tty.c), job control (drivers/tty_job.c) and the ioctls
 * (drivers/tty_ioctl.c). */
#ifndef LIMEN_DRIVERS_TTY_INTERNAL_H
#define LIMEN_DRIVERS_TTY_INTERNAL_H

#include <drivers/tty.h>

/* drivers/tty.c. With t->lock held: bytes become ready for readers; input
 * not yet read is dropped. */
void ready_push(struct tty *t, const char *s, size_t n);
void flush_input(struct tty *t);
void signal_fg_group(struct tty *t, int sig);

/* drivers/tty_job.c: whether the current process may access t, or the
 * job-control signal it got (-EINTR) or -EIO. */
int tty_check_change(struct tty *t, int sig);
/* The job-control ioctls. */
long tiocsctty(struct tty *t, unsigned long steal, bool readable);
long tiocnotty(struct tty *t);
long tiocgpgrp_sid(struct tty *t, unsigned long cmd, int32_t __user *uarg,
		   bool any);
long tiocspgrp(struct tty *t, const int32_t __user *uarg);
/* drivers/tty_ioctl.c: TIOCSWINSZ (SIGWINCH to the foreground group on a
 * change); a pty master's too. */
long tiocswinsz(struct tty *t, const void __user *uarg);

#endif
