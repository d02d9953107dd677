/* What the C libraries do with memory and processes, unmodified, built
 * static with musl (libc_mem) and glibc (libc_mem-glibc):
 *  - realloc of a 64 MiB block to 128 MiB and back keeps its contents, and
 *    moves it with mremap rather than copying it: the kernel's trace of the
 *    realloc shows an mremap call and no page faults (a copy would fault
 *    in 16384 new pages); /proc/self/smaps shows the grown block resident
 *    only where it was written;
 *  - posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK) on a stack of its
 *    own; musl: the same through its __clone) of /bin/sh and of this
 *    program, with the exit status through waitpid, file actions addopen,
 *    adddup2 and addclose, and posix_spawnp / posix_spawn of a program that
 *    does not exist failing with ENOENT (returned, not in errno).
 * Runs as init (root: the trace files are root's). */
#include "check.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MB (1024UL * 1024)

extern char **environ;

static char text[1 << 20];

static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((size_t)n < size - 1 &&
	       (r = read(fd, buf + n, size - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return n;
}

static int ctl(const char *cmd)
{
	int fd = open("/proc/limen/trace_ctl", O_WRONLY);
	if (fd < 0)
		return -1;
	long r = write(fd, cmd, strlen(cmd));
	close(fd);
	return r < 0 ? -1 : 0;
}

/* The calls and faults the trace recorded since trace_begin. */
struct traced {
	int mremaps, mmaps, faults, lost;
};

static bool trace_begin(void)
{
	char cmd[64];
	read_file("/proc/limen/trace", text, sizeof(text)); /* drain */
	snprintf(cmd, sizeof(cmd), "clear pid %d", (int)getpid());
	return ctl(cmd) == 0;
}

static struct traced trace_end(void)
{
	struct traced t = {0};
	ctl("off");
	read_file("/proc/limen/trace", text, sizeof(text));
	for (char *l = text; *l;) {
		char *e = strchr(l, '\n');
		if (e)
			*e = '\0';
		if (strstr(l, " sys_enter ") && strstr(l, " mremap "))
			t.mremaps++;
		if (strstr(l, " sys_enter ") && strstr(l, " mmap "))
			t.mmaps++;
		if (strstr(l, " fault "))
			t.faults++;
		if (strstr(l, " lost "))
			t.lost++;
		if (!e)
			break;
		l = e + 1;
	}
	return t;
}

static void fill(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(long))
		*(long *)(p + i) = (long)(i * 2654435761UL);
}

/* The offset of the first word that differs, or -1. */
static long verify(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i += sizeof(long))
		if (*(const long *)(p + i) != (long)(i * 2654435761UL))
			return (long)i;
	return -1;
}

/* Rss in kB of the smaps area holding addr, or -1. */
static long area_rss(const void *addr, unsigned long *lo, unsigned long *hi)
{
	read_file("/proc/self/smaps", text, sizeof(text));
	for (char *l = text; *l;) {
		unsigned long a, b;
		if (sscanf(l, "%lx-%lx ", &a, &b) == 2 &&
		    (uintptr_t)addr >= a && (uintptr_t)addr < b) {
			char *r = strstr(l, "\nRss:");
			*lo = a;
			*hi = b;
			return r ? strtol(r + 5, NULL, 10) : -1;
		}
		char *e = strchr(l, '\n');
		if (!e)
			break;
		l = e + 1;
	}
	return -1;
}

static void test_realloc(void)
{
	size_t len = 64 * MB;
	char *p = malloc(len);
	CHECK("realloc.malloc_64m", p != NULL, "malloc 64 MiB");
	if (!p)
		return;
	fill(p, len);
	/* The trace is Limen's: elsewhere only the contents are checked. */
	bool limen = access("/proc/limen/trace_ctl", F_OK) == 0;
	bool traced = limen && trace_begin();
	if (limen)
		CHECK("realloc.trace_on", traced, "trace_ctl: %s",
		      errname(errno));
	char *q = realloc(p, 2 * len);
	struct traced t = {0};
	if (traced)
		t = trace_end();
	CHECK("realloc.grow_keeps", q && verify(q, len) < 0, "q %p word %ld",
	      (void *)q, q ? verify(q, len) : -2);
	if (!q)
		return;
	/* mremap moved the pages: no copy faulted new ones in. */
	CHECK("realloc.grow_by_mremap",
	      !traced || (t.mremaps >= 1 && t.faults < 64 && !t.lost),
	      "%d mremap, %d faults, %d lost in the realloc's trace", t.mremaps,
	      t.faults, t.lost);
	unsigned long lo = 0, hi = 0;
	long rss = area_rss(q, &lo, &hi);
	CHECK("realloc.grown_area",
	      hi - lo >= 2 * len && rss >= 64 * 1024 && rss < 65 * 1024,
	      "area %#lx-%#lx (%lu MiB), Rss %ld kB", lo, hi, (hi - lo) / MB,
	      rss);
	for (size_t off = len; off < 2 * len; off += MB)
		q[off] = 0x77;
	if (traced)
		trace_begin();
	char *r = realloc(q, len / 2);
	if (traced)
		t = trace_end();
	CHECK("realloc.shrink_keeps", r && verify(r, len / 2) < 0,
	      "r %p word %ld", (void *)r, r ? verify(r, len / 2) : -2);
	CHECK("realloc.shrink_no_copy", !traced || (t.faults < 64 && !t.lost),
	      "%d faults, %d lost in the shrinking realloc's trace", t.faults,
	      t.lost);
	rss = r ? area_rss(r, &lo, &hi) : -1;
	CHECK("realloc.shrunk_area", hi - lo < len && rss <= 33 * 1024,
	      "area %#lx-%#lx, Rss %ld kB", lo, hi, rss);
	free(r);
}

