/* Shared by the guest tests: each check prints one line, "PASS name" or
 * "FAIL name: why", with one write(2) so nothing is lost to buffering if the
 * program dies; check_summary() gives the exit status (0 iff all passed). */
#ifndef LIMEN_TESTS_CHECK_H
#define LIMEN_TESTS_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_npass, check_nfail;

__attribute__((unused)) static const char *errname(int e)
{
	static const char *const names[] = {
	    [0] = "0",
	    [EPERM] = "EPERM",
	    [ENOENT] = "ENOENT",
	    [ESRCH] = "ESRCH",
	    [EINTR] = "EINTR",
	    [EIO] = "EIO",
	    [ENXIO] = "ENXIO",
	    [E2BIG] = "E2BIG",
	    [ENOEXEC] = "ENOEXEC",
	    [EBADF] = "EBADF",
	    [ECHILD] = "ECHILD",
	    [EAGAIN] = "EAGAIN",
	    [ENOMEM] = "ENOMEM",
	    [EACCES] = "EACCES",
	    [EFAULT] = "EFAULT",
	    [EBUSY] = "EBUSY",
	    [EEXIST] = "EEXIST",
	    [EXDEV] = "EXDEV",
	    [ENODEV] = "ENODEV",
	    [ENOTDIR] = "ENOTDIR",
	    [EISDIR] = "EISDIR",
	    [EINVAL] = "EINVAL",
	    [ENFILE] = "ENFILE",
	    [EMFILE] = "EMFILE",
	    [ENOTTY] = "ENOTTY",
	    [EFBIG] = "EFBIG",
	    [ENOSPC] = "ENOSPC",
	    [ESPIPE] = "ESPIPE",
	    [EROFS] = "EROFS",
	    [EMLINK] = "EMLINK",
	    [EPIPE] = "EPIPE",
	    [ERANGE] = "ERANGE",
	    [ENAMETOOLONG] = "ENAMETOOLONG",
	    [ENOSYS] = "ENOSYS",
	    [ENOTEMPTY] = "ENOTEMPTY",
	    [ELOOP] = "ELOOP",
	    [EOVERFLOW] = "EOVERFLOW",
	};
	static char buf[24];
	if (e >= 0 && e < (int)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

__attribute__((format(printf, 3, 4))) static void
check_report(const char *name, int ok, const char *fmt, ...)
{
	char line[512];
	int n;
	if (ok) {
		n = snprintf(line, sizeof(line), "PASS %s\n", name);
		check_npass++;
	} else {
		va_list ap;
		n = snprintf(line, sizeof(line), "FAIL %s: ", name);
		va_start(ap, fmt);
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
		if (n > (int)sizeof(line) - 2)
			n = sizeof(line) - 2;
		/* One line per check, whatever bytes the reason quotes. */
		for (int i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
				line[i] = '.';
		line[n++] = '\n';
		check_nfail++;
	}
	if (write(1, line, n) < 0)
		check_nfail++;
}

/* CHECK(name, cond, fmt, ...): fmt and its arguments say what was expected
 * and what came; they are only printed when cond is false. */
#define CHECK(name, cond, ...) check_report(name, !!(cond), __VA_ARGS__)

/* The call must fail with -1 and errno == expected (a raw syscall() returning
 * -E in the kernel shows up this way). */
#define CHECK_ERRNO(name, call, expected)                                      \
	do {                                                                   \
		errno = 0;                                                     \
		long check_r_ = (long)(call);                                  \
		int check_e_ = errno;                                          \
		CHECK(name, check_r_ == -1 && check_e_ == (expected),          \
		      "expected -1 %s, got %ld %s", errname(expected),         \
		      check_r_, errname(check_e_));                            \
	} while (0)

/* The call must return >= 0; on failure the errno is reported. */
#define CHECK_OK(name, call)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		long check_r_ = (long)(call);                                  \
		int check_e_ = errno;                                          \
		CHECK(name, check_r_ >= 0, "expected success, got %ld %s",     \
		      check_r_, errname(check_e_));                            \
	} while (0)

/* A "Field:  N kB" line of a /proc file (/proc/meminfo, /proc/self/status),
 * or -1: the size and leak checks' one reader. */
__attribute__((unused)) static long proc_kb(const char *path, const char *field)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int check_summary(const char *prog)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s: %d passed, %d failed\n", prog,
			 check_npass, check_nfail);
	if (write(1, line, n) < 0)
		return 1;
	return check_nfail ? 1 : 0;
}

#endif
