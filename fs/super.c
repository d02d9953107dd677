/* File-system instances (super blocks) and the mount table: mount(2) and
 * umount2(2) for ext2, tmpfs, ramfs, proc, devtmpfs and devpts, the root
 * mount (root=), statfs, sync, and /proc/mounts. The memory file systems'
 * instances are made in fs/tmpfs.c, ext2's in fs/ext2/.
 *
 * A mount makes a super block's root the "mounted" child of a directory;
 * the path walk (fs/namei.c) crosses it. One list holds the mounted
 * super blocks in mount order, which is the order /proc/mounts shows. */
#include <fs/bcache.h>
#include <fs/blkdev.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/sort.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <panic.h>
#include <printk.h>
#include <uapi/errno.h>
#include "tmpfs.h"

static LIST_HEAD(mounts);

static uint32_t next_anon_minor = 1;
static struct super_block *rootfs_sb;
static struct inode *ns_root; /* "/" for new processes */

/* ---- super blocks ------------------------------------------------------- */

struct super_block *super_alloc(const char *type, const char *source)
{
	struct super_block *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return NULL;
	sb->type = type;
	strlcpy(sb->source, source ? source : "none", sizeof(sb->source));
	/* Anonymous device numbers 0:N, as Linux gives memory file
	 * systems; disk file systems replace it with the disk's. */
	uint32_t minor = next_anon_minor++;
	sb->dev = MKDEV(0, minor);
	list_init(&sb->link);
	return sb;
}

struct super_block *vfs_rootfs(void)
{
	return rootfs_sb;
}

struct inode *vfs_root(void)
{
	return ns_root;
}

void vfs_init_root(void)
{
	rootfs_sb = super_alloc("rootfs", "rootfs");
	if (!rootfs_sb || !memfs_root(rootfs_sb, 0755))
		panic("vfs: no memory for the root file system");
	rootfs_sb->magic = RAMFS_MAGIC;
	rootfs_sb->root->parent = rootfs_sb->root;
	ns_root = rootfs_sb->root;
	list_add_tail(&rootfs_sb->link, &mounts);
}

/* ---- freeing an unmounted file system ------------------------------------ */

/* A growable stack of pointers. The trees below are walked with it
 * rather than by recursion: their depth is what users made it with mkdir,
 * and must not reach the kernel stack. */
struct ptr_vec {
	void **v;
	size_t n, cap;
};

static int ptr_push(struct ptr_vec *pv, void *p)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 64;
		void **nv = kmalloc(cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		if (pv->v)
			memcpy(nv, pv->v, pv->n * sizeof(*nv));
		kfree(pv->v);
		pv->v = nv;
		pv->cap = cap;
	}
	pv->v[pv->n++] = p;
	return 0;
}

/* Walks the entries below root depth first (without crossing mounts):
 * visit(dir, entry, arg) is called on each; a nonzero return ends the walk
 * and is returned, 0 goes on, into the entry's subtree if it names a
 * directory. -ENOMEM if the walk could not be done. */
static int tree_walk(struct inode *root,
		     int (*visit)(struct inode *dir, struct dir_entry *e,
				  void *arg),
		     void *arg)
{
	struct ptr_vec up = {0}; /* (directory, entry) to resume after */
	struct inode *dir = root;
	struct list_head *pos = root->entries.next;
	int r = 0;
	while (r == 0) {
		if (pos == &dir->entries) { /* dir done: back up a level */
			if (up.n == 0)
				break;
			pos = ((struct list_head *)up.v[--up.n])->next;
			dir = up.v[--up.n];
			continue;
		}
		struct dir_entry *e = list_entry(pos, struct dir_entry, link);
		r = visit(dir, e, arg);
		if (r)
			break;
		if (!S_ISDIR(e->inode->mode)) {
			pos = pos->next;
		} else if (ptr_push(&up, dir) || ptr_push(&up, pos)) {
			r = -ENOMEM;
		} else {
			dir = e->inode;
			pos = dir->entries.next;
		}
	}
	kfree(up.v);
	return r;
}

