/* /proc/net/tcp, /proc/net/udp and /proc/net/unix: each socket this
 * program makes (a TCP listener, a connected pair, a UDP socket, an
 * AF_UNIX listener) is listed with its addresses, state, queues, uid and
 * the inode fstat gives; a closed socket leaves the list; a TIME-WAIT
 * connection shows state 06; tables longer than one kernel buffer read
 * whole and the same in small pieces and at offsets; busybox netstat
 * lists them. Runs on Linux too (gcc sys_procnet.c; as the same checks). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "check.h"

#define NMANY 150 /* listeners: 150 lines of 150 bytes, past 16 KiB */
#define MIN_SZ(a, b) ((a) < (b) ? (a) : (b))

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	return a;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	if (getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	return ntohs(a.sin_port);
}

static unsigned long ino_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* A whole file, read in pieces of chunk bytes; NUL-terminated, malloc'd. */
static char *slurp(const char *path, size_t chunk, size_t *lenp)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap + 1);
	for (;;) {
		if (len + chunk > cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
		ssize_t r = read(fd, b + len, chunk);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	b[len] = '\0';
	if (lenp)
		*lenp = len;
	return b;
}

/* One parsed line of /proc/net/tcp or udp. */
struct inet_ent {
	unsigned laddr, lport, raddr, rport, st, txq, rxq, uid;
	unsigned long ino;
};

/* The entry whose local port is lport (and remote port rport, unless
 * rport < 0) in the text of /proc/net/tcp or udp; true if found. */
static bool find_inet(const char *text, unsigned lport, int rport,
		      struct inet_ent *out)
{
	const char *l = strchr(text, '\n');
	while (l && l[1]) {
		l++;
		struct inet_ent e;
		int sl;
		if (sscanf(l,
			   "%d: %8X:%4X %8X:%4X %2X %8X:%8X %*X:%*X %*X %u "
			   "%*d %lu",
			   &sl, &e.laddr, &e.lport, &e.raddr, &e.rport, &e.st,
			   &e.txq, &e.rxq, &e.uid, &e.ino) == 10 &&
		    e.lport == lport &&
		    (rport < 0 || e.rport == (unsigned)rport)) {
			*out = e;
			return true;
		}
		l = strchr(l, '\n');
	}
	return false;
}

/* Lines of text, and whether each (header too) is width characters. */
static int count_lines(const char *text, int width, bool *all_width)
{
	int n = 0;
	*all_width = true;
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		if (e - l != width)
			*all_width = false;
		n++;
		l = e + 1;
	}
	return n;
}

/* The line of /proc/net/unix with inode ino, or NULL (static buffer). */
static const char *find_unix(const char *text, unsigned long ino)
{
	static char line[512];
	for (const char *l = strchr(text, '\n'); l && l[1];
	     l = strchr(l + 1, '\n')) {
		const char *e = strchr(l + 1, '\n');
		size_t n = e ? (size_t)(e - l - 1) : strlen(l + 1);
		if (n >= sizeof(line))
			continue;
		memcpy(line, l + 1, n);
		line[n] = '\0';
		unsigned long i;
		if (sscanf(line, "%*s %*x %*x %*x %*x %*x %lu", &i) == 1 &&
		    i == ino)
			return line;
	}
	return NULL;
}

/* The output of /bin/busybox netstat ARGS (static buffer). */
static const char *netstat(const char *args)
{
	static char out[1 << 22]; /* a busy host lists thousands */
	int p[2];
	out[0] = '\0';
	if (pipe(p) < 0)
		return out;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/bin/busybox", "netstat", args, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	return out;
}

