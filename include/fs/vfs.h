/* The virtual file system. The namespace is a tree of in-memory inodes:
 * each directory inode holds its entries (struct dir_entry), which serve
 * as the dentry cache. Every inode belongs to a super_block, one per
 * mounted file-system instance (fs/super.c):
 *  - memory file systems (rootfs, tmpfs, devtmpfs, proc) keep everything
 *    in the inode itself: entries, file pages, symlink targets;
 *  - disk file systems (ext2, fs/ext2/vfs.c) fill a directory's entries
 *    from disk the first time it is searched (super_ops.load_dir), keep
 *    file data on disk (read/write/truncate through the block cache), and
 *    mirror each namespace change to disk through the other super_ops.
 * A mount hangs a super_block's root on a directory (inode->mounted);
 * path walks cross it downwards, and ".." crosses back up.
 * Device nodes dispatch to character drivers by major:minor (fs/chrdev.c).
 *
 * Locking: the VFS lock (vfs_lock, a sleeping mutex in fs/inode.c)
 * protects every inode's fields, directory lists and file data, every
 * super_block and mount, and every struct file's position. Disk file
 * systems sleep under it for the disk. Device read/write (the tty may
 * block for a long time) and pipes run without it. */
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

struct blkdev;
struct file;
struct inode;
struct super_block;
struct kstatfs;
struct shm_obj;

/* Where the reading of a record file (fs/procfs.c's seq_file_read) stands:
 * the record to show next, and a hint for the table that shows them: the
 * element it showed last and the table's count of removals then. While
 * nothing was removed the element is still on the list and the next
 * records follow it, so a table of thousands is walked once, not once per
 * buffer; the hint is never followed once the count moved. */
struct seq_pos {
	uint64_t idx;
	const void *last;
	uint64_t gen;
};

struct file_ops {
	/* Kernel buffers; *pos is the file position to use and advance. */
	long (*read)(struct file *f, char *buf, size_t n, uint64_t *pos);
	long (*write)(struct file *f, const char *buf, size_t n, uint64_t *pos);
	long (*ioctl)(struct file *f, unsigned long cmd, uintptr_t arg);
	/* NULL: the generic lseek on the inode's size. */
	long (*lseek)(struct file *f, int64_t off, int whence);
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

/* pos orders a directory's entries for getdents: it only grows, so a
 * position a reader saved stays valid whatever is added or removed (rm -r
 * deletes while it reads). */
struct dir_entry {
	char *name;
	struct inode *inode;
	struct list_head link;
	uint64_t pos;
};

/* What a disk file system does for the VFS. All are called with the VFS
 * lock held and may sleep. The namespace hooks run after the VFS has made
 * the change in memory (links counted, entries added or removed) and
 * write it to disk; when one fails the VFS undoes the memory side. */
struct super_ops {
	/* Fills dir's entries (dir_attach) from disk. */
	int (*load_dir)(struct inode *dir);
	/* A new name for a new inode: allocate it on disk (setting
	 * ino->ino; a directory gets "." and ".."), add the entry. */
	int (*create)(struct inode *dir, const char *name, struct inode *ino);
	/* A new name for an existing inode (link(2)). */
	int (*link)(struct inode *dir, const char *name, struct inode *ino);
	/* The name is gone (ino may have other links, or none left). */
	int (*unlink)(struct inode *dir, const char *name, struct inode *ino);
	/* oname in odir is now nname in ndir; victim (or NULL) was the inode
	 * nname named before and has already lost that link. */
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, struct inode *ino,
		      struct inode *victim);
	/* Attributes (mode, ids, times, link count) to disk. */
	int (*write_inode)(struct inode *ino);
	long (*read)(struct inode *ino, char *buf, size_t n, uint64_t off);
	long (*write)(struct inode *ino, const char *buf, size_t n,
		      uint64_t off);
	int (*truncate)(struct inode *ino, uint64_t len);
	int (*set_symlink)(struct inode *ino, const char *target, size_t len);
	long (*readlink)(struct inode *ino, char *buf, size_t n);
	/* The memory inode is going away: free the file on disk if it has
	 * no links left, and the file system's private data. */
	void (*evict)(struct inode *ino);
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* Everything dirty to the disk (sync, syncfs, fsync). */
	int (*sync)(struct super_block *sb);
	/* Unmount: write back and free the instance. */
	int (*put_super)(struct super_block *sb);
	/* mount -o remount,rw of a file system mounted read-only. */
	int (*remount_rw)(struct super_block *sb);
};

