/* File system calls on descriptors and opening: open, close, lseek,
 * getdents64, ioctl, dup and fcntl. The data path is kernel/sys_io.c, the
 * stat family kernel/sys_stat.c, namespace calls kernel/sys_namei.c and
 * attributes kernel/sys_attr.c. */
#include <fd.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <percpu.h>
#include <proc.h>
#include <rlimit.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include "sys_fs.h"

/* Copies a user path into a new kernel buffer (kfree it). */
char *getname(const char __user *upath, long *err)
{
	char *k = kmalloc(PATH_MAX);
	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	long r = strncpy_from_user(k, upath, PATH_MAX);
	if (r < 0) {
		kfree(k);
		*err = r;
		return NULL;
	}
	return k;
}

/* The inode of fd (AT_FDCWD: the cwd), with a reference. */
long fd_inode(int fd, struct inode **out)
{
	struct process *p = proc_current();
	if (fd == AT_FDCWD) {
		vfs_lock();
		*out = inode_get(p->fs->cwd);
		vfs_unlock();
		return 0;
	}
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	*out = inode_get(f->inode);
	file_put(f);
	return 0;
}

/* The directory a *at() call starts from, with a reference the caller
 * drops (vfs_inode_put): another thread may close dirfd meanwhile. NULL
 * for the cwd (or an absolute path), which the walk reads under the VFS
 * lock itself: no reference, no extra lock round trip. */
long at_dir(int dirfd, const char *path, struct inode **dir)
{
	struct process *p = proc_current();
	if (path[0] == '\0')
		return -ENOENT;
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*dir = NULL;
		return 0;
	}
	struct file *f = fd_get(p, dirfd);
	if (!f)
		return -EBADF;
	long r = S_ISDIR(f->inode->mode) ? 0 : -ENOTDIR;
	if (!r)
		*dir = inode_get(f->inode);
	file_put(f);
	return r;
}

SYSCALL_DEFINE4(openat, int, dirfd, const char __user *, upath, int, flags,
		uint32_t, mode)
{
	struct process *p = proc_current();
	struct inode *dir;
	struct file *f;
	long r;
	char *path = getname(upath, &r);
	if (!path)
		return r;
	r = at_dir(dirfd, path, &dir);
	if (!r) {
		r = vfs_open(p->fs, dir, path, flags, mode, &f);
		vfs_inode_put(dir);
	}
	kfree(path);
	if (r)
		return r;
	r = fd_install(p, f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE3(open, const char __user *, upath, int, flags, uint32_t, mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

SYSCALL_DEFINE2(creat, const char __user *, upath, uint32_t, mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(proc_current(), fd);
}

#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)

/* A descriptor table is never shared between processes here (threads
 * share their process's), so CLOSE_RANGE_UNSHARE has nothing to undo. */
SYSCALL_DEFINE3(close_range, unsigned, first, unsigned, last, unsigned, flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	fd_close_range(proc_current(), first, last,
		       flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}

SYSCALL_DEFINE3(lseek, int, fd, int64_t, off, int, whence)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = vfs_lseek(f, off, whence);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(getdents64, int, fd, char __user *, ubuf, size_t, n)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	n = MIN(n, 65536);
	char *k = kmalloc(n ? n : 1);
	long r = k ? vfs_getdents64(f, k, n) : -ENOMEM;
	if (r > 0 && copy_to_user(ubuf, k, r))
		r = -EFAULT;
	kfree(k);
	file_put(f);
	return r;
}

/* cmd is 32 bits wide, as Linux's unsigned int: musl's ioctl(int, int, ...)
 * sign-extends _IOR numbers such as TIOCGPTN (0x80045430). */
SYSCALL_DEFINE3(ioctl, int, fd, unsigned int, cmd, uintptr_t, arg)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = vfs_ioctl(f, cmd, arg);
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(dup, int, fd)
{
	struct process *p = proc_current();
	struct file *f = fd_get(p, fd);
	if (!f)
		return -EBADF;
	long r = fd_install(p, f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return fd_dup_to(proc_current(), oldfd, newfd, flags & O_CLOEXEC);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	struct process *p = proc_current();
	if (oldfd == newfd) {
		struct file *f = fd_get(p, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return fd_dup_to(p, oldfd, newfd, false);
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
	struct process *p = proc_current();
	struct file *f = fd_get(p, fd);
	long r;
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= MIN(p->rlim[RLIMIT_NOFILE].rlim_cur, PROC_FD_MAX)) {
			r = -EINVAL;
			break;
		}
		r = fd_install(p, file_get(f), (int)arg,
			       cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD:
		r = fd_get_cloexec(p, fd) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		r = fd_set_cloexec(p, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		/* x86_64 Linux always reports O_LARGEFILE. */
		r = f->flags | O_LARGEFILE;
		break;
	case F_SETFL: {
		const int settable =
		    O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
		f->flags = (f->flags & ~settable) | ((int)arg & settable);
		r = 0;
		break;
	}
	case F_ADD_SEALS:
		r = memfd_add_seals(f, arg);
		break;
	case F_GET_SEALS:
		r = memfd_get_seals(f);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = lock_fcntl(f, cmd, (void __user *)arg);
		break;
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}