static void check_tcp(void)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(0);
	CHECK_OK("tcp.listen", bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0
				   ? listen(lfd, 5)
				   : -1);
	unsigned port = (unsigned)local_port(lfd);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	a = lo((int)port);
	CHECK_OK("tcp.connect", connect(cfd, (struct sockaddr *)&a, sizeof(a)));
	int afd = accept(lfd, NULL, NULL);
	CHECK_OK("tcp.accept", afd);
	unsigned cport = (unsigned)local_port(cfd);
	/* 100 bytes the server has not read: its rx_queue. */
	char data[100] = {0};
	CHECK("tcp.send", write(cfd, data, sizeof(data)) == sizeof(data),
	      "short write");
	struct pollfd pf = {.fd = afd, .events = POLLIN};
	poll(&pf, 1, 2000);
	/* A second connection left in the accept queue. */
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK("tcp.connect2", connect(c2, (struct sockaddr *)&a, sizeof(a)));
	unsigned c2port = (unsigned)local_port(c2);
	usleep(50000); /* the ACK back, so the client's tx_queue is 0 */

	char *t = slurp("/proc/net/tcp", 65536, NULL);
	CHECK("tcp.file",
	      t && !strncmp(t, "  sl  local_address rem_address", 31),
	      "header: %.40s", t ? t : "(no file)");
	struct inet_ent e;
	bool f = t && find_inet(t, port, 0, &e);
	CHECK("tcp.listener",
	      f && e.laddr == htonl(INADDR_LOOPBACK) && e.raddr == 0 &&
		  e.rport == 0 && e.st == 0x0A && e.ino == ino_of(lfd) &&
		  e.uid == getuid(),
	      "found %d laddr %08X raddr %08X:%04X st %02X ino %lu (want "
	      "%lu) uid %u",
	      f, f ? e.laddr : 0, f ? e.raddr : 0, f ? e.rport : 0,
	      f ? e.st : 0, f ? e.ino : 0, ino_of(lfd), f ? e.uid : 0);
	/* What netstat -p matches (Debian's busybox has no -p): the
	 * listener's inode is the one its /proc/self/fd link names. */
	char link[64], fdpath[64], wantlink[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", lfd);
	ssize_t ll = readlink(fdpath, link, sizeof(link) - 1);
	link[ll > 0 ? ll : 0] = '\0';
	snprintf(wantlink, sizeof(wantlink), "socket:[%lu]", f ? e.ino : 0);
	CHECK("tcp.fd_link_inode", f && e.ino && !strcmp(link, wantlink),
	      "%s -> %s, /proc/net/tcp says inode %lu", fdpath, link,
	      f ? e.ino : 0);
	/* Linux: a listener's rx_queue is its accept queue, tx_queue 0. */
	CHECK("tcp.listener_queues", f && e.rxq == 1 && e.txq == 0,
	      "rx_queue %u tx_queue %u", f ? e.rxq : 0, f ? e.txq : 0);
	f = t && find_inet(t, port, (int)c2port, &e);
	CHECK("tcp.unaccepted", f && e.st == 0x01 && e.ino == 0,
	      "found %d st %02X ino %lu", f, f ? e.st : 0, f ? e.ino : 0);
	f = t && find_inet(t, cport, (int)port, &e);
	CHECK("tcp.client",
	      f && e.laddr == htonl(INADDR_LOOPBACK) &&
		  e.raddr == htonl(INADDR_LOOPBACK) && e.st == 0x01 &&
		  e.txq == 0 && e.ino == ino_of(cfd),
	      "found %d st %02X txq %u ino %lu (want %lu)", f, f ? e.st : 0,
	      f ? e.txq : 0, f ? e.ino : 0, ino_of(cfd));
	f = t && find_inet(t, port, (int)cport, &e);
	CHECK("tcp.accepted",
	      f && e.raddr == htonl(INADDR_LOOPBACK) && e.st == 0x01 &&
		  e.rxq == 100 && e.ino == ino_of(afd),
	      "found %d st %02X rxq %u ino %lu (want %lu)", f, f ? e.st : 0,
	      f ? e.rxq : 0, f ? e.ino : 0, ino_of(afd));
	bool w = false;
	int n = t ? count_lines(t, 149, &w) : 0;
	CHECK("tcp.width", n >= 4 && w, "%d lines, all 149 wide: %d", n, w);
	free(t);

	/* busybox netstat -tln: the listener, numerically. */
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%u ", port);
	const char *ns = netstat("-tln");
	const char *hit = strstr(ns, want);
	CHECK("tcp.netstat_tln", hit && strstr(hit, "LISTEN"),
	      "no %s LISTEN in: %.300s", want, ns);
	ns = netstat("-tan");
	snprintf(want, sizeof(want), "127.0.0.1:%u ", cport);
	hit = strstr(ns, want);
	CHECK("tcp.netstat_tan", hit && strstr(hit, "ESTABLISHED"),
	      "no %s ESTABLISHED in: %.300s", want, ns);

	/* The client closes first: after the server's close it waits in
	 * TIME-WAIT, its socket gone (inode 0). The listener leaves. */
	close(c2);
	close(cfd);
	usleep(50000);
	/* Unread data would make the close a reset (no TIME-WAIT). */
	CHECK("tcp.read", read(afd, data, sizeof(data)) == sizeof(data),
	      "short read");
	close(afd);
	close(lfd);
	usleep(100000);
	t = slurp("/proc/net/tcp", 65536, NULL);
	f = t && find_inet(t, cport, (int)port, &e);
	CHECK("tcp.time_wait", f && e.st == 0x06 && e.ino == 0,
	      "found %d st %02X ino %lu", f, f ? e.st : 0, f ? e.ino : 0);
	f = t && find_inet(t, port, 0, &e);
	CHECK("tcp.closed_listener_gone", t && !f, "still listed, st %02X",
	      e.st);
	free(t);
}

