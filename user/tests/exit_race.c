/* Exits under preemption: each child dies holding the write end of a pipe
 * its parent reads, so closing it wakes the parent and the next timer tick
 * preempts the child somewhere in the rest of its exit, in the middle of
 * freeing its address space as often as not (as in the applets layer's
 * "uniq | grep -q" pipelines). An exit preempted just after its mm was
 * freed, while the process still pointed at it, was switched back into
 * that freed mm: a poisoned CR3, the CPU wedged (about 1 in 50 applets
 * runs). Not one of the sys_* checks: a loop, for tests/exit-race.sh.
 * usage: exit_race [CHILDREN] (default 20000) */
#include "check.h"
#include <stdlib.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	long bad = 0;
	for (long i = 0; i < n; i++) {
		int fd[2];
		if (pipe(fd)) {
			bad++;
			break;
		}
		pid_t c = fork();
		if (c == 0)
			_exit(7); /* its exit closes fd[1]: the parent wakes */
		close(fd[1]);
		char b;
		int st = 0;
		if (c < 0 || read(fd[0], &b, 1) != 0 ||
		    waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 7)
			bad++;
		close(fd[0]);
		if ((i + 1) % 1000 == 0) {
			char line[64];
			int k = snprintf(line, sizeof(line), "exit_race: %ld\n",
					 i + 1);
			if (write(1, line, (size_t)k) != k)
				bad++;
		}
	}
	CHECK("exit_race.children", bad == 0, "%ld of %ld children lost", bad,
	      n);
	return check_summary("exit_race");
}
