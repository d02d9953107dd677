/* Open files: vfs_open with the O_* flags' semantics, reference counting,
 * and read/write/lseek/getdents64 for regular files, directories and
 * device nodes. Data moves through kernel buffers; the system-call layer
 * copies to and from user memory. */
#include <fs/eventpoll.h>
#include <fs/lock.h>
#include <fs/vfs.h>
#include <rlimit.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc.h>
#include <uapi/errno.h>

static const struct file_ops ramfs_file_ops;

static int may_open(const struct vfs_ctx *ctx, struct inode *ino, int flags)
{
	int acc = flags & O_ACCMODE;
	if (flags & O_PATH)
		return 0;
	if (S_ISDIR(ino->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	int may = 0;
	if (acc == O_RDONLY || acc == O_RDWR)
		may |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		may |= MAY_WRITE;
	if ((may & MAY_WRITE) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode)) &&
	    ino->sb && (ino->sb->flags & MS_RDONLY))
		return -EROFS;
	int r = inode_permission(ctx, ino, may);
	if (!r && ino->may_access)
		r = ino->may_access(ino, ctx);
	return r;
}

struct file *file_alloc(struct inode *ino, int flags,
			const struct file_ops *ops, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->inode = inode_get(ino);
	f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);
	f->refs = 1;
	f->ops = ops;
	f->priv = priv;
	return f;
}

int vfs_open_inode(struct inode *ino, int flags, struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return -ENFILE;
	if (S_ISCHR(ino->mode) && !(flags & O_PATH)) {
		if (!ino->fops) {
			kfree(f);
			return -ENXIO;
		}
		f->ops = ino->fops;
	} else if (S_ISBLK(ino->mode) && !(flags & O_PATH)) {
		int r = bdev_open(ino, f);
		if (r) {
			kfree(f);
			return r;
		}
	} else if (S_ISFIFO(ino->mode) && !(flags & O_PATH)) {
		f->ops = &fifo_ops; /* its open may wait for the other end */
	} else if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode) &&
		   !(flags & O_PATH)) {
		/* Sockets are never opened by name. */
		kfree(f);
		return -ENXIO;
	} else if (ino->fops) {
		f->ops = ino->fops; /* generated files */
	} else {
		f->ops = &ramfs_file_ops;
	}
	f->inode = inode_get(ino);
	f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);
	f->refs = 1;
	if (f->ops->open && !(flags & O_PATH)) {
		int r = f->ops->open(f);
		if (r) {
			vfs_lock();
			inode_put(f->inode);
			vfs_unlock();
			kfree(f);
			return r;
		}
	}
	*out = f;
	return 0;
}

int vfs_open(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	     int flags, uint32_t mode, struct file **out)
{
	struct inode *ino = NULL;
	bool excl = (flags & O_CREAT) && (flags & O_EXCL);
	bool follow = !(flags & O_NOFOLLOW) && !excl;
	vfs_lock();
	int r = vfs_lookup(ctx, dir, path, follow ? LOOKUP_FOLLOW : 0, &ino);
	vfs_unlock();
	if (r == 0 && excl) {
		r = -EEXIST;
		goto out;
	}
	if (r == -ENOENT && (flags & O_CREAT)) {
		r = vfs_create(ctx, dir, path,
			       S_IFREG | (mode & 07777 & ~ctx->umask), 0, &ino);
		if (r == -EEXIST && !excl)
			return vfs_open(ctx, dir, path, flags & ~O_CREAT, mode,
					out);
	}
	if (r)
		goto out;
	if (S_ISLNK(ino->mode) && !(flags & O_PATH))
		r = -ELOOP; /* O_NOFOLLOW on a symlink */
	else if ((flags & O_CREAT) && S_ISDIR(ino->mode))
		r = -EISDIR;
	else
		r = may_open(ctx, ino, flags);
	if (!r && (flags & O_TRUNC) && S_ISREG(ino->mode) &&
	    (flags & O_ACCMODE) != O_RDONLY) {
		vfs_lock();
		r = vfs_seal_check_size(ino, 0);
		if (!r)
			r = inode_truncate(ino, 0);
		if (!r)
			inode_remove_privs(ino, ctx->uid);
		vfs_unlock();
	}
	if (!r)
		r = vfs_open_inode(ino, flags, out);
out:
	if (ino)
		vfs_inode_put(ino);
	return r;
}

struct file *file_get(struct file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* Before release frees the wait queue epoll entries are on. */
	eventpoll_release_file(f);
	lock_file_release(f);
	if (f->ops->release)
		f->ops->release(f);
	vfs_lock();
	inode_put(f->inode);
	vfs_unlock();
	kfree(f);
}

static long ramfs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	vfs_lock();
	long r = inode_read_data(f->inode, buf, n, *pos);
	if (r > 0)
		*pos += r;
	vfs_unlock();
	return r;
}

int vfs_seal_check_size(struct inode *ino, uint64_t len)
{
	if ((len < ino->size && (ino->seals & F_SEAL_SHRINK)) ||
	    (len > ino->size && (ino->seals & F_SEAL_GROW)))
		return -EPERM;
	return 0;
}