static void check_udp(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = lo(0);
	CHECK_OK("udp.bind", bind(u, (struct sockaddr *)&a, sizeof(a)));
	unsigned port = (unsigned)local_port(u);
	/* A datagram waiting: a non-zero rx_queue. */
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	a = lo((int)port);
	sendto(s, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a));
	struct pollfd pf = {.fd = u, .events = POLLIN};
	poll(&pf, 1, 2000);
	char *t = slurp("/proc/net/udp", 65536, NULL);
	CHECK("udp.file",
	      t && !strncmp(t, "   sl  local_address rem_address", 32),
	      "header: %.40s", t ? t : "(no file)");
	struct inet_ent e;
	bool f = t && find_inet(t, port, -1, &e);
	CHECK("udp.socket",
	      f && e.laddr == htonl(INADDR_LOOPBACK) && e.raddr == 0 &&
		  e.rport == 0 && e.st == 0x07 && e.rxq > 0 &&
		  e.ino == ino_of(u) && e.uid == getuid(),
	      "found %d laddr %08X st %02X rxq %u ino %lu (want %lu)", f,
	      f ? e.laddr : 0, f ? e.st : 0, f ? e.rxq : 0, f ? e.ino : 0,
	      ino_of(u));
	bool w = false;
	int n = t ? count_lines(t, 127, &w) : 0;
	CHECK("udp.width", n >= 2 && w, "%d lines, all 127 wide: %d", n, w);
	free(t);
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%u ", port);
	const char *ns = netstat("-uan");
	CHECK("udp.netstat_uan", strstr(ns, want), "no %s in: %.300s", want,
	      ns);
	close(u);
	close(s);
	t = slurp("/proc/net/udp", 65536, NULL);
	f = t && find_inet(t, port, -1, &e);
	CHECK("udp.closed_gone", t && !f, "still listed");
	free(t);
}

static void check_unix(void)
{
	const char *path = "/tmp/procnet.sock";
	mkdir("/tmp", 0777);
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	CHECK_OK("unix.listen", bind(l, (struct sockaddr *)&a, sizeof(a)) == 0
				    ? listen(l, 5)
				    : -1);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	char *t = slurp("/proc/net/unix", 65536, NULL);
	CHECK("unix.file", t && !strncmp(t, "Num       RefCount Protocol", 27),
	      "header: %.40s", t ? t : "(no file)");
	const char *line = t ? find_unix(t, ino_of(l)) : NULL;
	unsigned flags = 0, type = 0, st = 0;
	char p[128] = "";
	if (line)
		sscanf(line, "%*s %*x %*x %x %x %x %*u %127s", &flags, &type,
		       &st, p);
	CHECK("unix.listener",
	      line && flags == 0x10000 && type == 1 && st == 1 &&
		  !strcmp(p, path),
	      "line: %s", line ? line : "(none)");
	/* An unbound datagram socket: listed, without a path. */
	line = t ? find_unix(t, ino_of(d)) : NULL;
	p[0] = '\0';
	if (line)
		sscanf(line, "%*s %*x %*x %x %x %x %*u %127s", &flags, &type,
		       &st, p);
	CHECK("unix.unbound_dgram",
	      line && flags == 0 && type == 2 && st == 1 && !p[0], "line: %s",
	      line ? line : "(none)");
	free(t);
	const char *ns = netstat("-xa");
	CHECK("unix.netstat_xa", strstr(ns, path) && strstr(ns, "LISTENING"),
	      "no %s LISTENING in: %.300s", path, ns);
	unsigned long lino = ino_of(l);
	close(l);
	close(d);
	unlink(path);
	t = slurp("/proc/net/unix", 65536, NULL);
	CHECK("unix.closed_gone", t && !find_unix(t, lino), "still listed");
	free(t);
}

