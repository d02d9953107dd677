/* File system calls: descriptors, paths and the data path. User buffers
 * are bounced through kernel memory in page-sized chunks, so no file-system
 * code ever touches user memory. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <percpu.h>
#include <proc.h>
#include <rlimit.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define IO_CHUNK PAGE_SIZE /* the bounce page */
#define SMALL_IO 256
#define IOV_MAX 1024

/* Copies a user path into a new kernel buffer (kfree it). */
static char *getname(const char *upath, long *err)
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
static long fd_inode(int fd, struct inode **out)
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
static long at_dir(int dirfd, const char *path, struct inode **dir)
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

long sys_openat(int dirfd, const char *upath, int flags, uint32_t mode)
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

long sys_open(const char *upath, int flags, uint32_t mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

long sys_creat(const char *upath, uint32_t mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(int fd)
{
	return fd_close(proc_current(), fd);
}

/* Moves up to n bytes between a user buffer and the file, chunk by
 * chunk; stops early on a short transfer. */
static long do_io(struct file *f, char *ubuf, size_t n, bool write, int64_t off)
{
	if (n > 0x7ffff000)
		n = 0x7ffff000; /* Linux's MAX_RW_COUNT */
	if (!access_ok(ubuf, n))
		return -EFAULT;
	/* Small transfers (most of them: a line, a byte) bounce through the
	 * stack, bigger ones through a page the thread keeps from its first
	 * big transfer to its exit (make bench: allocating per call cost
	 * more than the copy). */
	char small[SMALL_IO];
	char *k = small;
	if (n > SMALL_IO) {
		if (!current->io_page)
			current->io_page = pmm_alloc_zeroed_page();
		if (!(k = current->io_page))
			return -ENOMEM;
	}
	size_t done = 0;
	long r = 0;
	while (done < n || n == 0) {
		size_t c = MIN(n - done, k == small ? SMALL_IO : IO_CHUNK);
		if (write && copy_from_user(k, ubuf + done, c)) {
			r = -EFAULT;
			break;
		}
		if (off >= 0)
			r = write ? vfs_pwrite(f, k, c, off + done)
				  : vfs_pread(f, k, c, off + done);
		else
			r = write ? vfs_write(f, k, c) : vfs_read(f, k, c);
		if (r <= 0)
			break;
		if (!write && copy_to_user(ubuf + done, k, r)) {
			/* Nothing reached the caller: undo the advance, as
			 * Linux leaves the offset alone on EFAULT. */
			if (off < 0 && f->ops->seekable)
				f->pos -= r;
			r = -EFAULT;
			break;
		}
		done += r;
		if ((size_t)r < c || n == 0)
			break;
	}
	return done ? (long)done : r;
}

static long fd_io(int fd, char *ubuf, size_t n, bool write, int64_t off)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = do_io(f, ubuf, n, write, off);
	file_put(f);
	return r;
}

long sys_read(int fd, char *buf, size_t n)
{
	return fd_io(fd, buf, n, false, -1);
}
long sys_write(int fd, char *buf, size_t n)
{
	return fd_io(fd, buf, n, true, -1);
}

long sys_pread64(int fd, char *buf, size_t n, int64_t off)
{
	return off < 0 ? -EINVAL : fd_io(fd, buf, n, false, off);
}

long sys_pwrite64(int fd, char *buf, size_t n, int64_t off)
{
	return off < 0 ? -EINVAL : fd_io(fd, buf, n, true, off);
}

static long vec_io(int fd, const struct iovec_k *uiov, int cnt, bool write)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long total = 0, r = 0;
	for (int i = 0; i < cnt; i++) {
		struct iovec_k v;
		if (copy_from_user(&v, &uiov[i], sizeof(v))) {
			r = -EFAULT;
			break;
		}
		if ((int64_t)v.iov_len < 0) {
			r = -EINVAL;
			break;
		}
		if (v.iov_len == 0)
			continue;
		r = do_io(f, (char *)v.iov_base, v.iov_len, write, -1);
		if (r <= 0)
			break;
		total += r;
		if ((uint64_t)r < v.iov_len)
			break;
	}
	file_put(f);
	return total ? total : r;
}

long sys_readv(int fd, const struct iovec_k *iov, int cnt)
{
	return vec_io(fd, iov, cnt, false);
}

long sys_writev(int fd, const struct iovec_k *iov, int cnt)
{
	return vec_io(fd, iov, cnt, true);
}

long sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = vfs_lseek(f, off, whence);
	file_put(f);
	return r;
}

long sys_getdents64(int fd, char *ubuf, size_t n)
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

long sys_ioctl(int fd, unsigned long cmd, uintptr_t arg)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = vfs_ioctl(f, cmd, arg);
	file_put(f);
	return r;
}

long sys_dup(int fd)
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

long sys_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return fd_dup_to(proc_current(), oldfd, newfd, flags & O_CLOEXEC);
}

