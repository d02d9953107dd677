/* ext2 under the VFS: the super_ops that turn the VFS's namespace and data
 * operations into calls of the ext2 library (the other files of fs/ext2/,
 * include/fs/ext2.h).
 *
 * Every ext2 inode the VFS has seen has one memory inode (struct inode),
 * found by number in a per-mount hash table, so hard links share it. Its
 * fs_priv is a struct e2_inode: the inode number and a copy of the disk
 * inode, which the library reads and updates (size, block maps) and which
 * write_inode refreshes from the memory inode's attributes before writing
 * it back through the block cache. Directories are read from disk the first
 * time they are searched (load_dir) and then kept in memory. */
#include <fs/bcache.h>
#include <fs/blkdev.h>
#include <fs/ext2.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <printk.h>
#include <uapi/errno.h>

#define EXT2_SUPER_MAGIC 0xEF53
#define E2_HASH 256

struct e2_sb {
	struct ext2_fs *fs;
	struct blkdev *bd;
	struct list_head link; /* e2_mounts */
	struct list_head hash[E2_HASH];
	/* Inodes without names whose freeing failed (an I/O error): tried
	 * again at every sync and at unmount. */
	struct list_head orphans;
};

struct e2_orphan {
	uint32_t num;
	struct ext2_inode di; /* as far as freeing got: the disk may lag */
	struct list_head link;
};

struct e2_inode {
	uint32_t num;
	struct ext2_inode di;
	struct inode *vino;
	struct list_head hlink;
	/* Read by the load_dir now running: undone if that load fails. */
	bool loading;
	struct list_head unload; /* e2_unload_dir's list */
};

static const struct super_ops ext2_sops;
static LIST_HEAD(e2_mounts); /* a disk is mounted at most once */

static struct e2_sb *E2SB(struct super_block *sb)
{
	return sb->priv;
}

static struct e2_inode *E2I(struct inode *ino)
{
	return ino->fs_priv;
}

static struct ext2_fs *FS(struct inode *ino)
{
	return E2SB(ino->sb)->fs;
}

/* ---- disk inode <-> memory inode ----------------------------------------- */

/* Linux keeps the high 16 bits of the ids in osd2 (offsets 4 and 6). */
static uint32_t id_high(const struct ext2_inode *di, int off)
{
	return (uint32_t)di->i_osd2[off] | (uint32_t)di->i_osd2[off + 1] << 8;
}

static void set_id_high(struct ext2_inode *di, int off, uint32_t id)
{
	di->i_osd2[off] = (uint8_t)(id >> 16);
	di->i_osd2[off + 1] = (uint8_t)(id >> 24);
}

/* Device numbers: Linux's old 16-bit encoding in i_block[0] when it fits,
 * else the new one (the same as st_rdev's) in i_block[1]. */
static uint64_t disk_rdev(const struct ext2_inode *di)
{
	if (di->i_block[0])
		return MKDEV((di->i_block[0] >> 8) & 0xff,
			     di->i_block[0] & 0xff);
	return di->i_block[1];
}

static void set_disk_rdev(struct ext2_inode *di, uint64_t rdev)
{
	uint32_t ma = MAJOR(rdev), mi = MINOR(rdev);
	if (ma < 256 && mi < 256) {
		di->i_block[0] = ma << 8 | mi;
		di->i_block[1] = 0;
	} else {
		di->i_block[0] = 0;
		di->i_block[1] = (uint32_t)rdev;
	}
}

static void fill_vnode(struct inode *v, const struct ext2_inode *di)
{
	v->mode = di->i_mode;
	v->uid = di->i_uid | id_high(di, 4) << 16;
	v->gid = di->i_gid | id_high(di, 6) << 16;
	v->nlink = di->i_links_count;
	v->size = ext2_isize(di);
	v->disk_blocks = di->i_blocks;
	v->atime = (struct kstat_timespec){di->i_atime, 0};
	v->mtime = (struct kstat_timespec){di->i_mtime, 0};
	v->ctime = (struct kstat_timespec){di->i_ctime, 0};
	if (S_ISCHR(v->mode) || S_ISBLK(v->mode))
		v->rdev = disk_rdev(di);
	if (S_ISCHR(v->mode))
		v->fops = chrdev_lookup(v->rdev);
}

