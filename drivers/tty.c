/* Terminal line discipline, one for every terminal: the console and pty
 * slaves differ only in their struct tty_driver (where output goes, how
 * much it takes). In canonical mode input is edited a line at a time
 * (erase, kill, word-erase, EOF) and echoed; readers get whole lines. In
 * raw mode reads follow VMIN/VTIME. Output gets ONLCR processing and is
 * handed to the driver in chunks that fit its room, writers taking turns.
 * With ISIG, ^C, ^\ and ^Z signal the foreground process group. A hung-up
 * terminal reads 0 and fails writes with EIO. The buffers are protected by
 * t->lock, which is never held while proc_lock is taken (signals are sent
 * after it is dropped). Job control and hang-up are drivers/tty_job.c,
 * the ioctls drivers/tty_ioctl.c; docs/tty.md. */
#include <drivers/tty.h>
#include <lib/string.h>
#include <percpu.h>
#include <proc.h>
#include <signal.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/stat.h>
#include "tty_internal.h"

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

void tty_init(struct tty *t, const char *name, uint32_t major, uint32_t minor,
	      const struct tty_driver *drv, void *driver_data)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->major = major;
	t->minor = minor;
	t->termios = tty_default_termios;
	t->winsize = (struct winsize){.ws_row = 24, .ws_col = 80};
	spin_init(&t->lock, "tty");
	wait_queue_init(&t->readers);
	t->drv = drv;
	t->driver_data = driver_data;
}

static size_t tty_room(struct tty *t)
{
	return t->drv->write_room ? t->drv->write_room(t) : SIZE_MAX;
}

/* Echo: output processing (ONLCR) of a few bytes, all or nothing. What
 * does not fit in the driver's room is dropped, as Linux's n_tty drops
 * echoes when the output buffer is full. */
static void tty_echo_out(struct tty *t, const char *s, size_t n)
{
	char buf[8];
	size_t k = 0;
	bool onlcr = (t->termios.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR);
	for (size_t i = 0; i < n && k + 2 <= sizeof(buf); i++) {
		if (onlcr && s[i] == '\n')
			buf[k++] = '\r';
		buf[k++] = s[i];
	}
	if (tty_room(t) >= k)
		t->drv->write(t, buf, k);
}

static void echo_char(struct tty *t, char c)
{
	if (!(t->termios.c_lflag & ECHO))
		return;
	if ((t->termios.c_lflag & ECHOCTL) && (uint8_t)c < 32 && c != '\n' &&
	    c != '\t') {
		char buf[2] = {'^', (char)(c + '@')};
		tty_echo_out(t, buf, 2);
	} else {
		tty_echo_out(t, &c, 1);
	}
}

/* With t->lock held. */
void ready_push(struct tty *t, const char *s, size_t n)
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
	/* Erasing is seen only when echoing (ECHO and ECHOE both). */
	if ((t->termios.c_lflag & (ECHO | ECHOE)) == (ECHO | ECHOE)) {
		/* Control characters were echoed as two columns. */
		int cols =
		    ((uint8_t)c < 32 && (t->termios.c_lflag & ECHOCTL)) ? 2 : 1;
		for (int i = 0; i < cols; i++)
			tty_echo_out(t, "\b \b", 3);
	}
}

