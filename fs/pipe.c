/* Pipes: a 64 KiB ring buffer between a read end and a write end. Readers
 * block while it is empty and writers remain; writers block while it is
 * full, and a write of at most PIPE_BUF bytes is never interleaved with
 * another (it waits until it fits whole). No readers: EPIPE (SIGPIPE comes
 * with signals).
 *
 * FIFOs (named pipes, fifo(7)) are the same object: the first open of a
 * FIFO inode makes its pipe (inode->pipe), every later open joins it, and
 * the release of the last opener frees it with any unread data. An open
 * for reading waits for a writer to open (and vice versa) unless it has
 * O_NONBLOCK (a writer then gets ENXIO without a reader); O_RDWR never
 * waits. An anonymous pipe's inode carries its pipe too: one release
 * path for both. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>

#define PIPE_SIZE 65536
#define PIPE_BUF 4096

struct pipe {
	spinlock_t lock; /* protects everything below */
	char *buf;
	size_t head, len;
	/* Open files reading and writing, O_RDWR counting in both, and a FIFO
	 * open waiting for its partner. */
	int readers, writers;
	/* Opens for reading and writing so far: a FIFO open waits until the
	 * other count moves (a writer that came and went already counts). */
	unsigned r_counter, w_counter;
	/* (A reader's f->pos, unused by pipes otherwise, is the w_counter
	 * it opened at, Linux's f_pipe: pipe_poll shows no POLLHUP to a
	 * reader that never saw a writer.) */
	struct wait_queue wq; /* readers, writers and FIFO opens sleep here */
};

/* Protects every inode's ->pipe; taken before a pipe's lock. A pipe is
 * attached to its inode from its making to the release of its last opener,
 * both under this lock, so an open cannot join a pipe being freed. */
static spinlock_t fifo_lock = SPINLOCK_INIT("fifo");

static bool f_reads(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return acc == O_RDONLY || acc == O_RDWR;
}

static bool f_writes(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return acc == O_WRONLY || acc == O_RDWR;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SIZE);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	spin_init(&p->lock, "pipe");
	wait_queue_init(&p->wq);
	return p;
}

static void pipe_free(struct pipe *p)
{
	if (p) {
		kfree(p->buf);
		kfree(p);
	}
}

/* One opener of ino's pipe p fewer (rd/wr: what it counted as); the last
 * one detaches the pipe from its inode and frees it. */
static void pipe_put(struct inode *ino, struct pipe *p, bool rd, bool wr)
{
	irqflags_t ff = spin_lock_irqsave(&fifo_lock);
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	if (rd)
		p->readers--;
	if (wr)
		p->writers--;
	bool last = p->readers == 0 && p->writers == 0;
	/* Wake the other end's sleepers before letting go of the lock: once
	 * it is released, that end's own release may free the pipe at once.
	 * (p->lock before sched_lock is the order everywhere.) */
	if (last)
		ino->pipe = NULL;
	else
		wait_queue_wake_all(&p->wq);
	spin_unlock_irqrestore(&p->lock, fl);
	spin_unlock_irqrestore(&fifo_lock, ff);
	if (last)
		pipe_free(p);
}

static bool pipe_can_read(struct pipe *p)
{
	return p->len > 0 || p->writers == 0;
}

static long pipe_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;
	(void)pos;
	if (n == 0)
		return 0;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&p->lock);
		if (p->len > 0) {
			size_t got = 0;
			while (got < n && p->len > 0) {
				size_t k = MIN(MIN(n - got, p->len),
					       PIPE_SIZE - p->head);
				memcpy(buf + got, p->buf + p->head, k);
				p->head = (p->head + k) % PIPE_SIZE;
				p->len -= k;
				got += k;
			}
			spin_unlock_irqrestore(&p->lock, fl);
			wait_queue_wake_all(&p->wq);
			return (long)got;
		}
		bool eof = p->writers == 0;
		spin_unlock_irqrestore(&p->lock, fl);
		if (eof)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&p->wq, pipe_can_read(p)))
			return -EINTR;
	}
}

