/* vfork(2) as Linux does it (clone(CLONE_VM | CLONE_VFORK | SIGCHLD)): the
 * child runs in the parent's memory, so what it writes before _exit the
 * parent sees; the parent sleeps until the child execs or exits; an exec
 * gives the memory back untouched. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
static volatile int global_v;
static volatile int child_done;
static volatile int *volatile anon;

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	syscall(SYS_nanosleep, &ts, NULL);
}

int main(void)
{
	/* 1. Writes to a global, the heap and an mmap'd page are the
	 * parent's own. */
	volatile int *heap = malloc(sizeof(int));
	*heap = 1;
	global_v = 1;
	pid_t pid = vfork();
	if (pid == 0) {
		global_v = 42;
		*heap = 43;
		/* A mapping made by the child is in the parent's space too. */
		anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (anon != MAP_FAILED)
			*anon = 44;
		_exit(7);
	}
	int st = -1;
	CHECK("vfork_pid", pid > 0, "vfork returned %d", pid);
	CHECK("vfork_global_shared", global_v == 42, "global is %d", global_v);
	CHECK("vfork_heap_shared", *heap == 43, "heap word is %d", *heap);
	CHECK("vfork_mmap_shared", anon && anon != MAP_FAILED && *anon == 44,
	      "child's mapping %p", (void *)anon);
	CHECK("vfork_wait_status",
	      waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 7,
	      "status %#x", st);

	/* 2. The parent is suspended until the child exits: the child
	 * sleeps, then sets a flag; the parent must see it set. */
	child_done = 0;
	pid = vfork();
	if (pid == 0) {
		nap_ms(200);
		child_done = 1;
		_exit(0);
	}
	CHECK("vfork_parent_suspended", child_done == 1,
	      "parent ran before the child exited");
	waitpid(pid, &st, 0);

	/* 3. A child that execs: the parent resumes at the exec, while the
	 * child still runs, and its memory (stack and globals) is intact. */
	volatile int on_stack = 1234;
	global_v = 5;
	pid = vfork();
	if (pid == 0) {
		char *argv[] = {"sleep", "1", NULL};
		execve("/bin/busybox", argv, environ);
		_exit(127);
	}
	int r = waitpid(pid, &st, WNOHANG);
	CHECK("vfork_exec_resumes_parent", r == 0,
	      "waitpid WNOHANG gave %d (child should still sleep)", r);
	CHECK("vfork_exec_memory_intact", on_stack == 1234 && global_v == 5,
	      "stack %d global %d", on_stack, global_v);
	CHECK("vfork_exec_status",
	      waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0,
	      "status %#x", st);

	/* 4. An exec that fails leaves the child in the parent's memory: it
	 * reports errno there, busybox's and posix_spawn's way. */
	volatile int exec_err = 0;
	pid = vfork();
	if (pid == 0) {
		char *argv[] = {"nope", NULL};
		execve("/nonexistent/prog", argv, environ);
		exec_err = errno;
		_exit(127);
	}
	CHECK("vfork_exec_error_seen", exec_err == ENOENT, "errno %s",
	      errname(exec_err));
	waitpid(pid, &st, 0);
	CHECK("vfork_exec_error_status",
	      WIFEXITED(st) && WEXITSTATUS(st) == 127, "status %#x", st);

	/* 5. A child killed by a signal still releases the parent, and the
	 * parent's memory survives the child's death. */
	global_v = 9;
	pid = vfork();
	if (pid == 0) {
		/* Not raise(): musl's signals the tid in the (shared)
		 * thread block, the parent's. */
		syscall(SYS_kill, syscall(SYS_getpid), SIGSEGV);
		_exit(0);
	}
	r = waitpid(pid, &st, 0);
	CHECK("vfork_child_fault",
	      r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "waitpid %d (%s) status %#x", r, errname(errno), st);
	CHECK("vfork_after_fault_intact", global_v == 9, "global %d", global_v);

	/* 6. Nested: a vfork child vforks in turn. */
	global_v = 0;
	pid = vfork();
	if (pid == 0) {
		pid_t g = vfork();
		if (g == 0) {
			global_v = 77;
			_exit(3);
		}
		int s2;
		waitpid(g, &s2, 0);
		_exit(WIFEXITED(s2) ? WEXITSTATUS(s2) : 99);
	}
	CHECK("vfork_nested",
	      waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 3 && global_v == 77,
	      "status %#x global %d", st, global_v);

	/* 7. The child has its own pid; getppid is the parent. */
	volatile pid_t cpid = 0, cppid = 0;
	pid = vfork();
	if (pid == 0) {
		cpid = getpid();
		cppid = getppid();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("vfork_child_ids", cpid == pid && cppid == getpid(),
	      "child saw pid %d ppid %d (vfork gave %d)", cpid, cppid, pid);

	/* 8. Library users: posix_spawn and system-style fork+exec. */
	char *sargv[] = {"true", NULL};
	pid_t sp;
	r = posix_spawn(&sp, "/bin/busybox", NULL, NULL, sargv, environ);
	CHECK("vfork_posix_spawn",
	      r == 0 && waitpid(sp, &st, 0) == sp && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0,
	      "posix_spawn %d status %#x", r, st);

	/* 9. Many in a row: nothing leaks or wedges. */
	volatile int bad = 0;
	for (volatile int i = 0; i < 200; i++) {
		pid = vfork();
		if (pid == 0) {
			global_v = i;
			_exit(i & 0x7f);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid ||
		    WEXITSTATUS(st) != (i & 0x7f) || global_v != i)
			bad++;
	}
	CHECK("vfork_repeat", bad == 0, "%d of 200 went wrong", bad);
	return check_summary("sys_vfork");
}
