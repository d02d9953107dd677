/* Helpers shared by the file-system system calls (kernel/sys_fs.c,
 * sys_io.c, sys_stat.c, sys_namei.c, sys_attr.c): user paths in, and the
 * directory or inode a call works on, each with a reference its caller
 * drops (vfs_inode_put). */
#ifndef LIMEN_KERNEL_SYS_FS_H
#define LIMEN_KERNEL_SYS_FS_H

#include <fs/vfs.h>
#include <mm/kmalloc.h>

struct stat;

/* Copies a user path into a new kernel buffer (kfree it); NULL and *err
 * on failure. */
char *getname(const char __user *upath, long *err);
/* The inode of fd (AT_FDCWD: the cwd), with a reference. */
long fd_inode(int fd, struct inode **out);
/* The directory a *at() call starts from, with a reference; NULL for the
 * cwd (or an absolute path), which the walk reads under the VFS lock. */
long at_dir(int dirfd, const char *path, struct inode **dir);
/* The inode a path names (AT_EMPTY_PATH: dirfd's), with a reference; or,
 * with st, its attributes taken in the walk's lock hold, no reference. */
long lookup_at(int dirfd, const char __user *upath, int flags,
	       struct inode **out, struct stat *st);
long stat_common(int dirfd, const char __user *upath, int flags,
		 struct inode **out);

#endif
