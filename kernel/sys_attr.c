/* Attribute calls: truncate, umask, chmod, chown, sync and fsync,
 * utimensat. */
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

SYSCALL_DEFINE2(ftruncate, int, fd, int64_t, len)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r;
	int acc = f->flags & O_ACCMODE;
	if (len < 0)
		r = -EINVAL;
	else if (!S_ISREG(f->inode->mode))
		r = S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	else if (acc != O_WRONLY && acc != O_RDWR)
		r = -EINVAL; /* Linux: EINVAL (or EBADF) without write */
	else if (!(r = rlimit_fsize_truncate((uint64_t)len))) {
		vfs_lock();
		r = vfs_seal_check_size(f->inode, (uint64_t)len);
		if (!r)
			r = inode_truncate(f->inode, (uint64_t)len);
		if (!r)
			inode_remove_privs(f->inode, proc_current()->fs->uid);
		vfs_unlock();
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(truncate, const char __user *, upath, int64_t, len)
{
	struct file *f;
	struct process *p = proc_current();
	long r;
	if (len < 0)
		return -EINVAL;
	char *path = getname(upath, &r);
	if (!path)
		return r;
	r = vfs_open(p->fs, NULL, path, O_WRONLY, 0, &f);
	kfree(path);
	if (r)
		return r;
	r = S_ISREG(f->inode->mode) ? rlimit_fsize_truncate((uint64_t)len)
				    : -EINVAL;
	if (!r) {
		vfs_lock();
		r = vfs_seal_check_size(f->inode, (uint64_t)len);
		if (!r)
			r = inode_truncate(f->inode, (uint64_t)len);
		if (!r)
			inode_remove_privs(f->inode, proc_current()->fs->uid);
		vfs_unlock();
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(umask, uint32_t, mask)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	uint32_t old = ctx->umask;
	ctx->umask = mask & 0777;
	return old;
}

/* chmod: the owner or root only (EPERM). Someone other than root who is
 * not in the file's group cannot leave it set-group-ID: that bit is
 * dropped, as Linux does. */
static long chmod_inode(struct inode *ino, uint32_t mode)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	if (!vfs_owner_or_root(ctx, ino))
		return -EPERM;
	long ch = vfs_changeable(ino);
	if (ch)
		return ch;
	vfs_lock();
	mode &= 07777;
	if (ctx->uid != 0 && !vfs_in_group(ctx, ino->gid))
		mode &= ~(uint32_t)S_ISGID;
	ino->mode = (ino->mode & S_IFMT) | mode;
	inode_touch(ino, false);
	vfs_unlock();
	return 0;
}

SYSCALL_DEFINE3(fchmodat, int, dirfd, const char __user *, upath, uint32_t,
		mode)
{
	struct inode *ino;
	long r = stat_common(dirfd, upath, 0, &ino);
	if (r)
		return r;
	r = chmod_inode(ino, mode);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE2(chmod, const char __user *, p, uint32_t, mode)
{
	return sys_fchmodat(AT_FDCWD, p, mode);
}

/* chown with Linux's rules: only root may give a file away; the owner
 * may set the owner to itself and the group to one of its groups. Every
 * chown of a non-directory, root's too, clears set-user-ID and (with group
 * execute) set-group-ID, which a non-owner may not do (EPERM even for
 * chown(f, -1, -1)). */
static long chown_inode(struct inode *ino, uint32_t uid, uint32_t gid)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	bool root = ctx->uid == 0, owner = ctx->uid == ino->uid;
	uint32_t kill = 0;
	if (!S_ISDIR(ino->mode))
		kill = S_ISUID | ((ino->mode & 010) ? S_ISGID : 0);
	if (!root) {
		if (uid != (uint32_t)-1 && (!owner || uid != ino->uid))
			return -EPERM;
		if (gid != (uint32_t)-1 &&
		    (!owner || (gid != ino->gid && !vfs_in_group(ctx, gid))))
			return -EPERM;
		if ((ino->mode & kill) && !owner)
			return -EPERM;
	}
	if (ino->sb && (ino->sb->flags & MS_RDONLY))
		return -EROFS;
	vfs_lock();
	if (uid != (uint32_t)-1)
		ino->uid = uid;
	if (gid != (uint32_t)-1)
		ino->gid = gid;
	ino->mode &= ~kill;
	inode_touch(ino, false);
	vfs_unlock();
	return 0;
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char __user *, upath, uint32_t, uid,
		uint32_t, gid, int, flags)
{
	struct inode *ino;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long r = stat_common(dirfd, upath, flags, &ino);
	if (r)
		return r;
	r = chown_inode(ino, uid, gid);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE3(chown, const char __user *, p, uint32_t, uid, uint32_t, gid)
{
	return sys_fchownat(AT_FDCWD, p, uid, gid, 0);
}

SYSCALL_DEFINE3(lchown, const char __user *, p, uint32_t, uid, uint32_t, gid)
{
	return sys_fchownat(AT_FDCWD, p, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, int, fd, uint32_t, uid, uint32_t, gid)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = chown_inode(f->inode, uid, gid);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(fchmod, int, fd, uint32_t, mode)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = chmod_inode(f->inode, mode);
	file_put(f);
	return r;
}

/* sync writes every file system back and waits for it, as Linux does
 * (sync(2) cannot fail: errors are only logged). */
SYSCALL_DEFINE0(sync)
{
	vfs_sync_all();
	return 0;
}

/* fsync and syncfs write back the whole file system of the file: simple
 * and correct (more than fsync needs). */
SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	vfs_lock();
	long r = vfs_sync_sb(f->inode->sb);
	vfs_unlock();
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (!f->ops->seekable && !S_ISDIR(f->inode->mode))
		r = -EINVAL; /* pipes, ttys: nothing to sync, as Linux */
	file_put(f);
	return r ? r : sys_syncfs(fd);
}
SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return sys_fsync(fd);
}

