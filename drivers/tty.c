/* Terminal line discipline. In canonical mode input is edited a line at a
 * time (erase, kill, word-erase, EOF) and echoed; readers get whole lines.
 * In raw mode reads follow VMIN/VTIME. Output gets ONLCR processing. With
 * ISIG, ^C, ^\ and ^Z signal the foreground process group.
 *
 * Job control follows Linux's drivers/tty/tty_jobctrl.c: a tty is the
 * controlling terminal of at most one session (t->session), whose
 * processes point at it (p->ctty); a process of a background group that
 * reads it gets SIGTTIN, one that writes with TOSTOP or changes its
 * settings gets SIGTTOU. Session, foreground group and ctty pointers are
 * protected by proc_lock; the buffers by t->lock. t->lock is never held
 * while proc_lock is taken (signals are sent after it is dropped). */
#include <drivers/tty.h>
#include <lib/string.h>
#include <percpu.h>
#include <proc.h>
#include <signal.h>
#include <time.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

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
	      void (*output)(const char *, size_t))
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->major = major;
	t->minor = minor;
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
	/* Erasing is seen only when echoing (ECHO and ECHOE both). */
	if ((t->termios.c_lflag & (ECHO | ECHOE)) == (ECHO | ECHOE)) {
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
static void flush_input(struct tty *t)
{
	t->ready_len = 0;
	t->line_len = 0;
	t->eof_pending = 0;
}

static void signal_fg_group(struct tty *t, int sig)
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
	return t->ready_len > 0 || t->eof_pending > 0;
}

/* Job control for an access to t by the current process (Linux's
 * __tty_check_change): 0 if it may go on; a process of a background group
 * of t's session gets sig (its whole group does) and -EINTR, which
 * restarts the call once the group is continued in the foreground. An
 * ignored or blocked sig lets SIGTTOU accesses through and fails SIGTTIN
 * ones with -EIO; an orphaned group, which nobody would continue, gets
 * -EIO instead of stopping. */
static int tty_check_change(struct tty *t, int sig)
{
	struct process *p = proc_current();
	if (!p)
		return 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->ctty != t || t->pgrp <= 0 || p->pgid == t->pgrp) {
		spin_unlock_irqrestore(&proc_lock, f);
		return 0;
	}
	int pgid = p->pgid;
	bool orphaned = proc_pgrp_orphaned(pgid);
	spin_unlock_irqrestore(&proc_lock, f);
	if (p->sigactions[sig - 1].handler == SIG_IGN ||
	    (current->sig_blocked & SIGBIT(sig)))
		return sig == SIGTTIN ? -EIO : 0;
	if (orphaned)
		return -EIO;
	proc_signal_group(pgid, false, NULL, sig);
	return -EINTR;
}

/* Sleeps until t has input, a signal arrives (-EINTR) or deadline_ns
 * passes (-ETIMEDOUT; 0 = no deadline). */
static int tty_wait_input(struct tty *t, uint64_t deadline_ns)
{
	int r = 0;
	irqflags_t f = sched_lock_irqsave();
	while (!tty_readable(t)) {
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
	return r;
}

/* Canonical mode: the next line (or what of it fits), 0 at end of file. */
static long read_canon(struct tty *t, char *buf, size_t n, bool nonblock)
{
	for (;;) {
		long got = take_ready(t, buf, n);
		if (got)
			return got < 0 ? 0 : got;
		if (nonblock)
			return -EAGAIN;
		int r = tty_wait_input(t, 0);
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
		int w = tty_wait_input(t, deadline);
		if (w == -ETIMEDOUT)
			return (long)got;
		if (w)
			return got ? (long)got : w;
	}
}

long tty_read(struct tty *t, char *buf, size_t n, bool nonblock)
{
	int r = tty_check_change(t, SIGTTIN);
	if (r)
		return r;
	if (n == 0)
		return 0;
	if (t->termios.c_lflag & ICANON)
		return read_canon(t, buf, n, nonblock);
	return read_raw(t, buf, n, nonblock);
}

long tty_write(struct tty *t, const char *buf, size_t n)
{
	if (t->termios.c_lflag & TOSTOP) {
		int r = tty_check_change(t, SIGTTOU);
		if (r)
			return r;
	}
	tty_out(t, buf, n);
	return (long)n;
}

/* With proc_lock held: t becomes the controlling terminal of p's session
 * (Linux's __proc_set_tty), with p's group in the foreground. */
static void set_ctty_locked(struct tty *t, struct process *p)
{
	t->session = p->sid;
	__atomic_store_n(&t->pgrp, p->pgid, __ATOMIC_RELAXED);
	p->ctty = t;
}

void tty_open_ctty(struct tty *t, bool noctty, bool readable)
{
	struct process *p = proc_current();
	if (!p || noctty || !readable)
		return;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->sid == p->pid && !p->ctty && t->session == 0)
		set_ctty_locked(t, p);
	spin_unlock_irqrestore(&proc_lock, f);
}