long sys_dup2(int oldfd, int newfd)
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

long sys_fcntl(int fd, int cmd, unsigned long arg)
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
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

/* The inode a path (or, with AT_EMPTY_PATH and "", dirfd) names, with a
 * reference the caller drops (vfs_inode_put); or, with st, its stat taken
 * in the same VFS lock hold as the walk, and no reference kept. */
static long lookup_at(int dirfd, const char *upath, int flags,
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

static long stat_common(int dirfd, const char *upath, int flags,
			struct inode **out)
{
	return lookup_at(dirfd, upath, flags, out, NULL);
}

long sys_newfstatat(int dirfd, const char *upath, struct stat *ust, int flags)
{
	struct inode *ino;
	struct stat st;
	long r = lookup_at(dirfd, upath, flags, &ino, &st);
	if (r)
		return r;
	return copy_to_user(ust, &st, sizeof(st));
}

long sys_stat(const char *p, struct stat *st)
{
	return sys_newfstatat(AT_FDCWD, p, st, 0);
}

long sys_lstat(const char *p, struct stat *st)
{
	return sys_newfstatat(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, struct stat *ust)
{
	struct file *f = fd_get(proc_current(), fd);
	struct stat st;
	if (!f)
		return -EBADF;
	inode_stat(f->inode, &st);
	file_put(f);
	return copy_to_user(ust, &st, sizeof(st));
}

long sys_statx(int dirfd, const char *upath, int flags, unsigned mask,
	       struct statx *ustx)
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

long sys_faccessat2(int dirfd, const char *upath, int mode, int flags)
{
	struct inode *ino;
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	long r = stat_common(dirfd, upath, flags & ~AT_EACCESS, &ino);
	if (r)
		return r;
	/* Real and effective ids are the same until setuid exists. */
	r = mode ? inode_permission(proc_current()->fs, ino, mode) : 0;
	vfs_inode_put(ino);
	return r;
}

long sys_faccessat(int dirfd, const char *p, int mode)
{
	return sys_faccessat2(dirfd, p, mode, 0);
}

long sys_access(const char *p, int mode)
{
	return sys_faccessat2(AT_FDCWD, p, mode, 0);
}

long sys_readlinkat(int dirfd, const char *upath, char *ubuf, long n)
{
	struct inode *ino;
	if (n <= 0)
		return -EINVAL;
	long r = stat_common(dirfd, upath, AT_SYMLINK_NOFOLLOW, &ino);
	if (r)
		return r;
	char *k = kmalloc(PATH_MAX);
	r = k ? vfs_readlink(ino, k, MIN((size_t)n, PATH_MAX)) : -ENOMEM;
	if (r > 0 && copy_to_user(ubuf, k, r))
		r = -EFAULT;
	kfree(k);
	vfs_inode_put(ino);
	return r;
}

long sys_readlink(const char *p, char *buf, long n)
{
	return sys_readlinkat(AT_FDCWD, p, buf, n);
}

long sys_getcwd(char *ubuf, size_t size)
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

long sys_chdir(const char *upath)
{
	struct inode *ino;
	long r = stat_common(AT_FDCWD, upath, 0, &ino);
	if (r)
		return r;
	r = set_cwd(ino);
	vfs_inode_put(ino);
	return r;
}

long sys_fchdir(int fd)
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

long sys_mkdirat(int dirfd, const char *upath, uint32_t mode)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	return WITH_PATH(dirfd, upath,
			 vfs_create(ctx, dir, path,
				    S_IFDIR | (mode & 07777 & ~ctx->umask), 0,
				    NULL));
}

long sys_mkdir(const char *p, uint32_t mode)
{
	return sys_mkdirat(AT_FDCWD, p, mode);
}

long sys_mknodat(int dirfd, const char *upath, uint32_t mode, uint32_t dev)
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

long sys_mknod(const char *p, uint32_t mode, uint32_t dev)
{
	return sys_mknodat(AT_FDCWD, p, mode, dev);
}

long sys_unlinkat(int dirfd, const char *upath, int flags)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return WITH_PATH(dirfd, upath,
			 vfs_unlink(ctx, dir, path, flags & AT_REMOVEDIR));
}

long sys_unlink(const char *p)
{
	return sys_unlinkat(AT_FDCWD, p, 0);
}
long sys_rmdir(const char *p)
{
	return sys_unlinkat(AT_FDCWD, p, AT_REMOVEDIR);
}

long sys_symlinkat(const char *utarget, int dirfd, const char *upath)
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

long sys_symlink(const char *t, const char *p)
{
	return sys_symlinkat(t, AT_FDCWD, p);
}

long sys_linkat(int odirfd, const char *uold, int ndirfd, const char *unew,
		int flags)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	struct inode *odir;
	long r;
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char *old = getname(uold, &r);
	if (!old)
		return r;
	r = at_dir(odirfd, old, &odir);
	if (!r) {
		r = WITH_PATH(ndirfd, unew,
			      vfs_link(ctx, odir, old, dir, path, flags));
		vfs_inode_put(odir);
	}
	kfree(old);
	return r;
}

