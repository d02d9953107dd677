/* /proc as busybox reads it, and memory accounting through it: fork of a
 * process with 100 MiB touched copies nothing (MemFree barely moves while
 * the child lives), and 200 processes created and reaped give every page
 * back. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static long mem_free_kb(void)
{
	char buf[1024];
	if (read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	char *p = strstr(buf, "MemFree:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

/* /proc/self/maps against Linux's format, line by line: fields, the
 * name in column 74, the program's segments named after its file, one
 * [heap] however often brk grew, the stack holding a local variable. */
static void check_maps(const char *prog)
{
	static char buf[8192];
	char local = 0;
	/* Three brk steps (raw: musl's sbrk refuses to move the break):
	 * Linux shows one [heap]; so must Limen. */
	for (int i = 0; i < 3; i++)
		syscall(SYS_brk, syscall(SYS_brk, 0) + 4096);
	void *anon =
	    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long n = read_file("/proc/self/maps", buf, sizeof(buf));
	int lines = 0, bad = 0, named_prog = 0, heaps = 0;
	bool text_ok = false, stack_ok = false, anon_ok = false, high = false;
	for (char *l = buf; n > 0 && *l;) {
		char *end = strchr(l, '\n');
		if (!end)
			break;
		*end = '\0';
		unsigned long lo, hi, off, ino;
		unsigned maj, mnr;
		char perms[5];
		int used = 0;
		lines++;
		if (sscanf(l, "%lx-%lx %4s %lx %x:%x %lu %n", &lo, &hi, perms,
			   &off, &maj, &mnr, &ino, &used) < 7 ||
		    l[used - 1] != ' ') {
			bad++;
		} else {
			const char *name = l[used] ? l + 73 : NULL;
			if (name && (strlen(l) < 74 || l[72] != ' ' ||
				     name[-1] != ' ' || name[0] == ' '))
				bad++;
			if (name && strcmp(name, prog) == 0) {
				named_prog++;
				if (perms[2] == 'x' && ino != 0 &&
				    (uintptr_t)check_maps >= lo &&
				    (uintptr_t)check_maps < hi)
					text_ok = true;
			}
			heaps += name && strcmp(name, "[heap]") == 0;
			if (name && strcmp(name, "[stack]") == 0 &&
			    (uintptr_t)&local >= lo && (uintptr_t)&local < hi)
				stack_ok = true;
			if (lo == (uintptr_t)anon && !name && ino == 0 &&
			    strcmp(perms, "r--p") == 0)
				anon_ok = true;
			high |= hi > 0x800000000000UL;
		}
		l = end + 1;
	}
	CHECK("maps.lines_parse", lines > 3 && bad == 0,
	      "%d of %d lines not in Linux's format", bad, lines);
	CHECK("maps.program_named", named_prog >= 2, "%d lines name %s",
	      named_prog, prog);
	CHECK("maps.text_holds_code", text_ok, "no r-x line of %s holds code",
	      prog);
	CHECK("maps.one_heap", heaps == 1, "%d [heap] lines", heaps);
	CHECK("maps.stack_holds_local", stack_ok, "no [stack] around %p",
	      (void *)&local);
	CHECK("maps.anon_unnamed", anon_ok, "no unnamed r--p line at %p", anon);
	CHECK("maps.no_kernel_half", !high, "a line above the user half");
}

/* Whether /proc/self/fd lists descriptor fd. */
static bool fd_listed(int fd)
{
	char want[16];
	snprintf(want, sizeof(want), "%d", fd);
	DIR *d = opendir("/proc/self/fd");
	bool found = false;
	struct dirent *e;
	while (d && (e = readdir(d)))
		found |= strcmp(e->d_name, want) == 0;
	if (d)
		closedir(d);
	return found;
}

static void fd_link(int fd, char *buf, size_t n)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t r = readlink(p, buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
}

