/* Shared by the AF_UNIX files: net/unix.c (names, connections, options),
 * net/unix_msg.c (sending and receiving) and net/unix_gc.c (files in
 * flight). Every field is guarded by unix_lock unless said otherwise. */
#ifndef LIMEN_NET_UNIX_INTERNAL_H
#define LIMEN_NET_UNIX_INTERNAL_H

#include <lib/list.h>
#include <net/socket.h>
#include <sched.h>
#include <spinlock.h>

extern spinlock_t unix_lock;
/* Every socket not yet released (and connections not yet accepted), for
 * /proc/net/unix. */
extern struct list_head unix_all;
extern uint64_t unix_all_gen; /* removals from it (seq_list_start) */

enum { UNIX_UNCONNECTED, UNIX_LISTENING, UNIX_CONNECTED };
#define UNIX_SHUT_RCV 1
#define UNIX_SHUT_SEND 2
#define UNIX_SHUT_MASK 3

/* One queued message (a datagram, a record, or a stream's bytes from one
 * send), with the ancillary data that came with it. */
struct unix_msg {
	struct list_head link;	   /* the receiver's rq */
	size_t len, off;	   /* off: bytes a stream reader took already */
	struct unix_sock *from;	   /* the sender, referenced: wmem is charged */
	struct sockaddr_un_k addr; /* the sender's name (addrlen 0: none) */
	uint32_t addrlen;
	struct ucred_k creds;
	uint32_t inflight_uid; /* whose in-flight count the files are */
	int nfiles;
	struct file **files; /* references; NULL entries handed over */
	char data[];
};

#define UNIX_TRUESIZE(m) (sizeof(struct unix_msg) + (m)->len)

struct unix_sock {
	struct socket *sock; /* NULL once released (or not yet accepted) */
	int type;
	int refs; /* the socket, a peer pointing here, messages sent */
	int state;
	int shutdown; /* UNIX_SHUT_* */
	int err;      /* SO_ERROR (ECONNRESET) */
	bool dead, bound, binding;
	struct unix_sock *peer; /* referenced */
	struct sockaddr_un_k addr;
	uint32_t addrlen;
	struct inode *node;	     /* a path name's inode, referenced (VFS) */
	struct list_head bound_link; /* unix_bound */
	struct list_head all_link;   /* unix_all, until released */
	struct list_head rq;	     /* struct unix_msg */
	size_t rq_bytes;
	int rq_count;
	/* Our messages still queued somewhere, with their overhead
	 * (UNIX_TRUESIZE): many tiny sends cannot pin more memory than
	 * SO_SNDBUF allows, as Linux charges an skb's truesize. */
	size_t wmem;
	/* Listeners: connections waiting for accept (unix_sock.aq_link). */
	struct list_head acceptq, aq_link;
	int backlog, nqueued;
	struct ucred_k peercred; /* SO_PEERCRED */
	/* Connecters to a full listener, datagram senders to a full
	 * receiver sleep here. */
	struct wait_queue peer_wait;
	/* net/unix_gc.c: this socket's file is in flight this many times. */
	int inflight;
	struct list_head gc_link;
	struct list_head gc_tmp; /* unix_gc's garbage list */
	long gc_refs;
	bool gc_candidate;
};

static inline struct unix_sock *usk(struct socket *s)
{
	return s->sk;
}

void unix_put_locked(struct unix_sock *u);
void unix_wake(struct unix_sock *u);

/* net/unix.c */
int unix_wait(struct wait_queue *wq, bool nonblock, uint64_t deadline,
	      bool (*cond)(void *arg), void *arg);
struct unix_msg *unix_msg_new(const char *buf, size_t n, struct sock_msg *sm);
int unix_msg_queue(struct unix_sock *from, struct unix_sock *to,
		   struct unix_msg *m);
void unix_msg_unlink(struct unix_sock *to, struct unix_msg *m);
void unix_purge_locked(struct unix_sock *u, struct list_head *dead);
/* Frees messages (and drops their files) outside unix_lock. */
void unix_free_list(struct list_head *dead);

/* net/unix_addr.c */
int unix_find(const struct sockaddr_un_k *a, uint32_t alen, int type,
	      struct unix_sock **out);
int unix_addr_check(const struct sockaddr_storage_k *sa, uint32_t len,
		    struct sockaddr_un_k *a, uint32_t *alen);
int unix_autobind_locked(struct unix_sock *u);
int unix_bind(struct socket *s, const struct sockaddr_storage_k *sa,
	      uint32_t len);
int unix_getname(struct socket *s, struct sockaddr_storage_k *sa, uint32_t *len,
		 bool peer);

/* net/unix_msg.c */
long unix_sendmsg(struct socket *s, const char *buf, size_t n,
		  struct sock_msg *m);
long unix_recvmsg(struct socket *s, char *buf, size_t n, struct sock_msg *m);

/* net/unix_gc.c, unix_lock held: charge a message's files to the sender's
 * user (-ETOOMANYREFS past RLIMIT_NOFILE, as Linux) and back. */
int unix_inflight_add(struct unix_msg *m);
void unix_inflight_sub(struct unix_msg *m);
/* File i of m leaves flight (handed to a receiver). */
void unix_inflight_file_sub(struct unix_msg *m, int i);
/* Collects unreachable cycles of sockets in flight (call without locks). */
void unix_gc(void);

#endif
