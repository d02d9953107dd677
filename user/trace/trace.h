/* The trace tool's shared pieces: one kernel event as parsed from
 * /proc/limen/trace (trace.c), and the three things made of the events: the
 * strace-style lines and the -c table (report.c), and the Chrome Trace
 * Event JSON (json.c). */
#ifndef LIMEN_TRACE_TOOL_H
#define LIMEN_TRACE_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"

#define EV_STR_MAX 128 /* the kernel keeps at most 88 bytes of a string */

/* One line of /proc/limen/trace: "TS CPU PID TID TYPE fields... aN=\"..\"".
 * Numbers go to v[] and words to w[], in order (docs/trace.md says which
 * is which for each type). */
struct event {
	uint64_t ts;
	int cpu, pid, tid;
	char type[16];
	uint64_t v[8];
	int nv;
	char w[2][24];
	int nw;
	struct trace_str str[2];
	char sbuf[2][EV_STR_MAX];
	int nstr;
};

/* Options that shape the output. */
struct trace_opts {
	bool follow;	 /* -f */
	bool summary;	 /* -c */
	bool show_time;	 /* -T */
	FILE *out;	 /* -o, or stderr as strace */
	FILE *json;	 /* -j, or NULL */
	int root_pid;	 /* the command's process */
	const char *cmd; /* its path, for names */
};

/* report.c: fed every event in time order; report_end flushes calls that
 * never returned and prints the -c table. */
void report_event(const struct trace_opts *o, const struct event *e);
void report_end(const struct trace_opts *o);

/* json.c */
void json_begin(const struct trace_opts *o);
void json_event(const struct trace_opts *o, const struct event *e);
void json_end(const struct trace_opts *o);

#endif
