/* System V IPC: shared memory (kernel/ipc_shm.c), semaphores
 * (kernel/ipc_sem.c) and message queues (kernel/ipc_msg.c), with what
 * the last two share (kernel/ipc_util.c). The system calls are in the
 * table; the ABI is include/uapi/ipc.h. */
#ifndef LIMEN_IPC_H
#define LIMEN_IPC_H

#include <lib/list.h>
#include <types.h>

struct process;
struct thread;
struct ipc64_perm;

/* /proc/sysvipc/{shm,sem,msg} in Linux's format: a header line, then one
 * line per segment, set or queue. Return the length written into buf (at
 * most size - 1); only whole lines. */
long ipc_shm_proc_show(char *buf, size_t size);
long ipc_sem_proc_show(char *buf, size_t size);
long ipc_msg_proc_show(char *buf, size_t size);

/* At the end of process p (its last thread, no lock held): applies and
 * frees its semaphore undo adjustments (SEM_UNDO). */
void ipc_sem_exit(struct process *p);

/* Linux's id scheme: id = seq * IPC_SEQ_MULT + index, seq below
 * IPC_SEQ_MAX so that an id stays a positive int. */
#define IPC_SEQ_MULT 32768
#define IPC_SEQ_MAX 65535

/* The identity and permissions of a semaphore set or a message queue;
 * the owning table's lock guards the mutable fields. */
struct ipc_kperm {
	int id;			       /* const */
	uint16_t seq;		       /* const */
	int32_t key;		       /* lock: IPC_PRIVATE once removed */
	uint32_t uid, gid, cuid, cgid; /* lock (cuid, cgid const) */
	uint32_t mode;		       /* lock: the 0777 bits */
};

/* Fills perm for a new object of the calling process. */
void ipc_perm_init(struct ipc_kperm *perm, int32_t key, int flags);
/* Linux's ipcperms with the filesystem gid and supplementary groups
 * (in_group_p): may the caller access for the rwx bits of flag (in
 * any position)? Root (CAP_IPC_OWNER) always may. */
bool ipc_perm_may(const struct ipc_kperm *perm, int flag);
/* IPC_SET and IPC_RMID: the owner, the creator or root. */
bool ipc_perm_is_owner(const struct ipc_kperm *perm);
void ipc_perm_to_user(const struct ipc_kperm *perm, struct ipc64_perm *out);
/* Seconds since the epoch, for the objects' times. */
int64_t ipc_now_sec(void);

/* A thread sleeping on a semaphore set or a message queue. It joins the
 * object's list in the same hold of the object's lock as the test that
 * found it must wait, so a change made after that test finds it there.
 * A waker (holding the object's lock) takes it off the list and sets
 * state under sched_lock as well, so the sleeper, testing state under
 * sched_lock, cannot miss it; state may be read under either lock. */
#define IPC_WAITING 1
struct ipc_waiter {
	struct list_head link; /* the object's lock */
	struct thread *t;      /* const */
	int state;	       /* IPC_WAITING, 0 (woken) or -EIDRM */
	long info;	       /* const: the owner's (what it waits for) */
};

/* After the object's lock is dropped: sleeps until w is woken (returns 0
 * or -EIDRM), a signal comes (-EINTR) or deadline passes (-EAGAIN; 0
 * means none). The caller then retakes the object's lock and, if
 * w->state is still IPC_WAITING, takes w off the list itself. */
int ipc_waiter_sleep(struct ipc_waiter *w, uint64_t deadline);
/* With the object's lock held: wakes every waiter on list with state. */
void ipc_waiters_wake_all(struct list_head *list, int state);

#endif
