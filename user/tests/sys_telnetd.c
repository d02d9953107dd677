/* busybox telnetd end to end over loopback: a TCP connection whose
 * server side is a pseudo-terminal with a shell in its own session. The
 * client strips telnet's option negotiation, runs commands and checks
 * their output; `exit` ends the session and the connection. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define PORT 2323
#define IAC 255

static char seen[16384];
static size_t nseen;

/* Reads what arrives for up to ms, dropping telnet commands (IAC DO/
 * DONT/WILL/WONT x, IAC SB ... IAC SE); stops early once want appears.
 * Returns false on end of stream. */
static bool read_until(int s, const char *want, int ms)
{
	unsigned char b[512];
	static int state; /* 0 data, 1 after IAC, 2 option byte, 3 in SB */
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		seen[nseen] = 0;
		if (want && strstr(seen, want))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
				      (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return true;
		ssize_t n = read(s, b, sizeof(b));
		if (n <= 0)
			return false;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = b[i];
			if (state == 1)
				state = c == 250 ? 3 : (c >= 251 ? 2 : 0);
			else if (state == 2)
				state = 0;
			else if (state == 3)
				state = c == 240 ? 0 : 3;
			else if (c == IAC)
				state = 1;
			else if (nseen < sizeof(seen) - 1)
				seen[nseen++] = (char)c;
		}
	}
}

static int connect_retry(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(PORT),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (int i = 0; i < 400; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			return s;
		close(s);
		usleep(50000);
	}
	return -1;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	pid_t d = fork();
	if (d == 0) {
		execl("/bin/busybox", "telnetd", "-F", "-b", "127.0.0.1:2323",
		      "-l", "/bin/sh", (char *)NULL);
		_exit(127);
	}
	int s = connect_retry();
	CHECK("telnetd.connect", s >= 0, "no telnetd on 127.0.0.1:%d", PORT);
	if (s < 0) {
		kill(d, SIGKILL);
		return check_summary("sys_telnetd");
	}
	const char *cmd = "echo tel$((6*7))net; tty; ps -o pid,tty,comm\r\n";
	write(s, cmd, strlen(cmd));
	read_until(s, "tel42net", 20000);
	CHECK("telnetd.shell_runs", strstr(seen, "tel42net"), "got \"%s\"",
	      seen);
	read_until(s, "/dev/pts/", 10000);
	CHECK("telnetd.on_a_pty", strstr(seen, "/dev/pts/"), "got \"%s\"",
	      seen);
	nseen = 0;
	/* The terminal's line discipline: ^C interrupts the foreground job
	 * and the shell carries on. */
	const char *sl = "sleep 100\r\n";
	write(s, sl, strlen(sl));
	usleep(300000);
	write(s, "\003", 1);
	const char *after = "echo after-$?\r\n";
	write(s, after, strlen(after));
	read_until(s, "after-130", 20000);
	CHECK("telnetd.ctrl_c_interrupts", strstr(seen, "after-130"),
	      "got \"%s\"", seen);
	write(s, "exit\r\n", 6);
	bool open = read_until(s, NULL, 20000);
	CHECK("telnetd.exit_closes", !open, "connection still open");
	close(s);
	kill(d, SIGTERM);
	int st;
	waitpid(d, &st, 0);
	CHECK("telnetd.daemon_ends", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "status %#x", st);
	return check_summary("sys_telnetd");
}
