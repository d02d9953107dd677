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
#include <mutex.h>
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

/* ---- files read record by record ---------------------------------------- */

/* A file whose text may be far longer than one buffer (/proc/net/tcp with
 * thousands of connections) is not generated whole: each open file keeps
 * one buffer of whole records and the index of the record after them, and
 * a read past the buffer asks show() for the records from that index on,
 * as Linux's seq_file does. A read at any offset sees complete lines; a
 * record added or removed between two reads may shift the later ones by a
 * record (Linux's behaviour too), but no line is ever cut or mixed. The
 * memory an open file holds is one buffer, whatever the table's size. */
#define SEQ_BUF 4096

struct seq_state {
	struct mutex lock; /* concurrent reads through one open file */
	long (*show)(char *buf, size_t size, struct seq_pos *next);
	uint64_t start;	     /* the file offset of buf[0] */
	long len;	     /* bytes in buf */
	struct seq_pos next; /* the record after those in buf */
	bool eof;	     /* show() had no record from next on */
	char buf[SEQ_BUF];
};

int seq_file_open(struct file *f,
		  long (*show)(char *buf, size_t size, struct seq_pos *next))
{
	struct seq_state *st = kzalloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	mutex_init(&st->lock, "procfs_seq");
	st->show = show;
	f->priv = st;
	return 0;
}

long seq_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct seq_state *st = f->priv;
	size_t done = 0;
	long err = 0;
	mutex_lock(&st->lock);
	if (*pos < st->start) {
		/* A seek back: generate again from the first record. */
		st->start = 0;
		st->len = 0;
		memset(&st->next, 0, sizeof(st->next));
		st->eof = false;
	}
	/* The caller's buffer is filled from as many of ours as it takes,
	 * and a seek forward walks the records up to it; the file's length
	 * is bounded by the tables, so this ends. */
	while (done < n) {
		uint64_t at = *pos + done;
		if (at < st->start + (uint64_t)st->len) {
			size_t off = (size_t)(at - st->start);
			size_t k = MIN(n - done, (size_t)st->len - off);
			memcpy(buf + done, st->buf + off, k);
			done += k;
			continue;
		}
		if (st->eof)
			break;
		long len = st->show(st->buf, SEQ_BUF, &st->next);
		if (len < 0) {
			err = len;
			break;
		}
		st->start += (uint64_t)st->len;
		st->len = len;
		st->eof = len == 0;
	}
	*pos += done;
	mutex_unlock(&st->lock);
	return done ? (long)done : err;
}

void seq_file_release(struct file *f)
{
	kfree(f->priv);
}

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