/* One file-system instance. */
struct super_block {
	const char *type;    /* "ext2", "tmpfs", ... as /proc/mounts says */
	char source[64];     /* "/dev/vda", "tmpfs", ... */
	char options[64];    /* extra mount options for /proc/mounts */
	uint64_t dev;	     /* st_dev of its inodes */
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, ... */
	/* The kernel makes its tree (/proc): nobody, root included, may
	 * add, remove or rename its entries or change their attributes. */
	bool generated;
	uint32_t magic; /* statfs f_type */
	struct inode *root;
	struct inode *covered;	     /* where it is mounted; NULL: not (yet) */
	const struct super_ops *ops; /* NULL: a memory file system */
	void *priv;
	uint64_t max_pages, used_pages;	  /* tmpfs size=; 0 = no limit */
	uint64_t max_inodes, used_inodes; /* tmpfs nr_inodes=; 0: no limit */
	bool dying; /* being unmounted: evict frees no file on disk */
	struct list_head link; /* the mount list */
};

/* Every field below is guarded by the VFS lock, except refs, changed
 * atomically (dropping the last reference takes the lock: inode_put). */
struct vfs_ctx;

struct inode {
	uint64_t ino;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint64_t rdev;
	struct kstat_timespec atime, mtime, ctime;
	int refs;		  /* open files, cwds, walks in progress */
	struct inode *parent;	  /* directories: for ".." and getcwd */
	struct list_head entries; /* directories: struct dir_entry */
	/* Memory files: the data, pages indexed by file offset (a shared
	 * memory object, which mmap maps; made by the first write or mmap;
	 * NULL: all holes). charged: its pages counted in the file
	 * system's used_pages (tmpfs size=): those write() allocated. */
	struct shm_obj *data;
	uint64_t charged;
	/* memfd_create's files (sealable) and the F_SEAL_* they carry
	 * (kernel/sys_memfd.c; checked by write, truncate and mmap);
	 * seal_mmaps counts shared mmaps that may write, between their seal
	 * check and their VMA's insertion, so F_SEAL_WRITE can refuse them.
	 * VFS lock, as every field here. */
	bool sealable;
	unsigned seals;
	unsigned seal_mmaps;
	char *target;		     /* symlinks */
	const struct file_ops *fops; /* device nodes: the driver; generated
				      * files: their operations */
	/* Generated file systems (fs/procfs.c): a directory rebuilds its
	 * entries before each lookup or listing, a link made per caller
	 * (/proc/self) its target before each readlink or follow; a file
	 * makes its text when it is first read through an open file. */
	void (*refresh)(struct inode *dir);
	long (*generate)(struct inode *ino, char *buf, size_t size);
	int gen_pid;
	/* Generated files and links of a process (/proc/PID/environ, maps,
	 * exe, fd/N...): a check of the caller's right to look into that
	 * process before open, readlink or following (Linux's ptrace read
	 * access), or NULL. */
	int (*may_access)(struct inode *ino, const struct vfs_ctx *ctx);
	/* /proc/PID/fd and fdinfo: process gen_pid itself may always use
	 * them, whoever owns them (Linux's proc_fd_permission). */
	bool gen_self_ok;
	/* Generated links: what the target was made from (/proc/PID/fd/N:
	 * the descriptor's inode), to notice when it must be made again. */
	uint64_t gen_key;
	/* Magic links (/proc/PID/fd/N, gen_fd N): following one lands on the
	 * open file's own inode, with a reference, rather than on what its
	 * target names, as Linux's nd_jump_link (a pipe's, a socket's, a
	 * deleted file's); NULL from it: follow the target. Called under the
	 * VFS lock. */
	struct inode *(*jump)(struct inode *link);
	int gen_fd;
	struct super_block *sb;
	struct inode *mounted; /* directories: the root mounted here */
	bool loaded;	       /* disk directories: entries are in memory */
	uint64_t next_pos;     /* directories: pos of the next entry */
	uint64_t disk_blocks;  /* disk files: st_blocks (512-byte units) */
	/* Disk files with a page cache (fs/pagecache.c): on its list, and
	 * where the next sequential read would start and how far ahead it
	 * reads. */
	struct list_head pc_link;
	uint64_t ra_next;
	uint32_t ra_pages;
	/* vfs_inode_put_async's list (its own lock). */
	struct list_head defer_link;
	void *fs_priv; /* the disk file system's */
	/* FIFOs and pipes: the pipe buffer while the inode is open
	 * (fs/pipe.c; its fifo_lock, not the VFS lock). */
	struct pipe *pipe;
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
/* A process's file-system context. uid and gid are its filesystem ids
 * (Linux's fsuid/fsgid: the effective ids but after setfsuid/setfsgid),
 * which every file permission check uses with the supplementary groups
 * (the process's own array, or NULL with ngroups 0 for kernel contexts). */
struct vfs_ctx {
	struct inode *root, *cwd;
	uint32_t umask;
	uint32_t uid, gid;
	const uint32_t *groups;
	int ngroups;
};

/* Whether gid is ctx's filesystem gid or one of its supplementary groups
 * (Linux's in_group_p). */
bool vfs_in_group(const struct vfs_ctx *ctx, uint32_t gid);
/* Whether ctx owns ino or is root (Linux's inode_owner_or_capable). */
bool vfs_owner_or_root(const struct vfs_ctx *ctx, const struct inode *ino);

#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4

/* fs/inode.c */
/* The VFS lock (a sleeping mutex: disk file systems sleep under it). */
void vfs_lock(void);
void vfs_unlock(void);
bool vfs_locked(void);
/* A new inode on sb (NULL: no file system, for pipes); no links, no
 * references. inode_alloc: on the root file system. */
struct inode *inode_alloc_sb(struct super_block *sb, uint32_t mode);
struct inode *inode_alloc(uint32_t mode);
/* Writes ino's attributes back if its file system keeps them on disk. */
int inode_sync_attr(struct inode *ino);
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);     /* under the VFS lock */
void vfs_inode_put(struct inode *ino); /* takes the VFS lock; NULL: none */
/* Drops a reference where the VFS lock cannot be taken (a mapping going
 * away with its mm locked): the last is dropped by the next vfs_lock. */
