/* The virtual file system. For now every file lives in memory: the root is
 * a ramfs filled from the initramfs, and inodes carry the ramfs data
 * directly (directory entries, file pages, symlink targets); device nodes
 * dispatch to character drivers by major:minor (fs/chrdev.c). A
 * super_block layer arrives with ext2 (issue #5).
 *
 * Locking: fs_lock (fs/inode.c) protects every inode's fields, directory
 * lists and file data, and every struct file's position. It is a spinlock
 * and is never held across anything that sleeps: device read/write (the
 * tty may block) run without it. */
#ifndef LIMEN_FS_VFS_H
#define LIMEN_FS_VFS_H

#include <lib/list.h>
#include <spinlock.h>
#include <types.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

#define NAME_MAX 255
#define PATH_MAX 4096
#define SYMLOOP_MAX 40

struct file;
struct inode;

struct file_ops {
	/* Kernel buffers; *pos is the file position to use and advance. */
	long (*read)(struct file *f, char *buf, size_t n, uint64_t *pos);
	long (*write)(struct file *f, const char *buf, size_t n, uint64_t *pos);
	long (*ioctl)(struct file *f, unsigned long cmd, uintptr_t arg);
	void (*release)(struct file *f);
	/* Optional: a device's say on an open (the terminal layer's
	 * controlling-terminal rules); may set f->priv; 0 or -errno. */
	int (*open)(struct file *f);
	/* Readiness for poll: POLLIN/POLLOUT bits; NULL means always ready
	 * for both. poll_wq is where a poller sleeps until that changes. */
	unsigned (*poll)(struct file *f);
	struct wait_queue *(*poll_wq)(struct file *f);
	bool seekable;
	bool seek_noop; /* lseek succeeds and does nothing (/dev/null) */
};

struct dir_entry {
	char *name;
	struct inode *inode;
	struct list_head link;
};

struct inode {
	uint64_t ino;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t rdev;
	struct kstat_timespec atime, mtime, ctime;
	int refs;		     /* open files, cwds, walks in progress */
	struct inode *parent;	     /* directories: for ".." and getcwd */
	struct list_head entries;    /* directories: struct dir_entry */
	uint8_t **pages;	     /* regular files: one page each, or NULL */
	size_t npages;		     /* length of the pages array */
	char *target;		     /* symlinks */
	const struct file_ops *fops; /* device nodes: the driver; generated
				      * files: their operations */
	/* Generated file systems (fs/procfs.c): a directory rebuilds its
	 * entries before each lookup or listing; a file makes its text when
	 * it is first read through an open file. */
	void (*refresh)(struct inode *dir);
	long (*generate)(struct inode *ino, char *buf, size_t size);
	int gen_pid;
};

struct file {
	struct inode *inode;
	uint64_t pos;
	int flags; /* O_ACCMODE | O_APPEND | O_NONBLOCK | ... */
	int refs;
	const struct file_ops *ops;
	void *priv;
};

/* Who is asking and from where: a process's root, cwd, umask, ids. */
struct vfs_ctx {
	struct inode *root, *cwd;
	uint32_t umask;
	uint32_t uid, gid;
};

#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4

/* fs/inode.c */
extern spinlock_t fs_lock;
struct inode *inode_alloc(uint32_t mode);
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
int inode_permission(const struct vfs_ctx *ctx, struct inode *ino, int may);
void inode_stat(struct inode *ino, struct stat *st);
int inode_truncate(struct inode *ino, uint64_t len);
long inode_read_data(struct inode *ino, char *buf, size_t n, uint64_t off);
long inode_write_data(struct inode *ino, const char *buf, size_t n,
		      uint64_t off);
void inode_touch(struct inode *ino, bool modify);

/* fs/namei.c: resolve a path from dir (cwd or a dirfd's directory). */
#define LOOKUP_FOLLOW 1 /* follow a symlink in the last component */
int vfs_lookup(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       int flags, struct inode **out);
/* The parent directory of path's last component, and that component. */
int vfs_lookup_parent(const struct vfs_ctx *ctx, struct inode *dir,
		      const char *path, struct inode **parent,
		      char name[NAME_MAX + 1], bool *trailing_slash);
struct inode *dir_find(struct inode *dir, const char *name);
int dir_add(struct inode *dir, const char *name, struct inode *ino);
int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size);

/* fs/vfs_ops.c: namespace operations. */
int vfs_create(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       uint32_t mode, uint64_t rdev, struct inode **out);
int vfs_unlink(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       bool rmdir);
int vfs_symlink(const struct vfs_ctx *ctx, const char *target,
		struct inode *dir, const char *path);
int vfs_link(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	     struct inode *ndir, const char *npath, int flags);
int vfs_rename(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	       struct inode *ndir, const char *npath);
long vfs_readlink(struct inode *ino, char *buf, size_t n);

/* fs/file.c: open files. */
int vfs_open(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	     int flags, uint32_t mode, struct file **out);
int vfs_open_inode(struct inode *ino, int flags, struct file **out);
/* A new open file on ino with the given operations (pipes, devices). */
struct file *file_alloc(struct inode *ino, int flags,
			const struct file_ops *ops, void *priv);
struct file *file_get(struct file *f);
void file_put(struct file *f);
long vfs_read(struct file *f, char *buf, size_t n);
long vfs_write(struct file *f, const char *buf, size_t n);
long vfs_pread(struct file *f, char *buf, size_t n, uint64_t off);
long vfs_pwrite(struct file *f, const char *buf, size_t n, uint64_t off);
long vfs_lseek(struct file *f, int64_t off, int whence);
long vfs_getdents64(struct file *f, char *buf, size_t n);
long vfs_ioctl(struct file *f, unsigned long cmd, uintptr_t arg);

/* fs/chrdev.c */
int chrdev_register(uint32_t major, uint32_t minor, const struct file_ops *o);
const struct file_ops *chrdev_lookup(uint64_t rdev);

/* fs/initramfs.c */
struct inode *vfs_root(void);
void vfs_init_root(void);
int initramfs_unpack(const void *archive, size_t len);
void initramfs_make_dev(void);
/* fs/procfs.c: fills /proc (after the initramfs is unpacked). */
void procfs_init(void);

#endif
