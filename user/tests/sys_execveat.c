/* execveat(2): a path relative to a directory descriptor, fexecve
 * (AT_EMPTY_PATH on the program's own descriptor, O_PATH included),
 * AT_SYMLINK_NOFOLLOW, and the errors Linux gives. The program re-executes
 * itself with "--child EXE EXECFN" and checks, from the new image, what
 * /proc/self/exe, comm and AT_EXECFN say. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define SELF "/tests/sys_execveat"
extern char **environ;

static int child_mode(int argc, char **argv)
{
	/* argv: name --child EXE EXECFN */
	char exe[256] = "", comm[32] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	int fd = open("/proc/self/comm", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm) - 1);
		comm[n > 0 ? n - 1 : 0] = '\0';
		close(fd);
	}
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	if (argc < 4)
		return 99;
	int bad = 0;
	if (strcmp(exe, argv[2]) != 0)
		bad |= 1;
	if (!execfn || strcmp(execfn, argv[3]) != 0)
		bad |= 2;
	/* comm: the file's name (Linux 6.14 on) or /dev/fd/N's N. */
	const char *tail = strrchr(argv[3], '/');
	if (strcmp(comm, "sys_execveat") != 0 &&
	    strcmp(comm, tail ? tail + 1 : argv[3]) != 0)
		bad |= 4;
	if (bad)
		printf("child: exe=%s execfn=%s comm=%s\n", exe,
		       execfn ? execfn : "(none)", comm);
	fflush(stdout);
	return bad ? 10 + bad : 0;
}

