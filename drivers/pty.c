/* Pseudo-terminals (Unix 98): opening /dev/ptmx (5:2) makes a pair and
 * gives its master; the slave is /dev/pts/N (136:N, fs/devpts.c), a
 * terminal run by the same line discipline as the console
 * (drivers/tty.c) with this file as its driver: what the slave's ldisc
 * outputs lands in the master's read buffer, what the master writes is
 * the slave's input. Both directions are bounded: a master writer waits
 * for the slave's input buffer (tty_input_room), a slave writer for the
 * master's buffer (write_room). At most PTY_MAX pairs exist (ENOSPC
 * after, as Linux past kernel.pty.max).
 *
 * Locking: pty_lock protects the table, every pair's reference count and
 * open counts; it nests inside proc_lock (tty_current_ctty_get) and is
 * never held while another lock is taken. A pair's olock protects its
 * output buffer and nests inside the slave's t->lock (echo). */
#include <drivers/tty.h>
#include <fd.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <signal.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "tty_internal.h"

#define PTY_OBUF 4096 /* slave output the master has not read */

struct pty {
	struct tty slave;
	int index;
	uint64_t gen;
	int refs;	   /* pty_lock: open master and slave files */
	int masters;	   /* pty_lock: open master files */
	int slaves;	   /* pty_lock: open slave files */
	bool slave_opened; /* pty_lock: once a slave was open, a master read
			    * with none open gives EIO, as Linux */
	bool locked;	   /* TIOCSPTLCK: slave opens fail with EIO */
	bool packet;	   /* TIOCPKT: master reads start with a status byte */
	uint32_t uid, gid; /* the slave node's owner */
	struct ktermios mtermios; /* the master's own (affects nothing) */
	/* The slave's output, which the master reads: PTY_OBUF is what
	 * write_room offers; TTY_OCHUNK more is the one chunk a writer may
	 * hand over after echo took the rest (see tty_write). */
	spinlock_t olock;
	char obuf[PTY_OBUF + TTY_OCHUNK];
	size_t ohead, olen;
	struct wait_queue mwait; /* master readers, writers and pollers */
	char name[16];
};

static spinlock_t pty_lock = SPINLOCK_INIT("pty");
static struct pty *ptys[PTY_MAX];
static int npty;
static uint64_t pty_next_gen = 1;

static struct pty *tty_pty(struct tty *t)
{
	return t->driver_data;
}

static void pty_put(struct pty *p)
{
	irqflags_t f = spin_lock_irqsave(&pty_lock);
	bool last = --p->refs == 0;
	if (last) {
		ptys[p->index] = NULL;
		npty--;
	}
	spin_unlock_irqrestore(&pty_lock, f);
	if (last)
		kfree(p);
}

int pty_count(void)
{
	return __atomic_load_n(&npty, __ATOMIC_RELAXED);
}

int pty_nodes(struct pty_node *out, int max)
{
	int n = 0;
	irqflags_t f = spin_lock_irqsave(&pty_lock);
	for (int i = 0; i < PTY_MAX && n < max; i++) {
		struct pty *p = ptys[i];
		if (p && p->masters > 0)
			out[n++] = (struct pty_node){.index = i,
						     .gen = p->gen,
						     .uid = p->uid,
						     .gid = p->gid};
	}
	spin_unlock_irqrestore(&pty_lock, f);
	return n;
}

/* ---- the slave's driver -------------------------------------------------- */

static size_t pty_drv_write(struct tty *t, const char *s, size_t n)
{
	struct pty *p = tty_pty(t);
	irqflags_t f = spin_lock_irqsave(&p->olock);
	size_t k = MIN(n, sizeof(p->obuf) - p->olen);
	for (size_t i = 0; i < k; i++)
		p->obuf[(p->ohead + p->olen + i) % sizeof(p->obuf)] = s[i];
	p->olen += k;
	spin_unlock_irqrestore(&p->olock, f);
	if (k)
		wait_queue_wake_all(&p->mwait);
	return k;
}

static size_t pty_drv_write_room(struct tty *t)
{
	struct pty *p = tty_pty(t);
	size_t len = __atomic_load_n(&p->olen, __ATOMIC_RELAXED);
	return len < PTY_OBUF ? PTY_OBUF - len : 0;
}

static void pty_drv_unthrottle(struct tty *t)
{
	wait_queue_wake_all(&tty_pty(t)->mwait);
}

static void pty_drv_get(struct tty *t)
{
	irqflags_t f = spin_lock_irqsave(&pty_lock);
	tty_pty(t)->refs++;
	spin_unlock_irqrestore(&pty_lock, f);
}

