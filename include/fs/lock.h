/* File locks (fs/lock.c): POSIX record locks (fcntl F_SETLK, owned by a
 * process), open-file-description locks (F_OFD_SETLK, owned by a struct
 * file) and flock(2) locks (owned by a struct file), with Linux's
 * semantics. All lock records live in one table guarded by one spinlock,
 * "file_lock"; a blocked locker sleeps on one wait queue. */
#ifndef LIMEN_FS_LOCK_H
#define LIMEN_FS_LOCK_H

#include <types.h>

struct file;
struct process;

/* A process may own at most this many POSIX lock records, an open file
 * description this many OFD records; the whole system this many records
 * of all kinds. Past them a lock that needs a new record is ENOLCK. */
#define LOCK_MAX_PER_OWNER 1024
#define LOCK_MAX_TOTAL 16384

/* fcntl's F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ variants; arg is the
 * user's struct flock. */
long lock_fcntl(struct file *f, int cmd, void __user *arg);
/* p closes a descriptor for f: POSIX's rule, p's locks on f's inode go. */
void lock_posix_close(struct process *p, struct file *f);
/* f's last reference is gone: its OFD and flock locks go. */
void lock_file_release(struct file *f);
/* p exits: whatever POSIX locks it still owns go. */
void lock_proc_exit(struct process *p);

#endif
