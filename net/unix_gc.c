/* Files in flight over AF_UNIX: each user's count (bounded by
 * RLIMIT_NOFILE, -ETOOMANYREFS as Linux) and a garbage collector for
 * sockets that are only reachable from socket queues (a socket sent over
 * itself, or two sent to each other, then closed), in the way of Linux's
 * net/unix/garbage.c. All under unix_lock. */
#include <fs/vfs.h>
#include <lib/list.h>
#include <net/socket.h>
#include <proc.h>
#include <rlimit.h>
#include <uapi/errno.h>
#include <uapi/misc.h>
#include "unix_internal.h"

/* Users with files in flight. A user beyond the table's size is refused
 * (-ETOOMANYREFS) rather than left uncounted. */
#define UNIX_USERS 64
static struct {
	uint32_t uid;
	long count;
} unix_users[UNIX_USERS];

/* Unix sockets whose files are in flight (unix_sock.gc_link). */
static LIST_HEAD(unix_inflight_list);
static bool unix_gc_running; /* unix_lock */

static long *user_count(uint32_t uid, bool make)
{
	int free = -1;
	for (int i = 0; i < UNIX_USERS; i++) {
		if (unix_users[i].count && unix_users[i].uid == uid)
			return &unix_users[i].count;
		if (!unix_users[i].count && free < 0)
			free = i;
	}
	if (!make || free < 0)
		return NULL;
	unix_users[free].uid = uid;
	return &unix_users[free].count;
}

/* The unix_sock behind a file in flight, or NULL for any other file. */
static struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = sock_from_file(f);
	return s && s->family == AF_UNIX ? s->sk : NULL;
}

static void inflight_inc(struct file *f)
{
	struct unix_sock *u = unix_of_file(f);
	if (u && u->inflight++ == 0)
		list_add_tail(&u->gc_link, &unix_inflight_list);
}

static void inflight_dec(struct file *f)
{
	struct unix_sock *u = unix_of_file(f);
	if (u && --u->inflight == 0)
		list_del(&u->gc_link);
}

int unix_inflight_add(struct unix_msg *m)
{
	if (!m->nfiles)
		return 0;
	struct process *p = proc_current();
	m->inflight_uid = p->uid;
	long *c = user_count(p->uid, true);
	/* Linux's too_many_unix_fds: refused once over the limit. */
	if (!c || (p->euid != 0 && (uint64_t)*c > rlimit_cur(RLIMIT_NOFILE)))
		return -ETOOMANYREFS;
	*c += m->nfiles;
	for (int i = 0; i < m->nfiles; i++)
		inflight_inc(m->files[i]);
	return 0;
}

void unix_inflight_file_sub(struct unix_msg *m, int i)
{
	long *c = user_count(m->inflight_uid, false);
	if (c)
		(*c)--;
	inflight_dec(m->files[i]);
}

void unix_inflight_sub(struct unix_msg *m)
{
	/* Only a queued message was counted (m->from is set by the queue). */
	for (int i = 0; i < m->nfiles; i++)
		if (m->files[i])
			unix_inflight_file_sub(m, i);
}

/* Calls fn on every unix socket whose file sits in u's queue, or in the
 * queues of the connections waiting on listener u. */
static void for_each_child(struct unix_sock *u,
			   void (*fn)(struct unix_sock *child, void *arg),
			   void *arg)
{
	struct unix_msg *m;
	list_for_each_entry(m, &u->rq, link)
	{
		for (int i = 0; i < m->nfiles; i++) {
			struct unix_sock *c =
			    m->files[i] ? unix_of_file(m->files[i]) : NULL;
			if (c)
				fn(c, arg);
		}
	}
	struct unix_sock *e;
	list_for_each_entry(e, &u->acceptq, aq_link) for_each_child(e, fn, arg);
}

static void dec_child(struct unix_sock *c, void *arg)
{
	(void)arg;
	if (c->gc_candidate)
		c->gc_refs--;
}

static void restore_child(struct unix_sock *c, void *arg)
{
	bool *changed = arg;
	if (c->gc_candidate && c->gc_refs == 0) {
		c->gc_refs = 1; /* reachable after all */
		*changed = true;
	}
}

void unix_gc(void)
{
	LIST_HEAD(dead);
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	if (unix_gc_running || list_empty(&unix_inflight_list)) {
		spin_unlock_irqrestore(&unix_lock, fl);
		return;
	}
	unix_gc_running = true;
	struct unix_sock *u;
	/* Candidates: sockets whose every file reference is in flight. No
	 * descriptor holds them, and only a receive (under unix_lock) could
	 * hand one out. */
	list_for_each_entry(u, &unix_inflight_list, gc_link)
	{
		long refs = u->sock ? __atomic_load_n(&u->sock->file->refs,
						      __ATOMIC_ACQUIRE)
				    : -1;
		u->gc_candidate = refs == u->inflight;
		u->gc_refs = u->inflight;
	}
	/* References from candidates' queues do not count as outside. */
	list_for_each_entry(u, &unix_inflight_list,
			    gc_link) if (u->gc_candidate)
	    for_each_child(u, dec_child, NULL);
	/* Whatever a socket still referenced from outside reaches lives. The
	 * loop ends: each pass marks at least one more or stops. */
	bool changed = true;
	while (changed) {
		changed = false;
		list_for_each_entry(u, &unix_inflight_list, gc_link)
		{
			if (!u->gc_candidate || u->gc_refs > 0)
				for_each_child(u, restore_child, &changed);
		}
	}
	/* The rest is garbage: empty its queues; dropping those files
	 * releases the sockets. Purging takes sockets off the in-flight
	 * list, so the garbage is listed apart first. */
	LIST_HEAD(garbage);
	list_for_each_entry(u, &unix_inflight_list, gc_link)
	{
		if (u->gc_candidate && u->gc_refs == 0) {
			u->refs++; /* kept until purged */
			list_add_tail(&u->gc_tmp, &garbage);
		}
	}
	while (!list_empty(&garbage)) {
		u = list_first_entry(&garbage, struct unix_sock, gc_tmp);
		list_del(&u->gc_tmp);
		unix_purge_locked(u, &dead);
		struct unix_sock *e;
		list_for_each_entry(e, &u->acceptq, aq_link)
		    unix_purge_locked(e, &dead);
		unix_put_locked(u);
	}
	unix_gc_running = false;
	spin_unlock_irqrestore(&unix_lock, fl);
	unix_free_list(&dead);
}