/* A slave file joins the pair (its reference is the caller's). */
static int pty_slave_attach(struct pty *p, struct file *f, bool check_lock)
{
	irqflags_t fl = spin_lock_irqsave(&pty_lock);
	int r = 0;
	if (p->masters == 0)
		r = -EIO; /* hung up: as Linux, no reopening */
	else if (check_lock && p->locked)
		r = -EIO;
	else {
		p->slaves++;
		p->slave_opened = true;
	}
	spin_unlock_irqrestore(&pty_lock, fl);
	if (r)
		return r;
	f->ops = &pty_slave_ops;
	f->priv = p;
	wait_queue_wake_all(&p->mwait);
	return 0;
}

static int pty_drv_reopen(struct tty *t, struct file *f)
{
	struct pty *p = tty_pty(t);
	int r = pty_slave_attach(p, f, false);
	if (r)
		pty_put(p);
	return r;
}

static const struct tty_driver pty_slave_driver = {
    .write = pty_drv_write,
    .write_room = pty_drv_write_room,
    .unthrottle = pty_drv_unthrottle,
    .reopen = pty_drv_reopen,
    .get = pty_drv_get,
};

/* ---- the slave's files --------------------------------------------------- */

static bool file_readable(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return acc == O_RDONLY || acc == O_RDWR;
}

/* /dev/pts/N: the node's gen_key says which pair it was made for, so a
 * stale name never reaches a newer pair that reused the index. */
static int pts_open(struct file *f)
{
	uint32_t idx = MINOR(f->inode->rdev);
	if (idx >= PTY_MAX)
		return -ENXIO;
	irqflags_t fl = spin_lock_irqsave(&pty_lock);
	struct pty *p = ptys[idx];
	if (p && p->gen == f->inode->gen_key)
		p->refs++;
	else
		p = NULL;
	spin_unlock_irqrestore(&pty_lock, fl);
	if (!p)
		return -EIO;
	int r = pty_slave_attach(p, f, true);
	if (r) {
		pty_put(p);
		return r;
	}
	tty_open_ctty(&p->slave, f->flags & O_NOCTTY, file_readable(f));
	return 0;
}

static long pts_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	struct pty *p = f->priv;
	return tty_read(&p->slave, b, n, f->flags & O_NONBLOCK);
}

static long pts_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	struct pty *p = f->priv;
	return tty_write(&p->slave, b, n, f->flags & O_NONBLOCK);
}

static long pts_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct pty *p = f->priv;
	return tty_ioctl(&p->slave, cmd, arg, file_readable(f));
}

static unsigned pts_poll(struct file *f)
{
	struct pty *p = f->priv;
	return tty_poll(&p->slave);
}

static struct wait_queue *pts_poll_wq(struct file *f)
{
	struct pty *p = f->priv;
	return &p->slave.readers;
}

static void pts_release(struct file *f)
{
	struct pty *p = f->priv;
	if (!p)
		return;
	irqflags_t fl = spin_lock_irqsave(&pty_lock);
	p->slaves--;
	spin_unlock_irqrestore(&pty_lock, fl);
	wait_queue_wake_all(&p->mwait);
	pty_put(p);
}

const struct file_ops pty_slave_ops = {
    .open = pts_open,
    .read = pts_read,
    .write = pts_write,
    .ioctl = pts_ioctl,
    .poll = pts_poll,
    .poll_wq = pts_poll_wq,
    .release = pts_release,
};

/* ---- the master ---------------------------------------------------------- */

/* The gid of group "tty" in the opener's /etc/group (its first 4 KiB),
 * else 0: Linux leaves this to devpts's gid= mount option, which
 * distributions set to tty's. */
static uint32_t tty_group_gid(void)
{
	struct process *cur = proc_current();
	struct file *f;
	/* O_NONBLOCK: a FIFO there must not hold the open up. */
	if (!cur || !cur->fs ||
	    vfs_open(cur->fs, NULL, "/etc/group", O_RDONLY | O_NONBLOCK, 0, &f))
		return 0;
	if (!S_ISREG(f->inode->mode)) {
		file_put(f);
		return 0;
	}
	enum { MAXLEN = 4096 };
	char *buf = kmalloc(MAXLEN + 1);
	long n = buf ? vfs_read(f, buf, MAXLEN) : -ENOMEM;
	file_put(f);
	uint32_t gid = 0;
	if (n > 0) {
		buf[n] = 0;
		for (char *l = buf; l && *l;
		     l = strchr(l, '\n'), l = l ? l + 1 : l) {
			if (strncmp(l, "tty:", 4))
				continue;
			char *c = strchr(l + 4, ':'); /* past the password */
			if (!c || c[1] < '0' || c[1] > '9')
				break;
			for (c++; *c >= '0' && *c <= '9' && gid < 100000000;
			     c++)
				gid = gid * 10 + (uint32_t)(*c - '0');
			break;
		}
	}
	kfree(buf);
	return gid;
}

