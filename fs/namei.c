/* Path resolution: walks components from the root or a starting directory,
 * checking search permission on every directory, following symlinks (at
 * most SYMLOOP_MAX, then ELOOP), crossing mount points both ways, with
 * Linux's errors for missing, non-directory and too-long components.
 * Callers hold the VFS lock; what a lookup returns carries a reference
 * that the caller drops (inode_put, under the VFS lock). */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

int dir_load(struct inode *dir)
{
	if (dir->loaded || !dir->sb || !dir->sb->ops || !S_ISDIR(dir->mode))
		return 0;
	int r = dir->sb->ops->load_dir(dir);
	if (r == 0)
		dir->loaded = true;
	return r;
}

struct inode *dir_find(struct inode *dir, const char *name)
{
	struct dir_entry *e;
	if (dir->refresh)
		dir->refresh(dir);
	if (dir_load(dir))
		return NULL;
	list_for_each_entry(e, &dir->entries, link) if (strcmp(e->name, name) ==
							0) return e->inode;
	return NULL;
}

/* Positions 0 and 1 are "." and "..". */
static uint64_t dir_next_pos(struct inode *dir)
{
	if (dir->next_pos < 2)
		dir->next_pos = 2;
	return dir->next_pos++;
}

int dir_attach(struct inode *dir, const char *name, struct inode *ino)
{
	struct dir_entry *e = kmalloc(sizeof(*e));
	size_t len = strlen(name);
	if (!e)
		return -ENOMEM;
	e->name = kmalloc(len + 1);
	if (!e->name) {
		kfree(e);
		return -ENOMEM;
	}
	memcpy(e->name, name, len + 1);
	e->inode = ino;
	e->pos = dir_next_pos(dir);
	list_add_tail(&e->link, &dir->entries);
	if (S_ISDIR(ino->mode))
		ino->parent = dir;
	return 0;
}

int dir_add(struct inode *dir, const char *name, struct inode *ino)
{
	if (dir_attach(dir, name, ino))
		return -ENOSPC;
	ino->nlink++;
	if (S_ISDIR(ino->mode))
		dir->nlink++; /* the child's ".." */
	inode_touch(dir, true);
	return 0;
}

/* Copies the next component of *p into name; returns its length, 0 at the
 * end, or -ENAMETOOLONG. */
static int next_component(const char **p, char name[NAME_MAX + 1])
{
	const char *s = *p;
	while (*s == '/')
		s++;
	size_t n = 0;
	while (s[n] && s[n] != '/')
		n++;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, n);
	name[n] = '\0';
	*p = s + n;
	return (int)n;
}

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

struct inode *vfs_follow_mount(struct inode *dir)
{
	while (dir->mounted)
		dir = dir->mounted;
	return dir;
}

/* The root of a mounted file system, seen from inside it, stands for the
 * directory it covers. */
static struct inode *up_through_mounts(const struct vfs_ctx *ctx,
				       struct inode *cur)
{
	while (cur != ctx->root && cur->sb && cur == cur->sb->root &&
	       cur->sb->covered)
		cur = cur->sb->covered;
	return cur;
}

/* Where ".." leads: never above ctx->root, across mount points. */
static struct inode *dotdot(const struct vfs_ctx *ctx, struct inode *cur)
{
	cur = up_through_mounts(ctx, cur);
	if (cur == ctx->root || !cur->parent)
		return cur;
	return vfs_follow_mount(cur->parent);
}

/* One step from directory cur through component name, to the entry itself
 * (a symlink is not followed here). */
static int step(const struct vfs_ctx *ctx, struct inode *cur, const char *name,
		struct inode **out)
{
	if (!S_ISDIR(cur->mode))
		return -ENOTDIR;
	int r = inode_permission(ctx, cur, MAY_EXEC);
	if (r)
		return r;
	if (strcmp(name, ".") == 0) {
		*out = cur;
		return 0;
	}
	if (strcmp(name, "..") == 0) {
		*out = dotdot(ctx, cur);
		return 0;
	}
	r = dir_load(cur);
	if (r)
		return r;
	struct inode *child = dir_find(cur, name);
	if (!child)
		return -ENOENT;
	*out = child;
	return 0;
}

/* The walk is a loop, not a recursion: a followed symlink pushes what is
 * left of the path it interrupts and walks its target; at the end of a
 * target the walk resumes the path below. At most SYMLOOP_MAX links are
 * followed per lookup (Linux's 40, then ELOOP), so the stack of
 * remainders is bounded and the kernel stack does not grow with the path.
 * Inodes are used without references: the VFS lock is held throughout. */