static int busy_visit(struct inode *dir, struct dir_entry *e, void *arg)
{
	(void)dir;
	(void)arg;
	struct inode *ino = e->inode;
	if (S_ISDIR(ino->mode) && ino->mounted)
		return -EBUSY;
	return ino->refs > 0 ? -EBUSY : 0;
}

/* Whether anything in the tree below root is in use (an open file, a cwd,
 * a mount), beyond the caller's one reference to root: -EBUSY if so,
 * -ENOMEM if the walk could not be done, else 0. */
static int tree_busy(struct inode *root)
{
	return root->refs > 1 ? -EBUSY : tree_walk(root, busy_visit, NULL);
}

/* The most entries one vfs_inode_path visits: it runs under the VFS lock,
 * and a user can make a file system hold millions of names. */
#define NAME_SEARCH_BUDGET 8192

struct name_search {
	struct inode *target, *dir;
	const char *name;
	unsigned budget;
};

static int name_visit(struct inode *dir, struct dir_entry *e, void *arg)
{
	struct name_search *ns = arg;
	if (ns->budget-- == 0)
		return -ENOENT;
	if (e->inode != ns->target)
		return 0;
	ns->dir = dir;
	ns->name = e->name;
	return 1;
}

int vfs_inode_path(const struct vfs_ctx *ctx, struct inode *ino, char *buf,
		   size_t size)
{
	if (S_ISDIR(ino->mode) || !ino->sb || !ino->sb->root)
		return -ENOENT;
	struct name_search ns = {ino, NULL, NULL, NAME_SEARCH_BUDGET};
	int r = tree_walk(ino->sb->root, name_visit, &ns);
	if (r != 1)
		return r < 0 ? r : -ENOENT; /* unlinked, or out of memory */
	struct vfs_ctx c = *ctx;
	c.cwd = ns.dir;
	r = vfs_getcwd(&c, buf, size);
	if (r < 0)
		return r;
	size_t len = strlen(buf), nl = strlen(ns.name);
	if (len == 1) /* "/" */
		len = 0;
	if (len + 1 + nl + 1 > size)
		return -ENAMETOOLONG;
	buf[len] = '/';
	memcpy(buf + len + 1, ns.name, nl + 1);
	return 0;
}

/* Takes every entry out of the tree below root and collects the inodes
 * they named into *out (an inode with several hard links once per name).
 * An inode that could not be recorded for lack of memory leaks, with a
 * warning; nothing is freed twice. */
static void tree_collect(struct inode *root, struct ptr_vec *out)
{
	struct ptr_vec up = {0}; /* the directories being emptied */
	struct inode *dir = root;
	for (;;) {
		if (list_empty(&dir->entries)) {
			if (up.n == 0)
				break;
			dir = up.v[--up.n];
			continue;
		}
		struct dir_entry *e =
		    list_first_entry(&dir->entries, struct dir_entry, link);
		struct inode *ino = e->inode;
		list_del(&e->link);
		kfree(e->name);
		kfree(e);
		if (ptr_push(out, ino))
			pr_warn("vfs: umount: out of memory, an inode leaks");
		else if (S_ISDIR(ino->mode) && !list_empty(&ino->entries)) {
			if (ptr_push(&up, dir))
				pr_warn("vfs: umount: out of memory, a "
					"directory's contents leak");
			else
				dir = ino;
		}
	}
	kfree(up.v);
}

/* Frees the memory of an unmounted tree; the disk is not touched
 * (sb->dying). The inodes are sorted so each is destroyed once, however
 * many names it had. */
static void tree_free(struct inode *root)
{
	struct ptr_vec iv = {0};
	tree_collect(root, &iv);
	sort_ptrs(iv.v, iv.n);
	for (size_t i = 0; i < iv.n; i++)
		if (i == 0 || iv.v[i] != iv.v[i - 1])
			inode_destroy(iv.v[i]);
	kfree(iv.v);
}

/* ---- mount and umount -----------------------------------------------------
 */

