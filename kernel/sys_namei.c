/* Namespace calls: getcwd, chdir, mkdir, mknod, unlink, rmdir, symlink,
 * link and rename. */
#include <fd.h>
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

SYSCALL_DEFINE2(getcwd, char __user *, ubuf, size_t, size)
{
	char *k = kmalloc(PATH_MAX);
	if (!k)
		return -ENOMEM;
	vfs_lock();
	long r = vfs_getcwd(proc_current()->fs, k, MIN(size, PATH_MAX));
	vfs_unlock();
	if (r > 0 && copy_to_user(ubuf, k, r))
		r = -EFAULT;
	kfree(k);
	return r;
}

static long set_cwd(struct inode *ino)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	if (!S_ISDIR(ino->mode))
		return -ENOTDIR;
	long r = inode_permission(ctx, ino, MAY_EXEC);
	if (r)
		return r;
	vfs_lock();
	struct inode *old = ctx->cwd;
	ctx->cwd = inode_get(ino);
	inode_put(old);
	vfs_unlock();
	return 0;
}

SYSCALL_DEFINE1(chdir, const char __user *, upath)
{
	struct inode *ino;
	long r = stat_common(AT_FDCWD, upath, 0, &ino);
	if (r)
		return r;
	r = set_cwd(ino);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = set_cwd(f->inode);
	file_put(f);
	return r;
}

/* Runs op on a copied path relative to dirfd. */
#define WITH_PATH(dirfd, upath, body)                                          \
	({                                                                     \
		long __r;                                                      \
		struct inode *dir;                                             \
		char *path = getname(upath, &__r);                             \
		if (path) {                                                    \
			__r = at_dir(dirfd, path, &dir);                       \
			if (!__r) {                                            \
				__r = (body);                                  \
				vfs_inode_put(dir);                            \
			}                                                      \
			kfree(path);                                           \
		}                                                              \
		__r;                                                           \
	})

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char __user *, upath, uint32_t, mode)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	return WITH_PATH(dirfd, upath,
			 vfs_create(ctx, dir, path,
				    S_IFDIR | (mode & 07777 & ~ctx->umask), 0,
				    NULL));
}

SYSCALL_DEFINE2(mkdir, const char __user *, p, uint32_t, mode)
{
	return sys_mkdirat(AT_FDCWD, p, mode);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char __user *, upath, uint32_t, mode,
		uint32_t, dev)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	uint32_t type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR)
		return -EINVAL;
	if ((type == S_IFCHR || type == S_IFBLK) && ctx->uid != 0)
		return -EPERM;
	uint64_t rdev =
	    MKDEV((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	return WITH_PATH(dirfd, upath,
			 vfs_create(ctx, dir, path,
				    type | (mode & 07777 & ~ctx->umask), rdev,
				    NULL));
}

SYSCALL_DEFINE3(mknod, const char __user *, p, uint32_t, mode, uint32_t, dev)
{
	return sys_mknodat(AT_FDCWD, p, mode, dev);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char __user *, upath, int, flags)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return WITH_PATH(dirfd, upath,
			 vfs_unlink(ctx, dir, path, flags & AT_REMOVEDIR));
}

SYSCALL_DEFINE1(unlink, const char __user *, p)
{
	return sys_unlinkat(AT_FDCWD, p, 0);
}
SYSCALL_DEFINE1(rmdir, const char __user *, p)
{
	return sys_unlinkat(AT_FDCWD, p, AT_REMOVEDIR);
}

SYSCALL_DEFINE3(symlinkat, const char __user *, utarget, int, dirfd,
		const char __user *, upath)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	long r;
	char *target = getname(utarget, &r);
	if (!target)
		return r;
	r = WITH_PATH(dirfd, upath, vfs_symlink(ctx, target, dir, path));
	kfree(target);
	return r;
}

SYSCALL_DEFINE2(symlink, const char __user *, t, const char __user *, p)
{
	return sys_symlinkat(t, AT_FDCWD, p);
}

/* Runs op on two copied paths, each relative to its own dirfd (link and
 * rename); both start directories carry a reference across the call. */
typedef int (*two_paths_op)(const struct vfs_ctx *ctx, struct inode *odir,
			    const char *opath, struct inode *ndir,
			    const char *npath, int flags);

static long with_two_paths(int odirfd, const char __user *uold, int ndirfd,
			   const char __user *unew, int flags, two_paths_op op)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	struct inode *odir;
	long r;
	char *old = getname(uold, &r);
	if (!old)
		return r;
	r = at_dir(odirfd, old, &odir);
	if (!r) {
		r = WITH_PATH(ndirfd, unew,
			      op(ctx, odir, old, dir, path, flags));
		vfs_inode_put(odir);
	}
	kfree(old);
	return r;
}

SYSCALL_DEFINE5(linkat, int, odirfd, const char __user *, uold, int, ndirfd,
		const char __user *, unew, int, flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return with_two_paths(odirfd, uold, ndirfd, unew, flags, vfs_link);
}

SYSCALL_DEFINE2(link, const char __user *, o, const char __user *, n)
{
	return sys_linkat(AT_FDCWD, o, AT_FDCWD, n, 0);
}

static int rename_op(const struct vfs_ctx *ctx, struct inode *odir,
		     const char *opath, struct inode *ndir, const char *npath,
		     int flags)
{
	(void)flags;
	return vfs_rename(ctx, odir, opath, ndir, npath);
}

SYSCALL_DEFINE5(renameat2, int, odirfd, const char __user *, uold, int, ndirfd,
		const char __user *, unew, unsigned, flags)
{
	if (flags)
		return -EINVAL; /* RENAME_NOREPLACE/EXCHANGE/WHITEOUT are not
				 * implemented */
	return with_two_paths(odirfd, uold, ndirfd, unew, 0, rename_op);
}

SYSCALL_DEFINE4(renameat, int, od, const char __user *, o, int, nd,
		const char __user *, n)
{
	return sys_renameat2(od, o, nd, n, 0);
}

SYSCALL_DEFINE2(rename, const char __user *, o, const char __user *, n)
{
	return sys_renameat2(AT_FDCWD, o, AT_FDCWD, n, 0);
}