void vfs_inode_put_async(struct inode *ino);
int inode_permission(const struct vfs_ctx *ctx, struct inode *ino, int may);
void inode_stat(struct inode *ino, struct stat *st);
int inode_truncate(struct inode *ino, uint64_t len);
long inode_read_data(struct inode *ino, char *buf, size_t n, uint64_t off);
long inode_write_data(struct inode *ino, const char *buf, size_t n,
		      uint64_t off);
void inode_touch(struct inode *ino, bool modify);
/* Under the VFS lock: a write or truncation of a regular file by someone
 * other than root (fsuid) clears its set-user-ID bit and, with group
 * execute, its set-group-ID bit (Linux's file_remove_privs). */
void inode_remove_privs(struct inode *ino, uint32_t fsuid);
/* Whether ino is a regular file whose data is in memory (tmpfs, ramfs,
 * the initramfs root, memfd), which mmap can map. */
bool inode_is_memfile(struct inode *ino);
/* Under the VFS lock: a memory file's data object (made if needed), with
 * a reference for the caller; NULL if out of memory. */
struct shm_obj *inode_shm(struct inode *ino);

/* fs/pagecache.c: the page cache of regular files on disk. All under the
 * VFS lock but pcache_sync_obj, which takes it. */
#define PCACHE_MAX_PAGES (1ULL << 32) /* 16 TiB: past ext2's largest file */
/* Whether ino's data goes through the page cache. */
bool inode_has_pcache(struct inode *ino);
/* ino's cache (made if needed, without a reference); NULL if out of
 * memory. */
