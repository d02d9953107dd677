/* trace: runs a command and shows every crossing of the boundary it makes,
 * from the kernel's own trace (/proc/limen/trace, docs/trace.md).
 *   trace [-f] [-c] [-T] [-o FILE] [-j FILE.json] CMD ARGS...
 * This file starts the command traced, reads the kernel's events while it
 * runs and hands each one, parsed, to report.c and json.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define CTL "/proc/limen/trace_ctl"
#define EVENTS "/proc/limen/trace"

static void usage(void)
{
	fprintf(stderr,
		"usage: trace [-f] [-c] [-T] [-o FILE] [-j FILE.json] "
		"CMD [ARGS...]\n"
		"  -f  follow child processes and threads\n"
		"  -c  count calls, errors and kernel time per call\n"
		"  -T  show the time spent in each call\n"
		"  -o  write the trace to FILE (default: stderr)\n"
		"  -j  also write Chrome Trace Event JSON (Perfetto)\n");
	exit(2);
}

static int ctl(int fd, const char *cmd)
{
	if (write(fd, cmd, strlen(cmd)) < 0) {
		fprintf(stderr, "trace: %s: '%s': %s\n", CTL, cmd,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- parsing one line of the kernel's trace -------------------------- */

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* s points after the opening quote; returns the end of the string token. */
static char *parse_string(char *s, struct event *e)
{
	int i = e->nstr;
	size_t n = 0;
	while (*s && *s != '"') {
		char c = *s++;
		if (c == '\\' && *s) {
			char x = *s++;
			c = x == 'n'   ? '\n'
			    : x == 't' ? '\t'
			    : x == 'r' ? '\r'
				       : x;
			if (x == 'x' && unhex(s[0]) >= 0 && unhex(s[1]) >= 0) {
				c = (char)(unhex(s[0]) * 16 + unhex(s[1]));
				s += 2;
			}
		}
		if (n < EV_STR_MAX)
			e->sbuf[i][n++] = c;
	}
	if (*s == '"')
		s++;
	e->str[i].s = e->sbuf[i];
	e->str[i].len = n;
	e->str[i].truncated = strncmp(s, "...", 3) == 0;
	if (e->str[i].truncated)
		s += 3;
	e->nstr++;
	return s;
}

static bool is_number(const char *t)
{
	if (*t == '-')
		t++;
	return *t >= '0' && *t <= '9';
}

static int parse_event(char *line, struct event *e)
{
	memset(e, 0, sizeof(*e));
	unsigned long long ts;
	int used = 0;
	if (sscanf(line, "%llu %d %d %d %15s %n", &ts, &e->cpu, &e->pid,
		   &e->tid, e->type, &used) < 5)
		return -1;
	e->ts = ts;
	char *s = line + used;
	while (*s && *s != '\n') {
		while (*s == ' ')
			s++;
		if (s[0] == 'a' && s[1] >= '0' && s[1] <= '5' && s[2] == '=' &&
		    s[3] == '"' && e->nstr < 2) {
			e->str[e->nstr].arg = s[1] - '0';
			s = parse_string(s + 4, e);
			continue;
		}
		char *end = s;
		while (*end && *end != ' ' && *end != '\n')
			end++;
		char save = *end;
		*end = '\0';
		if (is_number(s) && e->nv < 8)
			e->v[e->nv++] = *s == '-'
					    ? (uint64_t)strtoll(s, NULL, 0)
					    : strtoull(s, NULL, 0);
		else if (!is_number(s) && e->nw < 2)
			snprintf(e->w[e->nw++], sizeof(e->w[0]), "%s", s);
		*end = save;
		s = end;
	}
	return 0;
}

/* ---- reading while the command runs ----------------------------------- */

static bool started; /* the command's execve was seen */
/* Processes seen in the trace; exited[i] once their exit was. */
static int pids_seen[1024];
static bool exited[1024];
static int npids_seen;

static int process_index(int pid)
{
	for (int i = 0; i < npids_seen; i++)
		if (pids_seen[i] == pid)
			return i;
	if (npids_seen == 1024)
		return -1;
	pids_seen[npids_seen] = pid;
	return npids_seen++;
}

/* Whether a traced process may still make calls: its exit is not in the
 * trace yet and it still exists (its exit event might have been lost). */
static bool any_alive(void)
{
	for (int i = 0; i < npids_seen; i++)
		if (!exited[i] && kill(pids_seen[i], 0) == 0)
			return true;
	return false;
}

