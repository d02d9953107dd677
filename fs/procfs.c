/* /proc: the kernel's view of processes and memory as text files, in the
 * formats Linux uses and busybox's ps, top, free and uptime read. This is
 * the framework: files are generated when first read through an open file,
 * and the generated tree's directories, files and links are made and
 * removed here; the /proc directory rebuilds its per-process
 * subdirectories before each lookup or listing. The files themselves are
 * fs/procfs_sys.c (system-wide) and fs/procfs_pid.c (per process). Called
 * with fs_lock held (refresh) or not (generate). */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include "procfs.h"

#define GEN_MAX 16384

/* ---- generated files ---------------------------------------------------- */

long gen_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	if (!f->priv) {
		char *text = kmalloc(GEN_MAX);
		if (!text)
			return -ENOMEM;
		long len = ino->generate(ino, text, GEN_MAX);
		if (len < 0) {
			kfree(text);
			return len;
		}
		/* Length in the first 8 bytes, text after. */
		char *box = kmalloc(sizeof(long) + (size_t)len + 1);
		if (!box) {
			kfree(text);
			return -ENOMEM;
		}
		memcpy(box, &len, sizeof(len));
		memcpy(box + sizeof(long), text, (size_t)len);
		kfree(text);
		f->priv = box;
	}
	long len;
	memcpy(&len, f->priv, sizeof(len));
	if (*pos >= (uint64_t)len)
		return 0;
	size_t k = MIN(n, (size_t)len - *pos);
	memcpy(buf, (char *)f->priv + sizeof(long) + *pos, k);
	*pos += k;
	return (long)k;
}

void gen_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops gen_ops = {
    .read = gen_read,
    .release = gen_release,
    .seekable = true,
};

/* ---- the directory ------------------------------------------------------ */

struct inode *add_file(struct inode *dir, const char *name,
		       long (*gen)(struct inode *, char *, size_t), int pid)
{
	struct inode *ino = inode_alloc_sb(dir->sb, S_IFREG | 0444);
	if (!ino)
		return NULL;
	ino->fops = &gen_ops;
	ino->generate = gen;
	ino->gen_pid = pid;
	if (dir_add(dir, name, ino)) {
		kfree(ino);
		return NULL;
	}
	return ino;
}

struct inode *add_dir(struct inode *dir, const char *name, unsigned mode)
{
	struct inode *d = inode_alloc_sb(dir->sb, S_IFDIR | mode);
	if (!d)
		return NULL;
	d->nlink = 1;
	if (dir_add(dir, name, d)) {
		kfree(d);
		return NULL;
	}
	return d;
}

struct inode *add_link(struct inode *dir, const char *name)
{
	struct inode *ino = inode_alloc_sb(dir->sb, S_IFLNK | 0777);
	if (!ino)
		return NULL;
	if (dir_add(dir, name, ino)) {
		kfree(ino);
		return NULL;
	}
	return ino;
}

void set_target(struct inode *ino, const char *target)
{
	if (ino->target && strcmp(ino->target, target) == 0)
		return;
	size_t n = strlen(target);
	char *t = kmalloc(n + 1);
	if (!t)
		return;
	memcpy(t, target, n + 1);
	kfree(ino->target);
	ino->target = t;
	ino->size = n;
}

/* Removes an entry and everything below it (generated trees only). */
void remove_tree(struct inode *dir, struct dir_entry *e)
{
	struct inode *ino = e->inode;
	struct dir_entry *c, *tmp;
	list_for_each_entry_safe(c, tmp, &ino->entries, link)
	    remove_tree(ino, c);
	list_del(&e->link);
	kfree(e->name);
	kfree(e);
	ino->nlink = 0;
	if (S_ISDIR(ino->mode))
		dir->nlink--;
	inode_get(ino);
	inode_put(ino); /* freed unless an open file still holds it */
}

/* With an initramfs, /proc is there from the start (the kernel mounts
 * it, as the tests and busybox expect); a disk's init mounts its own. */
void procfs_init(void)
{
	struct vfs_ctx c = {.root = vfs_root(), .cwd = vfs_root()};
	struct inode *dir;
	vfs_create(&c, vfs_root(), "/proc", S_IFDIR | 0555, 0, NULL);
	vfs_lock();
	if (vfs_lookup(&c, vfs_root(), "/proc", LOOKUP_FOLLOW, &dir) == 0) {
		vfs_mount(&c, "proc", dir, "proc", 0, NULL);
		inode_put(dir);
	}
	vfs_unlock();
}
