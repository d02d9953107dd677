/* /proc/net/tcp and /proc/net/udp: the IPv4 sockets in Linux's text
 * (net/ipv4/tcp_ipv4.c and udp.c), which busybox netstat reads. Addresses
 * are the network-order word printed as hex, ports in host order. Record 0
 * is the header, record k the k-th socket shown; fs/procfs.c asks for the
 * records from an index on, a buffer at a time, so a table of thousands
 * costs one buffer, and net_lock is held only while that buffer fills;
 * each fill goes on from the last socket shown while the list has lost
 * none since (seq_list_start), else walks from the start.
 * What Limen does not track is 0, as Linux shows it to an unprivileged
 * reader (the kernel pointers). */
#include <fs/vfs.h>
#include <lib/list.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <net/net.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <time.h>

#include "inet.h"

struct list_head *seq_list_start(struct list_head *head,
				 const struct seq_pos *p, uint64_t gen,
				 uint64_t *k)
{
	if (p->last && p->gen == gen && p->idx > 0) {
		*k = p->idx - 1;
		return ((const struct list_head *)p->last)->next;
	}
	*k = 0;
	return head->next;
}

/* Appends line padded with spaces to width characters and a newline, if
 * the whole of it fits in buf's size bytes from *len; false if not. */
static bool put_record(char *buf, size_t size, long *len, const char *line,
		       int width)
{
	size_t n = strlen(line);
	size_t w = n < (size_t)width ? (size_t)width : n;
	if ((size_t)*len + w + 1 > size)
		return false;
	memcpy(buf + *len, line, n);
	memset(buf + *len + n, ' ', w - n);
	buf[*len + w] = '\n';
	*len += (long)(w + 1);
	return true;
}

/* The inode number /proc/PID/fd/N shows as socket:[N], 0 without a file
 * (a connection not yet accepted, or one whose socket was closed). */
static unsigned long sock_ino(const struct socket *s)
{
	return s && s->file && s->file->inode ? s->file->inode->ino : 0;
}

/* Clock ticks (USER_HZ) until a timer's expiry, 0 if it passed. */
static long ticks_until(uint64_t expires)
{
	uint64_t now = time_ns();
	return expires > now ? (long)((expires - now) / (NSEC_PER_SEC / HZ))
			     : 0;
}

/* Linux's line width: tcp4_seq_show pads to TMPSZ - 1 = 149. */
#define TCP_WIDTH 149

/* A block Linux's /proc/net/tcp lists: listeners and connections, not
 * sockets merely bound (state CLOSE, in tcp_all for their port). */
static bool tcp_shown(const struct tcb *t)
{
	return t->state != TCP_CLOSE;
}

static void tcp_line(char *line, size_t size, int sl, const struct tcb *t)
{
	unsigned long ino = sock_ino(t->sock);
	unsigned uid = t->sock ? t->sock->creator_uid : 0;
	if (t->state == TCP_TIME_WAIT) {
		/* get_timewait4_sock: timer 3, the time left. */
		snprintf(line, size,
			 "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX "
			 "%08X %5d %8d %d %d %016llx",
			 sl, net_htonl(t->laddr), t->lport, net_htonl(t->raddr),
			 t->rport, t->state, 0, 0, 3,
			 ticks_until(t->keep_timer.expires), 0, 0, 0, 0, 1,
			 0ull);
		return;
	}
	/* tx_queue, rx_queue: sent but unacknowledged plus unsent bytes,
	 * and bytes not yet read; for a listener rx_queue is the accept
	 * queue's length, as Linux (ss, not this file, shows the backlog). */
	uint32_t txq = t->slen, rxq = t->rlen;
	if (t->state == TCP_LISTEN)
		rxq = (uint32_t)t->acceptq_len;
	int tr = 0;
	long when = 0;
	if (t->rtx_timer.expires) {
		tr = t->persist ? 4 : 1;
		when = ticks_until(t->rtx_timer.expires);
	} else if (t->keep_timer.expires) {
		tr = 2;
		when = ticks_until(t->keep_timer.expires);
	}
	uint32_t mss = t->mss ? t->mss : TCP_DEF_MSS;
	int ssthresh = t->state == TCP_LISTEN	    ? 0
		       : t->ssthresh >= 0x7fffffffu ? -1
						    : (int)(t->ssthresh / mss);
	snprintf(line, size,
		 "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X "
		 "%5u %8d %lu %d %016llx %u %u %u %u %d",
		 sl, net_htonl(t->laddr), t->lport, net_htonl(t->raddr),
		 t->rport, t->state, txq, rxq, tr, when, (unsigned)t->retries,
		 uid, 0, ino, 1, 0ull, t->rto_ms / (1000 / HZ), 0, 0,
		 t->cwnd / mss, ssthresh);
}