static void fill_disk(struct ext2_inode *di, const struct inode *v)
{
	di->i_mode = (uint16_t)v->mode;
	di->i_uid = (uint16_t)v->uid;
	di->i_gid = (uint16_t)v->gid;
	set_id_high(di, 4, v->uid);
	set_id_high(di, 6, v->gid);
	di->i_links_count = (uint16_t)v->nlink;
	di->i_atime = (uint32_t)v->atime.tv_sec;
	di->i_mtime = (uint32_t)v->mtime.tv_sec;
	di->i_ctime = (uint32_t)v->ctime.tv_sec;
	if (S_ISCHR(v->mode) || S_ISBLK(v->mode))
		set_disk_rdev(di, v->rdev);
}

static struct list_head *hash_head(struct e2_sb *s, uint32_t num)
{
	return &s->hash[num % E2_HASH];
}

static void hash_add(struct super_block *sb, struct e2_inode *ei)
{
	list_add_tail(&ei->hlink, hash_head(E2SB(sb), ei->num));
}

static struct inode *hash_find(struct super_block *sb, uint32_t num)
{
	struct e2_inode *ei;
	list_for_each_entry(ei, hash_head(E2SB(sb), num), hlink)
	{
		if (ei->num == num)
			return ei->vino;
	}
	return NULL;
}

/* Symlink targets are read when the inode is: the path walk uses them. */
static int load_target(struct inode *v, struct e2_inode *ei)
{
	if (v->size >= PATH_MAX)
		return -EIO;
	char *t = kmalloc(v->size + 1);
	if (!t)
		return -ENOMEM;
	long n = ext2_readlink(FS(v), &ei->di, t, v->size);
	if (n < 0) {
		kfree(t);
		return (int)n;
	}
	t[n] = '\0';
	v->target = t;
	return 0;
}

/* The memory inode of disk inode num, read from disk if not yet seen.
 * -EUCLEAN: the disk says the inode is free (corruption, not an I/O
 * error); *fresh (if asked): read from disk just now. */
static int e2_iget(struct super_block *sb, uint32_t num, struct inode **out,
		   bool *fresh)
{
	struct inode *v = hash_find(sb, num);
	if (fresh)
		*fresh = !v;
	if (v) {
		*out = v;
		return 0;
	}
	struct e2_inode *ei = kzalloc(sizeof(*ei));
	if (!ei)
		return -ENOMEM;
	int r = ext2_iget(E2SB(sb)->fs, num, &ei->di);
	if (!r && (ei->di.i_links_count == 0 || ei->di.i_mode == 0)) {
		pr_err("ext2: %s: entry points to free inode %u", sb->source,
		       num);
		r = -EUCLEAN;
	}
	if (r) {
		kfree(ei);
		return r;
	}
	v = inode_alloc_sb(sb, ei->di.i_mode);
	if (!v) {
		kfree(ei);
		return -ENOMEM;
	}
	ei->num = num;
	ei->vino = v;
	v->ino = num;
	v->fs_priv = ei;
	fill_vnode(v, &ei->di);
	if (S_ISLNK(v->mode) && (r = load_target(v, ei))) {
		v->fs_priv = NULL;
		inode_destroy(v); /* no evict without fs_priv */
		kfree(ei);
		return r;
	}
	hash_add(sb, ei);
	*out = v;
	return 0;
}

/* ---- super_ops ------------------------------------------------------------
 */

struct load_ctx {
	struct inode *dir;
	int err;
};

