/* AF_UNIX names: checking addresses, binding to a path (an S_IFSOCK node
 * made through the VFS) or an abstract name (the list of bound sockets),
 * autobind, finding the socket a connect or send names, getsockname and
 * getpeername. Locking as net/unix.c says. */
#include <fs/vfs.h>
#include <lib/list.h>
#include <lib/string.h>
#include <net/socket.h>
#include <proc.h>
#include <uapi/errno.h>
#include <uapi/stat.h>
#include "unix_internal.h"

#define UNIX_ADDR_OFF 2 /* offsetof(struct sockaddr_un_k, sun_path) */

/* Every bound unix_sock (unix_lock). */
static LIST_HEAD(unix_bound);

/* Checks a user address: its name (len bytes of sun_path, with the
 * terminating NUL for a path) in *a. -EINVAL if it is no AF_UNIX name. */
int unix_addr_check(const struct sockaddr_storage_k *sa, uint32_t len,
		    struct sockaddr_un_k *a, uint32_t *alen)
{
	if (len < UNIX_ADDR_OFF || len > sizeof(struct sockaddr_un_k) ||
	    sa->ss_family != AF_UNIX)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	memcpy(a, sa, len);
	if (len == UNIX_ADDR_OFF) {
		*alen = len; /* empty: autobind */
		return 0;
	}
	if (a->sun_path[0]) {
		/* A path: its length is up to the NUL (Linux terminates it
		 * at len, which may be all of sun_path). */
		size_t n = strnlen(a->sun_path, len - UNIX_ADDR_OFF);
		if (n == UNIX_PATH_MAX)
			n--; /* no room for the NUL: Linux drops one byte */
		a->sun_path[n] = 0;
		*alen = UNIX_ADDR_OFF + n + 1;
	} else {
		*alen = len;
	}
	return 0;
}

static bool unix_abstract(const struct sockaddr_un_k *a, uint32_t alen)
{
	return alen > UNIX_ADDR_OFF && a->sun_path[0] == 0;
}

/* unix_lock held: the bound socket with abstract name a, or NULL. */
static struct unix_sock *unix_find_abstract(const struct sockaddr_un_k *a,
					    uint32_t alen, int type)
{
	struct unix_sock *u;
	list_for_each_entry(u, &unix_bound, bound_link)
	{
		if (!u->node && u->addrlen == alen && u->type == type &&
		    memcmp(u->addr.sun_path, a->sun_path,
			   alen - UNIX_ADDR_OFF) == 0)
			return u;
	}
	return NULL;
}

/* unix_lock held: whether an abstract name is taken by any type (Linux's
 * abstract namespace is shared by all types). */
static bool unix_abstract_used(const struct sockaddr_un_k *a, uint32_t alen)
{
	struct unix_sock *u;
	list_for_each_entry(u, &unix_bound, bound_link)
	{
		if (!u->node && u->addrlen == alen &&
		    memcmp(u->addr.sun_path, a->sun_path,
			   alen - UNIX_ADDR_OFF) == 0)
			return true;
	}
	return false;
}

static unsigned unix_autobind_next;

/* unix_lock held: gives u an abstract name of five hex digits, as Linux's
 * autobind. */
int unix_autobind_locked(struct unix_sock *u)
{
	if (u->bound)
		return 0;
	for (int tries = 0; tries < 0x100000; tries++) {
		struct sockaddr_un_k a;
		memset(&a, 0, sizeof(a));
		a.sun_family = AF_UNIX;
		unsigned v = unix_autobind_next++ & 0xfffff;
		for (int i = 0; i < 5; i++)
			a.sun_path[5 - i] =
			    "0123456789abcdef"[(v >> (4 * i)) & 15];
		uint32_t alen = UNIX_ADDR_OFF + 6;
		if (unix_abstract_used(&a, alen))
			continue;
		u->addr = a;
		u->addrlen = alen;
		u->bound = true;
		list_add_tail(&u->bound_link, &unix_bound);
		return 0;
	}
	return -ENOSPC;
}

