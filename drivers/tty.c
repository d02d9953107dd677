/* Terminal line discipline. In canonical mode input is edited a line at a
 * time (erase, kill, word-erase, EOF) and echoed; readers get whole lines.
 * In raw mode bytes go straight to readers (VMIN >= 1 semantics: a read
 * returns as soon as one byte is there). Output gets ONLCR processing.
 * ISIG characters (^C, ^Z, ^\) are passed as data until signals exist
 * (issue #4); that is the one known gap. */
#include <drivers/tty.h>
#include <lib/string.h>
#include <uaccess.h>
#include <uapi/errno.h>

static const struct ktermios tty_default_termios = {
    .c_iflag = ICRNL | IXON,
    .c_oflag = OPOST | ONLCR,
    .c_cflag = B38400 | CS8 | CREAD | HUPCL,
    .c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    .c_cc = {[VINTR] = 3,
	     [VQUIT] = 0x1c,
	     [VERASE] = 0x7f,
	     [VKILL] = 0x15,
	     [VEOF] = 4,
	     [VMIN] = 1,
	     [VSTART] = 0x11,
	     [VSTOP] = 0x13,
	     [VSUSP] = 0x1a,
	     [VREPRINT] = 0x12,
	     [VDISCARD] = 0x0f,
	     [VWERASE] = 0x17,
	     [VLNEXT] = 0x16},
};

void tty_init(struct tty *t, const char *name,
	      void (*output)(const char *, size_t))
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->termios = tty_default_termios;
	t->winsize = (struct winsize){.ws_row = 24, .ws_col = 80};
	spin_init(&t->lock, "tty");
	wait_queue_init(&t->readers);
	t->output = output;
}

/* Output processing: ONLCR turns \n into \r\n. Lock not needed: the
 * driver's output is itself serialised. */
static void tty_out(struct tty *t, const char *s, size_t n)
{
	if (!(t->termios.c_oflag & OPOST) || !(t->termios.c_oflag & ONLCR)) {
		t->output(s, n);
		return;
	}
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			t->output(s + start, i - start);
			t->output("\r\n", 2);
			start = i + 1;
		}
	}
	t->output(s + start, n - start);
}

static void echo_char(struct tty *t, char c)
{
	if (!(t->termios.c_lflag & ECHO))
		return;
	if ((t->termios.c_lflag & ECHOCTL) && (uint8_t)c < 32 && c != '\n' &&
	    c != '\t') {
		char buf[2] = {'^', (char)(c + '@')};
		tty_out(t, buf, 2);
	} else {
		tty_out(t, &c, 1);
	}
}

/* With t->lock held. */
static void ready_push(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n && t->ready_len < TTY_BUF; i++) {
		t->ready[(t->ready_head + t->ready_len) % TTY_BUF] = s[i];
		t->ready_len++;
	}
}

static void erase_one(struct tty *t)
{
	if (!t->line_len)
		return;
	char c = t->line[--t->line_len];
	if (t->termios.c_lflag & ECHOE) {
		/* Control characters were echoed as two columns. */
		int cols =
		    ((uint8_t)c < 32 && (t->termios.c_lflag & ECHOCTL)) ? 2 : 1;
		for (int i = 0; i < cols; i++)
			tty_out(t, "\b \b", 3);
	}
}

/* Canonical-mode editing of one input byte. With t->lock held. */
static void canon_input(struct tty *t, char c)
{
	const uint8_t *cc = t->termios.c_cc;
	if ((uint8_t)c == cc[VERASE] || c == '\b') {
		erase_one(t);
	} else if ((uint8_t)c == cc[VKILL]) {
		while (t->line_len)
			erase_one(t);
	} else if ((uint8_t)c == cc[VWERASE] && (t->termios.c_lflag & IEXTEN)) {
		while (t->line_len && t->line[t->line_len - 1] == ' ')
			erase_one(t);
		while (t->line_len && t->line[t->line_len - 1] != ' ')
			erase_one(t);
	} else if ((uint8_t)c == cc[VEOF]) {
		ready_push(t, t->line, t->line_len);
		if (t->line_len == 0)
			t->eof_pending++;
		t->line_len = 0;
		wait_queue_wake_all(&t->readers);
	} else if (c == '\n' || (cc[VEOL] && (uint8_t)c == cc[VEOL])) {
		echo_char(t, c);
		if (t->line_len < TTY_BUF)
			t->line[t->line_len++] = c;
		ready_push(t, t->line, t->line_len);
		t->line_len = 0;
		wait_queue_wake_all(&t->readers);
	} else if (t->line_len < TTY_BUF - 1) {
		/* One byte is kept free for the newline that ends it. */
		t->line[t->line_len++] = c;
		echo_char(t, c);
	}
}

