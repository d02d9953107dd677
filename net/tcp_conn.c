/* TCP connection table: control blocks by 4-tuple (a hash), listeners by
 * local port and address, port users for bind and ephemeral ports, and
 * the life cycle of a control block (who frees it). Under net_lock. */
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <sched.h>
#include <uapi/errno.h>

#define TCP_HASH_SIZE 512

uint64_t tcp_all_gen; /* net_lock: removals from tcp_all (/proc/net/tcp) */
LIST_HEAD(tcp_all);   /* net_lock: every bound tcb */
static LIST_HEAD(tcp_listeners);		 /* net_lock */
static struct list_head tcp_hash[TCP_HASH_SIZE]; /* net_lock */
static bool tcp_hash_ready;
static uint16_t port_users[65536]; /* net_lock: tcbs bound to each port */
int tcp_nconns;			   /* net_lock */
int tcp_ntimewait;		   /* net_lock: hashed blocks in TIME-WAIT */

static unsigned hash4(uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp)
{
	uint32_t h = la * 2654435761u ^ ra * 2246822519u ^
		     ((uint32_t)lp << 16 | rp) * 3266489917u;
	return (h ^ (h >> 15)) % TCP_HASH_SIZE;
}

static void hash_init(void)
{
	if (tcp_hash_ready)
		return;
	for (int i = 0; i < TCP_HASH_SIZE; i++)
		list_init(&tcp_hash[i]);
	tcp_hash_ready = true;
}

/* A fresh CLOSED control block with defaults, or NULL when the table is
 * full or memory is short. */
struct tcb *tcb_new(void)
{
	struct tcb *t;

	if (tcp_nconns >= TCP_MAX_CONNS)
		return NULL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	tcp_nconns++;
	t->state = TCP_CLOSE;
	list_init(&t->all_link);
	list_init(&t->hash_link);
	list_init(&t->q_link);
	list_init(&t->synq);
	list_init(&t->acceptq);
	tcp_timers_init(t);
	t->rto_ms = TCP_RTO_INIT_MS;
	t->mss = TCP_DEF_MSS;
	t->adv_mss = TCP_DEF_MSS;
	t->ttl = 64;
	t->keepidle_s = 7200;
	t->keepintvl_s = 75;
	t->keepcnt = 9;
	t->sndbuf_cfg = 212992;
	t->rcvbuf_cfg = 131072;
	return t;
}

int tcb_alloc_bufs(struct tcb *t)
{
	if (!t->sbuf) {
		t->scap = MIN(MAX(t->sndbuf_cfg, TCP_BUF_MIN), TCP_BUF_MAX);
		t->sbuf_sz = MIN(t->scap, TCP_RING_INIT);
		t->sbuf = kmalloc(t->sbuf_sz);
	}
	if (!t->rbuf) {
		t->rcap = MIN(MAX(t->rcvbuf_cfg, TCP_BUF_MIN), TCP_BUF_MAX);
		t->rbuf_sz = MIN(t->rcap, TCP_RING_INIT);
		t->rbuf = kmalloc(t->rbuf_sz);
	}
	return t->sbuf && t->rbuf ? 0 : -ENOMEM;
}

int tcp_ring_grow(uint8_t **buf, uint32_t *sz, uint32_t *head, uint32_t used,
		  uint32_t need)
{
	uint32_t nsz = *sz ? *sz : TCP_RING_INIT;
	uint8_t *nb;

	if (need <= *sz)
		return 0;
	while (nsz < need)
		nsz *= 2;
	nb = kmalloc(nsz);
	if (!nb)
		return -ENOMEM;
	/* Linearise: the used bytes start the new ring. */
	tcp_ring_read(*buf, *sz, *head, nb, used);
	kfree(*buf);
	*buf = nb;
	*sz = nsz;
	*head = 0;
	return 0;
}

void tcb_free_bufs(struct tcb *t)
{
	kfree(t->sbuf);
	kfree(t->rbuf);
	t->sbuf = t->rbuf = NULL;
	t->slen = t->rlen = 0;
	t->sbuf_sz = t->rbuf_sz = 0;
}

