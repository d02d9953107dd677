/* Terminal ioctls: termios (TCGETS, TCSETS*), the window size, TIOCSTI,
 * the queue sizes and TCFLSH here; the job-control ones (TIOCSCTTY,
 * TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID) in drivers/tty_job.c. */
#include <drivers/tty.h>
#include <lib/string.h>
#include <proc.h>
#include <signal.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include "tty_internal.h"

static long tcsets(struct tty *t, unsigned long cmd, const void __user *uarg)
{
	struct ktermios k;
	if (copy_from_user(&k, uarg, sizeof(k)))
		return -EFAULT;
	int r = tty_check_change(t, SIGTTOU);
	if (r)
		return r;
	irqflags_t f = spin_lock_irqsave(&t->lock);
	if (cmd == TCSETSF)
		flush_input(t);
	/* Leaving canonical mode hands the partial line over. */
	if ((t->termios.c_lflag & ICANON) && !(k.c_lflag & ICANON)) {
		ready_push(t, t->line, t->line_len);
		t->line_len = 0;
	}
	t->termios = k;
	spin_unlock_irqrestore(&t->lock, f);
	wait_queue_wake_all(&t->readers);
	return 0;
}

long tiocswinsz(struct tty *t, const void __user *uarg)
{
	struct winsize w;
	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	irqflags_t f = spin_lock_irqsave(&t->lock);
	bool changed = memcmp(&w, &t->winsize, sizeof(w)) != 0;
	t->winsize = w;
	spin_unlock_irqrestore(&t->lock, f);
	if (changed)
		signal_fg_group(t, SIGWINCH);
	return 0;
}

/* TIOCSTI: a byte as if typed. Only on one's own terminal, or by root
 * (Linux asks CAP_SYS_ADMIN). */
static long tiocsti(struct tty *t, const char __user *uarg, bool readable)
{
	char c;
	if (proc_current()->euid != 0 && (tty_current_ctty() != t || !readable))
		return -EPERM;
	if (copy_from_user(&c, uarg, 1))
		return -EFAULT;
	tty_input(t, c);
	return 0;
}

long tty_ioctl(struct tty *t, unsigned long cmd, uintptr_t arg, bool readable)
{
	void __user *uarg = (void __user *)arg;
	if (t->hungup) /* as Linux's hung_up_tty_ioctl */
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(uarg, &t->termios, sizeof(t->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tcsets(t, cmd, uarg);
	case TIOCGWINSZ:
		return copy_to_user(uarg, &t->winsize, sizeof(t->winsize));
	case TIOCSWINSZ:
		return tiocswinsz(t, uarg);
	case TIOCSCTTY:
		return tiocsctty(t, arg, readable);
	case TIOCNOTTY:
		return tiocnotty(t);
	case TIOCGPGRP:
	case TIOCGSID:
		return tiocgpgrp_sid(t, cmd, uarg, false);
	case TIOCSPGRP:
		return tiocspgrp(t, uarg);
	case TIOCSTI:
		return tiocsti(t, uarg, readable);
	case FIONREAD: {
		int32_t n = (int32_t)t->ready_len;
		return copy_to_user(uarg, &n, sizeof(n));
	}
	case TIOCOUTQ: {
		int32_t n = 0; /* output is written synchronously */
		return copy_to_user(uarg, &n, sizeof(n));
	}
	case TCFLSH: {
		if (arg > 2)
			return -EINVAL;
		int r = tty_check_change(t, SIGTTOU);
		if (r)
			return r;
		if (arg == 0 || arg == 2) { /* TCIFLUSH, TCIOFLUSH */
			irqflags_t f = spin_lock_irqsave(&t->lock);
			flush_input(t);
			spin_unlock_irqrestore(&t->lock, f);
		}
		return 0;
	}
	default:
		return -ENOTTY;
	}
}