static bool slave_gone(struct pty *p)
{
	return p->slave_opened && p->slaves == 0;
}

static int ptmx_open(struct file *f)
{
	struct process *cur = proc_current();
	uint32_t gid = tty_group_gid();
	struct pty *p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&pty_lock);
	int idx = -1;
	for (int i = 0; i < PTY_MAX; i++)
		if (!ptys[i]) {
			idx = i;
			break;
		}
	if (idx >= 0) {
		ptys[idx] = p;
		npty++;
		p->index = idx;
		p->gen = pty_next_gen++;
		p->refs = 1;
		p->locked = true; /* until unlockpt, as Linux */
	}
	spin_unlock_irqrestore(&pty_lock, fl);
	if (idx < 0) {
		kfree(p);
		return -ENOSPC;
	}
	/* The slot is taken, but with no master yet devpts does not show the
	 * pair and a slave open fails: set it up, then open it for them. */
	snprintf(p->name, sizeof(p->name), "pts/%d", idx);
	tty_init(&p->slave, p->name, PTY_SLAVE_MAJOR, (uint32_t)idx,
		 &pty_slave_driver, p);
	p->uid = cur && cur->fs ? cur->fs->uid : 0;
	p->gid = gid;
	/* Linux's pty master: raw, no echo. */
	p->mtermios = p->slave.termios;
	p->mtermios.c_iflag = 0;
	p->mtermios.c_oflag = 0;
	p->mtermios.c_lflag = 0;
	spin_init(&p->olock, "pty_out");
	wait_queue_init(&p->mwait);
	f->priv = p;
	fl = spin_lock_irqsave(&pty_lock);
	p->masters = 1;
	spin_unlock_irqrestore(&pty_lock, fl);
	return 0;
}

static bool master_readable(struct pty *p)
{
	return p->olen > 0 || slave_gone(p);
}

static long ptmx_read(struct file *f, char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	struct pty *p = f->priv;
	if (n == 0)
		return 0;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&p->olock);
		size_t k = 0;
		if (p->olen) {
			/* Packet mode: a 0 status byte (TIOCPKT_DATA) first. */
			size_t off = p->packet ? 1 : 0;
			if (off)
				b[0] = 0;
			k = MIN(n - off, p->olen);
			for (size_t i = 0; i < k; i++)
				b[off + i] =
				    p->obuf[(p->ohead + i) % sizeof(p->obuf)];
			p->ohead = (p->ohead + k) % sizeof(p->obuf);
			p->olen -= k;
			k += off;
		}
		spin_unlock_irqrestore(&p->olock, fl);
		if (k) {
			wait_queue_wake_all(&p->slave.readers); /* room */
			return (long)k;
		}
		if (slave_gone(p))
			return -EIO;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = wait_event_interruptible(&p->mwait, master_readable(p));
		if (r)
			return r;
	}
}

static bool master_writable(struct pty *p)
{
	return tty_input_room(&p->slave) > 0;
}

/* Each byte is the slave's input, through its line discipline (which may
 * echo it back into the master's buffer, or signal the slave's
 * foreground group). */
static long ptmx_write(struct file *f, const char *b, size_t n, uint64_t *pos)
{
	(void)pos;
	struct pty *p = f->priv;
	size_t done = 0;
	while (done < n) {
		size_t room = tty_input_room(&p->slave);
		if (room == 0) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			int r = wait_event_interruptible(&p->mwait,
							 master_writable(p));
			if (r)
				return done ? (long)done : r;
			continue;
		}
		for (size_t i = 0; i < room && done < n; i++)
			tty_input(&p->slave, b[done++]);
	}
	return (long)done;
}

/* The pair's node in the caller's /dev/pts, when that is a devpts mount
 * showing this very pair (gen_key: not a stale node, not some other file
 * put there), with a reference; NULL otherwise. */
static struct inode *pty_peer_node(struct pty *p)
{
	char path[24];
	snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
	struct process *proc = proc_current();
	struct inode *ino = NULL;
	vfs_lock();
	if (vfs_lookup(proc->fs, NULL, path, 0, &ino) == 0 &&
	    (ino->fops != &pty_slave_ops || ino->gen_key != p->gen)) {
		inode_put(ino);
		ino = NULL;
	}
	vfs_unlock();
	return ino;
}

/* TIOCGPTPEER: the slave opened from the master without a permission
 * check. The file is on the pair's /dev/pts node when the caller sees one,
 * so that it has a name (ttyname(3) matches /proc/PID/fd/N's target with
 * fstat, as glibc's openpty relies on); otherwise on an anonymous inode
 * standing for /dev/pts/N. */
