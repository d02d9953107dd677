/* Credentials: real, effective, saved and filesystem user and group ids
 * and the supplementary groups, with Linux's rules on who may change what
 * (docs/users.md). Root is euid 0, as Linux without capabilities: it holds
 * CAP_SETUID and CAP_SETGID; others may only move among the ids they
 * already hold. File permission checks use the filesystem ids, which follow
 * the effective ones except through setfsuid/setfsgid. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <proc.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define NOCHANGE 0xffffffffu
#define GROUPS_MAX 32 /* Linux: NGROUPS_MAX 65536; more is EINVAL here */

static bool holds(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == r || id == e || id == s;
}

/* Commits new user ids: the filesystem id follows the effective one, and
 * a change of either makes the process not dumpable (Linux's
 * commit_creds). */
static void commit_uids(struct process *p, uint32_t r, uint32_t e, uint32_t s)
{
	if (e != p->euid || e != p->fs->uid)
		p->dumpable = false;
	p->uid = r;
	p->euid = e;
	p->suid = s;
	p->fs->uid = e;
}

static void commit_gids(struct process *p, uint32_t r, uint32_t e, uint32_t s)
{
	if (e != p->egid || e != p->fs->gid)
		p->dumpable = false;
	p->gid = r;
	p->egid = e;
	p->sgid = s;
	p->fs->gid = e;
}

SYSCALL_DEFINE3(setresuid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct process *p = proc_current();
	uint32_t r0 = p->uid, e0 = p->euid, s0 = p->suid;
	if (p->euid != 0 && ((r != NOCHANGE && !holds(r, r0, e0, s0)) ||
			     (e != NOCHANGE && !holds(e, r0, e0, s0)) ||
			     (s != NOCHANGE && !holds(s, r0, e0, s0))))
		return -EPERM;
	commit_uids(p, r != NOCHANGE ? r : r0, e != NOCHANGE ? e : e0,
		    s != NOCHANGE ? s : s0);
	return 0;
}

SYSCALL_DEFINE3(setresgid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct process *p = proc_current();
	uint32_t r0 = p->gid, e0 = p->egid, s0 = p->sgid;
	if (p->euid != 0 && ((r != NOCHANGE && !holds(r, r0, e0, s0)) ||
			     (e != NOCHANGE && !holds(e, r0, e0, s0)) ||
			     (s != NOCHANGE && !holds(s, r0, e0, s0))))
		return -EPERM;
	commit_gids(p, r != NOCHANGE ? r : r0, e != NOCHANGE ? e : e0,
		    s != NOCHANGE ? s : s0);
	return 0;
}

/* setuid: root sets all three ids; others may set the effective id to
 * the real r0 the saved one (not merely to itself). */
SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	struct process *p = proc_current();
	if (uid == NOCHANGE)
		return -EINVAL;
	if (p->euid == 0)
		commit_uids(p, uid, uid, uid);
	else if (uid == p->uid || uid == p->suid)
		commit_uids(p, p->uid, uid, p->suid);
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	struct process *p = proc_current();
	if (gid == NOCHANGE)
		return -EINVAL;
	if (p->euid == 0)
		commit_gids(p, gid, gid, gid);
	else if (gid == p->gid || gid == p->sgid)
		commit_gids(p, p->gid, gid, p->sgid);
	else
		return -EPERM;
	return 0;
}

/* setreuid: the real id may become the real r0 effective one, the
 * effective id any of the three; the saved id follows the new effective
 * one when the real id is set r0 the effective one moves away from the
 * old real one. */
SYSCALL_DEFINE2(setreuid, uint32_t, r, uint32_t, e)
{
	struct process *p = proc_current();
	uint32_t r0 = p->uid, e0 = p->euid, s0 = p->suid;
	bool priv = p->euid == 0;
	if (!priv && r != NOCHANGE && r != r0 && r != e0)
		return -EPERM;
	if (!priv && e != NOCHANGE && !holds(e, r0, e0, s0))
		return -EPERM;
	uint32_t nr = r != NOCHANGE ? r : r0, ne = e != NOCHANGE ? e : e0;
	uint32_t ns = s0;
	if (r != NOCHANGE || (e != NOCHANGE && e != r0))
		ns = ne;
	commit_uids(p, nr, ne, ns);
	return 0;
}

