/* Descriptor tables. A process has PROC_FD_MAX slots (its RLIMIT_NOFILE);
 * allocation takes the lowest free one, as POSIX requires. With one thread
 * per process no lock is needed yet; clone(CLONE_FILES) will add one. */
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
	for (int fd = min; fd < fd_limit(p); fd++) {
		if (!p->fds[fd].file) {
			p->fds[fd].file = f;
			p->fds[fd].cloexec = cloexec;
			return fd;
		}
	}
	return -EMFILE;
}

static bool fd_valid(struct process *p, int fd)
{
	return fd >= 0 && fd < PROC_FD_MAX && p->fds[fd].file;
}

struct file *fd_get(struct process *p, int fd)
{
	if (!fd_valid(p, fd))
		return NULL;
	return file_get(p->fds[fd].file);
}

int fd_close(struct process *p, int fd)
{
	if (!fd_valid(p, fd))
		return -EBADF;
	struct file *f = p->fds[fd].file;
	p->fds[fd].file = NULL;
	p->fds[fd].cloexec = false;
	file_put(f);
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
