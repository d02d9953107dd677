/* /proc/net/unix: every AF_UNIX socket in Linux's text
 * (net/unix/af_unix.c, unix_seq_show), which busybox netstat -x reads.
 * Record 0 is the header, record k the k-th socket on unix_all; the
 * records are written into the caller's kernel buffer under unix_lock (a
 * spinlock: nothing here sleeps or touches user memory), a buffer at a
 * time (fs/procfs.c's record files), going on from the last one shown
 * while no socket left the list since (seq_list_start). */
#include <fs/vfs.h>
#include <lib/list.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <net/net.h>
#include "unix_internal.h"

#define SO_ACCEPTCON (1 << 16) /* Linux's __SO_ACCEPTCON: a listener */
/* Linux's socket_state, as the St column shows it. */
#define SS_UNCONNECTED 1
#define SS_CONNECTING 2
#define SS_CONNECTED 3
#define SS_DISCONNECTING 4
#define UNIX_ADDR_OFF 2 /* offsetof(struct sockaddr_un_k, sun_path) */

/* One socket's line into line (size bytes, newline included). */
static void unix_line(char *line, size_t size, const struct unix_sock *u)
{
	const struct socket *s = u->sock;
	bool est = u->state == UNIX_CONNECTED;
	/* Linux: SS_(UN)CONNECTED while there is a socket, a connection
	 * not yet accepted (no socket) is SS_CONNECTING. */
	int st = s ? (est ? SS_CONNECTED : SS_UNCONNECTED)
		   : (est ? SS_CONNECTING : SS_DISCONNECTING);
	unsigned long ino =
	    s && s->file && s->file->inode ? s->file->inode->ino : 0;
	int n = snprintf(line, size, "%016llx: %08X %08X %08X %04X %02X %5lu",
			 0ull, (unsigned)u->refs, 0,
			 u->state == UNIX_LISTENING ? SO_ACCEPTCON : 0,
			 (unsigned)u->type, st, ino);
	if (u->bound && u->addrlen > UNIX_ADDR_OFF && n + 2 < (int)size) {
		/* A path up to its NUL; an abstract name as '@' and its
		 * bytes, each NUL an '@', as Linux prints them. */
		const char *p = u->addr.sun_path;
		size_t plen = u->addrlen - UNIX_ADDR_OFF, i = 0;
		line[n++] = ' ';
		if (p[0] == '\0') {
			line[n++] = '@';
			i = 1;
		} else {
			plen = strnlen(p, plen);
		}
		for (; i < plen && n + 2 < (int)size; i++)
			line[n++] = p[i] ? p[i] : '@';
	}
	line[n++] = '\n';
	line[n] = '\0';
}

long unix_proc_show(char *buf, size_t size, struct seq_pos *p)
{
	static const char header[] =
	    "Num       RefCount Protocol Flags    Type St Inode Path\n";
	long len = 0;
	/* A path is at most 108 bytes: a line fits in 200. */
	char line[200];
	if (p->idx == 0) {
		if (sizeof(header) - 1 > size)
			return 0;
		memcpy(buf, header, sizeof(header) - 1);
		len = sizeof(header) - 1;
		p->idx++;
	}
	irqflags_t fl = spin_lock_irqsave(&unix_lock);
	uint64_t k;
	struct list_head *n = seq_list_start(&unix_all, p, unix_all_gen, &k);
	for (; n != &unix_all; n = n->next) {
		struct unix_sock *u = list_entry(n, struct unix_sock, all_link);
		if (++k < p->idx)
			continue;
		unix_line(line, sizeof(line), u);
		size_t m = strlen(line);
		if ((size_t)len + m > size)
			break;
		memcpy(buf + len, line, m);
		len += (long)m;
		p->idx++;
		p->last = n;
		p->gen = unix_all_gen;
	}
	spin_unlock_irqrestore(&unix_lock, fl);
	return len;
}
