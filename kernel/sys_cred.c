/* Credentials: real, effective and saved user and group ids and the
 * supplementary groups, with POSIX's rules on who may change what. Root
 * (euid 0) may set anything; others may only move among the ids they
 * already hold. File permission checks use the effective ids. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <proc.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>

#define NOCHANGE 0xffffffffu

static void sync_fs_ids(struct process *p)
{
	p->fs->uid = p->euid;
	p->fs->gid = p->egid;
}

static bool holds(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == r || id == e || id == s;
}

/* setresuid's rule, shared by every setter of user ids. */
static long set_res(uint32_t *r, uint32_t *e, uint32_t *s, bool priv,
		    uint32_t nr, uint32_t ne, uint32_t ns)
{
	if (!priv && ((nr != NOCHANGE && !holds(nr, *r, *e, *s)) ||
		      (ne != NOCHANGE && !holds(ne, *r, *e, *s)) ||
		      (ns != NOCHANGE && !holds(ns, *r, *e, *s))))
		return -EPERM;
	if (nr != NOCHANGE)
		*r = nr;
	if (ne != NOCHANGE)
		*e = ne;
	if (ns != NOCHANGE)
		*s = ns;
	return 0;
}

SYSCALL_DEFINE3(setresuid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct process *p = proc_current();
	long ret = set_res(&p->uid, &p->euid, &p->suid, p->euid == 0, r, e, s);
	sync_fs_ids(p);
	return ret;
}

SYSCALL_DEFINE3(setresgid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	struct process *p = proc_current();
	long ret = set_res(&p->gid, &p->egid, &p->sgid, p->euid == 0, r, e, s);
	sync_fs_ids(p);
	return ret;
}

SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	struct process *p = proc_current();
	if (p->euid == 0)
		return sys_setresuid(uid, uid, uid);
	return sys_setresuid(NOCHANGE, uid, NOCHANGE);
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	struct process *p = proc_current();
	if (p->euid == 0)
		return sys_setresgid(gid, gid, gid);
	return sys_setresgid(NOCHANGE, gid, NOCHANGE);
}

SYSCALL_DEFINE2(setreuid, uint32_t, r, uint32_t, e)
{
	struct process *p = proc_current();
	/* The saved id follows the effective one when the real id is set
	 * or the effective one changes away from the real one. */
	uint32_t s = NOCHANGE;
	if (r != NOCHANGE || (e != NOCHANGE && e != p->uid))
		s = e != NOCHANGE ? e : p->euid;
	if (p->euid != 0 && r != NOCHANGE && r != p->uid && r != p->euid)
		return -EPERM;
	return sys_setresuid(r, e, s);
}

SYSCALL_DEFINE2(setregid, uint32_t, r, uint32_t, e)
{
	struct process *p = proc_current();
	uint32_t s = NOCHANGE;
	if (r != NOCHANGE || (e != NOCHANGE && e != p->gid))
		s = e != NOCHANGE ? e : p->egid;
	if (p->euid != 0 && r != NOCHANGE && r != p->gid && r != p->egid)
		return -EPERM;
	return sys_setresgid(r, e, s);
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

SYSCALL_DEFINE2(setgroups, int, size, const uint32_t __user *, list)
{
	struct process *p = proc_current();
	uint32_t g[32];
	if (p->euid != 0)
		return -EPERM;
	if (size < 0 || size > 32)
		return -EINVAL;
	if (size && copy_from_user(g, list, sizeof(uint32_t) * size))
		return -EFAULT;
	memcpy(p->groups, g, sizeof(uint32_t) * size);
	p->ngroups = size;
	return 0;
}