static long ptmx_open_peer(struct pty *p, unsigned long flags)
{
	int oflags =
	    (int)(flags & (O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
	struct inode *ino = pty_peer_node(p);
	bool named = ino != NULL;
	if (!named) {
		ino = inode_alloc_sb(NULL, S_IFCHR | 0620);
		if (!ino)
			return -ENOMEM;
		ino->rdev = MKDEV(PTY_SLAVE_MAJOR, (uint32_t)p->index);
		ino->gen_key = p->gen;
		ino->uid = p->uid;
		ino->gid = p->gid;
		ino->fops = &pty_slave_ops;
	}
	struct file *f;
	int r = vfs_open_inode(ino, oflags, &f);
	if (named) {
		vfs_lock();
		inode_put(ino); /* the file holds its own reference */
		vfs_unlock();
	}
	if (r)
		return r; /* an anonymous inode went with its last reference */
	r = fd_install(proc_current(), f, 0, oflags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

static long ptmx_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	struct pty *p = f->priv;
	void __user *uarg = (void __user *)arg;
	int32_t v;
	switch (cmd) {
	case TIOCGPTN:
		v = p->index;
		return copy_to_user(uarg, &v, sizeof(v));
	case TIOCSPTLCK:
		if (copy_from_user(&v, uarg, sizeof(v)))
			return -EFAULT;
		__atomic_store_n(&p->locked, v != 0, __ATOMIC_RELAXED);
		return 0;
	case TIOCGPTLCK:
		v = p->locked;
		return copy_to_user(uarg, &v, sizeof(v));
	case TIOCPKT:
		if (copy_from_user(&v, uarg, sizeof(v)))
			return -EFAULT;
		p->packet = v != 0;
		return 0;
	case TIOCGPKT:
		v = p->packet;
		return copy_to_user(uarg, &v, sizeof(v));
	case TIOCGPTPEER:
		return ptmx_open_peer(p, arg);
	case TIOCGWINSZ:
		return copy_to_user(uarg, &p->slave.winsize,
				    sizeof(p->slave.winsize));
	case TIOCSWINSZ:
		return tiocswinsz(&p->slave, uarg);
	case TIOCGPGRP:
	case TIOCGSID:
		return tiocgpgrp_sid(&p->slave, cmd, uarg, true);
	case TIOCSIG:
		if (arg == 0 || arg >= 65)
			return -EINVAL;
		signal_fg_group(&p->slave, (int)arg);
		return 0;
	case TCGETS:
		return copy_to_user(uarg, &p->mtermios, sizeof(p->mtermios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(&p->mtermios, uarg, sizeof(p->mtermios));
	case FIONREAD:
		v = (int32_t)__atomic_load_n(&p->olen, __ATOMIC_RELAXED);
		return copy_to_user(uarg, &v, sizeof(v));
	case TCFLSH: {
		if (arg > 2)
			return -EINVAL;
		irqflags_t fl = spin_lock_irqsave(&p->olock);
		if (arg == 0 || arg == 2) /* the master's input: slave output */
			p->olen = 0;
		spin_unlock_irqrestore(&p->olock, fl);
		if (arg == 1 || arg == 2) {
			fl = spin_lock_irqsave(&p->slave.lock);
			flush_input(&p->slave);
			spin_unlock_irqrestore(&p->slave.lock, fl);
		}
		wait_queue_wake_all(&p->slave.readers);
		wait_queue_wake_all(&p->mwait);
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

static unsigned ptmx_poll(struct file *f)
{
	struct pty *p = f->priv;
	unsigned m = 0;
	if (p->olen)
		m |= POLLIN;
	if (slave_gone(p))
		m |= POLLHUP;
	else if (tty_input_room(&p->slave))
		m |= POLLOUT;
	return m;
}

static struct wait_queue *ptmx_poll_wq(struct file *f)
{
	struct pty *p = f->priv;
	return &p->mwait;
}

/* The last master gone hangs the slave up; the pair lives on until its
 * last slave file closes, but devpts no longer shows it. */
static void ptmx_release(struct file *f)
{
	struct pty *p = f->priv;
	if (!p)
		return;
	irqflags_t fl = spin_lock_irqsave(&pty_lock);
	bool last = --p->masters == 0;
	spin_unlock_irqrestore(&pty_lock, fl);
	if (last)
		tty_hangup(&p->slave);
	pty_put(p);
}

static const struct file_ops ptmx_ops = {
    .open = ptmx_open,
    .read = ptmx_read,
    .write = ptmx_write,
    .ioctl = ptmx_ioctl,
    .poll = ptmx_poll,
    .poll_wq = ptmx_poll_wq,
    .release = ptmx_release,
};

void pty_init(void)
{
	chrdev_register(5, 2, &ptmx_ops);
}
