/* mount(2), umount2(2), statfs(2) and fstatfs(2): the system-call side of
 * fs/super.c. Strings are copied in first; the target is resolved and
 * mounted on under one hold of the VFS lock. */
#include <fd.h>
#include <fs/vfs.h>
#include <mm/kmalloc.h>
#include <proc.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define MOUNT_DATA_MAX 4096

/* A user string into a new kernel buffer; NULL pointer gives NULL. */
static long copy_string(const char __user *u, size_t max, char **out)
{
	*out = NULL;
	if (!u)
		return 0;
	char *k = kmalloc(max);
	if (!k)
		return -ENOMEM;
	long r = strncpy_from_user(k, u, max);
	if (r < 0) {
		kfree(k);
		return r;
	}
	if ((size_t)r >= max) {
		kfree(k);
		return -ENAMETOOLONG;
	}
	*out = k;
	return 0;
}

SYSCALL_DEFINE5(mount, const char __user *, usource, const char __user *,
		utarget, const char __user *, utype, unsigned long, flags,
		const void __user *, udata)
{
	struct process *p = proc_current();
	char *source, *target = NULL, *type = NULL, *data = NULL;
	if (p->euid != 0)
		return -EPERM;
	long r = copy_string(usource, PATH_MAX, &source);
	if (r)
		return r;
	r = copy_string(utarget, PATH_MAX, &target);
	if (!r && !target)
		r = -EFAULT;
	if (!r)
		r = copy_string(utype, 64, &type);
	/* The data page is a string for every type Limen knows. */
	if (!r && udata && !(flags & (MS_BIND | MS_MOVE)))
		r = copy_string(udata, MOUNT_DATA_MAX, &data);
	if (!r) {
		struct inode *dir;
		vfs_lock();
		r = vfs_lookup(p->fs, p->fs->cwd, target, LOOKUP_FOLLOW, &dir);
		if (!r) {
			r = vfs_mount(p->fs, source, dir, type, flags, data);
			inode_put(dir);
		}
		vfs_unlock();
	}
	kfree(source);
	kfree(target);
	kfree(type);
	kfree(data);
	return r;
}

SYSCALL_DEFINE2(umount2, const char __user *, utarget, int, flags)
{
	struct process *p = proc_current();
	char *target;
	if (p->euid != 0)
		return -EPERM;
	long r = copy_string(utarget, PATH_MAX, &target);
	if (!r && !target)
		r = -EFAULT;
	if (r)
		return r;
	struct inode *root;
	vfs_lock();
	r = vfs_lookup(p->fs, p->fs->cwd, target,
		       (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &root);
	if (!r)
		r = vfs_umount(p->fs, root, flags); /* drops our reference */
	vfs_unlock();
	kfree(target);
	return r;
}

SYSCALL_DEFINE2(statfs, const char __user *, upath, struct kstatfs __user *,
		ubuf)
{
	struct process *p = proc_current();
	char *path;
	long r = copy_string(upath, PATH_MAX, &path);
	if (!r && !path)
		r = -EFAULT;
	if (r)
		return r;
	struct kstatfs st;
	struct inode *ino;
	vfs_lock();
	r = vfs_lookup(p->fs, p->fs->cwd, path, LOOKUP_FOLLOW, &ino);
	if (!r) {
		r = vfs_statfs(ino, &st);
		inode_put(ino);
	}
	vfs_unlock();
	kfree(path);
	if (!r && copy_to_user(ubuf, &st, sizeof(st)))
		r = -EFAULT;
	return r;
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct kstatfs __user *, ubuf)
{
	struct file *f = fd_get(proc_current(), fd);
	if (!f)
		return -EBADF;
	struct kstatfs st;
	vfs_lock();
	long r = vfs_statfs(f->inode, &st);
	vfs_unlock();
	file_put(f);
	if (!r && copy_to_user(ubuf, &st, sizeof(st)))
		r = -EFAULT;
	return r;
}
