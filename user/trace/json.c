/* -j: the trace as Chrome Trace Event JSON, which Perfetto UI
 * (ui.perfetto.dev) and chrome://tracing open. Each thread is a track
 * whose time is cut at every crossing: "user" slices while it runs its own
 * code, "kernel" slices for each system call, and the page faults and
 * interrupts the kernel handled in between as shorter slices inside them.
 * Times are microseconds, as the format wants. */
#include <string.h>

#include "trace.h"

#define MAX_THREADS 512

struct track {
	int tid, pid;
	bool in_call;	     /* between sys_enter and sys_exit */
	uint64_t call_start; /* its entry time */
	int call_nr;
	bool on_user; /* running its own code since user_since */
	uint64_t user_since;
};

static struct track tracks[MAX_THREADS];
static bool first = true;

static struct track *find_track(int tid)
{
	for (int i = 0; i < MAX_THREADS && tracks[i].tid; i++)
		if (tracks[i].tid == tid)
			return &tracks[i];
	return NULL;
}

static void comma(const struct trace_opts *o)
{
	fputs(first ? "\n" : ",\n", o->json);
	first = false;
}

/* The thread's track, made (and named) the first time it is seen. */
static struct track *track_of(const struct trace_opts *o, int tid, int pid)
{
	struct track *t = find_track(tid);
	for (int i = 0; !t && i < MAX_THREADS; i++) {
		if (tracks[i].tid)
			continue;
		t = &tracks[i];
		t->tid = tid;
		t->pid = pid;
		comma(o);
		fprintf(o->json,
			"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,"
			"\"tid\":%d,\"args\":{\"name\":\"thread %d\"}}",
			pid, tid, tid);
	}
	return t;
}

/* A JSON string body: quotes, backslashes and control bytes escaped. */
static void json_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void slice(const struct trace_opts *o, const struct track *t,
		  const char *cat, const char *name, uint64_t start,
		  uint64_t end, const char *args)
{
	comma(o);
	fprintf(o->json, "{\"ph\":\"X\",\"cat\":\"%s\",\"name\":\"", cat);
	json_text(o->json, name, strlen(name));
	fprintf(o->json,
		"\",\"pid\":%d,\"tid\":%d,\"ts\":%llu.%03llu,"
		"\"dur\":%llu.%03llu%s%s}",
		t->pid, t->tid, (unsigned long long)(start / 1000),
		(unsigned long long)(start % 1000),
		(unsigned long long)((end - start) / 1000),
		(unsigned long long)((end - start) % 1000), args ? "," : "",
		args ? args : "");
}

static void end_user(const struct trace_opts *o, struct track *t, uint64_t ts)
{
	if (t->on_user && ts >= t->user_since)
		slice(o, t, "user", "user", t->user_since, ts, NULL);
	t->on_user = false;
}

static void on_enter(const struct trace_opts *o, struct track *t,
		     const struct event *e)
{
	end_user(o, t, e->ts);
	t->in_call = true;
	t->call_start = e->ts;
	t->call_nr = (int)e->v[0];
	/* The program's name on its process track. */
	if (strcmp(e->w[0], "execve") == 0 && e->nstr) {
		comma(o);
		fprintf(o->json,
			"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,"
			"\"args\":{\"name\":\"",
			e->pid);
		json_text(o->json, e->str[0].s, e->str[0].len);
		fputs("\"}}", o->json);
	}
}

static void on_exit(const struct trace_opts *o, struct track *t,
		    const struct event *e)
{
	if (t->in_call) {
		char args[96];
		snprintf(args, sizeof(args),
			 "\"args\":{\"result\":%lld,\"cpu_ns\":%llu}",
			 (long long)e->v[1], (unsigned long long)e->v[3]);
		const char *name = trace_syscall_name(t->call_nr);
		slice(o, t, "kernel", name ? name : "syscall", t->call_start,
		      e->ts, args);
	}
	t->in_call = false;
	t->on_user = true;
	t->user_since = e->ts;
}

/* A slice that ended at e->ts and lasted dur ns (faults, interrupts). */
static void inner(const struct trace_opts *o, struct track *t,
		  const struct event *e, const char *name, uint64_t dur,
		  const char *args)
{
	uint64_t start = e->ts > dur ? e->ts - dur : 0;
	slice(o, t, "kernel", name, start, e->ts, args);
}

static void on_switch(const struct trace_opts *o, struct track *t,
		      const struct event *e)
{
	if (t) {
		end_user(o, t, e->ts);
		comma(o);
		fprintf(o->json,
			"{\"ph\":\"i\",\"s\":\"t\",\"name\":\"off cpu (%s)\","
			"\"pid\":%d,\"tid\":%d,\"ts\":%llu.%03llu}",
			e->w[0], t->pid, t->tid,
			(unsigned long long)(e->ts / 1000),
			(unsigned long long)(e->ts % 1000));
	}
	/* The next thread, if traced and stopped in user mode, resumes it. */
	struct track *n = e->v[2] ? find_track((int)e->v[2]) : NULL;
	if (n && !n->in_call) {
		n->on_user = true;
		n->user_since = e->ts;
	}
}

void json_begin(const struct trace_opts *o)
{
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", o->json);
}

void json_event(const struct trace_opts *o, const struct event *e)
{
	char args[128];
	if (strcmp(e->type, "switch") == 0) {
		on_switch(o, find_track(e->tid), e);
		return;
	}
	if (e->tid <= 0)
		return;
	struct track *t = track_of(o, e->tid, e->pid);
	if (!t)
		return;
	if (strcmp(e->type, "sys_enter") == 0) {
		on_enter(o, t, e);
	} else if (strcmp(e->type, "sys_exit") == 0) {
		on_exit(o, t, e);
	} else if (strcmp(e->type, "fault") == 0) {
		snprintf(args, sizeof(args),
			 "\"args\":{\"address\":\"%#llx\",\"outcome\":\"%s\"}",
			 (unsigned long long)e->v[0], e->w[0]);
		inner(o, t, e, "page fault", e->v[3], args);
	} else if (strcmp(e->type, "irq") == 0) {
		snprintf(args, sizeof(args), "irq %llu",
			 (unsigned long long)e->v[0]);
		inner(o, t, e, args, e->v[1], NULL);
	} else if (strcmp(e->type, "exit") == 0) {
		if (t->in_call) {
			const char *name = trace_syscall_name(t->call_nr);
			slice(o, t, "kernel", name ? name : "syscall",
			      t->call_start, e->ts, NULL);
		}
		t->in_call = t->on_user = false;
	}
}

void json_end(const struct trace_opts *o)
{
	fputs("\n]}\n", o->json);
	fclose(o->json);
}