/* /proc/PID/fd: a link per open descriptor, named by its target. */
static void test_fd_dir(void)
{
	char link[256];
	int f = open("/tmp/procfd.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int pfd[2];
	int pr = pipe(pfd);
	int d = open("/tmp", O_RDONLY | O_DIRECTORY);
	int dup10 = dup2(f, 10);
	CHECK("fd.setup", f >= 0 && pr == 0 && d >= 0 && dup10 == 10, "%s",
	      errname(errno));
	CHECK("fd.lists_open",
	      fd_listed(0) && fd_listed(f) && fd_listed(10) &&
		  fd_listed(pfd[0]) && fd_listed(d),
	      "an open descriptor is missing from /proc/self/fd");
	fd_link(f, link, sizeof(link));
	CHECK("fd.file_path", strcmp(link, "/tmp/procfd.txt") == 0, "'%s'",
	      link);
	fd_link(10, link, sizeof(link));
	CHECK("fd.dup_path", strcmp(link, "/tmp/procfd.txt") == 0, "'%s'",
	      link);
	fd_link(pfd[1], link, sizeof(link));
	CHECK("fd.pipe", strncmp(link, "pipe:[", 6) == 0, "'%s'", link);
	fd_link(d, link, sizeof(link));
	CHECK("fd.dir_path", strcmp(link, "/tmp") == 0, "'%s'", link);
	close(10);
	CHECK("fd.closed_gone", !fd_listed(10) && fd_listed(f),
	      "closed fd 10 still listed (or fd %d gone)", f);
	/* Another user may not look at a root process's descriptors, but
	 * at its own. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534))
			_exit(3);
		DIR *other = opendir("/proc/1/fd");
		int err = errno;
		_exit(other ? 1 : err != EACCES ? 2 : fd_listed(0) ? 0 : 4);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (getpid() == 1)
		CHECK("fd.other_user_refused",
		      WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x",
		      st);
	close(f);
	close(d);
	close(pfd[0]);
	close(pfd[1]);
	unlink("/tmp/procfd.txt");
}

static int open_fd_link(int fd, int flags)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, flags);
}

/* Opening /proc/PID/fd/N opens the descriptor's own file, as bash's
 * process substitution (/dev/fd/63) needs: a pipe's end, even with no
 * writer left (no wait), a deleted file, but not a socket (ENXIO). */
static void test_fd_magic(void)
{
	int p[2];
	char buf[8] = "";
	CHECK_OK("fd_magic.pipe", pipe(p));
	CHECK("fd_magic.pipe_write", write(p[1], "abc", 3) == 3, "write");
	int r2 = open_fd_link(p[0], O_RDONLY);
	ssize_t n = r2 >= 0 ? read(r2, buf, sizeof(buf)) : -1;
	struct stat a, b;
	CHECK("fd_magic.pipe_read_end",
	      n == 3 && memcmp(buf, "abc", 3) == 0 && fstat(r2, &a) == 0 &&
		  fstat(p[0], &b) == 0 && a.st_ino == b.st_ino,
	      "open %d (%s), read %zd", r2, errname(errno), n);
	int w2 = open_fd_link(p[1], O_WRONLY);
	close(p[1]);
	n = w2 >= 0 ? write(w2, "z", 1) : -1;
	ssize_t m = read(p[0], buf, sizeof(buf));
	CHECK("fd_magic.pipe_write_end", n == 1 && m == 1 && buf[0] == 'z',
	      "open %d, wrote %zd, read %zd", w2, n, m);
	close(w2);
	/* No writer is left: the open does not wait, and reads see EOF. */
	int r3 = open_fd_link(p[0], O_RDONLY);
	CHECK("fd_magic.pipe_no_writer_eof", r3 >= 0 && read(r3, buf, 1) == 0,
	      "open %d (%s)", r3, errname(errno));
	close(r3);
	close(r2);
	close(p[0]);
	int f = open("/tmp/procfd-deleted", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK("fd_magic.deleted_setup",
	      f >= 0 && write(f, "kept", 4) == 4 &&
		  unlink("/tmp/procfd-deleted") == 0,
	      "%s", errname(errno));
	int f2 = open_fd_link(f, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	n = f2 >= 0 ? read(f2, buf, sizeof(buf)) : -1;
	CHECK("fd_magic.deleted_file", n == 4 && memcmp(buf, "kept", 4) == 0,
	      "open %d (%s), read %zd", f2, errname(errno), n);
	close(f2);
	close(f);
	int sv[2];
	CHECK_OK("fd_magic.socketpair",
		 socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_ERRNO("fd_magic.socket_enxio", open_fd_link(sv[0], O_RDWR),
		    ENXIO);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	(void)argc;
	char buf[4096];
	CHECK("proc.meminfo_total",
	      read_file("/proc/meminfo", buf, sizeof(buf)) > 0 &&
		  strstr(buf, "MemTotal:"),
	      "no MemTotal");
	CHECK("proc.uptime",
	      read_file("/proc/uptime", buf, sizeof(buf)) > 0 &&
		  strchr(buf, '.'),
	      "got '%s'", buf);
	read_file("/proc/self/stat", buf, sizeof(buf));
	CHECK("proc.self_stat_pid", atoi(buf) == getpid(), "stat '%.40s'", buf);
	char want[32];
	snprintf(want, sizeof(want), "(%.15s)",
		 strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
	CHECK("proc.self_stat_comm", strstr(buf, want) != NULL,
	      "stat '%.60s' lacks %s", buf, want);
	long n = read_file("/proc/self/cmdline", buf, sizeof(buf));
	CHECK("proc.self_cmdline", n > 0 && strcmp(buf, argv[0]) == 0,
	      "cmdline '%s'", buf);
	char link[256] = {0};
	readlink("/proc/self/exe", link, sizeof(link) - 1);
	CHECK("proc.self_exe", strstr(link, "sys_procfs") != NULL, "exe '%s'",
	      link);
	test_fd_dir();
	test_fd_magic();
	read_file("/proc/self/status", buf, sizeof(buf));
	CHECK("proc.self_status", strstr(buf, "Pid:") && strstr(buf, "PPid:"),
	      "status lacks Pid");
	CHECK("proc.self_maps",
	      read_file("/proc/self/maps", buf, sizeof(buf)) > 0 &&
		  strstr(buf, "[stack]"),
	      "no [stack] line");

	check_maps(argv[0]);

	/* Copy-on-write, seen through MemFree. */
	size_t big = 100 << 20;
	char *m = mmap(NULL, big, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < big; i += 4096)
		m[i] = 1;
	int p[2];
	pipe(p);
	long before = mem_free_kb();
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(m[4096] == 1 ? 0 : 1);
	}
	close(p[0]);
	long during = mem_free_kb();
	close(p[1]);
	int st;
	waitpid(pid, &st, 0);
	CHECK("proc.fork_100mib_shares",
	      before - during < 16 * 1024 && WEXITSTATUS(st) == 0,
	      "MemFree fell by %ld kB for the fork", before - during);
	munmap(m, big);

	/* 200 processes created and reaped: every page comes back. */
	long start = mem_free_kb();
	for (int i = 0; i < 200; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, &st, 0);
	}
	long end = mem_free_kb();
	CHECK("proc.no_leak_200_forks", start - end < 64,
	      "MemFree %ld kB before, %ld kB after", start, end);
	/* The kernel's tree, not the user's, root included (Linux's procfs):
	 * no mode changes, no removals, no new names, no second links (a
	 * hard link would outlive the entry the kernel removes). */
	CHECK_ERRNO("procfs.chmod_eperm", chmod("/proc/self", 0777), EPERM);
	CHECK_ERRNO("procfs.chmod_file_eperm", chmod("/proc/self/stat", 0666),
		    EPERM);
	CHECK_ERRNO("procfs.unlink_eperm", unlink("/proc/self/stat"), EPERM);
	CHECK_ERRNO("procfs.link_enoent",
		    linkat(AT_FDCWD, "/proc/self/stat", AT_FDCWD,
			   "/proc/self/stat2", 0),
		    ENOENT);
	CHECK_ERRNO("procfs.mkdir_enoent", mkdir("/proc/self/x", 0777), ENOENT);
	CHECK_ERRNO("procfs.rename_enoent",
		    rename("/proc/self/fd", "/proc/self/y"), ENOENT);
	CHECK_ERRNO("procfs.creat_enoent",
		    open("/proc/xx", O_CREAT | O_WRONLY, 0600), ENOENT);
	return check_summary("sys_procfs");
}