/* The exit status of pid, or -1. */
static int status_of(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x100 | WTERMSIG(st);
}

static void test_spawn(const char *self)
{
	pid_t pid = -1;
	char *sh_argv[] = {"sh", "-c", "exit 7", NULL};
	int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh_argv, environ);
	CHECK("spawn.sh", r == 0 && pid > 0, "posix_spawn: %s", errname(r));
	int st = r == 0 ? status_of(pid) : -1;
	CHECK("spawn.sh_status", st == 7, "status %d", st);

	/* Itself, with stdout opened on a file, a pipe's write end as fd 3
	 * and both of the pipe's own descriptors (moved to 10 and 11)
	 * closed. */
	int pfd[2];
	if (pipe(pfd) || dup2(pfd[0], 10) != 10 || dup2(pfd[1], 11) != 11) {
		CHECK("spawn.pipe", 0, "%s", errname(errno));
		return;
	}
	close(pfd[0]);
	close(pfd[1]);
	pfd[0] = 10;
	pfd[1] = 11;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/tmp/spawn.out",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 3);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	char *self_argv[] = {(char *)self, "child", NULL};
	r = posix_spawn(&pid, self, &fa, NULL, self_argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	CHECK("spawn.self", r == 0 && pid > 0, "posix_spawn %s: %s", self,
	      errname(r));
	char buf[64] = {0};
	long n = r == 0 ? read(pfd[0], buf, sizeof(buf) - 1) : -1;
	close(pfd[0]);
	st = r == 0 ? status_of(pid) : -1;
	CHECK("spawn.self_status", st == 42, "status %d", st);
	CHECK("spawn.adddup2", n > 0 && strcmp(buf, "via fd 3\n") == 0,
	      "pipe gave %ld '%s'", n, buf);
	read_file("/tmp/spawn.out", text, sizeof(text));
	CHECK("spawn.addopen", strcmp(text, "to stdout\n") == 0,
	      "/tmp/spawn.out holds '%.60s'", text);

	/* A program that is not there: the error is returned. */
	char *none_argv[] = {"limen-no-such-program", NULL};
	pid = -1;
	r = posix_spawnp(&pid, "limen-no-such-program", NULL, NULL, none_argv,
			 environ);
	CHECK("spawn.spawnp_enoent", r == ENOENT, "posix_spawnp: %s (pid %d)",
	      errname(r), (int)pid);
	if (r == 0)
		status_of(pid);
	r = posix_spawn(&pid, "/bin/limen-no-such-program", NULL, NULL,
			none_argv, environ);
	CHECK("spawn.spawn_enoent", r == ENOENT, "posix_spawn: %s", errname(r));
	if (r == 0)
		status_of(pid);
	/* Nothing left behind: no child to wait for. */
	CHECK_ERRNO("spawn.no_zombies", waitpid(-1, NULL, WNOHANG), ECHILD);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		/* The spawned copy: fd 3 is the pipe, 1 the file, and the
		 * pipe's own descriptors are closed. */
		bool ok = write(3, "via fd 3\n", 9) == 9 &&
			  write(1, "to stdout\n", 10) == 10 &&
			  fcntl(10, F_GETFD) == -1 && fcntl(11, F_GETFD) == -1;
		_exit(ok ? 42 : 1);
	}
	test_realloc();
	test_spawn(argv[0]);
	return check_summary(strstr(argv[0], "glibc") ? "libc_mem-glibc"
						      : "libc_mem");
}