static long xexecveat(int dirfd, const char *path, char *const *argv,
		      char *const *envp, int flags)
{
	return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

/* Runs execveat in a child; its exit status (or 100+errno if the call
 * failed). */
static int run(int dirfd, const char *path, const char *exe, const char *execfn,
	       int flags)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"sys_execveat", "--child", (char *)exe,
				(char *)execfn, NULL};
		xexecveat(dirfd, path, argv, environ, flags);
		_exit(100 + errno);
	}
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return child_mode(argc, argv);
	char fn[64];
	int r;

	/* 1. Relative to a directory descriptor. */
	int dfd = open("/tests", O_RDONLY | O_DIRECTORY);
	snprintf(fn, sizeof(fn), "/dev/fd/%d/sys_execveat", dfd);
	r = run(dfd, "sys_execveat", SELF, fn, 0);
	CHECK("execveat_dirfd", r == 0, "child status %d", r);
	/* Absolute path: the descriptor is not used. */
	r = run(dfd, SELF, SELF, SELF, 0);
	CHECK("execveat_dirfd_absolute", r == 0, "child status %d", r);
	r = run(AT_FDCWD, SELF, SELF, SELF, 0);
	CHECK("execveat_fdcwd", r == 0, "child status %d", r);

	/* 2. fexecve: the descriptor is the program. */
	int xfd = open(SELF, O_RDONLY);
	snprintf(fn, sizeof(fn), "/dev/fd/%d", xfd);
	r = run(xfd, "", SELF, fn, AT_EMPTY_PATH);
	CHECK("execveat_empty_path", r == 0, "child status %d", r);
	pid_t pid = fork();
	if (pid == 0) {
		char *cargv[] = {"sys_execveat", "--child", SELF, fn, NULL};
		fexecve(xfd, cargv, environ);
		_exit(100 + errno);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK("fexecve_musl", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	int cfd = open(SELF, O_RDONLY | O_CLOEXEC);
	snprintf(fn, sizeof(fn), "/dev/fd/%d", cfd);
	r = run(cfd, "", SELF, fn, AT_EMPTY_PATH);
	CHECK("execveat_cloexec_elf", r == 0, "child status %d", r);
	close(cfd);
	int pfd = open(SELF, O_PATH);
	snprintf(fn, sizeof(fn), "/dev/fd/%d", pfd);
	r = run(pfd, "", SELF, fn, AT_EMPTY_PATH);
	CHECK("execveat_o_path", r == 0, "child status %d", r);
	close(pfd);

	/* 3. AT_SYMLINK_NOFOLLOW: ELOOP on a final symlink, followed
	 * otherwise. */
	unlink("/tmp/ea_link");
	symlink(SELF, "/tmp/ea_link");
	r = run(AT_FDCWD, "/tmp/ea_link", SELF, "/tmp/ea_link",
		AT_SYMLINK_NOFOLLOW);
	CHECK("execveat_nofollow_eloop", r == 100 + ELOOP, "child status %d",
	      r);
	r = run(AT_FDCWD, "/tmp/ea_link", SELF, "/tmp/ea_link", 0);
	CHECK("execveat_follow", r == 0, "child status %d", r);

	/* 4. Errors. */
	char *nargv[] = {"x", NULL};
	CHECK_ERRNO("execveat_bad_flags",
		    xexecveat(AT_FDCWD, SELF, nargv, environ, 0x1), EINVAL);
	CHECK_ERRNO("execveat_bad_flags_high",
		    xexecveat(AT_FDCWD, SELF, nargv, environ, 0x80000000),
		    EINVAL);
	CHECK_ERRNO("execveat_ebadf", xexecveat(999, "x", nargv, environ, 0),
		    EBADF);
	CHECK_ERRNO("execveat_ebadf_negative",
		    xexecveat(-5, "x", nargv, environ, 0), EBADF);
	CHECK_ERRNO("execveat_ebadf_empty",
		    xexecveat(999, "", nargv, environ, AT_EMPTY_PATH), EBADF);
	CHECK_ERRNO("execveat_enotdir",
		    xexecveat(xfd, "sys_execveat", nargv, environ, 0), ENOTDIR);
	CHECK_ERRNO("execveat_empty_no_flag",
		    xexecveat(xfd, "", nargv, environ, 0), ENOENT);
	CHECK_ERRNO("execveat_enoent",
		    xexecveat(dfd, "no_such_program", nargv, environ, 0),
		    ENOENT);
	CHECK_ERRNO("execveat_dir_itself",
		    xexecveat(dfd, "", nargv, environ, AT_EMPTY_PATH), EACCES);
	CHECK_ERRNO("execveat_efault_path",
		    xexecveat(dfd, (const char *)8, nargv, environ, 0), EFAULT);
	CHECK_ERRNO("execveat_efault_kernel_path",
		    xexecveat(dfd, (const char *)0xffffffff80000000UL, nargv,
			      environ, 0),
		    EFAULT);
	CHECK_ERRNO(
	    "execveat_efault_argv",
	    xexecveat(dfd, "sys_execveat", (char *const *)8, environ, 0),
	    EFAULT);
	int nfd = open("/tmp/ea_noexec", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (write(nfd, "\177ELF", 4) != 4)
		CHECK("write_noexec", 0, "write failed");
	CHECK_ERRNO("execveat_not_executable",
		    xexecveat(nfd, "", nargv, environ, AT_EMPTY_PATH), EACCES);
	close(nfd);
	int zfd = open("/dev/null", O_RDONLY);
	CHECK_ERRNO("execveat_device",
		    xexecveat(zfd, "", nargv, environ, AT_EMPTY_PATH), EACCES);
	close(zfd);

	/* 5. A script through a descriptor: a close-on-exec one is ENOENT
	 * (its interpreter could not open /dev/fd/N); otherwise the
	 * interpreter runs with /dev/fd/N, which needs /dev/fd. */
	int sfd = open("/tmp/ea_script.sh", O_RDWR | O_CREAT | O_TRUNC, 0755);
	const char *script = "#!/bin/sh\nexit 5\n";
	if (write(sfd, script, strlen(script)) != (ssize_t)strlen(script))
		CHECK("write_script", 0, "write failed");
	close(sfd);
	sfd = open("/tmp/ea_script.sh", O_RDONLY | O_CLOEXEC);
	CHECK_ERRNO("execveat_script_cloexec",
		    xexecveat(sfd, "", nargv, environ, AT_EMPTY_PATH), ENOENT);
	close(sfd);
	struct stat sst;
	if (lstat("/dev/fd", &sst) != 0)
		symlink("/proc/self/fd", "/dev/fd");
	sfd = open("/tmp/ea_script.sh", O_RDONLY);
	pid = fork();
	if (pid == 0) {
		xexecveat(sfd, "", nargv, environ, AT_EMPTY_PATH);
		_exit(100 + errno);
	}
	waitpid(pid, &st, 0);
	CHECK("execveat_script_fd", WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "status %#x", st);
	close(sfd);
	/* Relative to a close-on-exec directory descriptor, likewise. */
	int cdfd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_ERRNO("execveat_script_cloexec_dir",
		    xexecveat(cdfd, "ea_script.sh", nargv, environ, 0), ENOENT);
	close(cdfd);

	unlink("/tmp/ea_link");
	unlink("/tmp/ea_noexec");
	unlink("/tmp/ea_script.sh");
	return check_summary("sys_execveat");
}
