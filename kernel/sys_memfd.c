/* memfd_create: an anonymous memory file. Its inode is a memory file on no
 * file system (as a pipe's: st_dev 0, counted against no tmpfs size=) and
 * in no directory, so it lives while an open file or a mapping holds it;
 * its data is a shared memory object like a tmpfs file's, which mmap maps.
 * File sealing is not implemented: MFD_ALLOW_SEALING is -EINVAL (and so
 * are F_ADD_SEALS and F_GET_SEALS, which fcntl does not know). */
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
#define MFD_NAME_MAX 249 /* Linux's MFD_NAME_MAX_LEN (NAME_MAX - "memfd:") */

SYSCALL_DEFINE2(memfd_create, const char __user *, uname, unsigned, flags)
{
	if (flags & ~MFD_CLOEXEC)
		return -EINVAL; /* sealing, huge pages, exec seals: none */
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
