/* AF_UNIX data: sending (stream bytes in chunks bounded by the sender's
 * SO_SNDBUF, datagrams and records whole) and receiving (a stream reads
 * across messages but not across ancillary data; a datagram or record is
 * one message, cut with MSG_TRUNC). Locking as net/unix.c says. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/socket.h>
#include <uapi/errno.h>
#include "unix_internal.h"

#define UNIX_MAX_DGRAM_QLEN 10

/* Whether a connected sender may go on: room, or a state that ends the
 * wait with an error. */
static bool unix_send_ready(void *arg)
{
	struct socket *s = arg;
	struct unix_sock *u = s->sk, *p = u->peer;
	return u->wmem < s->sndbuf || u->dead ||
	       (u->shutdown & UNIX_SHUT_SEND) || !p || p->dead ||
	       (p->shutdown & UNIX_SHUT_RCV);
}

/* unix_lock held: -EPIPE if a connected sender can no longer send. */
static int unix_conn_state(struct unix_sock *u)
{
	if (u->state != UNIX_CONNECTED)
		return u->shutdown & UNIX_SHUT_SEND ? -EPIPE : -ENOTCONN;
	struct unix_sock *p = u->peer;
	if ((u->shutdown & UNIX_SHUT_SEND) || !p || p->dead ||
	    (p->shutdown & UNIX_SHUT_RCV))
		return -EPIPE;
	return 0;
}

static long unix_send_conn(struct socket *s, const char *buf, size_t n,
			   struct sock_msg *m)
{
	struct unix_sock *u = s->sk;
	bool stream = u->type == SOCK_STREAM;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (stream && m->addr) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		int st = u->state;
		spin_unlock_irqrestore(&unix_lock, fl);
		return st == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	}
	if (!stream && n > s->sndbuf - 32)
		return -EMSGSIZE;
	struct sock_msg first = *m;
	size_t done = 0;
	long r = 0;
	do {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		r = unix_conn_state(u);
		if (r) {
			spin_unlock_irqrestore(&unix_lock, fl);
			break;
		}
		if (u->wmem >= s->sndbuf) {
			spin_unlock_irqrestore(&unix_lock, fl);
			r = unix_wait(&s->wq, m->nonblock, m->deadline_ns,
				      unix_send_ready, s);
			if (r)
				break;
			continue;
		}
		/* A stream takes what fits; a record goes whole once the
		 * sender is under its limit (Linux's sock_alloc_send_skb). */
		size_t room = s->sndbuf - u->wmem;
		size_t c =
		    stream ? MIN(n - done, room > sizeof(struct unix_msg)
					       ? room - sizeof(struct unix_msg)
					       : 1)
			   : n;
		spin_unlock_irqrestore(&unix_lock, fl);
		struct unix_msg *msg = unix_msg_new(buf + done, c, &first);
		if (!msg) {
			r = -ENOBUFS;
			break;
		}
		fl = spin_lock_irqsave(&unix_lock);
		r = unix_conn_state(u);
		if (!r)
			r = unix_msg_queue(u, u->peer, msg);
		spin_unlock_irqrestore(&unix_lock, fl);
		if (r) {
			LIST_HEAD(dead);
			list_add_tail(&msg->link, &dead);
			unix_free_list(&dead);
			break;
		}
		first.scm = NULL; /* ancillary data goes with the first bytes */
		done += c;
	} while (done < n);
	if (done)
		return (long)done;
	return r;
}

struct dgram_wait {
	struct socket *s;
	struct unix_sock *other;
};

static bool unix_dgram_ready(void *arg)
{
	struct dgram_wait *w = arg;
	struct unix_sock *u = w->s->sk, *o = w->other;
	return o->dead || o == u || o->rq_count <= UNIX_MAX_DGRAM_QLEN ||
	       (o->shutdown & UNIX_SHUT_RCV);
}

static bool unix_wmem_ready(void *arg)
{
	struct socket *s = arg;
	struct unix_sock *u = s->sk;
	return u->wmem < s->sndbuf;
}

