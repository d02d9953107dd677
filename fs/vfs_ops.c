/* Namespace operations: create (files, directories, device nodes), unlink
 * and rmdir, symlink, link, rename and readlink, with Linux's errors.
 * Each takes the VFS lock for its whole duration. The change is made in
 * memory first; a disk file system then writes it through its super_ops
 * and, if that fails, the memory side is undone. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

static bool is_dot(const char *n)
{
	return strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

static const struct super_ops *ops_of(struct inode *dir)
{
	return dir->sb ? dir->sb->ops : NULL;
}

int vfs_changeable(const struct inode *ino)
{
	if (!ino->sb)
		return 0;
	if (ino->sb->generated)
		return -EPERM;
	return (ino->sb->flags & MS_RDONLY) ? -EROFS : 0;
}

/* A new name in a generated tree: nothing there to be made (ENOENT, as
 * Linux's procfs, whose directories create nothing). */
static int vfs_new_name_ok(const struct inode *dir)
{
	if (dir->sb && dir->sb->generated)
		return -ENOENT;
	return vfs_changeable(dir);
}

/* In a sticky directory (mode 1000, /tmp) only the entry's owner, the
 * directory's owner or root may remove or rename the entry (Linux's
 * check_sticky, without protected_* sysctls). */
static int check_sticky(const struct vfs_ctx *ctx, struct inode *dir,
			struct inode *ino)
{
	if (!(dir->mode & S_ISVTX) || ctx->uid == ino->uid ||
	    ctx->uid == dir->uid || ctx->uid == 0)
		return 0;
	return -EPERM;
}

static struct dir_entry *dir_entry_of(struct inode *dir, const char *name)
{
	struct dir_entry *e;
	list_for_each_entry(e, &dir->entries,
			    link) if (strcmp(e->name, name) == 0) return e;
	return NULL;
}

/* tmpfs nr_inodes= counts names, as Linux's shmem does: an inode's first
 * name with the inode (fs/inode.c), each further hard link here. */
static bool extra_link_charged(struct inode *ino)
{
	return ino->sb && !ino->sb->ops && ino->sb->max_inodes &&
	       !S_ISDIR(ino->mode);
}

/* Removes an entry from memory; the inode loses its link but stays
 * allocated until its last reference is put. */
static void dir_remove(struct inode *dir, struct dir_entry *e)
{
	struct inode *ino = e->inode;
	if (ino->nlink > 1 && extra_link_charged(ino) && ino->sb->used_inodes)
		ino->sb->used_inodes--;
	list_del(&e->link);
	kfree(e->name);
	kfree(e);
	ino->nlink--;
	if (S_ISDIR(ino->mode)) {
		ino->nlink--; /* its own "." */
		dir->nlink--; /* its ".." */
	}
	inode_touch(dir, true);
	inode_touch(ino, false);
}

/* The parent of path's last component, loaded, with the component. */
static int lookup_parent_loaded(const struct vfs_ctx *ctx, struct inode *dir,
				const char *path, struct inode **parent,
				char name[NAME_MAX + 1], bool *slash)
{
	int r = vfs_lookup_parent(ctx, dir, path, parent, name, slash);
	if (r)
		return r;
	r = dir_load(*parent);
	if (r) {
		inode_put(*parent);
		*parent = NULL;
	}
	return r;
}

/* A new inode named path: a file, directory, device node, or, with
 * target, a symlink whose target is set before the name is visible. Runs
 * in one VFS lock hold; *out (if asked) carries a reference. */
static int create(const struct vfs_ctx *ctx, struct inode *dir,
		  const char *path, uint32_t mode, uint64_t rdev, char *target,
		  struct inode **out)
{
	char name[NAME_MAX + 1];
	struct inode *parent;
	bool slash;
	int r = lookup_parent_loaded(ctx, dir, path, &parent, name, &slash);
	if (r)
		return r;
	if (is_dot(name) || dir_find(parent, name)) {
		r = -EEXIST;
		goto out;
	}
	if (slash && !S_ISDIR(mode)) {
		r = S_ISREG(mode) ? -EISDIR : -ENOENT;
		goto out;
	}
	r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
	if (!r)
		r = vfs_new_name_ok(parent);
	if (r)
		goto out;
	struct inode *ino = inode_alloc_sb(parent->sb, mode);
	if (!ino) {
		r = -ENOSPC;
		goto out;
	}
	ino->uid = ctx->uid;
	/* BSD group semantics of a set-group-ID directory, as Linux. */
	ino->gid = (parent->mode & S_ISGID) ? parent->gid : ctx->gid;
	if (S_ISDIR(mode) && (parent->mode & S_ISGID))
		ino->mode |= S_ISGID;
	/* A group-executable set-group-ID file for a group its creator is
	 * not in loses the bit (Linux's inode_init_owner). */
	else if ((mode & (S_ISGID | 010)) == (S_ISGID | 010) && ctx->uid &&
		 !vfs_in_group(ctx, ino->gid))
		ino->mode &= ~(uint32_t)S_ISGID;
	ino->rdev = rdev;
	ino->loaded = true; /* a new directory is empty: nothing to load */
	if (S_ISCHR(mode))
		ino->fops = chrdev_lookup(rdev);
	if (S_ISDIR(mode))
		ino->nlink = 1; /* "." */
	size_t tlen = target ? strlen(target) : 0;
	if (target) {
		ino->target = target;
		ino->size = tlen;
	}
	r = dir_add(parent, name, ino);
	if (r) {
		ino->target = NULL; /* the caller's still */
		kfree(ino);
		goto out;
	}
	inode_get(ino); /* ours until the end, whatever happens below */
	const struct super_ops *ops = ops_of(parent);
	if (ops) {
		r = ops->create(parent, name, ino);
		if (!r && target) {
			r = ops->set_symlink(ino, target, tlen);
			if (r) /* no room for the target: no empty link */
				ops->unlink(parent, name, ino);
		}
		if (r) {
			dir_remove(parent, dir_entry_of(parent, name));
			ino->target = NULL; /* the caller's again */
		}
	}
	if (!r && out)
		*out = inode_get(ino);
	inode_put(ino); /* frees it if the disk refused it */
out:
	inode_put(parent);
	return r;
}