void tty_input(struct tty *t, char c)
{
	irqflags_t f = spin_lock_irqsave(&t->lock);
	uint32_t iflag = t->termios.c_iflag;
	if (c == '\r') {
		if (iflag & IGNCR)
			goto out;
		if (iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & INLCR)) {
		c = '\r';
	}
	if (t->termios.c_lflag & ICANON) {
		canon_input(t, c);
	} else {
		echo_char(t, c);
		ready_push(t, &c, 1);
		wait_queue_wake_all(&t->readers);
	}
out:
	spin_unlock_irqrestore(&t->lock, f);
}

bool tty_readable(struct tty *t)
{
	return t->ready_len > 0 || t->eof_pending > 0;
}

long tty_read(struct tty *t, char *buf, size_t n, bool nonblock)
{
	if (n == 0)
		return 0;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&t->lock);
		if (t->ready_len) {
			size_t got = 0;
			bool canon = t->termios.c_lflag & ICANON;
			while (got < n && t->ready_len) {
				char c = t->ready[t->ready_head];
				t->ready_head = (t->ready_head + 1) % TTY_BUF;
				t->ready_len--;
				buf[got++] = c;
				/* Canonical reads end at a line boundary. */
				if (canon && c == '\n')
					break;
			}
			spin_unlock_irqrestore(&t->lock, f);
			return (long)got;
		}
		if (t->eof_pending) {
			t->eof_pending--;
			spin_unlock_irqrestore(&t->lock, f);
			return 0;
		}
		spin_unlock_irqrestore(&t->lock, f);
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(&t->readers, tty_readable(t)))
			return -EINTR;
	}
}

long tty_write(struct tty *t, const char *buf, size_t n)
{
	tty_out(t, buf, n);
	return (long)n;
}

long tty_ioctl(struct tty *t, unsigned long cmd, uintptr_t arg)
{
	void *uarg = (void *)arg;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(uarg, &t->termios, sizeof(t->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct ktermios k;
		if (copy_from_user(&k, uarg, sizeof(k)))
			return -EFAULT;
		irqflags_t f = spin_lock_irqsave(&t->lock);
		if (cmd == TCSETSF) {
			t->ready_len = 0;
			t->line_len = 0;
		}
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
	case TIOCGWINSZ:
		return copy_to_user(uarg, &t->winsize, sizeof(t->winsize));
	case TIOCSWINSZ:
		return copy_from_user(&t->winsize, uarg, sizeof(t->winsize));
	case TIOCGPGRP: {
		/* Without sessions (issue #4) no process has this tty as
		 * its controlling terminal until it sets a foreground
		 * group; Linux answers ENOTTY then, and shells turn job
		 * control off. */
		if (t->pgrp == 0)
			return -ENOTTY;
		int32_t pg = t->pgrp;
		return copy_to_user(uarg, &pg, sizeof(pg));
	}
	case TIOCSPGRP: {
		int32_t pg;
		if (copy_from_user(&pg, uarg, sizeof(pg)))
			return -EFAULT;
		if (pg < 0)
			return -EINVAL;
		t->pgrp = pg;
		return 0;
	}
	case FIONREAD: {
		int32_t n = (int32_t)t->ready_len;
		return copy_to_user(uarg, &n, sizeof(n));
	}
	case TIOCOUTQ: {
		int32_t n = 0; /* output is written synchronously */
		return copy_to_user(uarg, &n, sizeof(n));
	}
	case TCFLSH:
		if (arg == 0 || arg == 2) { /* TCIFLUSH, TCIOFLUSH */
			irqflags_t f = spin_lock_irqsave(&t->lock);
			t->ready_len = 0;
			t->line_len = 0;
			spin_unlock_irqrestore(&t->lock, f);
		} else if (arg != 1) {
			return -EINVAL;
		}
		return 0;
	default:
		return -ENOTTY;
	}
}
