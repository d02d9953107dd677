/* Namespace operations: create (files, directories, device nodes), unlink
 * and rmdir, symlink, link, rename and readlink, with Linux's errors.
 * Each takes fs_lock for its whole duration. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

static bool is_dot(const char *n)
{
	return strcmp(n, ".") == 0 || strcmp(n, "..") == 0;
}

static struct dir_entry *dir_entry_of(struct inode *dir, const char *name)
{
	struct dir_entry *e;
	list_for_each_entry(e, &dir->entries,
			    link) if (strcmp(e->name, name) == 0) return e;
	return NULL;
}

/* Removes an entry; the inode loses a link (and is freed if unused). */
static void dir_remove(struct inode *dir, struct dir_entry *e)
{
	struct inode *ino = e->inode;
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
	inode_get(ino);
	inode_put(ino); /* frees it if nothing else holds it */
}

int vfs_create(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       uint32_t mode, uint64_t rdev, struct inode **out)
{
	char name[NAME_MAX + 1];
	struct inode *parent;
	bool slash;
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	int r = vfs_lookup_parent(ctx, dir, path, &parent, name, &slash);
	if (r)
		goto out;
	if (is_dot(name) || dir_find(parent, name)) {
		r = -EEXIST;
		goto out;
	}
	if (slash && !S_ISDIR(mode)) {
		r = S_ISREG(mode) ? -EISDIR : -ENOENT;
		goto out;
	}
	r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
	if (r)
		goto out;
	struct inode *ino = inode_alloc(mode);
	if (!ino) {
		r = -ENOSPC;
		goto out;
	}
	ino->uid = ctx->uid;
	ino->gid = ctx->gid;
	ino->rdev = rdev;
	if (S_ISCHR(mode))
		ino->fops = chrdev_lookup(rdev);
	if (S_ISDIR(mode))
		ino->nlink = 1; /* "." */
	r = dir_add(parent, name, ino);
	if (r) {
		kfree(ino);
		goto out;
	}
	if (out)
		*out = ino;
out:
	spin_unlock_irqrestore(&fs_lock, f);
	return r;
}

int vfs_unlink(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       bool rmdir)
{
	char name[NAME_MAX + 1];
	struct inode *parent;
	bool slash;
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	int r = vfs_lookup_parent(ctx, dir, path, &parent, name, &slash);
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
	if (rmdir && !S_ISDIR(ino->mode)) {
		r = -ENOTDIR;
	} else if (!rmdir && S_ISDIR(ino->mode)) {
		r = -EISDIR;
	} else if (!rmdir && slash) {
		r = -ENOTDIR;
	} else if (rmdir && !list_empty(&ino->entries)) {
		r = -ENOTEMPTY;
	} else if (rmdir && ino == ctx->root) {
		r = -EBUSY;
	} else {
		r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
		if (!r)
			dir_remove(parent, e);
	}
out:
	spin_unlock_irqrestore(&fs_lock, f);
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
	struct inode *ino;
	int r = vfs_create(ctx, dir, path, S_IFLNK | 0777, 0, &ino);
	if (r) {
		kfree(copy);
		return r;
	}
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	ino->target = copy;
	ino->size = len;
	spin_unlock_irqrestore(&fs_lock, f);
	return 0;
}

long vfs_readlink(struct inode *ino, char *buf, size_t n)
{
	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	size_t len = MIN(n, strlen(ino->target));
	memcpy(buf, ino->target, len); /* no NUL, as readlink(2) */
	spin_unlock_irqrestore(&fs_lock, f);
	return (long)len;
}

int vfs_link(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	     struct inode *ndir, const char *npath, int flags)
{
	char name[NAME_MAX + 1];
	struct inode *old, *parent;
	bool slash;
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	int r =
	    vfs_lookup(ctx, odir, opath,
		       (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &old);
	if (r)
		goto out;
	if (S_ISDIR(old->mode)) {
		r = -EPERM;
		goto out;
	}
	r = vfs_lookup_parent(ctx, ndir, npath, &parent, name, &slash);
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
	r = inode_permission(ctx, parent, MAY_WRITE | MAY_EXEC);
	if (!r)
		r = dir_add(parent, name, old);
out:
	spin_unlock_irqrestore(&fs_lock, f);
	return r;
}

static bool is_ancestor(struct inode *a, struct inode *d)
{
	for (; d; d = d->parent == d ? NULL : d->parent)
		if (d == a)
			return true;
	return false;
}

int vfs_rename(const struct vfs_ctx *ctx, struct inode *odir, const char *opath,
	       struct inode *ndir, const char *npath)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct inode *op, *np;
	bool os, ns;
	irqflags_t f = spin_lock_irqsave(&fs_lock);
	int r = vfs_lookup_parent(ctx, odir, opath, &op, oname, &os);
	if (!r)
		r = vfs_lookup_parent(ctx, ndir, npath, &np, nname, &ns);
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
	if (S_ISDIR(ino->mode) && is_ancestor(ino, np)) {
		r = -EINVAL;
		goto out;
	}
	r = inode_permission(ctx, op, MAY_WRITE | MAY_EXEC);
	if (!r)
		r = inode_permission(ctx, np, MAY_WRITE | MAY_EXEC);
	if (r)
		goto out;
	if (ne) {
		struct inode *victim = ne->inode;
		if (S_ISDIR(ino->mode) && !S_ISDIR(victim->mode)) {
			r = -ENOTDIR;
			goto out;
		}
		if (!S_ISDIR(ino->mode) && S_ISDIR(victim->mode)) {
			r = -EISDIR;
			goto out;
		}
		if (S_ISDIR(victim->mode) && !list_empty(&victim->entries)) {
			r = -ENOTEMPTY;
			goto out;
		}
		dir_remove(np, ne);
	}
	/* Move the entry: add under the new name, drop the old one. The
	 * inode is kept alive across the two steps by its new link. */
	r = dir_add(np, nname, ino);
	if (r)
		goto out;
	if (S_ISDIR(ino->mode))
		op->nlink--; /* its ".." now counts for np (dir_add) */
	list_del(&oe->link);
	kfree(oe->name);
	kfree(oe);
	ino->nlink--;
	inode_touch(op, true);
out:
	spin_unlock_irqrestore(&fs_lock, f);
	return r;
}