long sys_link(const char *o, const char *n)
{
	return sys_linkat(AT_FDCWD, o, AT_FDCWD, n, 0);
}

long sys_renameat2(int odirfd, const char *uold, int ndirfd, const char *unew,
		   unsigned flags)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	struct inode *odir;
	long r;
	if (flags)
		return -EINVAL; /* RENAME_NOREPLACE/EXCHANGE/WHITEOUT: not yet
				 */
	char *old = getname(uold, &r);
	if (!old)
		return r;
	r = at_dir(odirfd, old, &odir);
	if (!r) {
		r = WITH_PATH(ndirfd, unew,
			      vfs_rename(ctx, odir, old, dir, path));
		vfs_inode_put(odir);
	}
	kfree(old);
	return r;
}

long sys_renameat(int od, const char *o, int nd, const char *n)
{
	return sys_renameat2(od, o, nd, n, 0);
}

long sys_rename(const char *o, const char *n)
{
	return sys_renameat2(AT_FDCWD, o, AT_FDCWD, n, 0);
}

long sys_ftruncate(int fd, int64_t len)
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
		r = inode_truncate(f->inode, (uint64_t)len);
		vfs_unlock();
	}
	file_put(f);
	return r;
}

long sys_truncate(const char *upath, int64_t len)
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
		r = inode_truncate(f->inode, (uint64_t)len);
		vfs_unlock();
	}
	file_put(f);
	return r;
}

long sys_umask(uint32_t mask)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	uint32_t old = ctx->umask;
	ctx->umask = mask & 0777;
	return old;
}

static long chmod_inode(struct inode *ino, uint32_t mode)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	if (ctx->uid != 0 && ctx->uid != ino->uid)
		return -EPERM;
	if (ino->sb && (ino->sb->flags & MS_RDONLY))
		return -EROFS;
	vfs_lock();
	ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
	inode_touch(ino, false);
	vfs_unlock();
	return 0;
}

long sys_fchmodat(int dirfd, const char *upath, uint32_t mode)
{
	struct inode *ino;
	long r = stat_common(dirfd, upath, 0, &ino);
	if (r)
		return r;
	r = chmod_inode(ino, mode);
	vfs_inode_put(ino);
	return r;
}

long sys_chmod(const char *p, uint32_t mode)
{
	return sys_fchmodat(AT_FDCWD, p, mode);
}

/* chown with POSIX's rules: root may change both ids; the owner may only
 * change the group, to one of its own (here: its gid). A change by
 * someone other than root clears the set-user-ID and set-group-ID bits. */
static long chown_inode(struct inode *ino, uint32_t uid, uint32_t gid)
{
	struct vfs_ctx *ctx = proc_current()->fs;
	bool uid_change = uid != (uint32_t)-1 && uid != ino->uid;
	bool gid_change = gid != (uint32_t)-1 && gid != ino->gid;
	if (ctx->uid != 0 && (uid_change || ctx->uid != ino->uid ||
			      (gid_change && gid != ctx->gid)))
		return -EPERM;
	if (ino->sb && (ino->sb->flags & MS_RDONLY))
		return -EROFS;
	vfs_lock();
	if (uid != (uint32_t)-1)
		ino->uid = uid;
	if (gid != (uint32_t)-1)
		ino->gid = gid;
	if (!S_ISDIR(ino->mode) && (uid_change || gid_change || ctx->uid))
		ino->mode &=
		    ~(uint32_t)(S_ISUID | ((ino->mode & 010) ? S_ISGID : 0));
	inode_touch(ino, false);
	vfs_unlock();
	return 0;
}

long sys_fchownat(int dirfd, const char *upath, uint32_t uid, uint32_t gid,
		  int flags)
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

long sys_chown(const char *p, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, p, uid, gid, 0);
}

long sys_lchown(const char *p, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, p, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, uint32_t uid, uint32_t gid)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	long r = chown_inode(f->inode, uid, gid);
	file_put(f);
	return r;
}

long sys_fchmod(int fd, uint32_t mode)
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
long sys_sync(void)
{
	vfs_sync_all();
	return 0;
}

/* fsync and syncfs write back the whole file system of the file: simple
 * and correct (more than fsync needs). */
long sys_syncfs(int fd)
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

long sys_fsync(int fd)
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
long sys_fdatasync(int fd)
{
	return sys_fsync(fd);
}

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* utimensat: set access and modification times (NULL: now). Only the
 * owner (or root) may set explicit times; anyone with write access may set
 * them to now, as POSIX says. */
long sys_utimensat(int dirfd, const char *upath,
		   const struct kstat_timespec *uts, int flags)
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
		r = (p->fs->uid == 0 || p->fs->uid == ino->uid) ? 0 : -EPERM;
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