struct shm_obj *pcache_obj(struct inode *ino);
/* ino is being freed: a mapping that outlives it (after umount) reads no
 * more pages. */
void pcache_detach(struct inode *ino);
long pcache_read(struct inode *ino, char *buf, size_t n, uint64_t off);
long pcache_write(struct inode *ino, const char *buf, size_t n, uint64_t off);
/* A file (memory or disk) shrank to from pages: they leave its object s
 * and every process's mappings of them. */
void file_pages_truncated(struct shm_obj *s, uint64_t from);
/* After the file system truncated ino from old bytes to len. */
void pcache_truncate(struct inode *ino, uint64_t old, uint64_t len);
/* Writes ino's dirty pages in [from, to) to its file system (not yet to
 * the disk: vfs_sync_sb). 0 or the first error. */
int pcache_writeback(struct inode *ino, uint64_t from, uint64_t to);
/* The same for every file of sb (NULL: of all file systems). */
int pcache_sync_sb(struct super_block *sb);
/* msync: the dirty pages of the cache s in [from, to) to the file system,
 * and with wait to the disk. */
int pcache_sync_obj(struct shm_obj *s, uint64_t from, uint64_t to, bool wait);

/* fs/namei.c: resolve a path from dir (a dirfd's directory, or NULL for
 * ctx's cwd, read under the VFS lock). */
#define LOOKUP_FOLLOW 1 /* follow a symlink in the last component */
/* Both return the inode with a reference the caller drops (inode_put,
 * under the VFS lock), and nothing on error. */
int vfs_lookup(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       int flags, struct inode **out);
/* The parent directory of path's last component, and that component. */
int vfs_lookup_parent(const struct vfs_ctx *ctx, struct inode *dir,
		      const char *path, struct inode **parent,
		      char name[NAME_MAX + 1], bool *trailing_slash);
struct inode *dir_find(struct inode *dir, const char *name);
/* Loads a disk directory's entries if not yet done: 0 or -EIO. */
int dir_load(struct inode *dir);
/* Adds name -> ino in memory: ino gains a link (a directory gets dir as
 * parent, dir a link for ".."). */
int dir_add(struct inode *dir, const char *name, struct inode *ino);
/* The same for entries loaded from disk: link counts already right. */
int dir_attach(struct inode *dir, const char *name, struct inode *ino);
int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size);
/* A path naming ino (not a directory) as seen from ctx's root, found by
 * searching its file system's directories in memory (fs/super.c); one of
 * them if it has several links. -ENOENT if no name is left (unlinked) or
 * none was found among the first 8192 names searched. */
int vfs_inode_path(const struct vfs_ctx *ctx, struct inode *ino, char *buf,
		   size_t size);

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

/* Whether ino's names and attributes may be changed from user space:
 * -EROFS on a read-only mount, -EPERM in a generated tree (/proc, as
 * Linux's proc_setattr and its directories without create or unlink). */
int vfs_changeable(const struct inode *ino);

/* fs/file.c: open files. */
int vfs_open(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	     int flags, uint32_t mode, struct file **out);
int vfs_open_inode(struct inode *ino, int flags, struct file **out);
/* fs/pipe.c: a FIFO's open files (open joins or makes inode->pipe). */
extern const struct file_ops fifo_ops;
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
/* Under the VFS lock: -EPERM if ino's seals forbid resizing it to len
 * (F_SEAL_SHRINK, F_SEAL_GROW), else 0. */
