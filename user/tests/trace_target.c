/* A program with known system calls, for the tracer's tests (sys_trace.c
 * and tests/trace-json.sh): each call below must appear in `trace`'s output
 * decoded as the comments say. Not a test itself (no sys_ prefix). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	char buf[4];
	int n = argc > 1 ? atoi(argv[1]) : 5; /* sys_trace: many, to fill */
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid); /* getppid() = <trace's pid>, 5 times */
	syscall(SYS_write, 1, "hello\n", 6); /* write(1, "hello\n", 6) = 6 */
	/* openat(AT_FDCWD, "/nonexistent/x", O_RDONLY) = -1 ENOENT (...) */
	syscall(SYS_openat, AT_FDCWD, "/nonexistent/x", O_RDONLY);
	syscall(SYS_close, -1); /* close(-1) = -1 EBADF (...) */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/zero",
			      O_RDONLY | O_CLOEXEC);
	syscall(SYS_read, fd, buf, 4); /* read(3, "\0\0\0\0", 4) = 4 */
	syscall(SYS_close, fd);
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	((volatile char *)p)[0] = 1; /* a page fault: "fault ... ok" */
	munmap(p, 8192);
	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1); /* --- SIGUSR1 (handler) --- */
	pid_t c = fork();
	if (c == 0) {
		syscall(SYS_getpid); /* only with -f */
		_exit(7);	     /* [pid N] +++ exited with 7 +++ */
	}
	int st;
	waitpid(c, &st, 0);
	return 3; /* +++ exited with 3 +++ */
}
