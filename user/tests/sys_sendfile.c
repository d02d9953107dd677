/* sendfile: file to file and file to socket (AF_UNIX and TCP over
 * loopback, checksummed), the source's position with and without an
 * offset, a short write giving bytes back, Linux's errors, SIGPIPE. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"

#define BIG (1 << 20)

static uint32_t sum(const unsigned char *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* A file of n pseudo-random bytes; returns its fd (read-write) and sum. */
static int make_file(const char *path, size_t n, uint32_t *h)
{
	unsigned char *b = malloc(n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		b[i] = x >> 16;
	}
	*h = sum(b, n, 2166136261u);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, b, n) != (ssize_t)n)
		fd = -1;
	free(b);
	return fd;
}

/* Reads fd to its end; returns the byte count and the sum in *h. */
static long drain_sum(int fd, uint32_t *h)
{
	static unsigned char buf[65536];
	long total = 0;
	ssize_t r;
	*h = 2166136261u;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		*h = sum(buf, r, *h);
		total += r;
	}
	return total;
}

static void test_file_to_file(void)
{
	uint32_t h;
	int in = make_file("/tmp/sf_in", 10000, &h);
	int out = open("/tmp/sf_out", O_RDWR | O_CREAT | O_TRUNC, 0600);
	lseek(in, 100, SEEK_SET);
	long r = sendfile(out, in, NULL, 1000);
	CHECK("sendfile.file_pos_advances",
	      r == 1000 && lseek(in, 0, SEEK_CUR) == 1100 &&
		  lseek(out, 0, SEEK_CUR) == 1000,
	      "r %ld in pos %ld out pos %ld", r, (long)lseek(in, 0, SEEK_CUR),
	      (long)lseek(out, 0, SEEK_CUR));
	char a[1000], b[1000];
	pread(in, a, 1000, 100);
	pread(out, b, 1000, 0);
	CHECK("sendfile.file_bytes", memcmp(a, b, 1000) == 0, "differ");

	off_t off = 9500;
	r = sendfile(out, in, &off, 4096);
	CHECK("sendfile.offset_short_at_eof",
	      r == 500 && off == 10000 && lseek(in, 0, SEEK_CUR) == 1100,
	      "r %ld off %ld in pos %ld", r, (long)off,
	      (long)lseek(in, 0, SEEK_CUR));
	r = sendfile(out, in, &off, 4096);
	CHECK("sendfile.at_eof_zero", r == 0 && off == 10000, "r %ld", r);
	r = sendfile(out, in, NULL, 0);
	CHECK("sendfile.count_zero", r == 0, "r %ld", r);

	/* Errors, as Linux's. */
	int ro = open("/tmp/sf_out", O_RDONLY),
	    wo = open("/tmp/sf_in", O_WRONLY);
	CHECK_ERRNO("sendfile.out_readonly_ebadf", sendfile(ro, in, NULL, 1),
		    EBADF);
	CHECK_ERRNO("sendfile.in_writeonly_ebadf", sendfile(out, wo, NULL, 1),
		    EBADF);
	CHECK_ERRNO("sendfile.bad_fd_ebadf", sendfile(out, 999, NULL, 1),
		    EBADF);
	off = -1;
	CHECK_ERRNO("sendfile.negative_offset_einval",
		    sendfile(out, in, &off, 1), EINVAL);
	CHECK_ERRNO("sendfile.bad_offset_pointer_efault",
		    syscall(SYS_sendfile, out, in, (void *)8, 1), EFAULT);
	int ap = open("/tmp/sf_out", O_WRONLY | O_APPEND);
	CHECK_ERRNO("sendfile.append_out_einval", sendfile(ap, in, NULL, 1),
		    EINVAL);
	int p[2];
	pipe(p);
	write(p[1], "x", 1);
	CHECK_ERRNO("sendfile.pipe_source_einval", sendfile(out, p[0], NULL, 1),
		    EINVAL);

	/* A short write (a non-blocking pipe's room) gives the rest back. */
	close(p[0]);
	pipe(p);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	lseek(in, 0, SEEK_SET);
	long room = 0;
	while (write(p[1], "y", 1) == 1)
		room++;
	char c;
	for (int i = 0; i < 4096; i++)
		read(p[0], &c, 1);
	r = sendfile(p[1], in, NULL, 10000);
	CHECK("sendfile.short_write_gives_back",
	      r > 0 && r < 10000 && lseek(in, 0, SEEK_CUR) == r,
	      "r %ld pos %ld (pipe room %ld)", r, (long)lseek(in, 0, SEEK_CUR),
	      room);
	CHECK_ERRNO("sendfile.full_pipe_eagain", sendfile(p[1], in, NULL, 10),
		    EAGAIN);
	close(p[0]);
	close(p[1]);
	close(ro);
	close(wo);
	close(ap);
	close(in);
	close(out);
	unlink("/tmp/sf_out");
}

/* A child sends the whole file over s; the parent checks what arrives. */
static void send_checked(const char *name, int in, int s, int peer, uint32_t h)
{
	pid_t pid = fork();
	if (pid == 0) {
		close(peer);
		off_t off = 0;
		long total = 0, r;
		while (total < BIG &&
		       (r = sendfile(s, in, &off, BIG - total)) > 0)
			total += r;
		_exit(total == BIG && off == BIG ? 0 : 1);
	}
	close(s);
	uint32_t got;
	long n = drain_sum(peer, &got);
	int st;
	waitpid(pid, &st, 0);
	CHECK(name, n == BIG && got == h && WIFEXITED(st) && !WEXITSTATUS(st),
	      "%ld bytes, sum %s, child status %#x", n,
	      got == h ? "ok" : "wrong", st);
	close(peer);
}

static void test_file_to_socket(void)
{
	uint32_t h;
	int in = make_file("/tmp/sf_big", BIG, &h);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send_checked("sendfile.unix_stream_1mib", in, sv[0], sv[1], h);

	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &len);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	int cr = connect(c, (struct sockaddr *)&a, sizeof(a));
	int s = accept(l, NULL, NULL);
	CHECK("sendfile.tcp_connected", cr == 0 && s >= 0, "errno %s",
	      errname(errno));
	send_checked("sendfile.tcp_1mib", in, s, c, h);
	close(l);

	/* The peer is gone: EPIPE, and SIGPIPE unless ignored. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	off_t off = 0;
	CHECK_ERRNO("sendfile.closed_peer_epipe", sendfile(sv[0], in, &off, 10),
		    EPIPE);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		sendfile(sv[0], in, &off, 10);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("sendfile.closed_peer_sigpipe",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "status %#x", st);
	CHECK_ERRNO("sendfile.socket_source_einval",
		    sendfile(in, sv[0], NULL, 1), EINVAL);
	close(sv[0]);
	close(in);
	unlink("/tmp/sf_big");
	unlink("/tmp/sf_in");
}

int main(void)
{
	test_file_to_file();
	test_file_to_socket();
	return check_summary("sys_sendfile");
}
