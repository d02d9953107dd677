/* File descriptors (kernel/fd.c): a process's table from small integers to
 * open files, with the close-on-exec flag per descriptor. Each entry holds
 * one reference to its struct file. */
#ifndef LIMEN_FD_H
#define LIMEN_FD_H

#include <types.h>

struct file;
struct process;

/* Installs f at the lowest free descriptor >= min; takes over the
 * caller's reference. Returns the fd or -EMFILE. */
int fd_install(struct process *p, struct file *f, int min, bool cloexec);
/* The open file behind fd with a new reference (file_put it), or NULL. */
struct file *fd_get(struct process *p, int fd);
/* /proc/PID/fd: out[fd] (PROC_FD_MAX entries) is the inode of each open
 * descriptor with a reference for the caller (inode_put under the VFS
 * lock), or NULL; returns the highest open descriptor plus one. */
struct inode;
int fd_inodes(struct process *p, struct inode **out);
/* close_range(2): closes every open descriptor in [first, last], or with
 * cloexec marks them close-on-exec; closed ones are skipped. */
void fd_close_range(struct process *p, unsigned first, unsigned last,
		    bool cloexec);
/* The inode of descriptor fd of p with a reference, or NULL if not open. */
struct inode *fd_inode_of(struct process *p, int fd);
int fd_close(struct process *p, int fd);
/* dup2/dup3 semantics: newfd is closed first if open. */
int fd_dup_to(struct process *p, int oldfd, int newfd, bool cloexec);
int fd_get_cloexec(struct process *p, int fd);
int fd_set_cloexec(struct process *p, int fd, bool on);
void fd_close_all(struct process *p);
/* fork: dst (not yet visible to anyone) gets a reference to each of src's
 * open files, under src's fd_lock. */
void fd_copy_table(struct process *dst, struct process *src);
/* execve, once the caller is the only thread: closes the close-on-exec
 * descriptors. */
void fd_close_cloexec(struct process *p);

#endif
