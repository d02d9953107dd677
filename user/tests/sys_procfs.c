/* /proc as busybox reads it, and memory accounting through it: fork of a
 * process with 100 MiB touched copies nothing (MemFree barely moves while
 * the child lives), and 200 processes created and reaped give every page
 * back. */
#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
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
	read_file("/proc/self/status", buf, sizeof(buf));
	CHECK("proc.self_status", strstr(buf, "Pid:") && strstr(buf, "PPid:"),
	      "status lacks Pid");
	CHECK("proc.self_maps",
	      read_file("/proc/self/maps", buf, sizeof(buf)) > 0 &&
		  strstr(buf, "[stack]"),
	      "no [stack] line");

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
	return check_summary("sys_procfs");
}
