/* devpts, the file system on /dev/pts: one character-device node per
 * pseudo-terminal pair whose master is open (drivers/pty.c), named by its
 * index, mode 0620, owned by the uid that opened /dev/ptmx and group tty.
 * The directory is brought in line with the pty table before each lookup
 * or listing (its refresh, under the VFS lock), so any number of devpts
 * mounts show the same nodes; a node remembers which pair it was made for
 * (gen_key), so a stale one never opens a newer pair on the same index.
 * chmod and chown on a node last as long as its pair. */
#include <drivers/tty.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include "tmpfs.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1

static void devpts_remove(struct dir_entry *e)
{
	struct inode *ino = e->inode;
	list_del(&e->link);
	kfree(e->name);
	kfree(e);
	ino->nlink = 0;
	inode_get(ino);
	inode_put(ino); /* freed unless an open file still holds it */
}

static void devpts_refresh(struct inode *dir)
{
	static struct pty_node nodes[PTY_MAX]; /* the VFS lock guards it */
	int n = pty_nodes(nodes, PTY_MAX);
	struct dir_entry *e, *tmp;
	bool have[PTY_MAX] = {false};
	list_for_each_entry_safe(e, tmp, &dir->entries, link)
	{
		if (e->inode->fops != &pty_slave_ops)
			continue;
		int live = -1;
		for (int i = 0; i < n; i++)
			if (nodes[i].gen == e->inode->gen_key)
				live = i;
		if (live < 0)
			devpts_remove(e);
		else
			have[live] = true;
	}
	for (int i = 0; i < n; i++) {
		if (have[i])
			continue;
		char name[12];
		snprintf(name, sizeof(name), "%d", nodes[i].index);
		struct inode *ino = inode_alloc_sb(dir->sb, S_IFCHR | 0620);
		if (!ino)
			return;
		ino->rdev = MKDEV(PTY_SLAVE_MAJOR, (uint32_t)nodes[i].index);
		ino->gen_key = nodes[i].gen;
		ino->uid = nodes[i].uid;
		ino->gid = nodes[i].gid;
		ino->fops = &pty_slave_ops;
		if (dir_add(dir, name, ino)) {
			kfree(ino);
			return;
		}
	}
}

int devpts_mount(const char *source, struct super_block **out)
{
	struct super_block *sb = super_alloc("devpts", source);
	if (!sb)
		return -ENOMEM;
	sb->magic = DEVPTS_SUPER_MAGIC;
	if (!memfs_root(sb, 0755)) {
		kfree(sb);
		return -ENOMEM;
	}
	sb->root->refresh = devpts_refresh;
	sb->flags |= MS_NOSUID | MS_NOEXEC; /* as Linux mounts it */
	*out = sb;
	return 0;
}
