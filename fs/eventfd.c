/* eventfd: a file holding a 64-bit counter that write adds to and read
 * takes (all of it, or one with EFD_SEMAPHORE), for events between threads
 * and processes (Linux's fs/eventfd.c). Readers sleep while it is 0,
 * writers while their addition would pass 0xfffffffffffffffe. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <uapi/errno.h>
#include <uapi/eventfd.h>
#include <uapi/poll.h>
#include <uapi/stat.h>

#define EVENTFD_MAX (UINT64_MAX - 1)

/* The counter changes only by compare-and-swap, so readers and writers
 * need no lock of their own; a sleeper's condition reads it under sched
 * (the waker changes it before waking, so no wakeup is lost). */
struct eventfd_ctx {
	uint64_t count;	      /* atomic (compare-and-swap) */
	struct wait_queue wq; /* sched_lock: readers and writers that wait */
	bool semaphore;	      /* const: EFD_SEMAPHORE */
};

static uint64_t eventfd_count(struct eventfd_ctx *ctx)
{
	return __atomic_load_n(&ctx->count, __ATOMIC_ACQUIRE);
}

static bool eventfd_cas(struct eventfd_ctx *ctx, uint64_t old, uint64_t new)
{
	return __atomic_compare_exchange_n(&ctx->count, &old, new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static long eventfd_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	struct eventfd_ctx *ctx = f->priv;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		uint64_t c = eventfd_count(ctx);
		if (c) {
			uint64_t take = ctx->semaphore ? 1 : c;
			if (!eventfd_cas(ctx, c, c - take))
				continue; /* another reader or writer: again */
			/* Writers waiting for room may go on. */
			wait_queue_wake_all(&ctx->wq);
			memcpy(buf, &take, sizeof(take));
			return sizeof(take);
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&ctx->wq, eventfd_count(ctx)))
			return -EINTR;
	}
}

static long eventfd_write(struct file *f, const char *buf, size_t n,
			  uint64_t *pos)
{
	(void)pos;
	struct eventfd_ctx *ctx = f->priv;
	uint64_t v;
	if (n < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	for (;;) {
		uint64_t c = eventfd_count(ctx);
		if (v <= EVENTFD_MAX - c) {
			if (!eventfd_cas(ctx, c, c + v))
				continue;
			if (v)
				wait_queue_wake_all(&ctx->wq);
			return sizeof(v);
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(
			&ctx->wq, v <= EVENTFD_MAX - eventfd_count(ctx)))
			return -EINTR;
	}
}

static unsigned eventfd_poll(struct file *f)
{
	struct eventfd_ctx *ctx = f->priv;
	uint64_t c = eventfd_count(ctx);
	unsigned r = 0;
	if (c)
		r |= POLLIN;
	/* Writable while a write of 1 would not block. */
	if (c < EVENTFD_MAX)
		r |= POLLOUT;
	return r;
}

static struct wait_queue *eventfd_poll_wq(struct file *f)
{
	struct eventfd_ctx *ctx = f->priv;
	return &ctx->wq;
}

static void eventfd_release(struct file *f)
{
	/* The last reference: no reader, writer or poller is left on wq
	 * (each holds one while it waits). */
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
    .read = eventfd_read,
    .write = eventfd_write,
    .poll = eventfd_poll,
    .poll_wq = eventfd_poll_wq,
    .release = eventfd_release,
};

static long eventfd_do(unsigned int initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd_ctx *ctx = kzalloc(sizeof(*ctx));
	struct inode *ino = inode_alloc_sb(NULL, S_IRUSR | S_IWUSR);
	struct file *f = NULL;
	if (ctx && ino) {
		ctx->count = initval;
		ctx->semaphore = flags & EFD_SEMAPHORE;
		wait_queue_init(&ctx->wq);
		f = file_alloc(ino, O_RDWR | (flags & EFD_NONBLOCK),
			       &eventfd_ops, ctx);
	}
	if (!f) {
		kfree(ctx);
		kfree(ino);
		return -ENOMEM;
	}
	int fd = fd_install(proc_current(), f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the last reference: frees ctx and the inode */
	return fd;
}

SYSCALL_DEFINE2(eventfd2, unsigned int, initval, int, flags)
{
	return eventfd_do(initval, flags);
}

SYSCALL_DEFINE1(eventfd, unsigned int, initval)
{
	return eventfd_do(initval, 0);
}
