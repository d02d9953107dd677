/* Descriptor tables. A process has PROC_FD_MAX slots (its RLIMIT_NOFILE);
 * allocation takes the lowest free one, as POSIX requires. The table is
 * shared by the process's threads: p->fd_lock protects it. */
#include <fd.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <proc.h>
#include <uapi/errno.h>

/* Descriptors at or above RLIMIT_NOFILE cannot be created. */
static int fd_limit(struct process *p)
{
	return (int)MIN(p->rlim[RLIMIT_NOFILE].rlim_cur, (uint64_t)PROC_FD_MAX);
}

int fd_install(struct process *p, struct file *f, int min, bool cloexec)
{
	if (min < 0 || min >= fd_limit(p))
		return min < 0 ? -EINVAL : -EMFILE;
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	for (int fd = min; fd < fd_limit(p); fd++) {
		if (!p->fds[fd].file) {
			p->fds[fd].file = f;
			p->fds[fd].cloexec = cloexec;
			spin_unlock_irqrestore(&p->fd_lock, fl);
			return fd;
		}
	}
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return -EMFILE;
}

static bool fd_valid(struct process *p, int fd)
{
	return fd >= 0 && fd < PROC_FD_MAX && p->fds[fd].file;
}

int fd_inodes(struct process *p, struct inode **out)
{
	int n = 0;
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	for (int fd = 0; fd < PROC_FD_MAX; fd++) {
		out[fd] =
		    fd_valid(p, fd) ? inode_get(p->fds[fd].file->inode) : NULL;
		if (out[fd])
			n = fd + 1;
	}
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return n;
}

struct inode *fd_inode_of(struct process *p, int fd)
{
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	struct inode *ino =
	    fd_valid(p, fd) ? inode_get(p->fds[fd].file->inode) : NULL;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return ino;
}

struct file *fd_get(struct process *p, int fd)
{
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	struct file *f = fd_valid(p, fd) ? file_get(p->fds[fd].file) : NULL;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return f;
}

int fd_close(struct process *p, int fd)
{
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	if (!fd_valid(p, fd)) {
		spin_unlock_irqrestore(&p->fd_lock, fl);
		return -EBADF;
	}
	struct file *f = p->fds[fd].file;
	p->fds[fd].file = NULL;
	p->fds[fd].cloexec = false;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	lock_posix_close(p, f);
	file_put(f); /* may sleep in a release: outside the lock */
	return 0;
}

int fd_dup_to(struct process *p, int oldfd, int newfd, bool cloexec)
{
	if (newfd < 0 || newfd >= fd_limit(p))
		return -EBADF;
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	if (!fd_valid(p, oldfd)) {
		spin_unlock_irqrestore(&p->fd_lock, fl);
		return -EBADF;
	}
	/* What newfd held is replaced in the same hold (dup2 is atomic),
	 * and let go of outside it: a release may sleep. */
	struct file *old = NULL;
	if (oldfd != newfd) {
		old = p->fds[newfd].file;
		p->fds[newfd].file = file_get(p->fds[oldfd].file);
	}
	p->fds[newfd].cloexec = cloexec;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	if (old) {
		lock_posix_close(p, old);
		file_put(old);
	}
	return newfd;
}

void fd_close_range(struct process *p, unsigned first, unsigned last,
		    bool cloexec)
{
	if (first >= PROC_FD_MAX)
		return;
	last = MIN(last, PROC_FD_MAX - 1u); /* bounds the loop */
	for (unsigned fd = first; fd <= last; fd++) {
		if (cloexec)
			fd_set_cloexec(p, (int)fd, true);
		else
			fd_close(p, (int)fd);
	}
}

int fd_get_cloexec(struct process *p, int fd)
{
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	int r = fd_valid(p, fd) ? p->fds[fd].cloexec : -EBADF;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return r;
}

int fd_set_cloexec(struct process *p, int fd, bool on)
{
	irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
	int r = fd_valid(p, fd) ? 0 : -EBADF;
	if (!r)
		p->fds[fd].cloexec = on;
	spin_unlock_irqrestore(&p->fd_lock, fl);
	return r;
}

void fd_copy_table(struct process *dst, struct process *src)
{
	irqflags_t fl = spin_lock_irqsave(&src->fd_lock);
	for (int fd = 0; fd < PROC_FD_MAX; fd++) {
		if (!src->fds[fd].file)
			continue;
		dst->fds[fd].file = file_get(src->fds[fd].file);
		dst->fds[fd].cloexec = src->fds[fd].cloexec;
	}
	spin_unlock_irqrestore(&src->fd_lock, fl);
}

void fd_close_cloexec(struct process *p)
{
	for (int fd = 0; fd < PROC_FD_MAX; fd++) {
		/* execve has made the caller the process's one thread, so
		 * nobody changes the table: a glance without the lock skips
		 * the many empty slots (a lock round trip each cost fork+exec
		 * 30 us in make bench). */
		if (!p->fds[fd].cloexec)
			continue;
		irqflags_t fl = spin_lock_irqsave(&p->fd_lock);
		struct file *f = p->fds[fd].cloexec ? p->fds[fd].file : NULL;
		if (f) {
			p->fds[fd].file = NULL;
			p->fds[fd].cloexec = false;
		}
		spin_unlock_irqrestore(&p->fd_lock, fl);
		if (f) {
			lock_posix_close(p, f);
			file_put(f);
		}
	}
}

void fd_close_all(struct process *p)
{
	for (int fd = 0; fd < PROC_FD_MAX; fd++)
		if (p->fds[fd].file)
			fd_close(p, fd);
}