static int load_one(void *arg, const char *name, size_t len, uint32_t num,
		    uint8_t type)
{
	(void)type;
	struct load_ctx *lc = arg;
	struct inode *dir = lc->dir;
	char buf[NAME_MAX + 1];
	if (len == 0 || len > NAME_MAX || memchr(name, '/', len) ||
	    memchr(name, '\0', len)) {
		pr_err("ext2: %s: directory %llu has a bad name, skipped",
		       dir->sb->source, (unsigned long long)dir->ino);
		return 0;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	struct inode *v;
	bool fresh;
	int r = e2_iget(dir->sb, num, &v, &fresh);
	if (r == -EUCLEAN) {
		pr_err("ext2: %s: \"%s\" in directory %llu: inode %u is "
		       "free, skipped",
		       dir->sb->source, buf, (unsigned long long)dir->ino, num);
		return 0;
	}
	if (r) {
		/* The disk or memory failed, not the file system: the load
		 * fails (and is undone) rather than hide the name. */
		pr_err("ext2: %s: \"%s\" in directory %llu: inode %u "
		       "unreadable (%d)",
		       dir->sb->source, buf, (unsigned long long)dir->ino, num,
		       r);
		lc->err = r;
		return r;
	}
	if (fresh)
		E2I(v)->loading = true;
	/* A directory has one parent. A second name for one (or the root,
	 * or dir itself) would make the tree a loop: refuse it. */
	if (S_ISDIR(v->mode) && (v->parent || v == dir || v == dir->sb->root)) {
		pr_err("ext2: %s: directory loop: \"%s\" in directory %llu "
		       "names directory %u again, skipped",
		       dir->sb->source, buf, (unsigned long long)dir->ino, num);
		return 0;
	}
	return dir_attach(dir, buf, v);
}

/* Undoes a load that failed part way: the VFS will load the directory
 * again, and names it attached must not be there twice, nor a
 * subdirectory look like a second name for itself. The memory inodes the
 * load read go too (nothing else can have found them yet). */
static void e2_unload_dir(struct inode *dir)
{
	LIST_HEAD(gone);
	struct dir_entry *e, *tmp;
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		struct inode *v = e->inode;
		list_del(&e->link);
		kfree(e->name);
		kfree(e);
		if (v->parent == dir)
			v->parent = NULL;
		/* A second name for the same inode finds loading false. */
		if (E2I(v) && E2I(v)->loading && v->refs == 0) {
			E2I(v)->loading = false;
			list_add_tail(&E2I(v)->unload, &gone);
		}
	}
	struct e2_inode *ei, *etmp;
	list_for_each_entry_safe(ei, etmp, &gone, unload)
	{
		list_del(&ei->unload);
		inode_destroy(ei->vino);
	}
}

static int e2_load_dir(struct inode *dir)
{
	struct load_ctx lc = {dir, 0};
	int r = ext2_dir_iterate(FS(dir), &E2I(dir)->di, load_one, &lc);
	if (!r)
		r = lc.err;
	if (r) {
		e2_unload_dir(dir);
		return r;
	}
	struct dir_entry *e;
	list_for_each_entry(e, &dir->entries, link)
	{
		if (E2I(e->inode))
			E2I(e->inode)->loading = false;
	}
	return 0;
}

/* Frees disk inode num; if that fails, remembers it to try again, so an
 * I/O error does not leave it allocated for good. */
static void e2_free_or_orphan(struct super_block *sb, uint32_t num,
			      struct ext2_inode *di)
{
	int r = ext2_ifree(E2SB(sb)->fs, num, di);
	if (!r)
		return;
	struct e2_orphan *o = kmalloc(sizeof(*o));
	pr_err("ext2: %s: freeing inode %u failed (%d)%s", sb->source, num, r,
	       o ? ", will try again" : "");
	if (!o)
		return;
	o->num = num;
	o->di = *di;
	list_add_tail(&o->link, &E2SB(sb)->orphans);
}

/* 0, or the first error of an orphan that still cannot be freed. */
static int e2_free_orphans(struct super_block *sb)
{
	struct e2_orphan *o, *tmp;
	int err = 0;
	list_for_each_entry_safe(o, tmp, &E2SB(sb)->orphans, link)
	{
		int r = ext2_ifree(E2SB(sb)->fs, o->num, &o->di);
		if (r) {
			err = err ? err : r;
			continue;
		}
		list_del(&o->link);
		kfree(o);
	}
	return err;
}

static int e2_write_inode(struct inode *v)
{
	struct e2_inode *ei = E2I(v);
	if (!ei || (v->sb->flags & MS_RDONLY))
		return 0;
	/* The library writes every change it makes to an inode itself, so
	 * the disk copy is ei->di unless an ext2_iput failed: a change of
	 * nothing (a time stamp within the same second) writes nothing. */
	struct ext2_inode d = ei->di;
	fill_disk(&d, v);
	if (!memcmp(&d, &ei->di, sizeof(d)) && ext2_inodes_current(FS(v)))
		return 0;
	ei->di = d;
	return ext2_iput(FS(v), ei->num, &ei->di);
}