SYSCALL_DEFINE2(setregid, uint32_t, r, uint32_t, e)
{
	struct process *p = proc_current();
	uint32_t r0 = p->gid, e0 = p->egid, s0 = p->sgid;
	bool priv = p->euid == 0;
	if (!priv && r != NOCHANGE && r != r0 && r != e0)
		return -EPERM;
	if (!priv && e != NOCHANGE && !holds(e, r0, e0, s0))
		return -EPERM;
	uint32_t nr = r != NOCHANGE ? r : r0, ne = e != NOCHANGE ? e : e0;
	uint32_t ns = s0;
	if (r != NOCHANGE || (e != NOCHANGE && e != r0))
		ns = ne;
	commit_gids(p, nr, ne, ns);
	return 0;
}

/* setfsuid/setfsgid always return the old filesystem id; the new one is
 * taken if it is one of the real, effective or saved ids, or the caller is
 * root. A change makes the process not dumpable. */
static uint32_t set_fsid(struct process *p, uint32_t *fsid, uint32_t id,
			 uint32_t r, uint32_t e, uint32_t s)
{
	uint32_t old = *fsid;
	if (id != NOCHANGE && id != old &&
	    (p->euid == 0 || holds(id, r, e, s))) {
		*fsid = id;
		p->dumpable = false;
	}
	return old;
}

SYSCALL_DEFINE1(setfsuid, uint32_t, uid)
{
	struct process *p = proc_current();
	return set_fsid(p, &p->fs->uid, uid, p->uid, p->euid, p->suid);
}

SYSCALL_DEFINE1(setfsgid, uint32_t, gid)
{
	struct process *p = proc_current();
	return set_fsid(p, &p->fs->gid, gid, p->gid, p->egid, p->sgid);
}

static long put3(uint32_t a, uint32_t b, uint32_t c, uint32_t __user *ua,
		 uint32_t __user *ub, uint32_t __user *uc)
{
	if (put_user(a, ua) || put_user(b, ub) || put_user(c, uc))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t __user *, r, uint32_t __user *, e,
		uint32_t __user *, s)
{
	struct process *p = proc_current();
	return put3(p->uid, p->euid, p->suid, r, e, s);
}

SYSCALL_DEFINE3(getresgid, uint32_t __user *, r, uint32_t __user *, e,
		uint32_t __user *, s)
{
	struct process *p = proc_current();
	return put3(p->gid, p->egid, p->sgid, r, e, s);
}

SYSCALL_DEFINE2(getgroups, int, size, uint32_t __user *, list)
{
	struct process *p = proc_current();
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return p->ngroups;
	if (size < p->ngroups)
		return -EINVAL;
	if (copy_to_user(list, p->groups, sizeof(uint32_t) * p->ngroups))
		return -EFAULT;
	return p->ngroups;
}

/* setgroups needs root (CAP_SETGID). The list is kept sorted, as Linux
 * keeps it, so getgroups returns it in ascending order. */
SYSCALL_DEFINE2(setgroups, int, size, const uint32_t __user *, list)
{
	struct process *p = proc_current();
	uint32_t g[GROUPS_MAX];
	if (p->euid != 0)
		return -EPERM;
	if (size < 0 || size > GROUPS_MAX)
		return -EINVAL;
	if (size && copy_from_user(g, list, sizeof(uint32_t) * size))
		return -EFAULT;
	for (int i = 1; i < size; i++)
		for (int j = i; j > 0 && g[j - 1] > g[j]; j--) {
			uint32_t t = g[j];
			g[j] = g[j - 1];
			g[j - 1] = t;
		}
	p->ngroups = 0; /* a racing reader sees no groups, never garbage */
	p->fs->ngroups = 0;
	memcpy(p->groups, g, sizeof(uint32_t) * size);
	p->ngroups = size;
	p->fs->ngroups = size;
	return 0;
}