/* Under the VFS lock: how much of an n-byte write at pos a sealed memfd
 * takes: -EPERM after F_SEAL_WRITE or F_SEAL_FUTURE_WRITE; with
 * F_SEAL_GROW, what fits below the size (-EPERM if nothing does; Linux
 * stops at a page boundary, this at the size). */
static long seal_check_write(struct inode *ino, uint64_t pos, long n)
{
	if (ino->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((ino->seals & F_SEAL_GROW) && pos + (uint64_t)n > ino->size) {
		if (pos >= ino->size)
			return -EPERM;
		n = (long)(ino->size - pos);
	}
	return n;
}

static long ramfs_write(struct file *f, const char *buf, size_t n,
			uint64_t *pos)
{
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	vfs_lock();
	if (f->flags & O_APPEND)
		*pos = f->inode->size;
	long r = S_ISREG(f->inode->mode) ? rlimit_fsize(*pos, n) : (long)n;
	r = r > 0 ? seal_check_write(f->inode, *pos, r) : r;
	if (r > 0)
		r = inode_write_data(f->inode, buf, (size_t)r, *pos);
	if (r > 0)
		*pos += r;
	vfs_unlock();
	return r;
}

static const struct file_ops ramfs_file_ops = {
    .read = ramfs_read,
    .write = ramfs_write,
    .seekable = true,
};

static bool readable(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

static bool writable(struct file *f)
{
	int acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

long vfs_read(struct file *f, char *buf, size_t n)
{
	if (!readable(f))
		return -EBADF;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, buf, n, &f->pos);
}

/* A write by someone other than root drops the file's set-id bits. */
static void remove_privs(struct file *f)
{
	if (!S_ISREG(f->inode->mode) || !(f->inode->mode & (S_ISUID | S_ISGID)))
		return;
	vfs_lock();
	inode_remove_privs(f->inode, proc_current()->fs->uid);
	vfs_unlock();
}

long vfs_write(struct file *f, const char *buf, size_t n)
{
	if (!writable(f))
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	remove_privs(f);
	return f->ops->write(f, buf, n, &f->pos);
}

long vfs_pread(struct file *f, char *buf, size_t n, uint64_t off)
{
	if (!readable(f))
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	return f->ops->read(f, buf, n, &off);
}

long vfs_pwrite(struct file *f, const char *buf, size_t n, uint64_t off)
{
	if (!writable(f))
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	remove_privs(f);
	/* O_APPEND applies to pwrite too on Linux. */
	return f->ops->write(f, buf, n, &off);
}

long vfs_lseek(struct file *f, int64_t off, int whence)
{
	if (f->ops->lseek)
		return f->ops->lseek(f, off, whence);
	if (!f->ops->seekable)
		return f->ops->seek_noop ? 0 : -ESPIPE;
	int64_t base;
	vfs_lock();
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	default:
		vfs_unlock();
		return -EINVAL;
	}
	long r;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		r = -EINVAL;
	} else {
		f->pos = (uint64_t)(base + off);
		r = (long)f->pos;
	}
	vfs_unlock();
	return r;
}

static uint8_t dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

/* Appends one record; returns its size, or 0 if it does not fit. */
static size_t put_dirent(char *buf, size_t room, uint64_t ino, int64_t next,
			 uint8_t type, const char *name)
{
	size_t nl = strlen(name);
	size_t reclen =
	    ALIGN_UP(offsetof(struct linux_dirent64, d_name) + nl + 1, 8);
	if (reclen > room)
		return 0;
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	d->d_ino = ino;
	d->d_off = next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = type;
	memcpy(d->d_name, name, nl + 1);
	memset(d->d_name + nl + 1, 0,
	       reclen - offsetof(struct linux_dirent64, d_name) - nl - 1);
	return reclen;
}

long vfs_getdents64(struct file *f, char *buf, size_t n)
{
	struct inode *dir = f->inode;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	vfs_lock();
	if (dir->refresh)
		dir->refresh(dir);
	int lr = dir_load(dir);
	if (lr) {
		vfs_unlock();
		return lr;
	}
	size_t used = 0;
	bool more = true;
	/* Position = index: 0 is ".", 1 is "..", then the entries. */
	if (f->pos == 0) {
		size_t k = put_dirent(buf, n, dir->ino, 1, DT_DIR, ".");
		if (!k)
			goto full;
		used += k;
		f->pos = 1;
	}
	if (f->pos == 1) {
		struct inode *up = dir->parent ? dir->parent : dir;
		size_t k =
		    put_dirent(buf + used, n - used, up->ino, 2, DT_DIR, "..");
		if (!k)
			goto full;
		used += k;
		f->pos = 2;
	}
	struct dir_entry *e;
	uint64_t idx;
	list_for_each_entry(e, &dir->entries, link)
	{
		if (e->pos < f->pos)
			continue;
		idx = e->pos + 1;
		size_t k =
		    put_dirent(buf + used, n - used, e->inode->ino,
			       (int64_t)idx, dtype(e->inode->mode), e->name);
		if (!k)
			goto full;
		used += k;
		f->pos = idx;
	}
	more = false;
full:
	vfs_unlock();
	if (used == 0 && more)
		return -EINVAL; /* buffer too small for the next record */
	return (long)used;
}

long vfs_ioctl(struct file *f, unsigned long cmd, uintptr_t arg)
{
	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg);
}