static int walk(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
		int flags, struct inode **out)
{
	char name[NAME_MAX + 1];
	const char *rest[SYMLOOP_MAX];
	int depth = 0, links = 0;
	if (!*path)
		return -ENOENT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!dir)
		dir = ctx->cwd; /* read under the lock: chdir changes it */
	struct inode *cur = vfs_follow_mount(path[0] == '/' ? ctx->root : dir);
	const char *p = path;
	for (;;) {
		int n = next_component(&p, name);
		if (n < 0)
			return n;
		if (n == 0) {
			if (depth == 0)
				break;
			/* Back in the path the link interrupted: "link/"
			 * must have led to a directory. */
			p = rest[--depth];
			if (*p == '/' && only_slashes(p) && !S_ISDIR(cur->mode))
				return -ENOTDIR;
			continue;
		}
		bool last = only_slashes(p);
		bool trailing = last && *p == '/';
		/* Inside a link's target every component is followed. */
		bool follow =
		    !last || depth > 0 || (flags & LOOKUP_FOLLOW) || trailing;
		struct inode *next;
		int r = step(ctx, cur, name, &next);
		if (r)
			return r;
		if (S_ISLNK(next->mode) && follow) {
			if (++links > SYMLOOP_MAX)
				return -ELOOP;
			if (next->may_access &&
			    (r = next->may_access(next, ctx)))
				return r;
			if (next->refresh) /* a generated link per caller */
				next->refresh(next);
			struct inode *to = next->jump ? next->jump(next) : NULL;
			if (to) {
				/* The open file holds it; inodes go only
				 * under the VFS lock, which the walk holds. */
				inode_put(to);
				next = to;
			} else {
				if (!next->target || !*next->target)
					return -ENOENT;
				rest[depth++] = p;
				p = next->target;
				if (*p == '/')
					cur = vfs_follow_mount(ctx->root);
				continue; /* relative targets start from cur */
			}
		}
		cur = vfs_follow_mount(next);
		if (trailing && !S_ISDIR(cur->mode))
			return -ENOTDIR;
	}
	*out = cur;
	return 0;
}

int vfs_lookup(const struct vfs_ctx *ctx, struct inode *dir, const char *path,
	       int flags, struct inode **out)
{
	int r = walk(ctx, dir, path, flags, out);
	if (!r)
		inode_get(*out);
	return r;
}

int vfs_lookup_parent(const struct vfs_ctx *ctx, struct inode *dir,
		      const char *path, struct inode **parent,
		      char name[NAME_MAX + 1], bool *trailing_slash)
{
	size_t len = strnlen(path, PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	/* Split at the last component, ignoring trailing slashes. */
	size_t end = len;
	while (end > 0 && path[end - 1] == '/')
		end--;
	*trailing_slash = end < len;
	if (end == 0) {
		/* "/" itself: its "name" is "." in the root. */
		*parent = inode_get(ctx->root);
		strlcpy(name, ".", NAME_MAX + 1);
		return 0;
	}
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end - start > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, path + start, end - start);
	name[end - start] = '\0';
	if (start == 0) {
		*parent = inode_get(dir ? dir : ctx->cwd);
	} else {
		char *head = kmalloc(start + 1);
		if (!head)
			return -ENOMEM;
		memcpy(head, path, start);
		head[start] = '\0';
		int r = vfs_lookup(ctx, dir, head, LOOKUP_FOLLOW, parent);
		kfree(head);
		if (r)
			return r;
	}
	int r = S_ISDIR((*parent)->mode)
		    ? inode_permission(ctx, *parent, MAY_EXEC)
		    : -ENOTDIR;
	if (r) {
		inode_put(*parent);
		*parent = NULL;
	}
	return r;
}

/* Name of ino inside its parent directory, or NULL. */
static const char *name_in_parent(struct inode *ino)
{
	struct dir_entry *e;
	list_for_each_entry(e, &ino->parent->entries,
			    link) if (e->inode == ino) return e->name;
	return NULL;
}

int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size)
{
	/* Built right to left from the cwd up to the root. */
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp)
		return -ENOMEM;
	size_t pos = PATH_MAX - 1;
	tmp[pos] = '\0';
	struct inode *cur = ctx->cwd;
	int r = 0;
	for (;;) {
		cur = up_through_mounts(ctx, cur);
		if (cur == ctx->root || !cur->parent || cur->parent == cur)
			break;
		const char *n = name_in_parent(cur);
		size_t l = n ? strlen(n) : 0;
		if (!n || cur->nlink == 0) {
			r = -ENOENT; /* the cwd was removed */
			break;
		}
		if (l + 1 > pos) {
			r = -ENAMETOOLONG;
			break;
		}
		pos -= l;
		memcpy(tmp + pos, n, l);
		tmp[--pos] = '/';
		cur = cur->parent;
	}
	if (!r && pos == PATH_MAX - 1)
		tmp[--pos] = '/';
	size_t need = PATH_MAX - pos; /* with the NUL */
	if (!r && need > size)
		r = -ERANGE;
	if (!r) {
		memcpy(buf, tmp + pos, need);
		r = (int)need;
	}
	kfree(tmp);
	return r;
}
