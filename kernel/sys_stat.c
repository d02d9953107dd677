/* The stat family: newfstatat, stat, lstat, fstat, statx, the access
 * checks and readlink. */
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

/* The inode a path (or, with AT_EMPTY_PATH and "", dirfd) names, with a
 * reference the caller drops (vfs_inode_put); or, with st, its stat taken
 * in the same VFS lock hold as the walk, and no reference kept. */
long lookup_at(int dirfd, const char __user *upath, int flags,
	       struct inode **out, struct stat *st)
{
	struct process *p = proc_current();
	long r;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      0x6000 /* AT_STATX_SYNC_TYPE */))
		return -EINVAL;
	char *path = getname(upath, &r);
	if (!path)
		return r;
	if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		kfree(path);
		r = fd_inode(dirfd, out);
		if (!r && st) {
			inode_stat(*out, st);
			vfs_inode_put(*out);
		}
		return r;
	}
	struct inode *dir;
	r = at_dir(dirfd, path, &dir);
	if (!r) {
		vfs_lock();
		r = vfs_lookup(
		    p->fs, dir, path,
		    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, out);
		if (!r && st) {
			inode_stat(*out, st);
			inode_put(*out);
		}
		if (dir)
			inode_put(dir);
		vfs_unlock();
	}
	kfree(path);
	return r;
}

long stat_common(int dirfd, const char __user *upath, int flags,
		 struct inode **out)
{
	return lookup_at(dirfd, upath, flags, out, NULL);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char __user *, upath,
		struct stat __user *, ust, int, flags)
{
	struct inode *ino;
	struct stat st;
	long r = lookup_at(dirfd, upath, flags, &ino, &st);
	if (r)
		return r;
	return copy_to_user(ust, &st, sizeof(st));
}

SYSCALL_DEFINE2(stat, const char __user *, p, struct stat __user *, st)
{
	return sys_newfstatat(AT_FDCWD, p, st, 0);
}

SYSCALL_DEFINE2(lstat, const char __user *, p, struct stat __user *, st)
{
	return sys_newfstatat(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE2(fstat, int, fd, struct stat __user *, ust)
{
	struct file *f = fd_get(proc_current(), fd);
	struct stat st;
	if (!f)
		return -EBADF;
	inode_stat(f->inode, &st);
	file_put(f);
	return copy_to_user(ust, &st, sizeof(st));
}

SYSCALL_DEFINE5(statx, int, dirfd, const char __user *, upath, int, flags,
		unsigned, mask, struct statx __user *, ustx)
{
	struct inode *ino;
	struct stat st;
	struct statx sx;
	if (mask & 0x80000000u) /* STATX__RESERVED */
		return -EINVAL;
	/* Every basic field is filled whatever the mask asks. */
	long r = lookup_at(dirfd, upath, flags, &ino, &st);
	if (r)
		return r;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atim.tv_sec;
	sx.stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
	sx.stx_mtime.tv_sec = st.st_mtim.tv_sec;
	sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	sx.stx_ctime.tv_sec = st.st_ctim.tv_sec;
	sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	sx.stx_rdev_major = MAJOR(st.st_rdev);
	sx.stx_rdev_minor = MINOR(st.st_rdev);
	sx.stx_dev_major = MAJOR(st.st_dev);
	sx.stx_dev_minor = MINOR(st.st_dev);
	return copy_to_user(ustx, &sx, sizeof(sx));
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char __user *, upath, int, mode,
		int, flags)
{
	struct inode *ino;
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	long r = stat_common(dirfd, upath, flags & ~AT_EACCESS, &ino);
	if (r)
		return r;
	/* With the real ids, as Linux, unless AT_EACCESS asks for the
	 * effective (filesystem) ones: a set-user-ID program asks whether
	 * the user who ran it may use the file. */
	struct process *p = proc_current();
	struct vfs_ctx c = *p->fs;
	if (!(flags & AT_EACCESS)) {
		c.uid = p->uid;
		c.gid = p->gid;
	}
	r = mode ? inode_permission(&c, ino, mode) : 0;
	if (!r && (mode & W_OK) && ino->sb && (ino->sb->flags & MS_RDONLY) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
		r = -EROFS;
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char __user *, p, int, mode)
{
	return sys_faccessat2(dirfd, p, mode, 0);
}

SYSCALL_DEFINE2(access, const char __user *, p, int, mode)
{
	return sys_faccessat2(AT_FDCWD, p, mode, 0);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char __user *, upath,
		char __user *, ubuf, long, n)
{
	struct inode *ino;
	if (n <= 0)
		return -EINVAL;
	long r = stat_common(dirfd, upath, AT_SYMLINK_NOFOLLOW, &ino);
	if (r)
		return r;
	if (ino->may_access && (r = ino->may_access(ino, proc_current()->fs))) {
		vfs_inode_put(ino);
		return r;
	}
	char *k = kmalloc(PATH_MAX);
	r = k ? vfs_readlink(ino, k, MIN((size_t)n, PATH_MAX)) : -ENOMEM;
	if (r > 0 && copy_to_user(ubuf, k, r))
		r = -EFAULT;
	kfree(k);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE3(readlink, const char __user *, p, char __user *, buf, long, n)
{
	return sys_readlinkat(AT_FDCWD, p, buf, n);
}