static long unix_send_dgram(struct socket *s, const char *buf, size_t n,
			    struct sock_msg *m)
{
	struct unix_sock *u = s->sk, *o = NULL;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (n > s->sndbuf - 32)
		return -EMSGSIZE;
	int r;
	if (m->addr) {
		struct sockaddr_un_k a;
		uint32_t alen;
		r = unix_addr_check(m->addr, m->addrlen, &a, &alen);
		if (r)
			return r;
		if (alen == 2)
			return -EINVAL;
		r = unix_find(&a, alen, SOCK_DGRAM, &o);
		if (r)
			return r;
	} else {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		o = u->peer;
		if (o)
			o->refs++;
		spin_unlock_irqrestore(&unix_lock, fl);
		if (!o)
			return -ENOTCONN;
	}
	struct unix_msg *msg = unix_msg_new(buf, n, m);
	if (!msg) {
		r = -ENOBUFS;
		goto out;
	}
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		if (o->dead) {
			/* A connected peer that went away: forget it. */
			if (u->peer == o) {
				u->peer = NULL;
				u->state = UNIX_UNCONNECTED;
				unix_put_locked(o);
			}
			r = -ECONNREFUSED;
		} else if (o->peer && o->peer != u && o != u) {
			r = -EPERM;
		} else if (u->shutdown & UNIX_SHUT_SEND) {
			r = -EPIPE;
		} else if (o->shutdown & UNIX_SHUT_RCV) {
			r = -EPIPE;
		} else {
			r = 0;
			if (s->passcred || (o->sock && o->sock->passcred))
				(void)unix_autobind_locked(u);
			if (o != u && o->rq_count > UNIX_MAX_DGRAM_QLEN) {
				spin_unlock_irqrestore(&unix_lock, fl);
				struct dgram_wait w = {s, o};
				r = unix_wait(&o->peer_wait, m->nonblock,
					      m->deadline_ns, unix_dgram_ready,
					      &w);
				if (r)
					break;
				continue;
			}
			if (u->wmem >= s->sndbuf) {
				spin_unlock_irqrestore(&unix_lock, fl);
				r = unix_wait(&s->wq, m->nonblock,
					      m->deadline_ns, unix_wmem_ready,
					      s);
				if (r)
					break;
				continue;
			}
			r = unix_msg_queue(u, o, msg);
			if (!r)
				msg = NULL;
		}
		spin_unlock_irqrestore(&unix_lock, fl);
		break;
	}
	if (msg) {
		LIST_HEAD(dead);
		list_add_tail(&msg->link, &dead);
		unix_free_list(&dead);
	}
out:;
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	unix_put_locked(o);
	spin_unlock_irqrestore(&unix_lock, fl);
	return r ? r : (long)n;
}

long unix_sendmsg(struct socket *s, const char *buf, size_t n,
		  struct sock_msg *m)
{
	if (s->type == SOCK_DGRAM)
		return unix_send_dgram(s, buf, n, m);
	if (s->type == SOCK_SEQPACKET)
		m->addr = NULL; /* Linux ignores a record's address */
	return unix_send_conn(s, buf, n, m);
}

static bool unix_recv_ready(void *arg)
{
	struct unix_sock *u = ((struct socket *)arg)->sk;
	return !list_empty(&u->rq) || (u->shutdown & UNIX_SHUT_RCV) || u->err ||
	       u->dead ||
	       (u->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED);
}

static bool same_creds(const struct ucred_k *a, const struct ucred_k *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* unix_lock held: hands msg's files to scm (a peek gives new
 * references). Without scm they stay and go when the message does. */
static void unix_take_files(struct unix_msg *msg, struct sock_scm *scm,
			    bool peek)
{
	if (!scm || !msg->nfiles)
		return;
	for (int i = 0; i < msg->nfiles && scm->nfiles < SCM_MAX_FD; i++) {
		struct file *f = msg->files[i];
		if (!f)
			continue;
		if (peek) {
			scm->files[scm->nfiles++] = file_get(f);
		} else {
			unix_inflight_file_sub(msg, i);
			scm->files[scm->nfiles++] = f;
			msg->files[i] = NULL;
		}
	}
}

