/* What System V semaphores and message queues share: the permission
 * checks (Linux's ipcperms), the ipc64_perm a stat reports, and the
 * sleep of a thread waiting on a set or a queue. */
#include <fs/vfs.h>
#include <ipc.h>
#include <lib/string.h>
#include <proc.h>
#include <sched.h>
#include <time.h>
#include <uapi/errno.h>
#include <uapi/ipc.h>

int64_t ipc_now_sec(void)
{
	return rtc_boot_epoch + (int64_t)(time_ns() / NSEC_PER_SEC);
}

void ipc_perm_init(struct ipc_kperm *perm, int32_t key, int flags)
{
	const struct process *p = proc_current();
	perm->key = key;
	perm->uid = perm->cuid = p->euid;
	perm->gid = perm->cgid = p->egid;
	perm->mode = (uint32_t)flags & 0777;
}

bool ipc_perm_may(const struct ipc_kperm *perm, int flag)
{
	const struct process *p = proc_current();
	int requested = (flag >> 6) | (flag >> 3) | flag;
	unsigned granted = perm->mode;
	if (p->euid == perm->cuid || p->euid == perm->uid)
		granted >>= 6;
	else if (vfs_in_group(p->fs, perm->cgid) ||
		 vfs_in_group(p->fs, perm->gid))
		granted >>= 3;
	return !(requested & ~granted & 7) || p->euid == 0;
}

bool ipc_perm_is_owner(const struct ipc_kperm *perm)
{
	const struct process *p = proc_current();
	return p->euid == 0 || p->euid == perm->uid || p->euid == perm->cuid;
}

void ipc_perm_to_user(const struct ipc_kperm *perm, struct ipc64_perm *out)
{
	memset(out, 0, sizeof(*out));
	out->key = perm->key;
	out->uid = perm->uid;
	out->gid = perm->gid;
	out->cuid = perm->cuid;
	out->cgid = perm->cgid;
	out->mode = perm->mode;
	out->seq = perm->seq;
}

int ipc_waiter_sleep(struct ipc_waiter *w, uint64_t deadline)
{
	struct thread *t = w->t;
	int r = 0;
	irqflags_t f = sched_lock_irqsave();
	while (w->state == IPC_WAITING) {
		if (signal_pending(t)) {
			r = -EINTR;
			break;
		}
		t->intr_sleep = true;
		int s = sched_sleep_locked(NULL, deadline);
		t->intr_sleep = false;
		if (s == -ETIMEDOUT && w->state == IPC_WAITING) {
			r = -EAGAIN;
			break;
		}
	}
	/* A wake-up that came with the signal or the timeout wins: the
	 * caller retries (or reports the removal) rather than lose it. */
	if (w->state != IPC_WAITING)
		r = w->state;
	sched_unlock_irqrestore(f);
	return r;
}

void ipc_waiters_wake_all(struct list_head *list, int state)
{
	irqflags_t f = sched_lock_irqsave();
	while (!list_empty(list)) {
		struct ipc_waiter *w =
		    list_first_entry(list, struct ipc_waiter, link);
		list_del(&w->link);
		w->state = state;
		sched_wake_locked(w->t);
	}
	sched_unlock_irqrestore(f);
}