#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4

/* sync_file_range: the dirty pages of [off, off + n) (n 0: to the end of
 * the file) go to the file system, and then, as for fsync, its whole file
 * system to the disk (more than the range needs; Linux starts or waits for
 * the range's own write-back). Flags 0 does nothing, as on Linux. */
SYSCALL_DEFINE4(sync_file_range, int, fd, int64_t, off, int64_t, n, unsigned,
		flags)
{
	if (flags & ~(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
		      SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (off < 0 || n < 0 || off > INT64_MAX - n)
		return -EINVAL;
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	struct inode *ino = f->inode;
	long r = 0;
	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode) && !S_ISBLK(ino->mode))
		r = -ESPIPE;
	if (r == 0 && flags) {
		uint64_t from = (uint64_t)off / PAGE_SIZE;
		uint64_t to =
		    n ? ((uint64_t)off + (uint64_t)n + PAGE_SIZE - 1) /
			    PAGE_SIZE
		      : PCACHE_MAX_PAGES;
		vfs_lock();
		if (inode_has_pcache(ino))
			r = pcache_writeback(ino, from, to);
		if (r == 0)
			r = vfs_sync_sb(ino->sb);
		vfs_unlock();
	}
	file_put(f);
	return r;
}

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* utimensat: set access and modification times (NULL: now). Only the
 * owner (or root) may set explicit times (EPERM); the owner, root or anyone
 * with write access may set them to now (else EACCES), as Linux. */
SYSCALL_DEFINE4(utimensat, int, dirfd, const char __user *, upath,
		const struct kstat_timespec __user *, uts, int, flags)
{
	struct process *p = proc_current();
	struct kstat_timespec ts[2];
	struct inode *ino;
	long r;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (uts) {
		if (copy_from_user(ts, uts, sizeof(ts)))
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (ts[i].tv_nsec != UTIME_NOW &&
			    ts[i].tv_nsec != UTIME_OMIT &&
			    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000))
				return -EINVAL;
	}
	/* futimens(fd, ...): glibc and musl pass a NULL path. */
	r = upath ? stat_common(dirfd, upath, flags, &ino)
		  : fd_inode(dirfd, &ino);
	if (r)
		return r;
	bool explicit =
	    uts && !(ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW);
	if (explicit)
		r = vfs_owner_or_root(p->fs, ino) ? 0 : -EPERM;
	else if (vfs_owner_or_root(p->fs, ino))
		r = 0;
	else
		r = inode_permission(p->fs, ino, MAY_WRITE);
	if (!r && ino->sb && (ino->sb->flags & MS_RDONLY))
		r = -EROFS;
	if (!r) {
		vfs_lock();
		struct kstat_timespec now = ino->ctime;
		inode_touch(ino, false); /* ctime = now */
		now = ino->ctime;
		for (int i = 0; i < 2; i++) {
			struct kstat_timespec *dst =
			    i ? &ino->mtime : &ino->atime;
			if (!uts || ts[i].tv_nsec == UTIME_NOW)
				*dst = now;
			else if (ts[i].tv_nsec != UTIME_OMIT)
				*dst = ts[i];
		}
		inode_sync_attr(ino);
		vfs_unlock();
	}
	vfs_inode_put(ino);
	return r;
}