/* Canonical-mode editing of one input byte. With t->lock held. */
static void canon_input(struct tty *t, char c)
{
	const uint8_t *cc = t->termios.c_cc;
	if ((uint8_t)c == cc[VERASE] || c == '\b') {
		erase_one(t);
	} else if ((uint8_t)c == cc[VKILL]) {
		/* As n_tty's eraser(): erased column by column only with
		 * ECHOE, ECHOK and ECHOKE; otherwise the kill character is
		 * echoed, and a newline after it with ECHOK. */
		uint32_t l = t->termios.c_lflag;
		if ((l & ECHO) && (l & (ECHOE | ECHOK | ECHOKE)) !=
				      (ECHOE | ECHOK | ECHOKE)) {
			t->line_len = 0;
			echo_char(t, c);
			if (l & ECHOK)
				tty_echo_out(t, "\n", 1);
		}
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
		/* ECHONL: the newline is echoed even without ECHO. */
		if (c == '\n' &&
		    (t->termios.c_lflag & (ECHO | ECHONL)) == ECHONL)
			tty_echo_out(t, "\n", 1);
		else
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

/* The signal an ISIG character stands for, or 0. A c_cc slot of 0 is
 * disabled (_POSIX_VDISABLE). */
static int isig_signal(const struct ktermios *k, char c)
{
	uint8_t u = (uint8_t)c;
	if (!(k->c_lflag & ISIG) || u == 0)
		return 0;
	if (u == k->c_cc[VINTR])
		return SIGINT;
	if (u == k->c_cc[VQUIT])
		return SIGQUIT;
	if (u == k->c_cc[VSUSP])
		return SIGTSTP;
	return 0;
}

/* With t->lock held: input not yet read is dropped. */
void flush_input(struct tty *t)
{
	t->ready_len = 0;
	t->line_len = 0;
	t->eof_pending = 0;
}

void signal_fg_group(struct tty *t, int sig)
{
	int pgrp = __atomic_load_n(&t->pgrp, __ATOMIC_RELAXED);
	if (pgrp > 0)
		proc_signal_group(pgrp, false, NULL, sig);
}

void tty_input(struct tty *t, char c)
{
	int sig = 0;
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
	sig = isig_signal(&t->termios, c);
	if (sig) {
		/* As Linux's n_tty isig(): flush unless NOFLSH, echo as ^C. */
		if (!(t->termios.c_lflag & NOFLSH))
			flush_input(t);
		echo_char(t, c);
	} else if (t->termios.c_lflag & ICANON) {
		canon_input(t, c);
	} else {
		echo_char(t, c);
		ready_push(t, &c, 1);
		wait_queue_wake_all(&t->readers);
	}
out:
	spin_unlock_irqrestore(&t->lock, f);
	if (sig)
		signal_fg_group(t, sig);
}

bool tty_readable(struct tty *t)
{
	return t->ready_len > 0 || t->eof_pending > 0 || t->hungup;
}

/* Lock-free (a hint, exact enough for a wait condition evaluated under
 * sched_lock, where t->lock may not be taken). Complete lines (ready) and
 * the line being edited share TTY_BUF, so a newline always finds room for
 * its line; with no complete line to read the edited line is at most
 * TTY_BUF - 1 (canon_input drops the rest, as n_tty does), so there is
 * always room for the newline that ends it and a writer never waits on a
 * line nobody can finish. */
size_t tty_input_room(struct tty *t)
{
	size_t used = __atomic_load_n(&t->ready_len, __ATOMIC_RELAXED);
	if (t->termios.c_lflag & ICANON)
		used += __atomic_load_n(&t->line_len, __ATOMIC_RELAXED);
	return used < TTY_BUF ? TTY_BUF - used : 0;
}

/* Sleeps until ready(t), a signal arrives (-EINTR) or deadline_ns
 * passes (-ETIMEDOUT; 0 = no deadline). The condition is read under
 * sched_lock, so whoever makes it true wakes t->readers after. */
static int tty_wait(struct tty *t, bool (*ready)(struct tty *),
		    uint64_t deadline_ns)
{
	int r = 0;
	irqflags_t f = sched_lock_irqsave();
	while (!ready(t)) {
		if (signal_pending(current)) {
			r = -EINTR;
			break;
		}
		if (deadline_ns && time_ns() >= deadline_ns) {
			r = -ETIMEDOUT;
			break;
		}
		current->intr_sleep = true;
		sched_sleep_locked(&t->readers, deadline_ns);
		current->intr_sleep = false;
	}
	sched_unlock_irqrestore(f);
	return r;
}

/* Moves up to n ready bytes into buf; a canonical read stops after a
 * newline. Returns how many, or -1 for an end-of-file mark (^D on an
 * empty line), which is consumed. */
static long take_ready(struct tty *t, char *buf, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&t->lock);
	bool canon = t->termios.c_lflag & ICANON;
	size_t got = 0;
	while (got < n && t->ready_len) {
		char c = t->ready[t->ready_head];
		t->ready_head = (t->ready_head + 1) % TTY_BUF;
		t->ready_len--;
		buf[got++] = c;
		if (canon && c == '\n')
			break;
	}
	long r = (long)got;
	if (!got && canon && t->eof_pending) {
		t->eof_pending--;
		r = -1;
	}
	spin_unlock_irqrestore(&t->lock, f);
	if (got && t->drv->unthrottle)
		t->drv->unthrottle(t);
	return r;
}

/* Canonical mode: the next line (or what of it fits), 0 at end of file. */
static long read_canon(struct tty *t, char *buf, size_t n, bool nonblock)
{
	for (;;) {
		/* A read the hang-up woke fails, as Linux's n_tty_read
		 * (tty_read gives later ones end of file). */
		if (t->hungup)
			return -EIO;
		long got = take_ready(t, buf, n);
		if (got)
			return got < 0 ? 0 : got;
		if (nonblock)
			return -EAGAIN;
		int r = tty_wait(t, tty_readable, 0);
		if (r)
			return r;
	}
}

/* Raw mode with POSIX's VMIN/VTIME: VMIN bytes are awaited (fewer if n is
 * smaller); VTIME tenths of a second bound the wait for the first byte
 * when VMIN is 0, and between bytes otherwise. VMIN = VTIME = 0 polls. */
static long read_raw(struct tty *t, char *buf, size_t n, bool nonblock)
{
	size_t vmin = t->termios.c_cc[VMIN];
	uint64_t vtime = t->termios.c_cc[VTIME] * (NSEC_PER_SEC / 10);
	size_t want = MIN(vmin, n);
	uint64_t deadline = (vtime && !vmin) ? time_ns() + vtime : 0;
	size_t got = 0;
	for (;;) {
		if (t->hungup)
			return got ? (long)got : -EIO;
		long r = take_ready(t, buf + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			if (vtime && vmin) /* the inter-byte timer restarts */
				deadline = time_ns() + vtime;
		}
		if (got >= n || (got && got >= want) || (!vmin && !vtime))
			return (long)got;
		if (nonblock)
			return got ? (long)got : -EAGAIN;
		int w = tty_wait(t, tty_readable, deadline);
		if (w == -ETIMEDOUT)
			return (long)got;
		if (w)
			return got ? (long)got : w;
	}
}

long tty_read(struct tty *t, char *buf, size_t n, bool nonblock)
{
	if (t->hungup)
		return 0;
	int r = tty_check_change(t, SIGTTIN);
	if (r)
		return r;
	if (n == 0)
		return 0;
	if (t->termios.c_lflag & ICANON)
		return read_canon(t, buf, n, nonblock);
	return read_raw(t, buf, n, nonblock);
}

static bool tty_may_write(struct tty *t)
{
	return tty_room(t) > 0 || t->hungup;
}

static bool tty_write_turn(struct tty *t)
{
	return !t->writing || t->hungup;
}

/* Writers take turns (Linux's atomic_write_lock), so one write's bytes
 * are not interleaved with another's and a chunk that was measured
 * against the driver's room still fits when it is handed over. */
static int tty_write_begin(struct tty *t, bool nonblock)
{
	for (;;) {
		irqflags_t f = sched_lock_irqsave();
		bool mine = !t->writing;
		if (mine)
			t->writing = true;
		sched_unlock_irqrestore(f);
		if (mine)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int r = tty_wait(t, tty_write_turn, 0);
		if (r)
			return r;
		if (t->hungup)
			return -EIO;
	}
}

static void tty_write_end(struct tty *t)
{
	irqflags_t f = sched_lock_irqsave();
	t->writing = false;
	sched_unlock_irqrestore(f);
	wait_queue_wake_all(&t->readers);
}

long tty_write(struct tty *t, const char *buf, size_t n, bool nonblock)
{
	if (t->hungup)
		return -EIO;
	if (t->termios.c_lflag & TOSTOP) {
		int r = tty_check_change(t, SIGTTOU);
		if (r)
			return r;
	}
	long r = tty_write_begin(t, nonblock);
	if (r)
		return r;
	size_t done = 0;
	while (done < n) {
		if (t->hungup) {
			r = -EIO;
			break;
		}
		size_t room = MIN(tty_room(t), (size_t)TTY_OCHUNK);
		/* Output processing: ONLCR makes \n two bytes, which go out
		 * together or wait. */
		bool onlcr =
		    (t->termios.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR);
		char ob[TTY_OCHUNK];
		size_t ol = 0, used = 0;
		while (done + used < n) {
			char c = buf[done + used];
			size_t w = (onlcr && c == '\n') ? 2 : 1;
			if (ol + w > room)
				break;
			if (w == 2)
				ob[ol++] = '\r';
			ob[ol++] = c;
			used++;
		}
		if (!used) {
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = tty_wait(t, tty_may_write, 0);
			if (r)
				break;
			continue;
		}
		/* Only echo competes for the room, and it never takes what
		 * write_room did not offer, so this takes all of it (a
		 * driver's room is a soft limit with a chunk to spare). */
		t->drv->write(t, ob, ol);
		done += used;
	}
	tty_write_end(t);
	return done ? (long)done : r;
}

unsigned tty_poll(struct tty *t)
{
	if (t->hungup)
		return POLLIN | POLLOUT | POLLHUP;
	return (tty_readable(t) ? POLLIN : 0) | (tty_room(t) ? POLLOUT : 0);
}