static int get_super(const char *source, const char *type, unsigned long flags,
		     const char *data, struct super_block **sb)
{
	if (strcmp(type, "tmpfs") == 0 || strcmp(type, "ramfs") == 0)
		return memfs_mount(type, source, data, sb);
	if (strcmp(type, "proc") == 0)
		return procfs_mount(source, sb);
	if (strcmp(type, "devtmpfs") == 0)
		return devtmpfs_mount(source, sb);
	if (strcmp(type, "devpts") == 0)
		return devpts_mount(source, sb); /* options are ignored */
	if (strcmp(type, "ext2") == 0) {
		struct blkdev *bd = blkdev_find(source);
		if (!bd)
			return -ENXIO; /* no such disk */
		return ext2_vfs_mount(bd, source, flags & MS_RDONLY, sb);
	}
	return -ENODEV; /* an unknown type, as Linux says */
}

static void attach(struct super_block *sb, struct inode *target)
{
	sb->covered = target;
	target->mounted = sb->root;
	inode_get(target);
	list_add_tail(&sb->link, &mounts);
}

/* dev's directory name (made with mode if missing) if nothing is mounted
 * on it yet, else NULL. */
static struct inode *dev_mountpoint(struct inode *dev, const char *name,
				    uint32_t mode)
{
	struct inode *dir = dir_find(dev, name);
	if (!dir) {
		dir = inode_alloc_sb(dev->sb, S_IFDIR | mode);
		if (!dir)
			return NULL;
		dir->nlink = 1; /* "."; dir_add counts the entry */
		dir->loaded = true;
		if (dir_add(dev, name, dir)) {
			kfree(dir);
			return NULL;
		}
	}
	return S_ISDIR(dir->mode) && !dir->mounted ? dir : NULL;
}

void vfs_mount_dev_shm(struct inode *dev)
{
	struct inode *dir = dev_mountpoint(dev, "shm", 01777);
	struct super_block *sb;
	if (!dir || memfs_mount("tmpfs", "tmpfs", NULL, &sb))
		return;
	sb->flags |= MS_NOSUID | MS_NODEV; /* as distributions mount it */
	attach(sb, dir);
}

void vfs_mount_dev_pts(struct inode *dev)
{
	struct inode *dir = dev_mountpoint(dev, "pts", 0755);
	struct super_block *sb;
	if (!dir || devpts_mount("devpts", &sb))
		return;
	attach(sb, dir);
}

/* The block device a mount source names: a path to a block device node,
 * or a bare name the registry knows ("/dev/vda" before /dev exists). */
static const char *resolve_source(const struct vfs_ctx *ctx, const char *src)
{
	struct inode *ino;
	if (vfs_lookup(ctx, ctx->cwd, src, LOOKUP_FOLLOW, &ino))
		return src;
	struct blkdev *bd =
	    S_ISBLK(ino->mode) ? blkdev_find_rdev(ino->rdev) : NULL;
	inode_put(ino);
	return bd ? bd->name : src;
}

