/* The trace facility and the trace tool: the raw interface
 * (/proc/limen/trace_ctl commands, the event lines, dropping the oldest
 * events when the ring is full), then /bin/trace on programs whose calls
 * are known (trace_target, the open/close example, badptr): decoded
 * lines, -f, -T, -c counts and -j output. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define CTL "/proc/limen/trace_ctl"
#define OUT "/tmp/trace.out"

static char text[65536];

static int ctl(const char *cmd)
{
	int fd = open(CTL, O_WRONLY);
	if (fd < 0)
		return -1;
	long r = write(fd, cmd, strlen(cmd));
	close(fd);
	return r < 0 ? -1 : 0;
}

/* The whole of a file (up to sizeof(text)) as a string. */
static const char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	long r;
	text[0] = '\0';
	if (fd < 0)
		return text;
	while (n < sizeof(text) - 1 &&
	       (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	text[n] = '\0';
	close(fd);
	return text;
}

/* How many lines of s contain needle. */
static int count_lines(const char *s, const char *needle)
{
	int n = 0;
	while (*s) {
		const char *end = strchr(s, '\n');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *hit = strstr(s, needle);
		if (hit && hit < s + len)
			n++;
		s += len + (end != NULL);
	}
	return n;
}

/* Runs trace with args (NULL-terminated) in dir; its exit status. */
static int run_trace(const char *dir, char *const args[])
{
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(126);
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1); /* the program's own output */
		close(fd);   /* so the traced program's first fd is 3 */
		execv("/bin/trace", args);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void check_has(const char *name, const char *s, const char *want)
{
	CHECK(name, strstr(s, want), "no line with '%s'", want);
}

static void raw_interface(void)
{
	CHECK("ctl.status_off", strstr(slurp(CTL), "tracing off"),
	      "trace_ctl says '%.60s'", text);
	CHECK_ERRNO("ctl.bad_command", ctl("bogus"), EINVAL);
	CHECK_ERRNO("ctl.pid_missing", ctl("pid 99999"), ESRCH);
	CHECK_ERRNO("ctl.pid_needs_number", ctl("pid x"), EINVAL);

	char cmd[64];
	snprintf(cmd, sizeof(cmd), "off clear nofollow pid %d", getpid());
	CHECK_OK("ctl.pid_self", ctl(cmd));
	CHECK_ERRNO("ctl.size_while_on", ctl("size 128"), EBUSY);
	long ppid = syscall(SYS_getppid);
	ctl("off");
	const char *t = slurp("/proc/limen/trace");
	CHECK("events.enter_line", strstr(t, " sys_enter 110 getppid "),
	      "no getppid entry in '%.200s'", t);
	char want[64];
	snprintf(want, sizeof(want), " sys_exit 110 getppid %ld ", ppid);
	CHECK("events.exit_line", strstr(t, want), "no '%s'", want);
	CHECK("events.consumed", slurp("/proc/limen/trace")[0] == '\0',
	      "a second read gave '%.80s'", text);

	/* A ring of 64 events and 200 calls: the oldest go, counted. */
	CHECK_OK("ctl.size_64", ctl("size 64"));
	snprintf(cmd, sizeof(cmd), "clear pid %d", getpid());
	ctl(cmd);
	for (int i = 0; i < 200; i++)
		syscall(SYS_getppid);
	ctl("off");
	const char *s = slurp(CTL);
	const char *d = strstr(s, "dropped ");
	CHECK("ring.dropped_counted", d && atoi(d + 8) > 300,
	      "trace_ctl: '%.200s'", s);
	t = slurp("/proc/limen/trace");
	CHECK("ring.lost_line", strstr(t, " lost "), "no lost line");
	int n = count_lines(t, "sys_");
	CHECK("ring.keeps_newest", n > 50 && n <= 64, "%d events kept", n);
	ctl("clear");

	/* "wait" asked for by a process that is gone: nobody drains the
	 * ring, so traced calls must not wait (1000 calls would take 200 s
	 * at 200 ms each); they drop the oldest events instead. */
	pid_t owner = fork();
	if (owner == 0)
		_exit(ctl("wait") ? 1 : 0);
	int st;
	waitpid(owner, &st, 0);
	snprintf(cmd, sizeof(cmd), "pid %d", getpid());
	ctl(cmd);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ctl("off");
	s = slurp(CTL);
	d = strstr(s, "dropped ");
	CHECK("ring.no_wait_for_dead_reader",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		  t1.tv_sec - t0.tv_sec < 60 && d && atoi(d + 8) > 0,
	      "owner %#x, %lld s, '%.120s'", st,
	      (long long)(t1.tv_sec - t0.tv_sec), s);
	ctl("clear size 4096");
}

static void target(void)
{
	char *args[] = {"trace", "-o", OUT, "/tests/trace_target", NULL};
	int st = run_trace("/", args);
	CHECK("trace.exit_status", st == 3, "trace exited %d, not 3", st);
	const char *t = slurp(OUT);
	char want[64];
	snprintf(want, sizeof(want), "getppid() = ");
	CHECK("trace.getppid_x5", count_lines(t, want) == 5, "%d getppid lines",
	      count_lines(t, want));
	check_has("trace.execve", t, "execve(\"/tests/trace_target\", ");
	check_has("trace.write_string", t, "write(1, \"hello\\n\", 6) = 6");
	check_has("trace.enoent", t,
		  "openat(AT_FDCWD, \"/nonexistent/x\", O_RDONLY) = -1 ENOENT "
		  "(No such file or directory)");
	check_has("trace.ebadf", t,
		  "close(-1) = -1 EBADF (Bad file descriptor)");
	check_has("trace.flags", t,
		  "openat(AT_FDCWD, \"/dev/zero\", O_RDONLY|O_CLOEXEC) = 3");
	check_has("trace.read_data", t, "read(3, \"\\0\\0\\0\\0\", 4) = 4");
	check_has("trace.mmap", t,
		  "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		  "0x");
	check_has("trace.signal", t, "--- SIGUSR1 (handler) ---");
	check_has("trace.exit", t, "+++ exited with 3 +++");
	/* musl's raise() calls getpid once; the child's own is the second. */
	CHECK("trace.no_follow",
	      count_lines(t, "getpid() = ") == 1 && !strstr(t, "exited with 7"),
	      "the child was traced without -f");
	CHECK("trace.no_setup_calls", strncmp(t, "execve(", 7) == 0,
	      "the first line is '%.60s'", t);

	char *fargs[] = {"trace", "-f", "-o", OUT, "/tests/trace_target", NULL};
	run_trace("/", fargs);
	t = slurp(OUT);
	CHECK("trace_f.child_call", count_lines(t, "getpid() = ") == 2,
	      "%d getpid lines", count_lines(t, "getpid() = "));
	check_has("trace_f.child_exit", t, "+++ exited with 7 +++");
	check_has("trace_f.pid_prefix", t, "[pid ");
	check_has("trace_f.wait", t, "wait4(");
}

/* The summary: getppid 5 calls, close with one error. */
static void summary(void)
{
	char *args[] = {"trace", "-c", "-o", OUT, "/tests/trace_target", NULL};
	run_trace("/", args);
	const char *t = slurp(OUT);
	check_has("trace_c.header", t,
		  "% time     seconds  usecs/call     calls    errors syscall");
	unsigned long calls = 0, errors = 0;
	const char *l = strstr(t, " getppid\n");
	while (l && l > t && l[-1] != '\n')
		l--;
	CHECK("trace_c.getppid_calls",
	      l && sscanf(l, "%*f %*f %*u %lu", &calls) == 1 && calls == 5,
	      "getppid calls %lu", calls);
	l = strstr(t, " close\n");
	while (l && l > t && l[-1] != '\n')
		l--;
	CHECK("trace_c.close_errors",
	      l && sscanf(l, "%*f %*f %*u %lu %lu", &calls, &errors) == 2 &&
		  calls == 2 && errors == 1,
	      "close calls %lu errors %lu", calls, errors);
	check_has("trace_c.total", t, " total\n");

	/* A ring of 64 events and 1000 calls: the traced program waits for
	 * trace to read ("wait"), so nothing is lost and the count is exact. */
	ctl("size 64");
	char *many[] = {"trace", "-c", "-o", OUT, "/tests/trace_target",
			"1000",	 NULL};
	run_trace("/", many);
	ctl("size 4096");
	t = slurp(OUT);
	l = strstr(t, " getppid\n");
	while (l && l > t && l[-1] != '\n')
		l--;
	calls = 0;
	CHECK("trace_c.lossless_small_ring",
	      l && sscanf(l, "%*f %*f %*u %lu", &calls) == 1 && calls == 1000,
	      "getppid calls %lu of 1000", calls);
	CHECK("trace_c.no_lines", !strstr(t, "getppid() ="),
	      "-c printed call lines too");
}

/* The seed's example, in a directory with example.txt and without. */
static void open_example(void)
{
	char *args[] = {
	    "trace", "-T", "-o", OUT, "/examples/open_example-glibc", NULL};
	run_trace("/", args);
	const char *t = slurp(OUT);
	check_has("example.missing", t,
		  "openat(AT_FDCWD, \"example.txt\", O_RDONLY) = -1 ENOENT "
		  "(No such file or directory) <0.");
	run_trace("/root", args);
	t = slurp(OUT);
	check_has("example.open", t,
		  "openat(AT_FDCWD, \"example.txt\", O_RDONLY) = 3 <0.");
	check_has("example.close", t, "close(3) = 0 <0.");
}

static void killed(void)
{
	char *args[] = {"trace", "-o", OUT, "/demo/badptr", NULL};
	int st = run_trace("/", args);
	const char *t = slurp(OUT);
	check_has("badptr.fault", t, "--- page fault at 0xffffffff80000000");
	check_has("badptr.killed", t, "+++ killed by SIGSEGV +++");
	CHECK("badptr.status", st == 128 + 11, "trace exited %d", st);
}

static void json(void)
{
	char *args[] = {"trace", "-j", "/tmp/trace.json",
			"-o",	 OUT,  "/tests/trace_target",
			NULL};
	run_trace("/", args);
	const char *t = slurp("/tmp/trace.json");
	CHECK("json.shape", t[0] == '{' && strstr(t, "\n]}\n"),
	      "starts '%.20s'", t);
	check_has("json.user_slice", t, "\"cat\":\"user\"");
	check_has("json.kernel_slice", t,
		  "\"cat\":\"kernel\",\"name\":\"getppid\"");
	check_has("json.fault_slice", t, "\"name\":\"page fault\"");
	check_has("json.process_name", t, "\"name\":\"/tests/trace_target\"");
	CHECK("ctl.off_after", strstr(slurp(CTL), "tracing off"),
	      "trace left tracing on: '%.40s'", text);
}

int main(void)
{
	raw_interface();
	target();
	summary();
	open_example();
	killed();
	json();
	return check_summary("sys_trace");
}
