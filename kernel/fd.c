/* Descriptor tables. A process has PROC_FD_MAX slots (its RLIMIT_NOFILE);
 * allocation takes the lowest free one, as POSIX requires. The table is
 * shared by the process's threads: p->fd_lock protects it. */
#include <fd.h>
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
	file_put(f); /* may sleep in a release: outside the lock */
	return 0;
}

int fd_dup_to(struct process *p, int oldfd, int newfd, bool cloexec)
{
	if (!fd_valid(p, oldfd) || newfd < 0 || newfd >= fd_limit(p))
		return -EBADF;
	if (oldfd == newfd) {
		p->fds[newfd].cloexec = cloexec;
		return newfd;
	}
	struct file *f = file_get(p->fds[oldfd].file);
	if (p->fds[newfd].file)
		fd_close(p, newfd);
	p->fds[newfd].file = f;
	p->fds[newfd].cloexec = cloexec;
	return newfd;
}

int fd_get_cloexec(struct process *p, int fd)
{
	if (!fd_valid(p, fd))
		return -EBADF;
	return p->fds[fd].cloexec;
}

int fd_set_cloexec(struct process *p, int fd, bool on)
{
	if (!fd_valid(p, fd))
		return -EBADF;
	p->fds[fd].cloexec = on;
	return 0;
}

void fd_close_all(struct process *p)
{
	for (int fd = 0; fd < PROC_FD_MAX; fd++)
		if (p->fds[fd].file)
			fd_close(p, fd);
}