int unix_bind(struct socket *s, const struct sockaddr_storage_k *sa,
	      uint32_t len)
{
	struct unix_sock *u = usk(s);
	struct sockaddr_un_k a;
	uint32_t alen;
	int r = unix_addr_check(sa, len, &a, &alen);
	if (r)
		return r;
	irqflags_t fl;
	if (alen == UNIX_ADDR_OFF) {
		fl = spin_lock_irqsave(&unix_lock);
		r = u->bound ? -EINVAL : unix_autobind_locked(u);
		spin_unlock_irqrestore(&unix_lock, fl);
		return r;
	}
	if (unix_abstract(&a, alen)) {
		fl = spin_lock_irqsave(&unix_lock);
		if (u->bound || u->binding)
			r = -EINVAL;
		else if (unix_abstract_used(&a, alen))
			r = -EADDRINUSE;
		if (!r) {
			u->addr = a;
			u->addrlen = alen;
			u->bound = true;
			list_add_tail(&u->bound_link, &unix_bound);
		}
		spin_unlock_irqrestore(&unix_lock, fl);
		return r;
	}
	/* A path: claim the right to bind first, make the node (the VFS
	 * sleeps), then publish. */
	fl = spin_lock_irqsave(&unix_lock);
	if (u->bound || u->binding)
		r = -EINVAL;
	else
		u->binding = true;
	spin_unlock_irqrestore(&unix_lock, fl);
	if (r)
		return r;
	struct vfs_ctx *ctx = proc_current()->fs;
	struct inode *node = NULL;
	r = vfs_create(ctx, NULL, a.sun_path, S_IFSOCK | (0777 & ~ctx->umask),
		       0, &node);
	if (r == -EEXIST)
		r = -EADDRINUSE;
	fl = spin_lock_irqsave(&unix_lock);
	u->binding = false;
	if (!r) {
		u->addr = a;
		u->addrlen = alen;
		u->node = node;
		u->bound = true;
		list_add_tail(&u->bound_link, &unix_bound);
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}

/* Finds the socket named a for a connect or send: with a reference, or
 * -ENOENT/-EACCES (path lookup), -ECONNREFUSED (no socket there),
 * -EPROTOTYPE (another type). */
int unix_find(const struct sockaddr_un_k *a, uint32_t alen, int type,
	      struct unix_sock **out)
{
	struct inode *ino = NULL;
	if (!unix_abstract(a, alen)) {
		struct vfs_ctx *ctx = proc_current()->fs;
		int r = vfs_lookup(ctx, NULL, a->sun_path, LOOKUP_FOLLOW, &ino);
		if (r)
			return r;
		r = inode_permission(ctx, ino, MAY_WRITE);
		if (!r && !S_ISSOCK(ino->mode))
			r = -ECONNREFUSED;
		if (r) {
			vfs_inode_put(ino);
			return r;
		}
	}
	int r = -ECONNREFUSED;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	struct unix_sock *u, *found = NULL;
	if (ino) {
		list_for_each_entry(u, &unix_bound, bound_link)
		{
			if (u->node == ino) {
				found = u;
				break;
			}
		}
	} else {
		found = unix_find_abstract(a, alen, type);
		if (!found && unix_abstract_used(a, alen))
			r = -EPROTOTYPE;
	}
	if (found && found->type != type) {
		r = -EPROTOTYPE;
		found = NULL;
	}
	if (found) {
		found->refs++;
		r = 0;
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	if (ino)
		vfs_inode_put(ino);
	*out = found;
	return r;
}

int unix_getname(struct socket *s, struct sockaddr_storage_k *sa, uint32_t *len,
		 bool peer)
{
	struct unix_sock *u = usk(s);
	int r = 0;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	struct unix_sock *w = u;
	if (peer) {
		w = u->peer;
		if (!w || u->state != UNIX_CONNECTED)
			r = -ENOTCONN;
	}
	if (!r) {
		memset(sa, 0, sizeof(*sa));
		sa->ss_family = AF_UNIX;
		if (w->bound) {
			memcpy(sa, &w->addr, w->addrlen);
			*len = w->addrlen;
		} else {
			*len = UNIX_ADDR_OFF;
		}
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return r;
}
