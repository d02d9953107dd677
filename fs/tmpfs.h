/* The memory file systems' instances (fs/tmpfs.c), for the mount table
 * (fs/super.c): tmpfs and ramfs, and the instances a kernel function fills
 * (devtmpfs, proc). */
#ifndef LIMEN_FS_TMPFS_H
#define LIMEN_FS_TMPFS_H

#include <fs/vfs.h>

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6

/* A memory file system's root directory. */
struct inode *memfs_root(struct super_block *sb, uint32_t mode);
/* A tmpfs (with its options in data) or a ramfs, as type says. */
int memfs_mount(const char *type, const char *source, const char *data,
		struct super_block **out);
int devtmpfs_mount(const char *source, struct super_block **out);
int procfs_mount(const char *source, struct super_block **out);
/* fs/devpts.c */
int devpts_mount(const char *source, struct super_block **out);
/* statfs's counts for a tmpfs: its limits and what is left of them. */
void tmpfs_statfs(struct super_block *sb, struct kstatfs *st);

#endif