static void handle(const struct trace_opts *o, struct event *e)
{
	if (strcmp(e->type, "lost") == 0) {
		fprintf(
		    stderr,
		    "trace: %llu events lost: the kernel's buffer filled up "
		    "faster than trace read it\n",
		    (unsigned long long)e->v[0]);
		return;
	}
	/* Before the command's execve, the child's only traced event is the
	 * end of its write to trace_ctl: skip it. */
	if (!started) {
		if (e->pid == o->root_pid && !strcmp(e->type, "sys_exit") &&
		    !strcmp(e->w[0], "write"))
			return;
		started = true;
	}
	/* A switch names the thread that left the CPU, traced or not. */
	int i = e->pid > 0 && strcmp(e->type, "switch") ? process_index(e->pid)
							: -1;
	if (i >= 0 && strcmp(e->type, "exit") == 0 &&
	    strcmp(e->w[0], "process") == 0)
		exited[i] = true;
	report_event(o, e);
	if (o->json)
		json_event(o, e);
}

/* Reads what the kernel has so far. Each open sees the events recorded
 * before it (docs/trace.md), so the file is opened afresh each time. */
static int drain(const struct trace_opts *o)
{
	static char buf[65536];
	static char line[4096];
	static size_t have; /* bytes of a line cut by the end of a read */
	int fd = open(EVENTS, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "trace: %s: %s\n", EVENTS, strerror(errno));
		return -1;
	}
	long n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) {
			if (have < sizeof(line) - 1)
				line[have++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[have] = '\0';
			have = 0;
			struct event e;
			if (parse_event(line, &e) == 0)
				handle(o, &e);
		}
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

static void pause_briefly(void)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* The program as execve needs it: CMD itself if it has a slash, else the
 * first match in $PATH, so the trace shows one execve, not the search. */
static const char *find_program(const char *cmd, char *buf, size_t n)
{
	if (strchr(cmd, '/'))
		return cmd;
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin:/sbin:/usr/sbin";
	while (*path) {
		size_t len = strcspn(path, ":");
		snprintf(buf, n, "%.*s/%s", (int)len, path, cmd);
		if (access(buf, X_OK) == 0)
			return buf;
		path += len + (path[len] == ':');
	}
	return cmd;
}

static void run_child(int ctlfd, const char *prog, char **argv)
{
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "pid %d", getpid());
	if (ctl(ctlfd, cmd))
		_exit(127);
	/* The control file is close-on-exec: nothing more is traced before
	 * the program's own first call. */
	extern char **environ;
	execve(prog, argv, environ);
	fprintf(stderr, "trace: %s: %s\n", prog, strerror(errno));
	_exit(127);
}

/* Close-on-exec, so the traced program does not inherit it. */
static FILE *open_output(const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "trace: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

int main(int argc, char **argv)
{
	struct trace_opts o = {.out = stderr};
	int c;
	while ((c = getopt(argc, argv, "+fcTo:j:h")) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 'c':
			o.summary = true;
			break;
		case 'T':
			o.show_time = true;
			break;
		case 'o':
			o.out = open_output(optarg);
			break;
		case 'j':
			o.json = open_output(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	int ctlfd = open(CTL, O_WRONLY | O_CLOEXEC);
	if (ctlfd < 0) {
		fprintf(stderr,
			"trace: %s: %s (tracing needs /proc and root)\n", CTL,
			strerror(errno));
		return 1;
	}
	if (ctl(ctlfd, "off clear wait") ||
	    ctl(ctlfd, o.follow ? "follow" : "nofollow"))
		return 1;
	char pathbuf[512];
	const char *prog = find_program(argv[optind], pathbuf, sizeof(pathbuf));
	o.cmd = prog;
	if (o.json)
		json_begin(&o);
	pid_t pid = fork();
	if (pid < 0) {
		perror("trace: fork");
		return 1;
	}
	if (pid == 0)
		run_child(ctlfd, prog, argv + optind);
	o.root_pid = pid;
	/* Interrupts go to the command; trace reports how it ended. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int status = 0;
	bool reaped = false;
	/* Until the command is reaped and, with -f, every process it made
	 * has exited too; then one last drain. */
	for (;;) {
		if (drain(&o))
			break;
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
			reaped = true;
		else if (reaped && (!o.follow || !any_alive()))
			break;
		else
			pause_briefly();
	}
	ctl(ctlfd, "off");
	drain(&o);
	report_end(&o);
	if (o.json)
		json_end(&o);
	if (o.out != stderr)
		fclose(o.out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
