/* memfd_create: an anonymous memory file. Its inode is a memory file on no
 * file system (as a pipe's: st_dev 0, counted against no tmpfs size=) and
 * in no directory, so it lives while an open file or a mapping holds it;
 * its data is a shared memory object like a tmpfs file's, which mmap maps.
 * And file sealing (fcntl F_ADD_SEALS, F_GET_SEALS), as Linux's: the seals
 * live on the inode under the VFS lock; write and truncate (fs/file.c,
 * kernel/sys_attr.c) and mmap (kernel/sys_mm.c) obey them. */
#include <fd.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <percpu.h>
#include <proc.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define MFD_CLOEXEC 0x1U
#define MFD_ALLOW_SEALING 0x2U
#define F_ALL_SEALS                                                            \
	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |            \
	 F_SEAL_FUTURE_WRITE)
#define MFD_NAME_MAX 249 /* Linux's MFD_NAME_MAX_LEN (NAME_MAX - "memfd:") */

SYSCALL_DEFINE2(memfd_create, const char __user *, uname, unsigned, flags)
{
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL; /* huge pages, exec seals: none */
	char name[MFD_NAME_MAX + 1];
	long n = strncpy_from_user(name, uname, sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	/* /proc/PID/maps shows its mappings under the name Linux gives. */
	size_t tlen = strlen(name) + sizeof("/memfd: (deleted)");
	char *target = kmalloc(tlen);
	if (!target)
		return -ENOMEM;
	snprintf(target, tlen, "/memfd:%s (deleted)", name);
	/* Mode 0777 whatever the umask, as Linux's memfd files have. */
	struct inode *ino = inode_alloc_sb(NULL, S_IFREG | 0777);
	if (!ino) {
		kfree(target);
		return -ENFILE;
	}
	struct vfs_ctx *ctx = proc_current()->fs;
	ino->uid = ctx->uid;
	ino->gid = ctx->gid;
	ino->target = target;
	/* Without MFD_ALLOW_SEALING, sealed against sealing, as Linux. */
	ino->sealable = true;
	ino->seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	struct file *f;
	int r = vfs_open_inode(ino, O_RDWR | O_LARGEFILE, &f);
	if (r) {
		vfs_lock();
		inode_destroy(ino); /* no references, no links */
		vfs_unlock();
		return r;
	}
	int fd = fd_install(proc_current(), f, 0, flags & MFD_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the last reference: frees the inode */
	return fd;
}

/* The seals of f's file: a memfd's own; a tmpfs file's are F_SEAL_SEAL
 * (Linux's shmem files: sealable in principle, sealed against it); other
 * files have none to show: -EINVAL. VFS lock held. */
static long file_seals(struct file *f)
{
	struct inode *ino = f->inode;
	if (ino->sealable)
		return ino->seals;
	if (S_ISREG(ino->mode) && ino->sb && !strcmp(ino->sb->type, "tmpfs"))
		return F_SEAL_SEAL;
	return -EINVAL;
}

long memfd_get_seals(struct file *f)
{
	vfs_lock();
	long r = file_seals(f);
	vfs_unlock();
	return r;
}

long memfd_add_seals(struct file *f, unsigned long seals)
{
	/* Linux's order: write access, known seals, a sealable file, not
	 * sealed against sealing. */
	int acc = f->flags & O_ACCMODE;
	if ((f->flags & O_PATH) || (acc != O_WRONLY && acc != O_RDWR))
		return -EPERM;
	if (seals & ~(unsigned long)F_ALL_SEALS)
		return -EINVAL;
	vfs_lock();
	struct inode *ino = f->inode;
	long r = file_seals(f);
	if (r >= 0 && (r & F_SEAL_SEAL))
		r = -EPERM;
	/* F_SEAL_WRITE with a mapping that may still write: -EBUSY. Mmaps
	 * past their seal check (seal_mmaps) count, so none slips in
	 * between this test and the seal: the VFS lock orders the two. */
	if (r >= 0 && (seals & F_SEAL_WRITE) && !(r & F_SEAL_WRITE) &&
	    (ino->seal_mmaps ||
	     (ino->data && proc_maps_shared_writable(ino->data))))
		r = -EBUSY;
	if (r >= 0) {
		ino->seals |= (unsigned)seals;
		r = 0;
	}
	vfs_unlock();
	return r;
}