/* Tables longer than one kernel buffer: every listener listed, and the
 * text the same read whole, in 37-byte pieces and by pread at offsets. */
static void check_many(void)
{
	int fds[NMANY], ports[NMANY], made = 0;
	for (int i = 0; i < NMANY; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = lo(0);
		if (fds[i] < 0 ||
		    bind(fds[i], (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(fds[i], 1) < 0)
			break;
		ports[i] = local_port(fds[i]);
		made++;
	}
	CHECK("many.made", made == NMANY, "%d listeners", made);
	size_t len1, len2;
	char *whole = slurp("/proc/net/tcp", 1 << 20, &len1);
	char *bits = slurp("/proc/net/tcp", 37, &len2);
	int found = 0;
	for (int i = 0; i < made && whole; i++) {
		struct inet_ent e;
		if (find_inet(whole, (unsigned)ports[i], 0, &e) &&
		    e.ino == ino_of(fds[i]) && e.st == 0x0A)
			found++;
	}
	CHECK("many.all_listed", found == made && len1 >= 150u * (made + 1),
	      "%d of %d, %zu bytes", found, made, len1);
	CHECK("many.pieces_same",
	      whole && bits && len1 == len2 && !memcmp(whole, bits, len1),
	      "whole %zu bytes, in pieces %zu", len1, len2);
	int fd = open("/proc/net/tcp", O_RDONLY);
	char buf[300];
	bool ok = fd >= 0 && whole;
	/* Forward, back to the start, and past the end. */
	size_t offs[] = {150 * 120 + 7, 3, 150 * 140, len1 - 10};
	for (size_t i = 0; ok && i < sizeof(offs) / sizeof(offs[0]); i++) {
		ssize_t r = pread(fd, buf, sizeof(buf), (off_t)offs[i]);
		size_t want = MIN_SZ(sizeof(buf), len1 - offs[i]);
		ok = r == (ssize_t)want && !memcmp(buf, whole + offs[i], want);
	}
	ok = ok && pread(fd, buf, sizeof(buf), (off_t)len1 + 5) == 0;
	CHECK("many.pread_offsets", ok, "a pread differed from the whole");
	if (fd >= 0)
		close(fd);
	free(whole);
	free(bits);

	/* Sockets closed between two reads of one open file: the rest is
	 * still whole lines, and the last listener is in it. */
	fd = open("/proc/net/tcp", O_RDONLY);
	static char text[1 << 23]; /* a busy host has megabytes */
	ssize_t r = fd >= 0 ? read(fd, text, 1000) : -1;
	size_t len = r > 0 ? (size_t)r : 0;
	for (int i = 0; i < 20 && i < made; i++)
		close(fds[i]);
	while (fd >= 0 && len < sizeof(text) - 1 &&
	       (r = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)r;
	text[len] = '\0';
	if (fd >= 0)
		close(fd);
	bool w = false;
	struct inet_ent e;
	int n = count_lines(text, 149, &w);
	bool last =
	    made > 0 && find_inet(text, (unsigned)ports[made - 1], 0, &e);
	CHECK("many.close_between_reads", len % 150 == 0 && w && last,
	      "%zu bytes, %d lines, all 149 wide %d, last listener %d", len, n,
	      w, last);
	for (int i = 20; i < made; i++)
		close(fds[i]);
}

int main(void)
{
	/* First: later checks leave a TIME-WAIT connection, whose timer
	 * column changes between two reads. */
	check_many();
	check_tcp();
	check_udp();
	check_unix();
	return check_summary("sys_procnet");
}
