/* Turning raw system-call events into strace-style text: names of system
 * calls, errno values, signals and flag words, and one call formatted as
 * `name(args) = result`. Pure functions: the trace tool (trace.c) uses
 * them and tests/unit/test_trace_decode.c checks them on the host. */
#ifndef LIMEN_TRACE_DECODE_H
#define LIMEN_TRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes the kernel copied from user memory for one argument: a path at
 * entry, the data of write() at entry, the data of read() at exit. */
struct trace_str {
	int arg;       /* which argument (0-5) pointed at it; -1: unused */
	const char *s; /* len bytes, not NUL-terminated */
	size_t len;
	bool truncated; /* the kernel kept only the first len bytes */
};

#define TRACE_MAX_STR 3

/* One system call as the tracer saw it. */
struct trace_call {
	int nr;
	uint64_t args[6];
	struct trace_str str[TRACE_MAX_STR];
	int nstr;
	bool finished; /* false: no exit was seen (exit_group, killed) */
	long ret;      /* raw rax at exit: -4095..-1 is -errno */
};

const char *trace_syscall_name(int nr); /* "openat"; NULL if unknown */
int trace_syscall_nr(const char *name); /* -1 if unknown */
const char *trace_errno_name(int err);	/* "ENOENT"; NULL if unknown */
const char *trace_errno_text(int err);	/* "No such file or directory" */
const char *trace_signal_name(int sig); /* "SIGINT"; NULL if unknown */
#define SIGRT_FIRST 32 /* real-time signals, named SIGRT_n from here */
#define SIGRT_LAST 64

/* Formats c as strace does, e.g.
 *   openat(AT_FDCWD, "example.txt", O_RDONLY) = -1 ENOENT (No such file
 *   or directory)
 * without a newline. Writes at most n bytes including the NUL and returns
 * the length the whole text needs, as snprintf does. */
size_t trace_format_call(char *out, size_t n, const struct trace_call *c);

/* Only the "name(args)" part: "read(0, \"abc\", 4096)". */
size_t trace_format_args(char *out, size_t n, const struct trace_call *c);

/* Only the result: "= 3", "= -1 ENOENT (No such file or directory)",
 * "= 0x7f5c2a000000" for calls returning addresses, "= ?" if unfinished. */
size_t trace_format_result(char *out, size_t n, const struct trace_call *c);

#endif