int vfs_create(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       uint32_t mode, uint64_t rdev, struct inode **out)
{
	vfs_lock();
	int r = create(ctx, dir, path, mode, rdev, NULL, out);
	vfs_unlock();
	return r;
}

int vfs_unlink(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       bool rmdir)
{
	char name[NAME_MAX + 1];
	struct inode *parent = NULL;
	bool slash;
	vfs_lock();
	int r = lookup_parent_loaded(ctx, dir, path, &parent, name, &slash);
	if (r)
		goto out;
	if (is_dot(name)) {
		r = rmdir ? (strcmp(name, ".") == 0 ? -EINVAL : -ENOTEMPTY)
			  : -EISDIR;
		goto out;
	}
	struct dir_entry *e = dir_entry_of(parent, name);
	if (!e) {
		r = -ENOENT;
		goto out;
	}
	struct inode *ino = e->inode;
	if (S_ISDIR(ino->mode)) {
		r = dir_load(ino);
		if (r)
			goto out;
	}
	if (rmdir && !S_ISDIR(ino->mode)) {
		r = -ENOTDIR;
	} else if (!rmdir && S_ISDIR(ino->mode)) {
		r = -EISDIR;
	} else if (!rmdir && slash) {
		r = -ENOTDIR;
	} else if (ino->mounted || ino == ctx->root) {
		r = -EBUSY;
	} else if (rmdir && !list_empty(&ino->entries)) {
		r = -ENOTEMPTY;
	} else {
		r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
		if (!r)
			r = check_sticky(ctx, parent, ino);
		if (!r)
			r = vfs_changeable(parent);
		if (r)
			goto out;
		inode_get(ino);
		dir_remove(parent, e);
		const struct super_ops *ops = ops_of(parent);
		if (ops) {
			r = ops->unlink(parent, name, ino);
			if (r) /* still on disk: put it back in memory */
				dir_add(parent, name, ino);
		}
		inode_put(ino); /* frees it if nothing else holds it */
	}
out:
	if (parent)
		inode_put(parent);
	vfs_unlock();
	return r;
}