long tcp_proc_show(char *buf, size_t size, struct seq_pos *p)
{
	long len = 0;
	char line[256];
	if (p->idx == 0) {
		if (!put_record(buf, size, &len,
				"  sl  local_address rem_address   st tx_queue "
				"rx_queue tr tm->when retrnsmt   uid  timeout "
				"inode",
				TCP_WIDTH))
			return len;
		p->idx++;
	}
	mutex_lock(&net_lock);
	uint64_t k; /* the shown block's record number */
	struct list_head *n = seq_list_start(&tcp_all, p, tcp_all_gen, &k);
	for (; n != &tcp_all; n = n->next) {
		struct tcb *t = list_entry(n, struct tcb, all_link);
		if (!tcp_shown(t))
			continue;
		if (++k < p->idx)
			continue;
		tcp_line(line, sizeof(line), (int)(k - 1), t);
		if (!put_record(buf, size, &len, line, TCP_WIDTH))
			break;
		p->idx++;
		p->last = n;
		p->gen = tcp_all_gen;
	}
	mutex_unlock(&net_lock);
	return len;
}

/* udp4_seq_show pads to 127. */
#define UDP_WIDTH 127

long udp_proc_show(char *buf, size_t size, struct seq_pos *p)
{
	long len = 0;
	char line[256];
	if (p->idx == 0) {
		if (!put_record(
			buf, size, &len,
			"   sl  local_address rem_address   st tx_queue "
			"rx_queue tr tm->when retrnsmt   uid  timeout "
			"inode ref pointer drops",
			UDP_WIDTH))
			return len;
		p->idx++;
	}
	mutex_lock(&net_lock);
	uint64_t k;
	struct list_head *n = seq_list_start(&udp_socks, p, udp_socks_gen, &k);
	for (; n != &udp_socks; n = n->next) {
		struct dgram_sock *ds = list_entry(n, struct dgram_sock, link);
		/* Linux lists the sockets in its port hash: bound ones. */
		if (!ds->bound)
			continue;
		if (++k < p->idx)
			continue;
		/* Linux's sk_state: ESTABLISHED once connected, else CLOSE;
		 * rx_queue the queued datagrams' charge (rmem). Sends go out
		 * at once: no tx_queue. */
		snprintf(line, sizeof(line),
			 "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX "
			 "%08X %5u %8d %lu %d %016llx %llu",
			 (int)(k - 1), net_htonl(ds->laddr), ds->lport,
			 net_htonl(ds->connected ? ds->raddr : 0),
			 ds->connected ? ds->rport : 0,
			 ds->connected ? TCP_ESTABLISHED : TCP_CLOSE, 0,
			 (unsigned)ds->rmem, 0, 0L, 0,
			 ds->s ? ds->s->creator_uid : 0, 0, sock_ino(ds->s), 1,
			 0ull, (unsigned long long)ds->drops);
		if (!put_record(buf, size, &len, line, UDP_WIDTH))
			break;
		p->idx++;
		p->last = n;
		p->gen = udp_socks_gen;
	}
	mutex_unlock(&net_lock);
	return len;
}