void tcb_set_port(struct tcb *t, uint16_t port)
{
	hash_init();
	if (t->lport) {
		port_users[t->lport]--;
		list_del(&t->all_link);
		tcp_all_gen++;
	}
	t->lport = port;
	if (port) {
		port_users[port]++;
		list_add_tail(&t->all_link, &tcp_all);
	}
}

uint16_t tcp_port_users(uint16_t port)
{
	return port_users[port];
}

void tcb_hash(struct tcb *t)
{
	hash_init();
	if (t->hashed)
		return;
	if (t->state == TCP_LISTEN)
		list_add_tail(&t->hash_link, &tcp_listeners);
	else
		list_add(
		    &t->hash_link,
		    &tcp_hash[hash4(t->laddr, t->lport, t->raddr, t->rport)]);
	t->hashed = true;
}

void tcb_unhash(struct tcb *t)
{
	if (!t->hashed)
		return;
	if (t->state == TCP_TIME_WAIT)
		tcp_ntimewait--;
	list_del(&t->hash_link);
	t->hashed = false;
}

struct tcb *tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr,
		       uint16_t rport)
{
	struct tcb *t;

	hash_init();
	list_for_each_entry(t, &tcp_hash[hash4(laddr, lport, raddr, rport)],
			    hash_link)
	{
		if (t->lport == lport && t->rport == rport &&
		    t->laddr == laddr && t->raddr == raddr)
			return t;
	}
	return NULL;
}

/* An exact address beats the wildcard. */
struct tcb *tcp_lookup_listener(uint32_t laddr, uint16_t lport)
{
	struct tcb *t, *any = NULL;

	list_for_each_entry(t, &tcp_listeners, hash_link)
	{
		if (t->lport != lport)
			continue;
		if (t->laddr == laddr)
			return t;
		if (t->laddr == INADDR_ANY)
			any = t;
	}
	return any;
}

void tcp_wake(struct tcb *t)
{
	if (t->sock)
		wait_queue_wake_all(&t->sock->wq);
	else if (t->parent && t->parent->sock)
		wait_queue_wake_all(&t->parent->sock->wq);
}

void tcp_set_state(struct tcb *t, int state)
{
	if (state == TCP_TIME_WAIT && t->state != TCP_TIME_WAIT && t->hashed)
		tcp_ntimewait++;
	t->state = state;
	if (state == TCP_TIME_WAIT) {
		/* Nothing more to send or read: give the memory back now;
		 * TIME-WAIT blocks are small and bounded by the table. */
		if (!t->sock)
			tcb_free_bufs(t);
		net_timer_cancel(&t->rtx_timer);
		net_timer_cancel(&t->delack_timer);
		tcp_arm_timewait(t);
	}
	tcp_wake(t);
}

void tcb_free_children(struct tcb *t)
{
	struct tcb *c, *tmp;

	/* A listener's children go with it: reset the ones the peer thinks
	 * are established (RFC 9293 3.10.4, ABORT). */
	list_for_each_entry_safe(c, tmp, &t->synq, q_link)
	{
		c->parent = NULL;
		list_del(&c->q_link);
		tcb_free(c);
	}
	list_for_each_entry_safe(c, tmp, &t->acceptq, q_link)
	{
		c->parent = NULL;
		list_del(&c->q_link);
		tcp_send_rst(c);
		tcb_free(c);
	}
	t->synq_len = t->acceptq_len = 0;
}

void tcb_free(struct tcb *t)
{
	tcp_timers_stop(t);
	tcb_unhash(t);
	tcb_free_children(t);
	if (t->parent) {
		if (t->in_synq)
			t->parent->synq_len--;
		else
			t->parent->acceptq_len--;
		list_del(&t->q_link);
		t->parent = NULL;
	}
	tcb_set_port(t, 0);
	tcb_free_bufs(t);
	tcp_nconns--;
	kfree(t);
}

bool tcp_done(struct tcb *t, int err)
{
	if (err) {
		t->err = err;
		if (err == ECONNRESET || err == ECONNREFUSED)
			t->was_reset = true;
	}
	tcp_timers_stop(t);
	tcb_unhash(t);
	t->state = TCP_CLOSE;
	/* A socket keeps its block (and unread data) until release. */
	if (!t->sock) {
		tcb_free(t);
		return true;
	}
	tcp_wake(t);
	return false;
}