static int remount(struct inode *target, unsigned long flags)
{
	struct super_block *sb = target->sb;
	if (target != sb->root)
		return -EINVAL;
	if (!(flags & MS_RDONLY) && sb->ops && (sb->flags & MS_RDONLY) &&
	    sb->ops->remount_rw == NULL)
		return -EROFS;
	if ((flags & MS_RDONLY) && sb->ops && sb->ops->sync)
		sb->ops->sync(sb);
	if (!(flags & MS_RDONLY) && sb->ops && (sb->flags & MS_RDONLY)) {
		int r = sb->ops->remount_rw(sb);
		if (r)
			return r;
	}
	sb->flags = (sb->flags & ~(unsigned long)(MS_RDONLY | MS_NOSUID |
						  MS_NODEV | MS_NOEXEC)) |
		    (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	return 0;
}

int vfs_mount(const struct vfs_ctx *ctx, const char *source,
	      struct inode *target, const char *type, unsigned long flags,
	      const char *data)
{
	if (ctx->uid != 0)
		return -EPERM;
	if (!S_ISDIR(target->mode))
		return -ENOTDIR;
	if (flags & MS_REMOUNT)
		return remount(target, flags);
	if (flags & (MS_BIND | MS_MOVE)) {
		pr_info("mount: bind and move mounts are not supported");
		return -EINVAL;
	}
	if (!type)
		return -EINVAL;
	struct super_block *sb;
	int r = get_super(resolve_source(ctx, source ? source : "none"), type,
			  flags, data, &sb);
	if (r)
		return r;
	sb->flags |= flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (source) /* as the user named it, for /proc/mounts */
		strlcpy(sb->source, source, sizeof(sb->source));
	attach(sb, target);
	return 0;
}

static int super_free(struct super_block *sb)
{
	int r = 0;
	/* The memory inodes first (their private data may point into the
	 * instance), then the instance writes itself back. */
	sb->dying = true;
	tree_free(sb->root);
	inode_destroy(sb->root);
	if (sb->ops && sb->ops->put_super)
		r = sb->ops->put_super(sb);
	kfree(sb);
	return r;
}

/* Whether root's file system may go: 0, or why not. busy says whether
 * something in it is still in use beyond the caller's reference. */
static int umount_check(const struct vfs_ctx *ctx, struct inode *root,
			int flags, bool *busy)
{
	if (ctx->uid != 0)
		return -EPERM;
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	struct super_block *sb = root->sb;
	if (!sb || root != sb->root)
		return -EINVAL; /* not a mount point */
	if (!sb->covered || root == ctx->root)
		return -EBUSY; /* "/" itself */
	if (root->mounted)
		return -EBUSY; /* something is mounted on top of it */
	inode_put(root);       /* the caller's: not a use */
	int r = tree_busy(root);
	inode_get(root);
	if (r == -ENOMEM)
		return r;
	*busy = r == -EBUSY;
	if (*busy && !(flags & MNT_DETACH))
		return -EBUSY;
	return 0;
}

int vfs_umount(const struct vfs_ctx *ctx, struct inode *root, int flags)
{
	bool busy;
	int r = umount_check(ctx, root, flags, &busy);
	inode_put(root); /* root still has its super block's reference */
	if (r)
		return r;
	struct super_block *sb = root->sb;
	struct inode *covered = sb->covered;
	covered->mounted = NULL;
	sb->covered = NULL;
	list_del(&sb->link);
	inode_put(covered);
	if (busy) {
		/* Lazy: gone from the namespace now; the instance stays
		 * until reboot, written back like any other. */
		if (sb->ops && sb->ops->sync)
			sb->ops->sync(sb);
		return 0;
	}
	/* As Linux, the file system is gone whatever writing it back
	 * said: failing the call would claim it is still mounted. Dirty
	 * blocks the disk refused stay in the block cache, which tries
	 * them again. */
	char source[sizeof(sb->source)];
	strlcpy(source, sb->source, sizeof(source));
	r = super_free(sb);
	if (r)
		pr_warn("VFS: %s: write-back at umount failed (%d)", source, r);
	return 0;
}

int vfs_mount_root(const char *dev, const char *type, bool ro)
{
	struct super_block *sb;
	const char *name = dev;
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	if (!blkdev_find(name)) {
		pr_err("VFS: Cannot open root device \"%s\": no such disk",
		       dev);
		return -ENXIO;
	}
	vfs_lock();
	int r = get_super(name, type ? type : "ext2", ro ? MS_RDONLY : 0, NULL,
			  &sb);
	if (!r) {
		sb->flags |= ro ? MS_RDONLY : 0;
		strlcpy(sb->source, "/dev/root", sizeof(sb->source));
		sb->root->parent = sb->root;
		/* rootfs and what is mounted in it are hidden under the
		 * disk now. */
		struct super_block *m, *tmp;
		list_for_each_entry_safe(m, tmp, &mounts, link)
		{
			if (m == rootfs_sb ||
			    (m->covered && m->covered->sb == rootfs_sb))
				list_del(&m->link);
		}
		list_add_tail(&sb->link, &mounts);
		ns_root = sb->root;
		inode_get(ns_root);
		/* As Linux with CONFIG_DEVTMPFS_MOUNT: /dev is a devtmpfs. */
		struct inode *devdir = dir_find(ns_root, "dev");
		struct super_block *dsb;
		if (devdir && S_ISDIR(devdir->mode) &&
		    devtmpfs_mount("devtmpfs", &dsb) == 0) {
			attach(dsb, devdir);
			vfs_mount_dev_shm(dsb->root);
			vfs_mount_dev_pts(dsb->root);
		}
	}
	vfs_unlock();
	if (r)
		pr_err("VFS: Cannot mount root device \"%s\" (error %d)", dev,
		       r);
	else
		pr_notice("VFS: Mounted root (%s filesystem)%s on device "
			  "%u:%u.",
			  sb->type, ro ? " readonly" : "", MAJOR(sb->dev),
			  MINOR(sb->dev));
	return r;
}

/* ---- statfs, sync, /proc/mounts -------------------------------------------
 */

int vfs_statfs(struct inode *ino, struct kstatfs *st)
{
	struct super_block *sb = ino->sb;
	memset(st, 0, sizeof(*st));
	st->f_namelen = NAME_MAX;
	st->f_fsid[0] = (int32_t)(sb ? sb->dev : 0);
	if (!sb) {
		/* Linux's internal file systems: pipefs, sockfs, a memfd's
		 * tmpfs, anon_inodefs (eventfd, epoll, ...). */
		st->f_bsize = st->f_frsize = PAGE_SIZE;
		if (S_ISFIFO(ino->mode))
			st->f_type = 0x50495045; /* PIPEFS_MAGIC */
		else if (S_ISSOCK(ino->mode))
			st->f_type = 0x534f434b; /* SOCKFS_MAGIC */
		else if (S_ISREG(ino->mode))
			st->f_type = TMPFS_MAGIC;
		else
			st->f_type = 0x09041934; /* ANON_INODE_FS_MAGIC */
		return 0;
	}
	st->f_type = sb->magic;
	st->f_flags = (int64_t)(sb->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV |
					     MS_NOEXEC)) |
		      0x20 /* ST_VALID */;
	if (sb->ops && sb->ops->statfs)
		return sb->ops->statfs(sb, st);
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	if (sb->magic == TMPFS_MAGIC)
		tmpfs_statfs(sb, st);
	return 0;
}