static long pipe_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	(void)pos;
	while (done < n) {
		irqflags_t fl = spin_lock_irqsave(&p->lock);
		if (p->readers == 0) {
			spin_unlock_irqrestore(&p->lock, fl);
			if (!done)
				signal_send(proc_current(), SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		size_t room = PIPE_SIZE - p->len;
		/* Small writes go in whole or wait. */
		size_t need = (n - done <= PIPE_BUF) ? n - done : 1;
		if (room >= need) {
			/* The free space may wrap: at most two copies. */
			size_t k = MIN(room, n - done);
			size_t at = (p->head + p->len) % PIPE_SIZE;
			size_t first = MIN(k, PIPE_SIZE - at);
			memcpy(p->buf + at, buf + done, first);
			if (k > first)
				memcpy(p->buf, buf + done + first, k - first);
			p->len += k;
			done += k;
			spin_unlock_irqrestore(&p->lock, fl);
			wait_queue_wake_all(&p->wq);
			continue;
		}
		spin_unlock_irqrestore(&p->lock, fl);
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if (wait_event_interruptible(
			&p->wq, p->readers == 0 || PIPE_SIZE - p->len >= need))
			return done ? (long)done : -EINTR;
	}
	return (long)done;
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned m = 0;
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	if (f_reads(f)) {
		if (p->len > 0)
			m |= POLLIN;
		/* A FIFO reader that opened without waiting sees no hangup
		 * until a writer has come (Linux's f_pipe; pos is unused). */
		if (p->writers == 0 && f->pos != p->w_counter)
			m |= POLLHUP;
	}
	if (f_writes(f)) {
		if (p->readers == 0)
			m |= POLLERR;
		else if (PIPE_SIZE - p->len >= PIPE_BUF)
			m |= POLLOUT;
	}
	spin_unlock_irqrestore(&p->lock, fl);
	return m;
}

static struct wait_queue *pipe_poll_wq(struct file *f)
{
	return &((struct pipe *)f->priv)->wq;
}

static void pipe_release(struct file *f)
{
	pipe_put(f->inode, f->priv, f_reads(f), f_writes(f));
}

/* Opening a FIFO by name: joins the
 * inode's pipe, making it if this is the first opener, and waits for the
 * other end as fifo(7) says. */
static int fifo_open(struct file *f)
{
	struct inode *ino = f->inode;
	bool rd = f_reads(f), wr = f_writes(f);
	bool nonblock = f->flags & O_NONBLOCK;
	/* pipe(2)'s own inode, reopened through /proc/PID/fd/N: never waits
	 * for the other end nor refuses a lone writer, as Linux's is_pipe. */
	bool anon = !ino->sb;
	struct pipe *fresh = NULL, *p;
	irqflags_t ff;
	for (;;) {
		ff = spin_lock_irqsave(&fifo_lock);
		p = ino->pipe;
		if (p || fresh)
			break;
		spin_unlock_irqrestore(&fifo_lock, ff);
		fresh = pipe_alloc();
		if (!fresh)
			return -ENOMEM;
	}
	if (!p) {
		p = fresh;
		ino->pipe = p;
		fresh = NULL;
	}
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	if (wr && !rd && nonblock && p->readers == 0 && !anon) {
		/* Nobody to read. A pipe made just now has no opener: undo. */
		bool unused = p->writers == 0;
		if (unused)
			ino->pipe = NULL;
		spin_unlock_irqrestore(&p->lock, fl);
		spin_unlock_irqrestore(&fifo_lock, ff);
		pipe_free(unused ? p : NULL);
		pipe_free(fresh);
		return -ENXIO;
	}
	if (rd) {
		p->readers++;
		p->r_counter++;
	}
	if (wr) {
		p->writers++;
		p->w_counter++;
	}
	/* What to wait for: the other count to move. */
	unsigned *partner = NULL, seen = 0;
	if (rd && !wr && !nonblock && p->writers == 0)
		partner = &p->w_counter;
	else if (wr && !rd && p->readers == 0)
		partner = &p->r_counter;
	if (anon)
		partner = NULL;
	if (partner)
		seen = *partner;
	if (rd && !wr && nonblock && p->writers == 0)
		f->pos = p->w_counter; /* no POLLHUP until a writer comes */
	wait_queue_wake_all(&p->wq);   /* opens waiting for this one */
	spin_unlock_irqrestore(&p->lock, fl);
	spin_unlock_irqrestore(&fifo_lock, ff);
	pipe_free(fresh);
	f->priv = p; /* this opener's count keeps p alive */
	if (partner &&
	    wait_event_interruptible(
		&p->wq, __atomic_load_n(partner, __ATOMIC_RELAXED) != seen)) {
		pipe_put(ino, p, rd, wr);
		return -EINTR;
	}
	return 0;
}

static const struct file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .release = pipe_release,
    .poll = pipe_poll,
    .poll_wq = pipe_poll_wq,
};

const struct file_ops fifo_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .release = pipe_release,
    .open = fifo_open,
    .poll = pipe_poll,
    .poll_wq = pipe_poll_wq,
};

/* Both ends, or -ENFILE. The pipe is freed by the release of its last
 * end. */
static int pipe_create(int flags, struct file **r, struct file **w)
{
	struct pipe *p = pipe_alloc();
	struct inode *ino = inode_alloc_sb(NULL, S_IFIFO | 0600);
	if (!p || !ino) {
		pipe_free(p);
		kfree(ino);
		return -ENFILE;
	}
	/* Nobody sees the inode yet: no lock needed to attach. */
	ino->pipe = p;
	*r = file_alloc(ino, O_RDONLY | (flags & O_NONBLOCK), &pipe_ops, p);
	if (!*r) {
		pipe_free(p);
		kfree(ino);
		return -ENFILE;
	}
	p->readers = 1;
	p->r_counter = p->w_counter = 1; /* pos 0: POLLHUP once no writer */
	*w = file_alloc(ino, O_WRONLY | (flags & O_NONBLOCK), &pipe_ops, p);
	if (!*w) {
		file_put(*r); /* last end: frees the pipe and the inode */
		return -ENFILE;
	}
	p->writers = 1;
	return 0;
}

SYSCALL_DEFINE2(pipe2, int __user *, ufds, int, flags)
{
	struct process *proc = proc_current();
	struct file *r, *w;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	long err = pipe_create(flags, &r, &w);
	if (err)
		return err;
	int fds[2];
	fds[0] = fd_install(proc, r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(r);
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(proc, w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(proc, fds[0]);
		file_put(w);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(proc, fds[0]);
		fd_close(proc, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, int __user *, ufds)
{
	return sys_pipe2(ufds, 0);
}
