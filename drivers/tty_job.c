/* Terminal job control, after Linux's drivers/tty/tty_jobctrl.c: a tty is
 * the controlling terminal of at most one session (t->session), whose
 * processes point at it (p->ctty); a process of a background group that
 * reads it gets SIGTTIN, one that writes with TOSTOP or changes its
 * settings gets SIGTTOU. Session, foreground group and ctty pointers are
 * protected by proc_lock; the buffers by t->lock. t->lock is never held
 * while proc_lock is taken (signals are sent after it is dropped). */
#include <drivers/tty.h>
#include <percpu.h>
#include <proc.h>
#include <signal.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include "tty_internal.h"

/* Job control for an access to t by the current process (Linux's
 * __tty_check_change): 0 if it may go on; a process of a background group
 * of t's session gets sig (its whole group does) and -EINTR, which
 * restarts the call once the group is continued in the foreground. An
 * ignored or blocked sig lets SIGTTOU accesses through and fails SIGTTIN
 * ones with -EIO; an orphaned group, which nobody would continue, gets
 * -EIO instead of stopping. */
int tty_check_change(struct tty *t, int sig)
{
	struct process *p = proc_current();
	if (!p)
		return 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->ctty != t || t->pgrp <= 0 || p->pgid == t->pgrp) {
		spin_unlock_irqrestore(&proc_lock, f);
		return 0;
	}
	int pgid = p->pgid;
	bool orphaned = proc_pgrp_orphaned(pgid);
	spin_unlock_irqrestore(&proc_lock, f);
	if (p->sigactions[sig - 1].handler == SIG_IGN ||
	    (current->sig_blocked & SIGBIT(sig)))
		return sig == SIGTTIN ? -EIO : 0;
	if (orphaned)
		return -EIO;
	proc_signal_group(pgid, false, NULL, sig);
	return -EINTR;
}

/* With proc_lock held: t becomes the controlling terminal of p's session
 * (Linux's __proc_set_tty), with p's group in the foreground. */
static void set_ctty_locked(struct tty *t, struct process *p)
{
	t->session = p->sid;
	__atomic_store_n(&t->pgrp, p->pgid, __ATOMIC_RELAXED);
	p->ctty = t;
}

void tty_open_ctty(struct tty *t, bool noctty, bool readable)
{
	struct process *p = proc_current();
	if (!p || noctty || !readable)
		return;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (p->sid == p->pid && !p->ctty && t->session == 0 && !t->hungup)
		set_ctty_locked(t, p);
	spin_unlock_irqrestore(&proc_lock, f);
}

struct tty *tty_current_ctty(void)
{
	struct process *p = proc_current();
	return p ? __atomic_load_n(&p->ctty, __ATOMIC_RELAXED) : NULL;
}

/* Under proc_lock: a pty is freed only after its hang-up cleared every
 * ctty pointer to it (under proc_lock), so one found here is alive. */
struct tty *tty_current_ctty_get(void)
{
	struct process *p = proc_current();
	if (!p)
		return NULL;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct tty *t = p->ctty;
	if (t && t->drv->get)
		t->drv->get(t);
	spin_unlock_irqrestore(&proc_lock, f);
	return t;
}

void tty_hangup(struct tty *t)
{
	irqflags_t f = spin_lock_irqsave(&t->lock);
	t->hungup = true;
	flush_input(t);
	spin_unlock_irqrestore(&t->lock, f);
	wait_queue_wake_all(&t->readers);
	/* As tty_signal_session_leader(): the processes of the session lose
	 * t, the leader is told. */
	f = spin_lock_irqsave(&proc_lock);
	int sid = t->session;
	if (sid) {
		proc_clear_ctty(sid, t);
		t->session = 0;
		__atomic_store_n(&t->pgrp, 0, __ATOMIC_RELAXED);
	}
	struct process *leader = sid ? proc_find(sid) : NULL;
	if (leader && leader->sid == sid) {
		signal_send(leader, SIGHUP);
		signal_send(leader, SIGCONT);
	}
	spin_unlock_irqrestore(&proc_lock, f);
}