struct tty *tty_current_ctty(void)
{
	struct process *p = proc_current();
	return p ? __atomic_load_n(&p->ctty, __ATOMIC_RELAXED) : NULL;
}

/* The session leader p gives up its terminal t (Linux's
 * disassociate_ctty): the foreground group is told (SIGHUP, and SIGCONT
 * unless p is exiting), then no process of the session has t any more. */
static void tty_disassociate(struct tty *t, struct process *p, bool on_exit)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int pgrp = t->session == p->sid ? t->pgrp : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	if (pgrp > 0) {
		proc_signal_group(pgrp, false, NULL, SIGHUP);
		if (!on_exit)
			proc_signal_group(pgrp, false, NULL, SIGCONT);
	}
	f = spin_lock_irqsave(&proc_lock);
	if (t->session == p->sid) {
		t->session = 0;
		__atomic_store_n(&t->pgrp, 0, __ATOMIC_RELAXED);
	}
	proc_clear_ctty(p->sid, t);
	spin_unlock_irqrestore(&proc_lock, f);
}

void tty_session_leader_exit(struct process *p)
{
	struct tty *t = p->ctty;
	if (t)
		tty_disassociate(t, p, true);
}

int tty_proc_stat(struct process *p, int *tpgid)
{
	struct tty *t = p->ctty;
	*tpgid = -1;
	if (!t)
		return 0;
	if (t->pgrp > 0)
		*tpgid = t->pgrp;
	/* Linux's new_encode_dev. */
	return (int)((t->minor & 0xff) | (t->major << 8) |
		     ((t->minor & ~0xffu) << 12));
}

/* TIOCSCTTY: a session leader without a terminal takes t; one that is
 * another session's is taken away from it only if steal (arg 1) is asked
 * by root. */
static long tiocsctty(struct tty *t, unsigned long steal, bool readable)
{
	struct process *p = proc_current();
	long r = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->sid == p->pid && t->session == p->sid)
		goto out; /* already ours */
	if (p->sid != p->pid || p->ctty) {
		r = -EPERM;
		goto out;
	}
	if (t->session) {
		if (steal != 1 || p->euid != 0) {
			r = -EPERM;
			goto out;
		}
		proc_clear_ctty(t->session, t);
	}
	if (!readable && p->euid != 0) {
		r = -EPERM;
		goto out;
	}
	set_ctty_locked(t, p);
out:
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

/* TIOCNOTTY: the caller gives up its terminal; a session leader takes the
 * whole session with it. */
static long tiocnotty(struct tty *t)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = p->ctty == t;
	bool leader = p->sid == p->pid;
	if (mine && !leader)
		p->ctty = NULL;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine)
		return -ENOTTY;
	if (leader)
		tty_disassociate(t, p, false);
	return 0;
}

/* TIOCGPGRP and TIOCGSID answer only about the caller's own terminal. */
static long tiocgpgrp_sid(struct tty *t, unsigned long cmd, int32_t *uarg)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = p->ctty == t;
	int32_t v = cmd == TIOCGSID ? t->session : t->pgrp;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine || (cmd == TIOCGSID && v == 0))
		return -ENOTTY;
	return copy_to_user(uarg, &v, sizeof(v));
}

static long tiocspgrp(struct tty *t, const int32_t *uarg)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = p->ctty == t && t->session == p->sid;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine)
		return -ENOTTY;
	int r = tty_check_change(t, SIGTTOU);
	if (r)
		return r == -EIO ? -ENOTTY : r;
	int32_t pg;
	if (copy_from_user(&pg, uarg, sizeof(pg)))
		return -EFAULT;
	if (pg < 0)
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	if (!proc_pgrp_used(pg, -1, NULL))
		r = -ESRCH;
	else if (!proc_pgrp_used(pg, p->sid, NULL))
		r = -EPERM;
	else
		__atomic_store_n(&t->pgrp, pg, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

static long tcsets(struct tty *t, unsigned long cmd, const void *uarg)
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

static long tiocswinsz(struct tty *t, const void *uarg)
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
static long tiocsti(struct tty *t, const char *uarg, bool readable)
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
	void *uarg = (void *)arg;
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
		return tiocgpgrp_sid(t, cmd, uarg);
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