int vfs_symlink(const struct vfs_ctx *ctx, const char *target,
		struct inode *dir, const char *path)
{
	size_t len = strnlen(target, PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	char *copy = kmalloc(len + 1);
	if (!copy)
		return -ENOSPC;
	memcpy(copy, target, len + 1);
	vfs_lock();
	/* On success the inode owns copy, freed with it. */
	int r = create(ctx, dir, path, S_IFLNK | 0777, 0, copy, NULL);
	vfs_unlock();
	if (r)
		kfree(copy);
	return r;
}

long vfs_readlink(struct inode *ino, char *buf, size_t n)
{
	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	vfs_lock();
	long r;
	if (ino->refresh) /* a generated link made per caller */
		ino->refresh(ino);
	if (!ino->target) {
		r = -EIO; /* a disk symlink whose target could not be read */
	} else {
		size_t len = MIN(n, strlen(ino->target));
		memcpy(buf, ino->target, len); /* no NUL, as readlink(2) */
		r = (long)len;
	}
	vfs_unlock();
	return r;
}

int vfs_link(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	     struct inode *ndir, const char *npath, int flags)
{
	char name[NAME_MAX + 1];
	struct inode *old = NULL, *parent = NULL;
	bool slash;
	vfs_lock();
	int r =
	    vfs_lookup(ctx, odir, opath,
		       (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &old);
	if (r)
		goto out;
	if (S_ISDIR(old->mode)) {
		r = -EPERM;
		goto out;
	}
	r = lookup_parent_loaded(ctx, ndir, npath, &parent, name, &slash);
	if (r)
		goto out;
	if (is_dot(name) || dir_find(parent, name)) {
		r = -EEXIST;
		goto out;
	}
	if (slash) {
		r = -ENOENT;
		goto out;
	}
	if (old->sb != parent->sb) {
		r = -EXDEV;
		goto out;
	}
	r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
	if (!r)
		r = vfs_new_name_ok(parent);
	if (!r && extra_link_charged(old)) {
		if (old->sb->used_inodes >= old->sb->max_inodes)
			r = -ENOSPC;
		else
			old->sb->used_inodes++;
	}
	if (!r) {
		r = dir_add(parent, name, old);
		if (r && extra_link_charged(old))
			old->sb->used_inodes--;
	}
	const struct super_ops *ops = ops_of(parent);
	if (!r && ops) {
		r = ops->link(parent, name, old);
		if (r)
			dir_remove(parent, dir_entry_of(parent, name));
	}
	if (!r)
		inode_touch(old, false);
out:
	if (parent)
		inode_put(parent);
	if (old)
		inode_put(old);
	vfs_unlock();
	return r;
}

static bool is_ancestor(struct inode *a, struct inode *d)
{
	for (; d; d = d->parent == d ? NULL : d->parent)
		if (d == a)
			return true;
	return false;
}

/* The checks of rename(2) once both names are resolved. */
static int rename_check(const struct vfs_ctx *ctx, struct inode *op,
			struct inode *np, struct inode *ino,
			struct dir_entry *ne)
{
	if (op->sb != np->sb)
		return -EXDEV;
	if (S_ISDIR(ino->mode) && is_ancestor(ino, np))
		return -EINVAL;
	if (ino->mounted || ino == ctx->root)
		return -EBUSY;
	int r = inode_permission(ctx, op, MAY_WRITE | MAY_EXEC);
	if (!r)
		r = check_sticky(ctx, op, ino);
	if (!r)
		r = inode_permission(ctx, np, MAY_WRITE | MAY_EXEC);
	/* A directory that changes parent has its ".." rewritten. */
	if (!r && S_ISDIR(ino->mode) && op != np)
		r = inode_permission(ctx, ino, MAY_WRITE);
	if (!r && ne)
		r = check_sticky(ctx, np, ne->inode);
	if (!r)
		r = vfs_new_name_ok(np);
	if (r || !ne)
		return r;
	struct inode *victim = ne->inode;
	if (victim->mounted)
		return -EBUSY;
	if (S_ISDIR(ino->mode) && !S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (!S_ISDIR(ino->mode) && S_ISDIR(victim->mode))
		return -EISDIR;
	if (S_ISDIR(victim->mode)) {
		r = dir_load(victim);
		if (!r && !list_empty(&victim->entries))
			r = -ENOTEMPTY;
	}
	return r;
}

int vfs_rename(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	       struct inode *ndir, const char *npath)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *op = NULL, *np = NULL;
	bool os, ns;
	vfs_lock();
	int r = lookup_parent_loaded(ctx, odir, opath, &op, oname, &os);
	if (!r)
		r = lookup_parent_loaded(ctx, ndir, npath, &np, nname, &ns);
	if (r)
		goto out;
	if (is_dot(oname) || is_dot(nname)) {
		r = -EBUSY;
		goto out;
	}
	struct dir_entry *oe = dir_entry_of(op, oname);
	if (!oe) {
		r = -ENOENT;
		goto out;
	}
	struct inode *ino = oe->inode;
	if ((os || ns) && !S_ISDIR(ino->mode)) {
		r = -ENOTDIR;
		goto out;
	}
	struct dir_entry *ne = dir_entry_of(np, nname);
	if (ne && ne->inode == ino)
		goto out; /* same file: nothing to do, success */
	r = rename_check(ctx, op, np, ino, ne);
	if (r)
		goto out;
	struct inode *victim = ne ? ne->inode : NULL;
	/* The disk first: the file system orders its own steps so that a
	 * failure (no space for the new entry) leaves the disk unchanged. */
	const struct super_ops *ops = ops_of(np);
	if (ops) {
		r = ops->rename(op, oname, np, nname, ino, victim);
		if (r)
			goto out;
	}
	if (victim) {
		inode_get(victim);
		dir_remove(np, ne);
	}
	/* Move the entry: add under the new name, drop the old one. The
	 * inode is kept alive across the two steps by its new link. */
	r = dir_add(np, nname, ino);
	if (!r) {
		if (S_ISDIR(ino->mode))
			op->nlink--; /* its ".." now counts for np (dir_add) */
		list_del(&oe->link);
		kfree(oe->name);
		kfree(oe);
		ino->nlink--;
		inode_touch(op, true);
		inode_touch(ino, false);
	}
	if (victim)
		inode_put(victim);
out:
	if (op)
		inode_put(op);
	if (np)
		inode_put(np);
	vfs_unlock();
	return r;
}