int vfs_sync_sb(struct super_block *sb)
{
	if (!sb || !sb->ops || !sb->ops->sync || (sb->flags & MS_RDONLY))
		return 0;
	return sb->ops->sync(sb);
}

int vfs_sync_all(void)
{
	int first = 0;
	struct super_block *sb;
	vfs_lock();
	list_for_each_entry(sb, &mounts, link)
	{
		int r = vfs_sync_sb(sb);
		if (r && !first)
			first = r;
	}
	vfs_unlock();
	return first;
}

void vfs_shutdown(void)
{
	if (vfs_sync_all())
		pr_err("vfs: write-back before power off failed");
}

int vfs_mount_id(const struct super_block *sb)
{
	int id = 1;
	const struct super_block *m;
	list_for_each_entry(m, &mounts, link)
	{
		if (m == sb)
			return id;
		id++;
	}
	return 0; /* pipes, sockets, memfd: no mount */
}

long vfs_show_mounts(char *buf, size_t size)
{
	size_t len = 0;
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	struct super_block *sb;
	list_for_each_entry(sb, &mounts, link)
	{
		const char *where = "/";
		if (sb->covered) {
			struct vfs_ctx c = {.root = ns_root,
					    .cwd = sb->covered};
			if (vfs_getcwd(&c, path, PATH_MAX) > 0)
				where = path;
		}
		if (len < size)
			len += (size_t)snprintf(
			    buf + len, size - len, "%s %s %s %s%s%s%s 0 0\n",
			    sb->source, where, sb->type,
			    (sb->flags & MS_RDONLY) ? "ro" : "rw",
			    (sb->flags & MS_NOSUID) ? ",nosuid" : "",
			    (sb->flags & MS_NODEV) ? ",nodev" : "",
			    sb->options);
	}
	kfree(path);
	return (long)MIN(len, size);
}