static bool msg_has_files(const struct unix_msg *msg)
{
	for (int i = 0; i < msg->nfiles; i++)
		if (msg->files[i])
			return true;
	return false;
}

long unix_recvmsg(struct socket *s, char *buf, size_t n, struct sock_msg *m)
{
	struct unix_sock *u = s->sk;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	bool peek = m->flags & MSG_PEEK;
	LIST_HEAD(dead);
	long r;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&unix_lock);
		if (u->state == UNIX_LISTENING) {
			spin_unlock_irqrestore(&unix_lock, fl);
			return -EINVAL;
		}
		if (list_empty(&u->rq)) {
			r = 1;
			if (u->err) {
				r = -u->err;
				u->err = 0;
			} else if (u->shutdown & UNIX_SHUT_RCV) {
				r = 0;
			} else if (u->state != UNIX_CONNECTED &&
				   u->type != SOCK_DGRAM) {
				/* Never connected: Linux's answers. A
				 * datagram socket needs no peer to receive
				 * (syslogd reads its bound /dev/log), so it
				 * waits. */
				r = u->type == SOCK_SEQPACKET ? -ENOTCONN
							      : -EINVAL;
			}
			spin_unlock_irqrestore(&unix_lock, fl);
			if (r <= 0) {
				m->addrlen = 0;
				return r;
			}
			r = unix_wait(&s->wq, m->nonblock, m->deadline_ns,
				      unix_recv_ready, s);
			if (r)
				return r;
			continue;
		}
		struct unix_msg *msg =
		    list_first_entry(&u->rq, struct unix_msg, link);
		if (u->type != SOCK_STREAM) {
			size_t c = MIN(n, msg->len);
			if (c)
				memcpy(buf, msg->data, c);
			if (msg->len > n)
				m->out_flags |= MSG_TRUNC;
			if (m->addr && u->type == SOCK_DGRAM && msg->addrlen) {
				memcpy(m->addr, &msg->addr, msg->addrlen);
				m->addrlen = msg->addrlen;
			} else {
				m->addrlen = 0;
			}
			if (m->scm) {
				m->scm->creds = msg->creds;
				m->scm->has_creds = true;
			}
			unix_take_files(msg, m->scm, peek);
			r = (m->flags & MSG_TRUNC) ? (long)msg->len : (long)c;
			if (!peek) {
				unix_msg_unlink(u, msg);
				list_add_tail(&msg->link, &dead);
			}
			spin_unlock_irqrestore(&unix_lock, fl);
			break;
		}
		/* A stream: across messages up to n, but a reader gets one
		 * sender's credentials and one message's files at a time. */
		size_t copied = 0;
		m->addrlen = 0;
		struct unix_msg *next;
		for (msg = list_first_entry(&u->rq, struct unix_msg, link);
		     &msg->link != &u->rq && copied < n; msg = next) {
			next =
			    list_first_entry(&msg->link, struct unix_msg, link);
			if (copied && m->scm &&
			    (msg_has_files(msg) ||
			     !same_creds(&msg->creds, &m->scm->creds)))
				break;
			size_t c = MIN(n - copied, msg->len - msg->off);
			memcpy(buf + copied, msg->data + msg->off, c);
			if (!copied && m->scm) {
				m->scm->creds = msg->creds;
				m->scm->has_creds = true;
			}
			bool files = m->scm && msg_has_files(msg);
			unix_take_files(msg, m->scm, peek);
			copied += c;
			if (!peek) {
				msg->off += c;
				if (msg->off == msg->len) {
					unix_msg_unlink(u, msg);
					list_add_tail(&msg->link, &dead);
				}
			}
			if (files)
				break;
		}
		spin_unlock_irqrestore(&unix_lock, fl);
		r = (long)copied;
		break;
	}
	unix_free_list(&dead);
	return r;
}