/* The session leader p gives up its terminal t (Linux's
 * disassociate_ctty): the foreground group is told (SIGHUP, and SIGCONT
 * unless p is exiting), then no process of the session has t any more. */
static void tty_disassociate(struct tty *t, struct process *p, bool on_exit)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	int pgrp = t->session == p->sid ? t->pgrp : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	if (pgrp > 0) {
		proc_signal_group(pgrp, false, NULL, SIGHUP);
		if (!on_exit)
			proc_signal_group(pgrp, false, NULL, SIGCONT);
	}
	f = spin_lock_irqsave(&proc_lock);
	if (t->session == p->sid) {
		t->session = 0;
		__atomic_store_n(&t->pgrp, 0, __ATOMIC_RELAXED);
	}
	proc_clear_ctty(p->sid, t);
	spin_unlock_irqrestore(&proc_lock, f);
}

void tty_session_leader_exit(struct process *p)
{
	struct tty *t = p->ctty;
	if (t)
		tty_disassociate(t, p, true);
}

int tty_proc_stat(struct process *p, int *tpgid)
{
	struct tty *t = p->ctty;
	*tpgid = -1;
	if (!t)
		return 0;
	if (t->pgrp > 0)
		*tpgid = t->pgrp;
	/* Linux's new_encode_dev. */
	return (int)((t->minor & 0xff) | (t->major << 8) |
		     ((t->minor & ~0xffu) << 12));
}

/* TIOCSCTTY: a session leader without a terminal takes t; one that is
 * another session's is taken away from it only if steal (arg 1) is asked
 * by root. */
long tiocsctty(struct tty *t, unsigned long steal, bool readable)
{
	struct process *p = proc_current();
	long r = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	if (t->hungup) {
		r = -EIO;
		goto out;
	}
	if (p->sid == p->pid && t->session == p->sid)
		goto out; /* already ours */
	if (p->sid != p->pid || p->ctty) {
		r = -EPERM;
		goto out;
	}
	if (t->session) {
		if (steal != 1 || p->euid != 0) {
			r = -EPERM;
			goto out;
		}
		proc_clear_ctty(t->session, t);
	}
	if (!readable && p->euid != 0) {
		r = -EPERM;
		goto out;
	}
	set_ctty_locked(t, p);
out:
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}

/* TIOCNOTTY: the caller gives up its terminal; a session leader takes the
 * whole session with it. */
long tiocnotty(struct tty *t)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = p->ctty == t;
	bool leader = p->sid == p->pid;
	if (mine && !leader)
		p->ctty = NULL;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine)
		return -ENOTTY;
	if (leader)
		tty_disassociate(t, p, false);
	return 0;
}

/* TIOCGPGRP and TIOCGSID answer only about the caller's own terminal,
 * unless asked through a pty's master (any: as Linux, which lets a
 * terminal emulator see its slave's foreground group). */
long tiocgpgrp_sid(struct tty *t, unsigned long cmd, int32_t __user *uarg,
		   bool any)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = any || p->ctty == t;
	int32_t v = cmd == TIOCGSID ? t->session : t->pgrp;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine || (cmd == TIOCGSID && v == 0))
		return -ENOTTY;
	return copy_to_user(uarg, &v, sizeof(v));
}

long tiocspgrp(struct tty *t, const int32_t __user *uarg)
{
	struct process *p = proc_current();
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	bool mine = p->ctty == t && t->session == p->sid;
	spin_unlock_irqrestore(&proc_lock, f);
	if (!mine)
		return -ENOTTY;
	int r = tty_check_change(t, SIGTTOU);
	if (r)
		return r == -EIO ? -ENOTTY : r;
	int32_t pg;
	if (copy_from_user(&pg, uarg, sizeof(pg)))
		return -EFAULT;
	if (pg < 0)
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	if (!proc_pgrp_used(pg, -1, NULL))
		r = -ESRCH;
	else if (!proc_pgrp_used(pg, p->sid, NULL))
		r = -EPERM;
	else
		__atomic_store_n(&t->pgrp, pg, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&proc_lock, f);
	return r;
}