static int e2_create(struct inode *dir, const char *name, struct inode *v)
{
	struct ext2_fs *fs = FS(dir);
	struct e2_inode *pd = E2I(dir);
	struct e2_inode *ei = kzalloc(sizeof(*ei));
	if (!ei)
		return -ENOMEM;
	int r = ext2_ialloc(fs, pd->num, (uint16_t)v->mode, &ei->num);
	if (r) {
		kfree(ei);
		return r;
	}
	r = ext2_iget(fs, ei->num, &ei->di);
	fill_disk(&ei->di, v);
	if (!r && S_ISDIR(v->mode))
		r = ext2_dir_init(fs, ei->num, &ei->di, pd->num);
	if (!r)
		r = ext2_iput(fs, ei->num, &ei->di);
	if (!r)
		r = ext2_dir_add(fs, pd->num, &pd->di, name, ei->num,
				 (uint16_t)v->mode);
	if (r) {
		ei->di.i_links_count = 0;
		e2_free_or_orphan(dir->sb, ei->num, &ei->di);
		kfree(ei);
		return r;
	}
	ei->vino = v;
	v->ino = ei->num;
	v->fs_priv = ei;
	v->size = ext2_isize(&ei->di);
	v->disk_blocks = ei->di.i_blocks;
	hash_add(dir->sb, ei);
	dir->size = ext2_isize(&pd->di);
	dir->disk_blocks = pd->di.i_blocks;
	return e2_write_inode(dir);
}

static int e2_link(struct inode *dir, const char *name, struct inode *v)
{
	struct e2_inode *pd = E2I(dir);
	int r = ext2_dir_add(FS(dir), pd->num, &pd->di, name, E2I(v)->num,
			     (uint16_t)v->mode);
	if (r)
		return r;
	dir->size = ext2_isize(&pd->di);
	dir->disk_blocks = pd->di.i_blocks;
	int rd = e2_write_inode(dir);
	r = e2_write_inode(v);
	return r ? r : rd;
}

static int e2_unlink(struct inode *dir, const char *name, struct inode *v)
{
	struct e2_inode *pd = E2I(dir);
	int r = ext2_dir_remove(FS(dir), pd->num, &pd->di, name);
	if (r)
		return r;
	int rd = e2_write_inode(dir);
	r = e2_write_inode(v);
	return r ? r : rd;
}

static int e2_rename(struct inode *odir, const char *oname, struct inode *ndir,
		     const char *nname, struct inode *v, struct inode *victim)
{
	struct ext2_fs *fs = FS(odir);
	struct e2_inode *op = E2I(odir), *np = E2I(ndir);
	int r;
	if (victim) {
		r = ext2_dir_remove(fs, np->num, &np->di, nname);
		if (r)
			return r;
	}
	r = ext2_dir_add(fs, np->num, &np->di, nname, E2I(v)->num,
			 (uint16_t)v->mode);
	if (r) {
		if (victim) /* put the old entry back */
			ext2_dir_add(fs, np->num, &np->di, nname,
				     E2I(victim)->num, (uint16_t)victim->mode);
		return r;
	}
	ndir->size = ext2_isize(&np->di);
	ndir->disk_blocks = np->di.i_blocks;
	r = ext2_dir_remove(fs, op->num, &op->di, oname);
	if (!r && S_ISDIR(v->mode) && odir != ndir)
		r = ext2_dir_set_parent(fs, &E2I(v)->di, np->num);
	return r;
}

static long e2_read(struct inode *v, char *buf, size_t n, uint64_t off)
{
	return ext2_read(FS(v), &E2I(v)->di, buf, n, off);
}

static void sync_size(struct inode *v)
{
	v->size = ext2_isize(&E2I(v)->di);
	v->disk_blocks = E2I(v)->di.i_blocks;
}

static long e2_write(struct inode *v, const char *buf, size_t n, uint64_t off)
{
	long r = ext2_write(FS(v), E2I(v)->num, &E2I(v)->di, buf, n, off);
	sync_size(v);
	return r;
}

static int e2_truncate(struct inode *v, uint64_t len)
{
	int r = ext2_truncate(FS(v), E2I(v)->num, &E2I(v)->di, len);
	sync_size(v);
	return r;
}

static int e2_set_symlink(struct inode *v, const char *target, size_t len)
{
	int r = ext2_set_symlink(FS(v), E2I(v)->num, &E2I(v)->di, target, len);
	sync_size(v);
	return r;
}

static void e2_evict(struct inode *v)
{
	struct e2_inode *ei = E2I(v);
	if (!ei)
		return;
	struct super_block *sb = v->sb;
	if (v->nlink == 0 && !sb->dying && !(sb->flags & MS_RDONLY))
		e2_free_or_orphan(sb, ei->num, &ei->di);
	list_del(&ei->hlink);
	kfree(ei);
	v->fs_priv = NULL;
}