int vfs_seal_check_size(struct inode *ino, uint64_t len);

/* kernel/sys_memfd.c: fcntl's F_ADD_SEALS and F_GET_SEALS. */
long memfd_add_seals(struct file *f, unsigned long seals);
long memfd_get_seals(struct file *f);

/* fs/super.c: file-system instances and the mount table. */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_SYNCHRONOUS 16
#define MS_REMOUNT 32
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SILENT 32768
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

struct kstatfs { /* struct statfs of x86_64 Linux */
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags;
	int64_t f_spare[4];
};

/* A new instance with an anonymous device number, or NULL. */
struct super_block *super_alloc(const char *type, const char *source);
/* The root file system (a ramfs the initramfs fills) and the root of the
 * namespace new processes start in (rootfs, or the disk mounted by
 * root=). */
struct super_block *vfs_rootfs(void);
/* mount(2) on an already resolved directory (fs/super.c checks the rest):
 * ext2 (source a block device), tmpfs, ramfs, proc, devtmpfs. */
int vfs_mount(const struct vfs_ctx *ctx, const char *source,
	      struct inode *target, const char *type, unsigned long flags,
	      const char *data);
/* umount2 of the file system whose root is root, which carries the
 * caller's reference (vfs_lookup's); this call drops it. */
int vfs_umount(const struct vfs_ctx *ctx, struct inode *root, int flags);
/* root=: mounts the disk and makes it "/" for init. 0 or -errno. */
int vfs_mount_root(const char *dev, const char *type, bool ro);
/* /dev/shm, where shm_open and sem_open keep their objects: a tmpfs
 * (mode 1777, nosuid, nodev) mounted on dev's "shm", made if missing. On
 * Linux a distribution's init mounts it; here the kernel does, on the
 * initramfs's /dev and on the devtmpfs it mounts for a disk root, so a
 * program run as rdinit= has it too. VFS lock held. */
void vfs_mount_dev_shm(struct inode *dev);
/* /dev/pts: a devpts (fs/devpts.c, mode 0755) mounted on dev's "pts",
 * made if missing, where vfs_mount_dev_shm mounts /dev/shm. VFS lock
 * held. */
void vfs_mount_dev_pts(struct inode *dev);
/* The directory a path walk ends in when it reaches dir: the root of the
 * file system mounted on it, if any (repeatedly). */
struct inode *vfs_follow_mount(struct inode *dir);
int vfs_statfs(struct inode *ino, struct kstatfs *st);
/* A mounted file system's id (its place in the mount list, from 1), as
 * /proc/PID/fdinfo's mnt_id; 0 for none. Caller holds the VFS lock. */
int vfs_mount_id(const struct super_block *sb);
/* Writes back every file system (sync), or one (syncfs, fsync). */
int vfs_sync_all(void);
int vfs_sync_sb(struct super_block *sb);
/* /proc/mounts. Caller holds the VFS lock. */
long vfs_show_mounts(char *buf, size_t size);
/* Flushes everything before power off or reboot. */
void vfs_shutdown(void);
/* Frees an inode nothing refers to any more (unmount). */
void inode_destroy(struct inode *ino);
/* fs/ext2/vfs.c */
int ext2_vfs_mount(struct blkdev *bd, const char *source, bool ro,
		   struct super_block **out);
/* True while an ext2 file system is mounted from bd. VFS lock held. */
bool ext2_device_busy(struct blkdev *bd);
/* fs/bdev_file.c: block-device nodes opened as files. */
int bdev_open(struct inode *ino, struct file *f);
/* fs/devtmpfs.c: the device nodes of a /dev. */
void devtmpfs_populate(struct inode *dir);

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
/* fs/procfs_sys.c: makes dir a /proc (the root of a proc mount). */
void procfs_fill(struct inode *dir);

#endif
