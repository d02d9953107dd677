/* What the parts of /proc share: the generated-file framework of
 * fs/procfs.c, used by the system-wide files (fs/procfs_sys.c) and the
 * per-process ones (fs/procfs_pid.c). */
#ifndef LIMEN_FS_PROCFS_H
#define LIMEN_FS_PROCFS_H

#include <fs/vfs.h>
#include <lib/printf.h>

/* snprintf that appends and never overruns. */
#define EMIT(...)                                                              \
	do {                                                                   \
		if ((size_t)len < size)                                        \
			len += snprintf(buf + len, size - (size_t)len,         \
					__VA_ARGS__);                          \
	} while (0)

/* A generator's result: the length EMIT reached, cut to what fits. */
static inline long finish(long len, size_t size)
{
	return len < (long)size ? len : (long)size - 1;
}

/* The read and release of a generated file: the text is generated on the
 * first read and kept with the open file. */
long gen_read(struct file *f, char *buf, size_t n, uint64_t *pos);
void gen_release(struct file *f);

/* A file read record by record (fs/procfs.c): its file_ops's open calls
 * seq_file_open with its show, which writes whole records from record
 * next->idx on into buf (size bytes), advancing next past each (struct
 * seq_pos, include/fs/vfs.h), and returns the bytes written; 0 when there
 * is no record from there on. */
int seq_file_open(struct file *f,
		  long (*show)(char *buf, size_t size, struct seq_pos *next));
long seq_file_read(struct file *f, char *buf, size_t n, uint64_t *pos);
void seq_file_release(struct file *f);

/* A generated file in dir whose text gen makes (pid: for ino->gen_pid). */
struct inode *add_file(struct inode *dir, const char *name,
		       long (*gen)(struct inode *, char *, size_t), int pid);
/* A directory in dir with permissions mode. */
struct inode *add_dir(struct inode *dir, const char *name, unsigned mode);
/* A symbolic link in dir; its target is set with set_target. */
struct inode *add_link(struct inode *dir, const char *name);
void set_target(struct inode *ino, const char *target);
/* The refresh of /proc/self and /proc/thread-self (made per caller). */
void procfs_self_refresh(struct inode *link);
void procfs_thread_self_refresh(struct inode *link);
/* Removes an entry and everything below it (generated trees only). */
void remove_tree(struct inode *dir, struct dir_entry *e);

/* fs/procfs_pid.c: brings /proc's numbered directories in line with the
 * live processes (the /proc directory's refresh). */
void proc_refresh(struct inode *dir);

#endif
