/* signalfd: a file that reads the caller's pending signals of a mask as
 * struct signalfd_siginfo records, instead of their handlers running
 * (Linux's fs/signalfd.c). A read takes signals of the *reading* thread:
 * its own, then its process's, as sigtimedwait does; poll says POLLIN
 * while one is pending, and sleeps on the process's signal wait queue,
 * which every new pending signal wakes. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <signal.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include <uapi/stat.h>

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* Linux's uapi struct signalfd_siginfo. */
struct signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno, ssi_code;
	uint32_t ssi_pid, ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
	int32_t ssi_status, ssi_int;
	uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
	uint16_t ssi_addr_lsb, pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
STATIC_ASSERT(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo");

/* The file's mask: set by signalfd4, read by readers (one word). */
struct signalfd_ctx {
	uint64_t mask;
};

static bool signal_fault_code(const struct ksiginfo *in)
{
	uint64_t faults = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) |
			  SIGBIT(SIGFPE) | SIGBIT(SIGTRAP);
	return in->code > 0 && in->code != SI_KERNEL &&
	       (faults & SIGBIT(in->signo));
}

/* The fields each kind of siginfo has, as Linux's signalfd_copyinfo. */
static void signalfd_fill(struct signalfd_siginfo *out,
			  const struct ksiginfo *in)
{
	memset(out, 0, sizeof(*out));
	out->ssi_signo = (uint32_t)in->signo;
	out->ssi_errno = in->errno_;
	out->ssi_code = in->code;
	if (in->code == SI_TIMER) {
		out->ssi_tid = (uint32_t)in->timer.tid;
		out->ssi_overrun = (uint32_t)in->timer.overrun;
		out->ssi_ptr = in->timer.value;
		out->ssi_int = (int32_t)in->timer.value;
	} else if (in->signo == SIGCHLD && in->code > 0 &&
		   in->code != SI_KERNEL) {
		out->ssi_pid = (uint32_t)in->chld.pid;
		out->ssi_uid = in->chld.uid;
		out->ssi_status = in->chld.status;
		out->ssi_utime = (uint64_t)in->chld.utime;
		out->ssi_stime = (uint64_t)in->chld.stime;
	} else if (signal_fault_code(in)) {
		out->ssi_addr = in->fault.addr;
	} else if (in->code == SI_SIGIO ||
		   (in->signo == SIGIO && in->code > 0 &&
		    in->code != SI_KERNEL)) {
		out->ssi_band = (uint32_t)in->poll.band;
		out->ssi_fd = in->poll.fd;
	} else {
		out->ssi_pid = (uint32_t)in->rt.pid;
		out->ssi_uid = in->rt.uid;
		out->ssi_ptr = in->rt.value;
		out->ssi_int = (int32_t)in->rt.value;
	}
}

static bool signalfd_ready(uint64_t mask)
{
	struct thread *t = current;
	return (t->sig_pending | *t->sig_shared) & mask;
}

static long signalfd_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	(void)pos;
	struct signalfd_ctx *ctx = f->priv;
	struct thread *t = current;
	size_t done = 0;
	if (n < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (done + sizeof(struct signalfd_siginfo) <= n) {
		uint64_t mask = __atomic_load_n(&ctx->mask, __ATOMIC_RELAXED);
		struct ksiginfo info;
		if (signal_dequeue(t, mask, &info)) {
			signalfd_fill((struct signalfd_siginfo *)(buf + done),
				      &info);
			done += sizeof(struct signalfd_siginfo);
			continue;
		}
		if (done)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(&t->proc->sig_wq,
					     signalfd_ready(mask)))
			return -EINTR;
	}
	return (long)done;
}

static unsigned signalfd_poll(struct file *f)
{
	struct signalfd_ctx *ctx = f->priv;
	return signalfd_ready(__atomic_load_n(&ctx->mask, __ATOMIC_RELAXED))
		   ? POLLIN
		   : 0;
}

static struct wait_queue *signalfd_poll_wq(struct file *f)
{
	(void)f;
	return &proc_current()->sig_wq;
}

static void signalfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_ops = {
    .read = signalfd_read,
    .poll = signalfd_poll,
    .poll_wq = signalfd_poll_wq,
    .release = signalfd_release,
};

/* SIGKILL and SIGSTOP cannot be read through a signalfd (they are never
 * blocked, so their actions always run first): dropped from the mask. */
static long signalfd_do(int ufd, const uint64_t __user *umask, size_t size,
			int flags)
{
	uint64_t mask;
	if (size != sizeof(uint64_t) || (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	struct process *p = proc_current();
	if (ufd != -1) {
		/* A new mask for an existing signalfd. */
		struct file *f = fd_get(p, ufd);
		if (!f)
			return -EBADF;
		long r = -EINVAL;
		if (f->ops == &signalfd_ops) {
			struct signalfd_ctx *ctx = f->priv;
			__atomic_store_n(&ctx->mask, mask, __ATOMIC_RELAXED);
			r = ufd;
		}
		file_put(f);
		return r;
	}
	struct signalfd_ctx *ctx = kzalloc(sizeof(*ctx));
	struct inode *ino = inode_alloc_sb(NULL, S_IRUSR | S_IWUSR);
	struct file *f = NULL;
	if (ctx && ino)
		f = file_alloc(ino, O_RDWR | (flags & SFD_NONBLOCK),
			       &signalfd_ops, ctx);
	if (!f) {
		kfree(ctx);
		kfree(ino);
		return -ENOMEM;
	}
	ctx->mask = mask;
	int fd = fd_install(p, f, 0, flags & SFD_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the last reference: frees ctx and the inode */
	return fd;
}

SYSCALL_DEFINE4(signalfd4, int, ufd, const uint64_t __user *, umask, size_t,
		size, int, flags)
{
	return signalfd_do(ufd, umask, size, flags);
}

SYSCALL_DEFINE3(signalfd, int, ufd, const uint64_t __user *, umask, size_t,
		size)
{
	return signalfd_do(ufd, umask, size, 0);
}