static int e2_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2_statfs es;
	ext2_statfs(E2SB(sb)->fs, &es);
	st->f_type = EXT2_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = es.block_size;
	st->f_blocks = es.blocks;
	st->f_bfree = es.free_blocks;
	st->f_bavail = es.avail_blocks;
	st->f_files = es.inodes;
	st->f_ffree = es.free_inodes;
	st->f_namelen = es.name_max;
	return 0;
}

static int e2_sync(struct super_block *sb)
{
	int p = pcache_sync_sb(sb); /* pages stored through mappings */
	int o = e2_free_orphans(sb);
	int r = ext2_sync(E2SB(sb)->fs);
	return r ? r : o ? o : p;
}

static int e2_put_super(struct super_block *sb)
{
	struct e2_sb *s = E2SB(sb);
	if (!(sb->flags & MS_RDONLY))
		e2_free_orphans(sb);
	struct e2_orphan *o, *tmp;
	list_for_each_entry_safe(o, tmp, &s->orphans, link)
	{
		pr_err("ext2: %s: inode %u stays allocated: run e2fsck",
		       sb->source, o->num);
		list_del(&o->link);
		kfree(o);
	}
	int r = ext2_unmount(s->fs);
	int b = binvalidate(s->bd);
	list_del(&s->link);
	kfree(s);
	sb->priv = NULL;
	return r ? r : b;
}

static const struct super_ops ext2_sops = {
    .load_dir = e2_load_dir,
    .create = e2_create,
    .link = e2_link,
    .unlink = e2_unlink,
    .rename = e2_rename,
    .write_inode = e2_write_inode,
    .read = e2_read,
    .write = e2_write,
    .truncate = e2_truncate,
    .set_symlink = e2_set_symlink,
    .evict = e2_evict,
    .statfs = e2_statfs,
    .sync = e2_sync,
    .put_super = e2_put_super,
};

/* ---- mount ----------------------------------------------------------------
 */

/* e2_mounts changes only under the VFS lock (mount and umount run under
 * it); callers hold it. */
bool ext2_device_busy(struct blkdev *bd)
{
	struct e2_sb *m;
	list_for_each_entry(m, &e2_mounts, link)
	{
		if (m->bd == bd)
			return true;
	}
	return false;
}

static bool writeback_started;

int ext2_vfs_mount(struct blkdev *bd, const char *source, bool ro,
		   struct super_block **out)
{
	struct e2_sb *m;
	list_for_each_entry(m, &e2_mounts, link)
	{
		if (m->bd == bd)
			return -EBUSY;
	}
	if (!ro && bd->read_only) {
		pr_err("ext2: %s is read-only; mount it with -o ro", bd->name);
		return -EROFS;
	}
	struct e2_sb *s = kzalloc(sizeof(*s));
	struct super_block *sb = super_alloc("ext2", source);
	if (!s || !sb) {
		kfree(s);
		kfree(sb);
		return -ENOMEM;
	}
	for (int i = 0; i < E2_HASH; i++)
		list_init(&s->hash[i]);
	list_init(&s->orphans);
	s->bd = bd;
	int r = ext2_mount(bd, ro, &s->fs);
	if (r) {
		kfree(s);
		kfree(sb);
		return r;
	}
	sb->priv = s;
	sb->ops = &ext2_sops;
	sb->magic = EXT2_SUPER_MAGIC;
	sb->dev = MKDEV(bd->major, bd->minor);
	sb->flags = ro ? MS_RDONLY : 0;
	struct inode *root = NULL;
	r = e2_iget(sb, EXT2_ROOT_INO, &root, NULL);
	if (r == -EUCLEAN)
		r = -EIO;
	if (!r && !S_ISDIR(root->mode)) {
		pr_err("ext2: %s: the root inode is not a directory", bd->name);
		r = -EINVAL;
	}
	if (r) {
		sb->dying = true;
		if (root)
			inode_destroy(root);
		ext2_unmount(s->fs);
		kfree(s);
		kfree(sb);
		return r;
	}
	root->refs = 1; /* the super block's */
	root->parent = NULL;
	sb->root = root;
	list_add_tail(&s->link, &e2_mounts);
	if (!writeback_started && !ro) {
		writeback_started = true;
		bcache_start_writeback();
	}
	pr_info("EXT2-fs (%s): mounted filesystem%s", bd->name,
		ro ? " read-only" : "");
	*out = sb;
	return 0;
}
