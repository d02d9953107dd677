/* Pipes: a 64 KiB ring buffer between a read end and a write end. Readers
 * block while it is empty and writers remain; writers block while it is
 * full, and a write of at most PIPE_BUF bytes is never interleaved with
 * another (it waits until it fits whole). No readers: EPIPE (SIGPIPE comes
 * with signals). */
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
	int readers, writers;
	struct wait_queue wq; /* readers and writers both sleep here */
};

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
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->len > 0)
			m |= POLLIN;
		if (p->writers == 0)
			m |= POLLHUP;
	} else {
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
	struct pipe *p = f->priv;
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	bool last = p->readers == 0 && p->writers == 0;
	/* Wake the other end's sleepers before letting go of the lock: once
	 * it is released, that end's own release may free the pipe at once.
	 * (p->lock before sched_lock is the order everywhere.) */
	if (!last)
		wait_queue_wake_all(&p->wq);
	spin_unlock_irqrestore(&p->lock, fl);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .release = pipe_release,
    .poll = pipe_poll,
    .poll_wq = pipe_poll_wq,
};

/* Both ends, or NULL. The pipe is freed by the release of its last end. */
static int pipe_create(int flags, struct file **r, struct file **w)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct inode *ino = inode_alloc_sb(NULL, S_IFIFO | 0600);
	if (p)
		p->buf = kmalloc(PIPE_SIZE);
	if (!p || !p->buf || !ino) {
		if (p)
			kfree(p->buf);
		kfree(p);
		kfree(ino);
		return -ENFILE;
	}
	spin_init(&p->lock, "pipe");
	wait_queue_init(&p->wq);
	*r = file_alloc(ino, O_RDONLY | (flags & O_NONBLOCK), &pipe_ops, p);
	if (!*r) {
		kfree(p->buf);
		kfree(p);
		kfree(ino);
		return -ENFILE;
	}
	p->readers = 1;
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
